"""Candidate pairs from MinHash-LSH, before exact verification.

Two sources of candidates, both over the signatures of :mod:`dedupe._sign`:

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

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

import numpy as np
from datasketch import MinHashLSH

from .config import DedupConfig
from ._sign import Signature, band_keys, to_lean_minhash

__all__ = ["Evidence", "HIT_SLOTS", "SentenceTokens", "SliceEvidence", "bound_pairs", "candidate_pairs",
           "combine_slices", "coverage_bounds", "decode_pairs", "hit_density", "hit_tokens", "lsh_bands", "lsh_index",
           "merge_evidence", "new_pair_evidence", "pair_evidence", "pair_weights", "pairs_from_keys",
           "signature_entries", "signature_keys", "slice_hits"]

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


# Entries' ``aux`` (see :func:`signature_entries`): the sentence's slot (its row in
# Signature.sentences), its comparable tokens, and a mark of its class (0 on a class entry).
_NO_SLOT = 0xFFFF
# Separates class keys (hashes of whole sentence signatures) from band keys.
_CLASS_SALT = np.uint64(0x5BD1E9955BD1E995)
_SLOT_SHIFT = np.uint64(16)
_MARK_SHIFT = np.uint64(32)
_LOW16 = np.uint64(0xFFFF)


#: Sentences a pair's evidence records one by one, per side (the first 128 slots of a document;
#: the rest are summed, which can only loosen the bound). Of the first 4,000 raw texts of the
#: generated corpora, shared-paragraph 20k has at most 47 banded sentences, synd1 44 at the
#: 99th percentile and 4 documents above 128.
HIT_SLOTS = 128
_WORDS = HIT_SLOTS // 64


@dataclass
class Evidence:
    """What the band keys say of candidate pairs, before any is verified.

    Per pair (``codes``: ``a << 32 | b``, sorted, unique): ``weights`` (2 per
    shared document band key, 1 per shared sentence band key), ``document``
    (shared document band keys), ``open_keys`` (shared sentence band keys of
    uncapped buckets), ``class_hits`` (the word-for-word equal sentences they share, met in
    their class's bucket, each standing for all its sentence bands in ``open_keys``) and which of a's (b's) banded sentences share a band key
    with a sentence of the other document: ``hits_a``/``hits_b``, a bitmap of
    their slots below :data:`HIT_SLOTS` (``(pairs, 2)`` uint64), and
    ``over_a``/``over_b``, the tokens and count (``tokens << 24 | count``) of
    those at higher slots. Bitmaps of several groups of keys are or-ed, so a
    sentence that shares bands in several groups counts once;
    :func:`hit_tokens` turns them into tokens. Hits in capped buckets are left
    out of these (their sentences are loose). ``loose`` (``owner << 16 |
    slot``, sorted, unique, with ``loose_tokens``): the sentences whose band
    hits were not all recorded (a key in a bucket larger than ``max_bucket +
    1``, or held twice by the owner); they count for every pair of their
    owner. ``capped_keys``: the keys whose buckets were capped,
    ``capped_entries`` their entries.
    """

    codes: np.ndarray
    weights: np.ndarray
    document: np.ndarray
    open_keys: np.ndarray
    class_hits: np.ndarray
    hits_a: np.ndarray
    hits_b: np.ndarray
    over_a: np.ndarray
    over_b: np.ndarray
    loose: np.ndarray
    loose_tokens: np.ndarray
    capped_keys: int = 0
    capped_entries: int = 0

    @classmethod
    def empty(cls) -> "Evidence":
        e = np.empty(0, dtype=np.int64)
        bits = np.zeros((0, _WORDS), dtype=np.uint64)
        return cls(e, e, e, e, e, bits, bits, e, e, e, e)


@dataclass(frozen=True)
class SentenceTokens:
    """The comparable tokens of each document's banded sentences (``Signature.sentence_tokens``), at
    slots below :data:`HIT_SLOTS`: document ``d``'s are ``values[starts[d] : starts[d] + counts[d]]``."""

    values: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, per_document: Sequence[np.ndarray | None]) -> "SentenceTokens":
        counts = np.array([0 if t is None else min(len(t), HIT_SLOTS) for t in per_document], dtype=np.int64)
        parts = [np.asarray(t[:HIT_SLOTS], dtype=np.uint16) for t in per_document if t is not None and len(t)]
        values = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint16)
        starts = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        return cls(values, starts, counts)

    @classmethod
    def concat(cls, parts: Sequence["SentenceTokens"]) -> "SentenceTokens":
        """The tables of consecutive ranges of documents, as one."""
        if not parts:
            return cls.of([])
        shift = np.cumsum([0] + [len(p.values) for p in parts[:-1]])
        return cls(np.concatenate([p.values for p in parts]),
                   np.concatenate([p.starts + s for p, s in zip(parts, shift.tolist())]),
                   np.concatenate([p.counts for p in parts]))

    @classmethod
    def from_slots(cls, owners: np.ndarray, slots: np.ndarray, tokens: np.ndarray, n: int) -> "SentenceTokens":
        """The table of ``n`` documents that knows the sentences given (``owners[k]``'s slot ``slots[k]`` has
        ``tokens[k]`` tokens; repeats agree) and none other (0 tokens): enough for :func:`bound_pairs` when
        they include every sentence the evidence has a hit or a loose entry for."""
        owners, slots = np.asarray(owners, dtype=np.int64), np.asarray(slots, dtype=np.int64)
        low = slots < HIT_SLOTS
        owners, slots, tokens = owners[low], slots[low], np.asarray(tokens)[low]
        counts = np.zeros(n, dtype=np.int64)
        np.maximum.at(counts, owners, slots + 1)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        values = np.zeros(int(counts.sum()), dtype=np.uint16)
        values[starts[owners] + slots] = tokens
        return cls(values, starts, counts)

    def take(self, documents: np.ndarray) -> "SentenceTokens":
        """The table of ``documents`` (numbered by their position in it)."""
        return SentenceTokens(self.values, self.starts[documents], self.counts[documents])

    def scatter(self, numbers: np.ndarray, size: int) -> "SentenceTokens":
        """The table of ``size`` documents where this table's document ``k`` is number ``numbers[k]``
        (the others have no sentence)."""
        starts = np.zeros(size, dtype=np.int64)
        counts = np.zeros(size, dtype=np.int64)
        starts[numbers] = self.starts
        counts[numbers] = self.counts
        return SentenceTokens(self.values, starts, counts)


# Pairs whose bitmaps hit_tokens unpacks at once (128 bytes each).
_UNPACK_PAIRS = 1 << 16


def hit_tokens(bits: np.ndarray, owners: np.ndarray, table: SentenceTokens) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the tokens and the number of the sentences of ``owners[k]`` whose slots are set in
    ``bits[k]`` (a :class:`Evidence` bitmap)."""
    n = len(owners)
    tokens = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    for lo in range(0, n, _UNPACK_PAIRS):
        hi = min(lo + _UNPACK_PAIRS, n)
        flags = np.unpackbits(np.ascontiguousarray(bits[lo:hi], dtype="<u8").view(np.uint8).reshape(hi - lo, -1),
                              axis=1, bitorder="little")
        row, slot = np.nonzero(flags)
        if len(row):
            values = table.values[table.starts[owners[lo:hi][row]] + slot]
            tokens[lo:hi] = np.bincount(row, weights=values, minlength=hi - lo).astype(np.int64)
            count[lo:hi] = np.bincount(row, minlength=hi - lo)
    return tokens, count


def _slot_bits(pair: np.ndarray, slot: np.ndarray, n: int) -> np.ndarray:
    """The ``(n, 2)`` bitmaps with bit ``slot[k]`` of row ``pair[k]`` set (slots below HIT_SLOTS)."""
    bits = np.zeros((n, _WORDS), dtype=np.uint64)
    if len(pair):
        cell = pair * _WORDS + (slot >> 6)
        flat = bits.reshape(-1)
        one = np.left_shift(np.uint64(1), (slot & 63).astype(np.uint64))
        order = np.argsort(cell, kind="stable")
        cell = cell[order]
        starts = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
        flat[cell[starts]] = np.bitwise_or.reduceat(one[order], starts)
    return bits


def _reduce(codes: np.ndarray, columns: list[np.ndarray],
            ored: Sequence[np.ndarray] = ()) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Sorted unique codes, each of ``columns`` summed over equal codes and each of ``ored`` or-ed."""
    if not len(codes):
        return codes, columns, list(ored)
    order = np.argsort(codes)  # equal codes' figures are summed or or-ed: their order does not matter
    codes = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return (codes[starts], [np.add.reduceat(c[order], starts) for c in columns],
            [np.bitwise_or.reduceat(c[order], starts, axis=0) for c in ored])


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
# Marks a raw hit in a class bucket (two word-for-word equal sentences), counted apart as Evidence.class_hits.
_CLASS_FLAG = 1 << 60
# Evidence.over_a/over_b: tokens << 24 | sentences, of the hit sentences at slots from HIT_SLOTS on.
_OVER_SHIFT = 24


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
                    sentence_bands: int = 24, fresh: np.ndarray | None = None, group_bits: int = 0) -> _Hits | None:
    """The raw hits of one partition's entries (every occurrence of its keys).

    Within a key's run, sorted by owner (then entry order), each entry pairs
    with the next ``max_bucket`` entries. With ``aux``
    (:func:`signature_entries`): two sentences of one class meet in their
    class's bucket, where the hit stands for the ``sentence_bands`` band keys
    they share; in a band bucket only sentences of different classes are paired.
    ``fresh`` (a boolean per owner number): only the hits of pairs with a fresh owner
    on one side are made (the loose sentences and capped counts stay those of all).
    ``group_bits``: the entries are ``2 ** group_bits`` partitions (by the top bits of
    their keys) whose hits, merged, are their evidence merged (:func:`merge_evidence`):
    a group without any pair keeps no loose sentence, and a hit sentence at a slot from
    :data:`HIT_SLOTS` on counts once per group (its slot carries the group from bit 16).
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
    group_of = None
    if group_bits:
        # Keys sorted: each group's keys are consecutive ranks. A group without a run of two
        # owners has no pair, and as a partition of its own would give no evidence at all.
        group_of = (ks[new] >> np.uint64(64 - group_bits)).astype(np.int64)  # per rank
        paired = np.zeros(1 << group_bits, dtype=bool)
        paired[group_of[rank[run_start[run_len > 1]]]] = True
        if not paired.any():
            return None
        if loose and len(loose[0]):
            loose[0] = loose[0][paired[(keys[loose[0]] >> np.uint64(64 - group_bits)).astype(np.int64)]]
    capped = run_len > max_bucket + 1
    capped_entry = np.repeat(capped, run_len)
    if aux is not None and capped.any():
        loose.append(at[capped_entry])
    # Per entry, what a hit from it counts as (see _DOC_SHIFT): a class hit, all the bands.
    db = document_band[rank]
    units = np.ones(len(rank), dtype=np.int64)
    flag = np.zeros(len(rank), dtype=np.int64)
    if aux is not None:
        a = aux[at]
        slot = ((a >> _SLOT_SHIFT) & _LOW16).astype(np.int64)
        tokens = (a & _LOW16).astype(np.int64)
        mark = (a >> _MARK_SHIFT).astype(np.int64)
        if group_of is not None:  # high slots counted once per group (see _over)
            high = slot >= HIT_SLOTS
            slot = np.where(high & (slot != _NO_SLOT), slot | group_of[rank] << 16, slot)
        is_class = (slot != _NO_SLOT) & (mark == 0)
        units[is_class] = sentence_bands
        flag[is_class] = _CLASS_FLAG
        counts = (slot != _NO_SLOT) & ~capped_entry
    kind_of = np.where(db > 0, 1 << _DOC_SHIFT, np.where(capped_entry, units << _CAPPED_SHIFT, units | flag))
    codes_l, kinds_l, hit_l = [], [], []
    side_l: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for x, d in (_offsets(rank, max_bucket) if fresh is None else _new_offsets(rank, fresh[owner], max_bucket)):
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


def _offsets(rank: np.ndarray, max_bucket: int) -> Iterator[tuple[np.ndarray, int]]:
    """Per distance ``d`` (1 to ``max_bucket``): the entries ``x`` whose run (equal ``rank``) holds
    ``x + d``; none past the longest run."""
    for d in range(1, max_bucket + 1):
        if d >= len(rank):
            break
        same = rank[d:] == rank[:-d]
        if not same.any():
            break
        yield np.flatnonzero(same), d


def _new_offsets(rank: np.ndarray, fresh: np.ndarray, max_bucket: int) -> Iterator[tuple[np.ndarray, int]]:
    """:func:`_offsets` restricted to the ``x`` with ``fresh[x]`` or ``fresh[x + d]`` (per entry; ``rank``
    sorted): the work grows with the fresh entries times ``max_bucket``, not with all entries. Every
    distance :func:`_offsets` gives is given (maybe with no entries), since whether a partition has
    any pair at all decides whether its loose sentences count."""
    n = len(rank)
    if n < 2:
        return
    starts = np.flatnonzero(np.concatenate(([True], rank[1:] != rank[:-1])))
    longest = int(np.diff(np.append(starts, n)).max())
    f = np.flatnonzero(fresh)
    for d in range(1, min(max_bucket + 1, longest)):
        below = f[f + d < n]  # fresh x, any x + d
        above = f[f >= d] - d  # x + d fresh, x not (else it is in below)
        above = above[~fresh[above]]
        x = np.concatenate((below, above))  # disjoint; the order of hits does not matter
        yield x[rank[x] == rank[x + d]], d


def _evidence(hits: list[_Hits]) -> Evidence:
    """The :class:`Evidence` of the raw hits of partitions (exact: each sentence counted once)."""
    if not hits:
        return Evidence.empty()
    return combine_slices([_slice_evidence(hits)])


_NO_HIGH = np.zeros((0, 3), dtype=np.int64)


@dataclass
class SliceEvidence:
    """The evidence of a slice of an evidence group's keys (every occurrence of each of its keys),
    in the form in which slices of one group combine into exactly the group's evidence
    (:func:`combine_slices`): an :class:`Evidence` whose ``over_a``/``over_b`` are 0, and the hit
    sentences at slots from :data:`HIT_SLOTS` on of each side as distinct rows ``(pair code, slot,
    tokens)`` (``high_a``, ``high_b``), since those are counted once per group, not summed. A hot
    group can so be cut into slices computed apart (the Spark engine's tasks)."""

    evidence: Evidence
    high_a: np.ndarray
    high_b: np.ndarray

    def restrict(self, rows: np.ndarray) -> "SliceEvidence":
        """The slice's evidence of the pairs ``rows`` (a mask or indices of ``evidence.codes``), without
        its loose sentences and counts (which are not per pair)."""
        ev = self.evidence
        e = np.empty(0, dtype=np.int64)
        part = Evidence(ev.codes[rows], ev.weights[rows], ev.document[rows], ev.open_keys[rows], ev.class_hits[rows],
                        ev.hits_a[rows], ev.hits_b[rows], ev.over_a[rows], ev.over_b[rows], e, e)
        return SliceEvidence(part, *(h[np.isin(h[:, 0], part.codes)] for h in (self.high_a, self.high_b)))


def slice_hits(partitions: Iterable[tuple[np.ndarray, ...]], max_bucket: int = MAX_BUCKET,
               sentence_bands: int = 24) -> SliceEvidence:
    """The :class:`SliceEvidence` of a slice of a group's keys: ``(keys, owners[, aux])`` partitions,
    each holding every occurrence of its keys, as for :func:`pair_evidence` (whose result is
    ``combine_slices([slice_hits(partitions)])``; any split of the group's partitions into
    slices, combined, gives the same)."""
    hits = [_partition_hits(p[0], p[1], p[2] if len(p) > 2 else None, max_bucket, sentence_bands)
            for p in _owned(partitions)]
    return _slice_evidence([h for h in hits if h is not None])


def _slice_evidence(hits: list[_Hits]) -> SliceEvidence:
    if not hits:
        return SliceEvidence(Evidence.empty(), _NO_HIGH, _NO_HIGH)
    codes, kinds, class_hits = _count_kinds(np.concatenate([h.codes for h in hits]),
                                            np.concatenate([h.kinds for h in hits]))
    document = kinds >> _DOC_SHIFT
    capped_keys = (kinds >> _CAPPED_SHIFT) & _COUNT_MASK
    open_keys = kinds & _COUNT_MASK
    hit_codes = np.concatenate([h.hit_codes for h in hits])
    n = len(codes)
    hits_a = hits_b = np.zeros((n, _WORDS), dtype=np.uint64)
    high_a = high_b = _NO_HIGH
    if len(hit_codes):
        pair = np.searchsorted(codes, hit_codes)
        sa, ta, sb, tb = (np.concatenate([h.sides[k] for h in hits]) for k in range(4))
        hits_a, high_a = _side_hits(pair, codes, sa, ta, n)
        hits_b, high_b = _side_hits(pair, codes, sb, tb, n)
    loose, loose_tokens = _distinct(np.concatenate([h.loose for h in hits]),
                                    np.concatenate([h.loose_tokens for h in hits]))
    zero = np.zeros(n, dtype=np.int64)
    ev = Evidence(codes, 2 * document + capped_keys + open_keys, document, open_keys, class_hits, hits_a, hits_b, zero,
                  zero, loose, loose_tokens, sum(h.capped_keys for h in hits), sum(h.capped_entries for h in hits))
    return SliceEvidence(ev, high_a, high_b)


def _side_hits(pair: np.ndarray, codes: np.ndarray, slot: np.ndarray, tokens: np.ndarray,
               n: int) -> tuple[np.ndarray, np.ndarray]:
    """One side's hit sentences per pair: the bitmap of their slots below HIT_SLOTS, and the others as
    distinct rows ``(pair code, slot, tokens)``."""
    low = slot < HIT_SLOTS
    bits = _slot_bits(pair[low], slot[low], n)
    if low.all():
        return bits, _NO_HIGH
    high = ~low
    rows = np.stack([codes[pair[high]], slot[high], tokens[high]], axis=1)
    order = np.lexsort((rows[:, 1], rows[:, 0]))
    rows = rows[order]
    first = np.concatenate(([True], (rows[1:, :2] != rows[:-1, :2]).any(axis=1)))
    return bits, rows[first]


def _over(ev: Evidence, high: list[np.ndarray]) -> np.ndarray:
    """``Evidence.over_a``/``over_b`` from a side's high rows: per pair the tokens and count of its
    distinct hit sentences at slots from HIT_SLOTS on (``tokens << 24 | count``)."""
    rows = np.concatenate(high) if high else _NO_HIGH
    n = len(ev.codes)
    if not len(rows):
        return np.zeros(n, dtype=np.int64)
    pair = np.searchsorted(ev.codes, rows[:, 0])
    over_tokens, over_count = _unique_sum(pair << 24 | rows[:, 1], pair, rows[:, 2], n)
    return over_tokens << _OVER_SHIFT | over_count


def combine_slices(slices: Sequence[SliceEvidence]) -> Evidence:
    """The :class:`Evidence` of an evidence group from the :class:`SliceEvidence` of slices of its
    keys (disjoint, covering the group), exactly as :func:`pair_evidence` of the whole group: the
    slices' figures summed and bitmaps or-ed (:func:`merge_evidence`; a key is in one slice), and
    the hit sentences at slots from :data:`HIT_SLOTS` on counted once each. The order of
    ``slices`` does not matter."""
    ev = merge_evidence([s.evidence for s in slices])
    high_a = [s.high_a for s in slices if len(s.high_a)]
    high_b = [s.high_b for s in slices if len(s.high_b)]
    if not high_a and not high_b:
        return ev
    return replace(ev, over_a=_over(ev, high_a), over_b=_over(ev, high_b))


def _count_kinds(codes: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_reduce` of pair codes and their packed kinds, for kinds that take a few values; and
    per pair the hits whose kind carries :data:`_CLASS_FLAG` (counted apart, the flag cleared).

    The hits of each value are sorted alone (a plain sort) and counted by runs,
    several times faster than an argsort and a gather of the raw hits, which are
    most of the stage's work (tens of millions on a corpus of shared paragraphs).
    """
    if not len(codes):
        return codes, kinds, kinds
    out_c, out_k, out_f = [], [], []
    for value in np.unique(kinds).tolist():
        c = np.sort(codes[kinds == value])
        starts = np.flatnonzero(np.concatenate(([True], c[1:] != c[:-1])))
        out_c.append(c[starts])
        runs = np.diff(np.append(starts, len(c))).astype(np.int64)
        out_k.append(runs * (value & ~_CLASS_FLAG))
        out_f.append(runs if value & _CLASS_FLAG else np.zeros_like(runs))
    if len(out_c) == 1:
        return out_c[0], out_k[0], out_f[0]
    codes, (kinds, flagged), _ = _reduce(np.concatenate(out_c), [np.concatenate(out_k), np.concatenate(out_f)])
    return codes, kinds, flagged


def _distinct(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ``keys`` and the value of each (equal keys have equal values)."""
    if not len(keys):
        return keys, values
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    first = np.concatenate(([True], k[1:] != k[:-1]))
    return k[first], values[order][first]


def merge_evidence(parts: Sequence[Evidence]) -> Evidence:
    """The evidence of disjoint groups of partitions together: figures of equal pairs (owners) summed,
    hit bitmaps or-ed (a sentence that shares bands in several groups counts once; only the sums
    of sentences at slots from :data:`HIT_SLOTS` on can count one twice, which loosens
    :func:`bound_pairs`). The order of ``parts`` does not matter."""
    parts = [p for p in parts if len(p.codes) or len(p.loose)]
    if not parts:
        return Evidence.empty()
    if len(parts) == 1:
        return parts[0]
    # Summed as two packed columns (sums stay inside their fields, see _DOC_SHIFT and _OVER_SHIFT),
    # the four bitmap words or-ed as one array: one gather and one reduceat each.
    codes, (kinds, class_hits, over_a, over_b), (bits,) = _reduce(np.concatenate([p.codes for p in parts]), [
        np.concatenate([p.document << _DOC_SHIFT | (p.weights - 2 * p.document - p.open_keys) << _CAPPED_SHIFT
                        | p.open_keys for p in parts]),
        np.concatenate([p.class_hits for p in parts]),
        np.concatenate([p.over_a for p in parts]),
        np.concatenate([p.over_b for p in parts]),
    ], [np.concatenate([np.hstack([p.hits_a, p.hits_b]) for p in parts])])
    document = kinds >> _DOC_SHIFT
    open_keys = kinds & _COUNT_MASK
    weights = 2 * document + ((kinds >> _CAPPED_SHIFT) & _COUNT_MASK) + open_keys
    loose, loose_tokens = _distinct(np.concatenate([p.loose for p in parts]),
                                    np.concatenate([p.loose_tokens for p in parts]))
    return Evidence(codes, weights, document, open_keys, class_hits, bits[:, :_WORDS], bits[:, _WORDS:], over_a, over_b,
                    loose, loose_tokens, sum(p.capped_keys for p in parts), sum(p.capped_entries for p in parts))


def pair_evidence(partitions: Iterable[tuple[np.ndarray, ...]], max_bucket: int = MAX_BUCKET,
                  sentence_bands: int = 24) -> Evidence:
    """The :class:`Evidence` of a group of partitions: ``(keys, owners[, aux])`` each holding every
    occurrence of its keys; entries whose owner is below 0 are skipped. Exact within the group:
    a sentence's hits in several of its partitions count once. ``sentence_bands``: the
    configuration's, what a hit in a class bucket stands for."""
    hits = [_partition_hits(p[0], p[1], p[2] if len(p) > 2 else None, max_bucket, sentence_bands)
            for p in _owned(partitions)]
    return _evidence([h for h in hits if h is not None])


def new_pair_evidence(partitions: Iterable[tuple[np.ndarray, ...]], new: np.ndarray, max_bucket: int = MAX_BUCKET,
                      sentence_bands: int = 24, group_bits: int = 0) -> Evidence:
    """:func:`pair_evidence` of the pairs with a new document on at least one side: ``new`` is a
    boolean per owner number. Exactly the full evidence's rows of those pairs (each sentence's hits
    counted once, with their hits in capped buckets, their bitmaps and sums), and the same loose
    sentences (which are not per pair), so :func:`bound_pairs` gives those pairs
    the same verdicts; the pairs of two old documents are not made. An incremental index, whose
    old pairs are known, pays for the pairs its new documents bring, not for every pair among
    the documents that share a key with them.

    ``group_bits``: each partition stands for ``2 ** group_bits`` partitions of its keys by their
    top bits (:func:`dedupe._stages.evidence_group` with its 4 bits), and the result is their
    evidence merged (:func:`merge_evidence`), computed in one pass instead of one per group."""
    new = np.asarray(new, dtype=bool)
    hits = [h for p in _owned(partitions)
            if (h := _partition_hits(p[0], p[1], p[2] if len(p) > 2 else None, max_bucket, sentence_bands, new,
                                     group_bits)) is not None]
    # The capped counts are those of every capped key (merge_evidence leaves out the counts of a
    # partition that gives no pair and no loose sentence, which here is any with no new document).
    return replace(_evidence(hits), capped_keys=sum(h.capped_keys for h in hits),
                   capped_entries=sum(h.capped_entries for h in hits))


def _popcount(bits: np.ndarray) -> np.ndarray:
    """Set bits per row of ``(n, words)`` uint64 bitmaps."""
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
    flags = np.unpackbits(np.ascontiguousarray(bits, dtype="<u8").view(np.uint8).reshape(len(bits), -1), axis=1)
    return flags.sum(axis=1, dtype=np.int64)


def _loose_by_document(ev: Evidence, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each document's loose sentences: the bitmap of their slots below HIT_SLOTS, and the tokens of the others."""
    owner, slot = ev.loose >> 16, ev.loose & 0xFFFF
    low = slot < HIT_SLOTS
    bits = _slot_bits(owner[low], slot[low], n)
    over = np.bincount(owner[~low], weights=ev.loose_tokens[~low], minlength=n).astype(np.int64)
    return bits, over


def _bounds(ev: Evidence, comparable: np.ndarray, free: np.ndarray, sentences: SentenceTokens,
            sentence_bands: int = 24) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`coverage_bounds` and :func:`hit_density` at once."""
    a = (ev.codes >> 32).astype(np.int64)
    b = (ev.codes & 0xFFFFFFFF).astype(np.int64)
    loose_bits, loose_over = _loose_by_document(ev, len(comparable))
    out = []
    for side, hits, over in ((a, ev.hits_a, ev.over_a), (b, ev.hits_b, ev.over_b)):
        # A loose sentence that also has a hit counts once (the union of the bitmaps).
        tokens, _ = hit_tokens(hits | loose_bits[side], side, sentences)
        tokens += (over >> _OVER_SHIFT) + loose_over[side] + free[side]
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.where(comparable[side] > 0, tokens / np.maximum(comparable[side], 1), np.inf))
        out.append(_popcount(hits) + (over & _COUNT_MASK))
    ua, hit_a, ub, hit_b = out
    # Word-for-word equal sentences (class hits) say nothing of how cleanly the rest was copied.
    band_keys = ev.open_keys - sentence_bands * ev.class_hits
    band_hit = np.maximum(hit_a, hit_b) - ev.class_hits
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(band_keys > 0, band_keys / np.maximum(band_hit, 1), np.inf)
    return ua, ub, density


def coverage_bounds(ev: Evidence, comparable: np.ndarray, free: np.ndarray,
                    sentences: SentenceTokens) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, an upper estimate of the share of a's (b's) comparable tokens that verification can
    find in the other document: its sentences with a band hit or loose (each once; their tokens from
    ``sentences``) and its comparable sentences too short to be banded (``free``), over its
    ``comparable`` tokens (inf when it has none)."""
    ua, ub, _ = _bounds(ev, comparable, free, sentences)
    return ua, ub


def hit_density(ev: Evidence, comparable: np.ndarray, free: np.ndarray, sentences: SentenceTokens,
                sentence_bands: int = 24) -> np.ndarray:
    """Per pair: shared sentence band keys per sentence with a band hit (on the side with more of
    them), over uncapped band buckets, word-for-word equal sentences left out; infinite for a pair
    whose only sentence hits are equal sentences or in capped buckets.

    A sentence copied word for word shares all ``sentence_bands`` of its band
    keys; one copied with noise or heavy edits, a few. A pair whose hit
    sentences are dense was copied cleanly where it was copied at all, so a
    sentence it shares without a hit is unlikely; a sparse one may share many
    sentences that no band shows (OCR noise breaks every 5-gram). A pair that
    only a capped bucket (a stock sentence printed by hundreds) brought
    together has no evidence of its own: its hot sentences count in its
    bound as loose, and nothing else is known of it.
    """
    return _bounds(ev, comparable, free, sentences, sentence_bands)[2]


def bound_pairs(ev: Evidence, comparable: np.ndarray, free: np.ndarray, sentences: SentenceTokens,
                config: DedupConfig) -> np.ndarray:
    """The pairs worth verifying (a boolean per pair of ``ev``): evidence at least
    ``candidate_min_weight``, and a shared document band, or a coverage bound
    (:func:`coverage_bounds`) of at least ``prune_coverage`` on one side, or hits
    sparser than ``prune_hit_density`` (:func:`hit_density`). ``comparable``, ``free``
    and ``sentences`` are per document, by the evidence's owner numbers."""
    keep = ev.weights >= config.candidate_min_weight
    if config.prune_coverage <= 0:
        return keep
    # Only the pairs the rule can drop need their bound.
    todo = np.flatnonzero(keep & (ev.document == 0))
    if len(todo):
        ua, ub, density = _bounds(_rows(ev, todo), comparable, free, sentences, config.sentence_bands)
        keep[todo] = (np.maximum(ua, ub) >= config.prune_coverage) | (density < config.prune_hit_density)
    return keep


def _rows(ev: Evidence, rows: np.ndarray) -> Evidence:
    """The evidence of some of ``ev``'s pairs (its loose sentences whole)."""
    return Evidence(ev.codes[rows], ev.weights[rows], ev.document[rows], ev.open_keys[rows], ev.class_hits[rows],
                    ev.hits_a[rows],
                    ev.hits_b[rows], ev.over_a[rows], ev.over_b[rows], ev.loose, ev.loose_tokens,
                    ev.capped_keys, ev.capped_entries)


def signature_entries(signatures: Sequence[Signature], config: DedupConfig, sentences: bool = True,
                      classes_too: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every band key of ``signatures`` with its owner (the position in ``signatures``) and ``aux``.

    Document bands (datasketch's split for ``threshold``) of the signatures that
    have shingles, then ``sentence_bands`` bands of every sentence signature.
    Two documents are candidates when they own an equal key; a batch run can
    collect the entries chunk by chunk (or spill them to disk, :class:`dedupe._store.KeySpill`)
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
    as :class:`dedupe._store.KeySpill` makes them); owners below 0 are skipped.
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
