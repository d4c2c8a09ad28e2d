"""The records that flow through a run and out of it, in one place.

- :class:`Document` in (with the :class:`Change` records of its cleaning),
  :class:`Rejected` for an input that could not be processed;
- :class:`Link` between two documents, with the :class:`Passage` runs they
  share (:mod:`dedupe._verify` makes them);
- :class:`Cluster`: one story, its members, canonical and links
  (:func:`dedupe._stages.make_cluster` makes them).

Each has a ``to_dict`` that is its JSON form in the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping
from urllib.parse import urlsplit

__all__ = ["Document", "Rejected", "Change", "Link", "LinkKind", "Passage", "Cluster", "source_of", "REASONS"]

#: Reason codes used in ``rejected.jsonl``; the message beside each says more.
REASONS: Mapping[str, str] = {
    "unreadable": "the file or directory could not be read (permissions, I/O error, vanished, a symlink loop, "
                  "or not a regular file: a FIFO, socket or device)",
    "binary": "the bytes are not text (a binary format's magic number, NUL bytes, or mostly control characters)",
    "encoding": "the bytes are invalid in their encoding (after a UTF-16/32 byte-order mark; a JSONL line "
                "not UTF-8 or with an unpaired surrogate)",
    "empty": "the document has no text",
    "empty-after-cleaning": "nothing but boilerplate was left after cleaning",
    "furniture-only": "the page is (nearly) all furniture (a registration wall): under 12 words left after cleaning, "
                      "which removed at least three times as many",
    "too-large": "the document, line or decompressed stream exceeds a configured limit (Limits)",
    "malformed-json": "a JSONL line is not a JSON object (including a truncated last line)",
    "bad-field": "a field has the wrong type or a required field is missing",
    "duplicate-id": "the id was already used by an earlier input",
    "truncated": "a compressed stream is damaged or ended early, or a WARC file ends inside a record; the rest of "
                 "that file is skipped",
    "malformed-warc": "bytes where a WARC record header should be; the records before them are kept, the rest of "
                      "that file is skipped",
    "malformed-parquet": "not a readable Parquet file (one row), or a row group that cannot be decoded (one row "
                         "naming its rows; the next row group is read)",
    "html": "the HTML held no text that trafilatura or the fallback text walk could find",
}


@dataclass(frozen=True)
class Change:
    """One modification made by cleaning: which rule, and what it removed or changed.

    ``removed`` is the removed text (whole lines joined by newlines) for
    removals; ``before``/``after`` hold the two versions for in-place fixes
    such as encoding repair.
    """

    rule: str
    removed: str = ""
    before: str = ""
    after: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"rule": self.rule}
        if self.removed:
            out["removed"] = self.removed
        if self.before or self.after:
            out["before"] = self.before
            out["after"] = self.after
        return out


@dataclass(frozen=True)
class Document:
    """A news document. ``id`` is unique in a run; ``text`` or ``html`` holds the content."""

    id: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: Where the document came from (``path`` or ``path:line``), for messages.
    origin: str = ""
    #: What cleaning changed, in order (empty for documents that were not cleaned).
    changes: tuple[Change, ...] = ()

    @property
    def outlet(self) -> str | None:
        """The outlet: ``source`` when given, else the host of ``url``, else None."""
        return self.source or source_of(self.url)

    def with_(self, **fields: Any) -> "Document":
        """A copy with some fields replaced."""
        return replace(self, **fields)

    def to_dict(self, *, explain: bool = False) -> dict[str, Any]:
        """The JSON form written to ``canonical.jsonl`` and ``clean`` output."""
        out: dict[str, Any] = {"id": self.id, "text": self.text if self.text is not None else ""}
        for name in ("url", "title", "published", "source"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.meta:
            out["meta"] = dict(self.meta)
        if explain:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


@dataclass(frozen=True)
class Rejected:
    """An input that could not be processed, and why. Written to ``rejected.jsonl``."""

    id: str
    reason: str
    message: str
    origin: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "reason": self.reason, "origin": self.origin, "message": self.message}

    def __str__(self) -> str:
        """One line: where, why, and the reason code (control characters in names escaped)."""
        where = self.origin or self.id
        line = f"{where}: {self.message} [{self.reason}]"
        return line if line.isprintable() else _escape_controls(line)


def _escape_controls(text: str) -> str:
    r"""``text`` with non-printable characters written as escapes, so it stays on one line.

    >>> _escape_controls("a\nb.txt")
    'a\\nb.txt'
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def source_of(url: str | None) -> str | None:
    """The outlet domain of a URL, without ``www.``: the default ``source``.

    >>> source_of("https://www.themoscowtimes.com/2024/04/12/a84819")
    'themoscowtimes.com'
    >>> source_of("not a url") is None
    True
    """
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host


LinkKind = Literal["near-duplicate", "syndicated"]


@dataclass(frozen=True)
class Passage:
    """A run of consecutive shared sentences: sentence index ranges in A and B (end exclusive)."""

    a: tuple[int, int]
    b: tuple[int, int]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"a_sentences": list(self.a), "b_sentences": list(self.b), "text": self.text}


@dataclass(frozen=True)
class Link:
    """A verified link between two documents, with its evidence."""

    a: str
    b: str
    kind: LinkKind
    score: float
    jaccard: float
    containment_a: float  # share of A's shingles found in B
    containment_b: float
    coverage_a: float  # share of A's comparable tokens in sentences shared with B
    coverage_b: float
    close_coverage_a: float  # share of A's comparable tokens in sentences matched at >= close_match
    close_coverage_b: float
    shared_sentences: int
    passages: tuple[Passage, ...] = field(default=())
    exact: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"a": self.a, "b": self.b, "kind": self.kind, "score": self.score}
        if self.exact:
            out["exact"] = True
        out.update(
            jaccard=self.jaccard,
            containment_a=self.containment_a,
            containment_b=self.containment_b,
            coverage_a=self.coverage_a,
            coverage_b=self.coverage_b,
            close_coverage_a=self.close_coverage_a,
            close_coverage_b=self.close_coverage_b,
            shared_sentences=self.shared_sentences,
            passages=[p.to_dict() for p in self.passages],
        )
        return out


@dataclass(frozen=True)
class Cluster:
    """One story: its members (canonical first, then by id), the canonical and the evidence."""

    id: str
    canonical: str
    members: tuple[str, ...]
    links: tuple[Link, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.id,
            "canonical": self.canonical,
            "members": list(self.members),
            "canonical_reason": self.reason,
            "links": [link.to_dict() for link in self.links],
        }
