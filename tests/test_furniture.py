"""Boilerplate learned from repetition: per-source furniture goes, cross-source repetition stays."""

from __future__ import annotations

import random

from dedupe import RunConfig, run
from dedupe.clean import FurnitureLearner

FOOTER = "Follow the Harbour Gazette on every platform for breaking local updates"
WIRE = "The central bank raised its main interest rate by half a point to curb inflation on Thursday."


_VOCAB = [f"{c}{v}{d}" for c in "bdfgklmnprstvz" for v in "aeiou" for d in ("n", "r", "l", "m")]


def _story(i: int) -> str:
    """A short story of its own: random words from a 280-word vocabulary, so stories share no sentences."""
    rng = random.Random(i)
    return "\n".join(" ".join(rng.choice(_VOCAB) for _ in range(14)).capitalize() + "." for _ in range(4))


def test_learner_finds_per_source_furniture_only():
    learner = FurnitureLearner(min_docs=5, min_share=0.8)
    for i in range(6):
        learner.add("gazette.example", _story(i) + "\n" + FOOTER)
    for k in range(6):  # the same wire sentence in six different outlets: article text
        learner.add(f"outlet{k}.example", _story(100 + k) + "\n" + WIRE)
    model = learner.model()
    text, changes = model.strip("gazette.example", _story(1) + "\n" + FOOTER)
    assert FOOTER not in text and _story(1) == text
    assert changes[0].rule == "learned_furniture" and changes[0].removed == FOOTER
    kept, none = model.strip("outlet1.example", _story(101) + "\n" + WIRE)
    assert WIRE in kept and not none


def test_unknown_source_documents_lose_known_furniture():
    learner = FurnitureLearner(min_docs=5)
    for i in range(5):
        learner.add("gazette.example", _story(i) + "\n" + FOOTER)
    text, _ = learner.model().strip(None, _story(9) + "\n" + FOOTER)
    assert FOOTER not in text


def test_run_removes_learned_furniture_and_it_no_longer_links_articles(tmp_path):
    import json

    rows = [{"id": f"g{i}", "url": f"https://www.gazette.example/news/{i}", "text": _story(i) + "\n" + FOOTER + "\n" + FOOTER.upper()}
            for i in range(8)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run([str(src)], RunConfig(workers=1))
    assert len(result.clusters) == 8, "unrelated articles sharing a footer must not be linked"
    assert result.furniture_lines >= 1
    for doc in result.documents.values():
        assert "Harbour Gazette" not in (doc.text or "")
        assert doc.source == "gazette.example"
