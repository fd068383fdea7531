"""`newsclaims extract` / `analyze` end to end on temporary corpora."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsclaims.cli import main
from nc_testutil import CORPUS

SENT = "据The Information报道，OpenAI今年营收预计将达到13亿美元，去年亏损约5.4亿美元。"


def make_corpus(root: Path, with_bad: bool = True) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for p in sorted(CORPUS.glob("00[01]_*.txt")):
        shutil.copy(p, corpus / p.name)
    shutil.copy(CORPUS / "manifest.jsonl", corpus / "manifest.jsonl")
    if with_bad:
        (corpus / "bin.txt").write_bytes(bytes(range(256)) * 50)
        (corpus / "empty.txt").write_bytes(b"")
        (corpus / "gbk.txt").write_bytes((SENT * 3).encode("gbk"))
        (corpus / "big5.txt").write_bytes("微軟今年營收約13億美元，同比增長15%。據報道去年虧損約5.4億美元。".encode("big5"))
        (corpus / "trunc.txt").write_bytes((SENT * 3).encode("utf-8")[:-1])
    return corpus


def read_jsonl(path: Path):
    return [json.loads(l) for l in path.read_text("utf-8").splitlines() if l.strip()]


def test_bad_inputs_are_named_in_errors_and_the_rest_is_processed(tmp_path):
    corpus = make_corpus(tmp_path)
    store = tmp_path / "store"
    rc = main(["extract", "--corpus", str(corpus), "--store", str(store), "--jobs", "1", "-q"])
    assert rc == 1, "exit status must say some inputs failed"
    errors = {e["source_path"]: e for e in read_jsonl(store / "errors.jsonl")}
    assert set(errors) == {"bin.txt", "empty.txt"}
    assert errors["bin.txt"]["error"] == "binary" and errors["empty.txt"]["error"] == "empty"
    arts = {a["article_id"]: a for a in read_jsonl(store / "articles.jsonl")}
    assert list(arts) == sorted(arts)
    assert {"000_29641b6c5d62fb85", "001_7ec13a0538602fb1", "gbk", "big5", "trunc"} <= set(arts)
    assert any("truncated" in w for w in arts["trunc"]["warnings"])
    for a in arts.values():
        for m in a["mentions"]:
            assert a["text"][m["start"]:m["end"]] == m["text"]
    big5_money = [m for m in arts["big5"]["mentions"] if m["kind"] == "money"]
    assert [m["text"] for m in big5_money] == ["13億美元", "5.4億美元"]
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["counts"]["errors"] == 2 and manifest["schema"]["article"] == "newsclaims.article/1"


def test_store_is_deterministic_and_independent_of_jobs(tmp_path):
    corpus = make_corpus(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    main(["extract", "--corpus", str(corpus), "--store", str(a), "--jobs", "1", "-q"])
    main(["extract", "--corpus", str(corpus), "--store", str(b), "--jobs", "2", "-q"])
    for name in ("articles.jsonl", "claims.jsonl", "errors.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_rerun_reuses_unchanged_articles_and_redoes_changed_ones(tmp_path):
    corpus = make_corpus(tmp_path, with_bad=False)
    store = tmp_path / "store"
    main(["extract", "--corpus", str(corpus), "--store", str(store), "--jobs", "1", "-q"])
    before = (store / "articles.jsonl").read_bytes()
    m = json.loads((store / "manifest.json").read_text())
    assert m["counts"]["processed"] == 2 and m["counts"]["reused"] == 0
    main(["extract", "--corpus", str(corpus), "--store", str(store), "--jobs", "1", "-q"])
    m = json.loads((store / "manifest.json").read_text())
    assert m["counts"]["reused"] == 2 and m["counts"]["processed"] == 0
    assert (store / "articles.jsonl").read_bytes() == before
    (corpus / "new.txt").write_text(SENT, "utf-8")
    main(["extract", "--corpus", str(corpus), "--store", str(store), "--jobs", "1", "-q"])
    m = json.loads((store / "manifest.json").read_text())
    assert m["counts"]["reused"] == 2 and m["counts"]["processed"] == 1


def test_interrupted_run_leaves_previous_store_intact(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path, with_bad=False)
    store = tmp_path / "store"
    main(["extract", "--corpus", str(corpus), "--store", str(store), "--jobs", "1", "-q"])
    snapshot = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    (corpus / "new.txt").write_text(SENT, "utf-8")
    import newsclaims.runner as runner

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(runner, "process_article", boom)
    with pytest.raises(KeyboardInterrupt):
        main(["extract", "--corpus", str(corpus), "--store", str(store), "--jobs", "1", "-q", "--force"])
    assert {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()} == snapshot


def test_missing_corpus_is_a_usage_error(tmp_path, capsys):
    assert main(["extract", "--corpus", str(tmp_path / "nope"), "--store", str(tmp_path / "s")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_analyze_cli_echoes_ids_keeps_order_and_survives_bad_lines():
    lines = [json.dumps({"id": "a", "text": SENT, "published": "2023-10-16"}, ensure_ascii=False),
             "{not json", json.dumps({"id": "c"}),
             json.dumps({"id": 4, "text": "Revenue rose to $1.3 billion.", "published": None, "lang": "en"})]
    proc = subprocess.run([sys.executable, "-m", "newsclaims.cli", "analyze"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    out = [json.loads(l) for l in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "c", 4]
    assert "error" in out[1] and "error" in out[2] and "error" not in out[0]
    money = [m for m in out[0]["mentions"] if m["kind"] == "money"]
    assert [(m["text"], m["amount"], m["currency"]) for m in money] == [("13亿美元", 1300000000, "USD"), ("5.4亿美元", 540000000, "USD")]
    assert isinstance(out[0]["claims"], list)
    en_money = [m for m in out[3]["mentions"] if m["kind"] == "money"]
    assert [(m["text"], m["amount"], m["currency"]) for m in en_money] == [("$1.3 billion", 1300000000, "USD")]


def test_every_command_help_has_an_example():
    from newsclaims.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert "example" in p.format_help(), name
