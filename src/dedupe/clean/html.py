"""Main-text extraction from HTML pages with trafilatura.

trafilatura finds the article body and its metadata (title, date, url,
site name); comments are never wanted in a canonical news text, so they are
off. ``favor`` maps to trafilatura's ``favor_precision``/``favor_recall``.
The extracted text then goes through the same text cleaning as text input
(:func:`dedupe.clean.clean_text`), where the news rules remove furniture that
the extractor let through.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import trafilatura

__all__ = ["Extracted", "extract_html"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found in a page. ``text`` is empty when it found no main text."""

    text: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    sitename: str | None = None


def extract_html(
    html: str | bytes, url: str | None = None, favor: Literal["balanced", "precision", "recall"] = "balanced"
) -> Extracted:
    """Extract the main text and metadata of an HTML page.

    >>> page = "<html><body><article><p>" + "Troops arrived in Niger on Wednesday. " * 8 + "</p></article></body></html>"
    >>> extract_html(page, url="https://www.example.com/a").text[:37]
    'Troops arrived in Niger on Wednesday.'
    """
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=favor == "precision",
            favor_recall=favor == "recall",
        )
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        logger.debug("trafilatura failed: %s", exc)
        return Extracted("")
    if doc is None:
        return Extracted("")
    return Extracted(
        text=doc.text or "",
        title=doc.title or None,
        published=doc.date or None,
        url=doc.url or url,
        sitename=doc.sitename or None,
    )
