"""Typed, frozen configuration objects.

Every tuned constant says where its value came from. ``str(config)`` is a
stable short form (``5ng_128p_0.5t_s1``) used to name what a config produced,
and ``to_dict()`` is what ``summary.json`` records.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from .errors import ConfigError

__all__ = ["CleanConfig", "DedupConfig", "Limits", "FieldMap", "RunConfig", "CanonicalPolicy"]

CanonicalPolicy = Literal["longest", "earliest"]


def _check(cond: bool, name: str, value: Any, allowed: str) -> None:
    if not cond:
        raise ConfigError(f"{name}={value!r} is out of range: expected {allowed}")


@dataclass(frozen=True)
class CleanConfig:
    """How documents are cleaned.

    ``rules`` names the boilerplate rules to apply, in order (``None``: every
    rule in :data:`dedupe.clean.rules.RULES`). Learned furniture: a line is page
    furniture of a source when it occurs in at least ``furniture_min_docs``
    documents of that source and at least ``furniture_min_share`` of all its
    occurrences are in that source; it is then removed from that source's
    documents and from documents with no known source.
    """

    fix_encoding: bool = True
    rules: tuple[str, ...] | None = None
    learn_furniture: bool = True
    # 5 documents: a wire paragraph is rarely printed five times by one outlet,
    # while a furniture line repeats on every page; the seeds (one document per
    # outlet) are untouched by it, and an outlet's furniture shows up after
    # five pages.
    furniture_min_docs: int = 5
    # 0.8: repetition spread over several sources is syndicated text, not furniture.
    # (Both thresholds: see the sweep in dedupe/clean/furniture.py's docstring.)
    furniture_min_share: float = 0.8
    # Counting memory per source is bounded: above this many documents a source
    # is counted on a deterministic hash sample of its documents (furniture.py).
    furniture_max_docs_per_source: int = 10_000
    # A line shape (numbers, dates and URLs masked: a page's own "Posted: 12/03/2024 14:05") is
    # furniture of a source when it is on at least this share of the source's documents (and
    # furniture_min_docs), whichever other sources print it; the share keeps an outlet's table
    # rows ("Revenue 4.2 bn vs 3.9 bn"). 0.5: benchmarks/cleaning seeds 1 and 2 (benchmarks/README.md);
    # 0.2 removed a markets outlet's table rows on seed 2.
    furniture_common_share: float = 0.5
    html_favor: Literal["balanced", "precision", "recall"] = "balanced"

    def __post_init__(self) -> None:
        _check(self.furniture_min_docs >= 2, "furniture_min_docs", self.furniture_min_docs, "an integer >= 2")
        _check(0.5 <= self.furniture_min_share <= 1.0, "furniture_min_share", self.furniture_min_share, "0.5..1.0")
        _check(0.0 < self.furniture_common_share <= 1.0, "furniture_common_share",
               self.furniture_common_share, "a share in (0, 1]")
        _check(self.furniture_max_docs_per_source >= 1, "furniture_max_docs_per_source",
               self.furniture_max_docs_per_source, "an integer >= 1")
        _check(self.html_favor in ("balanced", "precision", "recall"), "html_favor", self.html_favor,
               "'balanced', 'precision' or 'recall'")
        if self.rules is not None:
            from .clean.rules import RULES

            unknown = [r for r in self.rules if r not in RULES]
            _check(not unknown, "rules", unknown, "names from: " + ", ".join(RULES))


@dataclass(frozen=True)
class DedupConfig:
    """How near-duplicate and syndicated copies are found and grouped.

    Signatures: MinHash over word ``shingle_size``-grams of normalised tokens
    (see :mod:`dedupe.text`), ``num_perm`` permutations seeded by ``seed``.
    Candidates: document signatures through LSH at ``threshold``, plus sentence
    signatures (the first ``sentence_bands * sentence_rows`` permutations, min
    over each sentence's shingles) banded so that documents sharing one
    near-identical sentence become candidates. Every candidate is verified
    exactly (:mod:`dedupe.verify`).
    """

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    # 0.5: the document-level LSH only has to catch whole-document near copies;
    # partial copies are caught by the sentence bands below.
    threshold: float = 0.5
    # 24 bands x 2 rows: a sentence pair at shingle Jaccard 0.3 collides with
    # probability 1-(1-0.3^2)^24 = 0.90, at 0.5 with 0.999, at 0.1 with 0.21.
    # Lightly edited copied sentences sit at 0.2-0.5 (house style breaks
    # 5-grams). With the earlier 8 bands the seeds' copy pairs 001-003 and
    # 002-003 were both candidates for only 22 of 30 MinHash seeds; with 24,
    # for all 30, at 11% more candidate pairs on the generated corpus.
    sentence_bands: int = 24
    sentence_rows: int = 2
    # Evidence a pair needs to be verified: 2 per shared document band key, 1
    # per shared sentence band key. 2: a document band, or two sentence bands
    # (one sentence pair twice, or two sentence pairs). One sentence band alone
    # is mostly a single common 5-gram ("for the first time in") shared by two
    # unrelated sentences: its pairs grow with the square of the corpus.
    # Measured in benchmarks/README.md (session 4, candidate evidence).
    candidate_min_weight: int = 2
    # A band key held by more than max_bucket + 1 documents does not pair them all:
    # each pairs with the max_bucket documents after it in id order (dedupe.candidates).
    max_bucket: int = 32
    # Verify only what could pass (dedupe.candidates.bound_pairs): a pair without a
    # shared document band is dropped when, on both sides, the tokens of the
    # sentences with a band hit (plus those that cannot be banded or whose hits were
    # not all recorded) are under prune_coverage of the comparable tokens, and its
    # hit sentences are dense: at least prune_hit_density shared band keys each,
    # word-for-word equal sentences left out (copied cleanly, so unhit sentences
    # are not copies). Every link needs coverage >= 0.3 on one side or a document
    # band. Measured with pruning off (benchmarks/shared/bound_check.py, session 8:
    # synd1-3, shared20k): the lowest bound of a link is 0.124 (a noisy copy,
    # density 2); 0.2 / 8 loses no link, 0.25 / 8 loses 1 on synd2 and synd3. 0: off.
    prune_coverage: float = 0.2
    prune_hit_density: float = 8.0
    # Sentences with fewer shingles than this are not banded (too little evidence).
    sentence_min_shingles: int = 4
    # Sentences match at this Dice overlap of content words (see dedupe.verify):
    # on the seeds, copied sentences score 0.5-1.0 and the best sentence pairs
    # of independent write-ups 0.3-0.45 (a shared quote aside).
    sentence_match: float = 0.5
    # Sentences shorter than this (tokens) never count as shared-passage evidence.
    sentence_min_tokens: int = 6
    # A sentence of at least list_min_tokens tokens of which less than
    # list_stopword_share are stopwords is a list (a team sheet, a squad or a
    # results line, a critics' poll), not prose, and is not comparable, like a
    # short line (0: off). News prose is mostly stopwords: of bbc_news's 41,242
    # comparable sentences (cleaned as dedupe run does) the quartiles are
    # 0.36 / 0.43 / 0.50 and 1.0% are under 0.10 (generated synd3: 0.35 /
    # 0.42 / 0.50, 2.0%; noisy copies no more often under 0.05 than originals).
    # Under 0.05 with 10+ tokens bbc_news has 137: 128 lists (line-ups,
    # critics' polls, athletics results) and 9 prose sentences (tennis results,
    # one ADSL explainer in 3 articles); in [0.05, 0.10) 12 of a sample of 30
    # are prose. Shorter ones are mostly headlines (154 of the 348 under 0.05
    # are a document's first comparable line; none of 10+ tokens is).
    # Measured (benchmarks/syndication/bbc_merges.md, "list rule"): 0.05 with
    # 10 tokens removes the 2 merges joined by line-ups (#90, #93), keeps the
    # 119 A/B/C pairs, the 100 natural pairs and the seeds' clusters, and the
    # generated corpora of seeds 1-3 score the same (P, R, ARI and every
    # per-kind recall, to 4 decimals); 8 or 15 tokens give the same. 0.10 and
    # 0.15 (10 tokens) also remove #15 but cost recall: heavy to original
    # -0.0023 (synd2) and -0.0044 (synd1). 6 tokens (headlines too) also
    # removes #83 but costs heavy recall: synd1 to original 0.9035 -> 0.8947.
    list_stopword_share: float = 0.05
    list_min_tokens: int = 10
    # Syndicated: at least this many matched sentences, covering at least
    # min_coverage of one of the two documents' tokens. (Coverages are shares
    # of a document's comparable tokens, those in sentences that can match, see
    # dedupe.verify; the seeds' figures quoted here moved by at most 0.013 when
    # short lines were left out of them.)
    min_shared_sentences: int = 2
    min_coverage: float = 0.3
    # A shared sentence is a *close* match at this Dice overlap or more: copied
    # sentences with house-style edits or dropped clauses score 0.8-1.0, while
    # the paraphrased background sentences that follow-up stories reuse
    # score 0.5-0.8 (measured on a generated 5,000-doc corpus, seed 1).
    close_match: float = 0.7
    # Syndicated also needs close matches covering this share of one document.
    # 0.25: the seeds' weakest real copy (002-003, a machine-translated rewrite)
    # is at 0.27; on the generated corpus (seed 1) it drops the false links
    # between follow-up stories from 26 to 8 with no copy losing its last link,
    # and on bbc_news the merges of follow-ups at Jaccard < 0.6 from 96 to 69.
    min_close_coverage: float = 0.25
    # Follow-up stories (a later event that reuses a block of the earlier
    # story's background) share a few verbatim sentences plus paraphrase, and
    # sit between min_close_coverage and a third (bbc_news, hand review in
    # benchmarks/syndication/bbc_merges.md). So the close matches alone must
    # also cover this share of one document, the min_coverage bar that all
    # matched sentences meet, unless each document is at least
    # rewrite_coverage covered: the whole story told twice (the seeds' 002-003
    # translation: close 0.268, coverage 0.365 and 0.471). Measured with the
    # other thresholds fixed: on bbc_news it removes 5 of the review's 19
    # wrong merges and keeps its 119 others and the 100 natural pairs; on the
    # generated corpora of seeds 1-3 the clusters are unchanged; on fresh
    # seeds 4 and 5 it costs 2 of 546 partial and 1 of 451 heavy copies.
    # 0.31 loses copies on seeds 1-3 (synd3 heavy all-pairs 0.8511 -> 0.8451),
    # and the review's proposal (a third, or 0.5 of both) drops seed 002 and
    # fails partial and heavy recall on seeds 2 and 3 (benchmarks/README.md).
    follow_up_close_coverage: float = 0.3
    rewrite_coverage: float = 1 / 3
    # Weak links: a syndicated link whose close matches cover less than
    # weak_link_close of both documents (a third, the C/D line of the bbc_news
    # review) also needs a close match among the first weak_link_lead
    # comparable sentences (those that can match) of one of the two documents
    # (0: no such test). A copy keeps its story's lead; a follow-up that
    # reuses a background block from the middle or end of the older story
    # does not. Measured (benchmarks/syndication/bbc_merges.md, "lead rule"):
    # on bbc_news the 12 weak pairs among the review's merges (8 of them
    # direct links) are all wrong (class D), and every A/B/C pair has close
    # coverage >= 1/3 on one side; 2 removes 5 of the 14 remaining D merges
    # (#1, #23, #31, #114, #127), keeps the 119 others and the 100 natural
    # pairs. The other 3 weak D links match a lead because the follow-up
    # recaps the older story's lead (#15, #45) or the two headlines match
    # (#83). 1 drops the seeds' 002-003 (003's first comparable sentence is
    # its headline; the leads match as the second sentences); 3 removes only
    # 3 D merges (#23 and #114 match a third sentence). On the generated
    # corpora 2 loses one partial copy of synd3 (its original's first two
    # comparable lines are page furniture with varying numbers, so its lead
    # is the third) and removes one wrong merge of synd1 (the bbc pair #114).
    weak_link_lead: int = 2
    weak_link_close: float = 1 / 3
    # One close-matched sentence suffices when it is at least this share of
    # the smaller document: a two-paragraph abridgement that keeps the title
    # and lead (2% of copies in the generated corpus, linked by nothing else).
    # Independent write-ups share at most a quote: 4-5% of either seed text.
    single_sentence_coverage: float = 0.5
    # Near-duplicate (rather than syndicated): the smaller document is at least
    # this much covered and the larger at least half.
    near_duplicate_coverage: float = 0.9
    # Clusters merge only when at least this share of the cross pairs are
    # verified links (average-link guard against chaining); a single document
    # also joins a cluster through a link to its hub (see dedupe.cluster).
    linkage: float = 0.5
    canonical: CanonicalPolicy = "longest"
    preferred_sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check(1 <= self.shingle_size <= 16, "shingle_size", self.shingle_size, "1..16")
        _check(16 <= self.num_perm <= 1024, "num_perm", self.num_perm, "16..1024")
        _check(0.0 < self.threshold < 1.0, "threshold", self.threshold, "a float in (0, 1)")
        _check(self.sentence_bands * self.sentence_rows <= self.num_perm, "sentence_bands*sentence_rows",
               self.sentence_bands * self.sentence_rows, f"<= num_perm ({self.num_perm})")
        _check(self.candidate_min_weight >= 1, "candidate_min_weight", self.candidate_min_weight, ">= 1")
        _check(self.max_bucket >= 1, "max_bucket", self.max_bucket, "an integer >= 1")
        _check(0.0 <= self.prune_coverage <= 1.0, "prune_coverage", self.prune_coverage, "[0, 1] (0: off)")
        _check(self.prune_hit_density >= 0.0, "prune_hit_density", self.prune_hit_density, ">= 0")
        _check(self.sentence_bands >= 1 and self.sentence_rows >= 1, "sentence_bands/sentence_rows",
               (self.sentence_bands, self.sentence_rows), "positive integers")
        _check(0.0 < self.sentence_match <= 1.0, "sentence_match", self.sentence_match, "(0, 1]")
        _check(0.0 < self.min_coverage <= 1.0, "min_coverage", self.min_coverage, "(0, 1]")
        _check(0.0 < self.near_duplicate_coverage <= 1.0, "near_duplicate_coverage",
               self.near_duplicate_coverage, "(0, 1]")
        _check(self.sentence_match <= self.close_match <= 1.0, "close_match", self.close_match,
               f"[sentence_match ({self.sentence_match}), 1]")
        _check(0.0 <= self.min_close_coverage <= 1.0, "min_close_coverage", self.min_close_coverage, "[0, 1]")
        _check(0.0 <= self.follow_up_close_coverage <= 1.0, "follow_up_close_coverage",
               self.follow_up_close_coverage, "[0, 1]")
        _check(0.0 < self.rewrite_coverage <= 1.0, "rewrite_coverage", self.rewrite_coverage, "(0, 1]")
        _check(self.weak_link_lead >= 0, "weak_link_lead", self.weak_link_lead, "an integer >= 0 (0: off)")
        _check(0.0 <= self.weak_link_close <= 1.0, "weak_link_close", self.weak_link_close, "[0, 1]")
        _check(0.0 < self.single_sentence_coverage <= 1.0, "single_sentence_coverage",
               self.single_sentence_coverage, "(0, 1]")
        _check(0.0 <= self.list_stopword_share <= 1.0, "list_stopword_share", self.list_stopword_share,
               "[0, 1] (0: off)")
        _check(self.list_min_tokens >= 1, "list_min_tokens", self.list_min_tokens, "an integer >= 1")
        _check(self.min_shared_sentences >= 1, "min_shared_sentences", self.min_shared_sentences, ">= 1")
        _check(0.0 < self.linkage <= 1.0, "linkage", self.linkage, "(0, 1]")
        _check(self.canonical in ("longest", "earliest"), "canonical", self.canonical,
               "'longest' or 'earliest'")

    def __str__(self) -> str:
        return f"{self.shingle_size}ng_{self.num_perm}p_{self.threshold}t_s{self.seed}"


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one bad input from exhausting the machine."""

    max_doc_bytes: int = 20_000_000
    max_line_bytes: int = 64_000_000
    max_decompressed_bytes: int = 8_000_000_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            _check(isinstance(value, int) and value > 0, f.name, value, "a positive integer")


_FIELD_NAME = re.compile(r"^[^\x00-\x1f]{1,256}$")


@dataclass(frozen=True)
class FieldMap:
    """Which field (JSONL key or Parquet column) holds each document field.

    The defaults are the document's own names; ``FieldMap(text="content")``
    reads a ``content`` column as the text (a field named ``text`` is then not
    used). ``title``, ``published``, ``source`` and ``meta`` keep their names.

    >>> FieldMap(text="content").text
    'content'
    """

    id: str = "id"
    text: str = "text"
    html: str = "html"
    url: str = "url"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            _check(isinstance(value, str) and bool(_FIELD_NAME.match(value)), f"{f.name}_field", value,
                   "a non-empty field name without control characters")
        names = [getattr(self, f.name) for f in fields(self)]
        _check(len(set(names)) == len(names), "fields", dict(zip([f.name for f in fields(self)], names)),
               "a different source field for each of id, text, html and url")


@dataclass(frozen=True)
class RunConfig:
    """Everything one ``dedupe run`` uses."""

    clean: CleanConfig = field(default_factory=CleanConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    limits: Limits = field(default_factory=Limits)
    #: Field names of JSONL and Parquet input (``--id-field`` etc.).
    fields: FieldMap = field(default_factory=FieldMap)
    workers: int = 0  # 0: one worker per core
    #: Document text held in memory before documents and band keys move to
    #: temporary files (see :mod:`dedupe.store`); the output does not depend on it.
    memory_bytes: int = 256 << 20

    def __post_init__(self) -> None:
        _check(self.workers >= 0, "workers", self.workers, "0 (all cores) or a positive integer")
        _check(self.memory_bytes >= 0, "memory_bytes", self.memory_bytes, "a non-negative integer")

    @property
    def worker_count(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("workers")  # output must not depend on the worker count
        out.pop("memory_bytes")  # nor on where documents are kept
        return out
