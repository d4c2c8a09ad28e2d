"""The document-value scheme estimates Jaccard similarity without bias, as precisely as k permutations.

Random pairs of sets of 32-bit shingle hashes, at Jaccard similarities spread
over [0, 1], in four size classes: far fewer elements than values (where
nearly every bin is completed by min-hashing), around the number of values,
and far more (one-permutation hashing proper). For each class the mean error
of the estimate (the share of equal values) against exact Jaccard must be
within four standard errors of zero, the standard error taken from the
variance of ``k`` independent permutations, ``J(1 - J) / k`` per pair; and the
mean squared error must not exceed that variance by more than 30% (a scheme
whose bins copied one another, as naive densification does for small sets,
would fail it).
"""

from __future__ import annotations

import numpy as np
import pytest

from dedupe._sign import document_values

K = 128
PAIRS = 400


def _pair(rng: np.random.Generator, union: int, jaccard: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Two sets of ``union`` distinct elements in all, sharing about ``jaccard * union`` (at least one)."""
    pool = rng.choice(2**32, size=union, replace=False).astype(np.uint32)
    both = max(1, int(round(jaccard * union)))
    side = rng.random(union - both) < 0.5
    rest = pool[both:]
    return np.concatenate([pool[:both], rest[side]]), np.concatenate([pool[:both], rest[~side]]), both / union


@pytest.mark.parametrize("sizes", [(1, 8), (9, 40), (60, 250), (400, 2000)], ids=["tiny", "small", "around-k", "large"])
def test_estimate_is_unbiased_with_k_permutation_variance(sizes):
    rng = np.random.default_rng(sizes[0])
    errors, variances = [], []
    for i in range(PAIRS):
        union = int(rng.integers(sizes[0], sizes[1] + 1))
        a, b, exact = _pair(rng, union, float(rng.random()))
        seed = int(rng.integers(0, 2**31))
        estimate = float(np.mean(document_values(a, K, seed) == document_values(b, K, seed)))
        errors.append(estimate - exact)
        variances.append(exact * (1 - exact) / K)
    errors, variances = np.array(errors), np.array(variances)
    standard_error = np.sqrt(variances.sum()) / PAIRS
    assert abs(errors.mean()) < 4 * standard_error + 1e-9, (errors.mean(), standard_error)
    assert np.mean(errors**2) <= 1.3 * variances.mean() + 1e-9, (np.mean(errors**2), variances.mean())


def test_identical_sets_agree_everywhere_and_disjoint_sets_nowhere():
    rng = np.random.default_rng(3)
    for size in (1, 5, 100, 1000):
        a = rng.choice(2**32, size=2 * size, replace=False).astype(np.uint32)
        x, y = a[:size], a[size:]
        assert np.array_equal(document_values(x, K, 1), document_values(x[::-1], K, 1))
        assert np.array_equal(document_values(x, K, 1), document_values(np.concatenate([x, x]), K, 1))
        assert np.mean(document_values(x, K, 1) == document_values(y, K, 1)) < 0.05


def test_empty_set_gives_the_empty_value():
    assert (document_values(np.empty(0, dtype=np.uint32), K, 1) == 0xFFFFFFFF).all()
