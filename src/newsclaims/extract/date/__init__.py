"""Date extractor: dates, periods and clock times in Chinese and English news.

``extract(text, ctx)`` finds date mentions in the processed (simplified, half-width)
text and resolves them against ``ctx.published``; it never reads the clock.  The
grammar is data: regex fragments and lexicons in ``lexicon.yaml``, rules in
``rules_common.yaml`` / ``rules_zh.yaml`` / ``rules_en.yaml`` (atoms are regexes,
sequences combine tokens, builders in ``builders.py`` compute the values, the engine in
``engine.py``), examples with a fixed reference date in ``examples.yaml`` (run by
``tests/extract/test_date.py``).

Output fields (DESIGN.md ``date`` row, in order):

``value``
    ISO 8601 as precise as the text: ``2023``, ``2023-05``, ``2023-05-04``,
    ``2023-10-16T01:35`` (``:SS`` when seconds are written); a quarter is ``2023-Q2``
    and a half year ``2024-H1``; anything else (``过去一年``, a week, a decade, ``年底``,
    ``X to Y``, ``2018年以前``) is an ISO interval ``start/end`` with an inclusive end
    (``2022-10-16/2023-10-16``; ``..`` for an open side; with clock times when the text
    has them).  A fiscal year is ``FY2023`` (``FY2024-Q2``) with no interval: fiscal
    calendars differ between companies.  ``null`` when the expression is relative and
    the article has no publication date, when the date does not exist (``2月30日``) and
    for lunar dates (``农历十月初一``), which are not converted.
``interval_start`` / ``interval_end``
    Inclusive ISO dates covering the expression; ``null`` on an open side.
``grain``
    ``minute`` (any clock time), ``day``, ``month``, ``quarter``, ``half_year``,
    ``year``, or ``period`` for everything else.
``relative``
    True when the publication date was needed to resolve it.

Conventions (documented choices; ``examples.yaml`` pins each one):

* A month or day without a year (``3月18日``, ``in March``) takes the publication
  year, unless that puts it more than 92 days after the publication date, then the
  year before (news report the past more than the future).  A day of month alone
  takes the publication month unless it lies more than 15 days ahead.  A weekday
  alone is the one in the publication date's (Monday-started) week.
* ``过去N年`` / ``最近3个季度`` / ``past N years``: from N units before the publication
  day up to and including it (unaligned; English ``last 2 quarters`` are whole
  calendar quarters, as Recognizers-Text reads them).  ``未来N年`` / ``next N days``
  start the day after.  ``N年前`` / ``3个月前`` / ``一周前`` are the calendar year /
  month / week N units back; English ``two months ago`` and ``5天前`` are days.
* ``年初`` / ``年底`` (and ``2024年底``) are the first / second half of the year;
  ``月初`` / ``月底`` days 1-15 / 16-end; ``上旬`` / ``中旬`` / ``下旬`` days 1-10 /
  11-20 / 21-end.  English early / mid / late (beginning / middle / end of) a year
  are Jan-Apr / May-Aug / Sep-Dec, of a month days 1-15 / 10-20 / 16-end.
* ``X到Y`` / ``X to Y`` covers X and Y whole (``2014-2018年`` ends 2018-12-31).
* Comparisons stay in the span and open the interval: ``2018年以前``, ``或之后``,
  ``自2018年以来``, ``since August``, ``before 2018``.  Chinese aspect words after a
  date without 自 (``今年以来``, ``6月份开始``, ``从上个月起``, ``至今``) are left out:
  the mention is the minimal date (``今年``), as DESIGN.md asks for minimal spans.
* A part of day alone (``上午``) is on the publication day; counted or anaphoric ones
  (``一个晚上``, ``当天上午``) are not dates.
* Durations (``三个月``, ``10 months``) are not dates and are never emitted; they still
  block the date words inside them.  No dates inside ``《书名》``, ``今日头条``,
  recurring sets (``每年``, ``every Monday``), fractions (``1/10``), scores (``3:1``),
  ids or 8-digit runs (``20231015``).
"""
from __future__ import annotations

import datetime as _dt
import functools
from pathlib import Path

import regex

from ..base import Draft, ExtractContext
from .builders import BUILDERS, Env
from .engine import Engine, Item, Rule, first_chars
from .timeval import DT, OUT_GRAIN, TV, to_fields
from ...yamlio import load_yaml

__all__ = ["extract", "load_grammar"]

_DIR = Path(__file__).parent
_RULE_FILES = ("rules_common.yaml", "rules_zh.yaml", "rules_en.yaml")
_NO_REF = DT(2000, 1, 1)  # stands in for a missing publication date; relative values are blanked
_FRAG = regex.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def _lex_alternation(keys) -> str:
    """A regex alternation of lexicon keys, longest first; spaces match any blank run and
    apostrophes are optional."""
    alts = []
    for k in sorted(keys, key=len, reverse=True):
        k = regex.escape(k).replace("\\ ", " ").replace(" ", r"\s+").replace("'", "['\u2019]?")
        alts.append(k)
    return "(?:" + "|".join(alts) + ")"


def _expand(pattern: str, frags: dict) -> str:
    for _ in range(5):
        new = _FRAG.sub(lambda m: frags[m.group(1)] if m.group(1) in frags else m.group(0), pattern)
        if new == pattern:
            break
        pattern = new
    return pattern


def _not_special(t: TV) -> bool:
    return not (t.open or t.label or t.period or t.clock)


PREDICATES = {
    "any": lambda t: True,
    "yearlike": lambda v: v.grain == "year" and _not_special(v),
    "year": lambda v: v.grain == "year" and _not_special(v),
    "monthlike": lambda v: v.grain == "month" and _not_special(v),
    "container": lambda v: v.grain in ("year", "month", "week", "quarter", "half", "decade")
    and _not_special(v),
    "mdimplicit": lambda v: v.implicit == "year" and not v.clock,
    "dayonly": lambda v: v.implicit == "month" and not v.clock,
    "day": lambda v: v.grain == "day" and _not_special(v),
    "dayish": lambda v: v.grain == "day" and _not_special(v),
    "weekday": lambda v: v.implicit in ("week", "wshift"),
    "yrange": lambda v: v.md == ("years",),
    "week": lambda v: v.grain == "week" and _not_special(v),
    "pod": lambda v: v.grain == "pod" and v.date_from_ref,
    "podday": lambda v: v.grain == "pod" and not v.date_from_ref,
    "clockonly": lambda v: v.clock and v.date_from_ref and not v.period and not v.open,
    "clockish": lambda v: v.clock and not v.period and not v.open,
    "clockrange": lambda v: v.clock and v.period and not v.open and v.date_from_ref,
    "datetime": lambda v: v.clock and not v.date_from_ref and not v.period and not v.open,
    "rangeable": lambda v: not v.open and (not v.period or not v.clock) and v.label in ("", "invalid")
    and v.grain != "pod",
    "modable": lambda v: not (v.open or v.label) and v.grain != "pod" and not (v.period and v.clock)
    and v.md != ("mod",),
    "openclock": lambda v: v.clock and v.open and v.date_from_ref,
    "holiday": lambda v: v.grain == "day",
    "point": lambda v: not (v.open or v.label or v.period),
    "date": lambda v: not (v.open or v.label or v.period or v.clock) and v.grain != "pod"
    and v.implicit != "month",
    "notclock": lambda v: not v.clock and v.grain != "pod" and not v.open and not v.label,
}


#: tokens of these rules are bare numbers, usable only next to explicit date words
LOOSE_RULES = frozenset({"en.clock.bare", "en.day.loose", "en.ord_day.loose"})
#: holidays stay apart from clock times (Recognizers-Text keeps "christmas eve" and "at 6 p.m." apart)
_NOT_STRONG = LOOSE_RULES | {"en.holiday", "en.holiday_of"}

TOKEN_PREDICATES = {
    "final": lambda t: t.final,
    "strong": lambda t: t.rule not in _NOT_STRONG,
}


def _tok_pred(name: str):
    """``a|b`` = either value predicate; ``+final`` / ``+strong`` add token conditions."""
    alts, *extra = name.split("+")
    fns = [PREDICATES[n] for n in alts.split("|")]
    toks = [TOKEN_PREDICATES[n] for n in extra]
    if len(fns) == 1 and not toks:  # the common case, without generator overhead
        f = fns[0]
        fn = lambda t: f(t.val)  # noqa: E731
        fn.on_val, fn.on_tok = f, None  # its parts, for the engine to call directly
        return fn
    if len(fns) == 1 and len(toks) == 1:
        f, g = fns[0], toks[0]
        fn = lambda t: f(t.val) and g(t)  # noqa: E731
        fn.on_val, fn.on_tok = f, g
        return fn
    return lambda t: any(f(t.val) for f in fns) and all(g(t) for g in toks)


def _compile_rule(spec: dict, frags: dict, flags: int) -> Rule:
    build = BUILDERS[spec["build"]]
    rule = Rule(id=spec["id"], build=build, dim=spec.get("dim", "time"),
                final=spec.get("final", True), prio=spec.get("prio", 0), args=spec.get("args") or {})
    if "re" in spec:
        rule.rx = regex.compile(_expand(spec["re"], frags), flags)
        if spec.get("trigger"):  # matched against the text with ASCII lower-cased
            rule.trigger = _trigger(_expand(spec["trigger"], frags))
        return rule
    items = []
    for it in spec["seq"]:
        if it.startswith("@"):
            dim, _, pred = it[1:].partition(":")
            items.append(Item(dim=dim, pred=_tok_pred(pred) if pred else None, pred_key=pred))
        else:
            pat = _expand(it, frags)
            rx = regex.compile(f"(?:{pat})", flags)
            items.append(Item(rx=rx, rx_back=regex.compile(f"(?r)(?:{pat})[ \\t]*", flags),
                              can_empty=rx.fullmatch("") is not None,
                              first=first_chars(pat, bool(flags & regex.IGNORECASE))))
    rule.items = items
    rule.anchor = next(i for i, it in enumerate(items) if it.dim is not None)
    return rule


_PLAIN_WORD = regex.compile(r"[a-z][a-z0-9]*")


def _top_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level ``|``."""
    out, depth, cur, esc = [], 0, [], False
    for ch in pattern:
        if esc:
            cur.append(ch)
            esc = False
            continue
        if ch == "\\":
            esc = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


@functools.cache
def _trigger(pattern: str) -> tuple:
    """A trigger as (regex or None, plain words or None); plain lower-case words are looked
    up in a word index of the text instead of scanning it once per alternative.  Triggers
    are shared between rules, so each is computed once per text."""
    alts = _top_alternatives(pattern)
    words = frozenset(a for a in alts if _PLAIN_WORD.fullmatch(a))
    rest = [a for a in alts if not _PLAIN_WORD.fullmatch(a)]
    return (regex.compile("|".join(rest)) if rest else None, words or None)


@functools.cache
def load_grammar() -> tuple[Engine, dict]:
    """Compile the grammar once per process: (engine, lexicon)."""
    lex = load_yaml((_DIR / "lexicon.yaml").read_text(encoding="utf-8"))
    frags = lex.pop("fragments")
    lex = {k: {str(kk).lower(): vv for kk, vv in v.items()} for k, v in lex.items()}
    frags = dict(frags)
    frags["HOLIDAY_EN"] = _lex_alternation(k for k in lex["holidays"] if k.isascii())
    frags["TR_HOL"] = "|".join(sorted({regex.match(r"[a-z]+", k).group() for k in lex["holidays"]
                                       if k.isascii()}))
    atoms, seqs = [], []
    for fname in _RULE_FILES:
        path = _DIR / fname
        if not path.exists():
            continue
        doc = load_yaml(path.read_text(encoding="utf-8"))
        flags = regex.IGNORECASE if doc.get("ignorecase") else 0
        for spec in doc["rules"]:
            rule = _compile_rule(spec, frags, flags)
            (atoms if rule.rx is not None else seqs).append(rule)
    return Engine(atoms, seqs), lex


def _reference(published) -> DT | None:
    if published is None:
        return None
    if isinstance(published, str):
        published = _dt.datetime.fromisoformat(published)
    if not isinstance(published, _dt.datetime):  # a date
        published = DT(published.year, published.month, published.day)
    return published.replace(tzinfo=None, microsecond=0)


def extract(text: str, ctx: ExtractContext) -> list[Draft]:
    """Date mentions of ``text`` (processed text) resolved against ``ctx.published``."""
    engine, lex = load_grammar()
    ref = _reference(ctx.published)
    env = Env(ref or _NO_REF, ref is not None, (ctx.lang or "zh"), lex, text)
    toks = engine.run(text, env)
    out = []
    for t in Engine.select(toks, {"time"}, {"dur", "block"}):
        tv: TV = t.val
        if tv.label in ("invalid", "lunar"):  # 2月30日 / 农历十月初一: a date, no Gregorian value
            fields = {"value": None, "interval_start": None, "interval_end": None,
                      "grain": OUT_GRAIN.get(tv.grain, "period"), "relative": False}
        else:
            fields = to_fields(tv, env.has_ref)
        out.append(Draft("date", t.start, t.end, t.rule, fields))
    return out
