"""The fast paths give exactly what the plain ones give.

- ``analyze`` (one normalisation per text) equals the sentence-by-sentence
  definition: ``tokenize`` of each ``split_sentences`` sentence, with the
  original normalisation regexes;
- ``sign_texts`` (bytes, batches) equals ``sign(analyze(text))`` bit for bit,
  whatever the batch size, on text mixing the characters the byte path treats
  specially (curly quotes, accents, abbreviations, thousands, line separators,
  characters that send a document down the string path);
- token hashes are what their definition (``dedupe._sign.hash_spans``) says,
  computed here one token at a time with Python integers, whatever the length.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._sign import sign, sign_texts, token_hashes
from dedupe._text import analyze, fold_char, split_sentences

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


# Cases the byte path handles apart: a deleted apostrophe a few bytes after a thousands
# separator (both deletions judged in order), long runs of sentence-end punctuation,
# closing quotes and spaces (scanned in windows), short words before a "." (abbreviations).
EDGE_CASES = [
    "Sales of 1,000's units. 1,0'00 and 1,00'0 and 1,000'x. 12.3'45 9,9'9'9, 1'2,345",
    "It's 5,000. He's 3.14's. A,b'c 1,234,567's",
    "End." + " " * 100 + "Next one. And" + "." * 70 + " More” ”" + "”" * 50 + "   Yes. No",
    "A." + "\u00a0" * 80 + "B c d e f. G!" + "…" * 40 + " H i j. " + "x." + " " * 3000 + "Y z.",
    "Mr. Smith. e.g. This. Café. Café. St. Louis. U.S. Army. a.m. Then. Naïve. Ünd. Ok.",
]


def test_sign_texts_on_edge_cases():
    for params in [(5, 64, 1, 16, 4), (1, 16, 2, 16, 0)]:
        expected = [sign(analyze(t), *params) for t in EDGE_CASES]
        assert all(_same(x, y) for x, y in zip(expected, sign_texts(EDGE_CASES, *params)))
    for t in EDGE_CASES:
        a = analyze(t)
        assert (a.tokens, a.sentence_starts) == reference_analyze(t)


def test_fold_char_examples():
    assert fold_char("É") == "e" and fold_char("’") == "'" and fold_char("…") == "..."
    assert fold_char("“") == " " and fold_char("ß") == "ss" and fold_char("\u2028") == "\n"
    assert fold_char("٣") is None and fold_char("ʼ") is None and fold_char("\u05b0") is None


_M64 = 0xFFFFFFFFFFFFFFFF


def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _M64
    return h ^ (h >> 33)


def reference_token_hash(token: str) -> int:
    data = token.encode("utf-8", "surrogatepass")
    if not 1 <= len(data) <= 16:
        return xxhash.xxh3_64_intdigest(data)
    h = _fmix64(int.from_bytes(data[:8], "little") ^ (len(data) * 0x9E3779B97F4A7C15) & _M64)
    if len(data) > 8:
        h = _fmix64(h ^ int.from_bytes(data[8:16], "little"))
    return h


@given(st.lists(st.text(max_size=24), min_size=1, max_size=50))
def test_token_hashes_follow_the_definition(tokens):
    # Tokens of 1-16 bytes in numpy (unaligned reads, masks), others through xxhash.
    assert token_hashes(tokens).tolist() == [reference_token_hash(t) for t in tokens]


def test_token_hashes_of_long_and_short_tokens_differ():
    tokens = ["a", "ab", "a" * 8, "a" * 9, "a" * 16, "a" * 17, "a\x00", "\x00a", "", "a" * 100]
    assert len(set(token_hashes(tokens).tolist())) == len(tokens)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=30))
def test_equal_tokens_equal_hashes(tokens):
    h = token_hashes(tokens + tokens[::-1])
    assert np.array_equal(h[: len(tokens)], h[len(tokens):][::-1])


def test_word_byte_mask_is_the_word_byte_table() -> None:
    from dedupe._text import WORD_BYTES, word_byte_mask

    every = np.arange(256, dtype=np.uint8)
    want = np.array([b >= 0x80 or chr(b).isalnum() or b == 0x5F for b in range(256)])
    assert (np.frombuffer(WORD_BYTES, dtype=bool) == want).all()
    assert (word_byte_mask(every) == want).all()
