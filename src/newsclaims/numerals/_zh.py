"""Chinese numerals: 一千二百万, 1.79万亿, 5万4千6百, 三十几万, 数十亿, 150多, 十 余 万,
四十九兆九千五百九十二亿, 两千万点五五四四, 二〇二三, 二三十.

A regex finds *runs* of numeral characters (Chinese digits and units, Arabic
digit groups, 几/数/多/余/点, single spaces); a small recursive parser then takes
the longest well-formed numeral from the left of the run, again and again, so a
run such as ``五十千`` gives ``五十`` and ``两两`` gives two numerals.

Value rules (the peer suites' conventions):

* the largest magnitude splits the numeral: ``A亿B`` = A * 10**8 + B, applied
  recursively (``四万万`` = 4万 * 万, ``1.79万亿`` = 1.79万 * 亿);
* a lone digit after a unit is elliptical: ``一万三`` = 13000, ``四百五`` = 450;
  after ``零`` it is not: ``五亿零六`` = 500000006;
* 几/数 are unknown digits: value counts them as 0, ``low``/``high`` as 1..9
  (2..9 when they lead: 几十 = 20..90);
* two consecutive digits before a unit are a vague pair: 二三十 = 20..30;
* 多/余 mark "more than" and are not part of the value (十多万 = 100000, over).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction

import regex

from ._core import Invalid, Numeral, lexicon, new_numeral


@dataclass(frozen=True)
class _Tok:
    kind: str          # A arabic, D digit, Z zero, U small unit, B big unit, V vague, R vague pair,
    #                    P point, O over (多/余), N negative, F fixed value (半百)
    value: Fraction
    start: int
    end: int
    char: str
    is_int: bool = True


@functools.cache
def _tables():
    zh = lexicon()["zh"]
    digits = {k: int(v) for k, v in zh["digits"].items()}
    small = {k: int(v) for k, v in zh["small_units"].items()}
    big = {k: int(v) for k, v in zh["big_units"].items()}
    return zh, digits, small, big


@functools.cache
def _run_regex() -> regex.Pattern:
    zh, digits, small, big = _tables()
    dig = "".join(digits)
    units = "".join(small) + "".join(big)
    vague = "".join(zh["vague_digits"])
    vpre = "".join(zh["vague_prefix"])
    over = "".join(zh["over_marks"])
    point = "".join(zh["point"])
    neg = "".join(zh["negative"])
    frac_digits = "".join(c for c, v in digits.items() if c not in "两兩俩倆")
    fixed = "|".join(map(regex.escape, zh["fixed"]))
    ar = r"\d+(?:,\d{3})*(?:\.\d+)?"
    cj = f"(?:{fixed}|[{dig}{units}{vague}]|[{vpre}](?=[ ]?[{units}]))"
    item = f"(?:{ar}|{cj}|[{over}]|[{point}](?=[ ]{{0,2}}[{frac_digits}]))"
    run = f"(?:[{neg}][ ]?)?(?:{ar}[ ]{{0,2}}(?:[{over}][ ]{{0,2}})?)?{cj}(?:[ ]{{0,2}}{item})*"
    return regex.compile(run)


@functools.cache
def _run_starts() -> tuple[re.Pattern, frozenset[str], frozenset[str], frozenset[str]]:
    """For :func:`_runs`: the characters a run's first Chinese item (``cj``) starts with (a
    plain class: Python's ``re`` finds it faster); those that may stand before it in a run
    (sign, digits, separators, spaces, 多/余); the characters that are a Chinese item on their
    own (digits, units, 几); and those an item after it may start with (or a digit)."""
    zh, digits, small, big = _tables()
    single = set(digits) | set(small) | set(big) | set(zh["vague_digits"])
    first = single | set(zh["vague_prefix"]) | {f[0] for f in zh["fixed"]}
    before = frozenset(zh["negative"]) | frozenset(zh["over_marks"]) | {" ", ",", "."}
    more = frozenset(first | set(zh["over_marks"]) | set(zh["point"]) | {" "})
    return re.compile("[" + re.escape("".join(sorted(first))) + "]"), before, frozenset(single), more


def _runs(text: str):
    """The spans of ``_run_regex().finditer(text)``, without trying the run pattern at every
    character.

    A run holds a Chinese item, and what comes before its first one is made of the
    characters of ``before`` and digits.  So the leftmost run from ``pos`` on starts between
    the first Chinese item character ``c`` at or after ``pos`` and the start of the stretch of
    such characters right before ``c``; if none starts there, none starts before ``c + 1``.
    A lone digit or unit character (一 of 一个) with nothing before it that could join the
    run and nothing after it that could continue it is a run by itself.
    """
    run = _run_regex()
    first, before, single, more = _run_starts()
    pos = 0
    while True:
        c = first.search(text, pos)
        if c is None:
            return
        c = c.start()
        s = c
        while s > pos and (text[s - 1] in before or text[s - 1].isdigit()):
            s -= 1
        if s == c and text[c] in single:
            nxt = text[c + 1:c + 2]
            if nxt not in more and not nxt.isdigit():
                yield c, c + 1
                pos = c + 1
                continue
        while s <= c:
            m = run.match(text, s, None, False)            # concurrent=False: keep the GIL
            if m is not None:
                break
            s += 1
        else:
            pos = c + 1
            continue
        yield m.span()
        pos = m.end()


@functools.cache
def _token_regex() -> regex.Pattern:
    zh = lexicon()["zh"]
    fixed = "|".join(map(regex.escape, zh["fixed"]))
    return regex.compile(rf"\d+(?:,\d{{3}})*(?:\.\d+)?|{fixed}|\S")


def _tokenize(run: str, offset: int) -> list[_Tok]:
    zh, digits, small, big = _tables()
    toks: list[_Tok] = []
    for m in _token_regex().finditer(run):
        s, e = m.start() + offset, m.end() + offset
        c = m.group()
        if c[0].isdigit():
            clean = c.replace(",", "")
            toks.append(_Tok("A", Fraction(clean), s, e, c, "." not in clean))
        elif c in zh["fixed"]:
            toks.append(_Tok("F", Fraction(int(zh["fixed"][c])), s, e, c))
        elif c in digits:
            v = digits[c]
            toks.append(_Tok("Z" if v == 0 else "D", Fraction(v), s, e, c))
        elif c in small:
            toks.append(_Tok("U", Fraction(small[c]), s, e, c))
        elif c in big:
            toks.append(_Tok("B", Fraction(big[c]), s, e, c))
        elif c in zh["vague_digits"] or c in zh["vague_prefix"]:
            toks.append(_Tok("V", Fraction(0), s, e, c))
        elif c in zh["over_marks"]:
            toks.append(_Tok("O", Fraction(0), s, e, c))
        elif c in zh["point"]:
            toks.append(_Tok("P", Fraction(0), s, e, c))
        elif c in zh["negative"]:
            toks.append(_Tok("N", Fraction(0), s, e, c))
    # vague pairs: two consecutive digits (n, n+1) not followed by a third digit: 二三十, 七八成
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if (t.kind == "D" and i + 1 < len(toks) and not (out and out[-1].kind in "DZPAR") and toks[i + 1].kind == "D"
                and toks[i + 1].value == t.value + 1 and t.value >= 1
                and toks[i + 1].start == t.end
                and not (i + 2 < len(toks) and toks[i + 2].kind in "DZA")):
            out.append(_Tok("R", t.value, t.start, toks[i + 1].end, t.char + toks[i + 1].char))
            i += 2
            continue
        out.append(t)
        i += 1
    return out


# ---------------------------------------------------------------- evaluation

def _slot(t: _Tok, mode: str, leading: bool) -> Fraction:
    if t.kind == "V":
        return Fraction({"v": 0, "lo": 2 if leading else 1, "hi": 9}[mode])
    if t.kind == "R":
        return t.value + (1 if mode == "hi" else 0)
    return t.value


def _int(toks: list[_Tok], mode: str, first: int) -> Fraction:
    if not toks:
        raise Invalid("empty")
    bpos = [i for i, t in enumerate(toks) if t.kind == "B"]
    if bpos:
        top = max(toks[i].value for i in bpos)
        i = max(j for j in bpos if toks[j].value == top)
        left, right = toks[:i], toks[i + 1:]
        if left and left[-1].kind == "O":
            left = left[:-1]
        if not left:
            raise Invalid("magnitude without a number")
        return _int(left, mode, first) * top + _rest(right, top, mode, first)
    upos = [i for i, t in enumerate(toks) if t.kind == "U"]
    if upos:
        top = max(toks[i].value for i in upos)
        hits = [j for j in upos if toks[j].value == top]
        if len(hits) > 1:
            raise Invalid("unit twice")
        i = hits[0]
        left, right = toks[:i], toks[i + 1:]
        if left and left[-1].kind == "O":
            left = left[:-1]
        if not left or (len(left) == 1 and left[0].kind == "Z"):
            lv = Fraction(1)                        # 十五, 百三, 零十
        elif len(left) == 1 and left[0].kind in "DVRA":
            lv = _slot(left[0], mode, left[0].start == first)
        else:
            raise Invalid("bad multiplier")
        return lv * top + _rest(right, top, mode, first)
    if len(toks) == 1:
        t = toks[0]
        if t.kind in "DVRAZF":
            return _slot(t, mode, t.start == first)
        raise Invalid("not a number")
    # 二〇二三: digit by digit, only with a zero character (a year-like string)
    if all(t.kind in "DZ" for t in toks) and any(t.kind == "Z" for t in toks) \
            and not any(t.char in "两兩俩倆" for t in toks):
        return Fraction(int("".join(str(int(t.value)) for t in toks)))
    raise Invalid("digits without units")


def _rest(right: list[_Tok], unit: Fraction, mode: str, first: int) -> Fraction:
    if not right:
        return Fraction(0)
    if right[0].kind == "Z":
        r = right
        while r and r[0].kind == "Z":
            r = r[1:]
        if not r:
            raise Invalid("trailing zero")
        v = _int(r, mode, first)
        if v >= unit:
            raise Invalid("part too large")
        return v
    if len(right) == 1 and unit >= 10:
        t = right[0]
        if t.kind in "DVR":                                   # 一万三, 十五, 四百五
            return _slot(t, mode, False) * (unit // 10)
        if t.kind == "A" and t.is_int and len(t.char) == 1 and unit >= 100:   # 3万4
            return t.value * (unit // 10)
    v = _int(right, mode, first)
    if v >= unit:
        raise Invalid("part too large")
    return v


@dataclass
class _Result:
    value: Fraction
    low: Fraction | None
    high: Fraction | None
    vague: bool
    over: bool
    mult: int
    form: str
    bare: bool
    single: bool
    end_tok: int          # exclusive index of the last token in the span (trailing 多 excluded)


def _evaluate(toks: list[_Tok]) -> _Result:
    n_all = len(toks)
    sign = 1
    body = toks
    if body and body[0].kind == "N":
        sign = -1
        body = body[1:]
    over = False
    end_tok = n_all
    if body and body[-1].kind == "O":
        over = True
        body = body[:-1]
        end_tok = n_all - 1
    if not body:
        raise Invalid("empty")
    if any(t.kind == "O" for t in body):
        for i, t in enumerate(body):
            if t.kind == "O" and not (0 < i < len(body) - 1 and body[i + 1].kind in "UB"):
                raise Invalid("多 in the wrong place")
        over = True
    kinds = {t.kind for t in body}
    if "A" in kinds and sum(1 for t in body if t.kind == "A") == len(body):
        raise Invalid("plain Arabic number")      # left to the Arabic scanner
    first = body[0].start
    # bare magnitudes: 万, 百万, 千万, 万亿 (not 十...: 十 alone is ten)
    if kinds <= {"U", "B"} and body[0].char not in "十拾":
        vals = [t.value for t in body]
        if any(b < a for a, b in zip(vals, vals[1:])):
            raise Invalid("decreasing magnitudes")
        v = Fraction(1)
        for x in vals:
            v *= x
        mult = 1
        for t in reversed(body):
            if t.kind != "B":
                break
            mult *= int(t.value)
        return _Result(sign * v, None, None, False, over, mult, "bare", True, False, end_tok)
    form = "int"
    mult = 1
    if "P" in kinds:
        p = [i for i, t in enumerate(body) if t.kind == "P"]
        if len(p) > 1:
            raise Invalid("two points")
        p = p[0]
        int_part, after = body[:p], body[p + 1:]
        digits = []
        k = 0
        while k < len(after) and after[k].kind in "DZ" and after[k].char not in "两兩俩倆":
            digits.append(str(int(after[k].value)))
            k += 1
        rest = after[k:]
        if not digits or not int_part:
            raise Invalid("bad decimal")
        if rest and not (len(rest) == 1 and rest[0].kind == "B" and not any(t.kind in "BU" for t in int_part)):
            raise Invalid("bad decimal tail")
        frac = Fraction(int("".join(digits)), 10 ** len(digits))

        def value(mode: str) -> Fraction:
            v = _int(int_part, mode, first) + frac
            return v * rest[0].value if rest else v
        if rest:
            mult = int(rest[0].value)
        form = "decimal"
    else:
        def value(mode: str) -> Fraction:
            return _int(body, mode, first)
        for t in reversed(body):
            if t.kind != "B":
                break
            mult *= int(t.value)
        if any(t.kind == "A" and not t.is_int for t in body):
            form = "decimal"
        elif len(body) > 1 and kinds <= {"D", "Z"}:
            form = "digitwise"
    v = value("v")
    vague = bool(kinds & {"V", "R"})
    low = high = None
    if vague:
        low, high = sign * value("lo"), sign * value("hi")
        if sign < 0:
            low, high = high, low
    single = len(body) == 1 and body[0].kind in "DZ" and sign == 1
    return _Result(sign * v, low, high, vague, over, mult, form, False, single, end_tok)


_DIGIT = regex.compile(r"\d")
_object_new = object.__new__
_object_setattr = object.__setattr__


@functools.lru_cache(maxsize=8192)
def _parse_run(run: str) -> tuple[tuple, ...]:
    """The numerals of one run, offsets relative to the run (a run's parse does not depend on
    where it stands, and the same runs -- 一, 两, 几, 10亿 -- recur all over a corpus):
    ``(start, end, ext_end or -1, has a digit, fields)``."""
    ambiguous = _ambiguous_single()
    toks = _tokenize(run, 0)
    found = []
    i = 0
    n = len(toks)
    while i < n:
        res = None
        j = n
        while j > i:
            try:
                res = _evaluate(toks[i:j])
                break
            except Invalid:
                j -= 1
        if res is None:
            i += 1
            continue
        span = toks[i:j]
        start = span[0].start
        end = span[res.end_tok - 1].end
        ext = span[-1].end if res.end_tok < len(span) else -1
        found.append((start, end, ext, bool(_DIGIT.search(run, start, max(end, ext))), new_numeral(
            start, end, res.value, low=res.low, high=res.high, vague=res.vague, over=res.over,
            ext_end=ext, mult=res.mult, script="zh", form=res.form, single=res.single, bare=res.bare,
            ambiguous=run[start:end] in ambiguous).__dict__))
        i = j
    return tuple(found)


@functools.cache
def _ambiguous_single() -> frozenset[str]:
    return frozenset(lexicon()["zh"]["ambiguous_single"])


def scan_marked(text: str) -> tuple[list[Numeral], list[tuple[int, int]]]:
    """:func:`scan`, and the spans (start, stop) of the numerals with an Arabic digit in them
    (only those can overlap a numeral of the Arabic scanner)."""
    out: list[Numeral] = []
    marked: list[tuple[int, int]] = []
    for base, stop in _runs(text):
        if stop - base > 200:
            continue                                        # not prose
        for start, end, ext, digit, fields in _parse_run(text[base:stop]):
            d = fields.copy()
            d["start"] = base + start
            d["end"] = base + end
            if ext >= 0:
                d["ext_end"] = base + ext
            n = _object_new(Numeral)
            _object_setattr(n, "__dict__", d)                # a Numeral with d as its fields (see new_numeral)
            out.append(n)
            if digit:
                marked.append((base + start, base + (end if ext < 0 else ext)))
    return out, marked


def scan(text: str) -> list[Numeral]:
    """Chinese numerals in ``text`` (runs made only of Arabic digits are left out)."""
    return scan_marked(text)[0]
