"""Arabic-digit numerals: ``1,234.5``, ``.5``, ``2e5``, ``1.1^23``, ``3/5``, ``1 3/5``,
``40k``, ``-2.5 M``, ``1 234 567`` (English), ``1,3`` (English decimal comma).

One combined regex finds them; the alternatives are tried in the order of the
``_PARTS`` list, so an IP-like ``192.168.1.2`` is four integers and a date-like
``5/17/2018`` is three, not a fraction.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import regex

from ._core import Numeral, lexicon, new_numeral, numeral_template

_object_new = object.__new__
_object_setattr = object.__setattr__

# suffixes that may stand after a space (2.33 k, -2.5 M, 10 bln); single b/B/T/m only glued (1.2b)
_MAX_CHARS = 48          # longer digit strings are ids (order numbers, hashes), not amounts
_FORMS = ("vulgar", "multidot", "sci", "indian", "thou", "spaced", "dcomma", "frac", "dec", "int")
_SPACED_SUFFIXES = {"k", "K", "M", "G", "MM", "mil", "mln", "mn", "bn", "bln", "tn", "tln"}


@functools.cache
def _scanner(english: bool) -> regex.Pattern:
    lex = lexicon()
    glued = {**lex["suffixes"], **lex["ambiguous_suffixes"]}
    spaced = sorted((s for s in glued if s in _SPACED_SUFFIXES), key=len, reverse=True)
    tight = sorted(glued, key=len, reverse=True)
    suffix = (r"(?P<suf>(?:[ ]{1,2}(?P<sufs>" + "|".join(map(regex.escape, spaced)) + r")|(?P<suft>"
              + "|".join(map(regex.escape, tight)) + r"))(?![A-Za-z]))?")
    sign = (r"(?P<sign>(?<![A-Za-z0-9_.,\-−+/])[-−](?=\.?\d)"  # -5, -.5 (not after a word: GPT-4, 2023-10)
            r"|(?<![^\n(\[])[-−][ ]{1,2}(?=\d)"                # "- 1 4/5" at a line start
            r"|[负負][ ]?(?=\.?\d))?")
    vulgar = "".join(lex["vulgar_fractions"])
    parts = [
        rf"(?P<vulgar>[{vulgar}])",
        r"(?P<multidot>\d+(?:\.\d+){2,})",
        r"(?P<sci>(?:\d+(?:\.\d+)?|(?<![\d.])\.\d+)(?:[eE][+-]?\d{1,3}(?![\d.A-Za-z])|\^[+\-]*\d{1,3}(?!\d)"
        r"|[x×]10\^[+\-]?\d{1,3}(?!\d)))",
    ]
    if english:
        parts.append(r"(?P<indian>\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?)(?![\d,])")
    parts.append(r"(?P<thou>\d{1,3}(?:,\d{3})+(?:\.\d+)?)(?!\d|,\d)")
    if english:
        parts.append(r"(?P<spaced>\d{1,3}(?:[ \u202f\u00a0]\d{3})+(?:\.\d+)?)(?![\d/])")
        parts.append(r"(?P<dcomma>(?<![\d,])\d+,\d{1,2})(?![\d,])")
    parts += [
        r"(?P<frac>\d+/\d+)(?![/\d])",
        r"(?P<dec>\d+\.\d+|(?<![.\d])\.\d+)",
        r"(?P<int>\d+)",
    ]
    return regex.compile(sign + "(?:" + "|".join(parts) + ")" + suffix)


def _clean(s: str) -> str:
    return s.replace(",", "").replace(" ", "").replace("\u202f", "").replace("\u00a0", "")


def _sci_value(s: str) -> Fraction:
    s = s.replace("×", "x")
    if "x10^" in s:
        mant, exp = s.split("x10^")
        return Fraction(mant) * Fraction(10) ** int(exp)
    if "^" in s:
        mant, exp = s.split("^")
        neg = exp.count("-") % 2 == 1
        power = int(exp.lstrip("+-"))
        return Fraction(mant) ** (-power if neg else power)
    return Fraction(s)


@functools.cache
def _suffix_tables() -> tuple[dict[str, int], frozenset[str]]:
    lex = lexicon()
    mults = {k: int(v) for k, v in {**lex["suffixes"], **lex["ambiguous_suffixes"]}.items()}
    return mults, frozenset(lex["ambiguous_suffixes"])


@functools.lru_cache(maxsize=4096)
def _int_value(body: str) -> Fraction:
    return Fraction(int(body))


@functools.lru_cache(maxsize=4096)
def _plain_value(body: str) -> tuple[Fraction, str]:
    """Value and form of a thou/spaced/indian/dec body (grouping characters dropped)."""
    clean = _clean(body)
    if "." in clean:
        whole, _, frac = clean.partition(".")
        return Fraction(int(whole or "0") * 10 ** len(frac) + int(frac), 10 ** len(frac)), "decimal"
    return Fraction(int(clean)), "int"


def _is_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()          # [A-Za-z] for one character


def scan(text: str, english: bool) -> list[Numeral]:
    """All Arabic-digit numerals in ``text``, left to right, non-overlapping."""
    lex = lexicon()
    mults, ambiguous_suffixes = _suffix_tables()
    out: list[Numeral] = []
    append = out.append
    n_text = len(text)
    template = numeral_template()
    for m in _scanner(english).finditer(text, None, None, False, False):   # concurrent=False: keep the GIL
        kind = m.lastgroup
        body_start, body_end = m.span()
        if kind == "int" and text[body_start] not in "-−负負":   # the common case: digits, no sign, no suffix
            if body_end - body_start > _MAX_CHARS:
                continue
            before = text[body_start - 1] if body_start else ""
            after = text[body_end] if body_end < n_text else ""
            d = template.copy()
            d["start"] = body_start
            d["end"] = body_end
            d["value"] = _int_value(m.group())
            if before.isascii() and (before.isalpha() or (before == "-" and body_start >= 2
                                                          and text[body_start - 2].isascii()
                                                          and text[body_start - 2].isalpha())) \
                    or before == "‐" or (after.isascii() and after.isalpha()):
                d["attached"] = _is_letter(before) or _is_letter(after)
                d["glued"] = (before in "-‐" and body_start >= 2 and text[body_start - 2].isascii()
                              and text[body_start - 2].isalpha())
            n = _object_new(Numeral)
            _object_setattr(n, "__dict__", d)                # a Numeral with d as its fields (see new_numeral)
            append(n)
            continue
        if kind not in _FORMS:                              # a suffix group closed last
            groups = m.groupdict()
            kind = next(name for name in _FORMS if groups.get(name) is not None)
        body_start, body_end = m.span(kind)
        body = m.group(kind)
        if len(body) > _MAX_CHARS:
            continue                                        # an id or a hash, not a number
        negative = m.group("sign") is not None
        start = m.start()
        before = text[body_start - 1] if body_start > 0 else ""
        attached_left = _is_letter(before) and not negative
        glued = (before in "-‐" and body_start >= 2 and text[body_start - 2].isascii()
                 and text[body_start - 2].isalpha()) and not negative
        if kind == "multidot":
            pos = body_start
            for piece in body.split("."):
                append(new_numeral(pos, pos + len(piece), Fraction(int(piece)),
                                   attached=attached_left and pos == body_start, glued=glued and pos == body_start))
                pos += len(piece) + 1
            continue
        if kind == "vulgar":
            num, den = lex["vulgar_fractions"][body].split("/")
            append(new_numeral(start, body_end, Fraction(int(num), int(den)) * (-1 if negative else 1),
                               form="fraction"))
            continue
        if kind == "frac":
            num, den = body.split("/")
            chained = body_start >= 2 and text[body_start - 1] in "/-" and text[body_start - 2].isdigit()
            if chained or int(den) == 0:
                append(new_numeral(body_start, body_start + len(num), Fraction(int(num)), glued=glued))
                d0 = body_start + len(num) + 1
                append(new_numeral(d0, d0 + len(den), Fraction(int(den))))
                continue
            value = Fraction(int(num), int(den))
            form = "fraction"
        elif kind == "sci":
            value = _sci_value(body)
            if value and not Fraction(1, 10 ** 40) < abs(value) < 10 ** 40:
                continue
            form = "sci"
        elif kind == "dcomma":
            value = Fraction(body.replace(",", "."))
            form = "decimal"
        elif kind == "int":
            value = _int_value(body)
            form = "int"
        else:
            value, form = _plain_value(body)
        mult = 1
        ambiguous = False
        end = body_end
        suffix = m.group("sufs") or m.group("suft")
        if suffix is not None and form != "fraction":
            mult = mults[suffix]
            ambiguous = suffix in ambiguous_suffixes
            value *= mult
            end = m.end()
        attached = attached_left or (end < n_text and _is_letter(text[end]))
        if negative:
            value = -value
        append(new_numeral(start, end, value, mult=mult, form=form, attached=attached, glued=glued,
                           ambiguous=ambiguous))
    return _mixed_fractions(text, out)


def _mixed_fractions(text: str, nums: list[Numeral]) -> list[Numeral]:
    """``1 3/5`` -> 1.6 (an integer, one or two spaces, a fraction)."""
    out: list[Numeral] = []
    i = 0
    while i < len(nums):
        a = nums[i]
        if (i + 1 < len(nums) and a.form == "int" and a.mult == 1 and not a.attached
                and nums[i + 1].form == "fraction" and 1 <= nums[i + 1].start - a.end <= 2
                and text[a.end:nums[i + 1].start].strip(" ") == ""):
            b = nums[i + 1]
            whole = a.value
            value = whole - b.value if whole < 0 or text[a.start] in "-−负負" else whole + b.value
            out.append(a.with_(end=b.end, value=value, form="fraction", attached=b.attached))
            i += 2
            continue
        out.append(a)
        i += 1
    return out
