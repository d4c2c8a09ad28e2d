"""The fast paths of the rules give what the straightforward path gives.

The straightforward path: every rule function applied to the whole text, in
order, each removal recorded by difflib's line diff, passes repeated until
nothing changes (the cleaning as first written). The fast paths: one scan
for the lines that open with a rule's words, keys looked for in the folded
text, candidate lines that spare the other lines a regex, verdicts
remembered by line (from text to text), views of a text less some lines
that take over what was found, line rules skipped after the first pass, and
the one-run shortcut of ``line_changes``. Texts are built from the golden
rule cases' lines (real furniture and their negatives), trigger phrases in
odd case and punctuation, the characters that IGNORECASE matches to ASCII
letters (long s, dotless i, dotted capital I, Kelvin sign), non-ASCII digits
and spaces, long lines with brackets, and ordinary sentences, so a fast path
that wrongly skips a line shows up as a difference.
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
from dedupe.clean.rules import DEFAULT_RULES, RULES, Memo, apply_rules, apply_rules_until_stable, join_lines, line_changes
from dedupe.clean.rules import changes as C
from dedupe.clean.rules import credits, footers, headlines, paywall, social, teasers, widgets
from dedupe.clean.rules import engine as E
from dedupe.clean.rules import lines as L
from dedupe.config import CleanConfig
from dedupe.records import Change

_NO_RULES = CleanConfig(rules=())  # whitespace and encoding only

_CASES = [case for path in sorted((Path(__file__).resolve().parents[1] / "data" / "rules").glob("*.json"))
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
    # Non-ASCII digits and spaces where the patterns take \d and \s, other openers and keys.
    "\u0661\u0662:\u0663\u0660", "\uff15\u00a0min read", "\u0663 comments", "A\u00a0+ A\u2009-", "\u2014 @janedoe",
    "• Advertisement", "“Read more: a teaser”", "You’ve reached your limit of free articles",
    "You have used all 5 free articles",
    "You've reached your limit", "The story continues below advertisement", "Read more at Reuters",
    "Unlock full digital access for as little as $1", "Create a free account to keep reading",
    "Thanks for signing up! Get the Daily Brief app", "This article is available to subscribers only.",
    "Personal, non-commercial use only. May not be republished, broadcast or rewritten.",
    "We may receive a small commission.", "Affiliate links below", "We may get a share of sales",
    "Get unlimited access today", "Unlock unrestricted digital access", "Register for a account",
    "Keep reading: log in to your subscription", "Your card on file will be charged", "Members-only content",
    "Unable to see the content? Sign in button below", "Tap here to download the app", "Get the Morning Post app",
    "Did you like this story?", "Error processing your subscription", "Try a free trial in your inbox",
    "Additional reporting by Jane Doe",
    "Research by Ann Lee and Bo Chen",
    # Long lines with "[" (the tag search is quadratic in them) and tags in odd places.
    "Police said " + "the search went on " * 30 + "[VIDEO]", "a b c [A] x [VIDEO] ] [",
    "[VIDEO] Floods hit the coast", "Three words here [PHOTOS]  ...", "one two [AB]", "Floods [VIDEO] hit the coast",
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


def _variants(line: str) -> list[str]:
    """A line as it is, in upper, lower and title case, and with the characters of _ODD."""
    return [line, line.upper(), line.lower(), line.title(), "".join(_ODD.get(c, c) for c in line)]


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
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "rules").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            text = R.join_lines(case["input"].split("\n"))
            assert apply_rules_until_stable(text) == _straight_until_stable(text, DEFAULT_RULES)
            assert clean_text(case["input"]).text == _straight_until_stable(
                clean_text(case["input"], _NO_RULES).text, DEFAULT_RULES)[0]


# Where each rule's openers must find every line the rule's pattern accepts.
_OPENED = [
    ("audio_widget", widgets.WIDGET.fullmatch), ("ad_label", widgets.AD.fullmatch), ("share_bar", widgets.SHARE.fullmatch),
    ("newsletter_prompt", paywall.NEWSLETTER.search), ("teaser_link", teasers.TEASER.match),
    ("promo_prompt", teasers.PROMO_PROMPT.match), ("contact_line", social.CONTACT.fullmatch),
    ("latest_headlines", headlines.HEADING.fullmatch), ("embedded_post", social.POST_LABEL.fullmatch),
    ("related_block", headlines.BLOCK_HEADING.fullmatch), ("related_block", headlines.WIDGET_LABEL.fullmatch),
    ("reporting_credit", credits.CREDIT.match),
]
# The scans that the rule functions latest_headlines and related_block use themselves.
_SCANS = [(headlines.OPEN_HEADING, headlines.HEADING.fullmatch), (headlines.OPEN_BLOCK, headlines.BLOCK_HEADING.fullmatch),
          (headlines.OPEN_BLOCK, headlines.WIDGET_LABEL.fullmatch), (teasers.TAG_OPEN, teasers.TAGGED_HEADLINE.search)]


@_SETTINGS
@given(st.lists(_line(), min_size=1, max_size=6), st.integers(0, 5))
def test_scans_find_every_line_the_patterns_accept(lines, where):
    lines.insert(min(where, len(lines)), "")
    text = "\n".join(lines)
    for scan, accepts in _SCANS:
        found = set(L.scan_lines(text, scan))
        for i, line in enumerate(lines):
            if line and accepts(line):
                assert i in found, (scan.pattern, line)
    view = E.View(text)
    for name, accepts in _OPENED:
        found = set(view.opened(name))
        for i, line in enumerate(lines):
            if line and accepts(line):
                assert E.opener_table().line[name].match(line), (name, line)
                assert i in found, (name, line)


# Lines that stress the scan for opening lines: a run before the words (ASCII, non-ASCII, "@", "_"), the
# words of an opener or of a sentence in odd case, non-ASCII digits and spaces, then anything.
_RUNS = ["", "", " ", "- ", "-- ", "(", "“", "— ", "• ", "\u00a0", "\x1c", "@", "@@ ", "_", "é", "1. ", "[", ">> "]
_WORDS = ["advertisement", "listen", "share", "follow us", "e-mail", "email", "x", "jane@example.com", "@jdoe",
          "latest", "the latest", "related", "you may", "more", "read", "view this post", "this tweet was",
          "additional reporting", "research", "sign up for", "subscribe", "get the", "download", "don't miss",
          "tags", "3 comments", "\u0663 comments", "12:30", "\u0661\u0662:\u0663\u0660", "5 min", "\uff15\u00a0min",
          "a+", "aa -", "a\u00a0+", "audio by", "text size", "the story continues", "skip", "have a tip", "www.x.com",
          "twitter.com/a", "http", "contact", "reach", "write to", "play", "your browser", "powered by", "embedded",
          "leave a", "join the", "trending", "top stories", "most read", "also read", "see also", "in other news",
          "what to read next", "editor's picks", "explore further", "further reading", "filed under", "accept",
          "allow", "a post shared", "viewed", "shared", "popular", "recommended", "recent", "other", "watch"]
_TAILS = ["", ":", " now", " this article: x", " newsletter", " our app", " | x", "]", " more", "\u00a0min read"]


@st.composite
def _opening_line(draw) -> str:
    word = draw(st.sampled_from(_WORDS + _SENTENCES))
    case = draw(st.sampled_from(["keep", "upper", "title"]))
    word = {"keep": word, "upper": word.upper(), "title": word.title()}[case]
    if draw(st.booleans()):
        word = "".join(_ODD.get(c, c) for c in word)
    return draw(st.sampled_from(_RUNS)) + word + draw(st.sampled_from(_TAILS))


def test_openers_accept_every_base_line_the_patterns_accept():
    for base in _GOLDEN + _PHRASES + _SENTENCES:
        for line in _variants(base):
            for prefix in _RUNS:
                _check_openers([prefix + line])


@_SETTINGS
@given(st.lists(st.one_of(_opening_line(), st.just("")), min_size=1, max_size=8))
def test_the_opening_scan_finds_every_line_an_opener_matches(lines):
    _check_openers(lines)


def _check_openers(lines: list[str]) -> None:
    """Every line a rule's pattern accepts opens with its words; the scan finds every line an opener matches."""
    text = "\n".join(lines)
    found = {i for i, _ in E.open_hits(b"\n" + L.bfold(text), lines, E.opener_table(), Memo())}
    view = E.View(text)
    for i, line in enumerate(lines):
        if E.opener_table().any_line.match(line):
            assert i in found, line
        for name, regex in E.opener_table().line.items():
            if regex.match(line):
                assert E.opener_table().any_line.match(line), (name, line)
        for name, accepts in _OPENED:
            if line and accepts(line):
                assert E.opener_table().line[name].match(line), (name, line)
                assert i in view.opened(name), (name, line)


def test_bfold_keeps_what_the_fast_paths_rely_on():
    """Checked against every code point (see lines.bfold and the opening scan in engine.py)."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    str_space = re.compile(r"[^\S\n]")
    bytes_space = re.compile(rb"[\t\x0b\x0c\r\x1c-\x1f \x80-\xff]+")
    for code in range(0x110000):
        char = chr(code)
        folded = L.bfold(char)
        if char.isascii():
            assert folded == char.lower().encode("ascii")
            continue
        if letter.fullmatch(char):  # IGNORECASE takes it for an ASCII letter: it folds to that letter
            assert len(folded) == 1 and folded in b"abcdefghijklmnopqrstuvwxyz", hex(code)
            assert re.fullmatch(folded.decode("ascii"), char, re.IGNORECASE), hex(code)
            continue
        assert min(folded) >= 0x80, hex(code)  # no ASCII byte: no letter, digit, "@" or newline
        if str_space.match(char):
            assert bytes_space.fullmatch(folded), hex(code)


def test_keys_are_held_by_every_base_line_the_patterns_match():
    for base in _GOLDEN + _PHRASES + _SENTENCES:
        for line in _variants(base):
            _check_keys(line)


@_SETTINGS
@given(_line())
def test_keys_are_held_by_every_line_the_patterns_match(line):
    _check_keys(line)


def _check_keys(line: str) -> None:
    folded = L.bfold(line)

    def holds(groups) -> bool:
        return all(any(key in folded for key in keys) for keys in groups)

    for cue, groups in zip(paywall.PAYWALL_CUES, paywall.PAYWALL_BKEYS):
        if cue.search(line):
            assert holds(groups), (cue.pattern, line)
    if teasers.PROMO_PHRASE.search(line):
        assert any(holds(groups) for groups in teasers.PROMO_PHRASE_BKEYS), line
    if credits.NOTICE.search(line):
        assert any(key in folded for keys in RULES["legal_notice"].hints.cues for key in L.bcue(keys)[0]), line
    if credits.CONTRIBUTED.search(line):
        assert b"contributed " in folded, line


_TAG_CHARS = st.sampled_from(list("ab Z[]AB.-_é1") + ["VIDEO", "[VIDEO]", "[A B]", " x"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_TAG_CHARS, max_size=40).map("".join))
@example("Police said " + "the search went on " * 30 + "[VIDEO]")
@example("a b c [A] x [VIDEO] ] [")
@example("[VIDEO] a b c")
def test_tag_search_equals_the_pattern(line):
    assert teasers.tagged(line) == bool(teasers.TAGGED_HEADLINE.search(line))


@_SETTINGS
@given(_line(), _line())
def test_same_words_equals_normalized_comparison(line, other):
    for words in (R.normalize_words(line), R.normalize_words(other)):
        if words:
            assert headlines.same_words(line, words) == (R.normalize_words(line) == words)


@_SETTINGS
@given(_TEXTS, st.sets(st.integers(0, 40), max_size=6), st.sets(st.integers(0, 40), max_size=4))
@example("A\n\nB\n\nC", {2}, {0})
@example("A\n\nB\n\nC", {4}, {0, 1})
@example("A\n\nB\n\nC", {0, 1, 2}, {1, 2})
@example("A\nB\n\nC\nD", {1}, {1, 2})
def test_views_without_lines_equal_fresh_views(text, drop, drop2):
    """A view of a text less some lines: its text is join_lines' and what it takes over is what a fresh view finds."""
    text = join_lines(text.split("\n"))
    view = E.View(text)
    view.opened("ad_label"), view.holding(b"your "), view.holding(b"copyright")  # found here, taken over below
    for lines_out in (drop, drop2):
        lines = view.lines
        after = view.without(lines_out)
        assert after.text == join_lines([line for i, line in enumerate(lines) if i not in lines_out])
        fresh = E.View(after.text)
        assert after.lines == fresh.lines and after.folded == fresh.folded
        for name in E.opener_table().bits:
            assert after.opened(name) == fresh.opened(name)
        for key in (b"your ", b"copyright", b"the"):
            assert after.holding(key) == fresh.holding(key)
        assert after.lines[:after.start] == lines[:after.start]
        if after.text != view.text:
            assert C.changes_between("r", lines, after.lines, after.text, after.tidy, after.start, view.unique) == \
                _difflib_changes("r", view.text, after.text)
        view = after


def test_remembered_verdicts_change_nothing():
    """Verdicts remembered from earlier texts, or tables trimmed on the way, give the same results."""
    texts = [case["input"] for case in _CASES] + ["\n".join(_PHRASES), "\n".join(_PHRASES[::-1])]
    memo = Memo()
    cold = [apply_rules_until_stable(t, memo=memo) for t in texts]
    warm = [apply_rules_until_stable(t, memo=memo) for t in texts]
    assert warm == cold
    assert [apply_rules_until_stable(t, memo=Memo()) for t in texts] == cold  # each text with a memo of its own
    trimmed = Memo(limit=3, trim_every=1)  # trim after every text
    assert [apply_rules_until_stable(t, memo=trimmed) for t in texts] == cold
    trimmed.trim()
    assert all(len(table) <= 3 for table in [*trimmed.tables.values(), trimmed.openers])
    assert cold == [_straight_until_stable(t, DEFAULT_RULES) for t in texts]


@_SETTINGS
@given(_line())
def test_line_shortcuts_equal_the_patterns(line):
    assert credits.notice(line) == bool(credits.NOTICE.search(line))
    assert footers.stamp(line) == _stamp_as_written(line)
    assert RULES["reporting_credit"].hints.judge(line) == _credit_as_written(line)
    assert bool(social.POST_LINK.search(line)) <= bool(social.POST_LINK_END.search(line))


def _stamp_as_written(line: str) -> bool:
    tokens = L.WORD.findall(line.lower())
    if not 0 < len(tokens) <= 12:
        return False
    dated = (any(t.isdigit() for t in tokens) and any(t in footers.STAMP_MONTHS for t in tokens)) or bool(
        footers.NUMERIC_STAMP.search(line))
    if not dated:
        return False
    other = [t for t in tokens if not (t in footers.STAMP_WORDS or t.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th|t\d+)", t))]
    return len(other) <= 3


def _credit_as_written(line: str) -> bool:
    if L.word_count(line) > 50:
        return False
    if " by " not in line and "contributed" not in L.fold(line):
        return False
    credit = credits.CREDIT.match(line)
    return bool(credit and credits.names_only(credit.group("names"))) or bool(credits.CONTRIBUTED.search(line))


def test_digit_class_covers_every_digit():
    missing = [hex(c) for c in range(0x110000) if chr(c).isdigit() and not L.DIGIT_LIKE.match(chr(c))]
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


@st.composite
def _list_with_repeats(draw) -> list[str]:
    """Lines mostly unique, some repeated (the age lines of a headline list), some empty."""
    unique = iter(f"U{i}" for i in range(64))
    repeats = ["R1", "R2", "R3"][: draw(st.integers(1, 3))]
    kinds = draw(st.lists(st.sampled_from(["", "", "r", "u", "u", "u"]), min_size=1, max_size=18))
    return [next(unique) if kind == "u" else draw(st.sampled_from(repeats)) if kind == "r" else "" for kind in kinds]


@settings(max_examples=4000, deadline=None)
@given(_list_with_repeats(), st.integers(0, 18), st.integers(1, 4))
@example(["U0", "", "R1", "U1", "R1", "", "U2", "", "U3"], 7, 2)
def test_one_removed_run_with_repeated_lines_equals_difflib(old, start, length):
    before = join_lines(old)
    lines = before.split("\n")
    after = join_lines(lines[:start] + lines[start + length:])
    assert line_changes("r", before, after) == _difflib_changes("r", before, after)
