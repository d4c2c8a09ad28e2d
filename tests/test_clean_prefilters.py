"""The fast paths of the rules give what the straightforward path gives.

The straightforward path: every rule function applied to the whole text, in
order, each removal recorded by difflib's line diff, passes repeated until
nothing changes (the cleaning as first written). The fast paths: prefilters
that skip a rule, candidate lines that spare the other lines a regex, verdicts
remembered between passes, line rules skipped after the first pass, and the
one-run shortcut of ``line_changes``. Texts are built from the golden rule
cases' lines (real furniture and their negatives), trigger phrases in odd
case and punctuation, the characters that IGNORECASE matches to ASCII
letters (long s, dotless i, dotted capital I, Kelvin sign), and ordinary
sentences, so a prefilter that wrongly skips a line shows up as a difference.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dedupe import clean_text
from dedupe.clean import rules as R
from dedupe.clean.rules import DEFAULT_RULES, RULES, apply_rules, apply_rules_until_stable, join_lines, line_changes
from dedupe.config import CleanConfig
from dedupe.document import Change

_NO_RULES = CleanConfig(rules=())  # whitespace and encoding only

_CASES = [case for path in sorted((Path(__file__).parent / "data" / "rules").glob("*.json"))
          for case in json.loads(path.read_text(encoding="utf-8"))]
_GOLDEN = sorted({line for case in _CASES for line in case["input"].split("\n") if line.strip()})
# Whole golden inputs of each rule: furniture with its structure (lists, tails, embeds).
_BLOCKS = {name: [c["input"] for c in _CASES if c["rule"] == name] for name in {c["rule"] for c in _CASES}}
_LIST_TAIL = "\n".join(f"{h}\n{age}" for h, age in [("Police arrest robbery suspect", "13 seconds -"),
                                                      ("Markets rally on rate cut", "2 hours ago"),
                                                      ("Floods hit the coast", "1 hour -")])
_PHRASES = [
    "Advertisement", "ADS", "Sponsored content", "Story continues below advertisement", "Listen to this article",
    "Audio By Carbonatix", "00:00 / 03:21", "5 min read", "A+ A-", "Text size", "Share this article",
    "Facebook | Twitter | Email", "Latest Stories", "Related stories", "You may also like", "Most read",
    "13 seconds -", "2 hours ago", "Yesterday", "Read more: Why the vote matters", "WATCH: Floods hit",
    "Floods hit the northern coast [VIDEO]", "Sign up for our daily newsletter", "Download our app",
    "Click here to subscribe", "Follow her on Twitter @jdoe", "Email Jane at jane@example.com", "@janedoe",
    "Have a tip?", "Already a subscriber? Log in to your account to continue reading.",
    "Subscribe now to continue reading. Subscribers only.", "Source link : https://example.com/a", "Author :",
    "Exit mobile version", "© 2024 Example Media. All rights reserved.", "(c) 2019 AP", "Copyright 2005 Reuters",
    "We may earn a commission from links on this page.", "(Reporting by Jane Doe; Editing by John Smith)",
    "Reporting by the paper showed the scheme failed", "Jane Doe contributed to this report.",
    "Published April 12, 2024 8:00 AM EDT", "UPDATED: Tue., Nov. 19, 2019", "Updated at 1:23 p.m.",
    "— Kennedy Wandera (@KennedyWandera_) April 12, 2024", "pic.twitter.com/abc123", "View this post on Instagram",
    "Tags: Niger, Russia", "Join the conversation", "3 comments", "Leave a reply", "Bookmark | Print | Email",
    "Posted July 4, 2005 3:21 PM", "Staff writer | Riverside Dispatch",
]
_SENTENCES = [
    "Russian instructors arrived in Niger on Wednesday, officials said.",
    "The central bank raised its main interest rate by half a point.",
    "Share prices rose 4% as investors may earn more from the deal.",
    "Already, the army has moved. Fans were urged to subscribe now.",
    "More than 200 people attended the rally in the capital.",
    "Follow the money, the prosecutor told the court by video link.",
    "The US stock market has closed higher in response to the elections.",
    "Contact with the rebels was lost at 3:45 on Monday.",
    "Niger’s junta met “the delegation” — 1,000 troops… Pokémon",
    "Russia Sends Instructors to Niger",
]
# Characters that IGNORECASE matches to an ASCII letter (or that lower-casing splits in two).
_ODD = {"s": "ſ", "i": "ı", "I": "İ", "k": "K"}


@st.composite
def _line(draw) -> str:
    base = draw(st.sampled_from(_GOLDEN + _PHRASES + _SENTENCES))
    case = draw(st.sampled_from(["keep", "keep", "upper", "lower", "title"]))
    base = {"keep": base, "upper": base.upper(), "lower": base.lower(), "title": base.title()}[case]
    if draw(st.integers(0, 5)) == 0:
        chars = list(base)
        for k in draw(st.lists(st.integers(0, max(len(chars) - 1, 0)), max_size=3)):
            chars[k] = _ODD.get(chars[k], chars[k])
        base = "".join(chars)
    prefix = draw(st.sampled_from(["", "", "", "- ", "• ", "(", "— ", "* ", ">> ", "1. "]))
    suffix = draw(st.sampled_from(["", "", "", ":", ".", " |", "?", " »"]))
    return prefix + base + suffix


def _texts(blocks: list[str]) -> st.SearchStrategy[str]:
    """Texts of lines, blank lines and furniture blocks (whole golden inputs, a trailing headline list)."""
    part = st.one_of(_line(), _line(), st.just(""), st.sampled_from(blocks))
    return st.lists(part, min_size=1, max_size=16).map("\n".join)


_ALL_BLOCKS = [b for blocks in _BLOCKS.values() for b in blocks] + [_LIST_TAIL]
_TEXTS = _texts(_ALL_BLOCKS)


def _difflib_changes(rule: str, before: str, after: str) -> list[Change]:
    """``line_changes`` as first written: always difflib."""
    if before == after:
        return []
    old, new = before.split("\n"), after.split("\n")
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed = "\n".join(line for line in old[i1:i2] if line.strip())
        added = "\n".join(line for line in new[j1:j2] if line.strip())
        if removed and not added:
            changes.append(Change(rule, removed=removed))
        elif removed or added:
            changes.append(Change(rule, before=removed, after=added))
    return changes


def _straight_apply(text: str, names) -> tuple[str, list[Change]]:
    changes: list[Change] = []
    for name in names:
        if RULES[name].needs_page:
            continue  # page rules run only with a page, as in apply_rules
        new = RULES[name].func(text)
        changes.extend(_difflib_changes(name, text, new))
        text = new
    return text, changes


def _straight_until_stable(text: str, names) -> tuple[str, list[Change]]:
    changes: list[Change] = []
    while True:
        new, removed = _straight_apply(text, names)
        changes.extend(removed)
        if new == text:
            return text, changes
        text = new


_TEXT_RULES = [n for n in DEFAULT_RULES if not RULES[n].needs_page]
_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_TEXTS)
@example("Advertisement\nThe vote is on Friday.\nAdvertisement\n\nExit mobile version")
@example("The talks failed.\n" + _LIST_TAIL + "\n© 2024 Example Media. All rights reserved.")
def test_rules_until_stable_equal_the_straightforward_path(text):
    assert apply_rules_until_stable(text, DEFAULT_RULES) == _straight_until_stable(text, DEFAULT_RULES)


@pytest.mark.parametrize("name", _TEXT_RULES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_rule_alone_equals_its_function(data, name):
    """One rule on a tidy text (where the prefilters and candidate lines apply), mostly its own furniture."""
    text = join_lines(data.draw(_texts(_BLOCKS[name] + _BLOCKS[name] + _ALL_BLOCKS)).split("\n"))
    assert apply_rules(text, [name]) == _straight_apply(text, [name])


@_SETTINGS
@given(_TEXTS, st.permutations(_TEXT_RULES))
def test_any_rule_order_equals_the_straightforward_path(text, names):
    assert apply_rules_until_stable(text, names) == _straight_until_stable(text, names)


def test_clean_text_on_golden_inputs_equals_the_straightforward_path():
    for path in sorted((Path(__file__).parent / "data" / "rules").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            text = R.join_lines(case["input"].split("\n"))
            assert apply_rules_until_stable(text) == _straight_until_stable(text, DEFAULT_RULES)
            assert clean_text(case["input"]).text == _straight_until_stable(
                clean_text(case["input"], _NO_RULES).text, DEFAULT_RULES)[0]


# Where each scan must find every line the rule's pattern accepts.
_SCANS = [
    (R._OPEN_AUDIO, R._WIDGET.fullmatch), (R._OPEN_AD, R._AD.fullmatch), (R._OPEN_SHARE, R._SHARE.fullmatch),
    (R._OPEN_NEWSLETTER, R._NEWSLETTER.search), (R._OPEN_TEASER, R._TEASER.match),
    (R._TAG_OPEN, R._TAGGED_HEADLINE.search), (R._OPEN_PROMO, R._PROMO_PROMPT.match),
    (R._OPEN_CONTACT, R._CONTACT.fullmatch), (R._OPEN_HEADING, R._HEADING.fullmatch),
    (R._OPEN_POST_LABEL, R._POST_LABEL.fullmatch), (R._OPEN_BLOCK, R._BLOCK_HEADING.fullmatch),
    (R._OPEN_BLOCK, R._WIDGET_LABEL.fullmatch),
]


@_SETTINGS
@given(st.lists(_line(), min_size=1, max_size=6), st.integers(0, 5))
def test_scans_find_every_line_the_patterns_accept(lines, where):
    lines.insert(min(where, len(lines)), "")
    text = "\n".join(lines)
    for scan, accepts in _SCANS:
        found = set(R._scan_lines(text, scan))
        for i, line in enumerate(lines):
            if line and accepts(line):
                assert i in found, (scan.pattern, line)


@_SETTINGS
@given(_line())
def test_line_shortcuts_equal_the_patterns(line):
    assert R._notice(line) == bool(R._NOTICE.search(line))
    assert R._stamp(line) == _stamp_as_written(line)
    assert R._is_credit(line) == _credit_as_written(line)
    assert bool(R._POST_LINK.search(line)) <= bool(R._POST_LINK_END.search(line))


def _stamp_as_written(line: str) -> bool:
    tokens = R._WORD.findall(line.lower())
    if not 0 < len(tokens) <= 12:
        return False
    dated = (any(t.isdigit() for t in tokens) and any(t in R._STAMP_MONTHS for t in tokens)) or bool(
        R._NUMERIC_STAMP.search(line))
    if not dated:
        return False
    other = [t for t in tokens if not (t in R._STAMP_WORDS or t.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th|t\d+)", t))]
    return len(other) <= 3


def _credit_as_written(line: str) -> bool:
    if R._words(line) > 50:
        return False
    if " by " not in line and "contributed" not in R._fold(line):
        return False
    credit = R._CREDIT.match(line)
    return bool(credit and R._names_only(credit.group("names"))) or bool(R._CONTRIBUTED.search(line))


def test_digit_class_covers_every_digit():
    missing = [hex(c) for c in range(0x110000) if chr(c).isdigit() and not R._DIGIT_LIKE.match(chr(c))]
    assert not missing


_LIST_LINES = st.lists(st.sampled_from(["", "", " ", "A", "B", "C", "D", "E"]), min_size=1, max_size=14)


@settings(max_examples=3000, deadline=None)
@given(_LIST_LINES, st.lists(st.booleans(), min_size=14, max_size=14), st.booleans(), st.booleans())
@example(["", "", "D", "A", "", "B", ""], [True, True, True, False, False, False, False], False, True)
def test_line_changes_equal_difflib(old, keep, tidy_before, tidy_after):
    before = join_lines(old) if tidy_before else "\n".join(old)
    lines = before.split("\n")
    kept = [line for line, k in zip(lines, keep + [True] * len(lines)) if k]
    after = join_lines(kept) if tidy_after else "\n".join(kept)
    assert line_changes("r", before, after) == _difflib_changes("r", before, after)


@settings(max_examples=3000, deadline=None)
@given(_LIST_LINES, st.integers(0, 14), st.integers(0, 14))
def test_one_removed_run_equals_difflib(old, start, length):
    before = join_lines(old)
    lines = before.split("\n")
    after = join_lines(lines[:start] + lines[start + length:])
    assert line_changes("r", before, after) == _difflib_changes("r", before, after)
