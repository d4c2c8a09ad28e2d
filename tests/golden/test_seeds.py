"""Acceptance 1: the seeds give {001, 002, 003}, {000}, {004}; furniture gone, article text kept."""

from __future__ import annotations

import json
import re

import pytest

from dedupe.cli import main


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory, seeds_dir):
    out = tmp_path_factory.mktemp("out")
    assert main(["run", str(seeds_dir), "-o", str(out), "--quiet"]) == 0
    clusters = [json.loads(line) for line in (out / "clusters.jsonl").read_text().splitlines()]
    canonical = [json.loads(line) for line in (out / "canonical.jsonl").read_text().splitlines()]
    summary = json.loads((out / "summary.json").read_text())
    return out, clusters, canonical, summary


def _short(doc_id: str) -> str:
    return doc_id[:3]


def test_exactly_three_clusters(seeds_run, seeds_expected):
    _, clusters, _, _ = seeds_run
    got = sorted(sorted(_short(m) for m in c["members"]) for c in clusters)
    assert got == sorted(seeds_expected["clusters"])


def test_syndication_links_carry_evidence(seeds_run):
    _, clusters, _, _ = seeds_run
    (wire,) = [c for c in clusters if len(c["members"]) == 3]
    assert wire["canonical"] in wire["members"]
    assert wire["members"][0] == wire["canonical"]
    assert wire["links"], "a cluster with copies must show the links that made it"
    for link in wire["links"]:
        assert link["kind"] in ("near-duplicate", "syndicated")
        assert 0 < link["score"] <= 1
        assert link["shared_sentences"] >= 2
        assert link["passages"], "shared passages are the evidence for a syndication link"
    linked = {_short(m) for link in wire["links"] for m in (link["a"], link["b"])}
    assert linked == {"001", "002", "003"}


def test_canonical_set_and_accounting(seeds_run):
    _, clusters, canonical, summary = seeds_run
    assert len(canonical) == 3
    assert {d["id"] for d in canonical} == {c["canonical"] for c in clusters}
    counts = summary["counts"]
    assert counts["read"] == 5 and counts["rejected"] == 0
    assert counts["read"] == counts["canonical"] + counts["duplicates"] + counts["rejected"]
    assert counts["accounted"] is True
    ids = [m for c in clusters for m in c["members"]]
    assert len(ids) == len(set(ids)) == 5


def _cleaned_texts(tmp_path, seeds_dir):
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(seeds_dir), "-o", str(out), "--quiet", "--explain"]) == 0
    return {row["id"]: row for row in map(json.loads, out.read_text().splitlines())}


def test_boilerplate_gone_and_article_sentences_kept(tmp_path, seeds_dir, seeds_expected):
    cleaned = _cleaned_texts(tmp_path, seeds_dir)
    assert sorted(cleaned) == sorted(seeds_expected["boilerplate"])
    for name, furniture in seeds_expected["boilerplate"].items():
        text = cleaned[name]["text"]
        # Whitespace is normalised by cleaning (NBSP -> space): compare lines with runs collapsed.
        lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
        for item in furniture:
            if item.strip() in ("-",):
                assert "-" not in lines, f"{name}: stray separator left"
                continue
            assert item not in lines, f"{name}: furniture left in the text: {item!r}"
        raw = (seeds_dir / name).read_text(encoding="utf-8").split("\n")
        article = [" ".join(line.split()) for line in raw if line.strip() and line not in furniture]
        for line in article:
            assert line in lines, f"{name}: article text lost: {line!r}"
        title = seeds_expected["repeated_title"].get(name)
        if title:
            assert lines.count(title) == 1


def test_explain_names_the_rule_for_every_removal(tmp_path, seeds_dir):
    cleaned = _cleaned_texts(tmp_path, seeds_dir)
    rules = {name: {c["rule"] for c in row["changes"]} for name, row in cleaned.items()}
    assert rules["000_ea5ec20f11802e9d.txt"] == {"audio_widget", "latest_headlines"}
    assert rules["001_ea845a7ca8160811.txt"] == set()
    assert rules["002_a28da0caf1e1bcbb.txt"] == set()
    assert rules["003_7b6072c9e044c106.txt"] == {"repeated_title", "syndication_footer"}
    assert rules["004_38445e1ba84b3f65.txt"] == {"paywall", "embedded_post"}
    footer = [c for c in cleaned["003_7b6072c9e044c106.txt"]["changes"] if c["rule"] == "syndication_footer"]
    assert re.search(r"Exit mobile version", footer[0]["removed"])
