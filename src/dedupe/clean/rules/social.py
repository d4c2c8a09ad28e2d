"""Social media: embedded posts of accounts the article never names, author contact and follow lines."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .lines import _MONTH, fold, _full, _has, _key_lines, _lines, _previous, _tidy, _without, word_count
from .registry import Hints, line_rule, rule

if TYPE_CHECKING:
    from .engine import Memo, View

_ATTRIBUTION = _full(
    r"[—–-]{1,2}\s*[^()\n]{0,80}\(@[\w.]{1,40}\)\s*(?:on\s+)?(?:" + _MONTH + r"\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+" + _MONTH + r"\s+\d{4})"
)
POST_LINK = re.compile(
    r"\bpic\.twitter\.com/\w+|\bt\.co/\w+|\b(?:twitter|x)\.com/\w+/status/\d+|\binstagram\.com/p/\w+",
    re.IGNORECASE,
)
POST_LINK_END = re.compile(  # every POST_LINK match holds one of these, ending in "/"
    r"/(?:(?<=pic\.twitter\.com/)|(?<=t\.co/)|(?<=/status/)|(?<=instagram\.com/p/))", re.IGNORECASE
)
POST_LABEL = _full(
    r"view this post on instagram|a post shared by .{1,80}|(?:this )?(?:tweet|post) (?:may have been|was) deleted\.?"
    r"|embedded (?:content|post|tweet)|(?:allow|accept) (?:twitter|x|instagram|social media) content\W?"
)
_MAX_POST_CHARS = 320  # a post's text: 280 characters plus room for links and names
# What a line needs (lower-cased) to match each pattern above.
_POST_LABEL_KEYS = ("this post", "post shared", "deleted", "embedded", " content")
_POST_LINK_KEYS = ("pic.twitter.com/", "t.co/", "/status/", "instagram.com/p/")
_POST_KEYS = _POST_LABEL_KEYS + _POST_LINK_KEYS + ("(@",)


def _may_hold_post(t: "View", memo: "Memo") -> bool:
    """When a post label opens a line, or the text holds a post link or an attribution's "(@"."""
    text = t.text
    return ("@" in text and "(@" in text) or bool(t.opened("embedded_post")) or (
        "/" in text and POST_LINK_END.search(text) is not None)


@rule(300, Hints(
    openers=("view this post", "a post shared", "this (?:tweet|post) (?:may|was)", "tweet (?:may|was)",
             "post (?:may|was)", "embedded", "allow", "accept"),  # POST_LABEL
    gate=_may_hold_post, gate_by_lines=True))
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
    folded = fold(text)
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
        if POST_LABEL.fullmatch(line):
            drop[i] = True
        elif POST_LINK.search(line) and len(line) <= _MAX_POST_CHARS:
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


_SOCIAL_WORDS = ("twitter", "facebook", "instagram", "linkedin", "youtube", "tiktok", "threads", "bluesky", "mastodon",
                 "x")
_SOCIAL = "(?:" + "|".join(_SOCIAL_WORDS) + ")"
_ADDRESS = r"(?:\S+@\S+\.\w+|@\w+)"
CONTACT = re.compile(
    r"\W{0,3}(?:follow (?:him|her|them|us|me|@\w+)\b.{0,80}|follow\b.{0,80}\bon " + _SOCIAL + r"\b.{0,80}"
    r"|(?:email|e-mail|write to|contact|reach) .{0,80}" + _ADDRESS + r".{0,80}"
    r"|have a (?:news )?tip\b.{0,160}|" + _ADDRESS + r"|(?:https?://)?(?:www\.)?" + _SOCIAL + r"\.com/\S+)\W*",
    re.IGNORECASE,
)
_CONTACT_KEYS = ("follow", "@", "tip", ".com/")
_MAX_CONTACT_WORDS = 40  # as teasers._MAX_PROMO_WORDS


# An opening verb, a network, a URL, or an address or handle in the first word ([^\s@]*@ opens a line exactly
# where \S*@ does).
@line_rule(620, openers=("follow", "email", "e-mail", "write to", "contact", "reach", "have a", "http", "www",
                         *_SOCIAL_WORDS, r"[^\s@]*@"))
def contact_line(line: str) -> bool:
    """Author contact and follow prompts: "Follow her on Twitter @jdoe", "Email Jane at jane@example.com", "Have a tip?", a bare handle or address.

    A contact line names a network or carries an address or handle, so
    "Contact with the rebels was lost" or "Follow the money" stays.

    >>> contact_line("The talks failed.\\nFollow Jane Doe on Twitter @janedoe.\\nEmail her at jane@example.com")
    'The talks failed.'
    """
    return _has(fold(line), _CONTACT_KEYS) and word_count(line) <= _MAX_CONTACT_WORDS and bool(CONTACT.fullmatch(line))
