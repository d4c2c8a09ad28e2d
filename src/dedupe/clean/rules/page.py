"""Page rules (HTML input only): the page's own headline at the top, lists of links to the site's other pages.

Both take a :class:`PageContext` built from the page, so text input skips them.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from .headlines import _PROSE_END, _teaser_like
from .lines import _lines, _tidy, _without, word_count, normalize_words
from .registry import PageContext, page_rule

# From issue 4's rules on the extraction benchmark's 181 pages (benchmarks/extraction/README.md):
_TITLE_LINES = 3  # an extractor keeps the headline at the very top, if at all
_TITLE_SIMILARITY = 0.9  # the same headline up to small edits (punctuation, a word)


def _similar(line: str, candidates: Iterable[str]) -> bool:
    for title in candidates:
        if line == title:
            return True
        matcher = difflib.SequenceMatcher(None, line, title, autojunk=False)
        if matcher.real_quick_ratio() >= _TITLE_SIMILARITY and matcher.ratio() >= _TITLE_SIMILARITY:
            return True
    return False


@page_rule(10)
def page_title(text: str, page: PageContext) -> str:
    """The page's headline at the top of the extracted text: the article body starts after it.

    The headline candidates come from the page (``og:title``, ``<title>`` and
    its parts, ``<h1>``); a line among the first three that equals one of them
    (compared on words, 90% similar) goes. The headline is kept as the
    document's title, so nothing is lost.

    >>> page_title("Troops arrive in Niger\\nTroops arrived on Wednesday.", PageContext(titles=("troops arrive in niger",)))
    'Troops arrived on Wednesday.'
    """
    if not page.titles:
        return _tidy(text)
    lines = _lines(text)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:_TITLE_LINES]
    drop = [False] * len(lines)
    for i in nonblank:
        drop[i] = word_count(lines[i]) <= 40 and _similar(normalize_words(lines[i]), page.titles)
    return _without(text, lines, drop)


_LINK_SHARE = 0.5  # issue 4, extraction benchmark: half of the line's words are the text of links to the site's other pages
_MIN_LINK_WORDS = 4  # shorter lines are labels and headings, left to the text rules


def _link_share(words: str, links: frozenset[str]) -> float:
    """Share of the words of ``words`` (a normalised line) covered by link texts, longest links first."""
    total = words.count(" ") + 1
    padded = f" {words} "
    covered = 0
    for link in sorted((k for k in links if len(k) <= len(words) and k in words), key=len, reverse=True):
        needle = f" {link} "
        while needle in padded:
            covered += link.count(" ") + 1
            padded = padded.replace(needle, " \\x00 ", 1)
    return covered / total


@page_rule(20)
def link_list(text: str, page: PageContext) -> str:
    """Headline-like lines made mostly of the text of links to other pages of the same site: related-story lists and teasers.

    Body paragraphs carry links too, but as a small share of their words and
    end like sentences; links to other sites (sources, posts) do not count.

    >>> link_list("The vote is on Friday.\\nFloods hit the northern coast", PageContext(links=frozenset({"floods hit the northern coast"})))
    'The vote is on Friday.'
    """
    if not page.links:
        return _tidy(text)
    lines = _lines(text)
    drop = [False] * len(lines)
    for i, line in enumerate(lines):
        if not line or not _teaser_like(line) or _PROSE_END.search(line):
            continue
        words = normalize_words(line)
        if words.count(" ") + 1 >= _MIN_LINK_WORDS and _link_share(words, page.links) >= _LINK_SHARE:
            drop[i] = True
    return _without(text, lines, drop)
