"""What the review page shows: the store, the reviews and their join.

:class:`ReviewData` keeps the store (articles with their text and mentions,
claims in store order) and the :class:`~newsclaims.review.reviews.ReviewLog` in
memory.  :meth:`ReviewData.refresh` reloads the store when its files change
(re-extraction while the page is open) and reads only the review lines appended
since the last call, so another annotator's decisions appear on the next request.

Every review is shown: a review whose claim changed, or whose claim is gone from
the store (an *orphan*), gives the status ``stale``.  Orphans are listed after the
store's claims; the review line has no article, so only the status filter and
an empty article/subject/metric filter show them.

Promotion (:meth:`ReviewData.promote`) appends accepted and edited claims (edits
applied) to ``annotations/gold/claims/<article_id>.jsonl`` unless the gold
already holds that claim; it never rewrites a line.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .edits import apply_edits, claim_spans
from .reviews import STATUSES, Review, ReviewLog, append_lines, claim_sha, claim_status, file_lock

__all__ = ["ReviewData", "Article", "PromoteReport", "gold_claims_dir"]

log = logging.getLogger(__name__)

REVIEWS_FILE = "reviews.jsonl"


def gold_claims_dir(annotations: Path) -> Path:
    return annotations / "gold" / "claims"


@dataclass(frozen=True)
class Article:
    article_id: str
    title: str
    published: str | None
    text: str
    mentions: dict[str, dict[str, Any]]  # mention_id -> MENTION

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "title": self.title, "published": self.published, "text": self.text,
                "mentions": list(self.mentions.values())}


@dataclass
class PromoteReport:
    written: int = 0
    already_in_gold: int = 0
    stale_skipped: int = 0
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.written, "already_in_gold": self.already_in_gold,
                "stale_skipped": self.stale_skipped, "files": self.files}


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                yield n, json.loads(line)


def _file_ident(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _gold_key(claim: dict[str, Any]) -> tuple:
    """Two gold claims with this key are the same claim (for promotion's de-duplication)."""
    subj, val, ev = claim.get("subject") or {}, claim.get("value") or {}, claim.get("evidence") or {}
    return (claim.get("metric"), subj.get("start"), subj.get("end"), val.get("text"), val.get("amount"),
            val.get("low"), val.get("high"), ev.get("start"))


class ReviewData:
    """The store and the reviews, joined; thread-safe (one lock)."""

    def __init__(self, store: Path, annotations: Path):
        self.store = Path(store)
        self.annotations = Path(annotations)
        self.reviews_path = self.annotations / REVIEWS_FILE
        self.log = ReviewLog(self.reviews_path)
        self.lock = threading.RLock()
        self.articles: dict[str, Article] = {}
        self.claims: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.shas: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self._ident: tuple | None = None
        if not (self.store / "articles.jsonl").exists():
            raise FileNotFoundError(f"no store at {self.store} (articles.jsonl missing); run `make extract` first")
        self.refresh()

    # -- loading -----------------------------------------------------------------
    def refresh(self) -> None:
        with self.lock:
            ident = (_file_ident(self.store / "articles.jsonl"), _file_ident(self.store / "claims.jsonl"))
            if ident != self._ident:
                self._load_store()
                self._ident = ident
            self.log.poll()

    def _load_store(self) -> None:
        articles: dict[str, Article] = {}
        for _, a in _iter_jsonl(self.store / "articles.jsonl"):
            meta = a.get("meta") or {}
            articles[a["article_id"]] = Article(
                article_id=a["article_id"], title=meta.get("title") or a.get("source_path") or a["article_id"],
                published=meta.get("published"), text=a.get("text") or "",
                mentions={m["mention_id"]: m for m in a.get("mentions") or []})
        claims: list[dict[str, Any]] = []
        cpath = self.store / "claims.jsonl"
        if cpath.exists():
            claims = [c for _, c in _iter_jsonl(cpath)]
        self.articles, self.claims = articles, claims
        self.index = {c["claim_id"]: i for i, c in enumerate(claims)}
        self.shas = [claim_sha(c) for c in claims]
        self.rows = [self._row(c) for c in claims]
        log.info("review: %d articles, %d claims from %s", len(articles), len(claims), self.store)

    @staticmethod
    def _row(c: dict[str, Any]) -> dict[str, Any]:
        subj, val, tm, src = c.get("subject") or {}, c.get("value") or {}, c.get("time") or {}, c.get("source") or {}
        return {"claim_id": c["claim_id"], "article_id": c.get("article_id"),
                "subject": subj.get("canonical") or subj.get("text"), "subject_text": subj.get("text"),
                "metric": c.get("metric"), "value": val.get("text"), "time": tm.get("text"),
                "source": src.get("canonical") or src.get("text"), "hedge": c.get("hedge"),
                "negated": c.get("negated"), "confidence": c.get("confidence")}

    # -- queries -------------------------------------------------------------------
    def status_of(self, claim_id: str) -> str:
        i = self.index.get(claim_id)
        return claim_status(self.shas[i] if i is not None else None, self.log.latest.get(claim_id))

    def orphans(self) -> list[str]:
        """claim_ids that have reviews but are not in the store, in first-review order."""
        return [cid for cid in self.log.history if cid not in self.index]

    def list_claims(self, *, article: str = "", subject: str = "", metric: str = "", status: str = "",
                    offset: int = 0, limit: int = 100) -> dict[str, Any]:
        """One page of rows matching the filters, the total and per-status counts."""
        with self.lock:
            subject_l = subject.strip().casefold()
            counts = dict.fromkeys(STATUSES, 0)
            matched: list[dict[str, Any]] = []
            for row in self.rows:
                if article and row["article_id"] != article:
                    continue
                if metric and row["metric"] != metric:
                    continue
                if subject_l and subject_l not in (row["subject"] or "").casefold() \
                        and subject_l not in (row["subject_text"] or "").casefold():
                    continue
                st = self.status_of(row["claim_id"])
                counts[st] += 1
                if not status or st == status:
                    matched.append({**row, "status": st, "orphan": False})
            if not (article or metric or subject_l):
                for cid in self.orphans():
                    counts["stale"] += 1
                    if not status or status == "stale":
                        matched.append({"claim_id": cid, "article_id": None, "subject": None, "subject_text": None,
                                        "metric": None, "value": None, "time": None, "source": None,
                                        "hedge": None, "negated": None, "confidence": None,
                                        "status": "stale", "orphan": True})
            offset = max(0, offset)
            return {"total": len(matched), "offset": offset, "limit": limit, "counts": counts,
                    "items": matched[offset:offset + limit]}

    def claim_detail(self, claim_id: str) -> dict[str, Any] | None:
        """The claim, its status, its review history and the spans to highlight."""
        with self.lock:
            i = self.index.get(claim_id)
            history = self.log.history.get(claim_id, [])
            if i is None and not history:
                return None
            latest = history[-1] if history else None
            out: dict[str, Any] = {"claim_id": claim_id, "status": self.status_of(claim_id),
                                   "review": latest.to_dict() if latest else None,
                                   "history": [r.to_dict() for r in history], "claim": None, "claim_sha": None,
                                   "spans": None, "edited": None, "edited_spans": None, "stale_reason": None}
            if i is None:
                out["stale_reason"] = "the claim is no longer in the store (re-extraction removed or changed it)"
                return out
            claim = self.claims[i]
            art = self.articles.get(claim.get("article_id"))
            mentions = art.mentions if art else {}
            out.update(claim=claim, claim_sha=self.shas[i], spans=claim_spans(claim, mentions),
                       article_id=claim.get("article_id"))
            if latest is not None and latest.claim_sha != self.shas[i]:
                out["stale_reason"] = "the claim changed since it was reviewed (re-extraction)"
            if latest is not None and latest.decision == "edit" and latest.edits:
                edited = apply_edits(claim, latest.edits)
                out.update(edited=edited, edited_spans=claim_spans(edited, mentions))
            return out

    def article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def claim(self, claim_id: str) -> tuple[dict[str, Any], str] | None:
        """The current claim and its sha, or None."""
        with self.lock:
            i = self.index.get(claim_id)
            return None if i is None else (self.claims[i], self.shas[i])

    def meta(self) -> dict[str, Any]:
        with self.lock:
            subjects: dict[str, int] = {}
            for row in self.rows:
                if row["subject"]:
                    subjects[row["subject"]] = subjects.get(row["subject"], 0) + 1
            n_claims: dict[str, int] = {}
            for row in self.rows:
                n_claims[row["article_id"]] = n_claims.get(row["article_id"], 0) + 1
            return {"articles": [{"article_id": a.article_id, "title": a.title, "claims": n_claims.get(a.article_id, 0)}
                                 for a in self.articles.values()],
                    "subjects": sorted(subjects, key=lambda s: (-subjects[s], s))[:500],
                    "n_claims": len(self.claims), "n_reviews": self.log.n_lines,
                    "review_problems": list(self.log.problems)}

    # -- writing -----------------------------------------------------------------
    def add_review(self, review: Review) -> str:
        """Append a review and return the claim's new status."""
        append_lines(self.reviews_path, [review.to_dict()])
        with self.lock:
            self.log.poll()
            return self.status_of(review.claim_id)

    def promote(self) -> PromoteReport:
        """Append accepted/edited (not stale) claims to the gold claim files, without duplicates."""
        with self.lock, file_lock(self.annotations / ".gold.lock"):
            self.refresh()
            report = PromoteReport()
            gold_dir = gold_claims_dir(self.annotations)
            existing: dict[str, tuple[set[str], set[tuple]]] = {}
            gold_root = self.annotations / "gold"
            if gold_root.is_dir():
                for path in sorted(gold_root.rglob("*.jsonl")):
                    for _, rec in _iter_jsonl(path):
                        if str(rec.get("schema", "")).startswith("newsclaims.claim/"):
                            ids, keys = existing.setdefault(rec.get("article_id") or path.stem, (set(), set()))
                            ids.add(rec.get("claim_id"))
                            keys.add(_gold_key(rec))
            pending: dict[str, list[dict[str, Any]]] = {}
            for i, claim in enumerate(self.claims):
                review = self.log.latest.get(claim["claim_id"])
                if review is None or review.decision == "reject":
                    continue
                if review.claim_sha != self.shas[i]:
                    report.stale_skipped += 1
                    continue
                gold = apply_edits(claim, review.edits) if review.decision == "edit" else dict(claim)
                gold["rule"] = f"review:{review.decision}"
                aid = gold["article_id"]
                ids, keys = existing.setdefault(aid, (set(), set()))
                if gold["claim_id"] in ids or _gold_key(gold) in keys:
                    report.already_in_gold += 1
                    continue
                ids.add(gold["claim_id"])
                keys.add(_gold_key(gold))
                pending.setdefault(aid, []).append(gold)
            for aid, recs in sorted(pending.items()):
                path = gold_dir / f"{aid}.jsonl"
                append_lines(path, recs)
                report.written += len(recs)
                report.files.append(str(path))
            return report
