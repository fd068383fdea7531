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
