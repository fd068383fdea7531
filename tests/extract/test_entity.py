"""The entity extractor: every case of examples.yaml, plus the gazetteer's integrity."""
from __future__ import annotations

from importlib import resources

import pytest
import yaml

from newsclaims.extract.base import Draft, ExtractContext
from newsclaims.extract.entity import LABELS, extract, jieba_userdict_entries, link_people, load_gazetteer
from newsclaims.extract.entity.gazetteer import GazetteerError, build, parse_rows
from newsclaims.normalize import WIDTH_TABLE, to_simplified

CASES = yaml.safe_load(resources.files("newsclaims.extract.entity").joinpath("examples.yaml").read_text("utf-8"))["cases"]


def _processed(case: dict) -> str:
    text = case["text"]
    return to_simplified(text.translate(WIDTH_TABLE)) if case.get("raw") else text


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_example(case):
    text = _processed(case)
    drafts = extract(text, ExtractContext(lang=case.get("lang", "zh")))
    got = [[text[d.start:d.end], d.fields["label"], d.fields["canonical"], d.fields["entity_id"]] for d in drafts]
    want = case["entities"]
    assert len(got) == len(want), f"{case['text']!r}: got {got}"
    for g, w in zip(got, want):
        assert g[:3] == w[:3], f"{case['text']!r}: got {got}"
        if len(w) == 4:
            assert g[3] == w[3], f"{case['text']!r}: {g[0]} entity_id {g[3]!r}, want {w[3]!r}"


def test_drafts_have_the_design_fields_in_order():
    d = extract("OpenAI与微软", ExtractContext())[0]
    assert d.kind == "entity" and list(d.fields) == ["label", "canonical", "entity_id"]
    assert d.rule.startswith("entity.")


def test_every_example_label_is_known():
    assert all(e[1] in LABELS for c in CASES for e in c["entities"])


def test_gazetteer_loads_with_unique_aliases_and_valid_ids():
    gaz = load_gazetteer()
    assert len(gaz.exact) > 1000
    for alias, entry in gaz.aliases:
        assert entry.label in LABELS
        assert entry.entity_id.startswith(("Q", "local:"))
    # traditional aliases are also present in simplified form
    assert gaz.exact["輝達"] == gaz.exact["辉达"]


def test_an_alias_given_to_two_entities_is_an_error():
    rows = parse_rows("A\tORG\tlocal:a\tcore\tany\tAcme\nB\tORG\tlocal:b\tcore\tany\tAcme\n", lambda s: s)
    with pytest.raises(GazetteerError, match="Acme"):
        build(rows)


def test_a_bad_row_names_its_line():
    with pytest.raises(GazetteerError, match="gazetteer.tsv:1"):
        parse_rows("Acme\tCOMPANY\tlocal:a\tcore\tany\tAcme\n", lambda s: s)


def test_core_only_gazetteer_leaves_corpus_rows_to_the_fallback():
    text = "而按照FutureSearch的测算"
    assert [d.fields["canonical"] for d in extract(text, ExtractContext())] == ["FutureSearch"]
    assert extract(text, ExtractContext(), origins=("core",)) == []


def test_jieba_userdict_entries_keep_names_whole():
    entries = jieba_userdict_entries()
    assert ("月之暗面", 10000, "nt") in entries
    assert all(" " not in w and isinstance(f, int) and t in ("nr", "nt", "ns", "nz") for w, f, t in entries)
    import jieba

    tok = jieba.Tokenizer()
    for word, freq, tag in entries:
        tok.add_word(word, freq, tag)
    assert "月之暗面" in list(tok.cut("比如月之暗面今年已经完成了2轮融资"))


def test_link_people_gives_short_forms_the_full_canonical():
    text = "John Smith joined. Smith left."
    drafts = [Draft("entity", 0, 10, "entity.fallback.latin",
                    {"label": "PERSON", "canonical": "John Smith", "entity_id": None})]
    out = link_people(drafts, text)
    assert [(text[d.start:d.end], d.fields["canonical"], d.rule) for d in out] == [
        ("John Smith", "John Smith", "entity.fallback.latin"), ("Smith", "John Smith", "entity.coref")]


def test_link_people_leaves_a_shared_surname_alone():
    text = "Dario Roe and Daniela Roe. Roe said"
    drafts = [Draft("entity", 0, 9, "r", {"label": "PERSON", "canonical": "Dario Roe", "entity_id": None}),
              Draft("entity", 14, 25, "r", {"label": "PERSON", "canonical": "Daniela Roe", "entity_id": None})]
    assert [text[d.start:d.end] for d in link_people(drafts, text)] == ["Dario Roe", "Daniela Roe"]


def test_link_people_with_every_part_shared_links_nothing():
    """The same name with and without an id: both parts have two owners, nothing is
    linked, and the article does not fail (it raised KeyError on an empty pattern)."""
    text = "Sam Altman spoke. Sam Altman left."
    drafts = [Draft("entity", 0, 10, "r", {"label": "PERSON", "canonical": "Sam Altman", "entity_id": "Q7407093"}),
              Draft("entity", 18, 28, "r", {"label": "PERSON", "canonical": "Sam Altman", "entity_id": None})]
    out = link_people(drafts, text)
    assert [(d.start, d.fields["entity_id"]) for d in out] == [(0, "Q7407093"), (18, None)]


def test_offsets_index_the_processed_text():
    text = "据TechCrunch报道,包括Tiger Global(老虎全球管理)、Sequoia Capital(红杉资本)"
    for d in extract(text, ExtractContext()):
        assert 0 <= d.start < d.end <= len(text)
    assert [text[d.start:d.end] for d in extract(text, ExtractContext())] == [
        "TechCrunch", "Tiger Global", "老虎全球管理", "Sequoia Capital", "红杉资本"]


def test_corpus_f1_per_label_against_the_hand_gold():
    """Strict span + canonical F1 >= 0.90 for every label over the seed corpus
    (the real pipeline: clean -> normalize -> extract), against annotations/gold/entities."""
    from pathlib import Path

    from newsclaims.evaluate import evaluate, load_gold
    from newsclaims.ingest import iter_corpus, read_manifest
    from newsclaims.pipeline import Config, process_article

    root = Path(__file__).resolve().parents[2]
    gold, _ = load_gold(root / "annotations" / "gold" / "entities")
    entries, _ = read_manifest(root / "corpus" / "manifest.jsonl")
    arts = {}
    for art in iter_corpus(root / "corpus", entries):
        assert not isinstance(art, tuple), art
        arts[art.article_id] = process_article(art, Config(kinds=("entity",))).record
    rows = [r for r in evaluate(arts, gold, kinds=("entity",)).rows if r["mode"] == "strict"]
    labels = {r["group"]: r["f1"] for r in rows}
    assert set(labels) >= {"all", "ORG", "PERSON", "PRODUCT", "MEDIA", "GPE"}
    assert all(f1 >= 0.90 for f1 in labels.values()), labels


def test_non_name_words_are_jiebas():
    """The person check reads jieba's dictionary tags with its own one-split loader;
    it must keep exactly the words jieba.posseg tags as something other than a name."""
    import jieba.posseg

    from newsclaims.extract.entity.fallback import _non_name_words

    table = jieba.posseg.POSTokenizer(jieba.dt).word_tag_tab
    ours = _non_name_words()
    assert ours == {w for w, t in table.items() if not t.startswith("nr")}
    assert "王者" in ours and "李彦宏" not in ours and "王磊" not in ours
