"""Widgets: audio players, read-time and text-size labels, advertisement placeholders, share bars.

Each is a label on a line of its own; a line that is nothing but such a label
carries no article content.
"""

from __future__ import annotations

from .lines import _full
from .registry import line_rule

WIDGET = _full(
    r"audio by \S.{0,40}"
    r"|(?:listen|play)(?: now)?(?: to)?(?: this| the)?(?: article| story| audio| podcast| episode)?(?: now)?"
    r"(?:\s*[·|:-]?\s*\d+\s*min(?:ute)?s?)?\W{0,3}"
    r"|\d{1,2}:\d{2}(?:\s*/\s*\d{1,2}:\d{2})?"
    r"|your browser does not support the (?:audio|video)(?: element| tag)?\.?"
    r"|\d+\s*min(?:ute)?s?\s+(?:read|listen)"
    r"|(?:voiced|narrated|powered) by \S.{0,40}"
    r"|(?:text|font) size\W*|(?:a|aa)\s*[+-]\s*(?:a|aa)?\s*[+-]?"
)


@line_rule(100, openers=(
    "audio by", "listen", "play", r"\d\d?:\d", r"\d+[^\S\n]*min", "your browser", "voiced by", "narrated by",
    "powered by", "text size", "font size", r"aa?[^\S\n]*[+-]",
))
def audio_widget(line: str) -> bool:
    """Audio-player, read-time and text-size widget lines ("Audio By Carbonatix", "Listen to this article", "00:00 / 03:21").

    Players and widgets leave their labels as lines of their own; a line that
    is nothing but such a label carries no article content.

    >>> audio_widget("Audio By Carbonatix\\nDozens of instructors arrived.\\nListen to this article · 4 min")
    'Dozens of instructors arrived.'
    """
    return WIDGET.fullmatch(line) is not None


AD = _full(
    r"advertisements?|ads?|sponsored(?: content)?|promoted(?: content)?|paid (?:partner )?content"
    r"|(?:the )?(?:story|article|content) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?\W?"
    r"|scroll (?:down )?to continue(?: with content| reading)?\W?|skip (?:advertisement|ad)"
)


@line_rule(110, openers=(
    "ad", "sponsored", "promoted", "paid", "the story", "the article", "the content", "story", "article",
    "content", "scroll", "skip",
))
def ad_label(line: str) -> bool:
    """Advertisement placeholders ("Advertisement", "Story continues below advertisement").

    >>> ad_label("First paragraph.\\nADVERTISEMENT\\nSecond paragraph.")
    'First paragraph.\\nSecond paragraph.'
    """
    return AD.fullmatch(line) is not None


_SHARE_WORDS = (
    "share(?: this(?: article| story| page)?| on \\w+| via \\w+)?", "tweet", "e-?mail", "print", "copy(?: link)?", "save",
    "facebook", "twitter", "x", "whatsapp", "linkedin", "reddit", "telegram", "pinterest", "flipboard", "messenger",
    "threads", "bluesky", "comments?", "follow us(?: on \\w+)?",
)
SHARE = _full(r"(?:(?:" + "|".join(_SHARE_WORDS) + r")[\s|•·,/:]*){1,14}")


@line_rule(120, openers=(  # the first of its words opens the line
    "share", "tweet", "e-?mail", "print", "copy", "save", "facebook", "twitter", "x", "whatsapp", "linkedin",
    "reddit", "telegram", "pinterest", "flipboard", "messenger", "threads", "bluesky", "comment", "follow us",
))
def share_bar(line: str) -> bool:
    """Social share and follow bars: lines made only of network names and share verbs.

    >>> share_bar("Share this article\\nFacebook | Twitter | WhatsApp | Email\\nThe minister resigned.")
    'The minister resigned.'
    """
    return SHARE.fullmatch(line) is not None
