"""The append-only review store, ``annotations/reviews.jsonl`` (DESIGN.md, Annotations).

One line per decision, in this key order::

    {"claim_id", "decision": "accept|reject|edit", "edits": {...}, "annotator", "ts", "claim_sha"}

``claim_sha`` is the sha256 of the claim *as reviewed*, in its canonical JSON
(``sort_keys``, ``ensure_ascii=False``, separators ``(",", ":")``, nothing left
out).  The latest line of a claim (file order) is its decision; its status is

* ``unreviewed`` — no line;
* ``accepted`` / ``rejected`` / ``edited`` — the latest line's decision, taken on
  the claim as it is now;
* ``stale`` — the latest line's ``claim_sha`` differs from the current claim's, or
  the claim is gone from the store.  Such a review is shown, never dropped.

Writers never rewrite the file.  :func:`append_lines` takes an exclusive
``fcntl.flock`` on it, writes the whole record with one ``os.write`` on an
``O_APPEND`` descriptor and fsyncs before unlocking, so two annotators (or two
servers) saving at once interleave whole lines and lose none.  A torn last line
left by a crash is closed with a newline by the next writer, so it costs only
itself; :class:`ReviewLog` reports it and goes on.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

__all__ = ["DECISIONS", "STATUSES", "Review", "ReviewLog", "append_lines", "append_review", "canonical_json",
           "claim_sha", "claim_status", "file_lock", "read_reviews"]

log = logging.getLogger(__name__)

DECISIONS = ("accept", "reject", "edit")
STATUSES = ("unreviewed", "accepted", "rejected", "edited", "stale")
_DECISION_STATUS = {"accept": "accepted", "reject": "rejected", "edit": "edited"}


def canonical_json(obj: Any) -> str:
    """The JSON form that ``claim_sha`` hashes."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def claim_sha(claim: Mapping[str, Any]) -> str:
    """sha256 (hex) of the claim's canonical JSON, every key included."""
    return hashlib.sha256(canonical_json(claim).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Review:
    """One review decision (one line of reviews.jsonl)."""

    claim_id: str
    decision: str
    edits: dict[str, Any]
    annotator: str
    ts: str
    claim_sha: str

    def __post_init__(self):
        if self.decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}, not {self.decision!r}")
        if not isinstance(self.edits, dict):
            raise ValueError("edits must be an object")
        if self.decision != "edit" and self.edits:
            raise ValueError(f"a {self.decision!r} decision carries no edits")
        for name in ("claim_id", "annotator", "ts", "claim_sha"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty string")

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "decision": self.decision, "edits": self.edits,
                "annotator": self.annotator, "ts": self.ts, "claim_sha": self.claim_sha}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Review":
        missing = [k for k in ("claim_id", "decision", "annotator", "ts", "claim_sha") if k not in d]
        if missing:
            raise ValueError(f"review line lacks {missing}")
        return cls(claim_id=d["claim_id"], decision=d["decision"], edits=d.get("edits") or {},
                   annotator=d["annotator"], ts=d["ts"], claim_sha=d["claim_sha"])

    @property
    def status(self) -> str:
        """Status this decision gives its claim while the claim is unchanged."""
        return _DECISION_STATUS[self.decision]


def claim_status(current_sha: str | None, review: Review | None) -> str:
    """Status of a claim whose current sha is ``current_sha`` (None: gone from the store)."""
    if review is None:
        return "unreviewed"
    if current_sha is None or current_sha != review.claim_sha:
        return "stale"
    return review.status


def append_lines(path: Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Append JSON lines to ``path`` safely against concurrent writers; return bytes written.

    All records go out in one ``os.write`` under an exclusive ``flock``; the file
    is fsynced before the lock is released.  If the file does not end with a
    newline (a torn line from a crash, a hand edit) one is written first.
    """
    data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    if not data:
        return 0
    payload = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                payload = b"\n" + payload
            view = memoryview(payload)
            while view:  # a regular file takes it in one write; loop only on a short write
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return len(payload)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if absent) for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def append_review(path: Path, review: Review) -> None:
    """Append one decision to reviews.jsonl (see :func:`append_lines`)."""
    append_lines(path, [review.to_dict()])


@dataclass
class ReviewLog:
    """Incremental reader of reviews.jsonl: :meth:`poll` reads only what was appended since.

    ``latest`` maps claim_id -> its latest Review (file order), ``history`` keeps
    every review of a claim, ``problems`` lists lines that could not be read
    (``path:line: reason``).  A file that was replaced or truncated is re-read.
    """

    path: Path
    latest: dict[str, Review] = field(default_factory=dict)
    history: dict[str, list[Review]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    n_lines: int = 0
    _offset: int = 0
    _ident: tuple[int, int] | None = None

    def _reset(self) -> None:
        self.latest.clear()
        self.history.clear()
        self.problems.clear()
        self.n_lines = 0
        self._offset = 0

    def poll(self) -> int:
        """Read new complete lines; return how many reviews were added."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            if self._ident is not None or self.n_lines:
                self._reset()
                self._ident = None
            return 0
        ident = (st.st_dev, st.st_ino)
        if ident != self._ident or st.st_size < self._offset:
            self._reset()
            self._ident = ident
        if st.st_size == self._offset:
            return 0
        with self.path.open("rb") as fh:
            fh.seek(self._offset)
            chunk = fh.read()
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next poll
        added = 0
        for raw in chunk[:end].splitlines():
            self.n_lines += 1
            if not raw.strip():
                continue
            try:
                review = Review.from_dict(json.loads(raw))
            except (ValueError, TypeError, AttributeError) as exc:  # JSONDecodeError is a ValueError
                msg = f"{self.path}:{self.n_lines}: {exc}"
                self.problems.append(msg)
                log.warning("skipping unreadable review line %s", msg)
                continue
            self.latest[review.claim_id] = review
            self.history.setdefault(review.claim_id, []).append(review)
            added += 1
        self._offset += end
        return added


def read_reviews(path: Path) -> ReviewLog:
    """All reviews of ``path`` (an absent file is an empty log)."""
    rl = ReviewLog(Path(path))
    rl.poll()
    return rl
