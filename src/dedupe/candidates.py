"""Candidate pairs from MinHash-LSH, before exact verification.

Two sources of candidates, both over the signatures of :mod:`dedupe.sign`:

- documents: datasketch ``MinHashLSH`` at ``threshold`` with its own
  band/row choice, over ``LeanMinHash`` objects (whole-document near copies);
- sentences: every sentence signature cut into ``sentence_bands`` bands of
  ``sentence_rows`` values; documents with a band key in common share a
  near-identical sentence (syndicated partial copies, which whole-document
  Jaccard misses).

A sentence bucket holding more than ``max_bucket`` documents (a stock
phrase, or a story printed by very many outlets) does not produce all its
pairs: each document is paired with the ``max_bucket`` documents that follow
it in id order, which keeps the work linear and still connects the bucket.

Documents are numbered in id order (:func:`dedupe.pipeline.deduplicate` sorts
them), so candidates do not depend on input order.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from datasketch import MinHashLSH

from .config import DedupConfig
from .sign import Signature, band_keys, to_lean_minhash

__all__ = ["candidate_pairs"]

# 32: a bucket of 32 documents gives at most 496 pairs; larger buckets are
# rare outside boilerplate and wide syndication.
MAX_BUCKET = 32


def _document_pairs(signatures: Sequence[Signature], config: DedupConfig) -> set[tuple[int, int]]:
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    minhashes = [to_lean_minhash(sig.values, config.seed) if sig.shingles else None for sig in signatures]
    with lsh.insertion_session() as session:
        for i, mh in enumerate(minhashes):
            if mh is not None:
                session.insert(i, mh, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for i, mh in enumerate(minhashes):
        if mh is None:
            continue
        for j in lsh.query(mh):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _sentence_pairs(signatures: Sequence[Signature], config: DedupConfig, max_bucket: int) -> set[tuple[int, int]]:
    keys: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for i, sig in enumerate(signatures):
        if len(sig.sentences) == 0:
            continue
        k = np.unique(band_keys(sig.sentences, config.sentence_bands, config.sentence_rows).ravel())
        keys.append(k)
        owners.append(np.full(len(k), i, dtype=np.int64))
    if not keys:
        return set()
    all_keys = np.concatenate(keys)
    all_owners = np.concatenate(owners)
    order = np.lexsort((all_owners, all_keys))
    all_keys, all_owners = all_keys[order], all_owners[order]
    bounds = np.flatnonzero(np.diff(all_keys)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(all_keys)]))
    pairs: set[tuple[int, int]] = set()
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s < 2:
            continue
        members = all_owners[s:e].tolist()
        for x in range(len(members)):
            for y in range(x + 1, min(len(members), x + 1 + max_bucket)):
                pairs.add((members[x], members[y]))
    return pairs


def candidate_pairs(
    signatures: Sequence[Signature], config: DedupConfig, max_bucket: int = MAX_BUCKET
) -> list[tuple[int, int]]:
    """Sorted candidate pairs ``(i, j)``, ``i < j``, of document numbers."""
    pairs = _document_pairs(signatures, config)
    pairs |= _sentence_pairs(signatures, config, max_bucket)
    return sorted(pairs)

