"""The stages of a run, as functions over partitions of plain records and arrays.

::

    read -> clean -> furniture: count, merge, strip -> sign -> band keys -> candidate pairs
         -> verify -> connected components -> cluster each component -> write

Each function takes one partition (a list of records, or arrays) and returns
what the next stage needs. None keeps state between calls, and none depends on
the partition's size or position. An engine only has to route records between
the stages. :mod:`dedupe.pipeline` is one engine, with worker processes and
key partitions spilled to disk. Another engine that runs these functions over
the same input, with the routing below, gets byte-identical output.

=========================  ==========================================  ============================================
stage                      function                                    routing
=========================  ==========================================  ============================================
clean                      :func:`clean_partition`                     any split of the input records
furniture: count           :meth:`FurnitureLearner.add`                any split; learners combined with
                                                                       :meth:`FurnitureLearner.merge` (a reduce)
furniture: strip           :meth:`FurnitureModel.strip_many`, then     any split, the merged model broadcast
                           :func:`after_strip` per document
sign, band keys            :func:`sign_partition`                      any split; documents numbered by id order
candidate pairs            :func:`dedupe._candidates.pair_evidence`     entries grouped by :func:`evidence_group`
                                                                       of their key (every occurrence of a key in
                                                                       one group); groups merged with
                                                                       :func:`dedupe._candidates.merge_evidence`,
                                                                       then :func:`dedupe._candidates.bound_pairs`
verify                     :func:`dedupe._verify.verify_many`           pairs joined with their two prepared
                                                                       documents (:func:`dedupe._verify.prepare_texts`)
connected components       :func:`dedupe._cluster.components`           of the verified links (any algorithm: the
                                                                       components are what they are)
cluster each component     :func:`dedupe._cluster.group`, then          one component at a time, its documents
                           :func:`make_cluster` per group               numbered in id order
=========================  ==========================================  ============================================

The candidate stage's one routing rule matters for equality. The evidence of a
group of key partitions is exact within the group, and groups merge exactly
too (hit sentences are or-ed bitmaps), except for the sentences of a document
past :data:`dedupe._candidates.HIT_SLOTS`, whose tokens are summed over groups
(see :func:`dedupe._candidates.merge_evidence`). So the groups must be the same
in every engine: the top :data:`EVIDENCE_GROUP_BITS` bits of the key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import xxhash

from ._candidates import SentenceTokens, signature_entries
from .clean import clean_document, furniture_only
from .clean.furniture import line_keys_batch, line_shapes
from .clean.rules import Memo
from ._cluster import ClusterMember, choose_canonical
from .config import CleanConfig, DedupConfig
from .records import Change, Cluster, Document, Rejected
from ._sign import sign_texts
from ._verify import Link, PairVerifier

__all__ = ["Cluster", "SignedPartition", "EVIDENCE_GROUP_BITS", "OnDemandChecks", "clean_partition", "after_strip",
           "evidence_group", "sign_partition", "make_cluster", "exact_link"]

logger = logging.getLogger(__name__)

#: Candidate evidence is computed per group of keys, then merged: the top 4 bits of a key (16 groups; see the module docstring).
EVIDENCE_GROUP_BITS = 4


def evidence_group(keys: np.ndarray) -> np.ndarray:
    """The evidence group of each band key (its top :data:`EVIDENCE_GROUP_BITS` bits)."""
    return (np.asarray(keys, dtype=np.uint64) >> np.uint64(64 - EVIDENCE_GROUP_BITS)).astype(np.int64)


def _clean_one(item: Document | Rejected, config: CleanConfig, memo: Memo | None = None) -> Document | Rejected:
    """A document cleaned, or the reason it cannot be."""
    if isinstance(item, Rejected):
        return item
    try:
        return clean_document(item, config, memo=memo)
    except Exception as exc:  # a cleaner bug must not kill the run; the document is accounted for
        logger.exception("%s: cleaning failed", item.origin or item.id)
        return Rejected(item.id, "html" if item.html else "empty-after-cleaning",
                        f"cleaning failed: {type(exc).__name__}: {exc}", item.origin)


def clean_partition(items: Sequence[Document | Rejected], config: CleanConfig,
                    keys: bool, memo: Memo | None = None) -> list[tuple[Document | Rejected, Any, Any]]:
    """Each item cleaned (or the reason it cannot be), with, when ``keys``, what learned furniture
    counts of it: its line keys (computed for the whole partition at once,
    :func:`dedupe.clean.furniture.line_keys_batch`) and its distinct line shapes
    (:func:`dedupe.clean.furniture.line_shapes`); else None twice. Both go to
    :meth:`FurnitureLearner.add`, so the process that gathers the counts computes neither.

    ``memo``: the rules engine's memo of the run (:class:`dedupe.clean.rules.Memo`), made once by
    the run and passed with every partition; a worker process gets its own replica of it, kept
    for the run. None: the process's shared memo. Results never depend on it."""
    out = [_clean_one(item, config, memo) for item in items]
    found: list[Any] = [None] * len(out)
    shapes: list[Any] = [None] * len(out)
    if keys:
        docs = [k for k, doc in enumerate(out) if isinstance(doc, Document)]
        for k, doc_keys in zip(docs, line_keys_batch([out[k].text or "" for k in docs])):  # type: ignore[union-attr]
            found[k] = doc_keys
            shapes[k] = sorted({h for h in line_shapes(out[k].text or "") if h is not None})  # type: ignore[union-attr]
    return list(zip(out, found, shapes))


def after_strip(doc: Document, text: str, changes: Sequence[Change]) -> Document | Rejected:
    """What is left of ``doc`` once learned furniture is stripped (``text`` and ``changes``, as
    :meth:`FurnitureModel.strip_many` gives them): ``doc`` itself when nothing was stripped, the
    document with its new text and the changes added to its own, or the reason it is rejected
    when nothing is left (``empty-after-cleaning``) or (nearly) only furniture is
    (``furniture-only``, :func:`dedupe.clean.furniture_only`).

    >>> from dedupe.records import Change
    >>> doc = Document("d1", text="Menu\\nThe council met.")
    >>> after_strip(doc, "The council met.", [Change("learned-furniture", removed="Menu")]).text
    'The council met.'
    >>> after_strip(doc, " ", [Change("learned-furniture", removed="Menu The council met.")]).reason
    'empty-after-cleaning'
    >>> wall = Change("learned-furniture", removed="Create a free account to keep reading this story today.")
    >>> after_strip(doc, "Council budget row", [wall]).reason
    'furniture-only'
    """
    if not changes:
        return doc
    if not text.strip():
        return Rejected(doc.id, "empty-after-cleaning", "only learned page furniture was left", doc.origin)
    merged = doc.changes + tuple(changes)
    if furniture_only(text, merged):
        return Rejected(doc.id, "furniture-only", "the page is (nearly) all furniture", doc.origin)
    return doc.with_(text=text, changes=merged)


# Documents per signing batch: sign_texts vectorises over a batch this size.
SIGN_BATCH = 256


@dataclass
class SignedPartition:
    """What the rest of a run keeps of a partition's signatures, per document (in the partition's
    order): its tokens (0: no word), the digest of its tokens (16 bytes each, exact copies), its
    comparable tokens and those no band key can show, and the comparable tokens of each banded
    sentence (see :class:`dedupe._sign.Signature`); and its band key entries
    (:func:`dedupe._candidates.signature_entries`; owners are positions in the partition)."""

    tokens: np.ndarray
    digests: bytes
    comparable: np.ndarray
    free: np.ndarray
    sentences: SentenceTokens
    keys: np.ndarray
    owners: np.ndarray
    aux: np.ndarray


def sign_partition(texts: Sequence[str], config: DedupConfig) -> SignedPartition:
    """Signatures and band key entries of a partition of cleaned texts."""
    sigs = sign_texts(texts, config.shingle_size, config.num_perm, config.seed,
                      config.sentence_bands * config.sentence_rows, config.sentence_min_shingles, batch=SIGN_BATCH,
                      profile=(config.sentence_min_tokens, config.list_min_tokens, config.list_stopword_share,
                               config.sentence_min_content_words))
    keys, owners, aux = signature_entries(sigs, config)
    comparable = np.array([s.comparable for s in sigs], dtype=np.int64)
    # A document with more banded sentences than entries can number (aux slots) is never pruned.
    free = np.array([s.free if len(s.sentences) < 0xFFFF else s.comparable for s in sigs], dtype=np.int64)
    return SignedPartition(np.array([s.tokens for s in sigs], dtype=np.int64), b"".join(s.digest for s in sigs),
                           comparable, free, SentenceTokens.of([s.sentence_tokens for s in sigs]), keys, owners, aux)


class OnDemandChecks:
    """The ``check`` and ``prefetch`` that :func:`dedupe._cluster.group` asks for, over one engine's
    documents: a pair verified as a candidate answers with its link (or None); any other pair is
    verified when asked (or prefetched), once, by ``verifier``.

    ``links``: the candidates' links by pair; ``was_candidate(a, b)``: whether verification saw the
    pair. ``found`` holds the on-demand verdicts (:meth:`all_links` adds the links among them).
    """

    def __init__(self, links: dict[tuple[int, int], Link], was_candidate: Callable[[int, int], bool],
                 verifier: PairVerifier) -> None:
        self.links = links
        self.was_candidate = was_candidate
        self.verifier = verifier
        self.found: dict[tuple[int, int], Link | None] = {}

    def check(self, a: int, b: int) -> Link | None:
        link = self.links.get((a, b))
        if link is not None or self.was_candidate(a, b):
            return link
        if (a, b) not in self.found:
            self.found[(a, b)] = self.verifier.check(a, b)
        return self.found[(a, b)]

    def prefetch(self, pairs: list[tuple[int, int]]) -> None:
        self.verifier.prefetch([p for p in pairs if p not in self.links and p not in self.found
                                and not self.was_candidate(*p)])

    def all_links(self) -> dict[tuple[int, int], Link]:
        """The candidates' links and those found on demand."""
        out = dict(self.links)
        out.update((pair, link) for pair, link in self.found.items() if link is not None)
        return out


def exact_link(a: str, b: str) -> Link:
    """The link of an exact copy ``b`` (the same normalised tokens) to its representative ``a``."""
    return Link(a, b, "near-duplicate", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0, (), exact=True)


def cluster_id(canonical: str) -> str:
    """A cluster's id: from its canonical's id, so it is stable across runs and engines."""
    return "c" + xxhash.xxh3_64_hexdigest(canonical.encode("utf-8", "surrogatepass"))


def make_cluster(members: Sequence[ClusterMember], links: Sequence[Link], copies: Sequence[tuple[str, str]],
                 config: DedupConfig) -> Cluster:
    """The :class:`Cluster` of one group of documents: ``members`` sorted by id, the verified
    ``links`` among them (sorted by their pair), and ``copies``, ``(representative, copy)`` ids of
    exact copies. The canonical is chosen by ``config``'s policy (:func:`dedupe._cluster.choose_canonical`)."""
    best, reason = choose_canonical(members, config.canonical, config.preferred_sources)
    all_links = list(links) + [exact_link(rep, copy) for rep, copy in copies]
    ordered = (best.id,) + tuple(m.id for m in members if m.id != best.id)
    return Cluster(cluster_id(best.id), best.id, ordered, tuple(all_links), reason)
