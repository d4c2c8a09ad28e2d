"""WARC input: HTML response records become documents (FastWARC, extra ``warc``).

Common Crawl News and most crawlers ship WARC files (``.warc``, or
``.warc.gz`` with one gzip member per record). Each record is one of:

- a ``response`` with an HTTP 2xx status and an HTML payload (``text/html``,
  ``application/xhtml+xml``, or no Content-Type and a payload that starts like
  HTML): a document. ``id`` is the WARC-Record-ID without its angle brackets
  (``urn:uuid:...``; ``<name>:<record>`` when a record has none), ``url`` the
  WARC-Target-URI, ``html`` the payload after undoing any
  ``Transfer-Encoding: chunked`` and ``Content-Encoding`` (gzip, deflate, br),
  decoded with the HTTP charset when the bytes are not UTF-8 (then as any HTML
  file, see :func:`dedupe.readers.decode_document`). ``published`` is left to
  the page (HTML extraction finds the page's date); the fetch date is kept in
  ``meta["warc_date"]`` and the record's byte offset in the file (compressed
  for ``.warc.gz``) in ``meta["warc_offset"]``;
- any other record (``warcinfo``, ``request``, ``metadata``, ``revisit``, a
  response that is not HTTP, not 2xx or not HTML): not a document. It is
  counted in ``skipped`` by kind (``warc-request``, ``warc-response-not-html``,
  ``warc-response-status-4xx``, ...), which ``summary.json`` reports as
  ``counts.skipped_records``.

Damage never stops the run. A record whose block ends before its
Content-Length (a file cut short) or whose header cannot be parsed is
rejected (``truncated`` or ``malformed-warc``) with its position, and the rest
of the file is skipped: the records before it are kept. A file with no
record at all is rejected as ``empty``. Limits: a payload over
``max_doc_bytes`` is rejected (``too-large``) without being read, and reading
stops past ``max_decompressed_bytes`` of record blocks.

Why FastWARC and not warcio (both maintained): reading a generated WARC of
3,000 HTML responses and 3,000 requests (4.4 MB gzip, 9.5 MB plain), payloads
read in full, best of 3 on this 2-core machine: FastWARC 0.065 s (gzip) and
0.021 s (plain), warcio 0.357 s and 0.245 s: 5.5 and 11.7 times faster.
Records are read in the one parent process that feeds the cleaning workers,
so the reader bounds the whole run on a machine with many cores. Neither
library reports a file cut short (both return the short record), so the
length check is dedupe's own. FastWARC is compiled (wheels for Linux, macOS
and Windows) and pulls in brotli, click and tqdm: an optional extra, not a
core dependency. (The tests write their WARC files with warcio, so reading is
checked against a second implementation's output.)
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import Counter
from typing import Any, Iterator

from ..config import Limits
from ..records import Document, Rejected
from ..errors import DocumentError, MissingDependencyError
from ..readers import decode_document, path_text

__all__ = ["read_warc", "require_fastwarc", "HTML_TYPES"]

logger = logging.getLogger(__name__)

#: Content types read as HTML pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)


def require_fastwarc(purpose: str) -> Any:
    """The ``fastwarc.warc`` module, or MissingDependencyError naming ``pip install 'news-dedupe[warc]'``."""
    try:
        from fastwarc import warc
    except ImportError:
        raise MissingDependencyError("fastwarc", "warc", purpose) from None
    return warc


def read_warc(path: str, name: str, limits: Limits, skipped: Counter[str]) -> Iterator[Document | Rejected]:
    """The HTML response records of a WARC file as documents, in file order.

    ``name`` starts the ids of records without a WARC-Record-ID
    (``<name>:<record>``); origins are ``<path>:<record>`` (1-based, all
    record types counted).
    """
    warc = require_fastwarc(f"reading {path}")
    where = path_text(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield Rejected(name, "unreadable", f"cannot open: {exc.strerror or exc}", where)
        return
    n = 0
    total = 0
    last: tuple[int, int] | None = None  # the last whole record's offset and Content-Length
    with fh:
        records = iter(warc.ArchiveIterator(fh, parse_http=True, auto_decode="none"))
        while True:
            try:
                rec = next(records)
            except StopIteration:
                break
            except Exception as exc:  # fastwarc raises OSError on a header it cannot parse
                yield _after_last(fh, last, name, where, n, f"({exc})")
                return
            n += 1
            origin = f"{where}:{n}"
            doc_id = _record_id(rec) or f"{name}:{n}"
            declared = rec.headers.get("Content-Length")
            if declared is None or not declared.strip().isdigit():
                yield Rejected(f"{name}:{n}", "truncated", f"record {n}: the WARC header is incomplete (no "
                               "Content-Length): the file ends early or is damaged; the records before it are "
                               "kept, the rest of the file is skipped", origin)
                return
            total += int(declared)
            if total > limits.max_decompressed_bytes:
                yield Rejected(doc_id, "too-large", f"record {n}: the records so far exceed "
                               f"{limits.max_decompressed_bytes} bytes (max_decompressed_bytes); the rest of the file "
                               "is skipped", origin)
                return
            try:
                item = _record(rec, doc_id, origin, n, limits, skipped)
            except _Cut as cut:
                yield Rejected(doc_id, "truncated", f"record {n} (at byte {rec.stream_pos}) {cut}; the records "
                               "before it are kept, the rest of the file is skipped", origin)
                return
            except Exception as exc:  # a damaged compressed member, an I/O error
                yield Rejected(doc_id, "truncated", f"record {n} (at byte {rec.stream_pos}) cannot be read "
                               f"({type(exc).__name__}: {exc}); the records before it are kept, the rest of the "
                               "file is skipped", origin)
                return
            last = (rec.stream_pos, int(declared))
            if item is not None:
                yield item
        leftover = _after_last(fh, last, name, where, n, "")
        if leftover is not None:
            yield leftover
        elif n == 0:
            yield Rejected(name, "empty", "no WARC record in the file", where)


def _after_last(fh: Any, last: tuple[int, int] | None, name: str, where: str, n: int,
                error: str) -> Rejected | None:
    """The rejection for what follows the last whole record, or None when nothing does.

    FastWARC stops without a word when a file ends a few bytes into a record
    (a gzip member's first bytes, part of a header line), and raises on bytes
    that are not a header. What follows is ``truncated`` when it is the start
    of a header that never ends (the file was cut), else ``malformed-warc``.
    """
    try:
        raw = _rest(fh, last)
    except Exception as exc:
        logger.debug("%s: cannot read past record %d: %s", where, n, exc)
        raw = b"?"
    if not raw.strip(b"\r\n \t") and not error:
        return None
    view = raw
    if b"\x1f\x8b".startswith(raw[:2]):  # a gzip member, or the first byte of one
        try:
            view = zlib.decompressobj(31).decompress(raw[: 1 << 20], 1 << 16)
        except zlib.error:
            view = b"?"
    view = view.lstrip(b"\r\n \t")
    cut = b"\r\n\r\n" not in view and (view.startswith(b"WARC/") or b"WARC/".startswith(view[:5]))
    position = f"record {n + 1}" + (f" (after record {n})" if n else "")
    if cut:
        return Rejected(f"{name}:{n + 1}", "truncated", f"the file ends inside the header of {position}; the "
                        "records before it are kept", f"{where}:{n + 1}")
    return Rejected(f"{name}:{n + 1}", "malformed-warc", f"{position}: not a WARC record header {error}".rstrip()
                    + "; the records before it are kept, the rest of the file is skipped", f"{where}:{n + 1}")


def _rest(fh: Any, last: tuple[int, int] | None) -> bytes:
    """Up to 1 MiB of the file after the record at ``last`` (offset, block length); the whole start when None.

    For ``.warc.gz`` the record's gzip member is decompressed to find its end.
    """
    if last is None:
        fh.seek(0)
        return fh.read(1 << 20)
    offset, length = last
    fh.seek(offset)
    head = fh.read(2)
    fh.seek(offset)
    if head == b"\x1f\x8b":
        member = zlib.decompressobj(31)
        while not member.eof:
            data = fh.read(1 << 16)
            if not data:
                return b"?"  # the record's own member is cut
            member.decompress(data, 1 << 20)
            while member.unconsumed_tail and not member.eof:
                member.decompress(member.unconsumed_tail, 1 << 20)
        return member.unused_data + fh.read(1 << 20)
    data = fh.read(1 << 16)
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return b"?"
    fh.seek(offset + end + 4 + length)
    return fh.read(1 << 20)


class _Cut(Exception):
    """A record's block is shorter than its Content-Length."""


def _record_id(rec: Any) -> str | None:
    value = (rec.record_id or "").strip()
    if value.startswith("<"):
        if not value.endswith(">"):
            return None  # cut short
        value = value[1:-1].strip()
    return value or None


def _consume(rec: Any) -> None:
    """Read past a record's block, checking that it is whole."""
    expected = rec.content_length
    got = rec.reader.consume()
    if got < expected:
        raise _Cut(f"ends early: {got} of {expected} bytes")


def _record(rec: Any, doc_id: str, origin: str, n: int, limits: Limits,
            skipped: Counter[str]) -> Document | Rejected | None:
    """The document of one record, a rejection, or None (a record that is not a document, counted)."""
    kind = str(rec.record_type)
    if kind != "response":
        _consume(rec)
        skipped[f"warc-{kind}"] += 1
        return None
    if not rec.is_http:
        _consume(rec)
        skipped["warc-response-not-http"] += 1
        return None
    status = rec.http_headers.status_code or 0
    if not 200 <= status < 300:
        _consume(rec)
        skipped[f"warc-response-status-{status // 100}xx" if 100 <= status < 600 else "warc-response-status-bad"] += 1
        return None
    ctype = (rec.http_content_type or "").strip().lower()
    if ctype and ctype not in HTML_TYPES:
        _consume(rec)
        skipped["warc-response-not-html"] += 1
        return None
    if rec.content_length > limits.max_doc_bytes:
        _consume(rec)
        return Rejected(doc_id, "too-large", f"record {n}: a payload of {rec.content_length} bytes exceeds the limit "
                        f"of {limits.max_doc_bytes} (max_doc_bytes)", origin)
    expected = rec.content_length
    payload = rec.reader.read()
    if len(payload) < expected:
        raise _Cut(f"ends early: {len(payload)} of {expected} bytes")
    headers = rec.http_headers
    try:
        if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            payload = dechunk(payload)
        payload = _decode_content(payload, headers.get("Content-Encoding"), limits.max_doc_bytes)
        if not ctype and not _HTML_START.match(payload[:1024]):
            skipped["warc-response-not-html"] += 1
            return None
        text, encoding = _decode_page(payload, rec.http_charset)
    except DocumentError as bad:
        return Rejected(doc_id, bad.reason, f"record {n}: {bad.message}", origin)
    if not text.strip():
        return Rejected(doc_id, "empty", f"record {n}: the page is empty", origin)
    meta: dict[str, Any] = {"warc_date": rec.headers.get("WARC-Date") or "", "warc_offset": rec.stream_pos}
    if encoding is not None:
        meta["input_encoding"] = encoding
    url = (rec.headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
    return Document(doc_id, html=text, url=url, meta=meta, origin=origin)


def dechunk(data: bytes) -> bytes:
    """The body of an HTTP ``Transfer-Encoding: chunked`` message, or raise
    :class:`~dedupe.errors.DocumentError` (``encoding``).

    >>> dechunk(b"5\\r\\nHello\\r\\n6;x=1\\r\\n world\\r\\n0\\r\\n\\r\\n")
    b'Hello world'
    """
    out = []
    pos = 0
    while True:
        end = data.find(b"\n", pos)
        if end < 0:
            raise DocumentError("encoding", "chunked transfer encoding ends without its last chunk")
        size_text = data[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise DocumentError("encoding", f"bad chunk size {size_text[:20]!r} in chunked transfer encoding") from None
        if size == 0:
            return b"".join(out)
        start = end + 1
        if start + size > len(data):
            raise DocumentError("encoding", "a chunk of the chunked transfer encoding is cut short")
        out.append(data[start:start + size])
        pos = start + size
        if data[pos:pos + 2] == b"\r\n":
            pos += 2
        elif data[pos:pos + 1] == b"\n":
            pos += 1


def _decode_content(data: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """Undo a ``Content-Encoding`` (gzip, deflate, br, identity), at most ``max_bytes`` out."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):  # applied in the order listed, so undone from the last
        if coding in ("identity", "none"):
            continue
        if coding in ("gzip", "x-gzip", "deflate"):
            wbits = 47 if coding != "deflate" else (15 if data[:1] == b"\x78" else -15)  # 47: gzip or zlib header
            d = zlib.decompressobj(wbits)
            try:
                out = d.decompress(data, max_bytes + 1)
            except zlib.error as exc:
                raise DocumentError("encoding", f"Content-Encoding {coding}: damaged data ({exc})") from None
        elif coding == "br":
            try:
                import brotli  # installed with fastwarc
            except ImportError:
                raise DocumentError("encoding", "Content-Encoding br needs the brotli package") from None
            try:
                out = brotli.decompress(data)
            except Exception as exc:
                raise DocumentError("encoding", f"Content-Encoding br: damaged data ({exc})") from None
        else:
            raise DocumentError("encoding", f"unknown Content-Encoding {coding!r}")
        if len(out) > max_bytes:
            raise DocumentError("too-large", f"the decoded page exceeds {max_bytes} bytes (max_doc_bytes)")
        data = out
    return data


def _decode_page(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """A page's text: UTF-8 when it is valid, else the HTTP charset, else as any HTML file."""
    return decode_document(data, html=True, declared=charset)
