"""Claims across articles: the ledger, its HTML report and a schema.org export.

The ledger groups the claims of a store by *(subject, metric, period)* and says,
per group, whether the articles agree or conflict (docs/ledger.md has the line
shape, ``"schema": "newsclaims.ledger/1"``):

* **subject** is ``subject.canonical``; claims without a subject are left out
  (counted in :class:`LedgerStats`), and so are claims with ``duplicate_of`` set
  (copies inside one article).
* **period** is the claim's time interval ``interval_start/interval_end`` (ISO
  8601 interval notation, ``..`` for an open end) or ``unknown``.
* **metric** is kept as the store has it: ``revenue`` and ``annualized_revenue``
  are different definitions, so different groups; groups of one subject and
  period whose metrics belong to one family (:data:`METRIC_FAMILIES`) name each
  other in ``related``, and the report shows them side by side.

Values are never converted between currencies (or units or rates): a group's
values fall into *buckets* of one kind, currency or unit, and rate.  Inside a
bucket every value is an interval (a point for exact and approximate amounts,
``[low, high]`` for ranges and vague amounts, open above for ``over`` and
below for ``under``); two values *agree* when the gap between their intervals is
at most ``tolerance`` (default 5 %) of the larger magnitude, ``approx_tolerance``
(default 10 %) when either is approximate.  Values are put into *clusters*
(labelled A, B, ...) by a greedy complete-linkage pass in ascending order: a value
joins the current cluster only if it agrees with every member, so tolerances do
not chain.  A negated claim whose value agrees with a cluster contradicts it.

Group status: ``conflict`` (a bucket holds two or more clusters, or a negated
claim contradicts a cluster) > ``incomparable`` (values in two or more buckets,
e.g. USD and CNY) > ``agree`` (one cluster, two or more articles) > ``single``.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import hashlib
import html
import json
import logging
import math
import os
import string
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from .claims import METRICS
from .store import dumps

__all__ = [
    "LEDGER_SCHEMA", "METRIC_FAMILIES", "ArticleInfo", "ClaimRef", "LedgerValue", "Cluster", "LedgerGroup",
    "LedgerStats", "LedgerError", "load_store", "build_ledger", "ledger_lines", "render_report", "claims_to_jsonld",
    "add_parser",
]

log = logging.getLogger(__name__)

LEDGER_SCHEMA = "newsclaims.ledger/1"
DEFAULT_TOLERANCE = 0.05
DEFAULT_APPROX_TOLERANCE = 0.10
#: metrics that measure related things under different definitions: shown side by side, never merged
METRIC_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("revenue", "annualized_revenue"),
    ("profit", "loss"),
    ("valuation", "market_cap"),
    ("funding", "investment", "acquisition"),
    ("users", "visits"),
)
_FAMILY = {m: fam for fam in METRIC_FAMILIES for m in fam}
_METRIC_ORDER = {m: i for i, m in enumerate(METRICS)}
STATUSES = ("conflict", "incomparable", "agree", "single")
_SCHEMA_TYPES = {"ORG": "Organization", "MEDIA": "Organization", "PERSON": "Person", "PRODUCT": "Product",
                 "GPE": "Place"}
_EXIT_OK, _EXIT_USAGE = 0, 2


class LedgerError(Exception):
    """A store that cannot be read (missing file, bad JSON line); the message says which and where."""


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class ArticleInfo:
    """What the ledger needs of one articles.jsonl line (the text itself is not kept)."""
    article_id: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    #: mention_id -> (start, end, kind, unit) for the value mentions that claims point to
    values: dict[str, tuple[int, int, str, str | None]] = field(default_factory=dict)
    #: (start, end, label) of the entity mentions, for the schema.org type of subjects and sources
    entities: tuple[tuple[int, int, str], ...] = ()

    def entity_label(self, start: int | None, end: int | None) -> str | None:
        if start is None or end is None:
            return None
        overlapping = None
        for s, e, label in self.entities:
            if s == start and e == end:
                return label
            if overlapping is None and s < end and start < e:
                overlapping = label
        return overlapping


@dataclass(frozen=True)
class ClaimRef:
    """One claim as the ledger lists it under a value."""
    claim_id: str
    article_id: str
    source: str | None          # source.canonical (null: the article states it without attribution)
    outlet: str | None
    published: str | None
    hedge: str | None
    negated: bool
    value_text: str | None
    time_text: str | None
    evidence: dict[str, Any]    # {"text", "start", "end"} as in the claim (original-text offsets)
    value_start: int | None     # the value mention's span, when articles.jsonl has it
    value_end: int | None
    confidence: float | None

    @property
    def source_label(self) -> str:
        """Who says it: the quoted source, else the outlet, else the article."""
        if self.source:
            return self.source
        return f"{self.outlet or self.article_id} (unattributed)"

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "article_id": self.article_id, "source": self.source,
                "outlet": self.outlet, "published": self.published, "hedge": self.hedge, "negated": self.negated,
                "value_text": self.value_text, "time_text": self.time_text, "evidence": self.evidence,
                "value_span": None if self.value_start is None else [self.value_start, self.value_end],
                "confidence": self.confidence}


@dataclass(frozen=True)
class LedgerValue:
    """One distinct value of a group with every claim that states it."""
    value_id: str
    kind: str | None            # money | quantity | None (unknown)
    currency: str | None
    unit: str | None
    rate: str | None
    qualifier: str | None
    amount: float | None
    low: float | None
    high: float | None
    negated: bool
    cluster: str | None         # the cluster it belongs to (negated: the cluster it contradicts)
    claims: tuple[ClaimRef, ...]

    @property
    def bucket(self) -> str:
        return _bucket_label(self.kind, self.currency, self.unit, self.rate)

    def to_dict(self) -> dict[str, Any]:
        return {"value_id": self.value_id, "kind": self.kind, "currency": self.currency, "unit": self.unit,
                "rate": self.rate, "qualifier": self.qualifier, "amount": self.amount, "low": self.low,
                "high": self.high, "negated": self.negated, "cluster": self.cluster,
                "claims": [c.to_dict() for c in self.claims]}


@dataclass(frozen=True)
class Cluster:
    """Values of one bucket that agree with each other."""
    label: str
    bucket: str
    low: float | None
    high: float | None
    value_ids: tuple[str, ...]
    articles: tuple[str, ...]
    sources: tuple[str, ...]
    hedges: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.label, "bucket": self.bucket, "low": self.low, "high": self.high,
                "value_ids": list(self.value_ids), "articles": list(self.articles), "sources": list(self.sources),
                "hedges": list(self.hedges)}


@dataclass(frozen=True)
class LedgerGroup:
    """One (subject, metric, period) group: one line of the ledger JSONL."""
    group_id: str
    subject: str
    entity_id: str | None
    metric: str
    period: str                 # "2023-01-01/2023-12-31" or "unknown"
    interval_start: str | None
    interval_end: str | None
    grain: str | None
    status: str
    n_claims: int
    n_articles: int
    n_sources: int
    related: tuple[tuple[str, str], ...]   # (metric, group_id) of the same subject, period and metric family
    clusters: tuple[Cluster, ...]
    values: tuple[LedgerValue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"schema": LEDGER_SCHEMA, "group_id": self.group_id,
                "subject": {"canonical": self.subject, "entity_id": self.entity_id},
                "metric": self.metric,
                "period": {"key": self.period, "interval_start": self.interval_start,
                           "interval_end": self.interval_end, "grain": self.grain},
                "status": self.status, "n_claims": self.n_claims, "n_articles": self.n_articles,
                "n_sources": self.n_sources,
                "related": [{"metric": m, "group_id": g} for m, g in self.related],
                "clusters": [c.to_dict() for c in self.clusters],
                "values": [v.to_dict() for v in self.values]}


@dataclass(frozen=True)
class LedgerStats:
    claims_read: int
    duplicates_skipped: int
    no_subject_skipped: int
    groups: int
    by_status: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"claims_read": self.claims_read, "duplicates_skipped": self.duplicates_skipped,
                "no_subject_skipped": self.no_subject_skipped, "groups": self.groups,
                "by_status": dict(self.by_status)}


# --------------------------------------------------------------------------- reading the store

def _iter_jsonl(path: Path) -> Iterator[dict]:
    try:
        fh = path.open("r", encoding="utf-8")
    except FileNotFoundError as exc:
        raise LedgerError(f"{path} not found; run `newsclaims extract` (make extract) first") from exc
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LedgerError(f"{path}:{n}: not JSON ({exc.msg})") from exc
            if not isinstance(rec, dict):
                raise LedgerError(f"{path}:{n}: not a JSON object")
            yield rec


def load_store(store: Path) -> tuple[list[dict], dict[str, ArticleInfo]]:
    """Claims and the article facts the ledger needs (meta, value spans, entity labels).

    articles.jsonl is streamed and only the mentions that claims point to are kept,
    so a large store does not sit in memory twice.
    """
    store = Path(store)
    claims = list(_iter_jsonl(store / "claims.jsonl"))
    wanted: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        mid = (c.get("value") or {}).get("mention_id")
        if mid:
            wanted[c.get("article_id")].add(mid)
    articles: dict[str, ArticleInfo] = {}
    for a in _iter_jsonl(store / "articles.jsonl"):
        aid = a.get("article_id")
        meta = a.get("meta") or {}
        need = wanted.get(aid, set())
        values: dict[str, tuple[int, int, str, str | None]] = {}
        entities = []
        for m in a.get("mentions") or ():
            if m.get("mention_id") in need:
                values[m["mention_id"]] = (m.get("start"), m.get("end"), m.get("kind"), m.get("unit"))
            if m.get("kind") == "entity" and m.get("label"):
                entities.append((m.get("start"), m.get("end"), m["label"]))
        articles[aid] = ArticleInfo(article_id=aid, title=meta.get("title"), url=meta.get("url"),
                                    outlet=meta.get("outlet"), published=meta.get("published"), values=values,
                                    entities=tuple(entities))
    return claims, articles


# --------------------------------------------------------------------------- building the ledger

def _num(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, int):
        return x            # keep the store's integers as integers
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f   # 5.4e8 and 540000000 are one value


def _bucket_label(kind, currency, unit, rate) -> str:
    if kind == "money" or (kind is None and currency):
        base = currency or "currency?"
    else:
        base = unit or currency or "unit?"
    return base if not rate else f"{base} {rate}"


def _interval(v: LedgerValue) -> tuple[float, float] | None:
    """The value as a closed interval (infinite ends for over/under), None when it has no number."""
    return _interval_of(v.qualifier, v.amount, v.low, v.high)


def _interval_of(qualifier, a, lo, hi) -> tuple[float, float] | None:
    if lo is not None and hi is not None:
        return (min(lo, hi), max(lo, hi))
    if a is None:
        if lo is not None:
            return (lo, math.inf)
        if hi is not None:
            return (0.0 if hi >= 0 else -math.inf, hi)
        return None
    if qualifier == "over":
        return (a, math.inf)
    if qualifier == "under":
        return (0.0 if a >= 0 else -math.inf, a)
    return (a, a)


def _agree(a: LedgerValue, b: LedgerValue, tol: float, approx_tol: float) -> bool:
    """Do two values agree (docs/ledger.md, "Agreement")?"""
    return _agree_iv(_interval(a), a.qualifier, _interval(b), b.qualifier, tol, approx_tol)


def _agree_iv(ia, qa, ib, qb, tol: float, approx_tol: float) -> bool:
    if ia is None or ib is None:
        return False
    gap = max(0.0, ib[0] - ia[1], ia[0] - ib[1])
    finite = [abs(x) for x in (*ia, *ib) if x != math.inf and x != -math.inf]
    scale = max(finite) if finite else 0.0
    t = approx_tol if (qa == "approx" or qb == "approx") else tol
    return gap <= t * scale + 1e-9


def _label(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _period(time: dict | None) -> tuple[str, str | None, str | None, str | None]:
    if not time:
        return "unknown", None, None, None
    start, end = time.get("interval_start"), time.get("interval_end")
    if not start and not end:
        return "unknown", None, None, None
    return f"{start or '..'}/{end or '..'}", start, end, time.get("grain")


def _sha(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _period_sort(key: str, start: str | None, end: str | None) -> tuple:
    return (key == "unknown", start or "", end or "")


def _published_sort(p: str | None) -> tuple:
    return (p is None, p or "")


def build_ledger(claims: Iterable[dict], articles: dict[str, ArticleInfo] | None = None, *,
                 tolerance: float = DEFAULT_TOLERANCE,
                 approx_tolerance: float = DEFAULT_APPROX_TOLERANCE) -> tuple[list[LedgerGroup], LedgerStats]:
    """Group claims by (subject, metric, period); clusters, status and related groups per group.

    The result is sorted by subject, metric (DESIGN.md order), period (unknown last)
    and does not depend on the order of ``claims``.
    """
    articles = articles or {}
    raw: dict[tuple, list[tuple[dict, ClaimRef]]] = defaultdict(list)
    read = dups = nosubj = 0
    for c in claims:
        read += 1
        if c.get("duplicate_of"):
            dups += 1
            continue
        subj = c.get("subject") or {}
        canonical = subj.get("canonical") or subj.get("text")
        if not canonical:
            nosubj += 1
            continue
        key_period = _period(c.get("time"))
        raw[(canonical, c.get("metric") or "other", key_period[0])].append((c, _claim_ref(c, articles)))

    groups: list[LedgerGroup] = []
    for (subject, metric, period), items in raw.items():
        groups.append(_group(subject, metric, period, items, articles, tolerance, approx_tolerance))

    # related metrics: same subject and period, same metric family
    by_sp: dict[tuple[str, str], list[LedgerGroup]] = defaultdict(list)
    for g in groups:
        by_sp[(g.subject, g.period)].append(g)
    final = []
    for g in groups:
        fam = _FAMILY.get(g.metric, ())
        rel = tuple(sorted(((o.metric, o.group_id) for o in by_sp[(g.subject, g.period)]
                            if o.metric != g.metric and o.metric in fam),
                           key=lambda t: (_METRIC_ORDER.get(t[0], 99), t[0])))
        final.append(g if not rel else _replace(g, related=rel))
    final.sort(key=lambda g: (g.subject.casefold(), g.subject, _METRIC_ORDER.get(g.metric, len(METRICS)), g.metric,
                              _period_sort(g.period, g.interval_start, g.interval_end)))
    stats = LedgerStats(claims_read=read, duplicates_skipped=dups, no_subject_skipped=nosubj, groups=len(final),
                        by_status={s: sum(1 for g in final if g.status == s) for s in STATUSES})
    return final, stats


def _replace(g: LedgerGroup, **kw) -> LedgerGroup:
    return dataclasses.replace(g, **kw)


def _claim_ref(c: dict, articles: dict[str, ArticleInfo]) -> ClaimRef:
    aid = c.get("article_id")
    art = articles.get(aid)
    val = c.get("value") or {}
    span = art.values.get(val.get("mention_id")) if art else None
    src = c.get("source") or {}
    ev = c.get("evidence") or {}
    return ClaimRef(claim_id=str(c.get("claim_id")), article_id=str(aid),
                    source=src.get("canonical") or src.get("text") or None,
                    outlet=art.outlet if art else None, published=art.published if art else None,
                    hedge=c.get("hedge"), negated=bool(c.get("negated")), value_text=val.get("text"),
                    time_text=(c.get("time") or {}).get("text"),
                    evidence={"text": ev.get("text"), "start": ev.get("start"), "end": ev.get("end")},
                    value_start=span[0] if span else None, value_end=span[1] if span else None,
                    confidence=c.get("confidence"))


def _value_key(c: dict, articles: dict[str, ArticleInfo]) -> tuple:
    val = c.get("value") or {}
    art = articles.get(c.get("article_id"))
    span = art.values.get(val.get("mention_id")) if art else None
    kind = span[2] if span else ("money" if val.get("currency") else None)
    unit = val.get("unit") or (span[3] if span else None)
    return (kind, val.get("currency"), unit, val.get("rate"), val.get("qualifier"), _num(val.get("amount")),
            _num(val.get("low")), _num(val.get("high")), bool(c.get("negated")))


def _sortable(x) -> tuple:
    return (x is None, x if x is not None else 0)


def _most_common(counts: dict[str, int]) -> str | None:
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def _ref_sort(r: ClaimRef) -> tuple:
    return (_published_sort(r.published), r.article_id, _sortable(r.evidence.get("start")), r.claim_id)


def _group(subject, metric, period, items, articles, tol, approx_tol) -> LedgerGroup:
    by_value: dict[tuple, list[ClaimRef]] = defaultdict(list)
    entity_ids: dict[str, int] = {}
    grains: dict[str, int] = {}
    start = end = None
    for c, ref in items:
        by_value[_value_key(c, articles)].append(ref)
        eid = (c.get("subject") or {}).get("entity_id")
        if eid:
            entity_ids[eid] = entity_ids.get(eid, 0) + 1
        if period != "unknown":
            t = c["time"]
            start, end = t.get("interval_start"), t.get("interval_end")
            if t.get("grain"):
                grains[t["grain"]] = grains.get(t["grain"], 0) + 1
    gid = _sha(subject, metric, period)
    # proto values: [sort key, value key, value id, bucket, interval, claims]
    protos = []
    for k, refs in by_value.items():
        kind, cur, unit, rate, qual, amount, low, high, neg = k
        iv = _interval_of(qual, amount, low, high)
        bucket = _bucket_label(kind, cur, unit, rate)
        vid = _sha(gid, *(repr(x) for x in k))
        srt = (bucket, *(iv or (math.inf, math.inf)), qual or "", neg, vid)
        protos.append((srt, k, vid, bucket, iv, tuple(sorted(refs, key=_ref_sort))))
    protos.sort(key=lambda p: p[0])

    clusters: list[tuple[str, list[tuple]]] = []      # (bucket, member protos), in label order
    current: list[tuple] = []
    for p in protos:                                   # sorted by bucket, then ascending
        if p[1][8] or p[4] is None:                    # negated, or no number
            continue
        if current and current[0][3] == p[3] and all(
                _agree_iv(p[4], p[1][4], m[4], m[1][4], tol, approx_tol) for m in current):
            current.append(p)
        else:
            current = [p]
            clusters.append((p[3], current))
    assign = {m[2]: _label(i) for i, (_, members) in enumerate(clusters) for m in members}
    contradicted = False
    for p in protos:
        if p[1][8] and p[4] is not None:
            for i, (bucket, members) in enumerate(clusters):
                if bucket == p[3] and any(_agree_iv(p[4], p[1][4], m[4], m[1][4], tol, approx_tol)
                                          for m in members):
                    assign[p[2]] = _label(i)
                    contradicted = True
                    break
    values = tuple(LedgerValue(vid, *k, assign.get(vid), refs) for _, k, vid, _, _, refs in protos)

    out_clusters = []
    n_per_bucket: dict[str, int] = {}
    compared_articles: set[str] = set()
    for i, (bucket, members) in enumerate(clusters):
        n_per_bucket[bucket] = n_per_bucket.get(bucket, 0) + 1
        refs = [r for m in members for r in m[5]]
        compared_articles.update(r.article_id for r in refs)
        pts = [x for m in members for x in m[1][5:8] if x is not None]
        out_clusters.append(Cluster(
            label=_label(i), bucket=bucket, low=min(pts) if pts else None, high=max(pts) if pts else None,
            value_ids=tuple(m[2] for m in members),
            articles=tuple(sorted({r.article_id for r in refs})),
            sources=tuple(sorted({r.source_label for r in refs})),
            hedges=tuple(sorted({r.hedge for r in refs if r.hedge}))))
    if contradicted or any(n >= 2 for n in n_per_bucket.values()):
        status = "conflict"
    elif len(n_per_bucket) >= 2:
        status = "incomparable"
    elif len(compared_articles) >= 2:
        status = "agree"
    else:
        status = "single"
    all_refs = [r for v in values for r in v.claims]
    return LedgerGroup(group_id=gid, subject=subject, entity_id=_most_common(entity_ids), metric=metric,
                       period=period, interval_start=start, interval_end=end, grain=_most_common(grains),
                       status=status, n_claims=len(all_refs), n_articles=len({r.article_id for r in all_refs}),
                       n_sources=len({r.source_label for r in all_refs}), related=(),
                       clusters=tuple(out_clusters), values=values)


def ledger_lines(groups: Iterable[LedgerGroup]) -> Iterator[str]:
    """The JSONL lines of the ledger (store encoding, one group per line, newline-terminated)."""
    for g in groups:
        yield dumps(g.to_dict()) + "\n"


# --------------------------------------------------------------------------- formatting helpers

def fmt_amount(x: float | None, unit: str | None = None) -> str:
    """Compact English figure: 1300000000 -> '1.3B', 13 with unit percent -> '13%'."""
    if x is None:
        return "?"
    if unit == "percent":
        return f"{_trim(x)}%"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    ax = abs(x)
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if ax >= div:
            return f"{_trim(x / div)}{suf}"
    return _trim(x)


def _trim(x: float) -> str:
    s = f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"
    if "e" in s:
        s = f"{x:.0f}"
    return s


def _value_label(v: LedgerValue) -> str:
    unit = v.unit if v.kind != "money" else None
    is_span = v.low is not None and v.high is not None and v.qualifier in ("range", "vague", None)
    if is_span or v.amount is None:
        body = f"{fmt_amount(v.low, unit)}–{fmt_amount(v.high, unit)}"
    else:
        body = fmt_amount(v.amount, unit)
    prefix = {"approx": "≈", "over": ">", "under": "<"}.get(v.qualifier or "", "")
    return f"{'not ' if v.negated else ''}{prefix}{body} {v.bucket}".strip()


def _cluster_label(c: Cluster) -> str:
    unit = c.bucket if c.bucket.startswith("percent") else None
    if c.low is None:
        body = "?"
    elif c.low == c.high:
        body = fmt_amount(c.low, unit)
    else:
        body = f"{fmt_amount(c.low, unit)}–{fmt_amount(c.high, unit)}"
    return f"{body} {c.bucket}"


def _esc(s: Any) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _safe_url(url: str | None) -> str | None:
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def _iso_day(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        pass
    try:
        if len(s) == 7:
            return date(int(s[:4]), int(s[5:7]), 1)
        if len(s) == 4:
            return date(int(s), 1, 1)
    except ValueError:
        return None
    return None


# --------------------------------------------------------------------------- SVG timeline

#: Okabe-Ito colours (colour-blind safe), then a few more; cycled with dash patterns beyond
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#8c564b", "#7f7f7f",
           "#bcbd22")
CONFLICT_COLOUR = "#d0021b"
_W, _H, _ML, _MR, _MT, _MB = 760, 240, 64, 16, 22, 28


def _y_scale(vals: list[float]):
    pos = [v for v in vals if v > 0]
    lo, hi = min(vals), max(vals)
    if pos and len(pos) == len(vals) and hi / min(pos) >= 20:
        a, b = math.floor(math.log10(min(pos))), math.ceil(math.log10(hi))
        if a == b:
            b += 1
        ticks = [10.0 ** e for e in range(a, b + 1)]
        if b - a <= 2:
            ticks = sorted({t * m for t in ticks for m in (1, 2, 5) if 10.0 ** a <= t * m <= 10.0 ** b})

        def y(v: float) -> float:
            v = max(v, 10.0 ** a)
            return _MT + (_H - _MT - _MB) * (1 - (math.log10(v) - a) / (b - a))
        return y, ticks, True
    lo = min(0.0, lo)
    hi = hi * 1.1 if hi > 0 else 1.0
    raw = (hi - lo) / 4
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks = [lo + i * step for i in range(int((hi - lo) / step) + 2) if lo + i * step <= hi + 1e-9]

    def y(v: float) -> float:
        return _MT + (_H - _MT - _MB) * (1 - (v - lo) / (hi - lo))
    return y, ticks, False


def _x_ticks(d0: int, d1: int) -> list[tuple[int, str]]:
    a, b = date.fromordinal(d0), date.fromordinal(d1)
    out = []
    if d1 - d0 <= 800:
        y, m = a.year, ((a.month - 1) // 3) * 3 + 1
        while True:
            d = date(y, m, 1).toordinal()
            if d > d1:
                break
            if d >= d0:
                out.append((d, f"{y}-{m:02d}"))
            m += 3
            if m > 12:
                y, m = y + 1, 1
    else:
        step = 1 if b.year - a.year <= 12 else 5
        for yr in range(a.year, b.year + 1):
            d = date(yr, 1, 1).toordinal()
            if d0 <= d <= d1 and yr % step == 0:
                out.append((d, str(yr)))
    return out


def render_timeline(groups: list[LedgerGroup], bucket: str) -> tuple[str, list[tuple[str, str]], int]:
    """Inline SVG for one subject, metric and bucket: one bar per claim from interval start to end.

    Returns (svg, legend [(source, colour)], number of claims left out for an unknown period).
    """
    bars = []   # (d0, d1, value, claim, group)
    unplaced = 0
    for g in groups:
        s, e = _iso_day(g.interval_start), _iso_day(g.interval_end)
        for v in g.values:
            if v.bucket != bucket or _interval(v) is None:
                continue
            for r in v.claims:
                if s is None or e is None:
                    unplaced += 1
                else:
                    bars.append((s.toordinal(), e.toordinal() + 1, v, r, g))
    if not bars:
        return "", [], unplaced
    d0, d1 = min(b[0] for b in bars), max(b[1] for b in bars)
    pad = max(15, (d1 - d0) // 25)
    d0, d1 = d0 - pad, d1 + pad
    yvals = [x for b in bars for x in (b[2].amount, b[2].low, b[2].high) if x is not None]
    y, yticks, is_log = _y_scale(yvals)
    unit = bucket if bucket.startswith("percent") else None

    def x(d: float) -> float:
        return _ML + (_W - _ML - _MR) * (d - d0) / (d1 - d0)

    sources = sorted({b[3].source_label for b in bars})
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    dash = {s: ("" if i < len(PALETTE) else ' stroke-dasharray="4 2"') for i, s in enumerate(sources)}
    parts = [f'<svg class="timeline" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="10">',
             f'<title>{_esc(bucket)}: values over time{" (log scale)" if is_log else ""}</title>']
    for t in yticks:
        yy = y(t)
        parts.append(f'<line x1="{_ML}" x2="{_W - _MR}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e4e4e4"/>'
                     f'<text x="{_ML - 4}" y="{yy + 3:.1f}" text-anchor="end" fill="#555">'
                     f'{_esc(fmt_amount(t, unit))}</text>')
    for d, label in _x_ticks(d0, d1):
        xx = x(d)
        parts.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{_MT}" y2="{_H - _MB}" stroke="#eeeeee"/>'
                     f'<text x="{xx:.1f}" y="{_H - _MB + 14}" text-anchor="middle" fill="#555">{_esc(label)}</text>')
    parts.append(f'<line x1="{_ML}" x2="{_W - _MR}" y1="{_H - _MB}" y2="{_H - _MB}" stroke="#999"/>')
    if is_log:
        parts.append(f'<text x="{_ML}" y="{_MT - 8}" fill="#777">log scale</text>')
    # conflict frames first, under the bars: only where this bucket holds the conflict
    for g in groups:
        if g.status != "conflict":
            continue
        here = [c for c in g.clusters if c.bucket == bucket]
        denied = any(v.negated and v.cluster and v.bucket == bucket for v in g.values)
        gb = [b for b in bars if b[4] is g]
        if not gb or (len(here) < 2 and not denied):
            continue
        ys = [y(v) for b in gb for v in (b[2].amount, b[2].low, b[2].high) if v is not None]
        x0, x1 = x(min(b[0] for b in gb)), x(max(b[1] for b in gb))
        top, bottom = min(ys) - 8, max(ys) + 8
        parts.append(f'<rect class="conflict" x="{x0 - 3:.1f}" y="{top:.1f}" width="{x1 - x0 + 6:.1f}" '
                     f'height="{bottom - top:.1f}" fill="none" stroke="{CONFLICT_COLOUR}" stroke-width="1.5" '
                     f'stroke-dasharray="5 3"><title>conflict: {_esc(g.subject)} {_esc(g.metric)} '
                     f'{_esc(_period_text(g))}</title></rect>'
                     f'<text x="{x0:.1f}" y="{top - 3:.1f}" fill="{CONFLICT_COLOUR}" font-weight="bold">'
                     f'≠ conflict</text>')
    # bars that would cover each other (same period, within 4 px) share the period's width, so the
    # height always reads as the value
    spots: dict[tuple, list] = defaultdict(list)
    for bar in sorted(bars, key=lambda b: (b[0], b[1], b[3].source_label, b[2].value_id, b[3].article_id,
                                           b[3].claim_id)):
        b0, b1, v = bar[0], bar[1], bar[2]
        spots[(b0, b1, round(y(v.amount if v.amount is not None else (v.high or 0.0)) / 4))].append(bar)
    for (b0, b1, _), same in spots.items():
        x0, x1 = x(b0), x(b1)
        w = max((x1 - x0) / len(same), 2.0)
        for i, (_, _, v, r, g) in enumerate(same):
            c = colour[r.source_label]
            tip = (f"{r.source_label} · {r.value_text or _value_label(v)} · {r.hedge or ''} · "
                   f"{_period_text(g)} · {r.article_id}{' · negated' if r.negated else ''}")
            xs = x0 + i * w
            if (v.low is not None and v.high is not None and v.amount is None) or v.qualifier in ("range", "vague"):
                lo_v = v.low if v.low is not None else v.amount
                hi_v = v.high if v.high is not None else v.amount
                top, bot = y(hi_v), y(lo_v)
                parts.append(f'<rect x="{xs:.1f}" y="{top:.1f}" width="{w:.1f}" height="{max(bot - top, 6):.1f}" '
                             f'fill="{c}" fill-opacity="0.25" stroke="{c}"{dash[r.source_label]}>'
                             f'<title>{_esc(tip)}</title></rect>')
                continue
            yy = y(v.amount)
            fill = "none" if r.negated else c
            parts.append(f'<rect x="{xs:.1f}" y="{yy - 3:.1f}" width="{w:.1f}" height="6" fill="{fill}" '
                         f'stroke="{c}"{dash[r.source_label]}><title>{_esc(tip)}</title></rect>')
            if v.qualifier in ("over", "under"):
                tipy = yy - 9 if v.qualifier == "over" else yy + 9
                xm = xs + w / 2
                parts.append(f'<path d="M{xm - 4:.1f},{yy:.1f} L{xm:.1f},{tipy:.1f} L{xm + 4:.1f},{yy:.1f} Z" '
                             f'fill="{c}"/>')
    parts.append("</svg>")
    return "".join(parts), [(s, colour[s]) for s in sources], unplaced


# --------------------------------------------------------------------------- HTML report

def _template() -> string.Template:
    return string.Template(resources.files(__package__).joinpath("report_template.html").read_text("utf-8"))


def _anchor(prefix: str, *parts: str) -> str:
    return f"{prefix}-{_sha(*parts)[:10]}"


def _snippet(r: ClaimRef, width: int = 70) -> str:
    text = r.evidence.get("text") or ""
    es = r.evidence.get("start")
    vs = ve = None
    if r.value_start is not None and isinstance(es, int):
        vs, ve = r.value_start - es, r.value_end - es
        if not (0 <= vs <= ve <= len(text)) or (r.value_text and text[vs:ve] != r.value_text):
            vs = ve = None
    if vs is None and r.value_text:
        i = text.find(r.value_text)
        if i >= 0:
            vs, ve = i, i + len(r.value_text)
    if vs is None:
        cut = text[:2 * width]
        return _esc(cut) + ("…" if len(text) > len(cut) else "")
    a, b = max(0, vs - width), min(len(text), ve + width)
    return ("…" if a > 0 else "") + _esc(text[a:vs]) + "<mark>" + _esc(text[vs:ve]) + "</mark>" + \
        _esc(text[ve:b]) + ("…" if b < len(text) else "")


def _article_cell(r: ClaimRef, articles: dict[str, ArticleInfo]) -> str:
    art = articles.get(r.article_id)
    name = (art.title if art and art.title else r.article_id)
    url = _safe_url(art.url if art else None)
    head = f'<a href="{_esc(url)}">{_esc(name)}</a>' if url else _esc(name)
    sub = " · ".join(_esc(x) for x in (r.outlet, r.published) if x)
    idline = f'<div class="muted">{_esc(r.article_id)}</div>' if art and art.title else ""
    return f"{head}{idline}<div class=\"muted\">{sub}</div>" if sub else head + idline


def _source_cell(r: ClaimRef) -> str:
    if r.source:
        return _esc(r.source)
    return f'<span class="muted">{_esc(r.outlet or "article")} (unattributed)</span>'


def render_report(groups: list[LedgerGroup], stats: LedgerStats, articles: dict[str, ArticleInfo] | None = None, *,
                  title: str = "newsclaims ledger", store_label: str = "") -> str:
    """The whole static HTML page (no network, no script needed to read it)."""
    articles = articles or {}
    by_subject: dict[str, list[LedgerGroup]] = defaultdict(list)
    for g in groups:
        by_subject[g.subject].append(g)
    conflicts = [g for g in groups if g.status == "conflict"]

    summary = [f'<p>{stats.groups} groups from {stats.claims_read} claims'
               f'{" in " + _esc(store_label) if store_label else ""}: '
               + ", ".join(f'<span class="badge {s}">{stats.by_status.get(s, 0)} {s}</span>' for s in STATUSES)
               + f'. Left out: {stats.duplicates_skipped} repeated-block copies, '
                 f'{stats.no_subject_skipped} claims without a subject.</p>']
    if conflicts:
        links = ", ".join(f'<a href="#{_anchor("g", g.group_id)}">{_esc(g.subject)} · {_esc(g.metric)} · '
                          f'{_esc(_period_text(g))}</a>' for g in conflicts)
        summary.append(f'<details{" open" if len(conflicts) <= 12 else ""}><summary><b>{len(conflicts)} '
                       f'conflict(s)</b></summary><p>{links}</p></details>')
    toc = ['<nav><b>Subjects:</b> ']
    toc.append(" · ".join(
        f'<a href="#{_anchor("s", s)}">{_esc(s)}</a>'
        f'{" <span class=badge-conflict>≠</span>" if any(g.status == "conflict" for g in gs) else ""}'
        for s, gs in by_subject.items()))
    toc.append("</nav>")

    body = []
    for subject, gs in by_subject.items():
        has_conflict = any(g.status == "conflict" for g in gs)
        body.append(f'<section class="subject" id="{_anchor("s", subject)}" '
                    f'data-conflict="{"1" if has_conflict else "0"}"><h2>{_esc(subject)}</h2>')
        body.append(_side_by_side(gs))
        by_metric: dict[str, list[LedgerGroup]] = defaultdict(list)
        for g in gs:
            by_metric[g.metric].append(g)
        for metric, mgs in by_metric.items():
            mc = any(g.status == "conflict" for g in mgs)
            body.append(f'<div class="metric" data-conflict="{"1" if mc else "0"}">'
                        f'<h3>{_esc(subject)} · {_esc(metric)}</h3>')
            fam = [m for m in _FAMILY.get(metric, ()) if m != metric and m in by_metric]
            if fam:
                body.append(f'<p class="note">Different definition, not merged: see also '
                            f'{", ".join(_esc(m) for m in fam)}.</p>')
            buckets = sorted({v.bucket for g in mgs for v in g.values if _interval(v) is not None})
            for bucket in buckets:
                svg, legend, unplaced = render_timeline(mgs, bucket)
                if svg:
                    body.append(f'<figure>{svg}<figcaption>{_esc(bucket)} · '
                                + " ".join(f'<span class="swatch" style="background:{c}"></span>{_esc(s)}'
                                           for s, c in legend)
                                + (f' · {unplaced} claim(s) with unknown period not drawn' if unplaced else "")
                                + "</figcaption></figure>")
                elif unplaced:
                    body.append(f'<p class="note">{_esc(bucket)}: {unplaced} claim(s) with unknown period '
                                f'(table only).</p>')
            body.append(_group_table(mgs, articles))
            body.append("</div>")
        body.append("</section>")
    tpl = _template()
    return tpl.substitute(title=_esc(title), summary="\n".join(summary), toc="".join(toc), body="\n".join(body),
                          schema=_esc(LEDGER_SCHEMA))


def _side_by_side(gs: list[LedgerGroup]) -> str:
    metrics = []
    for g in gs:
        if g.metric not in metrics:
            metrics.append(g.metric)
    periods: dict[str, LedgerGroup] = {}
    for g in gs:
        periods.setdefault(g.period, g)
    order = sorted(periods.values(), key=lambda g: _period_sort(g.period, g.interval_start, g.interval_end))
    cell = {(g.period, g.metric): g for g in gs}
    rows = ['<table class="overview"><thead><tr><th>period</th>'
            + "".join(f"<th>{_esc(m)}</th>" for m in metrics) + "</tr></thead><tbody>"]
    for p in order:
        tds = []
        for m in metrics:
            g = cell.get((p.period, m))
            if g is None:
                tds.append("<td></td>")
                continue
            per_bucket: dict[str, list[str]] = {}
            for c in g.clusters:
                per_bucket.setdefault(c.bucket, []).append(f"{_esc(_cluster_label(c))} ×{len(c.articles)}")
            txt = "; ".join(" <b class=neq>≠</b> ".join(cs) for cs in per_bucket.values()) or "?"
            tds.append(f'<td class="{g.status}"><a href="#{_anchor("g", g.group_id)}">{txt}</a></td>')
        rows.append(f"<tr><th>{_esc(_period_text(p))}</th>{''.join(tds)}</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _period_text(g: LedgerGroup) -> str:
    """2023, 2023 Q2, 2023 H1, 2023-04, 2023-04-05, else 'start – end' (from the dates, not the grain)."""
    if g.period == "unknown":
        return "unknown period"
    s, e = g.interval_start, g.interval_end
    ds, de = _iso_day(s), _iso_day(e)
    if ds and de and ds.year == de.year and ds.day == 1 and (de + timedelta(days=1)).day == 1:
        m0, m1 = ds.month, de.month
        if (m0, m1) == (1, 12):
            return str(ds.year)
        if m1 - m0 == 5 and m0 in (1, 7):
            return f"{ds.year} H{1 if m0 == 1 else 2}"
        if m1 - m0 == 2 and m0 % 3 == 1:
            return f"{ds.year} Q{(m0 + 2) // 3}"
        if m0 == m1:
            return f"{ds.year}-{m0:02d}"
    if ds and de and ds == de:
        return ds.isoformat()
    return f"{s or '…'} – {e or '…'}"


def _group_table(gs: list[LedgerGroup], articles: dict[str, ArticleInfo]) -> str:
    rows = ['<table class="claims"><thead><tr><th>period</th><th>value</th><th>cluster</th><th>source</th>'
            '<th>hedge</th><th>article</th><th>evidence</th></tr></thead>']
    for g in gs:
        rows.append(f'<tbody id="{_anchor("g", g.group_id)}" class="{g.status}" data-status="{g.status}">'
                    f'<tr class="grp"><th colspan="7">{_esc(_period_text(g))} '
                    f'<span class="badge {g.status}">{g.status}</span> '
                    f'<span class="muted">{g.n_claims} claim(s), {g.n_articles} article(s), '
                    f'{g.n_sources} source(s)</span></th></tr>')
        for v in g.values:
            for r in v.claims:
                ev = r.evidence
                offs = f'<span class="muted">@{_esc(ev.get("start"))}–{_esc(ev.get("end"))}</span>' \
                    if ev.get("start") is not None else ""
                neg = ' <span class="badge conflict">negated</span>' if r.negated else ""
                rows.append(
                    f"<tr><td>{_esc(r.time_text or _period_text(g))}</td>"
                    f'<td class="num">{_esc(r.value_text or "")}<div class="muted">{_esc(_value_label(v))}</div></td>'
                    f'<td>{_esc(v.cluster or "–")}{neg}</td><td>{_source_cell(r)}</td><td>{_esc(r.hedge)}</td>'
                    f"<td>{_article_cell(r, articles)}</td><td class=\"ev\">{_snippet(r)} {offs}</td></tr>")
        rows.append("</tbody>")
    rows.append("</table>")
    return "".join(rows)


# --------------------------------------------------------------------------- schema.org JSON-LD

def _thing(name: str, label: str | None, entity_id: str | None = None, default: str = "Thing") -> dict[str, Any]:
    out: dict[str, Any] = {"@type": _SCHEMA_TYPES.get(label or "", default), "name": name}
    if entity_id and entity_id[:1] == "Q" and entity_id[1:].isdigit():
        out["sameAs"] = f"https://www.wikidata.org/wiki/{entity_id}"
    return out


def _creative_work(aid: str, art: ArticleInfo | None) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "CreativeWork", "identifier": aid}
    if art is None:
        return out
    if _safe_url(art.url):
        out["url"] = art.url
    if art.title:
        out["name"] = art.title
    if art.published:
        out["datePublished"] = art.published
    if art.outlet:
        out["publisher"] = {"@type": "Organization", "name": art.outlet}
    return out


def _prop(name: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"@type": "PropertyValue", "propertyID": f"newsclaims:{name}", "name": name, "value": value, **extra}


def claims_to_jsonld(claims: Iterable[dict], articles: dict[str, ArticleInfo] | None = None,
                     groups: list[LedgerGroup] | None = None) -> list[dict[str, Any]]:
    """One schema.org ``Claim`` per claim (repeated-block copies left out), sorted by article and offset.

    ``firstAppearance`` is the earliest-published article of the store whose claim sits
    in the same ledger cluster (same subject, metric, period, agreeing value); the
    claim's own article when it has no cluster.  Pass ``groups`` from
    :func:`build_ledger` to avoid building the ledger twice.
    """
    articles = articles or {}
    claims = [c for c in claims if not c.get("duplicate_of")]
    if groups is None:
        groups, _ = build_ledger(claims, articles)
    first: dict[str, str] = {}
    status: dict[str, tuple[str, str | None]] = {}
    for g in groups:
        members: dict[str, list[ClaimRef]] = defaultdict(list)
        for v in g.values:
            for r in v.claims:
                status[r.claim_id] = (g.status, v.cluster)
                if v.cluster and not v.negated:
                    members[v.cluster].append(r)
        for refs in members.values():
            earliest = min(refs, key=lambda r: (_published_sort(r.published), r.article_id)).article_id
            for r in refs:
                first[r.claim_id] = earliest
    out = []
    for c in sorted(claims, key=lambda c: (str(c.get("article_id")), _sortable((c.get("evidence") or {}).get("start")),
                                           _sortable((c.get("subject") or {}).get("start")), str(c.get("claim_id")))):
        aid = str(c.get("article_id"))
        art = articles.get(aid)
        cid = str(c.get("claim_id"))
        val = c.get("value") or {}
        subj = c.get("subject") or {}
        src = c.get("source") or {}
        ev = c.get("evidence") or {}
        obj: dict[str, Any] = {"@context": "https://schema.org", "@type": "Claim",
                               "@id": f"urn:newsclaims:claim:{cid}", "identifier": cid, "text": ev.get("text")}
        if subj.get("canonical") or subj.get("text"):
            label = art.entity_label(subj.get("start"), subj.get("end")) if art else None
            obj["about"] = _thing(subj.get("canonical") or subj.get("text"), label, subj.get("entity_id"))
        if src.get("canonical") or src.get("text"):
            label = art.entity_label(src.get("start"), src.get("end")) if art else None
            obj["author"] = _thing(src.get("canonical") or src.get("text"), label, default="Organization")
        obj["appearance"] = _creative_work(aid, art)
        fa = first.get(cid, aid)
        obj["firstAppearance"] = _creative_work(fa, articles.get(fa))
        if art and art.published:
            obj["datePublished"] = art.published
        period_key = _period(c.get("time"))[0]
        unit = val.get("currency") or val.get("unit")
        amount = {k: val.get(k) for k in ("low", "high") if _num(val.get(k)) is not None}
        vprop = _prop("value", _num(val.get("amount")), **({"unitText": unit} if unit else {}))
        if "low" in amount:
            vprop["minValue"] = _num(amount["low"])
        if "high" in amount:
            vprop["maxValue"] = _num(amount["high"])
        props = [_prop("metric", c.get("metric")), vprop]
        if val.get("currency"):
            props.append(_prop("currency", val["currency"]))
        if val.get("text"):
            props.append(_prop("valueText", val["text"]))
        props.append(_prop("qualifier", val.get("qualifier")))
        if val.get("rate"):
            props.append(_prop("rate", val["rate"]))
        props.append(_prop("period", period_key))
        props.append(_prop("hedge", c.get("hedge")))
        props.append(_prop("negated", bool(c.get("negated"))))
        if cid in status:
            st, cl = status[cid]
            props.append(_prop("ledgerStatus", st))
            if cl:
                props.append(_prop("ledgerCluster", cl))
        if ev.get("start") is not None:
            props.append(_prop("evidenceOffsets", f"{ev.get('start')}-{ev.get('end')}"))
        obj["additionalProperty"] = props
        out.append(obj)
    return out


# --------------------------------------------------------------------------- CLI

def _open_out(path: str):
    """A text handle for ``path`` ('-' = stdout) written atomically (temp file + rename)."""
    if path == "-":
        return _Stdout()
    return _AtomicFile(Path(path))


class _Stdout:
    def __enter__(self):
        return sys.stdout

    def __exit__(self, *exc):
        sys.stdout.flush()
        return False


class _AtomicFile:
    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # open(..., "x") rather than mkstemp: the file gets the umask's mode, like any other output
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.tmp.unlink(missing_ok=True)   # left by a killed run that had the same pid
        self.fh = self.tmp.open("x", encoding="utf-8", newline="\n")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)
        return False


@contextlib.contextmanager
def _gc_paused():
    """The ledger builds many small acyclic objects; the cyclic GC only slows that down (2x on 100k claims).

    Used by the CLI commands only (a library call leaves the caller's GC alone)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _load(args) -> tuple[list[dict], dict[str, ArticleInfo]] | None:
    try:
        return load_store(Path(args.store))
    except LedgerError as exc:
        log.error("%s", exc)
        return None


def _build(args, claims, articles):
    groups, stats = build_ledger(claims, articles, tolerance=args.tolerance, approx_tolerance=args.approx_tolerance)
    return groups, stats


def _filter(groups: list[LedgerGroup], stats: LedgerStats, args) -> tuple[list[LedgerGroup], LedgerStats]:
    """The groups the --subject/--metric/--status options keep, and the counts of those groups."""
    out = groups
    if getattr(args, "subject", None):
        want = {s.casefold() for s in args.subject}
        out = [g for g in out if g.subject.casefold() in want]
    if getattr(args, "metric", None):
        out = [g for g in out if g.metric in set(args.metric)]
    if getattr(args, "status", None):
        out = [g for g in out if g.status in set(args.status)]
    if len(out) != len(groups):
        stats = dataclasses.replace(stats, groups=len(out),
                                    by_status={s: sum(1 for g in out if g.status == s) for s in STATUSES})
    return out, stats


def cmd_ledger(args: argparse.Namespace) -> int:
    with _gc_paused():
        return _ledger(args)


def _ledger(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return _EXIT_USAGE
    groups, stats = _build(args, *loaded)
    groups, stats = _filter(groups, stats, args)
    with _open_out(args.out) as fh:
        fh.writelines(ledger_lines(groups))
    print(f"ledger: {len(groups)} group(s) ({', '.join(f'{n} {s}' for s, n in stats.by_status.items())}) "
          f"from {stats.claims_read} claims" + (f" -> {args.out}" if args.out != "-" else ""), file=sys.stderr)
    return _EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    with _gc_paused():
        return _report(args)


def _report(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return _EXIT_USAGE
    claims, articles = loaded
    groups, stats = _build(args, claims, articles)
    groups, stats = _filter(groups, stats, args)
    page = render_report(groups, stats, articles, title=args.title, store_label=str(args.store))
    with _open_out(args.out) as fh:
        fh.write(page)
    if args.jsonl:
        with _open_out(args.jsonl) as fh:
            fh.writelines(ledger_lines(groups))
    print(f"report: {len(groups)} group(s), {stats.by_status.get('conflict', 0)} conflict(s) -> {args.out}",
          file=sys.stderr)
    return _EXIT_OK


def cmd_export_jsonld(args: argparse.Namespace) -> int:
    with _gc_paused():
        return _export_jsonld(args)


def _export_jsonld(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return _EXIT_USAGE
    claims, articles = loaded
    groups, _ = _build(args, claims, articles)
    objs = claims_to_jsonld(claims, articles, groups)
    with _open_out(args.out) as fh:
        if args.format == "jsonl":
            fh.writelines(dumps(o) + "\n" for o in objs)
        else:   # one JSON array, one object per line, written object by object
            fh.write("[")
            for i, o in enumerate(objs):
                fh.write(("," if i else "") + "\n" + dumps(o))
            fh.write("\n]\n")
    print(f"export-jsonld: {len(objs)} Claim object(s)" + (f" -> {args.out}" if args.out != "-" else ""),
          file=sys.stderr)
    return _EXIT_OK


def _fraction(text: str) -> float:
    x = float(text)
    if not 0.0 <= x < 1.0:
        raise argparse.ArgumentTypeError(f"{text}: give a fraction from 0 to below 1 (0.05 = 5 %)")
    return x


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default="store", help="store folder with claims.jsonl and articles.jsonl (default: store)")
    p.add_argument("--tolerance", type=_fraction, default=DEFAULT_TOLERANCE,
                   help=f"relative gap under which two values agree (default: {DEFAULT_TOLERANCE})")
    p.add_argument("--approx-tolerance", type=_fraction, default=DEFAULT_APPROX_TOLERANCE,
                   help=f"the same when either value is approximate (default: {DEFAULT_APPROX_TOLERANCE})")


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--subject", action="append", help="only this subject (canonical, case-insensitive); repeatable")
    p.add_argument("--metric", action="append", help="only this metric; repeatable")
    p.add_argument("--status", action="append", choices=STATUSES, help="only groups with this status; repeatable")


def add_parser(subparsers) -> None:
    """Add the ``ledger``, ``report`` and ``export-jsonld`` sub-commands to the newsclaims CLI."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "ledger", formatter_class=fmt, help="claims grouped across articles: agreement and conflict (JSONL)",
        description="Group the store's claims by (subject, metric, period) and write one "
                    f"'{LEDGER_SCHEMA}' line per group (docs/ledger.md).",
        epilog="example:\n  newsclaims ledger --store store --out reports/ledger.jsonl --status conflict")
    _common(p)
    _filters(p)
    p.add_argument("--out", default="-", help="output JSONL file, - for stdout (default: -)")
    p.set_defaults(func=cmd_ledger)

    r = subparsers.add_parser(
        "report", formatter_class=fmt, help="static HTML report of the ledger (tables + timelines)",
        description="Write one self-contained HTML page: per subject a side-by-side table of metrics, per "
                    "metric a timeline chart (inline SVG) and the claims table.",
        epilog="example:\n  newsclaims report --store store --out reports/ledger.html --jsonl reports/ledger.jsonl")
    _common(r)
    _filters(r)
    r.add_argument("--out", default=str(Path("reports") / "ledger.html"),
                   help="output HTML file (default: reports/ledger.html)")
    r.add_argument("--jsonl", help="also write the ledger JSONL here")
    r.add_argument("--title", default="newsclaims ledger", help="page title")
    r.set_defaults(func=cmd_report)

    j = subparsers.add_parser(
        "export-jsonld", formatter_class=fmt, help="claims as schema.org Claim JSON-LD",
        description="Export every claim (repeated-block copies left out) as a schema.org Claim: a JSON array "
                    "(default) or one object per line (--format jsonl).",
        epilog="example:\n  newsclaims export-jsonld --store store --out reports/claims.jsonld")
    _common(j)
    j.add_argument("--out", default="-", help="output file, - for stdout (default: -)")
    j.add_argument("--format", choices=("json", "jsonl"), default="json",
                   help="json: one JSON array (default); jsonl: one Claim per line")
    j.set_defaults(func=cmd_export_jsonld)
