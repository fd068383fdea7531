"""Stage `normalize`: OpenCC to simplified + full-width folding, keeping the offset map.

Uses the official OpenCC binding (PyPI ``opencc``).  Character-level configs
(``t2s``, ``tw2s``, ``hk2s``) keep the string length, so the map is unchanged; a
phrase config (``tw2sp``) may rewrite n characters into m, and then each changed
stretch is aligned with :mod:`difflib` so the map stays exact at every unchanged
character and widens to whole phrases only where the phrase itself changed.
"""
from __future__ import annotations

import difflib
import functools

import opencc
import regex

from .textmap import MappedText

__all__ = ["detect_script", "detect_lang", "converter", "to_simplified", "normalize", "WIDTH_TABLE"]

#: full-width ASCII -> ASCII, ideographic and exotic spaces -> space (all 1:1).
#: The full-width comma stays: in Chinese it separates clauses and list items
#: (`$20，300美圆` is two amounts), except between full-width digits (`４，５６５`),
#: where ``normalize`` folds it as a thousands separator.
WIDTH_TABLE: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if c != 0xFF0C}
WIDTH_TABLE.update({0x3000: 0x20, 0x00A0: 0x20, 0x2009: 0x20, 0x202F: 0x20, 0x2002: 0x20,
                    0x2003: 0x20, 0x200A: 0x20, 0xFEFF: 0x20})

#: WIDTH_TABLE as a list over the BMP (identity where the table has no entry):
#: ``str.translate`` indexes a list about twice as fast as it looks up a dict that
#: misses on almost every character.  Astral characters (IndexError) stay unchanged.
_WIDTH_LIST: list[int] = [WIDTH_TABLE.get(c, c) for c in range(0x10000)]

# runs, not single characters: far fewer match objects for the same characters
_HAN_RUNS = regex.compile(r"\p{Han}+")
#: every byte but the ASCII letters: deleting them from the ASCII bytes of a text
#: leaves its [A-Za-z] characters
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A))
# fewer than 2% of Han characters changing under t2s: the text is simplified already
_HANT_THRESHOLD = 0.02


@functools.cache
def converter(config: str = "t2s") -> opencc.OpenCC:
    """One OpenCC converter per config and process (loading one takes a few ms)."""
    return opencc.OpenCC(config if config.endswith(".json") else f"{config}.json")


def to_simplified(text: str, config: str = "t2s") -> str:
    return converter(config).convert(text)


def _count_differences(a: str, b: str) -> int:
    """Positions at which the equal-length ``a`` and ``b`` differ, without a Python
    loop over characters: XOR their UTF-32 code units as one big integer, so that a
    character differs iff its 4-byte word is nonzero.  Code points fit in 3 bytes;
    OR-ing bytes 1 and 2 of each word into its byte 0 (shifts by 8 and 16 bits never
    reach the next word's byte 0) and masking leaves one byte per character."""
    n = len(a)
    x = (int.from_bytes(a.encode("utf-32-le", "surrogatepass"), "little")
         ^ int.from_bytes(b.encode("utf-32-le", "surrogatepass"), "little"))
    x = (x | x >> 8 | x >> 16) & int.from_bytes(b"\xff\0\0\0" * n, "little")
    return 4 * n - x.to_bytes(4 * n, "little").count(0)


def detect_script(text: str) -> str:
    """``hans``, ``hant``, ``mixed`` or ``latin`` from how many Han characters t2s changes."""
    sample = "".join(_HAN_RUNS.findall(text[:30_000]))
    if not sample:
        return "latin"
    simp = to_simplified(sample)
    changed = _count_differences(sample, simp) if len(simp) == len(sample) else len(sample)
    ratio = changed / len(sample)
    if ratio < _HANT_THRESHOLD:
        return "hans"
    # traditional text has ~15-30% of characters that differ; between, it is mixed
    return "hant" if ratio > 0.08 else "mixed"


def detect_lang(text: str) -> str:
    """``zh``, ``en`` or ``mixed`` from the share of Han characters among letters."""
    sample = text[:30_000]
    han = sum(map(len, _HAN_RUNS.findall(sample)))
    latin = len(sample.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTER))
    if han == 0 and latin == 0:
        return "zh"
    if han == 0:
        return "en"
    # Chinese news often quotes English names; a few Latin words do not make it mixed
    share = han / (han + latin / 5)  # ~5 Latin letters per English word ≈ one Han char
    if share > 0.6:
        return "zh"
    if share < 0.1:
        return "en"
    return "mixed"


def _convert_mapped(mt: MappedText, config: str, converted: str | None = None) -> MappedText:
    conv = converter(config)
    new = converted if converted is not None and len(converted) == len(mt.text) else conv.convert(mt.text)
    if len(new) == len(mt.text):
        return MappedText(mt.original, new, mt.starts, mt.ends)
    # length changed (phrase config): align line by line, diff only changed lines
    edits = []
    pos = 0
    for line in mt.text.split("\n"):
        conv_line = conv.convert(line)
        if conv_line != line:
            if len(conv_line) == len(line):
                edits.append((pos, pos + len(line), conv_line))
            else:
                sm = difflib.SequenceMatcher(None, line, conv_line, autojunk=False)
                for tag, i1, i2, j1, j2 in sm.get_opcodes():
                    if tag != "equal":
                        edits.append((pos + i1, pos + i2, conv_line[j1:j2]))
        pos += len(line) + 1
    return mt.apply(edits)


_FW_DIGIT_COMMA = regex.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def normalize(mt: MappedText, config: str = "t2s", converted: str | None = None) -> MappedText:
    """OpenCC ``config`` then full-width folding, both on the mapped copy.
    ``converted``: ``mt.text`` already converted with ``config`` (clean's t2s text), used
    as is when it has the same length."""
    out = _convert_mapped(mt, config, converted)
    if "，" in out.text:
        commas = [m.start() for m in _FW_DIGIT_COMMA.finditer(out.text)]
        if commas:
            chars = list(out.text)
            for i in commas:
                chars[i] = ","
            out = MappedText(out.original, "".join(chars), out.starts, out.ends)
    return out.translate_1to1(_WIDTH_LIST)
