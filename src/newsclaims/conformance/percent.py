"""Scorer for the peer ``percent`` suites (Recognizers-Text PercentModel).

Our side is the ``quantity`` mentions whose unit is a share: ``percent``,
``percentage_point`` (个百分点, percentage points: the suite calls them
percentages too), ``permille`` (‰, 千分之), ``basis_point`` (‱, 万分之, bp) and
``ppm`` (百万分之).  Each is converted to percent (x1, x1, x0.1, x0.01, x0.0001)
and compared with the expected ``"50%"`` value (relative tolerance 1e-9).
Spans pair up as in :func:`newsclaims.conformance.number.match`.  An expected
null value (a bare word "percent") matches our latent mention (amount null; the
runner asks for latent mentions, the store never has them); ranges (amount null) do
not match a single expected value.
"""
from __future__ import annotations

from typing import Any

from .number import close, match, parse_value

KIND = "quantity"
TO_PERCENT = {"percent": 1.0, "percentage_point": 1.0, "permille": 0.1, "basis_point": 0.01, "ppm": 0.0001}


def _check(exp: dict[str, Any], ours: dict[str, Any]) -> str | None:
    want = parse_value(exp.get("resolution", {}).get("value"))
    if want is None:  # a bare "percent": our latent mention (amount null)
        return None if ours.get("rule") == "quantity.latent_share" else "expected a bare share word"
    if ours.get("rule") == "quantity.latent_share":
        return "a bare share word where a value was expected"
    have = ours.get("amount")
    if have is None:
        return "no amount (range or vague)"
    have = float(have) * TO_PERCENT[ours["unit"]]
    if not close(have, want):
        return f"value {have} != {want}"
    return None


def score(case: dict[str, Any], mentions: list[dict[str, Any]]) -> tuple[bool, str]:
    ours = [m for m in mentions if m.get("kind") == KIND and m.get("unit") in TO_PERCENT]
    return match(case, ours, _check)
