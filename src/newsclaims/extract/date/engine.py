"""A small Duckling-style rule engine over regexes and typed tokens.

Rules come from the grammar YAML.  An *atom* rule is one regex; every match goes to
its builder, which returns a value (or None to reject).  A *sequence* rule is a list
of items, each either a token of a dimension (``"@time"``, ``"@time:day"`` with a
named predicate) or a regex; consecutive items may be separated by spaces or tabs
(never a newline).  Sequence rules are applied until no new token appears.  The final
choice keeps the longest non-overlapping emittable tokens.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import regex

TIMES={"atoms":0,"seqs":0}
_SPACES = regex.compile(r"[ \t]*")
_MAX_ROUNDS = 6
_BACK_WINDOW = 80
_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}
_WORD = regex.compile(r"[a-z]+")
_WINDOW = 40  # context kept on each side of an atom's trigger hit (longer than any match's reach)
_REACH = 60  # longest run of regex items and spaces between two tokens of one sequence


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    dim: str
    val: Any
    rule: str
    final: bool = True
    prio: int = 0


@dataclass(slots=True)
class Item:
    dim: str | None = None
    pred: Callable[[Tok], bool] | None = None
    rx: Any = None        # forward: anchored match at a position
    rx_back: Any = None   # backward: reverse-compiled, must end right before a position
    can_empty: bool = False  # the regex also matches the empty string
    first: frozenset | None = None  # characters a non-empty match can start with (None: unknown)
    pred_key: str = ""       # the predicate's name, to share its results between rules


@dataclass(slots=True)
class Rule:
    id: str
    build: Callable
    dim: str = "time"
    final: bool = True
    prio: int = 0
    rx: Any = None                 # atom rules
    trigger: Any = None            # atom rules: (regex or None, words or None) every match must contain
    items: list[Item] = field(default_factory=list)  # sequence rules
    anchor: int = 0                # index of the first token item
    args: dict = field(default_factory=dict)
    gate: Any = None               # the item after the anchor: its dim, or the chars it starts with


class Engine:
    def __init__(self, atoms: list[Rule], seqs: list[Rule]):
        self.atoms = atoms
        self.seqs = seqs

    # ------------------------------------------------------------------ matching
    def run(self, text: str, env: Any) -> list[Tok]:
        """All tokens: atom matches, then sequence rules until nothing new appears.

        Semi-naive: after the first round a rule is only tried at anchors that are new or
        that have a new token shortly after them (sequence items are contiguous, so an
        older anchor can only gain a partner that starts within ``_REACH`` characters).
        """
        import time as _tm; _t0=_tm.perf_counter()
        toks: list[Tok] = []
        seen: set = set()
        by_start: dict[int, list[Tok]] = defaultdict(list)
        by_pred: dict[Any, list[Tok]] = {}  # anchor test -> tokens passing it
        anchors = [r.items[r.anchor] for r in self.seqs]
        keys = {(it.dim, it.pred_key): it for it in anchors}

        def add(tok: Tok) -> bool:
            key = (tok.start, tok.end, tok.dim, tok.rule)
            if key in seen:
                return False
            seen.add(key)
            toks.append(tok)
            by_start[tok.start].append(tok)
            return True

        windows: dict = {}
        lowered = text.translate(_ASCII_LOWER)  # triggers are case-sensitive regexes over this
        word_index: dict[str, list[tuple[int, int]]] | None = None
        for rule in self.atoms:
            if rule.trigger is None:
                spans = ((0, len(text)),)
            else:
                spans = windows.get(rule.trigger)
                if spans is None:
                    rx, words = rule.trigger
                    hits: list[tuple[int, int]] = []
                    if rx is not None:
                        hits.extend(m.span() for m in rx.finditer(lowered))
                    if words:
                        if word_index is None:
                            word_index = defaultdict(list)
                            for m in _WORD.finditer(lowered):
                                word_index[m.group()].append(m.span())
                        for w in words:
                            hits.extend(word_index.get(w, ()))
                    spans = windows[rule.trigger] = _windows(hits, len(text))
            for m in (m for a, b in spans for m in rule.rx.finditer(text, a, b)):
                if m.end() == m.start():
                    continue
                out = rule.build(env, [_Span(m, m.start(), m.end())], rule)
                if out is not None:
                    add(_tok(out, rule, m.start(), m.end()))

        _t1=_tm.perf_counter(); TIMES["atoms"]+=_t1-_t0
        fresh = list(toks)
        back_cache: dict = {}
        fwd_cache: dict = {}
        after: dict[int, int] = {}  # token end -> next non-blank position
        n_text = len(text)
        for rnd in range(_MAX_ROUNDS):
            if not fresh:
                break
            fresh_ids = {id(t) for t in fresh}
            for key, item in keys.items():
                lst = by_pred.setdefault(key, [])
                lst.extend(t for t in fresh if t.dim == item.dim and (item.pred is None or item.pred(t)))
            if rnd == 0:
                active = by_pred
                lone = by_pred
            else:
                # older anchors only matter when a fresh token starts shortly after them
                starts = sorted({t.start for t in fresh})
                near = set(fresh_ids)
                for t in toks:
                    k = bisect.bisect_right(starts, t.end - 1)
                    if k < len(starts) and starts[k] <= t.end + _REACH:
                        near.add(id(t))
                active = {k: [t for t in v if id(t) in near] for k, v in by_pred.items()}
                lone = {k: [t for t in v if id(t) in fresh_ids] for k, v in by_pred.items()}
            produced: list[Tok] = []
            for rule, item in zip(self.seqs, anchors):
                key = (item.dim, item.pred_key)
                cands = lone[key] if len(rule.items) == rule.anchor + 1 else active[key]
                gate = rule.gate
                for t in cands:
                    if gate is not None:  # cheap test of the item right after the anchor
                        p = after.get(t.end)
                        if p is None:
                            p = after[t.end] = _SPACES.match(text, t.end).end()
                        if gate.__class__ is str:
                            if not any(x.dim == gate for x in by_start.get(p, ())):
                                continue
                        elif p >= n_text or text[p] not in gate:
                            continue
                    # forward items first: an anchored match is cheaper than the backward one
                    fwd = list(self._match_fwd(text, rule.items, rule.anchor + 1, t.end, by_start, fwd_cache))
                    if not fwd:
                        continue
                    left = self._match_back(text, rule.items[:rule.anchor], t.start, back_cache)
                    if left is None:
                        continue
                    for parts, end in fwd:
                        full = left[0] + [t] + parts
                        out = rule.build(env, full, rule)
                        if out is None:
                            continue
                        tok = _tok(out, rule, left[1], end)
                        if add(tok):
                            produced.append(tok)
            fresh = produced
        TIMES["seqs"]+=_tm.perf_counter()-_t1
        return toks

    @staticmethod
    def _match_back(text: str, items: list[Item], pos: int, cache: dict):
        if not items:
            return [], pos
        parts: list = []
        start = pos
        for item in reversed(items):
            key = (item.rx_back.pattern, pos)
            if key in cache:
                m = cache[key]
            else:
                # a reverse-compiled pattern: match() anchors at the end of the slice
                m = cache[key] = item.rx_back.match(text, max(0, pos - _BACK_WINDOW), pos)
            if m is None:
                return None
            end = m.end()
            while end > m.start() and text[end - 1] in " \t":
                end -= 1
            begin = m.start()
            while begin < end and text[begin] in " \t":
                begin += 1
            if begin == end:  # an optional item that matched nothing
                begin = end = pos
            parts.append(_Span(m, begin, end))
            pos = start = begin
        parts.reverse()
        return parts, start

    def _match_fwd(self, text, items, i, pos, by_start, cache):
        if i == len(items):
            yield [], pos
            return
        p = _SPACES.match(text, pos).end()
        item = items[i]
        if item.dim is None:
            last = i == len(items) - 1
            if item.first is not None and (p >= len(text) or text[p] not in item.first):
                m = None
            else:
                key = (item.rx.pattern, p)
                if key in cache:
                    m = cache[key]
                else:
                    m = cache[key] = item.rx.match(text, p)
            if m is not None and m.end() > m.start():
                for rest, end in self._match_fwd(text, items, i + 1, m.end(), by_start, cache):
                    yield [_Span(m, m.start(), m.end())] + rest, end
            if item.can_empty and not last:  # an optional item may also match nothing
                for rest, end in self._match_fwd(text, items, i + 1, pos, by_start, cache):
                    yield [_Span(None, p, p)] + rest, end
            return
        for t in by_start.get(p, ()):
            if t.dim == item.dim and (item.pred is None or item.pred(t)):
                for rest, end in self._match_fwd(text, items, i + 1, t.end, by_start, cache):
                    yield [t] + rest, end

    # ----------------------------------------------------------------- selection
    @staticmethod
    def select(toks: list[Tok], emit_dims: set[str], block_dims: set[str]) -> list[Tok]:
        cands = [t for t in toks if (t.dim in emit_dims and t.final) or t.dim in block_dims]
        cands.sort(key=lambda t: (-(t.end - t.start), -t.prio, t.start))
        taken: list[Tok] = []
        occupied: set[int] = set()
        for t in cands:
            span = range(t.start, t.end)
            if any(i in occupied for i in span):
                continue
            occupied.update(span)
            taken.append(t)
        out = [t for t in taken if t.dim in emit_dims]
        out.sort(key=lambda t: t.start)
        return out


def _windows(hits: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Merged stretches of text around trigger hits (an atom only runs there)."""
    out: list[list[int]] = []
    for s, e in sorted(hits):
        a, b = max(0, s - _WINDOW), min(n, e + _WINDOW)
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


class _Span:
    """A regex item's match inside a sequence, with its span trimmed of spaces."""

    __slots__ = ("m", "start", "end", "_gd")

    def __init__(self, m, start, end):
        self.m, self.start, self.end = m, start, end
        self._gd = None

    def group(self, name):
        if self.m is None:
            return None
        if self._gd is None:
            self._gd = self.m.groupdict()
        return self._gd.get(name)

    @property
    def text(self) -> str:
        return "" if self.m is None else self.m.string[self.start:self.end]


def _tok(out, rule: Rule, start: int, end: int) -> Tok:
    """A token from a builder result: a value, (dim, value) or (dim, value, final)."""
    if isinstance(out, tuple):
        if len(out) == 3:
            return Tok(start, end, out[0], out[1], rule.id, out[2], rule.prio)
        return Tok(start, end, out[0], out[1], rule.id, rule.final, rule.prio)
    return Tok(start, end, rule.dim, out, rule.id, rule.final, rule.prio)


def first_chars(pattern: str, ignorecase: bool) -> frozenset | None:
    """The characters a non-empty match of ``pattern`` can start with, or None when that
    cannot be worked out (a quick filter before trying a sequence item's regex)."""
    import re
    try:
        import re._parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    C = sre_parse
    try:
        tree = sre_parse.parse(pattern, re.IGNORECASE if ignorecase else 0)
    except Exception:  # noqa: BLE001 - regex-module syntax the stdlib parser does not know
        return None
    spaces = " \t\n\r\f\v\u3000\xa0"
    digits = "0123456789"

    def item(op, av):
        if op is C.LITERAL:
            return {chr(av)}, False
        if op is C.IN:
            out: set[str] = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    out.add(chr(iav))
                elif iop is C.RANGE and iav[1] - iav[0] < 400:
                    out.update(chr(c) for c in range(iav[0], iav[1] + 1))
                elif iop is C.CATEGORY and iav is C.CATEGORY_DIGIT:
                    out.update(digits)
                elif iop is C.CATEGORY and iav is C.CATEGORY_SPACE:
                    out.update(spaces)
                else:
                    return None, False
            return out, False
        if op is C.BRANCH:
            out, nullable = set(), False
            for sub in av[1]:
                s, n = seq(sub.data)
                if s is None:
                    return None, False
                out |= s
                nullable = nullable or n
            return out, nullable
        if op is C.SUBPATTERN:
            return seq(av[-1].data)
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            s, n = seq(av[2].data)
            return s, (n or av[0] == 0) if s is not None else False
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return set(), True  # zero-width
        return None, False

    def seq(items):
        out: set[str] = set()
        for op, av in items:
            s, nullable = item(op, av)
            if s is None:
                return None, False
            out |= s
            if not nullable:
                return out, False
        return out, True

    chars, _ = seq(tree.data)
    if chars is None:
        return None
    if ignorecase:
        chars = chars | {c.swapcase() for c in chars}
    return frozenset(chars)
