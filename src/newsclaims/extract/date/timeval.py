"""Calendar arithmetic and the internal temporal value of the date grammar.

A :class:`TV` is a resolved interval ``[start, end)`` of naive datetimes plus what
the output needs to know about how it was written: its grain, whether it used the
reference (publication) date, whether the year was left implicit, whether a clock
time was given, whether it is open on one side.  Everything is resolved against an
explicit reference datetime: nothing in this package reads the clock.
"""
from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass, fields
from operator import attrgetter

DT = _dt.datetime
DAY = _dt.timedelta(days=1)

#: internal grains, finest first
GRAINS = ("second", "minute", "hour", "pod", "day", "week", "weekend", "month", "quarter",
          "half", "year", "decade", "century", "span")
#: internal grain -> DESIGN.md grain
OUT_GRAIN = {"second": "minute", "minute": "minute", "hour": "minute", "day": "day",
             "month": "month", "quarter": "quarter", "half": "half_year", "year": "year"}
UNIT_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12, "decade": 120, "century": 1200}
UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
UNIT_SECONDS = {"hour": 3600, "minute": 60, "second": 1}


def add_months(d: DT, n: int) -> DT:
    """``d`` shifted by ``n`` calendar months, the day clamped to the month's length."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    if not 1 <= y <= 9999:
        raise ValueError("year out of range")
    day = min(d.day, calendar.monthrange(y, m + 1)[1])
    return d.replace(year=y, month=m + 1, day=day)


def add(d: DT, n: float, unit: str) -> DT:
    """``d`` shifted by ``n`` units (``year`` … ``second``; fractions only below a month)."""
    if unit in UNIT_MONTHS:
        months = n * UNIT_MONTHS[unit]
        whole = int(months)
        out = add_months(d, whole)
        if months != whole:  # half a year, one and a half months: add the rest as days
            out += _dt.timedelta(days=round((months - whole) * 30))
        return out
    if unit in UNIT_DAYS:
        return d + _dt.timedelta(days=n * UNIT_DAYS[unit])
    if unit in UNIT_SECONDS:
        return d + _dt.timedelta(seconds=n * UNIT_SECONDS[unit])
    raise ValueError(f"unknown unit {unit!r}")


def floor(d: DT, unit: str) -> DT:
    """Start of the calendar ``unit`` (year, half, quarter, month, week, day, hour, minute) containing ``d``."""
    d0 = d.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "century":
        return d0.replace(year=d.year - d.year % 100, month=1, day=1)
    if unit == "decade":
        return d0.replace(year=d.year - d.year % 10, month=1, day=1)
    if unit == "year":
        return d0.replace(month=1, day=1)
    if unit in ("half", "quarter"):
        k = UNIT_MONTHS[unit]
        return d0.replace(month=(d.month - 1) // k * k + 1, day=1)
    if unit == "month":
        return d0.replace(day=1)
    if unit in ("week", "fortnight", "weekend"):
        return d0 - _dt.timedelta(days=d.weekday())
    if unit == "day":
        return d0
    if unit == "hour":
        return d.replace(minute=0, second=0, microsecond=0)
    if unit == "minute":
        return d.replace(second=0, microsecond=0)
    return d.replace(microsecond=0)


def unit_span(d: DT, unit: str) -> tuple[DT, DT]:
    """The calendar ``unit`` containing ``d`` as ``[start, end)``; a weekend is Saturday–Sunday."""
    s = floor(d, unit)
    if unit == "weekend":
        s = s + 5 * DAY
        return s, s + 2 * DAY
    return s, add(s, 1, unit)


def valid_date(y: int, m: int, d: int) -> bool:
    return 1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def month_len(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def nth_week_of(s: DT, e: DT, n: int) -> tuple[DT, DT] | None:
    """The ``n``-th (1-based; -1 = last) Monday-started week of ``[s, e)``, ISO style:
    week 1 is the week holding the first Thursday of the container."""
    if n > 0:
        first_thu = s + _dt.timedelta(days=(3 - s.weekday()) % 7)
        ws = first_thu - 3 * DAY + (n - 1) * 7 * DAY
    else:
        last = e - DAY
        last_thu = last - _dt.timedelta(days=(last.weekday() - 3) % 7)
        ws = last_thu - 3 * DAY + (n + 1) * 7 * DAY
    return ws, ws + 7 * DAY


@dataclass(frozen=True, slots=True)
class TV:
    """A resolved temporal value: the interval ``[start, end)`` and how it was written."""

    start: DT
    end: DT
    grain: str
    rel: bool = False          # resolved through the reference (publication) date
    implicit: str = ""         # "year": month/day written, year inferred; "month": day only; "week": weekday only
    md: tuple = ()             # (month, day or None) as written, to re-anchor an implicit year
    clock: bool = False        # a clock time was written
    ampm_free: bool = False    # an hour 1-12 written without am/pm (could be +12)
    open: str = ""             # "before": (-inf, end) ; "after": [start, +inf)
    label: str = ""            # value when the interval is unknown (fiscal years)
    period: bool = False       # an explicit span (X to Y, past N years): value printed as an interval
    date_from_ref: bool = False  # clock only: the day is the reference day

    def but(self, **kw) -> "TV":
        """A copy with some fields changed (``dataclasses.replace``, without its overhead)."""
        d = dict(zip(_TV_FIELDS, _tv_values(self)))
        d.update(kw)
        return TV(**d)

    @property
    def is_day_or_finer(self) -> bool:
        return GRAINS.index(self.grain) <= GRAINS.index("day")


_TV_FIELDS = tuple(f.name for f in fields(TV))
_tv_values = attrgetter(*_TV_FIELDS)


def cal_tv(y: int, m: int | None = None, d: int | None = None, **kw) -> TV | None:
    """A calendar year, month or day as a TV; None when the date does not exist."""
    try:
        if m is None:
            s = DT(y, 1, 1)
            return TV(s, add(s, 1, "year"), "year", **kw)
        if d is None:
            s = DT(y, m, 1)
            return TV(s, add(s, 1, "month"), "month", **kw)
        if not valid_date(y, m, d):
            return None
        s = DT(y, m, d)
        return TV(s, s + DAY, "day", **kw)
    except ValueError:
        return None


def pick_year(ref: DT, m: int, d: int | None) -> int | None:
    """Year for a month (and day) written without one: the reference year, unless that
    puts the date more than 92 days after the reference, then the year before (news
    report the past more than the future).  Feb 29 goes to the nearest leap year back."""
    y = ref.year
    if d is not None and not valid_date(y, m, d):
        if m == 2 and d == 29:
            while not calendar.isleap(y):
                y -= 1
            return y
        return None
    start = DT(y, m, d or 1)
    if start > ref + _dt.timedelta(days=92):
        y -= 1
        if d is not None and not valid_date(y, m, d):
            while not calendar.isleap(y):
                y -= 1
    return y


def pick_month(ref: DT, d: int) -> tuple[int, int] | None:
    """(year, month) for a day of month written alone: the reference month unless the
    day lies more than 15 days ahead or does not exist, then the month(s) before."""
    y, m = ref.year, ref.month
    for _ in range(12):
        if valid_date(y, m, d) and DT(y, m, d) <= ref + _dt.timedelta(days=15):
            return y, m
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return None


def iso(d: DT) -> str:
    return "%04d-%02d-%02d" % (d.year, d.month, d.day)  # %-formatting: faster than f"{:04d}"


def iso_clock(d: DT, seconds: bool) -> str:
    if seconds:
        return "%04d-%02d-%02dT%02d:%02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute, d.second)
    return "%04d-%02d-%02dT%02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute)


def to_fields(tv: TV, has_ref: bool) -> dict:
    """DESIGN.md fields of a date mention, in order: value, interval_start, interval_end, grain, relative."""
    grain = OUT_GRAIN.get(tv.grain, "period")
    if tv.period or tv.open:
        grain = "period"
    if tv.label:
        return {"value": tv.label, "interval_start": None, "interval_end": None,
                "grain": OUT_GRAIN.get(tv.grain, "period"), "relative": tv.rel}
    if tv.rel and not has_ref:
        return {"value": None, "interval_start": None, "interval_end": None,
                "grain": grain, "relative": True}
    s, e = tv.start, tv.end
    last = e - _dt.timedelta(seconds=1) if tv.clock or tv.grain in ("pod", "hour", "minute", "second") else e - DAY
    lo = None if tv.open == "before" else iso(s)
    hi = None if tv.open == "after" else iso(last)
    if grain == "period":
        if tv.clock or tv.grain == "pod":
            secs = bool(s.second or (e.second and e.second != 59))
            a, b = iso_clock(s, secs), iso_clock(e, secs)
        else:
            a, b = iso(s), iso(last)
        value = f"{'..' if lo is None else a}/{'..' if hi is None else b}"
    elif tv.grain == "year":
        value = f"{s.year:04d}"
    elif tv.grain == "half":
        value = f"{s.year:04d}-H{1 if s.month <= 6 else 2}"
    elif tv.grain == "quarter":
        value = f"{s.year:04d}-Q{(s.month - 1) // 3 + 1}"
    elif tv.grain == "month":
        value = f"{s.year:04d}-{s.month:02d}"
    elif tv.grain == "day":
        value = iso(s)
    else:  # hour, minute, second
        value = iso_clock(s, tv.grain == "second" and s.second != 0)
    return {"value": value, "interval_start": lo, "interval_end": hi, "grain": grain,
            "relative": tv.rel}
