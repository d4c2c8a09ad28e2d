"""The Redis backend of :class:`dedupe.Index`: several writers on several machines.

``Index.open("redis://host:port/db", config)`` (``?prefix=NAME`` keeps several
indexes in one database; default ``dedupe``). Needs the ``redis`` package:
``pip install 'news-dedupe[redis]'``.

Several writers: a lock, and a fenced, all-or-nothing commit
----------------------------------------------------------------
An add reads much of the index (band key entries, stored texts, pairs,
components), verifies, and writes what it found; two adds that interleave
could each miss the other's documents (a pair never found) or re-cluster one
component two ways. So writers take turns, and each add commits whole:

1. **A Redis lock** (``PREFIX:lock``, ``SET NX PX`` with a random token, as
   redis-py's :class:`redis.lock.Lock`) is held for the whole add. Its
   time-to-live (:data:`LOCK_TTL_S`) is renewed by a thread while the add runs,
   so a writer killed with ``kill -9`` holds it at most that long. Waiting
   writers poll it for up to :data:`dedupe._index_store.WRITER_WAIT_S`.
2. **Writes are buffered** in the writer (reads inside the add see them) and
   sent at the end in **one MULTI/EXEC transaction**: a writer killed before
   EXEC leaves nothing behind; Redis runs EXEC whole.
3. **Fencing with WATCH.** The writer WATCHes ``PREFIX:meta`` when it has the
   lock, and every commit changes the generation stored there. Should a lock
   expire under a writer (a pause longer than the TTL) and another writer
   commit, the first one's EXEC fails: nothing of it is written, and the add
   raises :class:`dedupe.DedupeError` (run it again). So two adds never both
   commit from the same state: nothing is lost, nothing is stored twice, and
   adds one after the other give the clusters of one batch run.

Why not WATCH/MULTI alone (optimistic, no lock)? An add reads thousands of
keys over seconds to minutes; two writers would often collide and one would
redo all of its verification, again and again under load. The lock makes
them wait instead; WATCH only guards against a lost lock.

Readers (``query``, ``clusters``, ``stats``) take no lock: they read the
generation before and after, and read again when a commit came in between
(:meth:`RedisStorage.snapshot`), so they see whole states only.

Layout (``P`` the prefix): ``P:meta`` (hash: format, layout version,
parameters, generation, next document number), ``P:ids`` (hash: id →
number), ``P:h:N`` and ``P:c:N`` (document N's small fields, and its stored
text and learned-furniture input: a binary record each), ``P:x:FIELD:VALUE``
(sets of numbers: the documents by exact-copy digest, representative,
component and outlet), ``P:k:KEY`` (a band key's entries: 12 bytes each,
number and aux), ``P:p:N`` (hash: document N's candidate pairs and links),
``P:clusters`` (hash: id → record).
"""

from __future__ import annotations

import json
import struct
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np

from . import __version__
from .errors import DedupeError, IndexFormatError, MissingDependencyError
from ._index_store import BYTES_FIELDS, DOC_FIELDS, ENTRY, FORMAT, FORMAT_VERSION, INT_FIELDS, WRITER_WAIT_S, \
    Storage, Transaction, chunks, pack_entries, unpack_entries, without_entries

__all__ = ["RedisStorage"]

T = TypeVar("T")

#: Seconds a writer's lock lives without renewal (renewed every third of it while the add runs).
LOCK_TTL_S = 30
# Keys per MGET/MSET/pipeline round trip.
_BATCH = 2000
# How many times a reader reads again when writers keep committing during its reads.
_SNAPSHOT_TRIES = 20
_SOCKET_TIMEOUT_S = 600

# A document's fields in two records: what the index reads often, and the bulky rest.
_HOT = ("id", "added", "published", "outlet", "lzero", "state", "tokens", "comparable", "free", "digest", "loose",
        "rep", "comp", "cluster")
_COLD = ("doc", "lkeys", "shapes", "text", "fchanges")
assert set(_HOT) | set(_COLD) == set(DOC_FIELDS)
_INDEXED = ("digest", "rep", "comp", "outlet")


def _import_redis() -> Any:
    try:
        import redis
    except ImportError as exc:
        raise MissingDependencyError("redis", "redis", "An index on Redis (redis://)") from exc
    return redis


# ----------------------------------------------------------------------------- records


def _encode(row: Mapping[str, Any], fields: Sequence[str]) -> bytes:
    """One binary record of ``fields``: per field None, an int, a str or bytes."""
    out = bytearray()
    for f in fields:
        v = row.get(f)
        if v is None:
            out += b"n"
        elif f in INT_FIELDS:
            out += b"i" + struct.pack("<q", int(v))
        else:
            data = bytes(v) if f in BYTES_FIELDS else v.encode("utf-8", "surrogatepass")
            out += b"b" + struct.pack("<I", len(data)) + data
    return bytes(out)


def _decode(blob: bytes, fields: Sequence[str], into: dict[str, Any]) -> None:
    at = 0
    for f in fields:
        tag = blob[at:at + 1]
        at += 1
        if tag == b"n":
            into[f] = None
        elif tag == b"i":
            into[f] = struct.unpack_from("<q", blob, at)[0]
            at += 8
        else:
            (n,) = struct.unpack_from("<I", blob, at)
            data = blob[at + 4:at + 4 + n]
            at += 4 + n
            into[f] = data if f in BYTES_FIELDS else data.decode("utf-8", "surrogatepass")


class _Writes:
    """What a writer has written so far (sent in one transaction at the end)."""

    def __init__(self, generation: str, next_num: int) -> None:
        self.generation = generation
        self.next_num = next_num
        self.rows: dict[int, dict[str, Any] | None] = {}  # whole rows of touched documents; None: deleted
        self.cold: set[int] = set()  # rows whose bulky record changed
        self.loaded: set[int] = set()  # rows whose bulky fields are in ``rows`` (else only the small ones)
        self.sets: dict[str, tuple[set[int], set[int]]] = {}  # key -> (added, removed)
        self.hashes: dict[str, dict[str, str | None]] = {}  # key -> field -> value (None: deleted)
        self.keys: dict[bytes, bytes | None] = {}  # band key -> its entries, replaced whole
        self.adds: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # entries appended, not yet merged


class RedisStorage(Storage):
    """An index in a Redis database (see the module docstring)."""

    def __init__(self, client: Any, url: str, prefix: str) -> None:
        self.r = client
        self.where = url
        self.p = prefix
        self._w: _Writes | None = None
        self._redis = _import_redis()

    @classmethod
    def connect(cls, url: str, create: bool = True) -> "RedisStorage":
        redis = _import_redis()
        parts = urlsplit(url)
        prefix = (parse_qs(parts.query).get("prefix") or ["dedupe"])[0]
        plain = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        try:
            client = redis.Redis.from_url(plain, socket_connect_timeout=5, socket_timeout=_SOCKET_TIMEOUT_S)
            client.ping()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise DedupeError(f"{url}: cannot reach the Redis server ({exc}); start it, or check the host, port "
                              f"and database number (redis://host:port/db)") from exc
        except (ValueError, redis.exceptions.RedisError) as exc:
            raise IndexFormatError(f"{url}: not a usable Redis URL or server ({exc}); expected redis://host:port/db")
        store = cls(client, url, prefix)
        store._check()
        return store

    def _k(self, *parts: Any) -> str:
        return ":".join((self.p, *map(str, parts)))

    def _check(self) -> None:
        """Refuse what is not a dedupe index under this prefix (and never write to it)."""
        redis = self._redis
        meta = self._k("meta")
        try:
            kind = self.r.type(meta).decode()
            if kind == "none":
                if self.r.exists(self._k("ids"), self._k("clusters")):
                    raise IndexFormatError(f"{self.where}: keys of prefix {self.p!r} are there but no {meta!r}: "
                                           f"not a dedupe index or damaged; nothing was changed")
                return
            if kind != "hash":
                raise IndexFormatError(f"{self.where}: {meta!r} is a Redis {kind}, not a dedupe index; nothing "
                                       f"was changed (give another ?prefix=)")
            fmt, version = self.r.hmget(meta, "format", "format_version")
        except redis.exceptions.ResponseError as exc:
            raise IndexFormatError(f"{self.where}: {exc}") from exc
        if fmt != FORMAT.encode():
            raise IndexFormatError(f"{self.where}: {meta!r} is not a dedupe index's; nothing was changed "
                                   f"(give another ?prefix=)")
        if version != str(FORMAT_VERSION).encode():
            raise IndexFormatError(f"{self.where}: a dedupe index of layout version {version!r}; this dedupe "
                                   f"({__version__}) reads version {FORMAT_VERSION}")

    # ---------------------------------------------------------------- lifecycle and transactions

    def params(self) -> dict[str, Any] | None:
        raw = self.r.hget(self._k("meta"), "params")
        return None if raw is None else json.loads(raw)

    def initialise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        redis = self._redis
        meta = self._k("meta")
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(meta)
                    if not pipe.exists(meta):
                        pipe.multi()
                        pipe.hset(meta, mapping={"format": FORMAT, "format_version": str(FORMAT_VERSION),
                                                 "params": json.dumps(params, sort_keys=True),
                                                 "created_by": __version__, "generation": "0", "next": "1"})
                        pipe.execute()
                    break
                except redis.WatchError:  # another process created it first: use theirs
                    continue
        self._check()
        stored = self.params()
        assert stored is not None
        return stored

    def close(self) -> None:
        self.r.close()

    def generation(self) -> str:
        if self._w is not None:
            return self._w.generation
        return (self.r.hget(self._k("meta"), "generation") or b"0").decode()

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        redis = self._redis
        lock = self.r.lock(self._k("lock"), timeout=LOCK_TTL_S, sleep=0.05, blocking_timeout=WRITER_WAIT_S,
                           thread_local=False)
        if not lock.acquire():
            raise DedupeError(f"{self.where}: another writer has held the index for {WRITER_WAIT_S} s; try again "
                              f"when it is done")
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(LOCK_TTL_S / 3):
                try:
                    lock.reacquire()
                except redis.RedisError:
                    return  # lost: the fence below refuses the commit

        renewer = threading.Thread(target=renew, name="dedupe-index-lock", daemon=True)
        renewer.start()
        tx = Transaction()
        try:
            with self.r.pipeline(transaction=True) as pipe:
                pipe.watch(self._k("meta"))
                gen, nxt = pipe.hmget(self._k("meta"), "generation", "next")
                self._w = _Writes(gen.decode(), int(nxt))
                yield tx
                tx.generation = self._commit(pipe)
        except redis.WatchError as exc:
            raise DedupeError(f"{self.where}: another writer committed while this add held the lock (it ran "
                              f"longer than the lock's {LOCK_TTL_S} s without renewing it); nothing of this "
                              f"add was written: run it again") from exc
        finally:
            self._w = None
            stop.set()
            renewer.join()
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass

    def snapshot(self, fn: Callable[[], T]) -> T:
        if self._w is not None:
            return fn()
        for _ in range(_SNAPSHOT_TRIES):
            before = self.generation()
            try:
                out = fn()
            except Exception:
                if self.generation() != before:
                    continue  # read across a commit: read again
                raise
            if self.generation() == before:
                return out
        raise DedupeError(f"{self.where}: writers committed during each of {_SNAPSHOT_TRIES} reads; try again")

    def _commit(self, pipe: Any) -> str:
        w = self._w
        assert w is not None
        self._merge_adds()
        # The values of the keys that get entries appended: read now (under the lock and the fence).
        keys = list(w.keys.items())
        gen = str(int(w.generation) + 1)
        pipe.multi()
        for part in chunks(keys, _BATCH):
            present = {k: v for k, v in part if v}
            if present:
                pipe.mset(present)
            gone = [k for k, v in part if not v]
            if gone:
                pipe.delete(*gone)
        for num, row in w.rows.items():
            if row is None:
                pipe.delete(self._k("h", num), self._k("c", num))
            else:
                pipe.set(self._k("h", num), _encode(row, _HOT))
                if num in w.cold:
                    pipe.set(self._k("c", num), _encode(row, _COLD))
        for key, (added, removed) in w.sets.items():
            if removed:
                pipe.srem(key, *removed)
            if added:
                pipe.sadd(key, *added)
        for key, fields in w.hashes.items():
            gone = [f for f, v in fields.items() if v is None]
            if gone:
                pipe.hdel(key, *gone)
            kept = {f: v for f, v in fields.items() if v is not None}
            if kept:
                pipe.hset(key, mapping=kept)
        pipe.hset(self._k("meta"), mapping={"generation": gen, "next": str(w.next_num)})
        pipe.execute()
        return gen

    # ---------------------------------------------------------------- documents

    def _fetch(self, nums: Sequence[int], groups: Sequence[str]) -> dict[int, dict[str, Any]]:
        """Rows of stored documents (not those of the writes) with the fields of ``groups``."""
        out: dict[int, dict[str, Any]] = {}
        for part in chunks(nums, _BATCH):
            rows: dict[int, dict[str, Any]] = {n: {} for n in part}
            for group in groups:
                fields = _HOT if group == "h" else _COLD
                for n, blob in zip(part, self.r.mget([self._k(group, n) for n in part])):
                    if blob is None:
                        rows.pop(n, None)
                    elif n in rows:
                        _decode(blob, fields, rows[n])
            out.update(rows)
        return out

    def _whole(self, nums: Iterable[int], cold: bool = False) -> dict[int, dict[str, Any]]:
        """Rows of documents taken into the writes (to be changed): their small fields, and their
        bulky ones too when ``cold``."""
        w = self._w
        assert w is not None, "a write outside writing()"
        nums = list(nums)
        missing = sorted({n for n in nums if n not in w.rows})
        w.rows.update(self._fetch(missing, ("h",)))
        if cold:
            self._load_cold([n for n in nums if w.rows.get(n) is not None])
        return {n: row for n in nums if (row := w.rows.get(n)) is not None}

    def _load_cold(self, nums: Iterable[int]) -> None:
        w = self._w
        assert w is not None
        need = sorted({n for n in nums if n not in w.loaded})
        for n, row in self._fetch(need, ("c",)).items():
            w.rows[n].update(row)  # type: ignore[union-attr]
        w.loaded.update(need)

    def get(self, nums: Iterable[int], fields: Sequence[str]) -> dict[int, tuple]:
        nums = sorted(set(nums))
        out: dict[int, tuple] = {}
        w = self._w
        if w is not None:
            mine = [n for n in nums if n in w.rows]
            if any(f in _COLD for f in fields):
                self._load_cold([n for n in mine if w.rows[n] is not None])
            for n in mine:
                row = w.rows[n]
                if row is not None:
                    out[n] = tuple(row.get(f) for f in fields)
            nums = [n for n in nums if n not in w.rows]
        groups = [g for g, fs in (("h", _HOT), ("c", _COLD)) if any(f in fs for f in fields)]
        for n, row in self._fetch(nums, groups).items():
            out[n] = tuple(row.get(f) for f in fields)
        return out

    def _index_key(self, field: str, value: Any) -> str:
        if field == "digest":
            return self._k("x", field, bytes(value).hex())
        if field == "outlet" and value is None:
            return self._k("x", "nooutlet")
        return self._k("x", field, value)

    def _set_add(self, key: str, num: int, add: bool = True) -> None:
        assert self._w is not None
        added, removed = self._w.sets.setdefault(key, (set(), set()))
        if add:
            added.add(num)
            removed.discard(num)
        else:
            removed.add(num)
            added.discard(num)

    def _reindex(self, num: int, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
        for f in _INDEXED:
            a, b = (old or {}).get(f), (new or {}).get(f)
            was, now = old is not None and (a is not None or f == "outlet"), \
                new is not None and (b is not None or f == "outlet")
            if was and (not now or a != b):
                self._set_add(self._index_key(f, a), num, add=False)
            if now and (not was or a != b):
                self._set_add(self._index_key(f, b), num)

    def _hset(self, key: str, field: str, value: str | None) -> None:
        assert self._w is not None
        self._w.hashes.setdefault(key, {})[field] = value

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        w = self._w
        assert w is not None, "a write outside writing()"
        nums = list(range(w.next_num, w.next_num + len(rows)))
        w.next_num += len(rows)
        for n, r in zip(nums, rows):
            row = {f: r.get(f) for f in DOC_FIELDS}
            w.rows[n] = row
            w.cold.add(n)
            w.loaded.add(n)
            self._reindex(n, None, row)
            self._hset(self._k("ids"), row["id"], str(n))
        return nums

    def update(self, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        cold = any(f in _COLD for f in fields)
        whole = self._whole([r[-1] for r in rows], cold)
        for r in rows:
            num = r[-1]
            row = whole.get(num)
            if row is None:
                continue
            old = {f: row.get(f) for f in _INDEXED}
            row.update(zip(fields, r[:-1]))
            self._reindex(num, old, row)
            if cold:
                self._w.cold.add(num)  # type: ignore[union-attr]

    def delete(self, nums: Iterable[int]) -> None:
        w = self._w
        assert w is not None
        for num, row in self._whole(list(nums)).items():
            self._reindex(num, row, None)
            self._hset(self._k("ids"), row["id"], None)
            w.rows[num] = None

    def _hash(self, key: str, fields: Sequence[str] | None = None) -> dict[str, str | None]:
        """A hash's fields (all, or ``fields``), with the writes."""
        if fields is None:
            out = {k.decode("utf-8", "surrogatepass"): v.decode("utf-8", "surrogatepass")
                   for k, v in self.r.hgetall(key).items()}
        else:
            out = {}
            for part in chunks(list(fields), _BATCH):
                for f, v in zip(part, self.r.hmget(key, part)):
                    if v is not None:
                        out[f] = v.decode("utf-8", "surrogatepass")
        if self._w is not None:
            for f, v in self._w.hashes.get(key, {}).items():
                if fields is None or f in fields:
                    out[f] = v
        return {f: v for f, v in out.items() if v is not None}

    def nums_of_ids(self, ids: Iterable[str]) -> dict[str, int]:
        return {i: int(n) for i, n in self._hash(self._k("ids"), sorted(set(ids))).items()}  # type: ignore[arg-type]

    def all_nums(self) -> list[int]:
        return sorted(int(n) for n in self._hash(self._k("ids")).values())  # type: ignore[arg-type]

    def with_value(self, field: str, values: Iterable[Any]) -> list[int]:
        if field not in _INDEXED:
            raise ValueError(f"{field!r} is not an indexed field: expected one of {_INDEXED}")
        keys = [self._index_key(field, v) for v in values]
        out: set[int] = set()
        for part in chunks(keys, _BATCH):
            pipe = self.r.pipeline(transaction=False)
            for k in part:
                pipe.smembers(k)
            for k, members in zip(part, pipe.execute()):
                found = {int(m) for m in members}
                if self._w is not None and k in self._w.sets:
                    added, removed = self._w.sets[k]
                    found = (found - removed) | added
                out |= found
        return sorted(out)

    # ---------------------------------------------------------------- band key entries

    def _bkey(self, key: int) -> bytes:
        """The Redis key of a band key (given as a signed 64-bit integer)."""
        return self.p.encode() + b":k:" + struct.pack("<q", key)

    def _merge_adds(self, only: np.ndarray | None = None) -> None:
        """Fold appended entries (of the band keys ``only``, or all) into the replaced values."""
        w = self._w
        assert w is not None
        if not w.adds:
            return
        k = np.concatenate([a[0] for a in w.adds])
        n = np.concatenate([a[1] for a in w.adds])
        x = np.concatenate([a[2] for a in w.adds])
        take = np.ones(len(k), dtype=bool) if only is None else np.isin(k, only)
        w.adds = [(k[~take], n[~take], x[~take])] if (~take).any() else []
        if not take.any():
            return
        uniq, blobs = pack_entries(k[take], n[take], x[take])
        names = [self._bkey(u) for u in uniq.tolist()]
        current = self._values(names)
        for name, blob in zip(names, blobs):
            w.keys[name] = (current.get(name) or b"") + blob

    def _values(self, names: Sequence[bytes]) -> dict[bytes, bytes | None]:
        """Band keys' stored entries, with the writes' replaced values."""
        out: dict[bytes, bytes | None] = {}
        w = self._w
        fetch = [nm for nm in names if w is None or nm not in w.keys]
        for part in chunks(fetch, _BATCH * 5):
            out.update(zip(part, self.r.mget(part)))
        if w is not None:
            out.update({nm: w.keys[nm] for nm in names if nm in w.keys})
        return out

    def add_entries(self, keys: np.ndarray, nums: np.ndarray, aux: np.ndarray) -> None:
        assert self._w is not None, "a write outside writing()"
        self._w.adds.append((np.asarray(keys, dtype=np.uint64), np.asarray(nums, dtype=np.int64),
                             np.asarray(aux, dtype=np.uint64)))

    def remove_entries(self, keys: np.ndarray, nums: np.ndarray) -> None:
        w = self._w
        assert w is not None, "a write outside writing()"
        keys = np.asarray(keys, dtype=np.uint64)
        uniq = np.unique(keys)
        self._merge_adds(uniq)
        signed = uniq.view(np.int64).tolist()
        names = [self._bkey(u) for u in signed]
        values = self._values(names)
        present = [(u, values[nm]) for u, nm in zip(signed, names) if values.get(nm)]
        for key, kept in without_entries([u for u, _ in present], [v for _, v in present], keys, nums):
            w.keys[self._bkey(key)] = kept

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        uniq = np.unique(np.asarray(keys, dtype=np.uint64))
        if self._w is not None:
            self._merge_adds(uniq)
        signed = uniq.view(np.int64).tolist()
        names = [self._bkey(u) for u in signed]
        values = self._values(names)
        present = [(u, values[nm]) for u, nm in zip(signed, names) if values.get(nm)]
        order = sorted(range(len(present)), key=lambda j: present[j][0])
        return unpack_entries([present[j][0] for j in order], [present[j][1] for j in order])  # type: ignore[misc]

    def _scan(self, pattern: bytes | str) -> Iterator[bytes]:
        yield from self.r.scan_iter(match=pattern, count=1000)

    def entries(self) -> list[tuple[int, int, int]]:
        names = list(self._scan(self.p.encode() + b":k:*"))
        rows = sorted((struct.unpack("<q", nm[-8:])[0], v) for nm, v in self._values(names).items() if v)
        k, n, a = unpack_entries([r[0] for r in rows], [r[1] for r in rows])
        return list(zip(k.view(np.int64).tolist(), n.tolist(), a.view(np.int64).tolist()))

    # ---------------------------------------------------------------- pairs and clusters

    def _pairs_hash(self, num: int) -> str:
        return self._k("p", num)

    def put_pairs(self, rows: Sequence[tuple[int, int, str | None]]) -> None:
        for a, b, link in rows:  # on both sides; "a"/"b": which side this document is
            self._hset(self._pairs_hash(a), str(b), "a" + (link or ""))
            self._hset(self._pairs_hash(b), str(a), "b" + (link or ""))

    def _pairs_raw(self, nums: Sequence[int]) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for part in chunks(nums, _BATCH):
            pipe = self.r.pipeline(transaction=False)
            for n in part:
                pipe.hgetall(self._pairs_hash(n))
            for n, got in zip(part, pipe.execute()):
                fields: dict[str, str | None] = {k.decode(): v.decode("utf-8", "surrogatepass")
                                                 for k, v in got.items()}
                if self._w is not None:
                    fields.update(self._w.hashes.get(self._pairs_hash(n), {}))
                out[n] = {f: v for f, v in fields.items() if v is not None}
        return out

    def drop_pairs(self, nums: Iterable[int]) -> None:
        nums = sorted(set(nums))
        for n, fields in self._pairs_raw(nums).items():
            for other in fields:
                self._hset(self._pairs_hash(int(other)), str(n), None)
                self._hset(self._pairs_hash(n), other, None)

    def pairs_of(self, nums: Iterable[int], links_only: bool = False) -> set[tuple[int, int, str | None]]:
        out: set[tuple[int, int, str | None]] = set()
        for n, fields in self._pairs_raw(sorted(set(nums))).items():
            for other, value in fields.items():
                link = value[1:] or None
                if links_only and link is None:
                    continue
                out.add((n, int(other), link) if value[0] == "a" else (int(other), n, link))
        return out

    def put_clusters(self, records: Mapping[str, str]) -> None:
        for i, r in records.items():
            self._hset(self._k("clusters"), i, r)

    def drop_clusters(self, ids: Iterable[str]) -> None:
        for i in ids:
            self._hset(self._k("clusters"), i, None)

    def cluster_records(self) -> list[str]:
        return list(self._hash(self._k("clusters")).values())  # type: ignore[arg-type]

    # ---------------------------------------------------------------- derived

    def sizes(self) -> dict[str, int]:
        pairs = links = 0
        names = [name.decode() for name in self._scan(self._k("p", "*"))]
        for fields in self._pairs_raw([int(nm.rsplit(":", 1)[1]) for nm in names]).values():
            for value in fields.values():
                if value[0] == "a":
                    pairs += 1
                    links += len(value) > 1
        entries = 0
        for part in chunks(list(self._scan(self.p.encode() + b":k:*")), _BATCH):
            pipe = self.r.pipeline(transaction=False)
            for nm in part:
                pipe.strlen(nm)
            entries += sum(pipe.execute()) // ENTRY.itemsize
        return {"clusters": self.r.hlen(self._k("clusters")), "candidate_pairs": pairs, "links": links,
                "band_key_entries": entries, "bytes": int(self.r.info("memory")["used_memory"])}
