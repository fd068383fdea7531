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
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import regex
import yaml

from ...numerals import Numeral, Spans, find_numerals, numeral_chars
from ...numerals._core import char_after, edge_chars
from ...numerals.modifiers import distribute, is_range_gap, qualifier_after, qualifier_before, value_fields
from ..base import Draft, ExtractContext

__all__ = ["extract", "discount_spans", "unit_after"]

_HERE = Path(__file__).resolve().parent
_CLAUSE_END = regex.compile(r"[，。；;！？!?\n,]")
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


@functools.cache
def _lex() -> dict[str, Any]:
    with (_HERE / "units.yaml").open(encoding="utf-8") as fh:
        d = yaml.safe_load(fh)
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
        "share_re": regex.compile(rf"[ ]{{0,4}}(?P<u>{_alt(all_shares, spaced=True)})", regex.I),
        "share_of": share_of,
        "times_re": regex.compile(rf"[ ]?(?:{_alt(d['times'])})|x(?![A-Za-z0-9])"
                                  rf"|[ ](?:{_alt(d['times_en'])})(?=[ ]+(?:{_alt(d['times_en_before'])}))", regex.I),
        "not_after_en": frozenset(d["not_after_en"]),
        "count_zh_re": regex.compile(rf"[ ]{{0,2}}(?:(?P<cls>{_alt(d['classifiers_zh'])})[ ]?)?"
                                     rf"(?P<noun>{_alt(d['nouns_zh'])})?"),
        "time_re": regex.compile(rf"[ ]?(?:{_alt(d['time_words'])})"),
        "count_en_re": regex.compile(rf"[ ]+(?P<unit>(?:(?:{_alt(d['noun_modifiers_en'])})[ ]+){{0,2}}"
                                     rf"(?:{_alt(d['nouns_en'])}))", regex.I),
        "not_after": tuple(d["not_after"]),
        "zhe_re": regex.compile(zhe),
        "cheng_re": regex.compile(cheng),
        "digit_map": {**{c: i for i, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2, "俩": 2, "壹": 1,
                      "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
                      **{str(i): i for i in range(10)}},
        "trigger_window": int(triggers["window"]),
        "unit_after_re": regex.compile(
            rf"[ ]{{0,2}}(?:{_alt(all_shares)}|{_alt(d['times'])}|{_alt(d['classifiers_zh'])}"
            rf"|{_alt(d['nouns_zh'])}|{_alt(d['time_words'])}|[折成号])", regex.I),
        "percent_of_re": regex.compile(r"(?<![A-Za-z0-9.][ ]?)(?<![A-Za-z])(?:percents?|per[ ]?cent)[ ]+of[ ]+", regex.I),
    }


def count_trigger_nouns() -> tuple[str, ...]:
    """Nouns that make a bare Chinese number a count (用户达到17亿), from ``units.yaml``."""
    return tuple(_lex()["d"]["count_triggers"]["nouns"])


@functools.cache
def _trigger_regex() -> regex.Pattern:
    from ..money import money_trigger_words

    return regex.compile(_alt(list(count_trigger_nouns()) + list(money_trigger_words())))


def unit_after(text: str, pos: int) -> bool:
    """A quantity unit, a classifier or a time word stands at ``pos`` (used by money)."""
    return bool(_lex()["unit_after_re"].match(text, pos))


@functools.lru_cache(maxsize=16)
def _discounts(text: str) -> tuple[_Q, ...]:
    lex = _lex()
    dm = lex["digit_map"]
    out = []
    for m in lex["zhe_re"].finditer(text):
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
    for m in lex["cheng_re"].finditer(text):
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
    """(unit, end, rule) of the unit right after numeral ``n``, or None."""
    lex = _lex()
    if char_after(text, n.stop) not in lex["unit_first"]:
        return None
    m = lex["share_re"].match(text, n.stop)
    if m:
        return lex["share_of"][regex.sub(r"\s+", "", m.group("u")).lower()], m.end(), "quantity.share"
    m = lex["times_re"].match(text, n.stop)
    if m and (m.group() != "x" or n.script != "zh"):
        return "times", m.end(), "quantity.times"
    if n.attached or n.form == "fraction" or _after_rank(text, n):
        return None
    m = lex["count_en_re"].match(text, n.stop)
    if m and n.script != "zh" and (not n.ambiguous or n.mult > 1):
        return m.group("unit"), m.end(), "quantity.count"
    if n.script == "en" or (n.script == "zh" and (n.high if n.vague else n.value) < 10 and not n.over):
        return None                                     # 一个, 两家, 两三个: determiners more than counts
    m = lex["count_zh_re"].match(text, n.stop)
    if m and (m.group("cls") or m.group("noun")):
        if m.group("noun") and not _cut(text, m.group("noun"), m.end("noun")):
            return m.group("noun"), m.end(), "quantity.count"
        cls = m.group("cls")
        if cls and not lex["time_re"].match(text, m.end("cls")) and not _cut(text, cls, m.end("cls")):
            latin = _LATIN_NOUN.match(text, m.end("cls"))
            if latin:  # 15万块H100: the counted thing is the model name after the classifier
                return latin.group(), latin.end(), "quantity.count"
            return cls, m.end("cls"), "quantity.count"
    return None


#: a product or model name right after a classifier (H100, A100, GPU)
_LATIN_NOUN = regex.compile(r"(?:[A-Z][A-Za-z0-9]*\d[A-Za-z0-9]*|[GCT]PUs?)(?![A-Za-z0-9])")


def _cut(text: str, unit: str, end: int) -> bool:
    """The unit's last character starts a longer word (人工智能, 家电, 位数)."""
    rest = _lex()["d"]["not_before"].get(unit[-1])
    return bool(rest) and text.startswith(tuple(rest), end)


@functools.lru_cache(maxsize=16)
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
    for k, n in enumerate(nums):
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
    by_start = {n.start: i for i, n in enumerate(nums)}
    for m in lex["percent_of_re"].finditer(text):
        k = by_start.get(m.end())
        if k is not None and k not in used and free(nums[k]):
            n = nums[k]
            out.append(_Q(m.start(), n.end, n.value, None, None, "percent", "quantity.percent_of", [k]))
            used.add(k)
    out += _trigger_counts(text, nums, used, taken, lang)
    return tuple(_ranges(text, nums, sorted(out, key=lambda q: q.start), used))


def _trigger_counts(text: str, nums: tuple[Numeral, ...], used: set[int], taken: Spans,
                    lang: str) -> list[_Q]:
    if lang == "en":
        return []
    lex = _lex()
    out = []
    for k, n in enumerate(nums):
        if k in used or not _eligible(text, n) or n.attached or n.single or n.per is not None:
            continue
        if taken.overlaps(n.start, n.stop):
            continue
        if not (abs(n.mult) >= 10 ** 4 or (n.value >= 1000 and n.script == "zh")):
            continue
        if unit_after(text, n.stop) or text[n.stop:n.stop + 1] in ("年", "月", "日", "号"):
            continue
        lo = max(0, n.start - lex["trigger_window"])
        window = text[lo:n.start]
        cut = [m.end() for m in _CLAUSE_END.finditer(window)]
        base = lo + (cut[-1] if cut else 0)
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
        if q.qualifier == "range":
            qual = "range"
        elif q.vague:
            qual = "vague"
        else:
            qual = qualifier_before(text, q.start, lang, q.bare) or qualifier_after(text, q.end, lang)
            if qual is None:
                qual = "over" if q.over else "exact"
        fields = value_fields(q.value, q.low, q.high, qual)
        fields["unit"] = q.unit
        fields["qualifier"] = qual
        drafts.append(Draft("quantity", q.start, q.end, q.rule, fields))
    if ctx.latent:
        drafts.extend(_latent_shares(text, drafts))
    return drafts


@functools.cache
def _latent_re() -> regex.Pattern:
    words = sorted(_lex()["d"]["latent_share_words"], key=len, reverse=True)
    return regex.compile("|".join(rf"(?<![A-Za-z]){regex.escape(w)}(?![A-Za-z])" for w in words), regex.I)


def _latent_shares(text: str, found: list[Draft]) -> list[Draft]:
    """"percent"/"%" standing alone (latent: amount null), outside found spans."""
    out = []
    for m in _latent_re().finditer(text):
        if any(d.start < m.end() and m.start() < d.end for d in found):
            continue
        out.append(Draft("quantity", m.start(), m.end(), "quantity.latent_share",
                         {"amount": None, "low": None, "high": None, "unit": "percent", "qualifier": "vague"}))
    return out
