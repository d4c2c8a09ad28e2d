"""The fast engine: applies the registered rules, reading their :class:`~.registry.Hints` to skip most lines.

:func:`apply_rules` gives what calling the rule functions one after another
gives, and :func:`apply_rules_until_stable` what repeating that until nothing
changes gives (``tests/equivalence/test_clean_prefilters.py`` checks both with
hypothesis), but it seldom runs a rule over every line. On a tidy text (see
``_is_tidy``, which :func:`dedupe.clean.encoding.normalize_whitespace` output
is) each rule with hints looks only at the lines those hints leave:

- Openings. Line patterns are anchored and open with optional space or
  punctuation before fixed words (``Hints.openers``). One scan of the text's
  folded form (:class:`Openers`) finds every line that some rule's opener may
  match and notes, per line, the rules whose openers do: a rule then tests
  only its own lines.
- Keys. Strings that every match of a pattern holds (``Hints.cues``, lower
  case). :func:`~.lines.bfold` turns the text into UTF-8 with every character
  that IGNORECASE takes for an ASCII letter turned into that letter, so a line
  that a pattern matches holds each key in that form; one bytes ``in`` per key
  says whether any line does, and bytes.find which ones.
- Position. ``where="tail"`` rules look only at the last lines, and only for
  the keys there; hand-written fast paths (``Hints.fast``) and gates
  (``Hints.gate``) look where their rule does.

What depends on a line alone (a rule's verdict on it, the rules it opens for)
is remembered by line text in a :class:`Memo`, across the passes of one text
and from text to text (syndicated copies share their furniture); a view made
by removing lines (:meth:`View.without`) takes over what the view it came from
found; passes after the first skip the rules that judge a line by its content
alone (:data:`LINE_RULES`), which cannot remove anything then; and
:func:`~.changes.line_changes` records the removal of one run of lines
without difflib. A rule without hints runs as its function, every pass.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import defaultdict
from typing import Any, Callable, Iterable

from ...records import Change
from . import registry
from .changes import changes_between
from .lines import bcue, bfold, _is_tidy
from .registry import RULES, TAIL_LINES, Hints, PageContext, Rule, tail_lines

__all__ = ["Memo", "View", "apply_rules", "apply_rules_until_stable", "shared_memo", "line_rules"]
# Public names not listed here (:class:`Openers`, :func:`opener_table`, :func:`open_hits`) are the
# engine's internal API, for the equivalence tests; the package (``dedupe.clean.rules``) re-exports none.


_MEMO_NUMBERS = itertools.count()


class Memo:
    """What the engine remembers about lines from text to text: each entry is a function of a line alone.

    :meth:`table` (or ``tables[name]``, the same dict) gives a rule's table (its
    verdict on a line by line text, or what its gate or fast path keeps); ``openers`` holds the rules a line
    opens for. Syndicated copies and one outlet's pages share most of their
    furniture lines, so a memo is kept across the texts of a run, not only
    across the passes over one. Every ``trim_every`` texts each table that
    holds more than ``limit`` entries is emptied: at most some 10 MB for a
    table of 500-character paragraphs, a few thousand texts' worth of
    furniture lines (the 5,000 texts of benchmarks/syndication hold some
    24,000 distinct lines). What a memo holds never changes a result.
    """

    __slots__ = ("tables", "openers", "openers_of", "texts", "limit", "trim_every", "ident")

    def __init__(self, limit: int = 1 << 14, trim_every: int = 1024) -> None:
        self.tables: defaultdict[str, dict[Any, Any]] = defaultdict(dict)
        self.openers: dict[str, int] = {}
        self.openers_of: Openers | None = None  # the opener table the masks in ``openers`` are for
        self.texts = 0  # texts seen since the last trim
        self.limit = limit
        self.trim_every = trim_every
        self.ident = (os.getpid(), next(_MEMO_NUMBERS))  # what names this memo in other processes

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to another process, a memo arrives as that process's replica of it (:func:`_replica`),
        empty the first time: a run's memo, passed with each partition it sends to its workers, is one
        memo per worker for the whole run, and what it holds is never copied between processes."""
        return (_replica, (self.ident, self.limit, self.trim_every))

    def table(self, name: str) -> dict[Any, Any]:
        """The table named ``name`` (a rule's name for its verdicts), created empty when first asked for."""
        return self.tables[name]

    def count_text(self) -> None:
        """Count one more text, trimming the tables every ``trim_every`` texts."""
        self.texts += 1
        if self.texts >= self.trim_every:
            self.trim()

    def trim(self) -> None:
        """Empty each table that holds more than ``limit`` entries."""
        self.texts = 0
        for table in (*tuple(self.tables.values()), self.openers):
            if len(table) > self.limit:
                table.clear()

    def clear(self) -> None:
        """Forget everything (a cold start, as for a benchmark's repeat)."""
        self.tables.clear()
        self.openers.clear()
        self.texts = 0


_SHARED = Memo()
#: This process's replicas of memos made in other processes, by their ident (a worker's memo of each
#: run that sent it partitions; the oldest forgotten past :data:`_MAX_REPLICAS`).
_REPLICAS: dict[tuple[int, int], Memo] = {}
_MAX_REPLICAS = 4


def _replica(ident: tuple[int, int], limit: int, trim_every: int) -> Memo:
    """The memo that stands in this process for the memo ``ident`` of another process (see :meth:`Memo.__reduce__`)."""
    memo = _REPLICAS.get(ident)
    if memo is None:
        if len(_REPLICAS) >= _MAX_REPLICAS:
            del _REPLICAS[next(iter(_REPLICAS))]
        memo = _REPLICAS[ident] = Memo(limit, trim_every)
        memo.ident = ident
    return memo


def shared_memo() -> Memo:
    """The memo of the callers that pass none: one per process, kept across their texts.

    A caller that cleans a corpus may pass its own (``memo=``) to own its
    lifetime; the result is the same either way.
    """
    return _SHARED


# --------------------------------------------------------------------------- openings


class Openers:
    """The opening scan of a set of rules (``Hints.openers``), built once per registry state.

    ``bits``: each rule's bit; ``matches``: (bit, the rule's openers matched at
    the start of a line); ``any_line``: all openers at once; ``scan`` /
    ``scan_no_at``: the scan of a folded text for the lines an opener may
    match (see :func:`_open_scan`), for texts with and without an "@".
    """

    def __init__(self, openers: dict[str, tuple[str, ...]]) -> None:
        self.openers = openers
        self.line = {name: re.compile(r"\W*(?:" + "|".join(alts) + ")", re.IGNORECASE) for name, alts in openers.items()}
        self.bits = {name: 1 << k for k, name in enumerate(openers)}
        self.matches = tuple((self.bits[name], regex.match) for name, regex in self.line.items())
        alts = [alt for alts in openers.values() for alt in alts]
        self.any_line = re.compile(r"\W*(?:" + "|".join(alts) + ")", re.IGNORECASE) if alts else re.compile(r"(?!)")
        self.scan = _open_scan(openers, at=True)
        self.scan_no_at = _open_scan(openers, at=False)


def _open_scan(openers: dict[str, tuple[str, ...]], at: bool) -> re.Pattern[bytes]:
    r"""The scan of a :func:`~.lines.bfold` text (after a newline) for the lines that may open with the words of a rule.

    A line is found when, after a run of ASCII punctuation and space
    (``[^a-z0-9\n@\x80-\xff]*``, taken whole: the lookahead and the back
    reference make it possessive, so the scan tries one place per line), it
    goes on with the lower-case words of an opener, with an ASCII digit or a
    byte of a non-ASCII character, or (``at``: for a text that holds an "@")
    with a first word that holds "@". That is every line an opener matches,
    and some more: the run that ``\W*`` takes before an opener's first
    letter, digit or "@" is ASCII punctuation and space unless it holds a
    non-ASCII character or an "@", where the run stops; letters fold to the
    opener's letters; a ``\d`` opens with an ASCII digit or a non-ASCII
    character; and ``\S*@`` reaches an "@" in the first word.
    :attr:`Openers.matches` then decide, line by line.

    The alternatives that open with a letter are grouped under it
    (``a(?:d|udio by|...)``), which the regex engine passes over at one
    comparison when a line opens otherwise; within a group, those that run
    along the line (``[^\n]*``) come last, and one that extends a literal one
    (``more[^\n]*[:|\]]`` after ``more``) is left out. None of this changes
    which lines match.
    """
    groups: dict[str, list[str]] = {}
    for alts in openers.values():
        for alt in alts:
            if alt[0].isascii() and alt[0].isalpha():
                rest = groups.setdefault(alt[0], [])
                if alt[1:] not in rest:
                    rest.append(alt[1:])
    parts = []
    for letter, rest in sorted(groups.items()):
        # After the letter, no class that means other bytes than characters (but [^\S\n], replaced below).
        bad = [r for r in rest if re.search(r"\\[dDsSwWb]", r.replace(r"[^\S\n]", ""))]
        if bad:
            raise ValueError(f"opener {letter + bad[0]!r}: after its first letter an opener may not use \\d, \\s, \\w or "
                             r"\b (the scan runs over UTF-8 bytes); spell the characters out or use [^\S\n]")
        plain = [r for r in rest if not any(c in r for c in "\\[](){}?*+|.^$")]
        rest = [r for r in rest if not any(r != q and r.startswith(q) for q in plain)]
        rest.sort(key=lambda r: (r"[^\n]" in r, len(r)))
        parts.append(letter + "(?:" + "|".join(rest) + ")")
    parts += [r"[0-9\x80-\xff]"] + ([r"[^\s@]*@"] if at else [])
    pattern = r"\n(?=([^a-z0-9\n@\x80-\xff]*))\1(?:" + "|".join(parts) + ")"
    # Over bytes, \s and [^\S\n] leave out \x1c-\x1f and the non-ASCII spaces that str patterns count:
    # where an opener's letters are followed by them (a+ / a -), take those bytes too.
    pattern = pattern.replace(r"[^\S\n]", r"[\t\x0b\x0c\r\x1c-\x1f \x80-\xff]")
    return re.compile(pattern.encode("ascii"))


def open_hits(folded: bytes, lines: list[str], table: Openers, memo: Memo) -> list[tuple[int, int]]:
    """(line, bit mask of the rules whose openers it opens with) of the lines that the openers match.

    ``folded`` is ``b"\\n"`` + the bfold form of the text ``lines`` make up.
    The table's scan finds the lines that may open so, its ``matches`` decide.
    """
    hits = []
    if memo.openers_of is not table:
        memo.openers.clear()
        memo.openers_of = table
    known = memo.openers
    scan = table.scan if b"@" in folded else table.scan_no_at
    any_line, matches = table.any_line, table.matches
    line, counted = -1, 0
    for m in scan.finditer(folded):
        start = m.start() + 1  # the line's first character
        line += folded.count(b"\n", counted, start)
        counted = start
        text = lines[line]
        rules = known.get(text)
        if rules is None:
            rules = 0
            if any_line.match(text):
                for bit, match in matches:
                    if match(text):
                        rules |= bit
            known[text] = rules
        if rules:
            hits.append((line, rules))
    return hits


def _find_lines(folded: bytes, key: bytes, start: int, line: int, end: int | None = None) -> set[int]:
    """The lines after the newline at ``start`` in ``folded`` (up to ``end``) that hold ``key``, as text lines.

    ``line`` is the number of the line that newline ends (-1 for the newline
    that ``folded`` starts with). One str.find per hit, then the scan skips to
    the next line.
    """
    found: set[int] = set()
    counted = start
    pos = folded.find(key, start, end)
    while pos != -1:
        line += folded.count(b"\n", counted, pos)
        found.add(line)
        stop = folded.find(b"\n", pos)
        if stop == -1:
            break
        line, counted = line + 1, stop + 1
        pos = folded.find(key, counted, end)
    return found


# --------------------------------------------------------------------------- views

_BCue = tuple[tuple[bytes, ...], ...]
_NONE: set[int] = set()  # an empty result that callers must not change
_NO_RULES: frozenset[str] = frozenset()


class _Run:
    """What the views of one :func:`apply_rules_until_stable` call share: the memo, the opener
    table, and the keys its views have looked for lines with (see :meth:`View.holding`)."""

    __slots__ = ("memo", "openers", "bits", "keys")

    def __init__(self, memo: Memo, openers: Openers, keys: set[bytes]) -> None:
        self.memo = memo
        self.openers = openers
        self.bits = openers.bits
        self.keys = keys


class View:
    """A tidy text under the engine, with the forms the fast paths share, each made when first asked for.

    A view of the text less some lines (:meth:`without`) takes over, line by
    line, what the view it came from found (folded lines, opening lines, lines
    that hold a key) instead of looking again: each depends on a line alone.
    ``run`` holds what the views of one call share (a fresh one with a new
    :class:`Memo` when not given). ``closed`` names the rules whose gate (``Hints.gate_by_lines``) said no to
    this text: then it says no to any text made of its lines.
    """

    __slots__ = ("text", "run", "tidy", "start", "closed", "_parent", "_kept", "_number", "_lines", "_folded",
                 "_flines", "_hits", "_holding", "_has", "_tail", "_unique")

    def __init__(self, text: str, run: _Run | None = None, tidy: bool | None = None) -> None:
        self.text = text
        self.run = _Run(Memo(), _engine().openers, set()) if run is None else run
        self.tidy = _is_tidy(text) if tidy is None else tidy
        self.start = 0  # the lines before this one are those of the parent view
        self.closed: frozenset[str] = _NO_RULES
        self._parent: View | None = None
        self._kept: list[int] = []  # the parent's number of each line
        self._number: dict[int, int] | None = None  # the inverse of _kept
        self._lines: list[str] | None = None
        self._folded: bytes | None = None
        self._flines: list[bytes] | None = None  # _folded split at newlines
        self._hits: list[tuple[int, int]] | None = None
        self._holding: dict[bytes, set[int]] = {}
        self._has: dict[bytes, bool] = {}
        self._tail: list[int] | None = None
        self._unique: bool | None = None

    @property
    def lines(self) -> list[str]:
        """``text.split("\\n")`` (callers must not change it)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    @property
    def folded(self) -> bytes:
        """``b"\\n" + bfold(text)``: line ``i`` of the text is line ``i + 1`` here."""
        if self._folded is None:
            flines = self._known_flines() if self._parent is not None else None
            self._folded = b"\n" + bfold(self.text) if flines is None else b"\n".join(flines)
        return self._folded

    @property
    def tail(self) -> list[int]:
        """The last :data:`~.registry.TAIL_LINES` non-blank lines, last first."""
        if self._tail is None:
            self._tail = tail_lines(self.lines, TAIL_LINES)
        return self._tail

    @property
    def unique(self) -> bool:
        """Whether no non-empty line occurs twice (then no line of a view made from this one does)."""
        if self._unique is None:
            if self._parent is not None and self._parent._unique:
                self._unique = True
            else:
                lines = self.lines
                self._unique = len(set(lines)) + max(lines.count("") - 1, 0) == len(lines)
        return self._unique

    def opened(self, name: str) -> list[int]:
        """In order, the lines that open with the words of rule ``name`` (``Hints.openers``)."""
        hits = self._hits
        if hits is None:
            hits = self._known_hits() if self._parent is not None else None
            if hits is None:
                hits = self._hits = open_hits(self.folded, self.lines, self.run.openers, self.run.memo)
        bit = self.run.bits[name]
        return [i for i, rules in hits if rules & bit]

    def holding(self, key: bytes) -> set[int]:
        """The lines whose folded form holds ``key`` (no key holds a newline); callers must not change it."""
        found = self._holding.get(key)
        if found is None:
            keys = self.run.keys
            if self._parent is not None and key in keys:
                found = self._known_holding(key)
            if found is None:
                found = self._holding[key] = _find_lines(self.folded, key, 0, -1)
                keys.add(key)
        return found

    def has(self, key: bytes) -> bool:
        """Whether the folded text holds ``key``: one ``in``, remembered (rules share some keys)."""
        found = self._has.get(key)
        if found is None:
            found = self._has[key] = key in self.folded
        return found

    def has_all(self, groups: _BCue) -> bool:
        """Whether the folded text holds a key of every group (no line lookup: most texts hold none)."""
        has = self.has
        for keys in groups:
            for key in keys:
                if has(key):
                    break
            else:
                return False
        return True

    def holding_all(self, groups: _BCue) -> set[int]:
        """The lines that hold a key of every group (callers must not change it)."""
        lines: set[int] | None = None
        for keys in groups:
            found = self.holding(keys[0])
            for key in keys[1:]:
                found = found | self.holding(key)
            lines = found if lines is None else lines & found
            if not lines:
                return _NONE
        return _NONE if lines is None else lines

    def drop(self, name: str, candidates: Iterable[int], judge: Callable[[str], bool], memo: Memo) -> "View | None":
        """The view without the candidate lines that ``judge`` says yes to (remembered by line in the
        table ``name``); None when none goes."""
        verdicts = memo.tables[name]
        lines = self.lines
        drop: list[int] | None = None
        for i in candidates:
            line = lines[i]
            verdict = verdicts.get(line)
            if verdict is None:
                verdict = verdicts[line] = judge(line)
            if verdict:
                if drop is None:
                    drop = []
                drop.append(i)
        return None if drop is None else self.without(drop)

    def without(self, drop: Iterable[int]) -> "View":
        """The view of ``join_lines`` of the lines not in ``drop``.

        join_lines keeps the non-empty lines and, of a run of empty lines,
        one, unless the run starts or ends the text.
        """
        lines = self.lines
        dropped = drop if isinstance(drop, (set, frozenset)) else set(drop)
        if dropped:
            low, high = min(dropped), max(dropped)
            if high - low + 1 == len(dropped) and low >= 0 and high < len(lines):  # one run of lines
                return self._without_run(low, high + 1)
        kept: list[int] = []  # the lines of the new text, by their number here
        blank = -1  # an empty line waiting for the next non-empty one
        first = -1  # the first line left out
        for i, line in enumerate(lines):
            if i in dropped:
                if first < 0:
                    first = i
            elif line:
                if blank >= 0:
                    kept.append(blank)
                    blank = -1
                kept.append(i)
            elif kept and blank < 0:
                blank = i
            elif first < 0:
                first = i
        if blank >= 0 and (first < 0 or blank < first):
            first = blank  # a trailing empty line left out
        new_lines = [lines[i] for i in kept] if kept else [""]
        view = View("\n".join(new_lines), self.run, True)
        view._lines = new_lines
        view._parent, view._kept = self, kept
        view.closed = self.closed
        view.start = len(kept) if first < 0 else first  # lines before it are the parent's, at the same number
        return view

    def _without_run(self, low: int, high: int) -> "View":
        """:meth:`without` of the lines ``low`` to ``high - 1``, by slicing.

        This view is tidy (see ``_is_tidy``): at most one empty line has
        to go with them, the one after or, at the end, the one before.
        """
        lines = self.lines
        n = len(lines)
        if low > 0 and high < n and not lines[low - 1] and not lines[high]:
            high += 1  # two empty lines would meet: the one after goes
        elif low == 0 and high < n and not lines[high]:
            high += 1  # an empty first line
        elif high == n and low > 0 and not lines[low - 1]:
            low -= 1  # an empty last line
        kept = [*range(low), *range(high, n)]
        new_lines = lines[:low] + lines[high:] if kept else [""]
        view = View("\n".join(new_lines), self.run, True)
        view._lines = new_lines
        view._parent, view._kept = self, kept
        view.closed = self.closed
        view.start = low
        return view

    # What a view takes over from the view it came from (None where neither found it).

    def _renumber(self) -> dict[int, int]:
        if self._number is None:
            self._number = {old: new for new, old in enumerate(self._kept)}
        return self._number

    def _known_flines(self) -> list[bytes] | None:
        if self._flines is None:
            if self._folded is not None:
                self._flines = self._folded.split(b"\n")  # line i of the text at i + 1
            elif self._parent is not None:
                parent = self._parent._known_flines()
                if parent is not None:
                    self._flines = [b""] + [parent[i + 1] for i in self._kept] if self._kept else [b"", b""]
        return self._flines

    def _known_hits(self) -> list[tuple[int, int]] | None:
        if self._hits is None and self._parent is not None:
            parent = self._parent._known_hits()
            if parent is not None:
                number = self._renumber()
                self._hits = [(number[i], rules) for i, rules in parent if i in number]
        return self._hits

    def _known_holding(self, key: bytes) -> set[int] | None:
        found = self._holding.get(key)
        if found is None and self._parent is not None:
            parent = self._parent._known_holding(key)
            if parent is not None:
                if parent:
                    number = self._renumber()
                    found = {number[i] for i in parent if i in number}
                else:
                    found = parent
                self._holding[key] = found
        return found


def _plain(t: View, func: Callable[[str], str]) -> View | None:
    """A rule function's result as a new view; None when it is the text."""
    new = func(t.text)
    return None if new == t.text else View(new, t.run)


# --------------------------------------------------------------------------- the fast path each rule's hints give

_Fast = Callable[[View, Memo], "View | None"]


def _fast_path(rule: Rule) -> _Fast:
    """What the engine runs for a text rule on a tidy text: the view of its result, None when that is the text."""
    hints, name, func = rule.hints, rule.name, rule.func
    if hints is None:
        return lambda t, memo: _plain(t, func)
    if hints.fast is not None:
        return hints.fast
    if hints.gate is not None:
        return _gated(name, func, hints.gate, hints.gate_by_lines)
    if hints.judge is None:
        return lambda t, memo: _plain(t, func)
    judge = hints.judge
    if not (hints.openers or hints.cues or hints.marks):  # a judge alone: every line it may remove is a candidate
        if hints.where == "tail":
            return lambda t, memo: t.drop(name, t.tail, judge, memo)
        return lambda t, memo: t.drop(name, [i for i, line in enumerate(t.lines) if line], judge, memo)
    if hints.where == "tail":
        return _tail_path(name, hints)
    return _line_path(name, hints)


def _gated(name: str, func: Callable[[str], str], gate: Callable[[View, Memo], bool], by_lines: bool) -> _Fast:
    def fast(t: View, memo: Memo) -> View | None:
        if name in t.closed:
            return None
        if gate(t, memo):
            return _plain(t, func)
        if by_lines:
            t.closed = t.closed | {name}
        return None
    return fast


def _line_path(name: str, hints: Hints) -> _Fast:
    """A line rule: its judge on the lines that its openers, cues or marks find."""
    judge, openers, min_cues = hints.judge, bool(hints.openers), hints.min_cues
    assert judge is not None
    cues = tuple(bcue(cue) for cue in hints.cues)
    marks = hints.marks

    if openers and not cues and marks is None:  # the common cases, kept lean
        def fast(t: View, memo: Memo) -> View | None:
            found = t.opened(name)
            return t.drop(name, found, judge, memo) if found else None
        return fast
    if not openers and marks is None and min_cues <= 1 and all(len(groups) == 1 for groups in cues):
        keys = tuple(key for groups in cues for key in groups[0])  # one key of any cue will do

        def fast_keyed(t: View, memo: Memo) -> View | None:
            found: set[int] = set()
            for key in keys:
                if t.has(key):
                    found |= t.holding(key)
            return t.drop(name, sorted(found), judge, memo) if found else None
        return fast_keyed

    if not openers and marks is None and min_cues > 1:  # cues alone (the paywall)
        def fast_cues(t: View, memo: Memo) -> View | None:
            found = _cue_lines(t, cues, min_cues)
            return t.drop(name, found, judge, memo) if found else None
        return fast_cues

    def fast_any(t: View, memo: Memo) -> View | None:
        found: set[int] = set(t.opened(name)) if openers else set()
        if cues:
            if min_cues <= 1:
                for groups in cues:
                    if t.has_all(groups):
                        found |= t.holding_all(groups)
            else:
                found.update(_cue_lines(t, cues, min_cues))
        if marks is not None and marks[0] in t.text:
            text = t.text
            line, counted = 0, 0
            for m in marks[1].finditer(text):
                line += text.count("\n", counted, m.start())
                counted = m.start()
                found.add(line)
        return t.drop(name, found, judge, memo) if found else None
    return fast_any


def _cue_lines(t: View, cues: tuple[_BCue, ...], min_cues: int) -> list[int]:
    """The lines that hold ``min_cues`` cues or more (the text first checked whole)."""
    present: list[int] = []  # cues whose keys the text holds
    for k, groups in enumerate(cues):
        if len(present) + len(cues) - k < min_cues:
            return []  # no line can hold enough
        if t.has_all(groups):
            present.append(k)
    if len(present) < min_cues:
        return []
    in_line: dict[int, int] = {}
    for k in present:
        for i in t.holding_all(cues[k]):
            in_line[i] = in_line.get(i, 0) + 1
    return [i for i, n in in_line.items() if n >= min_cues]


def _tail_path(name: str, hints: Hints) -> _Fast:
    """A rule over the last lines: its judge on those that open with its words or hold its cues.

    With a key or two, the lines that hold them are found in the whole text
    (one search per key, which the views made from it take over). With more,
    the keys are looked for only along the last lines not yet judged (on an
    earlier pass, or in another text); a line that has neither is judged no,
    and remembered so.
    """
    judge, openers, min_cues = hints.judge, bool(hints.openers), hints.min_cues
    assert judge is not None
    cues = tuple(bcue(cue) for cue in hints.cues)

    single = min_cues <= 1 and all(len(groups) == 1 for groups in cues)
    flat = tuple(key for groups in cues for key in groups[0]) if single else ()
    if sum(len(keys) for groups in cues for keys in groups) <= 2:
        keys = flat

        def fast_few(t: View, memo: Memo) -> View | None:
            opened = t.opened(name) if openers else []
            if single:
                held: set[int] | list[int] = _NONE
                for key in keys:
                    held = held | t.holding(key) if held else t.holding(key)
            else:
                held = _cue_lines(t, cues, min_cues)
            if not opened and not held:
                return None
            found = [i for i in t.tail if i in held or i in opened]
            return t.drop(name, found, judge, memo) if found else None
        return fast_few

    def fast(t: View, memo: Memo) -> View | None:
        tail = t.tail
        if not tail:
            return None
        verdicts = memo.tables[name]
        lines = t.lines
        open_lines = [i for i in tail if lines[i] not in verdicts]
        if open_lines:
            present = cues
            counts: dict[int, int] = {}
            if cues:  # the region of the text from the first to the last of them
                first, last = open_lines[-1], open_lines[0]
                folded = t.folded
                pos, end = len(folded), len(folded)
                for k in range(len(lines) - 1, first - 1, -1):  # back to the newline before the first of them
                    if k == last:
                        end = pos
                    pos = folded.rfind(b"\n", 0, pos)
                if single:  # a key of any cue will do
                    holding: set[int] = set()
                    for key in flat:
                        holding |= _find_lines(folded, key, pos, first - 1, end)
                    counts = dict.fromkeys(holding, 1)
                    present = ()
                for groups in present:
                    held: set[int] | None = None
                    for keys in groups:
                        found: set[int] = set()
                        for key in keys:
                            found |= _find_lines(folded, key, pos, first - 1, end)
                        held = found if held is None else held & found
                    for i in held or ():
                        counts[i] = counts.get(i, 0) + 1
            opened = set(t.opened(name)) if openers else _NONE
            for i in open_lines:
                if counts.get(i, 0) < min_cues and i not in opened:
                    verdicts[lines[i]] = False
        found_lines = [i for i in tail if verdicts.get(lines[i]) is not False]
        return t.drop(name, found_lines, judge, memo) if found_lines else None
    return fast


# --------------------------------------------------------------------------- applying the rules

_Step = tuple[Callable[..., str], "_Fast | None", bool]


class _Engine:
    """The steps and the opener table of one state of the registry."""

    def __init__(self, rules: dict[str, Rule]) -> None:
        self.openers = Openers({name: r.hints.openers for name, r in rules.items()
                                 if r.hints is not None and r.hints.openers})
        self.steps: dict[str, _Step] = {
            name: (r.func, None if r.needs_page else _fast_path(r), bool(r.hints and r.hints.line_rule))
            for name, r in rules.items()
        }
        self.default = registry.default_order()


_built: list[tuple[int, _Engine]] = []  # the engine of the registry state it was built for


def _engine() -> _Engine:
    if _built and _built[0][0] == registry._changes[0]:
        return _built[0][1]
    version = registry.version()
    _built[:] = [(version, _Engine(RULES))]
    return _built[0][1]


def opener_table() -> Openers:
    """The opening scan of the registered rules, as the engine uses it now (rebuilt when the registry changes).

    With :class:`Openers` and :func:`open_hits`, the engine's internal API that
    ``tests/equivalence/test_clean_prefilters.py`` checks against the rules' own patterns.
    """
    return _engine().openers


def line_rules() -> frozenset[str]:
    """The registered rules that judge each line by its content alone. Rules only remove whole
    lines, so every line a later pass sees was seen by such a rule in the first pass and kept:
    a second pass of these rules removes nothing."""
    return frozenset(name for name, r in RULES.items() if r.hints is not None and r.hints.line_rule)


def apply_rules(text: str, names: Iterable[str] | None = None, page: PageContext | None = None,
                memo: Memo | None = None) -> tuple[str, list[Change]]:
    """Apply the named rules (None: the default rules) in order; return the text and every change, attributed by rule.

    Page rules run only when a ``page`` is given (text that came from HTML).
    On a tidy text each rule runs as its hints allow, which gives what the
    rule function gives. ``memo``: see :class:`Memo` (None: :func:`shared_memo`).
    """
    engine = _engine()
    memo = _SHARED if memo is None else memo
    memo.count_text()
    view, changes = _apply_view(View(text, _Run(memo, engine.openers, set())), engine,
                                engine.default if names is None else names, page, True)
    return view.text, changes


def apply_rules_until_stable(text: str, names: Iterable[str] | None = None, page: PageContext | None = None,
                             memo: Memo | None = None) -> tuple[str, list[Change]]:
    """:func:`apply_rules` again and again until a pass changes nothing; the text and every change.

    Same result as repeating :func:`apply_rules`; passes after the first skip
    the line rules (:func:`line_rules`), which cannot remove anything then.
    """
    engine = _engine()
    names = engine.default if names is None else tuple(names)
    memo = _SHARED if memo is None else memo
    changes: list[Change] = []
    view = View(text, _Run(memo, engine.openers, set()))
    memo.count_text()
    first = True
    while True:
        after, removed = _apply_view(view, engine, names, page, first)
        changes.extend(removed)
        if after.text == view.text:
            return view.text, changes
        view, first = after, False


def _apply_view(view: View, engine: _Engine, names: Iterable[str], page: PageContext | None, first_pass: bool
                ) -> tuple[View, list[Change]]:
    """One pass of the rules over a view; the view of the result (``view`` itself when nothing changed) and the changes.

    Views made on the way take over what the view before them found, so a
    later pass starts from what this one found.
    """
    changes: list[Change] = []
    steps = engine.steps
    memo = view.run.memo
    for name in names:
        func, fast, line_rule = steps[name]
        if fast is None:  # a page rule
            if page is None:
                continue
            new = func(view.text, page)
            if new == view.text:
                continue
            after = View(new, view.run)
        elif view.tidy:  # a rule that removes nothing returns a tidy text as it is: its fast path applies
            if line_rule and not first_pass:
                continue
            found = fast(view, memo)
            if found is None:
                continue
            after = found
        else:
            new = func(view.text)
            if new == view.text:
                continue
            after = View(new, view.run)
        changes.extend(changes_between(name, view.lines, after.lines, after.text, after.tidy,
                                     after.start if after._parent is view else 0, view.unique))
        view = after
    return view, changes
