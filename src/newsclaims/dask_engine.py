"""``--engine dask``: the same job on a Dask cluster.

Articles are submitted in batches with a bounded number in flight; each Dask
worker builds its spaCy pipeline and jieba dictionary once (cached per worker
process by :func:`newsclaims.segment.get_nlp`).  Results come back to the client,
which writes the store exactly as the local engine does, so the store is
byte-identical whatever engine or cluster size.

Point it at a real cluster with ``--scheduler tcp://HOST:8786``; on SLURM, start
the cluster with dask-jobqueue (see README).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

from .ingest import Article
from .pipeline import Config

log = logging.getLogger(__name__)

#: articles per task; small enough to balance, large enough to amortise scheduling
BATCH = 8


def _run_batch(batch: list[Article], config: Config) -> list[tuple[str, Any, Any, float]]:
    from . import runner

    if runner._WORKER_CONFIG != config:
        runner._init_worker(config)
    out = []
    for aid, line, claims, secs in (runner._work(a) for a in batch):
        if isinstance(line, Path):  # a line streamed to this worker's disk: ship its bytes
            try:
                line_bytes = line.read_bytes()
            finally:
                line.unlink(missing_ok=True)
            line = line_bytes
        out.append((aid, line, claims, secs))
    return out


def process_with_dask(todo: Iterator[Article], config: Config, scheduler: str | None,
                      jobs: int) -> Iterator[tuple[str, Any, Any, float]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # optional dependency
        raise ImportError("the dask engine needs dask.distributed: pip install 'newsclaims[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        max_in_flight = n_workers * 4
        pending = as_completed()
        in_flight = 0
        batch: list[Article] = []

        def submit(b):
            nonlocal in_flight
            pending.add(client.submit(_run_batch, b, config, pure=False))
            in_flight += 1

        for art in todo:
            batch.append(art)
            if len(batch) == BATCH:
                submit(batch)
                batch = []
                while in_flight >= max_in_flight:
                    fut = next(pending)
                    in_flight -= 1
                    yield from fut.result()
        if batch:
            submit(batch)
        for fut in pending:
            yield from fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
