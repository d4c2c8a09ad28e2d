"""Credits and notices among the last lines: "Reporting by …", "© 2024 …", affiliate disclosures."""

from __future__ import annotations

import re

from .lines import _fold, _words
from .registry import line_rule

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


# A credit opens the line (_CREDIT), or the line holds "contributed " (_CONTRIBUTED).
@line_rule(800, where="tail", openers=("additional ", "reporting", "editing", "writing", "compiled", "research",
                                       "produced"), cues=((("contributed ",),),))
def reporting_credit(line: str) -> bool:
    """Reporting credits in the last lines: "Reporting by …; Editing by …", "X contributed to this report."

    "Reporting by" must be followed by names (capitalised words), so a
    sentence such as "Reporting by the paper showed the scheme failed" stays.

    >>> reporting_credit("The talks failed.\\n(Reporting by Jane Doe in Nairobi; Editing by John Smith)")
    'The talks failed.'
    """
    by = " by " in line
    if not by and "contributed" not in _fold(line):
        return False  # neither pattern can match
    credit = _CREDIT.match(line)
    if credit and _names_only(credit.group("names")):
        return _words(line) <= 50
    if by and "contributed" not in _fold(line):
        return False  # _CONTRIBUTED cannot match
    return _CONTRIBUTED.search(line) is not None and _words(line) <= 50


# The alternatives of _NOTICE, each with what a line needs (lower-cased) for it to match, one key of
# every group, and the literal its matches start with (None where it starts otherwise).
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


@line_rule(810, where="tail", cues=tuple(groups[:1] for groups, _, _ in _NOTICE_PARTS))
def legal_notice(line: str) -> bool:
    """Copyright, licence and affiliate notices among the last lines: "© 2019 Associated Press …", "We may earn a commission …".

    Only notice shapes count (a © sign, "copyright" with a year, "all rights
    reserved", affiliate disclosures), so a story about a copyright dispute
    keeps its sentences.

    >>> legal_notice("The talks failed.\\n© 2024 Example Media. All rights reserved.\\nMore to come.")
    'The talks failed.\\nMore to come.'
    """
    return _notice(line) and _words(line) <= 60
