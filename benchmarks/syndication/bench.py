#!/usr/bin/env python3
"""Detection quality of dedupe against plain MinHash-LSH on one labelled corpus, in one run.

Usage::

    python benchmarks/syndication/generate.py --base ../shared/data/bbc_news --out /tmp/synd --docs 5000 --seed 3
    python benchmarks/syndication/bench.py --corpus /tmp/synd

Rows (all on the same ``docs.jsonl``, scored against the same ``gold.jsonl``):

- ``dedupe``: the default pipeline (``dedupe.run``: clean, learned furniture,
  sign, candidates, verification, clustering), default configuration;
- ``minhash NG/T/P``: what the popular MinHash dedup toolkits run: the raw
  document text (no cleaning), lower-cased word tokens, word ``NG``-grams,
  a datasketch ``MinHash`` of ``P`` permutations (``update_batch``), a
  datasketch ``MinHashLSH`` at threshold ``T``, and connected components
  (union-find) over every pair the LSH returns. No verification.

The baselines are those issue #3 names: word 5-grams / 0.8 / 128 permutations
(a common default), word 2-grams / 0.45 / 256 (the setting published for the
NEWS-COPY benchmark), and word 3-grams / 0.3 / 128 (the best plain setting
the issue reports).

Per kind, "to orig." is the share of copies of that kind put in the cluster of
their story's original (see :mod:`dedupe.evaluate`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Sequence

from datasketch import MinHash, MinHashLSH

from dedupe._cluster import UnionFind
from dedupe.config import RunConfig
from dedupe.evaluate import EvalReport, evaluate, load_gold
from dedupe.pipeline import run

_WORD = re.compile(r"\w+")
BASELINES = ((5, 0.8, 128), (2, 0.45, 256), (3, 0.3, 128))
KINDS = ("repost", "abridged", "edited", "noisy", "partial", "heavy")


def minhash_baseline(docs: Sequence[dict], ngram: int, threshold: float, num_perm: int) -> dict[str, str]:
    """Cluster label per id from plain MinHash-LSH + union-find over the raw text."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs = []
    for k, d in enumerate(docs):
        toks = _WORD.findall((d.get("text") or "").lower())
        grams = {" ".join(toks[i:i + ngram]).encode("utf-8") for i in range(max(len(toks) - ngram + 1, 1))}
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(sorted(grams))
        lsh.insert(str(k), m)
        sigs.append(m)
    uf = UnionFind(len(docs))
    for k, m in enumerate(sigs):
        for other in lsh.query(m):
            uf.union(k, int(other))
    return {d["id"]: f"u{uf.find(k)}" for k, d in enumerate(docs)}


def dedupe_clusters(docs_path: Path, workers: int) -> dict[str, str]:
    result = run([str(docs_path)], RunConfig(workers=workers))
    return {m: c.id for c in result.clusters for m in c.members}


def row(name: str, report: EvalReport, seconds: float) -> str:
    cells = [f"{name:<22}", f"{report.precision:.4f}", f"{report.recall:.4f}", f"{report.f1:.4f}", f"{report.ari:.4f}"]
    for kind in KINDS:
        k = report.kind(kind)
        cells.append(f"{k.original_recall:.3f}" if k and k.original_recall is not None else "  -  ")
    cells.append(f"{seconds:6.1f}")
    return " | ".join(cells)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    p.add_argument("--corpus", required=True, type=Path, help="folder with docs.jsonl and gold.jsonl (generate.py)")
    p.add_argument("--workers", type=int, default=0, help="dedupe worker processes (0: all cores)")
    p.add_argument("--json", type=Path, help="also write the reports here")
    args = p.parse_args(argv)
    docs_path, gold_path = args.corpus / "docs.jsonl", args.corpus / "gold.jsonl"
    gold = load_gold(gold_path)
    with open(docs_path, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]

    results: list[tuple[str, EvalReport, float]] = []
    t = time.perf_counter()
    results.append(("dedupe (default)", evaluate(gold, dedupe_clusters(docs_path, args.workers)), time.perf_counter() - t))
    for ngram, threshold, num_perm in BASELINES:
        t = time.perf_counter()
        labels = minhash_baseline(docs, ngram, threshold, num_perm)
        results.append((f"minhash {ngram}g/{threshold}/{num_perm}", evaluate(gold, labels), time.perf_counter() - t))

    print(f"corpus: {docs_path} ({len(docs)} docs, {len({g.cluster for g in gold})} gold clusters)")
    header = ["method".ljust(22), "P     ", "R     ", "F1    ", "ARI   ", *[k[:5].ljust(5) for k in KINDS], "time s"]
    print(" | ".join(header))
    print("-+-".join("-" * len(h) for h in header))
    for name, report, seconds in results:
        print(row(name, report, seconds))
    print("\nper kind: share of copies placed with their story's original (recall to original)")
    if args.json:
        args.json.write_text(json.dumps({n: r.to_dict() for n, r, _ in results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
