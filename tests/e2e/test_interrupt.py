"""Interrupted runs: a real signal sent to a real ``dedupe run`` process.

The outputs of a run are written to temporary files and renamed into place,
``summary.json`` last (see :mod:`dedupe.writers`). So after SIGINT or
``kill -9`` the output directory holds the previous complete outputs, or the new
complete outputs, or (killed between two renames) no ``summary.json`` and
complete files; never a truncated file. Running the command again completes
the outputs and removes the temporary files a ``kill -9`` left behind.

To kill at a known moment, some runs go through a small wrapper script that
pauses inside the writer (mid-way through ``clusters.jsonl``, or between two
renames) and says so on stdout; the test then sends the signal.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

OUTPUTS = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl", "summary.json")

WORDS = ("niger junta troops russian instructors arrived defence system state media said france military "
         "capital protest election court minister budget bank inflation river flood harvest school").split()

HOOK = r'''
import os, sys, time
import dedupe.writers as writers
from dedupe.cli import main

mode, argv = sys.argv[1], sys.argv[2:]

def pause(what):
    print("PAUSED " + what, flush=True)
    time.sleep(120)

if mode == "mid-write":
    real_write_temp = writers.write_temp

    def write_temp(path, chunks):
        if path.name != "clusters.jsonl":
            return real_write_temp(path, chunks)

        def rows():
            for n, chunk in enumerate(chunks):
                yield chunk
                if n == 2:  # three rows are in the temporary file
                    pause("writing clusters.jsonl")
        return real_write_temp(path, rows())

    writers.write_temp = write_temp
elif mode == "between-renames":
    real_replace = os.replace

    def replace(src, dst):
        real_replace(src, dst)
        if str(dst).endswith("canonical.jsonl"):
            pause("after renaming canonical.jsonl")

    writers.os.replace = replace
sys.exit(main(argv))
'''


def make_corpus(root: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True)
    texts: list[str] = []
    for i in range(n):
        if texts and i % 5 == 0:
            text = texts[rng.randrange(len(texts))]  # an exact copy
        else:
            text = "\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
                             for _ in range(rng.randint(3, 6)))
        texts.append(text)
        (root / f"doc{i:03d}.txt").write_text(text + "\n", encoding="utf-8")
    (root / "blank.txt").write_text("\n", encoding="utf-8")
    return root


def dedupe_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "dedupe.cli", *args, "--workers", "1", "-q"]


def snapshot(outdir: Path) -> dict[str, bytes]:
    return {name: (outdir / name).read_bytes() for name in OUTPUTS if (outdir / name).exists()}


def temporaries(outdir: Path) -> list[str]:
    return sorted(p.name for p in outdir.iterdir() if p.name.endswith(".tmp"))


def without_timings(summary: bytes) -> dict:
    data = json.loads(summary)
    data.pop("timings_s")
    return data


def assert_complete_set(outdir: Path) -> None:
    """summary.json is there and names the exact size and hash of each data file."""
    summary = json.loads((outdir / "summary.json").read_bytes())
    for name, meta in summary["outputs"].items():
        data = (outdir / name).read_bytes()
        assert len(data) == meta["bytes"] and hashlib.sha256(data).hexdigest() == meta["sha256"], name


def start_paused(tmp_path: Path, mode: str, *args: str) -> subprocess.Popen[str]:
    hook = tmp_path / "hooked_dedupe.py"
    hook.write_text(HOOK, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(hook), mode, *args, "--workers", "1", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the run reaches the pause (or dies)
    if not line.startswith("PAUSED"):
        proc.kill()
        pytest.fail(f"the run did not reach the pause: {line!r} {proc.communicate()[1]}")
    return proc


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Corpus B, and the complete outputs of a run over corpus A and of a run over B."""
    root = tmp_path_factory.mktemp("interrupt")
    a = make_corpus(root / "a", 30, seed=1)
    b = make_corpus(root / "b", 40, seed=2)
    subprocess.run(dedupe_cmd("run", str(a), "-o", str(root / "out-a")), check=True, timeout=300)
    subprocess.run(dedupe_cmd("run", str(b), "-o", str(root / "out-b")), check=True, timeout=300)
    return b, root / "out-a", root / "out-b"


@pytest.fixture()
def two_runs(tmp_path: Path, corpora: tuple[Path, Path, Path]) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """``out`` holds corpus A's complete outputs; B is about to be written over them."""
    b, out_a, out_b = corpora
    out = tmp_path / "out"
    shutil.copytree(out_a, out)
    old, new = snapshot(out), snapshot(out_b)
    assert set(old) == set(new) == set(OUTPUTS)
    assert old["clusters.jsonl"] != new["clusters.jsonl"]
    return b, out, old, new


def assert_rerun_completes(b: Path, out: Path, new: dict[str, bytes]) -> None:
    subprocess.run(dedupe_cmd("run", str(b), "-o", str(out)), check=True, timeout=300)
    assert temporaries(out) == []  # the leftovers of the killed run are gone
    now = snapshot(out)
    for name in ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl"):
        assert now[name] == new[name], name
    assert without_timings(now["summary.json"]) == without_timings(new["summary.json"])
    assert_complete_set(out)


def test_kill_9_while_writing_leaves_the_previous_outputs(tmp_path: Path, two_runs) -> None:  # type: ignore[no-untyped-def]
    b, out, old, new = two_runs
    proc = start_paused(tmp_path, "mid-write", "run", str(b), "-o", str(out))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(out) == old  # byte for byte the previous complete outputs
    assert_complete_set(out)
    leftovers = temporaries(out)  # kill -9 cannot be caught: the half-written files stay, under temporary names
    assert any(n.startswith(".clusters.jsonl.") for n in leftovers), leftovers
    assert_rerun_completes(b, out, new)


def test_sigint_while_writing_leaves_the_previous_outputs_and_no_litter(tmp_path: Path, two_runs) -> None:  # type: ignore[no-untyped-def]
    b, out, old, new = two_runs
    proc = start_paused(tmp_path, "mid-write", "run", str(b), "-o", str(out))
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == ("dedupe: interrupted; outputs are replaced whole or not at all: "
                                    "run the same command again to complete them")
    assert snapshot(out) == old
    assert temporaries(out) == []  # cleaned up on the way out
    assert_rerun_completes(b, out, new)


def test_sigterm_while_writing_is_handled_like_sigint(tmp_path: Path, two_runs) -> None:  # type: ignore[no-untyped-def]
    b, out, old, new = two_runs
    proc = start_paused(tmp_path, "mid-write", "run", str(b), "-o", str(out))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.splitlines()[-1].startswith("dedupe: terminated; outputs are replaced whole or not at all")
    assert snapshot(out) == old and temporaries(out) == []
    assert_rerun_completes(b, out, new)


def test_kill_9_between_renames_leaves_no_summary_and_no_truncated_file(tmp_path: Path, two_runs) -> None:  # type: ignore[no-untyped-def]
    b, out, old, new = two_runs
    proc = start_paused(tmp_path, "between-renames", "run", str(b), "-o", str(out))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    now = snapshot(out)
    assert "summary.json" not in now  # the marker of a complete set is gone while files are swapped
    assert now["canonical.jsonl"] == new["canonical.jsonl"]
    assert now["clusters.jsonl"] == old["clusters.jsonl"] and now["rejected.jsonl"] == old["rejected.jsonl"]
    assert_rerun_completes(b, out, new)


def test_kill_9_at_arbitrary_moments_never_leaves_a_truncated_file(tmp_path: Path, two_runs) -> None:  # type: ignore[no-untyped-def]
    b, out, old, new = two_runs
    start = time.monotonic()
    subprocess.run(dedupe_cmd("run", str(b), "-o", str(tmp_path / "timed")), check=True, timeout=300)
    duration = time.monotonic() - start
    for fraction in (0.3, 0.6, 0.8, 0.9, 0.95):
        proc = subprocess.Popen(dedupe_cmd("run", str(b), "-o", str(out)), stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.kill()
        proc.wait(timeout=60)
        now = snapshot(out)
        for name, data in now.items():
            assert data in (old[name], new[name]) or name == "summary.json", name  # whole files only
        if "summary.json" in now:
            assert_complete_set(out)
        old = snapshot(out) if "summary.json" in now else old
    assert_rerun_completes(b, out, new)
