"""Footers and stamps: trailing syndication and site footers, date and time lines at either end."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .lines import DIGIT_LIKE, WORD, _full, _lines, _tidy, _without, join_lines
from .registry import Hints, rule, tail_lines

if TYPE_CHECKING:
    from .engine import Memo, View

_FOOTER = _full(
    r"(?:source(?: link)?|original(?:ly)? (?:published|posted)(?: (?:at|on|by|in))?|read (?:more|the (?:full|original) (?:article|story))(?: (?:at|on))?"
    r"|author|publish(?:ed)?(?: date| on)?|posted(?: on| by)?|updated(?: on)?|via|tags?|categories|filed under)\s*:.{0,200}"
    r"|(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{4}|for syndicated|all rights).{0,200}"
    r"|.{0,120}\ball rights reserved\.?"
    r"|copyright for syndicated content belongs to the linked source\.?"
    r"|exit mobile version|back to top|skip to (?:main )?content|return to (?:top|homepage)"
    r"|view (?:the )?(?:full|desktop|mobile) (?:site|version)|print (?:this )?(?:article|page|story)"
    r"|(?:this|the) (?:article|story|post) (?:was |first )?(?:originally )?(?:appeared|published|posted) (?:on|in|at|by) .{1,120}"
    r"|(?:reprinted|republished|reproduced|syndicated)(?: here)? (?:by arrangement|with (?:the )?(?:kind )?permission"
    r"|under (?:an? )?(?:licen[cs]e|agreement)|(?:from|via|by) ).{0,160}"
    r"|(?:first|originally) (?:appeared|published|posted) (?:on|in|at|by) .{1,160}"
)


def _ends_in_footer(t: "View", memo: "Memo") -> bool:
    """When the last line is blank or a footer (syndication_footer's first step); by last line."""
    last = t.text.rpartition("\n")[2]
    seen = memo.tables["syndication_footer:gate"]
    may = seen.get(last)
    if may is None:
        may = seen[last] = not last.strip() or _FOOTER.fullmatch(last) is not None
    return may


@rule(700, Hints(gate=_ends_in_footer))
def syndication_footer(text: str) -> str:
    """Trailing syndication and site footers: "Source link :", "Author :", "Publish date :", copyright notices, "Exit mobile version".

    Only the trailing block is examined: lines are removed from the end while
    they match a footer pattern, so a story about a copyright dispute keeps
    its sentences.

    >>> syndication_footer("Troops arrived.\\nSource link : https://example.com/a\\nAuthor :\\nCopyright for syndicated content belongs to the linked Source.\\nExit mobile version")
    'Troops arrived.'
    """
    lines = _lines(text)
    end = len(lines)
    while end > 0 and (not lines[end - 1].strip() or _FOOTER.fullmatch(lines[end - 1])):
        end -= 1
    return join_lines(lines[:end]) if end < len(lines) else _tidy(text)


# --------------------------------------------------------------------------- time stamps

STAMP_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september "
    "october november december mon tue tues wed thu thurs fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday am pm a p m et est edt ct cst cdt pt pst pdt gmt bst cet utc z t at on by updated published "
    "posted last modified update publish date time".split()
)
STAMP_MONTHS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec january february march april may june july august "
    "september october november december updated published posted".split()
)
NUMERIC_STAMP = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}")
_DATE_STAMP = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_THIRTEEN_WORDS = re.compile(r"\W*(?:\w+\W+){12}\w")
_HEAD_LINES = 3  # stamps sit among the first three lines, or last


def stamp(line: str) -> bool:
    """A date/time line: "UPDATED: Tue., Nov. 19, 2019", "5:45 AM PST 11/19/2019 by Jane Doe"; at most three other words."""
    if _THIRTEEN_WORDS.match(line):
        return False  # too many tokens (lower-casing never joins two tokens), decided from the first 13 words
    if DIGIT_LIKE.search(line) is None:
        return False  # undated: no digit token and no numeric stamp, decided without tokenising
    tokens = WORD.findall(line.lower())
    if not 0 < len(tokens) <= 12:
        return False
    dated = (any(t.isdigit() for t in tokens) and any(t in STAMP_MONTHS for t in tokens)) or bool(
        NUMERIC_STAMP.search(line)
    )
    if not dated:
        return False
    other = [t for t in tokens if not (t in STAMP_WORDS or t.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th|t\d+)", t))]
    return len(other) <= 3


_STAMP_OPENER = re.compile(r"\W*(?:updated|published|posted|last modified|last updated|first published|publish date)\b",
                           re.IGNORECASE)


def _last_stamp(line: str) -> bool:
    """A stamp as the last line: one that carries a date or opens with "Updated", "Published" …; a closing
    line with a time alone ("Voting closes at 22:00", "Kick-off is at 19:45 GMT") is the article's."""
    if not stamp(line):
        return False
    if _STAMP_OPENER.match(line):
        return True
    tokens = WORD.findall(line.lower())
    return (any(t.isdigit() for t in tokens) and any(t in STAMP_MONTHS for t in tokens)) or bool(
        _DATE_STAMP.search(line))


def _fast_stamp(t: "View", memo: "Memo") -> "View | None":
    """timestamp_line: the first three non-blank lines and the last, verdicts remembered by line."""
    found: list[int] = []
    for i, line in enumerate(t.lines):
        if len(found) == _HEAD_LINES:
            break
        if line.strip():
            found.append(i)
    last = [i for i in t.tail[:1] if i not in found]
    if last and memo.tables["timestamp_line:last"].setdefault(t.lines[last[0]], _last_stamp(t.lines[last[0]])):
        found.extend(last)
        # the last line goes by _last_stamp's verdict; drop() asks stamp, which says yes to every _last_stamp line
    return t.drop("timestamp_line", found, stamp, memo)


@rule(900, Hints(fast=_fast_stamp))
def timestamp_line(text: str) -> str:
    """Date and time lines at the top or as the last line: "Published: 12 April 2024, 08:00", "Updated at 1:23 p.m.".

    A line goes when it carries a date or a time and at most three other
    words (an author's name), among the first three lines or as the last one.

    >>> timestamp_line("Published April 12, 2024 8:00 AM EDT\\nTroops arrived on Wednesday.")
    'Troops arrived on Wednesday.'
    """
    lines = _lines(text)
    head = []
    for i, line in enumerate(lines):
        if len(head) == _HEAD_LINES:
            break
        if line.strip():
            head.append(i)
    drop = [False] * len(lines)
    for i in head:
        drop[i] = stamp(lines[i])
    for i in tail_lines(lines, 1):
        if i not in head:
            drop[i] = _last_stamp(lines[i])
    return _without(text, lines, drop)
