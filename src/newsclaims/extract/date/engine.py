r"""A small Duckling-style rule engine over regexes and typed tokens.

Rules come from the grammar YAML.  An *atom* rule is one regex; every match goes to
its builder, which returns a value (or None to reject).  A *sequence* rule is a list
of items, each either a token of a dimension (``"@time"``, ``"@time:day"`` with a
named predicate) or a regex; consecutive items may be separated by spaces or tabs
(never a newline).  Sequence rules are applied until no new token appears.  The final
choice keeps the longest non-overlapping emittable tokens.

Speed (none of this changes which tokens are found, or their order):

* Atoms run only in windows around their trigger's hits.  Triggers are scanned over
  the ASCII-lower-cased text once per pattern; the numeral+unit triggers (``\d\s*年``,
  ``[...]\s*[日号]``...) share one scan (:class:`_Family`), and so do the
  one-character ones (:class:`_CharFamily`) and the short ones around digit runs
  (:class:`_DigitFamily`).
* An atom regex whose first character sits behind a look-around in a branch or behind
  an optional item is scanned behind a look-ahead for its possible first characters
  (the regex module cannot skip to candidate positions on its own there).
* Atom values are memoised per rule on the match's groups and the reference (builders
  are pure and values immutable).
* Sequence rules are tried only at anchors that pass cheap necessary tests: the
  character after the anchor (or a token there) must be able to start what follows
  it, the character before it must be able to end the regex item before it, or, when
  that item can end with white space, the last character before the white space must
  be one it can end with outside white space (:class:`_Gate`); per character these
  answers are memoised as bit masks over rules.
* Semi-naive rounds: a rule with no token after its anchor is tried at fresh anchors
  only, and at an older anchor only the ways with a newer token are built (builders
  are pure: the others were built when the anchor was last tried).
* Trigger words are looked up only when ``findall`` shows they occur; the overlap test
  of the final choice runs on a byte array.
"""
from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import regex

try:
    import re._parser as sre_parse  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

_SPACES = regex.compile(r"[ \t]*")
_MAX_ROUNDS = 6
_BACK_WINDOW = 80
_LOWER_BYTES = bytes(range(65)) + bytes(range(97, 123)) + bytes(range(91, 256))
_WORD = regex.compile(r"[a-z]+")
_WINDOW = 40  # context kept on each side of an atom's trigger hit (longer than any match's reach)
_REACH = 60  # longest run of regex items and spaces between two tokens of one sequence
_MEMO_MAX = 200_000  # atom values kept between texts


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    dim: str
    val: Any
    rule: str
    final: bool = True
    prio: int = 0
    gm: int = field(default=0, compare=False, repr=False)  # rules whose quick gates it passes
    rn: int = field(default=-1, compare=False, repr=False)  # the round it was new in
    nr: int = field(default=-1, compare=False, repr=False)  # the last round it was near a new one
    pv: int = field(default=-1, compare=False, repr=False)  # the round it was near one before nr


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


class Engine:
    def __init__(self, atoms: list[Rule], seqs: list[Rule]):
        self.atoms = atoms
        self.seqs = seqs
        # everything below is derived from the rules and only makes matching cheaper
        self._scan = [_scan_regex(r.rx) for r in atoms]
        self._memo: list[dict] = [{} for _ in atoms]
        self._memo_lex = None
        ids = [r.id for r in atoms]
        self._atoms_unique = len(set(ids)) == len(ids) and not set(ids) & {r.id for r in seqs}
        trig_patterns = [r.trigger[0].pattern for r in atoms
                         if r.trigger is not None and r.trigger[0] is not None]
        self._words = frozenset().union(*(r.trigger[1] for r in atoms
                                           if r.trigger is not None and r.trigger[1]))
        self._family = _Family.build(trig_patterns)
        self._chars = _CharFamily.build(trig_patterns)
        self._digits = _DigitFamily.build(trig_patterns)
        self._anchors = [r.items[r.anchor] for r in seqs]
        self._keys = {(it.dim, it.pred_key): it for it in self._anchors}
        self._rkeys = [(it.dim, it.pred_key) for it in self._anchors]
        # a rule with no token after its anchor is tried at fresh anchors only: at an older
        # one it would repeat what it found when that anchor was fresh (builders are pure)
        self._lone = [all(it.dim is None for it in r.items[r.anchor + 1:]) for r in seqs]
        self._shape = [_shape(r) for r in seqs]
        self._kmask = {k: 0 for k in self._keys}
        for i, it in enumerate(self._anchors):
            self._kmask[(it.dim, it.pred_key)] |= 1 << i
        self._keys_by_dim: dict[str, list] = {}
        for key, it in self._keys.items():
            # a predicate ``f(t.val) [and g(t)]`` is applied as its parts (one call less)
            vp = getattr(it.pred, "on_val", None)
            tp = getattr(it.pred, "on_tok", None)
            self._keys_by_dim.setdefault(it.dim, []).append((key, self._kmask[key], it.pred, vp, tp))
        # (lone?, anchor key) -> the rules that take their candidates from that list, as bits
        grp: dict = {}
        for i, k in enumerate(self._rkeys):
            grp[(self._lone[i], k)] = grp.get((self._lone[i], k), 0) | 1 << i
        self._groups = [(lo, k, bits) for (lo, k), bits in grp.items()]
        self._fgate = [_fwd_gate(r) for r in seqs]
        self._bgate = [_back_gate(r) for r in seqs]
        # per character, the rules (bit i = seqs[i]) whose gates a token with that character
        # after (before) it passes; a gate that also accepts a token only passes at run time
        self._fchars = [(1 << i, g) for i, g in enumerate(self._fgate) if g is not None and not g.dims]
        self._fall = sum(1 << i for i, g in enumerate(self._fgate) if g is None or g.dims)
        self._bskip = [(1 << i, g) for i, g in enumerate(self._bgate) if g is not None and g.skip is True]
        self._badj = [(1 << i, g) for i, g in enumerate(self._bgate) if g is not None and not g.skip]
        self._bws = [(1 << i, g) for i, g in enumerate(self._bgate) if g is not None and g.skip == "ws"]
        self._wsmemo: dict[str, bool] = {}
        self._ball = sum(1 << i for i, g in enumerate(self._bgate) if g is None)
        self._fmemo: dict[str, int] = {}
        self._bmemo: dict[tuple[str, str, str], int] = {}
        self._plans = []  # per sequence rule, what its loop in ``run`` reads
        for i, r in enumerate(seqs):
            fg = self._fgate[i]
            shape = self._shape[i]
            nxt = r.items[r.anchor + 1] if shape in (1, 3, 4) else None
            self._plans.append((r, self._lone[i], self._rkeys[i], fg,
                                fg.dims if fg is not None else None, shape, nxt,
                                r.items[:r.anchor], r.anchor, r.items, r.build))

    def _memo_size(self) -> int:
        return sum(len(d) for d in self._memo)

    # ------------------------------------------------------------------ matching
    def run(self, text: str, env: Any) -> list[Tok]:
        """All tokens: atom matches, then sequence rules until nothing new appears.

        Semi-naive: after the first round a rule is only tried at anchors that are new or
        that have a new token shortly after them (sequence items are contiguous, so an
        older anchor can only gain a partner that starts within ``_REACH`` characters).
        At such an older anchor only the ways with a token newer than the round it was
        last tried in are built: the others were built then.
        """
        toks: list[Tok] = []
        seen: set = set()
        by_start: dict[int, list[Tok]] = defaultdict(list)
        by_pred: dict[Any, list[Tok]] = {k: [] for k in self._keys}  # anchor test -> tokens passing it
        n_text = len(text)

        def add(tok: Tok) -> bool:
            key = (tok.start, tok.end, tok.dim, tok.rule)
            if key in seen:
                return False
            seen.add(key)
            toks.append(tok)
            by_start[tok.start].append(tok)
            return True

        # ---- atoms: each regex runs only in the windows around its trigger's hits
        windows: dict = {}  # trigger (or the pattern of a trigger regex) -> its windows
        hit_cache: dict[str, list] = {}  # trigger pattern -> its hits
        lowered = None  # triggers are case-sensitive regexes over the ASCII-lower-cased text
        word_index: dict[str, list[tuple[int, int]] | None] | None = None  # word -> its spans
        whole = ((0, n_text),)
        # tokens are told apart by (start, end, dim, rule): one rule's matches have distinct
        # spans and sequence rules have other ids, so atoms need no check when ids are unique
        atoms_unique = self._atoms_unique
        # an atom builder is a pure function of its match's groups and the reference
        # (date, language, lexicons): values are immutable, so repeated mentions (within a
        # text and across texts with the same reference) are built once
        env_key = (env.ref, env.has_ref, env.lang)
        memo = self._memo
        if env.lex is not self._memo_lex or self._memo_size() > _MEMO_MAX:
            for d in memo:
                d.clear()
            self._memo_lex = env.lex
        for r_i, (rule, scan) in enumerate(zip(self.atoms, self._scan)):
            trig = rule.trigger
            if trig is None:
                spans = whole
            else:
                spans = windows.get(trig)
                if spans is None:
                    if lowered is None:
                        lowered = _ascii_lower(text)
                    rx, words = trig
                    hits: list[tuple[int, int]] = []
                    if rx is not None:
                        h = hit_cache.get(rx.pattern)
                        if h is None:
                            fam = self._family
                            chars = self._chars
                            digits = self._digits
                            if fam is not None and rx.pattern in fam.members:
                                # one scan gives the hits of every member at once
                                hit_cache.update(fam.hits(lowered))
                                h = hit_cache[rx.pattern]
                            elif chars is not None and rx.pattern in chars.members:
                                hit_cache.update(chars.hits(lowered))
                                h = hit_cache[rx.pattern]
                            elif digits is not None and rx.pattern in digits.members:
                                hit_cache.update(digits.hits(lowered))
                                h = hit_cache[rx.pattern]
                            else:
                                h = hit_cache[rx.pattern] = [m.span() for m in rx.finditer(lowered)]
                        hits.extend(h)
                    if words:
                        if word_index is None:
                            # only the trigger words that occur as whole [a-z] runs get
                            # their spans (few do): one C-level findall finds which
                            word_index = dict.fromkeys(self._words.intersection(_WORD.findall(lowered)))
                        for w in words:
                            if w in word_index:
                                sp = word_index[w]
                                if sp is None:
                                    sp = word_index[w] = _word_spans(lowered, w)
                                hits.extend(sp)
                    if rx is not None and len(hits) == len(h):
                        # no word hits: the same windows as every trigger with this regex
                        spans = windows.get(rx.pattern)
                        if spans is None:
                            spans = windows[rx.pattern] = _windows(hits, n_text)
                        windows[trig] = spans
                    else:
                        spans = windows[trig] = _windows(hits, n_text)
            if not spans:
                continue
            built = memo[r_i]
            build = rule.build
            for a, b in spans:
                for m in scan.finditer(text, a, b):
                    s, e = m.span()
                    if s == e:
                        continue
                    k = (env_key, m.group(), m.groups())
                    out = built.get(k, _MISSING)
                    if out is _MISSING:
                        out = built[k] = build(env, [_Span(m, s, e)], rule)
                    if out is not None:
                        tok = _tok(out, rule, s, e)
                        if atoms_unique:  # an atom's matches never repeat a span
                            toks.append(tok)
                            by_start[s].append(tok)
                        else:
                            add(tok)

        # ---- sequences, round by round
        fresh = list(toks)
        back_cache: dict = {}
        fwd_cache: dict = {}
        after: dict[int, int] = {}   # token end -> next non-blank position
        gate_mask = self._gate_mask
        keys_by_dim = self._keys_by_dim
        groups = self._groups
        plans = self._plans
        match_fwd = self._match_fwd
        match_back = self._match_back
        for rnd in range(_MAX_ROUNDS):
            if not fresh:
                break
            by_dim: dict[str, list[Tok]] = {}
            for t in fresh:
                t.gm = gate_mask(text, t, after)
                t.rn = t.nr = rnd
                lst = by_dim.get(t.dim)
                if lst is None:
                    by_dim[t.dim] = [t]
                else:
                    lst.append(t)
            for dim, dim_toks in by_dim.items():
                for key, km, pred, vp, tp in keys_by_dim.get(dim, ()):
                    # a token no rule of this anchor would try (its gates fail) is left out
                    lst = [t for t in dim_toks if t.gm & km]
                    if pred is not None and lst:
                        if vp is None:
                            lst = [t for t in lst if pred(t)]
                        elif tp is None:
                            lst = [t for t in lst if vp(t.val)]
                        else:
                            lst = [t for t in lst if vp(t.val) and tp(t)]
                    if lst:
                        by_pred[key].extend(lst)
            if rnd == 0:
                active = by_pred
                lone = by_pred
            else:
                # older anchors only matter when a fresh token starts shortly after them;
                # ``pv`` keeps the last round such an anchor was tried in
                starts = sorted({t.start for t in fresh})
                n_starts = len(starts)
                bisect_right = bisect.bisect_right
                active, lone = {}, {}
                for k, v in by_pred.items():
                    act, new = [], []
                    for t in v:
                        if t.nr == rnd:  # fresh, or already found near under another key
                            act.append(t)
                            if t.rn == rnd:
                                new.append(t)
                            continue
                        e = t.end
                        j = bisect_right(starts, e - 1)
                        if j < n_starts and starts[j] <= e + _REACH:
                            t.pv = t.nr
                            t.nr = rnd
                            act.append(t)
                    active[k] = act
                    lone[k] = new
            # the rules with a candidate whose gates pass, as bits (in rule order below)
            live = 0
            for lone_g, key, bits in groups:
                ok = 0
                for t in (lone if lone_g else active)[key]:
                    ok |= t.gm
                live |= ok & bits
            produced: list[Tok] = []
            while live:
                low = live & -live
                live ^= low
                r_i = low.bit_length() - 1
                rule, lone_r, key, fg, dims, shape, nxt, before, anchor, items, build = plans[r_i]
                cands = [t for t in (lone if lone_r else active)[key] if t.gm & low]
                if shape == 1 or shape == 4:
                    n_first, n_rx, n_pat = nxt.first, nxt.rx, nxt.rx.pattern
                elif shape == 3:
                    n_dim, n_pred = nxt.dim, nxt.pred
                for t in cands:
                    if dims:  # what comes after the anchor: a character or a token
                        p = after[t.end]
                        c = text[p] if p < n_text else ""
                        ok = fg.memo.get(c)
                        if ok is None:
                            ok = fg.fill(c)
                        if not ok:
                            there = by_start.get(p)
                            if not there or not _any_tok(there, dims):
                                continue
                    # forward items first: an anchored match is cheaper than the backward one
                    # (shapes 1, 3 and 4 are _match_fwd inlined)
                    if shape == 0:  # the anchor is the last item
                        fwd = [([], t.end)]
                    elif shape == 1:  # one regex item after the anchor
                        p = after[t.end]
                        if n_first is not None and (p >= n_text or text[p] not in n_first):
                            continue
                        fkey = (n_pat, p)
                        m = fwd_cache.get(fkey, _MISSING)
                        if m is _MISSING:
                            m = fwd_cache[fkey] = n_rx.match(text, p)
                        if m is None:
                            continue
                        e = m.end()
                        b = m.start()
                        if e <= b:
                            continue
                        fwd = [([_Span(m, b, e)], e)]
                    elif shape == 3:  # one token item after the anchor
                        fwd = [([x], x.end) for x in by_start.get(after[t.end], ())
                               if x.dim == n_dim and (n_pred is None or n_pred(x))]
                        if not fwd:
                            continue
                    elif shape == 4:  # a regex item (maybe optional), then a token item
                        fwd = self._fwd_rt(text, nxt, n_first, n_rx, n_pat, items[anchor + 2],
                                           after[t.end], by_start, fwd_cache)
                        if not fwd:
                            continue
                    else:
                        fwd = match_fwd(text, items, anchor + 1, t.end, by_start, fwd_cache)
                        if not fwd:
                            continue
                    if not lone_r and t.rn != rnd:
                        # an older anchor: the ways whose tokens were all there when it
                        # was last tried were built then (same pieces, same result)
                        pv = t.pv
                        fwd = [f for f in fwd if _newer(f[0], pv)]
                        if not fwd:
                            continue
                    if anchor:
                        left = match_back(text, before, t.start, back_cache)
                        if left is None:
                            continue
                    else:
                        left = ([], t.start)
                    for parts, end in fwd:
                        full = left[0] + [t] + parts
                        out = build(env, full, rule)
                        if out is None:
                            continue
                        tok = _tok(out, rule, left[1], end)
                        if add(tok):
                            tok.rn = rnd + 1  # fresh in the next round
                            produced.append(tok)
            fresh = produced
        return toks

    @staticmethod
    def _fwd_rt(text, item, first, rx, pat, titem, p, by_start, cache) -> list:
        """``_match_fwd`` for a regex item then a token item (the last one), from the
        non-blank position ``p``."""
        out = []
        if first is not None and (p >= len(text) or text[p] not in first):
            m = None
        else:
            key = (pat, p)
            m = cache.get(key, _MISSING)
            if m is _MISSING:
                m = cache[key] = rx.match(text, p)
        dim, pred = titem.dim, titem.pred
        if m is not None:
            b, e = m.span()
            if e > b:
                q = _SPACES.match(text, e).end()
                for x in by_start.get(q, ()):
                    if x.dim == dim and (pred is None or pred(x)):
                        out.append(([_Span(m, b, e), x], x.end))
        if item.can_empty:  # an optional item may also match nothing
            for x in by_start.get(p, ()):
                if x.dim == dim and (pred is None or pred(x)):
                    out.append(([_Span(None, p, p), x], x.end))
        return out

    def _gate_mask(self, text: str, t: Tok, after: dict) -> int:
        """The rules whose character gates token ``t`` passes, as bits."""
        n = len(text)
        e = t.end
        p = after.get(e)
        if p is None:  # the next non-blank position (most tokens have no blank after them)
            p = after[e] = e if e >= n or text[e] not in " \t" else _SPACES.match(text, e).end()
        c = text[p] if p < n else ""
        fm = self._fmemo.get(c)
        if fm is None:
            fm = self._fall
            for bit, g in self._fchars:
                if g.fill(c):
                    fm |= bit
            self._fmemo[c] = fm
        s = t.start
        # the character before it, before the blanks, and before all white space
        c0 = cq = cw = text[s - 1] if s else ""
        if c0 == " " or c0 == "\t":
            q = s - 1
            while q and text[q - 1] in " \t":
                q -= 1
            cq = cw = text[q - 1] if q else ""
        if cw:
            wsm = self._wsmemo
            ws = wsm.get(cw)
            if ws is None:
                ws = wsm[cw] = _WS.match(cw) is not None
            if ws:
                q = s - 1
                while q:
                    c = text[q - 1]
                    ws = wsm.get(c)
                    if ws is None:
                        ws = wsm[c] = _WS.match(c) is not None
                    if not ws:
                        break
                    q -= 1
                cw = text[q - 1] if q else ""
        bm = self._bmemo.get((c0, cq, cw))
        if bm is None:
            bm = self._ball
            for bit, g in self._bskip:
                if g.fill(cq):
                    bm |= bit
            for bit, g in self._badj:
                if c0 in (" ", "\t") or g.fill(c0):
                    bm |= bit
            for bit, g in self._bws:
                if g.fill(cw):
                    bm |= bit
            self._bmemo[(c0, cq, cw)] = bm
        return fm & bm

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

    def _match_fwd(self, text, items, i, pos, by_start, cache) -> list:
        """Every way items[i:] match from ``pos``: a list of (parts, end)."""
        if i == len(items):
            return [([], pos)]
        p = _SPACES.match(text, pos).end()
        item = items[i]
        out = []
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
                    out.append(([_Span(m, m.start(), m.end())] + rest, end))
            if item.can_empty and not last:  # an optional item may also match nothing
                for rest, end in self._match_fwd(text, items, i + 1, pos, by_start, cache):
                    out.append(([_Span(None, p, p)] + rest, end))
            return out
        dim, pred = item.dim, item.pred
        for t in by_start.get(p, ()):
            if t.dim == dim and (pred is None or pred(t)):
                for rest, end in self._match_fwd(text, items, i + 1, t.end, by_start, cache):
                    out.append(([t] + rest, end))
        return out

    # ----------------------------------------------------------------- selection
    @staticmethod
    def select(toks: list[Tok], emit_dims: set[str], block_dims: set[str]) -> list[Tok]:
        cands = [t for t in toks if (t.dim in emit_dims and t.final) or t.dim in block_dims]
        cands.sort(key=lambda t: (-(t.end - t.start), -t.prio, t.start))
        taken: list[Tok] = []
        # one byte per character, 1 once taken: overlap tests and marks run in C
        occupied = bytearray(max((t.end for t in cands), default=0))
        for t in cands:
            s, e = t.start, t.end
            if occupied.find(1, s, e) != -1:
                continue
            occupied[s:e] = b"\x01" * (e - s)
            taken.append(t)
        out = [t for t in taken if t.dim in emit_dims]
        out.sort(key=lambda t: t.start)
        return out


def _shape(rule: Rule) -> int:
    """What follows the anchor: 0 nothing, 1 one regex item, 3 one token item, 4 a regex
    item then a token item (the last one), 2 anything else."""
    rest = ["t" if it.dim is not None else "r" for it in rule.items[rule.anchor + 1:]]
    return {"": 0, "r": 1, "t": 3, "rt": 4}.get("".join(rest), 2)


def _any_tok(there: list[Tok], dims) -> bool:
    """Whether a token of ``there`` is of one of the (dim, predicate) pairs."""
    for x in there:
        for d, pr in dims:
            if x.dim == d and (pr is None or pr(x)):
                return True
    return False


def _newer(parts: list, pv: int) -> bool:
    """Whether one of the tokens in ``parts`` is newer than round ``pv``."""
    for x in parts:
        if type(x) is Tok and x.rn > pv:
            return True
    return False


def _windows(hits: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Merged stretches of text around trigger hits (an atom only runs there)."""
    if not hits:
        return []
    hits.sort()
    out: list[tuple[int, int]] = []
    w = _WINDOW
    s, e = hits[0]
    a, b = (s - w if s > w else 0), e + w
    for s, e in hits:
        if s - w <= b:
            if e + w > b:
                b = e + w
        else:
            out.append((a, b if b < n else n))
            a, b = s - w, e + w
    out.append((a, b if b < n else n))
    return out


class _Family:
    """Triggers of the shape ``S \\s* (?:个多?)? \\s* E`` (a numeral, then a unit word: S
    and E single characters, the blanks and 个 optional per trigger), found by one scan
    of their union ``M``.  S, E, the blanks and 个/多 share no character, so a match of M
    or of a member is fixed by its E: M finds every such structure once, and a member's
    hits are exactly the structures whose parts it allows (same spans, same order)."""

    def __init__(self, rx, members: dict, is_digit):
        self.rx = rx
        self.members = members  # pattern -> alternatives [(digits, chars, blanks, ge, ends)]
        self._is_digit = is_digit
        self._memo: dict = {}

    @classmethod
    def build(cls, patterns: list[str]) -> "_Family | None":
        C = sre_parse
        try:
            digit = regex.compile(r"\d")
            space = regex.compile(r"\s")
        except Exception:  # pragma: no cover
            return None
        ws_node = (C.MAX_REPEAT, (0, C.MAXREPEAT, [(C.IN, [(C.CATEGORY, C.CATEGORY_SPACE)])]))
        ge_node = (C.MAX_REPEAT, (0, 1, [(C.LITERAL, ord("个")),
                                         (C.MAX_REPEAT, (0, 1, [(C.LITERAL, ord("多"))]))]))

        def chars(op, av, allow_digit):
            """(has \\d, literal characters) of a one-character item, or None."""
            if op is C.LITERAL:
                return False, {chr(av)}
            if op is not C.IN:
                return None
            d, out = False, set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    out.add(chr(iav))
                elif allow_digit and iop is C.CATEGORY and iav is C.CATEGORY_DIGIT:
                    d = True
                else:
                    return None
            return d, out

        def shape(items):
            items = [(op, _plain(av)) for op, av in items]
            if len(items) < 2:
                return None
            start = chars(*items[0], True)
            end = chars(*items[-1], False)
            mid = items[1:-1]
            if start is None or end is None:
                return None
            if mid == []:
                blanks = ge = False
            elif mid == [ws_node]:
                blanks, ge = True, False
            elif mid == [ws_node, ge_node, ws_node]:
                blanks = ge = True
            else:
                return None
            return start[0], frozenset(start[1]), blanks, ge, frozenset(end[1])

        shaped = []
        for pat in dict.fromkeys(patterns):
            if not _stdlib_syntax(pat):
                continue
            try:
                tree = sre_parse.parse(pat)
            except Exception:  # noqa: BLE001
                continue
            data = list(tree.data)
            if len(data) == 1 and data[0][0] is C.BRANCH:
                alts = [shape(list(sub.data)) for sub in data[0][1][1]]
            else:
                alts = [shape(data)]
            if alts and all(a is not None for a in alts):
                shaped.append((pat, alts))
        # the widest first: they cost the most to scan on their own
        shaped.sort(key=lambda pa: -sum(10 * a[0] + len(a[1]) + len(a[4]) for a in pa[1]))
        members: dict = {}
        s_digit, s_chars, e_chars = False, set(), set()
        for pat, alts in shaped:
            d = s_digit or any(a[0] for a in alts)
            sc = s_chars.union(*(a[1] for a in alts))
            ec = e_chars.union(*(a[4] for a in alts))
            # the parts must not share characters (else the structures could overlap)
            ok = not (sc & ec) and not ({"个", "多"} & (sc | ec))
            ok = ok and not any(space.match(c) for c in sc | ec)
            ok = ok and not (d and any(digit.match(c) for c in ec))
            if not ok:
                continue
            members[pat] = alts
            s_digit, s_chars, e_chars = d, sc, ec
        if len(members) < 2:
            return None
        cls_s = "".join(sorted(_lit(c) for c in s_chars)) + ("\\d" if s_digit else "")
        cls_e = "".join(sorted(_lit(c) for c in e_chars))
        rx = regex.compile(f"[{cls_s}]\\s*(?:个多?)?\\s*[{cls_e}]")
        return cls(rx, members, lambda c: digit.match(c) is not None)

    def hits(self, lowered: str) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list] = {p: [] for p in self.members}
        memo = self._memo
        for m in self.rx.finditer(lowered):
            s, e = m.span()
            if e - s == 2:
                key = (lowered[s], lowered[s + 1], False, False)
            else:  # blanks, 个 or 个多 in between
                mid = lowered[s + 1:e - 1]
                ge = "个" in mid
                key = (lowered[s], lowered[e - 1], ge, len(mid) > ge + ("多" in mid))
            acc = memo.get(key)
            if acc is None:
                acc = memo[key] = self._accepting(*key)
            for p in acc:
                out[p].append((s, e))
        return out

    def _accepting(self, first: str, last: str, ge: bool, blanks: bool) -> tuple:
        isd = None
        acc = []
        for p, alts in self.members.items():
            for digits, chars, bl, g, ends in alts:
                if last not in ends or (ge and not g) or (blanks and not bl):
                    continue
                if first not in chars:
                    if not digits:
                        continue
                    if isd is None:
                        isd = self._is_digit(first)
                    if not isd:
                        continue
                acc.append(p)
                break
        return tuple(acc)


class _CharFamily:
    """Triggers that are one character out of a set (``年``, ``[早晚]``): their hits are
    the positions of those characters, so one scan of the union serves them all."""

    def __init__(self, rx, members: dict):
        self.rx = rx
        self.members = members  # pattern -> its characters
        self._memo: dict[str, tuple] = {}

    @classmethod
    def build(cls, patterns: list[str]) -> "_CharFamily | None":
        C = sre_parse
        members = {}
        for pat in dict.fromkeys(patterns):
            if not _stdlib_syntax(pat):
                continue
            try:
                data = list(sre_parse.parse(pat).data)
            except Exception:  # noqa: BLE001
                continue
            if len(data) != 1:
                continue
            op, av = data[0]
            if op is C.LITERAL:
                members[pat] = frozenset(chr(av))
            elif op is C.IN and av and all(iop is C.LITERAL for iop, _ in av):
                members[pat] = frozenset(chr(iav) for _, iav in av)
        if len(members) < 2:
            return None
        union = set().union(*members.values())
        return cls(regex.compile("[" + "".join(sorted(_lit(c) for c in union)) + "]"), members)

    def hits(self, lowered: str) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list] = {p: [] for p in self.members}
        memo = self._memo
        for m in self.rx.finditer(lowered):
            s = m.start()
            c = lowered[s]
            acc = memo.get(c)
            if acc is None:
                acc = memo[c] = tuple(p for p, cs in self.members.items() if c in cs)
            for p in acc:
                out[p].append((s, s + 1))
        return out


class _DigitFamily:
    """Short triggers around digits (``\\d+``, ``\\d{4}``, ``\\d[-/.]\\d``, ``\\d(?:st|nd|rd|th)``,
    ``q[1-4]``...), worked out from one scan of the digit runs: each of these patterns has
    its digits at a fixed place in a run (its start, its end, the whole run), so its
    matches follow from the characters around each run.  Only the patterns listed in
    ``KINDS`` (exactly as written) are served; what each kind computes is what the
    regex's own left-to-right scan finds (spans and order)."""

    #: pattern -> (kind, argument)
    KINDS = {
        r"\d+": ("run", None),
        r"\d{4}": ("chunks", 4),
        r"\d[-/.]\d": ("sep", "-/."),
        r"\d[-/]\d": ("sep", "-/"),
        r"\d:\d": ("sep", ":"),
        r"\d/\d": ("sep", "/"),
        r"\d\.\d": ("sep", "."),
        r"\d(?:st|nd|rd|th)": ("suffix", ("st", "nd", "rd", "th")),
        r"\d+ish": ("runsuffix", "ish"),
        r"\d\s*\.?\s*[ap]": ("tail", regex.compile(r"\s*\.?\s*[ap]")),
        "0\\s?'?s": ("zero", regex.compile(r"\s?'?s")),
        r"cy\d+": ("prefix", "cy"),
        r"fy\d+": ("prefix", "fy"),
        r"q[1-4]": ("q", "q"),
        r"[Qq][1-4]": ("q", "Qq"),
        r"at\s+\d": ("at", regex.compile(r"(?r)at\s+")),
    }
    _RUN = regex.compile(r"\d+")

    def __init__(self, members: dict):
        self.members = members
        self._tail_memo: dict[str, bool] = {}  # character -> in _TAIL_FIRST
        self._blank_memo: dict[str, bool] = {}  # character -> in _BLANK
        # character after (before) a run -> whether any check below can apply there: most
        # runs are skipped with one look-up each side
        self._after_memo: dict[str, bool] = {}
        self._before_memo: dict[str, bool] = {}
        # characters that can follow (precede) a run in some member: others skip the checks
        kinds = list(members.values())
        self._after = set("".join(a for k, a in kinds if k == "sep")) \
            | {w[0] for k, a in kinds if k == "suffix" for w in a} \
            | {a[0] for k, a in kinds if k == "runsuffix"}
        self._before = {a[-1] for k, a in kinds if k == "prefix"} \
            | set("".join(a for k, a in kinds if k == "q"))

    @classmethod
    def build(cls, patterns: list[str]) -> "_DigitFamily | None":
        members = {p: cls.KINDS[p] for p in dict.fromkeys(patterns) if p in cls.KINDS}
        return cls(members) if len(members) >= 2 else None

    def hits(self, lowered: str) -> dict[str, list[tuple[int, int]]]:
        runs = [m.span() for m in self._RUN.finditer(lowered)]
        n = len(lowered)
        out: dict[str, list] = {p: [] for p in self.members}
        by_kind: dict[str, list] = {}
        for pat, (kind, arg) in self.members.items():
            by_kind.setdefault(kind, []).append((out[pat], arg))
        if "run" in by_kind:
            for lst, _ in by_kind["run"]:
                lst.extend(runs)
        chunks = by_kind.get("chunks", ())
        seps = [(lst, arg, [-1]) for lst, arg in by_kind.get("sep", ())]
        suffix = by_kind.get("suffix", ())
        runsuffix = by_kind.get("runsuffix", ())
        tail = by_kind.get("tail", ())
        zero = by_kind.get("zero", ())
        prefix = by_kind.get("prefix", ())
        qs = by_kind.get("q", ())
        at = by_kind.get("at", ())
        tail_memo, blank_memo = self._tail_memo, self._blank_memo
        n_runs = len(runs)
        min_chunk = min((size for _, size in chunks), default=n + 1)
        after, before = self._after, self._before
        after_memo, before_memo = self._after_memo, self._before_memo
        for k, (s, e) in enumerate(runs):
            if e - s >= min_chunk:
                for lst, size in chunks:  # \d{4}: back-to-back blocks from the start of the run
                    for a in range(s, e - size + 1, size):
                        lst.append((a, a + size))
            c = lowered[e] if e < n else ""
            may = after_memo.get(c)
            if may is None:  # a separator or suffix, the start of a tail, of 0's
                may = after_memo[c] = c != "" and (c in after or _TAIL_FIRST.match(c) is not None
                                                   or _ZERO_FIRST.match(c) is not None)
            if may and c in after:
                # digit, separator, digit: the run's last digit and the next run's first
                if seps and k + 1 < n_runs and runs[k + 1][0] == e + 1:
                    for lst, chars, last in seps:
                        if c in chars and e - 1 >= last[0]:
                            lst.append((e - 1, e + 2))
                            last[0] = e + 2
                for lst, ends in suffix:
                    if lowered[e:e + 2] in ends:
                        lst.append((e - 1, e + 2))
                for lst, word in runsuffix:
                    if lowered.startswith(word, e):
                        lst.append((s, e + len(word)))
            if may:
                ok = tail_memo.get(c)
                if ok is None:
                    ok = tail_memo[c] = _TAIL_FIRST.match(c) is not None
                if tail and ok:  # last digit, blanks, a dot, blanks, a or p
                    for lst, rx in tail:
                        m = rx.match(lowered, e)
                        if m is not None:
                            lst.append((e - 1, m.end()))
                if zero and lowered[e - 1] == "0":  # 0, a blank?, an apostrophe?, s
                    for lst, rx in zero:
                        m = rx.match(lowered, e)
                        if m is not None:
                            lst.append((e - 1, m.end()))
            if s:
                c = lowered[s - 1]
                may = before_memo.get(c)
                if may is None:  # a prefix, q, or the blank after "at"
                    may = before_memo[c] = c in before or _BLANK.match(c) is not None
                if not may:
                    continue
                if c in before:
                    for lst, word in prefix:
                        if s >= len(word) and lowered[s - len(word):s] == word:
                            lst.append((s - len(word), e))
                    for lst, letters in qs:
                        if c in letters and lowered[s] in "1234":
                            lst.append((s - 1, s + 1))
                ok = blank_memo.get(c)
                if ok is None:
                    ok = blank_memo[c] = _BLANK.match(c) is not None
                if at and s >= 3 and ok:  # at, blanks, the run's first digit
                    for lst, rx in at:
                        m = rx.match(lowered, 0, s)
                        if m is not None:
                            lst.append((m.start(), s + 1))
        return out


def _plain(av):
    """sre_parse items compare by value once sub-patterns are lists."""
    if isinstance(av, tuple):
        return tuple(_plain(x) for x in av)
    if isinstance(av, list):
        return [_plain(x) for x in av]
    if hasattr(av, "data"):
        return [_plain(x) for x in av.data]
    return av


def _lit(ch: str) -> str:
    """``ch`` written for a regex character class."""
    return ch if ch.isalnum() or ord(ch) > 127 else "\\" + ch


def _word_spans(lowered: str, w: str) -> list[tuple[int, int]]:
    """The spans of ``w`` (letters a-z only) where it is a whole ``[a-z]+`` run of
    ``lowered``.  A whole run cannot start inside another occurrence (letters precede
    it there), so the search goes on after each one."""
    out = []
    n, k = len(lowered), len(w)
    i = lowered.find(w)
    while i != -1:
        j = i + k
        if (i == 0 or not "a" <= lowered[i - 1] <= "z") and (j == n or not "a" <= lowered[j] <= "z"):
            out.append((i, j))
        i = lowered.find(w, j)
    return out


def _ascii_lower(text: str) -> str:
    """``text`` with A-Z lower-cased and nothing else changed.  In UTF-8 the bytes of
    A-Z only ever encode those letters, so a byte table does it in one C pass."""
    return text.encode("utf-8", "surrogatepass").translate(_LOWER_BYTES).decode("utf-8", "surrogatepass")


_MISSING = object()
_TAIL_FIRST = regex.compile(r"[\s.ap]")
_ZERO_FIRST = regex.compile(r"[\s's]")  # what can start a match of the zero kind's regex
_BLANK = regex.compile(r"\s")
# ---------------------------------------------------------------------------- prefilters
# Everything below only skips work that cannot succeed: a gate is a necessary condition
# worked out from a regex's syntax, so the tokens and their order stay the same.

class _Gate:
    """What must come at a position: a character out of ``sets`` (the quick character sets
    the matcher itself tests) or ``classes`` (exact regex classes), or a token of one of
    ``dims``.  Answers per character are memoised."""

    __slots__ = ("sets", "classes", "dims", "memo", "skip")

    def __init__(self, sets, classes, dims, skip=False):
        self.sets = tuple(sets)
        self.classes = tuple(classes)
        self.dims = tuple(dims)
        self.memo: dict[str, bool] = {}
        # backward gates: True: test the character before the blanks; "ws": the one before
        # all the white space
        self.skip = skip

    def fill(self, c: str) -> bool:
        ok = self.memo.get(c)
        if ok is None:
            ok = self.memo[c] = bool(c) and (any(c in s for s in self.sets)
                                             or any(x.match(c) is not None for x in self.classes))
        return ok


def _fwd_gate(rule: Rule) -> _Gate | None:
    """What the items after the anchor need at the first non-blank position after it,
    following ``_match_fwd``: a regex item tests its quick set (``first``) before it runs,
    an optional one may also be skipped, a token item needs a token of its dimension."""
    items = rule.items
    i = rule.anchor + 1
    if i >= len(items):
        return None
    sets, classes, dims = [], [], []
    while i < len(items):
        it = items[i]
        if it.dim is not None:
            dims.append((it.dim, it.pred))
            break
        if it.first is not None:
            sets.append(it.first)
        else:
            cls = _edge_regex(it.rx.pattern, it.rx.flags, False)
            if cls is None:
                return None
            classes.append(cls)
        if it.can_empty and i < len(items) - 1:
            i += 1
            continue
        break
    return _Gate(sets, classes, dims)


def _back_gate(rule: Rule) -> _Gate | None:
    """What the regex item right before the anchor (which can never match nothing) needs
    before the anchor: it is matched with trailing blanks, so the character just before
    the anchor is a blank or one the item can end with; when the item cannot end with a
    blank, the character before the blanks must be one it ends with (``skip``)."""
    if rule.anchor == 0:
        return None
    it = rule.items[rule.anchor - 1]
    cls = _edge_regex(it.rx.pattern, it.rx.flags, True)
    if cls is None:
        return None
    blank = cls.match(" ") is not None or cls.match("\t") is not None
    if blank:
        # the item may end with blanks: then test the last character before all the
        # white space instead, when the item's last non-space characters are known
        solid = _edge_regex(it.rx.pattern, it.rx.flags, True, skip_space=True)
        if solid is not None:
            return _Gate((), (solid,), (), skip="ws")
    return _Gate((), (cls,), (), skip=not blank)


def _scan_regex(rx):
    """The atom regex behind a look-ahead for the characters its matches can start with:
    the same matches, but the regex module then skips other positions quickly.  It
    cannot do that itself when the first character sits behind a look-around inside a
    branch or behind an optional item (``0?[1-9]``).  Word-initial (ASCII letter)
    patterns are left alone: the module's own prefix search is faster there."""
    if rx is None or not _hard_start(rx.pattern):
        return rx
    cls = _edge_regex(rx.pattern, rx.flags, False)
    if cls is None or regex.fullmatch(r"\[[A-Za-z]*\]", cls.pattern):
        return rx
    return regex.compile(f"(?={cls.pattern})(?:{rx.pattern})", rx.flags)


@functools.cache
def _hard_start(pattern: str) -> bool:
    if not _stdlib_syntax(pattern):
        return False
    try:
        tree = sre_parse.parse(_BACKREF.sub(_OPAQUE, _NAMED_GROUP.sub("(?:", pattern)))
    except Exception:  # noqa: BLE001
        return False
    C = sre_parse
    repeats = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None))

    def hard(items, top: bool) -> bool:
        for op, av in items:
            if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                if not top:
                    return True
                continue
            if op is C.SUBPATTERN:
                return hard(av[-1].data, top)
            if op is C.BRANCH:
                return any(hard(sub.data, False) for sub in av[1])
            if op in repeats:
                return av[0] == 0 or hard(av[2].data, top)
            return False
        return False

    return hard(tree.data, True)


_REGEX_ONLY = regex.compile(r"\[\[|\\[pPNmMGKXLV]|\(\?[|(rVfwbe&R0-9]|\(\?P>|\(\?<[^=!]")


def _stdlib_syntax(pattern: str) -> bool:
    """Whether ``pattern`` reads the same to the stdlib parser used for the analyses here
    (no nested or POSIX sets, properties, named lists, branch resets, conditionals,
    version or fuzzy flags, ``(?<name>``); anything else gets no shortcut."""
    return _REGEX_ONLY.search(pattern) is None


_NAMED_GROUP = regex.compile(r"\(\?P<\w+>")
_BACKREF = regex.compile(r"\(\?P=\w+\)")
_OPAQUE = "\ue000"  # stands for a back-reference: any character


_WS = regex.compile(r"\s")


@functools.cache
def _edge_regex(pattern: str, flags: int, last: bool, skip_space: bool = False):
    """A compiled character class holding every character a non-empty match of
    ``pattern`` can start (``last``: end) with, or None when that cannot be worked out or
    the pattern can match nothing at all.

    ``skip_space``: the characters outside ``\\s`` only, i.e. every character that can be
    the first (last) non-space one of a match; None also when a match can be white
    space only."""
    if regex.search(r"\\[1-9]", pattern) or not _stdlib_syntax(pattern):
        return None  # numbered back-references, or syntax only the regex module knows
    src = _BACKREF.sub(_OPAQUE, _NAMED_GROUP.sub("(?:", pattern))
    try:
        tree = sre_parse.parse(src)
    except Exception:  # noqa: BLE001 - regex-module syntax the stdlib parser does not know
        return None
    C = sre_parse
    if skip_space:  # only the classes that hold no white space
        cats = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_WORD: r"\w"}
    else:
        cats = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
                C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}
    repeats = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None))

    def lit(code: int) -> str | None:
        ch = chr(code)
        if ch == _OPAQUE:
            return None
        return ch if ch.isalnum() or code > 127 else "\\" + ch

    def space(code: int) -> bool:
        return skip_space and _WS.match(chr(code)) is not None

    def item(op, av):
        """(class members or None, whether the item can be passed over: it can match
        nothing, or with ``skip_space`` white space only)"""
        if op is C.LITERAL:
            if space(av):
                return set(), True
            s = lit(av)
            return (None, False) if s is None else ({s}, False)
        if op is C.IN:
            out, over = set(), False
            for iop, iav in av:
                if iop is C.LITERAL:
                    if space(iav):
                        over = True
                        continue
                    s = lit(iav)
                elif iop is C.RANGE:
                    if skip_space:
                        if iav[1] - iav[0] > 5000:
                            return None, False
                        # white space inside the range can match too (it is skipped at run time)
                        over = over or _WS.search("".join(map(chr, range(iav[0], iav[1] + 1)))) is not None
                    a, b = lit(iav[0]), lit(iav[1])
                    s = None if a is None or b is None else f"{a}-{b}"
                elif iop is C.CATEGORY and skip_space and iav is C.CATEGORY_SPACE:
                    over = True
                    continue
                elif iop is C.CATEGORY:
                    s = cats.get(iav)
                else:  # NEGATE and the like
                    s = None
                if s is None:
                    return None, False
                out.add(s)
            return out, over
        if op is C.BRANCH:
            out, over = set(), False
            for sub in av[1]:
                s, o = seq(sub.data)
                if s is None:
                    return None, False
                out |= s
                over = over or o
            return out, over
        if op is C.SUBPATTERN:
            if av[1] or av[2]:  # scoped flags
                return None, False
            return seq(av[-1].data)
        if op in repeats:
            lo, hi, sub = av
            if hi == 0:
                return set(), True
            s, o = seq(sub.data)
            return (s, o or lo == 0) if s is not None else (None, False)
        if op is getattr(C, "ATOMIC_GROUP", None):
            return seq(av.data)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return set(), True  # zero-width
        return None, False

    def seq(items):
        """From the edge inwards: the members of every item up to the first one that
        cannot be passed over, which ends (starts) the match's edge."""
        out: set[str] = set()
        for op, av in (reversed(items) if last else items):
            s, over = item(op, av)
            if s is None:
                return None, False
            out |= s
            if not over:
                return out, False
        return out, True

    members, over = seq(tree.data)
    if members is None or over or not members:
        return None
    return regex.compile("[" + "".join(sorted(members)) + "]", flags)


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
