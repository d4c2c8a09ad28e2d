#!/usr/bin/env python3
"""The local engine and the Spark engine on one corpus, in one run: speed, memory, shuffle, equality.

Usage::

    python benchmarks/spark/bench.py DOCS.jsonl [--master local[2]] [--partitions N] [--workers 2]
        [--driver-memory 1g] [--collect] [--out RESULT.json]

Each engine runs in a child process that writes the outputs into a temporary folder: the local
engine with ``--workers`` worker processes, then the Spark engine on a SparkSession the child
starts (``--master``, the driver bound to 127.0.0.1, Spark's event log on). This script samples
the proportional set size (PSS, ``/proc/PID/smaps_rollup``) of the child's whole process tree
every 0.2 s (for Spark: the Python driver, the JVM and its Python workers) and prints one JSON
object per engine and one for the comparison:

- ``wall_s`` and ``docs_per_s`` (documents read per wall second, writing included; Spark's
  without the session start, which is reported apart), ``cpu_s``: user + system CPU of the
  process tree (sampled per process; load from other jobs inflates it less than wall time);
- ``peak_pss_mib``: the largest sum of PSS over the tree at one sample;
- Spark only: ``shuffle_write_bytes`` (all tasks, from the event log's task metrics) and per
  document, per dedupe stage (the jobs' descriptions, :meth:`SparkRun.begin`), and the stage
  timings; ``by_stage``: per dedupe stage its tasks, the longest and the median task's run time
  (the skew), and the peak RSS of the executor's Python workers and JVM over its Spark stages
  (Spark's process tree metrics; in local mode one executor runs every concurrent task);
- ``identical``: canonical.jsonl, clusters.jsonl and rejected.jsonl byte-identical, and
  summary.json equal apart from its timings.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

FILES = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl")


# --------------------------------------------------------------------------- the children


def child(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("engine", choices=("local", "spark"))
    p.add_argument("out")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--driver-memory", default="1g")
    p.add_argument("--event-log", default=None)
    p.add_argument("--collect", action="store_true")
    args = p.parse_args(argv)

    import dedupe

    info: dict = {}
    if args.engine == "local":
        t = time.perf_counter()
        result = dedupe.run(args.inputs, dedupe.RunConfig(workers=args.workers))
        dedupe.write_outputs(result, args.out)
        info["wall_s"] = time.perf_counter() - t
    else:
        from pyspark.sql import SparkSession

        from dedupe.engines.spark import run_spark

        t = time.perf_counter()
        spark = (SparkSession.builder.master(args.master).appName("dedupe-bench")
                 .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.driver.memory", args.driver_memory)
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", args.event_log)
                 .config("spark.eventLog.compress", "false")
                 # Per stage, the peak memory of the executor's process tree (the JVM and its Python
                 # workers): the memory of a stage's concurrent tasks.
                 .config("spark.executor.processTreeMetrics.enabled", "true")
                 .config("spark.eventLog.logStageExecutorMetrics", "true")
                 .config("spark.pyspark.python", sys.executable).getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        info["session_start_s"] = time.perf_counter() - t
        try:
            t = time.perf_counter()
            # As `dedupe run --engine spark` does: canonical.jsonl and clusters.jsonl written by the tasks
            # (write_to), only ids on the driver; --collect gathers the documents on the driver instead (the API).
            result = run_spark(args.inputs, dedupe.RunConfig(), partitions=args.partitions,
                               write_to=None if args.collect else args.out)
            try:
                dedupe.write_outputs(result, args.out)
            finally:
                result.remove_parts()
            info["wall_s"] = time.perf_counter() - t
            info["stages_s"] = {k: round(v, 2) for k, v in result.timings.items()}
        finally:
            spark.stop()
    info["documents"] = result.read
    Path(args.out, "bench.json").write_text(json.dumps(info))
    return 0


# --------------------------------------------------------------------------- measuring


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc/PID/task/*/children)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        for path in glob.glob(f"/proc/{pid}/task/*/children"):
            try:
                todo.extend(int(c) for c in Path(path).read_text().split())
            except OSError:
                pass
    return out


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    """User + system CPU of ``pid`` so far, in clock ticks (/proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def measured(cmd: list[str]) -> dict:
    """Run ``cmd``: the peak of the summed PSS over its process tree, and the tree's CPU time (each
    process's last sampled user + system time, summed: processes that live under 0.2 s are missed)."""
    proc = subprocess.Popen(cmd)
    peak = 0
    cpu: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            pids = _tree(proc.pid)
            peak = max(peak, sum(_pss_kib(p) for p in pids))
            for p in pids:
                cpu[p] = max(cpu.get(p, 0), _cpu_ticks(p))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    if code:
        raise SystemExit(f"{cmd[3]} engine failed with status {code}")
    return {"peak_pss_mib": round(peak / 1024, 1), "cpu_s": round(sum(cpu.values()) / os.sysconf("SC_CLK_TCK"), 1)}


def shuffle_by_stage(event_log: str) -> tuple[int, dict[str, int], dict[str, dict]]:
    """From a Spark event log folder: shuffle bytes written by all tasks, and per job description;
    and per job description, its tasks (count, longest and median run time: the skew) and the
    largest peak over its stages of the executor's process tree memory (JVM, Python workers)."""
    stage_desc: dict[int, str] = {}
    per_stage: dict[int, int] = defaultdict(int)
    task_s: dict[int, list[float]] = defaultdict(list)
    peaks: dict[int, dict[str, int]] = {}
    for path in sorted(glob.glob(os.path.join(event_log, "**"), recursive=True)):
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                ev = json.loads(line)
                kind = ev.get("Event")
                if kind == "SparkListenerJobStart":
                    desc = (ev.get("Properties") or {}).get("spark.job.description") or "other"
                    for sid in ev.get("Stage IDs", []):
                        stage_desc.setdefault(sid, desc)
                elif kind == "SparkListenerTaskEnd":
                    metrics = ev.get("Task Metrics") or {}
                    written = (metrics.get("Shuffle Write Metrics") or {}).get("Shuffle Bytes Written", 0)
                    per_stage[ev["Stage ID"]] += written
                    info = ev.get("Task Info") or {}
                    if info.get("Finish Time") and info.get("Launch Time"):
                        task_s[ev["Stage ID"]].append((info["Finish Time"] - info["Launch Time"]) / 1000)
                elif kind == "SparkListenerStageExecutorMetrics":
                    peaks[ev["Stage ID"]] = ev.get("Executor Metrics") or {}
    by_desc: dict[str, int] = defaultdict(int)
    for sid, n in per_stage.items():
        by_desc[stage_desc.get(sid, "other").removeprefix("dedupe: ")] += n
    tasks: dict[str, list[float]] = defaultdict(list)
    for sid, times in task_s.items():
        tasks[stage_desc.get(sid, "other").removeprefix("dedupe: ")].extend(times)
    detail: dict[str, dict] = {}
    for desc, times in sorted(tasks.items()):
        times.sort()
        detail[desc] = {"tasks": len(times), "task_s_max": round(times[-1], 2),
                        "task_s_median": round(times[len(times) // 2], 2)}
    for sid, metrics in peaks.items():
        d = detail.setdefault(stage_desc.get(sid, "other").removeprefix("dedupe: "), {})
        for key, name in (("ProcessTreePythonRSSMemory", "python_rss_mib"), ("ProcessTreeJVMRSSMemory", "jvm_rss_mib"),
                          ("JVMHeapMemory", "jvm_heap_mib")):
            if metrics.get(key):
                d[name] = max(d.get(name, 0), round(metrics[key] / 2**20))
    return sum(per_stage.values()), dict(sorted(by_desc.items())), detail


def same_outputs(a: Path, b: Path) -> dict[str, bool]:
    out = {name: (a / name).read_bytes() == (b / name).read_bytes() for name in FILES}
    summaries = []
    for folder in (a, b):
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        summary.pop("timings_s")
        summaries.append(summary)
    out["summary.json"] = summaries[0] == summaries[1]
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return child(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="+")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--driver-memory", default="1g", help="spark.driver.memory (the JVM heap in local mode)")
    p.add_argument("--collect", action="store_true",
                   help="Spark: gather the documents on the driver (dedupe.run's result) instead of writing "
                        "canonical.jsonl from the tasks (dedupe run --engine spark)")
    p.add_argument("--out", help="also write the result here (JSON)")
    args = p.parse_args(argv)

    me = [sys.executable, os.path.abspath(__file__), "--child"]
    result: dict = {"inputs": args.inputs, "master": args.master, "driver_memory": args.driver_memory,
                    "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="dedupe-spark-bench-") as tmp:
        folders = {e: Path(tmp, e) for e in ("local", "spark")}
        events = Path(tmp, "events")
        events.mkdir()
        local = measured(me + ["local", str(folders["local"]), *args.inputs, "--workers", str(args.workers)])
        # The local engine's numbers now, so a Spark run that fails or is stopped does not lose them.
        print("local:", json.dumps({**local, **json.loads((folders["local"] / "bench.json").read_text())}),
              file=sys.stderr, flush=True)
        extra = (["--partitions", str(args.partitions)] if args.partitions else []) + (
            ["--collect"] if args.collect else [])
        spark = measured(me + ["spark", str(folders["spark"]), *args.inputs, "--master", args.master,
                               "--driver-memory", args.driver_memory, "--event-log", f"file://{events}", *extra])
        for name, m in (("local", local), ("spark", spark)):
            m.update(json.loads((folders[name] / "bench.json").read_text()))
            m["docs_per_s"] = round(m["documents"] / m["wall_s"], 1)
            m["wall_s"] = round(m["wall_s"], 1)
            m["cpu_ms_per_doc"] = round(1000 * m["cpu_s"] / m["documents"], 2)
        total, by_stage, detail = shuffle_by_stage(str(events))
        spark["session_start_s"] = round(spark["session_start_s"], 1)
        spark["shuffle_write_bytes"] = total
        spark["shuffle_bytes_per_doc"] = round(total / spark["documents"])
        spark["shuffle_bytes_per_doc_by_stage"] = {k: round(v / spark["documents"]) for k, v in by_stage.items()}
        spark["by_stage"] = detail
        result["local"], result["spark"] = local, spark
        result["identical"] = same_outputs(folders["local"], folders["spark"])
        result["output_bytes"] = {name: (folders["local"] / name).stat().st_size for name in FILES}
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0 if all(result["identical"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
