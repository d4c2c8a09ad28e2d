"""The fast paths give exactly what the plain ones give.

- ``analyze`` (one normalisation per text) equals the sentence-by-sentence
  definition: ``tokenize`` of each ``split_sentences`` sentence, with the
  original normalisation regexes;
- ``sign_texts`` (bytes, batches) equals ``sign(analyze(text))`` bit for bit,
  whatever the batch size, on text mixing the characters the byte path treats
  specially (curly quotes, accents, abbreviations, thousands, line separators,
  characters that send a document down the string path);
- token hashes are xxhash's ``xxh3_64`` of the UTF-8 bytes, whatever the length.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.sign import sign, sign_texts, token_hashes
from dedupe.text import analyze, fold_char, split_sentences

# The normalisation as first written (lookbehind first): the fast regexes must agree with it.
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def reference_analyze(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    tokens: list[str] = []
    starts: list[int] = []
    for sentence in split_sentences(text):
        norm = _COMBINING.sub("", unicodedata.normalize("NFKD", sentence))
        norm = _THOUSANDS.sub("", _APOSTROPHE.sub("", norm)).casefold()
        toks = re.findall(r"\w+", norm)
        if toks:
            starts.append(len(tokens))
            tokens.extend(toks)
    return tuple(tokens), tuple(starts)


PIECES = (
    list("aAbZz09 ..!?,'`\"()[]\n\r\t_")
    + list("…“”‘’ʼ´—–£€éÉÀÝÞ×ßẞİ\u00a0\u2028\u2029\x85\x00\x01\x02\x1c\x1f\u0301\u05b0½²٣Дд\ud800ﬁ™Ⅻᾼͅ\u3000")
    # abbreviations, their reversals (the byte path reads words backwards), initials
    + ["Mr", "mrs", "U.S", "e.g", "Sept", "sept", "no", "on", "rm", "s.u", "tpes", "ſt", "K", "É", "J", "x"]
    + ["1,000", "2.345", "12,34", "d’", "’s", "n't", "It's", " The", ". The", "! “A", ".) B", "?\" 9"]
)
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_analyze_equals_sentence_by_sentence_definition(text):
    a = analyze(text)
    assert (a.tokens, a.sentence_starts) == reference_analyze(text)


def _same(x, y) -> bool:
    return (
        np.array_equal(x.values, y.values)
        and x.sentences.shape == y.sentences.shape
        and np.array_equal(x.sentences, y.sentences)
        and np.array_equal(x.sentence_ids, y.sentence_ids)
        and (x.shingles, x.tokens, x.digest) == (y.shingles, y.tokens, y.digest)
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(texts, min_size=1, max_size=6),
    st.sampled_from([(5, 64, 1, 16, 4), (3, 32, 7, 8, 1), (1, 16, 2, 16, 0)]),
    st.integers(1, 7),
)
def test_sign_texts_equals_sign_of_analyze(docs, params, batch):
    expected = [sign(analyze(t), *params) for t in docs]
    got = sign_texts(docs, *params, batch=batch)
    assert all(_same(x, y) for x, y in zip(expected, got)) and len(got) == len(docs)


def test_sign_texts_on_news_like_text():
    base = (
        "Mr. Smith’s firm, Acme Corp., said on Tuesday that profits rose 1,234 to £5.6bn. "
        "“It’s a good year,” he said. The U.S. market grew.\n\nSales in Zürich – up 12% – beat forecasts… "
        "Analysts at J. P. Morgan agreed. Naïve investors weren't told."
    )
    docs = [base, base.upper(), base[::-1], "", "   ", "Three words only", base + " ½ extra ٣"]
    params = (5, 128, 1, 16, 4)
    expected = [sign(analyze(t), *params) for t in docs]
    assert all(_same(x, y) for x, y in zip(expected, sign_texts(docs, *params)))


def test_fold_char_examples():
    assert fold_char("É") == "e" and fold_char("’") == "'" and fold_char("…") == "..."
    assert fold_char("“") == " " and fold_char("ß") == "ss" and fold_char("\u2028") == "\n"
    assert fold_char("٣") is None and fold_char("ʼ") is None and fold_char("\u05b0") is None


@given(st.lists(st.text(max_size=24), min_size=1, max_size=50))
def test_token_hashes_are_xxh3_64(tokens):
    # The numpy XXH3 (1-16 bytes) and the fallback both give xxhash's value, so
    # signatures are those of hashing each token with xxhash, as before.
    expected = [xxhash.xxh3_64_intdigest(t.encode("utf-8", "surrogatepass")) for t in tokens]
    assert token_hashes(tokens).tolist() == expected


@given(st.lists(st.text(max_size=40), min_size=1, max_size=30))
def test_equal_tokens_equal_hashes(tokens):
    h = token_hashes(tokens + tokens[::-1])
    assert np.array_equal(h[: len(tokens)], h[len(tokens):][::-1])
