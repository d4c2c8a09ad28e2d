"""Tests of dedupe.evaluate on small hand-computed cases.

Notation in the comments: C(x) = x*(x-1)/2 (pairs among x documents);
T = true-positive pairs, A = gold pairs, B = predicted pairs, M = C(N).
ARI = (T - A*B/M) / ((A+B)/2 - A*B/M).
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.evaluate import EvalReport, GoldRow, evaluate, format_report, load_clusters, load_gold

# Six documents in three gold clusters: {a,b,c} {d,e} {f}.
GOLD = [
    GoldRow("a", "G1"),
    GoldRow("b", "G1"),
    GoldRow("c", "G1"),
    GoldRow("d", "G2"),
    GoldRow("e", "G2"),
    GoldRow("f", "G3"),
]


def brute_force(labels_gold: dict[str, str], labels_pred: dict[str, str]) -> tuple[int, int, int, int]:
    """Pair counts by enumerating every pair: (same/same, same gold only, same pred only, neither)."""
    ss = sg = sp = nn = 0
    for x, y in itertools.combinations(sorted(labels_gold), 2):
        g = labels_gold[x] == labels_gold[y]
        p = labels_pred[x] == labels_pred[y]
        if g and p:
            ss += 1
        elif g:
            sg += 1
        elif p:
            sp += 1
        else:
            nn += 1
    return ss, sg, sp, nn


def brute_force_ari(ss: int, sg: int, sp: int, nn: int) -> float | None:
    """ARI in its pair-counting form 2(ad - bc) / ((a+b)(b+d) + (a+c)(c+d)); None if degenerate."""
    a, b, c, d = ss, sg, sp, nn
    den = (a + b) * (b + d) + (a + c) * (c + d)
    if den == 0:
        return None
    return 2 * (a * d - b * c) / den


def test_perfect_clustering() -> None:
    # Same partition under other labels: T = A = B = C(3) + C(2) + C(1) = 3 + 1 + 0 = 4.
    pred = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y", "f": "z"}
    r = evaluate(GOLD, pred)
    assert (r.true_positive_pairs, r.gold_pairs, r.predicted_pairs) == (4, 4, 4)
    assert r.precision == r.recall == r.f1 == r.ari == 1.0
    assert r.n_gold_clusters == r.n_predicted_clusters == 3
    assert r.n_documents == 6
    assert r.only_in_gold == r.only_in_predicted == ()


def test_all_singletons_prediction() -> None:
    # B = 0 -> precision vacuously 1.0; T = 0, A = 4 -> recall 0, F1 0.
    # ARI: M = C(6) = 15, A*B/M = 0, numerator T - 0 = 0, denominator (4+0)/2 - 0 = 2 -> 0.
    pred = {d: f"s{i}" for i, d in enumerate("abcdef")}
    r = evaluate(GOLD, pred)
    assert r.predicted_pairs == 0
    assert r.recall == 0.0
    assert r.precision == 1.0
    assert r.f1 == 0.0
    assert r.ari == 0.0
    assert r.n_predicted_clusters == 6


def test_everything_merged_prediction() -> None:
    # One predicted cluster of 6: B = C(6) = 15, T = A = 4.
    # P = 4/15, R = 1, F1 = 2*(4/15)*1 / (4/15 + 1) = (8/15) / (19/15) = 8/19.
    # ARI: A*B/M = 4*15/15 = 4 = T -> numerator 0 -> ARI 0.
    pred = {d: "all" for d in "abcdef"}
    r = evaluate(GOLD, pred)
    assert (r.true_positive_pairs, r.gold_pairs, r.predicted_pairs) == (4, 4, 15)
    assert r.precision == pytest.approx(4 / 15)
    assert r.recall == 1.0
    assert r.f1 == pytest.approx(8 / 19)
    assert r.ari == pytest.approx(0.0)
    assert r.n_predicted_clusters == 1


def test_worked_ari_example() -> None:
    # Gold G1={a,b,c} G2={d,e} G3={f}; predicted P1={a,b} P2={c,d,e} P3={f}.
    # Contingency table (rows gold, columns predicted):
    #          P1  P2  P3 | a_i
    #     G1    2   1   0 |  3
    #     G2    0   2   0 |  2
    #     G3    0   0   1 |  1
    #     b_j   2   3   1 |  N = 6
    # T = C(2) + C(1) + C(2) + C(1) = 1 + 0 + 1 + 0 = 2
    # A = C(3) + C(2) + C(1) = 3 + 1 + 0 = 4;  B = C(2) + C(3) + C(1) = 1 + 3 + 0 = 4
    # P = 2/4, R = 2/4, F1 = 0.5;  M = C(6) = 15, A*B/M = 16/15
    # ARI = (2 - 16/15) / (4 - 16/15) = (14/15) / (44/15) = 14/44 = 7/22
    pred = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}
    r = evaluate(GOLD, pred)
    assert (r.true_positive_pairs, r.gold_pairs, r.predicted_pairs) == (2, 4, 4)
    assert r.precision == r.recall == r.f1 == 0.5
    expected = Fraction(7, 22)
    assert r.ari == pytest.approx(float(expected))

    # Cross-check by enumerating the 15 pairs: same/same 2 [(a,b), (d,e)],
    # same gold only 2 [(a,c), (b,c)], same predicted only 2 [(c,d), (c,e)], neither 9.
    # Pair-counting ARI = 2(2*9 - 2*2) / ((2+2)(2+9) + (2+2)(2+9)) = 28/88 = 7/22.
    counts = brute_force({g.id: g.cluster for g in GOLD}, pred)
    assert counts == (2, 2, 2, 9)
    assert brute_force_ari(*counts) == pytest.approx(float(expected))


def test_per_kind_recall() -> None:
    # Gold X = {o1 original, r1 repost, n1 noisy}, Y = {o2 original, a2 abridged, w (no kind)},
    # Z = {u unrelated}. Predicted {o1,r1} {n1} {o2,a2,w} {u}.
    # Gold pairs and whether they are recalled:
    #   (o1,r1) yes  (o1,n1) no  (r1,n1) no  (o2,a2) yes  (o2,w) yes  (a2,w) yes
    # original: (o1,r1) (o1,n1) (o2,a2) (o2,w) -> 3 of 4 = 0.75
    # repost:   (o1,r1) (r1,n1)                -> 1 of 2 = 0.5
    # noisy:    (o1,n1) (r1,n1)                -> 0 of 2 = 0.0
    # abridged: (o2,a2) (a2,w)                 -> 2 of 2 = 1.0
    # unrelated: no pairs -> recall None; w has no kind and forms no kind of its own.
    gold = [
        GoldRow("o1", "X", "original"),
        GoldRow("r1", "X", "repost"),
        GoldRow("n1", "X", "noisy"),
        GoldRow("o2", "Y", "original"),
        GoldRow("a2", "Y", "abridged"),
        GoldRow("w", "Y"),
        GoldRow("u", "Z", "unrelated"),
    ]
    pred = {"o1": "p", "r1": "p", "n1": "q", "o2": "s", "a2": "s", "w": "s", "u": "t"}
    r = evaluate(gold, pred)
    got = {k.kind: (k.documents, k.pairs, k.recalled, k.recall) for k in r.per_kind}
    assert got == {
        "abridged": (1, 2, 2, 1.0),
        "noisy": (1, 2, 0, 0.0),
        "original": (2, 4, 3, 0.75),
        "repost": (1, 2, 1, 0.5),
        "unrelated": (1, 0, 0, None),
    }
    assert [k.kind for k in r.per_kind] == sorted(got)
    kr = r.kind("original")
    assert kr is not None and kr.recall == 0.75
    assert r.kind("heavy") is None


def test_per_kind_same_kind_pair_counts_once() -> None:
    # Cluster {r1 repost, r2 repost, o original}: repost pairs (r1,r2) (r1,o) (r2,o) = 3,
    # C(3) - C(3-2) = 3 - 0 = 3; original pairs (o,r1) (o,r2) = 2 = C(3) - C(2).
    gold = [GoldRow("o", "X", "original"), GoldRow("r1", "X", "repost"), GoldRow("r2", "X", "repost")]
    r = evaluate(gold, {"o": "1", "r1": "1", "r2": "2"})
    # Recalled: only (o, r1). repost 1 of 3, original 1 of 2.
    rep, orig = r.kind("repost"), r.kind("original")
    assert rep is not None and (rep.pairs, rep.recalled) == (3, 1)
    assert orig is not None and (orig.pairs, orig.recalled) == (2, 1)


def test_missing_ids() -> None:
    # Gold {a,b,c} one cluster; c is not predicted (-> its own singleton), x is not in gold.
    # T = C(2) = 1 (a,b); A = C(3) = 3; B = C(2) = 1 (x is ignored) -> P = 1, R = 1/3.
    gold = [GoldRow("a", "G"), GoldRow("b", "G"), GoldRow("c", "G")]
    r = evaluate(gold, {"a": "p", "b": "p", "x": "p"})
    assert r.only_in_gold == ("c",)
    assert r.only_in_predicted == ("x",)
    assert (r.true_positive_pairs, r.gold_pairs, r.predicted_pairs) == (1, 3, 1)
    assert r.precision == 1.0
    assert r.recall == pytest.approx(1 / 3)
    assert r.n_predicted_clusters == 2  # {a, b} and the singleton {c}


def test_missing_singleton_never_collides_with_a_real_cluster_id() -> None:
    # A missing document must not join a predicted cluster that happens to be named like it.
    gold = [GoldRow("a", "G"), GoldRow("b", "H")]
    r = evaluate(gold, {"a": "b"})
    assert r.predicted_pairs == 0


def test_degenerate_ari_cases() -> None:
    # All singletons on both sides: A = B = T = 0 -> 0/0 -> defined 1.0.
    singles = [GoldRow(d, d) for d in "abc"]
    assert evaluate(singles, {d: d.upper() for d in "abc"}).ari == 1.0
    # One cluster on both sides: A = B = T = M = 3 -> 0/0 -> 1.0.
    one = [GoldRow(d, "G") for d in "abc"]
    assert evaluate(one, {d: "P" for d in "abc"}).ari == 1.0
    # A single document: M = 0 -> 1.0.
    assert evaluate([GoldRow("a", "G")], {"a": "P"}).ari == 1.0


def test_invalid_gold() -> None:
    with pytest.raises(ValueError, match="empty"):
        evaluate([], {})
    with pytest.raises(ValueError, match="duplicate"):
        evaluate([GoldRow("a", "G"), GoldRow("a", "H")], {})


def test_report_formats() -> None:
    pred = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}
    r = evaluate([GoldRow(g.id, g.cluster, "original") for g in GOLD], pred)
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["per_kind"]["original"] == {"documents": 6, "pairs": 4, "recalled": 2, "recall": 0.5,
                                        "with_original": 0, "joined_original": 0, "original_recall": None}
    text = format_report(r)
    assert "adjusted rand" in text and "0.3182" in text  # 7/22 = 0.31818...
    assert isinstance(r, EvalReport)


# --------------------------------------------------------------------------- loaders


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_gold_and_clusters_round_trip(tmp_path: Path) -> None:
    gold_path = write_lines(
        tmp_path / "gold.jsonl",
        [
            json.dumps({"id": "a", "cluster": "G1", "kind": "original"}),
            "",
            json.dumps({"id": "b", "cluster": "G1", "kind": "repost"}),
            json.dumps({"id": "c", "cluster": "G2"}),
        ],
    )
    clusters_path = write_lines(
        tmp_path / "clusters.jsonl",
        [
            json.dumps({"cluster": "k1", "canonical": "a", "members": ["a", "b"], "links": [["a", "b", 0.9]]}),
            json.dumps({"cluster": "k2", "canonical": "c", "members": ["c"], "links": []}),
        ],
    )
    gold = load_gold(gold_path)
    assert gold == [GoldRow("a", "G1", "original"), GoldRow("b", "G1", "repost"), GoldRow("c", "G2", None)]
    pred = load_clusters(clusters_path)
    assert pred == {"a": "k1", "b": "k1", "c": "k2"}
    assert evaluate(gold, pred).f1 == 1.0


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "x", "cluster": ', "invalid JSON"),
        ('["x", "G"]', "expected a JSON object"),
        ('{"cluster": "G"}', "missing field 'id'"),
        ('{"id": "x", "cluster": 3}', "'cluster' must be a non-empty string"),
        ('{"id": "x", "cluster": "G", "kind": 5}', "'kind' must be a string"),
        ('{"id": "a", "cluster": "G"}', "duplicate id 'a' (first on line 1)"),
    ],
)
def test_malformed_gold_line_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = write_lines(
        tmp_path / "gold.jsonl", ['{"id": "a", "cluster": "G"}', '{"id": "b", "cluster": "G"}', line]
    )
    with pytest.raises(ValueError) as info:
        load_gold(path)
    message = str(info.value)
    assert f"{path}:3:" in message
    assert problem in message


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "invalid JSON"),
        ('{"members": ["z"]}', "missing field 'cluster'"),
        ('{"cluster": "k3", "members": []}', "'members' must be a non-empty list"),
        ('{"cluster": "k3", "members": "z"}', "'members' must be a non-empty list"),
        ('{"cluster": "k3", "members": [1]}', "non-empty strings"),
        ('{"cluster": "k3", "members": ["a"]}', "'a' is in two clusters (first on line 1)"),
        ('{"cluster": "k1", "members": ["z"]}', "duplicate cluster id 'k1'"),
        ('{"cluster": "k3", "canonical": "q", "members": ["z"]}', "canonical 'q' is not one of the members"),
    ],
)
def test_malformed_cluster_line_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = write_lines(
        tmp_path / "clusters.jsonl",
        ['{"cluster": "k1", "members": ["a"]}', '{"cluster": "k2", "members": ["b"]}', line],
    )
    with pytest.raises(ValueError) as info:
        load_clusters(path)
    message = str(info.value)
    assert "clusters.jsonl:3:" in message
    assert problem in message


# --------------------------------------------------------------------------- properties


@st.composite
def partitions(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    """Two random partitions (labels per document) of the same 0..12 documents."""
    n = draw(st.integers(min_value=0, max_value=12))
    ids = [f"d{i}" for i in range(n)]
    g = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    p = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    return {d: f"g{x}" for d, x in zip(ids, g)}, {d: f"p{x}" for d, x in zip(ids, p)}


@settings(max_examples=300, deadline=None)
@given(partitions())
def test_contingency_counts_equal_brute_force(parts: tuple[dict[str, str], dict[str, str]]) -> None:
    gold_labels, pred_labels = parts
    if not gold_labels:
        return
    r = evaluate([GoldRow(d, c) for d, c in gold_labels.items()], pred_labels)
    ss, sg, sp, nn = brute_force(gold_labels, pred_labels)
    assert r.true_positive_pairs == ss
    assert r.gold_pairs == ss + sg
    assert r.predicted_pairs == ss + sp
    expected = brute_force_ari(ss, sg, sp, nn)
    if expected is None:
        # Degenerate only when both partitions are identical trivial ones.
        assert r.ari == 1.0
    else:
        assert r.ari == pytest.approx(expected)


@settings(max_examples=300, deadline=None)
@given(partitions())
def test_ari_is_symmetric(parts: tuple[dict[str, str], dict[str, str]]) -> None:
    gold_labels, pred_labels = parts
    if not gold_labels:
        return
    forward = evaluate([GoldRow(d, c) for d, c in gold_labels.items()], pred_labels)
    backward = evaluate([GoldRow(d, c) for d, c in pred_labels.items()], gold_labels)
    assert forward.ari == pytest.approx(backward.ari)
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.recall == pytest.approx(backward.precision)


@settings(max_examples=200, deadline=None)
@given(partitions(), st.randoms(use_true_random=False))
def test_identical_partitions_up_to_relabelling(
    parts: tuple[dict[str, str], dict[str, str]], rnd: random.Random
) -> None:
    gold_labels, _ = parts
    if not gold_labels:
        return
    names = sorted(set(gold_labels.values()))
    shuffled = list(names)
    rnd.shuffle(shuffled)
    relabel = {old: f"new-{new}" for old, new in zip(names, shuffled)}
    r = evaluate([GoldRow(d, c) for d, c in gold_labels.items()], {d: relabel[c] for d, c in gold_labels.items()})
    assert r.ari == pytest.approx(1.0)
    assert r.precision == r.recall == r.f1 == 1.0


def test_recall_to_original_counts_each_copy_against_its_source_only():
    # Story x: original o1, a repost found with it, a heavy copy missed. Story y: two
    # originals (ambiguous source: not scored) and a repost. Story z: no original.
    gold = [
        GoldRow("o1", "x", "original"), GoldRow("r1", "x", "repost"), GoldRow("h1", "x", "heavy"),
        GoldRow("o2", "y", "original"), GoldRow("o3", "y", "original"), GoldRow("r2", "y", "repost"),
        GoldRow("r3", "z", "repost"), GoldRow("h3", "z", "heavy"),
    ]
    pred = {"o1": "A", "r1": "A", "h1": "B", "o2": "C", "o3": "C", "r2": "C", "r3": "D", "h3": "D"}
    r = evaluate(gold, pred)
    repost, heavy, original = r.kind("repost"), r.kind("heavy"), r.kind("original")
    assert (repost.with_original, repost.joined_original, repost.original_recall) == (1, 1, 1.0)
    assert (heavy.with_original, heavy.joined_original, heavy.original_recall) == (1, 0, 0.0)
    assert original.original_recall is None
    # The all-pairs figure for reposts is hurt by the missed heavy copy: pairs (o1,r1) yes,
    # (r1,h1) no, (o2,r2) yes, (o3,r2) yes, (r3,h3) yes -> 4 of 5.
    assert (repost.pairs, repost.recalled) == (5, 4)
