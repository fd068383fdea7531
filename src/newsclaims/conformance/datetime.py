"""Scorer for the Recognizers-Text datetime suites (``zh_datetime``, ``en_datetime``).

``score(case, mentions) -> (passed, reason)``.  ``mentions`` are MENTION dicts (original
text offsets, ``end`` exclusive); only ``kind == "date"`` ones count.

Comparison rule (a case passes when all of these hold):

1. Every expected entity has a date mention with the same span: ``start`` equal and
   our ``end`` == expected ``end`` + 1 (the suite's ``end`` is inclusive; offsets are
   compared, not texts, because the suite's texts are case- and width-normalised).
2. Its resolution matches one of the expected ``values`` (ambiguous expressions list a
   past and a future value; either is accepted):

   * no ``value``/``start``/``end`` ("not resolved", e.g. seasons, fiscal years):
     the span alone decides;
   * ``date``: ``value`` equals our ``interval_start`` == ``interval_end``;
   * ``daterange``: ``start`` equals our ``interval_start`` and the exclusive ``end``
     is our ``interval_end`` + 1 day.  For an explicit range (the expected text has a
     connector: to/till/until/through/and/-/~/到/至/和) Recognizers-Text ends the
     range at the *start* of its last element (``2014-2018`` ends 2018-01-01) where we
     include that element (2018-12-31): there the end also matches when it is the
     start of the last unit and our ``interval_end`` is that unit's last day, the unit
     taken from the timex duration (``P4Y`` -> year).  A range that ends at the reference
     time ("the past 5 years", "过去十年": exclusive end = the reference) matches our
     interval ending on the reference day itself (we include the publication day);
   * open ranges (``Mod`` before/until/after/since): the given bound only, with a
     one-day tolerance, because the suite is not consistent about inclusive and
     exclusive bounds at day grain (``after 2010-01-01`` starts on 2010-01-01,
     ``after 2016`` on 2017-01-01); our other side must be open (null);
   * ``datetime``: the expected ``value`` equals our ``value`` read as a datetime, at
     the precision we print (minutes unless seconds are written);
   * ``time``: the clock part of our ``value`` equals the expected time;
   * ``timerange`` / ``datetimerange``: both bounds equal the bounds of our interval
     ``value`` (clock parts only for ``timerange``), or the given bound for open ones;
   * ``duration``, ``set``, ``timezone``: never matched - durations are not dates
     (DESIGN/issue 3), recurring sets and time zones are not modelled.
3. We emit no other date mention.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata

_CONNECTOR = re.compile(r"\s(?:to|till|until|through|thru|and)\s|[-–~—]|到|至|和|与", re.I)
_UNIT = {"Y": "year", "M": "month", "W": "week", "D": "day"}
_DUR = re.compile(r",P(\d+(?:\.\d+)?)([YMWD])\)$")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def _d(s: str | None) -> _dt.date | None:
    if not s or s == "not resolved":
        return None
    try:
        return _dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


def _dt_parse(s: str | None) -> _dt.datetime | None:
    if not s or s in ("..", "not resolved"):
        return None
    s = s.replace(" ", "T")
    try:
        return _dt.datetime.fromisoformat(s)
    except ValueError:
        return None


def _add_unit(d: _dt.date, unit: str) -> _dt.date:
    if unit == "day":
        return d + _dt.timedelta(days=1)
    if unit == "week":
        return d + _dt.timedelta(days=7)
    months = 12 if unit == "year" else 1
    y, m = divmod(d.month - 1 + months, 12)
    return d.replace(year=d.year + y, month=m + 1)


def _our_interval(m: dict) -> tuple[_dt.datetime | None, _dt.datetime | None, bool]:
    """Our interval as datetimes, from a ``a/b`` value (clock precision) or the date fields."""
    v = m.get("value") or ""
    if "/" in v:
        a, b = v.split("/", 1)
        return _dt_parse(a), _dt_parse(b), "T" in v
    s, e = _d(m.get("interval_start")), _d(m.get("interval_end"))
    return (_dt.datetime.combine(s, _dt.time()) if s else None,
            _dt.datetime.combine(e, _dt.time()) if e else None, False)


def _same_clock(ours: _dt.datetime | None, exp: _dt.datetime | None, with_seconds: bool) -> bool:
    if ours is None or exp is None:
        return False
    if not with_seconds:
        exp = exp.replace(second=0)
    return ours == exp


def _match_value(typ: str, v: dict, m: dict, text: str, ref: _dt.date | None = None) -> bool:
    if not any(k in v for k in ("value", "start", "end")) or v.get("value") == "not resolved":
        return True
    mod = v.get("Mod", "")
    ours_s, ours_e = _d(m.get("interval_start")), _d(m.get("interval_end"))
    value = m.get("value") or ""
    if typ == "date":
        exp = _d(v.get("value"))
        return exp is not None and ours_s == exp and ours_e == exp and "/" not in value
    if typ == "daterange":
        es, ee = _d(v.get("start")), _d(v.get("end"))
        one = _dt.timedelta(days=1)
        if es and ee and not ("before" in mod or "after" in mod or "since" in mod or "until" in mod):
            if ours_s != es or ours_e is None:
                return False
            if ours_e + one == ee:
                return True
            if ref is not None and ee == ref and ours_e == ref:
                return True  # a range up to now: we end on the reference day, inclusive
            dm = _DUR.search(v.get("timex", ""))
            if dm and _CONNECTOR.search(text):
                return ours_e + one == _add_unit(ee, _UNIT[dm.group(2)])
            return False
        if es and not ee:
            return ours_e is None and ours_s is not None and abs((ours_s - es).days) <= 1
        if ee and not es:
            return ours_s is None and ours_e is not None and (ee - ours_e).days in (0, 1)
        return False
    if typ == "datetime":
        exp = _dt_parse(v.get("value"))
        ours = _dt_parse(value) if "/" not in value else None
        return _same_clock(ours, exp, value.count(":") == 2)
    if typ == "time":
        exp = v.get("value")
        ours = _dt_parse(value) if "/" not in value else None
        if ours is None or not exp:
            return False
        want = _dt.time.fromisoformat(exp)
        if value.count(":") < 2:
            want = want.replace(second=0)
        return ours.time() == want
    if typ in ("timerange", "datetimerange"):
        os_, oe, _ = _our_interval(m)
        secs = value.count(":") > 2
        if typ == "timerange":
            def conv(s):
                return _dt.datetime.combine(_dt.date(2000, 1, 1), _dt.time.fromisoformat(s)) if s else None
            es, ee = conv(v.get("start")), conv(v.get("end"))
            os_ = os_.replace(year=2000, month=1, day=1) if os_ else None
            oe = oe.replace(year=2000, month=1, day=1) if oe else None
        else:
            es, ee = _dt_parse(v.get("start")), _dt_parse(v.get("end"))
        if es is not None and not _same_clock(os_, es, secs):
            return False
        if ee is not None and not _same_clock(oe, ee, secs):
            return False
        if es is None and os_ is not None and "/" in value and not value.startswith(".."):
            return False
        if ee is None and oe is not None and "/" in value and not value.endswith(".."):
            return False
        return True
    return False  # duration, set, timezone


def score(case: dict, mentions: list[dict]) -> tuple[bool, str]:
    ours = [m for m in mentions if m.get("kind") == "date"]
    used: set[int] = set()
    for e in case.get("expected", []):
        start, end = e["start"], e["end"] + 1
        idx = next((i for i, m in enumerate(ours) if m["start"] == start and m["end"] == end), None)
        if idx is None:
            got = [(m["text"], m["start"], m["end"]) for m in ours]
            return False, f"missing {e['text']!r} [{start},{end}) ({e['type']}); ours: {got}"
        used.add(idx)
        typ = e["type"].split(".")[-1]
        values = (e.get("resolution") or {}).get("values") or [{}]
        ref = _d(case.get("reference_datetime"))
        if not any(_match_value(typ, v, ours[idx], e.get("text", ""), ref) for v in values):
            m = ours[idx]
            exp = [{k: v[k] for k in ("timex", "value", "start", "end", "Mod") if k in v} for v in values]
            return False, (f"resolution of {e['text']!r} ({typ}): ours value={m.get('value')} "
                           f"[{m.get('interval_start')}..{m.get('interval_end')}] vs {exp}")
    extra = [m for i, m in enumerate(ours) if i not in used]
    if extra:
        return False, f"extra {[(m['text'], m.get('value')) for m in extra]}"
    return True, "ok"


def _main(argv: list[str] | None = None) -> int:
    """Score the date extractor alone on a suite file, folding the input the way the
    pipeline does (full-width -> ASCII, OpenCC t2s; both keep offsets).
    Usage: python -m newsclaims.conformance.datetime SUITE.jsonl [-v]"""
    import json
    import sys
    from collections import Counter

    import opencc

    from newsclaims.extract.base import ExtractContext
    from newsclaims.extract.date import extract

    argv = sys.argv[1:] if argv is None else argv
    cc = opencc.OpenCC("t2s")
    table = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 32, 0xA0: 32}
    n = ok = 0
    why = Counter()
    with open(argv[0], encoding="utf-8") as fh:
        for line in fh:
            case = json.loads(line)
            text = cc.convert(case["input"].translate(table))
            ref = case.get("reference_datetime")
            ctx = ExtractContext(case.get("lang", "zh"), _dt.datetime.fromisoformat(ref[:19]) if ref else None)
            ments = [{"kind": "date", "start": d.start, "end": d.end, "text": case["input"][d.start:d.end],
                      "rule": d.rule, **d.fields} for d in extract(text, ctx)]
            passed, reason = score(case, ments)
            n += 1
            ok += passed
            if not passed:
                why[reason.split(" ")[0]] += 1
                if "-v" in argv:
                    sys.stdout.write(f"{case['case_index']}\t{case['input'][:120]!r}\t{reason}\n")
    sys.stdout.write(f"{ok}/{n} = {ok / n:.3f} passed; failures: {dict(why)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
