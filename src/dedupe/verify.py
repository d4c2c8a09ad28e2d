"""Exact verification of a candidate pair, with the evidence kept for output.

Whole-document Jaccard misses syndication: a wire story reposted with local
paragraphs added and others cut shares most of its *sentences* with the
original but few of its shingles. So a pair is judged on both:

- ``jaccard`` and ``containment`` of the exact word-shingle sets;
- shared sentences: each sentence (at least ``sentence_min_tokens`` tokens
  and three content words) is matched to its best counterpart by the Dice
  overlap of their content words (stopwords removed), at least
  ``sentence_match``, with at least two word bigrams in common. Content-word
  overlap survives house style, dropped clauses, reordered phrases and even
  machine translation (the seeds' 002 shares 5 sentences at >= 0.5 with 001
  and 003), while independent write-ups of one event reach 0.5 on at most one
  sentence, usually a shared quote. ``coverage_a`` is the share of A's tokens
  that lie in matched sentences; likewise ``coverage_b``.

Verdict (thresholds in :class:`dedupe.config.DedupConfig`):

- near-duplicate: Jaccard >= 0.9, or the smaller document is at least
  ``near_duplicate_coverage`` covered and the larger at least half;
- syndicated: at least ``min_shared_sentences`` shared sentences that cover
  at least ``min_coverage`` of one of the two documents, of which the *close*
  matches (Dice >= ``close_match``, i.e. copied with light edits rather than
  paraphrased) cover at least ``min_close_coverage`` of one document; or a
  single close match that makes up ``single_sentence_coverage`` of the smaller
  document (a short abridgement: title and lead). Follow-up stories reuse
  background sentences, mostly paraphrased: the close-coverage test is what
  keeps them apart;
- otherwise no link. Two independent write-ups of one event share facts and
  perhaps a quote, but not two sentences covering a third of either text.

``score`` is the larger coverage (the share of the more-copied document
found in the other), or the Jaccard for near-duplicates if larger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from .config import DedupConfig
from .sign import shingles_of, token_hashes
from .text import STOPWORDS, Analysis

__all__ = ["Prepared", "prepare", "Link", "Passage", "verify"]

LinkKind = Literal["near-duplicate", "syndicated"]
_NEAR_JACCARD = 0.9
_MIN_SHARED_BIGRAMS = 2
_MAX_PASSAGES = 10


@dataclass(frozen=True, eq=False)
class Prepared:
    """What verification needs of one document, computed once, as flat arrays.

    Content words and word bigrams are hashed (xxh3-64) and kept as
    ``(key, sentence)`` entries sorted by key, unique per sentence, for the
    eligible sentences only; a pair's sentence-by-sentence overlap counts are
    then one sorted join (see :func:`_overlap_counts`), not Python loops.
    """

    id: str
    analysis: Analysis
    shingles: np.ndarray  # sorted unique uint32 shingle hashes
    word_keys: np.ndarray  # uint64, sorted
    word_sentences: np.ndarray  # int64, the sentence of each word_keys entry
    bigram_keys: np.ndarray
    bigram_sentences: np.ndarray
    word_counts: np.ndarray  # int64 per sentence: distinct content words (0: not eligible)
    lengths: np.ndarray  # int64 per sentence: tokens

    @property
    def tokens(self) -> int:
        return len(self.analysis.tokens)


_EMPTY_U64 = np.empty(0, dtype=np.uint64)
_EMPTY_I64 = np.empty(0, dtype=np.int64)
# Odd 64-bit multiplier that combines two word hashes into a bigram key.
_BIGRAM_MUL = np.uint64(0x9E3779B97F4A7C15)


def _unique_entries(keys: np.ndarray, sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(key, sentence)`` entries, sorted by key then sentence."""
    order = np.lexsort((sentences, keys))
    k, s = keys[order], sentences[order]
    if len(k) > 1:
        keep = np.empty(len(k), dtype=bool)
        keep[0] = True
        keep[1:] = (k[1:] != k[:-1]) | (s[1:] != s[:-1])
        k, s = k[keep], s[keep]
    return k, s


@lru_cache(maxsize=1)
def _stopword_hashes() -> np.ndarray:
    return np.unique(token_hashes(sorted(STOPWORDS)))


def prepare(doc_id: str, analysis: Analysis, config: DedupConfig) -> Prepared:
    """The arrays :func:`verify` compares, for one document (vectorised over its tokens)."""
    tokens = analysis.tokens
    hashes = token_hashes(tokens)
    shingles = np.unique(shingles_of(hashes, config.shingle_size))
    starts = np.asarray(analysis.sentence_starts, dtype=np.int64)
    n_sent = len(starts)
    lengths = np.diff(np.append(starts, len(tokens))).astype(np.int64)
    if not len(tokens):
        return Prepared(doc_id, analysis, shingles, _EMPTY_U64, _EMPTY_I64, _EMPTY_U64, _EMPTY_I64,
                        np.zeros(n_sent, dtype=np.int64), lengths)
    sent = np.repeat(np.arange(n_sent, dtype=np.int64), lengths)
    long_enough = lengths >= config.sentence_min_tokens
    content = ~np.isin(hashes, _stopword_hashes()) & long_enough[sent]
    wk, ws = _unique_entries(hashes[content], sent[content])
    counts = np.bincount(ws, minlength=n_sent).astype(np.int64)
    eligible = counts >= 3
    keep = eligible[ws]
    wk, ws = wk[keep], ws[keep]
    counts[~eligible] = 0
    # Bigrams inside one sentence: positions k whose next token is in the same sentence.
    with np.errstate(over="ignore"):
        pair_keys = hashes[:-1] * _BIGRAM_MUL + hashes[1:]
    pair_sent = sent[:-1]
    inside = (pair_sent == sent[1:]) & eligible[pair_sent]
    bk, bs = _unique_entries(pair_keys[inside], pair_sent[inside])
    return Prepared(doc_id, analysis, shingles, wk, ws, bk, bs, counts, lengths)


def _overlap_counts(xk: np.ndarray, xs: np.ndarray, yk: np.ndarray, ys: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """``(nx, ny)`` counts of keys shared by sentence i of x and sentence j of y (keys sorted)."""
    if not len(xk) or not len(yk):
        return np.zeros((nx, ny), dtype=np.int64)
    lo = np.searchsorted(yk, xk, side="left")
    hi = np.searchsorted(yk, xk, side="right")
    per = hi - lo
    total = int(per.sum())
    if not total:
        return np.zeros((nx, ny), dtype=np.int64)
    rows = np.repeat(xs, per)
    starts = np.repeat(lo - (np.cumsum(per) - per), per)
    cols = ys[np.arange(total) + starts]
    return np.bincount(rows * ny + cols, minlength=nx * ny).reshape(nx, ny)


@dataclass(frozen=True)
class Passage:
    """A run of consecutive shared sentences: sentence index ranges in A and B (end exclusive)."""

    a: tuple[int, int]
    b: tuple[int, int]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"a_sentences": list(self.a), "b_sentences": list(self.b), "text": self.text}


@dataclass(frozen=True)
class Link:
    """A verified link between two documents, with its evidence."""

    a: str
    b: str
    kind: LinkKind
    score: float
    jaccard: float
    containment_a: float  # share of A's shingles found in B
    containment_b: float
    coverage_a: float  # share of A's tokens in sentences shared with B
    coverage_b: float
    close_coverage_a: float  # share of A's tokens in sentences matched at >= close_match
    close_coverage_b: float
    shared_sentences: int
    passages: tuple[Passage, ...] = field(default=())
    exact: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"a": self.a, "b": self.b, "kind": self.kind, "score": self.score}
        if self.exact:
            out["exact"] = True
        out.update(
            jaccard=self.jaccard,
            containment_a=self.containment_a,
            containment_b=self.containment_b,
            coverage_a=self.coverage_a,
            coverage_b=self.coverage_b,
            close_coverage_a=self.close_coverage_a,
            close_coverage_b=self.close_coverage_b,
            shared_sentences=self.shared_sentences,
            passages=[p.to_dict() for p in self.passages],
        )
        return out


def _r(x: float) -> float:
    return round(float(x), 4)


def _match_sentences(x: Prepared, y: Prepared, threshold: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best counterparts both ways: for each sentence of x its best match in y (or -1) and the
    score, then the same for each sentence of y.

    Score: Dice overlap of content words; a match also needs two shared word
    bigrams, so a bag of common topic words in a different order is no match.
    Ties go to the earlier sentence.
    """
    nx, ny = len(x.lengths), len(y.lengths)
    if not nx or not ny:
        return np.full(nx, -1), np.zeros(nx), np.full(ny, -1), np.zeros(ny)
    shared = _overlap_counts(x.word_keys, x.word_sentences, y.word_keys, y.word_sentences, nx, ny)
    bigrams = _overlap_counts(x.bigram_keys, x.bigram_sentences, y.bigram_keys, y.bigram_sentences, nx, ny)
    sizes = x.word_counts[:, None] + y.word_counts[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(sizes > 0, 2 * shared / np.maximum(sizes, 1), 0.0)
    score = np.where((dice >= threshold) & (bigrams >= _MIN_SHARED_BIGRAMS), dice, -1.0)
    bx = score.argmax(axis=1)
    sx = score[np.arange(nx), bx]
    by = score.argmax(axis=0)
    sy = score[by, np.arange(ny)]
    return np.where(sx >= 0, bx, -1), np.maximum(sx, 0.0), np.where(sy >= 0, by, -1), np.maximum(sy, 0.0)


def _passages(x: Prepared, match: list[int]) -> tuple[Passage, ...]:
    runs: list[Passage] = []
    spans = x.analysis.sentence_spans()
    i = 0
    n = len(match)
    while i < n and len(runs) < _MAX_PASSAGES:
        if match[i] < 0:
            i += 1
            continue
        start = i
        while i + 1 < n and match[i + 1] == match[i] + 1:
            i += 1
        s0, e0 = spans[start][0], spans[i][1]
        words = x.analysis.tokens[s0:e0]
        snippet = " ".join(words[:24]) + (" …" if len(words) > 24 else "")
        runs.append(Passage((start, i + 1), (match[start], match[i] + 1), snippet))
        i += 1
    return tuple(runs)


def verify(x: Prepared, y: Prepared, config: DedupConfig) -> Link | None:
    """Exact scores for a candidate pair; a :class:`Link` when they show a copy, else None."""
    if not len(x.shingles) or not len(y.shingles):
        return None
    inter = len(np.intersect1d(x.shingles, y.shingles, assume_unique=True))
    union = len(x.shingles) + len(y.shingles) - inter
    jaccard = inter / union
    cont_x = inter / len(x.shingles)
    cont_y = inter / len(y.shingles)
    mx, sx, my, sy = _match_sentences(x, y, config.sentence_match)
    matched_x, matched_y = mx >= 0, my >= 0
    close_mx, close_my = sx >= config.close_match, sy >= config.close_match
    cov_x = int(x.lengths[matched_x].sum()) / max(x.tokens, 1)
    cov_y = int(y.lengths[matched_y].sum()) / max(y.tokens, 1)
    close_x = int(x.lengths[close_mx].sum()) / max(x.tokens, 1)
    close_y = int(y.lengths[close_my].sum()) / max(y.tokens, 1)
    shared = min(int(matched_x.sum()), int(matched_y.sum()))
    close_shared = min(int(close_mx.sum()), int(close_my.sum()))
    x_small = x.tokens <= y.tokens
    small, large = (cov_x, cov_y) if x_small else (cov_y, cov_x)
    kind: LinkKind | None = None
    if jaccard >= _NEAR_JACCARD or (small >= config.near_duplicate_coverage and large >= 0.5):
        kind = "near-duplicate"
    elif (
        shared >= config.min_shared_sentences
        and max(cov_x, cov_y) >= config.min_coverage
        and max(close_x, close_y) >= config.min_close_coverage
    ) or (close_shared >= 1 and (close_x if x_small else close_y) >= config.single_sentence_coverage):
        kind = "syndicated"
    if kind is None:
        return None
    score = max(cov_x, cov_y, jaccard)
    return Link(
        a=x.id,
        b=y.id,
        kind=kind,
        score=_r(score),
        jaccard=_r(jaccard),
        containment_a=_r(cont_x),
        containment_b=_r(cont_y),
        coverage_a=_r(cov_x),
        coverage_b=_r(cov_y),
        close_coverage_a=_r(close_x),
        close_coverage_b=_r(close_y),
        shared_sentences=shared,
        passages=_passages(x, mx.tolist()),
    )
