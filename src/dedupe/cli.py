"""The ``dedupe`` command: a thin layer over the library.

Exit status (also in ``docs/robustness.md``):

- 0: the run finished; rejected inputs are listed in ``rejected.jsonl``
  (one stderr line each, the first 20) and do not change it;
- 1: nothing could be processed (every input was rejected, or no document was
  found); the outputs are still written;
- 2: a wrong invocation (unknown option, missing input path, unknown input
  format, bad configuration or limit value, missing optional dependency) or an
  output that cannot be written; nothing is written;
- 3: an internal error (a bug: an unexpected exception, or outputs that do not
  account for every input); please report it with the message;
- 4: the engine failed, not the input (``--engine spark``: a job that failed after
  Spark's retries, a master that cannot be reached, a driver JVM that died); the
  message names the stage and Spark's cause; nothing is written;
- 130: interrupted (SIGINT / Ctrl-C), 143: terminated (SIGTERM); outputs are
  replaced whole or not at all, so the previous outputs are left as they
  were, and running the same command again completes them.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Sequence, TextIO

from . import __version__
from .config import CleanConfig, DedupConfig, FieldMap, Limits, RunConfig
from .records import Document, Rejected
from .errors import ConfigError, DedupeError, EngineError
from .pipeline import deduplicate, run
from .readers import input_kind, read_inputs
from .writers import OUTPUT_FORMATS, atomic_write, write_jsonl, write_outputs

__all__ = ["main", "parse_args"]

logger = logging.getLogger("dedupe")
_MAX_REJECT_MESSAGES = 20


class ProgressBar:
    """A one-line progress display on a terminal; silent elsewhere."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and (total is None or done < total):
            return
        self.last = now
        if total:
            width = 30
            filled = int(width * done / total)
            line = f"{stage:>10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        else:
            line = f"{stage:>10} {done}"
        self.stream.write("\r" + line.ljust(70))
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


class RejectReporter:
    """Prints one line per rejected input (the first few), then a count."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, item: Rejected) -> None:
        self.count += 1
        if self.count <= _MAX_REJECT_MESSAGES:
            logger.warning("skipped %s", item)
        elif self.count == _MAX_REJECT_MESSAGES + 1:
            logger.warning("more inputs were skipped; every one is listed in rejected.jsonl")


_SIZE = re.compile(r"^\s*(\d+)\s*([kKMGT]i?)?[bB]?\s*$")
_UNITS = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
          "ki": 2**10, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def parse_size(value: str) -> int:
    """A byte count: ``20000000``, ``20M``, ``64MiB``, ``8G`` (k/M/G/T decimal, Ki/Mi/Gi/Ti binary).

    >>> parse_size("50M"), parse_size("1KiB"), parse_size("123")
    (50000000, 1024, 123)
    """
    m = _SIZE.match(value)
    if not m:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size: expected bytes like 20000000, 20M or 64MiB")
    return int(m.group(1)) * _UNITS[m.group(2) or ""]


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="a directory (of .txt/.html files and shards), a .txt/.html file, JSONL (.jsonl, "
                        ".jsonl.gz, .jsonl.zst), Parquet (.parquet), WARC (.warc, .warc.gz), or - for JSONL on stdin")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no closing summary")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log messages (-vv for debug)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--memory-mb", type=int, default=256, metavar="MB",
                   help="document text kept in memory before documents and band keys move to temporary "
                        "files in $TMPDIR (default 256; the output is the same)")
    d = Limits()
    p.add_argument("--max-doc-bytes", type=parse_size, default=d.max_doc_bytes, metavar="SIZE",
                   help=f"reject a document larger than this (default: {d.max_doc_bytes})")
    p.add_argument("--max-line-bytes", type=parse_size, default=d.max_line_bytes, metavar="SIZE",
                   help=f"reject a JSONL line longer than this (default: {d.max_line_bytes})")
    p.add_argument("--max-decompressed-bytes", type=parse_size, default=d.max_decompressed_bytes, metavar="SIZE",
                   help="stop reading a compressed file (gzip, zstd, WARC, Parquet) past this many decompressed "
                        f"bytes (default: {d.max_decompressed_bytes})")
    f = FieldMap()
    for name in ("id", "text", "html", "url"):
        p.add_argument(f"--{name}-field", default=getattr(f, name), metavar="NAME",
                       help=f"the JSONL key or Parquet column that holds the document's {name} "
                            f"(default: {getattr(f, name)})")


def _add_clean_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-learn", action="store_true",
                   help="do not learn page furniture from lines repeated across a source's documents")
    p.add_argument("--rules", help="comma-separated boilerplate rules to apply (default: all)")


def _add_dedup_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--canonical", choices=("longest", "earliest"), default="longest",
                   help="canonical policy: most complete text, or earliest published (default: longest)")
    p.add_argument("--prefer-source", action="append", default=[], metavar="SOURCE",
                   help="prefer this source as canonical (repeatable, in order)")
    p.add_argument("--seed", type=int, default=1, help="MinHash seed (default: 1)")
    p.add_argument("--num-perm", type=int, default=128, help="MinHash permutations (default: 128)")


def _add_output_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output-format", choices=OUTPUT_FORMATS, default="jsonl",
                   help="format of canonical and clusters: jsonl, or parquet (canonical.parquet, clusters.parquet; "
                        "needs pip install 'news-dedupe[parquet]') (default: jsonl)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dedupe",
        description="Clean scraped news and group near-duplicate and syndicated copies into one canonical set.",
    )
    parser.add_argument("--version", action="version", version=f"dedupe {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="clean and deduplicate: canonical.jsonl, clusters.jsonl, summary.json, rejected.jsonl")
    _add_common(p_run)
    p_run.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory")
    p_run.add_argument("--explain", action="store_true", help="list every cleaning change in canonical.jsonl")
    p_run.add_argument("--report", action="store_true", help="also write report.html, a page to check the result")
    _add_output_format(p_run)
    p_run.add_argument("--engine", choices=("local", "spark"), default="local",
                       help="local (worker processes) or spark (Apache Spark; needs pip install "
                            "'news-dedupe[spark]'): the same outputs (default: local)")
    p_run.add_argument("--spark-master", metavar="URL",
                       help="with --engine spark: the Spark master (default: the active session, else local[*])")
    p_run.add_argument("--spark-partitions", type=int, metavar="N",
                       help="with --engine spark: tasks per stage (default: Spark's default parallelism)")
    _add_clean_options(p_run)
    _add_dedup_options(p_run)

    p_clean = sub.add_parser("clean", help="clean documents only, writing JSONL")
    _add_common(p_clean)
    p_clean.add_argument("-o", "--output", required=True, metavar="OUT.jsonl", help="output JSONL file")
    p_clean.add_argument("--explain", action="store_true", help="list every removal and the rule that made it")
    _add_clean_options(p_clean)

    p_dedup = sub.add_parser("dedup", help="deduplicate text that is already clean (no cleaning)")
    _add_common(p_dedup)
    p_dedup.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory")
    p_dedup.add_argument("--report", action="store_true", help="also write report.html, a page to check the result")
    _add_output_format(p_dedup)
    _add_dedup_options(p_dedup)

    p_report = sub.add_parser("report", help="write report.html for a finished output folder")
    p_report.add_argument("outdir", metavar="OUTDIR", help="the -o folder of a finished 'dedupe run' or 'dedupe dedup'")
    p_report.add_argument("-o", "--output", metavar="REPORT.html", help="where to write the page (default: OUTDIR/report.html)")
    p_report.add_argument("-q", "--quiet", action="store_true", help="no closing line")
    p_report.add_argument("-v", "--verbose", action="count", default=0, help="more log messages")

    _add_index_parsers(sub)

    p_eval = sub.add_parser("eval", help="score clusters.jsonl against gold labels")
    p_eval.add_argument("clusters", metavar="CLUSTERS.jsonl")
    p_eval.add_argument("--gold", required=True, metavar="GOLD.jsonl",
                        help='one row per document: {"id": ..., "cluster": ..., "kind": ...}')
    p_eval.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _add_index_parsers(sub: argparse._SubParsersAction) -> None:
    p_index = sub.add_parser("index", help="a persistent, incremental index (add, query, stats, remove)")
    isub = p_index.add_subparsers(dest="index_command", required=True)
    index_help = "the index: a file (SQLite; created by the first add) or redis://host:port/db"

    p_add = isub.add_parser("add", help="clean, sign, verify against the index and within the batch, store")
    p_add.add_argument("index", metavar="INDEX", help=index_help)
    _add_common(p_add)
    p_add.add_argument("-o", "--output", metavar="OUTDIR",
                       help="also write the clusters the add made or changed: clusters.jsonl, canonical.jsonl, "
                            "rejected.jsonl, summary.json")
    p_add.add_argument("--day", metavar="DATE", help="the day recorded as added (default: today, UTC)")
    # Parameters of a new index; for an existing one they must match (default: the index's own).
    p_add.add_argument("--no-learn", action="store_true", default=None,
                       help="do not learn page furniture (a new index only)")
    p_add.add_argument("--rules", default=None, help="comma-separated boilerplate rules (a new index only)")
    p_add.add_argument("--canonical", choices=("longest", "earliest"), default=None,
                       help="canonical policy of a new index (default: longest)")
    p_add.add_argument("--prefer-source", action="append", default=None, metavar="SOURCE",
                       help="preferred canonical source of a new index (repeatable)")
    p_add.add_argument("--seed", type=int, default=None, help="MinHash seed of a new index (default: 1)")
    p_add.add_argument("--num-perm", type=int, default=None, help="MinHash permutations of a new index (default: 128)")

    p_query = isub.add_parser("query", help="verified matches already in the index, without adding")
    p_query.add_argument("index", metavar="INDEX", help="the index file")
    _add_common(p_query)
    p_query.add_argument("-o", "--output", required=True, metavar="OUT.jsonl",
                         help="one line per input document: its matches (or why it was rejected)")

    p_stats = isub.add_parser("stats", help="counts, sizes and parameters of an index")
    p_stats.add_argument("index", metavar="INDEX")
    p_stats.add_argument("-v", "--verbose", action="count", default=0, help="more log messages")

    p_remove = isub.add_parser("remove", help="remove documents published (or added) before a date")
    p_remove.add_argument("index", metavar="INDEX")
    p_remove.add_argument("--before", required=True, metavar="DATE", help="an ISO date: 2024-01-31")
    p_remove.add_argument("--by", choices=("published", "added"), default="published",
                          help="published date (documents without one go by the day added), or the day added "
                               "(default: published)")
    p_remove.add_argument("-q", "--quiet", action="store_true", help="no closing line")
    p_remove.add_argument("-v", "--verbose", action="count", default=0, help="more log messages")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def _config(args: argparse.Namespace) -> RunConfig:
    clean = CleanConfig()
    if getattr(args, "no_learn", False):
        clean = replace(clean, learn_furniture=False)
    if getattr(args, "rules", None):
        clean = replace(clean, rules=tuple(r.strip() for r in args.rules.split(",") if r.strip()))
    dedup = DedupConfig()
    if hasattr(args, "canonical"):
        dedup = replace(dedup, canonical=args.canonical, preferred_sources=tuple(args.prefer_source),
                        seed=args.seed, num_perm=args.num_perm)
    limits = Limits(max_doc_bytes=args.max_doc_bytes, max_line_bytes=args.max_line_bytes,
                    max_decompressed_bytes=args.max_decompressed_bytes)
    fields = FieldMap(id=args.id_field, text=args.text_field, html=args.html_field, url=args.url_field)
    if getattr(args, "engine", "local") == "spark":  # before reading anything, not after
        from .engines.spark import require_pyspark

        require_pyspark("--engine spark")
    if getattr(args, "output_format", "jsonl") == "parquet":  # before reading anything, not after
        from .formats.parquet import require_pyarrow

        require_pyarrow("--output-format parquet")
    return RunConfig(clean=clean, dedup=dedup, limits=limits, fields=fields, workers=args.workers,
                     memory_bytes=args.memory_mb << 20)


def _setup_logging(verbose: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("dedupe: %(message)s"))
    root = logging.getLogger("dedupe")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def _closing(summary: dict, out: str, quiet: bool) -> None:
    if quiet:
        return
    c = summary["counts"]
    sys.stderr.write(
        f"dedupe: read {c['read']}, cleaned {c['cleaned']}, rejected {c['rejected']}; "
        f"{c['clusters']} clusters, {c['duplicates']} duplicates -> {out}\n"
    )


def _cmd_run(args: argparse.Namespace, config: RunConfig) -> int:
    bar = ProgressBar(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())
    # Spark: the tasks write canonical and clusters (no text reaches the driver), unless the report
    # needs the documents on the driver.
    from_tasks = args.engine == "spark" and not args.report
    try:
        if from_tasks:
            from .engines.spark import run_spark

            result = run_spark(args.inputs, config, master=args.spark_master, partitions=args.spark_partitions,
                               progress=bar, on_reject=RejectReporter(), write_to=args.output, explain=args.explain,
                               output_format=args.output_format)
        else:
            result = run(args.inputs, config, progress=bar, on_reject=RejectReporter(), engine=args.engine,
                         spark_master=args.spark_master, spark_partitions=args.spark_partitions)
    finally:
        bar.close()
    try:
        summary = write_outputs(result, args.output, explain=args.explain, workers=config.worker_count,
                                output_format=args.output_format)
    finally:
        if hasattr(result, "remove_parts"):
            result.remove_parts()
    _report_after(result, summary, args, inputs=args.inputs)
    _closing(summary, args.output, args.quiet)
    return _status(summary, result.documents)


def _report_after(result: object, summary: dict, args: argparse.Namespace, inputs: list[str] | None = None) -> None:
    """``--report``: the page from the run in memory (both texts of every link); without it, say
    when an older report.html is left beside the new outputs."""
    from .report import REPORT_FILE, write_report

    path = Path(args.output) / REPORT_FILE
    if args.report:
        write_report(result, path, summary=summary, inputs=inputs)  # type: ignore[arg-type]
    elif path.exists():
        logger.warning("%s is from an earlier run; 'dedupe report %s' rebuilds it", path, args.output)


def _status(summary: dict, documents: object) -> int:
    if not summary["counts"]["accounted"]:
        logger.error("internal error: the outputs do not account for every input (%s); please report this",
                     "; ".join(summary["counts"].get("accounting_problems", [])))
        return 3
    return 0 if documents else 1


def _cmd_dedup(args: argparse.Namespace, config: RunConfig) -> int:
    reporter = RejectReporter()
    rejected = []
    read = 0
    skipped: Counter[str] = Counter()

    def docs() -> Iterator[Document]:  # streamed into deduplicate's document store
        nonlocal read
        for item in read_inputs(args.inputs, config.limits, config.fields, skipped=skipped):
            read += 1
            if isinstance(item, Rejected):
                reporter(item)
                rejected.append(item)
            elif item.text is None:
                r = Rejected(item.id, "bad-field", "HTML input: use 'dedupe run', which cleans it first", item.origin)
                reporter(r)
                rejected.append(r)
            else:
                yield item

    bar = ProgressBar(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())
    try:
        result = deduplicate(docs(), config.dedup, workers=config.worker_count, progress=bar,
                             memory_bytes=config.memory_bytes)
    finally:
        bar.close()
    for r in result.rejected:
        reporter(r)
    result.rejected = rejected + result.rejected
    result.skipped = dict(sorted(skipped.items()))
    summary = write_outputs(result, args.output, read=read, workers=config.worker_count,
                            output_format=args.output_format)
    _report_after(result, summary, args)
    _closing(summary, args.output, args.quiet)
    return _status(summary, result.documents)


def _cmd_clean(args: argparse.Namespace, config: RunConfig) -> int:
    # Cleaning is `run` without deduplication: same readers, rules and learned furniture.
    bar = ProgressBar(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())
    reporter = RejectReporter()
    from .pipeline import clean_corpus

    try:
        corpus = clean_corpus(args.inputs, config, progress=bar, on_reject=reporter)
    finally:
        bar.close()
    docs = corpus.documents
    write_jsonl(args.output, (d.to_dict(explain=args.explain) for d in docs.values()))
    if not args.quiet:
        sys.stderr.write(f"dedupe: read {corpus.read}, cleaned {len(docs)}, rejected {len(corpus.rejected)} "
                         f"-> {args.output}\n")
    return 0 if docs else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    path = write_report(args.outdir, args.output)
    if not args.quiet:
        sys.stderr.write(f"dedupe: wrote {path}\n")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_report, load_clusters, load_gold

    report = evaluate(load_gold(args.gold), load_clusters(args.clusters))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(format_report(report))
    return 0


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _index_config(args: argparse.Namespace) -> RunConfig | None:
    """The configuration an ``index add`` asks for: the index's own (None) plus the options given."""
    from .index import Index

    given_clean = {}
    if args.no_learn:
        given_clean["learn_furniture"] = False
    if args.rules is not None:
        given_clean["rules"] = tuple(r.strip() for r in args.rules.split(",") if r.strip())
    given_dedup = {k: v for k, v in (("canonical", args.canonical), ("seed", args.seed), ("num_perm", args.num_perm))
                   if v is not None}
    if args.prefer_source is not None:
        given_dedup["preferred_sources"] = tuple(args.prefer_source)
    base = Index.stored_config(args.index) or RunConfig()
    limits = Limits(max_doc_bytes=args.max_doc_bytes, max_line_bytes=args.max_line_bytes,
                    max_decompressed_bytes=args.max_decompressed_bytes)
    fields = FieldMap(id=args.id_field, text=args.text_field, html=args.html_field, url=args.url_field)
    return RunConfig(clean=replace(base.clean, **given_clean), dedup=replace(base.dedup, **given_dedup),
                     limits=limits, fields=fields, workers=args.workers, memory_bytes=args.memory_mb << 20)


def _cmd_index(args: argparse.Namespace) -> int:
    from .index import Index

    if args.index_command == "stats":
        with Index.open(args.index, create=False) as index:
            print(json.dumps(index.stats(), indent=2, ensure_ascii=False))
        return 0
    if args.index_command == "remove":
        if not _DATE.match(args.before):
            raise ConfigError(f"--before {args.before!r} is not a date: expected an ISO date like 2024-01-31")
        with Index.open(args.index, create=False) as index:
            update = index.remove(before=args.before, by=args.by)
            if not args.quiet:
                sys.stderr.write(f"dedupe: removed {len(update.removed)} documents; {len(update.clusters)} clusters "
                                 f"changed, {len(update.replaced)} replaced -> {args.index}\n")
        return 0
    if args.index_command == "add":
        if args.day is not None and not _DATE.match(args.day):
            raise ConfigError(f"--day {args.day!r} is not a date: expected an ISO date like 2024-01-31")
        config = _index_config(args)
        for path in args.inputs:  # a missing or unreadable input fails before the index is created
            input_kind(path)
        with Index.open(args.index, config) as index:
            update = index.add(args.inputs, day=args.day)
        for r in update.rejected[:_MAX_REJECT_MESSAGES]:
            sys.stderr.write(f"dedupe: {r}\n")
        if args.output:
            out = Path(args.output)
            out.mkdir(parents=True, exist_ok=True)
            write_jsonl(out / "clusters.jsonl", (c.to_dict() for c in update.clusters))
            canon = [update.documents[c.canonical] for c in update.clusters if c.canonical in update.documents]
            write_jsonl(out / "canonical.jsonl", (d.to_dict() for d in sorted(canon, key=lambda d: d.id)))
            write_jsonl(out / "rejected.jsonl", (r.to_dict() for r in update.rejected))
            summary = dict(update.summary(), replaced_clusters=update.replaced)
            atomic_write(out / "summary.json", [json.dumps(summary, indent=2, ensure_ascii=False) + "\n"])
        if not args.quiet:
            s = update.summary()
            sys.stderr.write(f"dedupe: read {s['read']}, added {s['added']}, rejected {s['rejected']}; "
                             f"{s['clusters_changed']} clusters made or changed, {s['clusters_replaced']} replaced, "
                             f"{s['restripped']} stored documents re-cleaned -> {args.index}\n")
        return 0 if update.added else 1
    # query
    with Index.open(args.index, create=False) as index:
        config = index.config
        index.config = replace(config, limits=Limits(max_doc_bytes=args.max_doc_bytes,
                                                      max_line_bytes=args.max_line_bytes,
                                                      max_decompressed_bytes=args.max_decompressed_bytes),
                               fields=FieldMap(id=args.id_field, text=args.text_field, html=args.html_field,
                                               url=args.url_field), workers=args.workers)
        found, rejected = index.query(args.inputs)
    rows = [{"id": i, "matches": [m.to_dict() for m in ms]} for i, ms in found.items()]
    rows += [{"id": r.id, "rejected": r.to_dict()} for r in rejected]
    for r in rejected[:_MAX_REJECT_MESSAGES]:
        sys.stderr.write(f"dedupe: {r}\n")
    write_jsonl(args.output, rows)
    if not args.quiet:
        sys.stderr.write(f"dedupe: queried {len(found)}, rejected {len(rejected)}; "
                         f"{sum(1 for ms in found.values() if ms)} with matches -> {args.output}\n")
    return 0 if found else 1


class Terminated(BaseException):
    """SIGTERM, turned into an exception so the writers clean up as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    _setup_logging(getattr(args, "verbose", 0))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
    try:
        return _main(args)
    except Terminated:
        logger.error("terminated; outputs are replaced whole or not at all: run the same command again to complete them")
        return 143
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command == "eval":
            return _cmd_eval(args)
        if args.command == "report":
            return _cmd_report(args)
        if args.command == "index":
            return _cmd_index(args)
        config = _config(args)
        if args.command == "run":
            return _cmd_run(args, config)
        if args.command == "dedup":
            return _cmd_dedup(args, config)
        return _cmd_clean(args, config)
    except EngineError as exc:  # before DedupeError: not a wrong invocation
        logger.error("%s; nothing was written", exc)
        return 4
    except DedupeError as exc:
        logger.error("%s", exc)
        return 2
    except OSError as exc:
        # An output path that cannot be written (a file where a directory is
        # expected, no permission, disk full): say so in one line.
        target = getattr(exc, "filename", None) or getattr(args, "output", "")
        logger.error("cannot write %s: %s", target, exc.strerror or exc)
        return 2
    except ValueError as exc:
        if args.command == "eval":
            logger.error("%s", exc)
            return 2
        return _internal_error(exc)
    except KeyboardInterrupt:
        logger.error("interrupted; outputs are replaced whole or not at all: run the same command again to complete them")
        return 130
    except Exception as exc:  # a bug: say so in one line, keep the traceback for the report
        return _internal_error(exc)


def _internal_error(exc: BaseException) -> int:
    verbose = logger.isEnabledFor(logging.INFO)
    hint = "" if verbose else " (run with -v for the traceback)"
    logger.error("internal error, a bug: please report it%s: %s: %s", hint, type(exc).__name__, exc,
                 exc_info=verbose)
    return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
