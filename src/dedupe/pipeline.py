"""The whole flow: read → clean → learned furniture → sign → candidates → verify → cluster.

:func:`deduplicate` groups documents whose text is already clean;
:func:`run` does everything ``dedupe run`` does and returns a
:class:`RunResult` that :func:`dedupe.writers.write_outputs` writes.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence

import xxhash

from .candidates import candidate_pairs
from .clean import FurnitureLearner, clean_document
from .clean.furniture import line_keys
from .cluster import Candidate, choose_canonical, group
from .config import CleanConfig, DedupConfig, RunConfig
from .document import Document, Rejected
from .parallel import ordered_map
from .readers import read_inputs
from .sign import Signature, sign_texts
from .text import analyze
from .verify import Link, Prepared, prepare, verify

__all__ = ["Cluster", "DedupResult", "RunResult", "CleanedCorpus", "deduplicate", "clean_corpus", "run", "as_document"]

logger = logging.getLogger(__name__)

#: ``progress(stage, done, total)``; total is None when unknown.
Progress = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class Cluster:
    """One story: its members (canonical first, then by id), the canonical and the evidence."""

    id: str
    canonical: str
    members: tuple[str, ...]
    links: tuple[Link, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.id,
            "canonical": self.canonical,
            "members": list(self.members),
            "canonical_reason": self.reason,
            "links": [link.to_dict() for link in self.links],
        }


@dataclass
class DedupResult:
    """Clusters over the accepted documents, and the documents that could not be used."""

    clusters: list[Cluster]
    documents: dict[str, Document]
    rejected: list[Rejected]
    order: list[str]  # accepted ids in input order
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    def cluster_of(self, doc_id: str) -> Cluster:
        for c in self.clusters:
            if doc_id in c.members:
                return c
        raise KeyError(doc_id)

    def canonical_documents(self) -> list[Document]:
        """The canonical document of every cluster, in input order."""
        canon = {c.canonical for c in self.clusters}
        return [self.documents[i] for i in self.order if i in canon]

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


# Documents per signing task: sign_texts vectorises over a batch this size.
_SIGN_CHUNK = 256


def _sign_chunk(texts: Sequence[str], config: DedupConfig) -> list[Signature]:
    return sign_texts(
        texts,
        config.shingle_size,
        config.num_perm,
        config.seed,
        config.sentence_bands * config.sentence_rows,
        config.sentence_min_shingles,
        batch=_SIGN_CHUNK,
    )


def _cluster_id(canonical: str) -> str:
    return "c" + xxhash.xxh3_64_hexdigest(canonical.encode("utf-8", "surrogatepass"))


def deduplicate(
    docs: Iterable[Document | Mapping[str, Any]],
    config: DedupConfig | None = None,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> DedupResult:
    """Group documents whose ``text`` is already clean into clusters of copies.

    Every input id ends up in exactly one cluster or in ``rejected`` (empty
    text, HTML without text, repeated id). The result does not depend on the
    input order or the worker count.
    """
    config = config or DedupConfig()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    rejected: list[Rejected] = []
    accepted: dict[str, Document] = {}
    order: list[str] = []
    for obj in docs:
        doc = as_document(obj)
        if doc.id in accepted:
            rejected.append(Rejected(doc.id, "duplicate-id", f"id {doc.id!r} already used", doc.origin))
            continue
        if doc.text is None:
            reason = "html; clean it first (dedupe.clean_document or dedupe.run)" if doc.html else "no text"
            rejected.append(Rejected(doc.id, "bad-field", f"the document has {reason}", doc.origin))
            continue
        accepted[doc.id] = doc
        order.append(doc.id)

    ids = sorted(accepted)
    texts = [accepted[i].text or "" for i in ids]
    chunks = [texts[i:i + _SIGN_CHUNK] for i in range(0, len(texts), _SIGN_CHUNK)]
    signed = [sig for part in ordered_map(partial(_sign_chunk, config=config), chunks, workers, chunksize=1,
                                          min_items=2) for sig in part]
    keep: list[int] = []
    for k, sig in enumerate(signed):
        if sig.tokens:
            keep.append(k)
        else:
            doc = accepted.pop(ids[k])
            rejected.append(Rejected(doc.id, "empty", "the text has no words", doc.origin))
    order = [i for i in order if i in accepted]
    ids = [ids[k] for k in keep]
    texts = [texts[k] for k in keep]
    signatures = [signed[k] for k in keep]
    del signed, chunks
    timings["sign"] = time.perf_counter() - t0
    if progress:
        progress("sign", len(ids), len(ids))

    # Exact copies (same normalised tokens) follow one representative.
    t1 = time.perf_counter()
    by_text: dict[bytes, list[int]] = defaultdict(list)
    for k, sig in enumerate(signatures):
        by_text[sig.digest].append(k)
    rep_of = list(range(len(ids)))
    for group_ in by_text.values():
        for k in group_[1:]:
            rep_of[k] = group_[0]
    reps = [k for k in range(len(ids)) if rep_of[k] == k]

    pairs = candidate_pairs([signatures[k] for k in reps], config)
    timings["candidates"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    prepared: dict[int, Prepared] = {}

    def prep(n: int) -> Prepared:
        p = prepared.get(n)
        if p is None:
            k = reps[n]
            p = prepared[n] = prepare(ids[k], analyze(texts[k]), config)
        return p

    checked: dict[tuple[int, int], Link | None] = {}

    def check(a: int, b: int) -> Link | None:
        if (a, b) not in checked:
            checked[(a, b)] = verify(prep(a), prep(b), config)
        return checked[(a, b)]

    links: dict[tuple[int, int], Link] = {}
    ordered = sorted(pairs)
    results = _verify_pairs(ordered, [(ids[k], texts[k]) for k in reps], config, workers)
    for done, ((a, b), link) in enumerate(zip(ordered, results), 1):
        checked[(a, b)] = link
        if link is not None:
            links[(a, b)] = link
        if progress and done % 5000 == 0:
            progress("verify", done, len(pairs))
    timings["verify"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    sizes = [signatures[k].tokens for k in reps]
    groups = group(len(reps), links, check, sizes, config.linkage)

    members_of_rep: dict[int, list[int]] = defaultdict(list)
    for k in range(len(ids)):
        members_of_rep[rep_of[k]].append(k)
    group_of = {n: gi for gi, g in enumerate(groups) for n in g}
    links_of_group: dict[int, list[Link]] = defaultdict(list)
    for (a, b) in sorted(checked):
        link = checked[(a, b)]
        if link is not None and group_of[a] == group_of[b]:
            links_of_group[group_of[a]].append(link)
    clusters: list[Cluster] = []
    for gi, g in enumerate(groups):
        member_ks = sorted(k for n in g for k in members_of_rep[reps[n]])
        cands = [
            Candidate(ids[k], signatures[k].tokens, accepted[ids[k]].published, accepted[ids[k]].outlet)
            for k in member_ks
        ]
        best, reason = choose_canonical(cands, config.canonical, config.preferred_sources)
        cluster_links = list(links_of_group.get(gi, ()))
        for k in member_ks:
            if rep_of[k] != k:
                r = rep_of[k]
                cluster_links.append(_exact_link(ids[r], ids[k]))
        members = (best.id,) + tuple(ids[k] for k in member_ks if ids[k] != best.id)
        clusters.append(Cluster(_cluster_id(best.id), best.id, members, tuple(l for l in cluster_links if l), reason))
    clusters.sort(key=lambda c: c.canonical)
    timings["cluster"] = time.perf_counter() - t3
    stats = {
        "candidate_pairs": len(pairs),
        "verified_links": len(links),
        "on_demand_checks": len(checked) - len(pairs),
        "exact_copies": len(ids) - len(reps),
    }
    return DedupResult(clusters, accepted, rejected, order, timings, stats)


# Pairs per task when verification runs on worker processes: large enough that a
# worker's cache of prepared documents gets reused (pairs are sorted, so a chunk
# covers few documents), small enough to balance two to sixteen workers.
_VERIFY_CHUNK = 512
# Read by forked verification workers: documents as (id, text), and the config.
_VERIFY_STATE: dict[str, Any] = {}


def _verify_chunk(chunk: Sequence[tuple[int, int]]) -> list[Link | None]:
    docs, config = _VERIFY_STATE["docs"], _VERIFY_STATE["config"]
    cache: dict[int, Prepared] = _VERIFY_STATE.setdefault("prepared", {})

    def prep(n: int) -> Prepared:
        p = cache.get(n)
        if p is None:
            if len(cache) > 50_000:  # bound a long-lived worker's memory
                cache.clear()
            p = cache[n] = prepare(docs[n][0], analyze(docs[n][1]), config)
        return p

    return [verify(prep(a), prep(b), config) for a, b in chunk]


def _verify_pairs(pairs: Sequence[tuple[int, int]], docs: Sequence[tuple[str, str]], config: DedupConfig,
                  workers: int) -> list[Link | None]:
    """``verify`` for every pair, in order; on forked worker processes when there are many.

    Workers inherit the documents through fork (nothing is pickled on the way
    in); only the links come back. Verification is a pure function of the two
    documents, so the result is the same for every worker count.
    """
    chunks = [pairs[i:i + _VERIFY_CHUNK] for i in range(0, len(pairs), _VERIFY_CHUNK)]
    parallel = workers > 1 and len(chunks) > 1 and "fork" in multiprocessing.get_all_start_methods()
    _VERIFY_STATE.clear()
    _VERIFY_STATE.update(docs=docs, config=config)
    try:
        if not parallel:
            return [link for chunk in chunks for link in _verify_chunk(chunk)]
        return [link for part in ordered_map(_verify_chunk, chunks, workers, chunksize=1, min_items=2,
                                             method="fork") for link in part]
    finally:
        _VERIFY_STATE.clear()


def _exact_link(a: str, b: str) -> Link:
    return Link(a, b, "near-duplicate", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0, (), exact=True)


def _clean_one(doc: Document, config: CleanConfig) -> Document | Rejected:
    try:
        return clean_document(doc, config)
    except Exception as exc:  # a cleaner bug must not kill the run; the document is accounted for
        logger.exception("%s: cleaning failed", doc.origin or doc.id)
        return Rejected(doc.id, "html" if doc.html else "empty-after-cleaning",
                        f"cleaning failed: {type(exc).__name__}: {exc}", doc.origin)


@dataclass
class CleanedCorpus:
    """Documents after reading, cleaning and learned furniture, in input order."""

    documents: list[Document]
    rejected: list[Rejected]
    read: int
    timings: dict[str, float]
    furniture_lines: int


def clean_corpus(
    inputs: Sequence[str],
    config: RunConfig | None = None,
    *,
    progress: Progress | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> CleanedCorpus:
    """Read and clean ``inputs``: per-document cleaning, then learned page furniture."""
    config = config or RunConfig()
    timings: dict[str, float] = {}
    rejected: list[Rejected] = []

    def reject(r: Rejected) -> None:
        rejected.append(r)
        if on_reject:
            on_reject(r)

    t0 = time.perf_counter()
    raw: list[Document] = []
    read = 0
    for item in read_inputs(inputs, config.limits):
        read += 1
        if isinstance(item, Rejected):
            reject(item)
        else:
            raw.append(item)
        if progress and read % 1000 == 0:
            progress("read", read, None)
    timings["read"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    cleaned: list[Document] = []
    for n, item in enumerate(ordered_map(partial(_clean_one, config=config.clean), raw, config.worker_count), 1):
        if isinstance(item, Rejected):
            reject(item)
        else:
            cleaned.append(item)
        if progress and (n % 500 == 0 or n == len(raw)):
            progress("clean", n, len(raw))
    timings["clean"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    furniture_lines = 0
    if config.clean.learn_furniture:
        learner = FurnitureLearner(config.clean.furniture_min_docs, config.clean.furniture_min_share,
                                   config.clean.furniture_max_docs_per_source)
        texts = [doc.text or "" for doc in cleaned]
        for doc, text, keys in zip(cleaned, texts, ordered_map(line_keys, texts, config.worker_count, chunksize=256)):
            learner.add(doc.outlet, text, keys)
        del texts
        model = learner.model()
        furniture_lines = len(model)
        if furniture_lines:
            kept: list[Document] = []
            for doc in cleaned:
                text, changes = model.strip(doc.outlet, doc.text or "")
                if not changes:
                    kept.append(doc)
                elif not text.strip():
                    reject(Rejected(doc.id, "empty-after-cleaning", "only learned page furniture was left", doc.origin))
                else:
                    kept.append(doc.with_(text=text, changes=doc.changes + tuple(changes)))
            cleaned = kept
    timings["furniture"] = time.perf_counter() - t2
    return CleanedCorpus(cleaned, rejected, read, timings, furniture_lines)


def run(
    inputs: Sequence[str],
    config: RunConfig | None = None,
    *,
    progress: Progress | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> RunResult:
    """Read, clean and deduplicate ``inputs`` (paths, directories or ``-``)."""
    config = config or RunConfig()
    corpus = clean_corpus(inputs, config, progress=progress, on_reject=on_reject)
    result = deduplicate(corpus.documents, config.dedup, workers=config.worker_count, progress=progress)
    rejected = list(corpus.rejected)
    for r in result.rejected:
        rejected.append(r)
        if on_reject:
            on_reject(r)
    timings = dict(corpus.timings)
    timings.update(result.timings)
    rule_counts: Counter[str] = Counter()
    for doc in result.documents.values():
        rule_counts.update(c.rule for c in doc.changes)
    return RunResult(
        clusters=result.clusters,
        documents=result.documents,
        rejected=rejected,
        order=result.order,
        timings=timings,
        stats=result.stats,
        read=corpus.read,
        rule_counts=dict(sorted(rule_counts.items())),
        furniture_lines=corpus.furniture_lines,
        config=config,
    )
