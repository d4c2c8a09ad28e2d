"""Typed, frozen configuration objects.

Every tuned constant says in one line where its value came from; the
measurements and sweeps behind it are in docs/tuning.md. ``str(config)`` is a
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
    # 5: an outlet's furniture shows up after five pages, a wire paragraph rarely (furniture.py's sweep; docs/tuning.md)
    furniture_min_docs: int = 5
    # 0.8: repetition spread over several sources is syndicated text (furniture.py's sweep; docs/tuning.md)
    furniture_min_share: float = 0.8
    # Counting memory bound: above this, a source is counted on a deterministic hash sample (furniture.py)
    furniture_max_docs_per_source: int = 10_000
    # 0.5: benchmarks/cleaning seeds 1 and 2; 0.2 removed a markets outlet's table rows (docs/tuning.md)
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
    (see :mod:`dedupe._text`), ``num_perm`` permutations seeded by ``seed``.
    Candidates: document signatures through LSH at ``threshold``, plus sentence
    signatures (the first ``sentence_bands * sentence_rows`` permutations, min
    over each sentence's shingles) banded so that documents sharing one
    near-identical sentence become candidates. Every candidate is verified
    exactly (:mod:`dedupe._verify`).
    """

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    # 0.5: only whole-document near copies; partial copies come from the sentence bands (docs/tuning.md)
    threshold: float = 0.5
    # 24 x 2: the seeds' copy pairs are candidates for all 30 MinHash seeds, 8 bands: 22 (docs/tuning.md)
    sentence_bands: int = 24
    sentence_rows: int = 2
    # 2: a document band or two sentence bands; benchmarks/README.md, session 4 (docs/tuning.md)
    candidate_min_weight: int = 2
    # A band key held by more documents pairs each with the next max_bucket only (dedupe._candidates)
    max_bucket: int = 32
    # 0.2 / 8: no link lost on synd1-3 or shared20k with pruning off (bound_check.py, session 8; docs/tuning.md)
    prune_coverage: float = 0.2
    prune_hit_density: float = 8.0
    # Sentences with fewer shingles are not banded (too little evidence).
    sentence_min_shingles: int = 4
    # 0.5: the seeds' copied sentences score 0.5-1.0, independent write-ups 0.3-0.45 (docs/tuning.md)
    sentence_match: float = 0.5
    # 2: a matched sentence pair shares word bigrams, not only topic words; first version, not swept (docs/tuning.md)
    sentence_min_bigrams: int = 2
    # Sentences shorter than this (tokens) never count as shared-passage evidence.
    sentence_min_tokens: int = 6
    # 3: a comparable sentence has this many distinct content words; first version, not swept (docs/tuning.md)
    sentence_min_content_words: int = 3
    # A fragment inside a longer sentence matches (dedupe._verify, pairs whole sentences do not link;
    # 0: off). Tuned on benchmarks/fragments seed 1, held out on seed 2 (docs/tuning.md)
    fragment_match: float = 0.8
    fragment_min_words: int = 4
    fragment_share: float = 0.8
    fragment_bigrams: int = 3
    # 0.6: follow-up pairs of synd1 and synd3 are 0.54-0.56 covered; 0.7 costs fragment recall (docs/tuning.md)
    fragment_close_coverage: float = 0.6
    # 0.05 / 10 tokens: bbc_news line-ups removed, no pair lost (bbc_merges.md, "list rule"; docs/tuning.md)
    list_stopword_share: float = 0.05
    list_min_tokens: int = 10
    # Syndicated: this many matched sentences covering min_coverage of one document (docs/tuning.md)
    min_shared_sentences: int = 2
    min_coverage: float = 0.3
    # 0.7: copied sentences score 0.8-1.0, reused background 0.5-0.8 (synd seed 1; docs/tuning.md)
    close_match: float = 0.7
    # 0.25: the seeds' weakest copy is at 0.27; follow-up links 26 -> 8 on synd seed 1 (docs/tuning.md)
    min_close_coverage: float = 0.25
    # 0.3 / 1/3: 5 of bbc_news's 19 wrong merges removed, seeds kept (bbc_merges.md; docs/tuning.md)
    follow_up_close_coverage: float = 0.3
    rewrite_coverage: float = 1 / 3
    # 2 / 1/3: 5 of bbc_news's 14 D merges removed, seeds kept (bbc_merges.md, "lead rule"; docs/tuning.md)
    weak_link_lead: int = 2
    weak_link_close: float = 1 / 3
    # 0.5: a two-paragraph abridgement; write-ups share at most 4-5% of a seed (docs/tuning.md)
    single_sentence_coverage: float = 0.5
    # 0.9 / 0.5: near-duplicate: the smaller this covered, the larger half; first version, not swept (docs/tuning.md)
    near_duplicate_coverage: float = 0.9
    near_duplicate_larger_coverage: float = 0.5
    # 0.9: near-duplicate by shingle Jaccard alone (light edits only); first version, not swept (docs/tuning.md)
    near_duplicate_jaccard: float = 0.9
    # Average-link guard against chaining: this share of cross pairs must be links (dedupe._cluster; docs/tuning.md)
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
        _check(0.0 <= self.near_duplicate_larger_coverage <= 1.0, "near_duplicate_larger_coverage",
               self.near_duplicate_larger_coverage, "[0, 1]")
        _check(0.0 < self.near_duplicate_jaccard <= 1.0, "near_duplicate_jaccard", self.near_duplicate_jaccard,
               "(0, 1]")
        _check(self.sentence_min_content_words >= 1, "sentence_min_content_words", self.sentence_min_content_words,
               "an integer >= 1")
        _check(self.sentence_min_bigrams >= 0, "sentence_min_bigrams", self.sentence_min_bigrams,
               "an integer >= 0")
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
        _check(0.0 <= self.fragment_match <= 1.0, "fragment_match", self.fragment_match, "[0, 1] (0: off)")
        _check(self.fragment_min_words >= 1, "fragment_min_words", self.fragment_min_words, "an integer >= 1")
        _check(0.0 < self.fragment_share <= 1.0, "fragment_share", self.fragment_share, "(0, 1]")
        _check(self.fragment_bigrams >= 0, "fragment_bigrams", self.fragment_bigrams, "an integer >= 0")
        _check(0.0 <= self.fragment_close_coverage <= 1.0, "fragment_close_coverage",
               self.fragment_close_coverage, "[0, 1]")
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
    #: temporary files (see :mod:`dedupe._store`); the output does not depend on it.
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
