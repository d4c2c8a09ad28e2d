"""Clusters do not chain unrelated stories through a document that borrows from both."""

from __future__ import annotations

import random

from dedupe import deduplicate

STORY_A = [
    f"The regional council in Northfield voted {n} times on the harbour bridge plan before the deadline expired." for n in range(3)
] + [
    "Engineers warned that the existing crossing carried twice the traffic it was designed for in 1962.",
    "Opponents said the new bridge would cut the old fishing quarter off from the sea front for good.",
    "The mayor promised a public inquiry into the tender once the contractor had been named next spring.",
    "Residents of the quarter collected eleven thousand signatures against the route within three weeks.",
    "A spokesman for the contractor declined to comment on the cost overruns reported by local media.",
    "The national transport agency will fund sixty percent of the work if construction starts this year.",
]
STORY_B = [
    "Scientists at the polar station recorded the lowest sea ice extent for the month since records began.",
    "The team flew drones over the shelf to measure meltwater ponds that formed during the warm spell.",
    "Satellite images showed a crack spreading forty kilometres across the glacier tongue in February.",
    "The expedition leader said the findings would be shared with the international panel in autumn.",
    "Funding for the station was renewed after a campaign by researchers from nine different countries.",
    "Penguin colonies near the coast moved inland as the ice edge retreated further than expected.",
    "A supply ship reached the station two weeks late after being trapped by drifting pack ice.",
    "The data will be used to improve the climate models that forecast sea level rise this century.",
]


def _copy(sentences, rng, keep=0.8):
    chosen = [s for s in sentences if rng.random() < keep] or sentences[:3]
    return " ".join(chosen)


def test_roundup_does_not_chain_two_stories():
    rng = random.Random(3)
    docs = [{"id": "a0", "text": " ".join(STORY_A)}, {"id": "b0", "text": " ".join(STORY_B)}]
    docs += [{"id": f"a{i}", "text": _copy(STORY_A, rng)} for i in range(1, 4)]
    docs += [{"id": f"b{i}", "text": _copy(STORY_B, rng)} for i in range(1, 4)]
    # A roundup built from half of each story links to both.
    docs.append({"id": "roundup", "text": " ".join(STORY_A[:4] + STORY_B[:4])})
    result = deduplicate(docs)
    cluster_of = {m: c.id for c in result.clusters for m in c.members}
    assert len({cluster_of[f"a{i}"] for i in range(4)}) == 1
    assert len({cluster_of[f"b{i}"] for i in range(4)}) == 1
    assert cluster_of["a0"] != cluster_of["b0"], "the roundup chained two unrelated stories"
    assert cluster_of["roundup"] in (cluster_of["a0"], cluster_of["b0"])


def test_canonical_policy_is_recorded_and_order_free():
    docs = [
        {"id": "short", "text": " ".join(STORY_A[:6]), "published": "2024-01-01"},
        {"id": "long", "text": " ".join(STORY_A), "published": "2024-01-02"},
    ]
    (cluster,) = deduplicate(docs).clusters
    assert cluster.canonical == "long" and "most complete" in cluster.reason
    from dedupe import DedupConfig

    (cluster,) = deduplicate(list(reversed(docs)), DedupConfig(canonical="earliest")).clusters
    assert cluster.canonical == "short" and "earliest" in cluster.reason
