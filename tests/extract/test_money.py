"""Money extractor: each example of ``extract/money/examples.yaml`` is one test case."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsclaims.extract.base import ExtractContext
from newsclaims.extract.money import extract
from nc_testutil import processed

EXAMPLES = yaml.safe_load((Path(extract.__code__.co_filename).parent / "examples.yaml").read_text("utf-8"))["examples"]
FIELDS = ["amount", "low", "high", "currency", "currency_implied", "qualifier", "rate"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{i:02d}-{e['text'][:30]}" for i, e in enumerate(EXAMPLES)])
def test_example(example):
    text = example["text"]
    drafts = extract(processed(text), ExtractContext(lang=example.get("lang", "zh")))
    got = [{"text": text[d.start:d.end], "rule": d.rule, **d.fields} for d in drafts]
    assert [g["text"] for g in got] == [e["text"] for e in example["expect"]], got
    for g, want in zip(got, example["expect"]):
        for key, value in want.items():
            assert g[key] == (pytest.approx(value) if isinstance(value, float) else value), (key, g)
    for d in drafts:
        assert d.kind == "money" and list(d.fields) == FIELDS
        assert 0 <= d.start < d.end <= len(text)
