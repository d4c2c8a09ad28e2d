"""The run on Apache Spark: the stages of :mod:`dedupe._stages` inside Spark tasks, the same output.

``dedupe run --engine spark [--spark-master URL]`` or ``dedupe.run(..., engine="spark")``
(``pip install 'news-dedupe[spark]'``). Without a master, Spark runs in local mode
(``local[*]``, the driver bound to 127.0.0.1); a SparkSession that is already active
(``spark-submit``, a notebook) is used as it is and left running.

The routing, stage by stage (:mod:`dedupe._stages` lists the stage functions)::

    read      one task per input file (dedupe.readers.read_unit), so rejected rows and reasons
              are the local ones; items numbered in read order (zipWithIndex)
    ids       a second document with an id seen earlier in read order: duplicate-id (reduceByKey)
    clean     contiguous ranges of the read order, of 2,000 documents or fewer (clean_partition);
              each task counts its accepted documents' lines (FurnitureLearner.add), learners
              merged by treeReduce
    strip     the merged furniture model broadcast (FurnitureModel.strip_many)
    number    documents sorted by id (sortByKey, a range partition), numbered (zipWithIndex)
    sign      contiguous ranges of numbers (sign_partition); band key entries by evidence group
    copies    equal digests (groupByKey on the digest): the first in id order represents them
    evidence  one task per slice of an evidence group (slice_hits; a group of more than
              ENTRIES_PER_SLICE entries is cut by the key's next bits, so that a hot group is not
              one task), its entries shuffled in records of one signing chunk (bounded records:
              PySpark's groupByKey would send a group's entries as one record, hundreds of MB at
              20,000 documents); its evidence cut by pair shard (_pair_shard)
    bound     one task per pair shard: each group's slices combined (combine_slices: the group's
              evidence), the groups merged (merge_evidence) with every group's loose sentences
              (collected, broadcast) and bounded (bound_pairs)
    verify    candidate pairs joined with their two documents' texts (join), prepared and
              verified in the task (prepare_texts, verify_many); a task per 10,000 pairs
    components  connected components of the verified links (large-star / small-star)
    cluster   one task per component, with the candidate pairs inside it (cluster.group with
              on-demand checks over the component's documents, then make_cluster); the clusters
              collected without their links with write_to, whole without it
    write     with write_to (the CLI): canonical's documents written by one task per range of the
              read order, and the clusters by one task per range of canonical ids (the local
              order: repartitionAndSortWithinPartitions, cut where the driver's sorted ids say), into
              part files (JSONL lines, or Arrow IPC rows for Parquet) that the writers join in
              order; only ids reach the driver. Without it (the API, --report): the documents
              gathered on the driver in read order (a DocumentStore), for the project's writers

Documents are numbered in id order, as the local engine numbers them; every
number a stage sees is ordered as the local engine's, so the candidate pairs,
their evidence, the bound, the links and the clusters are the local ones, and
the output files are byte-identical except ``timings_s``, whatever the
partition count or input order (tested against the local engine).

Python's ``hash()`` of strings and bytes is salted per process: keys that are
strings or bytes are partitioned by xxhash (:func:`_text_partition`); integer
keys by Spark's own hash of integers, which is not salted.

The driver holds what is O(documents) in arrays (comparable and free tokens and the
banded sentences' tokens per document, broadcast to the bound's tasks; the loose
sentences), the clusters' ids and the documents' ids; no pair's evidence, and, with
``write_to``, no document's text and no link (without it, the outputs' documents, in
a :class:`~dedupe._store.DocumentStore` spilled to a temporary file past
``memory_bytes``, and the clusters' links). The parts the tasks wrote pass through
the driver once, as the files are joined (a streaming copy for JSONL; for Parquet,
one row group at a time re-encoded, so that the file's bytes are the local ones).
See docs/scale.md for sizing.
"""

from __future__ import annotations

import bisect
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import xxhash

from .._candidates import Evidence, SentenceTokens, SliceEvidence, bound_pairs, combine_slices, decode_pairs, \
    merge_evidence, slice_hits
from ..clean import FurnitureLearner
from ..clean.rules import Memo
from .._cluster import ClusterMember, group
from ..config import CleanConfig, DedupConfig, FieldMap, Limits, RunConfig
from ..records import Document, Rejected
from ..errors import ConfigError, EngineError, MissingDependencyError
from ..pipeline import Progress, RunResult
from ..readers import InputUnit, input_units, read_unit
from .._stages import EVIDENCE_GROUP_BITS, SIGN_BATCH, Cluster, OnDemandChecks, after_strip, clean_partition, \
    evidence_group, make_cluster, sign_partition
from .._store import DocumentStore
from .._verify import Link, PairVerifier, Prepared, prepare_texts, verify_many
from ..writers import OUTPUT_FORMATS, canonical_line, canonical_row, cluster_line, cluster_row, concatenate_files, \
    parquet_schema, write_parquet_parts

__all__ = ["run_spark", "spark_session", "require_pyspark", "check_master", "connected_components", "spark_errors",
           "spark_failure", "SparkRunResult", "OutputParts", "DocumentIds"]

logger = logging.getLogger(__name__)

#: Rounds of large-star / small-star before giving up (Kiveris et al. bound the rounds by
#: O(log^2 n); a million-node chain converges in under 30).
MAX_ROUNDS = 100
# Documents per cleaning call inside a task: as the local engine's chunks.
_CLEAN_CHUNK = 64
# Pairs verified per verify_many call inside a task, and the prepared documents a task keeps.
_VERIFY_CHUNK = 512
_PREPARED_CACHE = 8192
# Documents per range of the read order (at least one range per partition): cleaned in one task,
# and fetched by the driver as one task result at the end (about 10 MB of news). A 20,000-document
# run with two ranges of 10,000 lost such a result under load ("TaskResultLost").
_DOCS_PER_RANGE = 2_000
# Candidate pairs per verify task (at least one task per partition): a task sorts its pairs with
# both texts in memory, about 8 kB a pair on news (4 kB texts), so about 80 MB.
_PAIRS_PER_TASK = 10_000
# Band key entries per slice of an evidence group (a group with more is cut into 2, 4, ... slices of
# its keys, at most 2 ** MAX_SLICE_BITS): on the shared-paragraph corpus, 810 entries a document
# (benchmarks/README.md, issue 15), so a group of 20,000 documents (about 1M entries) stays one
# task and 100,000 documents make 8 slices a group; a slice's task holds its entries (24 bytes
# each) and their raw hits, about 100 MB at 1M entries.
ENTRIES_PER_SLICE = 1 << 20
# At most 2 ** 16 slices a group: 2 ** 20 entries a slice up to about 100 billion entries a group.
MAX_SLICE_BITS = 16
# Documents per pair shard of the bound (at least one shard per partition): a shard holds its
# pairs' evidence, about 10 kB a document on the shared-paragraph corpus (108 pairs sharing a
# key per document, about 100 bytes each with the hit bitmaps), so about 50 MB.
_DOCS_PER_SHARD = 5_000
# Clusters per part of clusters.jsonl (a task): a cluster's line is 0.3 kB alone and a few kB with
# links and passages, so a part is a few MB to tens of MB; the task sorts its clusters (PySpark's
# sort spills past spark.python.worker.memory).
_CLUSTERS_PER_PART = 10_000
# Rows per Arrow record batch of a Parquet part (the driver writes row groups of 10,000 rows).
_IPC_ROWS = 1_000


def require_pyspark(purpose: str = "--engine spark") -> Any:
    """The ``pyspark`` module, or :class:`MissingDependencyError` naming the extra to install."""
    try:
        import pyspark
    except ImportError as exc:
        raise MissingDependencyError("pyspark", "spark", purpose) from exc
    return pyspark


def _local_master(master: str) -> bool:
    return master == "local" or master.startswith("local[")


@contextmanager
def spark_session(master: str | None = None) -> Iterator[Any]:
    """The active SparkSession (left running), or a new one on ``master`` (``local[*]`` when None),
    stopped on exit. A local one binds its driver to 127.0.0.1 and runs tasks on this Python."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        running = active.sparkContext.master
        if master and master != running:
            logger.warning("a SparkSession on %s is already active: it runs this job, not %s", running, master)
        yield active
        return
    master = master or "local[*]"
    check_master(master)
    builder = SparkSession.builder.master(master).appName("dedupe")
    if _local_master(master):
        builder = (builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.pyspark.python", sys.executable))
    try:
        session = builder.getOrCreate()
    except spark_errors() as exc:
        raise spark_failure(exc, "start", master) from exc
    try:
        yield session
    finally:
        _quietly(session.stop)  # after a JVM that died, stopping fails too; the first error is the one to report


#: Seconds to wait for a TCP connection to a standalone master before the session starts. Without
#: this check, Spark's standalone client tries to register 3 times 20 seconds (constants of
#: StandaloneAppClient, not settings) and then fails with "Cannot call methods on a stopped
#: SparkContext", its reason only in the JVM's log (84 s on dev-2c, issue 15).
MASTER_CONNECT_S = 10.0


def _master_addresses(master: str) -> list[tuple[str, int]] | None:
    """The ``(host, port)`` of each master of a standalone URL (``spark://h1:7077,h2:7077``: several
    for high availability); None for other masters (local, yarn, k8s, ...)."""
    if not master.startswith("spark://"):
        return None
    out = []
    for address in master[len("spark://"):].split(","):
        host, sep, port = address.strip().rstrip("/").rpartition(":")
        host = host.strip("[]")  # an IPv6 address in brackets
        if not sep or not host or not port.isdigit():
            raise EngineError("Spark", "start",
                              f"{master!r} is not a Spark master URL (spark://HOST:PORT[,HOST:PORT...])")
        out.append((host, int(port)))
    return out


def check_master(master: str, timeout: float | None = None) -> None:
    """For a standalone master (``spark://``): :class:`~dedupe.errors.EngineError` naming it when none
    of its addresses accepts a TCP connection within ``timeout`` seconds (:data:`MASTER_CONNECT_S`)."""
    addresses = _master_addresses(master)
    if not addresses:
        return
    failures = []
    for host, port in addresses:
        try:
            socket.create_connection((host, port), timeout=MASTER_CONNECT_S if timeout is None else timeout).close()
            return
        except OSError as exc:
            reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc) or type(exc).__name__)
            failures.append(f"{host}:{port}: {reason}")
    raise EngineError("Spark", "start", f"cannot reach the Spark master {master} ({'; '.join(failures)})")


def spark_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean Spark failed, not dedupe: errors of the JVM and its jobs (py4j),
    of PySpark, and a lost connection to the driver's JVM (``ConnectionError``: the JVM died)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (Py4JError, PySparkException, ConnectionError)


#: The longest cause an :class:`~dedupe.errors.EngineError` quotes from Spark (its first line).
_CAUSE_CHARS = 600


def spark_failure(exc: BaseException, stage: str, master: str | None) -> EngineError:
    """The :class:`~dedupe.errors.EngineError` for a Spark failure ``exc`` in ``stage``: the first
    line of the JVM's error (a job aborted after its task retries: which task, how often, why),
    or what a lost connection to the JVM means."""
    from py4j.protocol import Py4JJavaError

    where = f" (master {master})" if master else ""
    if isinstance(exc, ConnectionError):
        cause = (f"lost the connection to Spark's JVM{where}: {exc.strerror or exc}; the driver's JVM "
                 "stopped, most often for lack of memory (raise spark.driver.memory)")
    else:
        text = ""
        if isinstance(exc, Py4JJavaError):
            try:
                text = str(exc.java_exception)
            except Exception:  # the JVM is gone
                text = ""
        text = (text or str(exc) or type(exc).__name__).strip().splitlines()[0]
        if len(text) > _CAUSE_CHARS:
            text = text[:_CAUSE_CHARS] + " ..."
        if stage == "start" and "stopped SparkContext" in text and master and not _local_master(master):
            # A standalone master that answers TCP but did not register the application within
            # Spark's 3 x 20 s ("All masters are unresponsive" in the JVM's log).
            text += "; the master did not accept the application (Spark's log above says why)"
        cause = text + where
    return EngineError("Spark", stage, cause)


def _quietly(func: Callable[[], Any]) -> None:
    try:
        func()
    except Exception as exc:  # the JVM is gone: nothing left to stop or free
        logger.debug("spark: %s failed: %s", getattr(func, "__name__", func), exc)


#: Fault injection (tests): with ``DEDUPE_SPARK_FAULT=DIR`` in the executors' environment, the first
#: task of a stage that finds the file ``DIR/<stage>`` (clean, sign, evidence, bound, verify, cluster) removes it and
#: kills its Python worker, as a lost executor would; Spark runs the task again. While ``DIR/<stage>.always``
#: exists, every task of the stage is killed, so the job fails once Spark's retries are spent.
FAULT_ENV = "DEDUPE_SPARK_FAULT"


def _fault_point(stage: str) -> None:
    folder = os.environ.get(FAULT_ENV)
    if not folder:
        return
    if os.path.exists(os.path.join(folder, stage + ".always")):
        os._exit(3)
    try:
        os.unlink(os.path.join(folder, stage))
    except OSError:
        return
    os._exit(3)


def _text_partition(key: str | bytes) -> int:
    """A partition key for a string or bytes key (xxhash: the same in every process)."""
    data = key if isinstance(key, bytes) else key.encode("utf-8", "surrogatepass")
    return xxhash.xxh64_intdigest(data)


def _group_partition(group: int) -> int:
    return group


# --------------------------------------------------------------------------- tasks (module level: pickled)


def _read_task(records: Iterable[tuple[int, Any]], limits: Limits, fields: FieldMap) -> Iterator[tuple]:
    """``(unit, position, item)`` for each item of each input unit, then ``(unit, -1, skipped)``."""
    for index, payload in records:
        skipped: Counter[str] = Counter()
        if isinstance(payload, Rejected):
            items: Iterable[Document | Rejected] = [payload]
        elif isinstance(payload, list):  # read on the driver (stdin)
            items = payload
        else:
            items = read_unit(payload, limits, fields, skipped)
        for position, item in enumerate(items):
            yield index, position, item
        if skipped:
            yield index, -1, skipped


def _read_summary(part: int, records: Iterable[tuple]) -> Iterator[tuple[int, int, Counter[str]]]:
    """``(partition, items read, records skipped by kind)`` of one partition of :func:`_read_task`."""
    size = 0
    skipped: Counter[str] = Counter()
    for _, position, item in records:
        if position < 0:
            skipped.update(item)
        else:
            size += 1
    yield part, size, skipped


def _number_items(part: int, records: Iterable[tuple], offsets: list[int]) -> Iterator[tuple[int, Any]]:
    """``(read index, item)``: the partition's items numbered from its offset in the read order."""
    index = offsets[part]
    for _, position, item in records:
        if position >= 0:
            yield index, item
            index += 1


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _duplicate_of(item: Document, first: tuple[int, str] | None, index: int) -> Rejected | None:
    if first is None or first[0] == index:
        return None
    return Rejected(item.id, "duplicate-id", f"id {item.id!r} already used at {first[1]}", item.origin)


def _clean_task(records: Iterable[tuple[int, Document | Rejected]], config: CleanConfig, firsts: Any,
                learn: bool, memo: Memo | None = None) -> Iterator[tuple]:
    """Cleaned items ``("doc", index, Document)`` / ``("rej", index, Rejected)`` of a range of the read
    order, then ``("learner", FurnitureLearner)`` over its accepted documents when ``learn``."""
    learner = FurnitureLearner(config.furniture_min_docs, config.furniture_min_share,
                               config.furniture_max_docs_per_source, config.furniture_common_share,
                               config.rules) if learn else None
    seen = firsts.value
    _fault_point("clean")
    for chunk in _chunks(records, _CLEAN_CHUNK):
        todo: list[tuple[int, Document | Rejected]] = []
        for index, item in chunk:
            duplicate = _duplicate_of(item, seen.get(item.id), index) if isinstance(item, Document) else None
            if duplicate is not None:
                todo.append((index, duplicate))
            else:
                todo.append((index, item))
        cleaned = clean_partition([item for _, item in todo], config, keys=learn, memo=memo)
        for (index, _), (item, keys, shapes) in zip(todo, cleaned):
            if isinstance(item, Rejected):
                yield "rej", index, item
                continue
            if learner is not None:
                learner.add(item.outlet, item.text or "", keys, shapes)
            yield "doc", index, item
    if learner is not None:
        yield "learner", -1, learner


def _merge_learners(a: FurnitureLearner, b: FurnitureLearner) -> FurnitureLearner:
    a.merge(b)
    return a


def _strip_task(records: Iterable[tuple], model: Any) -> Iterator[tuple]:
    """Learned furniture stripped (:func:`dedupe._stages.after_strip`): ``("doc", index, Document)``, or
    ``("rej", index, Rejected)`` when only furniture was left, or nearly."""
    for chunk in _chunks(records, SIGN_BATCH):
        stripped = model.value.strip_many([(doc.outlet, doc.text or "") for _, _, doc in chunk])
        for (_, index, doc), (text, changes) in zip(chunk, stripped):
            kept = after_strip(doc, text, changes)
            yield ("rej" if isinstance(kept, Rejected) else "doc"), index, kept


def _sign_task(part: int, records: Iterable[tuple[tuple[str, Document], int]], config: DedupConfig) -> Iterator[tuple]:
    """Signatures of a range of document numbers (id order): per document ``("doc", number, id, origin,
    tokens, digest, published, outlet)``; band key entries ``("ent", group, order, keys, owners, aux)``
    with owners as document numbers; and ``("arr", part, numbers, comparable, free, sentence tokens)``."""
    _fault_point("sign")
    numbers_l, comparable_l, free_l, sentences_l = [], [], [], []
    for chunk_at, chunk in enumerate(_chunks(records, SIGN_BATCH)):
        numbers = np.array([k for _, k in chunk], dtype=np.int64)
        docs = [doc for (_, doc), _ in chunk]
        signed = sign_partition([d.text or "" for d in docs], config)
        owners = numbers[signed.owners] if len(signed.owners) else signed.owners
        groups = evidence_group(signed.keys)
        for g in np.unique(groups).tolist():
            sel = groups == g
            yield "ent", g, (part, chunk_at), signed.keys[sel], owners[sel], signed.aux[sel]
        for j, doc in enumerate(docs):
            yield ("doc", int(numbers[j]), doc.id, doc.origin, int(signed.tokens[j]),
                   signed.digests[16 * j:16 * j + 16], doc.published, doc.outlet)
        numbers_l.append(numbers)
        comparable_l.append(signed.comparable)
        free_l.append(signed.free)
        sentences_l.append(signed.sentences)
    if numbers_l:
        yield ("arr", part, np.concatenate(numbers_l), np.concatenate(comparable_l), np.concatenate(free_l),
               SentenceTokens.concat(sentences_l))


def slice_bits(entries: dict[int, int], per_slice: int) -> list[int]:
    """Per evidence group, the bits of the key below the group's that cut it into slices of about
    ``per_slice`` entries or fewer (0: the group is one slice), at most :data:`MAX_SLICE_BITS`."""
    out = []
    for g in range(1 << EVIDENCE_GROUP_BITS):
        slices = max(1, -(-entries.get(g, 0) // per_slice))
        out.append(min(MAX_SLICE_BITS, (slices - 1).bit_length()))
    return out


def slice_of(keys: np.ndarray, bits: int) -> np.ndarray:
    """The slice of each key of one evidence group: the ``bits`` bits below the group's."""
    shift = np.uint64(64 - EVIDENCE_GROUP_BITS - bits)
    return ((np.asarray(keys, dtype=np.uint64) >> shift) & np.uint64((1 << bits) - 1)).astype(np.int64)


def _slice_entries(record: tuple, bits: list[int], offsets: list[int]) -> Iterator[tuple[int, tuple]]:
    """A signing chunk's entries of one group ``("ent", group, order, keys, owners, aux)`` cut by slice:
    ``(slice number over all groups, (order, keys, owners, aux))``."""
    _, g, order, keys, owners, aux = record
    b = bits[g]
    if b == 0:
        yield offsets[g], (order, keys, owners, aux)
        return
    sub = slice_of(keys, b)
    for k in np.unique(sub).tolist():
        sel = sub == k
        yield offsets[g] + k, (order, keys[sel], owners[sel], aux[sel])


def _slice_evidence(pieces: Iterable[tuple], excluded: Any, max_bucket: int, sentence_bands: int) -> SliceEvidence:
    """The evidence of one slice of an evidence group: its entries in number order (as the local engine
    holds them), owners that are not representatives (empty documents, exact copies) left out."""
    ordered = sorted(pieces, key=lambda p: p[0])
    if not ordered:
        return slice_hits([])
    keys = np.concatenate([p[1] for p in ordered])
    owners = np.concatenate([p[2] for p in ordered])
    aux = np.concatenate([p[3] for p in ordered])
    drop = np.isin(owners, excluded.value)
    if drop.any():
        owners = np.where(drop, -1, owners)
    return slice_hits([(keys, owners, aux)], max_bucket, sentence_bands)


def _pair_shard(codes: np.ndarray, shards: int) -> np.ndarray:
    """The shard (0..shards-1) of each pair code ``a << 32 | b``: a multiplicative hash, the same
    in every process (numpy integer arithmetic, not Python's salted ``hash()``)."""
    mixed = np.asarray(codes, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return ((mixed >> np.uint64(33)) % np.uint64(shards)).astype(np.int64)


def _slice_task(part: int, records: Iterable[tuple[int, tuple]], group_of: list[int], excluded: Any,
                max_bucket: int, sentence_bands: int, shards: int) -> Iterator[tuple]:
    """One slice of an evidence group (the partition's number; every record of the partition is of it):
    ``("stats", slice, capped keys, capped entries)``, ``("loose", slice, loose, loose tokens)`` and,
    per pair shard, ``("piece", shard, group, SliceEvidence)``: the slice's pairs of that shard."""
    _fault_point("evidence")
    sl = _slice_evidence((v for _, v in records), excluded, max_bucket, sentence_bands)
    ev = sl.evidence
    yield "stats", part, ev.capped_keys, ev.capped_entries
    yield "loose", part, ev.loose, ev.loose_tokens
    if len(ev.codes):
        shard = _pair_shard(ev.codes, shards)
        for s in np.unique(shard).tolist():
            yield "piece", s, (group_of[part], part), sl.restrict(shard == s)


def _bound_task(records: Iterable[tuple[int, tuple[tuple[int, int], SliceEvidence]]], loose: Any, arrays: Any,
                config: DedupConfig) -> Iterator[tuple]:
    """One pair shard: per evidence group, its slices' pieces combined (:func:`combine_slices`: the
    group's evidence, as the local engine computes it); the groups summed in group order (as the
    local engine sums them), with every group's loose sentences; then bounded. ``("n", pairs at
    the evidence weight)`` and ``("pairs", kept codes)`` (sorted)."""
    pieces = sorted((v for _, v in records), key=lambda p: p[0])
    _fault_point("bound")
    evidence = Evidence.empty()
    at = 0
    while at < len(pieces):
        group = pieces[at][0][0]
        end = at
        while end < len(pieces) and pieces[end][0][0] == group:
            end += 1
        evidence = merge_evidence([evidence, combine_slices([p for _, p in pieces[at:end]])])
        at = end
    if not len(evidence.codes):
        return
    evidence = replace(evidence, loose=loose.value[0], loose_tokens=loose.value[1])
    comparable, free, sentences = arrays.value
    keep = bound_pairs(evidence, comparable, free, sentences, config)
    yield "n", int(np.count_nonzero(evidence.weights >= config.candidate_min_weight))
    kept = evidence.codes[keep]
    for at in range(0, len(kept), _VERIFY_CHUNK):
        yield "pairs", kept[at:at + _VERIFY_CHUNK]


def _copies_of(digest_group: tuple[bytes, Iterable[int]]) -> Iterator[tuple[int, int]]:
    """``(copy, representative)`` of documents with one digest: the first in id order represents them."""
    numbers = sorted(digest_group[1])
    for k in numbers[1:]:
        yield k, numbers[0]


def _verify_task(records: Iterable[tuple], config: DedupConfig) -> Iterator[tuple[int, int, Link]]:
    """``(a, b, link)`` of each pair ``((a, b), (id_a, text_a), (id_b, text_b))`` that verifies."""
    rows = sorted(records, key=lambda r: r[0])
    _fault_point("verify")
    cache: dict[int, Prepared] = {}
    for chunk in _chunks(rows, _VERIFY_CHUNK):
        texts: dict[int, tuple[str, str]] = {}
        for (a, b), doc_a, doc_b in chunk:
            texts[a] = doc_a
            texts[b] = doc_b
        if len(cache) + len(texts) > _PREPARED_CACHE:
            kept = {n: cache[n] for n in texts if n in cache}
            cache.clear()
            cache.update(kept)
        missing = [n for n in texts if n not in cache]
        if missing:
            cache.update(zip(missing, prepare_texts([texts[n][0] for n in missing], [texts[n][1] for n in missing],
                                                    config)))
        pairs = [pair for pair, _, _ in chunk]
        for (a, b), link in zip(pairs, verify_many(pairs, cache, config)):
            if link is not None:
                yield a, b, link


@dataclass(frozen=True)
class _Member:
    """A document of a component: its number, its representative's, and what the canonical policy reads."""

    number: int
    rep: int
    id: str
    tokens: int
    published: str | None
    outlet: str | None


def _cluster_component(records: Iterable[tuple], config: DedupConfig) -> Iterator[tuple]:
    """The clusters of one connected component of verified links: :func:`dedupe._cluster.group` over
    its representatives (numbered in id order), pairs that were no candidate verified on demand
    (as the local engine does), then :func:`dedupe._stages.make_cluster`; ``("od", (on-demand checks, verified links))`` last.

    Records: ``("m", _Member)`` per document, ``("t", number, text)`` per linked document, ``("l", a,
    b, Link)`` per verified link and ``("c", a, b)`` per candidate pair inside the component."""
    members: list[_Member] = []
    texts: dict[int, str] = {}
    found: dict[tuple[int, int], Link] = {}
    candidates: list[int] = []
    for record in records:
        if record[0] == "m":
            members.append(record[1])
        elif record[0] == "t":
            texts[record[1]] = record[2]
        elif record[0] == "c":
            candidates.append(record[1] << 32 | record[2])
        else:
            found[(record[1], record[2])] = record[3]
    members.sort(key=lambda m: m.number)
    if len(members) > 1:
        _fault_point("cluster")
    reps = [m for m in members if m.number == m.rep]
    local = {m.number: n for n, m in enumerate(reps)}
    links = {(local[a], local[b]): link for (a, b), link in found.items()}
    checks: OnDemandChecks | None = None
    if links:
        codes = np.sort(np.array(candidates, dtype=np.int64))

        def fetch(numbers: list[int]) -> tuple[list[str], list[str]]:
            return [reps[n].id for n in numbers], [texts[reps[n].number] for n in numbers]

        def was_candidate(a: int, b: int) -> bool:
            code = reps[a].number << 32 | reps[b].number
            at = int(np.searchsorted(codes, code))
            return at < len(codes) and int(codes[at]) == code

        checks = OnDemandChecks(links, was_candidate, PairVerifier(fetch, config))
        groups = group(len(reps), links, checks.check, [m.tokens for m in reps], config.linkage,
                       prefetch=checks.prefetch)
    else:
        groups = [[n] for n in range(len(reps))]
    group_of = {n: gi for gi, g in enumerate(groups) for n in g}
    all_links = checks.all_links() if checks is not None else dict(links)
    links_of_group: dict[int, list[Link]] = {}
    for (a, b) in sorted(all_links):
        if group_of[a] == group_of[b]:
            links_of_group.setdefault(group_of[a], []).append(all_links[(a, b)])
    members_of: dict[int, list[_Member]] = {}
    for m in members:  # in number (id) order
        members_of.setdefault(group_of[local[m.rep]], []).append(m)
    for gi in range(len(groups)):
        group_members = members_of[gi]
        cands = [ClusterMember(m.id, m.tokens, m.published, m.outlet) for m in group_members]
        ids = {m.number: m.id for m in group_members}
        copies = [(ids[m.rep], m.id) for m in group_members if m.rep != m.number]
        yield "cluster", make_cluster(cands, links_of_group.get(gi, ()), copies, config)
    yield "od", (len(checks.found) if checks is not None else 0, len(found))


# --------------------------------------------------------------------------- the outputs, from the tasks


class _PartFile:
    """A part of an output file that a task writes: ``folder/part-NNNNN`` through a temporary name,
    renamed when complete (a task tried again replaces the part whole). JSONL: the lines themselves;
    Parquet: the rows as an Arrow IPC stream with the file's schema (the driver writes them into
    the Parquet file's row groups, :func:`dedupe.writers.write_parquet_parts`)."""

    def __init__(self, folder: str, part: int, output_format: str, schema: Any = None) -> None:
        fd, self.tmp = tempfile.mkstemp(prefix=f".part-{part:05d}.", suffix=".tmp", dir=folder)
        self.file = os.fdopen(fd, "wb")
        self.name = os.path.join(folder, f"part-{part:05d}")
        self.rows: list[dict[str, Any]] = []
        self.writer: Any = None
        if output_format == "parquet":
            import pyarrow as pa

            self.pa, self.schema = pa, schema
            self.writer = pa.ipc.new_stream(self.file, schema)

    def line(self, text: str) -> None:
        self.file.write(text.encode("utf-8"))

    def row(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= _IPC_ROWS:
            self._flush_rows()

    def _flush_rows(self) -> None:
        if self.rows:
            self.writer.write_batch(self.pa.RecordBatch.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> tuple[str, int]:
        """The part, complete and synced: (its name, bytes)."""
        if self.writer is not None:
            self._flush_rows()
            self.writer.close()
        self.file.flush()
        os.fsync(self.file.fileno())
        size = self.file.tell()
        self.file.close()
        os.replace(self.tmp, self.name)
        return self.name, size

    def abort(self) -> None:
        _quietly(self.file.close)
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


def output_task(part: int, records: Iterable[tuple[int, Document]], canonical: Any, empty: Any, folder: str,
                 explain: bool, output_format: str = "jsonl") -> Iterator[tuple]:
    """One range of the read order of the cleaned documents ``(read index, Document)``, in read order:
    its canonical documents written to ``folder/part-NNNNN`` (:class:`_PartFile`): their lines of
    canonical.jsonl (:func:`dedupe.writers.canonical_line`), or their rows of canonical.parquet.
    Yields one record, ``(part, accepted ids in read order, encodings, rules, part file or None, bytes)``:
    what the driver needs of the documents (the summary's counts, the accounting), never a text."""
    _fault_point("write")
    canon, skip = canonical.value, empty.value
    ids: list[str] = []
    encodings: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    out: _PartFile | None = None
    try:
        for _, doc in records:
            if doc.id in skip:  # no word: rejected when signed
                continue
            ids.append(doc.id)
            encoding = doc.meta.get("input_encoding") if doc.meta else None
            if encoding:  # as dedupe._store.DocumentStore counts them
                encodings[str(encoding)] += 1
            for change in doc.changes:
                rules[change.rule] += 1
            if doc.id in canon:
                if out is None:
                    out = _PartFile(folder, part, output_format, parquet_schema("canonical", explain)
                                    if output_format == "parquet" else None)
                if output_format == "parquet":
                    out.row(canonical_row(doc, explain))
                else:
                    out.line(canonical_line(doc, explain))
        name, size = out.close() if out is not None else (None, 0)
    except BaseException:
        if out is not None:
            out.abort()
        raise
    yield part, ids, encodings, rules, name, size


def _cluster_part(canonical: str, bounds: list[str]) -> int:
    """The part of clusters.jsonl of the cluster whose canonical is ``canonical`` (parts are ranges
    of canonical ids, cut at ``bounds``, sorted)."""
    return bisect.bisect_right(bounds, canonical)


def _clusters_task(part: int, records: Iterable[tuple[str, Cluster]], folder: str,
                   output_format: str) -> Iterator[tuple[int, str | None, int]]:
    """One range of the clusters, sorted by canonical id (the local engine's order): their lines of
    clusters.jsonl, or their rows of clusters.parquet, written to ``folder/part-NNNNN``.
    Yields ``(part, part file or None, bytes)``."""
    _fault_point("write-clusters")
    out: _PartFile | None = None
    try:
        for _, cluster in records:
            if out is None:
                out = _PartFile(folder, part, output_format,
                                parquet_schema("clusters") if output_format == "parquet" else None)
            if output_format == "parquet":
                out.row(cluster_row(cluster))
            else:
                out.line(cluster_line(cluster))
        name, size = out.close() if out is not None else (None, 0)
    except BaseException:
        if out is not None:
            out.abort()
        raise
    yield part, name, size


def _without_links(record: tuple) -> tuple:
    """What the driver keeps of a clustering task's record when the tasks write clusters.jsonl: a
    cluster's id, canonical, members and reason (the summary's counts, the accounting), no link."""
    if record[0] == "cluster":
        return "cluster", replace(record[1], links=())
    return record


@dataclass
class OutputParts:
    """An output file as the Spark tasks wrote it (``canonical`` or ``clusters``, in ``output_format``):
    part files in ``folder`` (in the output directory), in order, each with its size;
    :func:`dedupe.writers.write_outputs` concatenates them (:meth:`concatenate`)."""

    kind: str
    folder: str
    parts: list[tuple[str, int]]
    explain: bool
    output_format: str = "jsonl"

    def check(self) -> None:
        """Every part is where the driver reads it, whole (a cluster whose executors cannot write the
        output directory that the driver reads fails here, by name)."""
        for name, size in self.parts:
            try:
                found = os.path.getsize(name)
            except OSError:
                found = -1
            if found != size:
                raise EngineError("Spark", "write", (
                    f"{name}: a part of {self.kind}.{self.output_format} that a task wrote ({size} bytes) is "
                    f"{'missing' if found < 0 else f'{found} bytes'} on the driver; on a cluster, -o must be "
                    "a directory that the driver and every executor share (NFS, a mounted bucket)"))

    def concatenate(self, path: str | os.PathLike[str], *, explain: bool, output_format: str) -> tuple[str, int, str]:
        """The parts, in order, as one temporary file beside ``path``: (temp name, bytes, sha256).
        JSONL: the bytes copied; Parquet: the rows written in the local engine's row groups."""
        if output_format != self.output_format or (self.kind == "canonical" and explain != self.explain):
            wrote, asked = ((f" with explain={self.explain}", f" with explain={explain}") if self.kind == "canonical"
                            else ("", ""))
            raise ConfigError(f"the Spark tasks wrote {self.kind} as {self.output_format}{wrote}; it cannot be "
                              f"written as {output_format}{asked}")
        self.check()
        names = [name for name, _ in self.parts]
        if output_format == "parquet":
            return write_parquet_parts(path, names, parquet_schema(self.kind, self.explain), temporary=True)
        return concatenate_files(path, names)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class DocumentIds(Mapping[str, Document]):
    """The accepted documents of a run whose tasks wrote the outputs: their ids in read order and
    the counts the summary reads (:attr:`encodings`, :attr:`rules`, as a
    :class:`~dedupe._store.DocumentStore` keeps them); the texts stayed in the tasks."""

    def __init__(self, ids: Iterable[str], encodings: Counter[str], rules: Counter[str]) -> None:
        self._ids = dict.fromkeys(ids)
        self.encodings = encodings
        self.rules = rules

    def __getitem__(self, doc_id: str) -> Document:
        raise KeyError(f"{doc_id!r}: the Spark tasks wrote the documents (run_spark with write_to); "
                       "without write_to, the result holds them")

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass
class SparkRunResult(RunResult):
    """A :class:`~dedupe.pipeline.RunResult`. With ``write_to``, ``canonical_parts`` and
    ``clusters_parts`` hold canonical and clusters as the tasks wrote them, ``documents`` only the
    ids (:class:`DocumentIds`) and ``clusters`` the clusters without their links (ids, canonical,
    reason); :meth:`remove_parts` removes the parts once written."""

    canonical_parts: OutputParts | None = field(default=None, repr=False)
    clusters_parts: OutputParts | None = field(default=None, repr=False)
    parts_folder: str | None = field(default=None, repr=False)

    def remove_parts(self) -> None:
        """Remove the folder of the parts the tasks wrote (in the output directory)."""
        if self.parts_folder is not None:
            shutil.rmtree(self.parts_folder, ignore_errors=True)


# --------------------------------------------------------------------------- connected components


def _large_star(node: tuple[int, Iterable[int]]) -> Iterator[tuple[int, int]]:
    """Large-star: every larger neighbour of ``u`` attached to the smallest of ``u``'s neighbourhood."""
    u, neighbours = node
    seen = set(neighbours)
    m = min(min(seen), u)
    for v in seen:
        if v > u:
            yield v, m


def _small_star(node: tuple[int, Iterable[int]]) -> Iterator[tuple[int, int]]:
    """Small-star: ``u`` and its smaller neighbours attached to the smallest of them."""
    u, parents = node
    seen = set(parents)
    m = min(seen)
    yield u, m
    for v in seen:
        if v != m:
            yield v, m


def connected_components(edges: Any, partitions: int) -> Any:
    """``(node, smallest node of its component)`` for every node of ``edges`` (an RDD of integer pairs).

    Large-star and small-star rounds (Kiveris, Lattanzi, Mirrokni, Rastogi and
    Vassilvitskii, "Connected Components in MapReduce and Beyond", SoCC 2014),
    written with RDD operations. Edges are kept as ``(child, parent)`` with
    ``parent < child``; both operations keep each component connected, so when
    the edges form stars (every parent is a root, every child has one parent),
    each star is a component and its root is its smallest node.
    """
    current = edges.filter(lambda e: e[0] != e[1]).map(lambda e: (max(e), min(e))).distinct(partitions)
    current.persist()
    previous = None
    for _ in range(MAX_ROUNDS):
        # One job per round: it computes (and keeps) this round's edges while checking them.
        done = current.flatMap(lambda e: ((e[0], 1), (e[1], 0))).groupByKey(partitions).filter(_not_star).isEmpty()
        if previous is not None:
            previous.unpersist()
        if done:
            roots = current.values().distinct(partitions).map(lambda r: (r, r))
            return current.union(roots)
        both = current.flatMap(lambda e: (e, (e[1], e[0])))
        larger = both.groupByKey(partitions).flatMap(_large_star).distinct(partitions)
        previous, current = current, larger.groupByKey(partitions).flatMap(_small_star).distinct(partitions)
        current.persist()
    raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")


def _not_star(node: tuple[int, Iterable[int]]) -> bool:
    """Whether a node breaks the star shape: it has two parents, or it has a parent and children.
    (Its marks: 1 per parent it has, 0 per child.)"""
    marks = list(node[1])
    parents = sum(marks)
    return parents > 1 or (parents == 1 and len(marks) > 1)


# --------------------------------------------------------------------------- the run


def run_spark(
    inputs: Sequence[str],
    config: RunConfig | None = None,
    *,
    master: str | None = None,
    partitions: int | None = None,
    progress: Progress | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
    write_to: str | os.PathLike[str] | None = None,
    explain: bool = False,
    output_format: str = "jsonl",
) -> SparkRunResult:
    """:func:`dedupe.pipeline.run` on Spark: the same :class:`~dedupe.pipeline.RunResult`, timings apart.

    ``master``: a Spark master URL (default: the active session, else ``local[*]``);
    ``partitions``: tasks per stage (default: Spark's default parallelism). The
    result does not depend on either.

    Without ``write_to``, the driver gathers the documents into the result (a
    :class:`~dedupe._store.DocumentStore`, spilled past ``config.memory_bytes``).
    With ``write_to`` (the output directory), the tasks write canonical's
    documents (``explain`` as for :func:`dedupe.writers.write_outputs`) and the
    clusters with their links as part files in a folder there, in
    ``output_format`` (``"jsonl"`` or ``"parquet"``), and the driver keeps only
    ids: pass the result to ``write_outputs(result, write_to, explain=explain,
    output_format=output_format)``, which joins the parts into the output files,
    then call ``result.remove_parts()``. On a cluster, ``write_to`` must be
    shared by the driver and the executors.

    A Spark failure (a job failed after its retries, an unreachable master, a
    driver JVM that died) raises :class:`~dedupe.errors.EngineError`, naming the stage.
    """
    config = config or RunConfig()
    if output_format not in OUTPUT_FORMATS:
        raise ConfigError(f"output_format={output_format!r}: expected one of {', '.join(OUTPUT_FORMATS)}")
    if partitions is not None and partitions < 1:
        raise ConfigError(f"partitions={partitions!r} is out of range: expected a positive integer")
    require_pyspark()
    units = list(input_units(inputs))  # wrong paths and missing readers raise here, before Spark starts
    with spark_session(master) as spark:
        run = SparkRun(spark.sparkContext, config, partitions, progress)
        run.write_to = None if write_to is None else os.path.abspath(os.fspath(write_to))  # as the tasks see it
        run.explain = explain
        run.output_format = output_format
        try:
            return run.run(units, on_reject)
        except spark_errors() as exc:
            raise spark_failure(exc, run.stage, master or _quietly_get(lambda: spark.sparkContext.master)) from exc


def _quietly_get(func: Callable[[], Any]) -> Any:
    try:
        return func()
    except Exception:
        return None


class _ProgressPoller(threading.Thread):
    """Reports the tasks of the running Spark stages as ``progress(stage, done, total)``, every half second."""

    def __init__(self, sc: Any, run: "SparkRun", progress: Progress) -> None:
        super().__init__(name="dedupe-spark-progress", daemon=True)
        self.tracker = sc.statusTracker()
        self.run_ = run
        self.progress = progress
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            try:
                infos = [self.tracker.getStageInfo(s) for s in self.tracker.getActiveStageIds()]
            except Exception:  # the session is stopping
                return
            total = sum(i.numTasks for i in infos if i is not None)
            done = sum(i.numCompletedTasks for i in infos if i is not None)
            if total:
                self.progress(self.run_.stage, done, total)

    def stop(self) -> None:
        self.stopped.set()
        self.join()


class SparkRun:
    def __init__(self, sc: Any, config: RunConfig, partitions: int | None, progress: Progress | None) -> None:
        from pyspark import StorageLevel

        self.sc = sc
        self.config = config
        self.parts = max(1, partitions or sc.defaultParallelism)
        self.progress = progress
        self.level = StorageLevel.MEMORY_AND_DISK
        self.timings: dict[str, float] = {}
        self.cached: list[Any] = []
        self.stage = "read"
        self.write_to: str | None = None
        self.explain = False
        self.output_format = "jsonl"

    def begin(self, stage: str) -> None:
        """Name the jobs that follow (Spark's UI and logs show it; the progress display too)."""
        self.stage = stage
        self.sc.setJobDescription(f"dedupe: {stage}")
        logger.info("spark: %s", stage)

    def _persist(self, rdd: Any) -> Any:
        rdd.persist(self.level)
        self.cached.append(rdd)
        return rdd

    def _time(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = now - since
        return now

    def run(self, units: list[InputUnit | Rejected], on_reject: Callable[[Rejected], None] | None) -> SparkRunResult:
        poller = _ProgressPoller(self.sc, self, self.progress) if self.progress else None
        if poller:
            poller.start()
        try:
            return self.run_stages(units, on_reject)
        finally:
            if poller:
                poller.stop()
            _quietly(lambda: self.sc.setJobDescription(None))
            for rdd in self.cached:
                _quietly(rdd.unpersist)

    def run_stages(self, units: list[InputUnit | Rejected], on_reject: Callable[[Rejected], None] | None) -> SparkRunResult:
        sc, config, parts = self.sc, self.config, self.parts
        dedup = config.dedup
        t = time.perf_counter()

        # Read: one task per input unit (stdin is read here).
        self.begin("read")
        payloads: list[Any] = []
        for unit in units:
            if isinstance(unit, InputUnit) and unit.kind == "stdin":
                payloads.append(list(read_unit(unit, config.limits, config.fields, Counter())))
            else:
                payloads.append(unit)
        read = sc.parallelize(list(enumerate(payloads)), max(1, min(len(payloads), parts)))
        read = self._persist(read.mapPartitions(partial(_read_task, limits=config.limits, fields=config.fields)))
        skipped: Counter[str] = Counter()
        sizes: dict[int, int] = {}
        for part, size, counter in read.mapPartitionsWithIndex(_read_summary).collect():
            sizes[part] = size
            skipped.update(counter)
        offsets = np.concatenate(([0], np.cumsum([sizes[p] for p in sorted(sizes)]))).astype(np.int64).tolist()
        n_read = int(offsets[-1])
        items = read.mapPartitionsWithIndex(partial(_number_items, offsets=offsets))

        # A second document with an id already seen (in read order) is a duplicate-id.
        firsts = (items.filter(lambda r: isinstance(r[1], Document))
                  .map(lambda r: (r[1].id, (r[0], r[1].origin, 1)))
                  .reduceByKey(lambda x, y: (x[0], x[1], x[2] + y[2]) if x[0] < y[0] else (y[0], y[1], x[2] + y[2]),
                               parts, _text_partition)
                  .filter(lambda kv: kv[1][2] > 1)
                  .map(lambda kv: (kv[0], (kv[1][0], kv[1][1])))
                  .collectAsMap())
        firsts_b = sc.broadcast(dict(firsts))

        # Clean contiguous ranges of the read order; furniture counted per task, merged.
        self.begin("clean")
        learn = config.clean.learn_furniture
        total = max(n_read, 1)
        ranges = max(parts, -(-n_read // _DOCS_PER_RANGE))
        ranged = items.repartitionAndSortWithinPartitions(ranges, lambda i: i * ranges // total)
        cleaned = self._persist(ranged.mapPartitions(
            partial(_clean_task, config=config.clean, firsts=firsts_b, learn=learn, memo=Memo())))
        rejections_rdd = cleaned.filter(lambda r: r[0] == "rej").map(lambda r: (0, r[1], r[2]))
        cleaned.count()  # cleaned here (kept), so that the timings and the progress say so
        read.unpersist()
        t = self._time("clean", t)
        docs = cleaned.filter(lambda r: r[0] == "doc")
        furniture_lines = 0
        if learn:
            learner = cleaned.filter(lambda r: r[0] == "learner").map(lambda r: r[2]).treeReduce(_merge_learners)
            model = learner.model()
            furniture_lines = len(model)
            if furniture_lines:
                model_b = sc.broadcast(model.detached())
                stripped = self._persist(docs.mapPartitions(partial(_strip_task, model=model_b)))
                rejections_rdd = rejections_rdd.union(stripped.filter(lambda r: r[0] == "rej")
                                                      .map(lambda r: (1, r[1], r[2])))
                docs = stripped.filter(lambda r: r[0] == "doc")
        final = docs.map(lambda r: (r[1], r[2]))  # (read index, document), in read order (a map of a kept RDD)
        rejected: list[tuple[int, int, Rejected]] = rejections_rdd.collect()
        t = self._time("furniture", t)

        # Number the documents in id order, sign them.
        self.begin("sign")
        numbered = self._persist(final.map(lambda r: (r[1].id, r[1])).sortByKey(True, parts).zipWithIndex())
        signed = self._persist(numbered.mapPartitionsWithIndex(partial(_sign_task, config=dedup)))
        small = signed.filter(lambda r: r[0] == "arr" or (r[0] == "doc" and r[4] == 0)).collect()
        arrays = [r for r in small if r[0] == "arr"]
        n_docs = sum(len(a[2]) for a in arrays)
        comparable = np.zeros(n_docs, dtype=np.int64)
        free = np.zeros(n_docs, dtype=np.int64)
        for _, _, numbers, comp, fr, _ in arrays:
            comparable[numbers] = comp
            free[numbers] = fr
        sentences = SentenceTokens.concat([a[5] for a in arrays]).scatter(
            np.concatenate([a[2] for a in arrays]) if arrays else np.empty(0, dtype=np.int64), n_docs)
        infos = signed.filter(lambda r: r[0] == "doc")
        empty = sorted((r[1], r[2], r[3]) for r in small if r[0] == "doc")
        rejected += [(2, k, Rejected(doc_id, "empty", "the text has no words", origin)) for k, doc_id, origin in empty]
        empty_ids = {doc_id for _, doc_id, _ in empty}
        t = self._time("sign", t)

        # Exact copies follow the first in id order; candidate evidence per evidence group.
        self.begin("candidates")
        alive = infos.filter(lambda r: r[4] > 0)
        copy_of = dict(alive.map(lambda r: (r[5], r[1])).groupByKey(parts, _text_partition).flatMap(_copies_of)
                       .collect())
        excluded = np.array(sorted(set(copy_of) | {k for k, _, _ in empty}), dtype=np.int64)
        excluded_b = sc.broadcast(excluded)
        shards = max(parts, -(-n_docs // _DOCS_PER_SHARD))
        # One task per slice of an evidence group (a group of many entries is cut by the key's next
        # bits, so that no group is one task), its entries shuffled in records of one signing chunk
        # each; its evidence split by pair shard.
        entries = signed.filter(lambda r: r[0] == "ent")
        sizes = dict(entries.map(lambda r: (r[1], len(r[3]))).reduceByKey(lambda x, y: x + y).collect())
        bits = slice_bits(sizes, ENTRIES_PER_SLICE)
        offsets = np.concatenate(([0], np.cumsum([1 << b for b in bits]))).astype(np.int64).tolist()
        group_of = [g for g, b in enumerate(bits) for _ in range(1 << b)]
        grouped = self._persist(
            entries.flatMap(partial(_slice_entries, bits=bits, offsets=offsets))
            .partitionBy(offsets[-1], _group_partition)
            .mapPartitionsWithIndex(partial(_slice_task, group_of=group_of, excluded=excluded_b,
                                            max_bucket=dedup.max_bucket, sentence_bands=dedup.sentence_bands,
                                            shards=shards)))
        capped_keys = capped_entries = 0
        loose = Evidence.empty()
        for r in sorted(grouped.filter(lambda r: r[0] != "piece").collect(), key=lambda r: (r[1], r[0])):
            if r[0] == "stats":
                capped_keys += r[2]
                capped_entries += r[3]
            else:  # every group's loose sentences, merged as the local engine merges the groups
                loose = merge_evidence([loose, replace(Evidence.empty(), loose=r[2], loose_tokens=r[3])])
        loose_b = sc.broadcast((loose.loose, loose.loose_tokens))
        arrays_b = sc.broadcast((comparable, free, sentences))
        # One task per pair shard: the groups' pieces summed, then bounded.
        bounded = self._persist(
            grouped.filter(lambda r: r[0] == "piece").map(lambda r: (r[1], (r[2], r[3])))
            .partitionBy(shards, _group_partition)
            .mapPartitions(partial(_bound_task, loose=loose_b, arrays=arrays_b, config=dedup)))
        above_weight = n_candidates = 0
        for r in bounded.map(lambda r: ("n", r[1]) if r[0] == "n" else ("pairs", len(r[1]))).collect():
            if r[0] == "n":
                above_weight += r[1]
            else:
                n_candidates += r[1]
        grouped.unpersist()
        del comparable, free, sentences
        t = self._time("candidates", t)

        # Verify: each candidate pair joined with its two documents' texts.
        self.begin("verify")
        texts = numbered.map(lambda r: (r[1], (r[0][0], r[0][1].text or "")))
        pairs = bounded.filter(lambda r: r[0] == "pairs").flatMap(lambda r: decode_pairs(r[1]))
        verify_parts = max(parts, -(-n_candidates // _PAIRS_PER_TASK))
        joined = (pairs.join(texts, verify_parts).map(lambda r: (r[1][0], (r[0], r[1][1])))
                  .join(texts, verify_parts).map(lambda r: ((r[1][0][0], r[0]), r[1][0][1], r[1][1])))
        links = self._persist(joined.mapPartitions(partial(_verify_task, config=dedup)))
        links.count()  # verified here (kept), so that the timings and the progress say so
        t = self._time("verify", t)

        # Connected components of the verified links; each clustered by the local function.
        self.begin("cluster")
        if n_candidates:
            labels = self._persist(connected_components(links.map(lambda r: (r[0], r[1])), parts))
        else:
            labels = sc.parallelize([], 1)
        t = self._time("components", t)
        copy_b = sc.broadcast(copy_of)
        members = (alive.map(lambda r: (copy_b.value.get(r[1], r[1]),
                                        _Member(r[1], copy_b.value.get(r[1], r[1]), r[2], r[4], r[6], r[7])))
                   .leftOuterJoin(labels, parts)
                   .map(lambda r: (r[1][1] if r[1][1] is not None else r[0], ("m", r[1][0]))))
        component_texts = labels.join(texts, parts).map(lambda r: (r[1][0], ("t", r[0], r[1][1][1])))
        component_links = (links.map(lambda r: (r[0], (r[1], r[2]))).join(labels, parts)
                           .map(lambda r: (r[1][1], ("l", r[0], r[1][0][0], r[1][0][1]))))
        # The candidate pairs inside a component: was_candidate (pairs that did not verify are not verified again).
        component_pairs = (pairs.join(labels, parts).map(lambda r: (r[1][0], (r[0], r[1][1])))
                           .join(labels, parts).filter(lambda r: r[1][0][1] == r[1][1])
                           .map(lambda r: (r[1][1], ("c", r[1][0][0], r[0]))))
        clustered = self._persist(members.union(component_texts).union(component_links).union(component_pairs)
                                  .groupByKey(parts).flatMap(lambda kv: _cluster_component(kv[1], dedup)))
        # With write_to, the tasks write clusters.jsonl: the driver keeps no link.
        out = (clustered if self.write_to is None else clustered.map(_without_links)).collect()
        clusters: list[Cluster] = [c for kind, c in out if kind == "cluster"]
        clusters.sort(key=lambda c: c.canonical)
        on_demand = sum(c[0] for kind, c in out if kind == "od")
        n_links = sum(c[1] for kind, c in out if kind == "od")
        t = self._time("cluster", t)

        documents: DocumentStore | DocumentIds
        canonical_parts = clusters_parts = None
        top = None
        if self.write_to is None:
            # The documents, in read order, for the writers.
            self.begin("collect")
            documents = DocumentStore(config.memory_bytes)
            for _, doc in final.toLocalIterator():
                if doc.id not in empty_ids:
                    documents.put(doc)
        else:
            # canonical and clusters written by the tasks, in parts; only ids come back.
            self.begin("write")
            fmt = self.output_format
            os.makedirs(self.write_to, exist_ok=True)
            top = tempfile.mkdtemp(prefix=".dedupe-parts-", dir=self.write_to)
            try:
                folder = os.path.join(top, "canonical")
                os.mkdir(folder)
                canonical_b = sc.broadcast(frozenset(c.canonical for c in clusters))
                empty_b = sc.broadcast(frozenset(empty_ids))
                outs = sorted(final.mapPartitionsWithIndex(partial(
                    output_task, canonical=canonical_b, empty=empty_b, folder=folder, explain=self.explain,
                    output_format=fmt)).collect(), key=lambda r: r[0])
                canonical_parts = OutputParts("canonical", folder, [(r[4], r[5]) for r in outs if r[4] is not None],
                                              self.explain, fmt)
                canonical_parts.check()
                # clusters.jsonl: ranges of canonical ids (the local order), cut where the driver's
                # sorted clusters say, a part per range.
                folder = os.path.join(top, "clusters")
                os.mkdir(folder)
                bounds = [c.canonical for c in clusters[_CLUSTERS_PER_PART::_CLUSTERS_PER_PART]]
                written = sorted(clustered.filter(lambda r: r[0] == "cluster").map(lambda r: (r[1].canonical, r[1]))
                                 .repartitionAndSortWithinPartitions(len(bounds) + 1,
                                                                     partial(_cluster_part, bounds=bounds))
                                 .mapPartitionsWithIndex(partial(_clusters_task, folder=folder, output_format=fmt))
                                 .collect())
                clusters_parts = OutputParts("clusters", folder, [(r[1], r[2]) for r in written if r[1] is not None],
                                             False, fmt)
                clusters_parts.check()
            except BaseException:
                shutil.rmtree(top, ignore_errors=True)
                raise
            encodings: Counter[str] = Counter()
            rules: Counter[str] = Counter()
            for r in outs:
                encodings.update(r[2])
                rules.update(r[3])
            documents = DocumentIds((doc_id for r in outs for doc_id in r[1]), encodings, rules)
        store = documents
        rejected.sort(key=lambda r: (r[0], r[1]))
        rejections = [r for _, _, r in rejected]
        if on_reject:
            for r in rejections:
                on_reject(r)
        self._time("collect" if self.write_to is None else "write", t)
        stats = {
            "candidate_pairs": n_candidates,
            "pruned_pairs": above_weight - n_candidates,
            "capped_keys": capped_keys,
            "capped_key_entries": capped_entries,
            "verified_links": n_links,
            "on_demand_checks": on_demand,
            "exact_copies": len(copy_of),
        }
        return SparkRunResult(
            canonical_parts=canonical_parts,
            clusters_parts=clusters_parts,
            parts_folder=top,
            clusters=clusters,
            documents=store,
            rejected=rejections,
            order=list(store),
            timings=dict(self.timings),
            stats=stats,
            skipped=dict(sorted(skipped.items())),
            read=n_read,
            rule_counts=dict(sorted(store.rules.items())),
            furniture_lines=furniture_lines,
            config=config,
        )

