"""MinHash signatures over normalised word shingles, vectorised with numpy.

Shingles are word ``n``-grams of :func:`dedupe.text.analyze` tokens. Each
token is hashed once (xxh3-64); an n-gram's hash is a polynomial combination
of its tokens' hashes computed over whole arrays, then mixed and cut to the
32-bit value that datasketch's ``affine32`` scheme takes as input. The
permutation step is datasketch's own, reproduced in numpy: the MurmurHash3
finalizer, then ``a*h + b mod 2^32`` with parameters drawn exactly as
``datasketch.MinHash(num_perm, seed)`` draws them. So a signature is
bit-for-bit the ``hashvalues`` of a datasketch ``MinHash`` fed the same
32-bit shingle hashes (tested), and :func:`to_lean_minhash` wraps it as a
``LeanMinHash``.

Documents shorter than ``n`` tokens get one shingle: all their tokens.
Sentence signatures (for shared-passage candidates) reuse the permuted values:
the minimum, per sentence, over the shingles that lie wholly inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash
from datasketch import LeanMinHash

from .text import Analysis

__all__ = ["Permutations", "permutations", "shingle_hashes", "Signature", "sign", "to_lean_minhash", "SCHEME"]

#: The datasketch permutation scheme these signatures use.
SCHEME = "affine32"
_U32 = np.uint32
_MAX32 = np.uint32(0xFFFFFFFF)
# Odd 64-bit multiplier for the polynomial n-gram combination (the golden ratio).
_POLY = np.uint64(0x9E3779B97F4A7C15)


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


@dataclass(frozen=True)
class Permutations:
    """datasketch ``affine32`` permutation parameters for ``num_perm`` and ``seed``."""

    num_perm: int
    seed: int
    a: np.ndarray
    b: np.ndarray

    def apply(self, hashes32: np.ndarray) -> np.ndarray:
        """Permuted values, shape ``(len(hashes32), num_perm)``, uint32."""
        h = _fmix32(hashes32.astype(_U32, copy=False))
        with np.errstate(over="ignore"):
            return h[:, None] * self.a[None, :] + self.b[None, :]


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> Permutations:
    """The parameters ``datasketch.MinHash(num_perm=num_perm, seed=seed)`` uses (scheme affine32)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    a.setflags(write=False)
    b.setflags(write=False)
    return Permutations(num_perm, seed, a, b)


def _token_hashes(tokens: tuple[str, ...]) -> np.ndarray:
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter((digest(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))


def shingle_hashes(tokens: tuple[str, ...], n: int) -> np.ndarray:
    """32-bit hashes of the word ``n``-grams of ``tokens`` (one per position; uint32).

    >>> h = shingle_hashes(("a", "b", "c", "a", "b", "c"), 3)
    >>> len(h), bool(h[0] == h[3]), bool(h[0] == h[1])
    (4, True, False)
    """
    if not tokens:
        return np.empty(0, dtype=_U32)
    th = _token_hashes(tokens)
    m = max(len(th) - n + 1, 1)
    width = min(n, len(th))
    acc = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            acc = acc * _POLY + th[k : k + m]
        acc = _fmix64(acc ^ np.uint64(width))
    return (acc >> np.uint64(32)).astype(_U32)


@dataclass(frozen=True)
class Signature:
    """A document's MinHash values and its per-sentence values.

    ``values``: uint32 ``(num_perm,)``; ``sentences``: uint32 ``(s, k)`` for the
    ``s`` sentences with at least ``min_shingles`` shingles inside them (their
    indices in ``sentence_ids``), ``k`` the leading permutations used for them.
    """

    values: np.ndarray
    sentences: np.ndarray
    sentence_ids: np.ndarray
    shingles: int


def sign(analysis: Analysis, n: int, num_perm: int, seed: int, sentence_perm: int, min_shingles: int) -> Signature:
    """Document and sentence signatures of an analysed text."""
    perms = permutations(num_perm, seed)
    hashes = shingle_hashes(analysis.tokens, n)
    if len(hashes) == 0:
        empty = np.empty((0, sentence_perm), dtype=_U32)
        return Signature(np.full(num_perm, _MAX32, dtype=_U32), empty, np.empty(0, dtype=np.int32), 0)
    permuted = perms.apply(hashes)
    values = permuted.min(axis=0)
    # Shingles lying wholly inside one sentence, grouped by sentence.
    sent_of_token = np.zeros(len(analysis.tokens), dtype=np.int32)
    starts = np.asarray(analysis.sentence_starts, dtype=np.int64)
    if len(starts) > 1:
        sent_of_token[starts[1:]] = 1
        sent_of_token = np.cumsum(sent_of_token, dtype=np.int32)
    if len(analysis.tokens) >= n:
        first = sent_of_token[: len(hashes)]
        last = sent_of_token[n - 1 : n - 1 + len(hashes)]
        inside = np.flatnonzero(first == last)
    else:
        inside = np.empty(0, dtype=np.int64)
    if len(inside) == 0:
        return Signature(values, np.empty((0, sentence_perm), dtype=_U32), np.empty(0, dtype=np.int32), len(hashes))
    sent = sent_of_token[inside]
    ids, offsets, counts = np.unique(sent, return_index=True, return_counts=True)
    keep = counts >= min_shingles
    sub = permuted[inside, :sentence_perm]
    mins = np.minimum.reduceat(sub, offsets, axis=0)[keep]
    return Signature(values, mins, ids[keep].astype(np.int32), len(hashes))


def to_lean_minhash(values: np.ndarray, seed: int) -> LeanMinHash:
    """A datasketch ``LeanMinHash`` holding a signature's values."""
    return LeanMinHash(seed=seed, hashvalues=values, scheme=SCHEME)


def band_keys(rows: np.ndarray, bands: int, width: int) -> np.ndarray:
    """64-bit keys of ``bands`` bands of ``width`` columns for each row: ``(len(rows), bands)``.

    Band ``j`` hashes columns ``j*width .. (j+1)*width`` together with ``j``,
    so equal keys mean equal bands in the same position.
    """
    r = rows.astype(np.uint64)
    keys = np.empty((len(rows), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(bands):
            k = np.full(len(rows), np.uint64(j + 1) * _POLY, dtype=np.uint64)
            for c in range(j * width, (j + 1) * width):
                k = _fmix64(k ^ r[:, c]) + _POLY
            keys[:, j] = k
    return keys
