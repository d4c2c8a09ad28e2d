"""Signatures: bit-for-bit datasketch values, usable as LeanMinHash, unbiased Jaccard estimates."""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from dedupe.sign import permutations, shingle_hashes, sign, sign_texts, to_lean_minhash
from dedupe.text import analyze

WORDS = [f"w{i}" for i in range(400)]


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=200), st.integers(0, 2**31 - 1))
def test_values_equal_datasketch(tokens, seed):
    analysis = analyze(" ".join(tokens))
    sig = sign(analysis, 5, 64, seed, 16, 4)
    reference = MinHash(num_perm=64, seed=seed, hashfunc=lambda x: x)
    reference.update_batch([int(h) for h in shingle_hashes(analysis.tokens, 5)])
    assert np.array_equal(sig.values, reference.hashvalues)


def test_permutation_parameters_equal_datasketch():
    for seed in (0, 1, 42):
        m = MinHash(num_perm=128, seed=seed)
        p = permutations(128, seed)
        assert np.array_equal(p.a, m.permutations[0]) and np.array_equal(p.b, m.permutations[1])


def test_lean_minhash_works_in_datasketch_lsh():
    a = sign(analyze(" ".join(WORDS[:300])), 5, 128, 1, 16, 4)
    b = sign(analyze(" ".join(WORDS[:290] + ["x"] * 10)), 5, 128, 1, 16, 4)
    la, lb = to_lean_minhash(a.values, 1), to_lean_minhash(b.values, 1)
    assert isinstance(la, LeanMinHash)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("a", la)
    assert lsh.query(lb) == ["a"]


def test_jaccard_estimate_is_unbiased():
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
    # Standard error of one estimate at 256 permutations is at most 0.031; the mean of 60 is ~0.004.
    assert abs(errors.mean()) < 0.015
    assert np.abs(errors).max() < 0.15


def test_short_documents_get_one_shingle():
    assert len(shingle_hashes(("only", "three", "words"), 5)) == 1
    assert len(shingle_hashes((), 5)) == 0


def test_sign_texts_matches_sign_and_datasketch():
    docs = [" ".join(WORDS[i : i + 120]) + ". Next sentence here, again." for i in range(0, 200, 40)] + ["", "x"]
    fast = sign_texts(docs, 5, 64, 9, 16, 4)
    for text, sig in zip(docs, fast):
        analysis = analyze(text)
        slow = sign(analysis, 5, 64, 9, 16, 4)
        assert np.array_equal(sig.values, slow.values) and np.array_equal(sig.sentences, slow.sentences)
        if analysis.tokens:
            reference = MinHash(num_perm=64, seed=9, hashfunc=lambda x: x)
            reference.update_batch([int(h) for h in shingle_hashes(analysis.tokens, 5)])
            assert np.array_equal(sig.values, reference.hashvalues)
        else:
            assert sig.shingles == 0 and sig.tokens == 0


def test_digest_identifies_token_sequences():
    a, b, c = sign_texts(["Hello, World!", "hello   world", "world hello"], 5, 16, 1, 4, 1)
    assert a.digest == b.digest != c.digest and a.tokens == 2
