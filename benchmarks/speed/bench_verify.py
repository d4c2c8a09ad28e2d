#!/usr/bin/env python3
"""Verification and clustering speed: prepare, verify, group, against a baseline copy.

Usage::

    python benchmarks/speed/bench_verify.py --corpus /tmp/synd3/docs.jsonl [--clean] \
        [--baseline /tmp/C-orig] [--repeat 3] [--limit N]

The corpus's documents go through what :func:`dedupe.deduplicate` does before
verification (signatures, exact copies, LSH candidate pairs); then, in this
process on one core, each implementation is timed ``--repeat`` times,
interleaved, best time kept (on a shared machine compare the ratios):

- prepare: the analysed arrays of every document that is in a candidate pair
  (baseline: ``prepare(id, analyze(text))`` per document; current:
  ``prepare_texts`` when the module has it);
- verify: every candidate pair (baseline: ``verify`` per pair; current:
  ``verify_many``);
- group: ``group`` over the verified links; its on-demand checks prepare and
  verify again from scratch, as the pipeline's main process does (current:
  a ``PairVerifier`` verifies the pairs ``group`` announces to its
  ``prefetch`` in batches with ``verify_many``, preparing documents with
  ``prepare_texts``; ``check`` takes the results).

``--baseline DIR``: ``DIR/verify.py`` and ``DIR/cluster.py`` (or ``_verify.py``, ``_cluster.py``) of the
version to compare (copies of ``src/dedupe/_verify.py`` and ``cluster.py``), imported as
modules of the installed ``dedupe`` package. Both implementations' results
(every link's ``to_dict()``, the groups, the on-demand checks) are compared
and the table says whether they are identical.

``--clean``: clean the corpus first (``dedupe.pipeline.clean_corpus``) as
``dedupe run`` does; otherwise the documents' ``text`` is used as it is.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

from dedupe import _cluster as current_cluster
from dedupe import _verify as current_verify
from dedupe._candidates import candidate_pairs
from dedupe.config import DedupConfig, RunConfig
from dedupe.pipeline import clean_corpus
from dedupe.readers import read_inputs
from dedupe._sign import sign_texts
from dedupe._text import analyze

sys.path.insert(0, str(Path(__file__).resolve().parent))
from old_names import alias_old_names  # noqa: E402


def load_baseline(directory: str) -> tuple[ModuleType, ModuleType]:
    alias_old_names()  # an older copy imports the package's other modules by the names they had then
    mods = []
    for name in ("verify", "cluster"):
        # _verify.py since issue 19 made the module private, verify.py before
        found = [p for p in (Path(directory) / f"_{name}.py", Path(directory) / f"{name}.py") if p.is_file()]
        spec = importlib.util.spec_from_file_location(f"dedupe._baseline_{name}", found[0]) if found else None
        if spec is None or spec.loader is None:
            raise SystemExit(f"--baseline: no _{name}.py or {name}.py in {directory}")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
        mods.append(mod)
    return mods[0], mods[1]


def load_corpus(path: str, clean: bool, limit: int | None) -> tuple[list[str], list[str]]:
    if clean:
        store = clean_corpus([path], RunConfig(workers=1)).documents
        docs = [store[i] if isinstance(i, str) else i for i in store]  # a DocumentStore iterates over ids
    else:
        docs = [d for d in read_inputs([path]) if hasattr(d, "text") and d.text is not None]
    docs = docs[:limit] if limit else docs
    by_id = {d.id: d.text or "" for d in docs}
    ids = sorted(by_id)
    return ids, [by_id[i] for i in ids]


def candidates(ids: list[str], texts: list[str], config: DedupConfig) -> dict[str, Any]:
    """What deduplicate computes before verification: representatives, their sizes, the pairs."""
    sigs = sign_texts(texts, config.shingle_size, config.num_perm, config.seed,
                      config.sentence_bands * config.sentence_rows, config.sentence_min_shingles)
    keep = [k for k, s in enumerate(sigs) if s.tokens]
    first: dict[bytes, int] = {}
    reps = [k for k in keep if first.setdefault(sigs[k].digest, k) == k]
    pairs = sorted(candidate_pairs([sigs[k] for k in reps], config))
    return {"ids": [ids[k] for k in reps], "texts": [texts[k] for k in reps],
            "sizes": [sigs[k].tokens for k in reps], "pairs": pairs}


def run_impl(vmod: ModuleType, cmod: ModuleType, data: dict[str, Any], config: DedupConfig
             ) -> tuple[dict[str, float], dict[str, Any]]:
    ids, texts, sizes, pairs = data["ids"], data["texts"], data["sizes"], data["pairs"]
    batch = hasattr(vmod, "verify_many") and hasattr(vmod, "prepare_texts")
    needed = sorted({n for p in pairs for n in p})
    t0 = time.perf_counter()
    if batch:
        prepared = dict(zip(needed, vmod.prepare_texts([ids[n] for n in needed], [texts[n] for n in needed], config)))
    else:
        prepared = {n: vmod.prepare(ids[n], analyze(texts[n]), config) for n in needed}
    t1 = time.perf_counter()
    if batch:
        results = vmod.verify_many(pairs, prepared, config)
    else:
        results = [vmod.verify(prepared[a], prepared[b], config) for a, b in pairs]
    t2 = time.perf_counter()

    checked = dict(zip(pairs, results))
    links = {p: link for p, link in checked.items() if link is not None}
    fresh: dict[int, Any] = {}  # the pipeline's main process prepares again for on-demand checks

    def check(a: int, b: int) -> Any:
        if (a, b) not in checked:
            for n in (a, b):
                if n not in fresh:
                    fresh[n] = vmod.prepare(ids[n], analyze(texts[n]), config)
            checked[(a, b)] = vmod.verify(fresh[a], fresh[b], config)
        return checked[(a, b)]

    if batch and hasattr(vmod, "PairVerifier") and "prefetch" in cmod.group.__code__.co_varnames:
        verifier = vmod.PairVerifier(lambda ns: ([ids[n] for n in ns], [texts[n] for n in ns]), config)

        def check_prefetched(a: int, b: int) -> Any:
            if (a, b) not in checked:
                checked[(a, b)] = verifier.check(a, b)
            return checked[(a, b)]

        def prefetch(ps: list[tuple[int, int]]) -> None:
            verifier.prefetch([p for p in ps if p not in checked])

        groups = cmod.group(len(ids), links, check_prefetched, sizes, config.linkage, prefetch=prefetch)
    else:
        groups = cmod.group(len(ids), links, check, sizes, config.linkage)
    t3 = time.perf_counter()
    out = {"results": [None if r is None else r.to_dict() for r in results], "groups": groups,
           "checked": sorted((p, None if r is None else r.to_dict()) for p, r in checked.items())}
    return {"prepare": t1 - t0, "verify": t2 - t1, "group": t3 - t2, "docs": len(needed),
            "checks": len(checked) - len(pairs)}, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="JSONL (or any input dedupe reads)")
    ap.add_argument("--clean", action="store_true", help="clean the corpus first, as dedupe run does")
    ap.add_argument("--baseline", help="directory with verify.py and cluster.py of the version to compare")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, help="first N documents only")
    args = ap.parse_args(argv)
    config = DedupConfig()
    ids, texts = load_corpus(args.corpus, args.clean, args.limit)
    data = candidates(ids, texts, config)
    impls = {"current": (current_verify, current_cluster)}
    if args.baseline:
        impls = {"baseline": load_baseline(args.baseline), **impls}
    best: dict[str, dict[str, float]] = defaultdict(dict)
    outputs: dict[str, Any] = {}
    info: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, (vmod, cmod) in impls.items():
            times, out = run_impl(vmod, cmod, data, config)
            outputs[name] = out
            info = times
            for stage in ("prepare", "verify", "group"):
                best[name][stage] = min(best[name].get(stage, float("inf")), times[stage])
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    links = sum(r is not None for r in outputs["current"]["results"])
    print(f"corpus {args.corpus}: {len(ids)} docs, {len(data['ids'])} representatives, "
          f"{len(data['pairs'])} candidate pairs, {links} links, {int(info['checks'])} on-demand checks; "
          f"best of {args.repeat}, interleaved; loadavg {' '.join(load)}")
    if "baseline" in outputs:
        same = outputs["baseline"] == outputs["current"]
        print(f"identical results (links, groups, on-demand checks): {'yes' if same else 'NO'}")
    print()
    print("| impl | prepare docs/s | verify pairs/s | verify ms/pair | group s | total s |")
    print("|---|---|---|---|---|---|")
    rows = {}
    for name, b in best.items():
        total = b["prepare"] + b["verify"] + b["group"]
        rows[name] = (info["docs"] / b["prepare"], len(data["pairs"]) / max(b["verify"], 1e-9),
                      b["group"], total)
        print(f"| {name} | {rows[name][0]:,.0f} | {rows[name][1]:,.0f} | "
              f"{b['verify'] / max(len(data['pairs']), 1) * 1e3:.4f} | {b['group']:.2f} | {total:.2f} |")
    if "baseline" in rows:
        o, c = rows["baseline"], rows["current"]
        print(f"| ratio | {c[0] / o[0]:.1f}x | {c[1] / o[1]:.1f}x | | {o[2] / max(c[2], 1e-9):.1f}x | "
              f"{o[3] / c[3]:.1f}x |")
    return 0 if "baseline" not in outputs or outputs["baseline"] == outputs["current"] else 1


if __name__ == "__main__":
    sys.exit(main())
