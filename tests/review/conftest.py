"""A small hand-made claims store for the review tests.

Two real corpus articles (their original text, as the store keeps it) and five
claims whose spans were placed by hand on that text; the shapes follow DESIGN.md.
The store does not come from the extractors, so these tests do not move when the
claim builder changes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

A1 = "001_7ec13a0538602fb1"   # simplified: OpenAI's 2022 loss
A2 = "004_e1ab5d7198a05263"   # traditional: ChatGPT users

# (article, subject, subject label, after, metric, value, kind, time, source, hedge)
CLAIMS = [
    (A1, "OpenAI", "OpenAI的亏损", "loss", "5.4亿美元", "money", "去年", "The Information", "reported"),
    (A1, "微软", "老伙伴微软", "investment", "100亿美元", "money", "今年1月", None, "asserted"),
    (A1, "OpenAI", "OpenAI目前的估值", "valuation", "290亿美元", "money", None, None, "asserted"),
    (A1, "OpenAI", "2022年,OpenAI的收入", "revenue", "2800万美元", "money", "2022年", None, "reported"),
    (A2, "ChatGPT", "ChatGPT發布后", "users", "15億用戶", "quantity", "7月份", None, "asserted"),
]
VALUES = {"5.4亿美元": (540000000, "USD", "approx"), "100亿美元": (10000000000, "USD", "exact"),
          "290亿美元": (29000000000, "USD", "exact"), "2800万美元": (28000000, "USD", "exact"),
          "15億用戶": (1500000000, None, "exact")}
TIMES = {"去年": ("2022-01-01", "2022-12-31", "year"), "今年1月": ("2023-01-01", "2023-01-31", "month"),
         "2022年": ("2022-01-01", "2022-12-31", "year"), "7月份": ("2023-07-01", "2023-07-31", "month")}
TITLES = {A1: "疯狂亏损疯狂融资,OpenAI面临开源隐忧", A2: "ChatGPT用戶數下降"}
PUBLISHED = {A1: "2023-05-06", A2: "2023-08-15"}


def original_text(article_id: str) -> str:
    return (CORPUS / f"{article_id}.txt").read_bytes().decode("utf-8-sig")


def _sentence(text: str, s: int, e: int) -> tuple[int, int]:
    a = max(text.rfind("。", 0, s), text.rfind("\n", 0, s)) + 1
    b = min(x for x in (text.find("。", e), text.find("\n", e), len(text) - 1) if x >= 0) + 1
    return a, b


def _mention(aid, kind, text, s, e, **fields):
    return {"mention_id": f"{aid}/{kind}/{s}-{e}", "kind": kind, "text": text[s:e], "start": s, "end": e,
            "normalized": text[s:e], "duplicate_of": None, "rule": "test", **fields}


def build_claims(texts: dict[str, str]) -> tuple[dict[str, list[dict]], list[dict]]:
    """(mentions by article, claims) for CLAIMS on the articles' texts."""
    mentions: dict[str, dict[str, dict]] = {aid: {} for aid in texts}
    claims = []
    for aid, subj, anchor, metric, value, kind, time, source, hedge in CLAIMS:
        text = texts[aid]
        a = text.index(anchor)
        ss = text.index(subj, a)
        vs = text.index(value, a)
        ve = vs + len(value)
        ev_s, ev_e = _sentence(text, vs, ve)
        amount, currency, qual = VALUES[value]
        vfields = ({"amount": amount, "low": None, "high": None, "currency": currency, "currency_implied": False,
                    "qualifier": qual, "rate": None} if kind == "money" else
                   {"amount": amount, "low": None, "high": None, "unit": "用户", "qualifier": qual})
        vm = _mention(aid, kind, text, vs, ve, **vfields)
        sm = _mention(aid, "entity", text, ss, ss + len(subj), label="ORG", canonical=subj if subj != "微软" else "Microsoft",
                      entity_id=None)
        mentions[aid][vm["mention_id"]] = vm
        mentions[aid][sm["mention_id"]] = sm
        tpart = None
        if time:
            ts = text.rindex(time, 0, ve) if time in text[:ve] else text.index(time)
            i0, i1, grain = TIMES[time]
            tm = _mention(aid, "date", text, ts, ts + len(time), value=i0[:7] if grain == "month" else i0[:4],
                          interval_start=i0, interval_end=i1, grain=grain, relative=time in ("去年", "今年1月", "7月份"))
            mentions[aid][tm["mention_id"]] = tm
            tpart = {"mention_id": tm["mention_id"], "text": tm["text"], "interval_start": i0, "interval_end": i1,
                     "grain": grain}
        spart = None
        if source:
            so = text.index(source)
            spart = {"text": source, "canonical": source, "start": so, "end": so + len(source)}
        key = f"{aid}|{vm['mention_id']}|{metric}|{ss}-{ss + len(subj)}"
        claims.append({
            "schema": "newsclaims.claim/1",
            "claim_id": hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
            "article_id": aid,
            "subject": {"text": subj, "canonical": sm["canonical"], "entity_id": None, "start": ss, "end": ss + len(subj)},
            "metric": metric,
            "value": {"mention_id": vm["mention_id"], "text": value, "amount": amount, "currency": currency,
                      "qualifier": qual, "low": None, "high": None, "rate": None},
            "time": tpart,
            "source": spart,
            "hedge": hedge,
            "negated": False,
            "evidence": {"text": text[ev_s:ev_e], "start": ev_s, "end": ev_e},
            "confidence": 0.8,
            "rule": "test",
            "duplicate_of": None,
        })
    return {aid: sorted(m.values(), key=lambda m: (m["start"], m["kind"])) for aid, m in mentions.items()}, claims


def write_store(store: Path, texts: dict[str, str], mentions: dict[str, list[dict]], claims: list[dict]) -> None:
    store.mkdir(parents=True, exist_ok=True)
    dumps = lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    with (store / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for aid in sorted(texts):
            fh.write(dumps({"schema": "newsclaims.article/1", "article_id": aid, "source_path": f"{aid}.txt",
                            "content_sha256": hashlib.sha256(texts[aid].encode()).hexdigest(), "text": texts[aid],
                            "meta": {"title": TITLES[aid], "url": None, "outlet": None, "author": None,
                                     "published": PUBLISHED[aid], "published_source": "manifest"},
                            "lang": "zh", "script": "hans", "cleaning": {}, "mentions": mentions[aid],
                            "claim_ids": [c["claim_id"] for c in claims if c["article_id"] == aid],
                            "warnings": []}) + "\n")
    ordered = sorted(claims, key=lambda c: (c["article_id"], c["evidence"]["start"], c["claim_id"]))
    tmp = store / "claims.jsonl.tmp"
    tmp.write_text("".join(dumps(c) + "\n" for c in ordered), "utf-8")
    tmp.replace(store / "claims.jsonl")


@dataclass
class HandStore:
    store: Path
    annotations: Path
    texts: dict[str, str]
    mentions: dict[str, list[dict]]
    claims: list[dict]

    @property
    def reviews(self) -> Path:
        return self.annotations / "reviews.jsonl"

    def claim(self, metric: str) -> dict:
        return next(c for c in self.claims if c["metric"] == metric)

    def rewrite(self, claims: list[dict]) -> None:
        """Re-extraction: replace the store's claims."""
        self.claims = claims
        write_store(self.store, self.texts, self.mentions, claims)


@pytest.fixture
def hand_store(tmp_path) -> HandStore:
    texts = {aid: original_text(aid) for aid in (A1, A2)}
    mentions, claims = build_claims(texts)
    for c in claims:  # the hand-placed spans are right
        t = texts[c["article_id"]]
        for part in ("subject", "source", "evidence"):
            if c[part]:
                assert t[c[part]["start"]:c[part]["end"]] == c[part]["text"]
    write_store(tmp_path / "store", texts, mentions, claims)
    return HandStore(tmp_path / "store", tmp_path / "annotations", texts, mentions, claims)
