"""Headlines that are not the article's: a repeated title, lists of other stories, related-story blocks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from .lines import (DIGIT_LIKE, _MONTH, WORD, _first_lines, _full, _lines, _opening, _previous, scan_lines, _tidy,
                    _without, word_count, join_lines, normalize_words)
from .registry import Hints, rule

if TYPE_CHECKING:
    from .engine import Memo, View


def _title_repeated(t: "View", memo: "Memo") -> bool:
    """When the second non-blank line repeats the first (what repeated_title removes first); by line pair."""
    head = _first_lines(t.text, 2)
    if len(head) < 2:
        return False
    pair = (head[0], head[1])
    seen = memo.tables["repeated_title:gate"]
    may = seen.get(pair)
    if may is None:
        first = normalize_words(head[0]) if word_count(head[0]) <= 30 else ""
        may = seen[pair] = bool(first) and same_words(head[1], first)
    return may


def same_words(line: str, words: str) -> bool:
    """``normalize_words(line) == words``, stopping at the first word that differs.

    Word tokens hold no space and are never empty, so two joined token lists
    are equal exactly when the lists are.
    """
    expected = words.split(" ")
    n = 0
    for m in WORD.finditer(line.casefold()):
        if n == len(expected) or m.group() != expected[n]:
            return False
        n += 1
    return n == len(expected)


@rule(400, Hints(gate=_title_repeated))
def repeated_title(text: str) -> str:
    """A title line repeated at the top: later copies of the first line are removed.

    Reposting plugins print the title once as a heading and again as the
    first paragraph.

    >>> repeated_title("Russia Sends Instructors to Niger\\n\\nRussia Sends Instructors to Niger\\n\\nRussian instructors arrived.")
    'Russia Sends Instructors to Niger\\n\\nRussian instructors arrived.'
    """
    lines = _lines(text)
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) < 2:
        return text
    first = normalize_words(lines[nonblank[0]])
    if not first or word_count(lines[nonblank[0]]) > 30:
        return text
    drop = set()
    for i in nonblank[1:]:
        if normalize_words(lines[i]) != first:
            break
        drop.add(i)
    if not drop:
        return _tidy(text)
    return join_lines(line for i, line in enumerate(lines) if i not in drop)


# --------------------------------------------------------------------------- lists of other headlines

# The words a heading opens with (after an optional "the"): HEADING's alternatives, each spelt out.
_HEADING_WORDS = (
    "latest", "related", "more", "top", "trending", "popular", "recommended", "recent", "other", "editor", "most",
    "you (?:may|might|could)", "read", "also read", "see also", "in other news", "don", "what to read next",
    "elsewhere", "what'?s", "in case you missed", "icymi",
)
# When a list's heading says its stories are from: "Popular this week", "Most read today", "Trending right now".
_WHEN = r"(?: (?:this|last|of the) (?:week|weekend|month|year|day)| today| tonight| right now| this (?:morning|evening))?"
HEADING = _full(
    r"(?:the )?(?:latest|related|more|top|trending|popular|recommended|recent|other|editor'?s'? picks?"
    r"|most (?:read|popular|viewed|shared|watched))"
    r"(?: news)?(?: stories| articles| posts| news| headlines| reads| videos| content| now| on \w+)?"
    r"(?: (?:from|on|in|at) [\w .'&-]{1,40})?" + _WHEN + r"\s*:?"
    r"|what'?s (?:popular|trending|hot)(?: now)?" + _WHEN + r"\s*:?"
    r"|you (?:may|might|could) (?:also )?(?:like|enjoy|be interested in)\W?|read (?:more|next|also)\s*:?"
    r"|also read\s*:?|see also\s*:?|more on this (?:story|topic)\s*:?|in other news\s*:?|don'?t miss\s*:?"
    r"|what to read next\s*:?|more (?:from|in) [\w .'&-]{1,40}:?|elsewhere (?:on|in|at) [\w .'&-]{1,40}:?"
    r"|in case you missed (?:it|them)\W?|icymi\s*:?"
)
# The scan that latest_headlines uses itself: over "\n" + text, a match ends on the line that holds its word.
OPEN_HEADING = _opening("(?:the )?(?:" + "|".join(_HEADING_WORDS) + ")")
_AGE = _full(
    r"(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|[smhd])"
    r"(?:\s+ago)?\s*[-–—|•·]?|just now|yesterday|today|"
    + _MONTH + r"\s+\d{1,2},?\s+\d{4}\s*[-–—]?|\d{1,2}\s+" + _MONTH + r"\s+\d{4}\s*[-–—]?"
)
_SEPARATOR = _full(r"[-–—|•·*>]+")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]\s*$")


def _headline_like(line: str) -> bool:
    return 0 < word_count(line) <= 22 and len(line) <= 180 and not _SENTENCE_END.search(line)


def _list_kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if _AGE.fullmatch(line):
        return "age"
    if _SEPARATOR.fullmatch(line):
        return "sep"
    if _headline_like(line):
        return "headline"
    return "text"


class _Kinds:
    """The :func:`_list_kind` of each line, computed when first asked for."""

    def __init__(self, lines: list[str], known: dict[str, str] | None = None) -> None:
        self._lines = lines
        self._kinds: list[str | None] = [None] * len(lines)
        self._known = {} if known is None else known  # kinds by line text, kept by a caller across texts

    def __getitem__(self, i: int) -> str:
        kind = self._kinds[i]
        if kind is None:
            line = self._lines[i]
            kind = self._known.get(line)
            if kind is None:
                kind = self._known[line] = _list_kind(line)
            self._kinds[i] = kind
        return kind


def _fast_latest(t: "View", memo: "Memo") -> "View | None":
    """latest_headlines: headings only where a heading's words open a line; line kinds remembered by line."""
    lines = t.lines
    drop = _latest_drop(lines, t.opened("latest_headlines"), _Kinds(lines, memo.tables["latest_headlines"]))
    if not any(drop):
        return None
    return t.without([i for i, d in enumerate(drop) if d])


@rule(500, Hints(openers=("the (?:" + "|".join(_HEADING_WORDS) + ")",) + _HEADING_WORDS, fast=_fast_latest))
def latest_headlines(text: str) -> str:
    """Lists of other headlines: a "Latest Stories"-style heading followed by headline and age lines, or a trailing run of headlines with age lines.

    Sites append their newest headlines, each with an age line ("13 seconds -",
    "2 hours ago"). The heading must be a line of its own, and the list lines
    must look like headlines (short, no sentence punctuation) or ages, so
    prose that mentions "latest stories" is never touched.

    >>> latest_headlines("The ministry said it struck back.\\nLatest Stories\\n-\\nPolice arrest robbery suspect\\n13 seconds -\\nMarkets rally on rate cut\\n2 hours -")
    'The ministry said it struck back.'
    """
    lines = _lines(text)
    return _without(text, lines, _latest_drop(lines, scan_lines(text, OPEN_HEADING), _Kinds(lines)))


def _latest_drop(lines: list[str], headings: Iterable[int], kinds: _Kinds) -> list[bool]:
    """The lines latest_headlines removes; ``headings`` holds, in order, every line that may fullmatch HEADING."""
    drop = [False] * len(lines)
    ages = _age_lines(lines, kinds)
    heads = _pair_heads(lines, kinds, ages)
    # A heading followed by a list: at least two headlines, or one with an age line.
    for i in headings:
        line = lines[i]
        if not HEADING.fullmatch(line) or kinds[i] not in ("headline", "text"):
            continue
        end = i + 1
        while end < len(lines) and (kinds[end] != "text" or end in heads):
            end += 1
        body = ["headline" if k in heads else kinds[k] for k in range(i + 1, end)]
        n_heads, n_ages = body.count("headline"), body.count("age")
        if n_heads >= 2 or (n_heads >= 1 and n_ages >= 1):
            for k in range(i, end):
                drop[k] = True
    # Headline/age pairs without a heading, anywhere: three pairs in a row or more (a block before
    # the footer, or one whose heading no pattern knows). The block is its pairs: a short closing
    # line before it, a heading nobody wrote a pattern for or a table of figures after it stay.
    for first, last in _pair_runs(lines, kinds, ages, heads):
        for k in range(first, last + 1):
            drop[k] = True
    # A trailing run of headline/age pairs without a heading: three ages or more. The run stops
    # at prose and at figure lines (a table of figures is content), and the block starts at its
    # first headline/age pair: what comes before it (a short closing line, a caption) is the article's.
    start = len(lines)
    while start > 0 and kinds[start - 1] != "text" and not _figure_line(lines[start - 1]):
        start -= 1
    first_age = next((k for k in range(start, len(lines)) if kinds[k] == "age"), None)
    if first_age is None:
        return drop
    before = _previous(lines, first_age)
    if before >= start and kinds[before] == "headline":
        first_age = before  # the headline the age belongs to
    tail = [kinds[k] for k in range(first_age, len(lines))]
    if tail.count("age") >= 3 and tail.count("headline") >= 3:
        for k in range(first_age, len(lines)):
            drop[k] = True
    return drop


_MAX_AGE_CHARS = 40  # the longest _AGE line is a long date with a dash: "September 12, 2024 -"
_MIN_PAIRS = 3  # as the trailing run's three ages: two headline/age pairs can be an article's own lines


def _age_lines(lines: list[str], kinds: _Kinds) -> list[int]:
    """The age lines ("2 hours ago", "Yesterday"), in order; lines too long for an age are not asked."""
    return [k for k, line in enumerate(lines) if 0 < len(line) <= _MAX_AGE_CHARS and kinds[k] == "age"]


def _pair_heads(lines: list[str], kinds: _Kinds, ages: list[int]) -> set[int]:
    """The lines that are the headline of a headline/age pair: the non-blank line above an age line, short
    as a headline is, whatever its last character ("Leeds v Saracens (Fri)"), and neither an age nor a separator.
    """
    out: set[int] = set()
    for a in ages:
        h = _previous(lines, a)
        if h >= 0 and kinds[h] in ("headline", "text") and word_count(lines[h]) <= 22 and len(lines[h]) <= 180:
            out.add(h)
    return out


_YEAR = re.compile(r"\d{4}")


def _pair_runs(lines: list[str], kinds: _Kinds, ages: list[int], heads: set[int]) -> list[tuple[int, int]]:
    """(first, last) line of each run of at least :data:`_MIN_PAIRS` headline/age pairs in a row (blank
    and separator lines between pairs allowed), most of whose ages are relative ("2 hours ago",
    "Yesterday"): events each followed by its date are a timeline, which an article may hold."""
    if len(ages) < _MIN_PAIRS:
        return []
    runs: list[tuple[int, int]] = []
    first = last = -1
    count = relative = 0
    for a in ages:
        h = _previous(lines, a)
        if h not in heads:
            continue
        if not (count and all(not lines[k].strip() or kinds[k] == "sep" for k in range(last + 1, h))):
            if count >= _MIN_PAIRS and 2 * relative > count:
                runs.append((first, last))
            first, count, relative = h, 0, 0
        count += 1
        relative += _YEAR.search(lines[a]) is None
        last = a
    if count >= _MIN_PAIRS and 2 * relative > count:
        runs.append((first, last))
    return runs


_DECIMAL = re.compile(r"\d[.,]\d|\d\s?%")
_MAX_FIGURE_WORDS = 12  # a row of a table: a label and its values


def _figure_line(line: str) -> bool:
    """A row of a table of figures ("EPS 1.12 vs 0.98", "Gold 2,345.6 dollars an ounce"): a short line
    with a decimal or a percentage, or with two numbers or more making up a third of its words.

    >>> _figure_line("EPS 1.12 vs 0.98"), _figure_line("Gold 2,345.6 dollars an ounce")
    (True, True)
    >>> _figure_line("Man, 45, charged after 3 cars stolen"), _figure_line("Police arrest robbery suspect")
    (False, False)
    """
    words = line.split()
    if not 0 < len(words) <= _MAX_FIGURE_WORDS or DIGIT_LIKE.search(line) is None:
        return False
    if _DECIMAL.search(line):
        return True
    numbers = sum(1 for w in words if any(c.isdigit() for c in w))
    return numbers >= 2 and 3 * numbers >= len(words)


# --------------------------------------------------------------------------- related-story blocks

BLOCK_HEADING = _full(
    r"\W{0,3}(?:related(?: stories| articles| posts| content| coverage| news| videos| links)?"
    r"|more (?:stories|news|on this(?: story| topic)?)|you (?:may|might) also (?:like|be interested in)"
    r"|recommended(?: for you| stories| reading)?|(?:most )?(?:popular|read|viewed|shared)(?: now| stories| articles)?"
    + _WHEN + r"|trending(?: now| stories)?" + _WHEN + r"|top stories" + _WHEN + r"|latest (?:news|stories|videos)|don'?t miss|explore further"
    r"|further reading|what to read next|tags?|filed under)\s*[.:!?…]*"
)
# Widget labels: furniture lines of their own that head no list (what follows them may be the article).
WIDGET_LABEL = _full(
    r"\W{0,3}(?:(?:\d+ )?comments?|leave a (?:reply|comment)|comments are closed|join the (?:discussion|conversation)"
    r"|share(?: this(?: article| story)?)?)\s*[.:!?…]*"
)
# What BLOCK_HEADING and WIDGET_LABEL open with.
_BLOCK_WORDS = (
    "related", "more ", "you may", "you might", "recommended", "most ", "popular", "read", "viewed", "shared",
    "trending", "top stories", "latest ", "don", "explore further", "further reading", "what to read next", "tag",
    "filed under", r"\d+ comment", "comment", "leave a", "join the", "share",
)
OPEN_BLOCK = _opening("|".join(_BLOCK_WORDS))  # the scan related_block uses itself
_MAX_HEADING_WORDS = 6  # issue 4, extraction benchmark: block headings are a few words


def _teaser_like(line: str) -> bool:
    """A headline-shaped line: a list item, at most eight words, or no sentence-final punctuation."""
    return line.startswith(("- ", "• ", "* ")) or word_count(line) <= 8 or not _PROSE_END.search(line)


_PROSE_END = re.compile(r"[.!?\"”’»)]\s*$")


def _fast_related(t: "View", memo: "Memo") -> "View | None":
    """related_block: only the lines that open with a heading's or label's words."""
    found = t.opened("related_block")
    if not found:
        return None
    lines = t.lines
    drop = _related_drop(lines, found)
    if not any(drop):
        return None
    return t.without([i for i, d in enumerate(drop) if d])


@rule(510, Hints(openers=_BLOCK_WORDS, fast=_fast_related))
def related_block(text: str) -> str:
    """A block heading ("Related stories", "You may also like", "Tags") with the headline-like lines under it; comment and share labels ("Join the conversation").

    The block ends at the first line that reads like prose (a sentence of more
    than eight words with final punctuation). A heading with prose right under
    it, and not at the end of the text, is a section heading of the article
    and stays. Comment and share labels head no list: only the label goes.

    >>> related_block("The vote is on Friday.\\nRelated stories\\nFloods hit the coast\\nMarkets rally\\nPolls open at eight in the morning, officials said.")
    'The vote is on Friday.\\nPolls open at eight in the morning, officials said.'
    """
    lines = _lines(text)
    return _without(text, lines, _related_drop(lines, scan_lines(text, OPEN_BLOCK)))


def _related_drop(lines: list[str], candidates: Iterable[int]) -> list[bool]:
    """The lines related_block removes; ``candidates`` holds, in order, every line that may be a heading or label."""
    drop = [False] * len(lines)
    for i in candidates:
        line = lines[i]
        if drop[i] or not line or word_count(line) > _MAX_HEADING_WORDS:
            continue
        if WIDGET_LABEL.fullmatch(line):
            drop[i] = True
            continue
        if not BLOCK_HEADING.fullmatch(line):
            continue
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or _teaser_like(lines[end])):
            end += 1
        if any(lines[k].strip() for k in range(i + 1, end)) or end == len(lines):
            for k in range(i, end):
                drop[k] = True
    return drop
