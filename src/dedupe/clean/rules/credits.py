"""Credits and notices among the last lines: "Reporting by …", "© 2024 …", affiliate disclosures."""

from __future__ import annotations

import re

from .lines import fold, word_count
from .registry import line_rule

CREDIT = re.compile(
    r"\W{0,3}(?:additional )?(?:reporting|editing|writing|compiled|research|produced)(?: and \w+)? by (?P<names>.+)",
    re.IGNORECASE,
)
CONTRIBUTED = re.compile(r"\bcontributed (?:reporting|to this (?:report|story|article))\b", re.IGNORECASE)
_CREDIT_FILLER = {"and", "in", "by", "from", "of", "with", "at", "the", "for"}


def names_only(words: str) -> bool:
    """Mostly capitalised words (names, places) apart from linking words: "Jane Doe in Nairobi; Editing by John Smith"."""
    tokens = [t for t in re.findall(r"[^\W\d_][\w'’.-]*", words) if t.lower() not in _CREDIT_FILLER]
    return bool(tokens) and sum(t[0].isupper() for t in tokens) >= 0.8 * len(tokens)


# A credit opens the line (CREDIT), or the line holds "contributed " (CONTRIBUTED).
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
    if not by and "contributed" not in fold(line):
        return False  # neither pattern can match
    credit = CREDIT.match(line)
    if credit and names_only(credit.group("names")):
        return word_count(line) <= 50
    if by and "contributed" not in fold(line):
        return False  # CONTRIBUTED cannot match
    return CONTRIBUTED.search(line) is not None and word_count(line) <= 50


# The alternatives of NOTICE, each with what a line needs (lower-cased) for it to match, one key of
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
NOTICE = re.compile("|".join(part for _, _, part in _NOTICE_PARTS), re.IGNORECASE)
# Searched one by one, only where the line holds the part's keys, and in an
# ASCII line (where the folded line has the same positions) from the first
# place its starting literal occurs: an IGNORECASE alternation crawls along a
# paragraph character by character.
_NOTICE_SEARCH = tuple((groups, start, re.compile(part, re.IGNORECASE)) for groups, start, part in _NOTICE_PARTS)


def notice(line: str) -> bool:
    """Whether ``NOTICE.search(line)`` finds something."""
    folded = fold(line)
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
    return notice(line) and word_count(line) <= 60


# --------------------------------------------------------------------------- bylines

# "By", "Words by", "Story by" … then names; or a label and a colon ("Reporter: Jane Doe").
_BY_LABELS = ("story", "words", "text", "written", "posted", "article", "report", "reported", "interview",
              "analysis", "opinion", "column", "review", "photos and words", "words and pictures", "produced")
_COLON_LABELS = ("reporter", "words", "author", "writer", "byline", "correspondent", "text", "by")
_BYLINE_OPEN = re.compile(
    r"[^\w\"“”‘’'«»]{0,3}(?:(?:" + "|".join(_BY_LABELS) + r") by|by)\s+(?P<by>\S.*)"
    r"|[^\w\"“”‘’'«»]{0,3}(?:" + "|".join(_COLON_LABELS) + r")\s*[:|]\s*(?P<label>\S.*)",
    re.IGNORECASE,
)
# The names-first form needs one of these in what follows the names: "Jane Doe, Staff Writer", "Jane Doe | Reuters".
_ROLE_WORDS = frozenset(
    "correspondent correspondents reporter reporters writer writers editor editors journalist journalists columnist "
    "columnists contributor contributors".split()
)
_AGENCIES = ("reuters", "afp", "bloomberg", "associated press", "xinhua", "kyodo")
# What may follow a name besides other names: a role, an outlet, a place, a date and time.
_BYLINE_LINKS = frozenset("and of for at in the & from with on".split())
_TIME_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september "
    "october november december am pm gmt bst utc est edt pst pdt cet updated published posted".split()
)
# Words that open a time or an event, not a name: "By Tuesday, the floods had receded", "By Christmas Eve".
_NOT_NAMES = frozenset(
    "the a an this that these those his her their its our my your some all most many then now today tomorrow "
    "tonight yesterday monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december spring summer autumn winter christmas easter new midnight noon "
    "dawn dusk nightfall lunchtime contrast comparison law order far way default design".split()
)
_NAME_PARTICLES = frozenset("de del della der di da du van von le la al bin ibn st y".split())
_NAME_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*")
_MAX_BYLINE_WORDS = 16  # three names, a role and a date and time; not measured: a guard against prose


def _name_at(words: list[str], k: int) -> int:
    """The end of a person's name that starts at ``words[k]`` (2-4 capitalised words, particles
    between them), or ``k`` when none does."""
    n = k
    while n < len(words) and n - k < 5:
        w = words[n].rstrip(",|;:")
        bare = w.strip("'’")
        if not _NAME_TOKEN.fullmatch(bare):
            break
        if bare[0].isupper():
            if n == k and bare.lower().rstrip(".") in _NOT_NAMES:
                return k
        elif not (n > k and bare.lower() in _NAME_PARTICLES):
            break
        n += 1
        if w != words[n - 1]:  # the word carried a separator: the name ends here
            break
    names = n - k
    if names < 2 or names > 4 or not words[n - 1].rstrip(",|;:")[0].isupper():
        return k
    return n


def _agency_at(words: list[str], k: int) -> int:
    """The end of an agency name at ``words[k]`` ("Reuters", "Associated Press"), or ``k``."""
    rest = " ".join(words[k:]).lower()
    for agency in _AGENCIES:
        if rest.startswith(agency) and (len(rest) == len(agency) or not rest[len(agency)].isalnum()):
            return k + len(agency.split())
    return k


def _byline_tail(words: list[str], need_role: bool) -> bool:
    """What follows the names: a short run of capitalised words, roles, places, dates and times
    ("Staff Writer", "Riverside Courier correspondent", "in Nairobi", "| 2024-05-01 14:05"), no sentence."""
    role = False
    for w in words:
        bare = w.strip(",|;:()–—-.")
        if not bare:
            continue
        low = bare.lower()
        if low in _ROLE_WORDS:
            role = True
        elif any(c.isdigit() for c in bare) or low in _TIME_WORDS or low in _BYLINE_LINKS:
            pass
        elif not bare[0].isupper():
            return False
    if need_role and not role:
        bare = [w.strip(",|;:") for w in words]
        return any(_agency_at(bare, k) > k for k in range(len(bare)))
    return True


def _names_then_tail(words: list[str], need_role: bool) -> bool:
    """A name or an agency from the first word, then a byline tail (more names among its capitalised words)."""
    end = _name_at(words, 0)
    if end == 0:
        end = _agency_at(words, 0)
    return end > 0 and _byline_tail(words[end:], need_role)


# Lines that open with a name and name a role or an agency hold one of these (lower-cased).
_BYLINE_ROLE_KEYS = ("correspondent", "reporter", "writer", "editor", "journalist", "columnist", "contributor") + _AGENCIES


@line_rule(780, openers=tuple(label + r"[^\S\n]+by" for label in _BY_LABELS) + _COLON_LABELS,
           cues=tuple(((key,),) for key in _BYLINE_ROLE_KEYS))
def byline(line: str) -> bool:
    """Bylines: "By Jane Doe, Staff Writer", "Story by Jane Doe", "Reporter: Jane Doe", "Jane Doe | Reuters".

    A byline names people (two to four capitalised words each) or an agency,
    then at most a role, an outlet, a place or a date: a sentence that opens
    with "By" ("By the end of the year …", "By 2030 …", "By Tuesday, the
    floods had receded.") names nobody, or goes on as a sentence. A line that
    opens with names needs a newsroom role or an agency after them.

    >>> byline("By Jane Doe, Staff Writer\\nThe floods receded on Tuesday.\\nJohn Smith | Reuters")
    'The floods receded on Tuesday.'
    """
    if word_count(line) > _MAX_BYLINE_WORDS:
        return False
    m = _BYLINE_OPEN.match(line)
    if m is not None:
        rest = (m.group("by") or m.group("label")).rstrip(" .")
        if _names_then_tail(rest.split(), need_role=False):
            return True
    words = line.strip().rstrip(".").split()
    return bool(words) and words[0][:1].isupper() and _names_then_tail(words, need_role=True)
