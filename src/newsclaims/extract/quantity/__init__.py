"""Quantity extractor (kind ``quantity``): 32%, 百分之十五, 3个百分点, 0.14‰, 70倍,
200万付费用户, 18亿次访问, 15万块H100, 七成, 九折, 1.5 million users, 32 percent.

Built on :func:`newsclaims.numerals.find_numerals`; the units are data
(``units.yaml``).  A numeral becomes a quantity when a unit follows it:

* a share: ``%``/percent -> ``percent``, 个百分点/percentage points ->
  ``percentage_point``, ``‰`` -> ``permille``, 基点/bp -> ``basis_point``;
  百分之X / 千分之X / 万分之X / 百万分之X give the same units (``ppm`` for the
  last); 七成 (tenths) and 九折 (a price at 90%) are ``percent`` too;
* a multiple: 倍, -fold, 10x -> ``times``;
* a count: the counted noun when written (``200万付费用户`` -> 付费用户,
  ``18亿次访问`` -> 访问, ``1.5 million users`` -> users), a model name right after
  the classifier (``15万块H100`` -> H100), else the classifier
  (``5家`` -> 家); a Chinese count may also be stated with
  its noun before it in the same clause (``付费用户达到了200万``).

Left out: numbers inside money mentions, ordinals (第3家), ranks and rates
(前3家, 每75万个), durations (三个月, 10个小时), a single Chinese digit
before a classifier (一个, 两家: a determiner more than a count), numerals
glued to letters (GPT-4, H100 itself), dates and bare years (no unit follows).
Ranges (5-20%, 70亿-650亿参数) are one mention with ``qualifier: range``,
``amount: null`` and ``low``/``high``; qualifiers follow the money rules.
"""
from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import regex

from ...numerals import Numeral, Spans, find_numerals, numeral_chars, numeral_edges
from ...numerals._core import char_after, edge_chars
from ...numerals.modifiers import (distribute, is_range_gap, resolve_qualifier,
                                   standalone_words, value_fields)
from ..base import Draft, ExtractContext
from ...yamlio import load_yaml

__all__ = ["extract", "discount_spans", "unit_after"]

_HERE = Path(__file__).resolve().parent
_LAST_CLAUSE_END = regex.compile(r"(?r)[，。；;！？!?\n,]")     # the last clause end of a string
_SPACES = regex.compile(r"\s+")
_ZH_DIGITS = "零〇一二三四五六七八九两俩壹贰叁肆伍陆柒捌玖"


@dataclass(eq=False)
class _Q:
    start: int
    end: int
    value: Fraction | None
    low: Fraction | None
    high: Fraction | None
    unit: str
    rule: str
    nums: list[int]
    qualifier: str | None = None
    vague: bool = False
    over: bool = False
    bare: bool = False


def _alt(forms: list[str], spaced: bool = False) -> str:
    parts = []
    for f in sorted(set(forms), key=len, reverse=True):
        if spaced and not f.isascii():
            p = "[ ]{0,3}".join(regex.escape(c) for c in f)
        else:
            p = regex.escape(f).replace(r"\ ", r"\s+")
        if f[0].isascii() and f[0].isalpha():
            p = r"(?<![A-Za-z])" + p
        if f[-1].isascii() and f[-1].isalpha():
            p += r"(?![A-Za-z])"
        parts.append(p)
    return "|".join(parts)


def _alt_by_first(forms: list[str], spaced: bool = False, ignorecase: bool = True) -> str:
    """The language of :func:`_alt`, factored on the first character (``个(?:百分点|...)|...``):
    a long alternation is rejected after one character instead of trying every form.

    Inside one first character the forms keep :func:`_alt`'s order, and forms with another
    first character cannot match where these do, so the first alternative that matches is
    the same (with ``ignorecase``, a first character stands for its lower case; else for
    itself).  The look-behind of a Latin form moves after its first character
    (``(?<![A-Za-z].)``: that character is the form's own, never a newline).
    """
    groups: dict[str, tuple[str, list[str]]] = {}
    for f in sorted(set(forms), key=len, reverse=True):
        if not f or f[0].isspace() or "\\" in f:
            raise ValueError(f"unit form {f!r} cannot be factored")
        if spaced and not f.isascii():
            rest = "".join("[ ]{0,3}" + regex.escape(c) for c in f[1:])
        else:
            rest = regex.escape(f[1:]).replace(r"\ ", r"\s+")
        if f[0].isascii() and f[0].isalpha():
            rest = r"(?<![A-Za-z].)" + rest
        if f[-1].isascii() and f[-1].isalpha():
            rest += r"(?![A-Za-z])"
        key = f[0].lower() if ignorecase else f[0]
        groups.setdefault(key, (regex.escape(f[0]), []))[1].append(rest)
    return "|".join(first + "(?:" + "|".join(rests) + ")" for first, rests in groups.values())


@functools.cache
def _lex() -> dict[str, Any]:
    with (_HERE / "units.yaml").open(encoding="utf-8") as fh:
        d = load_yaml(fh)
    share_of = {}
    for unit, forms in d["shares"].items():
        for f in forms:
            share_of[regex.sub(r"\s+", "", f).lower()] = unit
    all_shares = [f for forms in d["shares"].values() for f in forms]
    nc = regex.escape(numeral_chars())
    digit = f"[{_ZH_DIGITS}0-9]"
    zhe = (rf"(?<![{nc}第])(?P<a>{digit})(?:[ ]?(?P<b>{digit})|[ ]?[.点][ ]?(?P<c>{digit}))?[ ]{{0,2}}折"
           rf"(?!{_alt(d['not_after_zhe'])})|(?<=打)(?P<dui>对折)|(?<![{nc}])(?P<ban>半折)")
    cheng = (rf"(?<![{nc}第])(?:(?P<p>{digit})(?=[{_ZH_DIGITS}]成))?(?P<a>10|十|{digit})"
             rf"(?:[ ]?[.点][ ]?(?P<c>{digit}))?[ ]{{0,2}}成"
             rf"(?P<tail>半|[ ]?{digit}(?![0-9十百千万亿{_ZH_DIGITS}]))?(?!{_alt(d['not_after_cheng'])})"
             rf"|(?<![{nc}])(?P<ban>半成)")
    triggers = d["count_triggers"]
    unit_forms = (all_shares + d["times"] + d["times_en"] + d["classifiers_zh"] + d["nouns_zh"] + d["nouns_en"]
                  + d["noun_modifiers_en"] + ["x"])
    return {
        "d": d,
        "unit_first": edge_chars(unit_forms),
        "share_re": regex.compile(rf"[ ]{{0,4}}(?P<u>{_alt_by_first(all_shares, spaced=True)})", regex.I),
        "share_of": share_of,
        "times_re": regex.compile(rf"[ ]?(?:{_alt(d['times'])})|x(?![A-Za-z0-9])"
                                  rf"|[ ](?:{_alt(d['times_en'])})(?=[ ]+(?:{_alt(d['times_en_before'])}))", regex.I),
        "not_after_en": frozenset(d["not_after_en"]),
        "count_zh_re": regex.compile(
            rf"[ ]{{0,2}}(?:(?P<cls>{_alt_by_first(d['classifiers_zh'], ignorecase=False)})[ ]?)?"
            rf"(?P<noun>{_alt_by_first(d['nouns_zh'], ignorecase=False)})?"),
        "time_re": regex.compile(rf"[ ]?(?:{_alt_by_first(d['time_words'], ignorecase=False)})"),
        "count_en_re": regex.compile(rf"[ ]+(?P<unit>(?:(?:{_alt_by_first(d['noun_modifiers_en'])})[ ]+){{0,2}}"
                                     rf"(?:{_alt_by_first(d['nouns_en'])}))", regex.I),
        # _unit_for: whatever share_re or times_re can match matches here; whatever count_en_re
        # or count_zh_re (with a classifier or a noun, case-sensitive) can match matches there
        "share_times_re": regex.compile(
            rf"[ ]{{0,4}}(?:{_alt_by_first(all_shares, spaced=True)})"
            rf"|[ ]?(?:{_alt(d['times'])})|x(?![A-Za-z0-9])"
            rf"|[ ](?:{_alt(d['times_en'])})(?=[ ]+(?:{_alt(d['times_en_before'])}))", regex.I),
        "count_any_re": regex.compile(
            rf"[ ]+(?:(?:{_alt_by_first(d['noun_modifiers_en'])})[ ]+){{0,2}}(?:{_alt_by_first(d['nouns_en'])})"
            rf"|(?-i:[ ]{{0,2}}(?:{_alt_by_first(d['classifiers_zh'], ignorecase=False)})"
            rf"|[ ]{{0,2}}(?:(?:{_alt_by_first(d['classifiers_zh'], ignorecase=False)})[ ]?)?"
            rf"(?:{_alt_by_first(d['nouns_zh'], ignorecase=False)}))",
            regex.I),
        "not_after": tuple(d["not_after"]),
        "zhe_re": regex.compile(zhe),
        "cheng_re": regex.compile(cheng),
        # the character right before 折 / 成 in any match (up to two spaces between): see _finditer_at
        "zhe_before": frozenset(_ZH_DIGITS + "0123456789对半"),
        "cheng_before": frozenset(_ZH_DIGITS + "0123456789十半"),
        "digit_map": {**{c: i for i, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2, "俩": 2, "壹": 1,
                      "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
                      **{str(i): i for i in range(10)}},
        "trigger_window": int(triggers["window"]),
        "unit_after_re": regex.compile(
            rf"[ ]{{0,2}}(?:{_alt_by_first(all_shares)}|{_alt_by_first(d['times'])}"
            rf"|{_alt_by_first(d['classifiers_zh'])}|{_alt_by_first(d['nouns_zh'])}"
            rf"|{_alt_by_first(d['time_words'])}|[折成号])", regex.I),
        "percent_of_re": regex.compile(r"(?<![A-Za-z0-9.][ ]?)(?<![A-Za-z])(?:percents?|per[ ]?cent)[ ]+of[ ]+", regex.I),
    }


def count_trigger_nouns() -> tuple[str, ...]:
    """Nouns that make a bare Chinese number a count (用户达到17亿), from ``units.yaml``."""
    return tuple(_lex()["d"]["count_triggers"]["nouns"])


@functools.cache
def _trigger_regex() -> regex.Pattern:
    from ..money import money_trigger_words

    return regex.compile(_alt_by_first(list(count_trigger_nouns()) + list(money_trigger_words()), ignorecase=False))


def unit_after(text: str, pos: int) -> bool:
    """A quantity unit, a classifier or a time word stands at ``pos`` (used by money)."""
    return bool(_lex()["unit_after_re"].match(text, pos))


def _finditer_at(pattern: regex.Pattern, text: str, mark: str, before: frozenset[str]):
    """``pattern.finditer(text)`` for the 折/成 patterns, searched only around their mark.

    Every match holds exactly one ``mark``, at most 9 characters after its start, right after
    (up to two spaces) a character of ``before``; what decides a match after the mark lies
    within 6 characters.  So each mark with such a character before it is searched in a
    window around it, from the end of the previous match on: the first match starting at or
    before the mark is the one ``finditer`` finds, and none starting there means no match holds
    that mark.  Texts without the mark cost one ``in``.
    """
    if mark not in text:
        return
    last = 0
    c = text.find(mark)
    while c >= 0:
        j = c - 1
        if j >= 0 and text[j] == " ":
            j -= 1
            if j >= 0 and text[j] == " ":
                j -= 1
        if j >= 0 and text[j] in before and c >= last:
            m = pattern.search(text, max(last, c - 12), c + 16)
            if m is not None and m.start() <= c:
                yield m
                last = m.end()
        c = text.find(mark, c + 1)


@functools.lru_cache(maxsize=2)  # the text in hand only: see numerals._TEXTS_KEPT
def _discounts(text: str) -> tuple[_Q, ...]:
    lex = _lex()
    dm = lex["digit_map"]
    out = []
    for m in _finditer_at(lex["zhe_re"], text, "折", lex["zhe_before"]):
        if m.group("dui") or m.group("ban"):
            s, e = m.span("dui") if m.group("dui") else m.span("ban")
            out.append(_Q(s, e, Fraction(50), None, None, "percent", "quantity.discount", []))
            continue
        a, b, c = m.group("a"), m.group("b"), m.group("c")
        if b is not None:
            v = Fraction(dm[a] * 10 + dm[b])
        elif c is not None:
            v = (dm[a] + Fraction(dm[c], 10)) * 10
        else:
            v = Fraction(dm[a] * 10)
        if v <= 0 or v >= 100:
            continue
        out.append(_Q(m.start(), m.end(), v, None, None, "percent", "quantity.discount", []))
    for m in _finditer_at(lex["cheng_re"], text, "成", lex["cheng_before"]):
        if m.group("ban"):
            out.append(_Q(m.start(), m.end(), Fraction(5), None, None, "percent", "quantity.tenths", []))
            continue
        a = m.group("a")
        base = Fraction(10) if a in ("10", "十") else Fraction(dm[a])
        if m.group("c"):
            base += Fraction(dm[m.group("c")], 10)
        tail = (m.group("tail") or "").strip()
        pct = base * 10 + (5 if tail == "半" else (dm[tail] if tail else 0))
        if pct > 100 or pct <= 0:
            continue
        if m.group("p"):
            p = Fraction(dm[m.group("p")])
            if p + 1 != base:
                continue
            out.append(_Q(m.start(), m.end(), None, p * 10, base * 10, "percent", "quantity.tenths", [],
                          vague=True))
            continue
        out.append(_Q(m.start(), m.end(), pct, None, None, "percent", "quantity.tenths", []))
    return tuple(sorted(out, key=lambda q: q.start))


def discount_spans(text: str) -> list[tuple[int, int]]:
    """Spans of 折/成 percentages (the bare-number extractor leaves their digits alone)."""
    return [(q.start, q.end) for q in _discounts(text)]


def _eligible(text: str, n: Numeral) -> bool:
    return not (n.ordinal or n.glued or n.pronoun or n.form == "digitwise")


_PREV_WORD = regex.compile(r"(?r)([A-Za-z.]+)[ ]+")


def _after_rank(text: str, n: Numeral) -> bool:
    """前3家, 第2轮, 每75万个; Top 10 companies, No. 3, page 5."""
    if text[max(0, n.start - 2):n.start].rstrip(" ").endswith(_lex()["not_after"]):
        return True
    w = _PREV_WORD.match(text, max(0, n.start - 16), n.start)
    return bool(w) and w.group(1).lower() in _lex()["not_after_en"]


def _unit_for(text: str, n: Numeral) -> tuple[str, int, str] | None:
    """(unit, end, rule) of the unit right after numeral ``n``, or None.

    A share or a multiple comes first; a count (English, then Chinese) only when no rank
    word stands before the number.  Two union patterns rule out at once the many numerals
    with no share/multiple and no count after them.
    """
    lex = _lex()
    pos = n.stop
    c = text[pos:pos + 1]
    if (char_after(text, pos) if c == " " else c.lower()) not in lex["unit_first"]:
        return None
    # (text, pos, None, False): concurrent=False, the GIL is kept (cheaper for these short matches)
    if lex["share_times_re"].match(text, pos, None, False):
        m = lex["share_re"].match(text, pos, None, False)
        if m:
            return lex["share_of"][_SPACES.sub("", m.group("u")).lower()], m.end(), "quantity.share"
        m = lex["times_re"].match(text, pos, None, False)
        if m and (m.group() != "x" or n.script != "zh"):
            return "times", m.end(), "quantity.times"
    if n.attached or n.form == "fraction" or not lex["count_any_re"].match(text, pos, None, False):
        return None
    found = None
    if n.script != "zh":
        m = lex["count_en_re"].match(text, pos, None, False)
        if m and (not n.ambiguous or n.mult > 1):
            found = m.group("unit"), m.end(), "quantity.count"
    if found is None:
        if n.script == "en" or (n.script == "zh" and (n.high if n.vague else n.value) < 10 and not n.over):
            return None                                 # 一个, 两家, 两三个: determiners more than counts
        found = _count_zh(text, pos)
        if found is None:
            return None
    return None if _after_rank(text, n) else found


def _count_zh(text: str, pos: int) -> tuple[str, int, str] | None:
    lex = _lex()
    pattern = lex["count_zh_re"]
    m = pattern.match(text, pos, None, False)
    if m is None:
        return None
    i_cls, i_noun = pattern.groupindex["cls"], pattern.groupindex["noun"]   # (faster than names)
    cls, noun = m.group(i_cls), m.group(i_noun)
    if cls or noun:
        if noun and not _cut(text, noun, m.end(i_noun)):
            return noun, m.end(), "quantity.count"
        if cls and not lex["time_re"].match(text, m.end(i_cls)) and not _cut(text, cls, m.end(i_cls)):
            latin = _LATIN_NOUN.match(text, m.end(i_cls))
            if latin:  # 15万块H100: the counted thing is the model name after the classifier
                return latin.group(), latin.end(), "quantity.count"
            return cls, m.end(i_cls), "quantity.count"
    return None


#: a product or model name right after a classifier (H100, A100, GPU)
_LATIN_NOUN = regex.compile(r"(?:[A-Z][A-Za-z0-9]*\d[A-Za-z0-9]*|[GCT]PUs?)(?![A-Za-z0-9])")


def _cut(text: str, unit: str, end: int) -> bool:
    """The unit's last character starts a longer word (人工智能, 家电, 位数)."""
    rest = _lex()["d"]["not_before"].get(unit[-1])
    return bool(rest) and text.startswith(tuple(rest), end)


@functools.lru_cache(maxsize=2)  # the text in hand only: see numerals._TEXTS_KEPT
def _analyze(text: str, lang: str) -> tuple[_Q, ...]:
    from ..money import money_spans

    lex = _lex()
    nums = find_numerals(text, lang)
    money = money_spans(text, lang)
    discounts = list(_discounts(text))
    taken = Spans(money + [(q.start, q.end) for q in discounts])

    def free(n: Numeral) -> bool:
        return not taken.overlaps(n.start, n.stop)

    out: list[_Q] = list(discounts)
    used: set[int] = set()
    unit_first = lex["unit_first"]
    # a numeral of 百分之X, or one with a unit's first character after it (past a space,
    # char_after() looks further): _unit_for gives None for the others
    todo = [k for k, c in enumerate(numeral_edges(text, lang).after) if c == " " or c.lower() in unit_first]
    per = [k for k, p in enumerate(map(_PER, nums)) if p is not None]
    if per:
        todo = sorted(set(todo).union(per))
    for k in todo:
        n = nums[k]
        if not free(n) or not _eligible(text, n):
            continue
        if n.per is not None:
            unit = lex["d"]["per_denominators"].get(n.per)
            v, lo, hi = n.value, n.low, n.high
            if unit is None:
                unit = "percent"
                v, lo, hi = (None if x is None else x * 100 / n.per for x in (v, lo, hi))
            out.append(_Q(n.start, n.end, v, lo, hi, unit, "quantity.per", [k], vague=n.vague, over=n.over))
            used.add(k)
            continue
        if n.bare and n.end - n.start < 2 and text[max(0, n.start - 1):n.start] not in ("上", "近", "过", "破"):
            continue
        found = _unit_for(text, n)
        if found is None:
            continue
        unit, end, rule = found
        out.append(_Q(n.start, end, n.value, n.low, n.high, unit, rule, [k], vague=n.vague, over=n.over,
                      bare=n.bare))
        used.add(k)
    # "percent of 10"
    by_start = None
    for m in lex["percent_of_re"].finditer(text):
        if by_start is None:
            by_start = {n.start: i for i, n in enumerate(nums)}
        k = by_start.get(m.end())
        if k is not None and k not in used and free(nums[k]):
            n = nums[k]
            out.append(_Q(m.start(), n.end, n.value, None, None, "percent", "quantity.percent_of", [k]))
            used.add(k)
    out += _trigger_counts(text, nums, used, taken, lang)
    return tuple(_ranges(text, nums, sorted(out, key=lambda q: q.start), used))


_PER = operator.attrgetter("per")
_MULT = operator.attrgetter("mult")
_SCRIPT = operator.attrgetter("script")
_SINGLE = operator.attrgetter("single")


def _trigger_counts(text: str, nums: tuple[Numeral, ...], used: set[int], taken: Spans,
                    lang: str) -> list[_Q]:
    if lang == "en":
        return []
    lex = _lex()
    out = []
    # a magnitude, or a Chinese numeral that may be 1000 or more (a single digit is skipped)
    big = [k for k, (mult, script, single) in enumerate(zip(map(_MULT, nums), map(_SCRIPT, nums),
                                                             map(_SINGLE, nums)))
           if mult >= 10 ** 4 or mult <= -10 ** 4 or (script == "zh" and not single)]
    for k in big:
        n = nums[k]
        if not (abs(n.mult) >= 10 ** 4 or (n.script == "zh" and n.value >= 1000)):
            continue
        if k in used or not _eligible(text, n) or n.attached or n.single or n.per is not None:
            continue
        if taken.overlaps(n.start, n.stop):
            continue
        if unit_after(text, n.stop) or text[n.stop:n.stop + 1] in ("年", "月", "日", "号"):
            continue
        lo = max(0, n.start - lex["trigger_window"])
        window = text[lo:n.start]
        cut = _LAST_CLAUSE_END.search(window)
        base = lo + (cut.end() if cut else 0)
        hits = list(_trigger_regex().finditer(text, base, n.start))
        if not hits or hits[-1].group() not in count_trigger_nouns():
            continue
        unit = hits[-1].group()
        out.append(_Q(n.start, n.end, n.value, n.low, n.high, unit, "quantity.count_trigger", [k],
                      vague=n.vague, over=n.over))
        used.add(k)
    return out


def _ranges(text: str, nums: tuple[Numeral, ...], qs: list[_Q], used: set[int]) -> list[_Q]:
    out: list[_Q] = []
    for q in qs:
        if q.nums and q.value is not None and q.rule != "quantity.count_trigger":
            k = q.nums[0]
            n = nums[k]
            prev = out[-1] if out else None
            if prev and prev.unit == q.unit and prev.value is not None and prev.qualifier is None \
                    and is_range_gap(text, prev.end, q.start, prev.start):
                prev.low, prev.high, prev.value = prev.value, q.value, None
                prev.end, prev.qualifier = q.end, "range"
                continue
            if k > 0 and k - 1 not in used and n.start == q.start and _eligible(text, nums[k - 1]) \
                    and not nums[k - 1].attached and is_range_gap(text, nums[k - 1].stop, n.start, nums[k - 1].start):
                left = nums[k - 1]
                if not any(o.start <= left.start < o.end for o in out):
                    q.low = distribute(left, n)
                    q.high, q.value = q.value, None
                    q.start, q.qualifier = left.start, "range"
                    used.add(k - 1)
        out.append(q)
    return out


def extract(text: str, ctx: ExtractContext) -> list[Draft]:
    lang = ctx.lang or "zh"
    drafts = []
    for q in _analyze(text, lang):
        qual = resolve_qualifier(text, q.start, q.end, lang, range_=q.qualifier == "range", vague=q.vague,
                                 bare=q.bare, over=q.over)
        fields = value_fields(q.value, q.low, q.high, qual)
        fields["unit"] = q.unit
        fields["qualifier"] = qual
        drafts.append(Draft("quantity", q.start, q.end, q.rule, fields))
    if ctx.latent:
        drafts.extend(_latent_shares(text, drafts))
    return drafts


@functools.cache
def _latent_re() -> regex.Pattern:
    return standalone_words(_lex()["d"]["latent_share_words"])


def _latent_shares(text: str, found: list[Draft]) -> list[Draft]:
    """"percent"/"%" standing alone (latent: amount null), outside found spans."""
    out = []
    for m in _latent_re().finditer(text):
        if any(d.start < m.end() and m.start() < d.end for d in found):
            continue
        out.append(Draft("quantity", m.start(), m.end(), "quantity.latent_share",
                         {"amount": None, "low": None, "high": None, "unit": "percent", "qualifier": "vague"}))
    return out
