"""Reading inputs into documents; bad items become :class:`Rejected` records, never exceptions.

Forms (``INPUT`` on the command line):

- a directory: every readable file below it (case-insensitive extensions,
  sorted: a directory's files, then its subdirectories; symlinked directories
  are not followed, so loops are impossible). ``*.txt``, ``*.html``, ``*.htm``
  files are one document each, with ``id`` the path relative to the
  directory, with ``/`` separators. Shards (JSONL, compressed JSONL, Parquet,
  WARC) hold many documents: each keeps its own id, as when the shard is
  given directly, and a record without one gets ``<relative path>:<position>``.
  Other files are left alone; when a directory holds no readable file at all,
  a warning lists what it does hold, by extension. Only regular files (or
  symlinks to them) are read: a FIFO, socket or device with a matching name is
  rejected (``unreadable``) without being opened, so it cannot block the run. A
  directory that cannot be listed is rejected too, with id ``<relative
  path>/``, so the rows of ``rejected.jsonl`` say what was not read;
- a single ``.txt``/``.html``/``.htm`` file: ``id`` is the path as given;
- JSONL: ``.jsonl``/``.ndjson``, optionally ``.gz`` or ``.zst`` (the latter needs
  ``pip install 'news-dedupe[zstd]'``); one JSON object per line with ``id``
  (string or integer; when missing, ``<path>:<line>``), ``text`` or ``html``,
  and optional ``url``, ``title``, ``published``, ``source`` (strings) and
  ``meta`` (an object). :class:`~dedupe.config.FieldMap` (``--id-field``,
  ``--text-field``, ``--html-field``, ``--url-field``) reads other names;
- Parquet (``.parquet``, needs ``pip install 'news-dedupe[parquet]'``): the same
  fields as columns, read one row group at a time (:mod:`dedupe.formats.parquet`);
- WARC (``.warc``, ``.warc.gz``, needs ``pip install 'news-dedupe[warc]'``):
  HTML response records (:mod:`dedupe.formats.warc`);
- ``-``: JSONL on standard input.

Positions in origins and default ids are 1-based: the line of a JSONL file,
the row of a Parquet file, the record of a WARC file (``path:N``).

Decoding files (:func:`decode_document`): a UTF-8, UTF-16 or UTF-32 byte-order
mark is honoured; known binary formats (by their magic number) and bytes with a
NUL are rejected as ``binary``; then UTF-8; then, for HTML, a ``<meta>``
charset; then cp1252, with latin-1 for the five bytes cp1252 leaves undefined
(so every byte string decodes, and latin-1 text reads correctly). A decoding
other than UTF-8 is recorded in the document's ``meta["input_encoding"]``
(logged at ``-v``, counted in ``summary.json``); a fallback decoding with more
than 5% control characters is rejected as ``binary``. JSONL lines must be
UTF-8, as JSON requires. Ids are only ever data: they are never used to build a path.

Records that are not documents (a WARC's request or metadata records, a
response that is not HTML) are not read as documents: they are counted by
kind in the ``skipped`` counter given to :func:`read_inputs`, which
``summary.json`` reports as ``counts.skipped_records``.

Limits on document size, line length and decompressed size come from
:class:`dedupe.config.Limits`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import logging
import os
import re
import stat
import sys
import zlib
from pathlib import Path
from collections import Counter
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator, Mapping, Sequence

from .config import FieldMap, Limits
from .records import Document, Rejected
from .errors import DocumentError, InputError, MissingDependencyError

__all__ = ["read_inputs", "decode_bytes", "decode_document", "input_kind", "InputUnit", "input_units", "read_unit"]

logger = logging.getLogger(__name__)

_TEXT_SUFFIXES = (".txt",)
_HTML_SUFFIXES = (".html", ".htm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".jsonl.zst", ".ndjson.zst")
_PARQUET_SUFFIXES = (".parquet",)
_WARC_SUFFIXES = (".warc", ".warc.gz")
_COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2", ".xz", ".lz4", ".zip")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_STRING_FIELDS = ("title", "published", "source")
# A JSON escape of a UTF-16 surrogate: the only way a JSONL line can carry one unpaired.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def input_kind(path: str) -> str:
    """``"stdin"``, ``"dir"``, ``"jsonl"``, ``"parquet"``, ``"warc"``, ``"text"`` or ``"html"``;
    raises InputError otherwise."""
    if path == "-":
        return "stdin"
    p = Path(path)
    if p.is_dir():
        return "dir"
    if not p.exists():
        raise InputError(f"{path}: no such file or directory")
    kind = _kind_of(p.name)
    if kind is None:
        raise InputError(f"{path}: unknown input format; expected a directory, {_READABLE}, or '-' for JSONL on stdin")
    return kind


# Magic numbers of binary formats that turn up under a text name (an image saved as .txt).
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"), (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"), (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x7fELF", "an executable"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
)
# cp1252 leaves 0x81, 0x8d, 0x8f, 0x90, 0x9d undefined; they decode as latin-1 (the same code point).
_CP1252_UNDEFINED = {0xDC00 + b: b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
# Declared charsets not honoured: utf-8 was tried already; a page whose <meta> could be
# read as ASCII is not UTF-16/32; the others are Python codecs, not page encodings, and
# can produce unpaired surrogates.
_NOT_PAGE_CHARSETS = {"utf-8", "utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Above this share of control characters a fallback decoding is taken to be binary;
# text in a legacy 8-bit encoding has none (cp1252 maps 0x80-0x9f to printable characters).
_MAX_CONTROL_SHARE = 0.05


def decode_bytes(data: bytes, html: bool = False) -> str:
    """Decode document bytes (see :func:`decode_document`), or raise :class:`~dedupe.errors.DocumentError`.

    >>> decode_bytes("Niger’s".encode("utf-16"))
    'Niger’s'
    >>> decode_bytes("Le café".encode("latin-1"))
    'Le café'
    """
    return decode_document(data, html)[0]


def decode_document(data: bytes, html: bool = False, declared: str | None = None) -> tuple[str, str | None]:
    """The text of document bytes and the encoding used when it was not UTF-8 (else None).

    ``declared`` is a charset from outside the bytes (an HTTP Content-Type);
    for HTML it is tried before the page's ``<meta>`` charset.
    Raises :class:`~dedupe.errors.DocumentError` with reason ``binary`` (a binary format, NUL bytes, or
    control characters) or ``encoding`` (invalid bytes after a byte-order mark).

    >>> decode_document("Niger’s junta".encode("cp1252"))
    ('Niger’s junta', 'cp1252')
    >>> decode_document("café".encode("utf-8"))
    ('café', None)
    >>> decode_document("Что".encode("koi8-r"), html=True, declared="koi8-r")
    ('Что', 'koi8-r')
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError("encoding", f"invalid {codec} after its byte-order mark at byte {exc.start}") from None
            return text, None if codec == "utf-8-sig" else codec
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise DocumentError("binary", f"binary content ({what}), not text")
    if data.startswith(b"BZh") and data[4:10] == b"1AY&SY":  # "BZh" alone can start a sentence
        raise DocumentError("binary", "binary content (bzip2-compressed data), not text")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DocumentError("binary", f"binary content (a NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if html:
        m = _META_CHARSET.search(data[:4096])
        candidates = [declared, m.group(1).decode("ascii", "replace") if m else None]
        for charset in filter(None, candidates):
            try:
                name = codecs.lookup(charset.strip()).name
                if name not in _NOT_PAGE_CHARSETS and not name.startswith(("utf-16", "utf-32")):
                    text = data.decode(name)
                    text.encode("utf-8")  # no unpaired surrogates
                    return text, name
            except (LookupError, UnicodeError):
                pass
    text = data.decode("cp1252", errors="surrogateescape").translate(_CP1252_UNDEFINED)
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DocumentError("binary", f"binary content (not UTF-8, and {controls} of the first {len(sample)} bytes "
                             "are control characters), not text")
    return text, "cp1252"


def _read_file(path: Path, doc_id: str, kind: str, limits: Limits) -> Document | Rejected:
    origin = path_text(str(path))
    try:
        st = path.stat()
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
            raise DocumentError("unreadable", f"not a regular file ({_file_type(st.st_mode)})")
        if st.st_size > limits.max_doc_bytes:
            raise DocumentError("too-large", f"{st.st_size} bytes exceeds the limit of {limits.max_doc_bytes} (max_doc_bytes)")
        with open(path, "rb") as fh:
            data = fh.read(limits.max_doc_bytes + 1)
        if len(data) > limits.max_doc_bytes:
            raise DocumentError("too-large", f"more than {limits.max_doc_bytes} bytes (max_doc_bytes)")
        text, encoding = decode_document(data, html=kind == "html")
    except DocumentError as bad:
        return Rejected(doc_id, bad.reason, bad.message, origin)
    except OSError as exc:
        return Rejected(doc_id, "unreadable", f"cannot read: {exc.strerror or exc}", origin)
    if not text.strip():
        return Rejected(doc_id, "empty", "the document is empty", origin)
    meta: dict[str, Any] = {}
    if encoding is not None:
        meta["input_encoding"] = encoding
        logger.info("%s: not UTF-8, decoded as %s", origin, encoding)
    if kind == "html":
        return Document(doc_id, html=text, meta=meta, origin=origin)
    return Document(doc_id, text=text, meta=meta, origin=origin)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISCHR, "a character device")):
        if test(mode):
            return name
    return "a special file"


def path_text(path: str) -> str:
    r"""A path as text for ids and messages: the bytes of a file name that is not
    UTF-8 (held as surrogates by Python) are written as ``\xNN`` escapes.

    >>> path_text("caf\udce9.txt")
    'caf\\xe9.txt'
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _kind_of(name: str) -> str | None:
    """The input kind of a file name, or None when dedupe does not read it.

    >>> [_kind_of(n) for n in ("a.HTML", "b.jsonl.gz", "c.warc.gz", "d.parquet", "e.csv")]
    ['html', 'jsonl', 'warc', 'parquet', None]
    """
    low = name.lower()
    if low.endswith(_HTML_SUFFIXES):
        return "html"
    if low.endswith(_TEXT_SUFFIXES):
        return "text"
    if low.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if low.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if low.endswith(_WARC_SUFFIXES):
        return "warc"
    return None


_READABLE = ", ".join(_TEXT_SUFFIXES + _HTML_SUFFIXES + _JSONL_SUFFIXES + _PARQUET_SUFFIXES + _WARC_SUFFIXES)


def _extension(name: str) -> str:
    """A file's extension for messages, with the one before a compression suffix.

    >>> _extension("part-0.json.gz"), _extension("notes.CSV"), _extension("README")
    ('.json.gz', '.csv', '(no extension)')
    """
    suffixes = [s.lower() for s in Path(name).suffixes]
    if not suffixes or name.startswith(".") and len(suffixes) == 1:
        return "(no extension)"
    if len(suffixes) > 1 and suffixes[-1] in _COMPRESSION_SUFFIXES:
        return "".join(suffixes[-2:])
    return suffixes[-1]


@dataclass(frozen=True)
class InputUnit:
    """One file to read: a text or HTML file (``name``: its id) or a shard (JSONL, Parquet, WARC;
    ``name`` starts the ids of its records without one, None: the path). :func:`input_units`
    lists them, :func:`read_unit` reads one; a distributed engine reads each unit in a task."""

    kind: str
    path: str
    name: str | None = None


def read_unit(unit: InputUnit, limits: Limits, fields: FieldMap,
              skipped: Counter[str]) -> Iterator[Document | Rejected]:
    """The documents and rejections of one :class:`InputUnit`, as :func:`read_inputs` reads them
    (without the check of ids across units)."""
    if unit.kind in ("text", "html"):
        return iter([_read_file(Path(unit.path), unit.name or path_text(unit.path), unit.kind, limits)])
    if unit.kind in ("jsonl", "stdin"):
        return _read_jsonl(unit.path, limits, fields, unit.name)
    return _read_shard(unit.path, unit.kind, unit.name or path_text(unit.path), limits, fields, skipped)


def _walk(root: Path, limits: Limits, fields: FieldMap, skipped: Counter[str]) -> Iterator[Document | Rejected]:
    """Depth first: a directory's files (sorted), then its subdirectories (sorted) (see :func:`_walk_units`)."""
    for unit in _walk_units(root):
        if isinstance(unit, Rejected):
            yield unit
        else:
            yield from read_unit(unit, limits, fields, skipped)


def _walk_units(root: Path) -> Iterator[InputUnit | Rejected]:
    """The files of a directory to read, depth first: its files (sorted), then its subdirectories
    (sorted); and the rejections of entries that cannot be read.

    Symlinks to directories are not followed. A file is only opened when it is
    a regular file: a FIFO with a ``.txt`` name would block a plain ``open``.
    When no readable file is found, a warning says what was found instead.
    """
    stack = [root]
    readable = 0
    others: Counter[str] = Counter()
    while stack:
        directory = stack.pop()
        rel = path_text(directory.relative_to(root).as_posix())
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            dir_id = path_text(str(root)) if rel == "." else rel + "/"
            yield Rejected(dir_id, "unreadable", f"cannot list directory: {exc.strerror or exc}; files below it "
                           "are not read", path_text(str(directory)))
            continue
        subdirs = []
        for entry in entries:
            path = directory / entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(path)
                continue
            kind = _kind_of(entry.name)
            if kind is None:
                others[_extension(entry.name)] += 1
                continue
            readable += 1
            doc_id = path_text(path.relative_to(root).as_posix())
            try:
                mode = os.stat(path).st_mode  # follows symlinks to files
            except OSError as exc:
                yield Rejected(doc_id, "unreadable", f"cannot read: {exc.strerror or exc}", path_text(str(path)))
                continue
            if stat.S_ISDIR(mode):
                logger.debug("%s: a symlink to a directory, not followed", path)
                continue
            if not stat.S_ISREG(mode):
                yield Rejected(doc_id, "unreadable", f"not a regular file ({_file_type(mode)})", path_text(str(path)))
                continue
            yield InputUnit(kind, str(path), doc_id)
        stack.extend(reversed(subdirs))
    if not readable:
        found = ", ".join(f"{n} {ext}" for ext, n in sorted(others.items(), key=lambda kv: (-kv[1], kv[0])))
        logger.warning("%s: no readable file in this directory (found %s); dedupe reads %s",
                       path_text(str(root)), found or "no files", _READABLE)


def _read_shard(path: str, kind: str, name: str, limits: Limits, fields: FieldMap,
                skipped: Counter[str]) -> Iterator[Document | Rejected]:
    """The records of a JSONL, Parquet or WARC file; ``name`` starts the ids of records without one."""
    if kind == "jsonl":
        return _read_jsonl(path, limits, fields, name)
    if kind == "parquet":
        from .formats.parquet import read_parquet

        return read_parquet(path, name, limits, fields)
    from .formats.warc import read_warc

    return read_warc(path, name, limits, skipped)


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
            raise DocumentError("too-large", f"decompressed size exceeds {self.limit} bytes (max_decompressed_bytes)")
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
            # Small input steps bound the output of one step: zstd expands at most ~32000x, so
            # 1 KiB of a bomb yields ~33 MB before max_decompressed_bytes can stop it.
            data = self.fh.read(1 << 10)
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


def _parse_line(raw: bytes, position: str, origin: str, limits: Limits, fields: FieldMap) -> Document:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError("encoding", f"not valid UTF-8 (byte 0x{raw[exc.start:exc.start+1].hex()} at column {exc.start})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError("malformed-json", f"malformed JSON at column {exc.colno}: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise DocumentError("malformed-json", f"expected a JSON object, got {type(obj).__name__}")
    if _SURROGATE_ESCAPE.search(raw):
        # "\ud800" alone parses, but is not Unicode text and could not be written out as UTF-8.
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ord(exc.object[exc.start])
            raise DocumentError("encoding", f"unpaired surrogate \\u{bad:04x} is not valid Unicode") from None
    # The content is never longer in UTF-8 than its JSON form, so short lines need no count.
    return record_document(obj, position, limits, fields, check_size=len(raw) > limits.max_doc_bytes, origin=origin)


def record_document(obj: Mapping[str, Any], position: str, limits: Limits, fields: FieldMap,
                    check_size: bool = True, origin: str | None = None) -> Document:
    """A document from one record (a JSONL object, a Parquet row) read through ``fields``, or raise :class:`~dedupe.errors.DocumentError`.

    ``position`` (``name:N``) is the id of a record without one, and its origin
    unless ``origin`` is given.

    >>> record_document({"content": "Troops arrived.", "link": "https://a.example/x"}, "f.jsonl:3",
    ...                 Limits(), FieldMap(text="content", url="link"))  # doctest: +ELLIPSIS
    Document(id='f.jsonl:3', text='Troops arrived.', html=None, url='https://a.example/x', ...)
    """
    doc_id = obj.get(fields.id)
    if doc_id is None:
        doc_id = position
    elif isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        raise DocumentError("bad-field", f"'{fields.id}' (the id) must be a string or integer, got {type(doc_id).__name__}")
    doc_id = str(doc_id)
    if not doc_id:
        raise DocumentError("bad-field", f"'{fields.id}' (the id) is empty")
    values: dict[str, Any] = {}
    for name, key in [("url", fields.url)] + [(n, n) for n in _STRING_FIELDS]:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise DocumentError("bad-field", f"'{key}' must be a string, got {type(value).__name__}")
        values[name] = value or None
    meta = obj.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise DocumentError("bad-field", f"'meta' must be an object, got {type(meta).__name__}")
    text, html = obj.get(fields.text), obj.get(fields.html)
    for key, value in ((fields.text, text), (fields.html, html)):
        if value is not None and not isinstance(value, str):
            raise DocumentError("bad-field", f"'{key}' must be a string, got {type(value).__name__}")
    if text is None and html is None:
        raise DocumentError("bad-field", f"neither '{fields.text}' nor '{fields.html}' is present")
    if not (text or "").strip() and html is not None and html.strip():
        text = None  # an empty text beside real HTML: use the HTML
    if not (text or html or "").strip():
        raise DocumentError("empty", "the document is empty")
    if check_size:
        content = text if text is not None else html or ""
        # A character is 1 to 4 bytes in UTF-8: only a text between the two bounds needs encoding.
        if len(content) > limits.max_doc_bytes // 4:
            size = len(content.encode("utf-8", "surrogatepass"))
            if size > limits.max_doc_bytes:
                raise DocumentError("too-large", f"{size} bytes exceeds the limit of {limits.max_doc_bytes} (max_doc_bytes)")
    return Document(doc_id, text=text, html=html if text is None else None, meta=meta or {},
                    origin=origin or position, **values)


def _read_jsonl(path: str, limits: Limits, fields: FieldMap,
                name: str | None = None) -> Iterator[Document | Rejected]:
    """The lines of a JSONL file; ``name`` (default: the path) starts the ids of lines without one."""
    where = "<stdin>" if path == "-" else path_text(path)
    name = name or where
    lineno = 0
    try:
        raw_stream = _open_jsonl(path)
    except OSError as exc:
        yield Rejected(name, "unreadable", f"cannot open: {exc.strerror or exc}", where)
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
            except DocumentError as bad:
                yield Rejected(f"{name}:{lineno + 1}", bad.reason, bad.message + "; the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                yield Rejected(f"{name}:{lineno + 1}", "truncated",
                               f"compressed stream is damaged or ends early ({exc}); the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            except OSError as exc:
                yield Rejected(f"{name}:{lineno + 1}", "unreadable",
                               f"read error ({exc.strerror or exc}); the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            except Exception as exc:  # zstandard raises its own error type
                yield Rejected(f"{name}:{lineno + 1}", "truncated",
                               f"cannot decompress ({type(exc).__name__}: {exc}); the rest of the file is skipped",
                               f"{where}:{lineno + 1}")
                return
            if not raw:
                return
            lineno += 1
            origin = f"{where}:{lineno}"
            if len(raw) > limits.max_line_bytes:
                yield Rejected(f"{name}:{lineno}", "too-large",
                               f"line longer than {limits.max_line_bytes} bytes (max_line_bytes)", origin)
                continue
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            try:
                yield _parse_line(raw, f"{name}:{lineno}", origin, limits, fields)
            except DocumentError as bad:
                yield Rejected(_id_hint(raw, fields.id) or f"{name}:{lineno}", bad.reason, bad.message, origin)
    finally:
        if path != "-":
            stream.close()


def _id_hint(raw: bytes, key: str = "id") -> str | None:
    """The id of a rejected line when it can be recovered, so the input stays accounted for."""
    try:
        obj = json.loads(raw.decode("utf-8", "replace"))  # a bad byte elsewhere in the line spoils nothing
    except ValueError:
        return None
    return id_hint(obj, key) if isinstance(obj, dict) else None


def id_hint(obj: Mapping[str, Any], key: str = "id") -> str | None:
    """The usable id of a record (a string or integer, valid UTF-8), or None."""
    value = obj.get(key)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        doc_id = str(value)
        try:
            doc_id.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return doc_id if doc_id and "\ufffd" not in doc_id else None
    return None


def read_inputs(inputs: Sequence[str | os.PathLike[str]], limits: Limits | None = None,
                fields: FieldMap | None = None, *, skipped: Counter[str] | None = None
                ) -> Iterator[Document | Rejected]:
    """Documents and rejections from every input, in input order.

    Raises :class:`InputError` up front for a path that does not exist or has
    an unknown format (a wrong invocation), and :class:`MissingDependencyError`
    for a Parquet or WARC input whose optional package is not installed;
    everything else is a rejection. A second document with an id already seen
    is rejected (``duplicate-id``). ``fields`` maps JSONL keys and Parquet
    columns to document fields; records that are not documents (WARC requests,
    metadata, non-HTML responses) are counted by kind in ``skipped``.
    """
    limits = limits or Limits()
    fields = fields or FieldMap()
    skipped = Counter() if skipped is None else skipped
    specs = [(str(p), input_kind(str(p))) for p in inputs]
    for path, kind in specs:
        if kind in ("parquet", "warc"):
            _require(kind, path)
    seen: dict[str, str] = {}
    for unit in _units(specs):
        items = iter([unit]) if isinstance(unit, Rejected) else read_unit(unit, limits, fields, skipped)
        for item in items:
            if isinstance(item, Document):
                first = seen.get(item.id)
                if first is not None:
                    yield Rejected(item.id, "duplicate-id", f"id {item.id!r} already used at {first}", item.origin)
                    continue
                seen[item.id] = item.origin
            yield item


def _units(specs: Sequence[tuple[str, str]]) -> Iterator[InputUnit | Rejected]:
    for path, kind in specs:
        if kind == "dir":
            yield from _walk_units(Path(path))
        else:
            yield InputUnit(kind, path)


def input_units(inputs: Sequence[str | os.PathLike[str]]) -> Iterator[InputUnit | Rejected]:
    """The files :func:`read_inputs` reads, in its order, as :class:`InputUnit`; and the
    rejections of directory entries that cannot be read, in their place.

    Raises as :func:`read_inputs` does, up front. Reading each unit with
    :func:`read_unit`, in order, and rejecting a second document with an id
    already seen (``duplicate-id``) gives what :func:`read_inputs` gives.
    """
    specs = [(str(p), input_kind(str(p))) for p in inputs]
    for path, kind in specs:
        if kind in ("parquet", "warc"):
            _require(kind, path)
    return _units(specs)


def _require(kind: str, path: str) -> None:
    """Raise MissingDependencyError, naming the extra to install, when ``kind``'s reader is missing."""
    if kind == "parquet":
        from .formats.parquet import require_pyarrow

        require_pyarrow(f"reading {path}")
    else:
        from .formats.warc import require_fastwarc

        require_fastwarc(f"reading {path}")
