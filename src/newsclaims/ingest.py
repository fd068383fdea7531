"""Stage `ingest`: files -> Article(id, original text, meta).

* Encodings: UTF-8 (with or without BOM), UTF-16 (BOM), and anything else
  charset-normalizer recognises (GB18030/GBK, Big5, ...).  A UTF-8 file cut in the
  middle of its last character is decoded up to that character, with a warning.
* ``.html``/``.htm``: the main text, extracted with trafilatura, *is* the original
  text that offsets index (DESIGN.md).
* ``.jsonl`` bundles: one article per line ``{"id", "text", "published", ...}``; a
  broken line is an error for that line only.
* Metadata: from the corpus manifest (``manifest.jsonl``: ``file``, ``outlet``,
  ``url``, ``published``, ``title``, ``author``, ``published_note``), else from the
  article's header (a date stated in its first lines), else none.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import regex

log = logging.getLogger(__name__)

__all__ = ["Article", "ArticleRef", "IngestError", "iter_corpus", "decode_bytes", "read_manifest", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
MANIFEST_NAME = "manifest.jsonl"
#: articles larger than this are refused (memory is bounded per worker)
MAX_BYTES = 64 * 1024 * 1024

_HEADER_DATE = regex.compile(
    r"(?<!\d)(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2}))?(?!\d)")
_TITLE_LINE = regex.compile(r"^#\s+(.+)$", regex.M)


class IngestError(Exception):
    """An input that cannot be turned into an article; ``code`` is stable, ``reason`` human."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass
class Article:
    article_id: str
    source_path: str
    text: str                      # the original decoded text that every offset indexes
    content_sha256: str
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    encoding: str = "utf-8"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode ``data``; return (text, encoding, warnings) or raise IngestError."""
    warnings: list[str] = []
    if not data:
        raise IngestError("empty", "the file is empty (0 bytes)")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF32_LE, "utf-32")):
        if data.startswith(bom) and not (enc == "utf-16" and data.startswith(codecs.BOM_UTF32_LE)):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise IngestError("undecodable", f"starts with a {enc} byte-order mark but is not valid {enc}: {exc.reason} at byte {exc.start}") from None
            text = text.lstrip("\ufeff")
            if not text.strip():
                raise IngestError("empty", "the file holds only a byte-order mark or whitespace")
            return text, enc, warnings
    try:
        text = data.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            text = data[: exc.start].decode("utf-8")
            enc = "utf-8"
            warnings.append(f"truncated UTF-8: the last {len(data) - exc.start} byte(s) are an incomplete character and were dropped")
        else:
            text, enc = _detect(data)
    if "\x00" in text or _control_share(text) > 0.05:
        raise IngestError("binary", "the file looks binary (NUL or control bytes), not text")
    if not text.strip():
        raise IngestError("empty", "the file holds only whitespace")
    return text, enc, warnings


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return bad / len(sample)


def _detect(data: bytes) -> tuple[str, str]:
    head = data[:4096]
    if b"\x00" in head:
        # BOM-less UTF-16 has its NULs on one parity (ASCII) or none (CJK); anything else is binary
        for enc, parity in (("utf-16-le", 1), ("utf-16-be", 0)):
            if head[parity::2].count(0) > len(head) // 8 and head[1 - parity::2].count(0) == 0:
                try:
                    return data.decode(enc), enc
                except UnicodeDecodeError:
                    break
        raise IngestError("binary", "the file looks binary (NUL bytes), not text")
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 files need it

    # the default chaos threshold (0.2) rejects short GBK news snippets; 0.5 still refuses binary noise
    best = from_bytes(data, threshold=0.5).best()
    if best is None:
        raise IngestError("undecodable", "no text encoding fits these bytes (not UTF-8, UTF-16, GB18030, Big5, ...)")
    enc = best.encoding
    # charset-normalizer may name a subset; GB18030 and Big5-HKSCS decode supersets losslessly
    for wide in {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}.get(enc, enc), enc:
        try:
            return data.decode(wide), wide
        except (UnicodeDecodeError, LookupError):
            continue
    raise IngestError("undecodable", f"detected {enc} but the bytes do not decode as {enc}")


def read_manifest(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Manifest lines keyed by file name; returns (entries, problems)."""
    entries: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    if not path.exists():
        return entries, problems
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                entries[str(rec["file"])] = rec
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                problems.append(f"{path}:{n}: bad manifest line ({exc})")
    return entries, problems


def header_meta(text: str) -> dict[str, Any]:
    """Title and publication time stated in the first lines of the text, if any."""
    meta: dict[str, Any] = {}
    head = text[:600]
    m = _TITLE_LINE.search(head)
    if m:
        meta["title"] = m.group(1).strip()
    d = _HEADER_DATE.search(head)
    if d:
        y, mo, da, hh, mm = d.groups()
        try:
            import datetime as dt
            dt.date(int(y), int(mo), int(da))
        except ValueError:
            return meta
        meta["published"] = f"{int(y):04d}-{int(mo):02d}-{int(da):02d}" + (f"T{int(hh):02d}:{mm}" if hh else "")
    return meta


def build_meta(text: str, entry: dict[str, Any] | None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    head = header_meta(text)
    entry = dict(entry or {})
    extra = {k: v for k, v in (extra or {}).items() if v not in (None, "")}
    meta = {
        "title": entry.get("title") or extra.get("title") or head.get("title"),
        "url": entry.get("url") or extra.get("url"),
        "outlet": entry.get("outlet") or extra.get("outlet"),
        "author": entry.get("author") or extra.get("author"),
        "published": None,
        "published_source": "none",
    }
    if entry.get("published"):
        meta["published"], meta["published_source"] = str(entry["published"]), "manifest"
    elif extra.get("published"):
        meta["published"], meta["published_source"] = str(extra["published"]), "manifest"
    elif head.get("published"):
        meta["published"], meta["published_source"] = head["published"], "text"
    if entry.get("published_note"):
        meta["published_note"] = entry["published_note"]
    return meta


def _html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    import trafilatura  # heavy import, only for HTML inputs

    try:
        out = trafilatura.extract(html, output_format="json", with_metadata=True, include_comments=False,
                                  include_tables=True, favor_recall=True)
    except (RecursionError, ValueError, TypeError, MemoryError) as exc:  # lxml on hostile markup
        raise IngestError("html_failed", f"the HTML could not be parsed: {type(exc).__name__}: {exc}") from None
    if not out:
        raise IngestError("no_text", "no main text found in the HTML page")
    rec = json.loads(out)
    text = rec.get("text") or ""
    if not text.strip():
        raise IngestError("no_text", "no main text found in the HTML page")
    return text, {"title": rec.get("title"), "author": rec.get("author"), "url": rec.get("source") or rec.get("url"),
                  "outlet": rec.get("sitename") or rec.get("hostname"), "published": rec.get("date")}


def article_id_for(rel: Path) -> str:
    stem = rel.with_suffix("").as_posix()
    return stem.replace("/", "__")


def iter_corpus(corpus: Path, manifest: dict[str, dict[str, Any]] | None = None
                ) -> Iterator[Article | tuple[str, str, IngestError]]:
    """Yield Articles, or ``(source_path, article_id, IngestError)`` for inputs that fail.

    Files are visited in sorted order of their article ids, so the store is written
    in order without a sort pass.
    """
    manifest = manifest or {}
    paths = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in files:
            if name.startswith((".", "_")) or name == MANIFEST_NAME:
                continue
            p = Path(root) / name
            paths.append((article_id_for(p.relative_to(corpus)), p))
    paths.sort()
    seen: set[str] = set()
    for aid, path in paths:
        rel = path.relative_to(corpus).as_posix()
        if _special_file(path):
            yield rel, aid, IngestError("not_a_file", "not a regular file (a FIFO, socket or device): reading it could wait forever")
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            yield rel, aid, IngestError("unsupported", f"unsupported file type {path.suffix or '(none)'!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
            continue
        if path.suffix.lower() == ".jsonl":
            yield from _iter_bundle(path, rel, aid, seen)
            continue
        if aid in seen:
            yield rel, aid, IngestError("duplicate_id", f"another file already has article id {aid!r}")
            continue
        seen.add(aid)
        try:
            yield read_article(path, rel, aid, manifest_entry(manifest, rel, path))
        except IngestError as exc:
            yield rel, aid, exc


def _special_file(path: Path) -> bool:
    """A FIFO, socket or device (following symlinks; a broken link is not one)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # read_article reports it as unreadable
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def manifest_entry(manifest: dict[str, dict[str, Any]], rel: str, path: Path) -> dict[str, Any] | None:
    """The corpus manifest's line for a file: by its path in the corpus, else its name."""
    return manifest.get(rel) or manifest.get(path.name)


@dataclass
class ArticleRef:
    """A file article sent to a worker by path instead of by text (a very long
    article: its text and pickle would otherwise sit in both processes at once).
    ``load`` reads it again, exactly as the parent did."""

    path: Path
    article_id: str
    source_path: str
    content_sha256: str
    entry: dict[str, Any] | None = None

    def load(self) -> Article:
        art = read_article(self.path, self.source_path, self.article_id, self.entry)
        if art.content_sha256 != self.content_sha256:
            raise IngestError("changed", "the file changed while the run was reading it")
        return art


def read_article(path: Path, rel: str, aid: str, entry: dict[str, Any] | None) -> Article:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise IngestError("too_large", f"{size} bytes is over the {MAX_BYTES}-byte limit per article")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError("unreadable", f"cannot read the file: {exc.strerror or exc}") from None
    text, enc, warnings = decode_bytes(data)
    extra = None
    if path.suffix.lower() in (".html", ".htm"):
        text, extra = _html_to_text(text)
    art = Article(aid, rel, text, sha256_bytes(data), build_meta(text, entry, extra), warnings, enc)
    if enc not in ("utf-8", "utf-8-sig"):
        art.warnings.append(f"decoded as {enc}")
    return art


def _iter_bundle(path: Path, rel: str, aid: str, seen: set[str]):
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield rel, aid, IngestError("unreadable", f"cannot read the file: {exc.strerror or exc}")
        return
    with fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{rel}:{n}"
            try:
                rec = json.loads(raw.decode("utf-8"))
                if not isinstance(rec, dict):
                    raise IngestError("bad_line", "the line is not a JSON object")
                text = rec.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise IngestError("bad_line", "the line has no non-empty string field 'text'")
                rid = str(rec.get("id") if rec.get("id") is not None else n)
            except UnicodeDecodeError as exc:
                yield where, f"{aid}__{n}", IngestError("bad_line", f"not UTF-8: {exc.reason} at byte {exc.start}")
                continue
            except json.JSONDecodeError as exc:
                yield where, f"{aid}__{n}", IngestError("bad_line", f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            except IngestError as exc:
                yield where, f"{aid}__{n}", exc
                continue
            sub_id = f"{aid}__{regex.sub(r'[^A-Za-z0-9_.-]+', '_', rid)}"
            if sub_id in seen:
                yield where, sub_id, IngestError("duplicate_id", f"another input already has article id {sub_id!r}")
                continue
            seen.add(sub_id)
            meta = build_meta(text, None, {k: rec.get(k) for k in ("title", "url", "outlet", "author", "published")})
            yield Article(sub_id, where, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), meta)
