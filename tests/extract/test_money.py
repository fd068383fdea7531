"""Money extractor: each example of ``extract/money/examples.yaml`` is one test case."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsclaims.extract.money import extract
from nc_testutil import check_extractor_example

EXAMPLES = yaml.safe_load((Path(extract.__code__.co_filename).parent / "examples.yaml").read_text("utf-8"))["examples"]
FIELDS = ["amount", "low", "high", "currency", "currency_implied", "qualifier", "rate"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{i:02d}-{e['text'][:30]}" for i, e in enumerate(EXAMPLES)])
def test_example(example):
    check_extractor_example(extract, "money", FIELDS, example)
