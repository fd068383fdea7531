"""Stage `claims`: join mentions into claims (DESIGN.md, claims.jsonl).

For every money or quantity mention outside a repeated block, within its sentence:

* *metric*: the trigger word that fits the value (money, percentage, multiple,
  count; ``compatible`` in rules.yaml) nearest before it in its clause, else after
  it in the clause, else (money) earlier in the sentence; a count's own noun
  (用户, 访问) decides alone; nothing found: ``other``;
* *subject*: the clause's topic (its first entity before the value, with the
  entities coordinated with it; ``A、B、C…分别为x、y、z`` pairs them in order); an
  anaphor (该公司/其) with no name goes to the sentence's organisation, else the last
  one named in the paragraph, else the previous paragraph's first; else the entity
  nearest before the value, else a name the figure modifies (70亿参数的LLaMA), else
  the previous sentence's topic;
* *time*: the date nearest before the value in its clause, else in its sentence,
  else after it in its clause;
* *source*: the attribution nearest before the value (据…报道, X称, X的测算,
  according to …), else the first after it; a 其中… sentence inherits the previous
  sentence's source and hedge;
* *hedge*: the strongest cue family (estimate > forecast > reported) before the
  value in its sentence or after it in its clause; else reported when a source is
  named, else asserted; *negated* when a negation cue stands in the clause before;
* direction: "A接受了B的N投资" and "B向A投资N" give A funding and B investment.

All lexicons are in ``rules.yaml``; ``examples.yaml`` holds examples run by the
tests.  Offsets of every part index the original text.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import re
from array import array
from dataclasses import dataclass
from importlib import resources
from typing import Any

import regex

from ..textmap import MappedText
from ..yamlio import load_yaml

__all__ = ["build_claims", "load_rules", "METRICS"]

METRICS = ("revenue", "annualized_revenue", "profit", "loss", "valuation", "market_cap", "funding", "investment",
           "acquisition", "buyback", "contract", "cost", "price", "users", "visits", "market_share", "growth", "other")
_CLAUSE_SEP = regex.compile(r"[,，;；:：()（）]|(?<!\d)\.(?!\d)")
_RECEIVE = regex.compile(r"(接受了?|获得了?|获|拿到了?|收到了?)[^,，。]{0,20}$")
#: "A从…融资" — A raises the money
_FROM = regex.compile(r"从")
#: "A向B投资/加注…" — A invests, B is funded
_TOWARD = regex.compile(r"(?:再|又|已)?向(?=[^,，。]{1,30}$)")
SUBJECT_LABELS = ("ORG", "PRODUCT", "PERSON", "OTHER")
#: how many sentences back a subject may be carried
CARRY_SENTENCES = 3


@dataclass(frozen=True)
class Rules:
    triggers: _Words                 # one alternation of every trigger word
    trigger_metric: dict[str, str]
    unit_metrics: dict[str, str]
    hedges: tuple[tuple[str, _Words, _Words | None], ...]  # (family, before, after)
    negation: _Words
    sources: tuple[tuple[str, regex.Pattern], ...]
    anaphora: _Words
    compatible: dict[str, frozenset[str]]
    continuation: regex.Pattern
    time_anaphora: _Words
    collective: _Words


def _alternation(words) -> str:
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        esc = regex.escape(w)
        parts.append(rf"\b{esc}\b" if w[:1].isascii() and w[:1].isalpha() else esc)
    return "|".join(parts)


# --- word lists, searched fast -------------------------------------------------------
# A word list means `regex.compile(_alternation(words), flags)`: at the leftmost
# position the longest word, on word boundaries when it starts with an ASCII letter.
# The `regex` module runs such an alternation at some 200 ns a character.  So a
# trie of the words in the standard `re` engine, led by literals and without the
# boundaries, finds where a match may start (a superset, found some three times
# faster), and the `regex` pattern itself decides at those positions only.

@functools.cache
def _every_char() -> str:
    return array("I", range(0x110000)).tobytes().decode("utf-32-le", "surrogatepass")


_CASE_CLASSES: dict[str, str] = {}  # character -> its class, as found so far


def _regex_case_classes(chars: set[str]) -> dict[str, str]:
    """Each of ``chars`` -> every character ``regex.IGNORECASE`` matches it with
    (found by running ``regex`` once over all code points for the new ones)."""
    new = sorted(ch for ch in chars if ch not in _CASE_CLASSES and (ch.lower() != ch or ch.upper() != ch))
    if new:
        matched = set(regex.findall("[" + "".join(map(regex.escape, new)) + "]", _every_char(), regex.I))
        for ch in new:
            esc = regex.escape(ch)
            _CASE_CLASSES[ch] = "".join(sorted(x for x in matched if regex.fullmatch(esc, x, regex.I)))
    return {ch: _CASE_CLASSES.get(ch, ch) for ch in chars}


def _start_trie(words: set[str], cls: dict[str, str]) -> str:
    """A ``re`` regex that matches at least wherever one of ``words`` starts (each
    character standing for its class in ``cls``), every branch led by a literal: the
    engine then skips in C the positions no word starts at."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def char(ch: str) -> str:
        return re.escape(cls[ch]) if len(cls[ch]) == 1 else "[" + "".join(map(re.escape, cls[ch])) + "]"

    def walk(node: dict) -> str:
        if "" in node:
            return ""  # a word ends here: a match may start where this prefix does
        branches = [char(ch) + walk(child) for ch, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return "|".join(re.escape(v) + walk(child) for ch, child in sorted(trie.items()) for v in cls[ch])


class _Words:
    """``regex.compile(_alternation(words), flags)`` with its ``search`` and
    ``finditer``, found faster (flags: 0 or ``regex.I``)."""

    def __init__(self, words, flags: int = 0):
        words = set(words)
        self.pattern = regex.compile(_alternation(words), flags)
        self._match = self.pattern.match
        chars = {ch for w in words for ch in w}
        cls = _regex_case_classes(chars) if flags & regex.I else {ch: ch for ch in chars}
        # no word at all, or an empty one: the `regex` pattern alone
        self._starts = re.compile(_start_trie(words, cls)).search if words and "" not in words else None

    def search(self, string: str, pos: int = 0, endpos: int | None = None):
        starts = self._starts
        if starts is None:
            return self.pattern.search(string, pos, endpos)
        if endpos is None:
            endpos = len(string)
        c = starts(string, pos, endpos)
        while c is not None:
            q = c.start()
            m = self._match(string, q, endpos)
            if m is not None:
                return m
            c = starts(string, q + 1, endpos)
        return None

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None):
        if self._starts is None:
            yield from self.pattern.finditer(string, pos, endpos)
            return
        search = self.search
        m = search(string, pos, endpos)
        while m is not None:
            yield m
            m = search(string, m.end(), endpos)  # (words are not empty)


def _metric_of(trigger_metric: dict[str, str], word: str) -> str:
    """The metric of a matched trigger word.  The triggers match case-insensitively,
    and a few characters match a letter without lower-casing to it (İPO: "İ".lower()
    is two characters), so a miss is resolved the way the pattern matched."""
    metric = trigger_metric.get(word.lower())
    if metric is None:
        metric = next(m for w, m in trigger_metric.items() if regex.fullmatch(regex.escape(w), word, regex.I))
    return metric


@functools.cache
def load_rules() -> Rules:
    data = load_yaml(resources.files(__package__).joinpath("rules.yaml").read_text("utf-8"))
    trigger_metric: dict[str, str] = {}
    for metric, words in data["metrics"].items():
        if metric not in METRICS:
            raise ValueError(f"E-NC010 rules.yaml names metric {metric!r}, not in the closed list of DESIGN.md")
        for w in words:
            trigger_metric.setdefault(w.lower(), metric)
    triggers = _Words(trigger_metric, regex.I)
    hedges = tuple((name, _Words(cues["before"], regex.I),
                    _Words(cues["after"], regex.I) if cues.get("after") else None)
                   for name, cues in data["hedges"].items())
    rules = Rules(triggers, trigger_metric, dict(data["unit_metrics"]), hedges,
                  _Words(data["negations"], regex.I),
                  tuple((s["id"], regex.compile(s["pattern"])) for s in data["sources"]),
                  _Words(data["anaphora"], regex.I),
                  {k: frozenset(v) for k, v in data["compatible"].items()},
                  regex.compile(r"\s*(?:" + _alternation(data["continuations"]) + ")"),
                  _Words(data["time_anaphora"], regex.I),
                  _Words(data["collective"], regex.I))
    _every_char.cache_clear()  # 4.4 MB of code points, needed only while the word lists build
    return rules


def _span(mt: MappedText, ps: int, pe: int) -> dict[str, Any]:
    s, e = mt.to_original(ps, pe)
    return {"text": mt.original[s:e], "start": s, "end": e}


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _clause_cuts(sent: str) -> list[int]:
    """Where the clauses of ``sent`` start (after each separator), ascending."""
    return [m.end() for m in _CLAUSE_SEP.finditer(sent)]


def _clause_bounds(sent: str, pos: int, cuts: list[int] | None = None) -> tuple[int, int]:
    """Clause of ``sent`` containing offset ``pos`` (relative offsets); ``cuts`` as
    :func:`_clause_cuts` gives them, to reuse them for several values."""
    if cuts is None:
        cuts = _clause_cuts(sent)
    i = bisect.bisect_right(cuts, pos)  # the first cut after pos ends the clause
    return (cuts[i - 1] if i else 0), (cuts[i] if i < len(cuts) else len(sent))


def value_type(mention: dict[str, Any]) -> str:
    """``money``, ``percent``, ``times`` or ``count`` — decides which metrics fit."""
    if mention["kind"] == "money":
        return "money"
    unit = mention.get("unit") or ""
    if unit in ("percent", "permille", "basis_point", "percentage_point"):
        return "percent"
    return "times" if unit == "times" else "count"


def _find_metric(rules: Rules, sent: str, rel_s: int, rel_e: int, mention: dict[str, Any],
                 clause: tuple[int, int]) -> tuple[str, int, bool] | None:
    """(metric, relative trigger position, trigger in same clause) or None.

    Only triggers whose metric fits the value (``compatible`` in rules.yaml) count:
    the nearest before the value in its clause (``clause``: its bounds), else the
    first after it in the clause, else (money only) the nearest earlier in the sentence."""
    vtype = value_type(mention)
    fits = rules.compatible[vtype]
    if vtype == "count":
        unit = mention.get("unit") or ""
        if unit in rules.unit_metrics:
            return rules.unit_metrics[unit], rel_e, True
    c_s, c_e = clause
    trigger_metric = rules.trigger_metric
    last = None  # the last fitting trigger before the value in its clause
    for m in rules.triggers.finditer(sent, c_s, rel_s):
        metric = _metric_of(trigger_metric, m.group())
        if metric in fits:
            last = metric, m.start(), True
    if last is not None:
        return last
    for m in rules.triggers.finditer(sent, rel_e, c_e):
        metric = _metric_of(trigger_metric, m.group())
        if metric in fits:
            return metric, m.start(), True
    if vtype == "money":
        for m in rules.triggers.finditer(sent, 0, c_s):
            metric = _metric_of(trigger_metric, m.group())
            if metric in fits:
                last = metric, m.start(), False
    return last


def _hedge(rules: Rules, head: str, tail: str, has_source: bool) -> str:
    """The strongest cue family (estimate > forecast > reported, rules.yaml order)
    with a cue before the value in its sentence or after it in its clause; else
    reported when a source is named, else asserted."""
    for name, before, after in rules.hedges:
        if before.search(head) or (after is not None and after.search(tail)):
            return name
    return "reported" if has_source else "asserted"


def build_claims(article_id: str, mt: MappedText, sentences: list[tuple[int, int]],
                 mentions: list[dict[str, Any]], pspans: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """Claims of one article.  ``sentences`` and ``pspans`` are processed-text spans."""
    rules = load_rules()
    text = mt.text
    first = [pspans[m["mention_id"]][0] for m in mentions]
    order = sorted(range(len(mentions)), key=first.__getitem__)  # by start, stable
    by_start = [mentions[i] for i in order]
    starts = [first[i] for i in order]
    ends = [pspans[m["mention_id"]][1] for m in by_start]
    claims: list[dict[str, Any]] = []
    last_subject: tuple[dict[str, Any], int] | None = None  # (entity mention, sentence index)
    prev_sentence: tuple[dict[str, Any] | None, str] = (None, "asserted")  # (source, hedge)
    prev_dates: list[dict[str, Any]] = []
    para_orgs: list[dict[str, Any]] = []       # organisations named so far in this paragraph
    prev_para_orgs: list[dict[str, Any]] = []  # … and in the previous one
    n_sentences = len(sentences)
    for si, (ss, se) in enumerate(sentences):
        lo, hi = bisect.bisect_left(starts, ss), bisect.bisect_left(starts, se)
        entities, dates, values_in_sent = [], [], []
        for k in range(lo, hi):
            if ends[k] > se:
                continue
            m = by_start[k]
            kind = m["kind"]
            if kind == "entity":
                entities.append(m)
            elif kind == "date":
                dates.append(m)
            elif kind in ("money", "quantity") and not m["duplicate_of"]:
                values_in_sent.append(m)
        if si and "\n" in text[sentences[si - 1][1] - 1:ss + 1]:  # a new paragraph
            prev_para_orgs, para_orgs = para_orgs or prev_para_orgs, []
            if last_subject and si - last_subject[1] > 1:
                last_subject = None
        dates_before, prev_dates = prev_dates, dates
        next_continues = si + 1 < n_sentences and rules.continuation.match(text, sentences[si + 1][0])
        if not values_in_sent and not next_continues:
            # no figure, no list that follows: only what later sentences carry on
            prev_sentence = (None, "asserted")
            subjects = [e for e in entities if e.get("label") in SUBJECT_LABELS] if entities else None
            if subjects:
                if last_subject is None or last_subject[1] != si:
                    last_subject = (subjects[0], si)  # the sentence's topic
                para_orgs.extend(e for e in subjects if e.get("label") == "ORG")
            continue
        sent = text[ss:se]
        time_back = dates_before[-1] if not dates and dates_before and rules.time_anaphora.search(sent) else None
        # sources and hedges matter only where there is a figure, or for the list that follows
        sources = _find_sources(rules, mt, sent, ss, entities)
        inherited = inherited_source = None
        if not sources and values_in_sent and prev_sentence[0] is not None \
                and rules.continuation.match(sent) and _hedge(rules, sent, "", False) == "asserted":
            inherited_source, inherited = prev_sentence  # 其中…: the list goes on under the same attribution
        prev_sentence = ((sources[-1] if sources else None), _hedge(rules, sent, "", bool(sources))) \
            if next_continues else (None, "asserted")
        if sources:
            subjects = [e for e in entities if e.get("label") in SUBJECT_LABELS and
                        not any(f["_ps"] <= pspans[e["mention_id"]][0] < f["_pe"] for f in sources)]
        else:
            subjects = [e for e in entities if e.get("label") in SUBJECT_LABELS]
        cuts = _clause_cuts(sent) if values_in_sent else []
        for m in values_in_sent:
            ps, pe = pspans[m["mention_id"]]
            rel_s, rel_e = ps - ss, pe - ss
            source = inherited_source or _source_for(sources, ps)
            c_s, c_e = _clause_bounds(sent, rel_s, cuts)
            found = _find_metric(rules, sent, rel_s, rel_e, m, (c_s, c_e))
            metric, trig_rel, trig_same_clause = found or ("other", rel_s, False)
            carried = False
            subject = None
            group = _subject_group(subjects, pspans, ss, sent, c_s, rel_s)
            frm = _FROM.search(sent, 0, rel_s) if metric == "funding" else None
            raiser = next((e for e in subjects if frm and pspans[e["mention_id"]][1] - ss == frm.start()), None)
            if raiser is not None:
                # Inflection从…投资者处融资15.25亿美元: the one before 从 raises the money
                subject = raiser
            elif not group and rules.collective.search(sent, c_s, rel_s):
                continue  # 三家合计…65%: a figure about several subjects together
            elif group:
                subject = group[0]
            elif rules.anaphora.search(sent, c_s, rel_s):
                # 公司/该公司/其 with no name in the clause: the sentence topic organisation,
                # else the organisation named last in this paragraph, else the previous
                # paragraph's first organisation (a paragraph opening with 这家公司)
                orgs = [e for e in subjects if e.get("label") == "ORG" and pspans[e["mention_id"]][1] - ss <= rel_s]
                if orgs:
                    subject = orgs[0]
                elif para_orgs:
                    subject, carried = para_orgs[-1], True
                elif prev_para_orgs:
                    subject, carried = prev_para_orgs[0], True
            else:
                before = [e for e in subjects if pspans[e["mention_id"]][1] - ss <= rel_s]
                after = [e for e in subjects if rel_e <= pspans[e["mention_id"]][0] - ss < c_e]
                if before:
                    subject = before[-1]
                elif after:
                    subject = after[0]  # 70亿参数的AI大模型LLaMA: the figure modifies a later name
                elif last_subject and si - last_subject[1] <= CARRY_SENTENCES:
                    subject, carried = last_subject[0], True
            if subject is None:
                continue
            if found is None and m["kind"] == "quantity" and carried:
                continue  # a bare count with neither trigger nor subject in its sentence
            head = sent[:rel_s]
            clause_head = sent[c_s:rel_s]
            hedge = inherited or _hedge(rules, head, sent[rel_e:c_e], source is not None)
            if hedge == "asserted" and source is not None:
                hedge = "reported"
            negated = bool(rules.negation.search(clause_head))
            time = _pick_time(dates, pspans, ss, c_s, c_e, rel_s) or time_back
            pairs = [(metric, subject)]
            respectively = _respectively(values_in_sent, m, group, sent, ss, pspans)
            if respectively is not None:
                pairs = [(metric, respectively)]
            elif group and len(group) > 1 and "分别" in sent[:rel_s]:
                pairs = [(metric, e) for e in group]  # 微软和Meta…分别购买了15万块H100: each
            toward = _TOWARD.search(sent, c_s, rel_s) if metric == "investment" else None
            if toward:
                investors = [e for e in subjects if pspans[e["mention_id"]][1] - ss <= toward.start()]
                funded = [e for e in subjects if toward.end() <= pspans[e["mention_id"]][0] - ss < rel_s]
                if investors and funded:
                    pairs = [("investment", investors[-1]), ("funding", funded[0])]
            elif metric == "investment" and group and _possessive_investor(subjects, pspans, ss, sent, rel_s, group[0]):
                # OpenAI的资金…得益于微软的100亿美元投资: Microsoft invests, OpenAI is funded
                pairs = [("funding", group[0]),
                         ("investment", _possessive_investor(subjects, pspans, ss, sent, rel_s, group[0]))]
            elif metric == "investment" and _RECEIVE.search(sent[:rel_s]):
                receiver_pos = _RECEIVE.search(sent[:rel_s]).start()
                receivers = [e for e in subjects if pspans[e["mention_id"]][1] - ss <= receiver_pos]
                investors = [e for e in subjects if receiver_pos <= pspans[e["mention_id"]][0] - ss < rel_s]
                pairs = []
                if receivers:  # the topic receives: Inflection从…投资者那里获得过…
                    pairs.append(("funding", receivers[0]))
                if investors:
                    pairs.append(("investment", investors[-1]))
                pairs = pairs or [(metric, subject)]
            ev_s, ev_e = _strip_span(text, ss, se)
            for metric_i, subj in pairs:
                claims.append(_claim(article_id, mt, m, metric_i, subj, time, source, hedge, negated,
                                     (ev_s, ev_e), pspans, confidence=_confidence(
                                         trig_same_clause, found is not None, carried, time, source)))
            if not carried:
                last_subject = (subject, si)
        if subjects and (last_subject is None or last_subject[1] != si):
            last_subject = (subjects[0], si)  # the sentence's topic
        para_orgs.extend(e for e in subjects if e.get("label") == "ORG")
    return claims


_COORD = regex.compile(r"^\s*(?:和|与|及|以及|、|,|，|and|&)\s*$")


def _subject_group(subjects, pspans, ss, sent, c_s, rel_s) -> list[dict[str, Any]]:
    """The clause's topic: its first entity before the value, with the entities
    coordinated with it (AWS、Azure、Google Cloud / 微软和Meta)."""
    in_clause = [e for e in subjects if c_s <= pspans[e["mention_id"]][0] - ss and pspans[e["mention_id"]][1] - ss <= rel_s]
    if not in_clause:
        return []
    group = [in_clause[0]]
    for e in in_clause[1:]:
        gap = sent[pspans[group[-1]["mention_id"]][1] - ss:pspans[e["mention_id"]][0] - ss]
        if _COORD.match(gap):
            group.append(e)
        else:
            break
    return group


def _possessive_investor(subjects, pspans, ss, sent, rel_s, topic):
    """Y in "Y的<value>投资" when Y is not the clause topic."""
    before = [e for e in subjects if pspans[e["mention_id"]][1] - ss <= rel_s]
    if not before or before[-1] is topic:
        return None
    y = before[-1]
    gap = sent[pspans[y["mention_id"]][1] - ss:rel_s]
    return y if regex.fullmatch(r"\s*的\s*", gap) else None


def _respectively(values, m, group, sent, ss, pspans):
    """A分别为x、y、z with as many values as coordinated subjects: the i-th pairs with the i-th."""
    if not group or len(group) < 2:
        return None
    g_end = pspans[group[-1]["mention_id"]][1] - ss
    m_s = pspans[m["mention_id"]][0] - ss
    if "分别" not in sent[g_end:m_s] and "respectively" not in sent[m_s:]:
        return None
    listed = [v for v in values if pspans[v["mention_id"]][0] - ss >= g_end and value_type(v) == value_type(m)]
    listed = listed[:len(group)]
    if len(listed) != len(group) or m not in listed:
        return None
    return group[listed.index(m)]


def _pick_time(dates, pspans, ss, c_s, c_e, rel_s):
    in_clause = [d for d in dates if c_s <= pspans[d["mention_id"]][0] - ss < rel_s]
    if in_clause:
        return in_clause[-1]
    before = [d for d in dates if pspans[d["mention_id"]][1] - ss <= rel_s]
    if before:
        return before[-1]
    after = [d for d in dates if rel_s < pspans[d["mention_id"]][0] - ss < c_e]
    return after[0] if after else None  # "lost $540 million in 2022"


def _find_sources(rules: Rules, mt: MappedText, sent: str, ss: int, entities) -> list[dict[str, Any]]:
    """Every attribution in the sentence, by position (earlier rules win overlaps)."""
    found: list[dict[str, Any]] = []
    for rid, pattern in rules.sources:
        for m in pattern.finditer(sent):
            s, e = _strip_span(sent, *m.span("src"))
            if e <= s or any(f["_ps"] - ss < e and s < f["_pe"] - ss for f in found):
                continue
            ps, pe = ss + s, ss + e
            span = _span(mt, ps, pe)
            canonical = sent[s:e].strip("《》")
            for ent in entities:
                if span["start"] <= ent["start"] and ent["end"] <= span["end"]:
                    canonical = ent.get("canonical") or canonical
                    break
            found.append({"text": span["text"], "canonical": canonical, "start": span["start"], "end": span["end"],
                          "_ps": ps, "_pe": pe, "_rule": rid})
    return sorted(found, key=lambda f: f["_ps"])


def _source_for(sources: list[dict[str, Any]], ps: int) -> dict[str, Any] | None:
    """The attribution nearest before the value, else the first after it."""
    before = [f for f in sources if f["_ps"] < ps]
    return before[-1] if before else (sources[0] if sources else None)


def _confidence(same_clause: bool, has_trigger: bool, carried: bool, time, source) -> float:
    c = 0.4 + (0.25 if same_clause else 0.1 if has_trigger else 0.0) + (0.0 if carried else 0.15)
    c += 0.1 if time else 0.0
    c += 0.05 if source else 0.0
    return round(min(c, 0.95), 2)


def _claim(article_id, mt, value, metric, subject, time, source, hedge, negated, ev, pspans, confidence):
    key = f"{article_id}|{value['mention_id']}|{metric}|{subject['start']}-{subject['end']}"
    claim_id = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    ev_span = _span(mt, *ev)
    return {
        "schema": "newsclaims.claim/1",
        "claim_id": claim_id,
        "article_id": article_id,
        "subject": {"text": subject["text"], "canonical": subject.get("canonical") or subject["normalized"],
                    "entity_id": subject.get("entity_id"), "start": subject["start"], "end": subject["end"]},
        "metric": metric,
        "value": {"mention_id": value["mention_id"], "text": value["text"], "amount": value.get("amount"),
                  "currency": value.get("currency"), "qualifier": value.get("qualifier"), "low": value.get("low"),
                  "high": value.get("high"), "rate": value.get("rate")},
        "time": None if time is None else {"mention_id": time["mention_id"], "text": time["text"],
                                           "interval_start": time.get("interval_start"),
                                           "interval_end": time.get("interval_end"), "grain": time.get("grain")},
        "source": None if source is None else {k: source[k] for k in ("text", "canonical", "start", "end")},
        "hedge": hedge,
        "negated": negated,
        "evidence": ev_span,
        "confidence": confidence,
        "rule": f"claim.v1:{'trigger' if confidence >= 0.6 else 'weak'}",
        "duplicate_of": None,
    }
