"""The batch job behind ``newsclaims extract``: corpus/ -> store/.

Articles are read in the parent, processed by ``jobs`` worker processes (each
builds its spaCy pipeline and loads jieba once, in its initializer), and results
are collected by the StoreWriter, which writes the store sorted and atomically.
Output is byte-identical whatever the number of workers.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__
from .ingest import Article, IngestError, iter_corpus, read_manifest
from .pipeline import ARTICLE_SCHEMA, CLAIM_SCHEMA, Config, process_article
from .store import PreviousStore, StoreWriter
from .textmap import OffsetError

log = logging.getLogger(__name__)

__all__ = ["RunReport", "extract_corpus"]


@dataclass
class RunReport:
    processed: int = 0
    reused: int = 0
    failed: int = 0
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)


_WORKER_CONFIG: Config | None = None


def _init_worker(config: Config) -> None:
    global _WORKER_CONFIG
    _WORKER_CONFIG = config
    from .segment import get_nlp
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    get_nlp("zh", tuple(config.kinds))  # user dictionary + pipeline, once per worker


def _work(article: Article) -> tuple[str, Any, Any, float]:
    """Returns (article_id, record|None, claims|error, seconds)."""
    t0 = time.perf_counter()
    try:
        out = process_article(article, _WORKER_CONFIG)
    except OffsetError as exc:  # a bug, but one article must not stop the batch
        return article.article_id, None, ("offset_bug", f"a span could not be mapped to the original text: {exc}"), 0.0
    except (ValueError, KeyError, IndexError, TypeError, RecursionError, MemoryError) as exc:
        log.exception("processing %s failed", article.source_path)
        return article.article_id, None, ("processing_failed", f"{type(exc).__name__}: {exc}"), 0.0
    return article.article_id, out.record, out.claims, time.perf_counter() - t0


def _error(source_path: str, article_id: str, code: str, reason: str, stage: str) -> dict[str, Any]:
    return {"source_path": source_path, "article_id": article_id, "stage": stage, "error": code, "reason": reason}


def extract_corpus(corpus: Path, store: Path, config: Config = Config(), jobs: int | None = None,
                   manifest_path: Path | None = None, force: bool = False,
                   progress: Callable[[int, int | None], None] | None = None) -> RunReport:
    """Process ``corpus`` into ``store``; returns counts.  Raises FileNotFoundError
    when the corpus folder does not exist."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    t0 = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    manifest_path = manifest_path or corpus / "manifest.jsonl"
    entries, problems = read_manifest(manifest_path)
    for p in problems:
        log.warning("%s", p)
    config_hash = config.hash()
    previous = PreviousStore(store) if not force else None
    writer = StoreWriter(store)
    report = RunReport()
    inputs: dict[str, str] = {}
    todo: list[Article] = []
    try:
        for item in iter_corpus(corpus, entries):
            if isinstance(item, Article):
                inputs[item.source_path] = item.content_sha256
                if previous is not None and previous.reusable(item.article_id, item.content_sha256, config_hash):
                    art, claims = previous.raw(item.article_id)
                    writer.add(item.article_id, art, claims)
                    report.reused += 1
                else:
                    todo.append(item)
            else:
                source_path, aid, exc = item
                writer.add_error(_error(source_path, aid, exc.code, exc.reason, "ingest"))
                report.failed += 1
                log.error("%s: %s", source_path, exc.reason)
        total = len(todo)
        if progress:
            progress(0, total)
        stage_seconds = 0.0
        for aid, record, payload, secs in _process(todo, config, jobs):
            if record is None:
                src = next((a.source_path for a in todo if a.article_id == aid), aid)
                writer.add_error(_error(src, aid, payload[0], payload[1], "process"))
                report.failed += 1
                log.error("%s: %s", src, payload[1])
            else:
                writer.add(aid, record, payload)
                report.processed += 1
                stage_seconds += secs
            if progress:
                progress(1, total)
        manifest = {
            "version": __version__,
            "schema": {"article": ARTICLE_SCHEMA, "claim": CLAIM_SCHEMA},
            "config": config.to_dict(),
            "config_hash": config_hash,
            "inputs": dict(sorted(inputs.items())),
            "counts": {"processed": report.processed, "reused": report.reused, "failed": report.failed},
            "run": {"jobs": jobs, "seconds": round(time.perf_counter() - t0, 3),
                    "process_seconds": round(stage_seconds, 3)},
        }
        report.manifest = writer.commit(manifest)
    except BaseException:
        writer.abort()
        raise
    report.seconds = time.perf_counter() - t0
    return report


def _process(todo: list[Article], config: Config, jobs: int) -> Iterator[tuple[str, Any, Any, float]]:
    if jobs == 1 or len(todo) < 2:
        _init_worker(config)
        for art in todo:
            yield _work(art)
        return
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ctx.Pool(min(jobs, len(todo)), initializer=_init_worker, initargs=(config,)) as pool:
        yield from pool.imap_unordered(_work, todo, chunksize=max(1, min(16, len(todo) // (jobs * 8) or 1)))
