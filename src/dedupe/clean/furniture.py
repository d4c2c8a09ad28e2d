"""Boilerplate learned from repetition.

A line that recurs across many documents of the *same* source is page
furniture (a footer, a widget label, a standing promo), even when no named
rule knows its wording. Repetition across *different* sources is not: a wire
paragraph printed by ten outlets is the article.

Two passes: :class:`FurnitureLearner` counts, for every line, in how many
documents of each source it occurs (each document counts a line once); then
:meth:`FurnitureModel.strip` removes a source's furniture lines. Counts are
order-independent sums, so the model is the same whatever the input order or
worker count. Lines are keyed by a 64-bit hash of their normalised tokens
(:func:`dedupe.text.tokenize`), so quote style or case changes do not hide a
repetition, and memory holds hashes, not text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import xxhash

from ..document import Change
from ..text import tokenize
from .rules import join_lines

__all__ = ["line_key", "FurnitureLearner", "FurnitureModel"]

_UNKNOWN = ""  # the source of documents with neither source nor url


def line_key(line: str) -> int | None:
    """A stable 64-bit key of a line's normalised tokens (None for a line without words).

    >>> line_key("Exit mobile version") == line_key("EXIT  mobile version!")
    True
    """
    tokens = tokenize(line)
    if not tokens:
        return None
    return xxhash.xxh3_64_intdigest(" ".join(tokens).encode("utf-8"))


@dataclass
class FurnitureLearner:
    """First pass: per-source document counts of every line."""

    min_docs: int = 5
    min_share: float = 0.8
    per_source: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    docs_per_source: Counter[str] = field(default_factory=Counter)

    def add(self, source: str | None, text: str) -> None:
        keys = {k for k in map(line_key, text.split("\n")) if k is not None}
        src = source or _UNKNOWN
        self.per_source[src].update(keys)
        self.docs_per_source[src] += 1

    def merge(self, other: "FurnitureLearner") -> None:
        """Add another learner's counts (for learners filled by separate workers)."""
        for src, counts in other.per_source.items():
            self.per_source[src].update(counts)
        self.docs_per_source.update(other.docs_per_source)

    def model(self) -> "FurnitureModel":
        total: Counter[int] = Counter()
        for counts in self.per_source.values():
            total.update(counts)
        furniture: dict[str, frozenset[int]] = {}
        for src, counts in self.per_source.items():
            if src == _UNKNOWN:
                continue
            keys = frozenset(
                k for k, c in counts.items() if c >= self.min_docs and c >= self.min_share * total[k]
            )
            if keys:
                furniture[src] = keys
        known = frozenset().union(*furniture.values()) if furniture else frozenset()
        return FurnitureModel(furniture, known)


@dataclass(frozen=True)
class FurnitureModel:
    """Second pass: which line keys are furniture of which source."""

    by_source: dict[str, frozenset[int]]
    any_source: frozenset[int]

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_source.values())

    def strip(self, source: str | None, text: str) -> tuple[str, list[Change]]:
        """Remove the source's furniture lines (any source's, for documents of unknown source)."""
        keys = self.by_source.get(source, frozenset()) if source else self.any_source
        if not keys:
            return text, []
        kept: list[str] = []
        removed: list[str] = []
        for line in text.split("\n"):
            if line_key(line) in keys:
                removed.append(line)
            else:
                kept.append(line)
        if not removed:
            return text, []
        return join_lines(kept), [Change("learned_furniture", removed="\n".join(removed))]
