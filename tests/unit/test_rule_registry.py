"""The rule registry: a rule is one function, its hints and its golden cases.

A rule registered without hints, or with only some, still runs (over every
line, or the lines its hints leave) and gives what its function gives; a
registration the engine cannot honour fails when it is made, with a message
that names the rule.
"""

from __future__ import annotations

import re

import pytest

from dedupe import clean_text
from dedupe.clean.rules import (DEFAULT_RULES, RULES, Memo, apply_rules, apply_rules_until_stable, default_order,
                                line_rule, rule, unregister)
from dedupe.config import CleanConfig

_TEXT = ("BREAKING BANNER\nTroops arrived on Wednesday.\n\nBREAKING BANNER\nThe vote is on Friday.\n"
         "Listen to this article\nBREAKING BANNER")
_CLEAN = "Troops arrived on Wednesday.\n\nThe vote is on Friday."


@pytest.fixture
def registered():
    """Rules registered by a test, removed after it."""
    names: list[str] = []
    yield names
    for name in names:
        unregister(name)


def test_a_rule_without_hints_works(registered):
    @rule()
    def banner_line(text: str) -> str:
        """Test rule: "BREAKING BANNER" lines."""
        return "\n".join(line for line in text.split("\n") if line != "BREAKING BANNER").strip("\n")

    registered.append("banner_line")
    assert RULES["banner_line"].hints is None and "banner_line" not in DEFAULT_RULES
    names = (*DEFAULT_RULES, "banner_line")
    for apply in (apply_rules, apply_rules_until_stable):
        text, changes = apply(_TEXT, names, memo=Memo())
        assert text == _CLEAN
        assert [c.rule for c in changes] == ["audio_widget"] + ["banner_line"] * 3  # one change per run of lines
        assert {c.removed for c in changes[1:]} == {"BREAKING BANNER"}
    # Named in a config like any other rule, and run on every pass (no hints say it cannot remove more).
    assert clean_text(_TEXT, CleanConfig(rules=names)).text == _CLEAN
    assert clean_text("BREAKING BANNER\nBREAKING BANNER", CleanConfig(rules=("banner_line",))).text == ""


def test_a_line_rule_with_a_judge_alone_looks_at_every_line(registered):
    @line_rule()
    def shouted_line(line: str) -> bool:
        """Test rule: lines in capitals."""
        return line.isupper()

    registered.append("shouted_line")
    assert shouted_line(_TEXT) == "Troops arrived on Wednesday.\n\nThe vote is on Friday.\nListen to this article"
    for memo in (Memo(), Memo()):  # the verdicts a memo keeps change nothing
        assert apply_rules(_TEXT, ["shouted_line"], memo=memo)[0] == shouted_line(_TEXT)
        assert apply_rules(_TEXT, ["shouted_line"], memo=memo)[0] == shouted_line(_TEXT)


def test_hints_make_a_rule_look_at_fewer_lines_with_the_same_result(registered):
    judged: list[str] = []

    @line_rule(openers=("breaking",))
    def banner_with_hints(line: str) -> bool:
        """Test rule: "BREAKING BANNER" lines, found by their opening word."""
        judged.append(line)
        return line == "BREAKING BANNER"

    registered.append("banner_with_hints")
    text, changes = apply_rules(_TEXT, ["banner_with_hints"], memo=Memo())
    assert judged == ["BREAKING BANNER"]  # only the lines that open with its word, each text judged once
    assert text == banner_with_hints(_TEXT) == _CLEAN + "\nListen to this article"
    assert len(judged) == 1 + 6  # the function itself judges every non-empty line


def test_a_tail_rule_with_a_judge_alone(registered):
    @line_rule(where="tail")
    def trailing_banner(line: str) -> bool:
        """Test rule: "BREAKING BANNER" among the last lines."""
        return line == "BREAKING BANNER"

    registered.append("trailing_banner")
    text = "BREAKING BANNER\n" + "\n".join(f"Sentence {k}." for k in range(8)) + "\nBREAKING BANNER"
    expected = text.rsplit("\n", 1)[0]
    assert trailing_banner(text) == expected
    assert apply_rules(text, ["trailing_banner"], memo=Memo())[0] == expected


def test_the_default_order_comes_from_each_rules_order():
    assert default_order() == DEFAULT_RULES
    orders = [RULES[name].order for name in DEFAULT_RULES]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_registrations_the_engine_cannot_honour_fail_with_the_rule_named(registered):
    with pytest.raises(ValueError, match="'paywall' is registered twice"):
        @line_rule()
        def paywall(line: str) -> bool:
            return False

    with pytest.raises(ValueError, match=r"order 200 is already 'paywall'"):
        @line_rule(200)
        def clashing(line: str) -> bool:
            return False

    with pytest.raises(ValueError, match="marks are not read"):
        @line_rule(where="tail", marks=("[", re.compile(r"\[")))
        def tail_marks(line: str) -> bool:
            return False
    assert "clashing" not in RULES and "tail_marks" not in RULES

    @line_rule(openers=(r"b\w+",))
    def bad_opener(line: str) -> bool:
        """Test rule with an opener the byte scan cannot take."""
        return False

    registered.append("bad_opener")
    with pytest.raises(ValueError, match=r"opener 'b\\\\w\+'"):
        apply_rules("some text", ["bad_opener"])
