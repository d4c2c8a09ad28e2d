"""MinHash signatures over normalised word shingles, vectorised with numpy.

Shingles are word ``n``-grams of :func:`dedupe._text.analyze` tokens. Each
token is hashed once (64 bits, see :func:`hash_spans`); an n-gram's hash is a
polynomial combination of its tokens' hashes computed over whole arrays, then
mixed and cut to 32 bits.

Document values (``Signature.values``, ``num_perm`` of them) are one-permutation
hashing with a min-hash completion (:func:`document_values`): each shingle is
hashed once into one of ``num_perm`` bins, a second round fills the bins the
first left empty, and a bin still empty takes datasketch's permutation of the
same index over all the shingles. Two documents agree on a bin with
probability equal to their Jaccard similarity, so the share of equal values
is an unbiased estimate of it (tested against exact Jaccard, small sets
included), at about two hash evaluations per shingle instead of ``num_perm``.
:func:`to_lean_minhash` wraps the values as a datasketch ``LeanMinHash``
(storage scheme ``affine32``: 32-bit values), which ``MinHashLSH`` indexes and
``jaccard`` compares like any other; they are comparable with values from
this module only, not with a ``MinHash`` that datasketch computes itself.

Sentence values (for shared-passage candidates) are datasketch's own:
the first ``sentence_perm`` ``affine32`` permutations (the MurmurHash3
finalizer, then ``a*h + b mod 2^32``, parameters drawn exactly as
``datasketch.MinHash(num_perm, seed)`` draws them), minimum over the
shingles that lie wholly inside the sentence, bit for bit the ``hashvalues``
of a datasketch ``MinHash`` fed those shingle hashes (tested). Sentences have
fewer shingles (a few to a few dozen) than values, where one-permutation
hashing has nothing to gain.

Documents shorter than ``n`` tokens get one shingle: all their tokens.

Speed. :func:`sign_texts` signs a batch of raw texts with no Python object
per token: :func:`dedupe._text.fold_batch` normalises and marks sentences over
the batch's bytes, tokens are runs of word bytes, a token's hash is read 8
bytes at a time through an unaligned ``uint64`` view of those bytes, the
document values are a scatter-minimum (``np.minimum.at``) over bins, and the
sentence values are computed for sentences of similar length together, laid
out so that every numpy call runs over long contiguous rows. It returns what
``sign(analyze(text), ...)`` returns, bit for bit (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import xxhash
from datasketch import LeanMinHash

from ._text import STOPWORDS, Analysis, fold_batch, word_byte_mask

__all__ = [
    "Permutations", "permutations", "token_hashes", "shingle_hashes", "shingles_of", "Signature", "sign", "sign_texts",
    "document_values", "to_lean_minhash", "band_keys", "SCHEME", "stopword_hashes", "list_like", "comparable_words",
    "hash_spans", "FoldedBatch", "fold_texts", "ROUNDS", "round_key",
]

#: The datasketch scheme to wrap values in (32-bit values; the sentence values are
#: this scheme's own permutations, the document values one-permutation hashing).
SCHEME = "affine32"
_U32 = np.uint32
_U64 = np.uint64
_MAX32 = np.uint32(0xFFFFFFFF)
# Odd 64-bit multiplier for the polynomial n-gram combination (the golden ratio).
_POLY = np.uint64(0x9E3779B97F4A7C15)
# Documents per batch in sign_texts: enough to amortise numpy's per-call cost.
BATCH = 256
#: Characters folded together at most (unless one text is longer), to bound memory.
CHUNK_CHARS = 1 << 20
#: Tokens signed together (one document more if one is longer), to keep the work
#: arrays (~40 bytes per token) near a 2 MiB L2 cache. On bbc_news 600-word documents
#: (same run, best of 15) 16K was 8% slower than 32K, and 32K to a whole batch of 256
#: documents (155K tokens) within 2% of one another.
SIGN_TOKENS = 1 << 15


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


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> Permutations:
    """The parameters ``datasketch.MinHash(num_perm=num_perm, seed=seed)`` uses (scheme affine32)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    a.setflags(write=False)
    b.setflags(write=False)
    return Permutations(num_perm, seed, a, b)


# Token hash. A token of 1-16 bytes (nearly every word) is read as two little-endian
# words, zero-padded: lo (bytes 0-7) and hi (bytes 8-15); its hash is
# fmix64(lo ^ len * LEN_KEY), then for tokens over 8 bytes fmix64(that ^ hi). fmix64 is
# a bijection, so two tokens of one length collide only if their first words do and
# then the xor with their second words cancels the difference (probability 2^-64 for
# unrelated tokens). Other lengths take xxh3_64 of the bytes.
LEN_KEY = np.uint64(0x9E3779B97F4A7C15)
_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(9)], dtype=_U64)  # the low i bytes
# Tokens hashed at once: ~20 passes over uint64 arrays of this length stay in cache.
_SPAN_BLOCK = 1 << 15


def _fmix64_inplace(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def hash_spans(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Token hashes of the byte spans ``buf[s : s + n]`` (``buf`` has 16 bytes of slack after the last span)."""
    out = np.empty(len(starts), dtype=_U64)
    if not len(starts):
        return out
    words = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf.data, strides=(1,))
    n = lengths.astype(np.int64, copy=False)
    with np.errstate(over="ignore"):
        for lo in range(0, len(starts), _SPAN_BLOCK):
            s, m = starts[lo : lo + _SPAN_BLOCK], n[lo : lo + _SPAN_BLOCK]
            h = words[s]
            h &= _MASKS[np.clip(m, 0, 8)]
            h ^= m.astype(_U64) * LEN_KEY
            _fmix64_inplace(h)
            big = np.flatnonzero(m > 8)
            if len(big):
                hi = words[s[big] + 8] & _MASKS[np.clip(m[big] - 8, 0, 8)]
                hi ^= h[big]
                h[big] = _fmix64_inplace(hi)
            out[lo : lo + len(h)] = h
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
    return hash_spans(buf, starts, lengths)


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


@lru_cache(maxsize=1)
def stopword_hashes() -> np.ndarray:
    """The sorted :func:`token_hashes` of :data:`dedupe._text.STOPWORDS`."""
    return np.unique(token_hashes(sorted(STOPWORDS)))


def list_like(stopwords: np.ndarray, lengths: np.ndarray, min_tokens: int, stopword_share: float) -> np.ndarray:
    """Sentences that are lists rather than prose (a team sheet, a squad or results list): at least
    ``min_tokens`` tokens, of which less than ``stopword_share`` are stopwords (``stopwords`` per sentence)."""
    return (lengths >= min_tokens) & (stopwords < stopword_share * lengths)


def comparable_words(th: np.ndarray, sentence_starts: np.ndarray, min_tokens: int, list_min_tokens: int,
                     list_stopword_share: float, min_content_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence of the token hashes ``th`` (sentence ``s`` from ``sentence_starts[s]`` to the next
    start or the end): its distinct content words when verification can match it, else 0; and its
    tokens.

    A sentence is comparable (:mod:`dedupe._verify`) when it has at least
    ``min_tokens`` tokens, ``min_content_words`` distinct content words (not stopwords) and is
    not :func:`list_like`. The same definition as :func:`dedupe._verify.prepare` (tested).
    """
    n_sent = len(sentence_starts)
    lengths = np.diff(sentence_starts, append=len(th)).astype(np.int64)
    if not n_sent:
        return np.zeros(0, dtype=np.int64), lengths
    sent_of_tok = np.repeat(np.arange(n_sent, dtype=np.int64), lengths)
    stop = stopword_hashes()
    at = np.minimum(np.searchsorted(stop, th), len(stop) - 1)
    is_stop = stop[at] == th
    content = ~is_stop & (lengths >= min_tokens)[sent_of_tok]
    # Distinct (sentence, word): the sentence number and the word hash's top 40 bits in one
    # integer, one plain sort (a lexsort of the two was 3x slower). Two words of one sentence
    # agree on 40 bits with probability about 2**-40 per pair.
    if n_sent >= 1 << 24:
        raise ValueError(f"comparable_words: {n_sent} sentences in one run; sign fewer documents at once")
    packed = np.sort((sent_of_tok[content].astype(np.uint64) << np.uint64(40)) | (th[content] >> np.uint64(24)))
    new = np.ones(len(packed), dtype=bool)
    new[1:] = packed[1:] != packed[:-1]
    counts = np.bincount((packed[new] >> np.uint64(40)).astype(np.int64), minlength=n_sent).astype(np.int64)
    stops = np.bincount(sent_of_tok[is_stop], minlength=n_sent)
    eligible = (counts >= min_content_words) & ~list_like(stops, lengths, list_min_tokens, list_stopword_share)
    return np.where(eligible, counts, 0), lengths


@dataclass(frozen=True)
class Signature:
    """A document's MinHash values and its per-sentence values.

    ``values``: uint32 ``(num_perm,)``; ``sentences``: uint32 ``(s, k)`` for the
    ``s`` sentences with at least ``min_shingles`` shingles inside them (their
    indices in ``sentence_ids``), ``k`` the leading permutations used for them.
    ``tokens``: the number of tokens; ``digest``: 16 bytes that are equal for two
    documents exactly when their token sequences are (up to hash collisions).

    When signed with a sentence ``profile`` (see :func:`sign_texts`), also what
    verification will count of the document (:func:`comparable_words`):
    ``comparable``, its comparable tokens; ``sentence_tokens``, the tokens of
    each banded sentence (``sentences``' rows) when it is comparable, else 0;
    ``free``, the tokens of its comparable sentences too short to be banded.
    The candidate stage bounds a pair's coverage with them before verifying it.
    """

    values: np.ndarray
    sentences: np.ndarray
    sentence_ids: np.ndarray
    shingles: int
    tokens: int = 0
    digest: bytes = b""
    comparable: int = 0
    free: int = 0
    sentence_tokens: np.ndarray | None = None


def _digest(th: np.ndarray) -> bytes:
    return xxhash.xxh3_128_digest(th.tobytes())


def round_key(seed: int, r: int) -> np.uint64:
    """The odd 64-bit multiplier of one-permutation round ``r`` for ``seed`` (splitmix64; no RNG state)."""
    z = (seed * 0x9E3779B97F4A7C15 + (r + 1) * 0xD1B54A32D192ED03) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return np.uint64((z ^ (z >> 31)) | 1)


def _bins(z: np.ndarray, k: int) -> np.ndarray:
    """Bins ``0 .. k - 1`` from the high bits of 64-bit hashes (int64)."""
    if k & (k - 1) == 0:
        return (z >> np.uint64(64 - k.bit_length() + 1)).astype(np.int64) if k > 1 else np.zeros(len(z), np.int64)
    return (((z >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32)).astype(np.int64)


# One-permutation rounds before the min-hash completion. With 128 bins, a 600-word
# document (596 shingles) has an empty bin after one round with probability 0.69, after
# two 0.01 (1 - (1 - e^(-596*r/128))^128); a second round on those documents costs less
# than completing their empty bins over all their shingles.
ROUNDS = 2


def batch_document_values(sh: np.ndarray, fm: np.ndarray, sh_off: np.ndarray, perms: Permutations) -> np.ndarray:
    """Document values, ``(docs, k)`` uint32: one-permutation hashing, empty bins completed by min-hashing.

    Round ``r`` (``r < ROUNDS``) puts each shingle ``x`` (its 32-bit hash) of a
    document in one bin: ``z = x * m_r mod 2**64`` for an odd multiplier of
    the round and seed, the high bits of ``z`` picking the bin, its low 32
    bits the value; a bin keeps the least value of the first round that put
    anything in it. A bin still empty
    after the rounds takes ``min(a_j * fmix32(x) + b_j)`` over the document's
    shingles (datasketch's permutation ``j``): as if a last round put every
    shingle in every bin.

    So a bin's value is the least placement, in (round, value) order, of a
    fixed system of placements that does not depend on the document; two
    documents agree on a bin exactly when the least placement there of their
    union belongs to a shingle they share: with probability equal to their
    Jaccard similarity, as for ``k`` independent permutations, and the estimate
    (the share of equal values) is unbiased (tested). The cost is one or two
    hashes per shingle, plus one per shingle and empty bin: documents of many
    more shingles than ``k`` have almost none; short ones fall back to plain
    min-hashing.
    """
    k = perms.num_perm
    docs = len(sh_off) - 1
    count = np.diff(sh_off)
    values = np.full((docs, k), _MAX32, dtype=_U32)
    if not len(sh):
        return values
    flat = values.reshape(-1)
    filled = np.zeros(docs * k, dtype=bool)
    doc = np.repeat(np.arange(docs, dtype=np.int64), count)
    x = sh.astype(_U64)
    with np.errstate(over="ignore"):
        for r in range(ROUNDS):
            z = x * round_key(perms.seed, r)
            slot = doc * k
            slot += _bins(z, k)
            if r:
                fresh = ~filled[slot]
                slot, z = slot[fresh], z[fresh]
            np.minimum.at(flat, slot, z.astype(_U32))
            filled[slot] = True
            full = filled.reshape(docs, k).all(axis=1)
            if full[count > 0].all():
                return values
            if r + 1 < ROUNDS:
                keep = ~full[doc]
                x, doc = x[keep], doc[keep]
        empty = np.flatnonzero(~filled.reshape(docs, k) & (count > 0)[:, None])
        doc, j = empty // k, empty % k
        lens = count[doc]
        ends = np.cumsum(lens)
        firsts = ends - lens
        at = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(sh_off[doc] - firsts, lens)
        jj = np.repeat(j, lens)
        v = perms.a[jj] * fm[at]
        v += perms.b[jj]
        flat[empty] = np.minimum.reduceat(v, firsts)
    return values


# Work arrays of run_minima: at most this many uint32 (1 MiB). On bbc_news sentences
# (same run) 128K-512K were within 4% of one another, 64K 18% slower, 32K 75% slower.
_RUN_BLOCK = 1 << 18


def _padded_length(lengths: np.ndarray) -> np.ndarray:
    """Lengths rounded up to one of a few classes (steps of a quarter of the power of two below)."""
    top = np.ones(len(lengths), dtype=np.int64) << np.floor(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    step = np.maximum(top >> 2, 1)
    return -(-lengths // step) * step


def run_minima(fm: np.ndarray, starts: np.ndarray, lengths: np.ndarray, perms: Permutations, k: int) -> np.ndarray:
    """``min(a_j * fm[i] + b_j)`` over each run ``starts[r] .. starts[r] + lengths[r]``, for the first ``k``
    permutations: ``(runs, k)`` uint32, the values of datasketch's ``MinHash`` of each run.

    Runs (sentences, a few to a few dozen shingles) are grouped by padded
    length ``L``, padded by repeating their last value (which leaves a minimum
    unchanged), and laid out ``(L, k, runs)``: the products and the minimum
    over the first axis then run over long contiguous rows, where a segmented
    reduction over many short runs would not.
    """
    out = np.empty((len(starts), k), dtype=_U32)
    if not len(starts):
        return out
    a, b = perms.a[:k, None], perms.b[:k, None]
    padded = _padded_length(lengths)
    order = np.argsort(padded, kind="stable")
    cls = padded[order]
    cuts = np.concatenate([[0], np.flatnonzero(cls[1:] != cls[:-1]) + 1, [len(cls)]])
    buf = np.empty(_RUN_BLOCK, dtype=_U32)
    with np.errstate(over="ignore"):
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            width = int(cls[lo])
            rows = min(width, max(_RUN_BLOCK // k, 1))
            per = max(_RUN_BLOCK // (rows * k), 1)
            for c in range(lo, hi, per):
                ids = order[c : min(c + per, hi)]
                first, last = starts[ids], starts[ids] + lengths[ids] - 1
                acc = None
                for p in range(0, width, rows):
                    pos = np.arange(p, min(p + rows, width), dtype=np.int64)[:, None]
                    h = fm[np.minimum(first + pos, last)]
                    block = buf[: h.size * k].reshape(len(pos), k, len(ids))
                    np.multiply(h[:, None, :], a, out=block)
                    block += b
                    part = np.minimum.reduce(block, axis=0)
                    acc = part if acc is None else np.minimum(acc, part, out=acc)
                out[ids] = acc.T
    return out



def document_values(shingles: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """The document values of a set of 32-bit shingle hashes (``num_perm`` uint32; see the module docstring).

    >>> v = document_values(np.arange(1000, dtype=np.uint32), 64, 1)
    >>> w = document_values(np.arange(500, 1500, dtype=np.uint32), 64, 1)
    >>> v.shape, 0.15 < float(np.mean(v == w)) < 0.55  # Jaccard 1/3
    ((64,), True)
    """
    sh = np.asarray(shingles, dtype=_U32).ravel()
    return batch_document_values(sh, _fmix32(sh), np.array([0, len(sh)], dtype=np.int64), permutations(num_perm, seed))[0]


def _sign_many(
    th: np.ndarray,
    doc_tokens: np.ndarray,
    sentence_starts: np.ndarray,
    n: int,
    num_perm: int,
    seed: int,
    sentence_perm: int,
    min_shingles: int,
    profile: tuple[int, int, float, int] | None = None,
) -> list[Signature]:
    """Signatures of documents whose token hashes ``th`` follow one another.

    ``doc_tokens``: ``(docs + 1,)`` offsets of each document's tokens in ``th``;
    ``sentence_starts``: sorted token offsets where sentences start, the first
    token of every non-empty document among them.
    """
    docs = len(doc_tokens) - 1
    total = len(th)
    ntok = np.diff(doc_tokens)
    short = np.flatnonzero((ntok > 0) & (ntok < n))
    count = np.where(ntok >= n, ntok - n + 1, np.minimum(ntok, 1))
    sh_off = np.zeros(docs + 1, dtype=np.int64)
    np.cumsum(count, out=sh_off[1:])
    n_sh = int(sh_off[-1])
    if total >= n:
        # The n-gram at each position; those that straddle a document end (the n - 1
        # positions before it) are dropped, leaving each long document's shingles in order.
        grams = _combine(th, n)
        valid = np.ones(len(grams), dtype=bool)
        if docs > 1 and n > 1:
            cross = (doc_tokens[1:-1, None] - np.arange(1, n, dtype=np.int64)).ravel()
            valid[cross[(cross >= 0) & (cross < len(grams))]] = False
        if len(short):
            slot = np.ones(n_sh, dtype=bool)
            slot[sh_off[short]] = False
            sh = np.empty(n_sh, dtype=_U32)
            sh[slot] = grams[valid]
        else:
            sh = grams[valid]
    else:
        sh = np.empty(n_sh, dtype=_U32)
    for d in short.tolist():
        sh[sh_off[d]] = _combine(th[doc_tokens[d] : doc_tokens[d + 1]], int(ntok[d]))[0]

    # Sentences: sentence s spans tokens sentence_starts[s] .. sentence_starts[s + 1] (or the
    # end), inside one document; its inside shingles are the first len - n + 1 of them,
    # consecutive in sh.
    sent_len = np.diff(sentence_starts, append=total)
    per_sent = np.maximum(sent_len - n + 1, 0)
    kept = np.flatnonzero(per_sent >= max(min_shingles, 1))
    kept_doc = np.searchsorted(doc_tokens, sentence_starts[kept], side="right") - 1
    run_start = sh_off[kept_doc] + (sentence_starts[kept] - doc_tokens[kept_doc])

    perms = permutations(num_perm, seed)
    fm = _fmix32(sh)
    values = batch_document_values(sh, fm, sh_off, perms)
    sent_values = run_minima(fm, run_start, per_sent[kept], perms, sentence_perm)

    first_sent = np.searchsorted(sentence_starts, doc_tokens[:-1])
    sent_lo = np.searchsorted(kept_doc, np.arange(docs), side="left")
    sent_hi = np.searchsorted(kept_doc, np.arange(docs), side="right")
    local_ids = (kept - first_sent[kept_doc]).astype(np.int32) if len(kept) else np.empty(0, dtype=np.int32)
    comparable = free = kept_tokens = None
    if profile is not None:
        words, lengths = comparable_words(th, sentence_starts, *profile)
        tokens = np.where(words > 0, lengths, 0)
        doc_of_sent = np.searchsorted(doc_tokens, sentence_starts, side="right") - 1
        comparable = np.bincount(doc_of_sent, weights=tokens, minlength=docs).astype(np.int64).tolist()
        kept_tokens = tokens[kept]
        unbanded = tokens.copy()
        unbanded[kept] = 0
        free = np.bincount(doc_of_sent, weights=unbanded, minlength=docs).astype(np.int64).tolist()
    out = []
    for d in range(docs):
        t0, t1 = int(doc_tokens[d]), int(doc_tokens[d + 1])
        s0, s1 = sent_lo[d], sent_hi[d]
        extra = {} if profile is None else {"comparable": comparable[d], "free": free[d],  # type: ignore[index]
                                            "sentence_tokens": kept_tokens[s0:s1]}  # type: ignore[index]
        out.append(Signature(values[d], sent_values[s0:s1], local_ids[s0:s1], int(count[d]), t1 - t0,
                             _digest(th[t0:t1]), **extra))
    return out


def sign(analysis: Analysis, n: int, num_perm: int, seed: int, sentence_perm: int, min_shingles: int,
         profile: tuple[int, int, float, int] | None = None) -> Signature:
    """Document and sentence signatures of an analysed text."""
    th = token_hashes(analysis.tokens)
    starts = np.asarray(analysis.sentence_starts, dtype=np.int64)
    if len(th):
        # Sentence 0 is whatever precedes the second start (as analyze makes it: token 0).
        starts = np.concatenate([[0], starts[1:]]) if len(starts) else np.zeros(1, dtype=np.int64)
    else:
        starts = np.empty(0, dtype=np.int64)
    return _sign_many(th, np.array([0, len(th)], dtype=np.int64), starts, n, num_perm, seed, sentence_perm, min_shingles,
                      profile)[0]


def sign_texts(
    texts: Sequence[str], n: int, num_perm: int, seed: int, sentence_perm: int, min_shingles: int,
    batch: int = BATCH, profile: tuple[int, int, float, int] | None = None,
) -> list[Signature]:
    """``[sign(analyze(t), ...) for t in texts]``, bit for bit, without building the analyses.

    ``profile``: ``(sentence_min_tokens, list_min_tokens, list_stopword_share, sentence_min_content_words)``
    of a :class:`~dedupe.config.DedupConfig`, to fill each signature's
    ``comparable``, ``free`` and ``sentence_tokens`` (:func:`comparable_words`).

    Texts are folded together in runs of at most ``batch`` texts and about
    :data:`CHUNK_CHARS` characters (a longer text alone), and signed in runs of
    about :data:`SIGN_TOKENS` tokens; the result does not depend on either.
    """
    out: list[Signature] = []
    for lo, hi in _chunks([len(t) for t in texts], max(batch, 1), CHUNK_CHARS):
        chunk = list(texts[lo:hi])
        result: list[Signature | None] = [None] * len(chunk)
        for ids, batch in fold_texts(chunk):
            for i, sig in zip(ids, _sign_folded(batch, n, num_perm, seed, sentence_perm, min_shingles, profile)):
                result[i] = sig
        out.extend(result)  # type: ignore[arg-type]
    return out


def _chunks(sizes: list[int], most: int, chars: int) -> list[tuple[int, int]]:
    """Consecutive ranges of at most ``most`` items whose sizes add up to about ``chars`` (at least one item)."""
    out = []
    lo, total = 0, 0
    for i, size in enumerate(sizes):
        if i > lo and (i - lo >= most or total + size > chars):
            out.append((lo, i))
            lo, total = i, 0
        total += size
    if lo < len(sizes):
        out.append((lo, len(sizes)))
    return out


def _union(*arrays: np.ndarray) -> np.ndarray:
    x = np.sort(np.concatenate(arrays))
    if len(x) < 2:
        return x
    return x[np.concatenate(([True], x[1:] != x[:-1]))]


def _sign_folded(batch: FoldedBatch, n: int, num_perm: int, seed: int, sentence_perm: int,
                 min_shingles: int, profile: tuple[int, int, float, int] | None = None) -> list[Signature]:
    doc_tokens, sent, th = batch.doc_tokens, batch.sentence_starts, batch.hashes
    # Sign runs of documents of about SIGN_TOKENS tokens: the folding above gains from
    # long batches (it makes a few hundred numpy calls per batch), the signing below
    # from work arrays that stay in cache.
    out: list[Signature] = []
    for d0, d1 in _chunks(np.diff(doc_tokens).tolist(), batch.docs, SIGN_TOKENS):
        t0, t1 = int(doc_tokens[d0]), int(doc_tokens[d1])
        s0, s1 = np.searchsorted(sent, [t0, t1])
        out += _sign_many(th[t0:t1], doc_tokens[d0 : d1 + 1] - t0, sent[s0:s1] - t0, n, num_perm, seed,
                          sentence_perm, min_shingles, profile)
    return out


@dataclass(frozen=True, eq=False)
class FoldedBatch:
    """A batch of texts folded into one buffer (:func:`dedupe._text.fold_batch`), tokenised and
    its tokens hashed, once: what signing (:func:`sign_texts`) and verification
    (:func:`dedupe._verify.prepare_texts`) both read. Built by :func:`fold_texts`.

    Tokens are the maximal runs of word bytes; sentences start after a sentence
    mark or a line break, and at each document's first token.
    """

    buffer: np.ndarray  # uint8: the folded bytes, documents separated by DOC_MARK
    word: np.ndarray  # bool per byte: a word byte (word_byte_mask)
    token_starts: np.ndarray  # int64 per token: its first byte
    token_ends: np.ndarray  # int64 per token: the byte after it
    hashes: np.ndarray  # uint64 per token (hash_spans)
    doc_tokens: np.ndarray  # int64 (docs + 1,): each document's first token, then the token count
    doc_bytes: np.ndarray  # int64 (docs + 1,): where each document's bytes start (its DOC_MARK), then the end
    sentence_starts: np.ndarray  # int64, ascending: tokens that start a sentence, each non-empty document's first

    @property
    def docs(self) -> int:
        return len(self.doc_tokens) - 1

    @classmethod
    def of(cls, buffer: np.ndarray, docs: int) -> FoldedBatch:
        """The batch of ``docs`` documents whose folded bytes are ``buffer`` (from :func:`fold_batch`)."""
        word = word_byte_mask(buffer)
        edges = np.flatnonzero(word[1:] != word[:-1]) + 1
        starts, ends = edges[0::2], edges[1::2]
        hashes = hash_spans(buffer, starts, ends - starts)
        # Sentence marks (0x00 and line breaks 0x0a-0x0d, 0x1c-0x1e) and document marks (0x02).
        special = np.flatnonzero((buffer <= 0x02) | ((buffer - np.uint8(0x0A)) < 4)
                                 | ((buffer - np.uint8(0x1C)) < 3))
        kind = buffer[special]
        seps = special[kind == 0x02]
        marks = special[kind != 0x01]
        doc_tokens = np.concatenate([[0], np.searchsorted(starts, seps), [len(starts)]]).astype(np.int64)
        if len(doc_tokens) != docs + 1:
            raise AssertionError("a folded batch lost its document marks")
        doc_bytes = np.concatenate([[0], seps, [len(buffer)]]).astype(np.int64)
        sent = _union(np.searchsorted(starts, marks), doc_tokens[:-1])
        return cls(buffer, word, starts, ends, hashes, doc_tokens, doc_bytes, sent[sent < len(starts)])

    def spaced_documents(self) -> list[bytes]:
        """Each document's folded bytes with every non-word byte a space: its tokens are
        ``.split()`` of them (word bytes are never ASCII whitespace)."""
        spaced = np.where(self.word, self.buffer, np.uint8(0x20)).tobytes()
        bounds = self.doc_bytes.tolist()
        return [spaced[bounds[d] : bounds[d + 1]] for d in range(self.docs)]


def fold_texts(texts: list[str]) -> list[tuple[list[int], FoldedBatch]]:
    """:func:`dedupe._text.fold_batch` of ``texts``, each group as a :class:`FoldedBatch`: groups of
    ``(indices into texts, batch)``."""
    return [(which, FoldedBatch.of(buffer, len(which))) for which, buffer in fold_batch(texts)]


def to_lean_minhash(values: np.ndarray, seed: int) -> LeanMinHash:
    """A datasketch ``LeanMinHash`` holding a signature's values."""
    return LeanMinHash(seed=seed, hashvalues=values, scheme=SCHEME)


def band_keys(rows: np.ndarray, bands: int, width: int) -> np.ndarray:
    """64-bit keys of ``bands`` bands of ``width`` columns for each row: ``(len(rows), bands)``.

    Band ``j`` hashes columns ``j*width .. (j+1)*width`` together with ``j``,
    so equal keys mean equal bands in the same position.
    """
    # All bands at once, one column of each per step: ``width`` rounds over
    # (rows, bands) arrays rather than ``bands * width`` rounds over columns.
    r = rows[:, : bands * width].astype(np.uint64).reshape(len(rows), bands, width)
    with np.errstate(over="ignore"):
        keys = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _POLY, (len(rows), bands))
        for c in range(width):
            keys = _fmix64_inplace(keys ^ r[:, :, c])
            keys += _POLY
    return keys
