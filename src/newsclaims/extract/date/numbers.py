"""Small numeral parsers for the pieces of dates and times.

Only what dates need: Chinese numerals up to the thousands (``十一``, ``二十三``,
``两``, ``廿``), digit-by-digit Chinese years (``二〇二三``), English cardinal and
ordinal words up to ninety-nine (``twenty-nine``, ``thirty first``) and English
years in words (``nineteen ninety six``, ``two thousand and fifteen``).  The general
numeral extractor lives in :mod:`newsclaims.numerals`; this module is local so the
date grammar does not depend on it.
"""
from __future__ import annotations

import regex

_ZH_DIGIT = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}

_EN_UNITS = {
    "zero": 0, "oh": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "couple": 2, "few": 3, "several": 3, "some": 3,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
            "seventy": 70, "eighty": 80, "ninety": 90}
_EN_ORD = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "last": -1,
}
_SPLIT = regex.compile(r"[\s\-]+(?:and[\s\-]+)?")
_DIGITS = regex.compile(r"(\d+)(?:st|nd|rd|th)?", regex.I)
_BLANKS = regex.compile(r"[\s\-]+")
_LETTER = regex.compile(r"[A-Za-z]")
_ORD_DIGITS = regex.compile(r"\d(?:st|nd|rd|th)$", regex.I)


def zh_int(s: str) -> int | None:
    """Parse a Chinese or Arabic integer: ``十一`` -> 11, ``二〇二三`` -> 2023, ``廿三`` -> 23."""
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    s = s.replace("廿", "二十").replace("卅", "三十")
    if all(c in _ZH_DIGIT for c in s):  # digit by digit: 二〇二三, 零八
        return int("".join(str(_ZH_DIGIT[c]) for c in s))
    total, cur = 0, None
    for c in s:
        if c in _ZH_DIGIT:
            cur = _ZH_DIGIT[c]
        elif c in _ZH_UNIT:
            total += (1 if cur is None else cur) * _ZH_UNIT[c]
            cur = None
        elif c.isdigit():
            cur = (cur or 0) * 10 + int(c)
        else:
            return None
    return total + (cur or 0)


def en_int(s: str) -> int | None:
    """Parse an English cardinal or ordinal up to 99: ``twenty-nine``, ``31st``, ``a``."""
    s = s.strip().lower()
    if not s:
        return None
    m = _DIGITS.fullmatch(s)
    if m:
        return int(m.group(1))
    words = [w for w in _SPLIT.split(s) if w and w != "the"]
    if not words:
        return None
    total = 0
    for i, w in enumerate(words):
        if w in _EN_TENS:
            total += _EN_TENS[w]
        elif w in _EN_UNITS:
            total += _EN_UNITS[w]
        elif w in _EN_ORD:
            if _EN_ORD[w] < 0:
                return None
            total += _EN_ORD[w]
        elif w.endswith("ieth") and w[:-4] + "y" in _EN_TENS:
            total += _EN_TENS[w[:-4] + "y"]
        else:
            return None
    return total


def en_year(s: str) -> int | None:
    """Parse an English year in words or digits: ``nineteen ninety six`` -> 1996."""
    s = s.strip().lower()
    if s.isdigit():
        return int(s)
    words = [w for w in _BLANKS.split(s) if w]
    if "thousand" in words:  # two thousand (and) fifteen
        i = words.index("thousand")
        head = en_int(" ".join(words[:i]))
        rest = [w for w in words[i + 1:] if w != "and"]
        tail = en_int(" ".join(rest)) if rest else 0
        return None if head is None or tail is None else head * 1000 + tail
    if "hundred" in words:  # nineteen hundred (and) ninety three
        i = words.index("hundred")
        head = en_int(" ".join(words[:i]))
        rest = [w for w in words[i + 1:] if w != "and"]
        tail = en_int(" ".join(rest)) if rest else 0
        return None if head is None or tail is None else head * 100 + tail
    # nineteen ninety six: split into century + two-digit part
    for k in range(1, len(words)):
        head = en_int(" ".join(words[:k]))
        tail = en_int(" ".join(words[k:]))
        if words[k] in ("oh", "zero") and len(words) - k == 2 and head is not None:  # nineteen oh five
            tail = en_int(words[k + 1])
            if tail is not None and 10 <= head <= 29 and tail < 10:
                return head * 100 + tail
        if head is not None and tail is not None and 10 <= head <= 29 and 10 <= tail < 100:
            return head * 100 + tail
    return None


def any_int(s: str) -> int | None:
    """Digits, Chinese numerals or English words."""
    s = s.strip()
    if not s:
        return None
    if _LETTER.match(s) or _ORD_DIGITS.search(s):
        return en_int(s)
    return zh_int(s)
