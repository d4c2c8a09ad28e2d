"""Shingle-based precision/recall metric of the article-extraction benchmark.

This is a faithful, dependency-free re-implementation of ``evaluate.py`` from
scrapinghub/article-extraction-benchmark (the data set in
``../shared/data/article_extraction_benchmark``), without the bootstrap
confidence intervals:

* **Tokens** are the matches of ``\\w+`` (Unicode word characters).  Tokens are
  compared *case-sensitively* (the original compiles the pattern with
  ``re.IGNORECASE``, which has no effect on ``\\w`` and does not fold case).
* **Shingles** are word 4-grams, kept as a multiset (``Counter``).  A text with
  fewer than four tokens but at least one yields a single, shorter shingle
  (the whole token list); an empty text yields none.
* **Per page**, ``tp``, ``fp`` and ``fn`` are multiset intersections and
  differences of predicted vs. gold shingles, then divided by their sum so
  that every page weighs the same.  Hence per page P = tp/(tp+fp) and
  R = tp/(tp+fn).
* **Aggregate**: precision is the mean of per-page precision over the pages
  with at least one predicted shingle (``tp + fp > 0``); recall is the mean of
  per-page recall over the pages with at least one gold shingle
  (``tp + fn > 0``).  F1 is the harmonic mean of those two means (it is *not*
  the mean of per-page F1).

All functions are pure and deterministic.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

__all__ = [
    "NGRAM_N",
    "tokenize",
    "shingles",
    "score_page",
    "page_precision",
    "page_recall",
    "aggregate",
]

NGRAM_N = 4

# Same flags as the reference implementation; IGNORECASE is a no-op for \w.
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)

TpFpFn = tuple[float, float, float]


def tokenize(text: str | None) -> list[str]:
    """Return the ``\\w+`` tokens of *text* (case preserved); ``None`` -> ``[]``."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = NGRAM_N) -> Counter[tuple[str, ...]]:
    """Return the multiset of word *n*-grams of *text*.

    A non-empty text shorter than *n* tokens gives one shingle containing all
    of its tokens, as in the reference implementation.
    """
    tokens = tokenize(text)
    counts: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            counts[shingle] += 1
    return counts


def score_page(pred: str | None, gold: str | None, n: int = NGRAM_N) -> TpFpFn:
    """Return normalised ``(tp, fp, fn)`` for one page.

    Counts are taken over shingle multisets and divided by ``tp + fp + fn``
    (left at zero when both texts are empty), so they sum to 1.
    """
    pred_sh = shingles(pred, n)
    gold_sh = shingles(gold, n)
    tp = float(sum((pred_sh & gold_sh).values()))
    fp = float(sum((pred_sh - gold_sh).values()))
    fn = float(sum((gold_sh - pred_sh).values()))
    total = tp + fp + fn
    if total > 0:
        return tp / total, fp / total, fn / total
    return tp, fp, fn


def page_precision(tp: float, fp: float, fn: float) -> float:
    """Per-page precision, with the reference implementation's edge cases."""
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    """Per-page recall, with the reference implementation's edge cases."""
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def aggregate(scores: Iterable[TpFpFn]) -> dict[str, float]:
    """Aggregate per-page ``(tp, fp, fn)`` triples into benchmark metrics.

    Returns ``{"precision", "recall", "f1", "pages"}`` where ``pages`` is the
    number of triples given.  Pages with no predicted shingles are left out of
    the precision mean and pages with no gold shingles out of the recall mean;
    an empty mean counts as 0.
    """
    triples: Sequence[TpFpFn] = list(scores)
    precisions = [page_precision(*t) for t in triples if t[0] + t[1] > 0]
    recalls = [page_recall(*t) for t in triples if t[0] + t[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(triples)}
