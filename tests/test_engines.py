"""The same store whatever the engine or the number of workers."""
import json

import pytest

from newsclaims.cli import main
from test_cli_store import make_corpus


def test_dask_local_cluster_writes_the_same_store(tmp_path):
    pytest.importorskip("dask.distributed")
    corpus = make_corpus(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["extract", "--corpus", str(corpus), "--store", str(local), "--jobs", "1", "-q"]) == 1
    assert main(["extract", "--corpus", str(corpus), "--store", str(dask), "--jobs", "2", "--engine", "dask", "-q"]) == 1
    for name in ("articles.jsonl", "claims.jsonl", "errors.jsonl"):
        assert (local / name).read_bytes() == (dask / name).read_bytes(), name
    m = json.loads((dask / "manifest.json").read_text())
    assert m["run"]["engine"] == "dask" and m["counts"]["articles"] == 5


def _probe_tokens(text):
    import jieba

    return jieba.lcut(text)


def test_gazetteer_words_reach_jieba_in_every_worker_process():
    # spawn, not fork: a worker must load the user dictionary itself, not inherit it
    import multiprocessing as mp

    from newsclaims.pipeline import Config
    from newsclaims.runner import _init_worker

    text = "据悉，月之暗面和零一万物都完成了融资"
    with mp.get_context("spawn").Pool(2, initializer=_init_worker, initargs=(Config(),)) as pool:
        results = pool.map(_probe_tokens, [text] * 4)
    for tokens in results:
        assert "月之暗面" in tokens and "零一万物" in tokens, tokens
