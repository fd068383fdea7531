"""Stage `store`: the JSONL claims store, written atomically and incrementally.

Layout (DESIGN.md): ``articles.jsonl``, ``claims.jsonl``, ``errors.jsonl``,
``manifest.json``.  A run spools every result to a temporary file, then writes the
new store (sorted by ``article_id``, claims then by ``start``) into a staging
folder beside the store (``.<store>.staging-<pid>``), fsyncs it, and swaps the
two folders in one atomic ``renameat2(RENAME_EXCHANGE)``: a reader, or a run
killed at any moment, sees either the whole previous store or the whole new
one.  Where the kernel or file system cannot exchange (not Linux), the files
are renamed into place one by one, the manifest last; the manifest records the
sha256 of each data file, so a store caught between two renames is treated as
absent by the next run, which rebuilds it.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

__all__ = ["StoreWriter", "PreviousStore", "StreamingLine", "dumps", "serialize", "DATA_FILES"]

DATA_FILES = ("articles.jsonl", "claims.jsonl", "errors.jsonl")


def dumps(obj: Any) -> str:
    """The one JSON encoding of the store: UTF-8, no ASCII escapes, fixed separators."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


#: the first keys of every article line, in the writer's fixed order
_HEAD = re.compile(rb'\{"schema":"[^"]*","article_id":("(?:[^"\\]|\\.)*"),"source_path":"(?:[^"\\]|\\.)*",'
                   rb'"content_sha256":("[0-9a-f]*")')


def _line_heads(path: Path, head: int = 4096, block: int = 1 << 20):
    """(offset, length, first bytes) of each line, without reading whole lines into memory."""
    with path.open("rb") as fh:
        offset = 0
        while True:
            fh.seek(offset)
            start = data = fh.read(head)
            if not start:
                return
            length = 0
            while data:
                nl = data.find(b"\n")
                if nl != -1:
                    length += nl + 1
                    break
                length += len(data)
                data = fh.read(block)
            yield offset, length, start
            offset += length


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap folders ``a`` and ``b`` atomically (Linux ``renameat2``); False where
    the system cannot (no such call, or a file system without RENAME_EXCHANGE)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # no such call (other libc, Windows)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # not here
        return False
    raise OSError(err, os.strerror(err), str(b))


def _staging_dirs(root: Path) -> list[Path]:
    """Staging folders beside the store, or inside it where its parent is read-only."""
    return sorted([*root.parent.glob(f".{root.name}.staging-*"), *root.glob(".staging-*")])


def _remove_stale_staging(root: Path) -> None:
    """Staging folders left by killed runs (their process is gone)."""
    for d in _staging_dirs(root):
        try:
            pid = int(d.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
            if pid != os.getpid():
                continue  # a live run's
        except (ValueError, ProcessLookupError):
            pass
        except PermissionError:
            continue
        shutil.rmtree(d, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class PreviousStore:
    """Read access to the last complete store, for incremental runs."""

    def __init__(self, root: Path):
        self.root = root
        self.manifest: dict[str, Any] | None = None
        self._articles: dict[str, tuple[str, int, int]] = {}   # id -> (sha, offset, length)
        self._claims: dict[str, tuple[int, int]] = {}           # id -> (offset, length) of its block
        mpath = root / "manifest.json"
        if not mpath.exists():
            return
        try:
            manifest = json.loads(mpath.read_text("utf-8"))
            files = manifest.get("files", {})
            for name in ("articles.jsonl", "claims.jsonl"):
                if files.get(name) != _sha256_file(root / name):
                    return  # incomplete or edited store: do not trust it
        except (OSError, json.JSONDecodeError, AttributeError):
            return
        self.manifest = manifest
        self._index()

    def _index(self) -> None:
        for offset, length, head in _line_heads(self.root / "articles.jsonl"):
            m = _HEAD.match(head)
            if m is None:  # not written by this version's writer: do not reuse anything
                self._articles.clear()
                return
            self._articles[json.loads(m.group(1))] = (json.loads(m.group(2)), offset, length)
        with (self.root / "claims.jsonl").open("rb") as fh:
            offset = 0
            for line in fh:
                aid = json.loads(line)["article_id"]
                start, length = self._claims.get(aid, (offset, 0))
                self._claims[aid] = (start, length + len(line))
                offset += len(line)

    def reusable(self, article_id: str, content_sha256: str, config_hash: str) -> bool:
        if self.manifest is None or self.manifest.get("config_hash") != config_hash:
            return False
        entry = self._articles.get(article_id)
        return entry is not None and entry[0] == content_sha256

    def raw(self, article_id: str) -> tuple[bytes, bytes]:
        """The stored article line and its claim lines, as bytes."""
        _, off, length = self._articles[article_id]
        with (self.root / "articles.jsonl").open("rb") as fh:
            fh.seek(off)
            art = fh.read(length)  # a reused giant article is held once, as bytes
        claims = b""
        if article_id in self._claims:
            off, length = self._claims[article_id]
            with (self.root / "claims.jsonl").open("rb") as fh:
                fh.seek(off)
                claims = fh.read(length)
        return art, claims


@dataclass
class StoreWriter:
    """Collects results in any order; ``commit`` writes the sorted store atomically."""

    root: Path
    _spool: Any = None
    _index: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # id -> (offset, art_len, claims_len)
    _errors: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        if self.root.is_symlink():  # swap the folder it points to, not the link
            self.root = self.root.resolve()
        _remove_stale_staging(self.root)
        self._spool = tempfile.TemporaryFile(dir=self.root, prefix=".spool-")

    def add(self, article_id: str, record: dict[str, Any] | bytes, claims: Iterable[dict[str, Any]] | bytes) -> None:
        """Spool one article; ``record``/``claims`` as dicts or as :func:`serialize` bytes."""
        if isinstance(record, bytes) and isinstance(claims, bytes):
            art, cl = record, claims
        else:
            art, cl = serialize(record, claims)
        self._spool.seek(0, os.SEEK_END)
        off = self._spool.tell()
        self._spool.write(art)
        self._spool.write(cl)
        self._index[article_id] = (off, len(art), len(cl))

    def add_file(self, article_id: str, line_path: Path, claims: bytes) -> None:
        """Spool an article line written to a file (StreamingLine), copied in blocks."""
        self._spool.seek(0, os.SEEK_END)
        off = self._spool.tell()
        with line_path.open("rb") as src:
            shutil.copyfileobj(src, self._spool, 1 << 20)
        alen = self._spool.tell() - off
        self._spool.write(claims)
        self._index[article_id] = (off, alen, len(claims))

    def add_error(self, error: dict[str, Any]) -> None:
        self._errors.append(error)

    @property
    def n_articles(self) -> int:
        return len(self._index)

    def _stage_path(self) -> Path:
        return self.root.parent / f".{self.root.name}.staging-{os.getpid()}"

    def commit(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Write the new store beside the old one, swap them in, return the manifest."""
        stage = self._stage_path()
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.mkdir()
        except OSError:  # the store's parent folder is not writable: stage inside it
            stage = self.root / f".staging-{os.getpid()}"
            shutil.rmtree(stage, ignore_errors=True)
            stage.mkdir()
        files = (*DATA_FILES, "manifest.json")
        try:
            manifest = self._write(stage, manifest)
            _fsync_dir(stage)
            if stage.parent != self.root and _exchange(stage, self.root):
                # the old store is now at `stage`: keep anything else a user kept there
                for extra in stage.iterdir():
                    if extra.name not in files and not (self.root / extra.name).exists():
                        os.replace(extra, self.root / extra.name)
            else:
                # one file at a time, the manifest last (a copy first where the
                # staging folder is on another file system than the store)
                for name in files:
                    shutil.move(stage / name, self.root / f"{name}.tmp")
                for name in files:
                    os.replace(self.root / f"{name}.tmp", self.root / name)
            _fsync_dir(self.root)
            _fsync_dir(self.root.parent)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
            self._spool.close()
        return manifest

    def _write(self, folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
        paths = {name: folder / name for name in DATA_FILES}
        n_claims = 0
        with paths["articles.jsonl"].open("wb") as fa, paths["claims.jsonl"].open("wb") as fc:
            for aid in sorted(self._index):
                off, alen, clen = self._index[aid]
                _copy_range(self._spool, fa, off, alen)
                self._spool.seek(off + alen)
                block = self._spool.read(clen)
                n_claims += block.count(b"\n")
                fc.write(block)
            for fh in (fa, fc):
                fh.flush()
                os.fsync(fh.fileno())
        with paths["errors.jsonl"].open("wb") as fe:
            for err in sorted(self._errors, key=lambda e: (e.get("source_path", ""), e.get("article_id", ""))):
                fe.write((dumps(err) + "\n").encode("utf-8"))
            fe.flush()
            os.fsync(fe.fileno())
        manifest = dict(manifest)
        manifest["counts"] = {**manifest.get("counts", {}), "articles": len(self._index), "claims": n_claims,
                              "errors": len(self._errors)}
        manifest["files"] = {name: _sha256_file(path) for name, path in paths.items()}
        mpath = folder / "manifest.json"
        mpath.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
        with mpath.open("rb") as fh:
            os.fsync(fh.fileno())
        return manifest

    def abort(self) -> None:
        if self._spool is not None and not self._spool.closed:
            self._spool.close()
        shutil.rmtree(self._stage_path(), ignore_errors=True)
        shutil.rmtree(self.root / f".staging-{os.getpid()}", ignore_errors=True)
        for name in (*DATA_FILES, "manifest.json"):
            (self.root / f"{name}.tmp").unlink(missing_ok=True)


def serialize(record: dict[str, Any], claims: Iterable[dict[str, Any]]) -> tuple[bytes, bytes]:
    """The article's store line and its claim lines (sorted), as written.  Workers call
    this so that the parent only copies bytes."""
    art = (dumps(record) + "\n").encode("utf-8")
    cl = "".join(dumps(c) + "\n" for c in sorted(claims, key=lambda c: (_claim_start(c), c["claim_id"])))
    return art, cl.encode("utf-8")


class StreamingLine:
    """Writes one article line to ``path`` while its mentions arrive chunk by chunk:
    byte-identical to ``serialize(record, ...)`` of the whole record, without ever
    holding all mentions in memory (a 50 MB article has over a million)."""

    def __init__(self, path: Path):
        self.path = path
        self._mentions = path.with_suffix(".mentions")
        self._fh = self._mentions.open("wb")
        self._first = True

    def add_mentions(self, mentions: list[dict[str, Any]]) -> None:
        for m in mentions:
            self._fh.write((("" if self._first else ",") + dumps(m)).encode("utf-8"))
            self._first = False

    def finish(self, record: dict[str, Any]) -> None:
        """``record`` without mentions (None); writes the line and removes the scratch file."""
        self._fh.close()
        with self.path.open("wb") as out:
            out.write(b"{")
            first = True
            for key, value in record.items():
                out.write(b"" if first else b",")
                first = False
                out.write(dumps(key).encode("utf-8") + b":")
                if key == "mentions":
                    out.write(b"[")
                    with self._mentions.open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                    out.write(b"]")
                elif isinstance(value, str) and len(value) > _TEXT_PIECE:
                    _write_json_str(out, value)
                else:
                    out.write(dumps(value).encode("utf-8"))
            out.write(b"}\n")
        self._mentions.unlink()

    def abort(self) -> None:
        self._fh.close()
        self._mentions.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


#: a long string is JSON-encoded this many characters at a time
_TEXT_PIECE = 1 << 20


def _write_json_str(out, value: str) -> None:
    """``dumps(value)`` written piece by piece: JSON escapes character by character, so
    the bytes are the same, without a second copy of a 50 MB text and its encoding."""
    out.write(b'"')
    for i in range(0, len(value), _TEXT_PIECE):
        out.write(dumps(value[i:i + _TEXT_PIECE])[1:-1].encode("utf-8"))
    out.write(b'"')


def _copy_range(src, dst, offset: int, length: int, block: int = 1 << 20) -> None:
    src.seek(offset)
    while length > 0:
        data = src.read(min(block, length))
        if not data:
            raise OSError("spool file ended early")
        dst.write(data)
        length -= len(data)


def _claim_start(claim: dict[str, Any]) -> int:
    return int((claim.get("evidence") or {}).get("start") or 0)
