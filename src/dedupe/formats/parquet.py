"""Parquet input (pyarrow, extra ``parquet``): one row per document, read one row group at a time.

The columns are the document fields, named as in JSONL (``id``, ``text`` or
``html``, ``url``, ``title``, ``published``, ``source``, ``meta``), or mapped with
:class:`~dedupe.config.FieldMap` (``--text-field content`` for a ``content``
column). Only those columns are read, so a file's other columns (embeddings,
token counts) cost nothing. Memory is bounded by one row group's columns:
rows are taken from each row group in batches of 1,024.

Values go through the same checks as a JSONL line
(:func:`dedupe.readers.record_document`), with these conversions: an integer
``id`` becomes its decimal string; a date or timestamp ``published`` becomes its
ISO form; ``meta`` may be a struct, a map, or a string holding a JSON object,
and its values are made JSON (dates as ISO strings, bytes as hex); a binary
``text``/``html`` must be UTF-8.

Positions are 1-based row numbers in the file: a row without an id gets
``<name>:<row>``, and origins are ``<path>:<row>``. A file that is not Parquet
(or has a damaged footer) is one ``malformed-parquet`` row; a row group that
cannot be decoded is one ``malformed-parquet`` row naming its rows, and the
next row group is read. A file with neither the text nor the html column is
one ``bad-field`` row that lists its columns. Reading stops past
``max_decompressed_bytes`` of row-group data (uncompressed sizes from the
file's metadata).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import logging
from typing import Any, Iterator

from ..config import FieldMap, Limits
from ..records import Document, Rejected
from ..errors import DocumentError, MissingDependencyError
from ..readers import id_hint, path_text, record_document

__all__ = ["read_parquet", "require_pyarrow"]

logger = logging.getLogger(__name__)

_BATCH_ROWS = 1024
_OTHER_FIELDS = ("title", "published", "source", "meta")


def require_pyarrow(purpose: str) -> Any:
    """The ``pyarrow.parquet`` module, or MissingDependencyError naming ``pip install 'news-dedupe[parquet]'``."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet", purpose) from None
    return pq


def read_parquet(path: str, name: str, limits: Limits, fields: FieldMap) -> Iterator[Document | Rejected]:
    """The rows of a Parquet file as documents, in file order (see the module doc)."""
    pq = require_pyarrow(f"reading {path}")
    where = path_text(path)
    try:
        pf = pq.ParquetFile(path)
        columns = pf.schema_arrow.names
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            yield Rejected(name, "unreadable", f"cannot open: {exc.strerror or exc}", where)
        else:
            yield Rejected(name, "malformed-parquet", f"not a readable Parquet file ({exc})", where)
        return
    except Exception as exc:  # pyarrow.ArrowInvalid and relatives
        yield Rejected(name, "malformed-parquet", f"not a readable Parquet file ({exc})", where)
        return
    with pf:
        if fields.text not in columns and fields.html not in columns:
            yield Rejected(name, "bad-field", f"no '{fields.text}' or '{fields.html}' column (columns: "
                           f"{', '.join(columns[:20])}{', ...' if len(columns) > 20 else ''}); name the text column "
                           "with --text-field or the HTML column with --html-field", where)
            return
        wanted = [c for c in dict.fromkeys((fields.id, fields.text, fields.html, fields.url) + _OTHER_FIELDS)
                  if c in columns]
        row = 0
        total = 0
        for group in range(pf.num_row_groups):
            meta = pf.metadata.row_group(group)
            first, last = row + 1, row + meta.num_rows
            total += meta.total_byte_size
            if total > limits.max_decompressed_bytes:
                yield Rejected(f"{name}:{first}", "too-large", f"row group {group} (rows {first}-{last}): the row "
                               f"groups so far exceed {limits.max_decompressed_bytes} bytes uncompressed "
                               "(max_decompressed_bytes); the rest of the file is skipped", f"{where}:{first}")
                return
            try:
                for batch in pf.iter_batches(batch_size=_BATCH_ROWS, row_groups=[group], columns=wanted,
                                             use_threads=False):
                    for obj in batch.to_pylist():
                        row += 1
                        yield _row_document(obj, f"{name}:{row}", f"{where}:{row}", limits, fields)
            except Exception as exc:  # a damaged page or column chunk
                if row < last:
                    yield Rejected(f"{name}:{row + 1}", "malformed-parquet",
                                   f"row group {group} cannot be decoded from row {row + 1} ({type(exc).__name__}: "
                                   f"{exc}); rows {row + 1}-{last} are skipped", f"{where}:{row + 1}")
                row = last


def _row_document(obj: dict[str, Any], position: str, origin: str, limits: Limits,
                  fields: FieldMap) -> Document | Rejected:
    try:
        return record_document(_plain(obj, fields), position, limits, fields, origin=origin)
    except DocumentError as bad:
        hint = None
        try:
            hint = id_hint(obj, fields.id)
        except Exception:
            pass
        return Rejected(hint or position, bad.reason, bad.message, origin)


def _plain(obj: dict[str, Any], fields: FieldMap) -> dict[str, Any]:
    """A row's values as JSONL would carry them (see the module doc), or raise
    :class:`~dedupe.errors.DocumentError`."""
    out = dict(obj)
    for key in (fields.text, fields.html):
        value = out.get(key)
        if isinstance(value, (bytes, bytearray)):
            try:
                out[key] = bytes(value).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DocumentError("encoding", f"'{key}' is not valid UTF-8 (byte {exc.start})") from None
    published = out.get("published")
    if isinstance(published, (_dt.date, _dt.datetime)):
        out["published"] = published.isoformat()
    meta = out.get("meta")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            raise DocumentError("bad-field", "'meta' is a string that does not hold a JSON object") from None
    if isinstance(meta, list) and all(isinstance(kv, tuple) and len(kv) == 2 for kv in meta):  # a Parquet map
        meta = {str(k): v for k, v in meta}
    if isinstance(meta, dict):
        meta = {str(k): _jsonable(v) for k, v in meta.items()}
    out["meta"] = meta
    return out


def _jsonable(value: Any) -> Any:
    """A value that ``json.dumps`` can write, the same for the same input.

    >>> _jsonable({"at": _dt.date(2024, 4, 12), "raw": b"\\x01", "n": decimal.Decimal("1.5"), "l": (1, 2)})
    {'at': '2024-04-12', 'raw': '01', 'n': '1.5', 'l': [1, 2]}
    """
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)
