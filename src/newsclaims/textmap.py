"""A processed copy of a text that remembers, for each character, where it came from.

Cleaning and normalisation work on a copy of the original text; every edit keeps a
map back so that any span of the processed text maps to a span of the original
(DESIGN.md, "Offsets: the one invariant").

For processed character ``i``, ``starts[i]:ends[i]`` is the range of original
characters it stands for.  A one-to-one replacement (OpenCC t2s, full-width
folding) keeps a 1-character range; a phrase conversion that rewrites n characters
into m characters gives all m characters the whole n-character range; a deletion
(pinyin gloss, boilerplate) simply leaves no processed character for those
original characters.  A processed span ``[a, b)`` therefore maps to
``[starts[a], ends[b-1])`` — never shifted, at worst widened to whole source units.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterable, Mapping, Sequence

__all__ = ["MappedText", "Edit"]

#: (start, end, replacement) in the coordinates of the text being edited
Edit = tuple[int, int, str]


class OffsetError(ValueError):
    """A processed span could not be mapped back to the original (always a bug)."""


#: 0, 1, 2, ... grown on demand.  Identity maps are slices of it: copying a slice
#: is a memcpy, ~100x faster than ``array("i", range(n))`` boxing every int.
_COUNTING = array("i")
#: the shared array grows to at most this many entries (the pipeline's chunks are smaller)
_COUNTING_MAX = 1 << 20


def _counting(n: int) -> array:
    """An array holding at least 0..n (the shared one; callers slice, never mutate)."""
    global _COUNTING
    counting = _COUNTING
    if n > _COUNTING_MAX:  # a one-off whole long text: do not keep its map around
        return array("i", range(n + 1))
    if len(counting) <= n:
        counting = _COUNTING = array("i", range(max(n + 1, 2 * len(counting), 1 << 16)))
    return counting


@dataclass(frozen=True)
class MappedText:
    original: str
    text: str
    starts: array
    ends: array

    @classmethod
    def identity(cls, original: str) -> "MappedText":
        n = len(original)
        counting = _counting(n)
        return cls(original, original, counting[:n], counting[1:n + 1])

    def __len__(self) -> int:
        return len(self.text)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the processed span ``[start, end)`` to the original text."""
        if not 0 <= start < end <= len(self.text):
            raise OffsetError(f"span {start}:{end} outside processed text of length {len(self.text)}")
        o_start, o_end = self.starts[start], self.ends[end - 1]
        if not 0 <= o_start < o_end <= len(self.original):
            raise OffsetError(f"span {start}:{end} maps to invalid original span {o_start}:{o_end}")
        return o_start, o_end

    def original_position(self, pos: int) -> int:
        """Original offset of processed position ``pos`` (a boundary, 0..len)."""
        if pos >= len(self.text):
            return len(self.original) if not self.text else self.ends[-1]
        return self.starts[pos]

    def apply(self, edits: Iterable[Edit]) -> "MappedText":
        """Return a new MappedText with ``edits`` applied to ``self.text``.

        Edits are ``(start, end, replacement)`` in processed coordinates; they must
        not overlap.  A replacement of the same length as the range it replaces is
        mapped character by character; otherwise every replacement character stands
        for the whole replaced range.
        """
        edits = sorted(edits, key=itemgetter(0, 1))
        if not edits:
            return self
        out_parts: list[str] = []
        starts = array("i")
        ends = array("i")
        pos = 0
        text, s_old, e_old = self.text, self.starts, self.ends
        n = len(text)
        # bound methods hoisted: clean applies tens of thousands of small deletions
        out_add, s_ext, e_ext = out_parts.append, starts.extend, ends.extend
        for start, end, repl in edits:
            if start < pos or end < start or end > n:
                raise OffsetError(f"overlapping or invalid edit {start}:{end} (previous edit ended at {pos})")
            if start > pos:
                out_add(text[pos:start])
                s_ext(s_old[pos:start])
                e_ext(e_old[pos:start])
            if repl:
                if len(repl) == end - start:
                    s_ext(s_old[start:end])
                    e_ext(e_old[start:end])
                else:
                    if end > start:
                        o_start, o_end = s_old[start], e_old[end - 1]
                    else:  # pure insertion: anchor to the neighbouring character
                        anchor = start - 1 if start > 0 else start
                        if anchor >= n:
                            raise OffsetError("insertion into empty text cannot be mapped")
                        o_start, o_end = s_old[anchor], e_old[anchor]
                    s_ext([o_start] * len(repl))
                    e_ext([o_end] * len(repl))
                out_add(repl)
            pos = end
        out_add(text[pos:])
        s_ext(s_old[pos:])
        e_ext(e_old[pos:])
        return MappedText(self.original, "".join(out_parts), starts, ends)

    def translate_1to1(self, table: Mapping[int, int | str] | Sequence[int | str]) -> "MappedText":
        """Apply a length-preserving ``str.translate`` table; the map is unchanged."""
        new = self.text.translate(table)
        if len(new) != len(self.text):
            raise OffsetError("translate table is not length-preserving")
        return MappedText(self.original, new, self.starts, self.ends)
