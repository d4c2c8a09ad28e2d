#!/usr/bin/env python3
"""A whole ``dedupe run`` stage by stage: time, docs/s, MB/s, CPU, memory; peers signing the same documents.

Usage::

    python benchmarks/scale/generate.py --base ../shared/data/bbc_news --docs 100000 --seed 1 --out /tmp/scale.jsonl
    python benchmarks/speed/bench_run.py --corpus /tmp/scale.jsonl [--limit 10000] [--workers 2] [--peers 1000]

The run is :func:`dedupe.pipeline.run` with the default configuration (what
``dedupe run`` does), then :func:`dedupe.writers.write_outputs` into a
temporary folder. ``--limit N`` reads only the first N lines (a copy of them
in a temporary file), so one generated corpus serves several sizes: the
linearity check of issue 5 compares the CPU seconds per document of two sizes.

Rows: the stages the pipeline reports (read+clean, learned furniture,
signatures, candidates, verification, clustering) and the writing; docs/s
and MB/s count the input documents and the input file's megabytes. The
totals give wall time and CPU time, the main process's and its workers'
(``getrusage``; workers are separate processes), so a shared, loaded
machine shows up as wall time well above CPU time / cores.

Memory: peak RSS of the main process, and of the largest worker process
(``RUSAGE_CHILDREN``, the largest of the workers waited for). Workers are
forked and share the parent's pages, so "main + workers x largest worker"
overstates the run's real footprint: it is an upper bound. The footprint
itself is the peak PSS of the whole process tree (:class:`TreeMemory`, sampled
twice a second, so a spike shorter than that can be missed). RSS at each
stage change is printed as the run goes.

The run's candidate pairs per document, the pairs the coverage bound dropped and the share of the
run spent verifying are printed with the stages (issue 14).

``--pipeline-peer`` (issue 14's yardstick) also times, in the same run, the plain datasketch
pipeline on the same input texts, in one process and without cleaning: ``MinHash.update_batch``
(SHA-1, 128 permutations) over word 5-grams, each document inserted into a ``MinHashLSH`` at
threshold 0.8 and queried for its candidates; the whole run's speed is given as a multiple of it.

``--clean none`` runs without cleaning (no rules, encoding repair or learned furniture):
what the rest of the run costs on its own, a floor that no cleaning speed-up can go below.

Peers (``--peers N``, 0 to skip): on the first N cleaned documents, one core,
CPU time, best of three: dedupe's signing (``sign_texts`` plus band keys, what
the signing stage does per document) against datasketch ``update_batch``
(SHA-1, its default), datasketch ``update`` (on a fifth of them) and rensa
(when installed); the method functions are those of ``bench_sign.py``. A last row, the
regex tokenisation alone, is the machine's yardstick: issue #5 states its targets on a machine
where it ran at about 13,000 docs/s, so the whole run's docs/s is also given as a multiple of it.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from dedupe._candidates import signature_keys
from dedupe.config import CleanConfig, RunConfig
from dedupe.pipeline import run
from dedupe._sign import sign_texts
from dedupe.writers import write_outputs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_sign  # noqa: E402  (the peer methods, shared with the signature benchmark)

_STAGES = ("clean", "furniture", "sign", "candidates", "verify", "cluster")


def rss_mib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return -1


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(x) for x in fh.read().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _children(k)]


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Peak proportional set size (PSS) of this process and all its descendants, sampled every
    ``interval`` seconds on a thread. PSS splits each shared page between the processes that map
    it, so the sum over the tree counts forked workers' shared pages once: the run's real
    footprint, which summing RSS overstates. Linux only (``/proc/PID/smaps_rollup``); 0 elsewhere."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_kib = 0
        self.stage = ""  # set by the run's progress callback
        self.peak_stage = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            total = sum(_pss_kib(p) for p in [me] + _children(me))
            if total > self.peak_kib:
                self.peak_kib, self.peak_stage = total, self.stage
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def first_lines(path: Path, limit: int, folder: str) -> Path:
    out = Path(folder) / "corpus.jsonl"
    with path.open("rb") as src, out.open("wb") as dst:
        for n, line in enumerate(src):
            if n == limit:
                break
            dst.write(line)
    return out


def run_config(workers: int, clean: str) -> RunConfig:
    """The default configuration, or (``clean="none"``) one that cleans nothing: no rules, no
    encoding repair, no learned furniture; what is left is the run's floor without cleaning."""
    if clean == "none":
        return RunConfig(workers=workers, clean=CleanConfig(rules=(), fix_encoding=False, learn_furniture=False))
    return RunConfig(workers=workers)


def run_stages(corpus: Path, workers: int, out_dir: str, tree: TreeMemory,
               marks: list[tuple[str, float, float, float]], clean: str = "default") -> tuple[dict, object]:
    """Run and write; ``marks`` gets ``(stage, wall, main CPU, workers' CPU)`` as each stage starts
    (worker pools end with their stage, so the workers' CPU between two marks is that stage's)."""
    t0 = time.perf_counter()
    seen: list[str] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        if not seen or seen[-1] != stage:
            seen.append(stage)
            tree.stage = stage
            marks.append((stage, time.perf_counter(), time.process_time(), children_cpu()))
            print(f"  {time.perf_counter() - t0:8.1f} s  {stage:<10} starts  RSS {rss_mib():,} MiB", flush=True)

    result = run([str(corpus)], run_config(workers, clean), progress=progress)
    t1 = time.perf_counter()
    progress("write", 0, None)
    write_outputs(result, out_dir, workers=result.config.worker_count)
    timings = dict(result.timings)
    timings["write"] = time.perf_counter() - t1
    marks.append(("done", time.perf_counter(), time.process_time(), children_cpu()))
    print(f"  {time.perf_counter() - t0:8.1f} s  done; RSS {rss_mib():,} MiB", flush=True)
    return timings, result


# The machine's speed, measured in the same run: issue #5 was written on a machine where this
# tokenised about 13,000 600-word documents per second on one core, and asks for 4,000 docs/s
# for the whole run on 2 cores there, i.e. a run at 0.31 x this rate.
YARDSTICK = "regex tokenise only (yardstick)"
_ISSUE_TOKENISE, _ISSUE_RUN = 13_000, 4_000


def peers(texts: list[str]) -> list[tuple[str, float]]:
    config = RunConfig().dedup

    def m_dedupe(docs: list[str]) -> None:
        for lo in range(0, len(docs), 256):
            signature_keys(sign_texts(docs[lo:lo + 256], config.shingle_size, config.num_perm, config.seed,
                                      config.sentence_bands * config.sentence_rows, config.sentence_min_shingles),
                           config)

    methods = [("dedupe sign + band keys", m_dedupe, texts),
               ("datasketch update_batch (SHA-1)", bench_sign.m_ds_batch_sha1, texts),
               ("datasketch update", bench_sign.m_ds_update, texts[: max(1, len(texts) // 5)])]
    try:
        import rensa  # noqa: F401
        methods.append(("rensa", bench_sign.m_rensa, texts))
    except ImportError:
        pass
    methods.append((YARDSTICK, bench_sign.m_regex, texts))
    best: dict[str, float] = {}
    for _ in range(3):
        for name, func, docs in methods:
            start = time.process_time()
            func(docs)
            rate = len(docs) / max(time.process_time() - start, 1e-9)
            best[name] = max(best.get(name, 0.0), rate)
    return [(name, best[name]) for name, _, _ in methods]


def datasketch_pipeline(corpus: Path) -> tuple[float, int, int]:
    """The plain datasketch pipeline over the corpus's raw texts, one process: ``(seconds, documents,
    candidate pairs)`` (see the module docstring)."""
    import json

    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    sigs = []
    with corpus.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            m = MinHash(num_perm=128, seed=1)
            m.update_batch([g.encode("utf-8") for g in bench_sign.shingles(json.loads(line).get("text") or "")])
            lsh.insert(n, m, check_duplication=False)
            sigs.append(m)
    pairs = sum(len(lsh.query(m)) - 1 for m in sigs) // 2
    return time.perf_counter() - t0, len(sigs), pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="text JSONL (e.g. from benchmarks/scale/generate.py)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N lines")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--peers", type=int, default=1000, help="documents for the peer signing rows (0: none)")
    ap.add_argument("--pipeline-peer", action="store_true",
                    help="also time the plain datasketch pipeline (update_batch + MinHashLSH 0.8) on the same texts")
    ap.add_argument("--clean", choices=("default", "none"), default="default",
                    help="none: no rules, encoding repair or learned furniture (the run's floor without cleaning)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = first_lines(args.corpus, args.limit, tmp) if args.limit else args.corpus
        megabytes = corpus.stat().st_size / 1e6
        load = os.getloadavg()[0]
        cpu0, ch0 = time.process_time(), children_cpu()
        wall0 = time.perf_counter()
        with TreeMemory() as tree:
            marks: list[tuple[str, float, float, float]] = []
            timings, result = run_stages(corpus, args.workers, os.path.join(tmp, "out"), tree, marks, args.clean)
        wall = time.perf_counter() - wall0
        cpu_main, cpu_children = time.process_time() - cpu0, children_cpu() - ch0
        docs = result.read
        peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        texts = [d.text or "" for _, d in zip(range(args.peers), result.documents.values())] if args.peers else []
        clusters, rejected = len(result.clusters), len(result.rejected)
        stats = dict(result.stats)
        del result
        peer = datasketch_pipeline(corpus) if args.pipeline_peer else None

    print(f"\n{args.corpus}{f' (first {args.limit:,} lines)' if args.limit else ''}: {docs:,} documents, "
          f"{megabytes:,.1f} MB; {args.workers} workers; {os.cpu_count()} cores; load average {load:.1f} at the start"
          + ("; NO CLEANING (--clean none)" if args.clean == "none" else ""))
    print(f"{clusters:,} clusters, {rejected:,} rejected")
    pruned = stats.get("pruned_pairs", 0)
    print(f"candidate pairs {stats.get('candidate_pairs', 0):,} ({stats.get('candidate_pairs', 0) / max(docs, 1):.2f} "
          f"per document) after {pruned:,} dropped by the coverage bound; capped band keys "
          f"{stats.get('capped_keys', 0):,}; verified links {stats.get('verified_links', 0):,}, "
          f"on-demand checks {stats.get('on_demand_checks', 0):,}\n")
    print(f"{'stage':<12}{'seconds':>9}{'docs/s':>10}{'MB/s':>8}{'share':>8}")
    total = sum(timings.get(s, 0.0) for s in _STAGES + ("write",))
    for stage in _STAGES + ("write",):
        sec = timings.get(stage, 0.0)
        rate = f"{docs / sec:,.0f}" if sec >= 0.005 else "-"  # a stage that did nothing: no rate
        mbs = f"{megabytes / sec:,.1f}" if sec >= 0.005 else "-"
        print(f"{stage:<12}{sec:>9.2f}{rate:>10}{mbs:>8}{sec / total:>8.0%}")
    print(f"{'total':<12}{wall:>9.2f}{docs / wall:>10,.0f}{megabytes / wall:>8.1f}")
    print(f"verification: {timings.get('verify', 0.0) / wall:.1%} of the run's wall time")
    if peer is not None:
        sec, n, pairs = peer
        print(f"datasketch pipeline (update_batch + MinHashLSH 0.8, one process, no cleaning): {sec:.2f} s, "
              f"{n / sec:,.0f} docs/s, {pairs:,} candidate pairs; this run: {docs / wall / (n / sec):.2f} x its speed")
    # CPU between progress marks: "clean" includes learned furniture, "sign" the candidates.
    print(f"\n{'from the mark':<14}{'wall s':>8}{'main CPU s':>12}{'workers CPU s':>15}{'CPU ms/doc':>12}")
    for (stage, w0, m0, c0), (_, w1, m1, c1) in zip(marks, marks[1:]):
        print(f"{stage:<14}{w1 - w0:>8.1f}{m1 - m0:>12.1f}{c1 - c0:>15.1f}{1000 * (m1 - m0 + c1 - c0) / max(docs, 1):>12.3f}")
    cpu = cpu_main + cpu_children
    print(f"\nCPU: main {cpu_main:.1f} s + workers {cpu_children:.1f} s = {cpu:.1f} s "
          f"({1000 * cpu / max(docs, 1):.3f} ms per document; {cpu / max(wall, 1e-9):.2f} cores busy on average)")
    print(f"peak RSS: main {peak_main:,.0f} MiB, largest worker {peak_child:,.0f} MiB; "
          f"bound main + {args.workers} x worker = {peak_main + args.workers * peak_child:,.0f} MiB")
    print(f"peak PSS of the process tree (sampled every {tree.interval} s): {tree.peak_kib / 1024:,.0f} MiB"
          f" (during {tree.peak_stage or 'the start'})")

    if texts:
        rows = peers(texts)
        ours = rows[0][1]
        print(f"\nsigning the first {len(texts):,} cleaned documents, one core, CPU time, best of 3")
        print(f"{'method':<34}{'docs/s':>10}{'x':>8}")
        for name, rate in rows:
            print(f"{name:<34}{rate:>10,.0f}{ours / rate:>8.2f}")
        yardstick = dict(rows)[YARDSTICK]
        print(f"\nthe whole run: {docs / wall:,.0f} docs/s = {docs / wall / yardstick:.3f} x the yardstick "
              f"(issue #5: {_ISSUE_RUN:,} where the yardstick ran {_ISSUE_TOKENISE:,}, "
              f"{_ISSUE_RUN / _ISSUE_TOKENISE:.3f} x; here that is {yardstick * _ISSUE_RUN / _ISSUE_TOKENISE:,.0f} docs/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
