"""The records that flow through the pipeline: documents in, rejections out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping
from urllib.parse import urlsplit

__all__ = ["Document", "Rejected", "Change", "source_of", "REASONS"]

#: Reason codes used in ``rejected.jsonl``; the message beside each says more.
REASONS: Mapping[str, str] = {
    "unreadable": "the file could not be read (permissions, I/O error, vanished)",
    "binary": "the bytes are not text (NUL bytes or a binary file format)",
    "encoding": "the bytes are not valid UTF-8 (nor UTF-16/32 with a byte-order mark)",
    "empty": "the document has no text",
    "empty-after-cleaning": "nothing but boilerplate was left after cleaning",
    "too-large": "the document exceeds the configured size limit",
    "malformed-json": "a JSONL line is not a JSON object",
    "bad-field": "a field has the wrong type or a required field is missing",
    "duplicate-id": "the id was already used by an earlier input",
    "truncated": "a compressed stream ended early",
    "html": "the HTML could not be parsed or held no main text",
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
        where = self.origin or self.id
        return f"{where}: {self.message} [{self.reason}]"


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
