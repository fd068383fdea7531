"""Names that are not in the gazetteer: cheap rules that need a cue, precision first.

Four rules, each returning :class:`Cand` spans that do not overlap the gazetteer
hits (``taken``):

* ``dotted``: a transliterated name joined by a middle dot (米拉·穆拉蒂), or by a
  hyphen when both parts have two or more characters (迈克尔-特林).  It replaces
  a gazetteer hit it strictly contains when that hit has no dot itself, because
  the hit was then only part of a name (梅琳达·盖茨 is not Bill Gates).
* ``byline``: the names of a byline line (文|周鑫雨, 编辑丨钱江, 作者:弗雷迪).
* ``latin``: a run of capitalised Latin words (John Schulman, Acme Capital) that is
  an organisation or medium by its last word, or a person by a given name, a title
  before it (CEO, 分析师) or a speech verb after it (said, 表示).
* ``jieba``: a Chinese name in a cue slot -- right after a title (分析师王磊认为) or
  opening a clause whose verb is a speech verb (傅盛在大会上提到) -- with a common
  surname, checked against jieba's POS dictionary (a word jieba knows is a name
  only if it tags it ``nr``).  Running ``jieba.posseg`` itself (HMM over whole
  sentences) cost as much as the rest of the extractor and found nothing more on
  the seeds, so only its dictionary is used, and only when a slot exists.

Two Latin runs also override a gazetteer hit: a capitalised org/medium name
around a place (Analytics India Magazine is not India) and another given name
before a one-word person alias (Jack Altman is not Sam Altman).

The lexicons live in ``rules.yaml`` under ``fallback``.
"""
from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

import regex
from ...yamlio import load_yaml

__all__ = ["Cand", "Lexicon", "load_lexicon", "run_fallback", "latin_full_names"]


class Cand(NamedTuple):
    """A candidate name (immutable; a named tuple is made 3x faster than a frozen dataclass)."""
    start: int
    end: int
    label: str
    canonical: str
    entity_id: str | None
    rule: str


def _fast_alt(words) -> re.Pattern:
    """Literal words as one trie regex.  It finds what the alternation longest-first
    finds (at the leftmost position the longest word), but every branch starts with
    a literal: the standard ``re`` engine then skips in C the positions no word
    starts at, and tries only the branch of the character at a position."""
    trie: dict = {}
    for w in set(words):
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        alt = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + alt + "|)" if "" in node else alt  # a longer word first, else end here

    return re.compile(walk(trie))


def _alt(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class Lexicon:
    dotted: regex.Pattern
    dotted_not_person: tuple[str, ...]
    byline: regex.Pattern
    byline_token_split: regex.Pattern
    latin_run: regex.Pattern
    title_before: regex.Pattern
    cue_after: regex.Pattern
    titles_re: re.Pattern
    slot_after_title: re.Pattern
    speech_re: re.Pattern
    slot_before_speech: re.Pattern
    joiner: regex.Pattern
    latin_stop: frozenset[str]
    org_suffixes_en: frozenset[str]
    media_suffixes_en: frozenset[str]
    first_names: frozenset[str]
    surnames: frozenset[str]
    compound_surnames: tuple[str, ...]
    translit: frozenset[str]
    titles: frozenset[str]
    speech_zh: frozenset[str]
    honorifics: frozenset[str]
    clause_breaks: frozenset[str]
    not_person: frozenset[str]
    org_suffixes_zh: tuple[str, ...]
    place_suffixes_zh: tuple[str, ...]


@functools.cache
def load_lexicon() -> Lexicon:
    data = load_yaml(resources.files(__package__).joinpath("rules.yaml").read_text("utf-8"))["fallback"]
    t = "".join(sorted(set(data["translit_chars"].replace(" ", ""))))
    tcls = "[" + regex.escape(t) + "]"
    joiners = "[" + regex.escape(data["name_joiners"]) + "]"
    dotted = regex.compile(
        rf"(?<!{tcls})(?:{tcls}{{1,6}}(?:{joiners}{tcls}{{1,8}}){{1,3}}|{tcls}{{2,6}}-{tcls}{{2,8}})(?!{tcls})")
    seps = "[" + regex.escape(data["byline_separators"]) + "]"
    byline = regex.compile(
        rf"(?m)^[ \t*#>]*(?:{_alt(data['byline_prefixes'])})[ \t]*{seps}[ \t]*(?P<rest>[^\n]{{1,40}}?)[ \t*]*$")
    word = r"(?:[A-Z][a-zà-öø-ÿ]+(?:[-'’][A-Za-zà-öø-ÿ]+)*|[A-Z][A-Z0-9]+|[A-Z]\.)"
    latin_run = regex.compile(
        rf"(?<![A-Za-z0-9\-'’.])({word}(?:(?:[ ](?:of|de|van|von|der|da|di|du|le|la|&)[ ]|[ ]){word})*)(?:['’]s)?(?![A-Za-z0-9\-])")
    titles_en, titles_zh = data["person_titles_en"], data["person_titles_zh"]
    title_before = regex.compile(rf"(?:{_alt(titles_en)})[ ]?$|(?:{_alt(titles_zh)})(?:的)?[ ]?$")
    adverbs = "[也还则曾已就都亦更又便]"
    cue_after = regex.compile(
        rf"^(?:[ ]?(?:{_alt(data['speech_verbs_en'])})\b|{adverbs}{{0,2}}(?:{_alt(data['speech_verbs_zh'])})"
        rf"|,[ ](?:the[ ]|a[ ]|its[ ])?(?:{_alt(titles_en)})\b)")
    breaks = data["clause_breaks"]
    bcls = "[" + re.escape(breaks) + "]"
    han = "[\u3400-\u4dbf\u4e00-\u9fff]"
    all_titles = titles_zh + titles_en
    speech = _alt(data["speech_verbs_zh"])
    # a 2-3 character Han slot (lazy: the shortest that is followed by a cue)
    follow = rf"(?=(?:{speech})|{adverbs}|在|等|和|与|的|一起|一同|共同|及|{_alt(data['honorifics_zh'])}|{bcls}|$)"
    return Lexicon(
        dotted=dotted,
        dotted_not_person=tuple(data["dotted_not_person_suffixes"]),
        byline=byline,
        byline_token_split=regex.compile(r"[ \t、,]+"),
        latin_run=latin_run,
        title_before=title_before,
        cue_after=cue_after,
        titles_re=_fast_alt(all_titles),
        slot_after_title=re.compile(rf"[ ]?({han}{{2,3}}?){follow}"),
        speech_re=_fast_alt(data["speech_verbs_zh"]),
        slot_before_speech=re.compile(rf"(?:据|而|但)?[ ]?({han}{{2,3}}?)(?:{adverbs}{{0,2}}|在[^{re.escape(breaks)}]{{1,12}}?)"),
        joiner=regex.compile(rf"{joiners}|(?<=\p{{Han}})-(?=\p{{Han}})"),
        latin_stop=frozenset(data["latin_stopwords"]),
        org_suffixes_en=frozenset(data["org_suffixes_en"]),
        media_suffixes_en=frozenset(data["media_suffixes_en"]),
        first_names=frozenset(data["first_names"]),
        surnames=frozenset(data["surnames"].replace(" ", "")),
        compound_surnames=tuple(data["compound_surnames"]),
        translit=frozenset(t),
        titles=frozenset(titles_zh + titles_en),
        speech_zh=frozenset(data["speech_verbs_zh"]),
        honorifics=frozenset(data["honorifics_zh"]),
        clause_breaks=frozenset(breaks),
        not_person=frozenset(data["not_person_words"]),
        org_suffixes_zh=tuple(data["org_suffixes_zh"]),
        place_suffixes_zh=tuple(data["place_suffixes_zh"]),
    )


_HAN_NAME = regex.compile(r"\p{Han}{2,4}")
_LATIN_NAME = regex.compile(r"[A-Z][a-zà-öø-ÿ]+(?:[ ][A-Z][a-zà-öø-ÿ]+){0,2}")


def _free(mask: bytearray, start: int, end: int) -> bool:
    return not any(mask[start:end])


def _mark(mask: bytearray, start: int, end: int) -> None:
    mask[start:end] = b"\x01" * (end - start)


def _masked(text: str, mask: bytearray) -> str:
    """``text`` with every taken character replaced by NUL (same length)."""
    out, pos, n = [], 0, len(text)
    while pos < n:
        nxt = mask.find(1, pos)
        if nxt < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:nxt])
        end = mask.find(0, nxt)
        end = n if end < 0 else end
        out.append("\x00" * (end - nxt))
        pos = end
    return "".join(out)


# --- dotted transliterated names ---------------------------------------------------------

_TO_MIDDLE_DOT = regex.compile(r"[•‧・-]")


def dotted_names(text: str, hits: list[Cand], lex: Lexicon) -> tuple[list[Cand], set[int]]:
    """Dotted names, and the indexes of gazetteer ``hits`` they replace."""
    out, replaced = [], set()
    matches, last_end = [], -1
    for j in lex.joiner.finditer(text):
        if j.start() < last_end:
            continue
        m = lex.dotted.search(text, max(0, j.start() - 7), min(len(text), j.end() + 30))
        if m is not None and m.start() <= j.start() < m.end():
            matches.append(m)
            last_end = m.end()
    for m in matches:
        s, e = m.span()
        name = m.group()
        if name.endswith(lex.dotted_not_person):
            continue
        inside, blocked = [], False
        for i, h in enumerate(hits):
            if h.end <= s or h.start >= e:
                continue
            if s <= h.start and h.end <= e and (h.end - h.start) < (e - s) and "·" not in text[h.start:h.end] \
                    and h.label in ("PERSON", "GPE", "ORG"):
                inside.append(i)
            else:
                blocked = True
                break
        if blocked:
            continue
        replaced.update(inside)
        canonical = _TO_MIDDLE_DOT.sub("·", name)
        out.append(Cand(s, e, "PERSON", canonical, None, "entity.fallback.dotted"))
    return out, replaced


# --- bylines ---------------------------------------------------------------------------------

def byline_names(text: str, mask: bytearray, lex: Lexicon) -> list[Cand]:
    out = []
    if "\n" not in text and len(text) > 60:
        return out
    for m in lex.byline.finditer(text):
        rest_start = m.start("rest")
        names, ok = [], True
        pos = rest_start
        for tok in lex.byline_token_split.split(m.group("rest")):
            if not tok:
                continue
            s = text.index(tok, pos)
            e = s + len(tok)
            pos = e
            if not _free(mask, s, e):
                if any(mask[s:e]) and all(mask[s:e]):
                    continue  # a gazetteer name (产业象限 in 文丨产业象限 山茶)
                ok = False
                break
            if _LATIN_NAME.fullmatch(tok) or (_HAN_NAME.fullmatch(tok) and len(tok) <= 3):
                names.append((s, e, tok))
            elif _HAN_NAME.fullmatch(tok):
                # four characters: a name only with a double surname or as a transliteration;
                # otherwise a column or outlet name (文丨产业象限 山茶), skipped
                if tok.startswith(lex.compound_surnames) or all(c in lex.translit for c in tok):
                    names.append((s, e, tok))
            else:
                ok = False
                break
        if ok:
            out.extend(Cand(s, e, "PERSON", tok, None, "entity.fallback.byline") for s, e, tok in names)
    return out


# --- capitalised Latin runs ---------------------------------------------------------------

def _classify_latin(words: list[str], before: str, after: str, lex: Lexicon) -> str | None:
    last = words[-1]
    if len(words) >= 2 and last in lex.media_suffixes_en:
        return "MEDIA"
    if len(words) >= 2 and last in lex.org_suffixes_en:
        return "ORG"
    if not 2 <= len(words) <= 3:
        return None
    if any(w.isupper() or len(w) < 2 or not w[0].isupper() for w in words):
        return None
    if words[0] in lex.first_names or lex.title_before.search(before) or lex.cue_after.match(after):
        return "PERSON"
    return None


def latin_names(masked: str, lex: Lexicon) -> list[Cand]:
    out = []
    for m in lex.latin_run.finditer(masked):
        s, e = m.span(1)
        words = m.group(1).split(" ")
        # strip sentence-initial and other non-name words from the left; a title
        # there (CEO Rolf Brandtner) is a cue for a person
        titled = False
        while words and (words[0] in lex.latin_stop or words[0] in lex.titles):
            titled = titled or words[0] in lex.titles
            s += len(words[0]) + 1
            words = words[1:]
        if not words or all(w in lex.latin_stop for w in words):
            continue
        if words[-1] in ("of", "de", "van", "von", "der", "da", "di", "du", "le", "la", "&"):
            continue
        before = "CEO " if titled else masked[max(0, s - 24):s]
        label = _classify_latin(words, before, masked[e:e + 24], lex)
        if label is None:
            continue
        surface = masked[s:e]
        out.append(Cand(s, e, label, surface, None, "entity.fallback.latin"))
    return out


def latin_orgs_over_places(text: str, hits: list[Cand], lex: Lexicon) -> tuple[list[Cand], set[int]]:
    """Capitalised runs named as an organisation or medium by their last word that
    contain only place hits (Analytics India Magazine is not India): the runs, and
    the indexes of the place hits they replace."""
    out, replaced = [], set()
    places = [i for i, h in enumerate(hits) if h.label == "GPE" and text[h.start:h.end].isascii()]
    if not places:
        return out, replaced
    for m in lex.latin_run.finditer(text):
        s, e = m.span(1)
        inside = [i for i in places if s <= hits[i].start and hits[i].end <= e]
        if not inside or (hits[inside[0]].start, hits[inside[-1]].end) == (s, e):
            continue
        if any(h.start < e and s < h.end for j, h in enumerate(hits) if j not in inside):
            continue
        words = m.group(1).split(" ")
        while words and words[0] in lex.latin_stop:
            s += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2 or any(hits[i].start < s for i in inside):
            continue
        label = "MEDIA" if words[-1] in lex.media_suffixes_en else "ORG" if words[-1] in lex.org_suffixes_en else None
        if label is None:
            continue
        replaced.update(inside)
        out.append(Cand(s, e, label, text[s:e], None, "entity.fallback.latin"))
    return out, replaced


_GIVEN_BEFORE = regex.compile(r"(?<![A-Za-z])([A-Z][a-zà-öø-ÿ]+) $")


def latin_full_names(text: str, hits: list[Cand], lex: Lexicon) -> dict[int, Cand]:
    """Gazetteer one-word person hits preceded by another given name (Jack Altman is
    not Sam Altman): index of the hit -> the full name that replaces it."""
    out = {}
    for i, h in enumerate(hits):
        if h.label != "PERSON" or " " in text[h.start:h.end] or not text[h.start:h.end].isascii():
            continue
        if text[h.start - 1:h.start] != " ":
            continue  # (what _GIVEN_BEFORE needs last)
        m = _GIVEN_BEFORE.search(text[max(0, h.start - 20):h.start])
        if not m or m.group(1) not in lex.first_names:
            continue
        if h.canonical.split(" ")[0] == m.group(1):
            continue
        start = h.start - len(m.group(0))
        out[i] = Cand(start, h.end, "PERSON", text[start:h.end], None, "entity.fallback.latin")
    return out


# --- person names in cue slots, checked against jieba's POS dictionary ------------

#: a "word freq tag" line of jieba's dictionary whose tag is not a name tag (nr*)
_NON_NAME_LINE = re.compile(r"^(\S+) \d+ (?!nr)\S+$", re.M)


@functools.cache
def _non_name_words() -> frozenset[str]:
    """The words of jieba's dictionary that jieba does not tag as names (``nr*``);
    loaded on the first slot, once per process.

    The tags are those ``jieba.posseg`` reads from jieba's dictionary file; one
    regex over the file picks the lines needed (0.14 s, against 0.2 s for
    jieba.posseg's line-by-line loader), and only the words the person check
    rejects are kept: a set of 270k words, 30 MB, against jieba's 349k-entry
    table, 42 MB.  A line without a tag is skipped (jieba.posseg would refuse the
    whole file), so its word counts as a possible name."""
    import jieba

    with jieba.dt.get_dict_file() as fh:
        data = fh.read().decode("utf-8")
    return frozenset(_NON_NAME_LINE.findall(data))


def _good_person(word: str, lex: Lexicon) -> bool:
    if word in lex.not_person:
        return False
    if not (word.startswith(lex.compound_surnames) and len(word) >= 3 or word[0] in lex.surnames
            or all(c in lex.translit for c in word)):
        return False
    # a dictionary word is a name only when jieba tags it as one (李彦宏 nr; 王者 n is not)
    return word not in _non_name_words()


def jieba_names(masked: str, mask: bytearray, lex: Lexicon) -> list[Cand]:
    """Person names in the slot after a title (分析师王磊认为) or at the start of a
    clause whose verb is a speech verb (傅盛在大会上提到): 2-3 Han characters with a
    surname (or all transliteration characters) that jieba's dictionary does not
    know as a common word.  Slots never cover a name another rule found."""
    out: list[Cand] = []

    def take(s: int, e: int, word: str) -> None:
        if _free(mask, s, e) and _good_person(word, lex):
            out.append(Cand(s, e, "PERSON", word, None, "entity.fallback.jieba"))
            _mark(mask, s, e)

    for t in lex.titles_re.finditer(masked):
        m = lex.slot_after_title.match(masked, t.end())
        if m:
            take(m.start(1), m.end(1), m.group(1))
    for v in lex.speech_re.finditer(masked):
        p = v.start()
        cs = p
        while cs > 0 and p - cs < 18 and masked[cs - 1] not in lex.clause_breaks:
            cs -= 1
        if cs > 0 and masked[cs - 1] not in lex.clause_breaks:
            continue  # clause longer than a name slot
        m = lex.slot_before_speech.fullmatch(masked, cs, p)
        if m:
            take(m.start(1), m.end(1), m.group(1))
    return out


# --- all rules together ----------------------------------------------------------------

_BY_SPAN = operator.attrgetter("start", "end")


def run_fallback(text: str, hits: list[Cand], use_jieba: bool = True) -> list[Cand]:
    """Gazetteer/context ``hits`` plus the fallback names, without overlaps, by start."""
    lex = load_lexicon()
    dotted, replaced = dotted_names(text, hits, lex)
    orgs, replaced_places = latin_orgs_over_places(text, hits, lex)
    replaced |= replaced_places
    full = latin_full_names(text, hits, lex)
    kept = [full.get(i, h) for i, h in enumerate(hits) if i not in replaced]
    kept.extend(dotted)
    kept.extend(orgs)
    mask = bytearray(len(text))
    for c in kept:
        mask[c.start:c.end] = b"\x01" * (c.end - c.start)  # _mark, inline
    found = byline_names(text, mask, lex)
    for c in found:
        _mark(mask, c.start, c.end)
    masked = _masked(text, mask)
    latin = []
    for c in latin_names(masked, lex):
        if _free(mask, c.start, c.end):
            latin.append(c)
            _mark(mask, c.start, c.end)
    found.extend(latin)
    if use_jieba:
        # `masked` brought up to date with the Latin names (they are free, in order)
        pieces, pos = [], 0
        for c in latin:
            pieces += (masked[pos:c.start], "\x00" * (c.end - c.start))
            pos = c.end
        masked = "".join(pieces) + masked[pos:] if latin else masked
        found.extend(jieba_names(masked, mask, lex))
    return sorted(kept + found, key=_BY_SPAN)
