"""The offset invariant on every article of the corpus (DESIGN.md)."""
import pytest

from nc_testutil import corpus_articles


@pytest.mark.parametrize("path", corpus_articles(), ids=lambda p: p.stem)
def test_every_span_indexes_the_original_text(path, processed_corpus):
    art, out = processed_corpus[path.stem]
    text = out.record["text"]
    assert text == path.read_text("utf-8").lstrip("\ufeff")
    assert out.record["mentions"], "expected some mentions in every corpus article"
    for m in out.record["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"], m
    for c in out.claims:
        for part in ("subject", "source", "evidence"):
            span = c.get(part)
            if span and span.get("end"):
                assert text[span["start"]:span["end"]] == span["text"], (part, c)


@pytest.mark.parametrize("path", corpus_articles(), ids=lambda p: p.stem)
def test_mentions_sorted_and_ids_unique(path, processed_corpus):
    _, out = processed_corpus[path.stem]
    ms = out.record["mentions"]
    assert [m["start"] for m in ms] == sorted(m["start"] for m in ms)
    assert len({m["mention_id"] for m in ms}) == len(ms)


def test_repeated_block_mentions_point_at_first_copy(processed_corpus):
    _, out = processed_corpus["002_3e9fce453feb4430"]
    ms = {m["mention_id"]: m for m in out.record["mentions"]}
    dups = [m for m in ms.values() if m["duplicate_of"]]
    assert dups, "seed 002 repeats its body: its second-copy mentions must be marked"
    half = len(out.record["text"]) // 2
    for m in dups:
        first = ms.get(m["duplicate_of"])
        assert first is not None and first["start"] < m["start"]
        assert first["normalized"] == m["normalized"] and first["kind"] == m["kind"]
    # no figure of the first copy of the body is marked as a repeat
    assert not [m for m in dups if m["start"] < half * 0.8 and m["kind"] in ("money", "quantity")]
