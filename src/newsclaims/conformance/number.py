"""Scorer for the peer ``number`` suites (Recognizers-Text NumberModel).

Comparison rule, shared by the money and percent scorers (:func:`match`):

* only our mentions of the scored kind count (``number`` here);
* a case passes when our mentions and the expected entities pair up one to one
  by span: our ``start`` equals the expected ``start`` and our ``end`` (exclusive)
  equals the expected ``end`` + 1 (the suite's ``end`` is inclusive);
* each pair must agree on the value: numeric equality with a relative tolerance
  of 1e-9 (the suite writes values as decimal strings, some rounded to 15
  digits: ``350.333333333333``); an expected ``null`` value cannot be matched
  (we never emit a mention without a number), and a case flagged
  ``ignore_resolution`` is scored on spans only.

Texts are not compared: the suite's ``text`` is normalised (full width folded,
lower-cased), the offsets are not.
"""
from __future__ import annotations

import math
from typing import Any, Callable

KIND = "number"


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def parse_value(raw: Any) -> float | None:
    if raw is None or raw == "null":
        return None
    return float(str(raw).rstrip("%"))


def match(case: dict[str, Any], ours: list[dict[str, Any]],
          check: Callable[[dict[str, Any], dict[str, Any]], str | None]) -> tuple[bool, str]:
    """Pair ``ours`` with ``case["expected"]`` by span; ``check(expected, ours)`` returns a complaint or None."""
    expected = {(e["start"], e["end"] + 1): e for e in case["expected"]}
    got = {(m["start"], m["end"]): m for m in ours}
    problems = []
    for span in sorted(expected.keys() - got.keys()):
        problems.append(f"missing {expected[span]['text']!r}@{span[0]}")
    for span in sorted(got.keys() - expected.keys()):
        problems.append(f"extra {got[span].get('text')!r}@{span[0]}")
    if len(got) != len(ours):
        problems.append("two mentions on one span")
    for span in sorted(expected.keys() & got.keys()):
        why = check(expected[span], got[span])
        if why:
            problems.append(f"{expected[span]['text']!r}: {why}")
    return (not problems, "; ".join(problems) or "ok")


def _check(exp: dict[str, Any], ours: dict[str, Any], ignore_value: bool) -> str | None:
    if ignore_value:
        return None
    want = parse_value(exp.get("resolution", {}).get("value"))
    have = ours.get("amount")
    if want is None:
        return "expected value is null"
    if have is None or not close(float(have), want):
        return f"value {have} != {want}"
    return None


def score(case: dict[str, Any], mentions: list[dict[str, Any]]) -> tuple[bool, str]:
    ours = [m for m in mentions if m.get("kind") == KIND]
    ignore = bool(case.get("ignore_resolution"))
    return match(case, ours, lambda e, o: _check(e, o, ignore))
