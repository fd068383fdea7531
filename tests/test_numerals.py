"""Numeral layer and bare-number extractor: each example of ``numerals/examples.yaml`` is one case."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import newsclaims.numerals as numerals
from newsclaims.extract.base import ExtractContext
from newsclaims.normalize import WIDTH_TABLE, to_simplified
from newsclaims.numerals import find_numerals, to_number

DATA = yaml.safe_load((Path(numerals.__file__).parent / "examples.yaml").read_text("utf-8"))


def processed(text: str) -> str:
    out = to_simplified(text.translate(WIDTH_TABLE))
    assert len(out) == len(text)
    return out


def _ids(items):
    return [f"{i:02d}-{e['text'][:30]}" for i, e in enumerate(items)]


@pytest.mark.parametrize("example", DATA["numerals"], ids=_ids(DATA["numerals"]))
def test_numerals(example):
    text = example["text"]
    got = find_numerals(processed(text), example.get("lang", "zh"))
    assert [text[n.start:n.end] for n in got] == [e["text"] for e in example["expect"]], got
    for n, want in zip(got, example["expect"]):
        for key, value in want.items():
            if key == "text":
                continue
            have = getattr(n, key)
            if key in ("value", "low", "high"):
                have = to_number(have)
            assert have == (pytest.approx(value) if isinstance(value, float) else value), (key, n)


@pytest.mark.parametrize("example", DATA["numbers"], ids=_ids(DATA["numbers"]))
def test_numbers(example):
    text = example["text"]
    drafts = numerals.extract(processed(text), ExtractContext(lang=example.get("lang", "zh")))
    got = [(text[d.start:d.end], d.fields["amount"]) for d in drafts]
    assert got == [(e["text"], pytest.approx(e["amount"])) for e in example["expect"]]
    assert all(d.kind == "number" and list(d.fields) == ["amount"] for d in drafts)


def test_values_are_exact_and_json_numbers():
    (n,) = find_numerals("5.4亿", "zh")
    assert to_number(n.value) == 540000000 and isinstance(to_number(n.value), int)
