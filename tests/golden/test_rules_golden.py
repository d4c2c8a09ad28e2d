"""Golden cases for the boilerplate rules, kept as data files in tests/data/rules/.

Each case: the rule, a label, an input and the expected output; cases of page
rules also give the ``page`` (headline candidates and same-site link texts, in
normalised form). Labels that start with NEGATIVE are article text that looks
like furniture and must survive the rule and the whole cleaning.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dedupe import clean_text
from dedupe.clean import RULES
from dedupe.clean.rules import DEFAULT_RULES, PageContext, apply_rules

CASES = [
    pytest.param(case, id=f"{path.stem}:{case['rule']}:{case['label']}")
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "rules").glob("*.json"))
    for case in json.loads(path.read_text(encoding="utf-8"))
]


def _page(case: dict) -> PageContext | None:
    page = case.get("page")
    if page is None:
        return None
    return PageContext(tuple(page.get("titles", ())), frozenset(page.get("links", ())))


@pytest.mark.parametrize("case", CASES)
def test_rule_case(case):
    rule = RULES[case["rule"]]
    assert rule.needs_page == ("page" in case), "page rules need a page in their cases, text rules none"
    out = rule.func(case["input"], _page(case)) if rule.needs_page else rule.func(case["input"])
    assert out == case["expected"]


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0]["label"].startswith("NEGATIVE")])
def test_negatives_survive_all_cleaning(case):
    assert clean_text(case["input"]).text == case["input"]
    # Text from an HTML page also meets the page rules.
    assert apply_rules(case["input"], DEFAULT_RULES, page=_page(case) or PageContext()) == (case["input"], [])


@pytest.mark.parametrize("case", [c for c in CASES if not c.values[0]["label"].startswith("NEGATIVE")])
def test_positive_removals_are_recorded_by_rule(case):
    text, changes = apply_rules(case["input"], [case["rule"]], page=_page(case))
    assert text == case["expected"]
    assert changes and {c.rule for c in changes} == {case["rule"]}
    removed = Counter(line for c in changes for line in c.removed.split("\n"))
    lines = Counter(line for line in case["input"].split("\n") if line.strip())
    assert removed == lines - Counter(case["expected"].split("\n"))


def test_every_rule_has_golden_cases_both_ways():
    positive = {c.values[0]["rule"] for c in CASES if not c.values[0]["label"].startswith("NEGATIVE")}
    negative = {c.values[0]["rule"] for c in CASES if c.values[0]["label"].startswith("NEGATIVE")}
    assert positive == set(RULES)
    assert negative == set(RULES)


def test_page_rules_do_nothing_without_a_page():
    text = "Russian Instructors Arrive in Niger\nDozens of instructors have arrived."
    page = PageContext(titles=("russian instructors arrive in niger",))
    assert apply_rules(text, ["page_title"]) == (text, [])
    out, changes = apply_rules(text, ["page_title"], page=page)
    assert out == "Dozens of instructors have arrived."
    assert [(c.rule, c.removed) for c in changes] == [("page_title", "Russian Instructors Arrive in Niger")]


def test_every_rule_is_in_the_default_order():
    assert set(DEFAULT_RULES) == set(RULES) and len(DEFAULT_RULES) == len(RULES)
