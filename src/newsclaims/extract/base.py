"""Common types for the rule/pattern extractors.

Every extractor is a pure function ``extract(text, ctx) -> list[Draft]`` over the
*processed* text (cleaned, OpenCC-simplified, full-width folded to ASCII).  Draft
offsets index that processed text; the pipeline maps them back to the original
text (DESIGN.md, "Offsets: the one invariant") and fills in the common fields
(``mention_id``, ``text``, ``normalized``, ``duplicate_of``).  The spaCy
components in :mod:`newsclaims.segment` wrap these functions.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExtractContext:
    """Per-document inputs of the extractors.

    ``published`` is the article's publication date (or ``None``); relative dates
    resolve against it and never against the clock.
    """

    lang: str = "zh"  # "zh" | "en" | "mixed"
    published: _dt.datetime | None = None
    #: also emit "latent" mentions (Duckling's term): a currency name or a share word
    #: with no number.  Off for the store; conformance suites ask for it.
    latent: bool = False


@dataclass
class Draft:
    """A mention found in the processed text, before offset mapping."""

    kind: str          # "money" | "quantity" | "date" | "entity" | "number"
    start: int         # processed-text offset, inclusive
    end: int           # processed-text offset, exclusive
    rule: str          # id of the rule that fired
    fields: dict[str, Any] = field(default_factory=dict)  # kind-specific fields, DESIGN.md order
