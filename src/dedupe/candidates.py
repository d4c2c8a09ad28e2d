"""Candidate pairs from MinHash-LSH, before exact verification.

Two sources of candidates, both over the signatures of :mod:`dedupe.sign`:

- documents: whole-document LSH at ``threshold`` with the band/row split
  datasketch's ``MinHashLSH`` chooses for that threshold and ``num_perm``
  (read from datasketch, so the candidate set is the one its index would
  return, documents with at least one equal band, up to the bucket cap
  below);
- sentences: every sentence signature cut into ``sentence_bands`` bands of
  ``sentence_rows`` values; documents with a band key in common share a
  near-identical sentence (syndicated partial copies, which whole-document
  Jaccard misses).

A batch run finds equal bands by sorting 64-bit band keys of all documents at
once (numpy), not by a hash table of Python objects: memory is a few arrays,
and the work is a sort. datasketch's ``MinHashLSH`` stays the index for
incremental use; :func:`lsh_index` builds one from the same signatures.

A bucket (documents sharing one band key) holding more than ``max_bucket``
documents (a stock phrase, or a story printed by very many outlets) does not
produce all its pairs: each
document is paired with the ``max_bucket`` documents that follow it in id
order, which keeps the work linear and still connects the bucket.

Documents are numbered in id order (:func:`dedupe.pipeline.deduplicate` sorts
them), so candidates do not depend on input order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from datasketch import MinHashLSH

from .config import DedupConfig
from .sign import Signature, band_keys, to_lean_minhash

__all__ = ["candidate_pairs", "lsh_bands", "lsh_index"]

# 32: a bucket of 32 documents gives at most 496 pairs; larger buckets are
# rare outside boilerplate and wide syndication.
MAX_BUCKET = 32


@lru_cache(maxsize=32)
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` that datasketch ``MinHashLSH`` uses for ``threshold`` and ``num_perm``.

    >>> lsh_bands(0.5, 128)
    (25, 5)
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def lsh_index(signatures: Sequence[Signature], config: DedupConfig) -> MinHashLSH:
    """A datasketch ``MinHashLSH`` holding ``signatures`` (keys: their positions), for incremental queries."""
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    with lsh.insertion_session() as session:
        for i, sig in enumerate(signatures):
            if sig.shingles:
                session.insert(i, to_lean_minhash(sig.values, config.seed), check_duplication=False)
    return lsh


def _bucket_pairs(keys: np.ndarray, owners: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs ``a * 2**32 + b`` (``a < b``) of owners that share a key, as a sorted unique int64 array.

    Owners are document numbers (below 2**31). Within a key's run, sorted by
    owner, each entry pairs with the next ``max_bucket`` entries.
    """
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    # One entry per (key, owner), and only keys held by two or more owners.
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
    keys, owners = keys[first], owners[first]
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    same_next = keys[1:] == keys[:-1]
    shared = np.zeros(len(keys), dtype=bool)
    shared[1:] |= same_next
    shared[:-1] |= same_next
    keys, owners = keys[shared], owners[shared]
    out: list[np.ndarray] = []
    for d in range(1, max_bucket + 1):
        if d >= len(keys):
            break
        same = keys[d:] == keys[:-d]
        if not same.any():
            break
        a, b = owners[:-d][same], owners[d:][same]
        out.append(a.astype(np.int64) << 32 | b.astype(np.int64))
    if not out:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(out))


def _document_pairs(signatures: Sequence[Signature], config: DedupConfig, max_bucket: int) -> np.ndarray:
    bands, rows = lsh_bands(config.threshold, config.num_perm)
    have = [i for i, sig in enumerate(signatures) if sig.shingles]
    if len(have) < 2:
        return np.empty(0, dtype=np.int64)
    values = np.stack([signatures[i].values for i in have])
    keys = band_keys(values, bands, rows)
    owners = np.repeat(np.asarray(have, dtype=np.int64), bands)
    return _bucket_pairs(keys.ravel(), owners, max_bucket)


def _sentence_pairs(signatures: Sequence[Signature], config: DedupConfig, max_bucket: int) -> np.ndarray:
    rows = [sig.sentences for sig in signatures if len(sig.sentences)]
    if not rows:
        return np.empty(0, dtype=np.int64)
    counts = [len(sig.sentences) for sig in signatures if len(sig.sentences)]
    who = [i for i, sig in enumerate(signatures) if len(sig.sentences)]
    keys = band_keys(np.concatenate(rows), config.sentence_bands, config.sentence_rows)
    owners = np.repeat(np.repeat(np.asarray(who, dtype=np.int64), counts), config.sentence_bands)
    return _bucket_pairs(keys.ravel(), owners, max_bucket)


def candidate_pairs(
    signatures: Sequence[Signature], config: DedupConfig, max_bucket: int = MAX_BUCKET
) -> list[tuple[int, int]]:
    """Sorted candidate pairs ``(i, j)``, ``i < j``, of document numbers."""
    coded = np.union1d(_document_pairs(signatures, config, max_bucket), _sentence_pairs(signatures, config, max_bucket))
    return list(zip((coded >> 32).tolist(), (coded & 0xFFFFFFFF).tolist()))
