"""Candidate generation: band-key sorting finds what datasketch's MinHashLSH finds."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._candidates import (candidate_pairs, decode_pairs, lsh_index, pair_weights, pairs_from_keys,
                               signature_keys)
from dedupe.config import DedupConfig
from dedupe._sign import sign_texts, to_lean_minhash

WORDS = [f"w{i}" for i in range(400)]


def _corpus(seed: int, n: int = 60) -> list[str]:
    """Random documents, a third of them edited copies of earlier ones (some edits heavy)."""
    rng = random.Random(seed)
    docs: list[str] = []
    for _ in range(n):
        if docs and rng.random() < 0.35:
            words = rng.choice(docs).split()
            for _ in range(rng.randint(0, len(words) // 2)):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            docs.append(" ".join(words))
        else:
            docs.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80))))
    return docs


def _sign(texts: list[str], config: DedupConfig):
    return sign_texts(texts, config.shingle_size, config.num_perm, config.seed,
                      config.sentence_bands * config.sentence_rows, config.sentence_min_shingles)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.3, 0.5, 0.8]))
def test_document_pairs_equal_datasketch_lsh_queries(seed: int, threshold: float) -> None:
    config = DedupConfig(threshold=threshold)
    sigs = _sign(_corpus(seed), config)
    lsh = lsh_index(sigs, config)
    expected = set()
    for i, sig in enumerate(sigs):
        for j in lsh.query(to_lean_minhash(sig.values, config.seed)):
            if j != i:
                expected.add((min(i, j), max(i, j)))
    coded = pairs_from_keys([signature_keys(sigs, config, sentences=False)], max_bucket=len(sigs))
    got = set(zip((coded >> 32).tolist(), (coded & 0xFFFFFFFF).tolist()))
    assert got == expected


def test_bucket_pairs_caps_large_buckets_but_keeps_them_connected() -> None:
    keys = np.array([7] * 10 + [9, 9], dtype=np.uint64)
    owners = np.array(list(range(10)) + [3, 11], dtype=np.int64)
    coded = pairs_from_keys([(keys, owners)], max_bucket=2)
    pairs = set(zip((coded >> 32).tolist(), (coded & 0xFFFFFFFF).tolist()))
    assert (0, 1) in pairs and (0, 2) in pairs and (0, 3) not in pairs
    assert (8, 9) in pairs and (3, 11) in pairs
    assert all(a < b for a, b in pairs)
    # Connected: every owner of key 7 reaches 0 through the capped pairs.
    reach = {0}
    for a, b in sorted(pairs):
        if a in reach:
            reach.add(b)
    assert set(range(10)) <= reach


def test_candidates_are_sorted_unique_pairs() -> None:
    config = DedupConfig()
    sigs = _sign(_corpus(3), config)
    pairs = candidate_pairs(sigs, config)
    assert pairs == sorted(set(pairs))
    assert all(a < b for a, b in pairs)
    assert candidate_pairs(sigs, config) == pairs


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 4000))
def test_pairs_from_spilled_partitions_equal_pairs_in_memory(seed: int, memory: int) -> None:
    # Keys with heavy repeats (buckets past max_bucket), some owners skipped (-1); a
    # spill of a few hundred bytes partitions them over several flushes.
    from dedupe._store import KeySpill

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 600))
    pool = rng.integers(0, 2**64, size=max(n // 4, 1), dtype=np.uint64)
    keys = rng.choice(pool, size=n)
    owners = rng.integers(-1, 200, size=n)
    spill = KeySpill(memory_bytes=memory, partition_bits=3)  # memory 0: written to the file at once
    for lo in range(0, n, 37):
        spill.add(keys[lo:lo + 37], owners[lo:lo + 37])
    try:
        got = pairs_from_keys(spill.partitions(), max_bucket=4)
    finally:
        spill.close()
    assert np.array_equal(got, pairs_from_keys([(keys, owners)], max_bucket=4))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0, 1 << 20]), st.integers(2, 3), st.integers(1, 3))
def test_candidate_pairs_on_workers_equal_pairs_in_one_process(seed: int, memory: int, workers: int,
                                                               min_weight: int) -> None:
    # What the pipeline does: batches grouped by partition beforehand (as its signing
    # workers send them), owners renumbered, groups of partitions paired on forked workers.
    from dedupe.pipeline import spill_evidence
    from dedupe._store import KeySpill, partition_keys

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 3000))
    pool = rng.integers(0, 2**64, size=max(n // 5, 1), dtype=np.uint64)
    keys = rng.choice(pool, size=n)
    owners = rng.integers(0, 300, size=n)
    aux = rng.integers(0, 2**63, size=n, dtype=np.uint64)
    renumber = np.where(rng.random(301) < 0.2, -1, np.arange(301))  # some documents are exact copies: skipped
    renumber[-1] = -1
    spill = KeySpill(memory_bytes=memory)
    for lo in range(0, n, 101):
        spill.add(*partition_keys(keys[lo:lo + 101], owners[lo:lo + 101], aux[lo:lo + 101]))
    try:
        alone = spill_evidence(spill, renumber, 1, DedupConfig())
        forked = spill_evidence(spill, renumber, workers, DedupConfig())
    finally:
        spill.close()
    for name in ("codes", "weights", "document", "open_keys", "class_hits", "hits_a", "hits_b", "over_a", "over_b", "loose",
                 "loose_tokens"):
        assert np.array_equal(getattr(alone, name), getattr(forked, name)), name
    got = alone.codes[alone.weights >= min_weight]
    assert np.array_equal(got, pairs_from_keys([(keys, renumber[owners])], min_weight=min_weight))


def test_pair_weights_count_document_bands_twice() -> None:
    # Keys 10 (even: a sentence band) and 11 (odd: a document band); owners 0-3.
    keys = np.array([10, 10, 11, 11, 12, 12, 12, 14, 14], dtype=np.uint64)
    owners = np.array([0, 1, 2, 3, 0, 1, 2, 0, 1], dtype=np.int64)
    codes, weights = pair_weights([(keys, owners)])
    got = {(int(c) >> 32, int(c) & 0xFFFFFFFF): int(w) for c, w in zip(codes, weights)}
    # (0, 1) share three sentence keys; (2, 3) one document key; (0, 2), (1, 2) one sentence key.
    assert got == {(0, 1): 3, (0, 2): 1, (1, 2): 1, (2, 3): 2}
    assert decode_pairs(pairs_from_keys([(keys, owners)], min_weight=2)) == [(0, 1), (2, 3)]
    assert decode_pairs(pairs_from_keys([(keys, owners)], min_weight=1)) == [(0, 1), (0, 2), (1, 2), (2, 3)]
