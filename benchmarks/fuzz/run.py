"""The longer fuzzing campaign: the hypothesis tests of tests/e2e/test_fuzz.py with many examples.

CI runs those tests with the ``ci`` profile's few examples (fixed, derandomized).
This script runs them with ``--examples`` examples per test, random ones from
``--seed``, and prints how many inputs each test tried, for docs/robustness.md::

    python benchmarks/fuzz/run.py --examples 5000 --seed 1

A failure is printed by pytest with the falsifying example; add it to the
tests (as a regular test, or ``xfail(strict=True)`` with the reason while the
fix is pending). Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_TEST = re.compile(r"^tests/e2e/test_fuzz\.py::(\w+):$")
_COUNTS = re.compile(r"- (\d+) passing examples?, (\d+) failing examples?, (\d+) invalid examples?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per test (default: 5000)")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (default: 1)")
    parser.add_argument("-k", default=None, help="only the tests matching this pytest -k expression")
    args = parser.parse_args(argv)

    cmd = [sys.executable, "-m", "pytest", "tests/e2e/test_fuzz.py", "-q", "-p", "no:cacheprovider",
           "--hypothesis-show-statistics", f"--hypothesis-seed={args.seed}", "-W", "ignore::DeprecationWarning"]
    if args.k:
        cmd += ["-k", args.k]
    env = dict(os.environ, DEDUPE_FUZZ_EXAMPLES=str(args.examples))
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start

    rows: list[tuple[str, int, int, int]] = []
    test = None
    for line in proc.stdout.splitlines():
        m = _TEST.match(line.strip())
        if m:
            test = m.group(1)
            continue
        m = _COUNTS.search(line)
        if m and test:
            rows.append((test, int(m.group(1)), int(m.group(2)), int(m.group(3))))
            test = None
    print(f"fuzz campaign: {args.examples} examples per test, seed {args.seed}, {elapsed:.0f} s")
    print(f"{'test':62} {'passing':>8} {'failing':>8} {'invalid':>8}")
    for name, ok, bad, invalid in rows:
        print(f"{name:62} {ok:>8} {bad:>8} {invalid:>8}")
    print(f"{'total inputs tried (passing + failing)':62} {sum(r[1] + r[2] for r in rows):>8}")
    tail = [line for line in proc.stdout.splitlines() if re.search(r"\b(passed|failed|error)", line)]
    print(tail[-1] if tail else proc.stdout[-2000:])
    if proc.returncode:
        print(proc.stdout[-20000:], proc.stderr[-5000:], sep="\n")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
