#!/usr/bin/env python3
"""The local engine and the Spark engine on one corpus, in one run: time, and whether the outputs are equal.

Usage::

    python benchmarks/spark/bench.py DOCS.jsonl [--master local[2]] [--partitions N] [--workers 2]

Runs ``dedupe.run`` with the local engine (``--workers``), then with ``engine="spark"`` on a
SparkSession started here (``--master``, the driver bound to 127.0.0.1), writes both outputs
into temporary folders and prints one JSON line: documents, seconds and documents per second for
each engine (Spark's time without the session start, reported apart), the Spark stages' times,
and whether canonical.jsonl, clusters.jsonl and rejected.jsonl are byte-identical.

Not measured yet: peak memory of the Spark JVM and its Python workers, and shuffle bytes per
document (Spark's UI is off here; read them from the Spark history server on a real cluster).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="+")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)

    import dedupe
    from dedupe.engines.spark import run_spark
    from pyspark.sql import SparkSession

    out = {"inputs": args.inputs, "master": args.master}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        local = dedupe.run(args.inputs, dedupe.RunConfig(workers=args.workers))
        out["local_s"] = round(time.perf_counter() - t, 2)
        dedupe.write_outputs(local, Path(tmp) / "local")
        out["documents"] = local.read
        out["local_docs_per_s"] = round(local.read / out["local_s"], 1)

        t = time.perf_counter()
        spark = (SparkSession.builder.master(args.master).appName("dedupe-bench")
                 .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.pyspark.python", sys.executable).getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        out["spark_session_start_s"] = round(time.perf_counter() - t, 2)
        try:
            t = time.perf_counter()
            result = run_spark(args.inputs, dedupe.RunConfig(), partitions=args.partitions)
            out["spark_s"] = round(time.perf_counter() - t, 2)
            out["spark_docs_per_s"] = round(result.read / out["spark_s"], 1)
            out["spark_stages_s"] = {k: round(v, 2) for k, v in result.timings.items()}
            dedupe.write_outputs(result, Path(tmp) / "spark")
        finally:
            spark.stop()
        out["identical"] = {name: (Path(tmp) / "local" / name).read_bytes() == (Path(tmp) / "spark" / name).read_bytes()
                            for name in ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl")}
    print(json.dumps(out))
    return 0 if all(out["identical"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
