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
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__
from .ingest import Article, ArticleRef, IngestError, iter_corpus, manifest_entry, read_manifest
from .pipeline import ARTICLE_SCHEMA, CLAIM_SCHEMA, Config, process_article, warm_up
from .store import PreviousStore, StoreWriter, StreamingLine, serialize
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
    warm_up(config)                     # every rule file, then gc.freeze()


#: articles longer than this (characters) stream their mentions to a scratch file
STREAM_CHARS = 1_000_000


#: what one article may raise without stopping the batch (an OffsetError is a bug,
#: reported as such in errors.jsonl)
_ARTICLE_ERRORS = (OffsetError, ValueError, KeyError, IndexError, TypeError, RecursionError, MemoryError, OSError)


def _work(article: Article | ArticleRef) -> tuple[str, Any, Any, float]:
    """Returns (article_id, article line bytes | Path of a line file | None,
    claim lines bytes | (code, reason), seconds).

    An article over STREAM_CHARS streams its mentions to a scratch file chunk by
    chunk (bounded memory); that line is byte-identical to the in-memory one.
    """
    t0 = time.perf_counter()
    line = None
    if isinstance(article, ArticleRef):
        try:
            article = article.load()
        except IngestError as exc:
            return article.article_id, None, (exc.code, exc.reason), 0.0
    try:
        if len(article.text) > STREAM_CHARS:
            fd, name = tempfile.mkstemp(prefix="newsclaims-line-", suffix=".jsonl")
            os.close(fd)
            line = StreamingLine(Path(name))
            out = process_article(article, _WORKER_CONFIG, mention_sink=line.add_mentions)
            line.finish(out.record)
            art = line.path
            _, claims = serialize({}, out.claims)
        else:
            out = process_article(article, _WORKER_CONFIG)
            art, claims = serialize(out.record, out.claims)  # JSON in the worker, bytes to the parent
    except _ARTICLE_ERRORS as exc:
        if line is not None:
            line.abort()
        if isinstance(exc, OffsetError):
            return article.article_id, None, ("offset_bug", f"a span could not be mapped to the original text: {exc}"), 0.0
        log.exception("processing %s failed", article.source_path)
        return article.article_id, None, ("processing_failed", f"{type(exc).__name__}: {exc}"), 0.0
    return article.article_id, art, claims, time.perf_counter() - t0


def _error(source_path: str, article_id: str, code: str, reason: str, stage: str) -> dict[str, Any]:
    return {"source_path": source_path, "article_id": article_id, "stage": stage, "error": code, "reason": reason}


def extract_corpus(corpus: Path, store: Path, config: Config = Config(), jobs: int | None = None,
                   manifest_path: Path | None = None, force: bool = False,
                   progress: Callable[[int, int | None], None] | None = None,
                   engine: str = "local", scheduler: str | None = None) -> RunReport:
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
    side: deque = deque()      # reused articles and ingest errors, found while feeding workers
    sources: dict[str, str] = {}
    total = count_inputs(corpus)
    by_path = engine == "local" and jobs > 1  # worker processes on this machine
    if progress:
        progress(0, total)

    def todo() -> Iterator[Article]:
        for item in iter_corpus(corpus, entries):
            if isinstance(item, Article):
                inputs[item.source_path] = item.content_sha256
                if previous is not None and previous.reusable(item.article_id, item.content_sha256, config_hash):
                    side.append(("reuse", item.article_id, previous.raw(item.article_id)))
                    continue
                sources[item.article_id] = item.source_path
                path = corpus / item.source_path
                if by_path and len(item.text) > STREAM_CHARS and path.suffix.lower() != ".jsonl" and path.is_file():
                    # the worker reads it itself: the text is not pickled and held twice
                    yield ArticleRef(path, item.article_id, item.source_path, item.content_sha256,
                                     manifest_entry(entries, item.source_path, path))
                    continue
                yield item
            else:
                side.append(("error", item, None))

    def drain() -> None:
        while side:
            what, a, b = side.popleft()
            if what == "reuse":
                writer.add(a, *b)
                report.reused += 1
            else:
                source_path, aid, exc = a
                writer.add_error(_error(source_path, aid, exc.code, exc.reason, "ingest"))
                report.failed += 1
                log.error("%s: %s", source_path, exc.reason)
            if progress:
                progress(1, total)

    try:
        stage_seconds = 0.0
        first_result = None
        for aid, record, payload, secs in _process(todo(), config, jobs, engine, scheduler):
            if first_result is None:
                first_result = time.perf_counter() - t0
            drain()
            if record is None:
                src = sources.get(aid, aid)
                writer.add_error(_error(src, aid, payload[0], payload[1], "process"))
                report.failed += 1
                log.error("%s: %s", src, payload[1])
            elif isinstance(record, Path):
                try:
                    writer.add_file(aid, record, payload)
                finally:
                    record.unlink(missing_ok=True)
                report.processed += 1
                stage_seconds += secs
            else:
                writer.add(aid, record, payload)
                report.processed += 1
                stage_seconds += secs
            if progress:
                progress(1, total)
        drain()
        manifest = {
            "version": __version__,
            "schema": {"article": ARTICLE_SCHEMA, "claim": CLAIM_SCHEMA},
            "config": config.to_dict(),
            "config_hash": config_hash,
            "inputs": dict(sorted(inputs.items())),
            "counts": {"processed": report.processed, "reused": report.reused, "failed": report.failed},
            "run": {"jobs": jobs, "engine": engine, "seconds": round(time.perf_counter() - t0, 3),
                    "process_seconds": round(stage_seconds, 3),
                    # start-up (worker start, dictionaries, first article): the scaling
                    # bench reports the rate after it as well as the whole run
                    "first_result_s": round(first_result, 3) if first_result is not None else None},
        }
        report.manifest = writer.commit(manifest)
    except BaseException:
        writer.abort()
        raise
    report.seconds = time.perf_counter() - t0
    return report


def count_inputs(corpus: Path) -> int:
    """Number of input files (a JSONL bundle counts as one) for the progress bar."""
    n = 0
    for _, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        n += sum(1 for f in files if not f.startswith((".", "_")) and f != "manifest.jsonl")
    return n


def _bounded(items: Iterator[Article], slots: threading.Semaphore) -> Iterator[Article]:
    """Hold back the corpus walk so at most a few articles per worker wait in memory."""
    for item in items:
        slots.acquire()
        yield item


def _process(todo: Iterator[Article], config: Config, jobs: int, engine: str = "local",
             scheduler: str | None = None) -> Iterator[tuple[str, Any, Any, float]]:
    if engine == "dask":
        from .dask_engine import process_with_dask

        yield from process_with_dask(todo, config, scheduler, jobs)
        return
    if jobs == 1:
        _init_worker(config)
        for art in todo:
            yield _work(art)
        return
    fork = sys.platform.startswith("linux")
    ctx = mp.get_context("fork" if fork else "spawn")
    slots = threading.Semaphore(jobs * 4)
    if fork:
        # load and warm up once, then fork: the workers share the dictionaries'
        # pages (gc.freeze keeps the collector from copying them)
        _init_worker(config)
    with ctx.Pool(jobs, initializer=None if fork else _init_worker, initargs=() if fork else (config,)) as pool:
        for result in pool.imap_unordered(_work, _bounded(todo, slots), chunksize=1):
            slots.release()
            yield result
