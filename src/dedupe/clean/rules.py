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
output is) a rule whose prefilter proves that it removes nothing is skipped;
the line rules, and the rules that look only at the first or last lines, test
only the candidate lines that one regex scan of the text finds, remembering
each line's verdict from pass to pass; passes after the first skip the rules
that judge a line by its content alone (:data:`LINE_RULES`), which cannot
remove anything then; and :func:`line_changes` records the removal of one
run of lines without difflib. The section "prefilters" below says how the
scans are derived from the patterns.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Iterable

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
    if not low.isascii():
        low = low.replace("\u017f", "s").replace("\u0131", "i").replace("\u0307", "")
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
    r"|what to read next\s*:?|more (?:from|in) [\w .'&-]{1,40}:?"
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
    # A trailing run of headline/age pairs without a heading: three ages or more.
    start = len(lines)
    while start > 0 and kinds[start - 1] != "text":
        start -= 1
    tail = [kinds[k] for k in range(start, len(lines))]
    if tail.count("age") >= 3 and tail.count("headline") >= 3:
        for k in range(start, len(lines)):
            drop[k] = True
    return drop


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
    hits = sum(1 for cue in cues if _PAYWALL_CUES[cue].search(line))
    return hits >= 2 and _words(line) <= 120


def _is_paywall(line: str) -> bool:
    """paywall's verdict on one line (its cues are those of the keys it holds)."""
    folded = _fold(line)
    cues: set[int] = set()
    for key, key_cues in _PAYWALL_KEYS:
        if key in folded:
            cues.update(key_cues)
    return len(cues) >= 2 and _paywall_line(line, cues)


_NEWSLETTER = re.compile(
    r"^\W*(?:sign up|subscribe|join|get|register|enter your email)\b.{0,80}"
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
    r"\W*(?:subscribe|sign up|join|get|download|register|follow|listen)(?: to| for| on)? (?:our|the|my) [\w .'&+-]{0,40}?"
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
    ((("share", "commission"), ("get ", "earn ", "receive "), ("may ",)), "may ",
     r"\bmay (?:get|earn|receive) (?:a )?(?:small )?(?:share|commission)"),
    ((("affiliate ",),), "affiliate ", r"\baffiliate (?:links?|commission|partnerships?)\b"),
)
_NOTICE = re.compile("|".join(part for _, _, part in _NOTICE_PARTS), re.IGNORECASE)
_NOTICE_KEYS = ("©", "(c)", "copyright", "rights reserved", "commercial use", "broadcast", "share", "commission",
                "affiliate")  # one per alternative of _NOTICE
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
    if _DIGIT_LIKE.search(line) is None:
        return False  # undated: no digit token and no numeric stamp (the common case, decided without tokenising)
    if _THIRTEEN_WORDS.match(line):
        return False  # too many tokens (lower-casing never joins two tokens), decided without tokenising it all
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
    for i in set(head + _tail(lines, 1)):
        drop[i] = _stamp(lines[i])
    return _without(text, lines, drop)


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


# --------------------------------------------------------------------------- prefilters

# A prefilter says whether a rule *may* change a text: False only when the rule
# is certain to return the text as it is. It looks at the whole text once (one
# regex scan or a few lines), so a rule that has nothing to do costs no split
# and no per-line matching; for the rules of LINE_RULES the scan also names the
# only lines the rule's test must look at. Each is a necessary condition of its
# rule, derived from the rule's patterns; tests/test_clean_prefilters.py checks
# with hypothesis that the fast paths give what the rules give.
#
# How the scans are built: the line patterns of the rules are anchored
# (fullmatch, match or ``^``) and open with optional space or punctuation
# (``\s*``, ``\W{0,3}``, ``\W*``) before fixed words. The scans run, with the
# rules' own flags (IGNORECASE), over ``"\n" + text`` as ``\n\W*(?:opening
# words)``: the leading newline lets the regex engine jump from newline to
# newline, ``\W*`` accepts every prefix those patterns accept (it may also run
# over blank or punctuation-only lines, which only adds candidates), and the
# opening words are the literal start of each alternative. A match ends on the
# line that holds its word.


class _Text:
    """A text under the rules, with the forms the prefilters share (each made when first asked for)."""

    __slots__ = ("text", "_nl", "_folded", "_lines")

    def __init__(self, text: str) -> None:
        self.text = text
        self._nl: str | None = None
        self._folded: str | None = None
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """``text.split("\\n")`` (callers must not change it)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    @property
    def nl(self) -> str:
        """``"\\n" + text``: every line, the first one too, follows a newline."""
        if self._nl is None:
            self._nl = "\n" + self.text
        return self._nl

    @property
    def folded(self) -> str:
        """``"\\n" + _fold(text)``, for keyword lookups."""
        if self._folded is None:
            self._folded = "\n" + _fold(self.text)
        return self._folded

    def drop_lines(self, candidates: Callable[["_Text", set[int]], None], removes: Callable[[str], bool],
                   verdicts: dict[str, bool]) -> str | None:
        """The text without the lines ``removes`` says yes to, testing only the ``candidates``; None when none goes.

        For a rule of :data:`_LINE_TESTS` on a tidy text this is what the rule
        returns. ``verdicts`` remembers ``removes`` line by line (the rule's
        verdict on a line depends on the line alone).
        """
        found: set[int] = set()
        candidates(self, found)
        if not found:
            return None
        lines = self.lines
        drop = set()
        for i in found:
            line = lines[i]
            verdict = verdicts.get(line)
            if verdict is None:
                verdict = verdicts[line] = removes(line)
            if verdict:
                drop.add(i)
        if not drop:
            return None
        return join_lines([line for i, line in enumerate(lines) if i not in drop])


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
    return re.compile(r"\n\W*(?:" + pattern + ")", re.IGNORECASE)


_SOCIAL_WORDS = "twitter|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon|x"
# The opening words of each pattern, alternative by alternative (see the patterns above).
_OPEN_AUDIO = _opening(  # _WIDGET
    r"audio by|listen|play|\d\d?:\d|\d+\s*min|your browser|voiced by|narrated by|powered by|text size"
    r"|font size|aa?\s*[+-]"
)
_OPEN_AD = _opening(r"ad|sponsored|promoted|paid|the |story|article|content|scroll|skip")  # _AD
_OPEN_SHARE = _opening(  # _SHARE: the first of its words opens the line
    r"share|tweet|e-?mail|print|copy|save|facebook|twitter|x|whatsapp|linkedin|reddit|telegram|pinterest"
    r"|flipboard|messenger|threads|bluesky|comment|follow us"
)
_OPEN_NEWSLETTER = _opening(  # _NEWSLETTER: a verb opens the line, a noun follows on it
    r"(?:sign up|subscribe|join|get|register|enter your email)[^\n]*"
    r"(?:newsletter|inbox|email updates|daily briefing|alerts)"
)
_OPEN_TEASER = _opening(  # _TEASER: a label, then a colon, bar or bracket on the line
    r"(?:read|also|see|related|more|recommended|watch|listen|trending|most read|you may|you might|don)[^\n]*[:|\]]"
)
_TAG_OPEN = re.compile(r"\[[A-Z]")  # what _TAGGED_HEADLINE needs (it is case-sensitive)
_OPEN_PROMO = _opening(  # _PROMO_PROMPT opens a line and names what to get on it
    r"(?:subscribe|sign up|join|get|download|register|follow|listen)[^\n]*"
    r"(?:newsletter|podcast|app|alerts|youtube channel|membership|subscription)"
)
_OPEN_CONTACT = _opening(  # _CONTACT: an opening verb, a network, a URL, or an address or handle in the first word
    r"follow|email|e-mail|write to|contact|reach|have a|http|www|" + _SOCIAL_WORDS + r"|\S*@"
)
_OPEN_HEADING = _opening(  # _HEADING
    r"(?:the )?(?:latest|related|more|top|trending|popular|recommended|recent|other|editor|most"
    r"|you (?:may|might|could)|read|also read|see also|in other news|don|what to read next)"
)
_OPEN_POST_LABEL = _opening(  # _POST_LABEL
    r"view this post|a post shared|(?:this )?(?:tweet|post) (?:may|was)|embedded|allow|accept"
)
_POST_LINK_END = re.compile(  # every _POST_LINK match holds one of these, ending in "/"
    r"/(?:(?<=pic\.twitter\.com/)|(?<=t\.co/)|(?<=/status/)|(?<=instagram\.com/p/))", re.IGNORECASE
)
_OPEN_BLOCK = _opening(  # _BLOCK_HEADING and _WIDGET_LABEL
    r"related|more |you may|you might|recommended|most |popular|read|viewed|shared|trending|top stories"
    r"|latest |don|explore further|further reading|what to read next|tag|filed under|\d+ comment|comment|leave a"
    r"|join the|share"
)


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


# Per-line verdicts of the rules in LINE_RULES: exactly the test each rule applies to a line.

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
    return (bool(line) and bool(_TEASER.match(line) or ("[" in line and _TAGGED_HEADLINE.search(line)))
            and _words(line) <= _MAX_TEASER_WORDS)


def _is_promo(line: str) -> bool:
    hit = bool(line and _PROMO_PROMPT.match(line)) or (_has(_fold(line), _PROMO_KEYS) and bool(_PROMO_PHRASE.search(line)))
    return hit and _words(line) <= _MAX_PROMO_WORDS


def _is_contact(line: str) -> bool:
    return _has(_fold(line), _CONTACT_KEYS) and _words(line) <= _MAX_PROMO_WORDS and bool(_CONTACT.fullmatch(line))


def _candidates(*regexes: re.Pattern[str]) -> Callable[[_Text, set[int]], None]:
    def find(t: _Text, found: set[int]) -> None:
        for regex in regexes:
            _line_numbers(t.nl, regex, found)
    return find


def _candidates_teaser(t: _Text, found: set[int]) -> None:
    _line_numbers(t.nl, _OPEN_TEASER, found)
    if "[" in t.text:
        _line_numbers(t.nl, _TAG_OPEN, found)


def _candidates_promo(t: _Text, found: set[int]) -> None:
    _line_numbers(t.nl, _OPEN_PROMO, found)
    found.update(i - 1 for i in _key_lines(t.folded, _PROMO_KEYS))  # line 0 of folded is the added newline


def _candidates_paywall(t: _Text, found: set[int]) -> None:
    found.update(i - 1 for i in _paywall_cues(t.folded))  # line 0 of folded is the added newline


def _candidates_tail(t: _Text, found: set[int]) -> None:
    found.update(_tail(t.lines, _TAIL_LINES))


def _candidates_stamp(t: _Text, found: set[int]) -> None:
    """The lines timestamp_line looks at: the first three non-blank ones and the last."""
    lines = t.lines
    for i, line in enumerate(lines):
        if len(found) == 3:
            break
        if line.strip():
            found.add(i)
    found.update(_tail(lines, 1))


def _is_notice(line: str) -> bool:
    return _notice(line) and _words(line) <= 60


#: For each rule of LINE_RULES, and for the rules that look at the
#: first or last lines: (candidate lines: every line the rule may remove is
#: among them; the rule's verdict on one line, which depends on the line alone).
_LINE_TESTS: dict[str, tuple[Callable[[_Text, set[int]], None], Callable[[str], bool]]] = {
    "audio_widget": (_candidates(_OPEN_AUDIO), _is_widget),
    "ad_label": (_candidates(_OPEN_AD), _is_ad),
    "share_bar": (_candidates(_OPEN_SHARE), _is_share_bar),
    "newsletter_prompt": (_candidates(_OPEN_NEWSLETTER), _is_newsletter),
    "teaser_link": (_candidates_teaser, _is_teaser),
    "promo_prompt": (_candidates_promo, _is_promo),
    "contact_line": (_candidates(_OPEN_CONTACT), _is_contact),
    "paywall": (_candidates_paywall, _is_paywall),
    "reporting_credit": (_candidates_tail, _is_credit),
    "legal_notice": (_candidates_tail, _is_notice),
    "timestamp_line": (_candidates_stamp, _stamp),
}


def _fast_latest(t: _Text, kinds: dict[str, str]) -> str | None:
    """latest_headlines on a tidy text, line kinds remembered across texts; None when it removes nothing."""
    found: set[int] = set()
    _line_numbers(t.nl, _OPEN_HEADING, found)
    lines = t.lines
    drop = _latest_drop(lines, sorted(found), _Kinds(lines, kinds))
    if not any(drop):
        return None
    return join_lines([line for line, d in zip(lines, drop) if not d])


def _fast_related(t: _Text) -> str | None:
    """related_block on a tidy text; None when it removes nothing."""
    found: set[int] = set()
    _line_numbers(t.nl, _OPEN_BLOCK, found)
    if not found:
        return None
    lines = t.lines
    drop = _related_drop(lines, sorted(found))
    if not any(drop):
        return None
    return join_lines([line for line, d in zip(lines, drop) if not d])


def _may_post(t: _Text) -> bool:
    """A post label opens a line, a post link, or an attribution's "(@"."""
    return "(@" in t.text or _OPEN_POST_LABEL.search(t.nl) is not None or (
        "/" in t.text and _POST_LINK_END.search(t.text) is not None)


def _may_title(t: _Text) -> bool:
    """The second non-blank line repeats the first (what repeated_title removes first)."""
    head = _first_lines(t.text, 2)
    if len(head) < 2:
        return False
    first = normalize_words(head[0])
    return bool(first) and _words(head[0]) <= 30 and normalize_words(head[1]) == first


def _may_footer(t: _Text) -> bool:
    """The last line is blank or a footer (syndication_footer's first step)."""
    last = t.text.rpartition("\n")[2]
    return not last.strip() or _FOOTER.fullmatch(last) is not None


_PREFILTERS: dict[str, Callable[[_Text], bool]] = {
    "embedded_post": _may_post,
    "repeated_title": _may_title,
    "syndication_footer": _may_footer,
}
# The other rules run through _LINE_TESTS, _fast_latest or _fast_related, whose
# scans find their candidate lines (and so also say when there are none).

#: Rules that judge each line by its content alone. Rules only remove whole
#: lines, so every line a later pass sees was seen by such a rule in the first
#: pass and kept: a second pass of these rules removes nothing.
LINE_RULES: frozenset[str] = frozenset(
    {"audio_widget", "ad_label", "share_bar", "paywall", "newsletter_prompt", "teaser_link", "promo_prompt",
     "contact_line"}
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
    old, new = before.split("\n"), after.split("\n")
    run = _one_removed_run(old, new, after)
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


def _one_removed_run(old: list[str], new: list[str], after: str) -> list[str] | None:
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
    if not after or not _is_tidy(after):
        return None
    n, m = len(old), len(new)
    if m >= n:
        return None
    p = 0
    while p < m and old[p] == new[p]:
        p += 1
    k = n - m
    if new[p:] != old[p + k:]:
        return None
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
    A rule whose prefilter proves it has nothing to remove is skipped.
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
    verdicts: dict[str, dict[str, bool]] = {}
    first = True
    while True:
        new, removed = _apply(text, names, page, first, verdicts)
        changes.extend(removed)
        if new == text:
            return text, changes
        text, first = new, False


def _apply(text: str, names: Iterable[str], page: PageContext | None, first_pass: bool,
           verdicts: dict[str, dict[str, bool]] | None = None) -> tuple[str, list[Change]]:
    """One pass of the rules; ``verdicts`` keeps the line verdicts of :data:`_LINE_TESTS` from pass to pass."""
    verdicts = {} if verdicts is None else verdicts
    changes: list[Change] = []
    view = _Text(text)
    tidy = _is_tidy(text)
    for name in names:
        rule = RULES[name]
        if rule.needs_page:
            if page is None:
                continue
            new = rule.func(text, page)
        else:
            if tidy:  # a rule that removes nothing returns a tidy text as it is
                if not first_pass and name in LINE_RULES:
                    continue
                test = _LINE_TESTS.get(name)
                if test is not None:
                    new = view.drop_lines(*test, verdicts.setdefault(name, {}))
                    if new is None:
                        continue
                elif name == "latest_headlines":
                    new = _fast_latest(view, verdicts.setdefault(name, {}))  # type: ignore[arg-type]
                    if new is None:
                        continue
                elif name == "related_block":
                    new = _fast_related(view)
                    if new is None:
                        continue
                else:
                    prefilter = _PREFILTERS.get(name)
                    if prefilter is not None and not prefilter(view):
                        continue
                    new = rule.func(text)
            else:
                new = rule.func(text)
        if new is not text and new != text:
            changes.extend(line_changes(name, text, new))
            view = _Text(new)
            tidy = _is_tidy(new)
        text = new
    return text, changes
