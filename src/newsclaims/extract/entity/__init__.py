"""Entity extractor: organisations, people, products/models, media outlets and places.

``extract(text, ctx)`` works on the processed article text (cleaned, simplified,
half-width) and returns entity drafts with the fields of DESIGN.md, in order:
``label``, ``canonical``, ``entity_id``.

1. **Gazetteer** (``gazetteer.tsv``): every alias in one trie regex, leftmost
   longest match, Latin aliases on word boundaries (gazetteer.py).
2. **Context rules** (``rules.yaml``): names too ambiguous for the gazetteer, in a
   context (X in 在X上).  **False positives** (Meta分析) drop hits they overlap.
3. **Fallback** for names not in the gazetteer (fallback.py): dotted
   transliterations, bylines, capitalised Latin runs with a cue, and jieba POS on
   the few sentences that need it.  Their ``entity_id`` is null and the canonical
   is their own surface.
4. **People linking** (:func:`link_people`, coref.py): a short mention (Altman,
   苏莱曼) takes the full form's canonical when the full form is in the article.

The rules are data next to this file; ``examples.yaml`` holds the cases that
``tests/extract/test_entity.py`` runs.  docs/entities.md says how to add an entity.
"""
from __future__ import annotations

import functools
from importlib import resources

import regex

from ..base import Draft, ExtractContext
from .coref import link_people
from .fallback import Cand, run_fallback
from .gazetteer import Gazetteer, LABELS, load_gazetteer
from ...yamlio import load_yaml

__all__ = ["extract", "link_people", "jieba_userdict_entries", "load_gazetteer", "LABELS"]

_JIEBA_TAGS = {"PERSON": "nr", "ORG": "nt", "MEDIA": "nt", "GPE": "ns", "PRODUCT": "nz", "OTHER": "nz"}
#: frequency given to gazetteer words in jieba's dictionary: high enough that a name
#: beats its split into common words (月之暗面 -> 月/之/暗面), and a fixed number so
#: that every worker builds the same dictionary
JIEBA_FREQ = 10000
_HAN = regex.compile(r"\p{Han}")


@functools.cache
def _context_rules() -> tuple[tuple[str, regex.Pattern, str, str, str], ...]:
    data = load_yaml(resources.files(__package__).joinpath("rules.yaml").read_text("utf-8"))
    rules = []
    for r in data.get("context_rules", []):
        if r["label"] not in LABELS:
            raise ValueError(f"E-NC-ENT01 context rule {r['id']}: label {r['label']!r} not in {LABELS}")
        rules.append((r["id"], regex.compile(r["pattern"]), r["label"], r["canonical"], r["entity_id"]))
    return tuple(rules)


@functools.cache
def _false_positives() -> tuple[regex.Pattern, tuple[regex.Pattern, ...]] | None:
    """The false-positive patterns as one alternation, and one by one (see
    :func:`_false_positive_spans`)."""
    data = load_yaml(resources.files(__package__).joinpath("rules.yaml").read_text("utf-8"))
    pats = data.get("false_positives") or []
    if not pats:
        return None
    union = regex.compile("|".join(f"(?:{p})" for p in pats))
    each = tuple(regex.compile(f"(?:{p})") for p in pats)
    if any(e.flags != union.flags for e in each):
        each = (union,)  # an inline flag that reaches beyond its pattern: only the union means it
    return union, each


def _false_positive_spans(text: str, fp: tuple[regex.Pattern, tuple[regex.Pattern, ...]]) -> list[tuple[int, int]]:
    """The spans of ``union.finditer(text)``, found with the patterns one by one: the
    ``regex`` module scans a single pattern with its fast literal search, which the
    alternation defeats (twice as fast in all).  The alternation's match is the
    leftmost of the patterns' matches, the earlier pattern's on a tie, and the scan
    goes on from its end."""
    union, each = fp
    searches = [p.search for p in each]
    nxt = [search(text) for search in searches]
    out = []
    while True:
        best = None
        for m in nxt:
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return out
        s, e = best.span()
        if s == e:  # an empty match: leave the stepping past it to the alternation itself
            return [m.span() for m in union.finditer(text)]
        out.append((s, e))
        for i, m in enumerate(nxt):
            if m is not None and m.start() < e:
                nxt[i] = searches[i](text, e)


def gazetteer_hits(text: str, gaz: Gazetteer) -> list[Cand]:
    """Leftmost-longest alias hits; a hit its context rules out is retried one character on."""
    out = []
    exact, entry_for = gaz.exact, gaz.entry_for
    # the two patterns together act as one alternation: the leftmost match of
    # either (the first pattern's on a tie, as in the alternation); each keeps its
    # next match from `pos` on until that is passed
    search_a, search_b = (p.search for p in gaz.patterns)
    ma, mb = search_a(text), search_b(text)
    while ma is not None or mb is not None:
        m = ma if mb is None or (ma is not None and ma.start() <= mb.start()) else mb
        s, e = m.span()
        surface = m.group()
        entry = exact.get(surface)
        if entry is None or entry.context != "any":  # (the common case inline)
            entry = entry_for(surface, text, s, e)
        if entry is None:
            pos = s + 1
        else:
            out.append(Cand(s, e, entry.label, entry.canonical, entry.entity_id, "entity.gazetteer"))
            pos = e
        if ma is not None and ma.start() < pos:
            ma = search_a(text, pos)
        if mb is not None and mb.start() < pos:
            mb = search_b(text, pos)
    return out


def context_hits(text: str) -> list[Cand]:
    out = []
    for rule_id, pattern, label, canonical, entity_id in _context_rules():
        for m in pattern.finditer(text):
            s, e = m.span("name")
            out.append(Cand(s, e, label, canonical, entity_id, f"entity.context.{rule_id}"))
    return out


def _resolve(cands: list[Cand]) -> list[Cand]:
    """Longest first, then leftmost; drop anything overlapping a kept span."""
    kept: list[Cand] = []
    taken = bytearray(max((c.end for c in cands), default=0))
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
        if taken.find(1, c.start, c.end) != -1:
            continue
        kept.append(c)
        taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    return sorted(kept, key=lambda c: c.start)


def extract(text: str, ctx: ExtractContext, *, origins: tuple[str, ...] = ("core", "corpus"),
            use_jieba: bool = True) -> list[Draft]:
    """Entity drafts over the processed ``text`` (offsets into it).

    ``origins`` restricts the gazetteer rows used (``("core",)`` measures how the
    extractor does without the rows seeded from the corpus); ``use_jieba=False``
    turns the jieba POS fallback off.
    """
    gaz = load_gazetteer(tuple(origins))
    hits = gazetteer_hits(text, gaz)
    ctx_hits = context_hits(text)
    if ctx_hits:
        hits = _resolve(hits + ctx_hits)
    fp = _false_positives()
    if fp is not None and hits:
        bad = _false_positive_spans(text, fp)
        if bad:
            hits = [h for h in hits if not any(s < h.end and h.start < e for s, e in bad)]
    cands = run_fallback(text, hits, use_jieba=use_jieba and ctx.lang != "en" and bool(_HAN.search(text)))
    drafts = [Draft("entity", c.start, c.end, c.rule,
                    {"label": c.label, "canonical": c.canonical, "entity_id": c.entity_id}) for c in cands]
    return link_people(drafts, text)


def jieba_userdict_entries() -> list[tuple[str, int, str]]:
    """(word, freq, POS tag) for every gazetteer alias jieba can keep whole.

    Call in every worker process before segmenting (``jieba.add_word(*entry)``):
    jieba's dictionary is per process.  Aliases with a space are left out (jieba
    splits on spaces), and so are pure-Latin aliases (jieba keeps a Latin run whole
    anyway).
    """
    gaz = load_gazetteer()
    out = []
    for alias, entry in gaz.aliases:
        if " " in alias or not _HAN.search(alias):
            continue
        out.append((alias, JIEBA_FREQ, _JIEBA_TAGS[entry.label]))
    return sorted(out)
