"""Recording removals: which lines a rule removed, found without difflib in the common case."""

from __future__ import annotations

import difflib

from ...records import Change
from .lines import _is_tidy

__all__ = ["line_changes"]


def line_changes(rule: str, before: str, after: str) -> list[Change]:
    """The removals (and in-line edits) that turned ``before`` into ``after``, by line diff.

    The diff is difflib's (``SequenceMatcher`` over lines, no junk); a removal
    of one run of lines, the common case, is recognised without it (see
    :func:`_one_removed_run`).
    """
    if before == after:
        return []
    return changes_between(rule, before.split("\n"), after.split("\n"), after)


def changes_between(rule: str, old: list[str], new: list[str], after: str, tidy: bool | None = None, start: int = 0,
                  unique: bool | None = None) -> list[Change]:
    """:func:`line_changes` of two different texts, given split into lines (``old``, ``new``).

    What the caller knows it may pass on: ``tidy``, whether ``_is_tidy(after)``;
    ``start``, a number of first lines that ``old`` and ``new`` share; ``unique``,
    whether no non-empty line of ``old`` occurs twice.
    """
    run = _one_removed_run(old, new, after, tidy, start, unique)
    if run is not None:
        removed = "\n".join(line for line in run if line.strip())
        return [Change(rule, removed=removed)] if removed else []
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed = "\n".join(line for line in old[i1:i2] if line.strip())
        added = "\n".join(line for line in new[j1:j2] if line.strip())
        if removed and not added:
            changes.append(Change(rule, removed=removed))
        elif removed or added:
            changes.append(Change(rule, before=removed, after=added))
    return changes


def _one_removed_run(old: list[str], new: list[str], after: str, tidy: bool | None = None, start: int = 0,
                     unique: bool | None = None) -> list[str] | None:
    """The lines of ``old`` that difflib reports deleted when ``new`` is ``old`` less one run of lines; None otherwise.

    Then difflib's opcodes are one ``delete``, of the run or of the run
    shifted over equal lines, provided that (1) every non-empty line of
    ``new`` occurs once in ``old`` and (2) ``new`` is not empty and tidy
    (:func:`_is_tidy`: no empty line first, last or next to another). Why: a matching block of two or more lines holds
    a non-empty line of ``new`` (2), whose place in ``old`` is fixed (1), so
    every such block lies on the diagonal of the kept head or of the kept
    tail. difflib takes the longest block first (the earliest on a tie): the
    head (from line 0) or the tail; what is left on the other side is, in
    ``new``, all of the head or all of the tail, matched whole by the next
    longest block. With both head and tail a single line there is no empty
    line in ``new`` to match elsewhere. A shift over equal lines moves only
    empty lines in or out of the run (a non-empty kept line is unique), so the
    non-empty removed lines are those of the run. tests/equivalence/test_clean_prefilters.py
    checks this against difflib with hypothesis.
    """
    if not after or not (_is_tidy(after) if tidy is None else tidy):
        return None
    n, m = len(old), len(new)
    if m >= n:
        return None
    p = start
    while p < m and old[p] == new[p]:
        p += 1
    k = n - m
    if new[p:] != old[p + k:]:
        return None
    if unique is None:
        unique = len(set(old)) + max(old.count("") - 1, 0) == n
    if unique:
        return old[p:p + k]  # no non-empty line occurs twice: nothing repeated to look for
    seen: set[str] = set()
    repeated: set[str] = set()
    for line in old:
        if line in seen:
            repeated.add(line)
        else:
            seen.add(line)
    repeated.discard("")
    if repeated and any(line in repeated for line in new):
        return None
    return old[p:p + k]
