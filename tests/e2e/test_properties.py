"""Acceptance 3, as hypothesis properties: idempotent cleaning; output a partition of the input
ids; clusters and canonicals independent of input order; an exact copy joins its original."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dedupe import clean_text, deduplicate
from dedupe._text import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Real sentences to build documents from, so generated corpora contain genuine overlaps.
POOL = sorted({s for p in sorted(SEEDS.iterdir()) for s in split_sentences(p.read_text(encoding="utf-8"))
               if len(s.split()) >= 8})
FURNITURE = [
    "Audio By Carbonatix", "Latest Stories", "2 hours -", "13 seconds -", "Exit mobile version",
    "Author :", "Already a subscriber? Make sure to log into your account to continue reading.",
    "— Jane Doe (@jdoe) April 12, 2024", "Advertisement", "Share this article", "-",
]

line = st.one_of(st.sampled_from(POOL), st.sampled_from(FURNITURE), st.text(max_size=60))
texts = st.lists(line, max_size=12).map("\n".join) | st.text(max_size=300)


@given(texts)
def test_cleaning_is_idempotent(text):
    once = clean_text(text).text
    assert clean_text(once).text == once


@st.composite
def corpora(draw):
    n = draw(st.integers(1, 14))
    docs = []
    for i in range(n):
        kind = draw(st.sampled_from(["fresh", "copy", "mix", "empty"])) if docs else "fresh"
        if kind == "copy":
            text = draw(st.sampled_from(docs))["text"]
        elif kind == "mix":
            base = draw(st.sampled_from(docs))["text"].split("\n")
            keep = draw(st.lists(st.sampled_from(base), min_size=1, max_size=len(base)))
            extra = draw(st.lists(st.sampled_from(POOL), max_size=3))
            text = "\n".join(keep + extra)
        elif kind == "empty":
            text = draw(st.sampled_from(["", "   ", "!!!", "—"]))
        else:
            text = "\n".join(draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=10)))
        docs.append({"id": f"doc{i:02d}", "text": text})
    return docs


def _partition(result):
    return sorted(sorted(c.members) for c in result.clusters)


@given(corpora())
def test_output_is_a_partition_of_input_ids(docs):
    result = deduplicate(docs)
    members = [m for c in result.clusters for m in c.members]
    rejected = [r.id for r in result.rejected]
    assert len(members) == len(set(members))
    assert sorted(members + rejected) == sorted(d["id"] for d in docs)
    for c in result.clusters:
        assert c.canonical == c.members[0]


@given(corpora(), st.randoms(use_true_random=False))
def test_order_independent(docs, rnd):
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    a, b = deduplicate(docs), deduplicate(shuffled)
    assert _partition(a) == _partition(b)
    assert sorted((c.id, c.canonical) for c in a.clusters) == sorted((c.id, c.canonical) for c in b.clusters)


@given(corpora(), st.data())
def test_exact_copy_joins_its_original(docs, data):
    original = data.draw(st.sampled_from(docs))
    copy = {"id": "zz-copy", "text": original["text"]}
    result = deduplicate(docs + [copy])
    cluster_of = {m: c.id for c in result.clusters for m in c.members}
    if original["id"] in cluster_of:
        assert cluster_of["zz-copy"] == cluster_of[original["id"]]
    else:  # the original had no words: its copy is rejected the same way
        assert "zz-copy" in {r.id for r in result.rejected}
