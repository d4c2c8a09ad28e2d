"""Normalisation, tokenisation and sentence splitting for comparison.

This is the text that is shingled and compared, never the text that is
stored: stored text keeps its quotes, dashes, case and accents.

Normalisation, in order (each removes a difference that house style or
damage introduces but that does not change what a story says):

- Unicode: NFKD, then combining marks dropped (``Pokémon`` = ``Pokemon``,
  ligatures and full-width forms folded), then ``casefold``.
- Apostrophes and quote styles: apostrophes inside words are deleted
  (``Niger’s`` and ``Niger's`` both give ``nigers``); all other punctuation,
  including every quote and dash style and ``…`` vs ``...``, separates tokens
  and is otherwise ignored.
- Digits: thousands separators are dropped (``1,000`` = ``1000``); digits
  are otherwise kept, since numbers distinguish stories.
- Whitespace: any run of spaces, tabs or newlines separates tokens.

Tokens are ``\\w+`` runs of the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "STOPWORDS", "normalize", "tokenize", "split_sentences", "mark_sentences", "fold_char", "Analysis", "analyze",
]

# Both patterns start with the character they remove (then look behind it), so the
# regex engine can scan for that character instead of trying a lookbehind at every
# position: the same matches, 3-4x faster than ``(?<=\w)['’ʼ`´](?=\w)``.
_APOSTROPHES = "'’ʼ`´"
_APOSTROPHE_RE = re.compile(r"['’ʼ`´](?<=\w.)(?=\w)")
_THOUSANDS_RE = re.compile(r"[,.](?<=\d.)(?=\d{3}(?!\d))")
_TOKEN_RE = re.compile(r"\w+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# A sentence ends at . ! ? or … (possibly repeated), optionally followed by
# closing quotes or brackets, then whitespace, then something that can start
# a sentence (a capital, a digit or an opening quote).
_BOUNDARY_RE = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9À-Ý])")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt col gen lt capt cpt sgt maj adm gov sen rep rev hon pres
    no vs etc inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.g i.e a.m p.m""".split()
)

#: English function words, ignored when sentences are compared by content words.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according""".split()
)


def normalize(text: str) -> str:
    """Fold a text for comparison (see the module docstring).

    >>> normalize("Niger’s “junta” — 1,000 TROOPS… Pokémon")
    'nigers “junta” — 1000 troops... pokemon'
    """
    if not text.isascii():  # ASCII is its own NFKD form and holds no combining mark
        text = unicodedata.normalize("NFKD", text)
        text = _COMBINING_RE.sub("", text)
    text = _APOSTROPHE_RE.sub("", text)
    text = _THOUSANDS_RE.sub("", text)
    return text.casefold()


def tokenize(text: str) -> list[str]:
    """Normalised word tokens of a text.

    >>> tokenize("Niger's army - “the latest equipment”…")
    ['nigers', 'army', 'the', 'latest', 'equipment']
    """
    return _TOKEN_RE.findall(normalize(text))


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences: every line break ends one, and so does
    sentence punctuation followed by a capital (common abbreviations and
    initials excepted).

    >>> split_sentences('Col. Amadou Abdramane spoke. He said “no.” Then\\nA new line')
    ['Col. Amadou Abdramane spoke.', 'He said “no.”', 'Then', 'A new line']
    """
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        start = 0
        for m in _BOUNDARY_RE.finditer(line):
            before = line[start : m.start() + 1]
            last = before.rsplit(None, 1)[-1].rstrip(".").casefold() if before.strip() else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            piece = line[start : m.end()].strip()
            if piece:
                out.append(piece)
            start = m.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out


@dataclass(frozen=True)
class Analysis:
    """A document's normalised tokens and where each sentence starts.

    ``sentence_starts[i]`` is the index in ``tokens`` of sentence ``i``'s first
    token; sentence ``i`` ends where ``i + 1`` starts (or at the end). Sentences
    without tokens are dropped.
    """

    tokens: tuple[str, ...]
    sentence_starts: tuple[int, ...]

    def sentence_spans(self) -> list[tuple[int, int]]:
        ends = list(self.sentence_starts[1:]) + [len(self.tokens)]
        return list(zip(self.sentence_starts, ends))


#: Marks the start of a sentence inside a line in :func:`mark_sentences` output.
SENTENCE_MARK = "\x00"
#: What ``str.splitlines`` splits on; every line break also ends a sentence.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# _BOUNDARY_RE over a whole text: its whitespace may not cross a line break.
_BOUNDARY_SCAN_RE = re.compile(
    r"[.!?…]+[\"”’')\]]*[^\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+(?=[\"“‘(\[]?[A-Z0-9À-Ý])"
)
_SPLIT_RE = re.compile("[\x00\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def mark_sentences(text: str) -> str:
    """``text`` with :data:`SENTENCE_MARK` inserted where :func:`split_sentences`
    starts a sentence inside a line (any ``\\x00`` already there becomes ``\\x01``).

    One regex pass over the whole text instead of one per line. Normalising the
    marked text and splitting it at marks and line breaks gives the sentences'
    tokens: sentence ends always lie in whitespace, where normalisation acts
    locally, and the mark is neither a word character, a digit nor whitespace.

    >>> mark_sentences("Mr. Smith left. He said no.\\nThen")
    'Mr. Smith left. \\x00He said no.\\nThen'
    """
    if SENTENCE_MARK in text:
        text = text.replace(SENTENCE_MARK, "\x01")
    cuts: list[int] = []
    for m in _BOUNDARY_SCAN_RE.finditer(text):
        s = m.start()
        if text[s] == ".":
            # split_sentences' test on the word that ends before the match: at most
            # 4 characters and a "." (the longest abbreviation) can be one, so look
            # at 6 characters only. The character before s is never [.!?…].
            run = text[max(0, s - 5) : s + 1].rsplit(None, 1)[-1]
            if len(run) < 6:
                last = run.rstrip(".").casefold()
                if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                    continue
        cuts.append(m.end())
    if not cuts:
        return text
    pieces = []
    prev = 0
    for c in cuts:
        pieces.append(text[prev:c])
        prev = c
    pieces.append(text[prev:])
    return SENTENCE_MARK.join(pieces)


def analyze(text: str) -> Analysis:
    """Tokens and sentence boundaries of a text.

    The tokens of :func:`tokenize` applied to each :func:`split_sentences`
    sentence in turn, computed with one normalisation of the whole text.

    >>> a = analyze("One two three. Four five!")
    >>> a.tokens, a.sentence_starts
    (('one', 'two', 'three', 'four', 'five'), (0, 3))
    """
    tokens: list[str] = []
    starts: list[int] = []
    findall = _TOKEN_RE.findall
    for piece in _SPLIT_RE.split(normalize(mark_sentences(text))):
        toks = findall(piece)
        if toks:
            starts.append(len(tokens))
            tokens.extend(toks)
    return Analysis(tuple(tokens), tuple(starts))


# Character classes that normalisation's context rules look at.
_WORD_RE = re.compile(r"\w")
_DIGIT_RE = re.compile(r"\d")


def _char_class(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "apostrophe"
    if ch in ",.":
        return "separator"
    if _DIGIT_RE.match(ch):
        return "digit"
    if _WORD_RE.match(ch):
        return "word"
    return "other"


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str | None:
    """What normalisation makes of the non-ASCII character ``ch`` wherever it
    stands, for tokenising over bytes: ``normalize``'s per-character steps
    (NFKD, combining marks dropped, casefold), with every non-word character
    that is not ASCII turned into a space and ``’`` into ``'`` (both are
    separators, apostrophes alike). Then the result is ASCII except for word
    characters that are not digits, and the apostrophe and thousands rules can
    run on ASCII bytes.

    ``None`` when that is not exact: ``ch`` is a digit outside ASCII, or ``ʼ``
    (an apostrophe that is also a word character), or a combining mark that
    normalisation keeps (NFKD may reorder it with its neighbours), or casefold
    changes what the context rules see.

    >>> fold_char("É"), fold_char("’"), fold_char("…"), fold_char("“"), fold_char("ß"), fold_char("٣")
    ('e', "'", '...', ' ', 'ss', None)
    """
    if ch in "\x85\u2028\u2029":
        return "\n"
    if ch == "ʼ":
        return None
    if unicodedata.combining(ch) and not _COMBINING_RE.match(ch):
        return None
    out: list[str] = []
    for x in _COMBINING_RE.sub("", unicodedata.normalize("NFKD", ch)):
        if unicodedata.combining(x) or x in LINE_BREAKS or x in "\x00\x01\x02":
            return None
        cls = _char_class(x)
        folded = x.casefold()
        if any(_char_class(z) != cls for z in folded):
            return None
        for z in folded:
            if z.isascii():
                out.append(z)
            elif cls == "word":
                out.append(z)
            elif cls == "apostrophe" and z == "’":
                out.append("'")
            elif cls == "other":
                out.append(" ")
            else:
                return None
    return "".join(out)


# ---------------------------------------------------------------------------
# The same analysis over bytes, for many documents at once (what signing uses).
#
# Per-character regexes and one Python string per token cost more than hashing
# and permuting a document's shingles; numpy over the UTF-8 bytes of a whole
# batch does not. :func:`fold_batch` reproduces ``analyze`` exactly (tested
# against it): sentence ends by the rule of :func:`split_sentences`, then
# ``normalize``'s steps, then word tokens; a document with a character whose
# folding depends on its context (``fold_char`` gives ``None``) takes the string
# path instead.

_PUNCT, _CLOSE_QUOTE, _INLINE_SPACE, _OPEN_QUOTE, _CAPITAL, _SPACE = 1, 2, 4, 8, 16, 32
_CAPITAL_RE = re.compile(r"[A-Z0-9À-Ý]")
#: Separates documents in a batch; never left inside a text (it becomes ``\x01``).
DOC_MARK = "\x02"
_FILLER = 0xFF  # never a byte of UTF-8: marks bytes to drop


def _boundary_flags(ch: str) -> int:
    """Which parts of the sentence-end rule (``_BOUNDARY_RE``) ``ch`` can play."""
    flags = 0
    if ch in ".!?…":
        flags |= _PUNCT
    if ch in "\"”’')]":
        flags |= _CLOSE_QUOTE
    if ch.isspace():
        flags |= _SPACE if ch in LINE_BREAKS else _SPACE | _INLINE_SPACE
    if ch in "\"“‘([":
        flags |= _OPEN_QUOTE
    if _CAPITAL_RE.match(ch):
        flags |= _CAPITAL
    return flags


def _table(pred) -> bytes:
    return bytes(pred(i) for i in range(256))


_ASCII_FLAGS = _table(lambda i: _boundary_flags(chr(i)) if i < 128 else 0)
# After folding, every byte >= 0x80 belongs to a word character.
WORD_BYTES = _table(lambda i: 1 if i >= 0x80 or chr(i).isalnum() or i == 0x5F else 0)
_DIGIT_BYTES = _table(lambda i: 1 if 0x30 <= i <= 0x39 else 0)
_LOWER_BYTES = _table(lambda i: i + 32 if 0x41 <= i <= 0x5A else i)
#: Bytes that start a new sentence in folded text: the sentence mark and line breaks.
MARK_BYTES = _table(lambda i: 1 if i < 128 and (chr(i) == SENTENCE_MARK or chr(i) in LINE_BREAKS) else 0)
_CHAR_LEN = np.array([1] * 0xC0 + [2] * 32 + [3] * 16 + [4] * 8 + [1] * 8, dtype=np.int64)


def _pack_ascii(word: bytes) -> int:
    return int.from_bytes(word, "little") | (len(word) << 32)


# Packed last byte first, as _sentence_cuts reads words backwards.
_ABBREVIATION_KEYS = np.array(sorted(_pack_ascii(w.encode()[::-1]) for w in _ABBREVIATIONS), dtype=np.int64)
assert all(len(w) <= 4 and w.isascii() for w in _ABBREVIATIONS)  # _sentence_cuts relies on it


@lru_cache(maxsize=8192)
def _non_ascii_char(ch: str) -> tuple[int, bytes | None]:
    """Boundary flags of ``ch`` and its folded UTF-8 bytes padded to its own length (``None``: string path)."""
    folded = fold_char(ch)
    own = ch.encode("utf-8", "surrogatepass")
    if folded is None:
        return _boundary_flags(ch), None
    out = folded.encode("utf-8", "surrogatepass")
    if len(out) > len(own):  # e.g. "½" -> "1 2": it would not fit in place
        return _boundary_flags(ch), None
    return _boundary_flags(ch), out + bytes([_FILLER]) * (len(own) - len(out))


_ASCII_FLAGS_NP = np.frombuffer(_ASCII_FLAGS, dtype=np.uint8)
_WORD_NP = np.frombuffer(WORD_BYTES, dtype=bool)
_DIGIT_NP = np.frombuffer(_DIGIT_BYTES, dtype=bool)
_LOWER_NP = np.frombuffer(_LOWER_BYTES, dtype=np.uint8)


def word_byte_mask(arr: np.ndarray) -> np.ndarray:
    """``WORD_BYTES`` of every byte of a uint8 array (letters, digits, ``_`` and bytes >= 0x80), by
    comparisons: indexing a table with a whole batch's bytes takes about 7x as long (518 against
    75 us for 185 KB, 64 scale-corpus documents)."""
    letter = ((arr | np.uint8(0x20)) - np.uint8(0x61)) < 26
    return letter | ((arr - np.uint8(0x30)) < 10) | (arr == 0x5F) | (arr >= 0x80)


def token_spans(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each token (maximal run of word bytes) of folded bytes starts and ends; the bytes
    begin and end with a non-word byte, as :func:`fold_batch` makes them."""
    word = word_byte_mask(arr)
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1
    return edges[0::2], edges[1::2]


class _Flags:
    """Boundary flags of the character at any byte offset of a batch (ASCII by
    table; other characters through the sorted offsets of their lead bytes)."""

    def __init__(self, arr: np.ndarray, lead: np.ndarray, lead_flags: np.ndarray):
        self.arr, self.lead, self.lead_flags = arr, lead, lead_flags

    def at(self, pos: np.ndarray) -> np.ndarray:
        b = self.arr[pos]
        f = _ASCII_FLAGS_NP[b]
        if len(self.lead):
            na = np.flatnonzero(b >= 0x80)
            if len(na):
                f[na] = self.lead_flags[np.searchsorted(self.lead, pos[na], side="right") - 1]
        return f

    def skip(self, pos: np.ndarray, flag: int) -> np.ndarray:
        """For each offset (a character start): the first character at or after it without ``flag``."""
        pos = pos.copy()
        active = np.flatnonzero(self.at(pos) & flag)
        for _ in range(32):
            if not len(active):
                return pos
            pos[active] += _CHAR_LEN[self.arr[pos[active]]]
            active = active[(self.at(pos[active]) & flag) != 0]
        # Long runs: look at windows of bytes, doubling. The first byte whose character
        # lacks the flag starts that character (every byte before it belongs to one that
        # has it); the batch ends in line breaks, which have none of the flags skipped.
        width = 64
        while len(active):
            win = np.minimum(pos[active][:, None] + np.arange(width), len(self.arr) - 1)
            has = (self.at(win.ravel()).reshape(win.shape) & flag) != 0
            done = ~has.all(axis=1)
            pos[active[done]] = win[done, np.argmin(has[done], axis=1)]
            pos[active[~done]] = win[~done, -1]
            active = active[~done]
            width = min(width * 2, 1 << 16)
        return pos


def _sentence_cuts(arr: np.ndarray, flags: _Flags) -> np.ndarray:
    """Byte offsets of the last whitespace character of every sentence end that
    ``split_sentences`` makes inside a line (its ``_BOUNDARY_RE`` matches that
    are not abbreviations or initials)."""
    punct = np.flatnonzero((arr == 0x2E) | (arr == 0x21) | (arr == 0x3F))
    if len(flags.lead):
        punct = np.sort(np.concatenate([punct, flags.lead[(flags.lead_flags & _PUNCT) != 0]]))
    if not len(punct):
        return punct
    starts = punct[(flags.at(punct - 1) & _PUNCT) == 0]
    # A match can only begin where a run of [.!?…] begins (a later start in the run
    # sees the same tail), and then takes the whole run, every closing quote and
    # every inline space (giving any back cannot satisfy what follows).
    after_punct = flags.skip(starts, _PUNCT)
    after_quotes = flags.skip(after_punct, _CLOSE_QUOTE)
    after_space = flags.skip(after_quotes, _INLINE_SPACE)
    nxt = flags.at(after_space)
    second = flags.at(after_space + _CHAR_LEN[arr[after_space]])
    ok = (after_space > after_quotes) & (
        ((nxt & _CAPITAL) != 0) | (((nxt & _OPEN_QUOTE) != 0) & ((second & _CAPITAL) != 0))
    )
    starts, after_space = starts[ok], after_space[ok]
    # Abbreviations and initials: the word before a "." (up to whitespace) of at most 4 characters.
    dots = np.flatnonzero(arr[starts] == 0x2E)
    if len(dots):
        # A word whose last 5 bytes are ASCII and not whitespace has 5 characters or
        # more: neither an abbreviation nor an initial. Most sentence ends are such.
        before = arr[np.maximum(starts[dots][:, None] - np.arange(1, 6), 0)]
        plain = ((before < 0x80) & ((_ASCII_FLAGS_NP[before] & _SPACE) == 0)).all(axis=1)
        dots = dots[~plain]
    if len(dots):
        s = starts[dots]
        back = np.full(len(s), 17, dtype=np.int64)  # bytes in the word; 17 = "more than 16"
        open_ = np.ones(len(s), dtype=bool)
        chars = np.zeros(len(s), dtype=np.int64)
        ascii_ = np.ones(len(s), dtype=bool)
        key = np.zeros(len(s), dtype=np.int64)
        for j in range(1, 18):
            pos = np.maximum(s - j, 0)
            hit = open_ & ((flags.at(pos) & _SPACE) != 0)
            back[hit] = j - 1
            open_ &= ~hit
            if j == 17 or not open_.any():
                break
            b = arr[pos].astype(np.int64)
            chars += open_ & ((b < 0x80) | (b >= 0xC0))
            ascii_ &= ~open_ | (b < 0x80)
            if j <= 4:
                # The word's bytes from the last one backwards, lowest first.
                key = np.where(open_, key | (_LOWER_NP[b].astype(np.int64) << (8 * (j - 1))), key)
        key = np.where(back <= 4, key | (back << 32), -1)
        short = (back >= 1) & (back <= 16) & (chars <= 4)
        drop = np.zeros(len(s), dtype=bool)
        quick = short & ascii_ & (back <= 4)
        low = key & 0xFF
        single = (back == 1) & (low >= 0x61) & (low <= 0x7A)
        drop[quick] = np.isin(key[quick], _ABBREVIATION_KEYS) | single[quick]
        for i in np.flatnonzero(short & ~quick).tolist():
            word = bytes(arr[s[i] - back[i] : s[i]]).decode("utf-8", "surrogatepass").casefold()
            drop[i] = word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
        keep = np.ones(len(starts), dtype=bool)
        keep[dots[drop]] = False
        after_space = after_space[keep]
    # The lead byte of the last whitespace character of each match.
    cut = after_space - 1
    for _ in range(3):
        cont = (arr[cut] >= 0x80) & (arr[cut] < 0xC0)
        cut = np.where(cont, cut - 1, cut)
    return cut


_PAD = 24  # bytes of "\n" after a batch: reads up to 16 bytes past a token stay inside


def _join(texts: list[str]) -> bytes:
    # Each text encoded on its own: an ASCII text is copied as it is, where encoding
    # the joined string would widen every character to the batch's widest.
    parts = []
    for t in texts:
        if SENTENCE_MARK in t or DOC_MARK in t:
            t = t.replace(SENTENCE_MARK, "\x01").replace(DOC_MARK, "\x01")
        parts.append(t.encode("utf-8", "surrogatepass"))
    return ("\n" + DOC_MARK + "\n").encode().join(parts)


def _string_path(texts: list[str]) -> bytes:
    """The folded bytes of ``texts`` by way of ``normalize`` (exact for any text, slower)."""
    out = []
    for t in texts:
        if DOC_MARK in t:
            t = t.replace(DOC_MARK, "\x01")
        folded = normalize(mark_sentences(t)).replace("\x85", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
        out.append(_NON_WORD_RE.sub(" ", folded))
    return ("\n" + DOC_MARK + "\n").join(out).encode("utf-8", "surrogatepass")


_NON_WORD_RE = re.compile(r"[^\w\x00-\x7f]")


def fold_batch(texts: list[str], sentences: bool = True) -> list[tuple[list[int], np.ndarray]]:
    """Normalised UTF-8 bytes of ``texts``, ready to tokenise: groups of
    ``(indices into texts, bytes)``; in each group's bytes the documents follow
    one another, separated by ``"\\n\\x02\\n"``, sentences start after
    :data:`MARK_BYTES`, every byte >= 0x80 belongs to a word character, and
    tokens are the maximal runs of ``WORD_BYTES``. The tokens and sentences
    are those of :func:`analyze` (tested).

    Usually one group; documents with a character that cannot be folded on its
    own (see :func:`fold_char`) form a second, folded through ``normalize``.

    ``sentences=False`` leaves out the sentence marks inside lines (the tokens
    are the same; finding the sentence ends is about half the work), for a
    caller that needs only tokens and lines.
    """
    if not texts:
        return []
    data = _join(texts)
    buf = bytearray(b"\n")
    buf += data
    buf += b"\n" * _PAD
    arr = np.frombuffer(buf, dtype=np.uint8)  # writable: folded in place
    lead = np.empty(0, dtype=np.int64)
    lead_flags = np.empty(0, dtype=np.uint8)
    if not data.isascii():
        lead = np.flatnonzero(arr >= 0xC0)
        lens = _CHAR_LEN[arr[lead]]
        key = np.zeros(len(lead), dtype=np.int64)
        for j in range(4):
            key |= np.where(lens > j, arr[lead + j].astype(np.int64), 0) << (8 * j)
        uniq, inv = np.unique(key, return_inverse=True)
        info = [_non_ascii_char(int(k).to_bytes(4, "little").rstrip(b"\0").decode("utf-8", "surrogatepass"))
                for k in uniq.tolist()]
        hard = np.array([folded is None for _, folded in info], dtype=bool)
        if hard.any():
            seps = np.flatnonzero(arr == 0x02)
            bad = set(np.searchsorted(seps, lead[hard[inv]]).tolist())
            easy = [i for i in range(len(texts)) if i not in bad]
            groups = []
            if easy:
                for sub, folded_bytes in fold_batch([texts[i] for i in easy], sentences):
                    groups.append(([easy[k] for k in sub], folded_bytes))
            hard_ids = sorted(bad)
            groups.append((hard_ids, _bytes_array(_string_path([texts[i] for i in hard_ids]))))
            return groups
        lead_flags = np.array([f for f, _ in info], dtype=np.uint8)[inv]
    cuts = _sentence_cuts(arr, _Flags(arr, lead, lead_flags)) if sentences else np.empty(0, dtype=np.int64)
    if len(lead):
        table = np.array([list(folded.ljust(4, b"\xff")) for _, folded in info], dtype=np.uint8)
        for j in range(4):
            sel = np.flatnonzero(lens > j)
            arr[lead[sel] + j] = table[inv[sel], j]
        arr[cuts] = 0
        if (table[inv] == _FILLER).any():
            arr = arr[arr != _FILLER]
    else:
        arr[cuts] = 0
    # Apostrophes inside words, then thousands separators (normalize's order), deleted
    # together. A thousands separator is judged on the text without those apostrophes:
    # the bytes around it are the same unless a deleted apostrophe lies 2-5 bytes after
    # it (never right next to it: both neighbours of a deleted apostrophe are word
    # bytes); then the two deletions are done one after the other.
    apo = np.flatnonzero((arr == 0x27) | (arr == 0x60))
    gone = apo[_WORD_NP[arr[apo - 1]] & _WORD_NP[arr[apo + 1]]] if len(apo) else apo
    sep = np.flatnonzero((arr & np.uint8(0xFD)) == 0x2C)  # "," and "."
    sep = sep[_DIGIT_NP[arr[sep - 1]] & _DIGIT_NP[arr[sep + 1]]] if len(sep) else sep
    if len(sep) and len(gone):
        after = np.searchsorted(gone, sep + 2)
        if ((after < len(gone)) & (gone[np.minimum(after, len(gone) - 1)] <= sep + 5)).any():
            arr = np.delete(arr, gone)
            gone = np.empty(0, dtype=np.int64)
            sep = np.flatnonzero((arr & np.uint8(0xFD)) == 0x2C)
            sep = sep[_DIGIT_NP[arr[sep - 1]] & _DIGIT_NP[arr[sep + 1]]]
    if len(sep):
        d = [_DIGIT_NP[arr[sep + k]] for k in (2, 3, 4)]
        thousands = sep[d[0] & d[1] & ~d[2]]
        if len(thousands):
            gone = np.union1d(gone, thousands) if len(gone) else thousands
    if len(gone):
        arr = np.delete(arr, gone)
    if not arr.flags.writeable:
        arr = arr.copy()
    upper = (arr - np.uint8(0x41)) < 26
    arr |= upper.view(np.uint8) << np.uint8(5)
    return [(list(range(len(texts))), arr)]


def _bytes_array(data: bytes) -> np.ndarray:
    return np.frombuffer(b"\n" + data + b"\n" * _PAD, dtype=np.uint8)
