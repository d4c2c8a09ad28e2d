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
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from ..document import Change

__all__ = ["Rule", "RULES", "DEFAULT_RULES", "apply_rules"]


@dataclass(frozen=True)
class Rule:
    """A registered boilerplate rule: its name, the function, one-line summary."""

    name: str
    func: Callable[[str], str]
    summary: str


RULES: dict[str, Rule] = {}


def _rule(func: Callable[[str], str]) -> Callable[[str], str]:
    doc = (func.__doc__ or "").strip().splitlines()
    RULES[func.__name__] = Rule(func.__name__, func, doc[0] if doc else "")
    return func


def _lines(text: str) -> list[str]:
    return text.split("\n")


def join_lines(lines: Iterable[str]) -> str:
    """Lines joined by newlines, at most one blank line in a row, no blank lines at the ends."""
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n")


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
    return join_lines(line for line in _lines(text) if not _WIDGET.fullmatch(line))


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
    return join_lines(line for line in _lines(text) if not _AD.fullmatch(line))


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
    return join_lines(line for line in _lines(text) if not _SHARE.fullmatch(line))


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


def _list_run(kinds: list[str], start: int) -> int:
    """End (exclusive) of the run of list-like lines starting at ``start``."""
    end = start
    while end < len(kinds) and kinds[end] != "text":
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
    kinds = [_list_kind(line) for line in lines]
    drop = [False] * len(lines)
    # A heading followed by a list: at least two headlines, or one with an age line.
    for i, line in enumerate(lines):
        if kinds[i] not in ("headline", "text") or not _HEADING.fullmatch(line):
            continue
        end = _list_run(kinds, i + 1)
        body = kinds[i + 1 : end]
        heads, ages = body.count("headline"), body.count("age")
        if heads >= 2 or (heads >= 1 and ages >= 1):
            for k in range(i, end):
                drop[k] = True
    # A trailing run of headline/age pairs without a heading: three ages or more.
    start = len(lines)
    while start > 0 and kinds[start - 1] != "text":
        start -= 1
    tail = kinds[start:]
    if tail.count("age") >= 3 and tail.count("headline") >= 3:
        for k in range(start, len(lines)):
            drop[k] = True
    return join_lines(line for line, d in zip(lines, drop) if not d)


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
    keep = []
    for line in _lines(text):
        cues = sum(1 for cue in _PAYWALL_CUES if cue.search(line))
        if cues >= 2 and _words(line) <= 120:
            continue
        keep.append(line)
    return join_lines(keep)


_NEWSLETTER = re.compile(
    r"^\W*(?:sign up|subscribe|join|get|register|enter your email)\b.{0,80}"
    r"\b(?:newsletters?|inbox|email updates|daily briefing|alerts)\b",
    re.IGNORECASE,
)


@_rule
def newsletter_prompt(text: str) -> str:
    """Newsletter sign-up prompts: short imperative lines ("Sign up for our daily newsletter").

    >>> newsletter_prompt("Sign up for our free newsletter to get the news in your inbox.\\nThe vote is on Friday.")
    'The vote is on Friday.'
    """
    return join_lines(line for line in _lines(text) if not (_NEWSLETTER.search(line) and _words(line) <= 30))


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
    return join_lines(lines[:end])


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


@_rule
def embedded_post(text: str) -> str:
    """Embedded social posts: the "— Name (@handle) April 12, 2024" attribution with the post text above it, lines ending in pic.twitter.com links, and embed labels.

    The standard tweet embed renders as the post's text, then the attribution
    line; a quoted post shows as a short line with a ``pic.twitter.com`` link.
    A tweet quoted in the article's own sentences has neither.

    >>> embedded_post("Advisers arrived.\\nRussia to install a system in Niger.\\n— Kennedy Wandera (@KennedyWandera_) April 12, 2024\\nOne trainer spoke.")
    'Advisers arrived.\\nOne trainer spoke.'
    """
    lines = _lines(text)
    drop = [False] * len(lines)
    for i, line in enumerate(lines):
        if _POST_LABEL.fullmatch(line):
            drop[i] = True
        elif _POST_LINK.search(line) and len(line) <= _MAX_POST_CHARS:
            drop[i] = True
        elif _ATTRIBUTION.fullmatch(line):
            drop[i] = True
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j >= 0 and not drop[j] and len(lines[j]) <= _MAX_POST_CHARS:
                drop[j] = True
    return join_lines(line for line, d in zip(lines, drop) if not d)


# --------------------------------------------------------------------------- titles


def _fold(line: str) -> str:
    return " ".join(re.findall(r"\w+", line.casefold()))


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
    first = _fold(lines[nonblank[0]])
    if not first or _words(lines[nonblank[0]]) > 30:
        return text
    drop = set()
    for i in nonblank[1:]:
        if _fold(lines[i]) != first:
            break
        drop.add(i)
    return join_lines(line for i, line in enumerate(lines) if i not in drop)


#: The default order: widgets first (they sit between title and body), list and
#: footer blocks last (they are found from the end).
DEFAULT_RULES: tuple[str, ...] = (
    "audio_widget",
    "ad_label",
    "share_bar",
    "paywall",
    "newsletter_prompt",
    "embedded_post",
    "repeated_title",
    "latest_headlines",
    "syndication_footer",
)
assert set(DEFAULT_RULES) == set(RULES), "every registered rule must have a place in DEFAULT_RULES"


def line_changes(rule: str, before: str, after: str) -> list[Change]:
    """The removals (and in-line edits) that turned ``before`` into ``after``, by line diff."""
    if before == after:
        return []
    old, new = before.split("\n"), after.split("\n")
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


def apply_rules(text: str, names: Iterable[str] = DEFAULT_RULES) -> tuple[str, list[Change]]:
    """Apply the named rules in order; return the text and every change, attributed by rule."""
    changes: list[Change] = []
    for name in names:
        new = RULES[name].func(text)
        changes.extend(line_changes(name, text, new))
        text = new
    return text, changes
