r"""Named news-boilerplate rules.

Each rule is a small pure ``str -> str`` function over a cleaned text (one
paragraph or line per text line) that removes one kind of page furniture. The
docstring says why the rule exists and shows one real input and its output
(run as a doctest). Rules are registered by name in :data:`RULES`, so a run can
say which rule removed what (:func:`apply_rules`) and a config can pick them.

Safety: rules match whole lines with anchored patterns and, where furniture
phrasing could also occur in prose, require position (a trailing block) or
the furniture's shape (short lines, question form, no sentence punctuation).
A line that reads like an article sentence is never removed; the golden cases
in ``tests/data/rules`` include such negatives.

Page rules (``page_title``, ``link_list``) also take a :class:`PageContext`
built from the HTML; :func:`apply_rules` runs them only when given a page
(:func:`dedupe.clean.html.extract_html` does), so text input skips them.

Speed: :func:`apply_rules` gives what calling the rule functions one after
another gives, and :func:`apply_rules_until_stable` what repeating that until
nothing changes gives (``tests/test_clean_prefilters.py`` checks both with
hypothesis), but it seldom runs a rule over every line. On a tidy text (see
:func:`_is_tidy`, which :func:`dedupe.clean.encoding.normalize_whitespace`
output is) each rule has a fast path (:data:`_FAST`) that tests only the
lines that necessary conditions leave: one scan of the text finds the lines
that open with the words of some rule, and str.find the lines that hold the
keys a pattern needs; rules that look at the first or last lines look only
there. A rule's verdict on a line is remembered by line text (from text to
text: syndicated copies share their furniture); the view of a text less the
lines a rule removed takes over what was found in the text (:class:`_View`);
passes after the first skip the rules that judge a line by its content alone
(:data:`LINE_RULES`), which cannot remove anything then; and
:func:`line_changes` records the removal of one run of lines without
difflib. The section "fast paths" below says how the conditions are derived
from the patterns.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from collections import defaultdict
from typing import Any, Callable, Iterable

from ..document import Change

__all__ = [
    "Rule", "PageContext", "RULES", "DEFAULT_RULES", "LINE_RULES", "apply_rules", "apply_rules_until_stable",
    "join_lines", "line_changes", "normalize_words",
]


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
class Rule:
    """A registered boilerplate rule: its name, the function, one-line summary.

    A page rule (``needs_page``) is called as ``func(text, page)`` with a
    :class:`PageContext` and is skipped for text that came without a page.
    """

    name: str
    func: Callable[..., str]
    summary: str
    needs_page: bool = False


RULES: dict[str, Rule] = {}


def _register(func: Callable[..., str], needs_page: bool) -> None:
    doc = (func.__doc__ or "").strip().splitlines()
    RULES[func.__name__] = Rule(func.__name__, func, doc[0] if doc else "", needs_page)


def _rule(func: Callable[[str], str]) -> Callable[[str], str]:
    _register(func, needs_page=False)
    return func


def _page_rule(func: Callable[[str, PageContext], str]) -> Callable[[str, PageContext], str]:
    _register(func, needs_page=True)
    return func


_WORD = re.compile(r"\w+")


def normalize_words(text: str) -> str:
    """Case-folded word tokens joined by single spaces: the form in which lines and titles are compared.

    >>> normalize_words("Russia Sends Instructors — to NIGER!")
    'russia sends instructors to niger'
    """
    return " ".join(_WORD.findall(text.casefold()))


def _lines(text: str) -> list[str]:
    return text.split("\n")


_BLANK_RUN = re.compile(r"\n{3,}")


def join_lines(lines: Iterable[str]) -> str:
    """Lines joined by newlines, at most one blank line in a row, no blank lines at the ends."""
    out = "\n".join(lines)
    if "\n\n\n" in out:
        out = _BLANK_RUN.sub("\n\n", out)
    return out.strip("\n")


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


def _fold(text: str) -> str:
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


def _words(line: str) -> int:
    return len(line.split())


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(r"\s*(?:" + pattern + r")\s*", re.IGNORECASE)


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

# --------------------------------------------------------------------------- widgets

_WIDGET = _full(
    r"audio by \S.{0,40}"
    r"|(?:listen|play)(?: now)?(?: to)?(?: this| the)?(?: article| story| audio| podcast| episode)?(?: now)?"
    r"(?:\s*[·|:-]?\s*\d+\s*min(?:ute)?s?)?\W{0,3}"
    r"|\d{1,2}:\d{2}(?:\s*/\s*\d{1,2}:\d{2})?"
    r"|your browser does not support the (?:audio|video)(?: element| tag)?\.?"
    r"|\d+\s*min(?:ute)?s?\s+(?:read|listen)"
    r"|(?:voiced|narrated|powered) by \S.{0,40}"
    r"|(?:text|font) size\W*|(?:a|aa)\s*[+-]\s*(?:a|aa)?\s*[+-]?"
)


@_rule
def audio_widget(text: str) -> str:
    """Audio-player, read-time and text-size widget lines ("Audio By Carbonatix", "Listen to this article", "00:00 / 03:21").

    Players and widgets leave their labels as lines of their own; a line that
    is nothing but such a label carries no article content.

    >>> audio_widget("Audio By Carbonatix\\nDozens of instructors arrived.\\nListen to this article · 4 min")
    'Dozens of instructors arrived.'
    """
    lines = _lines(text)
    return _without(text, lines, [bool(line and _WIDGET.fullmatch(line)) for line in lines])


_AD = _full(
    r"advertisements?|ads?|sponsored(?: content)?|promoted(?: content)?|paid (?:partner )?content"
    r"|(?:the )?(?:story|article|content) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?\W?"
    r"|scroll (?:down )?to continue(?: with content| reading)?\W?|skip (?:advertisement|ad)"
)


@_rule
def ad_label(text: str) -> str:
    """Advertisement placeholders ("Advertisement", "Story continues below advertisement").

    >>> ad_label("First paragraph.\\nADVERTISEMENT\\nSecond paragraph.")
    'First paragraph.\\nSecond paragraph.'
    """
    lines = _lines(text)
    return _without(text, lines, [bool(line and _AD.fullmatch(line)) for line in lines])


_SHARE_WORD = (
    r"share(?: this(?: article| story| page)?| on \w+| via \w+)?|tweet|e-?mail|print|copy(?: link)?|save"
    r"|facebook|twitter|x|whatsapp|linkedin|reddit|telegram|pinterest|flipboard|messenger|threads|bluesky"
    r"|comments?|follow us(?: on \w+)?"
)
_SHARE = _full(r"(?:(?:" + _SHARE_WORD + r")[\s|•·,/:]*){1,14}")


@_rule
def share_bar(text: str) -> str:
    """Social share and follow bars: lines made only of network names and share verbs.

    >>> share_bar("Share this article\\nFacebook | Twitter | WhatsApp | Email\\nThe minister resigned.")
    'The minister resigned.'
    """
    lines = _lines(text)
    return _without(text, lines, [bool(line and _SHARE.fullmatch(line)) for line in lines])


# --------------------------------------------------------------------------- headline lists

_HEADING = _full(
    r"(?:the )?(?:latest|related|more|top|trending|popular|recommended|recent|other|editor'?s'? picks?"
    r"|most (?:read|popular|viewed|shared|watched))"
    r"(?: news)?(?: stories| articles| posts| news| headlines| reads| videos| content| now| on \w+)?"
    r"(?: (?:from|on|in|at) [\w .'&-]{1,40})?\s*:?"
    r"|you (?:may|might|could) (?:also )?(?:like|enjoy|be interested in)\W?|read (?:more|next|also)\s*:?"
    r"|also read\s*:?|see also\s*:?|more on this (?:story|topic)\s*:?|in other news\s*:?|don'?t miss\s*:?"
    r"|what to read next\s*:?|more (?:from|in) [\w .'&-]{1,40}:?|elsewhere (?:on|in|at) [\w .'&-]{1,40}:?"
)
_AGE = _full(
    r"(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|[smhd])"
    r"(?:\s+ago)?\s*[-–—|•·]?|just now|yesterday|today|"
    + _MONTH + r"\s+\d{1,2},?\s+\d{4}\s*[-–—]?|\d{1,2}\s+" + _MONTH + r"\s+\d{4}\s*[-–—]?"
)
_SEPARATOR = _full(r"[-–—|•·*>]+")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]\s*$")


def _headline_like(line: str) -> bool:
    return 0 < _words(line) <= 22 and len(line) <= 180 and not _SENTENCE_END.search(line)


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

    def run_end(self, start: int) -> int:
        """End (exclusive) of the run of list-like lines starting at ``start``."""
        end = start
        while end < len(self._lines) and self[end] != "text":
            end += 1
        return end


@_rule
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
    return _without(text, lines, _latest_drop(lines, _scan_lines(text, _OPEN_HEADING), _Kinds(lines)))


def _latest_drop(lines: list[str], headings: Iterable[int], kinds: _Kinds) -> list[bool]:
    """The lines latest_headlines removes; ``headings`` holds, in order, every line that may fullmatch _HEADING."""
    drop = [False] * len(lines)
    # A heading followed by a list: at least two headlines, or one with an age line.
    for i in headings:
        line = lines[i]
        if not _HEADING.fullmatch(line) or kinds[i] not in ("headline", "text"):
            continue
        end = kinds.run_end(i + 1)
        body = [kinds[k] for k in range(i + 1, end)]
        heads, ages = body.count("headline"), body.count("age")
        if heads >= 2 or (heads >= 1 and ages >= 1):
            for k in range(i, end):
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
    if first_age > start and kinds[first_age - 1] == "headline":
        first_age -= 1  # the headline the age belongs to
    tail = [kinds[k] for k in range(first_age, len(lines))]
    if tail.count("age") >= 3 and tail.count("headline") >= 3:
        for k in range(first_age, len(lines)):
            drop[k] = True
    return drop


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
    if not 0 < len(words) <= _MAX_FIGURE_WORDS or _DIGIT_LIKE.search(line) is None:
        return False
    if _DECIMAL.search(line):
        return True
    numbers = sum(1 for w in words if any(c.isdigit() for c in w))
    return numbers >= 2 and 3 * numbers >= len(words)


# --------------------------------------------------------------------------- paywall

_PAYWALL_CUES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\W*already (?:a|an) (?:subscriber|member|registered user)\s*\?",
        r"\b(?:log|sign) ?(?:in|into|on)(?:to)? (?:to )?your (?:account|subscription)\b",
        r"\bto (?:continue|keep) reading\b",
        r"\bsubscribe (?:now|today|for|to (?:read|continue|unlock))\b",
        r"\b(?:create|register for) a (?:free )?account\b",
        r"\b(?:this|the) (?:content|article|story) is (?:only )?(?:available|reserved|exclusive) (?:to|for) (?:paid )?(?:subscribers|members)\b",
        r"\byou(?:'ve| have) (?:reached|used) (?:your|all)(?: \w+)? (?:limit|free articles|articles)\b",
        r"\b(?:unlock|get) (?:full|unlimited|unrestricted) (?:access|digital access)\b",
        r"\byour card on file\b",
        r"\b(?:subscribers?|members?)[- ]only\b",
        r"\bunable to see the content\b",
        r"\b(?:login|log in|sign in)\W? button\b",
    )
]
# Prefilter keys and the cues (indices above) that need them: a lower-cased line holding
# no key of a cue cannot match that cue, so only lines that may match two cues are searched.
_PAYWALL_KEYS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("already", (0,)),
    ("your ", (1, 8)),
    ("reading", (2,)),
    ("subscri", (3, 5, 9)),
    ("account", (4,)),
    ("member", (5, 9)),
    ("reached", (6,)),
    ("used", (6,)),
    ("access", (7,)),
    ("unable to see the content", (10,)),
    (" button", (11,)),
)


@_rule
def paywall(text: str) -> str:
    """Paywall and log-in prompts ("Already a subscriber? …", "Subscribe now to continue reading").

    A line goes when it carries at least two distinct paywall cues, so an
    article sentence that quotes one phrase ("urged fans to subscribe now") stays.

    >>> paywall("Already a subscriber? Make sure to log into your account before viewing this content.\\nRussian advisers have arrived.")
    'Russian advisers have arrived.'
    >>> paywall("Already, the army has moved. Fans were urged to subscribe now.")
    'Already, the army has moved. Fans were urged to subscribe now.'
    """
    cues_in_line = _paywall_cues(_fold(text))
    if not cues_in_line:
        return _tidy(text)
    lines = _lines(text)
    drop = [False] * len(lines)
    for i, cues in cues_in_line.items():
        drop[i] = _paywall_line(lines[i], cues)
    return _without(text, lines, drop)


def _paywall_cues(folded: str) -> dict[int, set[int]]:
    """The lines of ``folded`` whose keys allow two cues or more, with those cues."""
    cues_in_line: dict[int, set[int]] = {}
    for key, cues in _PAYWALL_KEYS:
        for i in _key_lines(folded, (key,)):
            cues_in_line.setdefault(i, set()).update(cues)
    return {i: cues for i, cues in cues_in_line.items() if len(cues) >= 2}


def _paywall_line(line: str, cues: set[int]) -> bool:
    if _words(line) > 120:
        return False  # a paragraph: decided by one split instead of a dozen searches
    return sum(1 for cue in cues if _PAYWALL_CUES[cue].search(line)) >= 2


def _is_paywall(line: str) -> bool:
    """paywall's verdict on one line (its cues are those of the keys it holds)."""
    folded = _fold(line)
    cues: set[int] = set()
    for key, key_cues in _PAYWALL_KEYS:
        if key in folded:
            cues.update(key_cues)
    return len(cues) >= 2 and _paywall_line(line, cues)


_NEWSLETTER = re.compile(
    r"^[^\w\"“”‘’'«»]*(?:sign up|subscribe|join|get|register|enter your email)\b.{0,80}"
    r"\b(?:newsletters?|inbox|email updates|daily briefing|alerts)\b",
    re.IGNORECASE,
)
# Prefilter keys: _NEWSLETTER needs one of its verbs and one of its nouns.
_NEWSLETTER_VERBS = ("sign up", "subscribe", "join", "get", "register", "enter your email")
_NEWSLETTER_NOUNS = ("newsletter", "inbox", "email updates", "daily briefing", "alerts")


@_rule
def newsletter_prompt(text: str) -> str:
    """Newsletter sign-up prompts: short imperative lines ("Sign up for our daily newsletter").

    >>> newsletter_prompt("Sign up for our free newsletter to get the news in your inbox.\\nThe vote is on Friday.")
    'The vote is on Friday.'
    """
    folded = _fold(text)
    candidates = _key_lines(folded, _NEWSLETTER_NOUNS)
    if candidates:
        candidates &= _key_lines(folded, _NEWSLETTER_VERBS)
    if not candidates:
        return _tidy(text)
    lines = _lines(text)
    drop = [False] * len(lines)
    for i in candidates:
        drop[i] = bool(_NEWSLETTER.search(lines[i])) and _words(lines[i]) <= 30
    return _without(text, lines, drop)


# --------------------------------------------------------------------------- appeals and account prompts

# A line that opens with an appeal: after punctuation but never after a quote mark (a quoted appeal is the article's).
_APPEAL_OPEN = r"[^\w\"“”‘’'«»]*(?:"
_APPEAL = re.compile(
    _APPEAL_OPEN
    + r"(?:please |today,? )?(?:become|be) an? (?:paying |digital |founding |monthly )?"
      r"(?:member|supporter|subscriber|patron|donor)\b"
      r"|(?:please )?(?:support|fund|back|sustain|protect) (?:our|independent|local|quality|nonprofit|non-profit"
      r"|public[- ]interest|trusted|fearless|free|this) (?:[\w-]+ ){0,3}?"
      r"(?:journalism|reporting|newsroom|news|coverage|work|press)\b"
      r"|(?:please )?(?:donate|make a (?:donation|contribution)|chip in|give) (?:now|today|to|what|from|[$£€\d])"
      r"|keep (?:independent|local|quality|free|our|this|the) (?:[\w-]+ ){0,3}?(?:\w+) (?:alive|free|going|independent"
      r"|open|strong|thriving)\b"
      r"|(?:our |your )?(?:members|supporters|subscribers|donors|readers)(?: like you)? (?:make|makes|keep|keeps|fund"
      r"|power|sustain) (?:our|this|independent|local|the) (?:[\w-]+ ){0,3}?\w+\b.{0,40}?\b(?:possible|going|alive"
      r"|free|independent|running)\b"
      r"|(?:your|reader) support (?:makes|keeps|funds|powers|sustains|matters)\b"
    + ")",
    re.IGNORECASE,
)
# Prefilter keys: every line _APPEAL matches holds one of these (lower-cased).
_APPEAL_KEYS = ("member", "support", "subscri", "patron", "donor", "donat", "contribution", "chip in", "give ",
                "keep ", "readers")
_ACCOUNT = re.compile(
    _APPEAL_OPEN
    + r"(?:sign up|register|join|subscribe)(?: now| today| free| for free| for an? (?:free )?account)* (?:and |to )"
      r"(?:read|continue|keep reading|unlock|access|get full|enjoy)\b"
      r"|(?:create|open|set up|make) (?:an?|your) (?:free )?(?:[\w-]+ )?account (?:to|and) (?:read|continue|keep"
      r"|unlock|access|get|enjoy|see|view)\b"
      r"|(?:log|sign) ?(?:in|on)(?: or (?:register|sign up|subscribe|create an? (?:free )?account))? to (?:continue"
      r"|keep|read|unlock|access|view|see)\b"
      r"|already (?:registered|a member|a subscriber|have an account)\s*\?"
      r"|(?:you have|you've) (?:\d+|one|two|three|no) (?:free )?(?:articles?|stories) (?:left|remaining)\b"
      r"|(?:read|enjoy) (?:up to )?\d+ (?:free )?(?:articles?|stories) (?:a|per|each|every) (?:month|week)\b"
    + ")",
    re.IGNORECASE,
)
# Prefilter keys: every line _ACCOUNT matches holds one of these (lower-cased).
_ACCOUNT_KEYS = ("sign up", "register", "join", "subscri", "account", "log", "sign", "already", "left", "remaining",
                 "month", "week")
_REPORTED = re.compile(r"\b(?:said|says|told|according to|asked|urged|wrote)\b|[\"“”«»]", re.IGNORECASE)
_MAX_APPEAL_WORDS = 40  # as _MAX_PROMO_WORDS: a call to action is a line or two, never a paragraph


def _is_appeal(line: str) -> bool:
    return (bool(line) and _words(line) <= _MAX_APPEAL_WORDS and _APPEAL.match(line) is not None
            and _REPORTED.search(line) is None)


def _is_account(line: str) -> bool:
    return (bool(line) and _words(line) <= _MAX_APPEAL_WORDS and _ACCOUNT.match(line) is not None
            and _REPORTED.search(line) is None)


@_rule
def support_appeal(text: str) -> str:
    """Membership and donation appeals: "Become a member of …", "Support independent journalism", "Members make our newsroom possible".

    The appeal opens the line (an article sentence about a membership scheme
    opens otherwise), the line is short, and it quotes and reports nobody
    ("she urged readers to become members" stays).

    >>> support_appeal("The council met.\\nKeep independent reporting alive: become a member of the Courier.\\nMembers make our newsroom possible.")
    'The council met.'
    """
    lines = _lines(text)
    return _without(text, lines, [_is_appeal(line) for line in lines])


@_rule
def account_prompt(text: str) -> str:
    """Registration and metered-access prompts: "Sign up free to read 5 articles a month", "Create an account to unlock …", "Already registered? Log in".

    As :func:`support_appeal`: the prompt opens a short line that reports nobody.

    >>> account_prompt("The council met.\\nSign up free to read 5 articles a month.\\nCreate an account to unlock this story.")
    'The council met.'
    """
    lines = _lines(text)
    return _without(text, lines, [_is_account(line) for line in lines])


# --------------------------------------------------------------------------- footers

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


@_rule
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


# --------------------------------------------------------------------------- social embeds

_ATTRIBUTION = _full(
    r"[—–-]{1,2}\s*[^()\n]{0,80}\(@[\w.]{1,40}\)\s*(?:on\s+)?(?:" + _MONTH + r"\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+" + _MONTH + r"\s+\d{4})"
)
_POST_LINK = re.compile(
    r"\bpic\.twitter\.com/\w+|\bt\.co/\w+|\b(?:twitter|x)\.com/\w+/status/\d+|\binstagram\.com/p/\w+",
    re.IGNORECASE,
)
_POST_LABEL = _full(
    r"view this post on instagram|a post shared by .{1,80}|(?:this )?(?:tweet|post) (?:may have been|was) deleted\.?"
    r"|embedded (?:content|post|tweet)|(?:allow|accept) (?:twitter|x|instagram|social media) content\W?"
)
_MAX_POST_CHARS = 320  # a post's text: 280 characters plus room for links and names
# Prefilter keys: what a line needs (lower-cased) to match each pattern above.
_POST_LABEL_KEYS = ("this post", "post shared", "deleted", "embedded", " content")
_POST_LINK_KEYS = ("pic.twitter.com/", "t.co/", "/status/", "instagram.com/p/")
_POST_KEYS = _POST_LABEL_KEYS + _POST_LINK_KEYS + ("(@",)


@_rule
def embedded_post(text: str) -> str:
    """Embedded social posts of accounts the article never names: the post text with its "— Name (@handle) April 12, 2024" attribution, bare pic.twitter.com lines, embed labels.

    The standard tweet embed renders as the post's text, then the attribution
    line; a quoted post shows as a short line with a ``pic.twitter.com`` link.
    An embed is the article quoting someone when the article names the
    author elsewhere (a word of the display name, or the handle): then the
    post, its links and its attribution stay. An embed by an account the
    article never mentions is a widget left over from the page, and goes.
    A tweet quoted in the article's own sentences has neither shape.

    >>> embedded_post("Advisers arrived.\\nRussia to install a system in Niger.\\n— Kennedy Wandera (@KennedyWandera_) April 12, 2024\\nOne trainer spoke.")
    'Advisers arrived.\\nOne trainer spoke.'
    >>> embedded_post("Omar shared the letter.\\nWho are we as a nation?\\n— Ilhan Omar (@Ilhan) November 19, 2019")
    'Omar shared the letter.\\nWho are we as a nation?\\n— Ilhan Omar (@Ilhan) November 19, 2019'
    """
    folded = _fold(text)
    candidates = _key_lines(folded, _POST_KEYS)
    if not candidates:
        return _tidy(text)
    lines = _lines(text)
    drop = [False] * len(lines)
    quoted: set[int] = set()  # attribution lines of posts by people the article names
    for i in sorted(candidates):
        if "(@" in folded.split("\n", i + 1)[i] and _ATTRIBUTION.fullmatch(lines[i]) and _names_author(lines, i):
            quoted.add(i)
    for i in sorted(candidates):  # in order: an attribution drops the line above it
        line = lines[i]
        if i in quoted:
            continue
        if _POST_LABEL.fullmatch(line):
            drop[i] = True
        elif _POST_LINK.search(line) and len(line) <= _MAX_POST_CHARS:
            drop[i] = not _above_attribution(lines, i, quoted)
        elif _ATTRIBUTION.fullmatch(line):
            drop[i] = True
            j = _previous(lines, i)
            if j >= 0 and not drop[j] and len(lines[j]) <= _MAX_POST_CHARS:
                drop[j] = True
    return _without(text, lines, drop)


_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}")
# Words of display names that say nothing about who posted.
_NOT_A_NAME = frozenset({"The", "And", "For", "Rep", "Sen", "Gov", "Mrs", "Official", "News"})


def _previous(lines: list[str], i: int) -> int:
    """Index of the last non-blank line before ``i`` (-1 when none)."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j


def _above_attribution(lines: list[str], i: int, attributions: set[int]) -> bool:
    """Whether the next non-blank line after ``i`` is one of ``attributions``."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j in attributions


def _names_author(lines: list[str], i: int) -> bool:
    """Whether the text outside the post (attribution line ``i`` and the post line above it) names its author."""
    name, _, rest = lines[i].partition("(@")
    handle = rest.split(")", 1)[0]
    words = [w for w in _NAME_WORD.findall(name) if w[0].isupper() and w not in _NOT_A_NAME]
    post = _previous(lines, i)
    outside = "\n".join(line for k, line in enumerate(lines) if k != i and k != post)
    if handle and re.search(r"@?\b" + re.escape(handle) + r"\b", outside, re.IGNORECASE):
        return True
    return any(re.search(r"\b" + re.escape(w) + r"\b", outside) for w in words)


# --------------------------------------------------------------------------- titles


@_rule
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
    if not first or _words(lines[nonblank[0]]) > 30:
        return text
    drop = set()
    for i in nonblank[1:]:
        if normalize_words(lines[i]) != first:
            break
        drop.add(i)
    if not drop:
        return _tidy(text)
    return join_lines(line for i, line in enumerate(lines) if i not in drop)


# --------------------------------------------------------------------------- teasers and related blocks

_TEASER = re.compile(
    r"\W{0,3}(?:read more|read also|also read|see more|see also|related(?: post| story| article)?s?"
    r"|more(?: on| from)? this|also on \S+|also|more|recommended|watch|listen|trending|most read"
    r"|you (?:may|might) also like|don'?t miss)\s*[:|\]]",
    re.IGNORECASE,
)
_TAGGED_HEADLINE = re.compile(r"\w+\W+\w+\W+\w+.*\[[A-Z][A-Z ]{1,15}\]\W*$")
_MAX_TEASER_WORDS = 40  # a headline with its label; a longer line is a paragraph that merely starts so


@_rule
def teaser_link(text: str) -> str:
    """Inline links to other stories: lines opening with a label ("Read more:", "Related:", "WATCH:") or tagged "[VIDEO]".

    The label must end in a colon, a bar or a bracket, so a sentence that
    starts "Read more about it..." or "More than 200 people..." stays.

    >>> teaser_link("The vote is on Friday.\\nRead more: Why the vote matters\\nPolls open at eight.")
    'The vote is on Friday.\\nPolls open at eight.'
    """
    lines = _lines(text)
    drop = [
        bool(line)
        and bool(_TEASER.match(line) or ("[" in line and _TAGGED_HEADLINE.search(line)))
        and _words(line) <= _MAX_TEASER_WORDS
        for line in lines
    ]
    return _without(text, lines, drop)


_BLOCK_HEADING = _full(
    r"\W{0,3}(?:related(?: stories| articles| posts| content| coverage| news| videos| links)?"
    r"|more (?:stories|news|on this(?: story| topic)?)|you (?:may|might) also (?:like|be interested in)"
    r"|recommended(?: for you| stories| reading)?|(?:most )?(?:popular|read|viewed|shared)(?: now| stories| articles)?"
    r"|trending(?: now| stories)?|top stories|latest (?:news|stories|videos)|don'?t miss|explore further"
    r"|further reading|what to read next|tags?|filed under)\s*[.:!?…]*"
)
# Widget labels: furniture lines of their own that head no list (what follows them may be the article).
_WIDGET_LABEL = _full(
    r"\W{0,3}(?:(?:\d+ )?comments?|leave a (?:reply|comment)|comments are closed|join the (?:discussion|conversation)"
    r"|share(?: this(?: article| story)?)?)\s*[.:!?…]*"
)
_MAX_HEADING_WORDS = 6  # prototype value (benchmarks/extraction/rules.py): block headings are a few words


def _teaser_like(line: str) -> bool:
    """A headline-shaped line: a list item, at most eight words, or no sentence-final punctuation."""
    return line.startswith(("- ", "• ", "* ")) or _words(line) <= 8 or not _PROSE_END.search(line)


_PROSE_END = re.compile(r"[.!?\"”’»)]\s*$")


@_rule
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
    return _without(text, lines, _related_drop(lines, _scan_lines(text, _OPEN_BLOCK)))


def _related_drop(lines: list[str], candidates: Iterable[int]) -> list[bool]:
    """The lines related_block removes; ``candidates`` holds, in order, every line that may be a heading or label."""
    drop = [False] * len(lines)
    for i in candidates:
        line = lines[i]
        if drop[i] or not line or _words(line) > _MAX_HEADING_WORDS:
            continue
        if _WIDGET_LABEL.fullmatch(line):
            drop[i] = True
            continue
        if not _BLOCK_HEADING.fullmatch(line):
            continue
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or _teaser_like(lines[end])):
            end += 1
        if any(lines[k].strip() for k in range(i + 1, end)) or end == len(lines):
            for k in range(i, end):
                drop[k] = True
    return drop


# --------------------------------------------------------------------------- calls to action and contact lines

_PROMO_PHRASE = re.compile(
    r"\b(?:click|tap) here\b|\b(?:in|to) your inbox\b|\bdownload (?:our|the) (?:\w+ )?app\b|\bget the [\w .'&-]{1,30} app\b"
    r"|\bfree trial\b|\bfor as little as\b|\bthanks for signing up\b|\berror processing your subscription\b"
    r"|\blike this (?:story|article)\?",
    re.IGNORECASE,
)
# Prefilter keys: each alternative of _PROMO_PHRASE holds one of these (lower-cased).
_PROMO_KEYS = ("k here", "p here", "inbox", "download", "get the", "free trial", "as little as", "signing up",
               "error processing", "like this")
_PROMO_PROMPT = re.compile(
    r"[^\w\"“”‘’'«»]*(?:subscribe|sign up|join|get|download|register|follow|listen)(?: to| for| on)? (?:our|the|my) [\w .'&+-]{0,40}?"
    r"\b(?:newsletters?|podcasts?|app|alerts|youtube channel|membership|subscription)\b",
    re.IGNORECASE,
)
_MAX_PROMO_WORDS = 40  # prototype value: a call to action is a line or two, never a paragraph


@_rule
def promo_prompt(text: str) -> str:
    """Calls to action: "Click here to ...", "Download our app", "Subscribe to our podcast", free-trial pitches.

    Only short lines (at most 40 words) with the imperative shape of a prompt
    go: a line that opens with the verb and names what to subscribe to, or a
    fixed prompt phrase ("click here", "in your inbox", "free trial").

    >>> promo_prompt("Shares fell 4%.\\nDownload our app to get alerts on your phone.\\nThe bank declined to comment.")
    'Shares fell 4%.\\nThe bank declined to comment.'
    """
    lines = _lines(text)
    drop = [bool(line and _PROMO_PROMPT.match(line)) for line in lines]
    for i in _key_lines(_fold(text), _PROMO_KEYS):
        drop[i] = drop[i] or bool(_PROMO_PHRASE.search(lines[i]))
    for i, d in enumerate(drop):
        drop[i] = d and _words(lines[i]) <= _MAX_PROMO_WORDS
    return _without(text, lines, drop)


_SOCIAL = r"(?:twitter|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon|x)"
_ADDRESS = r"(?:\S+@\S+\.\w+|@\w+)"
_CONTACT = re.compile(
    r"\W{0,3}(?:follow (?:him|her|them|us|me|@\w+)\b.{0,80}|follow\b.{0,80}\bon " + _SOCIAL + r"\b.{0,80}"
    r"|(?:email|e-mail|write to|contact|reach) .{0,80}" + _ADDRESS + r".{0,80}"
    r"|have a (?:news )?tip\b.{0,160}|" + _ADDRESS + r"|(?:https?://)?(?:www\.)?" + _SOCIAL + r"\.com/\S+)\W*",
    re.IGNORECASE,
)
_CONTACT_KEYS = ("follow", "@", "tip", ".com/")


@_rule
def contact_line(text: str) -> str:
    """Author contact and follow prompts: "Follow her on Twitter @jdoe", "Email Jane at jane@example.com", "Have a tip?", a bare handle or address.

    A contact line names a network or carries an address or handle, so
    "Contact with the rebels was lost" or "Follow the money" stays.

    >>> contact_line("The talks failed.\\nFollow Jane Doe on Twitter @janedoe.\\nEmail her at jane@example.com")
    'The talks failed.'
    """
    folded = _fold(text)
    candidates = _key_lines(folded, _CONTACT_KEYS)
    if not candidates:
        return _tidy(text)
    lines = _lines(text)
    drop = [False] * len(lines)
    for i in candidates:
        drop[i] = _words(lines[i]) <= _MAX_PROMO_WORDS and bool(_CONTACT.fullmatch(lines[i]))
    return _without(text, lines, drop)


# --------------------------------------------------------------------------- credits and notices at the end

_TAIL_LINES = 6  # prototype value: credits and notices sit in the last few lines of a story
_CREDIT = re.compile(
    r"\W{0,3}(?:additional )?(?:reporting|editing|writing|compiled|research|produced)(?: and \w+)? by (?P<names>.+)",
    re.IGNORECASE,
)
_CONTRIBUTED = re.compile(r"\bcontributed (?:reporting|to this (?:report|story|article))\b", re.IGNORECASE)
_CREDIT_FILLER = {"and", "in", "by", "from", "of", "with", "at", "the", "for"}


def _names_only(words: str) -> bool:
    """Mostly capitalised words (names, places) apart from linking words: "Jane Doe in Nairobi; Editing by John Smith"."""
    tokens = [t for t in re.findall(r"[^\W\d_][\w'’.-]*", words) if t.lower() not in _CREDIT_FILLER]
    return bool(tokens) and sum(t[0].isupper() for t in tokens) >= 0.8 * len(tokens)


@_rule
def reporting_credit(text: str) -> str:
    """Reporting credits in the last lines: "Reporting by …; Editing by …", "X contributed to this report."

    "Reporting by" must be followed by names (capitalised words), so a
    sentence such as "Reporting by the paper showed the scheme failed" stays.

    >>> reporting_credit("The talks failed.\\n(Reporting by Jane Doe in Nairobi; Editing by John Smith)")
    'The talks failed.'
    """
    lines = _lines(text)
    drop = [False] * len(lines)
    for i in _tail(lines, _TAIL_LINES):
        drop[i] = _is_credit(lines[i])
    return _without(text, lines, drop)


def _is_credit(line: str) -> bool:
    """A credit line: a short "Reporting by <names>" or "... contributed to this report"."""
    by = " by " in line
    if not by and "contributed" not in _fold(line):
        return False  # neither pattern can match
    credit = _CREDIT.match(line)
    if credit and _names_only(credit.group("names")):
        return _words(line) <= 50
    if by and "contributed" not in _fold(line):
        return False  # _CONTRIBUTED cannot match
    return _CONTRIBUTED.search(line) is not None and _words(line) <= 50


def _tail(lines: list[str], count: int) -> list[int]:
    """Indices of the last ``count`` non-blank lines."""
    out = []
    for i in range(len(lines) - 1, -1, -1):
        if len(out) == count:
            break
        if lines[i].strip():
            out.append(i)
    return out


# The alternatives of _NOTICE, each with what a line needs (lower-cased) for it
# to match, one key of every group, and the literal its matches start with
# (None where it starts otherwise).
_NOTICE_PARTS: tuple[tuple[tuple[tuple[str, ...], ...], str | None, str], ...] = (
    ((("©",),), "©", r"©"),
    ((("(c)",),), "(c)", r"\(c\)\s*\d{4}"),
    ((("copyright",),), "copyright", r"\bcopyright\s*(?:©|\(c\))?\s*\d{4}"),
    ((("all rights reserved",),), "all rights reserved", r"\ball rights reserved\b"),
    ((("non-commercial use",), ("personal",)), None, r"\bfor (?:your )?personal,? non-commercial use\b"),
    ((("published, broadcast",), ("may not be ",)), "may not be ", r"\bmay not be (?:re)?published, broadcast"),
    ((("may get ", "may earn ", "may receive "), ("share", "commission")), "may ",
     r"\bmay (?:get|earn|receive) (?:a )?(?:small )?(?:share|commission)"),
    ((("affiliate ",),), "affiliate ", r"\baffiliate (?:links?|commission|partnerships?)\b"),
)
_NOTICE = re.compile("|".join(part for _, _, part in _NOTICE_PARTS), re.IGNORECASE)
# One key per alternative of _NOTICE, held by every line it matches (lower-cased): legal_notice's fast path
# looks for the last lines that hold one.
_NOTICE_KEYS = ("©", "(c)", "copyright", "all rights reserved", "non-commercial use", "published, broadcast",
                "may get ", "may earn ", "may receive ", "affiliate ")
_NOTICE_BKEYS = tuple(key.encode("utf-8") for key in _NOTICE_KEYS)
# Searched one by one, only where the line holds the part's keys, and in an
# ASCII line (where the folded line has the same positions) from the first
# place its starting literal occurs: an IGNORECASE alternation crawls along a
# paragraph character by character.
_NOTICE_SEARCH = tuple((groups, start, re.compile(part, re.IGNORECASE)) for groups, start, part in _NOTICE_PARTS)


def _notice(line: str) -> bool:
    """Whether ``_NOTICE.search(line)`` finds something."""
    folded = _fold(line)
    for groups, start, regex in _NOTICE_SEARCH:
        for keys in groups:  # plain loops: this runs for every line of every tail
            for key in keys:
                if key in folded:
                    break
            else:
                break  # no key of this group: the part cannot match
        else:
            pos = folded.find(start) if start is not None and line.isascii() else 0
            if regex.search(line, pos) is not None:
                return True
    return False


@_rule
def legal_notice(text: str) -> str:
    """Copyright, licence and affiliate notices among the last lines: "© 2019 Associated Press …", "We may earn a commission …".

    Only notice shapes count (a © sign, "copyright" with a year, "all rights
    reserved", affiliate disclosures), so a story about a copyright dispute
    keeps its sentences.

    >>> legal_notice("The talks failed.\\n© 2024 Example Media. All rights reserved.\\nMore to come.")
    'The talks failed.\\nMore to come.'
    """
    lines = _lines(text)
    drop = [False] * len(lines)
    for i in _tail(lines, _TAIL_LINES):
        line = lines[i]
        drop[i] = _notice(line) and _words(line) <= 60
    return _without(text, lines, drop)


# --------------------------------------------------------------------------- time stamps

_STAMP_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september "
    "october november december mon tue tues wed thu thurs fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday am pm a p m et est edt ct cst cdt pt pst pdt gmt bst cet utc z t at on by updated published "
    "posted last modified update publish date time".split()
)
_STAMP_MONTHS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec january february march april may june july august "
    "september october november december updated published posted".split()
)
_NUMERIC_STAMP = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}")


# Every character for which str.isdigit() is true (decimal digits, superscripts,
# circled and other digits; astral planes taken whole): a superset, checked
# against every code point in tests/test_clean_prefilters.py.
_DIGIT_LIKE = re.compile(
    "[\\d\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070-\u2089\u2460-\u24ff\u2776-\u2793\U00010000-\U0010ffff]"
)


_THIRTEEN_WORDS = re.compile(r"\W*(?:\w+\W+){12}\w")


def _stamp(line: str) -> bool:
    """A date/time line: "UPDATED: Tue., Nov. 19, 2019", "5:45 AM PST 11/19/2019 by Jane Doe"; at most three other words."""
    if _THIRTEEN_WORDS.match(line):
        return False  # too many tokens (lower-casing never joins two tokens), decided from the first 13 words
    if _DIGIT_LIKE.search(line) is None:
        return False  # undated: no digit token and no numeric stamp, decided without tokenising
    tokens = _WORD.findall(line.lower())
    if not 0 < len(tokens) <= 12:
        return False
    dated = (any(t.isdigit() for t in tokens) and any(t in _STAMP_MONTHS for t in tokens)) or bool(
        _NUMERIC_STAMP.search(line)
    )
    if not dated:
        return False
    other = [t for t in tokens if not (t in _STAMP_WORDS or t.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th|t\d+)", t))]
    return len(other) <= 3


@_rule
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
        if len(head) == 3:
            break
        if line.strip():
            head.append(i)
    drop = [False] * len(lines)
    for i in head:
        drop[i] = _stamp(lines[i])
    for i in _tail(lines, 1):
        if i not in head:
            drop[i] = _last_stamp(lines[i])
    return _without(text, lines, drop)


_STAMP_OPENER = re.compile(r"\W*(?:updated|published|posted|last modified|last updated|first published|publish date)\b",
                           re.IGNORECASE)


def _last_stamp(line: str) -> bool:
    """A stamp as the last line: one that carries a date or opens with "Updated", "Published" …; a closing
    line with a time alone ("Voting closes at 22:00", "Kick-off is at 19:45 GMT") is the article's."""
    if not _stamp(line):
        return False
    if _STAMP_OPENER.match(line):
        return True
    tokens = _WORD.findall(line.lower())
    return (any(t.isdigit() for t in tokens) and any(t in _STAMP_MONTHS for t in tokens)) or bool(
        _DATE_STAMP.search(line))


_DATE_STAMP = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


# --------------------------------------------------------------------------- page rules (HTML input)

_TITLE_LINES = 3  # prototype value: an extractor keeps the headline at the very top, if at all
_TITLE_SIMILARITY = 0.9  # prototype value: the same headline up to small edits (punctuation, a word)


def _similar(line: str, candidates: Iterable[str]) -> bool:
    for title in candidates:
        if line == title:
            return True
        matcher = difflib.SequenceMatcher(None, line, title, autojunk=False)
        if matcher.real_quick_ratio() >= _TITLE_SIMILARITY and matcher.ratio() >= _TITLE_SIMILARITY:
            return True
    return False


@_page_rule
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
        drop[i] = _words(lines[i]) <= 40 and _similar(normalize_words(lines[i]), page.titles)
    return _without(text, lines, drop)


_LINK_SHARE = 0.5  # prototype value: half of the line's words are the text of links to the site's other pages
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


@_page_rule
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


# --------------------------------------------------------------------------- fast paths

# A fast path gives exactly what its rule function gives on a tidy text (see
# _is_tidy; normalize_whitespace output is tidy), but looks at a few lines
# only: those that necessary conditions, derived from the rule's patterns,
# leave. tests/test_clean_prefilters.py checks with hypothesis that the fast
# paths give what the rules give, and each condition against its pattern.
#
# Openings. The line patterns are anchored (fullmatch, match or ``^``) and open
# with optional space or punctuation (``\s*``, ``\W{0,3}``, ``\W*``) before
# fixed words; _OPENERS lists those words, rule by rule, and _OPEN_LINE matches
# them (IGNORECASE, after ``\W*``) at the start of a line. One scan of the
# text's _bfold form (_OPEN_ANY, see _open_any) finds every line that an
# opener may match, and _open_hits notes, per line, the rules whose openers
# do: a rule then tests only its own lines.
#
# Keys. Strings that every match of a pattern holds (the ..._KEYS and
# ..._GROUPS tables, lower case). _bfold turns the text into UTF-8 with every
# character that IGNORECASE takes for an ASCII letter turned into that letter
# (far cheaper than str.lower on a text with any non-ASCII character), so a
# line that a pattern matches holds each key in that form; one bytes ``in``
# per key says whether any line does, and bytes.find which ones.
#
# Position. The rules that look at the first or last lines look only there.
#
# What depends on a line alone (a rule's verdict on it, the rules it opens
# for) is remembered by line text in _MEMO, across the passes of one text and
# from text to text; a view made by removing lines (_View.without) takes over
# the lines found in the view it came from.

_SOCIAL_WORDS = "twitter|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon|x"
_HEADING_OPENER = (  # _HEADING
    r"(?:the )?(?:latest|related|more|top|trending|popular|recommended|recent|other|editor|most"
    r"|you (?:may|might|could)|read|also read|see also|in other news|don|what to read next|elsewhere)"
)
_BLOCK_OPENER = (  # _BLOCK_HEADING and _WIDGET_LABEL
    r"related|more |you may|you might|recommended|most |popular|read|viewed|shared|trending|top stories"
    r"|latest |don|explore further|further reading|what to read next|tag|filed under|\d+ comment|comment|leave a"
    r"|join the|share"
)


def _opening(pattern: str) -> re.Pattern[str]:
    return re.compile(r"\n\W*(?:" + pattern + ")", re.IGNORECASE)


# The scans of latest_headlines and related_block, which their rule functions use
# too: over ``"\n" + text``, a match ends on the line that holds its word.
_OPEN_HEADING = _opening(_HEADING_OPENER)
_OPEN_BLOCK = _opening(_BLOCK_OPENER)


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


def _scan_lines(text: str, regex: re.Pattern[str]) -> list[int]:
    """The lines of ``text`` where a match of ``regex`` over ``"\\n" + text`` ends, in order."""
    found: set[int] = set()
    _line_numbers("\n" + text, regex, found)
    return sorted(found)


_NEWSLETTER_NOUN_WORDS = r"(?:newsletter|inbox|email updates|daily briefing|alerts)"
_PROMO_NOUN_WORDS = r"(?:newsletter|podcast|app|alerts|youtube channel|membership|subscription)"

#: The opening words of each rule's line patterns, alternative by alternative, in
#: lower case. Each stays on one line (``[^\n]``, ``[^\S\n]`` where a pattern has
#: ``.`` or ``\s``), as _OPEN_ANY runs them over the whole text, and optional
#: words are spelt out ("the story", "story") so that each starts with its letter.
_OPENERS: dict[str, tuple[str, ...]] = {
    "ad_label": (  # _AD
        "ad", "sponsored", "promoted", "paid", "the story", "the article", "the content", "story", "article",
        "content", "scroll", "skip",
    ),
    "audio_widget": (  # _WIDGET
        "audio by", "listen", "play", r"\d\d?:\d", r"\d+[^\S\n]*min", "your browser", "voiced by", "narrated by",
        "powered by", "text size", "font size", r"aa?[^\S\n]*[+-]",
    ),
    "share_bar": (  # _SHARE: the first of its words opens the line
        "share", "tweet", "e-?mail", "print", "copy", "save", "facebook", "twitter", "x", "whatsapp", "linkedin",
        "reddit", "telegram", "pinterest", "flipboard", "messenger", "threads", "bluesky", "comment", "follow us",
    ),
    "contact_line": (  # _CONTACT: an opening verb, a network, a URL, or an address or handle in the first word
        "follow", "email", "e-mail", "write to", "contact", "reach", "have a", "http", "www",
        *_SOCIAL_WORDS.split("|"), r"[^\s@]*@",  # [^\s@]*@ opens a line exactly where \S*@ does
    ),
    "latest_headlines": (  # _HEADING
        r"the (?:latest|related|more|top|trending|popular|recommended|recent|other|editor|most"
        r"|you (?:may|might|could)|read|also read|see also|in other news|don|what to read next)",
        "latest", "related", "more", "top", "trending", "popular", "recommended", "recent", "other", "editor", "most",
        "you (?:may|might|could)", "read", "also read", "see also", "in other news", "don", "what to read next",
        "elsewhere",
    ),
    "related_block": tuple(_BLOCK_OPENER.split("|")),  # _BLOCK_HEADING and _WIDGET_LABEL
    "embedded_post": (  # _POST_LABEL
        "view this post", "a post shared", "this (?:tweet|post) (?:may|was)", "tweet (?:may|was)", "post (?:may|was)",
        "embedded", "allow", "accept",
    ),
    "reporting_credit": (  # _CREDIT
        "additional ", "reporting", "editing", "writing", "compiled", "research", "produced",
    ),
    # A verb opens the line, a noun follows on it (_NEWSLETTER).
    "newsletter_prompt": tuple(verb + r"[^\n]*" + _NEWSLETTER_NOUN_WORDS
                               for verb in ("sign up", "subscribe", "join", "get", "register", "enter your email")),
    # A label, then a colon, bar or bracket on the line (_TEASER).
    "teaser_link": tuple(label + r"[^\n]*[:|\]]" for label in (
        "read", "also", "see", "related", "more", "recommended", "watch", "listen", "trending", "most read", "you may",
        "you might", "don")),
    # _PROMO_PROMPT opens a line and names what to get on it.
    "promo_prompt": tuple(
        verb + r"[^\n]*" + _PROMO_NOUN_WORDS
        for verb in ("subscribe", "sign up", "join", "get", "download", "register", "follow", "listen")
    ),
}


#: Each rule's openers, matched (like the rules' patterns, IGNORECASE) at the start of a line.
_OPEN_LINE = {name: re.compile(r"\W*(?:" + "|".join(alts) + ")", re.IGNORECASE) for name, alts in _OPENERS.items()}
_OPEN_BIT = {name: 1 << k for k, name in enumerate(_OPENERS)}
_OPEN_MATCHES = tuple((_OPEN_BIT[name], regex.match) for name, regex in _OPEN_LINE.items())
# All of them at once: most lines that the scan below finds open with no opener.
_OPEN_LINE_ANY = re.compile(r"\W*(?:" + "|".join(alt for alts in _OPENERS.values() for alt in alts) + ")",
                            re.IGNORECASE)


def _open_any(at: bool) -> re.Pattern[bytes]:
    r"""The scan of a :func:`_bfold` text (after a newline) for the lines that may open with the words of a rule.

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
    :data:`_OPEN_LINE` then decides, line by line.

    The alternatives that open with a letter are grouped under it
    (``a(?:d|udio by|...)``), which the regex engine passes over at one
    comparison when a line opens otherwise; within a group, those that run
    along the line (``[^\n]*``) come last, and one that extends a literal one
    (``more[^\n]*[:|\]]`` after ``more``) is left out. None of this changes
    which lines match.
    """
    groups: dict[str, list[str]] = {}
    for alts in _OPENERS.values():
        for alt in alts:
            if alt[0].isascii() and alt[0].isalpha():
                rest = groups.setdefault(alt[0], [])
                if alt[1:] not in rest:
                    rest.append(alt[1:])
    parts = []
    for letter, rest in sorted(groups.items()):
        # After the letter, no class that means other bytes than characters (but [^\S\n], replaced below).
        assert not any(re.search(r"\\[dDsSwWb]", r.replace(r"[^\S\n]", "")) for r in rest), rest
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


_OPEN_ANY = _open_any(at=True)  # for texts that hold an "@"
_OPEN_ANY_NO_AT = _open_any(at=False)

_TAG_OPEN = re.compile(r"\[[A-Z]")  # what _TAGGED_HEADLINE needs (it is case-sensitive), on the original text
_POST_LINK_END = re.compile(  # every _POST_LINK match holds one of these, ending in "/"
    r"/(?:(?<=pic\.twitter\.com/)|(?<=t\.co/)|(?<=/status/)|(?<=instagram\.com/p/))", re.IGNORECASE
)

# Keys (see above) as groups: a line that a pattern matches holds one key of
# every group. The first group is the one most often missing.
_Groups = tuple[tuple[str, ...], ...]
#: For each of _PAYWALL_CUES, in order.
_PAYWALL_CUE_GROUPS: tuple[_Groups, ...] = (
    (("already a",),),
    (("your ",), ("your account", "your subscri")),
    (("reading",), ("continue reading", "keep reading")),
    (("subscri",), ("subscribe ",)),
    (("account",), ("a account", "a free account")),
    (("subscri", "member"), ("subscribers", "members")),
    (("ve reached ", "ve used "),),  # "you've reached", "you have used"
    (("access",), ("l access", "d access")),  # "full access", "unlimited access", "full digital access"
    (("your ",), ("your card on file",)),
    (("subscri", "member"), ("only",)),
    (("unable to see the content",),),
    ((" button",),),
)
#: For each alternative of _PROMO_PHRASE, in order.
_PROMO_PHRASE_GROUPS: tuple[_Groups, ...] = (
    (("click here", "tap here"),),
    (("your ",), ("your inbox",)),
    (("download ",), ("download our ", "download the ")),
    (("get the ",), (" app",)),
    (("free trial",),),
    (("as little as",),),
    (("signing up",),),
    (("your ",), ("error processing your subscription",)),
    (("like this ",), ("like this story?", "like this article?")),
)
_CONTRIBUTED_KEY = "contributed "  # what _CONTRIBUTED needs


def _bfold(text: str) -> bytes:
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
_BGroups = tuple[tuple[bytes, ...], ...]


def _bgroups(groups: _Groups) -> _BGroups:
    return tuple(tuple(key.encode("utf-8") for key in keys) for keys in groups)


# The key tables as the fast paths use them, over _bfold text.
_PAYWALL_CUE_BGROUPS = tuple(_bgroups(groups) for groups in _PAYWALL_CUE_GROUPS)
_PROMO_PHRASE_BGROUPS = tuple(_bgroups(groups) for groups in _PROMO_PHRASE_GROUPS)
_CONTRIBUTED_BKEY = _CONTRIBUTED_KEY.encode("utf-8")


class _Memo:
    """What the fast paths remember about lines from text to text: each entry is a function of a line alone.

    ``verdicts``: per rule, its verdict on a line (for latest_headlines, the
    line's kind); ``title``: whether repeated_title may remove something, by
    the first two non-blank lines; ``footer``: whether a last line lets
    syndication_footer remove something; ``openers``: the rules a line opens
    for (a bit mask, see :func:`_open_hits`). Syndicated copies and one
    outlet's pages share most of their furniture lines, so these are kept
    across texts, not only across the passes over one; :meth:`trim` bounds them.
    """

    __slots__ = ("verdicts", "title", "footer", "openers", "texts")

    def __init__(self) -> None:
        self.verdicts: defaultdict[str, dict[str, Any]] = defaultdict(dict)
        self.title: dict[tuple[str, str], bool] = {}
        self.footer: dict[str, bool] = {}
        self.openers: dict[str, int] = {}
        self.texts = 0  # texts seen since the last trim

    def trim(self) -> None:
        """Empty each table that holds more than :data:`_MEMO_LINES` entries."""
        self.texts = 0
        for table in (*tuple(self.verdicts.values()), self.title, self.footer, self.openers):
            if len(table) > _MEMO_LINES:
                table.clear()


# At most this many lines per table: some 10 MB for a table of 500-character
# paragraphs, and a few thousand texts' worth of furniture lines (the 5,000 texts of
# benchmarks/syndication hold some 24,000 distinct lines).
_MEMO_LINES = 1 << 14
_MEMO_TRIM_EVERY = 1024  # texts between size checks
_MEMO = _Memo()


def _count_text() -> None:
    """Count one more text for :data:`_MEMO`, trimming its tables every :data:`_MEMO_TRIM_EVERY` texts."""
    _MEMO.texts += 1
    if _MEMO.texts >= _MEMO_TRIM_EVERY:
        _MEMO.trim()


def _clear_caches() -> None:
    """Forget what the fast paths remember about lines (for benchmarks that time a cold start)."""
    global _MEMO
    _MEMO = _Memo()


class _View:
    """A tidy text under the fast paths, with the forms they share, each made when first asked for.

    A view of the text less some lines (:meth:`without`) takes over, line by
    line, what the view it came from found (folded lines, opening lines, lines
    that hold a key) instead of looking again: each depends on a line alone.
    ``keys`` holds the keys that the views of one :func:`apply_rules_until_stable`
    call have looked for lines with (see :meth:`holding`); what the rules
    remember about a line is in :data:`_MEMO`.
    """

    __slots__ = ("text", "keys", "tidy", "start", "no_post", "_parent", "_kept", "_number", "_lines", "_folded",
                 "_flines", "_hits", "_holding", "_has", "_tail", "_unique")

    def __init__(self, text: str, keys: set[bytes], tidy: bool | None = None) -> None:
        self.text = text
        self.keys = keys
        self.tidy = _is_tidy(text) if tidy is None else tidy
        self.start = 0  # the lines before this one are those of the parent view
        self.no_post = False  # known to hold no line that embedded_post's fast path looks at
        self._parent: _View | None = None
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
        """``b"\\n" + _bfold(text)``: line ``i`` of the text is line ``i + 1`` here."""
        if self._folded is None:
            flines = self._known_flines() if self._parent is not None else None
            self._folded = b"\n" + _bfold(self.text) if flines is None else b"\n".join(flines)
        return self._folded

    @property
    def tail(self) -> list[int]:
        """The last :data:`_TAIL_LINES` non-blank lines, last first (:func:`_tail`)."""
        if self._tail is None:
            self._tail = _tail(self.lines, _TAIL_LINES)
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
        """In order, the lines that open with the words of rule ``name`` (:data:`_OPENERS`)."""
        hits = self._hits
        if hits is None:
            hits = self._known_hits() if self._parent is not None else None
            if hits is None:
                hits = self._hits = _open_hits(self.folded, self.lines)
        bit = _OPEN_BIT[name]
        return [i for i, rules in hits if rules & bit]

    def holding(self, key: bytes) -> set[int]:
        """The lines whose folded form holds ``key`` (no key holds a newline); callers must not change it."""
        found = self._holding.get(key)
        if found is None:
            keys = self.keys
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

    def has_all(self, groups: _BGroups) -> bool:
        """Whether the folded text holds a key of every group (no line lookup: most texts hold none)."""
        has = self.has
        for keys in groups:
            for key in keys:
                if has(key):
                    break
            else:
                return False
        return True

    def holding_all(self, groups: _BGroups) -> set[int]:
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

    def without(self, drop: Iterable[int]) -> "_View":
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
        view = _View("\n".join(new_lines), self.keys, True)
        view._lines = new_lines
        view._parent, view._kept = self, kept
        view.no_post = self.no_post
        view.start = len(kept) if first < 0 else first  # lines before it are the parent's, at the same number
        return view

    def _without_run(self, low: int, high: int) -> "_View":
        """:meth:`without` of the lines ``low`` to ``high - 1``, by slicing.

        This view is tidy (see :func:`_is_tidy`): at most one empty line has
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
        view = _View("\n".join(new_lines), self.keys, True)
        view._lines = new_lines
        view._parent, view._kept = self, kept
        view.no_post = self.no_post
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


_NONE: set[int] = set()  # an empty result that callers must not change


def _open_hits(folded: bytes, lines: list[str]) -> list[tuple[int, int]]:
    """(line, bit mask of the rules whose openers it opens with) of the lines that the openers match.

    ``folded`` is ``b"\\n"`` + the _bfold form of the text ``lines`` make up.
    _OPEN_ANY finds the lines that may open so, :data:`_OPEN_MATCHES` decide.
    """
    hits = []
    known = _MEMO.openers
    scan = _OPEN_ANY if b"@" in folded else _OPEN_ANY_NO_AT
    line, counted = -1, 0
    for m in scan.finditer(folded):
        start = m.start() + 1  # the line's first character
        line += folded.count(b"\n", counted, start)
        counted = start
        text = lines[line]
        rules = known.get(text)
        if rules is None:
            rules = 0
            if _OPEN_LINE_ANY.match(text):
                for bit, match in _OPEN_MATCHES:
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


def _drop(t: _View, name: str, candidates: Iterable[int], removes: Callable[[str], bool]) -> _View | None:
    """The view without the candidate lines that ``removes`` says yes to (remembered by line); None when none goes."""
    verdicts = _MEMO.verdicts[name]
    lines = t.lines
    drop: list[int] | None = None
    for i in candidates:
        line = lines[i]
        verdict = verdicts.get(line)
        if verdict is None:
            verdict = verdicts[line] = removes(line)
        if verdict:
            if drop is None:
                drop = []
            drop.append(i)
    return None if drop is None else t.without(drop)


def _plain(t: _View, func: Callable[[str], str]) -> _View | None:
    """A rule function's result as a new view; None when it is the text."""
    new = func(t.text)
    return None if new == t.text else _View(new, t.keys)


# Per-line verdicts: exactly the test each rule applies to a line.

def _is_widget(line: str) -> bool:
    return bool(line) and _WIDGET.fullmatch(line) is not None


def _is_ad(line: str) -> bool:
    return bool(line) and _AD.fullmatch(line) is not None


def _is_share_bar(line: str) -> bool:
    return bool(line) and _SHARE.fullmatch(line) is not None


def _is_newsletter(line: str) -> bool:
    folded = _fold(line)
    return (_has(folded, _NEWSLETTER_NOUNS) and _has(folded, _NEWSLETTER_VERBS) and bool(_NEWSLETTER.search(line))
            and _words(line) <= 30)


def _is_teaser(line: str) -> bool:
    # The word count first: it is cheap, and it spares _TAGGED_HEADLINE the long lines.
    return (bool(line) and _words(line) <= _MAX_TEASER_WORDS
            and bool(_TEASER.match(line) or ("[" in line and _tagged(line))))


_TAG_END = re.compile(r"\[[A-Z][A-Z ]{1,15}\]\W*$")  # the end of _TAGGED_HEADLINE
_THREE_WORDS = re.compile(r"\W*\w+\W+\w+\W+\w")  # what _TAGGED_HEADLINE needs before the tag


def _tagged(line: str) -> bool:
    """``_TAGGED_HEADLINE.search(line) is not None`` (for a line without a newline) in linear time.

    The search backtracks quadratically on a long line that holds "[". Its
    tag can start at one "[" only: a tag holds a letter, and only non-word
    characters may follow it, so a later tag would follow an earlier one.
    Before that "[" it needs three words (``\\w+\\W+\\w+\\W+\\w+``, then ``.*``).
    """
    tag = _TAG_END.search(line)
    return tag is not None and _THREE_WORDS.match(line, 0, tag.start()) is not None


def _is_promo(line: str) -> bool:
    if _words(line) > _MAX_PROMO_WORDS:
        return False  # decided by one split, before the searches
    return bool(line and _PROMO_PROMPT.match(line)) or (_has(_fold(line), _PROMO_KEYS)
                                                        and bool(_PROMO_PHRASE.search(line)))


def _is_contact(line: str) -> bool:
    return _has(_fold(line), _CONTACT_KEYS) and _words(line) <= _MAX_PROMO_WORDS and bool(_CONTACT.fullmatch(line))


def _is_notice(line: str) -> bool:
    return _notice(line) and _words(line) <= 60


# The fast path of each rule: what the rule returns on a tidy text, None when that is the text itself.

def _fast_opened(name: str, removes: Callable[[str], bool]) -> Callable[[_View], _View | None]:
    """The fast path of a line rule whose lines open with its words (:data:`_OPENERS`)."""
    def fast(t: _View) -> _View | None:
        found = t.opened(name)
        return _drop(t, name, found, removes) if found else None
    fast.__doc__ = f"{name} on a tidy text: only the lines that open with its words."
    return fast


def _fast_keyed(name: str, keys: tuple[str, ...], removes: Callable[[str], bool]) -> Callable[[_View], _View | None]:
    """The fast path of a line rule whose lines hold one of ``keys`` (lower-cased)."""
    bkeys = tuple(key.encode("utf-8") for key in keys)

    def fast(t: _View) -> _View | None:
        found: set[int] = set()
        for key in bkeys:
            if t.has(key):
                found |= t.holding(key)
        return _drop(t, name, sorted(found), removes) if found else None
    fast.__doc__ = f"{name} on a tidy text: only the lines that hold one of its keys."
    return fast


def _fast_teaser(t: _View) -> _View | None:
    """teaser_link: lines that open with a label, and lines with a "[" and a capital (a tag)."""
    found = t.opened("teaser_link")
    if "[" in t.text:
        found = set(found)
        text = t.text
        line, counted = 0, 0
        for m in _TAG_OPEN.finditer(text):
            line += text.count("\n", counted, m.start())
            counted = m.start()
            found.add(line)
    return _drop(t, "teaser_link", found, _is_teaser) if found else None


def _fast_promo(t: _View) -> _View | None:
    """promo_prompt: lines that open with a prompt, and lines that hold the keys of a prompt phrase."""
    found = set(t.opened("promo_prompt"))
    for groups in _PROMO_PHRASE_BGROUPS:
        if t.has_all(groups):
            found |= t.holding_all(groups)
    return _drop(t, "promo_prompt", found, _is_promo) if found else None


def _fast_paywall(t: _View) -> _View | None:
    """paywall: lines that hold the keys of two cues or more (first checked on the whole text)."""
    cues = len(_PAYWALL_CUE_BGROUPS)
    present: list[int] = []  # cues whose keys the text holds
    for k, groups in enumerate(_PAYWALL_CUE_BGROUPS):
        if len(present) + cues - k < 2:
            return None  # no line can hold two
        if t.has_all(groups):
            present.append(k)
    if len(present) < 2:
        return None
    cues_in_line: dict[int, int] = {}
    for k in present:
        for i in t.holding_all(_PAYWALL_CUE_BGROUPS[k]):
            cues_in_line[i] = cues_in_line.get(i, 0) + 1
    candidates = [i for i, n in cues_in_line.items() if n >= 2]
    return _drop(t, "paywall", candidates, _is_paywall) if candidates else None


def _fast_credit(t: _View) -> _View | None:
    """reporting_credit: the last lines that open with a credit or hold "contributed "."""
    opened = t.opened("reporting_credit")
    contributed = t.holding(_CONTRIBUTED_BKEY)
    if not opened and not contributed:
        return None
    found = [i for i in t.tail if i in contributed or i in opened]
    return _drop(t, "reporting_credit", found, _is_credit) if found else None


def _fast_notice(t: _View) -> _View | None:
    """legal_notice: the last lines that hold a key of a notice.

    The keys are looked for only along the last lines not yet judged (on
    an earlier pass, at another place); a line that holds none is judged.
    """
    tail = t.tail
    if not tail:
        return None
    verdicts = _MEMO.verdicts["legal_notice"]
    lines = t.lines
    open_lines = [i for i in tail if lines[i] not in verdicts]
    if open_lines:
        first, last = open_lines[-1], open_lines[0]
        folded = t.folded
        pos, end = len(folded), len(folded)
        for k in range(len(lines) - 1, first - 1, -1):  # back to the newline before the first of them
            if k == last:
                end = pos
            pos = folded.rfind(b"\n", 0, pos)
        holding: set[int] = set()
        for key in _NOTICE_BKEYS:
            holding |= _find_lines(folded, key, pos, first - 1, end)
        for i in open_lines:
            if i not in holding:
                verdicts[lines[i]] = False
    found = [i for i in tail if verdicts.get(lines[i]) is not False]
    return _drop(t, "legal_notice", found, _is_notice) if found else None


def _fast_stamp(t: _View) -> _View | None:
    """timestamp_line: the first three non-blank lines and the last."""
    found: list[int] = []
    for i, line in enumerate(t.lines):
        if len(found) == 3:
            break
        if line.strip():
            found.append(i)
    last = [i for i in t.tail[:1] if i not in found]
    if last and _MEMO.verdicts["timestamp_line:last"].setdefault(t.lines[last[0]], _last_stamp(t.lines[last[0]])):
        found.extend(last)
        # the last line goes by _last_stamp's verdict; _drop asks _stamp, which says yes to every _last_stamp line
    return _drop(t, "timestamp_line", found, _stamp)


def _fast_latest(t: _View) -> _View | None:
    """latest_headlines, line kinds remembered across texts."""
    lines = t.lines
    drop = _latest_drop(lines, t.opened("latest_headlines"), _Kinds(lines, _MEMO.verdicts["latest_headlines"]))
    if not any(drop):
        return None
    return t.without([i for i, d in enumerate(drop) if d])


def _fast_related(t: _View) -> _View | None:
    """related_block: only the lines that open with a heading's or label's words."""
    found = t.opened("related_block")
    if not found:
        return None
    lines = t.lines
    drop = _related_drop(lines, found)
    if not any(drop):
        return None
    return t.without([i for i, d in enumerate(drop) if d])


def _fast_post(t: _View) -> _View | None:
    """embedded_post, when a post label opens a line, or the text holds a post link or an attribution's "(@".

    Each is a property of one line, so a text made of the lines of one
    without any has none either (:attr:`_View.no_post`).
    """
    if t.no_post:
        return None
    text = t.text
    if ("@" in text and "(@" in text) or t.opened("embedded_post") or (
            "/" in text and _POST_LINK_END.search(text) is not None):
        return _plain(t, embedded_post)
    t.no_post = True
    return None


def _fast_title(t: _View) -> _View | None:
    """repeated_title, when the second non-blank line repeats the first (what it removes first)."""
    head = _first_lines(t.text, 2)
    if len(head) < 2:
        return None
    pair = (head[0], head[1])
    may = _MEMO.title.get(pair)
    if may is None:
        first = normalize_words(head[0]) if _words(head[0]) <= 30 else ""
        may = _MEMO.title[pair] = bool(first) and _same_words(head[1], first)
    return _plain(t, repeated_title) if may else None


def _same_words(line: str, words: str) -> bool:
    """``normalize_words(line) == words``, stopping at the first word that differs.

    Word tokens hold no space and are never empty, so two joined token lists
    are equal exactly when the lists are.
    """
    expected = words.split(" ")
    n = 0
    for m in _WORD.finditer(line.casefold()):
        if n == len(expected) or m.group() != expected[n]:
            return False
        n += 1
    return n == len(expected)


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


def _fast_footer(t: _View) -> _View | None:
    """syndication_footer, when the last line is blank or a footer (its first step)."""
    last = t.text.rpartition("\n")[2]
    may = _MEMO.footer.get(last)
    if may is None:
        may = _MEMO.footer[last] = not last.strip() or _FOOTER.fullmatch(last) is not None
    return _plain(t, syndication_footer) if may else None


#: The fast path of every text rule.
_FAST: dict[str, Callable[[_View], _View | None]] = {
    "audio_widget": _fast_opened("audio_widget", _is_widget),
    "ad_label": _fast_opened("ad_label", _is_ad),
    "share_bar": _fast_opened("share_bar", _is_share_bar),
    "paywall": _fast_paywall,
    "newsletter_prompt": _fast_opened("newsletter_prompt", _is_newsletter),
    "support_appeal": _fast_keyed("support_appeal", _APPEAL_KEYS, _is_appeal),
    "account_prompt": _fast_keyed("account_prompt", _ACCOUNT_KEYS, _is_account),
    "embedded_post": _fast_post,
    "repeated_title": _fast_title,
    "latest_headlines": _fast_latest,
    "related_block": _fast_related,
    "teaser_link": _fast_teaser,
    "promo_prompt": _fast_promo,
    "contact_line": _fast_opened("contact_line", _is_contact),
    "syndication_footer": _fast_footer,
    "reporting_credit": _fast_credit,
    "legal_notice": _fast_notice,
    "timestamp_line": _fast_stamp,
}


#: Rules that judge each line by its content alone. Rules only remove whole
#: lines, so every line a later pass sees was seen by such a rule in the first
#: pass and kept: a second pass of these rules removes nothing.
LINE_RULES: frozenset[str] = frozenset(
    {"audio_widget", "ad_label", "share_bar", "paywall", "newsletter_prompt", "teaser_link", "promo_prompt",
     "contact_line", "support_appeal", "account_prompt"}
)


#: The default order: widgets first (they sit between title and body), list and
#: footer blocks last (they are found from the end).
DEFAULT_RULES: tuple[str, ...] = (
    "page_title",
    "link_list",
    "audio_widget",
    "ad_label",
    "share_bar",
    "paywall",
    "newsletter_prompt",
    "support_appeal",
    "account_prompt",
    "embedded_post",
    "repeated_title",
    "latest_headlines",
    "related_block",
    "teaser_link",
    "promo_prompt",
    "contact_line",
    "syndication_footer",
    "reporting_credit",
    "legal_notice",
    "timestamp_line",
)
assert set(DEFAULT_RULES) == set(RULES), "every registered rule must have a place in DEFAULT_RULES"


def line_changes(rule: str, before: str, after: str) -> list[Change]:
    """The removals (and in-line edits) that turned ``before`` into ``after``, by line diff.

    The diff is difflib's (``SequenceMatcher`` over lines, no junk); a removal
    of one run of lines, the common case, is recognised without it (see
    :func:`_one_removed_run`).
    """
    if before == after:
        return []
    return _line_changes(rule, before.split("\n"), after.split("\n"), after)


def _line_changes(rule: str, old: list[str], new: list[str], after: str, tidy: bool | None = None, start: int = 0,
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
    non-empty removed lines are those of the run. tests/test_clean_prefilters.py
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


def _is_tidy(text: str) -> bool:
    """Whether ``text`` is in :func:`join_lines` form: then a rule that removes nothing returns it as it is."""
    return "\n\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")


def apply_rules(
    text: str, names: Iterable[str] = DEFAULT_RULES, page: PageContext | None = None
) -> tuple[str, list[Change]]:
    """Apply the named rules in order; return the text and every change, attributed by rule.

    Page rules run only when a ``page`` is given (text that came from HTML).
    On a tidy text each rule runs as its fast path (:data:`_FAST`), which
    gives what the rule function gives.
    """
    return _apply(text, names, page, True)


def apply_rules_until_stable(
    text: str, names: Iterable[str] = DEFAULT_RULES, page: PageContext | None = None
) -> tuple[str, list[Change]]:
    """:func:`apply_rules` again and again until a pass changes nothing; the text and every change.

    Same result as repeating :func:`apply_rules`; passes after the first skip
    the :data:`LINE_RULES`, which cannot remove anything then.
    """
    names = tuple(names)
    changes: list[Change] = []
    view = _View(text, set())
    _count_text()
    first = True
    while True:
        after, removed = _apply_view(view, names, page, first)
        changes.extend(removed)
        if after.text == view.text:
            return view.text, changes
        view, first = after, False


#: For each rule: its function, its fast path (None for a page rule), whether it is one of LINE_RULES.
_STEPS: dict[str, tuple[Callable[..., str], Callable[[_View], _View | None] | None, bool]] = {
    name: (rule.func, None if rule.needs_page else _FAST[name], name in LINE_RULES) for name, rule in RULES.items()
}


def _plain_step(rule: Rule) -> tuple[Callable[..., str], Callable[[_View], _View | None] | None, bool]:
    """The step of a rule registered after import: its function, applied as it is."""
    func = rule.func
    return func, None if rule.needs_page else (lambda t: _plain(t, func)), False


def _apply(text: str, names: Iterable[str], page: PageContext | None, first_pass: bool) -> tuple[str, list[Change]]:
    """One pass of the rules."""
    _count_text()
    view, changes = _apply_view(_View(text, set()), names, page, first_pass)
    return view.text, changes


def _apply_view(view: _View, names: Iterable[str], page: PageContext | None, first_pass: bool
                ) -> tuple[_View, list[Change]]:
    """One pass of the rules over a view; the view of the result (``view`` itself when nothing changed) and the changes.

    Views made on the way take over what the view before them found, so a
    later pass starts from what this one found.
    """
    changes: list[Change] = []
    for name in names:
        step = _STEPS.get(name)
        func, fast, line_rule = step if step is not None else _plain_step(RULES[name])
        if fast is None:  # a page rule
            if page is None:
                continue
            new = func(view.text, page)
            if new == view.text:
                continue
            after = _View(new, view.keys)
        elif view.tidy:  # a rule that removes nothing returns a tidy text as it is: its fast path applies
            if line_rule and not first_pass:
                continue
            found = fast(view)
            if found is None:
                continue
            after = found
        else:
            new = func(view.text)
            if new == view.text:
                continue
            after = _View(new, view.keys)
        changes.extend(_line_changes(name, view.lines, after.lines, after.text, after.tidy,
                                     after.start if after._parent is view else 0, view.unique))
        view = after
    return view, changes
