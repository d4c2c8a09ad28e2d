"""Encoding repair (ftfy) and whitespace normalisation of stored text.

ftfy configuration for news text, fix by fix:

- on: ``fix_encoding`` (mojibake such as ``Niger’s`` → ``Niger’s``),
  ``restore_byte_a0``, ``replace_lossy_sequences``, ``decode_inconsistent_utf8``,
  ``fix_c1_controls``: the repairs news scrapes need.
- on: ``unescape_html="auto"``: entities like ``&amp;`` left in *text* input are
  decoded, but not from the first line that contains ``<`` on (it may be
  markup: ftfy then leaves entities alone for the rest of the text); text
  without a complete entity (``M&S``, ``P&O``) is left as it is.
- on: ``remove_terminal_escapes``, ``remove_control_chars``, ``fix_surrogates``,
  ``fix_line_breaks``: they never carry article content.
- on: ``fix_latin_ligatures`` (``ﬁ`` → ``fi``): PDF and OCR artefacts.
- **off**: ``uncurl_quotes``: the stored text keeps the outlet's quotes as
  written (the comparison text folds quote styles anyway, see :mod:`dedupe._text`),
  and mojibake repair then restores the original exactly.
- **off**: ``fix_character_width``: it would rewrite full-width punctuation
  in Chinese and Japanese news.
- ``normalization="NFC"``: composed accents, so equal names are equal strings
  (``Cafe`` + U+0301 becomes ``Café``).

With ``CleanConfig(fix_encoding=False)`` none of this runs: the text is taken
as it is (no NFC, no control removal); only :func:`normalize_whitespace` applies.

Characters, after ftfy (see :func:`normalize_whitespace`):

- line breaks: ``\\r\\n``, ``\\r``, NEL, U+2028 and U+2029 become ``\\n``
  (ftfy's ``fix_line_breaks``; without ftfy, U+2029 becomes a blank line and
  NEL is only stripped at the ends of a line). At most one blank line in a
  row; lines stripped.
- spaces: tab, vertical tab, form feed, no-break and the other Unicode
  spaces become one plain space.
- controls: C0 controls other than tab and line feed, DEL, C1 controls
  (read as cp1252, as browsers do), BOM, the deprecated format characters
  U+206A-206F and U+FFF9-FFFC (interlinear annotation, object replacement)
  are removed by ftfy.
- zero-width: removed, because inside a word they split it for matching and
  they carry nothing a reader sees: ZERO WIDTH SPACE, WORD JOINER, BOM/ZERO
  WIDTH NO-BREAK SPACE and SOFT HYPHEN (``Pre\\u00adsident`` → ``President``).
  Kept: ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER, which change spelling in
  Persian and Indic scripts and join emoji sequences (👩‍👩‍👧), and the
  bidirectional marks (LRM, RLM, embeddings, isolates) that right-to-left
  news needs to display correctly (they are not word characters, so the
  comparison text of :mod:`dedupe._text` never counts them in a token). Trade-off: Thai, Khmer and Burmese use ZERO WIDTH SPACE as an
  invisible word break; removing it joins those words in the stored text.

The fast path :func:`needs_ftfy` skips ftfy when a cheap check proves it would
return the text unchanged: see its docstring for the conditions and why they
are sufficient. It skips about nine in ten news documents, including those
with curly quotes, dashes and accents, and keeps ftfy for mojibake, entities
and control characters; ``benchmarks/speed/ftfy_fastpath.py`` measures it.
"""

from __future__ import annotations

import re
import unicodedata

from typing import Iterable

import ftfy

from ..records import Change
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

# The ftfy release the conditions below were derived from (reading its
# fix_text, fix_and_explain, _fix_encoding_one_step_and_explain, badness and
# chardata). Under any other release only the pure-ASCII check is trusted;
# tests/equivalence/test_encoding_fastpath.py fails so that someone re-derives them.
PROVEN_FTFY_VERSION = "6.3.1"


def _char_class(codes: Iterable[int]) -> str:
    return "".join(f"\\U{c:08x}" for c in sorted(codes))


def _suspect_regex() -> re.Pattern[str] | None:
    """What can make ftfy change a text: see :func:`needs_ftfy`. None under an unproven ftfy."""
    if ftfy.__version__ != PROVEN_FTFY_VERSION:
        return None
    from ftfy.badness import MOJIBAKE_CATEGORIES as cat
    from ftfy.chardata import CONTROL_CHARS, LIGATURES

    # Characters some fixer other than fix_encoding acts on: line breaks (CR,
    # NEL, U+2028/2029), C1 controls, surrogates, the removed control characters
    # (C0 but tab, LF, FF, CR; DEL; U+206A-206F; BOM; U+FFF9-FFFC), ESC (terminal
    # escapes) and the Latin ligatures. Form feed is kept by ftfy; it is listed
    # anyway because it is rare and cheaper to hand to ftfy than to reason about.
    fixer_chars = "\\r\\x0c\\x80-\\x9f\\u2028\\u2029\\ud800-\\udfff" + _char_class(CONTROL_CHARS) + _char_class(LIGATURES)
    la, ua, lc = cat["lower_accented"], cat["upper_accented"], cat["lower_common"]
    s, e, c = cat["start_punctuation"], cat["end_punctuation"], cat["currency"]
    n, w = cat["numeric"], cat["law"]
    # Characters that make ftfy's badness heuristic fire next to ASCII, or in a
    # pattern reasoned about more simply by refusing them outright.
    lone = cat["bad"] + cat["box"] + "ŒœÃÂÎÐØÙ√"
    # (first character, what must follow it) for every way ftfy's badness regex
    # can match once fixer_chars and lone are excluded: each of its
    # alternatives then needs two adjacent characters from these pairs (derived
    # alternative by alternative; see needs_ftfy). A superset is fine: it only
    # sends more text to ftfy.
    pairs = [
        ("&", "(?=#?[0-9A-Za-z]{1,24};)"),  # an HTML entity unescape_html would decode
        (fixer_chars + lone, ""),
        (la + lc + e + c + n, f"[{ua}]"),
        (e + c + n, f"[{la}]"),
        (la + e, f"[{c}]"),
        (ua, f"[{c}{n}{w}{s}°]"),
        (la + ua + c + e, f"[{s}](?=[{n}])"),
        (la + ua + c + n + w, f"[{e}](?=[{s}])"),
        (c + n, f"[{s}]"),
        (la + ua, f"[{s}{e}](?=\\w)"),
        ("×", "[²³]"),
        ("à", "[²µ¹¼½¾]"),
        ("≈", "[°¢]"),
        ("‚", "[Äâó]"),
        ("в", "Ђ"),
        ("Г", "ўВЂВ"),
        ("βā", "€"),
        ("ВГРС", f"[{s}{e}{c}°µ](?=[ВГРС])"),
        ("ΒΓΞΟ", f"[{s}{e}{c}°](?=[ΒΓΞΟ])"),
    ]
    # One leading character class lets the regex engine skip ahead in C to the
    # next candidate character; each alternative then checks its own first
    # character with a one-character lookbehind.
    return re.compile(
        "[" + "".join(first for first, _ in pairs) + "](?:"
        + "|".join(f"(?<=[{first}]){rest}" for first, rest in pairs) + ")"
    )


# Not in __all__: None under an unproven ftfy, which tests/equivalence/test_encoding_fastpath.py
# simulates by setting it.
SUSPECT = _suspect_regex()

# The check trusted for any ftfy release: pure ASCII without "&", ESC, CR or
# the C0 controls remove_control_chars deletes.
ASCII_TRIGGERS = re.compile(r"[&\x00-\x08\x0b-\x1f\x7f]")


def needs_ftfy(text: str) -> bool:
    """False when ftfy under :data:`FTFY_CONFIG` is certain to return ``text`` unchanged.

    ftfy cuts the text into lines and runs, on each, until nothing changes:
    ``unescape_html``, ``fix_encoding``, the character fixers, then NFC. When
    the first round changes nothing, the line comes back as it was. So the
    text is proven unchanged when, on every line:

    1. no HTML entity ``&...;`` matches ftfy's entity pattern (``M&S`` is fine);
    2. no character any character fixer acts on (CR, NEL, U+2028/2029, C1,
       surrogates, ESC and the removed controls, Latin ligatures);
    3. ``fix_encoding`` returns early, which it does when ftfy's badness
       regex finds nothing. Every alternative of that regex (ftfy 6.3.1)
       needs either a C1 control, a "bad" or box-drawing character, Œ/œ,
       Ã/Â/Î/Ð, Ø/Ù or √ (refused outright), or two adjacent
       characters from its categories in a specific order: accented letter
       then currency, upper-case accented letter then numeric/law/°, closing
       punctuation then lower-case accented letter, and so on
       (``_suspect_regex`` lists them; the third character some alternatives
       need is checked only where the pair alone is common in real text,
       such as ``é”`` followed by a letter). A pair anywhere in the whole
       text is a superset of one inside a line;
    4. the text is NFC already (a line break never composes, so the lines
       are NFC when the text is), and it is short enough
       (``max_decode_length``) that ftfy does not cut a line in two.

    The conditions are sufficient, not necessary: a text that fails them
    simply goes through ftfy. ``tests/equivalence/test_encoding_fastpath.py`` checks with
    hypothesis that a skipped text is always returned unchanged by ftfy.

    >>> needs_ftfy("Plain ASCII news text.")
    False
    >>> needs_ftfy("“Café” owner José said the £4.50 menu – “a snip” – would stay.")
    False
    >>> needs_ftfy("Niger\u00e2\u20ac\u2122s junta")
    True
    >>> needs_ftfy("Fish &amp; chips"), needs_ftfy("M&S results")
    (True, False)
    """
    if SUSPECT is None:
        return not text.isascii() or ASCII_TRIGGERS.search(text) is not None
    if SUSPECT.search(text) is not None or len(text) > FTFY_CONFIG.max_decode_length:
        return True
    return not text.isascii() and not unicodedata.is_normalized("NFC", text)


def fix_encoding(text: str) -> tuple[str, list[Change]]:
    """Repair mojibake and other encoding damage; return the text and the lines it changed.

    >>> fix_encoding("Niger\u00e2\u20ac\u2122s junta")[0]
    'Niger’s junta'
    """
    if not needs_ftfy(text):
        return text, []
    fixed = _fix_lines(text)
    return fixed, line_changes("encoding", text, fixed)


_NO_HTML_CONFIG = FTFY_CONFIG._replace(unescape_html=False)


def _fix_lines(text: str) -> str:
    """``ftfy.fix_text(text, FTFY_CONFIG)``, handing ftfy only the lines the fast path does not clear.

    ftfy fixes every line on its own (see :func:`needs_ftfy`); the one state
    it carries from line to line is ``unescape_html="auto"`` turning off for
    good at the first line that contains ``<``, which is replayed here.
    """
    if SUSPECT is None or len(text) > FTFY_CONFIG.max_decode_length:
        return ftfy.fix_text(text, FTFY_CONFIG)
    config = FTFY_CONFIG
    lines = text.split("\n")
    last = len(lines) - 1
    out: list[str] = []
    for i, line in enumerate(lines):
        segment = line if i == last else line + "\n"
        if config is FTFY_CONFIG and "<" in segment:
            config = _NO_HTML_CONFIG
        if segment and needs_ftfy(segment):
            segment = ftfy.fix_text(segment, config)
        out.append(segment)
    return "".join(out)


_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
# Space characters other than the plain space; tab, vertical tab and form feed included.
_OTHER_SPACE = "\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_OTHER_SPACE_RE = re.compile(f"[{_OTHER_SPACE}]")
_SPACE_RUN = re.compile(f"[ {_OTHER_SPACE}]+")
# Whitespace to str.strip but neither a line break nor one of the spaces above.
_ODD_SPACE = "\x1c\x1d\x1e\x1f\x85"


def normalize_whitespace(text: str) -> str:
    """Line breaks to ``\\n``, zero-width characters and soft hyphens removed, other
    spaces to one plain space, lines stripped, at most one blank line in a row.

    Zero-width (non-)joiners are kept: they are meaningful in Persian, Indic
    scripts and emoji.

    >>> normalize_whitespace("  One\u00a0 two\u200b \\r\\n\\n\\n\\nThree\\t ")
    'One two\\n\\nThree'
    """
    # Plain string operations (C loops) instead of regexes over every
    # character: most texts need none of these steps, and each test is cheap.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    if not text.isascii():
        for char in _INVISIBLE:
            if char in text:
                text = text.replace(char, "")
    if any(char in text for char in _ODD_SPACE):
        return _normalize_lines(text)
    if text.isascii():
        if "\t" in text or "\x0b" in text or "\x0c" in text:
            text = text.replace("\t", " ").replace("\x0b", " ").replace("\x0c", " ")
    elif _OTHER_SPACE_RE.search(text) is not None:
        text = _OTHER_SPACE_RE.sub(" ", text)
    while "  " in text:
        text = text.replace("  ", " ")
    # Spaces are single now: strip every line.
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _normalize_lines(text: str) -> str:
    """:func:`normalize_whitespace` line by line, for text with whitespace that
    ``str.strip`` removes at the ends of a line but that is not a space inside
    it (information separators, NEL)."""
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    while "\n\n\n" in out:
        out = out.replace("\n\n\n", "\n\n")
    return out.strip("\n")
