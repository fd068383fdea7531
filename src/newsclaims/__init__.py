"""newsclaims: checkable, structured claims from Chinese and English news.

>>> import newsclaims
>>> result = newsclaims.analyze("据The Information报道，OpenAI去年亏损约5.4亿美元。", published="2023-05-06")

See README.md and DESIGN.md for the output contract.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["analyze", "__version__"]


def analyze(text, published=None, lang=None, kinds=None, latent=False):
    """Analyse one text; same structure as an articles.jsonl line plus ``claims``.

    ``published`` ("YYYY-MM-DD" or ISO datetime) anchors relative dates; ``lang``
    ("zh", "en", "mixed" or None to detect); ``kinds`` limits the extractors
    (default: money, quantity, date, entity; "number" adds bare numerals);
    ``latent`` adds currency names and share words standing alone (amount null).
    """
    from .pipeline import analyze as _analyze  # spaCy is imported on first use only

    return _analyze(text, published=published, lang=lang, kinds=kinds, latent=latent)
