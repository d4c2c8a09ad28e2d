"""The whole flow: read → clean → learned furniture → sign → candidates → verify → cluster.

:func:`deduplicate` groups documents whose text is already clean;
:func:`run` does everything ``dedupe run`` does and returns a
:class:`RunResult` that :func:`dedupe.writers.write_outputs` writes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ._candidates import Evidence, SentenceTokens, bound_pairs, decode_pairs, merge_evidence, pair_evidence
from .clean import FurnitureLearner
from .clean.rules import Memo
from ._cluster import ClusterMember, group_components
from .config import DedupConfig, RunConfig
from .records import Document, Rejected
from .errors import ConfigError
from ._parallel import ordered_imap, ordered_map
from .readers import read_inputs
from ._stages import EVIDENCE_GROUP_BITS, SIGN_BATCH, Cluster, OnDemandChecks, SignedPartition, after_strip, \
    clean_partition, make_cluster, sign_partition
from ._store import DEFAULT_MEMORY_BYTES, BlobSpill, DocumentStore, KeySpill, partition_keys
from ._verify import Link, PairVerifier, Prepared, pack_prepared, prepare_texts, unpack_prepared, verify_many

__all__ = ["Cluster", "DedupResult", "RunResult", "CleanedCorpus", "deduplicate", "clean_corpus", "run", "as_document"]
# Cluster is defined in dedupe.records; it is re-exported here, where it always was.

logger = logging.getLogger(__name__)

#: ``progress(stage, done, total)``; total is None when unknown.
Progress = Callable[[str, int, "int | None"], None]


@dataclass
class DedupResult:
    """Clusters over the accepted documents, and the documents that could not be used."""

    clusters: list[Cluster]
    documents: Mapping[str, Document]  # a DocumentStore after deduplicate/run
    rejected: list[Rejected]
    order: list[str]  # accepted ids in input order
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # records that are not documents, by kind (readers)

    def cluster_of(self, doc_id: str) -> Cluster:
        for c in self.clusters:
            if doc_id in c.members:
                return c
        raise KeyError(doc_id)

    def canonical_documents(self) -> list[Document]:
        """The canonical document of every cluster, in input order (all in memory: see :meth:`iter_canonical`)."""
        return list(self.iter_canonical())

    def canonical_ids(self) -> list[str]:
        """The id of every cluster's canonical document, in input order."""
        canon = {c.canonical for c in self.clusters}
        return [doc_id for doc_id in self.order if doc_id in canon]

    def iter_canonical(self) -> Iterator[Document]:
        """The canonical document of every cluster, in input order, one at a time.

        Documents are read from the store as they are needed: a million-document
        run's canonical texts (about 3 GB) never sit in memory together.
        """
        for doc_id in self.canonical_ids():
            yield self.documents[doc_id]

    @property
    def duplicates(self) -> int:
        return len(self.documents) - len(self.clusters)


@dataclass
class RunResult(DedupResult):
    """A :class:`DedupResult` plus what cleaning did."""

    read: int = 0
    rule_counts: dict[str, int] = field(default_factory=dict)
    furniture_lines: int = 0
    config: RunConfig = field(default_factory=RunConfig)


def as_document(obj: Document | Mapping[str, Any]) -> Document:
    """A :class:`Document` from a document or a mapping with the same fields."""
    if isinstance(obj, Document):
        return obj
    if not isinstance(obj, Mapping):
        raise TypeError(f"expected a dedupe.Document or a mapping, got {type(obj).__name__}")
    known = {k: obj[k] for k in ("text", "html", "url", "title", "published", "source", "meta") if k in obj}
    return Document(str(obj["id"]), origin=str(obj.get("origin", "")), **known)


def _accept(docs: Iterable[Document | Mapping[str, Any]], store: DocumentStore, rejected: list[Rejected]) -> None:
    for obj in docs:
        doc = as_document(obj)
        if doc.id in store:
            rejected.append(Rejected(doc.id, "duplicate-id", f"id {doc.id!r} already used", doc.origin))
            continue
        if doc.text is None:
            reason = "html; clean it first (dedupe.clean_document or dedupe.run)" if doc.html else "no text"
            rejected.append(Rejected(doc.id, "bad-field", f"the document has {reason}", doc.origin))
            continue
        store.put(doc)


def deduplicate(
    docs: Iterable[Document | Mapping[str, Any]],
    config: DedupConfig | None = None,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> DedupResult:
    """Group documents whose ``text`` is already clean into clusters of copies.

    Every input id ends up in exactly one cluster or in ``rejected`` (empty
    text, HTML without text, repeated id). The result does not depend on the
    input order or the worker count. ``docs`` is read once, as a stream; a
    :class:`~dedupe._store.DocumentStore` (already checked) is used as it is.
    Past ``memory_bytes`` of text, documents and band keys are kept in
    temporary files (see :mod:`dedupe._store`); the result is the same.
    """
    config = config or DedupConfig()
    rejected: list[Rejected] = []
    if isinstance(docs, DocumentStore):
        store = docs
    else:
        store = DocumentStore(memory_bytes)
        _accept(docs, store, rejected)
    return _deduplicate_store(store, config, workers, progress, rejected, memory_bytes)


# Read by forked signing and stripping workers: the store, the ids in order, and the task's settings.
_STORE_STATE: dict[str, Any] = {}


def _store_map(func: Callable[[tuple[int, int]], Any], store: DocumentStore, ids: Sequence[str], workers: int,
               **state: Any) -> Iterator[Any]:
    """``func((lo, hi))`` over ranges of ``SIGN_BATCH`` ids, in order; on forked workers when several.

    Workers inherit the store and the ids through fork and read the documents
    themselves (a spilled store with ``pread``), so no text goes through a pipe;
    only what ``func`` returns comes back. Without fork, everything runs here.
    """
    bounds = [(lo, min(lo + SIGN_BATCH, len(ids))) for lo in range(0, len(ids), SIGN_BATCH)]
    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 1
    _STORE_STATE.clear()
    _STORE_STATE.update(store=store, ids=ids, **state)
    try:
        yield from ordered_imap(func, bounds, workers, chunksize=1, window=2, method="fork")
    finally:
        _STORE_STATE.clear()


def _sign_range(bounds: tuple[int, int]) -> tuple[SignedPartition, np.ndarray, list[tuple[str | None, str | None]]]:
    """Signatures and band keys of one range of ids (the entries grouped by spill partition, so that
    the parent only joins slices; and the group bounds), and each document's (published, outlet)."""
    store, ids, config = _STORE_STATE["store"], _STORE_STATE["ids"], _STORE_STATE["config"]
    docs = [store[doc_id] for doc_id in ids[bounds[0]:bounds[1]]]
    signed = sign_partition([d.text or "" for d in docs], config)
    signed.keys, signed.owners, signed.aux, key_bounds = partition_keys(signed.keys, signed.owners, signed.aux)
    return signed, key_bounds, [(d.published, d.outlet) for d in docs]


def _deduplicate_store(store: DocumentStore, config: DedupConfig, workers: int, progress: Progress | None,
                       rejected: list[Rejected], memory_bytes: int) -> DedupResult:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ids = sorted(store)
    meta: list[tuple[str | None, str | None]] = []
    spill = KeySpill(memory_bytes)
    tokens_parts: list[np.ndarray] = []
    digests_parts: list[bytes] = []
    comparable_parts: list[np.ndarray] = []
    free_parts: list[np.ndarray] = []
    sentence_parts: list[SentenceTokens] = []
    done = 0
    for signed, key_bounds, chunk_meta in _store_map(_sign_range, store, ids, workers, config=config):
        # Interned: one string per outlet rather than one per document (a million documents: ~60 MB).
        meta.extend((published, outlet if outlet is None else sys.intern(outlet)) for published, outlet in chunk_meta)
        spill.add(signed.keys, signed.owners + done, signed.aux, key_bounds)
        tokens_parts.append(signed.tokens)
        digests_parts.append(signed.digests)
        comparable_parts.append(signed.comparable)
        free_parts.append(signed.free)
        sentence_parts.append(signed.sentences)
        done += len(signed.tokens)
        if progress:
            progress("sign", done, len(ids))
    tokens = np.concatenate(tokens_parts) if tokens_parts else np.empty(0, dtype=np.int64)
    comparable = np.concatenate(comparable_parts) if comparable_parts else np.empty(0, dtype=np.int64)
    free = np.concatenate(free_parts) if free_parts else np.empty(0, dtype=np.int64)
    sentences = SentenceTokens.concat(sentence_parts)
    digests = np.frombuffer(b"".join(digests_parts), dtype=np.uint8).reshape(len(ids), -1) if ids else \
        np.empty((0, 16), dtype=np.uint8)
    del tokens_parts, digests_parts, comparable_parts, free_parts, sentence_parts
    # Documents without a word are rejected; the rest keep their numbers (positions in ids).
    empty = np.flatnonzero(tokens == 0)
    for k in empty.tolist():
        doc = store[ids[k]]
        rejected.append(Rejected(doc.id, "empty", "the text has no words", doc.origin))
        del store[ids[k]]
    timings["sign"] = time.perf_counter() - t0

    # Exact copies (same normalised tokens) follow one representative: the first in id order.
    t1 = time.perf_counter()
    alive = np.flatnonzero(tokens > 0)
    rep_of = np.arange(len(ids), dtype=np.int64)
    if len(alive):
        dg = digests[alive]
        order = np.lexsort(dg.T[::-1])  # by digest bytes, then position (stable)
        sorted_dg = dg[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (sorted_dg[1:] != sorted_dg[:-1]).any(axis=1)
        first = np.maximum.accumulate(np.where(new, np.arange(len(order)), 0))
        rep_of[alive[order]] = alive[order[first]]
    is_rep = np.zeros(len(ids), dtype=bool)
    is_rep[alive] = rep_of[alive] == alive
    reps = np.flatnonzero(is_rep)
    rep_number = np.full(len(ids) + 1, -1, dtype=np.int64)  # last slot: owner -1 stays -1
    rep_number[reps] = np.arange(len(reps))

    coded, above_weight, capped_keys, capped_entries = _bounded_pairs(
        spill, rep_number, comparable[reps], free[reps], sentences.take(reps), workers, config)
    spill.close()
    del sentences
    timings["candidates"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    rep_ids = [ids[k] for k in reps.tolist()]
    prepared = _prepare_once(coded, rep_ids, store, config, workers, spill.directory, progress)
    links: dict[tuple[int, int], Link] = {}
    for start, results in verify_pairs(coded, prepared, config, workers):
        for (a, b), link in zip(decode_pairs(coded[start:start + len(results)]), results):
            if link is not None:
                links[(a, b)] = link
        if progress:
            progress("verify", start + len(results), len(coded))
    timings["verify"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    if progress:
        progress("cluster", 0, len(reps))
    def fetch(numbers: list[int]) -> tuple[list[str], list[str]]:
        names = [rep_ids[n] for n in numbers]
        return names, [store[i].text or "" for i in names]

    def was_candidate(a: int, b: int) -> bool:
        """True when (a, b) was a candidate pair (verified above, linked or not)."""
        code = a << 32 | b
        at = int(np.searchsorted(coded, code))
        return at < len(coded) and int(coded[at]) == code

    checks = OnDemandChecks(links, was_candidate, PairVerifier(fetch, config, load=prepared.load))
    sizes = tokens[reps].tolist()
    groups = group_components(len(reps), links, checks.check, sizes, config.linkage, prefetch=checks.prefetch)
    checks.verifier.prepared.clear()  # up to 8192 prepared documents, no longer needed
    prepared.close()

    members_of_rep: dict[int, list[int]] = defaultdict(list)
    for k in alive.tolist():
        members_of_rep[int(rep_of[k])].append(k)
    group_of = {n: gi for gi, g in enumerate(groups) for n in g}
    links_of_group: dict[int, list[Link]] = defaultdict(list)
    found = checks.all_links()
    for (a, b) in sorted(found):
        if group_of[a] == group_of[b]:
            links_of_group[group_of[a]].append(found[(a, b)])
    del found
    clusters: list[Cluster] = []
    for gi, g in enumerate(groups):
        member_ks = sorted(k for n in g for k in members_of_rep[int(reps[n])])
        cands = [ClusterMember(ids[k], int(tokens[k]), meta[k][0], meta[k][1]) for k in member_ks]
        copies = [(ids[int(rep_of[k])], ids[k]) for k in member_ks if rep_of[k] != k]
        clusters.append(make_cluster(cands, links_of_group.get(gi, ()), copies, config))
    clusters.sort(key=lambda c: c.canonical)
    timings["cluster"] = time.perf_counter() - t3
    stats = {
        "candidate_pairs": len(coded),
        "pruned_pairs": above_weight - len(coded),
        "capped_keys": capped_keys,
        "capped_key_entries": capped_entries,
        "verified_links": len(links),
        "on_demand_checks": len(checks.found),
        "exact_copies": len(alive) - len(reps),
    }
    return DedupResult(clusters, store, rejected, list(store), timings, stats)


# Read by forked candidate workers: the band keys, the document renumbering, the configuration and,
# when the evidence is cut by pair (see _bounded_pairs), the folder and the cuts.
_PAIRS_STATE: dict[str, Any] = {}

# Documents per pair range when the candidate evidence is cut by pair (below): a range's evidence
# before the bound is about 90 bytes a pair, and on the shared-paragraph corpus (benchmarks/shared)
# a document is in about 130 pairs before the bound, so a range of 16,384 documents merges about
# 200 MB of evidence (and its sorts several times that), whatever the corpus size.
PAIR_RANGE_DOCS = 16384
_EVIDENCE_FIELDS = ("codes", "weights", "document", "open_keys", "class_hits", "hits_a", "hits_b", "over_a", "over_b")


def _evidence_of_partitions(numbers: range) -> Evidence:
    spill, renumber, config = _PAIRS_STATE["spill"], _PAIRS_STATE["renumber"], _PAIRS_STATE["config"]
    ev = pair_evidence(((keys, renumber[owners], aux) for keys, owners, aux in spill.partitions(numbers)),
                       config.max_bucket, config.sentence_bands)
    cuts = _PAIRS_STATE.get("cuts")
    if cuts is None:
        return ev
    # Cut by pair range and written out: only the loose sentences and the counts go back.
    at = np.searchsorted(ev.codes, cuts.astype(np.int64) << 32)
    for r in range(len(cuts) - 1):
        if at[r + 1] > at[r]:
            np.savez(f"{_PAIRS_STATE['folder']}/g{numbers.start}-r{r}.npz",
                     **{name: getattr(ev, name)[at[r]:at[r + 1]] for name in _EVIDENCE_FIELDS})
    empty = Evidence.empty()
    return Evidence(*(getattr(empty, name) for name in _EVIDENCE_FIELDS), ev.loose, ev.loose_tokens,
                    ev.capped_keys, ev.capped_entries)


def _group_results(spill: KeySpill, renumber: np.ndarray, workers: int, config: DedupConfig,
                   **state: Any) -> Iterator[Evidence]:
    """The evidence of each evidence group of the spill (see :func:`spill_evidence`), in group order."""
    spill.flush()
    if spill.partition_bits < EVIDENCE_GROUP_BITS:
        raise ValueError(f"a spill of {spill.partition_bits}-bit partitions cannot make the evidence groups "
                         f"({EVIDENCE_GROUP_BITS} bits)")
    parts = 1 << spill.partition_bits
    step = parts >> EVIDENCE_GROUP_BITS  # the partitions of one evidence group (dedupe._stages.evidence_group)
    groups = [range(lo, lo + step) for lo in range(0, parts, step)]
    parallel = workers > 1 and len(groups) > 1 and "fork" in multiprocessing.get_all_start_methods()
    _PAIRS_STATE.update(spill=spill, renumber=renumber, config=config, **state)
    try:
        if parallel:
            yield from ordered_map(_evidence_of_partitions, groups, workers, chunksize=1, min_items=2, method="fork")
        else:
            yield from map(_evidence_of_partitions, groups)
    finally:
        _PAIRS_STATE.clear()


def spill_evidence(spill: KeySpill, renumber: np.ndarray, workers: int, config: DedupConfig) -> Evidence:
    """The :class:`~dedupe._candidates.Evidence` of the spilled band keys, owners renumbered by ``renumber``.

    Partitions hold disjoint keys, so groups of them are paired independently:
    on forked workers (which inherit the spill, read a spilled one with
    ``pread``, and send back only pairs and their evidence) when there are
    several. Each task is one evidence group (:func:`dedupe._stages.evidence_group`),
    the same for every worker count and engine, and the groups' evidence is
    merged (:func:`dedupe._candidates.merge_evidence`), so the result does
    not depend on the worker count.
    """
    # Merged as they come, like a binary counter: two merges of as many groups merge into one, so
    # each group's pairs are re-sorted about log2(groups) times (adding each group to one growing
    # total re-sorted it once per group: 16 times) and at most log2(groups) merges are held.
    stack: list[tuple[int, Evidence]] = []
    for part in _group_results(spill, renumber, workers, config):
        level = 0
        while stack and stack[-1][0] == level:
            part = merge_evidence([stack.pop()[1], part])
            level += 1
        stack.append((level, part))
    return merge_evidence([ev for _, ev in stack])


def _bounded_pairs(spill: KeySpill, renumber: np.ndarray, comparable: np.ndarray, free: np.ndarray,
                   sentences: SentenceTokens, workers: int, config: DedupConfig) -> tuple[np.ndarray, int, int, int]:
    """The candidate pairs worth verifying (coded, sorted; :func:`dedupe._candidates.bound_pairs` of
    :func:`spill_evidence`), the pairs with enough evidence before the bound, and the capped keys
    and their entries.

    Past :data:`PAIR_RANGE_DOCS` documents, the evidence is not merged whole:
    each group's evidence is cut by ranges of the pairs' first document and
    written to disk, and one range at a time is merged and bounded (the bound
    of a pair needs only its own evidence and its documents' loose sentences,
    which are few and kept whole). The parent then holds one range's evidence,
    not the corpus's; the pairs are the same.
    """
    n = len(comparable)
    ranges = -(-n // PAIR_RANGE_DOCS)
    if ranges <= 1:
        ev = spill_evidence(spill, renumber, workers, config)
        keep = bound_pairs(ev, comparable, free, sentences, config)
        return (ev.codes[keep], int(np.count_nonzero(ev.weights >= config.candidate_min_weight)),
                ev.capped_keys, ev.capped_entries)
    cuts = np.array([r * n // ranges for r in range(ranges + 1)], dtype=np.int64)
    with tempfile.TemporaryDirectory(prefix="dedupe-evidence-", dir=spill.directory) as folder:
        loose = merge_evidence(list(_group_results(spill, renumber, workers, config, cuts=cuts, folder=folder)))
        kept: list[np.ndarray] = []
        above = 0
        for r in range(ranges):
            slices = []
            for g in range(0, 1 << spill.partition_bits, (1 << spill.partition_bits) >> EVIDENCE_GROUP_BITS):
                path = os.path.join(folder, f"g{g}-r{r}.npz")
                if os.path.exists(path):
                    with np.load(path) as f:
                        slices.append(Evidence(*(f[name] for name in _EVIDENCE_FIELDS), *_NO_LOOSE))
                    os.unlink(path)
            ev = merge_evidence(slices)
            ev.loose, ev.loose_tokens = loose.loose, loose.loose_tokens
            keep = bound_pairs(ev, comparable, free, sentences, config)
            kept.append(ev.codes[keep])
            above += int(np.count_nonzero(ev.weights >= config.candidate_min_weight))
            del ev, slices, keep
    codes = np.concatenate(kept) if kept else np.empty(0, dtype=np.int64)
    return codes, above, loose.capped_keys, loose.capped_entries


_NO_LOOSE = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))


class PreparedDocuments:
    """Documents prepared for verification once each (:func:`dedupe._verify.prepare_texts`),
    packed in a temporary file (:func:`dedupe._verify.pack_prepared`, about 20 KB a
    600-word document) and read back by number for every pair they are in.

    Preparing costs about 225 µs a document; reading one back about a tenth of that.
    Before, each batch of pairs prepared its documents again, with a cache of 8192: at
    20,000 documents each was prepared 1.4 times (one worker) to 2.6 times (two); at
    100,000, with pairs spread over the whole corpus, several times more.
    """

    def __init__(self, spill: BlobSpill, numbers: np.ndarray, offsets: np.ndarray, sizes: np.ndarray,
                 ids: Sequence[str]) -> None:
        self._spill, self.numbers, self._offsets, self._sizes, self._ids = spill, numbers, offsets, sizes, ids

    def load(self, numbers: Sequence[int]) -> list[Prepared | None]:
        """The prepared documents ``numbers`` (``None`` for one that was not prepared)."""
        wanted = np.asarray(numbers, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.numbers, wanted), max(len(self.numbers) - 1, 0))
        found = (self.numbers[at] == wanted).tolist() if len(self.numbers) else [False] * len(wanted)
        read, ids = self._spill.read, self._ids
        return [unpack_prepared(ids[n], read(o, size)) if ok else None
                for n, ok, o, size in zip(numbers, found, self._offsets[at].tolist(), self._sizes[at].tolist())]

    def close(self) -> None:
        self._spill.close()


def _prepare_range(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Prepare one range of the documents to verify and append them to the spill: (offsets, sizes)."""
    store, names, config, spill = (_STORE_STATE[k] for k in ("store", "ids", "config", "spill"))
    lo, hi = bounds
    chunk = names[lo:hi]
    packed = [pack_prepared(p) for p in prepare_texts(chunk, [store[i].text or "" for i in chunk], config)]
    return spill.append(packed), np.fromiter(map(len, packed), dtype=np.int64, count=len(packed))


def _prepare_once(coded: np.ndarray, ids: Sequence[str], store: DocumentStore, config: DedupConfig, workers: int,
                  directory: str | None, progress: Progress | None = None) -> PreparedDocuments:
    """Every document of the coded pairs, prepared once (on forked workers when several)."""
    numbers = np.unique(np.concatenate([coded >> 32, coded & 0xFFFFFFFF])) if len(coded) else \
        np.empty(0, dtype=np.int64)
    spill = BlobSpill(directory)
    names = [ids[n] for n in numbers.tolist()]
    offsets, sizes = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    done = 0
    for at, size in _store_map(_prepare_range, store, names, workers, config=config, spill=spill):
        offsets.append(at)
        sizes.append(size)
        done += len(size)
        if progress:
            progress("prepare", done, len(names))
    return PreparedDocuments(spill, numbers.astype(np.int64), np.concatenate(offsets), np.concatenate(sizes), ids)


# Pairs per task when verification runs on worker processes: large enough to amortise the
# per-call cost of verify_many, small enough to balance two to sixteen workers.
_VERIFY_CHUNK = 512
# Documents a verification worker keeps once read back (about 25 KB each in memory: 100 MB).
# Pairs are sorted, so a chunk's first documents recur in the next. On the shared-paragraph
# corpus (20,000 documents, one worker, a loaded machine) verifying took 12.9 s of CPU with this
# cache and 15.8 s reading every chunk's documents back.
_LOADED_CACHE = 4096
# Read by forked verification workers: the prepared documents and the config.
_VERIFY_STATE: dict[str, Any] = {}


def _verify_chunk(bounds: tuple[int, int]) -> tuple[int, list[Link | None]]:
    coded, prepared, config = (_VERIFY_STATE[k] for k in ("coded", "prepared", "config"))
    cache: dict[int, Prepared] = _VERIFY_STATE.setdefault("cache", {})
    lo, hi = bounds
    pairs = decode_pairs(coded[lo:hi])
    needed = dict.fromkeys(n for pair in pairs for n in pair)
    if len(cache) + len(needed) > _LOADED_CACHE:  # bound a long-lived worker's memory
        kept = {n: cache[n] for n in needed if n in cache}
        cache.clear()
        cache.update(kept)
    missing = [n for n in needed if n not in cache]
    if missing:
        cache.update(zip(missing, prepared.load(missing)))
    return lo, verify_many(pairs, cache, config)


def verify_pairs(coded: np.ndarray, prepared: PreparedDocuments, config: DedupConfig,
                 workers: int) -> Iterator[tuple[int, list[Link | None]]]:
    """``(start, [verify result per pair])`` over the coded pairs, in order; on forked workers when many.

    Workers inherit the pairs and the prepared documents through fork (nothing is
    pickled on the way in; they read the documents with ``pread``); only the
    links come back. Verification is a pure function of the two documents, so
    the result is the same for every worker count. Not in ``__all__``: the verification stage,
    which ``benchmarks/shared/bound_check.py`` wraps to see each pair's result.
    """
    bounds = [(lo, min(lo + _VERIFY_CHUNK, len(coded))) for lo in range(0, len(coded), _VERIFY_CHUNK)]
    parallel = workers > 1 and len(bounds) > 1 and "fork" in multiprocessing.get_all_start_methods()
    _VERIFY_STATE.clear()
    _VERIFY_STATE.update(coded=coded, prepared=prepared, config=config)
    try:
        if not parallel:
            yield from map(_verify_chunk, bounds)
        else:
            yield from ordered_map(_verify_chunk, bounds, workers, chunksize=1, min_items=2, method="fork")
    finally:
        _VERIFY_STATE.clear()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _strip_range(bounds: tuple[int, int]) -> list[tuple[str, list] | None]:
    """Learned furniture stripped from one range of ids: ``(text, changes)`` per document, None when unchanged."""
    store, ids, model = _STORE_STATE["store"], _STORE_STATE["ids"], _STORE_STATE["model"]
    docs = [store[doc_id] for doc_id in ids[bounds[0]:bounds[1]]]
    stripped = model.strip_many([(doc.outlet, doc.text or "") for doc in docs])
    return [(text, changes) if changes else None for text, changes in stripped]


@dataclass
class CleanedCorpus:
    """Documents after reading, cleaning and learned furniture, in input order (a :class:`DocumentStore`)."""

    documents: DocumentStore
    rejected: list[Rejected]
    read: int
    timings: dict[str, float]
    furniture_lines: int
    skipped: dict[str, int] = field(default_factory=dict)


# Documents per cleaning task on a worker: big enough to amortise the pickling.
_CLEAN_CHUNK = 64


def clean_corpus(
    inputs: Sequence[str],
    config: RunConfig | None = None,
    *,
    progress: Progress | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> CleanedCorpus:
    """Read and clean ``inputs``: per-document cleaning, then learned page furniture.

    The input is streamed: documents are read, cleaned on the workers and put
    in a :class:`DocumentStore` (in memory up to ``config.memory_bytes`` of
    text, then in a temporary file), a few chunks at a time. A repeated id is
    rejected here (``duplicate-id``), so that every later stage sees each id once.
    """
    config = config or RunConfig()
    timings: dict[str, float] = {}
    rejected: list[Rejected] = []
    store = DocumentStore(config.memory_bytes)

    def reject(r: Rejected) -> None:
        rejected.append(r)
        if on_reject:
            on_reject(r)

    t1 = time.perf_counter()
    learn = config.clean.learn_furniture
    learner = FurnitureLearner(config.clean.furniture_min_docs, config.clean.furniture_min_share,
                               config.clean.furniture_max_docs_per_source,
                               config.clean.furniture_common_share, config.clean.rules) if learn else None
    read = 0
    skipped: Counter[str] = Counter()
    chunks = _chunks(read_inputs(inputs, config.limits, config.fields, skipped=skipped), _CLEAN_CHUNK)
    cleaned = ordered_imap(partial(clean_partition, config=config.clean, keys=learn, memo=Memo()), chunks, config.worker_count,
                           chunksize=1)
    for item, keys, shapes in (entry for chunk in cleaned for entry in chunk):
        read += 1
        if isinstance(item, Rejected):
            reject(item)
        elif item.id in store:
            reject(Rejected(item.id, "duplicate-id", f"id {item.id!r} already used", item.origin))
        else:
            store.put(item)
            if learner is not None:
                learner.add(item.outlet, item.text or "", keys, shapes)
        if progress and read % 500 == 0:
            progress("clean", read, None)
    timings["clean"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    furniture_lines = 0
    if learner is not None:
        model = learner.model()
        furniture_lines = len(model)
        if furniture_lines:
            ids = list(store)
            done = 0
            for part in _store_map(_strip_range, store, ids, config.worker_count, model=model):
                for doc_id, result in zip(ids[done:done + len(part)], part):
                    if result is None:
                        continue
                    kept = after_strip(store[doc_id], *result)
                    if isinstance(kept, Rejected):
                        reject(kept)
                        del store[doc_id]
                    else:
                        store.put(kept)
                done += len(part)
    timings["furniture"] = time.perf_counter() - t2
    return CleanedCorpus(store, rejected, read, timings, furniture_lines, dict(sorted(skipped.items())))


def run(
    inputs: Sequence[str],
    config: RunConfig | None = None,
    *,
    progress: Progress | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
    engine: str = "local",
    spark_master: str | None = None,
    spark_partitions: int | None = None,
) -> RunResult:
    """Read, clean and deduplicate ``inputs`` (paths, directories or ``-``).

    ``engine="spark"`` runs the same stages on Apache Spark (:mod:`dedupe.engines.spark`;
    ``pip install 'news-dedupe[spark]'``) on ``spark_master`` (default: the active
    SparkSession, else ``local[*]``) in ``spark_partitions`` tasks per stage: the
    same result, timings apart.
    """
    config = config or RunConfig()
    if engine == "spark":
        from .engines.spark import run_spark

        return run_spark(inputs, config, master=spark_master, partitions=spark_partitions, progress=progress,
                         on_reject=on_reject)
    if engine != "local":
        raise ConfigError(f"engine={engine!r} is unknown: expected 'local' or 'spark'")
    corpus = clean_corpus(inputs, config, progress=progress, on_reject=on_reject)
    result = deduplicate(corpus.documents, config.dedup, workers=config.worker_count, progress=progress,
                         memory_bytes=config.memory_bytes)
    rejected = list(corpus.rejected)
    for r in result.rejected:
        rejected.append(r)
        if on_reject:
            on_reject(r)
    timings = dict(corpus.timings)
    timings.update(result.timings)
    return RunResult(
        clusters=result.clusters,
        documents=result.documents,
        rejected=rejected,
        order=result.order,
        timings=timings,
        stats=result.stats,
        skipped=corpus.skipped,
        read=corpus.read,
        rule_counts=dict(sorted(corpus.documents.rules.items())),
        furniture_lines=corpus.furniture_lines,
        config=config,
    )
