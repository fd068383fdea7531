"""Shared types of the numeral layer: the :class:`Numeral` record and the lexicon."""
from __future__ import annotations

import bisect
import functools
from dataclasses import MISSING, dataclass, fields
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..yamlio import load_yaml

_HERE = Path(__file__).resolve().parent


class Invalid(ValueError):
    """A token sequence that is not a well-formed numeral (internal to the parsers)."""


@dataclass(frozen=True)
class Numeral:
    """A number found in the processed text.

    ``value`` is exact (a :class:`~fractions.Fraction`).  For vague numerals
    (几, 数, 二三十) ``value`` counts the unknown digit as 0, the way the peer
    suites resolve them (二十几万 -> 200000), and ``low``/``high`` give the bounds.
    """

    start: int
    end: int
    value: Fraction
    low: Fraction | None = None
    high: Fraction | None = None
    vague: bool = False        # 几 / 数 / 二三十: only bounds are known
    over: bool = False         # 多 / 余: "more than" the value
    ext_end: int = -1          # end including a trailing 多/余 (units bind after it); -1: same as end
    mult: int = 1              # trailing magnitude (亿 -> 10**8, million -> 10**6, k -> 1000)
    script: str = "arabic"     # arabic | zh | en
    form: str = "int"          # int | decimal | fraction | sci | digitwise | bare | per
    single: bool = False       # one Chinese digit character and nothing else (一, 两, 三)
    bare: bool = False         # magnitude words only (万, 百万, 千万): no digit given
    attached: bool = False     # ASCII letters glued on either side (H100, 29km, 4th, 2B-ish)
    glued: bool = False        # a word and a hyphen before it (GPT-4, SCP-173)
    ambiguous: bool = False    # 1m (metre?), or a lone 伍/陆/肆/拾
    ordinal: bool = False      # after 第
    pronoun: bool = False      # "the one", "which one"
    per: int | None = None     # 百分之X -> 100, 千分之X -> 1000; value is X
    inner_start: int = -1      # for per-numerals: where X starts

    @property
    def stop(self) -> int:
        """End of the numeral including a trailing 多/余."""
        return self.end if self.ext_end < 0 else self.ext_end

    @property
    def base(self) -> Fraction:
        """Value before the trailing magnitude (6亿 -> 6)."""
        return self.value / self.mult

    def with_(self, **changes: Any) -> "Numeral":
        """A copy with ``changes`` (field names only; same result as :func:`dataclasses.replace`,
        without re-running ``__init__``)."""
        d = self.__dict__.copy()
        d.update(changes)
        new = _object_new(Numeral)
        _object_setattr(new, "__dict__", d)
        return new


_object_new = object.__new__
_object_setattr = object.__setattr__
#: every field with its default (start, end, value: placeholders), in field order
_TEMPLATE = {f.name: (None if f.default is MISSING else f.default) for f in fields(Numeral)}


def new_numeral(start: int, end: int, value: Fraction, **kw: Any) -> Numeral:
    """``Numeral(start, end, value, **kw)`` for the scanners' hot loops (a frozen dataclass's
    ``__init__`` sets its twenty fields one by one; this fills the instance dict at once)."""
    d = _TEMPLATE.copy()
    d["start"] = start
    d["end"] = end
    d["value"] = value
    if kw:
        d.update(kw)
    n = _object_new(Numeral)
    _object_setattr(n, "__dict__", d)
    return n


class Spans:
    """Sorted, non-overlapping ``(start, end)`` intervals with fast overlap tests."""

    def __init__(self, spans):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        """Some interval shares a character with ``[start, end)``."""
        i = bisect.bisect_left(self._ends, start + 1)
        return i < len(self._starts) and self._starts[i] < end

    def contains(self, pos: int) -> bool:
        return self.overlaps(pos, pos + 1)

    def __bool__(self) -> bool:
        return bool(self._starts)


def edge_chars(forms, last: bool = False) -> frozenset[str]:
    """Lower-cased first (or last) characters of ``forms``: a cheap test before a regex."""
    return frozenset(f[-1 if last else 0].lower() for f in forms if f)


def heads(forms) -> frozenset[str]:
    """Lower-cased first three characters (or the whole form when shorter) of ``forms``."""
    return frozenset(f[:3].lower() for f in forms if f)


def starts_like(text: str, pos: int, table: frozenset[str]) -> bool:
    """``text`` at ``pos`` may start one of the forms whose :func:`heads` are ``table``."""
    return (text[pos:pos + 3].lower() in table or text[pos:pos + 2].lower() in table
            or text[pos:pos + 1].lower() in table)


def skip_spaces(text: str, pos: int, chars: str = " ", most: int = 4) -> int:
    for _ in range(most):
        if pos < len(text) and text[pos] in chars:
            pos += 1
    return pos


def char_before(text: str, pos: int, skip: str = " ") -> str:
    """The character before ``pos`` once up to two ``skip`` characters are passed, lower-cased."""
    j = pos - 1
    for _ in range(2):
        if j >= 0 and text[j] in skip:
            j -= 1
    return text[j].lower() if j >= 0 else ""


def char_after(text: str, pos: int, skip: str = " ") -> str:
    j = pos
    for _ in range(4):
        if j < len(text) and text[j] in skip:
            j += 1
    return text[j].lower() if j < len(text) else ""


def to_number(value: Fraction | None) -> int | float | None:
    """JSON number for a Fraction: int when integral, else float."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return float(value)


@functools.cache
def lexicon() -> dict[str, Any]:
    with (_HERE / "lexicon.yaml").open(encoding="utf-8") as fh:
        return load_yaml(fh)


@functools.cache
def modifiers() -> dict[str, Any]:
    with (_HERE / "modifiers.yaml").open(encoding="utf-8") as fh:
        return load_yaml(fh)


def numeral_template() -> dict[str, Any]:
    """Every field with its default (start, end and value to fill in), shared: a scanner copies
    it, fills the copy in and makes it a Numeral's instance dict (as :func:`new_numeral`)."""
    return _TEMPLATE
