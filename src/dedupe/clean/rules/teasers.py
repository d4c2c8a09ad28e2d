"""Teasers and calls to action: "Read more:" links to other stories, app, podcast and free-trial pitches."""

from __future__ import annotations

import re

from .lines import bcue, bfold, _holds, word_count
from .registry import line_rule

_TEASER_LABELS = ("read", "also", "see", "related", "more", "recommended", "watch", "listen", "trending", "most read",
                  "you may", "you might", "don")  # what TEASER's labels open with
TEASER = re.compile(
    r"\W{0,3}(?:read more|read also|also read|see more|see also|related(?: post| story| article)?s?"
    r"|more(?: on| from)? this|also on \S+|also|more|recommended|watch|listen|trending|most read"
    r"|you (?:may|might) also like|don'?t miss)\s*[:|\]]",
    re.IGNORECASE,
)
TAGGED_HEADLINE = re.compile(r"\w+\W+\w+\W+\w+.*\[[A-Z][A-Z ]{1,15}\]\W*$")
TAG_OPEN = re.compile(r"\[[A-Z]")  # what TAGGED_HEADLINE needs (it is case-sensitive), on the text itself
_TAG_END = re.compile(r"\[[A-Z][A-Z ]{1,15}\]\W*$")  # the end of TAGGED_HEADLINE
_THREE_WORDS = re.compile(r"\W*\w+\W+\w+\W+\w")  # what TAGGED_HEADLINE needs before the tag
_MAX_TEASER_WORDS = 40  # a headline with its label; a longer line is a paragraph that merely starts so


def tagged(line: str) -> bool:
    """``TAGGED_HEADLINE.search(line) is not None`` (for a line without a newline) in linear time.

    The search backtracks quadratically on a long line that holds "[". Its
    tag can start at one "[" only: a tag holds a letter, and only non-word
    characters may follow it, so a later tag would follow an earlier one.
    Before that "[" it needs three words (``\\w+\\W+\\w+\\W+\\w+``, then ``.*``).
    """
    tag = _TAG_END.search(line)
    return tag is not None and _THREE_WORDS.match(line, 0, tag.start()) is not None


# A label, then a colon, bar or bracket on the line; or a tag.
@line_rule(600, openers=tuple(label + r"[^\n]*[:|\]]" for label in _TEASER_LABELS), marks=("[", TAG_OPEN))
def teaser_link(line: str) -> bool:
    """Inline links to other stories: lines opening with a label ("Read more:", "Related:", "WATCH:") or tagged "[VIDEO]".

    The label must end in a colon, a bar or a bracket, so a sentence that
    starts "Read more about it..." or "More than 200 people..." stays.

    >>> teaser_link("The vote is on Friday.\\nRead more: Why the vote matters\\nPolls open at eight.")
    'The vote is on Friday.\\nPolls open at eight.'
    """
    # The word count first: it is cheap, and it spares the tag search the long lines.
    return word_count(line) <= _MAX_TEASER_WORDS and bool(TEASER.match(line) or ("[" in line and tagged(line)))


# Each prompt phrase: its pattern, and the keys every line it matches holds (one of every group, lower case).
_PROMO_PHRASES = (
    (r"\b(?:click|tap) here\b", (("click here", "tap here"),)),
    (r"\b(?:in|to) your inbox\b", (("your ",), ("your inbox",))),
    (r"\bdownload (?:our|the) (?:\w+ )?app\b", (("download ",), ("download our ", "download the "))),
    (r"\bget the [\w .'&-]{1,30} app\b", (("get the ",), (" app",))),
    (r"\bfree trial\b", (("free trial",),)),
    (r"\bfor as little as\b", (("as little as",),)),
    (r"\bthanks for signing up\b", (("signing up",),)),
    (r"\berror processing your subscription\b", (("your ",), ("error processing your subscription",))),
    (r"\blike this (?:story|article)\?", (("like this ",), ("like this story?", "like this article?"))),
)
PROMO_PHRASE = re.compile("|".join(pattern for pattern, _ in _PROMO_PHRASES), re.IGNORECASE)
_PROMO_PHRASE_KEYS = tuple(keys for _, keys in _PROMO_PHRASES)
PROMO_PHRASE_BKEYS = tuple(bcue(keys) for keys in _PROMO_PHRASE_KEYS)
_PROMO_VERBS = ("subscribe", "sign up", "join", "get", "download", "register", "follow", "listen")
_PROMO_NOUNS = r"(?:newsletter|podcast|app|alerts|youtube channel|membership|subscription)"  # what they open with
PROMO_PROMPT = re.compile(
    r"[^\w\"“”‘’'«»]*(?:" + "|".join(_PROMO_VERBS) + r")(?: to| for| on)? (?:our|the|my) [\w .'&+-]{0,40}?"
    r"\b(?:newsletters?|podcasts?|app|alerts|youtube channel|membership|subscription)\b",
    re.IGNORECASE,
)
_MAX_PROMO_WORDS = 40  # issue 4, extraction benchmark: a call to action is a line or two, never a paragraph


# A prompt opens a line and names what to get on it; a prompt phrase may stand anywhere.
@line_rule(610, openers=tuple(verb + r"[^\n]*" + _PROMO_NOUNS for verb in _PROMO_VERBS), cues=_PROMO_PHRASE_KEYS)
def promo_prompt(line: str) -> bool:
    """Calls to action: "Click here to ...", "Download our app", "Subscribe to our podcast", free-trial pitches.

    Only short lines (at most 40 words) with the imperative shape of a prompt
    go: a line that opens with the verb and names what to subscribe to, or a
    fixed prompt phrase ("click here", "in your inbox", "free trial").

    >>> promo_prompt("Shares fell 4%.\\nDownload our app to get alerts on your phone.\\nThe bank declined to comment.")
    'Shares fell 4%.\\nThe bank declined to comment.'
    """
    if word_count(line) > _MAX_PROMO_WORDS:
        return False  # decided by one split, before the searches
    if PROMO_PROMPT.match(line):
        return True
    folded = bfold(line)
    return any(_holds(folded, keys) for keys in PROMO_PHRASE_BKEYS) and bool(PROMO_PHRASE.search(line))
