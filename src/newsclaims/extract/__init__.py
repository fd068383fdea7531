"""Rule and pattern extractors, one sub-package per mention kind.

Each sub-package exposes ``extract(text, ctx) -> list[Draft]`` and keeps its rules
and examples as data files beside the code.
"""
from __future__ import annotations

import importlib
import logging
from typing import Callable

from .base import Draft, ExtractContext

log = logging.getLogger(__name__)

__all__ = ["Draft", "ExtractContext", "get_extractor", "DEFAULT_KINDS", "ALL_KINDS"]

#: kinds written to the store by default
DEFAULT_KINDS = ("money", "quantity", "date", "entity")
#: kinds available on request (``number`` is "latent": bare numerals, used by conformance)
ALL_KINDS = DEFAULT_KINDS + ("number",)

_MODULES = {
    "money": "newsclaims.extract.money",
    "quantity": "newsclaims.extract.quantity",
    "date": "newsclaims.extract.date",
    "entity": "newsclaims.extract.entity",
    "number": "newsclaims.numerals",
}


def get_extractor(kind: str) -> Callable[[str, ExtractContext], list[Draft]] | None:
    """Return the extractor function for ``kind``, or None when that kind is not built yet."""
    try:
        module = importlib.import_module(_MODULES[kind])
    except ModuleNotFoundError as exc:  # kind not implemented in this build
        if exc.name and _MODULES[kind].startswith(exc.name):
            return None
        raise
    fn = getattr(module, "extract", None)
    if fn is None:
        log.warning("extractor module %s has no extract(); kind %r is skipped", module.__name__, kind)
    return fn
