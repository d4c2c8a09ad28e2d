"""Golden cases for the boilerplate rules, kept as data files in tests/data/rules/.

Each case: the rule, a label, an input and the expected output. Labels that
start with NEGATIVE are article text that looks like furniture and must
survive the rule and the whole cleaning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedupe import clean_text
from dedupe.clean import RULES

CASES = [
    pytest.param(case, id=f"{path.stem}:{case['rule']}:{case['label']}")
    for path in sorted((Path(__file__).parent / "data" / "rules").glob("*.json"))
    for case in json.loads(path.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize("case", CASES)
def test_rule_case(case):
    assert RULES[case["rule"]].func(case["input"]) == case["expected"]


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0]["label"].startswith("NEGATIVE")])
def test_negatives_survive_all_cleaning(case):
    assert clean_text(case["input"]).text == case["input"]


def test_every_rule_has_golden_cases_both_ways():
    positive = {c.values[0]["rule"] for c in CASES if not c.values[0]["label"].startswith("NEGATIVE")}
    negative = {c.values[0]["rule"] for c in CASES if c.values[0]["label"].startswith("NEGATIVE")}
    assert positive == set(RULES)
    assert negative == set(RULES)
