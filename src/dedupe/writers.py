"""Writing outputs atomically.

Each file is written to a temporary name in its directory (``.NAME.XXXX.tmp``),
flushed to disk, and renamed into place, so a reader never sees a truncated
file. :func:`write_outputs` goes further for the four files of a run: it
writes all four to temporary files first, and only then removes the old
``summary.json``, renames the three data files into place and renames the new
``summary.json`` last. So an interrupted run leaves either the previous
complete outputs (interrupted while writing, the common case), or the new
complete outputs, or, when killed with ``kill -9`` in the few microseconds
between renames (SIGINT and SIGTERM are held back during them), no
``summary.json``: ``summary.json`` present means the set is complete, and its
``outputs`` entry gives the size and SHA-256 of each file to check that.
Temporary files left by a killed run (``kill -9`` cannot be caught) are removed
by the next run writing into the same directory.

``summary.json``'s ``timings_s`` are the only part of the outputs that differs
between two runs of the same input and configuration.

``output_format="parquet"`` (``--output-format parquet``) writes
``canonical.parquet`` and ``clusters.parquet`` in place of the two JSONL files
(:func:`write_parquet`, pyarrow, extra ``parquet``), with the same fields as
columns; ``rejected.jsonl`` and ``summary.json`` stay JSON. A set of outputs is
one format: writing one removes the other format's data files from the
directory, in the same commit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import platform
import signal
import tempfile
from collections import Counter
from contextlib import contextmanager
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Iterator

from ._parallel import ordered_imap
from .pipeline import DedupResult, RunResult

__all__ = ["atomic_write", "write_jsonl", "write_parquet", "write_outputs", "summary_of", "check_accounting",
           "output_files", "canonical_line", "cluster_line", "canonical_row", "cluster_row", "parquet_schema",
           "concatenate_files", "write_parquet_parts", "OUTPUT_FILES", "OUTPUT_FORMATS"]

logger = logging.getLogger(__name__)

OUTPUT_FILES = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl", "summary.json")
#: ``--output-format`` values: the format of canonical and clusters.
OUTPUT_FORMATS = ("jsonl", "parquet")


def output_files(output_format: str = "jsonl") -> tuple[str, ...]:
    """The four files of a run's outputs in ``output_format``, summary.json last.

    >>> output_files("parquet")
    ('canonical.parquet', 'clusters.parquet', 'rejected.jsonl', 'summary.json')
    """
    if output_format not in OUTPUT_FORMATS:
        raise ValueError(f"output_format={output_format!r}: expected one of {', '.join(OUTPUT_FORMATS)}")
    return (f"canonical.{output_format}", f"clusters.{output_format}", "rejected.jsonl", "summary.json")


def _dumps(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # An unpaired surrogate (only possible from library callers: the readers reject
        # them) cannot be written as UTF-8; its JSON escape is valid and reads back the same.
        text = json.dumps(obj, ensure_ascii=True, separators=(", ", ": "))
    return text


def _temp_for(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def write_temp(path: Path, chunks: Iterable[str]) -> tuple[str, int, str]:
    """Write ``chunks`` to a new temporary file beside ``path``: (temp name, bytes, sha256)."""
    return _write_bytes(path, (chunk.encode("utf-8") for chunk in chunks))


def _write_bytes(path: Path, chunks: Iterable[bytes]) -> tuple[str, int, str]:
    """Byte ``chunks`` to a new temporary file beside ``path``, synced: (temp name, bytes, sha256)."""
    fd, tmp = _temp_for(path)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for data in chunks:
                digest.update(data)
                size += len(data)
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp, size, digest.hexdigest()


def _unlink(path: str | os.PathLike[str]) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the few renames of a commit (where the platform allows)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = mask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


def atomic_write(path: str | os.PathLike[str], chunks: Iterable[str]) -> None:
    """Write text chunks to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, _, _ = write_temp(path, chunks)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> None:
    atomic_write(path, (_dumps(row) + "\n" for row in rows))


def remove_stale_temporaries(outdir: str | os.PathLike[str]) -> list[str]:
    """Remove the temporary files an interrupted run left in ``outdir``; returns their names.

    Two runs writing into one directory at the same time are not supported.
    """
    removed = []
    outdir = Path(outdir)
    if not outdir.is_dir():
        return removed
    for name in dict.fromkeys(n for fmt in OUTPUT_FORMATS for n in output_files(fmt)):
        for tmp in sorted(outdir.glob(f".{name}.*.tmp")):
            _unlink(tmp)
            removed.append(tmp.name)
    if removed:
        logger.info("%s: removed %d temporary file(s) left by an interrupted run", outdir, len(removed))
    return removed


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("news-dedupe", "datasketch", "ftfy", "trafilatura", "numpy", "fastwarc", "pyarrow"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def check_accounting(result: DedupResult, read: int | None = None) -> list[str]:
    """What is wrong with ``result``'s accounting; empty when every input is accounted for.

    Checks read = canonical + duplicates + rejected, that every accepted
    document is a member of exactly one cluster, and that each cluster's
    canonical is one of its members.
    """
    problems = []
    if read is None:
        read = result.read if isinstance(result, RunResult) else len(result.documents) + len(result.rejected)
    canonical, duplicates, rejected = len(result.clusters), result.duplicates, len(result.rejected)
    if read != canonical + duplicates + rejected:
        problems.append(f"read {read} != canonical {canonical} + duplicates {duplicates} + rejected {rejected}")
    members = Counter(m for c in result.clusters for m in c.members)
    repeated = sorted(m for m, n in members.items() if n > 1)
    if repeated:
        problems.append(f"{len(repeated)} id(s) in more than one cluster, e.g. {repeated[0]!r}")
    documents = result.documents
    if len(members) != len(documents) or any(m not in documents for m in members):  # sets only on failure
        missing = sorted(set(documents) - set(members))
        extra = sorted(set(members) - set(documents))
        problems.append(f"{len(missing)} accepted id(s) in no cluster, {len(extra)} unknown id(s) in clusters")
    bad_canonical = [c.id for c in result.clusters if c.canonical not in c.members]
    if bad_canonical:
        problems.append(f"{len(bad_canonical)} cluster(s) whose canonical is not a member")
    return problems


def summary_of(result: DedupResult, read: int | None = None) -> dict[str, Any]:
    """The ``summary.json`` content: counts, per-rule counts, timings, config, versions.

    ``read`` is the number of items read (documents and rejections); by default
    :attr:`RunResult.read`, or accepted + rejected for a plain :class:`DedupResult`.
    """
    reasons = Counter(r.reason for r in result.rejected)
    if read is None:
        read = result.read if isinstance(result, RunResult) else len(result.documents) + len(result.rejected)
    encodings = getattr(result.documents, "encodings", None)  # a DocumentStore counts them as it goes
    if encodings is None:
        encodings = Counter(
            str(d.meta["input_encoding"]) for d in result.documents.values() if d.meta.get("input_encoding")
        )
    problems = check_accounting(result, read)
    counts = {
        "read": read,
        "cleaned": len(result.documents),
        "rejected": len(result.rejected),
        "rejected_by_reason": dict(sorted(reasons.items())),
        "clusters": len(result.clusters),
        "canonical": len(result.clusters),
        "duplicates": result.duplicates,
        "clusters_with_copies": sum(1 for c in result.clusters if len(c.members) > 1),
        "decoded_by_encoding": dict(sorted(encodings.items())),
        # Records read but not documents (a WARC's requests, non-HTML responses), by kind; not in "read".
        "skipped_records": dict(sorted(getattr(result, "skipped", {}).items())),
        "accounted": not problems,
    }
    if problems:
        counts["accounting_problems"] = problems
    out: dict[str, Any] = {"counts": counts, "dedup": dict(result.stats)}
    if isinstance(result, RunResult):
        out["removals_by_rule"] = result.rule_counts
        out["learned_furniture_lines"] = result.furniture_lines
        out["config"] = result.config.to_dict()
    out["versions"] = _versions()
    out["timings_s"] = {k: round(v, 3) for k, v in result.timings.items()}
    return out


# canonical.jsonl lines encoded per task on a worker (about 2 MB of news text).
ENCODE_CHUNK = 512
# Read by forked encoding workers: the documents, the canonical ids in input order, explain.
_ENCODE_STATE: dict[str, Any] = {}


def canonical_line(doc: Any, explain: bool) -> str:
    """A document's line of ``canonical.jsonl`` (newline included)."""
    return _dumps(doc.to_dict(explain=explain)) + "\n"


def cluster_line(cluster: Any) -> str:
    """A cluster's line of ``clusters.jsonl`` (newline included)."""
    return _dumps(cluster.to_dict()) + "\n"


def _encode_range(bounds: tuple[int, int]) -> str:
    docs, ids, explain = _ENCODE_STATE["docs"], _ENCODE_STATE["ids"], _ENCODE_STATE["explain"]
    return "".join(canonical_line(docs[doc_id], explain) for doc_id in ids[bounds[0]:bounds[1]])


def _canonical_lines(result: DedupResult, explain: bool, workers: int) -> Iterator[str]:
    """The lines of ``canonical.jsonl``, in input order; encoded on forked workers when several.

    Encoding JSON is most of the writing (22 us for a 600-word document); the
    workers inherit the document store through fork, read the canonical
    documents themselves and send back finished text, in order.
    """
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for doc in result.iter_canonical():
            yield canonical_line(doc, explain)
        return
    ids = result.canonical_ids()
    bounds = [(lo, min(lo + ENCODE_CHUNK, len(ids))) for lo in range(0, len(ids), ENCODE_CHUNK)]
    _ENCODE_STATE.update(docs=result.documents, ids=ids, explain=explain)
    try:
        yield from ordered_imap(_encode_range, bounds, workers, chunksize=1, window=2, method="fork")
    finally:
        _ENCODE_STATE.clear()


def write_outputs(result: DedupResult, outdir: str | os.PathLike[str], *, explain: bool = False,
                  read: int | None = None, workers: int = 1, output_format: str = "jsonl") -> dict[str, Any]:
    """Write the four output files into ``outdir`` as one set (see the module doc); returns the summary.

    ``summary["counts"]["accounted"]`` is False (and ``accounting_problems``
    says why) when the result does not account for every input: a bug, which
    the CLI reports with exit status 3. ``workers``: processes that encode
    ``canonical.jsonl`` (the files are the same for every count).
    ``output_format``: ``"jsonl"`` or ``"parquet"`` for canonical and clusters.
    """
    names = output_files(output_format)
    if output_format == "parquet":
        _require_pyarrow("--output-format parquet")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(outdir)
    summary = summary_of(result, read)
    if not summary["counts"]["accounted"]:
        logger.error("accounting check failed: %s", "; ".join(summary["counts"]["accounting_problems"]))
    temps: dict[str, str] = {}
    try:
        files = {}
        for name, write in (
            (names[0], partial(_write_canonical, result, explain, workers, output_format)),
            (names[1], partial(_write_clusters, result, output_format)),
            (names[2], lambda path: write_temp(path, (_dumps(r.to_dict()) + "\n" for r in result.rejected))),
        ):
            tmp, size, sha = write(outdir / name)
            temps[name] = tmp
            files[name] = {"bytes": size, "sha256": sha}
        summary["outputs"] = files
        temps["summary.json"], _, _ = write_temp(
            outdir / "summary.json", [json.dumps(summary, ensure_ascii=False, indent=2) + "\n"])
        others = [n for fmt in OUTPUT_FORMATS if fmt != output_format for n in output_files(fmt)[:2]]
        # The commit: no summary.json while the data files are swapped. SIGINT/SIGTERM
        # wait until it is over, so only kill -9 can stop it half-way.
        with _signals_deferred():
            _unlink(outdir / "summary.json")
            for name in others:  # the data files of a previous set in the other format
                _unlink(outdir / name)
            for name in names:
                os.replace(temps.pop(name), outdir / name)
    finally:
        for tmp in temps.values():
            _unlink(tmp)
    _fsync_dir(outdir)
    return summary


def concatenate_files(path: str | os.PathLike[str], parts: Iterable[str | os.PathLike[str]]) -> tuple[str, int, str]:
    """The files ``parts``, in order, copied into a new temporary file beside ``path`` a megabyte at
    a time (an engine whose tasks wrote an output's parts): (temp name, bytes, sha256)."""
    def chunks() -> Iterator[bytes]:
        for part in parts:
            with open(part, "rb") as src:
                while chunk := src.read(1 << 20):
                    yield chunk

    return _write_bytes(Path(path), chunks())


def _write_canonical(result: DedupResult, explain: bool, workers: int, output_format: str,
                     path: Path) -> tuple[str, int, str]:
    # An engine whose tasks wrote the canonical lines (dedupe.engines.spark): its parts, in order.
    written = getattr(result, "canonical_parts", None)
    if written is not None:
        return written.concatenate(path, explain=explain, output_format=output_format)
    if output_format == "jsonl":
        return write_temp(path, _canonical_lines(result, explain, workers))
    rows = (canonical_row(doc, explain) for doc in result.iter_canonical())
    return write_parquet(path, rows, _canonical_schema(explain), temporary=True)


def _write_clusters(result: DedupResult, output_format: str, path: Path) -> tuple[str, int, str]:
    # An engine whose tasks wrote the clusters (dedupe.engines.spark): its parts, in order.
    written = getattr(result, "clusters_parts", None)
    if written is not None:
        return written.concatenate(path, explain=False, output_format=output_format)
    if output_format == "jsonl":
        return write_temp(path, (cluster_line(c) for c in result.clusters))
    return write_parquet(path, (cluster_row(c) for c in result.clusters), _clusters_schema(), temporary=True)


# --------------------------------------------------------------------------- Parquet

# Rows per row group written: about 30 MB of news text for canonical.parquet, so
# memory stays bounded and a reader can stream the file a row group at a time.
_PARQUET_ROWS = 10_000


def _require_pyarrow(purpose: str) -> Any:
    from .formats.parquet import require_pyarrow

    return require_pyarrow(purpose)


def write_parquet(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]], schema: Any, *,
                  temporary: bool = False) -> tuple[str, int, str]:
    """Write ``rows`` (dicts with ``schema``'s fields) as Parquet, ``_PARQUET_ROWS`` per row group.

    Written to a temporary file beside ``path`` (zstd-compressed, no
    timestamps, so the same rows give the same bytes) and renamed onto
    ``path``, unless ``temporary``: then the temporary file is left for the
    caller to rename. Returns (file written, bytes, sha256).
    """
    _require_pyarrow(f"writing {path}")
    import pyarrow as pa

    def tables() -> Iterator[Any]:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _PARQUET_ROWS:
                yield pa.Table.from_pylist(batch, schema=schema)
                batch = []
        if batch:
            yield pa.Table.from_pylist(batch, schema=schema)

    return _write_tables(Path(path), tables(), schema, temporary)


def write_parquet_parts(path: str | os.PathLike[str], parts: Iterable[str | os.PathLike[str]], schema: Any, *,
                        temporary: bool = False) -> tuple[str, int, str]:
    """The rows of Arrow IPC stream files ``parts`` (an engine's tasks wrote them with ``schema``), in
    order, written as :func:`write_parquet` writes the same rows: the same row groups, the same bytes.
    Holds one row group and one record batch at a time."""
    _require_pyarrow(f"writing {path}")
    import pyarrow as pa

    def batches() -> Iterator[Any]:
        for part in parts:
            with pa.OSFile(os.fspath(part), "rb") as src:
                yield from pa.ipc.open_stream(src)

    def tables() -> Iterator[Any]:
        pending: list[Any] = []
        held = 0
        for batch in batches():
            while batch.num_rows:
                take = min(_PARQUET_ROWS - held, batch.num_rows)
                pending.append(batch.slice(0, take))
                held += take
                batch = batch.slice(take)
                if held == _PARQUET_ROWS:
                    # One chunk per column, as from_pylist gives: the writer's pages, and so its
                    # bytes, depend on the chunks (tested).
                    yield pa.Table.from_batches(pending, schema=schema).combine_chunks()
                    pending, held = [], 0
        if held:
            yield pa.Table.from_batches(pending, schema=schema).combine_chunks()

    return _write_tables(Path(path), tables(), schema, temporary)


def _write_tables(path: Path, tables: Iterable[Any], schema: Any, temporary: bool) -> tuple[str, int, str]:
    """Tables (each a row group) written as one Parquet file: see :func:`write_parquet`."""
    pq = _require_pyarrow(f"writing {path}")

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_for(path)
    os.close(fd)
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for table in tables:
                writer.write_table(table)
        digest = hashlib.sha256()
        size = 0
        with open(tmp, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
            os.fsync(fh.fileno())
        if not temporary:
            os.replace(tmp, path)
            _fsync_dir(path.parent)
            tmp = str(path)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp, size, digest.hexdigest()


def parquet_schema(name: str, explain: bool = False) -> Any:
    """The Arrow schema of ``canonical.parquet`` (``name="canonical"``) or ``clusters.parquet``."""
    return _canonical_schema(explain) if name == "canonical" else _clusters_schema()


def _canonical_schema(explain: bool) -> Any:
    import pyarrow as pa

    columns = [(name, pa.string()) for name in ("id", "text", "url", "title", "published", "source", "meta")]
    if explain:
        columns.append(("changes", pa.string()))
    return pa.schema(columns)


def canonical_row(doc: Any, explain: bool) -> dict[str, Any]:
    """A canonical.jsonl line as a row: ``meta`` and ``changes`` as JSON text (free-form)."""
    row = doc.to_dict(explain=explain)
    if "meta" in row:
        row["meta"] = _dumps(row["meta"])
    if explain:
        row["changes"] = _dumps(row["changes"])
    return row


def _clusters_schema() -> Any:
    import pyarrow as pa

    passage = pa.struct([("a_sentences", pa.list_(pa.int64())), ("b_sentences", pa.list_(pa.int64())),
                         ("text", pa.string())])
    scores = ("score", "jaccard", "containment_a", "containment_b", "coverage_a", "coverage_b",
              "close_coverage_a", "close_coverage_b")
    link = pa.struct([("a", pa.string()), ("b", pa.string()), ("kind", pa.string()), ("exact", pa.bool_())]
                     + [(name, pa.float64()) for name in scores]
                     + [("shared_sentences", pa.int64()), ("passages", pa.list_(passage))])
    return pa.schema([("cluster", pa.string()), ("canonical", pa.string()), ("members", pa.list_(pa.string())),
                      ("canonical_reason", pa.string()), ("links", pa.list_(link))])


def cluster_row(cluster: Any) -> dict[str, Any]:
    row = cluster.to_dict()
    for link in row["links"]:
        link["exact"] = bool(link.get("exact", False))
    return row
