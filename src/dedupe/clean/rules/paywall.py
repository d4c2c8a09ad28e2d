"""Paywalls and the prompts around them: log-in walls, newsletter sign-ups, membership appeals, metered access.

Each prompt is a short line of its own that the article could quote, so a
line goes only when its shape says it is the site talking: two paywall cues,
a prompt that opens the line, no one quoted or reported.
"""

from __future__ import annotations

import re

from .lines import bcue, bfold, fold, _has, _holds, word_count
from .registry import line_rule

# Each paywall cue: its pattern, and the keys every line it matches holds (one of every group,
# lower case; the engine's hint). The first group is the one most often missing.
_PAYWALL = (
    (r"^\W*already (?:a|an) (?:subscriber|member|registered user)\s*\?", (("already a",),)),
    (r"\b(?:log|sign) ?(?:in|into|on)(?:to)? (?:to )?your (?:account|subscription)\b",
     (("your ",), ("your account", "your subscri"))),
    (r"\bto (?:continue|keep) reading\b", (("reading",), ("continue reading", "keep reading"))),
    (r"\bsubscribe (?:now|today|for|to (?:read|continue|unlock))\b", (("subscri",), ("subscribe ",))),
    (r"\b(?:create|register for) a (?:free )?account\b", (("account",), ("a account", "a free account"))),
    (r"\b(?:this|the) (?:content|article|story) is (?:only )?(?:(?:available|reserved|exclusive) (?:to|for) (?:paid )?"
     r"(?:subscribers|members)|for (?:paid )?subscribers)\b", (("subscri", "member"), ("subscribers", "members"))),
    (r"\byou(?:'ve| have) (?:reached|used) (?:your|all)(?: \w+)? (?:limit|free articles|articles)\b",
     (("ve reached ", "ve used "),)),  # "you've reached", "you have used"
    (r"\b(?:unlock|get) (?:full|unlimited|unrestricted) (?:access|digital access)\b",
     (("access",), ("l access", "d access"))),  # "full access", "unlimited access", "full digital access"
    (r"\byour card on file\b", (("your ",), ("your card on file",))),
    (r"\b(?:subscribers?|members?)[- ]only\b", (("subscri", "member"), ("only",))),
    (r"\bunable to see the content\b", (("unable to see the content",),)),
    (r"\b(?:login|log in|sign in)\W? button\b", ((" button",),)),
)
PAYWALL_CUES = tuple(re.compile(pattern, re.IGNORECASE) for pattern, _ in _PAYWALL)
_PAYWALL_KEYS = tuple(keys for _, keys in _PAYWALL)
PAYWALL_BKEYS = tuple(bcue(keys) for keys in _PAYWALL_KEYS)


@line_rule(200, cues=_PAYWALL_KEYS, min_cues=2)
def paywall(line: str) -> bool:
    """Paywall and log-in prompts ("Already a subscriber? …", "Subscribe now to continue reading").

    A line goes when it carries at least two distinct paywall cues, so an
    article sentence that quotes one phrase ("urged fans to subscribe now") stays.

    >>> paywall("Already a subscriber? Make sure to log into your account before viewing this content.\\nRussian advisers have arrived.")
    'Russian advisers have arrived.'
    >>> paywall("Already, the army has moved. Fans were urged to subscribe now.")
    'Already, the army has moved. Fans were urged to subscribe now.'
    """
    folded = bfold(line)
    cues = [k for k, keys in enumerate(PAYWALL_BKEYS) if _holds(folded, keys)]
    if len(cues) < 2 or word_count(line) > 120:
        return False  # over 120 words: a paragraph, decided by one split instead of a dozen searches
    return sum(1 for k in cues if PAYWALL_CUES[k].search(line)) >= 2


_NEWSLETTER_VERBS = ("sign up", "subscribe", "join", "get", "register", "enter your email")
_NEWSLETTER_NOUNS = ("newsletter", "inbox", "email updates", "daily briefing", "alerts")  # keys of the nouns below
NEWSLETTER = re.compile(
    r"^[^\w\"“”‘’'«»]*(?:" + "|".join(_NEWSLETTER_VERBS) + r")\b.{0,80}"
    r"\b(?:newsletters?|inbox|email updates|daily briefing|alerts)\b",
    re.IGNORECASE,
)


# A verb opens the line, a noun follows on it.
@line_rule(210, openers=tuple(verb + r"[^\n]*(?:" + "|".join(_NEWSLETTER_NOUNS) + ")" for verb in _NEWSLETTER_VERBS))
def newsletter_prompt(line: str) -> bool:
    """Newsletter sign-up prompts: short imperative lines ("Sign up for our daily newsletter").

    >>> newsletter_prompt("Sign up for our free newsletter to get the news in your inbox.\\nThe vote is on Friday.")
    'The vote is on Friday.'
    """
    folded = fold(line)
    return (_has(folded, _NEWSLETTER_NOUNS) and _has(folded, _NEWSLETTER_VERBS) and bool(NEWSLETTER.search(line))
            and word_count(line) <= 30)


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
      r"|(?:we|our (?:newsroom|journalism|reporting|work)) (?:relies|rely|depends|depend|counts|count) on (?:the support of )?"
      r"(?:readers|supporters|members|donors|subscribers|people|you)\b"
    + ")",
    re.IGNORECASE,
)
# Every line _APPEAL matches holds one of these (lower-cased).
_APPEAL_KEYS = ("member", "support", "subscri", "patron", "donor", "donat", "contribution", "chip in", "give ",
                "keep ", "readers", "rely on", "relies on", "depend on", "depends on", "count on", "counts on")
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
      r"|(?:you have|you've) (?:used|read|reached|hit) (?:all (?:of )?your|your|\d+ of (?:your |the )?\d+|(?:all|\d+) of the)"
      r" (?:\d+ )?(?:free )?(?:articles?|stories|limit)\b"
      r"|(?:get|enjoy|unlock) (?:unlimited|full|unrestricted|instant) (?:digital )?access (?:for|from|to|with)\b"
    + ")",
    re.IGNORECASE,
)
# Every line _ACCOUNT matches holds one of these (lower-cased).
_ACCOUNT_KEYS = ("sign up", "register", "join", "subscri", "account", "log", "sign", "already", "left", "remaining",
                 "month", "week", "you've", "you have", "access")
_REPORTED = re.compile(r"\b(?:said|says|told|according to|asked|urged|wrote)\b|[\"“”«»]", re.IGNORECASE)
_MAX_APPEAL_WORDS = 40  # as teasers._MAX_PROMO_WORDS: a call to action is a line or two, never a paragraph


@line_rule(220, cues=tuple(((key,),) for key in _APPEAL_KEYS))
def support_appeal(line: str) -> bool:
    """Membership and donation appeals: "Become a member of …", "Support independent journalism", "Members make our newsroom possible".

    The appeal opens the line (an article sentence about a membership scheme
    opens otherwise), the line is short, and it quotes and reports nobody
    ("she urged readers to become members" stays).

    >>> support_appeal("The council met.\\nKeep independent reporting alive: become a member of the Courier.\\nMembers make our newsroom possible.")
    'The council met.'
    """
    return word_count(line) <= _MAX_APPEAL_WORDS and _APPEAL.match(line) is not None and _REPORTED.search(line) is None


@line_rule(230, cues=tuple(((key,),) for key in _ACCOUNT_KEYS))
def account_prompt(line: str) -> bool:
    """Registration and metered-access prompts: "Sign up free to read 5 articles a month", "Create an account to unlock …", "Already registered? Log in".

    As :func:`support_appeal`: the prompt opens a short line that reports nobody.

    >>> account_prompt("The council met.\\nSign up free to read 5 articles a month.\\nCreate an account to unlock this story.")
    'The council met.'
    """
    return word_count(line) <= _MAX_APPEAL_WORDS and _ACCOUNT.match(line) is not None and _REPORTED.search(line) is None
