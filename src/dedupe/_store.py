"""Where a run keeps its documents and its band keys: memory while small, a temporary file once large.

A million cleaned news articles are about 3.5 GB of text, more again as
Python objects, and their sentence band keys another 7 GB; none of it is
needed all at once. :class:`DocumentStore` keeps documents in memory up to
``memory_bytes`` of text and then moves them to an unlinked temporary file,
keeping only an index (id → offset, length) in memory; :class:`KeySpill`
does the same for ``(key, owner)`` pairs, partitioned by the key's top bits
so that equal keys always meet in one partition, small enough to sort (in
memory too: sorting 256 partitions of a twelve-million-key corpus needs a
fraction of the memory of sorting them all at once).

Both files are opened unlinked (nothing is left behind, even after
``kill -9``) and read with ``os.pread``, so forked worker processes can read
the same file descriptor concurrently without sharing a file offset.
Spilling changes where bytes live, never what a reader gets back: the
output of a run does not depend on ``memory_bytes`` (tested).
"""

from __future__ import annotations

import os
import pickle
import queue
import tempfile
import threading
from collections import Counter
from typing import Iterable, Iterator, Mapping

import numpy as np

from .records import Document

__all__ = ["DocumentStore", "KeySpill", "BlobSpill", "partition_keys", "DEFAULT_MEMORY_BYTES"]

# 256 MiB of document text in memory before spilling: a 75,000-article corpus
# stays in memory (about 3.5 KB of text per news article, bbc_news and the
# generated corpora), while a million articles keep well under the 4 GB peak
# asked of issue #5.
DEFAULT_MEMORY_BYTES = 256 << 20  # RunConfig.memory_bytes has the same default


def _bump(counter: Counter[str], key: str, sign: int) -> None:
    counter[key] += sign
    if not counter[key]:
        del counter[key]


def _temp_fd(directory: str | None) -> int:
    fd, path = tempfile.mkstemp(prefix="dedupe-", suffix=".spill", dir=directory)
    os.unlink(path)
    return fd


def _pread_all(fd: int, length: int, offset: int) -> bytes:
    data = os.pread(fd, length, offset)
    while len(data) < length:  # pread may return less on some filesystems
        more = os.pread(fd, length - len(data), offset + len(data))
        if not more:
            raise OSError(f"spill file truncated at offset {offset + len(data)}")
        data += more
    return data


def write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


class _Descriptor:
    """Returns its open file descriptor ``_fd`` when collected without ``close()`` (the files
    are unlinked already, so nothing else is left to clean up)."""

    _fd = -1

    def __del__(self) -> None:
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass


class DocumentStore(_Descriptor, Mapping[str, Document]):
    """Documents by id, iterated in insertion order (a replaced document keeps its place).

    >>> s = DocumentStore(memory_bytes=0)  # spill at once
    >>> s.put(Document("a", text="x y")); s.put(Document("b", text="z"))
    >>> s["a"].text, list(s), s.spilled
    ('x y', ['a', 'b'], True)
    >>> s.close()
    """

    def __init__(self, memory_bytes: int = DEFAULT_MEMORY_BYTES, directory: str | None = None) -> None:
        self.memory_bytes = memory_bytes
        self.directory = directory
        self._mem: dict[str, Document] = {}
        self._index: dict[str, tuple[int, int]] = {}
        self._order: dict[str, None] = {}
        self._text_bytes = 0
        self._fd = -1
        self._end = 0
        #: ``meta.input_encoding`` values and ``Change.rule`` names over the stored documents.
        self.encodings: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()

    @property
    def spilled(self) -> bool:
        return self._fd >= 0

    def put(self, doc: Document) -> None:
        """Add ``doc``, or replace the document with its id."""
        if doc.id in self._order:
            old = self[doc.id]
            self._count(old, -1)
            if self._fd < 0:
                self._text_bytes -= len(old.text or "")
        self._count(doc, 1)
        self._order[doc.id] = None
        if self._fd < 0:
            self._mem[doc.id] = doc
            self._text_bytes += len(doc.text or "")
            if self._text_bytes > self.memory_bytes:
                self._spill()
            return
        self._write(doc)

    def _count(self, doc: Document, sign: int) -> None:
        enc = doc.meta.get("input_encoding") if doc.meta else None
        if enc:
            _bump(self.encodings, str(enc), sign)
        for change in doc.changes:
            _bump(self.rules, change.rule, sign)

    def _write(self, doc: Document) -> None:
        data = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        write_all(self._fd, data, self._end)
        self._index[doc.id] = (self._end, len(data))
        self._end += len(data)

    def _spill(self) -> None:
        self._fd = _temp_fd(self.directory)
        for doc in self._mem.values():
            self._write(doc)
        self._mem.clear()

    def __getitem__(self, doc_id: str) -> Document:
        if self._fd < 0:
            return self._mem[doc_id]
        offset, length = self._index[doc_id]
        return pickle.loads(_pread_all(self._fd, length, offset))

    def __delitem__(self, doc_id: str) -> None:
        self._count(self[doc_id], -1)
        del self._order[doc_id]
        if self._fd < 0:
            del self._mem[doc_id]
        else:
            del self._index[doc_id]  # the bytes stay in the file, unreferenced

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._order

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def close(self) -> None:
        """Release the spill file (the store is unusable afterwards)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._mem.clear()
        self._index.clear()
        self._order.clear()



_KEY = np.dtype("<u8")
_OWNER = np.dtype("<i4")
_AUX = np.dtype("<u8")
_PAIR_BYTES = _KEY.itemsize + _OWNER.itemsize + _AUX.itemsize
# Entries gathered before they are split into partitions: 16 MiB, about 840,000.
_FLUSH_BYTES = 16 << 20


def partition_keys(keys: np.ndarray, owners: np.ndarray, aux: np.ndarray | None = None,
                   bits: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(keys, owners, aux)`` grouped by the top ``bits`` bits of the key (order kept within a group), and
    the group bounds: group ``p`` is ``[bounds[p]:bounds[p + 1]]``. What :meth:`KeySpill.add` takes; worker
    processes call it on their own batches, so that the parent only joins slices. ``aux`` (uint64 per
    entry, see :func:`dedupe._candidates.signature_entries`) is zeros when not given."""
    keys, owners = np.asarray(keys, dtype=_KEY), np.asarray(owners, dtype=_OWNER)
    aux = np.zeros(len(keys), dtype=_AUX) if aux is None else np.asarray(aux, dtype=_AUX)
    if not bits:
        return keys, owners, aux, np.array([0, len(keys)], dtype=np.int64)
    part = (keys >> np.uint64(64 - bits)).astype(np.uint8)
    order = np.argsort(part, kind="stable")  # radix sort for 8-bit values
    bounds = np.searchsorted(part[order], np.arange((1 << bits) + 1)).astype(np.int64)
    return keys[order], owners[order], aux[order], bounds


class _BackgroundWriter:
    """``pwrite`` on a thread of its own, so that the caller goes on while the disk catches up.

    Spilled band keys are most of what a million-document run writes (about
    7 GB); written in line, the main process waited for the disk's write-back
    (180 MB/s on the development machine) while the signing workers, whose
    results it was to collect, stood idle. At most ``limit`` items wait; the
    thread ends at :meth:`wait`, so no thread is left when worker processes
    are forked after it.
    """

    def __init__(self, fd: int, limit: int = 256) -> None:
        self._fd = fd
        self._queue: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=limit)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def write(self, data: bytes, offset: int) -> None:
        self._check()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="dedupe-spill-writer", daemon=True)
            self._thread.start()
        self._queue.put((offset, data))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    write_all(self._fd, item[1], item[0])
                except BaseException as exc:  # reported to the caller at its next write or wait
                    self._error = exc

    def wait(self) -> None:
        """Return once everything given is written (raising what writing raised); the thread ends."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._check()

    def _check(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error


class KeySpill(_Descriptor):
    """``(key, owner, aux)`` entries, handed back one partition at a time; every key's entries in one partition.

    Pairs are split by the top ``partition_bits`` bits of the key (a radix
    pass over 8-bit partition numbers: linear) as they come, 16 MiB at a time.
    While they take no more than ``memory_bytes`` they stay in memory; past
    that, every partition's pairs go to one temporary file, region by region,
    and only one partition at a time is read back. With 256 partitions a
    million news articles (about 600 million keys) make partitions of about
    2.4 million pairs. Owners are below 2**31 (document numbers).
    """

    def __init__(self, memory_bytes: int = DEFAULT_MEMORY_BYTES, partition_bits: int = 8,
                 directory: str | None = None) -> None:
        if not 0 <= partition_bits <= 8:
            raise ValueError("partition_bits must be in 0..8")
        self.memory_bytes = memory_bytes
        self.partition_bits = partition_bits
        self.directory = directory
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_bytes = 0
        self._held: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(1 << partition_bits)]
        self._held_bytes = 0
        self._fd = -1
        self._end = 0
        self._chunks: list[list[tuple[int, int]]] = [[] for _ in range(1 << partition_bits)]
        self._writer: _BackgroundWriter | None = None
        self.count = 0

    @property
    def spilled(self) -> bool:
        return self._fd >= 0

    def add(self, keys: np.ndarray, owners: np.ndarray, aux: np.ndarray | None = None,
            bounds: np.ndarray | None = None) -> None:
        """Add entries; ``bounds``, when given, says they are grouped already (see :func:`partition_keys`)."""
        keys, owners = np.asarray(keys, dtype=_KEY), np.asarray(owners, dtype=_OWNER)
        aux = np.zeros(len(keys), dtype=_AUX) if aux is None else np.asarray(aux, dtype=_AUX)
        if bounds is None:
            keys, owners, aux, bounds = partition_keys(keys, owners, aux, self.partition_bits)
        elif len(bounds) != (1 << self.partition_bits) + 1:
            raise ValueError(f"bounds must have {(1 << self.partition_bits) + 1} entries")
        self._pending.append((keys, owners, aux, bounds))
        self._pending_bytes += len(keys) * _PAIR_BYTES
        self.count += len(keys)
        if self._pending_bytes >= min(_FLUSH_BYTES, max(self.memory_bytes, 1)):
            self._partition()

    def _partition(self) -> None:
        # Each pending batch is grouped by partition already (by partition_keys, on the
        # worker processes in the pipeline): a partition's pairs are its slices joined.
        # Keys and owners stay two plain arrays: taking rows of a structured
        # (key, owner) array is several times slower.
        if not self._pending:
            return
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        added = 0
        for p in range(1 << self.partition_bits):
            slices = [(k[b[p]:b[p + 1]], o[b[p]:b[p + 1]], a[b[p]:b[p + 1]]) for k, o, a, b in pending
                      if b[p + 1] > b[p]]
            if not slices:
                continue
            if len(slices) == 1:
                entry = slices[0]
            else:
                entry = tuple(np.concatenate(cols) for cols in zip(*slices))  # type: ignore[assignment]
            self._held[p].append(entry)
            added += len(entry[0])
        self._held_bytes += added * _PAIR_BYTES
        if self._fd >= 0 or self._held_bytes > self.memory_bytes:
            self._write_held()

    def _write_held(self) -> None:
        if self._fd < 0:
            self._fd = _temp_fd(self.directory)
            self._writer = _BackgroundWriter(self._fd)
        assert self._writer is not None
        for p, arrays in enumerate(self._held):
            for keys, owners, aux in arrays:
                data = keys.tobytes() + owners.tobytes() + aux.tobytes()
                self._writer.write(data, self._end)
                self._chunks[p].append((self._end, len(keys)))
                self._end += len(data)
            arrays.clear()
        self._held_bytes = 0

    def _read(self, offset: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        data = _pread_all(self._fd, n * _PAIR_BYTES, offset)
        split = n * _KEY.itemsize
        split2 = split + n * _OWNER.itemsize
        return (np.frombuffer(data[:split], dtype=_KEY), np.frombuffer(data[split:split2], dtype=_OWNER),
                np.frombuffer(data[split2:], dtype=_AUX))

    def flush(self) -> None:
        """Move the pairs added so far into their partitions and finish writing them (reading does
        this too); worker processes may be forked after it."""
        self._partition()
        if self._writer is not None:
            self._writer.wait()

    def partitions(self, numbers: Iterable[int] | None = None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(keys, owners, aux)`` per non-empty partition, in partition order (only ``numbers`` when given).

        Reading a flushed spill leaves it as it is, so processes forked after
        :meth:`flush` may each read their own partitions.
        """
        self.flush()
        for p in range(1 << self.partition_bits) if numbers is None else numbers:
            parts = [self._read(off, n) for off, n in self._chunks[p]] + self._held[p]
            if not parts:
                continue
            if len(parts) == 1:
                yield parts[0]
            else:
                yield tuple(np.concatenate(cols) for cols in zip(*parts))  # type: ignore[misc]

    def close(self) -> None:
        if self._writer is not None:
            try:
                self._writer.wait()
            finally:
                self._writer = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._pending = []
        self._held = [[] for _ in self._held]



class BlobSpill(_Descriptor):
    """Byte strings written once to a temporary file and read back where they were put.

    Forked worker processes may :meth:`append` too: the file is open before they
    fork (its descriptor is inherited, writes are positional) and the end of the
    file is a counter in shared memory, so each batch gets a region of its own.
    Regions depend on the order batches arrive in, never their contents.

    >>> spill = BlobSpill()
    >>> at = spill.append([b"abc", b"", b"de"])
    >>> [spill.read(int(o), n) for o, n in zip(at, (3, 0, 2))]
    [b'abc', b'', b'de']
    >>> spill.close()
    """

    def __init__(self, directory: str | None = None) -> None:
        import multiprocessing  # here: only runs that verify pairs need one

        self._fd = _temp_fd(directory)
        self._end = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                                else None).Value("q", 0)

    def append(self, blobs: list[bytes]) -> np.ndarray:
        """Write ``blobs`` one after another; the offset of each (int64)."""
        sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
        data = b"".join(blobs)
        with self._end.get_lock():
            start = self._end.value
            self._end.value = start + len(data)
        write_all(self._fd, data, start)
        return start + np.cumsum(sizes) - sizes

    def read(self, offset: int, length: int) -> bytes:
        return _pread_all(self._fd, length, offset) if length else b""

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

