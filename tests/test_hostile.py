"""Hostile input: each bad file named in errors.jsonl with its reason, the rest processed."""
import codecs
import json
import os

import pytest

from newsclaims.cli import main
from newsclaims.ingest import Article
from newsclaims.pipeline import CHUNK_CHARS, process_article

from nc_testutil import CORPUS

REAL = (CORPUS / "003_9f877f2a5a61de29.txt").read_text("utf-8")


def read_jsonl(path):
    return [json.loads(l) for l in path.read_text("utf-8").splitlines() if l.strip()]


def run(corpus, store, *extra):
    return main(["extract", "--corpus", str(corpus), "--store", str(store), "-q", *extra])


def test_mixed_bag_of_hostile_inputs(tmp_path):
    c = tmp_path / "corpus"
    c.mkdir()
    (c / "ok_utf8.txt").write_text(REAL, "utf-8")
    (c / "ok_bom.txt").write_bytes(codecs.BOM_UTF8 + REAL.encode("utf-8"))
    (c / "ok_utf16.txt").write_bytes(REAL.encode("utf-16"))
    (c / "ok_gb18030.txt").write_bytes(REAL.encode("gb18030"))
    (c / "bad_binary.txt").write_bytes(os.urandom(4096))
    (c / "bad_empty.md").write_bytes(b"")
    (c / "bad_link.txt").symlink_to(tmp_path / "missing-target.txt")
    os.mkfifo(c / "bad_fifo.txt")  # reading it would wait for a writer forever
    (c / "nested.html").write_text("<html><body>" + "<div>" * 5000 + "OpenAI营收13亿美元。" + "</div>" * 5000
                                   + "</body></html>", "utf-8")
    lines = [json.dumps({"id": "good", "text": "OpenAI去年亏损约5.4亿美元。", "published": "2023-05-06"},
                        ensure_ascii=False), "{broken", "[1, 2]", json.dumps({"id": "notext", "text": ""})]
    (c / "bundle.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    store = tmp_path / "store"
    assert run(c, store, "--jobs", "2") == 1
    errors = {e["source_path"]: e for e in read_jsonl(store / "errors.jsonl")}
    assert errors["bad_binary.txt"]["error"] in ("binary", "undecodable")
    assert errors["bad_empty.md"]["error"] == "empty"
    assert errors["bad_link.txt"]["error"] == "unreadable"
    assert errors["bad_fifo.txt"]["error"] == "not_a_file"
    assert {"bundle.jsonl:2", "bundle.jsonl:3", "bundle.jsonl:4"} <= set(errors)
    assert all(e["reason"] for e in errors.values())
    arts = {a["article_id"]: a for a in read_jsonl(store / "articles.jsonl")}
    assert {"ok_utf8", "ok_bom", "ok_utf16", "ok_gb18030", "bundle__good"} <= set(arts)
    # the same real text in four encodings gives the same mentions
    ref = [(m["kind"], m["start"], m["text"]) for m in arts["ok_utf8"]["mentions"]]
    for aid in ("ok_bom", "ok_utf16", "ok_gb18030"):
        assert arts[aid]["text"] == REAL
        assert [(m["kind"], m["start"], m["text"]) for m in arts[aid]["mentions"]] == ref
    # deeply nested HTML either yields its text or a named error, never a crash
    assert "nested" in arts or "nested.html" in errors


def test_ten_thousand_tiny_files(tmp_path):
    c = tmp_path / "corpus"
    c.mkdir()
    for i in range(10_000):
        (c / f"t{i:05d}.txt").write_text(f"第{i}号公司营收{i}万元。", "utf-8")
    store = tmp_path / "store"
    assert run(c, store, "--jobs", "2") == 0
    m = json.loads((store / "manifest.json").read_text())
    assert m["counts"]["articles"] == 10_000 and m["counts"]["errors"] == 0
    first = read_jsonl(store / "articles.jsonl")[:3]
    assert [a["article_id"] for a in first] == ["t00000", "t00001", "t00002"]


def test_long_article_is_chunked_and_offsets_hold():
    text = (REAL + "\n") * (3 * CHUNK_CHARS // len(REAL) + 2)
    assert len(text) > 3 * CHUNK_CHARS
    out = process_article(Article("big", "big.txt", text, "x", {"published": "2024-03-29"}))
    ms = out.record["mentions"]
    assert ms and all(text[m["start"]:m["end"]] == m["text"] for m in ms)
    per_copy = [m for m in ms if m["start"] < len(REAL)]
    last_copy_start = text.rfind(REAL)
    last = [m for m in ms if m["start"] >= last_copy_start]
    assert [(m["kind"], m["text"]) for m in last] == [(m["kind"], m["text"]) for m in per_copy]


def _store_state(store):
    """(consistent, manifest) — consistent when every data file matches the manifest's hash."""
    import hashlib

    man = json.loads((store / "manifest.json").read_text())
    ok = all(hashlib.sha256((store / n).read_bytes()).hexdigest() == h for n, h in man["files"].items())
    for n in man["files"]:
        read_jsonl(store / n)  # every line parses: no half-written file
    return ok, man


def _can_exchange(tmp_path) -> bool:
    from newsclaims.store import _exchange

    a, b = tmp_path / "xa", tmp_path / "xb"
    a.mkdir()
    b.mkdir()
    return _exchange(a, b)


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 3.5])
def test_kill_9_leaves_a_readable_store_and_the_next_run_completes_it(tmp_path, delay):
    import shutil
    import signal
    import subprocess
    import sys
    import time

    c = tmp_path / "corpus"
    c.mkdir()
    for p in sorted(CORPUS.glob("*.txt")):
        shutil.copy(p, c / p.name)
    store = tmp_path / "store"
    assert run(c, store, "--jobs", "1") == 0
    before = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    for i in range(40):  # the next run has new work to do
        (c / f"n{i:02d}.txt").write_text(REAL.replace("OpenAI", f"OpenAI{i}"), "utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "newsclaims.cli", "extract", "--corpus", str(c), "--store",
                             str(store), "--jobs", "2", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    consistent, man = _store_state(store)
    if _can_exchange(tmp_path):
        # the store is swapped in whole: after a kill it is the old one or the new one
        assert consistent and man["counts"]["articles"] in (5, 45)
    if consistent and man["counts"]["articles"] == 5:
        assert {n: (store / n).read_bytes() for n in before} == before  # untouched
    # the next run completes the store whatever state the kill left
    assert run(c, store, "--jobs", "1") == 0
    consistent, man = _store_state(store)
    assert consistent and man["counts"]["articles"] == 45
    assert not list(store.glob("*.tmp"))


def test_streamed_long_articles_give_the_same_store(tmp_path, monkeypatch):
    """Articles over STREAM_CHARS write their mentions to disk chunk by chunk; the
    store must be byte-identical to the in-memory path."""
    import shutil

    import newsclaims.pipeline as pipeline
    import newsclaims.runner as runner
    import newsclaims.store as store_mod

    c = tmp_path / "corpus"
    c.mkdir()
    for p in sorted(CORPUS.glob("*.txt")):
        shutil.copy(p, c / p.name)
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 4000)  # several chunks per article
    assert run(c, a, "--jobs", "1") == 0
    monkeypatch.setattr(runner, "STREAM_CHARS", 1000)   # every corpus article streams
    monkeypatch.setattr(store_mod, "_TEXT_PIECE", 777)  # and its text is JSON-encoded in pieces
    assert run(c, b, "--jobs", "1", "--force") == 0
    for name in ("articles.jsonl", "claims.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    # and the next run reuses streamed lines read by their heads only
    assert run(c, b, "--jobs", "1") == 0
    assert json.loads((b / "manifest.json").read_text())["counts"]["reused"] == 5
    # with worker processes, long articles go to the workers by path (ArticleRef)
    d = tmp_path / "d"
    assert run(c, d, "--jobs", "2") == 0
    for name in ("articles.jsonl", "claims.jsonl"):
        assert (a / name).read_bytes() == (d / name).read_bytes(), name


def test_an_article_sent_by_path_is_read_again_and_checked(tmp_path):
    from newsclaims.ingest import ArticleRef, IngestError, read_article

    p = tmp_path / "a.txt"
    p.write_text(REAL, "utf-8")
    art = read_article(p, "a.txt", "a", None)
    ref = ArticleRef(p, "a", "a.txt", art.content_sha256)
    assert ref.load() == art
    p.write_text(REAL + "改", "utf-8")
    with pytest.raises(IngestError, match="changed"):
        ref.load()


def test_commit_swaps_the_store_in_whole_and_keeps_other_files(tmp_path):
    """The new store is written beside the old one and swapped in; nothing is left
    beside it, and a file a user keeps in the store folder stays."""
    import shutil

    c = tmp_path / "corpus"
    c.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(p, c / p.name)
    store = tmp_path / "store"
    assert run(c, store, "--jobs", "1") == 0
    (store / "NOTES.txt").write_text("mine", "utf-8")
    stale = tmp_path / ".store.staging-999999999"  # left by a killed run (no such process)
    stale.mkdir()
    (stale / "articles.jsonl").write_text("half", "utf-8")
    shutil.copy(sorted(CORPUS.glob("*.txt"))[2], c)
    assert run(c, store, "--jobs", "1") == 0
    consistent, man = _store_state(store)
    assert consistent and man["counts"]["articles"] == 3
    assert (store / "NOTES.txt").read_text("utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "store"]


def test_store_behind_a_symlink_and_without_the_exchange(tmp_path, monkeypatch):
    """A store folder reached through a symlink is swapped where it lives (the link
    stays a link); where the system cannot exchange folders, the files are renamed
    in one by one and the store is still whole."""
    import shutil

    import newsclaims.store as store_mod

    c = tmp_path / "corpus"
    c.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(p, c / p.name)
    real = tmp_path / "data" / "store"
    real.mkdir(parents=True)
    link = tmp_path / "store"
    link.symlink_to(real, target_is_directory=True)
    assert run(c, link, "--jobs", "1") == 0
    assert link.is_symlink() and (real / "manifest.json").is_file()
    consistent, man = _store_state(link)
    assert consistent and man["counts"]["articles"] == 2

    monkeypatch.setattr(store_mod, "_exchange", lambda a, b: False)
    shutil.copy(sorted(CORPUS.glob("*.txt"))[2], c)
    assert run(c, link, "--jobs", "1") == 0
    consistent, man = _store_state(link)
    assert consistent and man["counts"]["articles"] == 3
    assert sorted(p.name for p in real.iterdir()) == ["articles.jsonl", "claims.jsonl", "errors.jsonl", "manifest.json"]
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["store"]
