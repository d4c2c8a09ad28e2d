#!/usr/bin/env python3
"""The persistent index against datasketch ``MinHashLSH`` in memory, in the same run.

Usage::

    python benchmarks/syndication/generate.py --base ../shared/data/bbc_news --out /tmp/synd3k --docs 3000 --seed 1
    python benchmarks/index/bench_index.py --corpus /tmp/synd3k/docs.jsonl --days 10 --queries 200 --work /tmp/idx

The corpus is sorted by ``published`` and cut into ``--days`` consecutive parts; the last
``--queries`` documents are held out. Printed:

- dedupe: ``dedupe run`` over the held-in parts (docs/s, wall and CPU of this process and its
  children), then ``Index.add`` of the parts one at a time (docs/s), then ``Index.query`` of each
  held-out document alone (latency p50/p99), and the index's bytes per document: the whole file,
  and the file less the stored documents (compressed cleaned form plus text after learned furniture);
- datasketch ``MinHashLSH`` (threshold 0.5, 128 permutations, in memory, word 5-gram shingles, its
  own ``MinHash.update_batch``): insert docs/s, query latency p50/p99, bytes per document of its
  pickled index. It finds candidates only (no cleaning, no verification, no clusters): the ratios
  say what the index's verified, persistent answer costs over it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--work", required=True, help="a scratch folder (the index and the day files)")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)

    from datasketch import MinHash, MinHashLSH

    from dedupe import Index, RunConfig, run

    rows = [json.loads(line) for line in Path(args.corpus).read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: (r.get("published") or "", r["id"]))
    held_in, queries = rows[:-args.queries], rows[-args.queries:]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    parts = []
    for d in range(args.days):
        p = work / f"day{d:02d}.jsonl"
        chunk = held_in[d * len(held_in) // args.days:(d + 1) * len(held_in) // args.days]
        p.write_text("".join(json.dumps(r) + "\n" for r in chunk), encoding="utf-8")
        parts.append(str(p))
    config = RunConfig(workers=args.workers)
    n = len(held_in)
    print(f"corpus {args.corpus}: {n} documents in {args.days} parts, {len(queries)} held-out queries; "
          f"workers {args.workers}")

    t, c = time.perf_counter(), _cpu()
    run(parts, config)
    batch_wall, batch_cpu = time.perf_counter() - t, _cpu() - c
    print(f"dedupe run (batch)    {n / batch_wall:8.0f} docs/s wall  ({batch_wall:.1f} s wall, {batch_cpu:.1f} s CPU)")

    path = work / "bench.idx"
    for s in ("", "-wal", "-shm"):
        if os.path.exists(str(path) + s):
            os.remove(str(path) + s)
    t, c = time.perf_counter(), _cpu()
    per_day = []
    with Index.open(path, config) as index:
        for p in parts:
            t1 = time.perf_counter()
            index.add([p])
            per_day.append(time.perf_counter() - t1)
        add_wall, add_cpu = time.perf_counter() - t, _cpu() - c
        print(f"Index.add, by part    {n / add_wall:8.0f} docs/s wall  ({add_wall:.1f} s wall, {add_cpu:.1f} s CPU; "
              f"first part {per_day[0]:.1f} s, last {per_day[-1]:.1f} s wall)   add / batch: "
              f"{batch_wall / add_wall:.2f} by wall, {batch_cpu / add_cpu:.2f} by CPU")
        lat, cpu = [], []
        for q in queries:
            t1, c1 = time.perf_counter(), time.process_time()
            index.query(documents=[q], workers=1)
            lat.append(time.perf_counter() - t1)
            cpu.append(time.process_time() - c1)
        print(f"Index.query, one doc  p50 {_pct(lat, 50):6.1f} ms  p99 {_pct(lat, 99):6.1f} ms wall; "
              f"CPU p50 {_pct(cpu, 50):6.1f} ms  p99 {_pct(cpu, 99):6.1f} ms")
        stats = index.stats()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = con.execute("SELECT sum(length(doc)) + coalesce(sum(length(text)), 0) FROM docs").fetchone()[0]
    try:
        by_table = dict(con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    except sqlite3.DatabaseError:
        by_table = {}
    con.close()
    size = os.path.getsize(path)
    print(f"Index bytes/doc       {size / n:8.0f} whole file; {(size - stored) / n:8.0f} less the stored documents "
          f"({stats['band_key_entries'] / n:.0f} band key entries per document)")
    if by_table:
        print("  by table/index (bytes/doc): " + ", ".join(f"{k} {v / n:.0f}" for k, v in
                                                         sorted(by_table.items(), key=lambda kv: -kv[1])[:8]))

    # datasketch MinHashLSH in memory, same documents (raw text: no cleaning).
    word = re.compile(r"\w+")

    def minhash(text: str) -> MinHash:
        toks = word.findall(text.lower())
        sh = {" ".join(toks[i:i + 5]).encode() for i in range(max(1, len(toks) - 4))}
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(list(sh))
        return m

    t, c = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    with lsh.insertion_session() as session:
        for r in held_in:
            session.insert(r["id"], minhash(r.get("text") or ""), check_duplication=False)
    ds_wall, ds_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"MinHashLSH insert     {n / ds_wall:8.0f} docs/s wall  ({ds_wall:.1f} s wall, {ds_cpu:.1f} s CPU)   "
          f"dedupe add / it {ds_cpu / add_cpu:.2f} by CPU")
    lat, cpu = [], []
    for q in queries:
        t1, c1 = time.perf_counter(), time.process_time()
        lsh.query(minhash(q.get("text") or ""))
        lat.append(time.perf_counter() - t1)
        cpu.append(time.process_time() - c1)
    print(f"MinHashLSH query      p50 {_pct(lat, 50):6.1f} ms  p99 {_pct(lat, 99):6.1f} ms wall; "
          f"CPU p50 {_pct(cpu, 50):6.1f} ms  p99 {_pct(cpu, 99):6.1f} ms")
    print(f"MinHashLSH bytes/doc  {len(pickle.dumps(lsh)) / n:8.0f} (pickled, in memory; band hashes only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
