"""Output snapshot for refactors and speed work: the whole pipeline over the
corpus articles, 60 synthetic bench articles and every peer-suite input
(``analyze(latent=True)``, as ``make conformance`` runs it).

    .venv/bin/python tests/snapshot.py /tmp/before.json            # on the old code
    .venv/bin/python tests/snapshot.py /tmp/after.json /tmp/before.json

The second form lists every text whose output differs and exits 1 if any does.
A speed change is expected to give ``DIFFERENT: 0``.  Without ../shared the
suite inputs are left out (both snapshots must then be taken the same way).
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT.parent / "shared" / "peers" / "recognizers-text"


def snapshot() -> dict[str, str]:
    from newsclaims.bench import build_corpus
    from newsclaims.ingest import Article
    from newsclaims.pipeline import analyze, process_article
    from newsclaims.store import serialize

    def line(name: str, text: str) -> str:
        out = process_article(Article(name, name, text, "x", {"published": "2023-10-16"}))
        art, claims = serialize(out.record, out.claims)
        return (art + claims).decode("utf-8")

    res = {p.name: line(p.name, p.read_text("utf-8")) for p in sorted((ROOT / "corpus").glob("*.txt"))}
    with tempfile.TemporaryDirectory() as d:
        build_corpus(ROOT / "corpus", Path(d), 0.8)
        for p in sorted(Path(d).glob("*.txt"))[:60]:
            res["bench/" + p.name] = line(p.name, p.read_text("utf-8"))
    for p in sorted(PEERS.glob("*.jsonl")) if PEERS.is_dir() else []:
        for i, raw in enumerate(p.read_text("utf-8").splitlines()):
            d = json.loads(raw)
            r = analyze(d["input"], published=d.get("reference_datetime"), lang=d["lang"], latent=True)
            res[f"{p.stem}:{i}"] = json.dumps(r, ensure_ascii=False, sort_keys=True, default=str)
    return res


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    res = snapshot()
    Path(argv[0]).write_text(json.dumps(res, ensure_ascii=False, sort_keys=True), "utf-8")
    print(f"{len(res)} texts -> {argv[0]}")
    if len(argv) == 2:
        base = json.loads(Path(argv[1]).read_text("utf-8"))
        diff = [k for k in sorted(set(base) | set(res)) if base.get(k) != res.get(k)]
        print(f"DIFFERENT: {len(diff)}", diff[:20])
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
