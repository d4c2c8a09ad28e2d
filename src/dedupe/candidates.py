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

A bucket (documents sharing one band key) holding more than ``max_bucket + 1``
documents (a stock sentence, or a story printed by very many outlets) does not
produce all its pairs: each document is paired with the ``max_bucket``
documents that follow it in id order, which keeps the work linear and still
connects the bucket. Its entries' sentences become *loose* (below).

Verify only what could pass. Each band key entry carries which sentence it
is of and that sentence's comparable tokens (:func:`signature_entries`), so a
pair's :class:`Evidence` says which sentences of each side share a band with
the other document. Verification links a pair only when matched sentences
cover at least 0.3 of one side's comparable tokens (or a document band is
shared: Jaccard 0.9), so a pair whose hit sentences, plus its sentences too
short to band and its loose ones, stay under ``prune_coverage`` of both sides
cannot link unless sentences match without sharing any band. That happens when
edits or noise break every 5-gram of a sentence; such pairs show it as sparse
hits (a sentence copied cleanly shares all 24 of its band keys), so only pairs
with dense hits are dropped (:func:`bound_pairs`). Unrelated articles that
print one common wire paragraph are the pairs this drops: on a corpus built
that way (``benchmarks/shared``) most of the pairs.

The stage is pure functions over partitions of entries, each partition
holding every occurrence of its keys: :func:`pair_evidence` of a group of
partitions, :func:`merge_evidence` of the groups, :func:`bound_pairs` of the
sum. Documents are numbered in id order (:func:`dedupe.pipeline.deduplicate`
sorts them), so candidates do not depend on input order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

import numpy as np
from datasketch import MinHashLSH

from .config import DedupConfig
from .sign import Signature, band_keys, to_lean_minhash

__all__ = ["Evidence", "bound_pairs", "candidate_pairs", "coverage_bounds", "decode_pairs", "hit_density", "lsh_bands",
           "lsh_index", "merge_evidence", "pair_evidence", "pair_weights", "pairs_from_keys", "signature_entries", "signature_keys"]

#: The default of :attr:`dedupe.config.DedupConfig.max_bucket`.
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


def _bucket_pairs(keys: np.ndarray, owners: np.ndarray, max_bucket: int,
                  weights: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Pairs ``a * 2**32 + b`` (``a < b``) of owners that share a key, as a sorted unique int64 array.

    Owners are document numbers (below 2**31). Within a key's run, sorted by
    owner, each entry pairs with the next ``max_bucket`` entries. With
    ``weights``, also each pair's evidence: 2 for every shared document band
    key (odd keys, see :func:`signature_keys`), 1 for every shared sentence
    band key, summed over the keys the pair shares here.
    """
    ev = pair_evidence([(keys, owners)], max_bucket)
    if weights:
        return ev.codes, ev.weights
    return ev.codes


# Entries' ``aux`` (see :func:`signature_entries`): the sentence's slot (its row in
# Signature.sentences), its comparable tokens, and a mark of its class (0 on a class entry).
_NO_SLOT = 0xFFFF
# Separates class keys (hashes of whole sentence signatures) from band keys.
_CLASS_SALT = np.uint64(0x5BD1E9955BD1E995)
_SLOT_SHIFT = np.uint64(16)
_MARK_SHIFT = np.uint64(32)
_LOW16 = np.uint64(0xFFFF)


@dataclass
class Evidence:
    """What the band keys say of candidate pairs, before any is verified.

    Per pair (``codes``: ``a << 32 | b``, sorted, unique): ``weights`` (2 per
    shared document band key, 1 per shared sentence band key), ``document``
    (shared document band keys) and ``tokens_a``/``tokens_b``: the comparable
    tokens of a's (b's) banded sentences that share a band key with a sentence
    of the other document, and ``sentences_a``/``sentences_b`` how many they
    are; ``open_keys``: the shared sentence band keys of uncapped buckets.
    Hits in capped buckets are left out of these (their sentences are loose).
    ``loose`` (``owner << 16 | slot``, sorted, unique, with
    ``loose_tokens``): the sentences whose band hits were not all recorded (a
    key in a bucket larger than ``max_bucket + 1``, or held twice by the owner);
    their tokens count for every pair of their owner. ``capped_keys``: the keys
    whose buckets were capped, ``capped_entries`` their entries.
    """

    codes: np.ndarray
    weights: np.ndarray
    document: np.ndarray
    tokens_a: np.ndarray
    tokens_b: np.ndarray
    sentences_a: np.ndarray
    sentences_b: np.ndarray
    open_keys: np.ndarray
    loose: np.ndarray
    loose_tokens: np.ndarray
    capped_keys: int = 0
    capped_entries: int = 0

    @classmethod
    def empty(cls) -> "Evidence":
        e = np.empty(0, dtype=np.int64)
        return cls(e, e, e, e, e, e, e, e, e, e)


def _reduce(codes: np.ndarray, columns: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sorted unique codes and each column summed over equal codes."""
    if not len(codes):
        return codes, columns
    order = np.argsort(codes)  # equal codes' figures are summed: their order does not matter
    codes = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return codes[starts], [np.add.reduceat(c[order], starts) for c in columns]


def _unique_sum(keys: np.ndarray, groups: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group (0..n-1): the sum of ``values`` over its distinct ``keys`` (equal keys have equal
    values), and the number of those keys."""
    if not len(keys):
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    first = np.concatenate(([True], k[1:] != k[:-1]))
    g = groups[order][first]
    return (np.bincount(g, weights=values[order][first], minlength=n).astype(np.int64),
            np.bincount(g, minlength=n).astype(np.int64))


# Per-pair counts packed in one integer, so that summing them is one column: shared document
# band keys (bits 48-55; at most the document bands), shared sentence band keys of capped
# buckets (bits 24-47) and of uncapped ones (bits 0-23; both below 24 * 65,535 sentences).
_DOC_SHIFT, _CAPPED_SHIFT = 48, 24
_COUNT_MASK = (1 << 24) - 1


@dataclass
class _Hits:
    """One partition's raw hits: every pair its buckets make (``codes``, with ``kinds`` packed as
    above), the sentence hits that count as evidence, and its loose sentences."""

    codes: np.ndarray
    kinds: np.ndarray
    hit_codes: np.ndarray
    sides: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # slot and tokens of a, then of b
    loose: np.ndarray  # owner << 16 | slot
    loose_tokens: np.ndarray
    capped_keys: int
    capped_entries: int


def _partition_hits(keys: np.ndarray, owners: np.ndarray, aux: np.ndarray | None, max_bucket: int,
                    sentence_bands: int = 24) -> _Hits | None:
    """The raw hits of one partition's entries (every occurrence of its keys).

    Within a key's run, sorted by owner (then entry order), each entry pairs
    with the next ``max_bucket`` entries. With ``aux``
    (:func:`signature_entries`): two sentences of one class meet in their
    class's bucket, where the hit stands for the ``sentence_bands`` band keys
    they share; in a band bucket only sentences of different classes are paired.
    """
    if len(keys) < 2:
        return None
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    same = ks[1:] == ks[:-1]
    if not same.any():
        return None
    shared = np.zeros(len(ks), dtype=bool)
    shared[1:] = same
    shared[:-1] |= same
    ks = ks[shared]
    at = order[shared]
    held = owners[at].astype(np.int64)
    new = np.ones(len(ks), dtype=bool)
    new[1:] = ks[1:] != ks[:-1]
    document_band = (ks[new] & np.uint64(1)).astype(np.int64)  # per distinct key (odd: a document band)
    packed = (np.cumsum(new) - 1) << 32 | held
    by_owner = np.argsort(packed, kind="stable")
    packed = packed[by_owner]
    at = at[by_owner]
    # One entry per (key, owner): a document that holds a key twice counts once (its other
    # sentences with that key are loose: their hits with other documents are not all recorded).
    keep = np.ones(len(packed), dtype=bool)
    keep[1:] = packed[1:] != packed[:-1]
    loose = [] if aux is None else [at[~keep]]
    packed, at = packed[keep], at[keep]
    rank, owner = packed >> 32, packed & 0xFFFFFFFF
    # Buckets larger than max_bucket + 1 do not pair every entry with every other.
    run_start = np.flatnonzero(np.concatenate(([True], rank[1:] != rank[:-1])))
    run_len = np.diff(np.append(run_start, len(rank)))
    capped = run_len > max_bucket + 1
    capped_entry = np.repeat(capped, run_len)
    if aux is not None and capped.any():
        loose.append(at[capped_entry])
    # Per entry, what a hit from it counts as (see _DOC_SHIFT): a class hit, all the bands.
    db = document_band[rank]
    units = np.ones(len(rank), dtype=np.int64)
    if aux is not None:
        a = aux[at]
        slot = ((a >> _SLOT_SHIFT) & _LOW16).astype(np.int64)
        tokens = (a & _LOW16).astype(np.int64)
        mark = (a >> _MARK_SHIFT).astype(np.int64)
        is_class = (slot != _NO_SLOT) & (mark == 0)
        units[is_class] = sentence_bands
        counts = (slot != _NO_SLOT) & ~capped_entry
    kind_of = np.where(db > 0, 1 << _DOC_SHIFT, np.where(capped_entry, units << _CAPPED_SHIFT, units))
    codes_l, kinds_l, hit_l = [], [], []
    side_l: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for d in range(1, max_bucket + 1):
        if d >= len(rank):
            break
        same = rank[d:] == rank[:-d]
        if not same.any():
            break
        x = np.flatnonzero(same)
        if aux is not None:  # in a band bucket, sentences of one class met in their class's bucket
            x = x[(mark[x] == 0) | (mark[x] != mark[x + d])]
        y = x + d
        code = owner[x] << 32 | owner[y]
        codes_l.append(code)
        kinds_l.append(kind_of[x])
        if aux is not None:
            hit = counts[x]
            if hit.any():
                hit_l.append(code[hit])
                side_l.append((slot[x[hit]], tokens[x[hit]], slot[y[hit]], tokens[y[hit]]))
    if not codes_l:
        return None
    empty = np.empty(0, dtype=np.int64)
    sides = tuple(np.concatenate(c) for c in zip(*side_l)) if side_l else (empty,) * 4
    loose_keys = loose_tokens = empty
    lo = np.concatenate(loose) if loose else empty
    if len(lo):
        a = aux[lo]  # type: ignore[index]
        lslot = ((a >> _SLOT_SHIFT) & _LOW16).astype(np.int64)
        is_sentence = lslot != _NO_SLOT
        loose_keys = owners[lo].astype(np.int64)[is_sentence] << 16 | lslot[is_sentence]
        loose_tokens = (a & _LOW16).astype(np.int64)[is_sentence]
    return _Hits(np.concatenate(codes_l), np.concatenate(kinds_l),
                 np.concatenate(hit_l) if hit_l else empty, sides,  # type: ignore[arg-type]
                 loose_keys, loose_tokens, int(capped.sum()), int(run_len[capped].sum()))


def _evidence(hits: list[_Hits]) -> Evidence:
    """The :class:`Evidence` of the raw hits of partitions (exact: each sentence counted once)."""
    if not hits:
        return Evidence.empty()
    codes, kinds = _count_kinds(np.concatenate([h.codes for h in hits]), np.concatenate([h.kinds for h in hits]))
    document = kinds >> _DOC_SHIFT
    capped_keys = (kinds >> _CAPPED_SHIFT) & _COUNT_MASK
    open_keys = kinds & _COUNT_MASK
    hit_codes = np.concatenate([h.hit_codes for h in hits])
    tokens_a = tokens_b = sentences_a = sentences_b = np.zeros(len(codes), dtype=np.int64)
    if len(hit_codes):
        pair = np.searchsorted(codes, hit_codes)
        sa, ta, sb, tb = (np.concatenate([h.sides[k] for h in hits]) for k in range(4))
        tokens_a, sentences_a = _unique_sum(pair << 16 | sa, pair, ta, len(codes))
        tokens_b, sentences_b = _unique_sum(pair << 16 | sb, pair, tb, len(codes))
    loose, loose_tokens = _distinct(np.concatenate([h.loose for h in hits]),
                                    np.concatenate([h.loose_tokens for h in hits]))
    return Evidence(codes, 2 * document + capped_keys + open_keys, document, tokens_a, tokens_b, sentences_a,
                    sentences_b, open_keys, loose, loose_tokens, sum(h.capped_keys for h in hits),
                    sum(h.capped_entries for h in hits))


def _count_kinds(codes: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_reduce` of pair codes and their packed kinds, for kinds that take a few values.

    The hits of each value are sorted alone (a plain sort) and counted by runs,
    several times faster than an argsort and a gather of the raw hits, which are
    most of the stage's work (tens of millions on a corpus of shared paragraphs).
    """
    if not len(codes):
        return codes, kinds
    out_c, out_k = [], []
    for value in np.unique(kinds).tolist():
        c = np.sort(codes[kinds == value])
        starts = np.flatnonzero(np.concatenate(([True], c[1:] != c[:-1])))
        out_c.append(c[starts])
        out_k.append(np.diff(np.append(starts, len(c))).astype(np.int64) * value)
    if len(out_c) == 1:
        return out_c[0], out_k[0]
    codes, (kinds,) = _reduce(np.concatenate(out_c), [np.concatenate(out_k)])
    return codes, kinds


def _distinct(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ``keys`` and the value of each (equal keys have equal values)."""
    if not len(keys):
        return keys, values
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    first = np.concatenate(([True], k[1:] != k[:-1]))
    return k[first], values[order][first]


def merge_evidence(parts: Sequence[Evidence]) -> Evidence:
    """The evidence of disjoint groups of partitions together: figures of equal pairs (owners) summed.

    A sentence can be counted in several groups (a sentence that is not of the
    other's class shares bands with it in both): the sums are then larger than
    the distinct tokens, which only loosens :func:`bound_pairs`.
    """
    parts = [p for p in parts if len(p.codes) or len(p.loose)]
    if not parts:
        return Evidence.empty()
    if len(parts) == 1:
        return parts[0]
    # Summed as three packed columns (sums stay inside their fields, see _DOC_SHIFT): one
    # gather and one reduceat each, where seven columns took most of the candidate stage.
    low = np.int64(0xFFFFFFFF)
    codes, (kinds, tokens, sentences) = _reduce(np.concatenate([p.codes for p in parts]), [
        np.concatenate([p.document << _DOC_SHIFT | (p.weights - 2 * p.document - p.open_keys) << _CAPPED_SHIFT
                        | p.open_keys for p in parts]),
        np.concatenate([p.tokens_a << 32 | p.tokens_b for p in parts]),
        np.concatenate([p.sentences_a << 32 | p.sentences_b for p in parts]),
    ])
    document = kinds >> _DOC_SHIFT
    open_keys = kinds & _COUNT_MASK
    weights = 2 * document + ((kinds >> _CAPPED_SHIFT) & _COUNT_MASK) + open_keys
    loose, loose_tokens = _distinct(np.concatenate([p.loose for p in parts]),
                                    np.concatenate([p.loose_tokens for p in parts]))
    return Evidence(codes, weights, document, tokens >> 32, tokens & low, sentences >> 32, sentences & low,
                    open_keys, loose, loose_tokens, sum(p.capped_keys for p in parts),
                    sum(p.capped_entries for p in parts))


def pair_evidence(partitions: Iterable[tuple[np.ndarray, ...]], max_bucket: int = MAX_BUCKET,
                  sentence_bands: int = 24) -> Evidence:
    """The :class:`Evidence` of a group of partitions: ``(keys, owners[, aux])`` each holding every
    occurrence of its keys; entries whose owner is below 0 are skipped. Exact within the group:
    a sentence's hits in several of its partitions count once. ``sentence_bands``: the
    configuration's, what a hit in a class bucket stands for."""
    hits = [_partition_hits(p[0], p[1], p[2] if len(p) > 2 else None, max_bucket, sentence_bands)
            for p in _owned(partitions)]
    return _evidence([h for h in hits if h is not None])


def coverage_bounds(ev: Evidence, comparable: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, an upper estimate of the share of a's (b's) comparable tokens that verification can
    find in the other document: its sentences with a band hit, its loose sentences and its comparable
    sentences too short to be banded (``free``), over its ``comparable`` tokens (inf when it has none)."""
    a = (ev.codes >> 32).astype(np.int64)
    b = (ev.codes & 0xFFFFFFFF).astype(np.int64)
    loose = np.bincount(ev.loose >> 16, weights=ev.loose_tokens, minlength=len(comparable)).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ua = np.where(comparable[a] > 0, (ev.tokens_a + free[a] + loose[a]) / np.maximum(comparable[a], 1), np.inf)
        ub = np.where(comparable[b] > 0, (ev.tokens_b + free[b] + loose[b]) / np.maximum(comparable[b], 1), np.inf)
    return ua, ub


def hit_density(ev: Evidence) -> np.ndarray:
    """Per pair: shared sentence band keys per sentence with a hit (on the side with more of them),
    over uncapped buckets; infinite for a pair whose only sentence hits are in capped buckets.

    A sentence copied word for word shares all ``sentence_bands`` of its band
    keys; one copied with noise or heavy edits, a few. A pair whose hit
    sentences are dense was copied cleanly where it was copied at all, so a
    sentence it shares without a hit is unlikely; a sparse one may share many
    sentences that no band shows (OCR noise breaks every 5-gram). A pair that
    only a capped bucket (a stock sentence printed by hundreds) brought
    together has no evidence of its own: its hot sentences count in its
    bound as loose, and nothing else is known of it.
    """
    hit = np.maximum(ev.sentences_a, ev.sentences_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(hit > 0, ev.open_keys / np.maximum(hit, 1), np.inf)


def bound_pairs(ev: Evidence, comparable: np.ndarray, free: np.ndarray, config: DedupConfig) -> np.ndarray:
    """The pairs worth verifying (a boolean per pair of ``ev``): evidence at least
    ``candidate_min_weight``, and a shared document band, or a coverage bound
    (:func:`coverage_bounds`) of at least ``prune_coverage`` on one side, or hits
    sparser than ``prune_hit_density`` (:func:`hit_density`)."""
    keep = ev.weights >= config.candidate_min_weight
    if config.prune_coverage <= 0:
        return keep
    ua, ub = coverage_bounds(ev, comparable, free)
    return keep & ((ev.document > 0) | (np.maximum(ua, ub) >= config.prune_coverage)
                   | (hit_density(ev) < config.prune_hit_density))


def signature_entries(signatures: Sequence[Signature], config: DedupConfig, sentences: bool = True,
                      classes_too: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every band key of ``signatures`` with its owner (the position in ``signatures``) and ``aux``.

    Document bands (datasketch's split for ``threshold``) of the signatures that
    have shingles, then ``sentence_bands`` bands of every sentence signature.
    Two documents are candidates when they own an equal key; a batch run can
    collect the entries chunk by chunk (or spill them to disk, :class:`dedupe.store.KeySpill`)
    and pair them with :func:`pair_evidence`.

    ``aux`` (uint64) says which sentence an entry is of, for the coverage bound
    (:class:`Evidence`): bits 16-31 its slot (row in ``Signature.sentences``;
    0xFFFF for a document band), bits 0-15 its comparable tokens
    (``Signature.sentence_tokens``), bits 32-63 a mark of the sentence's class.

    A sentence's *class* is the hash of its whole signature: sentences printed
    word for word (after normalisation) share it. Each sentence also gets one
    class entry (its class key, aux mark 0), so that two identical sentences
    meet once, in their class's bucket, and not again in each of the
    ``sentence_bands`` band buckets they share: in a band bucket, entries of one
    class are not paired. On a corpus where unrelated articles print common
    paragraphs this divides the stage's raw hits by about ``sentence_bands``.
    """
    parts_k: list[np.ndarray] = []
    parts_o: list[np.ndarray] = []
    parts_a: list[np.ndarray] = []
    bands, rows = lsh_bands(config.threshold, config.num_perm)
    have = [i for i, sig in enumerate(signatures) if sig.shingles]
    if have:
        values = np.stack([signatures[i].values for i in have])
        parts_k.append(band_keys(values, bands, rows).ravel() | np.uint64(1))  # odd: a document band
        parts_o.append(np.repeat(np.asarray(have, dtype=np.int64), bands))
        parts_a.append(np.full(len(have) * bands, np.uint64(_NO_SLOT) << _SLOT_SHIFT, dtype=np.uint64))
    who = [i for i, sig in enumerate(signatures) if len(sig.sentences)] if sentences else []
    if who:
        counts = [len(signatures[i].sentences) for i in who]
        rows_ = np.concatenate([signatures[i].sentences for i in who])
        keys = band_keys(rows_, config.sentence_bands, config.sentence_rows)
        parts_k.append(keys.ravel() & ~np.uint64(1))  # even
        parts_o.append(np.repeat(np.repeat(np.asarray(who, dtype=np.int64), counts), config.sentence_bands))
        slot = np.concatenate([np.arange(c, dtype=np.uint64) for c in counts])
        tokens = np.concatenate([np.zeros(c, dtype=np.uint64) if signatures[i].sentence_tokens is None
                                 else np.asarray(signatures[i].sentence_tokens, dtype=np.uint64)
                                 for i, c in zip(who, counts)])
        per_row = (np.minimum(slot, _NO_SLOT - 1) << _SLOT_SHIFT) | np.minimum(tokens, _LOW16)
        # The sentence's class: equal for sentences with equal signatures (all their bands equal).
        classes = band_keys(rows_, 1, rows_.shape[1])[:, 0] ^ _CLASS_SALT
        mark = ((classes & np.uint64(0xFFFFFFFF)) | np.uint64(1)) << _MARK_SHIFT
        parts_a.append((per_row[:, None] | mark[:, None] | np.zeros_like(keys)).ravel())
        if classes_too:
            parts_k.append(classes & ~np.uint64(1))  # even, like sentence bands; aux mark 0
            parts_o.append(np.repeat(np.asarray(who, dtype=np.int64), counts))
            parts_a.append(per_row)
    if not parts_k:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
    return np.concatenate(parts_k), np.concatenate(parts_o), np.concatenate(parts_a)


def signature_keys(signatures: Sequence[Signature], config: DedupConfig,
                   sentences: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The band keys and owners of :func:`signature_entries` (no class entries): every occurrence of
    a key pairs with every other, as in datasketch's ``MinHashLSH``."""
    keys, owners, _ = signature_entries(signatures, config, sentences, classes_too=False)
    return keys, owners


def _owned(partitions: Iterable[tuple[np.ndarray, ...]]) -> Iterator[tuple[np.ndarray, ...]]:
    """The partitions without their entries whose owner (second array) is below 0."""
    for part in partitions:
        keep = part[1] >= 0
        yield part if keep.all() else tuple(a[keep] for a in part)


def pairs_from_keys(partitions: Iterable[tuple[np.ndarray, ...]], max_bucket: int = MAX_BUCKET,
                    min_weight: int = 1) -> np.ndarray:
    """Candidate pairs, coded ``a << 32 | b`` (``a < b``), sorted and unique, from ``(keys, owners)``.

    Each partition must hold every occurrence of its keys (partitions by key,
    as :class:`dedupe.store.KeySpill` makes them); owners below 0 are skipped.
    ``min_weight`` 2 keeps only the pairs that share a document band key or
    at least two sentence band keys (see :data:`dedupe.config.DedupConfig.candidate_min_weight`).
    """
    ev = pair_evidence((p[:2] for p in partitions), max_bucket)
    return ev.codes[ev.weights >= min_weight]


def pair_weights(partitions: Iterable[tuple[np.ndarray, ...]],
                 max_bucket: int = MAX_BUCKET) -> tuple[np.ndarray, np.ndarray]:
    """Every pair that shares a key (coded, sorted, unique) and its evidence over all partitions:
    2 per shared document band key, 1 per shared sentence band key."""
    ev = pair_evidence((p[:2] for p in partitions), max_bucket)
    return ev.codes, ev.weights


def decode_pairs(coded: np.ndarray) -> list[tuple[int, int]]:
    """``[(a, b), ...]`` from pairs coded ``a << 32 | b``."""
    return list(zip((coded >> 32).tolist(), (coded & 0xFFFFFFFF).tolist()))


def candidate_pairs(
    signatures: Sequence[Signature], config: DedupConfig, max_bucket: int | None = None
) -> list[tuple[int, int]]:
    """Sorted candidate pairs ``(i, j)``, ``i < j``, of document numbers (before the coverage bound,
    which needs signatures made with a sentence profile)."""
    cap = config.max_bucket if max_bucket is None else max_bucket
    return decode_pairs(pairs_from_keys([signature_keys(signatures, config)], cap, config.candidate_min_weight))
