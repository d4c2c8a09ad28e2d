#!/usr/bin/env python3
"""Real-data check on bbc_news: are its natural duplicates found, and what else gets merged?

Usage::

    python benchmarks/syndication/bbc_check.py --base ../shared/data/bbc_news [--list]

The natural duplicates are the groups of files whose text is identical once
whitespace runs are collapsed (100 pairs in bbc_news: 98 byte-identical, 2
differing only in whitespace). Every other pair of articles that dedupe puts in
one cluster is an "other merge"; they are counted by the strongest evidence
between them:

- ``near-duplicate``: the same article with light edits (a changed headline,
  an updated paragraph), the kind of pair DESIGN.md calls a duplicate;
- ``syndicated``: articles that share copied passages, mostly same-day
  updates of one story and follow-ups that reuse background paragraphs.

``--list`` prints every other merge with both headlines, for reading.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Sequence

from dedupe.config import RunConfig
from dedupe.pipeline import run


def natural_pairs(root: Path) -> set[tuple[str, str]]:
    groups: dict[bytes, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.txt")):
        if path.name.upper() == "README.TXT":
            continue
        groups[b" ".join(path.read_bytes().split())].append(path.relative_to(root).as_posix())
    return {pair for ids in groups.values() for pair in combinations(sorted(ids), 2)}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    p.add_argument("--base", required=True, type=Path, help="the bbc_news folder")
    p.add_argument("--list", action="store_true", help="print every other merge")
    args = p.parse_args(argv)
    result = run([str(args.base)], RunConfig())
    natural = natural_pairs(args.base)
    cluster_of = {m: c for c in result.clusters for m in c.members}
    found = sum(1 for a, b in natural if a in cluster_of and cluster_of[a] is cluster_of.get(b))
    others: list[tuple[str, str, str]] = []
    for c in result.clusters:
        evidence = {(l.a, l.b): l.kind for l in c.links} | {(l.b, l.a): l.kind for l in c.links}
        for a, b in combinations(sorted(c.members), 2):
            if (a, b) not in natural:
                others.append((a, b, evidence.get((a, b), "via cluster")))
    print(f"documents read {result.read}, rejected {len(result.rejected)}, clusters {len(result.clusters)}")
    print(f"natural duplicate pairs: {len(natural)}, found {found}")
    kinds = Counter(k for _, _, k in others)
    print(f"other merged pairs: {len(others)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    if args.list:
        title = {d.id: (d.text or "").split("\n", 1)[0][:50] for d in result.documents.values()}
        for a, b, kind in others:
            print(f"  {kind:15s} {a} | {b} | {title.get(a, '')} | {title.get(b, '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
