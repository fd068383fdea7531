"""The entity gazetteer: ``gazetteer.tsv`` loaded once and compiled into one regex.

Every alias (simplified; traditional aliases are converted with OpenCC on load)
goes into a character trie that is written out as a single regular expression, so
one left-to-right scan finds the leftmost-longest alias at every position (a trie
alternation backtracks only as far as the text follows an alias).  Latin aliases
carry word-boundary assertions in the regex itself, so a boundary that fails lets a
shorter alias match instead (``Meta AIs`` still gives ``Meta``).

The regex (standard library ``re``, which runs this pattern fastest) matches
case-insensitively (``re.IGNORECASE``) but for the first character of an alias,
which it spells out as each character IGNORECASE lets match it (see
:func:`_trie_regex` for why).  A match whose case differs from every
alias is kept only between Han characters (``同期meta和Google``), where a
lower-case brand name is a typo and not an English word.
"""
from __future__ import annotations

import functools
import re
from array import array
from dataclasses import dataclass
from importlib import resources

import regex

__all__ = ["Entry", "Gazetteer", "GazetteerError", "load_gazetteer", "LABELS"]

LABELS = ("ORG", "PERSON", "PRODUCT", "MEDIA", "GPE", "OTHER")
_CONTEXTS = ("any", "han")
_COLUMNS = ("canonical", "label", "entity_id", "origin", "context", "aliases")
_QID = regex.compile(r"Q[1-9][0-9]*|local:[a-z0-9][a-z0-9.-]*")
_HAN = regex.compile(r"\p{Han}")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ASCII_LETTER = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

# boundary assertions, chosen by the first/last character of an alias.  The start
# one stands after the alias's first (ASCII alphanumeric) character: "the character
# before that one is not ASCII alphanumeric"
_START_ASCII = r"(?-i:(?<![A-Za-z0-9].))"
_END_LETTER = r"(?-i:(?![A-Za-z])(?!-[a-z]))"
# after a digit: no further digit or decimal part (GPT-3 is not GPT-3.5), no letter
# except a plural s (H100s)
_END_DIGIT = r"(?-i:(?![0-9])(?!\.[0-9])(?![A-Za-rt-z])(?!s[A-Za-z0-9]))"


class GazetteerError(ValueError):
    """A malformed or ambiguous gazetteer row (a data bug: fix gazetteer.tsv)."""


@dataclass(frozen=True)
class Entry:
    canonical: str
    label: str
    entity_id: str
    origin: str   # "core" | "corpus"
    context: str  # "any" | "han"


@dataclass(frozen=True)
class Gazetteer:
    #: the trie regex split in two, aliases starting with an ASCII letter or digit
    #: and all others (see :func:`_trie_regex`); an alias match starts in one only
    patterns: tuple[re.Pattern, re.Pattern]
    exact: dict[str, Entry]     # simplified alias -> entry
    folded: dict[str, Entry]    # lower-cased alias -> entry (aliases with Latin letters)
    aliases: tuple[tuple[str, Entry], ...]

    def entry_for(self, surface: str, text: str, start: int, end: int) -> Entry | None:
        """The entry a regex hit stands for, or None when its context rules it out."""
        entry = self.exact.get(surface)
        if entry is None:
            entry = self.folded.get(surface.lower())
            if entry is None or not _han_context(text, start, end, both=True):
                return None
        if entry.context == "han" and not _han_context(text, start, end, both=False):
            return None
        return entry


def _han_context(text: str, start: int, end: int, both: bool) -> bool:
    """Han on one side (``both=False``) or on one side and no Latin letter on the other."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    han_before = bool(before) and bool(_HAN.match(before))
    han_after = bool(after) and bool(_HAN.match(after))
    if not both:
        return han_before or han_after
    if not (han_before or han_after):
        return False
    return before not in _ASCII_LETTER and after not in _ASCII_LETTER


def _case_variants(chars: set[str]) -> dict[str, str]:
    """Each of ``chars`` -> every character that ``re.IGNORECASE`` matches it with.

    Found by running ``re`` itself over all code points once, so it follows the
    engine's own case table, beyond ASCII too (k also matches the Kelvin sign,
    s matches ſ, i matches İ and ı)."""
    out = {ch: ch for ch in chars}
    # (a character ``re`` holds cased has a lower or upper case mapping of its own)
    cased = sorted(ch for ch in chars if ch.lower() != ch or ch.upper() != ch)
    if cased:
        every = array("I", range(0x110000)).tobytes().decode("utf-32-le", "surrogatepass")
        matched = set(re.findall("[" + "".join(map(re.escape, cased)) + "]", every, re.IGNORECASE))
        for ch in cased:
            esc = re.escape(ch)
            out[ch] = "".join(sorted(x for x in matched if re.fullmatch(esc, x, re.IGNORECASE)))
    return out


def _trie_regex(words: list[str], variants: dict[str, str]) -> str:
    """One regex matching any of ``words`` (already lower-cased), longest first.

    Every top-level alternative starts with one literal character, without
    IGNORECASE (a first character with case variants, from ``variants``, gets one
    alternative per variant; :func:`_case_variants`); the rest of the alias is
    matched under ``(?i:...)``.  Then ``re`` skips in C the positions no alias
    starts at, and skips an alternative after one character comparison: under
    IGNORECASE a cased first literal would defeat both.  An alternative that fails
    after its first character still has the engine try the alternatives after it,
    so a pattern should not mix Latin-led aliases (tried at every letter of English
    text, failing mid-word on the start boundary) with the many Han-led ones:
    :func:`build` compiles the two groups separately.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def end_assert(last: str) -> str:
        if last.isdigit() and last in _ASCII_ALNUM:
            return _END_DIGIT
        if last in _ASCII_LETTER:
            return _END_LETTER
        return ""

    def walk(node: dict, last: str) -> str:
        branches = [re.escape(ch) + walk(child, ch) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return end_assert(last)
        alt = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + alt + "|" + end_assert(last) + ")"
        return alt

    tops = []
    for ch, child in sorted(trie.items()):
        rest = (_START_ASCII if ch in _ASCII_ALNUM else "") + walk(child, ch)
        rest = "(?i:" + rest + ")" if rest else ""
        tops.extend(re.escape(v) + rest for v in variants[ch])
    return "(?:" + "|".join(tops) + ")"


def parse_rows(text: str, to_simplified) -> list[tuple[Entry, list[str]]]:
    """Rows of a gazetteer TSV as (entry, simplified aliases); raises GazetteerError."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != len(_COLUMNS):
            raise GazetteerError(f"gazetteer.tsv:{n}: {len(cols)} columns, want {len(_COLUMNS)} ({', '.join(_COLUMNS)})")
        canonical, label, entity_id, origin, context, aliases = (c.strip() for c in cols)
        if label not in LABELS:
            raise GazetteerError(f"gazetteer.tsv:{n}: label {label!r} is not one of {', '.join(LABELS)}")
        if not _QID.fullmatch(entity_id):
            raise GazetteerError(f"gazetteer.tsv:{n}: entity_id {entity_id!r} is neither a QID nor local:<slug>")
        if origin not in ("core", "corpus") or context not in _CONTEXTS:
            raise GazetteerError(f"gazetteer.tsv:{n}: origin must be core|corpus and context any|han")
        forms: list[str] = []
        # the canonical is an alias too (not for `han` rows, nor a one-character canonical such as X)
        extra = [canonical] if context == "any" and len(canonical) > 1 else []
        for alias in [a.strip() for a in aliases.split("|")] + extra:
            if not alias:
                continue
            for form in (alias, to_simplified(alias)):
                if form not in forms:
                    forms.append(form)
        rows.append((Entry(canonical, label, entity_id, origin, context), forms))
    return rows


def build(rows: list[tuple[Entry, list[str]]]) -> Gazetteer:
    exact: dict[str, Entry] = {}
    for entry, forms in rows:
        for form in forms:
            other = exact.get(form)
            if other is not None and other != entry:
                raise GazetteerError(f"alias {form!r} is given for both {other.canonical!r} and {entry.canonical!r}")
            exact[form] = entry
    folded: dict[str, Entry] = {}
    for form, entry in exact.items():
        if any(c in _ASCII_LETTER for c in form):
            folded.setdefault(form.lower(), entry)
    words = sorted({form.lower() for form in exact})
    variants = _case_variants({w[0] for w in words})
    latin = [w for w in words if w[0] in _ASCII_ALNUM]
    other = [w for w in words if w[0] not in _ASCII_ALNUM]
    # an empty group compiles to a pattern that never matches
    patterns = tuple(re.compile(_trie_regex(group, variants) if group else "(?!)") for group in (latin, other))
    return Gazetteer(patterns, exact, folded, tuple(sorted(exact.items())))


def load_gazetteer(origins: tuple[str, ...] = ("core", "corpus")) -> Gazetteer:
    """The packaged gazetteer (once per process); ``origins`` filters rows (for evaluation)."""
    return _load_gazetteer(tuple(origins))  # one cache key however it is called


@functools.cache
def _load_gazetteer(origins: tuple[str, ...]) -> Gazetteer:
    from ...normalize import to_simplified

    text = resources.files(__package__).joinpath("gazetteer.tsv").read_text("utf-8")
    rows = [(e, forms) for e, forms in parse_rows(text, to_simplified) if e.origin in origins]
    return build(rows)
