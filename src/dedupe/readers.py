"""Reading inputs into documents; bad items become :class:`Rejected` records, never exceptions.

Forms (``INPUT`` on the command line):

- a directory: every ``*.txt``, ``*.html``, ``*.htm`` below it (case-insensitive,
  sorted, symlinked directories not followed, so loops are impossible);
  ``id`` is the path relative to the directory, with ``/`` separators;
- a single ``.txt``/``.html``/``.htm`` file: ``id`` is the path as given;
- JSONL: ``.jsonl``/``.ndjson``, optionally ``.gz`` or ``.zst`` (the latter needs
  ``pip install 'news-dedupe[zstd]'``); one JSON object per line with ``id``
  (string or integer; when missing, ``<path>:<line>``), ``text`` or ``html``,
  and optional ``url``, ``title``, ``published``, ``source`` (strings) and
  ``meta`` (an object);
- ``-``: JSONL on standard input.

Bytes must be UTF-8 (a UTF-8, UTF-16 or UTF-32 byte-order mark is honoured);
HTML may instead declare its charset in a ``<meta>`` tag. Limits on document
size, line length and decompressed size come from :class:`dedupe.config.Limits`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import logging
import os
import re
import sys
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Sequence

from .config import Limits
from .document import Document, Rejected
from .errors import InputError, MissingDependencyError

__all__ = ["read_inputs", "decode_bytes", "input_kind"]

logger = logging.getLogger(__name__)

_TEXT_SUFFIXES = (".txt",)
_HTML_SUFFIXES = (".html", ".htm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".jsonl.zst", ".ndjson.zst")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_STRING_FIELDS = ("url", "title", "published", "source")
# A JSON escape of a UTF-16 surrogate: the only way a JSONL line can carry one unpaired.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _Bad(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def input_kind(path: str) -> str:
    """``"stdin"``, ``"dir"``, ``"jsonl"``, ``"text"`` or ``"html"``; raises InputError otherwise."""
    if path == "-":
        return "stdin"
    p = Path(path)
    if p.is_dir():
        return "dir"
    if not p.exists():
        raise InputError(f"{path}: no such file or directory")
    name = p.name.lower()
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(_TEXT_SUFFIXES):
        return "text"
    if name.endswith(_HTML_SUFFIXES):
        return "html"
    raise InputError(
        f"{path}: unknown input format; expected a directory, .txt, .html, .htm, "
        f"or JSONL ({', '.join(_JSONL_SUFFIXES)}), or '-' for JSONL on stdin"
    )


def decode_bytes(data: bytes, html: bool = False) -> str:
    """Decode document bytes, or raise ``_Bad`` with reason ``binary``/``encoding``.

    >>> decode_bytes("Niger’s".encode("utf-16"))
    'Niger’s'
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _Bad("encoding", f"invalid {codec} after its byte-order mark at byte {exc.start}") from None
    if b"\x00" in data[:65536]:
        raise _Bad("binary", "binary content (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if html:
            m = _META_CHARSET.search(data[:4096])
            if m:
                charset = m.group(1).decode("ascii", "replace")
                try:
                    return data.decode(charset)
                except (LookupError, UnicodeDecodeError):
                    pass
        bad = data[exc.start : exc.start + 1].hex()
        raise _Bad("encoding", f"not valid UTF-8 (byte 0x{bad} at offset {exc.start})") from None


def _read_file(path: Path, doc_id: str, kind: str, limits: Limits) -> Document | Rejected:
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_doc_bytes:
            raise _Bad("too-large", f"{size} bytes exceeds the limit of {limits.max_doc_bytes} (max_doc_bytes)")
        with open(path, "rb") as fh:
            data = fh.read(limits.max_doc_bytes + 1)
        if len(data) > limits.max_doc_bytes:
            raise _Bad("too-large", f"more than {limits.max_doc_bytes} bytes (max_doc_bytes)")
        text = decode_bytes(data, html=kind == "html")
    except _Bad as bad:
        return Rejected(doc_id, bad.reason, bad.message, origin)
    except OSError as exc:
        return Rejected(doc_id, "unreadable", f"cannot read: {exc.strerror or exc}", origin)
    if not text.strip():
        return Rejected(doc_id, "empty", "the document is empty", origin)
    if kind == "html":
        return Document(doc_id, html=text, origin=origin)
    return Document(doc_id, text=text, origin=origin)


def _walk(root: Path, limits: Limits) -> Iterator[Document | Rejected]:
    def on_error(exc: OSError) -> None:
        logger.warning("%s: cannot list directory: %s", exc.filename, exc.strerror)

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            low = name.lower()
            if low.endswith(_HTML_SUFFIXES):
                kind = "html"
            elif low.endswith(_TEXT_SUFFIXES):
                kind = "text"
            else:
                continue
            path = Path(dirpath) / name
            doc_id = path.relative_to(root).as_posix()
            yield _read_file(path, doc_id, kind, limits)


class _LimitedReader(io.RawIOBase):
    """Counts decompressed bytes and refuses to go past a limit (decompression bombs).

    Closing it closes ``inner`` when ``owns`` (not for standard input).
    """

    def __init__(self, inner: BinaryIO, limit: int, owns: bool = True) -> None:
        self.inner = inner
        self.limit = limit
        self.owns = owns
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # read1: one step of the inner stream, so that the lines decompressed before a
        # damaged or truncated part are returned before the error is raised.
        read = getattr(self.inner, "read1", self.inner.read)
        data = read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise _Bad("too-large", f"decompressed size exceeds {self.limit} bytes (max_decompressed_bytes)")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed and self.owns:
            self.inner.close()
        super().close()


class _ZstdReader(io.RawIOBase):
    """All zstd frames of a file, raising EOFError when the last frame is cut short
    (``zstandard``'s ``stream_reader`` reports a truncated frame as a normal end of file)."""

    def __init__(self, fh: BinaryIO, zstandard: Any) -> None:
        self.fh = fh
        self.dctx = zstandard.ZstdDecompressor()
        self.obj: Any = None  # the decompressor of the current frame; None between frames
        self.out = b""  # decompressed bytes; those before self.pos are returned
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.pos >= len(self.out):
            # Small input steps bound the output of one step (zstd expands at most ~32000x).
            data = self.fh.read(1 << 12)
            if not data:
                if self.obj is not None:
                    raise EOFError("the zstd stream ends inside a frame")
                return 0
            out = []
            while data:
                self.obj = self.obj or self.dctx.decompressobj()
                out.append(self.obj.decompress(data))
                data = b""
                if self.obj.eof:
                    data, self.obj = self.obj.unused_data, None
            self.out, self.pos = b"".join(out), 0
        n = min(len(buffer), len(self.out) - self.pos)
        buffer[:n] = self.out[self.pos : self.pos + n]
        self.pos += n
        return n

    def close(self) -> None:
        if not self.closed:
            self.fh.close()
        super().close()


def _open_jsonl(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    low = path.lower()
    if low.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if low.endswith(".zst"):
        try:
            import zstandard
        except ImportError:
            raise MissingDependencyError("zstandard", "zstd", f"reading {path}") from None
        return _ZstdReader(open(path, "rb"), zstandard)  # type: ignore[return-value]
    return open(path, "rb")


def _parse_line(raw: bytes, where: str, lineno: int, max_doc_bytes: int) -> Document:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad("encoding", f"not valid UTF-8 (byte 0x{raw[exc.start:exc.start+1].hex()} at column {exc.start})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Bad("malformed-json", f"malformed JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise _Bad("malformed-json", f"expected a JSON object, got {type(obj).__name__}")
    if _SURROGATE_ESCAPE.search(raw):
        # "\ud800" alone parses, but is not Unicode text and could not be written out as UTF-8.
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ord(exc.object[exc.start])
            raise _Bad("encoding", f"unpaired surrogate \\u{bad:04x} is not valid Unicode") from None
    doc_id = obj.get("id")
    if doc_id is None:
        doc_id = f"{where}:{lineno}"
    elif isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        raise _Bad("bad-field", f"'id' must be a string or integer, got {type(doc_id).__name__}")
    doc_id = str(doc_id)
    if not doc_id:
        raise _Bad("bad-field", "'id' is empty")
    fields: dict[str, Any] = {}
    for name in _STRING_FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise _Bad("bad-field", f"'{name}' must be a string, got {type(value).__name__}")
        fields[name] = value or None
    meta = obj.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise _Bad("bad-field", f"'meta' must be an object, got {type(meta).__name__}")
    text, html = obj.get("text"), obj.get("html")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise _Bad("bad-field", f"'{name}' must be a string, got {type(value).__name__}")
    if text is None and html is None:
        raise _Bad("bad-field", "neither 'text' nor 'html' is present")
    if not (text or "").strip() and html is not None and html.strip():
        text = None  # an empty text beside real HTML: use the HTML
    if not (text or html or "").strip():
        raise _Bad("empty", "the document is empty")
    # The content is never longer in UTF-8 than its JSON form, so short lines need no count.
    if len(raw) > max_doc_bytes:
        size = len((text if text is not None else html or "").encode("utf-8"))
        if size > max_doc_bytes:
            raise _Bad("too-large", f"{size} bytes exceeds the limit of {max_doc_bytes} (max_doc_bytes)")
    return Document(doc_id, text=text, html=html if text is None else None, meta=meta or {},
                    origin=f"{where}:{lineno}", **fields)


def _read_jsonl(path: str, limits: Limits) -> Iterator[Document | Rejected]:
    where = "<stdin>" if path == "-" else path
    lineno = 0
    try:
        raw_stream = _open_jsonl(path)
    except OSError as exc:
        yield Rejected(where, "unreadable", f"cannot open: {exc.strerror or exc}", where)
        return
    stream = io.BufferedReader(_LimitedReader(raw_stream, limits.max_decompressed_bytes, owns=path != "-"),
                               buffer_size=1 << 20)
    try:
        while True:
            try:
                raw = stream.readline(limits.max_line_bytes + 1)
                tail = raw if len(raw) > limits.max_line_bytes else b""
                while tail and not tail.endswith(b"\n"):  # skip the rest of an over-long line
                    tail = stream.readline(1 << 20)
            except _Bad as bad:
                yield Rejected(f"{where}:{lineno + 1}", bad.reason, bad.message + "; the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                yield Rejected(f"{where}:{lineno + 1}", "truncated",
                               f"compressed stream is damaged or ends early ({exc}); the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            except Exception as exc:  # zstandard raises its own error type
                yield Rejected(f"{where}:{lineno + 1}", "truncated",
                               f"cannot decompress ({type(exc).__name__}: {exc}); the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            if not raw:
                return
            lineno += 1
            origin = f"{where}:{lineno}"
            if len(raw) > limits.max_line_bytes:
                yield Rejected(origin, "too-large", f"line longer than {limits.max_line_bytes} bytes (max_line_bytes)",
                               origin)
                continue
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            try:
                yield _parse_line(raw, where, lineno, limits.max_doc_bytes)
            except _Bad as bad:
                yield Rejected(_id_hint(raw) or origin, bad.reason, bad.message, origin)
    finally:
        if path != "-":
            stream.close()


def _id_hint(raw: bytes) -> str | None:
    """The id of a rejected line when it can be recovered, so the input stays accounted for."""
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(obj, dict) and isinstance(obj.get("id"), (str, int)) and not isinstance(obj.get("id"), bool):
        return str(obj["id"]) or None
    return None


def read_inputs(inputs: Sequence[str | os.PathLike[str]], limits: Limits | None = None) -> Iterator[Document | Rejected]:
    """Documents and rejections from every input, in input order.

    Raises :class:`InputError` up front for a path that does not exist or has
    an unknown format (a wrong invocation); everything else is a rejection.
    A second document with an id already seen is rejected (``duplicate-id``).
    """
    limits = limits or Limits()
    specs = [(str(p), input_kind(str(p))) for p in inputs]
    seen: dict[str, str] = {}
    for path, kind in specs:
        if kind == "dir":
            items: Iterator[Document | Rejected] = _walk(Path(path), limits)
        elif kind in ("jsonl", "stdin"):
            items = _read_jsonl(path, limits)
        else:
            items = iter([_read_file(Path(path), path, kind, limits)])
        for item in items:
            if isinstance(item, Document):
                first = seen.get(item.id)
                if first is not None:
                    yield Rejected(item.id, "duplicate-id", f"id {item.id!r} already used at {first}", item.origin)
                    continue
                seen[item.id] = item.origin
            yield item
