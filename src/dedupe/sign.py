"""MinHash signatures over normalised word shingles, vectorised with numpy.

Shingles are word ``n``-grams of :func:`dedupe.text.analyze` tokens. Each
token is hashed once (xxh3-64); an n-gram's hash is a polynomial
combination of its tokens' hashes computed over whole arrays, then mixed and
cut to the 32-bit value that datasketch's ``affine32`` scheme takes as input.
The permutation step is datasketch's own, reproduced in numpy: the MurmurHash3
finalizer, then ``a*h + b mod 2^32`` with parameters drawn exactly as
``datasketch.MinHash(num_perm, seed)`` draws them. So a signature is
bit-for-bit the ``hashvalues`` of a datasketch ``MinHash`` fed the same
32-bit shingle hashes (tested), and :func:`to_lean_minhash` wraps it as a
``LeanMinHash``.

Documents shorter than ``n`` tokens get one shingle: all their tokens.
Sentence signatures (for shared-passage candidates) reuse the permuted values:
the minimum, per sentence, over the shingles that lie wholly inside it.

Speed. :func:`sign_texts` signs a batch of raw texts with no Python object
per token: :func:`dedupe.text.fold_batch` normalises and marks sentences over
the batch's bytes, tokens are runs of word bytes, a token's hash is read 8
bytes at a time through an unaligned ``uint64`` view of those bytes, and the
permutations run as ``(num_perm, shingles)`` blocks, reduced per document and
per sentence with ``np.minimum.reduceat``. It returns what
``sign(analyze(text), ...)`` returns, bit for bit (tested).

Token hash: ``xxh3_64`` of the token's UTF-8 bytes, as ``xxhash`` computes it
(tested); for tokens of 1-16 bytes it is computed in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import xxhash
from datasketch import LeanMinHash

from .text import Analysis, fold_batch

__all__ = [
    "Permutations", "permutations", "token_hashes", "shingle_hashes", "shingles_of", "Signature", "sign", "sign_texts",
    "to_lean_minhash", "band_keys", "SCHEME",
]

#: The datasketch permutation scheme these signatures use.
SCHEME = "affine32"
_U32 = np.uint32
_U64 = np.uint64
_MAX32 = np.uint32(0xFFFFFFFF)
# Odd 64-bit multiplier for the polynomial n-gram combination (the golden ratio).
_POLY = np.uint64(0x9E3779B97F4A7C15)
# Permutation block: 4096 shingles x 128 permutations of uint32 = 2 MiB, in cache.
_BLOCK = 4096
# Documents per batch in sign_texts: enough to amortise numpy's per-call cost.
BATCH = 256


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

    def apply_into(self, hashes32: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The same values transposed, ``(num_perm, len(hashes32))``, written into ``out``."""
        h = _fmix32(hashes32.astype(_U32, copy=False))
        view = out[:, : len(h)]
        with np.errstate(over="ignore"):
            np.multiply(self.a[:, None], h[None, :], out=view)
            np.add(view, self.b[:, None], out=view)
        return view


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> Permutations:
    """The parameters ``datasketch.MinHash(num_perm=num_perm, seed=seed)`` uses (scheme affine32)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    a.setflags(write=False)
    b.setflags(write=False)
    return Permutations(num_perm, seed, a, b)


# XXH3-64 (seed 0) for inputs of 1-16 bytes, from the XXH3 specification: the
# constants are XORs of words of its default secret at the offsets named.
_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248e"
)


def _le(offset: int, width: int) -> int:
    return int.from_bytes(_SECRET[offset : offset + width], "little")


_FLIP_1_3 = np.uint64(_le(0, 4) ^ _le(4, 4))
_FLIP_4_8 = np.uint64(_le(8, 8) ^ _le(16, 8))
_FLIP_9_16_LO = np.uint64(_le(24, 8) ^ _le(32, 8))
_FLIP_9_16_HI = np.uint64(_le(40, 8) ^ _le(48, 8))
_M32 = np.uint64(0xFFFFFFFF)
_RRMXMX = np.uint64(0x9FB21C651E98DF25)


def _avalanche64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC2B2AE3D27D4EB4F)
    h = h ^ (h >> np.uint64(29))
    h = h * np.uint64(0x165667B19E3779F9)
    return h ^ (h >> np.uint64(32))


def _avalanche3(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(37))
    h = h * np.uint64(0x165667919E3779F9)
    return h ^ (h >> np.uint64(32))


def _rotl(h: np.ndarray, r: int) -> np.ndarray:
    return (h << np.uint64(r)) | (h >> np.uint64(64 - r))


def _fold128(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Low 64 bits XOR high 64 bits of the 128-bit products ``a * b``."""
    a_lo, a_hi, b_lo, b_hi = a & _M32, a >> np.uint64(32), b & _M32, b >> np.uint64(32)
    ll, lh, hl, hh = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    cross = (ll >> np.uint64(32)) + (hl & _M32) + lh
    upper = (hl >> np.uint64(32)) + (cross >> np.uint64(32)) + hh
    lower = (cross << np.uint64(32)) | (ll & _M32)
    return lower ^ upper


def _hash_spans(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``xxh3_64`` of the byte spans ``buf[s : s + n]`` (``buf`` has 8 bytes of slack after the last span).

    Spans of 1-16 bytes (nearly every word) are hashed in numpy, reading
    unaligned 8-byte words through a strided view; others call ``xxhash``.
    """
    out = np.empty(len(starts), dtype=_U64)
    if not len(starts):
        return out
    words = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf.data, strides=(1,))
    n = lengths.astype(np.int64, copy=False)
    with np.errstate(over="ignore"):
        g = np.flatnonzero((n >= 1) & (n <= 3))
        if len(g):
            s, m = starts[g], n[g]
            c1, c2, c3 = (buf[s].astype(_U64), buf[s + (m >> 1)].astype(_U64), buf[s + m - 1].astype(_U64))
            combined = (c1 << np.uint64(16)) | (c2 << np.uint64(24)) | c3 | (m.astype(_U64) << np.uint64(8))
            out[g] = _avalanche64(combined ^ _FLIP_1_3)
        g = np.flatnonzero((n >= 4) & (n <= 8))
        if len(g):
            s, m = starts[g], n[g]
            first, last = words[s] & _M32, words[s + m - 4] & _M32
            h = (last + (first << np.uint64(32))) ^ _FLIP_4_8
            h = h ^ _rotl(h, 49) ^ _rotl(h, 24)
            h = h * _RRMXMX
            h = h ^ ((h >> np.uint64(35)) + m.astype(_U64))
            h = h * _RRMXMX
            out[g] = h ^ (h >> np.uint64(28))
        g = np.flatnonzero((n >= 9) & (n <= 16))
        if len(g):
            s, m = starts[g], n[g]
            lo = words[s] ^ _FLIP_9_16_LO
            hi = words[s + m - 8] ^ _FLIP_9_16_HI
            acc = m.astype(_U64) + lo.byteswap() + hi + _fold128(lo, hi)
            out[g] = _avalanche3(acc)
    rest = np.flatnonzero((n < 1) | (n > 16))
    if len(rest):
        digest = xxhash.xxh3_64_intdigest
        raw = buf.tobytes() if not isinstance(buf, bytes) else buf
        out[rest] = [digest(raw[a : a + b]) for a, b in zip(starts[rest].tolist(), n[rest].tolist())]
    return out


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """64-bit hashes of tokens (uint64), as :func:`sign_texts` computes them from bytes.

    >>> h = token_hashes(("news", "wire", "news"))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    if not len(tokens):
        return np.empty(0, dtype=_U64)
    joined = " ".join(tokens)
    if joined.isascii():
        data = joined.encode("ascii")
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    else:
        encoded = [t.encode("utf-8", "surrogatepass") for t in tokens]
        data = b" ".join(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(tokens))
    buf = np.frombuffer(data + b"\0" * 16, dtype=np.uint8)
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    return _hash_spans(buf, starts, lengths)


def _combine(th: np.ndarray, n: int) -> np.ndarray:
    """32-bit hashes of the ``n``-grams of a run of token hashes (one per position; ``n <= len(th)``)."""
    m = len(th) - n + 1
    acc = np.zeros(m, dtype=_U64)
    with np.errstate(over="ignore"):
        for k in range(n):
            acc = acc * _POLY + th[k : k + m]
        acc = _fmix64(acc ^ np.uint64(n))
    return (acc >> np.uint64(32)).astype(_U32)


def shingle_hashes(tokens: Sequence[str], n: int) -> np.ndarray:
    """32-bit hashes of the word ``n``-grams of ``tokens`` (one per position; uint32).

    >>> h = shingle_hashes(("a", "b", "c", "a", "b", "c"), 3)
    >>> len(h), bool(h[0] == h[3]), bool(h[0] == h[1])
    (4, True, False)
    """
    if not len(tokens):
        return np.empty(0, dtype=_U32)
    return shingles_of(token_hashes(tokens), n)


def shingles_of(th: np.ndarray, n: int) -> np.ndarray:
    """:func:`shingle_hashes` from the tokens' :func:`token_hashes` ``th`` (when they are at hand)."""
    if not len(th):
        return np.empty(0, dtype=_U32)
    return _combine(th, min(n, len(th)))


@dataclass(frozen=True)
class Signature:
    """A document's MinHash values and its per-sentence values.

    ``values``: uint32 ``(num_perm,)``; ``sentences``: uint32 ``(s, k)`` for the
    ``s`` sentences with at least ``min_shingles`` shingles inside them (their
    indices in ``sentence_ids``), ``k`` the leading permutations used for them.
    ``tokens``: the number of tokens; ``digest``: 16 bytes that are equal for two
    documents exactly when their token sequences are (up to hash collisions).
    """

    values: np.ndarray
    sentences: np.ndarray
    sentence_ids: np.ndarray
    shingles: int
    tokens: int = 0
    digest: bytes = b""


def _digest(th: np.ndarray) -> bytes:
    return xxhash.xxh3_128_digest(th.tobytes())


def _sign_many(
    th: np.ndarray,
    doc_tokens: np.ndarray,
    sentence_starts: np.ndarray,
    n: int,
    num_perm: int,
    seed: int,
    sentence_perm: int,
    min_shingles: int,
) -> list[Signature]:
    """Signatures of documents whose token hashes ``th`` follow one another.

    ``doc_tokens``: ``(docs + 1,)`` offsets of each document's tokens in ``th``;
    ``sentence_starts``: sorted token offsets where sentences start, the first
    token of every non-empty document among them.
    """
    perms = permutations(num_perm, seed)
    docs = len(doc_tokens) - 1
    total = len(th)
    ntok = np.diff(doc_tokens)
    long_ = ntok >= n
    short = np.flatnonzero((ntok > 0) & ~long_)
    count = np.where(long_, ntok - n + 1, np.minimum(ntok, 1))
    sh_off = np.zeros(docs + 1, dtype=np.int64)
    np.cumsum(count, out=sh_off[1:])
    n_sh = int(sh_off[-1])
    sh = np.empty(n_sh, dtype=_U32)
    doc_of_token = np.repeat(np.arange(docs, dtype=np.int64), ntok)
    sent_id = np.zeros(total, dtype=np.int64)
    if len(sentence_starts):
        sent_id[sentence_starts] = 1
        sent_id = np.cumsum(sent_id) - 1
    inside_pos = np.empty(0, dtype=np.int64)
    if total >= n:
        m = total - n + 1
        whole = np.flatnonzero(doc_of_token[:m] == doc_of_token[n - 1 :])  # shingles inside one document
        slot = np.ones(n_sh, dtype=bool)
        slot[sh_off[short]] = False
        sh[slot] = _combine(th, n)[whole]
        inside_pos = whole[sent_id[whole] == sent_id[whole + n - 1]]
    for d in short.tolist():
        sh[sh_off[d]] = _combine(th[doc_tokens[d] : doc_tokens[d + 1]], int(ntok[d]))[0]

    # Sentences: the inside shingles of sentence s are the positions from its start on,
    # consecutive; their slots are consecutive too.
    n_sent = len(sentence_starts)
    per_sent = np.bincount(sent_id[inside_pos], minlength=n_sent) if n_sent else np.zeros(0, dtype=np.int64)
    kept = np.flatnonzero(per_sent >= max(min_shingles, 1))
    kept_doc = doc_of_token[sentence_starts[kept]] if len(kept) else np.empty(0, dtype=np.int64)
    run_start = sh_off[kept_doc] + (sentence_starts[kept] - doc_tokens[kept_doc])
    run_end = run_start + per_sent[kept]

    # Permute in blocks. Reduce each block over segments that never straddle a block
    # edge: per document on all rows, per kept sentence run on the first k rows;
    # then reduce the (few) segments of each document and of each run.
    nonempty = np.flatnonzero(count > 0)
    edges = np.arange(0, n_sh, _BLOCK, dtype=np.int64)
    doc_cuts = _union(sh_off[nonempty], edges)
    sent_cuts = _union(run_start, run_end[run_end < n_sh], edges)
    k = sentence_perm
    seg_doc = np.empty((num_perm, len(doc_cuts)), dtype=_U32)
    seg_sent = np.empty((k, len(sent_cuts)), dtype=_U32)
    buf = np.empty((num_perm, min(_BLOCK, max(n_sh, 1))), dtype=_U32)
    for lo in range(0, n_sh, _BLOCK):
        hi = min(lo + _BLOCK, n_sh)
        block = perms.apply_into(sh[lo:hi], buf)
        a, b = np.searchsorted(doc_cuts, [lo, hi])
        np.minimum.reduceat(block, doc_cuts[a:b] - lo, axis=1, out=seg_doc[:, a:b])
        if len(kept):
            a, b = np.searchsorted(sent_cuts, [lo, hi])
            np.minimum.reduceat(block[:k], sent_cuts[a:b] - lo, axis=1, out=seg_sent[:, a:b])
    values = np.full((docs, num_perm), _MAX32, dtype=_U32)
    if len(nonempty):
        first = np.searchsorted(doc_cuts, sh_off[nonempty])
        values[nonempty] = np.minimum.reduceat(seg_doc, first, axis=1).T
    sent_values = np.empty((len(kept), k), dtype=_U32)
    if len(kept):
        at = np.searchsorted(sent_cuts, run_start)
        ends = np.searchsorted(sent_cuts, run_end[run_end < n_sh])
        idx = _union(at, ends)
        red = np.minimum.reduceat(seg_sent, idx, axis=1)
        sent_values[:] = red[:, np.searchsorted(idx, at)].T

    first_sent = np.searchsorted(sentence_starts, doc_tokens[:-1])
    sent_lo = np.searchsorted(kept_doc, np.arange(docs), side="left")
    sent_hi = np.searchsorted(kept_doc, np.arange(docs), side="right")
    local_ids = (kept - first_sent[kept_doc]).astype(np.int32) if len(kept) else np.empty(0, dtype=np.int32)
    out = []
    for d in range(docs):
        t0, t1 = int(doc_tokens[d]), int(doc_tokens[d + 1])
        s0, s1 = sent_lo[d], sent_hi[d]
        out.append(Signature(values[d], sent_values[s0:s1], local_ids[s0:s1], int(count[d]), t1 - t0, _digest(th[t0:t1])))
    return out


def sign(analysis: Analysis, n: int, num_perm: int, seed: int, sentence_perm: int, min_shingles: int) -> Signature:
    """Document and sentence signatures of an analysed text."""
    th = token_hashes(analysis.tokens)
    starts = np.asarray(analysis.sentence_starts, dtype=np.int64)
    if len(th):
        # Sentence 0 is whatever precedes the second start (as analyze makes it: token 0).
        starts = np.concatenate([[0], starts[1:]]) if len(starts) else np.zeros(1, dtype=np.int64)
    else:
        starts = np.empty(0, dtype=np.int64)
    return _sign_many(th, np.array([0, len(th)], dtype=np.int64), starts, n, num_perm, seed, sentence_perm, min_shingles)[0]


def sign_texts(
    texts: Sequence[str], n: int, num_perm: int, seed: int, sentence_perm: int, min_shingles: int,
    batch: int = BATCH,
) -> list[Signature]:
    """``[sign(analyze(t), ...) for t in texts]``, bit for bit, without building the analyses."""
    out: list[Signature] = []
    for lo in range(0, len(texts), batch):
        chunk = list(texts[lo : lo + batch])
        result: list[Signature | None] = [None] * len(chunk)
        for ids, arr in fold_batch(chunk):
            for i, sig in zip(ids, _sign_folded(arr, len(ids), n, num_perm, seed, sentence_perm, min_shingles)):
                result[i] = sig
        out.extend(result)  # type: ignore[arg-type]
    return out


def _union(*arrays: np.ndarray) -> np.ndarray:
    x = np.sort(np.concatenate(arrays))
    if len(x) < 2:
        return x
    return x[np.concatenate(([True], x[1:] != x[:-1]))]


def _sign_folded(arr: np.ndarray, docs: int, n: int, num_perm: int, seed: int, sentence_perm: int,
                 min_shingles: int) -> list[Signature]:
    # Folded bytes are lower case: word bytes are [a-z0-9_] and everything >= 0x80.
    word = ((arr - np.uint8(0x61)) < 26) | ((arr - np.uint8(0x30)) < 10) | (arr == 0x5F) | (arr >= 0x80)
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]
    th = _hash_spans(arr, starts, ends - starts)
    # Sentence marks (0x00 and line breaks 0x0a-0x0d, 0x1c-0x1e) and document marks (0x02).
    special = np.flatnonzero((arr <= 0x02) | ((arr - np.uint8(0x0A)) < 4) | ((arr - np.uint8(0x1C)) < 3))
    kind = arr[special]
    seps = special[kind == 0x02]
    marks = special[kind != 0x01]
    doc_tokens = np.concatenate([[0], np.searchsorted(starts, seps), [len(starts)]]).astype(np.int64)
    if len(doc_tokens) != docs + 1:
        raise AssertionError("a folded batch lost its document marks")
    sent = _union(np.searchsorted(starts, marks), doc_tokens[:-1])
    sent = sent[sent < len(starts)]
    return _sign_many(th, doc_tokens, sent, n, num_perm, seed, sentence_perm, min_shingles)


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
