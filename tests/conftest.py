from __future__ import annotations

import pytest

from nc_testutil import CORPUS


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
