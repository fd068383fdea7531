"""The date extractor against its examples corpus (src/newsclaims/extract/date/examples.yaml).

One test per example; a failing test names its input.  The input is folded the way the
pipeline does before extraction (full-width ASCII -> half-width, OpenCC t2s), both of which
keep offsets, so expected mention texts are checked against the original example text.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import opencc
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsclaims.extract.base import ExtractContext
from newsclaims.extract.date import extract

EXAMPLES = Path(__file__).parents[2] / "src/newsclaims/extract/date/examples.yaml"
_FOLD = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 32, 0xA0: 32}
_FIELD = {"value": "value", "start": "interval_start", "end": "interval_end", "grain": "grain",
          "rel": "relative"}


def _load():
    doc = yaml.load(EXAMPLES.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # all strings
    defaults = doc["defaults"]
    return [{**defaults, **ex} for ex in doc["examples"]]


def _scalar(v):
    return {"null": None, "true": True, "false": False}.get(v, v)


@pytest.fixture(scope="module")
def t2s():
    return opencc.OpenCC("t2s")


CASES = _load()


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_example(case, t2s):
    text = case["text"]
    processed = t2s.convert(text.translate(_FOLD))
    assert len(processed) == len(text)
    ref = None if case["ref"] == "none" else dt.datetime.fromisoformat(case["ref"])
    drafts = extract(processed, ExtractContext(case["lang"], ref))
    got = [(text[d.start:d.end], d.fields) for d in drafts]
    want = case["expect"]
    assert [g[0] for g in got] == [w["m"] for w in want], (text, got)
    for (span, fields), w in zip(got, want):
        for key, name in _FIELD.items():
            if key in w:
                assert fields[name] == _scalar(w[key]), (text, span, name, fields)


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_fields_and_spans(case, t2s):
    """Every draft: fields in DESIGN.md order, a span that is not blank at either end."""
    processed = t2s.convert(case["text"].translate(_FOLD))
    ref = None if case["ref"] == "none" else dt.datetime.fromisoformat(case["ref"])
    for d in extract(processed, ExtractContext(case["lang"], ref)):
        assert d.kind == "date"
        assert list(d.fields) == ["value", "interval_start", "interval_end", "grain", "relative"]
        assert 0 <= d.start < d.end <= len(processed)
        span = processed[d.start:d.end]
        assert span == span.strip()
        assert d.fields["grain"] in ("minute", "day", "month", "quarter", "half_year", "year", "period")


def test_no_clock():
    """Without a publication date nothing relative resolves, whatever today is."""
    drafts = extract("今年 去年 明天 last year", ExtractContext("mixed", None))
    assert drafts and all(d.fields["value"] is None for d in drafts)


def test_reference_is_an_input():
    a = extract("去年", ExtractContext("zh", dt.datetime(2020, 6, 1)))
    b = extract("去年", ExtractContext("zh", dt.datetime(2010, 6, 1)))
    assert a[0].fields["value"] == "2019" and b[0].fields["value"] == "2009"


def test_triggers_only_speed_up(t2s):
    """Atoms run only near their trigger words; without triggers the output is the same."""
    import dataclasses

    from newsclaims.extract.date import load_grammar
    from newsclaims.extract.date.builders import Env
    from newsclaims.extract.date.engine import Engine

    engine, lex = load_grammar()
    plain = Engine([dataclasses.replace(r, trigger=None) for r in engine.atoms], engine.seqs)
    for case in CASES:
        text = t2s.convert(case["text"].translate(_FOLD))
        ref = dt.datetime(2023, 10, 16) if case["ref"] == "none" else dt.datetime.fromisoformat(case["ref"])
        env = Env(ref, True, case["lang"], lex, text)
        fast = Engine.select(engine.run(text, env), {"time"}, {"dur", "block"})
        slow = Engine.select(plain.run(text, env), {"time"}, {"dur", "block"})
        assert [(t.start, t.end, t.val) for t in fast] == [(t.start, t.end, t.val) for t in slow], text


_ALPHABET = "0123456789年月日号周季度上下本今去明前后过去最近个半初底末点分时:/-. 至到和以来之前后或及自从the of in May March last next Q week year month day 周一 上午 下午"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET.split(" ") + list("0123456789年月日-/. ")), max_size=30).map("".join),
       st.sampled_from(["zh", "en"]))
def test_any_text(text, lang):
    """Arbitrary date-ish text never raises and always yields well-formed spans."""
    for d in extract(text, ExtractContext(lang, dt.datetime(2024, 2, 29, 12, 30))):
        assert 0 <= d.start < d.end <= len(text)
        assert text[d.start:d.end] == text[d.start:d.end].strip()
        f = d.fields
        if f["interval_start"] and f["interval_end"]:
            assert f["interval_start"] <= f["interval_end"], (text, f)


def test_next_zero_units_is_no_period():
    """Found by test_any_text: "next0周一" read as "next 0 weeks", an interval that
    ended before it started.  No count of zero makes a period."""
    ref = dt.datetime(2024, 2, 29, 12, 30)
    for text, lang in (("next0周一", "zh"), ("in the next 0 days", "en"), ("the past 0 weeks", "en")):
        for d in extract(text, ExtractContext(lang, ref)):
            f = d.fields
            assert not (f["interval_start"] and f["interval_end"] and f["interval_start"] > f["interval_end"]), (text, f)
    assert [d.fields["value"] for d in extract("the next 3 days", ExtractContext("en", ref))] == ["2024-03-01/2024-03-03"]  # three whole days after the reference day
