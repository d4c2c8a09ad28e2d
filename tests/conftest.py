"""Shared fixtures. Tests never read ../shared: everything they need is in the repo."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"

# Test modules share helpers by name (``from test_verify_batch import make_docs``) whichever
# folder each is in (unit/, equivalence/, golden/, e2e/ or tests/ itself), and whichever runs alone.
for _kind in ("unit", "equivalence", "golden", "e2e"):
    if str(Path(__file__).resolve().parent / _kind) not in sys.path:
        sys.path.insert(0, str(Path(__file__).resolve().parent / _kind))

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_expected() -> dict:
    return json.loads((DATA / "seeds_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _restore_dedupe_logger() -> Iterator[None]:
    """``main`` reconfigures the ``dedupe`` logger; put it back for the other test modules."""
    log = logging.getLogger("dedupe")
    saved = (log.handlers[:], log.level, log.propagate)
    yield
    log.handlers[:], log.level, log.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def pool_spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker counts of the process pools dedupe starts while the test runs (a list it appends to)."""
    import dedupe._parallel

    pools: list[int] = []
    real_pool_map = dedupe._parallel.pool_map

    def spy(func, items, workers, chunksize, ctx):  # type: ignore[no-untyped-def]
        pools.append(workers)
        return real_pool_map(func, items, workers, chunksize, ctx)

    monkeypatch.setattr(dedupe._parallel, "pool_map", spy)
    return pools



def write_large_run(outdir: Path, big: int = 5, big_size: int = 20_000, mid: int = 100_000, mid_size: int = 5,
                    singletons: int = 400_000) -> int:
    """A finished output folder shaped like a million-document run (5 x 20,000 + 100,000 x 5 + 400,000
    singletons by default), written without running the pipeline; returns the document count.

    Every cluster has its canonical in canonical.jsonl with a short text; links carry scores and passages.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    dumps = json.dumps
    docs = 0
    kinds = ("syndicated", "near-duplicate")
    with open(outdir / "clusters.jsonl", "w", encoding="utf-8") as cl, \
            open(outdir / "canonical.jsonl", "w", encoding="utf-8") as ca:
        def cluster(k: int, size: int, links: int) -> None:
            nonlocal docs
            members = [f"doc{docs + i:07d}" for i in range(size)]
            docs += size
            row = {"cluster": f"c{k:016x}", "canonical": members[0], "members": members,
                   "canonical_reason": "most complete text (400 tokens)",
                   "links": [{"a": members[0], "b": members[1 + i % (size - 1)], "kind": kinds[i % 2],
                              "score": round((i * 37 % 100) / 100, 2), "jaccard": 0.5, "containment_a": 0.5,
                              "containment_b": 0.5, "coverage_a": 0.6, "coverage_b": 0.6, "close_coverage_a": 0.4,
                              "close_coverage_b": 0.4, "shared_sentences": 2,
                              "passages": [{"a_sentences": [0, 1], "b_sentences": [0, 1],
                                            "text": "the shared sentence of this story"}]}
                             for i in range(links)] if size > 1 else []}
            cl.write(dumps(row) + "\n")
            ca.write(dumps({"id": members[0], "text": f"The shared sentence of story {k}. Another line.",
                            "url": f"https://news{k % 50}.example/{k}", "title": f"Story number {k}",
                            "source": f"news{k % 50}.example"}) + "\n")

        k = 0
        for _ in range(big):
            cluster(k, big_size, 200)
            k += 1
        for _ in range(mid):
            cluster(k, mid_size, mid_size - 1)
            k += 1
        for _ in range(singletons):
            cluster(k, 1, 0)
            k += 1
    (outdir / "rejected.jsonl").write_text("", encoding="utf-8")
    clusters = big + mid + singletons
    summary = {"counts": {"read": docs, "cleaned": docs, "rejected": 0, "rejected_by_reason": {},
                          "clusters": clusters, "canonical": clusters, "duplicates": docs - clusters,
                          "clusters_with_copies": big + mid, "accounted": True},
               "timings_s": {"clean": 300.0, "sign": 100.0, "verify": 50.0}}
    (outdir / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return docs


@pytest.fixture(scope="session")
def large_run_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of a generated million-document output folder (built once per session)."""
    from dedupe import write_report

    outdir = tmp_path_factory.mktemp("large_run")
    assert write_large_run(outdir) == 1_000_000
    return write_report(outdir)
