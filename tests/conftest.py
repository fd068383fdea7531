from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
PEERS = SHARED / "peers" / "recognizers-text"


def corpus_articles() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md", ".html", ".htm"))


def corpus_manifest() -> dict[str, dict]:
    path = CORPUS / "manifest.jsonl"
    return {json.loads(l)["file"]: json.loads(l) for l in path.read_text("utf-8").splitlines() if l.strip()}


@pytest.fixture(scope="session")
def processed_corpus():
    """Every corpus article through the whole pipeline once per test session."""
    from newsclaims.ingest import iter_corpus, read_manifest
    from newsclaims.pipeline import process_article

    entries, _ = read_manifest(CORPUS / "manifest.jsonl")
    out = {}
    for art in iter_corpus(CORPUS, entries):
        assert not isinstance(art, tuple), f"corpus input failed: {art}"
        out[art.article_id] = (art, process_article(art))
    return out


def needs_shared():
    return pytest.mark.skipif(not PEERS.is_dir(), reason="../shared/peers not present (CI without the shared folder)")
