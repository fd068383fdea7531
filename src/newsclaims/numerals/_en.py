"""English number words: ``twenty-five``, ``one hundred and five``, ``a million``,
``3 hundred and 21``, ``2 million``, ``two hundred point zero three``,
``three fifths``, ``one and a half``, ``half a dozen``, ``one over three``.

A regex finds runs of number words (and the Arabic numerals found before, which
combine with scale words: ``1.3 billion``); a parser takes the longest
well-formed numeral from the left of each run.  Fractions follow the peer
suite: the denominator is the longest ordinal compound of at most three words
that leaves a well-formed numerator (``one hundred thirty fifths`` = 100/35,
``one hundred and thirty fifths`` = 130/5), a numerator above one needs a plural
ordinal (``two millionth`` is not a fraction), and ``X and <fraction>`` is a
mixed number only when the fraction is proper.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from fractions import Fraction

import regex

from ._core import Invalid, Numeral, lexicon


@dataclass(frozen=True)
class _Tok:
    kind: str            # U T H S Dz O F AND A PT NEG OVER OUTOF IN OF NUM
    value: Fraction
    start: int
    end: int
    word: str
    plural: bool = False
    joined: bool = False  # joined to the previous token by a hyphen
    num: Numeral | None = None


@functools.cache
def _vocab() -> dict[str, tuple[str, Fraction, bool]]:
    en = lexicon()["en"]
    v: dict[str, tuple[str, Fraction, bool]] = {}
    for w, x in en["units"].items():
        v[w] = ("U", Fraction(x), False)
    for w, x in en["tens"].items():
        v[w] = ("T", Fraction(x), False)
    for w in en["hundred"]:
        v[w] = ("H", Fraction(100), w.endswith("s"))
    for w, x in en["scales"].items():
        v[w] = ("S", Fraction(int(x)), w.endswith("s"))
    for w in en["dozen"]:
        v[w] = ("Dz", Fraction(12), w.endswith("s"))
    for w, x in en["ordinals"].items():
        v[w] = ("O", Fraction(int(x)), False)
        v[w + "s"] = ("O", Fraction(int(x)), True)
    for w, x in en["fractions"].items():
        v[w] = ("F", Fraction(x), w in ("halves", "quarters"))
    for w in en["negative"]:
        v[w] = ("NEG", Fraction(0), False)
    v.update({"and": ("AND", Fraction(0), False), "a": ("A", Fraction(1), False), "an": ("A", Fraction(1), False),
              "point": ("PT", Fraction(0), False), "over": ("OVER", Fraction(0), False),
              "in": ("IN", Fraction(0), False), "of": ("OF", Fraction(0), False)})
    return v


@functools.cache
def _run_regex() -> regex.Pattern:
    en = lexicon()["en"]
    compound_only = set(en["compound_only_ordinals"])
    compound_only |= {w + "s" for w in compound_only}
    core = [w for w, (k, _, _) in _vocab().items()
            if k in ("U", "T", "H", "S", "Dz", "O", "F") and w not in compound_only]
    inner = ["and", "a", "an", "point", "over", r"out\s+of", "in", "of", *sorted(compound_only)]
    lead = ["a", "an", *en["negative"]]
    alt = lambda ws: "|".join(sorted(ws, key=len, reverse=True))  # noqa: E731
    pattern = (rf"(?<![A-Za-z])(?:(?:{alt(lead)}){_SEP})*(?:(?:{alt(core)})\b|{_ARAB})"
               rf"(?:{_SEP}(?:(?:{alt(core)}|{alt(inner)})\b|{_ARAB}))*")
    return regex.compile(pattern, regex.IGNORECASE)


@functools.cache
def _hit_words() -> frozenset[str]:
    """Words that can be part of a numeral run's core (a run is looked for around each)."""
    en = lexicon()["en"]
    compound_only = set(en["compound_only_ordinals"])
    compound_only |= {w + "s" for w in compound_only}
    words = {w for w, (k, _, _) in _vocab().items()
             if k in ("U", "T", "H", "S", "Dz", "O", "F") and w not in compound_only}
    return frozenset(words | {"over", "out"} | set(en["negative"]))


@functools.cache
def _back_regex() -> regex.Pattern:
    """Tokens that may stand before a core word inside a run (read backwards)."""
    en = lexicon()["en"]
    words = ["and", "a", "an", "point", "over", "in", "of", "out", *en["negative"]]
    alt = "|".join(sorted(words, key=len, reverse=True))
    return regex.compile(rf"(?r)(?:(?:{_ARAB}|(?<![A-Za-z])(?:{alt})){_SEP})*", regex.IGNORECASE)


_ARAB = r"\d+(?:[.,]\d+)*"
_SEP = r"(?:[ \t]*-[ \t]*|[ \t]+)"
_WORD = regex.compile(r"[A-Za-z]+")
_TOKSTART = regex.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")


def _runs(text: str):
    """Runs of number words: found around each core word (a Python scan of the words is
    cheaper than one regex tried at every position of an English text)."""
    hits = _hit_words()
    run_re = _run_regex()
    covered = 0
    for wm in _WORD.finditer(text):
        if wm.start() < covered or wm.group().lower() not in hits:
            continue
        back = _back_regex().match(text, 0, wm.start())
        starts = [t.start() for t in _TOKSTART.finditer(text, back.start(), wm.start())] + [wm.start()]
        for s in starts:
            r = run_re.match(text, s)
            if r and r.end() > wm.start():
                covered = r.end()
                yield r
                break


_TOKEN = regex.compile(r"(?i)out\s+of|[a-z]+|\d+(?:[.,]\d+)*|-")

#: bytes: ASCII letters kept, every other byte a space
_LETTERS_ONLY = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))


@functools.cache
def _hit_words_ascii() -> frozenset[bytes]:
    return frozenset(w.encode("ascii") for w in _hit_words() if w.isascii())


def _has_hit_word(text: str) -> bool:
    """Some maximal run of ASCII letters (a word of ``_WORD``) is a core word (``_hit_words``):
    non-ASCII characters become "?" and every non-letter a space, so ``split()`` gives
    exactly those runs."""
    words = text.encode("ascii", "replace").translate(_LETTERS_ONLY).split()
    return not _hit_words_ascii().isdisjoint(map(bytes.lower, words))


# ---------------------------------------------------------------- evaluation

def _int(toks: list[_Tok]) -> Fraction:
    """Cardinal integers (and Arabic numbers with scale words)."""
    if not toks:
        raise Invalid("empty")
    if toks[-1].kind == "Dz":
        body = toks[:-1]
        if not body:
            raise Invalid("bare dozen")
        ands = [i for i, t in enumerate(body) if t.kind == "AND"]
        if ands:
            k = ands[-1]
            return _int(body[:k]) + _int(body[k + 1:]) * 12
        if len(body) == 1 and body[0].kind == "A":
            return Fraction(12)
        return _int(body) * 12
    total = Fraction(0)
    group: Fraction | None = None
    g_hund = g_tens = g_unit = g_num = False
    a_pending = False
    last_scale: Fraction | None = None
    after_and = False
    prev: _Tok | None = None
    n = len(toks)
    for k, t in enumerate(toks):
        kind = t.kind
        if kind == "A":
            if group is not None or a_pending or k == n - 1 or toks[k + 1].kind not in ("H", "S", "Dz"):
                raise Invalid("a")
            a_pending = True
        elif kind == "AND":
            if prev is None or k == n - 1 or after_and:
                raise Invalid("and")
            if prev.kind in ("H", "S") or (prev.kind in ("U", "T", "NUM") and g_hund):
                pass
            elif prev.kind == "T" and not g_hund and toks[k + 1].kind == "U":
                pass                                        # twenty and three
            else:
                raise Invalid("and")
            after_and = True
        elif kind == "U":
            v = t.value
            if g_num or g_unit or (g_tens and (v == 0 or v >= 10)):
                raise Invalid("unit")
            if v == 0 and (group is not None or total):
                raise Invalid("zero")
            group = (group or 0) + v
            g_unit = True
            after_and = False
        elif kind == "T":
            if g_num or g_tens or g_unit:
                raise Invalid("tens")
            group = (group or 0) + t.value
            g_tens = True
            after_and = False
        elif kind == "NUM":
            v = t.value
            if group is not None:
                if not (g_hund and not g_tens and not g_unit and not g_num):
                    raise Invalid("number after number")
                if v.denominator != 1 or not 0 < v < 100:
                    raise Invalid("number after hundred")
            elif prev is not None:
                if prev.kind == "AND" and v <= 0:
                    raise Invalid("zero after and")
                if last_scale is not None and (v >= last_scale or v.denominator != 1 or v <= 0):
                    raise Invalid("number after scale")
            group = (group or 0) + v
            g_num = True
            after_and = False
        elif kind == "H":
            if a_pending:
                group, a_pending = Fraction(1), False
            if group is None or g_hund:
                raise Invalid("hundred")
            if group >= 100 and not g_num:
                raise Invalid("hundred")
            group *= 100
            g_hund, g_tens, g_unit, g_num = True, False, False, False
        elif kind == "S":
            if a_pending:
                group, a_pending = Fraction(1), False
            if group is None:
                if prev is not None and prev.kind == "S" and t.value > prev.value:
                    total *= t.value                        # three lakh crore
                    last_scale = t.value
                    prev = t
                    continue
                raise Invalid("scale")
            if last_scale is not None and t.value >= last_scale:
                total = (total + group) * t.value
            else:
                total += group * t.value
            last_scale = t.value
            group = None
            g_hund = g_tens = g_unit = g_num = False
        else:
            raise Invalid(kind)
        prev = t
    if a_pending or (prev is not None and prev.kind == "AND"):
        raise Invalid("dangling")
    return total + (group or 0)


def _cardinal(t: _Tok) -> _Tok:
    """The cardinal token of an ordinal (fifth -> five, hundredth -> hundred)."""
    v = t.value
    if v < 20:
        kind = "U"
    elif v < 100:
        kind = "T"
    elif v == 100:
        kind = "H"
    else:
        kind = "S"
    return _Tok(kind, v, t.start, t.end, t.word)


def _simple_fraction(toks: list[_Tok]) -> tuple[Fraction, Fraction | None]:
    """``three fifths``, ``a hundred trillionths``, ``half``, ``a quarter million``."""
    scale: Fraction | None = None
    if toks and toks[-1].kind in ("S", "Dz"):
        scale = toks[-1].value
        toks = toks[:-1]
        if toks and toks[-1].kind == "A":
            toks = toks[:-1]
            if toks and toks[-1].kind == "OF":
                toks = toks[:-1]
    if not toks or toks[-1].kind not in ("O", "F"):
        raise Invalid("no denominator")
    last = toks[-1]
    compound_only = set(lexicon()["en"]["compound_only_ordinals"])
    if len(toks) == 1:
        if last.word == "half":
            return Fraction(1, 2), scale
        if last.word == "quarter" and scale is not None:
            return Fraction(1, 4), scale
        raise Invalid("bare ordinal")
    for k in range(1, len(toks)):
        if toks[k].joined and toks[k - 1].kind == "T" and toks[k].kind in ("U", "O"):
            continue                                        # twenty-first stays together
        numer, denom = toks[:k], toks[k:]
        if sum(1 for t in denom if t.kind != "AND") > 3 or any(t.kind == "NUM" for t in numer):
            continue
        if len(numer) == 1 and numer[0].kind == "A":
            nv = Fraction(1)
        else:
            try:
                nv = _int(numer)
            except Invalid:
                continue
        if len(denom) == 1:
            if last.kind == "O" and last.word.rstrip("s") in compound_only:
                continue
            dv = last.value
        else:
            if last.kind == "F" or denom[0].kind not in ("U", "T"):
                continue
            try:
                dv = _int(denom[:-1] + [_cardinal(last)])
            except Invalid:
                continue
        if dv <= 1:
            continue
        if (nv == 1) == last.plural:
            continue
        return nv / dv, scale
    raise Invalid("no fraction")


def _fractional(toks: list[_Tok]) -> tuple[Fraction, str]:
    ands = [i for i, t in enumerate(toks) if t.kind == "AND"]
    for k in reversed(ands):
        try:
            fv, scale = _simple_fraction(toks[k + 1:])
        except Invalid:
            continue
        if fv >= 1:
            continue
        left = toks[:k]
        try:
            lv = _int(left)
        except Invalid:
            continue
        has_scale = any(t.kind == "S" for t in left)
        if scale is not None:
            return (lv + fv * scale if has_scale else (lv + fv) * scale), "fraction"
        if left[-1].kind == "S":
            return lv + fv * left[-1].value, "fraction"
        return lv + fv, "fraction"
    fv, scale = _simple_fraction(toks)
    return fv * (scale or 1), "fraction"


def _digits(toks: list[_Tok]) -> str:
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "U":
            out.append(str(int(t.value)))
        elif t.kind == "T":
            if i + 1 < len(toks) and toks[i + 1].kind == "U" and toks[i + 1].value < 10 and toks[i + 1].joined:
                out.append(str(int(t.value + toks[i + 1].value)))
                i += 1
            else:
                out.append(str(int(t.value)))
        else:
            raise Invalid("not a digit word")
        i += 1
    if not out:
        raise Invalid("no digits")
    return "".join(out)


def _evaluate(toks: list[_Tok]) -> tuple[Fraction, str]:
    sign = 1
    if toks and toks[0].kind == "NEG":
        sign = -1
        toks = toks[1:]
    if not toks:
        raise Invalid("empty")
    for conn in ("OVER", "OUTOF", "IN"):
        idx = [i for i, t in enumerate(toks) if t.kind == conn]
        if idx:
            if len(idx) > 1:
                raise Invalid("two connectors")
            k = idx[0]
            num, den = _int(toks[:k]), _int(toks[k + 1:])
            if den == 0 or (conn == "IN" and num != 1) or (conn == "OUTOF" and num >= den):
                raise Invalid("not a fraction")
            return sign * num / den, conn.lower()
    if any(t.kind in ("O", "F") for t in toks):
        v, form = _fractional(toks)
        return sign * v, form
    if any(t.kind == "PT" for t in toks):
        p = next(i for i, t in enumerate(toks) if t.kind == "PT")
        int_part, rest = toks[:p], toks[p + 1:]
        scale = Fraction(1)
        if rest and rest[-1].kind == "S":
            scale = rest[-1].value
            rest = rest[:-1]
        iv = _int(int_part) if int_part else Fraction(0)
        if any(t.kind == "S" for t in int_part):
            raise Invalid("scale before point")
        d = _digits(rest)
        return sign * (iv + Fraction(int(d), 10 ** len(d))) * scale, "decimal"
    v = _int(toks)
    form = "decimal" if v.denominator != 1 else "int"
    return sign * v, form


def scan(text: str, arabic: list[Numeral]) -> tuple[list[Numeral], set[int]]:
    """English word numerals; returns them and the ids of Arabic numerals they absorbed."""
    if not _has_hit_word(text):
        return [], set()                        # no number word: _runs() finds nothing
    vocab = _vocab()
    pron = set(lexicon()["en"]["pronoun_one_after"])
    starts = [a.start for a in arabic]
    out: list[Numeral] = []
    absorbed: set[int] = set()
    for m in _runs(text):
        run = m.group()
        if not any(c.isalpha() for c in run):
            continue
        toks: list[_Tok] = []
        joined = False
        skip_until = -1
        for tm in _TOKEN.finditer(run):
            s, e = tm.start() + m.start(), tm.end() + m.start()
            if s < skip_until:
                continue
            w = tm.group()
            if w == "-":
                joined = True
                continue
            if w[0].isdigit():
                k = bisect.bisect_right(starts, s) - 1
                a = arabic[k] if k >= 0 else None
                if a is None or not (a.start <= s < a.end) or a.attached or a.glued or a.ambiguous \
                        or a.form not in ("int", "decimal"):
                    toks.append(_Tok("BREAK", Fraction(0), s, e, w))
                else:
                    toks.append(_Tok("NUM", a.value, a.start, a.end, w, num=a))
                    skip_until = a.end
                joined = False
                continue
            lw = w.lower()
            if lw.startswith("out"):
                kind, val, plural = "OUTOF", Fraction(0), False
            else:
                kind, val, plural = vocab[lw]
            toks.append(_Tok(kind, val, s, e, lw, plural, joined))
            joined = False
        # split at BREAKs, then parse each piece greedily
        piece: list[_Tok] = []
        for t in toks + [_Tok("BREAK", Fraction(0), 0, 0, "")]:
            if t.kind != "BREAK":
                piece.append(t)
                continue
            _parse_piece(text, piece, out, absorbed, pron)
            piece = []
    return out, absorbed


def _next_is_word(text: str, pos: int) -> bool:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos < len(text) and text[pos].isalpha()


def _parse_piece(text: str, toks: list[_Tok], out: list[Numeral], absorbed: set[int], pron: set[str]) -> None:
    n = len(toks)
    i = 0
    while i < n:
        found = None
        for j in range(min(n, i + 24), i, -1):
            try:
                value, form = _evaluate(toks[i:j])
            except Invalid:
                continue
            if form == "over" and _next_is_word(text, toks[j - 1].end):
                continue                                    # $2000 over 3 years
            found = (j, value, form)
            break
        if found is None:
            i += 1
            continue
        j, value, form = found
        span = toks[i:j]
        if not (len(span) == 1 and span[0].kind == "NUM"):
            for t in span:
                if t.num is not None:
                    absorbed.add(id(t.num))
            mult = 1
            if span[-1].kind == "S":
                mult = int(span[-1].value)
            pronoun = False
            if len(span) == 1 and span[0].word == "one":
                before = text[:span[0].start].rstrip().rsplit(None, 1)
                pronoun = bool(before) and before[-1].lower() in pron
            if form in ("fraction", "over", "outof", "in"):
                form = "int" if value.denominator == 1 and mult > 1 else "fraction"   # half a million
            out.append(Numeral(span[0].start, span[-1].end, value, mult=mult, script="en", form=form,
                               pronoun=pronoun))
        i = j
