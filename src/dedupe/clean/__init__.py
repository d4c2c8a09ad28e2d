"""Cleaning: encoding repair, HTML main text, named news rules, learned furniture.

``clean_text`` and ``clean_html`` are the per-document steps; learned
furniture needs the whole corpus and is applied by :func:`dedupe.pipeline.run`
(or by hand with :class:`FurnitureLearner`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import CleanConfig
from ..records import Change, Document, Rejected, source_of
from .encoding import fix_encoding, normalize_whitespace
from .furniture import FurnitureLearner, FurnitureModel
from .html import extract_html
from .rules import DEFAULT_RULES, RULES, Memo, apply_rules_until_stable

__all__ = [
    "CleanResult",
    "clean_text",
    "clean_html",
    "clean_document",
    "furniture_only",
    "FurnitureLearner",
    "FurnitureModel",
    "RULES",
    "DEFAULT_RULES",
]

_DEFAULT = CleanConfig()


@dataclass(frozen=True)
class CleanResult:
    """A cleaned text, what changed and why; metadata found in HTML when there was HTML."""

    text: str
    changes: tuple[Change, ...] = ()
    title: str | None = None
    published: str | None = None
    url: str | None = None
    #: For HTML: the extractor that found the text, ``"trafilatura"`` or ``"text-walk"`` (see dedupe.clean.html).
    extractor: str | None = None


def clean_text(text: str, config: CleanConfig | None = None, *, memo: Memo | None = None) -> CleanResult:
    """Clean one text: line breaks and whitespace, encoding repair, then the news rules.

    The rules are applied until nothing changes (each pass only removes
    lines, so this ends), which makes cleaning idempotent. ``memo``: what the
    rules remember about lines from text to text (:class:`~dedupe.clean.rules.Memo`;
    None: the process's shared one); it never changes the result.

    >>> clean_text("Audio By Carbonatix\\nNiger\\u00e2\\u20ac\\u2122s junta met.\\nExit mobile version").text
    'Niger’s junta met.'
    """
    config = config or _DEFAULT
    changes: list[Change] = []
    # Only line breaks before ftfy: soft hyphens and no-break spaces can be
    # halves of mojibake ("í" read as cp1252 is "Ã" + soft hyphen).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if config.fix_encoding:
        text, fixed = fix_encoding(text)
        changes.extend(fixed)
    text = normalize_whitespace(text)
    names = config.rules if config.rules is not None else DEFAULT_RULES
    text, removed = apply_rules_until_stable(text, names, memo=memo)
    changes.extend(removed)
    return CleanResult(text, tuple(changes))


def clean_html(html: str | bytes, url: str | None = None, config: CleanConfig | None = None, *,
               memo: Memo | None = None) -> CleanResult:
    """Extract an HTML page's main text with trafilatura, then clean it like text.

    The result carries the page's title, date and url when trafilatura found
    them, and the extractor that found the text: trafilatura, or the plain text
    walk when trafilatura finds nothing (:mod:`dedupe.clean.html`).
    """
    config = config or _DEFAULT
    extracted = extract_html(html, url=url, favor=config.html_favor, rules=config.rules)
    result = clean_text(extracted.text, config, memo=memo)
    return CleanResult(result.text, tuple(extracted.changes) + tuple(result.changes), extracted.title,
                       extracted.published, extracted.url, extracted.extractor)


_WORDS = re.compile(r"\w+")
#: A page is only furniture when cleaning left fewer than this many words and removed at least
#: three times as many: a registration wall and the outlet's header and footer, with a teaser line.
FURNITURE_ONLY_WORDS = 12  # a teaser is a cut headline; a one-sentence brief (an abridged copy on synd1: 20 words) is more
FURNITURE_ONLY_RATIO = 3


def furniture_only(text: str, changes: tuple[Change, ...] | list[Change]) -> bool:
    """Whether a cleaned text is (nearly) all furniture: under :data:`FURNITURE_ONLY_WORDS` words
    left, and cleaning removed at least :data:`FURNITURE_ONLY_RATIO` times as many.

    Such a page (a registration wall) has no article to link: two of them share nothing but
    their furniture, so :func:`clean_document` and :func:`dedupe.run` reject it (``furniture-only``).

    >>> furniture_only("Council budget row", [Change("paywall", removed="Create a free account to keep reading this story today.")])
    True
    """
    kept = len(_WORDS.findall(text))
    if kept >= FURNITURE_ONLY_WORDS:
        return False
    removed = sum(len(_WORDS.findall(c.removed)) for c in changes if c.removed)
    return removed > 0 and removed >= FURNITURE_ONLY_RATIO * kept


def clean_document(doc: Document, config: CleanConfig | None = None, *, memo: Memo | None = None
                   ) -> Document | Rejected:
    """Clean a document: HTML documents are extracted first, then every text is cleaned.

    Returns the cleaned document, or a :class:`Rejected` when nothing is left.
    ``memo``: as for :func:`clean_text`.
    """
    config = config or _DEFAULT
    if doc.html is not None and doc.text is None:
        result = clean_html(doc.html, url=doc.url, config=config, memo=memo)
        if not result.text:
            return Rejected(doc.id, "html", "no main text found in the HTML", doc.origin)
        if furniture_only(result.text, result.changes):
            return Rejected(doc.id, "furniture-only", "the page is (nearly) all furniture", doc.origin)
        url = doc.url or result.url
        return doc.with_(
            text=result.text,
            html=None,
            url=url,
            title=doc.title or result.title,
            published=doc.published or result.published,
            source=doc.source or source_of(url),
            meta={**doc.meta, "extractor": result.extractor},
            changes=doc.changes + result.changes,
        )
    result = clean_text(doc.text or "", config, memo=memo)
    if not result.text.strip():
        return Rejected(doc.id, "empty-after-cleaning", "nothing but boilerplate was left after cleaning", doc.origin)
    if furniture_only(result.text, doc.changes + result.changes):
        return Rejected(doc.id, "furniture-only", "the page is (nearly) all furniture: "
                        f"{result.text[:60]!r} is left", doc.origin)
    return doc.with_(text=result.text, source=doc.outlet, changes=doc.changes + result.changes)
