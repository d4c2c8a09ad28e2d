#!/usr/bin/env python3
"""How close the candidate stage's coverage bound comes to the pairs that link (issue 14).

Usage::

    python benchmarks/shared/bound_check.py CORPUS.jsonl [--workers 2] [--limit N]

Runs ``dedupe run``'s pipeline with pruning off (``prune_coverage=0``), so every pair with
enough band evidence is verified, and records each pair's bound
(:func:`dedupe._candidates.coverage_bounds`, the larger side) and whether it shares a
document band. Prints, for the pairs that verification linked, the lowest bounds of those
without a document band (the pairs a ``prune_coverage`` above them would lose), and for a few
values of ``prune_coverage`` how many pairs it would drop and how many links it would lose.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import dedupe.pipeline as pipeline
from dedupe._candidates import coverage_bounds, hit_density
from dedupe.config import RunConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "speed"))
from bench_run import first_lines  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args(argv)

    seen: dict[str, np.ndarray] = {}
    real_bound = pipeline.bound_pairs
    real_verify = pipeline.verify_pairs

    def bound(ev, comparable, free, sentences, config):  # record every pair's bound, prune nothing
        ua, ub = coverage_bounds(ev, comparable, free, sentences)
        seen["codes"], seen["bound"], seen["document"] = ev.codes, np.maximum(ua, ub), ev.document
        seen["weight_ok"] = ev.weights >= config.candidate_min_weight
        seen["density"] = hit_density(ev, comparable, free, sentences, config.sentence_bands)
        return real_bound(ev, comparable, free, sentences, config)

    linked: list[int] = []
    found: dict[int, object] = {}

    def verify(coded, *rest):  # the verified pairs' results, whatever else the stage takes
        for start, results in real_verify(coded, *rest):
            for k, link in enumerate(results):
                if link is not None:
                    linked.append(int(coded[start + k]))
                    found[int(coded[start + k])] = link
            yield start, results

    pipeline.bound_pairs, pipeline.verify_pairs = bound, verify
    config = RunConfig(workers=args.workers)
    config = replace(config, dedup=replace(config.dedup, prune_coverage=0.0))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = first_lines(args.corpus, args.limit, tmp) if args.limit else args.corpus
        t0 = time.perf_counter()
        result = pipeline.run([str(corpus)], config)
        wall = time.perf_counter() - t0
    pipeline.bound_pairs, pipeline.verify_pairs = real_bound, real_verify

    codes, bnd, doc, ok, dens = seen["codes"], seen["bound"], seen["document"], seen["weight_ok"], seen["density"]
    at = np.searchsorted(codes, np.array(sorted(linked), dtype=np.int64))
    is_link = np.zeros(len(codes), dtype=bool)
    is_link[at] = True
    sentence_only = is_link & (doc == 0)
    print(f"{args.corpus}: {result.read:,} documents, {wall:.1f} s; candidate pairs {int(ok.sum()):,}, "
          f"links {int(is_link.sum()):,} ({int(sentence_only.sum()):,} without a document band)")
    low = np.sort(bnd[sentence_only])[:10]
    print("lowest bounds of links without a document band:", ", ".join(f"{v:.3f}" for v in low))
    for k in np.flatnonzero(sentence_only)[np.argsort(bnd[sentence_only], kind="stable")[:3]].tolist():
        link = found[int(codes[k])]
        print(f"  bound {bnd[k]:.3f} density {dens[k]:.1f}: {link.a} {link.b} {link.kind} coverage {link.coverage_a}/{link.coverage_b} "
              f"close {link.close_coverage_a}/{link.close_coverage_b} shared {link.shared_sentences}")
    print(f"\n{'prune_coverage':>15}{'min density':>12}{'pairs kept':>12}{'share':>8}{'links lost':>12}")
    for tau in (0.1, 0.15, 0.2, 0.25, 0.3):
        for h in (0, 4, 6, 8, 12):
            keep = ok & ((doc > 0) | (bnd >= tau) | (dens < h))
            lost = int((is_link & ~keep).sum())
            print(f"{tau:>15.2f}{h:>12}{int(keep.sum()):>12,}{keep.sum() / max(ok.sum(), 1):>8.1%}{lost:>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
