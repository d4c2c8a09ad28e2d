"""Exceptions raised by dedupe.

The hierarchy, so a caller can catch by meaning::

    DedupeError                 root: catch this to catch everything dedupe raises
    ├── ConfigError             an invalid configuration value (names the field and the allowed range)
    ├── InputError              an input could not be opened at all (missing path, unknown format)
    ├── DocumentError           one document's bytes or fields cannot be read (its reason code says why)
    ├── MissingDependencyError  an optional extra is not installed (names the pip command)
    ├── IndexFormatError        a path given as an index is not one (foreign or damaged; left untouched)
    ├── IndexMismatchError      an index opened with other parameters than it was built with
    └── EngineError             a distributed engine failed (a Spark job, its master, its JVM): names the stage

Bad *documents* never stop a run: they become :class:`dedupe.Rejected` records
and the run goes on. Exceptions are for problems that stop the whole call, and
:class:`DocumentError`, which the functions that decode a single document
(:func:`dedupe.readers.decode_document` and the like) raise and the readers
turn into a ``Rejected``.
"""

from __future__ import annotations

__all__ = ["DedupeError", "ConfigError", "InputError", "DocumentError", "MissingDependencyError", "IndexFormatError",
           "IndexMismatchError", "EngineError"]


class DedupeError(Exception):
    """Root of every exception dedupe raises on purpose."""


class ConfigError(DedupeError, ValueError):
    """A configuration value is out of range or of the wrong type."""


class InputError(DedupeError, OSError):
    """An input path cannot be used at all (it does not exist, or its format is unknown)."""


class DocumentError(DedupeError, ValueError):
    """One document cannot be read: ``reason`` is its reason code (:data:`dedupe.records.REASONS`),
    ``message`` says more. The readers write it to ``rejected.jsonl`` and go on."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class MissingDependencyError(DedupeError, ImportError):
    """An optional dependency is missing; the message names the install command."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package {package!r}: "
            f"install it with: pip install 'news-dedupe[{extra}]'"
        )
        self.package = package
        self.extra = extra


class IndexFormatError(DedupeError, OSError):
    """The path given as an index is not a dedupe index (a foreign or damaged file); it is left untouched."""


class IndexMismatchError(DedupeError, ValueError):
    """An index was opened with parameters other than those it was built with (names each difference)."""


class EngineError(DedupeError, RuntimeError):
    """A distributed engine failed, not the input: a Spark job that failed after its retries, a master
    that cannot be reached, a driver JVM that died. Names the engine, the stage and the cause."""

    def __init__(self, engine: str, stage: str, cause: str) -> None:
        super().__init__(f"the {engine} engine failed in stage {stage!r}: {cause}")
        self.engine = engine
        self.stage = stage
        self.cause = cause
