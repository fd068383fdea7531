"""One article through every stage: clean -> normalize -> segment/extract -> records.

``process_article`` returns the articles.jsonl record (DESIGN.md) and the claims
of the article.  Every mention's ``start``/``end`` index the original text and
``text`` is that exact slice; a span that cannot be mapped raises, it is never
shifted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from array import array
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Callable

from . import __version__
from .claims import build_claims
from .clean import clean
from .extract import DEFAULT_KINDS, Draft, ExtractContext
from .ingest import Article, build_meta
from .normalize import detect_lang, detect_script, normalize, to_simplified
from .segment import DRAFTS_KEY, SENTS_KEY, run_pipeline
from .textmap import MappedText, OffsetError

log = logging.getLogger(__name__)

ARTICLE_SCHEMA = "newsclaims.article/1"
CLAIM_SCHEMA = "newsclaims.claim/1"

__all__ = ["Config", "process_article", "analyze", "warm_up", "ARTICLE_SCHEMA", "CLAIM_SCHEMA"]

_OPENCC_BY_SCRIPT = {"hant": "t2s", "mixed": "t2s", "hans": "t2s", "latin": "t2s"}


@dataclass(frozen=True)
class Config:
    """Everything that changes the output; its hash decides what an incremental run redoes."""

    kinds: tuple[str, ...] = DEFAULT_KINDS
    opencc: str = "auto"          # "auto" (t2s for every script) or an OpenCC config name, e.g. "tw2sp"
    latent: bool = False          # latent mentions (currency names, share words alone): analyze only

    def to_dict(self) -> dict[str, Any]:
        return {"kinds": list(self.kinds), "opencc": self.opencc, "latent": self.latent}

    def hash(self) -> str:
        """Config, package version, and every source and rule/lexicon file of the package
        (so a code or rule change reprocesses what an earlier run stored)."""
        h = hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode())
        h.update(__version__.encode())
        root = resources.files("newsclaims")
        for path in sorted(_data_files(root), key=str):
            h.update(str(path).encode())
            h.update(path.read_bytes())
        return h.hexdigest()[:16]


def _data_files(root):
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.iterdir():
            if child.is_dir():
                if child.name != "__pycache__":
                    stack.append(child)
            elif child.name.endswith((".py", ".yaml", ".yml", ".tsv", ".json", ".txt")):
                yield child


def parse_published(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    s = str(value).strip().replace(" ", "T")
    try:
        return dt.datetime.fromisoformat(s[:26])
    except ValueError:
        try:
            return dt.datetime.fromisoformat(s[:10])
        except ValueError:
            return None


class _Clock:
    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings
        self.t = time.perf_counter()

    def lap(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.t
            self.t = now

    def reset(self) -> None:
        self.t = time.perf_counter()


@dataclass
class Processed:
    record: dict[str, Any]
    claims: list[dict[str, Any]] = field(default_factory=list)


def _mention_id(article_id: str, kind: str, start: int, end: int) -> str:
    return f"{article_id}/{kind}/{start}-{end}"


def _build_mentions(article_id: str, mt: MappedText, drafts: list[Draft],
                    duplicates: list[tuple[int, int, int, int]]
                    ) -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    """Mentions in original offsets, and their processed spans keyed by mention_id."""
    mentions = []
    seen = set()
    for d in sorted(drafts, key=lambda d: (d.start, d.end, d.kind)):
        if d.end <= d.start:
            raise OffsetError(f"{d.kind} rule {d.rule} produced an empty span at {d.start}")
        o_start, o_end = mt.to_original(d.start, d.end)
        key = (d.kind, o_start, o_end)
        if key in seen:
            continue
        seen.add(key)
        m = {"mention_id": _mention_id(article_id, d.kind, o_start, o_end), "kind": d.kind,
             "text": mt.original[o_start:o_end], "start": o_start, "end": o_end,
             "normalized": mt.text[d.start:d.end], "duplicate_of": None, "rule": d.rule}
        m.update(d.fields)
        m["_p"] = (d.start, d.end)
        mentions.append(m)
    _mark_duplicates(mentions, duplicates)
    pspans = {m["mention_id"]: m.pop("_p") for m in mentions}
    mentions.sort(key=lambda m: (m["start"], m["end"], m["kind"]))
    return mentions, pspans


def _mark_duplicates(mentions: list[dict[str, Any]], duplicates) -> None:
    """A mention inside a repeated line points at the same mention in the first copy."""
    if not duplicates:
        return
    import bisect

    starts = [m["_p"][0] for m in mentions]
    for dup_s, dup_e, first_s, first_e in duplicates:
        def inside(s, e):
            lo = bisect.bisect_left(starts, s)
            out = []
            for m in mentions[lo:]:
                if m["_p"][0] >= e:
                    break
                if m["_p"][1] <= e:
                    out.append(m)
            return out

        firsts = inside(first_s, first_e)
        counters: dict[tuple[str, str], int] = {}
        for m in inside(dup_s, dup_e):
            k = (m["kind"], m["normalized"])
            n = counters.get(k, 0)
            counters[k] = n + 1
            same = [f for f in firsts if (f["kind"], f["normalized"]) == k]
            if n < len(same):
                target = same[n]
                m["duplicate_of"] = target["duplicate_of"] or target["mention_id"]
            else:
                m["duplicate_of"] = m["mention_id"]  # repeated block, copy not found: self-marked


#: articles longer than this are processed in line-aligned chunks (bounded memory);
#: repeated-block detection then works within a chunk
CHUNK_CHARS = 200_000


def _chunks(text: str, size: int | None = None) -> list[tuple[int, int]]:
    size = size or CHUNK_CHARS
    if len(text) <= size:
        return [(0, len(text))]
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + size)
        if end < len(text):
            cut = text.rfind("\n", pos + size // 2, end)
            end = cut + 1 if cut != -1 else end
        out.append((pos, end))
        pos = end
    return out


def process_article(article: Article, config: Config = Config(), lang: str | None = None,
                    timings: dict[str, float] | None = None,
                    mention_sink: Callable[[list[dict[str, Any]]], None] | None = None) -> Processed:
    """Run every stage on one article; ``timings`` (if given) accumulates seconds per stage.

    With ``mention_sink``, each chunk's mentions go to the sink as soon as they are
    built and ``record["mentions"]`` is None: memory stays bounded by the chunk size
    on very long articles (the runner writes them to disk as they come).
    """
    clock = _Clock(timings)
    original = article.text
    opencc_cfg = config.opencc
    script = detect_script(original)
    if opencc_cfg == "auto":
        opencc_cfg = _OPENCC_BY_SCRIPT[script]
    published = parse_published(article.meta.get("published"))
    counts: dict[str, int] = {}
    mentions: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for base, end in _chunks(original):
        chunk = original[base:end]
        cleaned = clean(chunk, to_simplified)
        for k, v in cleaned.counts.items():
            counts[k] = counts.get(k, 0) + v
        clock.lap("clean")
        mt_chunk = normalize(cleaned.mapped, opencc_cfg,
                             cleaned.simplified if opencc_cfg == "t2s" else None)  # clean converted it
        # the same processed text, mapped to offsets of the whole article
        mt = MappedText(original, mt_chunk.text,
                        array("i", (x + base for x in mt_chunk.starts)) if base else mt_chunk.starts,
                        array("i", (x + base for x in mt_chunk.ends)) if base else mt_chunk.ends)
        lang = lang or detect_lang(mt.text)
        clock.lap("normalize")
        ctx = ExtractContext(lang=lang, published=published, latent=config.latent)
        doc = run_pipeline(mt.text, ctx, tuple(config.kinds), timings)
        clock.reset()
        chunk_mentions, pspans = _build_mentions(article.article_id, mt, doc.user_data[DRAFTS_KEY],
                                                 cleaned.duplicates)
        clock.lap("mentions")
        sentences = doc.user_data[SENTS_KEY]
        claims.extend(build_claims(article.article_id, mt, sentences, chunk_mentions, pspans))
        if mention_sink is not None:
            mention_sink(chunk_mentions)
        else:
            mentions.extend(chunk_mentions)
        clock.lap("claims")
    lang = lang or "zh"
    record = {
        "schema": ARTICLE_SCHEMA,
        "article_id": article.article_id,
        "source_path": article.source_path,
        "content_sha256": article.content_sha256,
        "text": original,
        "meta": article.meta,
        "lang": lang,
        "script": script,
        "cleaning": counts,
        "mentions": None if mention_sink is not None else mentions,
        "claim_ids": [c["claim_id"] for c in claims],
        "warnings": list(article.warnings),
    }
    return Processed(record, claims)


#: one short mixed article that reaches every extractor's rules and lexicons (and
#: jieba's POS table, through a person slot): loaded before the first real article
_WARM_UP_TEXT = ("據路透社報道，分析师王磊认为OpenAI在2022年亏损约5.4亿美元，营收增长了20%。\n"
                 "Apple said on March 3, 2023 that revenue rose 5% to $94.8 billion.")


def warm_up(config: Config = Config()) -> None:
    """Load everything a worker needs (jieba, the spaCy pipeline, every rule file),
    then move those long-lived objects out of the garbage collector's sight
    (``gc.freeze``): collections no longer walk the dictionaries and rule tables
    again and again (about 5% of the pipeline's time on the bench corpus)."""
    import gc

    process_article(Article("warm-up", "-", _WARM_UP_TEXT, "", {"published": "2023-10-16"}), config)
    gc.collect()
    gc.freeze()


def analyze(text: str, published: Any = None, lang: str | None = None,
            kinds: tuple[str, ...] | list[str] | None = None, article_id: str = "input",
            latent: bool = False) -> dict[str, Any]:
    """Analyse one text; returns the articles.jsonl-shaped dict with a ``claims`` array.

    >>> r = analyze("OpenAI在2022年亏损约5.4亿美元。", published="2023-05-06")
    >>> [(m["text"], m["amount"], m["currency"]) for m in r["mentions"] if m["kind"] == "money"]
    [('5.4亿美元', 540000000, 'USD')]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    cfg = Config(kinds=tuple(kinds) if kinds else DEFAULT_KINDS, latent=latent)
    meta = build_meta(text, {"published": published} if published else None)
    if not published:
        meta["published"], meta["published_source"] = None, "none"
    art = Article(article_id, "-", text, hashlib.sha256(text.encode("utf-8")).hexdigest(), meta)
    out = process_article(art, cfg, lang=lang if lang in ("zh", "en", "mixed") else None)
    rec = out.record
    rec["claims"] = out.claims
    return rec
