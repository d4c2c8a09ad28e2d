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

__all__ = ["STOPWORDS", "normalize", "tokenize", "split_sentences", "Analysis", "analyze"]

_APOSTROPHE_RE = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_THOUSANDS_RE = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")
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


def analyze(text: str) -> Analysis:
    """Tokens and sentence boundaries of a text.

    >>> a = analyze("One two three. Four five!")
    >>> a.tokens, a.sentence_starts
    (('one', 'two', 'three', 'four', 'five'), (0, 3))
    """
    tokens: list[str] = []
    starts: list[int] = []
    for sentence in split_sentences(text):
        toks = tokenize(sentence)
        if toks:
            starts.append(len(tokens))
            tokens.extend(toks)
    return Analysis(tuple(tokens), tuple(starts))
