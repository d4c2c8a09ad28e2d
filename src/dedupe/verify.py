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

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from .config import DedupConfig
from .sign import shingle_hashes
from .text import STOPWORDS, Analysis

__all__ = ["Prepared", "prepare", "Link", "Passage", "verify"]

LinkKind = Literal["near-duplicate", "syndicated"]
_NEAR_JACCARD = 0.9
_MIN_SHARED_BIGRAMS = 2
_MAX_PASSAGES = 10


@dataclass(frozen=True)
class Prepared:
    """What verification needs of one document, computed once."""

    id: str
    analysis: Analysis
    shingles: frozenset[int]
    words: tuple[frozenset[str], ...]  # content words per sentence (empty when too short)
    bigrams: tuple[frozenset[tuple[str, str]], ...]  # word bigrams per sentence
    lengths: tuple[int, ...]  # tokens per sentence

    @property
    def tokens(self) -> int:
        return len(self.analysis.tokens)


def prepare(doc_id: str, analysis: Analysis, config: DedupConfig) -> Prepared:
    shingles = frozenset(int(h) for h in shingle_hashes(analysis.tokens, config.shingle_size))
    words: list[frozenset[str]] = []
    bigrams: list[frozenset[tuple[str, str]]] = []
    lengths: list[int] = []
    for start, end in analysis.sentence_spans():
        toks = analysis.tokens[start:end]
        lengths.append(end - start)
        content = frozenset(t for t in toks if t not in STOPWORDS)
        if end - start >= config.sentence_min_tokens and len(content) >= 3:
            words.append(content)
            bigrams.append(frozenset(zip(toks, toks[1:])))
        else:
            words.append(frozenset())
            bigrams.append(frozenset())
    return Prepared(doc_id, analysis, shingles, tuple(words), tuple(bigrams), tuple(lengths))


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


def _match_sentences(x: Prepared, y: Prepared, threshold: float) -> tuple[list[int], list[float]]:
    """For each sentence of x, the index of its best-matching sentence in y (or -1) and the match score.

    Score: Dice overlap of content words; a match also needs two shared word
    bigrams, so a bag of common topic words in a different order is no match.
    """
    index: dict[str, list[int]] = defaultdict(list)
    for j, words in enumerate(y.words):
        for w in words:
            index[w].append(j)
    out = [-1] * len(x.words)
    scores = [0.0] * len(x.words)
    for i, words in enumerate(x.words):
        if not words:
            continue
        counts: dict[int, int] = defaultdict(int)
        for w in words:
            for j in index.get(w, ()):
                counts[j] += 1
        best, best_score = -1, 0.0
        for j in sorted(counts):
            score = 2 * counts[j] / (len(words) + len(y.words[j]))
            if score >= threshold and score > best_score and len(x.bigrams[i] & y.bigrams[j]) >= _MIN_SHARED_BIGRAMS:
                best, best_score = j, score
        out[i] = best
        scores[i] = best_score
    return out, scores


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
    if not x.shingles or not y.shingles:
        return None
    inter = len(x.shingles & y.shingles)
    union = len(x.shingles) + len(y.shingles) - inter
    jaccard = inter / union
    cont_x = inter / len(x.shingles)
    cont_y = inter / len(y.shingles)
    mx, sx = _match_sentences(x, y, config.sentence_match)
    my, sy = _match_sentences(y, x, config.sentence_match)
    cov_x = sum(x.lengths[i] for i, j in enumerate(mx) if j >= 0) / max(x.tokens, 1)
    cov_y = sum(y.lengths[i] for i, j in enumerate(my) if j >= 0) / max(y.tokens, 1)
    close_x = sum(x.lengths[i] for i, s in enumerate(sx) if s >= config.close_match) / max(x.tokens, 1)
    close_y = sum(y.lengths[i] for i, s in enumerate(sy) if s >= config.close_match) / max(y.tokens, 1)
    shared = min(sum(1 for j in mx if j >= 0), sum(1 for j in my if j >= 0))
    close_shared = min(sum(1 for s in sx if s >= config.close_match), sum(1 for s in sy if s >= config.close_match))
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
        passages=_passages(x, mx),
    )
