"""Coreference-lite for people, within one article.

A person is often named in full once (Sam Altman, 米拉·穆拉蒂, John Schulman) and
by one part later (Altman, 穆拉蒂, Schulman, Ilya).  :func:`link_people` gives
every short mention the canonical name and id of the full form found anywhere in
the same article, and finds short mentions no other rule found (a surname that is
not in the gazetteer).  A part shared by two full names (Dario and Daniela Amodei
share Amodei) links nothing.
"""
from __future__ import annotations

import functools
import re
from operator import attrgetter

import regex

from ..base import Draft

__all__ = ["link_people"]

_NAME_PARTS = regex.compile(r"[·•‧・\- ]")
_HAN = regex.compile(r"\p{Han}")
#: Latin parts too common to stand for a person on their own
_WEAK_PARTS = frozenset({"Mark", "Will", "May", "Bill", "Jack", "Rob", "Pat", "Max", "Grant", "Mo", "Ed", "Al",
                         "Guy", "Chase", "Hope", "Sun", "Long", "Young", "King", "Price", "Rich", "Page", "Ford"})


def _parts(name: str) -> list[str]:
    """Parts a later mention may use: any part of a Latin name (Altman, Ilya), only
    the last part of a Chinese transliteration (穆拉蒂, not 马克 of 马克·扎克伯格)."""
    parts = [p for p in _NAME_PARTS.split(name) if p]
    if len(parts) < 2:
        return []
    return parts[-1:] if _HAN.search(name) else parts


def _usable(part: str) -> bool:
    if _HAN.search(part):
        return len(part) >= 2
    return len(part) >= 3 and part[0].isupper() and part not in _WEAK_PARTS


@functools.lru_cache(maxsize=4096)
def _usable_parts(name: str) -> tuple[str, ...]:
    """The parts of ``name`` a later mention may use (a name recurs across articles)."""
    return tuple(part for part in _parts(name) if _usable(part))


_BY_SPAN = attrgetter("start", "end")


def link_people(drafts: list[Draft], text: str) -> list[Draft]:
    """Short person mentions take the full form's canonical; unfound ones are added.

    ``drafts`` are entity drafts over ``text`` (the whole processed article).
    Returns a new list sorted by start.
    """
    persons = [d for d in drafts if d.kind == "entity" and d.fields.get("label") == "PERSON"]
    owners: dict[str, set[tuple[str, str | None]]] = {}
    for d in persons:
        canon = d.fields["canonical"]
        full = (canon, d.fields.get("entity_id"))
        for name in {canon, text[d.start:d.end]}:
            for part in _usable_parts(name):
                owners.setdefault(part, set()).add(full)
    if not owners:
        return sorted(drafts, key=_BY_SPAN)
    links = {part: next(iter(fulls)) for part, fulls in owners.items() if len(fulls) == 1}

    person_ids = {id(d) for d in persons}
    out = []
    for d in drafts:
        if id(d) in person_ids and d.fields.get("entity_id") is None:
            target = links.get(d.fields["canonical"])
            if target is not None and target[0] != d.fields["canonical"]:
                d = Draft(d.kind, d.start, d.end, d.rule, {"label": "PERSON", "canonical": target[0],
                                                           "entity_id": target[1]})
        out.append(d)
    if not links:  # every part has two owners: nothing to look for
        return sorted(out, key=_BY_SPAN)

    # short forms nobody found yet: one scan for all parts.  Every alternative is
    # one part with the boundary checks of its kind, the one before it written as a
    # lookbehind over the part itself: the regex then starts with literals only and
    # `re` skips in C every position no part starts at
    alts = []
    latin_before, latin_after = r"[A-Za-z0-9\-'’.]", r"(?![A-Za-z0-9\-])"
    han_before, han_after = r"[·•‧・\-]", r"(?![·•‧・\-])"
    han = [p for p in links if _HAN.search(p)]
    latin = [p for p in links if not _HAN.search(p)]
    for parts, before, after in ((latin, latin_before, latin_after), (han, han_before, han_after)):
        for p in sorted(parts, key=len, reverse=True):
            alts.append(f"{re.escape(p)}(?<!{before}(?s:.){{{len(p)}}}){after}")
    taken = bytearray(len(text))
    for d in out:
        taken[d.start:d.end] = b"\x01" * (d.end - d.start)
    added = []
    for m in re.finditer("|".join(alts), text):
        s, e = m.span()
        if any(taken[s:e]):
            continue
        canon, eid = links[m.group()]
        added.append(Draft("entity", s, e, "entity.coref", {"label": "PERSON", "canonical": canon, "entity_id": eid}))
    return sorted(out + added, key=_BY_SPAN)
