"""Signatures: the document scheme as defined, sentence values bit-for-bit datasketch's, usable as LeanMinHash."""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from dedupe._sign import (
    ROUNDS, document_values, permutations, round_key, shingle_hashes, sign, sign_texts, to_lean_minhash,
)
from dedupe._text import analyze

WORDS = [f"w{i}" for i in range(400)]
M32, M64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF


def _fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    return h ^ (h >> 16)


def reference_values(shingles: list[int], k: int, seed: int) -> list[int]:
    """The document values as the module docstring defines them, one shingle at a time in plain Python."""
    if not shingles:
        return [M32] * k
    perms = permutations(k, seed)
    values: list[int | None] = [None] * k
    for r in range(ROUNDS):
        m = int(round_key(seed, r))
        assert m & 1
        this_round: dict[int, int] = {}
        for x in set(shingles):
            z = (x * m) & M64
            j = ((z >> 32) * k) >> 32
            if values[j] is None:
                this_round[j] = min(this_round.get(j, M32 + 1), z & M32)
        for j, v in this_round.items():
            values[j] = v
    return [
        v if v is not None else min((int(perms.a[j]) * _fmix32(x) + int(perms.b[j])) & M32 for x in shingles)
        for j, v in enumerate(values)
    ]


@given(st.lists(st.integers(0, M32), max_size=300), st.sampled_from([1, 7, 64, 128, 100]), st.integers(0, 2**31 - 1))
def test_document_values_follow_the_definition(shingles, k, seed):
    got = document_values(np.array(shingles, dtype=np.uint32), k, seed)
    assert got.dtype == np.uint32 and got.tolist() == reference_values(shingles, k, seed)


def test_bins_of_a_power_of_two_use_the_same_rule():
    # _bins takes a shortcut for powers of two; the reference uses (z >> 32) * k >> 32 for all k.
    rng = np.random.default_rng(5)
    for k in (1, 2, 64, 128, 256):
        sh = rng.integers(0, 2**32, 50, dtype=np.uint32).tolist()
        assert document_values(np.array(sh, dtype=np.uint32), k, 3).tolist() == reference_values(sh, k, 3)


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=200), st.integers(0, 2**31 - 1))
def test_signature_values_are_document_values_of_the_shingles(tokens, seed):
    analysis = analyze(" ".join(tokens))
    sig = sign(analysis, 5, 64, seed, 16, 4)
    expected = document_values(shingle_hashes(analysis.tokens, 5), 64, seed)
    assert np.array_equal(sig.values, expected)


@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30), min_size=1, max_size=8),
    st.integers(0, 2**31 - 1),
)
def test_sentence_values_equal_datasketch(sentences, seed):
    text = " ".join(" ".join(s).capitalize() + "." for s in sentences)
    analysis = analyze(text)
    sig = sign(analysis, 3, 64, seed, 24, 2)
    spans = analysis.sentence_spans()
    assert len(sig.sentences) == len(sig.sentence_ids)
    kept = [i for i, (a, b) in enumerate(spans) if b - a - 3 + 1 >= 2]
    assert sig.sentence_ids.tolist() == kept
    for row, i in zip(sig.sentences, sig.sentence_ids):
        a, b = spans[i]
        reference = MinHash(num_perm=64, seed=seed, hashfunc=lambda x: x)
        reference.update_batch([int(h) for h in shingle_hashes(analysis.tokens[a:b], 3)])
        assert np.array_equal(row, reference.hashvalues[:24])


def test_permutation_parameters_equal_datasketch():
    for seed in (0, 1, 42):
        m = MinHash(num_perm=128, seed=seed)
        p = permutations(128, seed)
        assert np.array_equal(p.a, m.permutations[0]) and np.array_equal(p.b, m.permutations[1])


def test_lean_minhash_works_in_datasketch_lsh():
    a = sign(analyze(" ".join(WORDS[:300])), 5, 128, 1, 16, 4)
    b = sign(analyze(" ".join(WORDS[:290] + ["x"] * 10)), 5, 128, 1, 16, 4)
    c = sign(analyze(" ".join(WORDS[::-1][:300])), 5, 128, 1, 16, 4)  # same words, no shingle in common
    la, lb, lc = (to_lean_minhash(s.values, 1) for s in (a, b, c))
    assert isinstance(la, LeanMinHash)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("a", la)
    assert lsh.query(lb) == ["a"] and lsh.query(lc) == []
    assert la.jaccard(lb) > 0.8 and la.jaccard(lc) < 0.3


def test_jaccard_estimate_is_unbiased_on_documents():
    rng = np.random.default_rng(7)
    errors = []
    for _ in range(60):
        base = list(rng.choice(WORDS, 300))
        cut = int(rng.integers(50, 250))
        other = base[:cut] + list(rng.choice(WORDS, 300 - cut))
        ta, tb = analyze(" ".join(base)).tokens, analyze(" ".join(other)).tokens
        sa, sb = set(shingle_hashes(ta, 5).tolist()), set(shingle_hashes(tb, 5).tolist())
        exact = len(sa & sb) / len(sa | sb)
        ma = to_lean_minhash(sign(analyze(" ".join(base)), 5, 256, 3, 16, 4).values, 3)
        mb = to_lean_minhash(sign(analyze(" ".join(other)), 5, 256, 3, 16, 4).values, 3)
        errors.append(ma.jaccard(mb) - exact)
    errors = np.array(errors)
    # Standard error of one estimate at 256 values is at most 0.031; the mean of 60 is ~0.004.
    assert abs(errors.mean()) < 0.015
    assert np.abs(errors).max() < 0.15


def test_short_documents_get_one_shingle():
    assert len(shingle_hashes(("only", "three", "words"), 5)) == 1
    assert len(shingle_hashes((), 5)) == 0


def test_sign_texts_matches_sign_and_the_definition():
    docs = [" ".join(WORDS[i : i + 120]) + ". Next sentence here, again." for i in range(0, 200, 40)] + ["", "x"]
    fast = sign_texts(docs, 5, 64, 9, 16, 4)
    for text, sig in zip(docs, fast):
        analysis = analyze(text)
        slow = sign(analysis, 5, 64, 9, 16, 4)
        assert np.array_equal(sig.values, slow.values) and np.array_equal(sig.sentences, slow.sentences)
        if analysis.tokens:
            shingles = shingle_hashes(analysis.tokens, 5).tolist()
            assert sig.values.tolist() == reference_values(shingles, 64, 9)
        else:
            assert sig.shingles == 0 and sig.tokens == 0 and (sig.values == M32).all()


def test_values_depend_on_the_seed():
    sh = shingle_hashes(tuple(WORDS[:200]), 5)
    assert np.mean(document_values(sh, 128, 1) == document_values(sh, 128, 2)) < 0.1


def test_digest_identifies_token_sequences():
    a, b, c = sign_texts(["Hello, World!", "hello   world", "world hello"], 5, 16, 1, 4, 1)
    assert a.digest == b.digest != c.digest and a.tokens == 2
