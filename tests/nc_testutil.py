"""Paths and helpers shared by the tests (not a conftest: tests/review has its own)."""
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


needs_shared = pytest.mark.skipif(not PEERS.is_dir(), reason="../shared/peers not present (CI without the shared folder)")


def processed(text: str) -> str:
    """What the pipeline hands the extractors for ``text`` with no cleaning to do:
    OpenCC t2s and width folding (same length, so offsets are the original's)."""
    from newsclaims.normalize import normalize
    from newsclaims.textmap import MappedText

    out = normalize(MappedText.identity(text)).text
    assert len(out) == len(text)
    return out


def check_extractor_example(extract, kind: str, fields: list[str], example: dict) -> None:
    """One examples.yaml case of a money/quantity-style extractor: the spans in order,
    the fields the example names, the field order and the span bounds."""
    from newsclaims.extract.base import ExtractContext

    text = example["text"]
    drafts = extract(processed(text), ExtractContext(lang=example.get("lang", "zh")))
    got = [{"text": text[d.start:d.end], "rule": d.rule, **d.fields} for d in drafts]
    assert [g["text"] for g in got] == [e["text"] for e in example["expect"]], got
    for g, want in zip(got, example["expect"]):
        for key, value in want.items():
            assert g[key] == (pytest.approx(value) if isinstance(value, float) else value), (key, g)
    for d in drafts:
        assert d.kind == kind and list(d.fields) == fields
        assert 0 <= d.start < d.end <= len(text)
