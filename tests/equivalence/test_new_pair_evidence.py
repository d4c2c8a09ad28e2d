"""The evidence of the pairs a new document brings (dedupe._candidates.new_pair_evidence), which the
persistent index computes for an add or a query instead of the evidence of every pair among the
documents that share a key with the new ones: exactly the rows of the full evidence
(:func:`pair_evidence`) whose pair has a new document on a side, with the same loose sentences,
group by group and merged (or all groups in one pass); so the coverage bound gives
those pairs the same verdicts.

The corpora: unrelated documents that share paragraphs and stock sentences, with copies (clean,
edited, noisy; tests/unit/test_candidate_evidence.py), and a long document with more than HIT_SLOTS
banded sentences with edited copies (tests/equivalence/test_evidence_slices.py), so that hits past
the bitmap, capped buckets (small ``max_bucket``), loose sentences, class hits and excluded owners
(below 0) all occur.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._candidates import (HIT_SLOTS, Evidence, SentenceTokens, bound_pairs, merge_evidence, new_pair_evidence,
                               pair_evidence, signature_entries)
from dedupe.config import DedupConfig
from dedupe._stages import EVIDENCE_GROUP_BITS, evidence_group

from test_candidate_evidence import _sign, shared_corpus
from test_evidence_slices import corpus as long_corpus

PER_PAIR = ("codes", "weights", "document", "open_keys", "class_hits", "hits_a", "hits_b", "over_a", "over_b")


def _rows_of_new(ev: Evidence, new: np.ndarray) -> np.ndarray:
    a, b = ev.codes >> 32, ev.codes & 0xFFFFFFFF
    return new[a] | new[b]


def _assert_restricted(got: Evidence, whole: Evidence, new: np.ndarray) -> None:
    mine = _rows_of_new(whole, new)
    for name in PER_PAIR:
        assert np.array_equal(getattr(got, name), getattr(whole, name)[mine]), name
    assert np.array_equal(got.loose, whole.loose) and np.array_equal(got.loose_tokens, whole.loose_tokens)


def _assert_capped(got: Evidence, keys: np.ndarray, owners: np.ndarray, max_bucket: int) -> None:
    """The capped counts: every key held by more than ``max_bucket + 1`` owners (of those at 0 or above)."""
    held: dict[int, set[int]] = {}
    for k, o in zip(keys.tolist(), owners.tolist()):
        if o >= 0:
            held.setdefault(k, set()).add(o)
    capped = [len(v) for v in held.values() if len(v) > max_bucket + 1]
    assert (got.capped_keys, got.capped_entries) == (len(capped), sum(capped))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.booleans(), st.sampled_from([1, 2, 4, 32]), st.floats(0.0, 1.0),
       st.integers(0, EVIDENCE_GROUP_BITS), st.integers(0, 2**32))
def test_new_pair_evidence_is_the_full_evidence_of_the_new_pairs(seed: int, long: bool, max_bucket: int,
                                                                share: float, bits: int, mask_seed: int) -> None:
    config = DedupConfig()
    rnd = random.Random(mask_seed)
    texts = long_corpus(seed) if long else [d["text"] for d in shared_corpus(seed, 40)]
    sigs = _sign(texts, config)
    keys, owners, aux = signature_entries(sigs, config)
    n = len(sigs)
    new = np.array([rnd.random() < share for _ in range(n)], dtype=bool)
    if rnd.random() < 0.3:  # owners the caller leaves out (below 0), as the batch run does
        owners = np.where(np.array([rnd.random() < 0.05 for _ in owners]), -1, owners)
    # Group by group (2**bits groups; 4 bits: the index's evidence groups), as the index computes it.
    group = evidence_group(keys) >> (EVIDENCE_GROUP_BITS - bits)
    whole_parts, new_parts = [], []
    for g in np.unique(group).tolist():
        m = group == g
        part = [(keys[m], owners[m], aux[m])]
        whole = pair_evidence(part, max_bucket, config.sentence_bands)
        got = new_pair_evidence(part, new, max_bucket, config.sentence_bands)
        _assert_restricted(got, whole, new)
        whole_parts.append(whole)
        new_parts.append(got)
    whole, got = merge_evidence(whole_parts), merge_evidence(new_parts)
    if not new.any():
        assert len(got.codes) == 0
    _assert_restricted(got, whole, new)
    # The groups in one pass: the merged evidence of the groups.
    one_pass = new_pair_evidence([(keys, owners, aux)], new, max_bucket, config.sentence_bands, bits)
    _assert_restricted(one_pass, whole, new)
    _assert_capped(one_pass, keys, owners, max_bucket)
    # The bound's verdicts on the new pairs are the full computation's.
    table = SentenceTokens.of([s.sentence_tokens for s in sigs])
    comparable = np.array([s.comparable for s in sigs], dtype=np.int64)
    free = np.array([s.free for s in sigs], dtype=np.int64)
    mine = _rows_of_new(whole, new)
    assert np.array_equal(bound_pairs(got, comparable, free, table, config),
                          bound_pairs(whole, comparable, free, table, config)[mine])


def test_the_corpora_exercise_what_the_restriction_must_keep() -> None:
    """The equivalence above is not vacuous: with a few new documents, the full evidence has pairs
    of two old documents (left out), capped buckets, loose sentences and pruned new pairs."""
    config = DedupConfig()
    sigs = _sign([d["text"] for d in shared_corpus(3, 40)], config)
    keys, owners, aux = signature_entries(sigs, config)
    new = np.zeros(len(sigs), dtype=bool)
    new[::7] = True
    whole = pair_evidence([(keys, owners, aux)], 4, config.sentence_bands)
    got = new_pair_evidence([(keys, owners, aux)], new, 4, config.sentence_bands)
    assert 0 < len(got.codes) < len(whole.codes) // 2
    assert whole.capped_keys > 0 and len(whole.loose) > 0
    table = SentenceTokens.of([s.sentence_tokens for s in sigs])
    comparable = np.array([s.comparable for s in sigs], dtype=np.int64)
    free = np.array([s.free for s in sigs], dtype=np.int64)
    keep = bound_pairs(got, comparable, free, table, config)
    assert keep.any() and not keep.all()
    long_sigs = _sign(long_corpus(5), config)
    entries = signature_entries(long_sigs, config)
    mark = np.zeros(len(long_sigs), dtype=bool)
    mark[0] = True  # the long document
    ev = new_pair_evidence([entries], mark, 32, config.sentence_bands)
    assert ev.over_a.any() or ev.over_b.any()  # hits past the bitmap


@st.composite
def synthetic_entries(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Band key entries as signature_entries lays them out, drawn from small pools so that buckets
    repeat owners, some groups hold only one owner's keys (twice: loose sentences, but no pair), and
    sentences at slots past HIT_SLOTS share keys in several groups."""
    owners_n = draw(st.integers(2, 7))
    pool = draw(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 7), st.booleans()), min_size=1, max_size=12))
    keys, owners, aux = [], [], []
    for _ in range(draw(st.integers(2, 60))):
        group, low, document = draw(st.sampled_from(pool))
        key = group << 60 | low << 1 | int(document)
        owner = draw(st.integers(0, owners_n - 1))
        if document:
            a = 0xFFFF << 16
        else:
            slot = draw(st.sampled_from([0, 1, 2, 5, HIT_SLOTS, HIT_SLOTS + 1, HIT_SLOTS + 7]))
            mark = draw(st.sampled_from([0, 3, 5]))
            a = mark << 32 | slot << 16 | (7 * owner + slot) % 40 + 1  # one sentence, one token count
        keys.append(key)
        owners.append(owner)
        aux.append(a)
    return (np.array(keys, dtype=np.uint64), np.array(owners, dtype=np.int64), np.array(aux, dtype=np.uint64),
            owners_n)


@settings(max_examples=300, deadline=None)
@given(synthetic_entries(), st.sampled_from([1, 2, 32]), st.data())
def test_one_pass_over_groups_is_the_groups_merged(entries, max_bucket: int, data: st.DataObject) -> None:
    keys, owners, aux, n = entries
    new = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    group = evidence_group(keys)
    whole = merge_evidence([pair_evidence([(keys[group == g], owners[group == g], aux[group == g])], max_bucket)
                            for g in np.unique(group).tolist()])
    one_pass = new_pair_evidence([(keys, owners, aux)], new, max_bucket, group_bits=EVIDENCE_GROUP_BITS)
    _assert_restricted(one_pass, whole, new)
    _assert_capped(one_pass, keys, owners, max_bucket)
    for g in np.unique(group).tolist():
        m = group == g
        _assert_restricted(new_pair_evidence([(keys[m], owners[m], aux[m])], new, max_bucket),
                           pair_evidence([(keys[m], owners[m], aux[m])], max_bucket), new)
