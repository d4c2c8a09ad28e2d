"""Documents, rejections and changes: defined in :mod:`dedupe.records`, re-exported here."""

from .records import REASONS, Change, Document, Rejected, source_of

__all__ = ["Document", "Rejected", "Change", "source_of", "REASONS"]
