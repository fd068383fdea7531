"""`make bench` pieces: the synthetic corpus and the scaling rows (figures are printed
by the bench itself, never asserted here)."""
from __future__ import annotations

from nc_testutil import CORPUS
from newsclaims.bench import _scaling, build_corpus


def test_synthetic_corpus_reaches_its_size_with_distinct_files(tmp_path):
    n, nbytes = build_corpus(CORPUS, tmp_path / "c", 0.2)
    files = sorted((tmp_path / "c").glob("*.txt"))
    assert len(files) == n and nbytes >= 0.2 * 1024 * 1024
    assert sum(f.stat().st_size for f in files) == nbytes
    assert len({f.read_bytes() for f in files}) == n  # no two copies alike


def test_scaling_rows_have_whole_and_steady_rates(tmp_path):
    n, _ = build_corpus(CORPUS, tmp_path / "c", 0.05)
    rows = _scaling(tmp_path / "c", [1, 2], tmp_path)
    assert [r["jobs"] for r in rows] == [1, 2]
    for r in rows:
        assert r["articles"] == n
        assert r["articles_per_s"] > 0 and r["steady_articles_per_s"] > 0
        assert 0 < r["startup_s"] < r["seconds"]
    assert rows[0]["speedup"] == 1.0 and rows[0]["steady_speedup"] == 1.0
