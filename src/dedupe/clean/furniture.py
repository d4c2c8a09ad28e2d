"""Boilerplate learned from repetition.

A line that recurs across many documents of the *same* source is page
furniture (a footer, a widget label, a standing promo), even when no named
rule knows its wording. Repetition across *different* sources is not: a wire
paragraph printed by ten outlets is the article.

Two passes: :class:`FurnitureLearner` counts, for every line, in how many
documents of each source it occurs (each document counts a line once); then
:meth:`FurnitureModel.strip` removes a source's furniture lines. Lines are
keyed by a 64-bit xxhash of their normalised tokens (:func:`line_key`),
so quote style or case changes do not hide a repetition, and memory holds
integers, not text. Python's ``hash()`` is never used: it is salted per process.

The rule
--------
A line is furniture of source *S* when it occurs in at least ``min_docs``
documents of *S* and at least ``min_share`` of all its occurrences (every
source, documents without a source included) are in *S*. The defaults live
in :class:`dedupe.config.CleanConfig`:

- ``min_docs = 5``: a furniture line repeats on nearly every page of an
  outlet, while one outlet rarely prints the same wire paragraph five times
  (live pages and updates reprint a paragraph two or three times); the seeds
  (one document per outlet) are untouched by it.
- ``min_share = 0.8``: repetition spread over several sources is syndicated
  text, not furniture. A wire sentence printed by two outlets has a share of
  about one half in either; an outlet's footer quoted by another page now and
  then keeps a share well above 0.8.

Measured on the generated syndication corpus (``generate.py --docs 2000
--seed 1``, six outlets; lines classified by the generator's furniture
provenance, after the named rules), lines removed by learned furniture::

    min_docs  share   furniture removed  article removed  furniture left
       2      0.80         7,046               1              1,216
       3      0.80         6,848               1              1,414
       5      0.50         6,829               5              1,433
       5      0.60         6,788               3              1,474
       5      0.80         6,682               1              1,580
       5      0.95         4,114               0              4,148
       8      0.80         6,481               1              1,781
      12      0.80         6,046               1              2,216

Share: 0.8 is where article lines stop being removed without giving up
furniture (0.95 loses 40% of it: outlets share headline pools). min_docs:
lower finds a little more synthetic furniture at no cost here, because the
generator never has one outlet reprint its own paragraphs; 5 is kept as the
margin for real outlets that do.

Line shapes
-----------
Furniture that carries the page's own numbers ("Posted: 12/03/2024 14:05 GMT", "First appeared
on https://wire.example/story/88213", "Listen to this story (4 min)") never repeats exactly. A
line with a digit or a web address also has a *shape* (:func:`line_shape`: every web address,
every token with a digit and the month and weekday names of its dates masked; lines of numbers
alone and lines over 24 tokens have none). A
shape is furniture of source *S* when it is on at least ``min_docs`` and at least
``common_share`` (``CleanConfig.furniture_common_share``, 0.5) of *S*'s counted documents,
whichever other sources print it (many outlets run the same widgets). The share is what keeps an
article's figure lines: a markets desk prints "Brent crude 81.20 dollars a barrel" in a third of
its stories, never in half (``benchmarks/cleaning``: 0.2 removed such rows on seed 2).

After learned furniture goes, the headline-block rules (``latest_headlines``, ``related_block``)
run again on the text: furniture after a block of other headlines hid it from the end.

Bounded, order-independent counting
-----------------------------------
Counting is streaming (:meth:`FurnitureLearner.add` one document at a time)
and mergeable (:meth:`FurnitureLearner.merge` for learners filled by separate
workers). Memory is bounded per source: at most ``max_docs_per_source``
documents of a source are counted. Past that, the source's documents are
*sampled by the hash of their text*: a document is counted when the top
``j`` bits of its 128-bit xxhash are zero, with ``j`` the smallest level at
which the sample fits the cap. The sample is a function of the set of
documents only, never of their order or of how they were split between
workers, so the model is the same for every input order and worker count.
A sampled source's counts are scaled by ``2**j`` where they are compared
with other sources (the share), while ``min_docs`` applies to the sample
itself, so a sampled source needs more evidence, never less.

Memory: the learner keeps, per counted document, the key of each of its
lines (8 bytes a line) and about 250 bytes of bookkeeping: 431 bytes a
document on the generated corpus (24 lines a page), a fifth of the text.
So a source takes at most ``max_docs_per_source x (8 x lines + 250)`` bytes
(about 5 MB at the default 10,000 documents of 30 lines), and the learner at
most that times the number of sources. Below the cap nothing is sampled and
the counts are exact. The same keys let :meth:`FurnitureModel.strip` skip
tokenising a document a second time.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import xxhash

from ..records import Change
from .._sign import hash_spans, token_hashes
from .._text import fold_batch, normalize, token_spans, tokenize
from .rules import DEFAULT_RULES, apply_rules_until_stable, join_lines

__all__ = ["line_key", "line_keys", "line_keys_batch", "line_shape", "FurnitureLearner", "FurnitureModel"]

_UNKNOWN = ""  # the source of documents with neither source nor url
#: Rules run again after learned furniture: blocks of other headlines that the furniture hid
#: from the end (the stamp and notice rules stay as they were: a closing line such as "Voting
#: closes at 22:00" would read as a stamp once it is last).
_BLOCK_RULES = ("latest_headlines", "related_block")


def _token_bytes(arr: np.ndarray) -> tuple[bytes, np.ndarray]:
    """The 64-bit hashes of a folded batch's tokens as little-endian bytes, and where each token starts."""
    starts, ends = token_spans(arr)
    return hash_spans(arr, starts, ends - starts).astype("<u8", copy=False).tobytes(), starts


def _digest_lines(hashes: bytes, bounds: Sequence[int]) -> list[int | None]:
    """Line ``i``'s key from the token hashes ``bounds[i]:bounds[i + 1]`` (None for a line without tokens)."""
    digest = xxhash.xxh3_64_intdigest
    return [digest(hashes[8 * a : 8 * b]) if b > a else None for a, b in zip(bounds, bounds[1:])]


def line_key(line: str) -> int | None:
    """A stable 64-bit key of a line's normalised tokens (None for a line without words).

    The key is the xxh3-64 of the line's token hashes (:func:`dedupe._sign.token_hashes`
    of :func:`dedupe._text.tokenize`), so quote style or case changes do not hide a
    repetition; :func:`line_keys` and :func:`line_keys_batch` give the same (tested).

    >>> line_key("Exit mobile version") == line_key("EXIT  mobile version!")
    True
    """
    tokens = tokenize(line)
    return _digest_lines(token_hashes(tokens).astype("<u8", copy=False).tobytes(), [0, len(tokens)])[0]


#: Tokens of a normalised line, as :func:`dedupe._text.tokenize` finds them.
_WORD_RE = re.compile(r"\w+")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
#: ASCII bytes that are not word characters (``\W``), line break aside, to a space.
_ASCII_GAPS = bytes(b if b == 0x0A or b >= 0x80 or _WORD_RE.match(chr(b)) else 0x20 for b in range(256))


def line_keys(text: str) -> list[int | None]:
    """``[line_key(line) for line in text.split("\\n")]``, normalising the text once.

    Normalisation never crosses or creates a line break (NFKD, dropping
    combining marks, case folding, and deletions whose context is word
    characters or digits), so normalising the whole text and then splitting
    it gives each line's tokens: every non-word character but the line break
    becomes a space (the few distinct non-ASCII ones by ``str.replace``, the
    ASCII ones by one ``bytes.translate``), and the tokens of all lines are
    hashed together from those bytes. For many texts at once
    :func:`line_keys_batch` is faster.

    >>> line_keys("Exit mobile version\\n\\n---") == [line_key("Exit mobile version"), None, None]
    True
    """
    folded = normalize(text)
    if folded.count("\n") != text.count("\n"):  # not expected; stay exact if it ever happens
        return [line_key(line) for line in text.split("\n")]
    if not folded.isascii():
        for char in set(_NON_ASCII_RE.findall(folded)):
            if _WORD_RE.match(char) is None:
                folded = folded.replace(char, " ")
    # Tokens are the runs of bytes other than space and line break; a space before, a line
    # break after (the end of the last line) and 16 bytes that hash_spans may read past a token.
    # (Only word bytes, spaces and line breaks are left, so the tokens are runs of word bytes, as in a folded batch.)
    buf = np.frombuffer(b" " + folded.encode("utf-8").translate(_ASCII_GAPS) + b"\n" + bytes(16), dtype=np.uint8)
    hashes, starts = _token_bytes(buf)
    return _digest_lines(hashes, [0] + np.searchsorted(starts, np.flatnonzero(buf == 0x0A)).tolist())


#: Below this many texts line_keys_batch keys each on its own: folding a batch costs
#: a few hundred numpy calls, about 0.4 ms, whatever its size.
_FOLD_MIN = 8


def line_keys_batch(texts: Sequence[str]) -> list[list[int | None]]:
    """``[line_keys(t) for t in texts]``, the texts folded and hashed together.

    Folding (:func:`dedupe._text.fold_batch`) never crosses or creates a line
    break in practice (NFKD, dropping combining marks, case folding, deletions
    whose context is word characters), so one pass over the whole batch gives
    every line's tokens; a text where the folded bytes do not hold exactly its
    line breaks (a character that folds to one) is keyed line by line instead.
    On the scale corpus (2,000 cleaned texts, 12 lines each) a batch of 64
    takes about 95 us a text where :func:`line_keys` takes about 230; below
    :data:`_FOLD_MIN` texts each is keyed on its own.
    """
    if len(texts) < _FOLD_MIN:
        return [line_keys(t) for t in texts]
    return line_keys_folded(texts)


def line_keys_folded(texts: Sequence[str]) -> list[list[int | None]]:
    """:func:`line_keys_batch` by folding the texts together (any number of them).

    Not in ``__all__``: the batch path that ``tests/unit/test_furniture.py`` checks against
    :func:`line_keys` for batches of every size, small ones included.
    """
    out: list[list[int | None] | None] = [None] * len(texts)
    for which, arr in fold_batch(list(texts), sentences=False):
        raw, starts = _token_bytes(arr)
        newlines = np.flatnonzero(arr == 0x0A)
        seps = np.flatnonzero(arr == 0x02)
        # Documents follow one another as "\n" doc "\n\x02\n" doc ... "\n" * padding.
        doc_start = np.concatenate(([1], seps + 2))
        first_newline = np.searchsorted(newlines, doc_start).tolist()
        tokens_before = np.searchsorted(starts, newlines).tolist()  # tokens before each line break
        first_token = np.searchsorted(starts, doc_start).tolist()
        seps_list, newline_list = seps.tolist(), newlines.tolist()
        for k, i in enumerate(which):
            breaks = texts[i].count("\n")
            last = first_newline[k] + breaks  # the line break that ends the document's last line
            if k + 1 < len(which):
                ok = last < len(newline_list) and newline_list[last] == seps_list[k] - 1
            else:  # the last document: only the padding follows
                ok = last < len(newline_list) and len(newline_list) - last == len(arr) - newline_list[last]
            if not ok:
                out[i] = line_keys(texts[i])
                continue
            out[i] = _digest_lines(raw, [first_token[k]] + tokens_before[first_newline[k] : last + 1])
    return out  # type: ignore[return-value]


#: What a line needs for a shape: a digit (any script's) or a web address.
_SHAPE_CUE = re.compile(r"\d|https?://|www\.", re.IGNORECASE)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
#: Longer lines get no shape: furniture with numbers is a label and its values, not a paragraph.
_MAX_SHAPE_TOKENS = 24


#: Month and weekday names, masked in a line that holds a number: furniture dated in words
#: ("A version of this story first ran on 5 January 2025") has one shape whatever the month
#: (benchmarks/cleaning, ``--phrasing unseen``: unmasked, such a line had twelve shapes, none on half of
#: its outlet's pages). Abbreviations that are also words ("may", "sun", "sat") only next to a number.
_DATE_WORDS = frozenset("january february march april june july august september october november december "
                        "monday tuesday wednesday thursday friday saturday sunday".split())
_DATE_ABBREVIATIONS = frozenset("jan feb mar apr may jun jul aug sep sept oct nov dec mon tue tues wed thu thurs "
                                "fri sat sun".split())
_DATE_MASK = "#d"


def _by_number(masked: list[str], k: int) -> bool:
    return (k > 0 and masked[k - 1] == "#") or (k + 1 < len(masked) and masked[k + 1] == "#")


def line_shape(line: str) -> int | None:
    """A stable 64-bit key of a line with its numbers, dates and web addresses masked; None for a line
    without any, a line of numbers alone, or a line of more than :data:`_MAX_SHAPE_TOKENS` tokens.

    Every web address becomes one mask token and every token with a digit another, so the
    furniture that carries a page's own date, time, story number or URL ("Posted: 12/03/2024
    14:05 GMT", "First appeared on https://wire.example/story/88213") has one shape on every page.

    >>> line_shape("Posted: 12/03/2024 14:05 GMT") == line_shape("posted: 1/4/2025 9:30 GMT")
    True
    >>> line_shape("First appeared on https://a.example/story/1") == line_shape("First appeared on www.b.example/x")
    True
    >>> line_shape("Posted: 12/03/2024") == line_shape("Posted: 12/03/2024 14:05 GMT"), line_shape("No numbers here")
    (False, None)
    >>> line_shape("First ran on 5 January 2025") == line_shape("First ran on 30 May 2019")
    True
    """
    if _SHAPE_CUE.search(line) is None:
        return None
    tokens = tokenize(_URL_RE.sub(" httpurl ", line))
    if not tokens or len(tokens) > _MAX_SHAPE_TOKENS:
        return None
    masked = ["#" if any(c.isdigit() for c in t) else t for t in tokens]
    if "#" in masked:  # the names in a date: "5 January 2025", "Tue 12 Mar"
        masked = [_DATE_MASK if t in _DATE_WORDS or (t in _DATE_ABBREVIATIONS and _by_number(masked, k)) else t
                  for k, t in enumerate(masked)]
    if "#" in masked and all(t == "#" or t == _DATE_MASK for t in masked):
        return None  # numbers (and dates) alone: a table cell, a score
    return xxhash.xxh3_64_intdigest(" ".join(masked).encode("utf-8", "surrogatepass"))


def line_shapes(text: str) -> list[int | None]:
    """``[line_shape(line) for line in text.split("\\n")]``."""
    return [line_shape(line) for line in text.split("\n")]


def _doc_hash(text: str) -> int:
    """128-bit content hash of a document: its sampling position and identity."""
    return xxhash.xxh3_128_intdigest(text.encode("utf-8", "surrogatepass"))


@dataclass
class _SourceCounts:
    """The counted documents of one source.

    ``docs`` maps a document's content hash to ``[copies, keys, zero, shapes]``:
    ``keys`` holds the key of every line in order, 0 for a line without
    words, and ``zero`` says whether 0 is also the key of a real line there
    (a 1 in 2**64 event, handled so that the counts stay exact); ``shapes``
    holds the distinct :func:`line_shape` keys of its lines.
    """

    level: int = 0  # counted: documents whose hash has its top `level` bits zero
    counted: int = 0  # documents counted, copies included
    docs: dict[int, list] = field(default_factory=dict)

    def limit(self) -> int:
        return 1 << (128 - self.level)

    def add(self, doc_hash: int, copies: int, keys: array, zero: bool, shapes: array) -> None:
        entry = self.docs.get(doc_hash)
        if entry is None:
            self.docs[doc_hash] = [copies, keys, zero, shapes]
        else:
            entry[0] += copies
        self.counted += copies

    def shrink(self, cap: int) -> None:
        """Raise the level until at most ``cap`` documents are counted."""
        while self.counted > cap:
            self.level += 1
            self.drop_above_level()

    def drop_above_level(self) -> None:
        limit = self.limit()
        for h in [h for h in self.docs if h >= limit]:
            self.counted -= self.docs.pop(h)[0]


@dataclass
class FurnitureLearner:
    """First pass: per-source document counts of every line (see the module docstring).

    >>> learner = FurnitureLearner(min_docs=2)
    >>> for story in ("Floods hit the coast", "Markets rally", "Police arrest a suspect"):
    ...     learner.add("gazette.example", f"{story}\\nFollow the Gazette")
    >>> model = learner.model()
    >>> model.strip("gazette.example", "Talks resume\\nFollow the Gazette")[0]
    'Talks resume'
    """

    min_docs: int = 5
    min_share: float = 0.8
    max_docs_per_source: int = 10_000
    common_share: float = 0.5
    #: The named rules of the run (None: all): those that find trailing blocks of headlines
    #: (:data:`_BLOCK_RULES`) run again on a text that lost learned furniture, which may have
    #: hidden its end.
    rules: tuple[str, ...] | None = None
    docs_per_source: Counter[str] = field(default_factory=Counter)
    _sources: dict[str, _SourceCounts] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_docs_per_source < 1:
            raise ValueError(f"max_docs_per_source must be >= 1, got {self.max_docs_per_source!r}")

    def add(self, source: str | None, text: str, keys: Sequence[int | None] | None = None,
            shapes: Sequence[int] | None = None) -> None:
        """Count one document's lines (each distinct line once) for its source.

        ``keys``, when given, must be ``line_keys(text)``: a caller that
        computes them once (in worker processes, say) passes them to both
        :meth:`add` and :meth:`FurnitureModel.strip`. ``shapes``, when given,
        must be the sorted distinct non-None ``line_shapes(text)`` (computed in
        the workers too: in the process that gathers the counts they took
        most of its time).
        """
        src = source or _UNKNOWN
        self.docs_per_source[src] += 1
        counts = self._sources.get(src)
        if counts is None:
            counts = self._sources[src] = _SourceCounts()
        doc_hash = _doc_hash(text)
        if doc_hash >= counts.limit():
            return  # outside this source's sample
        entry = counts.docs.get(doc_hash)
        if entry is not None:  # the same text again: its keys are known
            entry[0] += 1
            counts.counted += 1
        else:
            if keys is None:
                keys = line_keys(text)
            if shapes is None:
                shapes = sorted({k for k in line_shapes(text) if k is not None})
            counts.add(doc_hash, 1, array("Q", [k or 0 for k in keys]), 0 in keys, array("Q", shapes))
        if counts.counted > self.max_docs_per_source:
            counts.shrink(self.max_docs_per_source)

    def merge(self, other: "FurnitureLearner") -> None:
        """Add another learner's counts (for learners filled by separate workers).

        The result is the learner that would have seen both learners' documents.
        """
        self.docs_per_source.update(other.docs_per_source)
        for src, theirs in other._sources.items():
            mine = self._sources.get(src)
            if mine is None:
                mine = self._sources[src] = _SourceCounts()
            if theirs.level > mine.level:
                mine.level = theirs.level
                mine.drop_above_level()
            limit = mine.limit()
            for h, (copies, keys, zero, shapes) in theirs.docs.items():
                if h < limit:
                    mine.add(h, copies, keys, zero, shapes)
            mine.shrink(self.max_docs_per_source)

    def sampled_sources(self) -> dict[str, float]:
        """The sources counted from a sample, with the fraction of hash space sampled."""
        return {src: 2.0 ** -c.level for src, c in sorted(self._sources.items()) if c.level}

    def model(self) -> "FurnitureModel":
        # Pass 1, one source at a time: lines in at least min_docs counted documents.
        candidates: dict[str, dict[int, int]] = {}
        for src, counts in self._sources.items():
            if src == _UNKNOWN:
                continue
            per_line: Counter[int] = Counter()
            for copies, keys, zero, _shapes in counts.docs.values():
                distinct = set(keys)
                if not zero:
                    distinct.discard(0)
                if copies == 1:
                    per_line.update(distinct)
                else:
                    for k in distinct:
                        per_line[k] += copies
            found = {k: c for k, c in per_line.items() if c >= self.min_docs}
            if found:
                candidates[src] = found
        # Pass 2: occurrences of the candidate lines in every source, scaled by its sampling.
        wanted: set[int] = set().union(*candidates.values()) if candidates else set()
        total: Counter[int] = Counter()
        if wanted:
            for counts in self._sources.values():
                for copies, keys, _zero, _shapes in counts.docs.values():  # 0 is wanted only if it is a real key
                    weight = copies << counts.level
                    for k in wanted.intersection(keys):
                        total[k] += weight
        furniture: dict[str, frozenset[int]] = {}
        for src, found in candidates.items():
            level = self._sources[src].level
            keys = frozenset(k for k, c in found.items() if (c << level) >= self.min_share * total[k])
            if keys:
                furniture[src] = keys
        known = frozenset().union(*furniture.values()) if furniture else frozenset()
        shapes = self._shape_model()
        known_shapes = frozenset().union(*shapes.values()) if shapes else frozenset()
        names = DEFAULT_RULES if self.rules is None else self.rules
        again = tuple(n for n in names if n in _BLOCK_RULES)
        return FurnitureModel(furniture, known, self._sources, shapes, known_shapes, again)

    def _shape_model(self) -> dict[str, frozenset[int]]:
        """Line shapes that are furniture, by source: on at least ``min_docs`` and at least
        ``common_share`` of the source's counted documents (see the module docstring)."""
        out: dict[str, frozenset[int]] = {}
        for src, counts in self._sources.items():
            if src == _UNKNOWN or not counts.counted:
                continue
            per_shape: Counter[int] = Counter()
            for copies, _keys, _zero, shapes in counts.docs.values():
                if copies == 1:
                    per_shape.update(shapes)
                else:
                    for k in shapes:
                        per_shape[k] += copies
            need = max(self.min_docs, self.common_share * counts.counted)
            found = frozenset(k for k, c in per_shape.items() if c >= need)
            if found:
                out[src] = found
        return out


@dataclass(frozen=True)
class FurnitureModel:
    """Second pass: which line keys are furniture of which source.

    A model made by :meth:`FurnitureLearner.model` shares the learner's
    per-document line keys (``seen``), so stripping a document the learner
    counted needs no second tokenisation; :meth:`detached` drops them from a
    model kept beyond the run.
    """

    by_source: dict[str, frozenset[int]]
    any_source: frozenset[int]
    seen: dict[str, _SourceCounts] | None = field(default=None, compare=False, repr=False)
    #: Furniture line shapes (:func:`line_shape`) by source, and those of every source.
    shapes_by_source: dict[str, frozenset[int]] = field(default_factory=dict)
    any_shape: frozenset[int] = frozenset()
    #: Named rules run again after learned furniture goes (those that look at a text's ends).
    rules_after: tuple[str, ...] = ()

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_source.values()) + sum(len(v) for v in self.shapes_by_source.values())

    def strip(self, source: str | None, text: str, keys: Sequence[int | None] | None = None) -> tuple[str, list[Change]]:
        """Remove the source's furniture lines (any source's, for documents of unknown source).

        ``keys``, when given, must be ``line_keys(text)`` (see :meth:`FurnitureLearner.add`).
        """
        furniture = self.by_source.get(source, frozenset()) if source else self.any_source
        shapes = self.shapes_by_source.get(source, frozenset()) if source else self.any_shape
        if not furniture and not shapes:
            return text, []
        lines = text.split("\n")
        if furniture:
            if keys is None:
                keys = self._seen_keys(source, text, furniture)
            if keys is None:
                keys = line_keys(text)
            drop = [k in furniture for k in keys]
        else:
            drop = [False] * len(lines)
        if shapes:
            for i, line in enumerate(lines):
                if not drop[i] and line_shape(line) in shapes:
                    drop[i] = True
        if not any(drop):
            return text, []
        kept = [line for line, d in zip(lines, drop) if not d]
        removed = [line for line, d in zip(lines, drop) if d]
        changes = [Change("learned_furniture", removed="\n".join(removed))]
        text = join_lines(kept)
        if self.rules_after and text:
            text, more = apply_rules_until_stable(text, self.rules_after)
            changes.extend(more)
        return text, changes

    def strip_many(self, docs: Sequence[tuple[str | None, str]]) -> list[tuple[str, list[Change]]]:
        """``[self.strip(source, text) for source, text in docs]``, the line keys that the learner
        did not keep computed together (:func:`line_keys_batch`)."""
        keys: list[Sequence[int | None] | None] = []
        missing: list[int] = []
        shaped: list[bool] = []
        for k, (source, text) in enumerate(docs):
            furniture = self.by_source.get(source, frozenset()) if source else self.any_source
            found = self._seen_keys(source, text, furniture) if furniture else None
            keys.append(found)
            shaped.append(bool(self.shapes_by_source.get(source) if source else self.any_shape))
            if furniture and found is None:
                missing.append(k)
        for k, found in zip(missing, line_keys_batch([docs[k][1] for k in missing])):
            keys[k] = found
        return [self.strip(source, text, doc_keys) if doc_keys is not None or shape else (text, [])
                for (source, text), doc_keys, shape in zip(docs, keys, shaped)]

    def _seen_keys(self, source: str | None, text: str, furniture: frozenset[int]) -> array | None:
        """The line keys the learner stored for ``text`` (0 for lines without words), if usable."""
        counts = self.seen.get(source or _UNKNOWN) if self.seen else None
        entry = counts.docs.get(_doc_hash(text)) if counts else None
        if entry is None or entry[2] or 0 in furniture:
            return None
        return entry[1]

    def detached(self) -> "FurnitureModel":
        """The same model without the learner's per-document keys."""
        return FurnitureModel(self.by_source, self.any_source, None, self.shapes_by_source, self.any_shape,
                              self.rules_after)
