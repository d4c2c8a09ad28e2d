#!/usr/bin/env python3
"""The persistent index (SQLite and Redis) against datasketch ``MinHashLSH`` (in memory and on
Redis), in the same run.

Usage::

    python benchmarks/shared/generate.py --base /work/shared/data/bbc_news --docs 100000 --seed 1 --out /tmp/s100k
    python benchmarks/index/bench_index.py --corpus /tmp/s100k/docs.jsonl --limit 20000 --days 10 \\
        --queries 200 --work /tmp/idx

The corpus (its first ``--limit`` lines) is sorted by ``published`` and cut into ``--days``
consecutive parts; the last ``--queries`` documents are held out. A ``redis-server`` is started on
127.0.0.1 on a free port (no persistence; its folder under ``--work``) and stopped at the end,
unless ``--redis-url`` names one. Printed:

- ``dedupe run`` over the held-in parts (the batch: docs/s, wall and CPU);
- per backend (``--backends``, default ``sqlite,redis``): ``Index.add`` of the parts one at a time
  (docs/s by wall and by CPU; for Redis the server's CPU is counted too), ``Index.query`` of each
  held-out document alone (latency p50/p99, wall and CPU), and bytes per indexed document: all of
  it, and less the stored documents (compressed cleaned form and text after learned furniture),
  by table (SQLite ``dbstat``) or by key family (Redis ``MEMORY USAGE`` of a sample of each);
- datasketch ``MinHashLSH`` (threshold 0.5, 128 permutations, word 5-gram shingles of the raw text,
  its own ``MinHash.update_batch``), in memory and on Redis (``storage_config`` type redis, inserts
  through ``insertion_session``): insert docs/s, query latency, bytes per document. It finds
  candidates only (no cleaning, no verification, no clusters; in memory, nothing persists): the
  ratios say what the index's verified, persistent answer costs over it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _proc_cpu(pid: int | None) -> float:
    """CPU seconds of another process (the redis-server), 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(work: Path) -> tuple[subprocess.Popen, str]:
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install -y redis-server), or give --redis-url")
    folder = work / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(400):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def _redis_families(client: Any, sample: int = 3000) -> dict[str, float]:
    """Bytes of each key family (``P:h``, ``P:k``, ...) from ``MEMORY USAGE`` of a random sample of
    its keys, scaled by its count."""
    names: dict[str, list[bytes]] = {}
    for name in client.scan_iter(count=5000):
        parts = name.split(b":")
        family = (parts[1] if len(parts) > 2 else parts[-1] if len(parts) > 1 else name).decode(errors="replace")
        names.setdefault(family, []).append(name)
    rng = random.Random(1)
    out = {}
    for family, keys in names.items():
        picked = keys if len(keys) <= sample else rng.sample(keys, sample)
        pipe = client.pipeline(transaction=False)
        for k in picked:
            pipe.memory_usage(k, samples=0)
        used = [u or 0 for u in pipe.execute()]
        out[family] = sum(used) / len(picked) * len(keys)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--limit", type=int, default=0, help="the corpus's first N documents (0: all)")
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--work", required=True, help="a scratch folder (the index, the day files, redis-server's)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--backends", default="sqlite,redis")
    ap.add_argument("--redis-url", default=None, help="a Redis to use (default: start redis-server here)")
    ap.add_argument("--no-batch", action="store_true", help="skip the batch run")
    ap.add_argument("--no-datasketch", action="store_true", help="skip datasketch MinHashLSH")
    args = ap.parse_args(argv)

    from datasketch import MinHash, MinHashLSH

    from dedupe import Index, RunConfig, run

    rows = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if args.limit and len(rows) >= args.limit:
                break
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
          f"workers {args.workers}", flush=True)

    batch_wall = batch_cpu = None
    if not args.no_batch:
        t, c = time.perf_counter(), _cpu()
        run(parts, config)
        batch_wall, batch_cpu = time.perf_counter() - t, _cpu() - c
        print(f"dedupe run (batch)     {n / batch_wall:8.0f} docs/s wall, {n / batch_cpu:6.0f} per CPU-second "
              f"({batch_wall:.1f} s wall, {batch_cpu:.1f} s CPU)", flush=True)

    server, redis_url = (None, args.redis_url)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if redis_url is None:  # datasketch on Redis needs one too
        server, redis_url = _start_redis(work)
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=None)  # FLUSHDB of millions of keys takes long
    server_pid = server.pid if server is not None else None
    try:
        for backend in backends:
            if backend == "sqlite":
                target = str(work / "bench.idx")
                for s in ("", "-wal", "-shm"):
                    if os.path.exists(target + s):
                        os.remove(target + s)
            else:
                client.flushdb()
                target = f"{redis_url}?prefix=bench"
            base_mem = int(client.info("memory")["used_memory"])
            t, c, sc = time.perf_counter(), _cpu(), _proc_cpu(server_pid)
            per_day = []
            with Index.open(target, config) as index:
                per_cpu = []
                for p in parts:
                    t1, c1 = time.perf_counter(), _cpu()
                    index.add([p])
                    per_day.append(time.perf_counter() - t1)
                    per_cpu.append(_cpu() - c1)
                add_wall, add_cpu = time.perf_counter() - t, _cpu() - c
                server_cpu = _proc_cpu(server_pid) - sc if backend == "redis" else 0.0
                ratio = "" if batch_wall is None else (f"   add / batch: {batch_wall / add_wall:.2f} by wall, "
                                                       f"{batch_cpu / (add_cpu + server_cpu):.2f} by CPU")
                print(f"[{backend}] Index.add  {n / add_wall:8.0f} docs/s wall, "
                      f"{n / (add_cpu + server_cpu):6.0f} per CPU-second ({add_wall:.1f} s wall, {add_cpu:.1f} s CPU"
                      + (f" + redis-server {server_cpu:.1f} s" if backend == "redis" else "")
                      + f"; first part {per_day[0]:.1f} s wall, last {per_day[-1]:.1f} s){ratio}", flush=True)
                print(f"[{backend}]   CPU s per part (client): " + " ".join(f"{c:.1f}" for c in per_cpu), flush=True)
                lat, cpu = [], []
                for q in queries:
                    t1, c1 = time.perf_counter(), time.process_time()
                    index.query(documents=[q], workers=1)
                    lat.append(time.perf_counter() - t1)
                    cpu.append(time.process_time() - c1)
                print(f"[{backend}] Index.query, one doc  p50 {_pct(lat, 50):6.1f} ms  p99 {_pct(lat, 99):6.1f} ms "
                      f"wall; CPU p50 {_pct(cpu, 50):6.1f} ms  p99 {_pct(cpu, 99):6.1f} ms", flush=True)
                stats = index.stats()
                stored = sum(len(blob) + len((text or "").encode("utf-8", "surrogatepass"))
                             for _, blob, text in index._store.scan(("doc", "text")))
            if backend == "sqlite":
                con = sqlite3.connect(target)
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                try:
                    by_part = dict(con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
                except sqlite3.DatabaseError:
                    by_part = {}
                con.close()
                size = os.path.getsize(target)
            else:
                size = int(client.info("memory")["used_memory"]) - base_mem
                by_part = _redis_families(client)
            print(f"[{backend}] bytes/doc  {size / n:8.0f} in all; {(size - stored) / n:8.0f} less the stored documents "
                  f"({stored / n:.0f}); {stats['band_key_entries'] / n:.0f} band key entries per document", flush=True)
            if by_part:
                print(f"[{backend}]   by {'table/index' if backend == 'sqlite' else 'key family'} (bytes/doc): "
                      + ", ".join(f"{k} {v / n:.0f}" for k, v in sorted(by_part.items(), key=lambda kv: -kv[1])[:9]),
                      flush=True)
            if backend == "redis":
                client.flushdb()

        # datasketch MinHashLSH, same documents (raw text: no cleaning), in memory and on Redis.
        word = re.compile(r"\w+")

        def minhash(text: str) -> MinHash:
            toks = word.findall(text.lower())
            sh = {" ".join(toks[i:i + 5]).encode() for i in range(max(1, len(toks) - 4))}
            m = MinHash(num_perm=128, seed=1)
            m.update_batch(list(sh))
            return m

        host, port = client.connection_pool.connection_kwargs["host"], client.connection_pool.connection_kwargs["port"]
        for where in () if args.no_datasketch else ("memory", "redis"):
            storage = None if where == "memory" else {"type": "redis", "basename": b"bench",
                                                      "redis": {"host": host, "port": port}}
            client.flushdb()
            base_mem = int(client.info("memory")["used_memory"])
            t, c, sc = time.perf_counter(), time.process_time(), _proc_cpu(server_pid)
            lsh = MinHashLSH(threshold=0.5, num_perm=128, storage_config=storage)
            with lsh.insertion_session() as session:
                for r in held_in:
                    session.insert(r["id"], minhash(r.get("text") or ""), check_duplication=False)
            ds_wall, ds_cpu = time.perf_counter() - t, time.process_time() - c
            server_cpu = _proc_cpu(server_pid) - sc if where == "redis" else 0.0
            print(f"[MinHashLSH {where}] insert {n / ds_wall:8.0f} docs/s wall, {n / (ds_cpu + server_cpu):6.0f} per "
                  f"CPU-second ({ds_wall:.1f} s wall, {ds_cpu:.1f} s CPU"
                  + (f" + redis-server {server_cpu:.1f} s" if where == "redis" else "") + ")", flush=True)
            lat, cpu = [], []
            for q in queries:
                t1, c1 = time.perf_counter(), time.process_time()
                lsh.query(minhash(q.get("text") or ""))
                lat.append(time.perf_counter() - t1)
                cpu.append(time.process_time() - c1)
            print(f"[MinHashLSH {where}] query p50 {_pct(lat, 50):6.1f} ms  p99 {_pct(lat, 99):6.1f} ms wall; "
                  f"CPU p50 {_pct(cpu, 50):6.1f} ms  p99 {_pct(cpu, 99):6.1f} ms", flush=True)
            size = len(pickle.dumps(lsh)) if where == "memory" else int(client.info("memory")["used_memory"]) - base_mem
            print(f"[MinHashLSH {where}] bytes/doc {size / n:8.0f} ({'pickled' if where == 'memory' else 'Redis used_memory'}"
                  f"; band hashes only)", flush=True)
            del lsh
        client.flushdb()
    finally:
        client.close()
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
