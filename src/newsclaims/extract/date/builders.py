"""Builders: turn a rule's matched pieces into a temporal value.

Every builder has the signature ``build(env, parts, rule)``: ``parts`` is the list of
matched pieces (a regex piece exposes ``group(name)``; a token piece is a
:class:`~.engine.Tok`), and the result is a :class:`~.timeval.TV`, a
``(dim, value)`` or ``(dim, value, final)`` tuple, or None to reject the match.
Lexicons (month names, relative words, parts of the year...) come from the grammar
YAML through ``env.lex``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from .numbers import any_int, en_year, zh_int
from .timeval import (DAY, DT, TV, add, cal_tv, floor, month_len, nth_week_of, pick_month,
                      pick_year, unit_span, valid_date)


@dataclass(frozen=True, slots=True)
class Dur:
    n: float
    unit: str


@dataclass(slots=True)
class Env:
    ref: DT
    has_ref: bool
    lang: str
    lex: dict
    text: str = ""


BUILDERS: dict[str, Any] = {}


def builder(fn):
    BUILDERS[fn.__name__] = fn
    return fn


# --------------------------------------------------------------------------- helpers
def G(piece, name):
    """Group ``name`` of a regex piece, or None (also for token pieces)."""
    grp = getattr(piece, "group", None)
    return grp(name) if grp else None


def first_group(parts, name):
    for p in parts:
        v = G(p, name)
        if v:
            return v
    return None


def toks(parts):
    return [p for p in parts if hasattr(p, "dim")]


def lex(env, table, key):
    if key is None:
        return None
    t = env.lex[table]
    k = key.lower().replace("\u2019", "'")
    k = " ".join(k.split())
    return t.get(k, t.get(k.rstrip(".")))


def num(s) -> int | None:
    if s is None:
        return None
    s = s.strip()
    if s.startswith("初"):
        v = zh_int(s[1:])
        return v if v and v <= 10 else None
    return any_int(s)


def year_of(env, parts) -> int | None:
    y = first_group(parts, "y")
    if y:
        v = en_year(y) if y[:1].isascii() and y[:1].isalpha() else num(y)
        return v if v is not None and 1000 <= v <= 2199 else None
    yy = first_group(parts, "yy")
    if yy:
        v = num(yy.lstrip("'"))
        if v is None or v > 99:
            return None
        return 2000 + v if v < 40 else 1900 + v
    yw = first_group(parts, "yw")
    if yw:
        v = en_year(yw)
        return v if v is not None and 1000 <= v <= 2199 else None
    return None


def month_of(env, parts) -> int | None:
    m = first_group(parts, "m")
    if m:
        v = num(m)
        return v if v is not None and 1 <= v <= 12 else None
    mon = first_group(parts, "mon")
    if mon:
        return lex(env, "month", mon)
    return None


def day_of(parts) -> int | None:
    d = first_group(parts, "d")
    if d is None:
        return None
    v = num(d)
    return v if v is not None and 1 <= v <= 31 else None


def ref_day(env) -> DT:
    return floor(env.ref, "day")


def shifted(env, n: int, unit: str) -> TV:
    if unit == "weekend":
        s, e = unit_span(add(env.ref, 7 * n, "day"), "weekend")
    else:
        s, e = unit_span(add(env.ref, n, unit), unit)
    return TV(s, e, unit, rel=True)


def md_tv(env, y, m, d, **kw) -> TV | None:
    """A calendar value from year/month/day, any of them possibly None."""
    if y is not None:
        return cal_tv(y, m, d, **kw)
    if m is not None:
        yy = pick_year(env.ref, m, d)
        if yy is None:
            return None
        return cal_tv(yy, m, d, rel=True, implicit="year", md=(m, d), **kw)
    if d is not None:
        ym = pick_month(env.ref, d)
        if ym is None:
            return None
        return cal_tv(ym[0], ym[1], d, rel=True, implicit="month", md=(None, d), **kw)
    return None


def with_year(tv: TV, y: int) -> TV | None:
    """Re-anchor a value whose year was implicit."""
    m, d = tv.md
    if m is None:
        return None
    out = cal_tv(y, m, d, rel=False, clock=False)
    if out is None:
        return None
    if tv.clock:
        delta = tv.start - floor(tv.start, "day")
        out = out.but(start=out.start + delta, end=out.start + delta + (tv.end - tv.start),
                      grain=tv.grain, clock=True, ampm_free=tv.ampm_free)
    return out


def with_month(tv: TV, y: int, m: int) -> TV | None:
    d = tv.md[1]
    if not valid_date(y, m, d):
        return None
    return cal_tv(y, m, d)


# --------------------------------------------------------------------------- atoms
@builder
def cal(env, parts, rule):
    """Calendar date from named groups y/yy/yw, m/mon, d (any subset)."""
    y = year_of(env, parts)
    if any(first_group(parts, k) for k in ("y", "yy", "yw")) and y is None:
        return None
    m = month_of(env, parts)
    if (first_group(parts, "m") or first_group(parts, "mon")) and m is None:
        return None
    d = day_of(parts)
    if first_group(parts, "d") and d is None:
        return None
    if rule.args.get("may_needs_digits") and (first_group(parts, "mon") or "").lower() == "may" \
            and not (first_group(parts, "d") or "")[:1].isdigit() and year_of(env, parts) is None:
        return None
    if rule.args.get("need_suffix") and d is not None and first_group(parts, "sfx") is None \
            and (first_group(parts, "d") or "").isdigit():
        return None
    if y is None and m is None and d is None:
        return None
    if d is not None and m is not None and y is not None and not valid_date(y, m, d):
        return ("time", TV(DT(y, m, 1), DT(y, m, 1), "day", label="invalid"), True)
    tv = md_tv(env, y, m, d)
    if tv is None:
        if d is not None and m is not None and d <= 31:  # Feb 30: a date that does not exist
            return ("time", TV(env.ref, env.ref, "day", label="invalid"), True)
        return None
    tv = clock_on(env, tv, parts)
    if tv is None:
        return None
    final = rule.final
    return ("time", tv, final)


@builder
def slash(env, parts, rule):
    """Numeric a/b(/y) dates: month-first in English, day-first otherwise; swapped when invalid."""
    a = int(first_group(parts, "a"))
    b = int(first_group(parts, "b"))
    y = year_of(env, parts)
    if (first_group(parts, "y") or first_group(parts, "yy")) and y is None:
        return None
    order = rule.args.get("order") or ("md" if env.lang == "en" else "dm")
    m, d = (a, b) if order == "md" else (b, a)
    if not (1 <= m <= 12) or not (1 <= d <= 31):
        m, d = d, m
    if not (1 <= m <= 12) or not (1 <= d <= 31):
        return None
    tv = md_tv(env, y, m, d)
    if tv is None:
        if y is not None or (m == 2 and d == 30):
            return ("time", TV(env.ref, env.ref, "day", label="invalid"), True)
        return None
    return clock_on(env, tv, parts)


@builder
def rel(env, parts, rule):
    """Relative unit: a lexicon word (今年, yesterday) or shift + unit (上个月, next week)."""
    rw = first_group(parts, "rw")
    fixed = rule.args.get("fixed")
    if fixed:
        return shifted(env, fixed[1], fixed[0])
    if "fixed_shift" in rule.args:
        unit = lex(env, "units", first_group(parts, "u"))
        return shifted(env, rule.args["fixed_shift"], unit) if unit else None
    if rw:
        spec = lex(env, "rel_words", rw)
        if spec is None:
            return None
        unit, n = spec
    else:
        sh = first_group(parts, "sh")
        n = lex(env, "shift", sh)
        unit = lex(env, "units", first_group(parts, "u"))
        if n is None or unit is None:
            return None
        if isinstance(n, list):
            n = n[1]
        if unit in ("year", "month", "week", "fortnight") and sh and sh.lower().split()[-1] == "past":
            return recent_tv(env, -1, 1, unit)  # the past year: the twelve months before today
    if unit in ("hour", "minute"):  # 上个小时 / the last hour: the hour before the reference
        t = env.ref.replace(microsecond=0)
        s, e = (add(t, n, unit), t) if n < 0 else (t, add(t, max(n, 1), unit))
        return TV(s, e, "span", rel=True, clock=True, period=True)
    return shifted(env, n, unit)


@builder
def weekday(env, parts, rule):
    wd = lex(env, "weekday", first_group(parts, "wd"))
    if wd is None:
        return None
    sh = first_group(parts, "sh")
    ref = ref_day(env)
    monday = ref - _dt.timedelta(days=ref.weekday())
    if sh is None:
        day = monday + _dt.timedelta(days=wd - 1)
        return TV(day, day + DAY, "day", rel=True, implicit="week")
    spec = lex(env, "shift", sh)
    if spec is None:
        return None
    kind, n = spec if isinstance(spec, list) else ("week", spec)
    if kind == "strict":  # coming Friday / this past Friday: strictly after / before today
        delta = (wd - 1 - ref.weekday()) % 7
        if n > 0:
            day = ref + _dt.timedelta(days=delta or 7)
        else:
            back = (ref.weekday() - (wd - 1)) % 7
            day = ref - _dt.timedelta(days=back or 7)
    else:
        day = monday + _dt.timedelta(days=7 * n + wd - 1)
    return TV(day, day + DAY, "day", rel=True, implicit="wshift")


@builder
def weekend(env, parts, rule):
    sh = first_group(parts, "sh")
    n = 0
    if sh:
        spec = lex(env, "shift", sh)
        if spec is None:
            return None
        n = spec[1] if isinstance(spec, list) else spec
    return shifted(env, n, "weekend")


@builder
def pod(env, parts, rule):
    """Part of day; with a day word (今晚, tonight) it is final, alone it waits for a day."""
    pd = first_group(parts, "pd")
    if pd:
        spec = lex(env, "pod_day", pd)
        if spec is None:
            return None
        off, code = spec
        h0, h1 = env.lex["pod_codes"][code.lower()]
        day = ref_day(env) + _dt.timedelta(days=off)
        return ("time", pod_tv(day, code, h0, h1, from_ref=False), True)
    code = lex(env, "pod", first_group(parts, "pod"))
    if code is None:
        return None
    h0, h1 = env.lex["pod_codes"][code.lower()]
    return ("time", pod_tv(ref_day(env), code, h0, h1, from_ref=True), rule.final)


@builder
def hour_range(env, parts, rule):
    """早上五到六点 / 5 to 6pm: two hours sharing one unit word or am/pm."""
    h1, h2 = num(first_group(parts, "H1")), num(first_group(parts, "H2"))
    if h1 is None or h2 is None or not (0 <= h1 <= 24 and 0 <= h2 <= 24):
        return None
    m1 = num(first_group(parts, "M1")) if first_group(parts, "M1") else 0
    m2 = num(first_group(parts, "M2")) if first_group(parts, "M2") else 0
    code = lex(env, "pod", first_group(parts, "pod")) if first_group(parts, "pod") else None
    ap = first_group(parts, "ap")
    ampm = None
    if ap:
        a = ap.lower().replace(".", "").replace(" ", "")
        ampm = "am" if a.startswith("a") else "pm"
    day = ref_day(env)
    e_h, free2 = adjust_hour(h2, ampm, code)
    s_h, free1 = adjust_hour(h1, ampm if (ampm != "pm" or h1 <= h2) else None, code)
    if ampm == "pm" and h1 > h2 and h1 < 12:  # 11-4pm: 11am to 4pm
        s_h = h1
    s = day + _dt.timedelta(hours=s_h, minutes=m1)
    e = day + _dt.timedelta(hours=e_h, minutes=m2)
    if e <= s:
        e += DAY
    return TV(s, e, "span", rel=True, clock=True, period=True, date_from_ref=True,
              ampm_free=free1 and free2)


def pod_tv(day, code, h0, h1, from_ref):
    s = day + _dt.timedelta(hours=h0)
    e = day + _dt.timedelta(hours=h1) if h1 < 24 else day + DAY - _dt.timedelta(seconds=1)
    return TV(s, e, "pod", rel=True, date_from_ref=from_ref, label="", md=(code,))


def _clock_fields(env, parts):
    h = first_group(parts, "H") or first_group(parts, "hhmm")
    if h is None:
        return None
    H = num(h)
    if H is None:
        return None
    M = num(first_group(parts, "M")) if first_group(parts, "M") else 0
    S = num(first_group(parts, "S")) if first_group(parts, "S") else 0
    if first_group(parts, "half"):
        M = 30
    qt = first_group(parts, "qt")
    if qt:
        M = 15 if qt.startswith("一") else 45
    if first_group(parts, "hhmm"):
        hhmm = first_group(parts, "hhmm")
        H, M = int(hhmm[:-2]), int(hhmm[-2:])
    if M is None or S is None or not (0 <= H <= 24 and 0 <= M < 60 and 0 <= S < 60):
        return None
    ap = first_group(parts, "ap")
    ampm = None
    if ap:
        a = ap.lower().replace(".", "").replace(" ", "")
        if a != "ampm":  # 7ampm: either
            ampm = "am" if a.startswith("a") else "pm"
    podw = first_group(parts, "pod")
    code = lex(env, "pod", podw) if podw else None
    return H, M, S, ampm, code


def adjust_hour(H, ampm, code):
    """Apply am/pm or a part of day to an hour; returns (hour, still_ambiguous)."""
    if ampm == "pm":
        return (H + 12 if H < 12 else H), False
    if ampm == "am":
        return (0 if H == 12 else H), False
    if code in ("AF", "EV", "NI", "PM"):
        if code == "NI" and H <= 4:
            return H, False
        return (H + 12 if H < 12 else H), False
    if code == "MID":  # 中午 / noon
        return (H + 12 if H <= 2 else H), False
    if code in ("MO", "EM", "AM", "DN"):
        return H, False
    return H, 1 <= H <= 12


def clock_tv(env, day, H, M, S, ampm, code, from_ref):
    H, free = adjust_hour(H, ampm, code)
    if H == 24:
        H = 0
        day = day + DAY
    s = day + _dt.timedelta(hours=H, minutes=M, seconds=S)
    grain = "second" if S else "minute"
    return TV(s, s + _dt.timedelta(minutes=1), grain, rel=from_ref, clock=True, ampm_free=free,
              date_from_ref=from_ref)


def clock_on(env, tv, parts):
    """Apply a clock time matched in the same atom (H/M/S groups) to a day value."""
    f = _clock_fields(env, parts)
    if f is None:
        return tv if first_group(parts, "H") is None else None
    if tv.grain != "day":
        return None
    t = clock_tv(env, tv.start, *f, from_ref=False)
    return t.but(rel=tv.rel, implicit=tv.implicit, md=tv.md)


@builder
def clock(env, parts, rule):
    """Clock time alone (its day is the reference day until combined with a date)."""
    f = _clock_fields(env, parts)
    if f is None:
        return None
    H, M, S, ampm, code = f
    if ampm and H > 12:  # 13pm: the am/pm adds nothing
        ampm = None
    tv = clock_tv(env, ref_day(env), H, M, S, ampm, code, from_ref=True)
    strong = bool(ampm or code or first_group(parts, "strong") or first_group(parts, "M")
                  or first_group(parts, "half") or first_group(parts, "qt")
                  or first_group(parts, "hhmm"))
    if rule.args.get("weak"):
        strong = False
    if rule.args.get("strong"):
        strong = True
    return ("time", tv, strong and rule.final)


@builder
def dur(env, parts, rule):
    n_s = first_group(parts, "n")
    u_s = first_group(parts, "u")
    unit = lex(env, "units", u_s)
    if unit is None:
        return None
    if u_s == "月" and not first_group(parts, "ge"):  # 3月 is March; 3个月 is a duration
        return None
    if n_s is None or n_s in ("半",):
        n = 0.5 if n_s == "半" else 1
    else:
        n_s = n_s.strip()
        try:
            n = float(n_s)
        except ValueError:
            n = num(n_s)
            if n is None:
                n = lex(env, "count_words", n_s)
            if n is None:
                return None
    if first_group(parts, "half"):
        n += 0.5
    if unit == "fortnight":
        n, unit = n * 2, "week"
    if unit == "decade" and n > 20:
        return None
    return ("dur", Dur(n, unit))


@builder
def block(env, parts, rule):
    return ("block", None, False)


@builder
def year_range(env, parts, rule):
    y1, y2 = num(first_group(parts, "y1")), num(first_group(parts, "y2"))
    if y1 is None or y2 is None or not (1000 <= y1 < y2 <= 2199):
        return None
    return TV(DT(y1, 1, 1), DT(y2 + 1, 1, 1), "span", period=True, md=("years",))


@builder
def month_range(env, parts, rule):
    """4-7月 / 今年4-7月: two months sharing one 月."""
    m1, m2 = num(first_group(parts, "m1")), num(first_group(parts, "m2"))
    if not (m1 and m2 and 1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None
    ytok = [t for t in toks(parts) if t.dim == "time"]
    if ytok:
        y = ytok[0].val.start.year
        a = cal_tv(y, m1)
        b = cal_tv(y + (m2 < m1), m2)
        relf = ytok[0].val.rel
    else:
        y = year_of(env, parts)
        if y is not None:
            a, b, relf = cal_tv(y, m1), cal_tv(y + (m2 < m1), m2), False
        else:
            a = md_tv(env, None, m1, None)
            b = cal_tv(a.start.year + (m2 < m1), m2)
            relf = True
    return TV(a.start, b.end, "span", rel=relf, period=True)


@builder
def decade(env, parts, rule):
    c = first_group(parts, "c")
    dec = first_group(parts, "dec")
    if dec:
        dv = num(dec.rstrip("s").rstrip("'"))
        if dv is None:
            dv = lex(env, "decade_words", dec)
        if dv is None:
            return None
        if dv >= 1000:
            y = dv
        else:
            if dv % 10 or dv >= 100:
                return None
            if c:
                cv = num(c)
                if cv is None:
                    return None
                y = (cv - 1) * 100 + dv
            else:
                y = 1900 + dv
        if y % 10 or not 1000 <= y <= 2190:
            return None
        return TV(DT(y, 1, 1), DT(y + 10, 1, 1), "decade", period=True)
    cv = num(c)
    if cv is None or not 1 <= cv <= 22:
        return None
    return TV(DT((cv - 1) * 100 if cv > 1 else 1, 1, 1), DT(cv * 100, 1, 1), "century", period=True)


@builder
def era(env, parts, rule):
    base = lex(env, "eras", first_group(parts, "era"))
    ey = first_group(parts, "ey")
    n = 1 if ey == "元" else num(ey)
    if base is None or n is None:
        return None
    y = base + n - 1
    return TV(DT(y, 1, 1), DT(y + 1, 1, 1), "year")


@builder
def fiscal(env, parts, rule):
    y = year_of(env, parts)
    sh = first_group(parts, "sh")
    if y is None and sh:
        n = lex(env, "shift", sh)
        if n is None:
            return None
        y = env.ref.year + (n[1] if isinstance(n, list) else n)
        relf = True
    elif y is None:
        return ("time", TV(env.ref, env.ref, "year", label="FY"), True)
    else:
        relf = False
    if relf and not env.has_ref:
        return TV(env.ref, env.ref, "year", rel=True)
    q = first_group(parts, "q")
    if q:
        qv = num(q) or lex(env, "ordinals", q)
        return TV(env.ref, env.ref, "quarter", rel=relf, label=f"FY{y}-Q{qv}")
    return TV(env.ref, env.ref, "year", rel=relf, label=f"FY{y}")


@builder
def season(env, parts, rule):
    code = lex(env, "seasons", first_group(parts, "sea"))
    if code is None:
        return None
    ytok = [t.val for t in toks(parts) if t.dim == "time"]
    start_m = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
    if ytok:
        y, relf = ytok[0].start.year, ytok[0].rel
    else:
        y = pick_year(env.ref, start_m, None)
        relf = True
    s = DT(y, start_m, 1)
    return TV(s, add(s, 3, "month"), "span", rel=relf, period=True)


@builder
def holiday(env, parts, rule):
    spec = lex(env, "holidays", first_group(parts, "hol"))
    if spec is None:
        return None
    y = year_of(env, parts)
    ytok = [t.val for t in toks(parts) if t.dim == "time" and t.val.grain == "year"]
    relf = False
    if y is None and ytok:
        y, relf = ytok[0].start.year, ytok[0].rel
    sh = first_group(parts, "sh")
    if y is None:
        relf = True
        cands = [holiday_date(spec, yy) for yy in (env.ref.year - 1, env.ref.year, env.ref.year + 1)]
        cands = [c for c in cands if c]
        today = ref_day(env)
        if sh:
            n = lex(env, "shift", sh)
            n = n[1] if isinstance(n, list) else n
            d = min((c for c in cands if c >= today), default=None) if n > 0 else \
                max((c for c in cands if c < today), default=None)
        else:
            d = min(cands, key=lambda c: (abs((c - today).days) if c <= today + _dt.timedelta(days=92)
                                          else 10 ** 6 + (c - today).days))
    else:
        d = holiday_date(spec, y)
    if d is None:
        return None
    return TV(d, d + DAY, "day", rel=relf)


def holiday_date(spec, y):
    kind = spec[0]
    if kind == "fixed":
        return DT(y, spec[1], spec[2])
    if kind == "nth":  # nth weekday of month: [nth, month, weekday(1=Mon), n, offset days]
        _, m, wd, n = spec[:4]
        off = spec[4] if len(spec) > 4 else 0
        if n > 0:
            d = DT(y, m, 1)
            d += _dt.timedelta(days=(wd - 1 - d.weekday()) % 7 + 7 * (n - 1))
        else:
            d = DT(y, m, month_len(y, m))
            d -= _dt.timedelta(days=(d.weekday() - (wd - 1)) % 7)
        return d + _dt.timedelta(days=off)
    if kind == "easter":
        a, b, c = y % 19, y // 100, y % 100
        d_, e = b // 4, b % 4
        f = (b + 8) // 25
        g = (b - f + 1) // 3
        h = (19 * a + b - d_ - g + 15) % 30
        i, k = c // 4, c % 4
        l_ = (32 + 2 * e + 2 * i - h - k) % 7
        m = (a + 11 * h + 22 * l_) // 451
        month = (h + l_ - 7 * m + 114) // 31
        day = (h + l_ - 7 * m + 114) % 31 + 1
        return DT(y, month, day) + _dt.timedelta(days=spec[1] if len(spec) > 1 else 0)
    return None


@builder
def week_num(env, parts, rule):
    n = num(first_group(parts, "n"))
    ytok = [t.val for t in toks(parts) if t.dim == "time"]
    if ytok:
        y, relf = ytok[0].start.year, ytok[0].rel
    else:
        y, relf = env.ref.year, True
    if n is None or not 1 <= n <= 53:
        return None
    s, e = nth_week_of(DT(y, 1, 1), DT(y + 1, 1, 1), n)
    return TV(s, e, "week", rel=relf)


# --------------------------------------------------------------------------- parts of a container
def container(parts):
    for p in parts:
        if getattr(p, "dim", None) == "time":
            return p.val
    return None


def sub(tv: TV, s: DT, e: DT, grain: str, period=False) -> TV:
    return TV(s, e, grain, rel=tv.rel, period=period)


@builder
def part(env, parts, rule):
    """A part of a container (or of the current one when the rule has no token):
    quarter, half, early/mid/late, nth or last unit, first/last N units, weekday."""
    c = container(parts)
    unit = rule.args.get("container") or (lex(env, "units", first_group(parts, "cu"))
                                          if first_group(parts, "cu") else None)
    if c is None:
        if unit is None:
            return None
        c = shifted(env, 0, unit)
        if unit in ("year",) and first_group(parts, "q"):
            qv = num(first_group(parts, "q")) or lex(env, "ordinals", first_group(parts, "q"))
            if qv and 1 <= qv <= 4:
                y = pick_year(env.ref, 3 * qv - 2, None)
                c = TV(DT(y, 1, 1), DT(y + 1, 1, 1), "year", rel=True)
    elif c.open or c.label or c.clock:
        return None
    cg = c.grain
    s, e = c.start, c.end
    q = first_group(parts, "q")
    if q:
        if cg != "year":
            return None
        qv = num(q) or lex(env, "ordinals", q)
        if qv is None or not 1 <= qv <= 4:
            return None
        qs = add(s, 3 * (qv - 1), "month") if qv > 0 else add(e, -3, "month")
        return sub(c, qs, add(qs, 3, "month"), "quarter")
    h = first_group(parts, "h")
    if h:
        hv = lex(env, "halves", h)
        if hv is None:
            return None
        if cg == "year":
            hs = add(s, 6 * (hv - 1), "month")
            return sub(c, hs, add(hs, 6, "month"), "half")
        if cg == "month":
            mid = s + 15 * DAY
            return sub(c, s, mid, "span", True) if hv == 1 else sub(c, mid, e, "span", True)
        if cg == "week":
            mid = s + 3 * DAY
            return sub(c, s, mid, "span", True) if hv == 1 else sub(c, mid, e, "span", True)
        return None
    pt = first_group(parts, "pt") or rule.args.get("kind")
    if pt:
        spec = lex(env, "parts", pt)
        if spec is None:
            return None
        kind = spec
        if kind == "whole":
            return c
        kind = {"dec1": "first_half", "dec3": "second_half"}.get(kind, kind) if cg != "month" else kind
        if cg == "year":
            ranges = {"early": (0, 4), "mid": (4, 8), "late": (8, 12), "first_half": (0, 6),
                      "second_half": (6, 12)}
            if kind not in ranges:
                return None
            a, b = ranges[kind]
            return sub(c, add(s, a, "month"), add(s, b, "month"), "span", True)
        if cg == "month":
            last = month_len(s.year, s.month)
            ranges = {"early": (1, 15), "mid": (10, 20), "late": (16, last), "dec1": (1, 10),
                      "dec2": (11, 20), "dec3": (21, last), "first_half": (1, 15),
                      "second_half": (16, last)}
            if kind not in ranges:
                return None
            a, b = ranges[kind]
            return sub(c, s.replace(day=a), s.replace(day=b) + DAY, "span", True)
        if cg in ("week",):
            ranges = {"early": (0, 3), "mid": (2, 5), "late": (3, 7)}
            if kind not in ranges:
                return None
            a, b = ranges[kind]
            return sub(c, s + a * DAY, s + b * DAY, "span", True)
        if cg == "decade":
            ranges = {"early": (0, 4), "mid": (3, 7), "late": (6, 10)}
            if kind not in ranges:
                return None
            a, b = ranges[kind]
            return sub(c, add(s, a, "year"), add(s, b, "year"), "span", True)
        return None
    nth = first_group(parts, "nth")
    u = lex(env, "units", first_group(parts, "u"))
    wd = lex(env, "weekday", first_group(parts, "wd")) if first_group(parts, "wd") else None
    if nth is not None or first_group(parts, "last"):
        n = -1 if first_group(parts, "last") else (num(nth) or lex(env, "ordinals", nth))
        if n is None or n == 0:
            return None
        if wd is not None:  # first Monday of next month
            if cg not in ("month", "year"):
                return None
            if n > 0:
                d = s + _dt.timedelta(days=(wd - 1 - s.weekday()) % 7 + 7 * (n - 1))
            else:
                last = e - DAY
                d = last - _dt.timedelta(days=(last.weekday() - (wd - 1)) % 7)
            if not s <= d < e:
                return None
            return sub(c, d, d + DAY, "day")
        if u is None:
            return None
        if u == "week":
            if cg not in ("month", "year"):
                return None
            ws, we = nth_week_of(s, e, n)
            return sub(c, ws, we, "week")
        if u in ("month", "quarter", "half", "day") and GRAIN_RANK[cg] > GRAIN_RANK[u]:
            if n > 0:
                us = add(s, n - 1, u)
            else:
                us = add(e, -1, u)
            ue = add(us, 1, u)
            if ue > e:
                return None
            return sub(c, us, ue, u)
        return None
    fl = first_group(parts, "fl")
    if fl:
        n = num(first_group(parts, "n")) or lex(env, "count_words", first_group(parts, "n"))
        if n is None or u is None or n <= 0:
            return None
        first = lex(env, "first_last", fl)
        if u == "week":
            if first:
                ws, _ = nth_week_of(s, e, 1)
                return sub(c, ws, ws + 7 * n * DAY, "span", True)
            _, we = nth_week_of(s, e, -1)
            return sub(c, we - 7 * n * DAY, we, "span", True)
        if GRAIN_RANK.get(u, 99) >= GRAIN_RANK[cg]:
            return None
        if first:
            return sub(c, s, add(s, n, u), "span", True)
        return sub(c, add(e, -n, u), e, "span", True)
    if wd is not None:  # monday of next week
        if cg != "week":
            return None
        d = s + _dt.timedelta(days=wd - 1)
        return sub(c, d, d + DAY, "day")
    return None


GRAIN_RANK = {"second": 0, "minute": 1, "hour": 2, "pod": 3, "day": 4, "week": 5, "weekend": 5,
              "month": 6, "quarter": 7, "half": 8, "year": 9, "decade": 10, "century": 11, "span": 12}


# --------------------------------------------------------------------------- combinations
@builder
def anchor_year(env, parts, rule):
    """A year followed by a month/day written without one: 康熙三年 + 五月, 2018年 12月."""
    ts = [p.val for p in toks(parts)]
    y, md = ts[0], ts[-1]
    if y.grain != "year" or md.implicit != "year" or y.open or y.period:
        return None
    out = with_year(md, y.start.year)
    return out.but(rel=y.rel) if out else None


@builder
def anchor_month(env, parts, rule):
    """A month followed by a day written alone: 本月 + 十日."""
    ts = [p.val for p in toks(parts)]
    mo, d = ts[0], ts[-1]
    if mo.grain != "month" or d.implicit != "month":
        return None
    out = with_month(d, mo.start.year, mo.start.month)
    return out.but(rel=mo.rel or d.rel and False) if out else None


@builder
def weekday_date(env, parts, rule):
    """Weekday next to a date (Tue May 9, 10月12号,星期一): the date wins; a day-of-month
    alone is placed in the nearest month where it falls on that weekday."""
    ts = [p.val for p in toks(parts)]
    wd_tok = [t for t in ts if t.implicit in ("week", "wshift")]
    other = [t for t in ts if t not in wd_tok]
    if len(ts) != 2 or not other:
        return None
    date = other[0]
    wdv = ts[0] if ts[1] is date else ts[1]
    if date.grain != "day" or date.clock:
        return None
    if date.implicit == "month":  # Monday 21: search months around the reference
        want = wdv.start.weekday()
        d = date.md[1]
        best = None
        for k in range(-12, 13):
            y, m = divmod(env.ref.month - 1 + k, 12)
            y += env.ref.year
            if valid_date(y, m + 1, d) and DT(y, m + 1, d).weekday() == want:
                cand = DT(y, m + 1, d)
                if best is None or abs((cand - env.ref).days) < abs((best - env.ref).days):
                    best = cand
        if best is None:
            return None
        return TV(best, best + DAY, "day", rel=True)
    return date


@builder
def date_clock(env, parts, rule):
    """A day followed or preceded by a clock time (or a part of day with a clock)."""
    ts = [p.val for p in toks(parts)]
    days = [t for t in ts if not t.date_from_ref]
    clocks = [t for t in ts if t.date_from_ref]
    if len(days) != 1 or len(clocks) != 1:
        return None
    d, c = days[0], clocks[0]
    if d.clock or d.open or d.label:
        return None
    code = d.md[0] if d.grain == "pod" and d.md else None
    if d.grain not in ("day", "pod"):
        return None
    day0 = floor(d.start, "day")
    if c.grain == "pod":
        if d.grain != "day":
            return None
        off = c.start - floor(c.start, "day")
        return TV(day0 + off, day0 + off + (c.end - c.start), "pod", rel=d.rel, md=c.md)
    if c.period:  # clock range on a day
        if c.open:
            anchor = c.end if c.open == "before" else c.start
            delta = anchor - floor(anchor, "day")
            t = day0 + delta
            return TV(t, t, c.grain, rel=d.rel, clock=True, open=c.open, period=True)
        s = day0 + (c.start - floor(c.start, "day"))
        e = s + (c.end - c.start)
        if code:
            H, free = adjust_hour(s.hour, None, code)
            if H != s.hour:
                s, e = s + _dt.timedelta(hours=12), e + _dt.timedelta(hours=12)
        return TV(s, e, "span", rel=d.rel, clock=True, period=True)
    t = c.start
    H = t.hour
    if c.ampm_free and code:
        H, _ = adjust_hour(H, None, code)
    s = day0 + _dt.timedelta(hours=H, minutes=t.minute, seconds=t.second)
    if c.open:
        return TV(s, s, c.grain, rel=d.rel, clock=True, open=c.open, period=True)
    return TV(s, s + _dt.timedelta(minutes=1), c.grain, rel=d.rel, clock=True,
              ampm_free=c.ampm_free and not code,
              implicit=d.implicit if d.implicit != "wshift" else "", md=d.md if d.grain == "day" else ())


@builder
def pod_clock(env, parts, rule):
    """Part of day + clock (下午5点, in the evening at 7, 8 tonight)."""
    ts = [p.val for p in toks(parts)]
    pods = [t for t in ts if t.grain == "pod"]
    clocks = [t for t in ts if t.clock]
    if len(pods) != 1 or len(clocks) != 1:
        return None
    p, c = pods[0], clocks[0]
    code = p.md[0] if p.md else None
    t = c.start
    H = t.hour
    if c.ampm_free or (code in ("AF", "EV", "NI") and H < 12) or code == "MID":
        H, _ = adjust_hour(t.hour, None, code)
    day0 = floor(p.start, "day")
    s = day0 + _dt.timedelta(hours=H, minutes=t.minute, seconds=t.second)
    if c.period:
        return None
    return TV(s, s + _dt.timedelta(minutes=1), c.grain, rel=True, clock=True,
              date_from_ref=p.date_from_ref)


@builder
def approx(env, parts, rule):
    """大约十点 / around 3pm: the time itself (the hedge word stays in the span)."""
    return container(parts)


@builder
def rng(env, parts, rule):
    """X to Y: from the start of X to the end of Y; a missing year/month of one side comes
    from the other."""
    ts = [p.val for p in toks(parts)]
    if len(ts) != 2:
        return None
    a, b = ts
    if a.label == "invalid" or b.label == "invalid":
        return TV(a.start, a.start, "day", label="invalid")
    if a.open or b.open or a.label or b.label:
        return None
    if a.implicit == "month" and b.implicit == "month":  # between the 21st and 23rd: no month given
        return None
    if b.implicit == "week" and a.grain == "day" and not a.clock:  # from next monday to friday
        wd = b.start.weekday()
        day = floor(a.start, "week") + _dt.timedelta(days=wd)
        if day < a.start:
            day += 7 * DAY
        b = TV(day, day + DAY, "day", rel=True)
    if a.clock != b.clock:
        if a.clock and b.date_from_ref is False and not b.clock:
            return None
        if not a.clock:
            return None
        if not b.clock:
            return None
    if a.clock and b.clock:
        return clock_range(a, b)
    # re-anchor implicit fields
    if b.implicit == "month" and a.grain == "day":
        b2 = with_month(b, a.start.year, a.start.month)
        if b2 is not None and b2.start < a.start:
            nm = add(a.start, 1, "month")
            b2 = with_month(b, nm.year, nm.month)
        if b2 is None:
            return None
        b = b2.but(rel=a.rel)
    elif a.implicit == "month" and b.grain == "day" and b.implicit != "month":
        a2 = with_month(a, b.start.year, b.start.month)
        if a2 is not None and a2.start > b.start:
            pm = add(b.start, -1, "month")
            a2 = with_month(a, pm.year, pm.month)
        if a2 is None:
            return None
        a = a2.but(rel=b.rel)
    if b.implicit == "year" and not a.implicit and a.grain in ("day", "month", "year", "quarter"):
        b2 = with_year(b, a.start.year)
        if b2 is not None and b2.start < a.start:
            b2 = with_year(b, a.start.year + 1)
        if b2 is None:
            return None
        b = b2.but(rel=a.rel)
    elif a.implicit == "year" and not b.implicit:
        a2 = with_year(a, b.start.year if b.grain != "year" else b.start.year)
        if a2 is not None and a2.start > b.start:
            a2 = with_year(a, b.start.year - 1)
        if a2 is None:
            return None
        a = a2.but(rel=b.rel)
    elif a.implicit == "year" and b.implicit == "year":
        b2 = with_year(b, a.start.year)
        if b2 is not None and b2.start < a.start:
            b2 = with_year(b, a.start.year + 1)
        if b2 is None:
            return None
        b = b2.but(rel=True)
    if b.start < a.end:  # "X to Y" needs Y after X (2019-aug-01 is no range)
        return None
    return TV(a.start, b.end, "span", rel=a.rel or b.rel, period=True)


def clock_range(a: TV, b: TV) -> TV | None:
    s = a.start
    e = b.start
    if a.date_from_ref and not b.date_from_ref:
        s = floor(b.start, "day") + (a.start - floor(a.start, "day"))
    elif b.date_from_ref and not a.date_from_ref:
        e = floor(a.start, "day") + (b.start - floor(b.start, "day"))
    # carry pm from the first time to an ambiguous second one (5pm to 7), or the reverse (5 to 6pm)
    same_day = floor(s, "day") == floor(e, "day")
    if b.ampm_free and not a.ampm_free and a.start.hour >= 12 and e.hour < 12 and same_day \
            and e + _dt.timedelta(hours=12) > s:
        e += _dt.timedelta(hours=12)
    if a.ampm_free and not b.ampm_free and b.start.hour >= 12 and s.hour < 12 and same_day \
            and s + _dt.timedelta(hours=12) < e:
        s += _dt.timedelta(hours=12)
    if a.ampm_free and b.ampm_free and e <= s and same_day and e + _dt.timedelta(hours=12) > s:
        e += _dt.timedelta(hours=12)  # 12-4, 10:30 to 3: the second hour is in the afternoon
    if e <= s:
        if (s - e) < DAY and a.date_from_ref == b.date_from_ref:
            e += DAY
        else:
            return None
    both_ref = a.date_from_ref and b.date_from_ref
    return TV(s, e, "span", rel=True if both_ref else (a.rel or b.rel), clock=True, period=True,
              date_from_ref=both_ref)


@builder
def mod(env, parts, rule):
    """before / after / since / until a value (以前, 之后, 以来, since, no later than...)."""
    tv = container(parts)
    if tv is None or tv.open or tv.label:
        return None
    word = first_group(parts, "mod") or first_group(parts, "pre")
    kind = lex(env, "mods", word)
    if kind is None:
        return None
    pre = first_group(parts, "pre")
    if pre and first_group(parts, "mod"):
        kind = lex(env, "mods", first_group(parts, "mod"))
    if kind == "to_now":
        if tv.start > env.ref:
            return None
        return TV(tv.start, ref_day(env) + DAY, "span", rel=True, period=True, md=("mod",))
    if tv.clock:
        if kind in ("before", "until"):
            return tv.but(end=tv.start, open="before", period=True)
        return tv.but(end=tv.start, open="after", period=True)
    if kind == "before":
        return TV(tv.start, tv.start, "span", rel=tv.rel, open="before", period=True)
    if kind == "until":
        return TV(tv.end, tv.end, "span", rel=tv.rel, open="before", period=True).but(start=tv.end, end=tv.end)
    if kind == "after":
        return TV(tv.end, tv.end, "span", rel=tv.rel, open="after", period=True)
    if kind == "since":
        return TV(tv.start, tv.start, "span", rel=tv.rel, open="after", period=True)
    return None


@builder
def ago(env, parts, rule):
    """N units ago / later / from now: a point (a day, or a clock time below a day)."""
    d = next((p.val for p in toks(parts) if p.dim == "dur"), None)
    base_t = next((p.val for p in toks(parts) if p.dim == "time"), None)
    if d is None:
        return None
    w = first_group(parts, "dir") or rule.args.get("dir")
    sign = lex(env, "directions", w)
    if sign is None:
        return None
    if base_t is None:
        base, relf = env.ref, True
    else:
        if base_t.open or base_t.label or base_t.period:
            return None
        base, relf = base_t.start, base_t.rel
    try:
        t = add(base, sign * d.n, d.unit)
    except (ValueError, OverflowError):
        return None
    if d.unit in ("hour", "minute", "second"):
        if not env.has_ref:
            return TV(t, t, "minute", rel=True, clock=True)
        t = t.replace(microsecond=0)
        return TV(t, t + _dt.timedelta(minutes=1), "second" if t.second else "minute",
                  rel=relf, clock=True)
    if rule.args.get("unit_grain") and d.unit in ("year", "month", "week", "quarter") and d.n == int(d.n):
        s, e = unit_span(t, d.unit)  # 三个月前: the calendar month three months back
        return TV(s, e, d.unit, rel=relf)
    day = floor(t, "day")
    return TV(day, day + DAY, "day", rel=relf)


@builder
def named_year(env, parts, rule):
    y = lex(env, "named_years", first_group(parts, "ny"))
    return cal_tv(y) if y else None


@builder
def recent(env, parts, rule):
    """Past / next N units: a period ending before (or starting after) the reference day.
    Quarters and decades are whole calendar units; other units count from the reference day."""
    d = next((p.val for p in toks(parts) if p.dim == "dur"), None)
    if d is None:
        out = dur(env, parts, rule)
        if out is None:
            return None
        d = out[1]
        u = first_group(parts, "u") or ""
        if d.n > 1 and not u.lower().endswith("s"):  # "3 next week": a number, then next week
            return None
    w = first_group(parts, "dir")
    sign = lex(env, "directions", w)
    if sign is None or (rule.args.get("units") and d.unit not in rule.args["units"]):
        return None
    dtok = next((p for p in toks(parts) if p.dim == "dur"), None)
    if w == "前" and dtok is not None and env.text[dtok.start:dtok.start + 1] == "一":
        return None  # 前一年 / 前一天: "the year before", not "the past year"
    return recent_tv(env, sign, d.n, d.unit, aligned=rule.args.get("aligned", True))


def recent_tv(env, sign, n, unit, aligned=True):
    """Past N units: from N units before the reference day up to and including it; next N
    units: from the day after it.  With ``aligned``, quarters and decades are whole calendar
    units before (after) the current one.  "Next 0 weeks" is no period (it would end
    before it starts)."""
    if not n > 0:
        return None
    if unit == "fortnight":
        n, unit = 2 * n, "week"
    if unit in ("hour", "minute", "second"):
        t = env.ref.replace(microsecond=0)
        if sign < 0:
            return TV(add(t, -n, unit), t, "span", rel=True, clock=True, period=True)
        return TV(t, add(t, n, unit), "span", rel=True, clock=True, period=True)
    if unit in ("quarter", "decade", "century") and n == int(n) and (aligned or unit != "quarter"):
        cur = floor(env.ref, unit)
        if sign < 0:
            return TV(add(cur, -int(n), unit), cur, "span", rel=True, period=True)
        nxt = add(cur, 1, unit)
        return TV(nxt, add(nxt, int(n), unit), "span", rel=True, period=True)
    today = ref_day(env)
    try:
        if sign < 0:
            return TV(add(today, -n, unit), today + DAY, "span", rel=True, period=True)
        return TV(today + DAY, add(today + DAY, n, unit), "span", rel=True, period=True)
    except (ValueError, OverflowError):
        return None


@builder
def within(env, parts, rule):
    d = next((p.val for p in toks(parts) if p.dim == "dur"), None)
    if d is None:
        return None
    if d.unit in ("hour", "minute", "second"):
        t = env.ref.replace(microsecond=0)
        return TV(t, add(t, d.n, d.unit), "span", rel=True, clock=True, period=True)
    today = ref_day(env)
    return TV(today, add(today, d.n, d.unit), "span", rel=True, period=True)


@builder
def dur_span(env, parts, rule):
    """for N units from X / N units starting X: [X, X + N units)."""
    d = next((p.val for p in toks(parts) if p.dim == "dur"), None)
    tv = next((p.val for p in toks(parts) if p.dim == "time"), None)
    if d is None or tv is None or tv.open or tv.label or tv.period:
        return None
    if tv.clock:
        return TV(tv.start, add(tv.start, d.n, d.unit), "span", rel=tv.rel, clock=True, period=True,
                  date_from_ref=tv.date_from_ref)
    return TV(tv.start, add(tv.start, d.n, d.unit), "span", rel=tv.rel, period=True)


@builder
def week_of(env, parts, rule):
    """the week of / beginning / starting <day>: the Monday-started week holding that day."""
    tv = container(parts)
    if tv is None or tv.grain != "day" or tv.clock:
        return None
    if first_group(parts, "begin"):
        s = tv.start
    else:
        s = floor(tv.start, "week")
    return TV(s, s + 7 * DAY, "week", rel=tv.rel)


@builder
def to_now(env, parts, rule):
    """between X and now / from X to date."""
    tv = container(parts)
    if tv is None or tv.open or tv.label or tv.clock:
        return None
    end = ref_day(env) + DAY
    if first_group(parts, "first_now"):
        if tv.end <= ref_day(env) and tv.implicit == "year":
            tv = with_year(tv, tv.start.year + 1) or tv
        if tv.end <= ref_day(env):
            return None
        return TV(ref_day(env), tv.end, "span", rel=True, period=True)
    if tv.start >= end:
        return None
    return TV(tv.start, end, "span", rel=True, period=True)


@builder
def same(env, parts, rule):
    return container(parts)


@builder
def clock_word(env, parts, rule):
    """noon, midnight (optionally -ish)."""
    w = (first_group(parts, "cw") or "").lower().replace(" ", "")
    H = {"noon": 12, "midday": 12, "midnight": 0, "mid-night": 0}.get(w)
    if H is None:
        return None
    tv = clock_tv(env, ref_day(env), H, 0, 0, "am" if H == 0 else None, "MID" if H else None,
                  from_ref=True)
    return ("time", tv.but(ampm_free=False), True)


@builder
def clock_past(env, parts, rule):
    """half past seven, 20 min past eight, quarter to five, ten past 9."""
    mw = (first_group(parts, "Mw") or "").lower()
    M = 15 if "quarter" in mw else 30 if "half" in mw else num(mw)
    H = num(first_group(parts, "H"))
    relw = (first_group(parts, "rel") or "").lower()
    if M is None or H is None or not (0 < M < 60 and 0 <= H <= 12):
        return None
    if relw in ("to", "till", "before", "of"):
        H, M = (H - 1) % 24, 60 - M
    podw = first_group(parts, "pod")
    code = lex(env, "pod", podw.split()[-1]) if podw else None
    return ("time", clock_tv(env, ref_day(env), H, M, 0, None, code, from_ref=True), True)


@builder
def day_range_in_month(env, parts, rule):
    """between 3 and 12 of Sept, 9 to 12 of June, from 4-23 in next month, November 18-19."""
    d1, d2 = num(first_group(parts, "d1")), num(first_group(parts, "d2"))
    mo = container(parts)
    if mo is None or d1 is None or d2 is None or not (1 <= d1 < d2 <= 31):
        return None
    if mo.grain == "day":  # November 18-19: the first day is already inside the token
        y, m = mo.start.year, mo.start.month
        if mo.start.day != d1:
            d1 = mo.start.day
    elif mo.grain == "month" and not (mo.open or mo.period or mo.label):
        y, m = mo.start.year, mo.start.month
    else:
        return None
    if not (valid_date(y, m, d1) and valid_date(y, m, d2)):
        return None
    return TV(DT(y, m, d1), DT(y, m, d2) + DAY, "span", rel=mo.rel, period=True)


@builder
def range_tail_day(env, parts, rule):
    """Nov 18-19 / April 9th through 17th: a day range inside the first day's month."""
    a = container(parts)
    d2 = num(first_group(parts, "d2"))
    if a is None or a.grain != "day" or a.clock or d2 is None or not valid_date(a.start.year, a.start.month, d2):
        return None
    e = DT(a.start.year, a.start.month, d2)
    if e <= a.start:
        return None
    return TV(a.start, e + DAY, "span", rel=a.rel, period=True)


@builder
def ord_day(env, parts, rule):
    """the 18th / on 29th: a day of the month written alone."""
    d = day_of(parts)
    if d is None:
        return None
    return md_tv(env, None, None, d)


@builder
def early_late(env, parts, rule):
    """earlier this year / later this month / later in the week."""
    c = container(parts)
    kind = lex(env, "parts", first_group(parts, "pt"))
    if c is None or kind not in ("earlier", "later") or not c.rel:
        return None
    today = ref_day(env)
    s, e = c.start, c.end
    if c.grain == "year":
        return TV(s, today, "span", rel=True, period=True) if kind == "earlier" else \
            TV(add(s, 6, "month"), e, "span", rel=True, period=True)
    if c.grain == "month":
        mid = s + 15 * DAY
        return TV(s, mid, "span", rel=True, period=True) if kind == "earlier" else \
            TV(max(today, mid), e, "span", rel=True, period=True)
    if c.grain == "week":
        thu = s + 3 * DAY
        return TV(s, thu, "span", rel=True, period=True) if kind == "earlier" else \
            TV(max(today, thu), e, "span", rel=True, period=True)
    return None


@builder
def ytd(env, parts, rule):
    """year to date: from the start of the year to the reference day (exclusive)."""
    s = floor(env.ref, "year")
    return TV(s, ref_day(env), "span", rel=True, period=True)


@builder
def workweek(env, parts, rule):
    n = lex(env, "shift", first_group(parts, "sh"))
    if n is None:
        return None
    n = n[1] if isinstance(n, list) else n
    s = floor(add(env.ref, 7 * n, "day"), "week")
    return TV(s, s + 5 * DAY, "span", rel=True, period=True)


@builder
def clock_with_pod(env, parts, rule):
    """7 in the evening / seven in the morning: a clock time fixed by a part of day after it."""
    c = container(parts)
    code = lex(env, "pod", (first_group(parts, "pod") or "").split()[-1])
    if c is None or code is None:
        return None
    t = c.start
    H, _ = adjust_hour(t.hour, None, code)
    s = floor(t, "day") + _dt.timedelta(hours=H, minutes=t.minute, seconds=t.second)
    return TV(s, s + _dt.timedelta(minutes=1), c.grain, rel=True, clock=True, date_from_ref=True)


@builder
def month_shift(env, parts, rule):
    """this September / next May / last March."""
    m = month_of(env, parts)
    spec = lex(env, "shift", first_group(parts, "sh"))
    if m is None or spec is None:
        return None
    n = spec[1] if isinstance(spec, list) else spec
    y = env.ref.year
    if n > 0 and m <= env.ref.month:
        y += 1
    elif n < 0 and m >= env.ref.month:
        y -= 1
    return cal_tv(y, m, rel=True)


@builder
def day_of_month(env, parts, rule):
    """the 15th day of next month."""
    mo = container(parts)
    d = day_of(parts)
    if mo is None or d is None or mo.grain != "month" or not valid_date(mo.start.year, mo.start.month, d):
        return None
    s = DT(mo.start.year, mo.start.month, d)
    return TV(s, s + DAY, "day", rel=mo.rel)


@builder
def clock_rng(env, parts, rule):
    """Clock range; two bare numbers (5-6, two to four) only count next to a day or after from/between."""
    ts = toks(parts)
    if len(ts) != 2:
        return None
    bare = [t.rule == "en.clock.bare" or t.rule == "en.clock.words" for t in ts]
    pre = (first_group(parts, "pre") or "").lower()
    conn = [p for p in parts if not hasattr(p, "dim")]
    if any(c.text.lower() == "and" for c in conn) and pre != "between":
        return None
    out = clock_range(ts[0].val, ts[1].val)
    if out is None:
        return None
    final = bool(pre) or not all(bare)
    if all(t.rule == "en.clock.bare" for t in ts) and not pre:
        final = False
    return ("time", out, final)


@builder
def pod_part(env, parts, rule):
    """early / late part of a part of day: late afternoon = 14-16, early morning = 8-10."""
    kind = (first_group(parts, "pt") or "").lower()
    pd = first_group(parts, "pd")
    if pd:
        spec = lex(env, "pod_day", pd)
        if spec is None:
            return None
        off, code = spec
        day = ref_day(env) + _dt.timedelta(days=off)
        from_ref = False
    else:
        code = lex(env, "pod", first_group(parts, "pod"))
        day, from_ref = ref_day(env), True
    if code is None:
        return None
    h0, h1 = env.lex["pod_codes"][code.lower()]
    mid = (h0 + h1) / 2
    a, b = (h0, mid) if kind == "early" else (mid, h1)
    s = day + _dt.timedelta(hours=a)
    e = day + _dt.timedelta(hours=b)
    return TV(s, e, "pod", rel=True, date_from_ref=from_ref, period=True, md=(code,))


@builder
def lunar(env, parts, rule):
    """A lunar-calendar date: kept as a mention, but its Gregorian value is not computed."""
    tv = container(parts)
    return tv.but(label="lunar") if tv is not None else None
