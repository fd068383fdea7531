"""Stage `clean`: strip scrape noise from a copy of the text, keeping the offset map.

Removes pinyin glosses (開(kāi)始), image links, URLs, HTML remnants and site
boilerplate lines (rules in ``rules.yaml``), and finds repeated blocks (a body
printed twice).  Repeated blocks are *not* removed: their mentions are kept and
marked ``duplicate_of`` so that a reviewer sees them, and the claim builder skips
them.
"""
from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import operator
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Iterator

import regex

from ..textmap import MappedText
from ..yamlio import load_yaml

__all__ = ["CleanResult", "clean", "load_rules"]

_KEY_STRIP = regex.compile(r"[^\p{Han}\p{L}\p{N}]+")
#: _KEY_STRIP that keeps newlines: one ``sub`` over a whole text gives every line's key
_KEY_STRIP_LINES = regex.compile(r"[^\p{Han}\p{L}\p{N}\n]+")
#: a line whose key is shorter than this never starts a repeated block on its own
MIN_DUP_KEY = 12
#: similarity (difflib quick ratio) for a near repeat between two exact repeats
NEAR_RATIO = 0.8


@dataclass(frozen=True)
class InlineRule:
    id: str
    pattern: regex.Pattern
    replace: str
    counter: str
    examples: tuple[str, ...]
    keep: tuple[str, ...]


@dataclass(frozen=True)
class LineRule:
    id: str
    pattern: regex.Pattern
    examples: tuple[str, ...]
    starts_footer: bool = False


@dataclass(frozen=True)
class Rules:
    inline: tuple[InlineRule, ...]
    lines: tuple[LineRule, ...]
    footer_max_line: int = 40
    #: all line patterns as one alternation ``(?P<l0>...)|(?P<l1>...)|...``: a fullmatch
    #: picks the first rule that fullmatches, like trying them in order (None: not combinable)
    lines_any: regex.Pattern | None = None


@dataclass
class CleanResult:
    mapped: MappedText
    counts: dict[str, int]
    #: processed-text ranges (start, end) of lines that repeat an earlier line, with
    #: the (start, end) of that earlier line: [(dup_start, dup_end, first_start, first_end)]
    duplicates: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: ``to_simplified(mapped.text)`` when it keeps the length (normalize reuses it
    #: instead of converting the same text again), else None
    simplified: str | None = None


_LEADING_FLAGS = regex.compile(r"\(\?([ims]+)\)")


def _combine_line_patterns(lines: tuple[LineRule, ...]) -> regex.Pattern | None:
    """One pattern for all line rules, or None (then they are tried one by one) when
    a rule cannot be embedded safely: its capturing groups would shift the group
    numbers, or an inline flag that is not leading would leak into the other rules."""
    default_flags = regex.compile("").flags
    parts = []
    for i, rule in enumerate(lines):
        src = rule.pattern.pattern
        m = _LEADING_FLAGS.match(src)
        if m:  # a leading (?i) applies to the whole rule: scope it to the rule's group
            src = f"(?{m[1]}:{src[m.end():]})"
        if rule.pattern.groups or regex.compile(src).flags != default_flags:
            return None
        parts.append(f"(?P<l{i}>{src})")
    combined = regex.compile("|".join(parts)) if parts else None
    return combined if combined is not None and combined.flags == default_flags else None


@functools.cache
def load_rules() -> Rules:
    data = load_yaml(resources.files(__package__).joinpath("rules.yaml").read_text("utf-8"))
    inline = tuple(
        InlineRule(r["id"], regex.compile(r["pattern"]), r.get("replace", ""), r.get("counter", "html_remnants"),
                   tuple(r.get("examples", ())), tuple(r.get("keep", ())))
        for r in data["inline"]
    )
    lines = tuple(
        LineRule(r["id"], regex.compile(r["pattern"]), tuple(r.get("examples", ())), bool(r.get("starts_footer")))
        for r in data["boilerplate_lines"]
    )
    return Rules(inline, lines, int(data.get("footer_max_line", 40)), _combine_line_patterns(lines))


def _inline_edits(text: str, rules: Rules, counts: dict[str, int]) -> list[tuple[int, int, str]]:
    """Non-overlapping edits of all inline rules; earlier rules win on overlap."""
    taken: list[tuple[int, int, str]] = []
    starts: list[int] = []   # sorted starts of the edits of earlier rules
    ends: list[int] = []     # their ends, same order
    for rule in rules.inline:
        repl = rule.replace
        expand = "\\" in repl
        new: list[tuple[int, int, str]] = []
        # a rule's own matches never overlap (finditer), so a match is checked only
        # against the edits of earlier rules; with none yet, every match is taken
        for m in rule.pattern.finditer(text):
            s, e = m.span()
            if s == e:
                continue
            if starts:
                i = bisect.bisect_left(starts, s)
                if (i < len(starts) and starts[i] < e) or (i > 0 and ends[i - 1] > s):
                    continue
            new.append((s, e, m.expand(repl) if expand else repl))
        if new:
            taken.extend(new)
            counts[rule.counter] = counts.get(rule.counter, 0) + len(new)
            # edits never overlap, so their starts and their ends sort in the same order
            starts = sorted(starts + [t[0] for t in new])
            ends = sorted(ends + [t[1] for t in new])
    return taken


def _line_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, line) of every line of ``text``, computed without a Python loop."""
    lines = text.split("\n")
    lens = list(map(len, lines))
    # line k ends after the characters of lines 0..k and the k newlines between them
    ends = list(map(operator.add, itertools.accumulate(lens), range(len(lines))))
    return zip(map(operator.sub, ends, lens), ends, lines)


def clean(original: str, to_simplified: Callable[[str], str]) -> CleanResult:
    """Clean ``original``; ``to_simplified`` is a length-preserving t2s converter
    used only to match boilerplate and repeated lines across scripts."""
    rules = load_rules()
    counts = {"boilerplate_chars": 0, "ruby_annotations": 0, "duplicate_blocks": 0, "html_remnants": 0}
    mt = MappedText.identity(original).apply(_inline_edits(original, rules, counts))

    simp = to_simplified(mt.text)
    if len(simp) != len(mt.text):  # a converter that changes length cannot be used for matching
        simp = mt.text
    edits = []
    in_footer = False
    lines_any = rules.lines_any
    for start, end, line in _line_spans(simp):
        stripped = line.strip()
        if not stripped:
            continue
        if lines_any is not None:
            m = lines_any.fullmatch(stripped)
            rule = rules.lines[m.lastindex - 1] if m else None
        else:
            rule = next((r for r in rules.lines if r.pattern.fullmatch(stripped)), None)
        if rule is None and in_footer and len(stripped) < rules.footer_max_line:
            rule = True  # a tag or related-article link in the footer
        elif rule is None:
            in_footer = False
        if rule is not None:
            in_footer = in_footer or (rule is not True and rule.starts_footer)
            edits.append((start, end, ""))
            counts["boilerplate_chars"] += end - start
    if edits:
        mt = mt.apply(edits)
        simp = to_simplified(mt.text)
        if len(simp) != len(mt.text):
            simp = mt.text

    duplicates = _find_repeated_lines(simp)
    counts["duplicate_blocks"] = _count_blocks(duplicates, simp)
    return CleanResult(mt, counts, duplicates, simp if simp is not mt.text else None)


def _find_repeated_lines(text: str) -> list[tuple[int, int, int, int]]:
    """Lines repeating an earlier line: exact repeats (on a key without punctuation
    and spaces), then near repeats between two exact ones (a second copy with
    mojibake) paired by position when they are at least ``NEAR_RATIO`` similar."""
    keys = _KEY_STRIP_LINES.sub("", text).split("\n")  # one key per line, in order
    lines = [(s, e, key) for (s, e, _), key in zip(_line_spans(text), keys)]
    seen: dict[str, int] = {}
    pairs: dict[int, int] = {}  # index of repeated line -> index of first copy
    for i, key in enumerate(keys):
        if len(key) < MIN_DUP_KEY:
            continue
        first = seen.setdefault(key, i)
        if first != i:
            pairs[i] = first
    ordered = sorted(pairs)
    for a, b in zip(ordered, ordered[1:]):
        fa, fb = pairs[a], pairs[b]
        gap_dup = [i for i in range(a + 1, b) if lines[i][2]]
        gap_first = [i for i in range(fa + 1, fb) if lines[i][2]]
        if not gap_dup or len(gap_dup) != len(gap_first) or fb <= fa:
            continue
        for i, j in zip(gap_dup, gap_first):
            ratio = difflib.SequenceMatcher(None, lines[i][2], lines[j][2], autojunk=False).quick_ratio()
            if ratio >= NEAR_RATIO and len(lines[i][2]) >= MIN_DUP_KEY:
                pairs[i] = j
    return [(lines[i][0], lines[i][1], lines[j][0], lines[j][1]) for i, j in sorted(pairs.items())]


def _count_blocks(dups: list[tuple[int, int, int, int]], text: str) -> int:
    """Runs of repeated lines separated only by blank or short lines count as one block."""
    blocks = 0
    prev_end = -1
    for start, end, _, _ in dups:
        gap = text[prev_end:start] if prev_end >= 0 else None
        if gap is None or len(_KEY_STRIP.sub("", gap)) >= MIN_DUP_KEY * 4:
            blocks += 1
        prev_end = end
    return blocks
