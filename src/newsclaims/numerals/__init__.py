"""Numeral layer: find and parse numbers in Chinese and English text.

:func:`find_numerals` returns every number in the processed text as a
:class:`Numeral` (exact value, span, vagueness, trailing magnitude ...).  Money
and quantity are built on it and never re-parse digits.  :func:`extract` is the
"latent" bare-number extractor (kind ``number``), used by the number
conformance suites only.

Three scanners feed :func:`find_numerals`, in this order of precedence:

1. Chinese runs (``_zh``): 一千二百万, 1.79万亿, 三十几万, 150多 ...
2. English words (``_en``): twenty-five, 1.3 billion, three fifths ...
3. Arabic digits (``_arabic``): 1,234.5, 40k, 2e5, 3/5 ...

then a pass joins Chinese fractions (五分之一, 三又三分之一), marks
百分之X / 千分之X as per-hundred / per-thousand numerals, 打 (dozen), a
trailing 多/余 and ordinals after 第.
"""
from __future__ import annotations

import bisect
import functools
import operator
from typing import NamedTuple

import regex

from ..extract.base import Draft, ExtractContext
from . import _arabic, _en, _zh
from ._core import Numeral, Spans, lexicon, to_number

__all__ = ["Numeral", "Spans", "find_numerals", "numeral_edges", "extract", "to_number", "numeral_chars"]

_HAN = regex.compile(r"\p{Han}")
_ASCII_LETTER = regex.compile(r"[A-Za-z]")
_FEN_ZHI = regex.compile(r"\s*分\s*之\s*")
_YOU = regex.compile(r"\s*又\s*")
_URL = regex.compile(r"(?:https?://|www\.)[^\s\p{Han}，。、；！？“”（）《》]+", regex.I)
_PERCENT_AFTER = regex.compile(r"\s*[%％‰‱]")


@functools.cache
def numeral_chars() -> str:
    """All characters that can be part of a Chinese numeral (for lookbehinds)."""
    zh = lexicon()["zh"]
    chars = set("0123456789.")
    for key in ("digits", "small_units", "big_units"):
        chars.update(zh[key])
    for key in ("vague_digits", "point"):
        chars.update(zh[key])
    return "".join(sorted(chars))


#: the extractors of one text share its numerals; only the text in hand is worth
#: keeping (a long article's 200k-character chunk holds ~10k numerals, ~5 MB)
_TEXTS_KEPT = 2


@functools.lru_cache(maxsize=_TEXTS_KEPT)
def find_numerals(text: str, lang: str = "zh") -> tuple[Numeral, ...]:
    """Every numeral in ``text`` (processed text), sorted by start, non-overlapping."""
    english = lang == "en"      # 1,3 / 1 234 567 / 12,34,567: English number formats only
    arabic = _arabic.scan(text, english)
    zh: list[Numeral] = []
    if _HAN.search(text):
        zh, with_digits = _zh.scan_marked(text)
        if with_digits and arabic:
            arabic = _without_overlaps(arabic, with_digits)
    words: list[Numeral] = []
    if _ASCII_LETTER.search(text):
        words, absorbed = _en.scan(text, arabic)
        if absorbed:
            arabic = [a for a in arabic if id(a) not in absorbed]
        if words and zh:
            spans = Spans((w.start, w.end) for w in words)
            zh = [z for z in zh if not spans.overlaps(z.start, z.stop)]
    if words:
        nums = _drop_overlaps(sorted(arabic + zh + words, key=lambda n: (n.start, -n.end)))
    else:
        # each scanner's numerals are sorted and disjoint, and the Arabic ones that overlap a
        # Chinese one are gone: no two share a start (the start alone gives the same order)
        # and _drop_overlaps would drop none
        nums = sorted(arabic + zh, key=_START)
    if "://" in text or "w." in text or "W." in text:      # what _URL needs (https?:// or www.)
        urls = Spans(m.span() for m in _URL.finditer(text))
        if urls:
            nums = [n for n in nums if not urls.contains(n.start)]
    if not nums:
        return ()
    starts = [n.start for n in nums]
    _decorate_all(text, nums, starts)
    return tuple(_combine_fractions(text, nums, starts))


_START = operator.attrgetter("start")
_END = operator.attrgetter("end")
_EXT_END = operator.attrgetter("ext_end")


class Edges(NamedTuple):
    """What stands at the edges of each numeral of :func:`find_numerals` (same indexes)."""

    starts: list[int]
    stops: list[int]          # Numeral.stop
    after: list[str]          # the character at stop ("" at the end of the text)
    before: list[str]         # the character before start ("" at the start of the text)


@functools.lru_cache(maxsize=_TEXTS_KEPT)
def numeral_edges(text: str, lang: str = "zh") -> Edges:
    """:class:`Edges` of ``find_numerals(text, lang)``: the extractors pick the few numerals
    worth a closer look from these lists instead of asking every numeral in turn."""
    nums = find_numerals(text, lang)
    starts = list(map(_START, nums))
    stops = [e if x < 0 else x for e, x in zip(map(_END, nums), map(_EXT_END, nums))]
    return Edges(starts, stops, [text[s:s + 1] for s in stops], [text[s - 1] if s else "" for s in starts])


def _without_overlaps(arabic: list[Numeral], spans: list[tuple[int, int]]) -> list[Numeral]:
    """``arabic`` (sorted, non-overlapping) less the numerals sharing a character with a span
    (sorted).  Only Chinese numerals with a digit in them can overlap an Arabic one: the two
    scanners share no other character that can stand inside or at the edge of a numeral."""
    starts = [a.start for a in arabic]
    drop = set()
    size = len(arabic)
    for s, e in spans:
        i = max(0, bisect.bisect_right(starts, s) - 1)   # earlier ones end before this one starts
        while i < size and starts[i] < e:
            if arabic[i].end > s:
                drop.add(i)
            i += 1
    if not drop:
        return arabic
    return [a for i, a in enumerate(arabic) if i not in drop]


def _drop_overlaps(nums: list[Numeral]) -> list[Numeral]:
    out: list[Numeral] = []
    for n in nums:
        if out and n.start < out[-1].stop:
            continue
        out.append(n)
    return out


@functools.cache
def _marks() -> tuple[str, str]:
    zh = lexicon()["zh"]
    return "".join(zh["over_marks"]), "".join(zh["dozen"])


def _positions(text: str, chars: str):
    for c in chars:
        p = text.find(c)
        while p >= 0:
            yield p
            p = text.find(c, p + 1)


def _decorate_all(text: str, nums: list[Numeral], starts: list[int]) -> None:
    """:func:`_decorate` every numeral it would change (in place): those with 多/余/打 right
    after them or 第 (and at most one space) right before them; the others it returns as is."""
    after, dozen = _marks()
    todo = set()
    for p in _positions(text, after + dozen):            # the numeral ending at p
        i = bisect.bisect_left(starts, p) - 1
        if i >= 0 and nums[i].stop == p:
            todo.add(i)
    for p in _positions(text, "第"):                      # the numeral starting at p + 1 or p + 2
        for q in (p + 1, p + 2):
            i = bisect.bisect_left(starts, q)
            if i < len(starts) and starts[i] == q:
                todo.add(i)
    for i in todo:
        nums[i] = _decorate(text, nums[i])


def _decorate(text: str, n: Numeral) -> Numeral:
    over_marks, dozen = _marks()
    changes = {}
    stop = n.stop
    if n.script != "zh" and stop < len(text) and text[stop] in over_marks and not n.over:
        changes.update(over=True, ext_end=stop + 1)
        stop += 1
    if stop < len(text) and text[stop] in dozen and not text[stop + 1:stop + 2] in ("对", "折") \
            and n.form in ("int", "bare") and not n.over:
        changes.update(value=n.value * 12, end=stop + 1, ext_end=-1)
    start = n.start
    if start and (text[start - 1] == "第" or (start > 1 and text[start - 1] == " " and text[start - 2] == "第")):
        changes["ordinal"] = True
    return n.with_(**changes) if changes else n


def _combine_fractions(text: str, nums: list[Numeral], starts: list[int]) -> list[Numeral]:
    """五分之一, 百分之五 (per-hundred), 三又三分之一.

    Only a pair of numerals with a 分 between them can combine (``_FEN_ZHI``); the others
    are copied as they are."""
    pairs = set()
    for p in _positions(text, "分"):
        i = bisect.bisect_right(starts, p) - 1
        if 0 <= i < len(nums) - 1 and nums[i].stop <= p:
            pairs.add(i)
    if not pairs:
        return nums
    chars = numeral_chars()
    out: list[Numeral] = []
    i = 0
    for k in sorted(pairs):
        if k < i:
            continue                                        # taken by the pair before
        out.extend(nums[i:k])
        i = k
        a = nums[i]
        if _FEN_ZHI.fullmatch(text, a.stop, nums[i + 1].start):
            b = nums[i + 1]
            pure_power = a.bare and a.value > 1 and 10 ** (len(str(int(a.value))) - 1) == a.value
            if pure_power and (a.start == 0 or text[a.start - 1] not in chars):
                out.append(b.with_(start=a.start, per=int(a.value), inner_start=b.start, form="per",
                                   script="zh", ordinal=False))
                i += 2
                continue
            if a.value != 0 and not a.bare:
                frac = Numeral(a.start, b.stop, b.value / a.value, script="zh", form="fraction")
                if out and out[-1].form != "fraction" and _YOU.fullmatch(text, out[-1].stop, a.start):
                    c = out.pop()
                    value = c.value - frac.value if c.value < 0 else c.value + frac.value
                    frac = frac.with_(start=c.start, value=value)
                out.append(frac)
                i += 2
                continue
        out.append(a)
        i += 1
    out.extend(nums[i:])
    return out


# ---------------------------------------------------------------- bare numbers

@functools.cache
def _not_number_words() -> dict[str, list[str]]:
    by_char: dict[str, list[str]] = {}
    for w in lexicon()["zh"]["not_numbers"]:
        for c in set(w):
            by_char.setdefault(c, []).append(w)
    return by_char


def _in_word(text: str, n: Numeral) -> bool:
    if n.end - n.start != 1:
        return False
    c = text[n.start]
    for w in _not_number_words().get(c, ()):
        for k, wc in enumerate(w):
            if wc == c and text[n.start - k:n.start - k + len(w)] == w:
                return True
    return False


def extract(text: str, ctx: ExtractContext) -> list[Draft]:
    """Bare numbers (kind ``number``, field ``amount``), the peer suites' NumberModel.

    Left out: magnitude words alone (万), a lone 伍/陆/肆/拾, idioms (一切, 四川),
    reduplications (两两), numerals glued to letters (H100, 29km, 4th, 1m),
    the pronoun "one", and numbers of a percentage written with %/‰/折/成 — but
    百分之X gives X, as the suites expect.
    """
    from ..extract.quantity import discount_spans  # the 折/成 rules live with quantity

    nums = find_numerals(text, ctx.lang)
    skip = Spans(discount_spans(text))
    drafts: list[Draft] = []
    for k, n in enumerate(nums):
        if n.bare or n.ambiguous or n.attached or n.pronoun:
            continue
        if n.vague and n.value == 0:
            continue
        if skip.contains(n.start):
            continue
        if n.per is None and _PERCENT_AFTER.match(text, n.stop):
            continue
        if _in_word(text, n):
            continue
        if n.end - n.start == 1 and n.form in ("int",) and n.script == "zh":
            prev = nums[k - 1] if k else None
            nxt = nums[k + 1] if k + 1 < len(nums) else None
            if (prev and prev.end == n.start and text[prev.start:prev.end] == text[n.start:n.end]) or \
                    (nxt and nxt.start == n.end and text[nxt.start:nxt.end] == text[n.start:n.end]):
                continue
        start = n.inner_start if n.per is not None else n.start
        drafts.append(Draft("number", start, n.end, "numeral." + n.script + "." + n.form,
                            {"amount": to_number(n.value)}))
    return drafts
