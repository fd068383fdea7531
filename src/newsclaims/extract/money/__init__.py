"""Money extractor (kind ``money``): 13亿美元, 约7.44亿美元, $1.3 billion, US$540 million, €4bn.

Built on :func:`newsclaims.numerals.find_numerals` (it never parses digits
itself).  For every numeral it looks for a currency form right after it
(``5.4亿美元``, ``200 USD``, ``50 cents``) or right before it (``$5``,
``US$ 540 million``, ``人民币 50元``); the forms are data (``currencies.yaml``)
compiled into one suffix and one prefix regex.  When one currency token could
belong to the number before it and to the number after it (``10 rmb 20 usd``,
``3 USD50``), a token glued to a number wins, then a symbol binds forward
(``$``) and a name or code backward (``rmb``).

Then, in order:

* composite amounts: 五元三毛 = 5.3, 50元6角三分, 三块五, 两美元又三美分,
  3 dollars 50 cents, thirteen dollars and forty-five cents;
* lists sharing one currency (Chinese): 2.4亿、7.5亿和15.5亿美元 gives three
  USD amounts, the first two with ``currency_implied: true``;
* ranges: 5.6到5.78元, $5-6 million (the magnitude is shared), 5亿至6亿美元:
  one mention, ``qualifier: range``, ``amount: null``, ``low``/``high``;
* bare Chinese amounts with a magnitude after a money word of the same clause
  (市值……1.79 万亿): currency of the nearest explicit amount of the sentence
  (``currency_implied: true``), else null (see ``rules.yaml``);
* qualifier (约/超/至多/左右, about/more than/up to, 多 and 余 inside the
  numeral; vague numerals 数十亿 -> ``vague`` with low/high) and rate
  (30美元/月, 每天70万美元, $20 a month, 每股1.95港元).

Conventions: ``amount`` is in the main unit of the currency (50 cents -> 0.5,
13亿美元 -> 1300000000; int when integral).  ``$``, dollars and cents are USD,
``¥`` is CNY in Chinese text and JPY in English text, pounds are GBP and
rupees INR, always with ``currency_implied: true`` because the text does not
name the country.  ``qualifier`` is one of exact, approx, over, under, range,
vague; over keeps ``amount`` and sets ``low``, under sets ``high``; vague and
range have ``amount: null``.  A bare currency name without a number (美元,
dollar) is not a mention.
"""
from __future__ import annotations

import bisect
import functools
import operator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import regex

from ...numerals import Numeral, Spans, find_numerals, numeral_edges
from ...numerals._core import char_before, edge_chars, heads, skip_spaces, starts_like
from ...numerals.modifiers import (distribute, is_list_gap, is_range_gap, resolve_qualifier, standalone_words,
                                   value_fields)
from ..base import Draft, ExtractContext
from ...yamlio import load_yaml

__all__ = ["extract", "money_spans"]

_HERE = Path(__file__).resolve().parent
_LATIN = regex.compile(r"[A-Za-z]")
_HAN_OR_ALNUM = regex.compile(r"[\p{Han}A-Za-z0-9]")
_LAST_CLAUSE_END = regex.compile(r"(?r)[，。；;！？!?\n,]")  # the last clause end of a string
_LAST_SENTENCE_END = regex.compile(r"(?r)[。！？!?\n]")
_START = operator.attrgetter("start")
_SCALE_AFTER = regex.compile(r"[ ]{1,2}(?P<w>thousand|million|billion|trillion|mn|bn)(?![A-Za-z])", regex.I)
_CENTS_TAIL = regex.compile(r"[ ]{0,2}(?:[.,;:!?)]|$|and\b|more\b)", regex.I)
_CJK_DIGIT_NOT_JIAO = regex.compile(r"[零一二两三四五六七八九十](?![角毛分])")
_MINOR_GAP = regex.compile(r"[ ]{0,2}(?:(?:and|又)[ ]{0,2})?", regex.I)
_SPACES = regex.compile(r"\s+")
_HAN = regex.compile(r"\p{Han}")


@dataclass(frozen=True)
class _Cur:
    code: str | None
    implied: bool = False
    divisor: int = 1
    mult: int = 1
    needs_scale: bool = False
    lang: str | None = None


@dataclass(eq=False)
class _Money:
    start: int
    end: int
    value: Fraction | None
    low: Fraction | None
    high: Fraction | None
    cur: _Cur
    rule: str
    nums: list[int] = field(default_factory=list)
    qualifier: str | None = None   # forced (range)
    implied: bool | None = None    # forced (lists, bare amounts)
    vague: bool = False
    over: bool = False
    bare: bool = False


@functools.lru_cache(maxsize=4096)
def _norm(form: str) -> str:
    if _LATIN.search(form):
        return _SPACES.sub("", form).lower()
    return form


def _alt(forms: list[str]) -> str:
    parts = []
    for f in sorted(set(forms), key=len, reverse=True):
        p = regex.escape(f).replace(r"\ ", "[ ]?")
        if regex.fullmatch(r"[A-Za-z.]{2,}\$|[Cc]\$", f):  # not "a $", "'s $": A$ and S$ only when glued
            p = p[:-2] + r"[ ]?\$"                         # "us $", "c $", "hk $" (tokenised text)
        if f[0].isascii() and f[0].isalpha():
            p = r"(?<![A-Za-z])" + p
        if f[-1].isascii() and f[-1].isalpha():
            p += r"(?![A-Za-z])"
        parts.append(p)
    return "|".join(parts)


def _alt_by_first(forms: list[str]) -> str:
    """The language of :func:`_alt`, factored on the first character: ``u(?:sd|s dollars)|...``.

    The alternatives stay in :func:`_alt`'s order inside each first character (its lower case;
    forms with other first characters cannot match where these do, so the first alternative
    that matches is the same), and a long alternation is rejected after one character instead
    of trying every form.  The look-behind of a Latin form moves after its first character
    (``(?<![A-Za-z].)``: that character is the form's own, never a newline).
    """
    groups: dict[str, tuple[str, list[str]]] = {}
    for f in sorted(set(forms), key=len, reverse=True):
        if not f or f[0] in " \n":
            raise ValueError(f"currency form {f!r} cannot be factored")
        rest = regex.escape(f[1:]).replace(r"\ ", "[ ]?")
        if regex.fullmatch(r"[A-Za-z.]{2,}\$|[Cc]\$", f):  # as in _alt: A$, "us $" ...
            rest = rest[:-2] + r"[ ]?\$"
        if f[0].isascii() and f[0].isalpha():
            rest = r"(?<![A-Za-z].)" + rest
        if f[-1].isascii() and f[-1].isalpha():
            rest += r"(?![A-Za-z])"
        groups.setdefault(f[0].lower(), (regex.escape(f[0]), []))[1].append(rest)
    return "|".join(first + "(?:" + "|".join(rests) + ")" for first, rests in groups.values())


def _alt_by_last(forms: list[str]) -> str:
    """:func:`_alt` factored on the last character, for patterns matched backwards (REVERSE
    flag, the prefix forms): ``(?:u|hk|a)$|...``; same order inside each last character."""
    groups: dict[str, tuple[str, bool, list[str]]] = {}
    for f in sorted(set(forms), key=len, reverse=True):
        if not f or f[-1] in " \n\\":
            raise ValueError(f"currency form {f!r} cannot be factored")
        rest = regex.escape(f[:-1]).replace(r"\ ", "[ ]?")
        if regex.fullmatch(r"[A-Za-z.]{2,}\$|[Cc]\$", f):  # as in _alt: A$, "us $" ...
            rest += "[ ]?"
        if f[0].isascii() and f[0].isalpha():
            rest = r"(?<![A-Za-z])" + rest
        latin = f[-1].isascii() and f[-1].isalpha()
        groups.setdefault(f[-1].lower(), (regex.escape(f[-1]), latin, []))[2].append(rest)
    return "|".join("(?:" + "|".join(rests) + ")" + last + (r"(?![A-Za-z])" if latin else "")
                    for last, latin, rests in groups.values())


@functools.cache
def _lexicon() -> dict[str, Any]:
    with (_HERE / "currencies.yaml").open(encoding="utf-8") as fh:
        data = load_yaml(fh)
    with (_HERE / "rules.yaml").open(encoding="utf-8") as fh:
        rules = load_yaml(fh)
    prefix: dict[str, _Cur] = {}
    suffix: dict[str, _Cur] = {}
    composite: dict[str, _Cur] = {}
    for e in data["currencies"]:
        code, implied, lang = e["code"], bool(e.get("implied")), e.get("lang")
        needs = set(e.get("needs_scale", []))
        minors = e.get("minor", {})
        for f in e.get("prefix", []):
            prefix[_norm(f)] = _Cur(code, implied, int(minors.get(f, 1)), 1, False, lang)
        for f in e.get("suffix", []):
            suffix[_norm(f)] = _Cur(code, implied, 1, 1, f in needs, lang)
        for f, d in minors.items():
            suffix[_norm(f)] = _Cur(code, implied, int(d), 1, False, lang)
            composite[_norm(f)] = _Cur(code, implied, int(d), 1, False, lang)
        for f, d in e.get("minor_composite", {}).items():
            composite[_norm(f)] = _Cur(code, implied, int(d), 1, False, lang)
    codes = data["iso_codes"]
    any_case = dict(codes["any_case"])
    for c in codes["million_prefix"]:
        any_case["M" + c] = c
    for form, code in any_case.items():
        cur = _Cur(code, False, 1, 10 ** 6 if form.startswith("M") and form[1:] in codes["any_case"] else 1)
        prefix.setdefault(form.lower(), cur)
        suffix.setdefault(form.lower(), cur)
    upper = dict(codes["upper_only"])
    for form, code in upper.items():
        prefix.setdefault(form.lower(), _Cur(code))
        suffix.setdefault(form.lower(), _Cur(code))

    def forms_of(key: str) -> list[str]:
        out = []
        for e in data["currencies"]:
            out += e.get(key, [])
        return out
    minor_forms = [f for e in data["currencies"] for f in e.get("minor", {})]
    pre_forms = forms_of("prefix") + list(any_case)
    suf_forms = forms_of("suffix") + minor_forms + list(any_case)
    up = "|".join(sorted(upper, key=len, reverse=True))
    code_upper = rf"(?-i:(?<![A-Za-z])(?:{up})(?![A-Za-z]))"
    suffix_re = regex.compile(rf"(?P<gap>[ ]{{0,2}}|[ ]?-[ ]?)(?P<cur>{_alt_by_first(suf_forms)}|{code_upper})",
                              regex.I)
    # matched backwards from the number (REVERSE flag), longest forms first
    prefix_re = regex.compile(rf"(?r)(?P<cur>{_alt_by_last(pre_forms)}|{code_upper})(?P<gap>[ ]{{0,2}})", regex.I)
    comp_forms = [f for e in data["currencies"] for f in list(e.get("minor", {})) + list(e.get("minor_composite", {}))]
    composite_re = regex.compile(rf"[ ]{{0,2}}(?P<cur>{_alt(comp_forms)})", regex.I)
    rates = rules["rates"]
    rate_after = []
    for rate, spec in rates.items():
        for lg in ("zh", "en"):
            for w in spec[lg]:
                rate_after.append((w, rate))
    markers = [m for lg in ("zh", "en") for m in rules["rate_after_markers"][lg]]
    rate_after_re = regex.compile(
        rf"[ ]{{0,2}}(?:{_alt(markers)})[ ]{{0,2}}-?[ ]{{0,2}}(?:个)?(?P<u>{_alt([w for w, _ in rate_after])})"
        rf"(?![ ]+(?:{_alt(rules['not_rate_after'])}))", regex.I)
    words_after = {w: r for r, ws in rules["rate_after_words"].items() for w in ws}
    words_after_re = regex.compile(rf"[ ]{{0,2}}(?P<u>{_alt(list(words_after))})", regex.I)
    rb = rules["rate_before"]
    trig = rules["bare_amount_triggers"]
    return {
        "prefix_last": edge_chars(pre_forms, last=True) | edge_chars(upper, last=True),
        "suffix_heads": heads(suf_forms) | heads(upper),
        "prefix": prefix, "suffix": suffix, "composite": composite,
        "suffix_re": suffix_re, "prefix_re": prefix_re, "composite_re": composite_re,
        "not_after_yuan": tuple(data["not_after_yuan"]),
        "rate_after_re": rate_after_re, "rate_of": {_norm(w): r for w, r in rate_after},
        "words_after_re": words_after_re, "words_after": {_norm(w): r for w, r in words_after.items()},
        "rate_before": rb,
        "rate_before_words_re": regex.compile(_alt(list(rb["words"]))),
        "periods_re": regex.compile(rf"(?:{_alt(list(rb['periods']) + rb['other_periods'])})"),
        "triggers": tuple(trig["words"]), "trigger_window": int(trig["window"]),
        "triggers_after_re": regex.compile(rf"[ ]?[」”\"'’]?[ ]?的?(?:{_alt(trig['words'])})"),
    }


def _lang_key(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _eligible(text: str, n: Numeral) -> bool:
    if n.ordinal or n.glued or n.pronoun or n.form in ("fraction", "per", "digitwise"):
        return False
    if n.bare and n.end - n.start < 2 and text[max(0, n.start - 1):n.start] not in ("上", "近", "过", "破"):
        return False
    return True


_HEAD_OK: dict[str, bool] = {}


def _suffix(text: str, n: Numeral, lang: str) -> tuple[_Cur, int, int, int] | None:
    lex = _lexicon()
    stop = n.stop
    pos = skip_spaces(text, stop, " -", 3) if text[stop:stop + 1] in (" ", "-") else stop
    head = text[pos:pos + 3]                 # starts_like() reads these three characters only
    ok = _HEAD_OK.get(head)
    if ok is None:
        if len(_HEAD_OK) > 65536:
            _HEAD_OK.clear()
        ok = _HEAD_OK[head] = starts_like(head, 0, lex["suffix_heads"])
    if not ok:
        return None
    suffix_re = lex["suffix_re"]
    m = suffix_re.match(text, stop, None, False)       # concurrent=False: keep the GIL (short match)
    if not m:
        return None
    i_cur, i_gap = suffix_re.groupindex["cur"], suffix_re.groupindex["gap"]   # (faster than names)
    form = m.group(i_cur)
    cur = lex["suffix"].get(_norm(form))
    if cur is None:
        return None
    gap = m.group(i_gap)
    if "-" in gap and not _LATIN.search(form):
        return None
    if cur.lang and cur.lang != _lang_key(lang):
        return None
    end = m.end()
    if cur.needs_scale and abs(n.mult) < 10 ** 4:
        return None
    if form.endswith(("元", "块")):
        if text.startswith(lex["not_after_yuan"], end):
            return None
        if form.endswith("元") and _CJK_DIGIT_NOT_JIAO.match(text, end):
            return None                                     # 一元二次方程 (五元三毛 is fine)
        if form == "块" and end < len(text) and _HAN_OR_ALNUM.match(text, end) and text[end] not in "的钱":
            if not _composite_follows(text, end):
                return None
    return cur, m.start(i_cur), end, len(gap)


def _composite_follows(text: str, pos: int) -> bool:
    """三块五 / 五块三毛: a jiao amount right after 块."""
    nxt = [n for n in find_numerals(text, "zh") if n.start == pos]
    if not nxt or nxt[0].value >= 10 or nxt[0].value.denominator != 1:
        return False
    after = nxt[0].stop
    return after >= len(text) or not _HAN_OR_ALNUM.match(text, after) or text[after] in "角毛"


def _prefix(text: str, n: Numeral, lang: str) -> tuple[_Cur, int, int, int] | None:
    lex = _lexicon()
    if char_before(text, n.start) not in lex["prefix_last"]:
        return None
    m = lex["prefix_re"].match(text, max(0, n.start - 12), n.start, False)
    if not m:
        return None
    form = m.group("cur")
    cur = lex["prefix"].get(_norm(form))
    if cur is None or (cur.lang and cur.lang != _lang_key(lang)):
        return None
    return cur, m.start("cur"), m.end("cur"), len(m.group("gap"))


def _is_symbol(text: str, s: int, e: int) -> bool:
    return not _HAN.search(text[s:e]) and not text[s:e].isalpha()


@functools.cache
def _first_chars() -> frozenset[str]:
    """First characters of the suffix heads: a character after a numeral outside this set (and
    no space or hyphen) rules a suffix out before :func:`starts_like` is asked."""
    first = frozenset(h[0] for h in _lexicon()["suffix_heads"])
    if first & {"σ", "ς"}:             # lower() of a slice may differ from lower() of its first char
        raise ValueError("a currency form starting with a Greek sigma needs starts_like() itself")
    return first


_SUFFIX_MAY_START: dict[str, bool] = {}


def _suffix_may_start(c: str) -> bool:
    """Whether :func:`_suffix` can find a currency after a numeral followed by ``c`` (one
    character, or "" at the end of the text): it skips spaces and hyphens, then asks
    :func:`starts_like`, whose match starts with the lower case of that character."""
    ok = _SUFFIX_MAY_START.get(c)
    if ok is None:
        ok = _SUFFIX_MAY_START[c] = bool(c) and (c in " -" or c.lower()[:1] in _first_chars())
    return ok


def _bind(text: str, nums: tuple[Numeral, ...], lang: str) -> list[_Money]:
    pre: dict[int, tuple] = {}
    suf: dict[int, tuple] = {}
    pre_last = _lexicon()["prefix_last"]
    may_start = _SUFFIX_MAY_START
    edges = numeral_edges(text, lang)
    # a currency may follow (see _suffix_may_start) or precede (char_before() in prefix_last;
    # past a space, _prefix looks itself): the other numerals have neither
    wants = [(k, ws, b == " " or b.lower() in pre_last)
             for k, (c, b) in enumerate(zip(edges.after, edges.before))
             if (ws := may_start[c] if c in may_start else _suffix_may_start(c))
             or b == " " or b.lower() in pre_last]
    for k, want_s, want_p in wants:
        n = nums[k]
        if not _eligible(text, n):
            continue
        s = _suffix(text, n, lang) if want_s else None
        p = _prefix(text, n, lang) if want_p else None
        if not s and not p:
            continue
        left_letter = n.start > 0 and text[n.start - 1].isascii() and text[n.start - 1].isalpha()
        right_letter = n.stop < len(text) and text[n.stop].isascii() and text[n.stop].isalpha()
        if n.attached or left_letter or right_letter:
            if left_letter and not (p and p[3] == 0):
                continue
            if right_letter and not (s and s[3] == 0):
                continue
        if s:
            suf[k] = s
        if p:
            pre[k] = p
    # one currency token claimed by the number before it and the number after it
    by_token: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for k, s in suf.items():
        by_token.setdefault((s[1], s[2]), []).append((k, "suf"))
    for k, p in pre.items():
        by_token.setdefault((p[1], p[2]), []).append((k, "pre"))
    for (ts, te), claims in by_token.items():
        sides = {side for _, side in claims}
        if len(sides) < 2:
            continue
        ks = next(k for k, side in claims if side == "suf")
        kp = next(k for k, side in claims if side == "pre")
        gs, gp = suf[ks][3], pre[kp][3]
        if ks in pre and pre[ks][0].code != suf[ks][0].code:
            loser = "suf"                                   # rmb 10 usd 20: 10 has its currency
        elif (gs == 0) != (gp == 0):
            loser = "suf" if gp == 0 else "pre"
        elif _is_symbol(text, ts, te):
            loser = "suf"
        else:
            loser = "pre"
        if loser == "suf":
            del suf[ks]
        else:
            del pre[kp]
    out: list[_Money] = []
    for k in sorted(suf.keys() | pre.keys()):
        n = nums[k]
        s, p = suf.get(k), pre.get(k)
        if s and p and s[0].code != p[0].code:
            p = None
        if s and p and _is_symbol(text, s[1], s[2]):
            s = None                                        # $ 30 $: one symbol is enough
        cur = s[0] if s else p[0]
        if s and p and p[0].implied and not s[0].implied:
            cur = s[0]
        elif s and p and s[0].implied and not p[0].implied:
            cur = p[0]
        start = p[1] if p else n.start
        end = s[2] if s else n.end
        mult = cur.mult                                     # an int: v * mult / div is the same Fraction
        if s and s[0].code is not None and _norm(text[s[1]:s[2]]) in _lexicon()["suffix"] and n.mult == 1:
            sc = _SCALE_AFTER.match(text, end)
            if sc and _LATIN.search(text[s[1]:s[2]]):
                mult *= {"thousand": 10 ** 3, "million": 10 ** 6, "mn": 10 ** 6, "billion": 10 ** 9, "bn": 10 ** 9,
                         "trillion": 10 ** 12}[sc.group("w").lower()]
                end = sc.end()
        if cur.needs_scale and abs(n.mult) < 10 ** 4:
            continue
        div = cur.divisor
        if mult == 1 and div == 1:
            scale = _same                                   # v * 1 / 1 == v (a Fraction)
        else:
            scale = lambda v: None if v is None else v * mult / div  # noqa: E731
        out.append(_Money(start, end, scale(n.value), scale(n.low), scale(n.high), cur,
                          "money.suffix" if s else "money.prefix", [k], vague=n.vague, over=n.over,
                          bare=n.bare))
    return out


def _same(v: Fraction | None) -> Fraction | None:
    return v


def _composites(text: str, nums: tuple[Numeral, ...], money: list[_Money]) -> None:
    """五元三毛, 三块五, 两美元又三美分, 3 dollars 50 cents, fifteen dollars and fifteen."""
    lex = _lexicon()
    size = len(nums)

    def at(pos: int) -> int | None:
        """Index of the numeral starting at ``pos`` (nums are sorted by start)."""
        k = bisect.bisect_left(nums, pos, key=_START)
        return k if k < size and nums[k].start == pos else None
    owner = {k: m for m in money for k in m.nums}
    used = set(owner)
    for m in list(money):
        if m not in money:
            continue
        if m.cur.divisor != 1 or m.value is None or m.value.denominator != 1 or nums[m.nums[0]].mult != 1:
            continue
        pos = m.end
        for _round in range(2):
            g = _MINOR_GAP.match(text, pos)
            k = at(g.end())
            if k is None:
                break
            q = nums[k]
            if k in used:
                mm = owner[k]
                if mm is not m and mm.cur.divisor > 1 and mm.cur.code == m.cur.code and mm.start == q.start \
                        and mm.value is not None and mm.value < 1 and len(mm.nums) == 1:
                    m.value += mm.value                      # 3 dollars 50 cents, 两美元又三美分
                    m.end = mm.end
                    m.nums += mm.nums
                    money.remove(mm)
                    pos = m.end
                    continue
                break
            if q.value.denominator != 1 or not 0 < q.value < 100 or q.mult != 1 or q.form != "int":
                break
            c = lex["composite_re"].match(text, q.stop)
            cur = lex["composite"].get(_norm(c.group("cur"))) if c else None
            if cur is not None and cur.code == m.cur.code and q.value < cur.divisor:
                m.value += q.value / cur.divisor
                m.end = c.end()
                m.nums.append(k)
                used.add(k)
                pos = m.end
                if cur.divisor == 10:                         # 五毛五, five mao five: the fen digit
                    k2 = at(_MINOR_GAP.match(text, pos).end())
                    if k2 is not None and k2 not in used and nums[k2].value < 10 and nums[k2].form == "int" \
                            and (nums[k2].stop >= len(text) or not _HAN_OR_ALNUM.match(text, nums[k2].stop)):
                        m.value += nums[k2].value / 100
                        m.end = nums[k2].end
                        m.nums.append(k2)
                        used.add(k2)
                        break
                continue
            written = text[nums[m.nums[0]].stop:m.end]
            if _round == 0 and m.cur.code == "CNY" and written.strip() in ("块", "元") and q.single \
                    and g.end() == m.end and (q.stop >= len(text) or not _HAN_OR_ALNUM.match(text, q.stop)):
                m.value += q.value / 10                       # 三块五
                m.end = q.stop
                m.nums.append(k)
                used.add(k)
            elif _round == 0 and not _HAN.search(text[m.start:m.end]) \
                    and _CENTS_TAIL.match(text, q.stop):
                m.value += q.value / 100                      # fifteen dollars and fifteen
                m.end = q.stop
                m.nums.append(k)
                used.add(k)
            break


def _lists_and_ranges(text: str, nums: tuple[Numeral, ...], money: list[_Money], lang: str) -> list[_Money]:
    used = {k for m in money for k in m.nums}
    extra: list[_Money] = []
    for m in sorted(money, key=lambda x: x.start):
        k = m.nums[0]
        n = nums[k]
        if m.rule == "money.suffix" and m.start == n.start and k > 0:
            left = nums[k - 1]
            if k - 1 not in used and _eligible(text, left) and is_range_gap(text, left.stop, n.start, left.start):
                factor = m.value / n.value if n.value else Fraction(1)
                m.low = distribute(left, n) * factor
                m.high, m.value = m.value, None
                m.start, m.qualifier = left.start, "range"
                m.nums.insert(0, k - 1)
                used.add(k - 1)
                continue
            if lang != "en" and m.value is not None:
                chain_start, j = n.start, k - 1
                factor = None                               # m.value / n.value, once a list is there
                while j >= 0 and j not in used and _eligible(text, nums[j]) and nums[j].mult == n.mult \
                        and not nums[j].attached and is_list_gap(text, nums[j].stop, chain_start):
                    p = nums[j]
                    if factor is None:
                        factor = m.value / n.value if n.value else Fraction(1)
                    scale = lambda v: None if v is None else v * factor  # noqa: E731
                    extra.append(_Money(p.start, p.stop if p.over else p.end, scale(p.value), scale(p.low),
                                        scale(p.high), m.cur, "money.list", [j], implied=True,
                                        vague=p.vague, over=p.over))
                    used.add(j)
                    chain_start, j = p.start, j - 1
        if m.rule == "money.prefix" and m.end == n.end and k + 1 < len(nums):
            right = nums[k + 1]
            if k + 1 not in used and _eligible(text, right) and right.mult > 1 \
                    and is_range_gap(text, n.end, right.start, m.start):
                factor = m.value / n.value if n.value else Fraction(1)
                if _suffix(text, right, lang) is None:
                    m.low = distribute(n, right) * factor
                    m.high, m.value = right.value * factor, None
                    m.end, m.qualifier = right.end, "range"
                    m.nums.append(k + 1)
                    used.add(k + 1)
    money = money + extra
    # money - money ranges: 5亿美元至6亿美元
    money.sort(key=lambda x: x.start)
    merged: list[_Money] = []
    for m in money:
        if merged:
            a = merged[-1]
            if a.qualifier is None and m.qualifier is None and a.cur.code == m.cur.code and a.value is not None \
                    and m.value is not None and is_range_gap(text, a.end, m.start, a.start):
                a.low, a.high, a.value = a.value, m.value, None
                a.end, a.qualifier = m.end, "range"
                a.nums += m.nums
                continue
        merged.append(m)
    return merged


def money_trigger_words() -> tuple[str, ...]:
    """Words that make a bare Chinese amount money (市值, 营收 ...), from ``rules.yaml``."""
    return _lexicon()["triggers"]


@functools.cache
def _trigger_regex() -> regex.Pattern:
    from ..quantity import count_trigger_nouns

    words = list(money_trigger_words()) + list(count_trigger_nouns())
    return regex.compile(_alt(words))


_MULT = operator.attrgetter("mult")
_BARE = operator.attrgetter("bare")


def _bare_amounts(text: str, nums: tuple[Numeral, ...], money: list[_Money], lang: str) -> list[_Money]:
    """市值从2022年的 1.79 万亿涨至……: an amount without a currency after a money word."""
    if lang == "en":
        return []
    from ..quantity import unit_after  # quantity owns the counted-noun lexicon

    lex = _lexicon()
    money_words = set(lex["triggers"])
    used = {k for m in money for k in m.nums}
    spans = Spans((m.start, m.end) for m in money)
    out = []
    big = [k for k, (mult, bare) in enumerate(zip(map(_MULT, nums), map(_BARE, nums)))
           if bare or mult >= 10 ** 4 or mult <= -10 ** 4]
    for k in big:
        n = nums[k]
        if abs(n.mult) < 10 ** 4 and not (n.bare and n.end - n.start >= 2):
            continue
        if k in used or not _eligible(text, n) or n.attached or n.single:
            continue
        if spans.overlaps(n.start, n.stop):
            continue
        if not lex["triggers_after_re"].match(text, n.stop):
            if unit_after(text, n.stop):
                continue
            lo = max(0, n.start - lex["trigger_window"])
            window = text[lo:n.start]
            cut = _LAST_CLAUSE_END.search(window)
            window = window[cut.end():] if cut else window
            hits = [h.group() for h in _trigger_regex().finditer(window)]
            if not hits or hits[-1] not in money_words:
                continue
        last = _LAST_SENTENCE_END.search(text, 0, n.start)    # the last sentence end before it
        sent_start = last.end() if last else 0
        ctx = [m for m in money if sent_start <= m.start < n.start and m.cur.code and m.implied is None]
        cur = ctx[-1].cur if ctx else _Cur(None)
        implied = bool(ctx)
        out.append(_Money(n.start, n.end, n.value, n.low, n.high, _Cur(cur.code, implied), "money.bare", [k],
                          implied=implied, vague=n.vague, over=n.over))
    return out


def _rate(text: str, m: _Money) -> str | None:
    lex = _lexicon()
    a = lex["rate_after_re"].match(text, m.end, None, False)      # concurrent=False: keep the GIL
    if a:
        return lex["rate_of"].get(_norm(a.group("u")))
    w = lex["words_after_re"].match(text, m.end, None, False)
    if w:
        return lex["words_after"].get(_norm(w.group("u")))
    rb = lex["rate_before"]
    lo = max(0, m.start - int(rb["window"]))
    window = text[lo:m.start]
    cut = _LAST_CLAUSE_END.search(window)
    base = lo + (cut.end() if cut else 0)
    window = text[base:m.start]
    if any(word in window for word in rb["words"]):          # (else the pattern finds none)
        hits = list(lex["rate_before_words_re"].finditer(window))
        if hits:
            return rb["words"][hits[-1].group()]
    pos = window.rfind(rb["marker"])
    if pos < 0:
        return None
    p = lex["periods_re"].match(window, pos + 1)
    if p:
        return rb["periods"].get(p.group())
    return "per_unit"


@functools.lru_cache(maxsize=2)  # the text in hand only: see numerals._TEXTS_KEPT
def _analyze(text: str, lang: str) -> tuple[_Money, ...]:
    nums = find_numerals(text, lang)
    money = _bind(text, nums, lang)
    _composites(text, nums, money)
    money = _lists_and_ranges(text, nums, money, lang)
    money = sorted(money + _bare_amounts(text, nums, money, lang), key=lambda m: m.start)
    return tuple(money)


def money_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans of the money mentions of ``text`` (the quantity extractor leaves them alone)."""
    return [(m.start, m.end) for m in _analyze(text, lang)]


def extract(text: str, ctx: ExtractContext) -> list[Draft]:
    lang = ctx.lang or "zh"
    drafts = []
    for m in _analyze(text, lang):
        q = resolve_qualifier(text, m.start, m.end, lang, range_=m.qualifier == "range", vague=m.vague,
                              bare=m.bare, over=m.over)
        fields = value_fields(m.value, m.low, m.high, q)
        implied = m.implied if m.implied is not None else m.cur.implied
        fields.update(currency=m.cur.code, currency_implied=bool(implied and m.cur.code), qualifier=q,
                      rate=_rate(text, m))
        drafts.append(Draft("money", m.start, m.end, m.rule, fields))
    if ctx.latent:
        drafts.extend(_latent_names(text, drafts))
    return drafts


@functools.cache
def _latent_re() -> tuple[regex.Pattern, dict[str, str]]:
    with (_HERE / "currencies.yaml").open(encoding="utf-8") as fh:
        names = {k.lower(): v for k, v in load_yaml(fh)["latent_names"].items()}
    return standalone_words(names), names


def _latent_names(text: str, found: list[Draft]) -> list[Draft]:
    """Currency names standing alone (latent money: amount null), outside found spans."""
    pattern, names = _latent_re()
    out = []
    for m in pattern.finditer(text):
        if any(d.start < m.end() and m.start() < d.end for d in found):
            continue
        fields = value_fields(None, None, None, "vague")
        fields.update(currency=names[m.group().lower()], currency_implied=False, qualifier="vague", rate=None)
        out.append(Draft("money", m.start(), m.end(), "money.latent_name", fields))
    return out
