"""Encoding repair (ftfy) and whitespace normalisation of stored text.

ftfy configuration for news text, fix by fix:

- on: ``fix_encoding`` (mojibake such as ``Niger’s`` → ``Niger’s``),
  ``restore_byte_a0``, ``replace_lossy_sequences``, ``decode_inconsistent_utf8``,
  ``fix_c1_controls``: the repairs news scrapes need.
- on: ``unescape_html="auto"``: entities like ``&amp;`` left in *text* input are
  decoded, but never in text that still contains ``<`` (it may be markup).
- on: ``remove_terminal_escapes``, ``remove_control_chars``, ``fix_surrogates``,
  ``fix_line_breaks``: they never carry article content.
- on: ``fix_latin_ligatures`` (``ﬁ`` → ``fi``): PDF and OCR artefacts.
- **off**: ``uncurl_quotes``: the stored text keeps the outlet's quotes as
  written (the comparison text folds quote styles anyway, see :mod:`dedupe.text`),
  and mojibake repair then restores the original exactly.
- **off**: ``fix_character_width``: it would rewrite full-width punctuation
  in Chinese and Japanese news.
- ``normalization="NFC"``: composed accents, so equal names are equal strings.

The fast path :func:`needs_ftfy` skips ftfy when a cheap check proves it would
change nothing: pure ASCII text without ``&``, escape or control characters.
"""

from __future__ import annotations

import re

import ftfy

from ..document import Change
from .rules import line_changes

__all__ = ["FTFY_CONFIG", "needs_ftfy", "fix_encoding", "normalize_whitespace"]

FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=True,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization="NFC",
    max_decode_length=1_000_000,
    explain=False,
)

# Characters that make some ftfy fix applicable to pure ASCII text: "&" (HTML
# entities), ESC (terminal escapes), CR (line breaks), and the C0 controls
# that remove_control_chars deletes. Tab and newline are left alone by ftfy.
_ASCII_TRIGGERS = re.compile(r"[&\x00-\x08\x0b-\x1f\x7f]")


def needs_ftfy(text: str) -> bool:
    """False when ftfy under :data:`FTFY_CONFIG` is certain to return ``text`` unchanged.

    >>> needs_ftfy("Plain ASCII news text.")
    False
    >>> needs_ftfy("Niger\u00e2\u20ac\u2122s junta")
    True
    """
    return not text.isascii() or _ASCII_TRIGGERS.search(text) is not None


def fix_encoding(text: str) -> tuple[str, list[Change]]:
    """Repair mojibake and other encoding damage; return the text and the lines it changed.

    >>> fix_encoding("Niger\u00e2\u20ac\u2122s junta")[0]
    'Niger’s junta'
    """
    if not needs_ftfy(text):
        return text, []
    fixed = ftfy.fix_text(text, FTFY_CONFIG)
    return fixed, line_changes("encoding", text, fixed)


_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_whitespace(text: str) -> str:
    """Line breaks to ``\\n``, zero-width characters and soft hyphens removed, other
    spaces to one plain space, lines stripped, at most one blank line in a row.

    Zero-width (non-)joiners are kept: they are meaningful in Persian, Indic
    scripts and emoji.

    >>> normalize_whitespace("  One\u00a0 two\u200b \\r\\n\\n\\n\\nThree\\t ")
    'One two\\n\\nThree'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n")
