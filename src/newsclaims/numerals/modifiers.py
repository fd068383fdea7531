"""Qualifiers, ranges and lists around numerals (shared by money and quantity).

The words are data (``modifiers.yaml``); this module compiles them once and
answers three questions about a span of text: which qualifier stands before or
after it, whether two numbers form a range (``5-6亿``), and whether they are a
list that shares one unit (``2.4亿、7.5亿和15.5亿美元``).
"""
from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

import regex

from ._core import Numeral, char_after, edge_chars, modifiers, to_number

__all__ = ["qualifier_before", "qualifier_after", "is_range_gap", "is_list_gap", "distribute", "value_fields"]


def _alt(words: list[str], latin: bool) -> str:
    parts = []
    for w in sorted(words, key=len, reverse=True):
        p = regex.escape(w).replace(r"\ ", r"\s+")
        if latin and w[0].isalpha():
            p = r"(?<![A-Za-z])" + p
        if latin and w[-1].isalpha():
            p += r"(?![A-Za-z])"
        parts.append(p)
    return "|".join(parts)


@functools.cache
def _before_regex(lang: str) -> regex.Pattern:
    """Matched backwards from the number (REVERSE flag): longest words first, across qualifiers
    (不超过 is "under" although 超过 is "over")."""
    key = "en_before" if lang == "en" else "zh_before"
    words = [(w, q) for q, spec in modifiers()["qualifiers"].items() for w in spec[key]]
    groups = [f"(?P<{q}>{_alt([w], lang == 'en')})" for w, q in sorted(words, key=lambda x: -len(x[0]))]
    bridges = modifiers().get("bridges", {}).get(lang if lang == "en" else "zh", [])
    bridge = rf"(?:(?:{_alt(bridges, lang == 'en')})[ ]{{0,2}})?" if bridges else ""
    return regex.compile(r"(?r)(?:" + "|".join(groups) + r")[ ]{0,2}" + bridge, regex.IGNORECASE)


@functools.cache
def _after_regex(lang: str) -> regex.Pattern:
    key = "en_after" if lang == "en" else "zh_after"
    groups = []
    for q, spec in modifiers()["qualifiers"].items():
        groups.append(f"(?P<{q}>{_alt(spec[key], lang == 'en')})")
    return regex.compile(r"[ ]{0,2}(?:" + "|".join(groups) + r")", regex.IGNORECASE)


def _langs(lang: str) -> tuple[str, ...]:
    return ("zh", "en") if lang == "mixed" else (("en",) if lang == "en" else ("zh", "en"))


@functools.cache
def _edges() -> tuple[frozenset[str], frozenset[str]]:
    q = modifiers()["qualifiers"]
    before = [w for spec in q.values() for k in ("zh_before", "en_before") for w in spec[k]]
    after = [w for spec in q.values() for k in ("zh_after", "en_after") for w in spec[k]]
    return edge_chars(before, last=True), edge_chars(after)


@functools.cache
def _before_last(lang: str) -> frozenset[str]:
    """Last characters (both cases) of the words :func:`_before_regex` may end on: a qualifier
    or a bridge.  The character before the number, past up to two spaces, is one of them
    (or a cased non-ASCII letter, which case-insensitive matching may fold) or nothing matches."""
    key = "en_before" if lang == "en" else "zh_before"
    words = [w for spec in modifiers()["qualifiers"].values() for w in spec[key]]
    words += modifiers().get("bridges", {}).get(lang if lang == "en" else "zh", [])
    last = {w[-1] for w in words if w}
    return frozenset(last | {c.lower() for c in last} | {c.upper() for c in last})


def _may_end_before(text: str, pos: int, lang: str) -> bool:
    j = pos - 1
    if j >= 0 and text[j] == " ":
        j -= 1
        if j >= 0 and text[j] == " ":
            j -= 1
    if j < 0:
        return False
    c = text[j]
    return c in _before_last(lang) or (not c.isascii() and c.lower() != c.upper())


def qualifier_before(text: str, pos: int, lang: str, bare: bool = False) -> str | None:
    """The qualifier written right before ``pos`` (约, more than ...), or None.

    ``bare``: the number is a magnitude alone (上亿, 上千万), where 上/过 mean "over".
    """
    if bare and pos > 0 and text[pos - 1] in modifiers()["qualifiers"]["over"]["zh_before_bare"]:
        return "over"
    for lg in _langs(lang):
        if not _may_end_before(text, pos, lg):
            continue
        m = _before_regex(lg).match(text, max(0, pos - 24), pos, False)   # concurrent=False: keep the GIL
        if m:
            return m.lastgroup
    return None


def qualifier_after(text: str, pos: int, lang: str) -> str | None:
    """The qualifier written right after ``pos`` (左右, 以上, or more ...), or None."""
    if char_after(text, pos) not in _edges()[1]:
        return None
    for lg in _langs(lang):
        m = _after_regex(lg).match(text, pos)
        if m:
            return m.lastgroup
    return None


@functools.cache
def _gap_regex(kind: str) -> regex.Pattern:
    spec = modifiers()[kind]
    words = [w for lg in ("zh", "en") for w in spec[lg]]
    return regex.compile(r"[ ]{0,2}(?:" + _alt(words, True) + r")[ ]{0,2}", regex.IGNORECASE)


@functools.cache
def _blocker_regex() -> regex.Pattern:
    spec = modifiers()["range_blockers"]
    words = [w for lg in ("zh", "en") for w in spec[lg]]
    return regex.compile(r"(?:" + _alt(words, True) + r")[^，。；;,.!?！？\n]{0,12}\Z", regex.IGNORECASE)


def is_range_gap(text: str, left_end: int, right_start: int, left_start: int) -> bool:
    """``text[left_end:right_start]`` joins two numbers into a range (and no 从/from before)."""
    if right_start - left_end > 5 or not _gap_regex("range_separators").fullmatch(text, left_end, right_start):
        return False
    return not _blocker_regex().search(text, max(0, left_start - 14), left_start)


def is_list_gap(text: str, left_end: int, right_start: int) -> bool:
    return right_start - left_end <= 4 and bool(_gap_regex("list_separators").fullmatch(text, left_end, right_start))


def distribute(left: Numeral, right: Numeral) -> Fraction:
    """Value of the left end of a range, with the right end's magnitude when the left has none.

    ``5-6亿`` -> 5亿; ``$5-6 million`` -> 5 million; ``300-500万`` -> 300万.
    """
    if left.mult == 1 and right.mult > 1 and abs(left.value) <= abs(right.base) * 10:
        return left.value * right.mult
    return left.value


def value_fields(value: Fraction | None, low: Fraction | None, high: Fraction | None,
                 qualifier: str) -> dict[str, Any]:
    """``amount``, ``low``, ``high`` for a qualifier (DESIGN.md conventions).

    exact/approx: amount only; over: low = amount; under: high = amount;
    vague and range: amount null, low/high the bounds.
    """
    if qualifier in ("vague", "range"):
        return {"amount": None, "low": to_number(low), "high": to_number(high)}
    if qualifier == "over":
        return {"amount": to_number(value), "low": to_number(value), "high": None}
    if qualifier == "under":
        return {"amount": to_number(value), "low": None, "high": to_number(value)}
    return {"amount": to_number(value), "low": None, "high": None}


def resolve_qualifier(text: str, start: int, end: int, lang: str, *, range_: bool, vague: bool, bare: bool,
                      over: bool) -> str:
    """The DESIGN.md qualifier of a money or quantity span: range, vague, else the word
    written before or after it, else ``over`` for 150多 / 3亿余, else exact."""
    if range_:
        return "range"
    if vague:
        return "vague"
    q = qualifier_before(text, start, lang, bare) or qualifier_after(text, end, lang)
    return q or ("over" if over else "exact")


def standalone_words(words) -> regex.Pattern:
    """One pattern for words standing alone (latent mentions): longest first, Latin
    words not glued to other letters."""
    forms = sorted(words, key=len, reverse=True)
    return regex.compile("|".join(rf"(?<![A-Za-z]){regex.escape(f)}(?![A-Za-z])" if f[:1].isascii()
                                  else regex.escape(f) for f in forms), regex.I)
