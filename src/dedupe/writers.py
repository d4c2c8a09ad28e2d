"""Writing outputs atomically: each file is written to a temporary name in the
output directory and renamed into place, so an interrupted run leaves the
previous complete file or none, never a truncated one.

``summary.json`` is written last; its ``timings`` are the only part of the
outputs that differs between two runs of the same input and configuration.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from .pipeline import DedupResult, RunResult

__all__ = ["atomic_write", "write_jsonl", "write_outputs", "summary_of", "OUTPUT_FILES"]

OUTPUT_FILES = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl", "summary.json")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def atomic_write(path: str | os.PathLike[str], chunks: Iterable[str]) -> None:
    """Write text chunks to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> None:
    atomic_write(path, (_dumps(row) + "\n" for row in rows))


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("news-dedupe", "datasketch", "ftfy", "trafilatura", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def summary_of(result: DedupResult) -> dict[str, Any]:
    """The ``summary.json`` content: counts, per-rule counts, timings, config, versions."""
    reasons = Counter(r.reason for r in result.rejected)
    read = result.read if isinstance(result, RunResult) else len(result.documents) + len(result.rejected)
    counts = {
        "read": read,
        "cleaned": len(result.documents),
        "rejected": len(result.rejected),
        "rejected_by_reason": dict(sorted(reasons.items())),
        "clusters": len(result.clusters),
        "canonical": len(result.clusters),
        "duplicates": result.duplicates,
        "clusters_with_copies": sum(1 for c in result.clusters if len(c.members) > 1),
    }
    counts["accounted"] = counts["read"] == counts["canonical"] + counts["duplicates"] + counts["rejected"]
    out: dict[str, Any] = {"counts": counts, "dedup": dict(result.stats)}
    if isinstance(result, RunResult):
        out["removals_by_rule"] = result.rule_counts
        out["learned_furniture_lines"] = result.furniture_lines
        out["config"] = result.config.to_dict()
    out["versions"] = _versions()
    out["timings_s"] = {k: round(v, 3) for k, v in result.timings.items()}
    return out


def write_outputs(result: DedupResult, outdir: str | os.PathLike[str], *, explain: bool = False) -> dict[str, Any]:
    """Write the four output files into ``outdir``; returns the summary."""
    outdir = Path(outdir)
    write_jsonl(outdir / "canonical.jsonl", (d.to_dict(explain=explain) for d in result.canonical_documents()))
    write_jsonl(outdir / "clusters.jsonl", (c.to_dict() for c in result.clusters))
    write_jsonl(outdir / "rejected.jsonl", (r.to_dict() for r in result.rejected))
    summary = summary_of(result)
    atomic_write(outdir / "summary.json", [json.dumps(summary, ensure_ascii=False, indent=2) + "\n"])
    return summary
