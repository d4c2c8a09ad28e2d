"""Determinism: the same input and configuration give byte-identical outputs (all but
``summary.json``'s ``timings_s``), across repeated runs and hash seeds, across
``--workers`` values (with a corpus big enough for the process pool), and, for the
clusters and the canonical choice, across input order.

``canonical.jsonl`` and ``rejected.jsonl`` list documents in input order, so
reordering the input reorders their lines but changes no line.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dedupe.cli import main

DATA_FILES = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl")
WORDS = ("niger junta troops russian instructors arrived defence system state media said france military capital "
         "protest election court minister budget bank inflation river flood harvest school hospital strike union "
         "port railway drought aid border talks ceasefire rebels village governor").split()


def sentences(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 18))).capitalize() + "." for _ in range(n)]


def corpus_rows(n: int, seed: int = 7) -> list[dict]:
    """``n`` documents from a shared sentence pool: fresh stories, exact copies, edited copies and
    syndicated copies (a story's sentences plus local ones), with dates and sources for the canonical policy."""
    rng = random.Random(seed)
    pool = sentences(rng, 400)
    stories: list[list[str]] = []
    rows = []
    for i in range(n):
        kind = rng.random() if stories else 0.0
        if kind < 0.55:
            story = rng.sample(pool, rng.randint(4, 8))
            stories.append(story)
        elif kind < 0.7:
            story = list(rng.choice(stories))  # exact copy
        elif kind < 0.85:
            story = list(rng.choice(stories))
            story[rng.randrange(len(story))] += " Officials declined to comment."  # light edit
        else:
            base = rng.choice(stories)
            story = base[: max(2, len(base) // 2)] + sentences(rng, 2)  # syndicated, with local paragraphs
        rows.append({"id": f"d{i:04d}", "text": "\n".join(story), "published": f"2024-04-{1 + i % 28:02d}",
                     "source": rng.choice(["a.com", "b.org", "c.net"])})
    return rows


def write_jsonl(path: Path, rows: list, extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(r) for r in rows] + list(extra_lines)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def outputs(outdir: Path) -> tuple[dict[str, bytes], dict]:
    files = {name: (outdir / name).read_bytes() for name in DATA_FILES}
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    summary.pop("timings_s")
    return files, summary


@pytest.fixture(scope="module")
def mixed_input(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A directory (text, HTML, cp1252, bad files) and a JSONL file (documents, bad lines)."""
    root = tmp_path_factory.mktemp("determinism")
    rows = corpus_rows(120)
    inp = root / "dir"
    inp.mkdir()
    for r in rows[:40]:
        (inp / f"{r['id']}.txt").write_text(r["text"] + "\n", encoding="utf-8")
    for r in rows[40:50]:
        paragraphs = "".join(f"<p>{line}</p>" for line in r["text"].split("\n"))
        (inp / f"{r['id']}.html").write_text(f"<html><body><article>{paragraphs}</article></body></html>",
                                             encoding="utf-8")
    (inp / "latin.txt").write_bytes("Le café est fermé à Niamey depuis mercredi soir, dit la radio.".encode("latin-1"))
    (inp / "bin.txt").write_bytes(b"\x00\x01")
    (inp / "blank.txt").write_text(" \n", encoding="utf-8")
    jl = write_jsonl(root / "more.jsonl", rows[50:], ('{"broken', json.dumps({"id": "x", "text": 3})))
    return inp, jl


def test_repeated_runs_under_different_hash_seeds_are_byte_identical(tmp_path: Path,
                                                                     mixed_input: tuple[Path, Path]) -> None:
    inp, jl = mixed_input
    results = []
    for hashseed in ("0", "4242"):
        out = tmp_path / f"out-{hashseed}"
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        subprocess.run([sys.executable, "-m", "dedupe.cli", "run", str(inp), str(jl), "-o", str(out), "-q",
                        "--workers", "1"], check=True, env=env, timeout=300)
        results.append(outputs(out))
    (files_a, summary_a), (files_b, summary_b) = results
    assert files_a == files_b
    assert summary_a == summary_b
    counts = summary_a["counts"]
    assert counts["accounted"] and counts["rejected"] >= 4 and counts["duplicates"] >= 10


def test_dedup_is_byte_identical_across_worker_counts(tmp_path: Path, pool_spy: list[int]) -> None:
    jl = write_jsonl(tmp_path / "in.jsonl", corpus_rows(320))  # above the pool's 256-item threshold
    pools = pool_spy
    results = []
    used = []
    for workers in ("1", "2", "1"):
        out = tmp_path / f"out-{len(results)}"
        pools.clear()
        assert main(["dedup", str(jl), "-o", str(out), "-q", "--workers", workers]) == 0
        results.append(outputs(out))
        used.append(set(pools))
    assert used == [set(), {2}, set()]  # only the --workers 2 run used the process pool
    assert results[0] == results[1] == results[2]
    assert results[0][1]["counts"]["duplicates"] >= 40


def test_clusters_and_canonicals_do_not_depend_on_input_order(tmp_path: Path) -> None:
    rows = corpus_rows(150)
    bad = ('{"broken', json.dumps({"id": "typed", "text": 5}))
    first = write_jsonl(tmp_path / "first.jsonl", rows[:70], bad[:1])
    second = write_jsonl(tmp_path / "second.jsonl", rows[70:], bad[1:])
    shuffled = list(rows)
    random.Random(99).shuffle(shuffled)
    everything = write_jsonl(tmp_path / "shuffled.jsonl", shuffled, bad)
    runs = {
        "in order": [str(first), str(second)],
        "inputs swapped": [str(second), str(first)],
        "lines shuffled": [str(everything)],
    }
    results = {}
    for name, inputs in runs.items():
        out = tmp_path / name.replace(" ", "-")
        assert main(["run", *inputs, "-o", str(out), "-q", "--workers", "1"]) == 0
        results[name] = outputs(out)
    base_files, base_summary = results["in order"]
    clusters = [json.loads(line) for line in base_files["clusters.jsonl"].splitlines()]
    assert any(len(c["members"]) > 2 for c in clusters)  # real clusters, so the canonical choice matters
    for name, (files, summary) in results.items():
        # The same clusters, cluster ids, canonicals, evidence: byte for byte.
        assert files["clusters.jsonl"] == base_files["clusters.jsonl"], name
        # The same canonical documents, listed in that run's input order.
        assert sorted(files["canonical.jsonl"].splitlines()) == sorted(base_files["canonical.jsonl"].splitlines())
        assert summary["counts"] == base_summary["counts"], name
    swapped = results["inputs swapped"][0]["rejected.jsonl"]
    assert sorted(swapped.splitlines()) == sorted(base_files["rejected.jsonl"].splitlines())
    # In the shuffled file the bad lines have other line numbers (their id and origin); reasons and messages agree.
    reasons = {n: sorted((r["reason"], r["message"]) for r in map(json.loads, f["rejected.jsonl"].splitlines()))
               for n, (f, _) in results.items()}
    assert reasons["in order"] == reasons["lines shuffled"] == reasons["inputs swapped"]


def test_documents_and_band_keys_spilled_to_disk_give_the_same_output(tmp_path: Path,
                                                                      mixed_input: tuple[Path, Path]) -> None:
    # --memory-mb 0 moves every document and band key to temporary files at once (read
    # back with pread, by forked workers too); the outputs must not change.
    inp, jl = mixed_input
    big = write_jsonl(tmp_path / "big.jsonl", corpus_rows(320, seed=3))
    results = {}
    for name, extra in (("memory", []), ("spilled", ["--memory-mb", "0"]), ("spilled-2", ["--memory-mb", "0", "--workers", "2"])):
        out = tmp_path / name
        args = ["run", str(inp), str(jl), str(big), "-o", str(out), "-q"] + (extra if "--workers" in extra else extra + ["--workers", "1"])
        assert main(args) == 0
        results[name] = outputs(out)
    assert results["memory"] == results["spilled"] == results["spilled-2"]
    assert results["memory"][1]["counts"]["duplicates"] >= 40


def test_canonical_file_is_the_same_when_workers_encode_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dedupe import writers
    from dedupe.config import RunConfig
    from dedupe.pipeline import run

    jl = write_jsonl(tmp_path / "in.jsonl", corpus_rows(120))
    result = run([str(jl)], RunConfig(workers=1))
    monkeypatch.setattr(writers, "ENCODE_CHUNK", 7)  # many tasks from a small corpus
    calls: list[int] = []
    real = writers.ordered_imap

    def spy(func, items, workers, **kw):  # type: ignore[no-untyped-def]
        calls.append(workers)
        return real(func, items, workers, **kw)

    monkeypatch.setattr(writers, "ordered_imap", spy)
    results = []
    for workers in (1, 2):
        out = tmp_path / f"out-{workers}"
        writers.write_outputs(result, out, explain=True, workers=workers)
        results.append(outputs(out))
    assert calls == [2]  # only the 2-worker write encoded on workers
    assert results[0] == results[1]
    assert results[0][0]["canonical.jsonl"].count(b"\n") == len(result.clusters) > 7
