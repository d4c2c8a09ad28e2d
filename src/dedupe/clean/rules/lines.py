"""Line helpers that the rules share: splitting, joining, folding, counting words."""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["join_lines", "normalize_words"]
# The other public names (fold, bfold, bcue, word_count, scan_lines, WORD, DIGIT_LIKE) are helpers for
# the rule families, the engine and the equivalence tests; the package re-exports only __all__.

WORD = re.compile(r"\w+")


def normalize_words(text: str) -> str:
    """Case-folded word tokens joined by single spaces: the form in which lines and titles are compared.

    >>> normalize_words("Russia Sends Instructors — to NIGER!")
    'russia sends instructors to niger'
    """
    return " ".join(WORD.findall(text.casefold()))


def _lines(text: str) -> list[str]:
    return text.split("\n")


_BLANK_RUN = re.compile(r"\n{3,}")


def join_lines(lines: Iterable[str]) -> str:
    """Lines joined by newlines, at most one blank line in a row, no blank lines at the ends."""
    out = "\n".join(lines)
    if "\n\n\n" in out:
        out = _BLANK_RUN.sub("\n\n", out)
    return out.strip("\n")


def _is_tidy(text: str) -> bool:
    """Whether ``text`` is in :func:`join_lines` form: then a rule that removes nothing returns it as it is."""
    return "\n\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")


def _tidy(text: str) -> str:
    """What a rule returns when it removes nothing: ``text`` in :func:`join_lines` form.

    Checked without splitting, so a rule that finds nothing costs no list work.
    """
    if "\n\n\n" in text or text.startswith("\n") or text.endswith("\n"):
        return join_lines(text.split("\n"))
    return text


def _without(text: str, lines: list[str], drop: list[bool]) -> str:
    """``text`` without the flagged lines (``lines`` is ``text`` split at newlines)."""
    if not any(drop):
        return _tidy(text)
    return join_lines(line for line, d in zip(lines, drop) if not d)


def fold(text: str) -> str:
    """Lower-cased text for keyword prefilters.

    A prefilter must never miss a line that the rule's ``re.IGNORECASE``
    pattern matches, so the few characters that the regex engine matches to an
    ASCII letter but ``str.lower`` does not map to one (long s, dotless i, the
    dot of a capital dotted I) are mapped too.
    """
    low = text.lower()
    if not low.isascii():  # each replace only where its character occurs: a 1-character "in" is a memchr
        if "\u017f" in low:
            low = low.replace("\u017f", "s")
        if "\u0131" in low:
            low = low.replace("\u0131", "i")
        if "\u0307" in low:
            low = low.replace("\u0307", "")
    return low


def _has(folded: str, keys: tuple[str, ...]) -> bool:
    for key in keys:  # a plain loop: any() over a generator costs more than the scans here
        if key in folded:
            return True
    return False


def _key_lines(folded: str, keys: Iterable[str]) -> set[int]:
    """Indices of the lines of ``folded`` that contain one of ``keys`` (no key holds a newline).

    One fast substring scan per key; after a hit the scan skips to the next line.
    """
    found: set[int] = set()
    for key in keys:
        pos = folded.find(key)
        line, counted = 0, 0
        while pos != -1:
            line += folded.count("\n", counted, pos)
            found.add(line)
            end = folded.find("\n", pos)
            if end == -1:
                break
            line, counted = line + 1, end + 1
            pos = folded.find(key, counted)
    return found


def word_count(line: str) -> int:
    return len(line.split())


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(r"\s*(?:" + pattern + r")\s*", re.IGNORECASE)


def bfold(text: str) -> bytes:
    """``text`` as the fast paths look for keys and openers in it: UTF-8 with ASCII letters in lower case.

    The characters other than ASCII letters that IGNORECASE matches to an
    ASCII letter (capital dotted I, dotless i, long s, Kelvin sign) become
    that letter. Cheaper than str.lower on a text with any non-ASCII
    character; newlines stay where they are, one per line break.
    """
    folded = text.encode("utf-8", "surrogatepass").lower()
    if not text.isascii():
        for char, letter in _BFOLD_LETTERS:
            if char in text:  # a one-character "in" is a memchr
                folded = folded.replace(char.encode("utf-8"), letter)
    return folded


_BFOLD_LETTERS = (("\u0130", b"i"), ("\u0131", b"i"), ("\u017f", b"s"), ("\u212a", b"k"))


def _holds(folded: bytes, cue: tuple[tuple[bytes, ...], ...]) -> bool:
    """Whether ``folded`` (:func:`bfold` form) holds a key of every group of ``cue``."""
    for keys in cue:
        for key in keys:
            if key in folded:
                break
        else:
            return False
    return True


def bcue(cue: tuple[tuple[str, ...], ...]) -> tuple[tuple[bytes, ...], ...]:
    return tuple(tuple(key.encode("utf-8") for key in keys) for keys in cue)


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

# Every character for which str.isdigit() is true (decimal digits, superscripts,
# circled and other digits; astral planes taken whole): a superset, checked
# against every code point in tests/equivalence/test_clean_prefilters.py.
DIGIT_LIKE = re.compile(
    "[\\d\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070-\u2089\u2460-\u24ff\u2776-\u2793\U00010000-\U0010ffff]"
)


def _previous(lines: list[str], i: int) -> int:
    """Index of the last non-blank line before ``i`` (-1 when none)."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j


def _first_lines(text: str, count: int) -> list[str]:
    """The first ``count`` non-blank lines of ``text`` (fewer when it has fewer), found without splitting it all."""
    out: list[str] = []
    start = 0
    while len(out) < count:
        end = text.find("\n", start)
        line = text[start:] if end == -1 else text[start:end]
        if line.strip():
            out.append(line)
        if end == -1:
            break
        start = end + 1
    return out


def _opening(pattern: str) -> re.Pattern[str]:
    """A scan over ``"\\n" + text`` for the lines that open (after ``\\W*``) with ``pattern``."""
    return re.compile(r"\n\W*(?:" + pattern + ")", re.IGNORECASE)


def _line_numbers(nl_text: str, regex: re.Pattern[str], found: set[int]) -> None:
    """Add to ``found`` the line of the end of every match of ``regex`` in ``nl_text`` (``"\\n"`` + the text).

    A match that runs over blank or punctuation-only lines ends on the line
    holding its word, the only line it can make a candidate.
    """
    line, counted = -1, 0
    for m in regex.finditer(nl_text):
        end = m.end()
        line += nl_text.count("\n", counted, end)
        counted = end
        found.add(line)


def scan_lines(text: str, regex: re.Pattern[str]) -> list[int]:
    """The lines of ``text`` where a match of ``regex`` over ``"\\n" + text`` ends, in order."""
    found: set[int] = set()
    _line_numbers("\n" + text, regex, found)
    return sorted(found)
