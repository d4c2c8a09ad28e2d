"""Where a :class:`dedupe.Index` keeps its state: one storage interface, two implementations.

:class:`Storage` is everything the index asks of a backend, in the index's own
terms (documents by number, band key entries, candidate pairs, clusters, a few
named values); :mod:`dedupe.index` holds all of the logic (cleaning, learned
furniture, exact copies, candidates, verification, clustering) once, for both.

- :class:`SQLiteStorage` (here; standard library): one file, WAL, one writer
  (``BEGIN IMMEDIATE``) and any number of readers.
- :class:`dedupe._index_redis.RedisStorage` (``redis://host:port/db``, the
  ``[redis]`` extra): several writers on several machines.

Contract of a backend:

- ``writing()`` is exclusive (one writer at a time, whatever the machine) and
  atomic: everything written inside it is stored at its end, together, or
  (on an exception, or a process killed in the middle) not at all;
- ``snapshot(fn)`` runs ``fn`` (reads only) against one whole state: never
  part of a writer's work;
- inside ``writing()``, reads see the writes made so far.

Document fields (:data:`DOC_FIELDS`) are None when unset.
"""

from __future__ import annotations

import json
import os
import sqlite3
from abc import ABC, abstractmethod
from collections import Counter
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

import numpy as np

from . import __version__
from .errors import DedupeError, IndexFormatError

__all__ = ["Storage", "SQLiteStorage", "Transaction", "DOC_FIELDS", "ENTRY", "FORMAT", "FORMAT_VERSION", "open_storage"]

T = TypeVar("T")

#: What an index says it is, and the version of its layout.
FORMAT = "dedupe-index"
FORMAT_VERSION = 2  # 2: a band key's entries in one row (12 bytes each); 1 had a row per entry
_SQLITE_MAGIC = b"SQLite format 3\x00"

#: A stored document's fields (what each holds: see :mod:`dedupe.index`).
DOC_FIELDS = ("id", "added", "published", "outlet", "doc", "lkeys", "lzero", "shapes", "text", "fchanges", "state",
              "tokens", "comparable", "free", "digest", "loose", "rep", "comp", "cluster")
INT_FIELDS = frozenset({"lzero", "tokens", "comparable", "free", "rep", "comp"})
BYTES_FIELDS = frozenset({"doc", "lkeys", "shapes", "digest", "loose"})

# How long a writer waits for another to finish its add, seconds.
WRITER_WAIT_S = 600
# SQLite page cache per connection, KiB.
_CACHE_KIB = 64 << 10
# Keys per SQL statement when rows are looked up or deleted.
_SQL_CHUNK = 500


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Transaction:
    """What :meth:`Storage.writing` yields: ``generation`` is set when the writes are stored."""

    generation: str | None = None


#: A band key entry as stored: the document's number and the entry's aux (12 bytes, packed).
ENTRY = np.dtype([("num", "<i4"), ("aux", "<u8")])


def _empty_entries() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    e = np.empty(0, dtype=np.int64)
    return e.view(np.uint64), e, e.view(np.uint64)


def pack_entries(keys: np.ndarray, nums: np.ndarray, aux: np.ndarray) -> tuple[np.ndarray, list[bytes]]:
    """Entries grouped by key: the distinct keys (ascending as signed 64-bit integers) and, per key,
    its entries packed (:data:`ENTRY`), by number and aux; an entry given twice is packed once."""
    k, n, a = keys.view(np.int64), np.asarray(nums, dtype=np.int64), aux.view(np.int64)
    order = np.lexsort((a, n, k))
    k, n, a = k[order], n[order], a[order]
    keep = np.ones(len(k), dtype=bool)
    keep[1:] = (k[1:] != k[:-1]) | (n[1:] != n[:-1]) | (a[1:] != a[:-1])
    k, n, a = k[keep], n[keep], a[keep]
    packed = np.empty(len(k), dtype=ENTRY)
    packed["num"], packed["aux"] = n, a.view(np.uint64)
    data = packed.tobytes()
    uniq, start = np.unique(k, return_index=True)
    bounds = np.append(start, len(k)).tolist()
    size = ENTRY.itemsize
    return uniq, [data[size * bounds[j]:size * bounds[j + 1]] for j in range(len(uniq))]


def unpack_entries(keys: Sequence[int], blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries of packed rows (``keys`` as signed 64-bit integers), sorted by key, number and aux
    as signed 64-bit integers."""
    if not blobs:
        return _empty_entries()
    counts = np.fromiter((len(b) // ENTRY.itemsize for b in blobs), dtype=np.int64, count=len(blobs))
    k = np.repeat(np.asarray(keys, dtype=np.int64), counts)
    arr = np.frombuffer(b"".join(blobs), dtype=ENTRY)
    n, a = arr["num"].astype(np.int64), arr["aux"].view(np.int64)
    if len(k) > 1:  # rows are appended to: sort when an append came out of order
        dk, dn, da = np.diff(k), np.diff(n), np.diff(a)
        if not np.all((dk > 0) | ((dk == 0) & ((dn > 0) | ((dn == 0) & (da >= 0))))):
            order = np.lexsort((a, n, k))
            k, n, a = k[order], n[order], a[order]
    return k.view(np.uint64), n, a.view(np.uint64)


def without_entries(keys: Sequence[int], blobs: Sequence[bytes], drop_keys: np.ndarray,
                    drop_nums: np.ndarray) -> list[tuple[int, bytes | None]]:
    """The packed rows (``keys`` as signed 64-bit integers, ``blobs`` their :data:`ENTRY` entries)
    that hold an entry of a pair ``(drop_keys[j], drop_nums[j])``, each with the entries left once
    those are removed (None when none is left), in the rows' order; the others are left out. One
    sort of all the entries, not a set test per row."""
    if not len(blobs):
        return []
    size = ENTRY.itemsize
    counts = np.fromiter((len(b) // size for b in blobs), dtype=np.int64, count=len(blobs))
    arr = np.frombuffer(b"".join(blobs), dtype=ENTRY)
    ek = np.repeat(np.asarray(keys, dtype=np.int64), counts)
    k = np.concatenate([ek, np.asarray(drop_keys, dtype=np.uint64).view(np.int64)])
    n = np.concatenate([arr["num"].astype(np.int64), np.asarray(drop_nums, dtype=np.int64)])
    order = np.lexsort((n, k))
    ks, ns = k[order], n[order]
    group = np.cumsum(np.concatenate(([True], (ks[1:] != ks[:-1]) | (ns[1:] != ns[:-1])))) - 1
    hit = np.zeros(int(group[-1]) + 1 if len(group) else 0, dtype=bool)
    hit[group[order >= len(ek)]] = True  # (key, num) pairs to drop
    dropped = np.empty(len(k), dtype=bool)
    dropped[order] = hit[group]
    dropped = dropped[:len(ek)]
    row = np.repeat(np.arange(len(blobs)), counts)
    lost = np.bincount(row[dropped], minlength=len(blobs))
    left = counts - lost
    data = arr[~dropped].tobytes()
    ends = np.cumsum(left) * size
    out = []
    for j in np.flatnonzero(lost).tolist():
        out.append((int(keys[j]), data[ends[j] - left[j] * size:ends[j]] if left[j] else None))
    return out


class Storage(ABC):
    """The state of one index (see the module docstring for the contract)."""

    #: the path or URL, for messages
    where: str

    # ---------------------------------------------------------------- lifecycle and transactions

    @abstractmethod
    def params(self) -> dict[str, Any] | None:
        """The parameters the index records, or None for a new (empty) index."""

    @abstractmethod
    def initialise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Record ``params`` when no other process did first; the parameters recorded."""

    def ready(self) -> None:
        """Settings for an opened index whose parameters matched (none by default)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def writing(self) -> Any:
        """A context manager: exclusive and atomic (yields a :class:`Transaction`)."""

    @abstractmethod
    def snapshot(self, fn: Callable[[], T]) -> T:
        """``fn()`` (reads only) against one whole state of the index."""

    @abstractmethod
    def generation(self) -> str:
        """Changes at every stored write (a learned furniture model loaded before it is stale)."""

    # ---------------------------------------------------------------- documents

    @abstractmethod
    def insert(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Store new documents (fields of :data:`DOC_FIELDS`); their numbers, ascending, in order."""

    @abstractmethod
    def get(self, nums: Iterable[int], fields: Sequence[str]) -> dict[int, tuple]:
        """``num -> (field values...)`` of the stored documents among ``nums``."""

    @abstractmethod
    def update(self, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Set ``fields`` of documents: each row is ``(values..., num)``."""

    @abstractmethod
    def delete(self, nums: Iterable[int]) -> None: ...

    @abstractmethod
    def nums_of_ids(self, ids: Iterable[str]) -> dict[str, int]: ...

    @abstractmethod
    def all_nums(self) -> list[int]:
        """Every stored document's number, ascending."""

    @abstractmethod
    def with_value(self, field: str, values: Iterable[Any]) -> list[int]:
        """The documents whose ``field`` (``digest``, ``rep``, ``comp`` or ``outlet``; None for an
        outlet: no outlet) is one of ``values``, ascending."""

    # ---------------------------------------------------------------- band key entries

    @abstractmethod
    def add_entries(self, keys: np.ndarray, nums: np.ndarray, aux: np.ndarray) -> None:
        """Store band key entries ``(key, num, aux)`` (an entry stored twice is stored once)."""

    @abstractmethod
    def remove_entries(self, keys: np.ndarray, nums: np.ndarray) -> None:
        """Remove every entry of ``(key, num)``."""

    @abstractmethod
    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored entry of the given keys, as arrays ``(key, num, aux)``, sorted by key, number
        and aux as signed 64-bit integers (the order SQLite's primary key gives)."""

    @abstractmethod
    def entries(self) -> list[tuple[int, int, int]]:
        """Every stored entry ``(key, num, aux)`` as signed 64-bit integers (for checks)."""

    # ---------------------------------------------------------------- pairs and clusters

    @abstractmethod
    def put_pairs(self, rows: Sequence[tuple[int, int, str | None]]) -> None:
        """Store verified candidate pairs ``(a, b, link or None)``, replacing those stored."""

    @abstractmethod
    def drop_pairs(self, nums: Iterable[int]) -> None:
        """Remove every pair of these documents."""

    @abstractmethod
    def pairs_of(self, nums: Iterable[int], links_only: bool = False) -> set[tuple[int, int, str | None]]:
        """Every stored pair with a document of ``nums`` on either side."""

    @abstractmethod
    def put_clusters(self, records: Mapping[str, str]) -> None:
        """Store clusters: ``id -> record`` (JSON)."""

    @abstractmethod
    def drop_clusters(self, ids: Iterable[str]) -> None: ...

    @abstractmethod
    def cluster_records(self) -> list[str]: ...

    # ---------------------------------------------------------------- derived (shared by both)

    def scan(self, fields: Sequence[str], batch: int = 2000) -> Iterator[tuple]:
        """``(num, field values...)`` of every document, by number."""
        for part in chunks(self.all_nums(), batch):
            rows = self.get(part, fields)
            for n in part:
                if n in rows:
                    yield (n, *rows[n])

    def counts(self) -> dict[str, Any]:
        """What :meth:`dedupe.Index.stats` reports of the stored state."""
        live = rejected = copies = 0
        days: Counter[str] = Counter()
        for num, state, rep, added in self.scan(("state", "rep", "added")):
            days[added] += 1
            if state is None:
                live += 1
                copies += rep is not None and rep != num
            else:
                rejected += 1
        return {"documents": live, "rejected": rejected, "exact_copies": copies,
                "added_by_day": dict(sorted(days.items())), **self.sizes()}

    @abstractmethod
    def sizes(self) -> dict[str, int]:
        """clusters, candidate_pairs, links, band_key_entries, bytes."""


# ----------------------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    added TEXT NOT NULL,
    published TEXT,
    outlet TEXT,
    doc BLOB NOT NULL,
    lkeys BLOB,
    lzero INTEGER,
    shapes BLOB,
    text TEXT,
    fchanges TEXT,
    state TEXT,
    tokens INTEGER,
    comparable INTEGER,
    free INTEGER,
    digest BLOB,
    loose BLOB,
    rep INTEGER,
    comp INTEGER,
    cluster TEXT
);
CREATE INDEX docs_digest ON docs(digest);
CREATE INDEX docs_rep ON docs(rep);
CREATE INDEX docs_comp ON docs(comp);
CREATE INDEX docs_outlet ON docs(outlet);
CREATE TABLE keys (key INTEGER PRIMARY KEY, entries BLOB NOT NULL);
CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, link TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX pairs_b ON pairs(b);
CREATE TABLE clusters (id TEXT PRIMARY KEY, canonical TEXT NOT NULL, record TEXT NOT NULL);
"""

_INDEXED = frozenset({"digest", "rep", "comp", "outlet"})


def _check_fields(fields: Sequence[str]) -> None:
    bad = [f for f in fields if f not in DOC_FIELDS]
    if bad:
        raise ValueError(f"unknown document fields {bad}: expected some of {DOC_FIELDS}")


def _connect(path: str, create: bool) -> sqlite3.Connection:
    """A connection to the index file at ``path``, after checking that it is one (or creating it)."""
    p = Path(path)
    if p.exists():
        if p.is_dir():
            raise IndexFormatError(f"{path}: is a directory, not a dedupe index file")
        try:
            with open(p, "rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise IndexFormatError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
        if head != _SQLITE_MAGIC:
            what = "an empty file" if not head else "not a dedupe index (not an SQLite file)"
            raise IndexFormatError(f"{path}: {what}; give a new path to create an index, the file is left as it is")
        con = sqlite3.connect(str(p), isolation_level=None, timeout=WRITER_WAIT_S, check_same_thread=False)
        try:
            row = con.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        except sqlite3.DatabaseError as exc:
            con.close()
            raise IndexFormatError(f"{path}: not a dedupe index or damaged ({exc}); the file is left as it is") from exc
        if row is None or row[0] != FORMAT:
            con.close()
            raise IndexFormatError(f"{path}: an SQLite file that is not a dedupe index; the file is left as it is")
        version = con.execute("SELECT value FROM meta WHERE name = 'format_version'").fetchone()
        if version is None or version[0] != str(FORMAT_VERSION):
            con.close()
            raise IndexFormatError(f"{path}: a dedupe index of layout version {version and version[0]!r}; this "
                                   f"dedupe ({__version__}) reads version {FORMAT_VERSION}")
        try:
            check = con.execute("PRAGMA quick_check(1)").fetchone()
        except sqlite3.DatabaseError as exc:
            check = (str(exc),)
        if check is None or check[0] != "ok":
            con.close()
            raise IndexFormatError(f"{path}: the index is damaged ({check and check[0]}); the file is left as it is")
        con.execute("PRAGMA journal_mode=WAL")
        return con
    if not create:
        raise IndexFormatError(f"{path}: no such index")
    if not p.parent.is_dir():
        raise IndexFormatError(f"{path}: the folder {str(p.parent)!r} does not exist")
    return sqlite3.connect(str(p), isolation_level=None, timeout=WRITER_WAIT_S, check_same_thread=False)


def _has_meta(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is not None


class SQLiteStorage(Storage):
    """One SQLite file: WAL, one writer (``BEGIN IMMEDIATE``, waiting up to :data:`WRITER_WAIT_S`
    for another) and any number of readers; a transaction per add, so a process killed in the
    middle leaves the file as it was."""

    def __init__(self, path: str, create: bool = True) -> None:
        self.where = path
        self.path = path
        self.con = _connect(path, create)

    # ---------------------------------------------------------------- lifecycle and transactions

    def params(self) -> dict[str, Any] | None:
        if not _has_meta(self.con):
            return None
        row = self.con.execute("SELECT value FROM meta WHERE name = 'params'").fetchone()
        return None if row is None else json.loads(row[0])

    def initialise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        con = self.con
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("BEGIN IMMEDIATE")
        try:
            if not _has_meta(con):
                for stmt in _SCHEMA.strip().split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("format", FORMAT), ("format_version", str(FORMAT_VERSION)),
                    ("params", json.dumps(params, sort_keys=True)), ("created_by", __version__),
                    ("generation", "0")])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        stored = self.params()
        assert stored is not None
        return stored

    def ready(self) -> None:
        """Settings of an opened, checked index."""
        self.con.execute("PRAGMA synchronous=FULL")
        # Band key entries are inserted and looked up all over the keys B-tree; SQLite's default
        # 2 MB page cache re-read its pages from the OS at every add (a 3,000-document index's
        # keys table is about 30 MB).
        self.con.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        con = self.con
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DedupeError(f"{self.where}: another process has been writing to the index for "
                              f"{WRITER_WAIT_S} s ({exc}); try again when it is done") from exc
        tx = Transaction()
        try:
            yield tx
            gen = int(self.generation()) + 1
            con.execute("UPDATE meta SET value = ? WHERE name = 'generation'", (str(gen),))
            con.execute("COMMIT")
            tx.generation = str(gen)
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def snapshot(self, fn: Callable[[], T]) -> T:
        self.con.execute("BEGIN")  # one read transaction: one snapshot of the WAL
        try:
            return fn()
        finally:
            self.con.execute("COMMIT")

    def generation(self) -> str:
        return self.con.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()[0]

    # ---------------------------------------------------------------- documents

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        if not rows:
            return []
        fields = [f for f in DOC_FIELDS if any(f in r for r in rows)]
        _check_fields(fields)
        start = self.con.execute("SELECT coalesce(max(num), 0) FROM docs").fetchone()[0] + 1
        nums = list(range(start, start + len(rows)))
        self.con.executemany(f"INSERT INTO docs (num, {', '.join(fields)}) VALUES (?{', ?' * len(fields)})",
                             [(n, *(r.get(f) for f in fields)) for n, r in zip(nums, rows)])
        return nums

    def get(self, nums: Iterable[int], fields: Sequence[str]) -> dict[int, tuple]:
        _check_fields(fields)
        out: dict[int, tuple] = {}
        cols = ", ".join(fields)
        for part in chunks(sorted(set(nums)), _SQL_CHUNK):
            q = ",".join("?" * len(part))
            for row in self.con.execute(f"SELECT num, {cols} FROM docs WHERE num IN ({q})", part):
                out[row[0]] = row[1:]
        return out

    def update(self, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        _check_fields(fields)
        self.con.executemany(f"UPDATE docs SET {', '.join(f + ' = ?' for f in fields)} WHERE num = ?", rows)

    def delete(self, nums: Iterable[int]) -> None:
        for part in chunks(sorted(set(nums)), _SQL_CHUNK):
            self.con.execute(f"DELETE FROM docs WHERE num IN ({','.join('?' * len(part))})", part)

    def nums_of_ids(self, ids: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in chunks(sorted(set(ids)), _SQL_CHUNK):
            q = ",".join("?" * len(part))
            out.update(self.con.execute(f"SELECT id, num FROM docs WHERE id IN ({q})", part).fetchall())
        return out

    def all_nums(self) -> list[int]:
        return [n for (n,) in self.con.execute("SELECT num FROM docs ORDER BY num")]

    def with_value(self, field: str, values: Iterable[Any]) -> list[int]:
        if field not in _INDEXED:
            raise ValueError(f"{field!r} is not an indexed field: expected one of {sorted(_INDEXED)}")
        values = list(values)
        out: set[int] = set()
        if None in values:
            out.update(n for (n,) in self.con.execute(f"SELECT num FROM docs WHERE {field} IS NULL"))
        for part in chunks([v for v in values if v is not None], _SQL_CHUNK):
            q = ",".join("?" * len(part))
            out.update(n for (n,) in self.con.execute(f"SELECT num FROM docs WHERE {field} IN ({q})", part))
        return sorted(out)

    # ---------------------------------------------------------------- band key entries

    def add_entries(self, keys: np.ndarray, nums: np.ndarray, aux: np.ndarray) -> None:
        # One row per key, its entries appended (the caller never adds an entry that is stored:
        # a representative's entries are removed before they are added again).
        uniq, blobs = pack_entries(keys, nums, aux)
        self.con.executemany("INSERT INTO keys VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                             "entries = CAST(entries || excluded.entries AS BLOB)", zip(uniq.tolist(), blobs))

    def _rows_of(self, keys: np.ndarray) -> list[tuple[int, bytes]]:
        """The stored rows ``(key, entries)`` of these keys, by key."""
        # The keys as one JSON array, json_each outer: the keys table is searched by its primary key
        # (a plain JOIN scanned it whole), in ascending order. Half the CPU of inserting them into a
        # temporary table first (200,000 keys, 100,000 of them stored: 0.34 s against 0.62 s).
        wanted = json.dumps(np.unique(keys.view(np.int64)).tolist())
        return self.con.execute("SELECT k.key, k.entries FROM json_each(?) w CROSS JOIN keys k ON k.key = w.value",
                                (wanted,)).fetchall()

    def remove_entries(self, keys: np.ndarray, nums: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        rows = self._rows_of(keys)
        changed, gone = [], []
        for key, kept in without_entries([k for k, _ in rows], [b for _, b in rows], keys, nums):
            if kept is None:
                gone.append((key,))
            else:
                changed.append((kept, key))
        self.con.executemany("UPDATE keys SET entries = ? WHERE key = ?", changed)
        self.con.executemany("DELETE FROM keys WHERE key = ?", gone)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = self._rows_of(np.asarray(keys, dtype=np.uint64))
        return unpack_entries([k for k, _ in rows], [b for _, b in rows])

    def entries(self) -> list[tuple[int, int, int]]:
        rows = self.con.execute("SELECT key, entries FROM keys ORDER BY key").fetchall()
        k, n, a = unpack_entries([k for k, _ in rows], [b for _, b in rows])
        return list(zip(k.view(np.int64).tolist(), n.tolist(), a.view(np.int64).tolist()))

    # ---------------------------------------------------------------- pairs and clusters

    def put_pairs(self, rows: Sequence[tuple[int, int, str | None]]) -> None:
        self.con.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?)", rows)

    def drop_pairs(self, nums: Iterable[int]) -> None:
        for part in chunks(sorted(set(nums)), _SQL_CHUNK):
            q = ",".join("?" * len(part))
            self.con.execute(f"DELETE FROM pairs WHERE a IN ({q})", part)
            self.con.execute(f"DELETE FROM pairs WHERE b IN ({q})", part)

    def pairs_of(self, nums: Iterable[int], links_only: bool = False) -> set[tuple[int, int, str | None]]:
        out: set[tuple[int, int, str | None]] = set()
        cond = "link IS NOT NULL AND " if links_only else ""
        for part in chunks(sorted(set(nums)), _SQL_CHUNK):
            q = ",".join("?" * len(part))
            out.update(self.con.execute(f"SELECT a, b, link FROM pairs WHERE {cond}(a IN ({q}) OR b IN ({q}))",
                                        part + part).fetchall())
        return out

    def put_clusters(self, records: Mapping[str, str]) -> None:
        self.con.executemany("INSERT OR REPLACE INTO clusters VALUES (?, ?, ?)",
                             [(i, json.loads(r)["canonical"], r) for i, r in records.items()])

    def drop_clusters(self, ids: Iterable[str]) -> None:
        for part in chunks(sorted(set(ids)), _SQL_CHUNK):
            self.con.execute(f"DELETE FROM clusters WHERE id IN ({','.join('?' * len(part))})", part)

    def cluster_records(self) -> list[str]:
        return [r for (r,) in self.con.execute("SELECT record FROM clusters")]

    # ---------------------------------------------------------------- derived

    def scan(self, fields: Sequence[str], batch: int = 2000) -> Iterator[tuple]:
        _check_fields(fields)
        yield from self.con.execute(f"SELECT num, {', '.join(fields)} FROM docs ORDER BY num")

    def sizes(self) -> dict[str, int]:
        one = lambda sql: self.con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "clusters": one("SELECT count(*) FROM clusters"),
            "candidate_pairs": one("SELECT count(*) FROM pairs"),
            "links": one("SELECT count(*) FROM pairs WHERE link IS NOT NULL"),
            "band_key_entries": one("SELECT coalesce(sum(length(entries)), 0) FROM keys") // ENTRY.itemsize,
            "bytes": sum(os.path.getsize(self.path + s) for s in ("", "-wal") if os.path.exists(self.path + s)),
        }


def open_storage(target: str, create: bool = True) -> Storage:
    """The storage at ``target``: ``redis://host:port/db`` (the ``[redis]`` extra) or a file path
    (SQLite). Other URLs raise :class:`dedupe.IndexFormatError`."""
    if "://" in target:
        scheme = target.split("://", 1)[0].lower()
        if scheme in ("redis", "rediss", "unix"):
            from ._index_redis import RedisStorage

            return RedisStorage.connect(target, create)
        raise IndexFormatError(f"{target}: index URLs of scheme {scheme}:// are not supported: give a file path "
                               f"(SQLite) or redis://host:port/db")
    return SQLiteStorage(target, create)
