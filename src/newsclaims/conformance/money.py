"""Scorer for the peer ``money`` suites (Recognizers-Text CurrencyModel).

Spans pair up as in :func:`newsclaims.conformance.number.match` (one to one,
expected inclusive ``end`` + 1 = our exclusive ``end``).  A pair agrees when

* the values are equal (relative tolerance 1e-9).  Our ``amount`` is in the
  currency's main unit; where the suite states the value in a minor unit
  (``50 cents`` -> value 50, unit ``Cent``), the expected value is divided by
  the minor unit's size first (Cent, Pence, Penny, Sen: 100; Satoshi: 10**8);
* where the expected resolution names an ``isoCurrency``, our ``currency`` is
  that code.  Where it does not (``$20`` -> unit ``Dollar``), any currency is
  accepted: our convention (``$`` -> USD, marked ``currency_implied``) is ours.

An expected entity with a null value (a bare currency name: ``美元``,
``dollar``) matches only a *latent* mention of ours (rule ``money.latent_name``,
amount null): the runner asks for latent mentions, as Duckling's callers do; the
store never has them.  Ranges (amount null, low/high) do not match a single
expected value.
"""
from __future__ import annotations

from typing import Any

from .number import close, match, parse_value

KIND = "money"
MINOR_UNITS = {"Cent": 100, "Pence": 100, "Penny": 100, "Sen": 100, "Satoshi": 10 ** 8}


def _check(exp: dict[str, Any], ours: dict[str, Any]) -> str | None:
    res = exp.get("resolution", {})
    want = parse_value(res.get("value"))
    if want is None:
        if ours.get("rule") != "money.latent_name":
            return "expected a bare currency name"
        iso = res.get("isoCurrency")
        return None if not iso or ours.get("currency") == iso else f"currency {ours.get('currency')} != {iso}"
    if ours.get("rule") == "money.latent_name":
        return "a bare currency name where an amount was expected"
    want /= MINOR_UNITS.get(res.get("unit"), 1)
    have = ours.get("amount")
    if have is None or not close(float(have), want):
        return f"value {have} != {want}"
    iso = res.get("isoCurrency")
    if iso and ours.get("currency") != iso:
        return f"currency {ours.get('currency')} != {iso}"
    return None


def score(case: dict[str, Any], mentions: list[dict[str, Any]]) -> tuple[bool, str]:
    ours = [m for m in mentions if m.get("kind") == KIND]
    return match(case, ours, _check)
