"""Edits of a claim: validation against the article, and application.

An ``edit`` review carries ``edits``, the difference between the claim in the
store and the claim as the annotator wants it, relative to the *store* claim (a
later edit replaces an earlier one, it does not stack)::

    {"metric": "revenue", "hedge": "reported", "negated": false,
     "subject":  {"start", "end", "text", "canonical", "entity_id"},
     "value":    {"start", "end", "text", "mention_id", "amount", "low", "high", "currency", "qualifier", "rate"},
     "time":     {"start", "end", "text", "mention_id", "interval_start", "interval_end", "grain"} | null,
     "source":   {"start", "end", "text", "canonical"} | null,
     "evidence": {"start", "end", "text"}}

Every key is optional and each part holds only what changed.  Spans are given as
``start``/``end`` (original-text offsets, end exclusive); :func:`normalize_edits`
fills ``text`` from the article (a ``text`` sent with the span must equal that
slice), and for a new value or time span takes the mention with exactly that span
(its ``mention_id`` and values, unless the edit sets them) or sets
``mention_id`` to null and keeps ``start``/``end`` in the part.  The normalised
edits are self-contained: :func:`apply_edits` needs no article.
"""
from __future__ import annotations

import copy
import math
import re
from typing import Any, Mapping

__all__ = ["EditError", "NoChange", "HEDGES", "QUALIFIERS", "RATES", "GRAINS", "normalize_edits", "apply_edits", "claim_spans"]

HEDGES = ("asserted", "reported", "estimate", "forecast")
QUALIFIERS = ("exact", "approx", "over", "under", "range", "vague")
RATES = ("per_day", "per_month", "per_year", "per_unit")
GRAINS = ("minute", "day", "month", "quarter", "half_year", "year", "period")
_PARTS = ("subject", "value", "time", "source", "evidence")
_NULLABLE_PARTS = ("time", "source")
_PART_FIELDS = {
    "subject": ("canonical", "entity_id"),
    "value": ("mention_id", "amount", "low", "high", "currency", "qualifier", "rate"),
    "time": ("mention_id", "interval_start", "interval_end", "grain"),
    "source": ("canonical",),
    "evidence": (),
}
_MENTION_KINDS = {"value": ("money", "quantity"), "time": ("date",), "subject": ("entity",), "source": ("entity",)}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class EditError(ValueError):
    """An edit that cannot be applied; the message says which field and why."""


class NoChange(EditError):
    """The edits change nothing (the annotator should accept instead)."""


def _metrics() -> tuple[str, ...]:
    from ..claims import METRICS

    return METRICS


def claim_spans(claim: Mapping[str, Any], mentions: Mapping[str, Mapping[str, Any]]) -> dict[str, list[int] | None]:
    """``{part: [start, end] | None}`` for subject, value, time, source, evidence.

    value and time spans come from their own ``start``/``end`` (set by an edit) or
    from the mention their ``mention_id`` names.
    """
    out: dict[str, list[int] | None] = {}
    for part in _PARTS:
        p = claim.get(part)
        span = None
        if isinstance(p, Mapping):
            if isinstance(p.get("start"), int) and isinstance(p.get("end"), int):
                span = [p["start"], p["end"]]
            elif p.get("mention_id") in mentions:
                m = mentions[p["mention_id"]]
                span = [m["start"], m["end"]]
        out[part] = span
    return out


def _number(part: str, key: str, v: Any) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise EditError(f"{part}.{key} must be a number or null, not {v!r}")
    return v


def _check_field(part: str, key: str, v: Any) -> Any:
    if key in ("amount", "low", "high"):
        return _number(part, key, v)
    if key == "currency":
        if v is not None and not (isinstance(v, str) and _CURRENCY.match(v)):
            raise EditError(f"{part}.currency must be an ISO 4217 code such as USD, or null, not {v!r}")
        return v
    if key == "qualifier":
        if v not in QUALIFIERS:
            raise EditError(f"{part}.qualifier must be one of {QUALIFIERS}, not {v!r}")
        return v
    if key == "rate":
        if v is not None and v not in RATES:
            raise EditError(f"{part}.rate must be null or one of {RATES}, not {v!r}")
        return v
    if key in ("interval_start", "interval_end"):
        if v is not None and not (isinstance(v, str) and _ISO_DATE.match(v)):
            raise EditError(f"{part}.{key} must be an ISO date YYYY-MM-DD or null, not {v!r}")
        return v
    if key == "grain":
        if v is not None and v not in GRAINS:
            raise EditError(f"{part}.grain must be null or one of {GRAINS}, not {v!r}")
        return v
    if key == "canonical":
        if not isinstance(v, str) or not v.strip():
            raise EditError(f"{part}.canonical must be a non-empty string")
        return v.strip()
    if key in ("entity_id", "mention_id"):
        if v is not None and not isinstance(v, str):
            raise EditError(f"{part}.{key} must be a string or null")
        return v
    raise EditError(f"{part}.{key} cannot be edited")


def _span(part: str, p: Mapping[str, Any], text: str) -> tuple[int, int] | None:
    if "start" not in p and "end" not in p:
        if "text" in p:
            raise EditError(f"{part}: give start and end, not text alone")
        return None
    s, e = p.get("start"), p.get("end")
    if isinstance(s, bool) or isinstance(e, bool) or not isinstance(s, int) or not isinstance(e, int):
        raise EditError(f"{part}: start and end must both be integers")
    if not 0 <= s < e <= len(text):
        raise EditError(f"{part}: span {s}-{e} is outside the article (0-{len(text)}) or empty")
    if "text" in p and p["text"] != text[s:e]:
        raise EditError(f"{part}: text {p['text']!r} is not the article's text {text[s:e]!r} at {s}-{e}")
    return s, e


def normalize_edits(claim: Mapping[str, Any], edits: Mapping[str, Any], text: str,
                    mentions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Validate ``edits`` against the claim and its article; return them normalised.

    No-op changes are dropped, so the result is exactly the difference; an empty
    result raises :class:`EditError` (the annotator should accept instead).
    """
    if not isinstance(edits, Mapping):
        raise EditError("edits must be an object")
    unknown = sorted(set(edits) - {"metric", "hedge", "negated", *_PARTS})
    if unknown:
        raise EditError(f"fields {unknown} cannot be edited")
    out: dict[str, Any] = {}
    if "metric" in edits:
        if edits["metric"] not in _metrics():
            raise EditError(f"metric must be one of {_metrics()}, not {edits['metric']!r}")
        if edits["metric"] != claim.get("metric"):
            out["metric"] = edits["metric"]
    if "hedge" in edits:
        if edits["hedge"] not in HEDGES:
            raise EditError(f"hedge must be one of {HEDGES}, not {edits['hedge']!r}")
        if edits["hedge"] != claim.get("hedge"):
            out["hedge"] = edits["hedge"]
    if "negated" in edits:
        if not isinstance(edits["negated"], bool):
            raise EditError("negated must be true or false")
        if edits["negated"] != claim.get("negated"):
            out["negated"] = edits["negated"]
    spans = claim_spans(claim, mentions)
    by_span: dict[tuple[str, int, int], Mapping[str, Any]] = {}
    for m in mentions.values():
        by_span.setdefault((m["kind"], m["start"], m["end"]), m)
    for part in _PARTS:
        if part not in edits:
            continue
        p = edits[part]
        cur = claim.get(part)
        if p is None:
            if part not in _NULLABLE_PARTS:
                raise EditError(f"{part} cannot be removed")
            if cur is not None:
                out[part] = None
            continue
        if not isinstance(p, Mapping):
            raise EditError(f"{part} must be an object" + (" or null" if part in _NULLABLE_PARTS else ""))
        bad = sorted(set(p) - {"start", "end", "text", *_PART_FIELDS[part]})
        if bad:
            raise EditError(f"{part}: fields {bad} cannot be edited")
        span = _span(part, p, text)
        if cur is None and span is None:
            raise EditError(f"{part}: the claim has none; give its start and end")
        new: dict[str, Any] = {}
        if span is not None and list(span) != spans.get(part):
            s, e = span
            new.update(start=s, end=e, text=text[s:e])
            if part in ("value", "time"):
                m = next((by_span[(k, s, e)] for k in _MENTION_KINDS[part] if (k, s, e) in by_span), None)
                new["mention_id"] = m["mention_id"] if m else None
                if m is not None:
                    for key in _PART_FIELDS[part][1:]:
                        if key in m:
                            new[key] = m[key]
            elif part in ("subject", "source"):
                m = next((by_span[(k, s, e)] for k in _MENTION_KINDS[part] if (k, s, e) in by_span), None)
                new["canonical"] = (m or {}).get("canonical") or text[s:e]
                if part == "subject":
                    new["entity_id"] = (m or {}).get("entity_id")
        for key in _PART_FIELDS[part]:
            if key in p and key != "mention_id":
                new[key] = _check_field(part, key, p[key])
        base = dict(cur or {})
        changed = {k: v for k, v in new.items() if k not in base or base[k] != v or k in ("start", "end")}
        if changed:
            out[part] = changed
    if not out:
        raise NoChange("nothing changed: accept the claim instead of editing it")
    return out


_PART_ORDER = {
    "subject": ("text", "canonical", "entity_id", "start", "end"),
    "value": ("mention_id", "text", "amount", "currency", "qualifier", "low", "high", "rate"),
    "time": ("mention_id", "text", "interval_start", "interval_end", "grain"),
    "source": ("text", "canonical", "start", "end"),
    "evidence": ("text", "start", "end"),
}


def apply_edits(claim: Mapping[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    """The claim with normalised ``edits`` applied (a new dict; key order kept)."""
    out = copy.deepcopy(dict(claim))
    for key, v in edits.items():
        if key not in _PARTS:
            out[key] = v
        elif v is None:
            out[key] = None
        else:
            base = dict(out.get(key) or {})
            if not base:
                base = {k: None for k in _PART_ORDER[key]}
            base.update(v)
            out[key] = base
    return out
