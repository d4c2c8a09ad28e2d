"""The rule registry: :class:`Rule`, its speed :class:`Hints`, and the ``@rule`` decorators.

A rule is registered where it is written, with its place in the default order
and the hints that let :mod:`.engine` look at a few lines instead of all of
them. Hints are optional: a rule without them runs as its function, over the
whole text, every pass (slower, same result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal

from .lines import _without, _lines

if TYPE_CHECKING:  # the engine imports this module
    from .engine import Memo, View

__all__ = ["Rule", "Hints", "PageContext", "RULES", "rule", "line_rule", "page_rule", "unregister", "default_order"]

#: Keys as the engine looks for them: a line holds a *cue* when it holds one key of every group
#: (lower case; ``(("your ",), ("your account", "your subscri"))`` is "your " and one of the two).
Cue = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PageContext:
    """What a page rule knows about an HTML page besides its extracted text.

    ``titles``: the page's headline candidates; ``links``: the texts of its
    links to other pages of the same site. Both hold :func:`normalize_words`
    forms. Built from a parsed page by :func:`dedupe.clean.html.page_context`.
    """

    titles: tuple[str, ...] = ()
    links: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hints:
    """What the fast engine may assume about a rule: necessary conditions for a line to go.

    Every hint is a promise about the rule's function, checked by
    ``tests/equivalence/test_clean_prefilters.py`` (the engine's result must equal the
    function's). A hint that promises too much makes the engine miss
    furniture; one left out only makes the rule slower.

    For a rule that judges each line alone (:func:`line_rule` fills ``judge``):

    - ``openers``: regex fragments, in lower case, one of which every line the
      rule removes opens with (after ``\\W*``), each starting with its first
      letter, a digit class or an "@" and staying on one line (``[^\\n]``,
      ``[^\\S\\n]`` for ``.`` and ``\\s``). One scan of the text serves every rule.
    - ``cues``: key groups (:data:`Cue`); a line the rule removes holds at least
      ``min_cues`` of them (as the lower-cased UTF-8 the engine folds text to).
    - ``marks``: ``(char, pattern)``: a case-sensitive pattern, searched in the
      text itself when it holds ``char``, that every removed line matches.
      A line is a candidate when openers, cues or marks find it.
    - ``where``: ``"tail"`` when only the last :data:`TAIL_LINES` non-blank lines
      can go (then the rule is not a line rule: its verdict depends on position).

    For other rules:

    - ``gate(view, memo)``: a cheap test that is true whenever the rule would
      change the text; the engine runs the rule function only then.
      ``gate_by_lines``: the gate is a property of the text's lines, so when it
      says no, it says no to every text made of some of them.
    - ``fast(view, memo)``: a hand-written fast path, returning the view of the
      result or None when the rule changes nothing.
    """

    judge: Callable[[str], bool] | None = None
    openers: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = ()
    min_cues: int = 1
    marks: tuple[str, re.Pattern[str]] | None = None
    where: Literal["any", "tail"] = "any"
    gate: Callable[["View", "Memo"], bool] | None = None
    gate_by_lines: bool = False
    fast: Callable[["View", "Memo"], "View | None"] | None = None

    @property
    def line_rule(self) -> bool:
        """Whether the rule judges each line by its content alone (then a second pass removes nothing)."""
        return self.judge is not None and self.where == "any"


@dataclass(frozen=True)
class Rule:
    """A registered boilerplate rule: its name, the function, one-line summary, hints, default place.

    A page rule (``needs_page``) is called as ``func(text, page)`` with a
    :class:`PageContext` and is skipped for text that came without a page.
    ``order`` places the rule in :data:`DEFAULT_RULES` (None: not a default rule).
    """

    name: str
    func: Callable[..., str]
    summary: str
    needs_page: bool = False
    hints: Hints | None = None
    order: int | None = None


RULES: dict[str, Rule] = {}
_changes = [0]  # how many times RULES changed: the engine rebuilds its tables when it has


def version() -> int:
    """A number that changes whenever a rule is registered or unregistered."""
    return _changes[0]


def _summary(func: Callable[..., Any]) -> str:
    doc = (func.__doc__ or "").strip().splitlines()
    return doc[0] if doc else ""


def _register(entry: Rule) -> None:
    if entry.name in RULES:
        raise ValueError(f"rule {entry.name!r} is registered twice; rule names must be unique")
    if entry.order is not None:
        taken = {r.order: r.name for r in RULES.values() if r.order is not None}
        if entry.order in taken:
            raise ValueError(f"rule {entry.name!r}: order {entry.order} is already {taken[entry.order]!r}'s; "
                             "pick a free number between its neighbours")
    if entry.hints is not None and entry.hints.where == "tail" and entry.hints.marks is not None:
        raise ValueError(f"rule {entry.name!r}: marks are not read for where='tail' rules; use openers or cues")
    RULES[entry.name] = entry
    _changes[0] += 1


def unregister(name: str) -> Rule:
    """Remove the rule ``name`` from the registry (a rule added for a test or an experiment); return it."""
    entry = RULES.pop(name)
    _changes[0] += 1
    return entry


def rule(order: int | None = None, hints: Hints | None = None) -> Callable[[Callable[[str], str]], Callable[[str], str]]:
    """Register a text rule ``func(text) -> text`` under its function name.

    ``order`` places it in the default order (see :func:`default_order`);
    ``hints`` (:class:`Hints`) let the engine skip most lines.
    """
    def register(func: Callable[[str], str]) -> Callable[[str], str]:
        _register(Rule(func.__name__, func, _summary(func), False, hints, order))
        return func
    return register


def line_rule(order: int | None = None, *, openers: tuple[str, ...] = (), cues: tuple[Cue, ...] = (),
              min_cues: int = 1, marks: tuple[str, re.Pattern[str]] | None = None,
              where: Literal["any", "tail"] = "any") -> Callable[[Callable[[str], bool]], Callable[[str], str]]:
    """Register a rule given as its verdict on one line, ``judge(line) -> bool``: the lines it says yes to go.

    The decorated name becomes the text rule (``text -> text``, removing the
    non-empty lines the judge accepts, among the last :data:`TAIL_LINES`
    non-blank ones when ``where="tail"``); the judge is the rule's
    ``hints.judge``. The other arguments are the :class:`Hints`.
    """
    def register(judge: Callable[[str], bool]) -> Callable[[str], str]:
        if where == "tail":
            def func(text: str) -> str:
                lines = _lines(text)
                drop = [False] * len(lines)
                for i in tail_lines(lines, TAIL_LINES):
                    drop[i] = judge(lines[i])
                return _without(text, lines, drop)
        else:
            def func(text: str) -> str:
                lines = _lines(text)
                return _without(text, lines, [bool(line) and judge(line) for line in lines])
        func.__name__ = func.__qualname__ = judge.__name__
        func.__doc__, func.__module__ = judge.__doc__, judge.__module__
        hints = Hints(judge=judge, openers=openers, cues=cues, min_cues=min_cues, marks=marks, where=where)
        _register(Rule(judge.__name__, func, _summary(judge), False, hints, order))
        return func
    return register


def page_rule(order: int | None = None) -> Callable[[Callable[[str, PageContext], str]], Callable[[str, PageContext], str]]:
    """Register a page rule ``func(text, page) -> text`` (see :class:`PageContext`)."""
    def register(func: Callable[[str, PageContext], str]) -> Callable[[str, PageContext], str]:
        _register(Rule(func.__name__, func, _summary(func), True, None, order))
        return func
    return register


def default_order() -> tuple[str, ...]:
    """The registered rules that have an ``order``, by it."""
    return tuple(r.name for r in sorted((r for r in RULES.values() if r.order is not None), key=lambda r: r.order))


#: Credits and notices sit in the last few lines of a story (issue 4, on the extraction
#: benchmark's 181 pages): the lines a ``where="tail"`` rule looks at.
TAIL_LINES = 6


def tail_lines(lines: list[str], count: int) -> list[int]:
    """Indices of the last ``count`` non-blank lines, last first."""
    out = []
    for i in range(len(lines) - 1, -1, -1):
        if len(out) == count:
            break
        if lines[i].strip():
            out.append(i)
    return out
