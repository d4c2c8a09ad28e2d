"""dedupe: clean scraped news and group its near-duplicate and syndicated copies.

The library surface (everything else is internal)::

    import dedupe

    dedupe.clean_text(text)                 # -> CleanResult(text, changes)
    dedupe.clean_html(html, url=...)        # trafilatura main text, then the same cleaning
    result = dedupe.deduplicate(docs)       # docs: Documents or dicts with id and text
    result.clusters                         # [Cluster(id, canonical, members, links, reason)]
    dedupe.run(["news/"], dedupe.RunConfig())  # read + clean + deduplicate, as the CLI does
    dedupe.write_report("out/")             # out/report.html for a finished output folder
    with dedupe.Index.open("news.index") as index:   # persistent, incremental (SQLite)
        index.add(["today.jsonl"])

Logging goes to the ``dedupe`` logger (silent unless the application
configures logging); the CLI shows it on stderr.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from .clean import CleanResult, clean_document, clean_html, clean_text  # noqa: E402
from .config import CleanConfig, DedupConfig, FieldMap, Limits, RunConfig  # noqa: E402
from .errors import ConfigError, DedupeError, EngineError, IndexFormatError, IndexMismatchError, InputError, \
    MissingDependencyError  # noqa: E402
from .index import Index, IndexUpdate, Match  # noqa: E402
from .pipeline import DedupResult, RunResult, deduplicate, run  # noqa: E402
from .readers import read_inputs  # noqa: E402
from .records import Change, Cluster, Document, Link, Rejected  # noqa: E402
from .writers import write_outputs  # noqa: E402
from .report import write_report  # noqa: E402

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "__version__",
    # cleaning
    "clean_text",
    "clean_html",
    "clean_document",
    "CleanResult",
    # deduplication
    "deduplicate",
    "run",
    "read_inputs",
    "write_outputs",
    "write_report",
    "Cluster",
    "Link",
    "DedupResult",
    "RunResult",
    # the persistent index
    "Index",
    "IndexUpdate",
    "Match",
    # records and configuration
    "Document",
    "Rejected",
    "Change",
    "CleanConfig",
    "DedupConfig",
    "RunConfig",
    "Limits",
    "FieldMap",
    # errors
    "DedupeError",
    "ConfigError",
    "InputError",
    "MissingDependencyError",
    "IndexFormatError",
    "IndexMismatchError",
    "EngineError",
]
