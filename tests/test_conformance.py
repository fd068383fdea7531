"""Third-party suites (../shared/peers/recognizers-text): pass-rate floors and offsets.

Skips cleanly when ../shared is absent.  The floors are the issue targets; the
report itself is `make conformance`.
"""
import pytest

from nc_testutil import PEERS, needs_shared

FLOORS = {"zh_money": 0.95, "en_money": 0.95, "zh_percent": 0.95, "en_percent": 0.95,
          "zh_number": 0.90, "en_number": 0.90, "zh_datetime": 0.80, "en_datetime": 0.70}


@needs_shared
@pytest.mark.parametrize("suite", sorted(FLOORS))
def test_suite_pass_rate_and_offsets(suite):
    from newsclaims.conformance import run_suite

    result = run_suite(PEERS / f"{suite}.jsonl")
    assert result.cases > 0
    assert result.offset_violations == 0
    assert result.rate >= FLOORS[suite], (suite, result.passed, result.cases, result.failures[:3])
