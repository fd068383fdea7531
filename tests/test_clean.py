import pytest

from newsclaims.clean import clean, load_rules
from newsclaims.normalize import to_simplified

from nc_testutil import CORPUS

RULES = load_rules()


@pytest.mark.parametrize("rule,example", [(r.id, ex) for r in RULES.inline for ex in r.examples])
def test_inline_rule_changes_its_examples(rule, example):
    pattern = next(r for r in RULES.inline if r.id == rule).pattern
    assert pattern.search(example), f"{rule} should match {example!r}"


@pytest.mark.parametrize("rule,example", [(r.id, ex) for r in RULES.inline for ex in r.keep])
def test_inline_rule_keeps_its_negatives(rule, example):
    pattern = next(r for r in RULES.inline if r.id == rule).pattern
    assert not pattern.search(example), f"{rule} must not match {example!r}"


@pytest.mark.parametrize("rule,example", [(r.id, ex) for r in RULES.lines for ex in r.examples])
def test_boilerplate_rule_matches_its_examples(rule, example):
    pattern = next(r for r in RULES.lines if r.id == rule).pattern
    assert pattern.fullmatch(to_simplified(example).strip())


def _clean(name):
    text = (CORPUS / name).read_text("utf-8")
    return text, clean(text, to_simplified)


def test_seed_002_pinyin_glosses_all_removed():
    original, res = _clean("002_3e9fce453feb4430.txt")
    assert res.counts["ruby_annotations"] == 1064
    assert "(kāi)" not in res.mapped.text and "開始" in res.mapped.text
    assert "/p>" not in res.mapped.text


def test_seed_002_second_copy_is_marked_repeated():
    original, res = _clean("002_3e9fce453feb4430.txt")
    text = res.mapped.text
    # the sentence with 數百億美元 appears once per copy; the second is a repeat of the first
    needle = "數百億美元"
    first = text.index(needle)
    second = text.index(needle, first + 1)
    assert any(s <= second < e and fs <= first < fe for s, e, fs, fe in res.duplicates)
    assert not any(s <= first < e for s, e, _, _ in res.duplicates)
    assert res.counts["duplicate_blocks"] >= 1


def test_seed_001_comment_form_removed():
    original, res = _clean("001_7ec13a0538602fb1.txt")
    assert "Scroll to Top" in original and "Scroll to Top" not in res.mapped.text
    assert "发表评论" not in res.mapped.text
    assert res.counts["boilerplate_chars"] > 0


def test_seed_000_image_links_and_urls_removed():
    original, res = _clean("000_29641b6c5d62fb85.txt")
    assert "futunn.com" in original and "futunn.com" not in res.mapped.text
    assert "20231015" not in res.mapped.text.replace(" ", "")


def test_seed_002_footer_tags_and_related_links_removed():
    original, res = _clean("002_3e9fce453feb4430.txt")
    related = "OpenAI聘請(qǐng)Meta前高管"
    assert related in original
    assert "OpenAI聘請Meta前高管" not in res.mapped.text
    # the repeated body after the footer is kept (its mentions are marked duplicate_of)
    assert res.mapped.text.count("數百億美元") == 2
