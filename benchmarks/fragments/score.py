#!/usr/bin/env python3
"""Score dedupe on a corpus of ``generate.py``: is each copy linked to its source, and no write-up?

Usage::

    python benchmarks/fragments/score.py --corpus /tmp/frag1 [--out DIR] [--show 5]

Runs ``dedupe run`` (the library's :func:`dedupe.run`, default configuration) on
``CORPUS/docs.jsonl`` and prints, per kind, the share of documents in their source's cluster
("linked": the target of issue 20 is fragment >= 0.95, reworded >= 0.90, independent 0) and the
share with a verified link straight to the source ("direct"). ``--out`` also writes the run's
output files; ``--show N`` lists N misses of each kind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from dedupe.config import RunConfig
from dedupe.pipeline import run
from dedupe.writers import write_outputs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--show", type=int, default=0)
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args(argv)
    gold = [json.loads(line) for line in open(args.corpus / "gold.jsonl", encoding="utf-8")]
    config = RunConfig() if args.workers is None else RunConfig(workers=args.workers)
    result = run([str(args.corpus / "docs.jsonl")], config)
    if args.out:
        write_outputs(result, args.out)
    cluster_of = {m: k for k, c in enumerate(result.clusters) for m in c.members}
    direct = {frozenset((l.a, l.b)) for c in result.clusters for l in c.links}
    total, linked, straight = Counter(), Counter(), Counter()
    misses: dict[str, list[str]] = {}
    for g in gold:
        if g["kind"] == "original":
            continue
        total[g["kind"]] += 1
        same = cluster_of.get(g["id"]) is not None and cluster_of.get(g["id"]) == cluster_of.get(g["source"])
        linked[g["kind"]] += same
        straight[g["kind"]] += frozenset((g["id"], g["source"])) in direct
        if same != (g["kind"] != "independent"):
            misses.setdefault(g["kind"], []).append(f"{g['id']} (source {g['source']})")
    print(f"{'kind':12s} {'docs':>5s} {'linked':>8s} {'direct':>8s}")
    for kind in ("fragment", "reworded", "independent"):
        n = max(total[kind], 1)
        print(f"{kind:12s} {total[kind]:5d} {linked[kind] / n:8.4f} {straight[kind] / n:8.4f}")
    for kind, ids in misses.items():
        if args.show:
            print(f"{kind} wrong ({len(ids)}): " + ", ".join(ids[: args.show]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
