"""The one YAML reader of the rule and lexicon files.

PyYAML's C loader (libyaml, in PyYAML's wheels) reads the rule files about ten
times faster than the pure-Python one: ~0.3 s of every worker's start-up.  Both
build the same safe types; the pure-Python loader is the fallback where PyYAML
was built without libyaml.
"""
from __future__ import annotations

from typing import IO, Any

import yaml

__all__ = ["load_yaml"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | bytes | IO) -> Any:
    """``yaml.safe_load(source)``, with the C loader when there is one."""
    return yaml.load(source, Loader=_LOADER)
