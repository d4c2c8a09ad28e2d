"""Exact verification of a candidate pair, with the evidence kept for output.

Whole-document Jaccard misses syndication: a wire story reposted with local
paragraphs added and others cut shares most of its *sentences* with the
original but few of its shingles. So a pair is judged on both:

- ``jaccard`` and ``containment`` of the exact word-shingle sets;
- shared sentences: each sentence (at least ``sentence_min_tokens`` tokens
  and ``sentence_min_content_words`` content words) is matched to its best counterpart by the Dice
  overlap of their content words (stopwords removed), at least
  ``sentence_match``, with at least ``sentence_min_bigrams`` word bigrams in
  common. Content-word overlap survives house style, dropped clauses,
  reordered phrases and even machine translation (the seeds' 002 shares 5
  sentences at >= 0.5 with 001
  and 003), while independent write-ups of one event reach 0.5 on at most one
  sentence, usually a shared quote. ``coverage_a`` is the share of A's
  *comparable* tokens (those in sentences that can be matched: long enough,
  with ``sentence_min_content_words`` content words) that lie in matched sentences; likewise
  ``coverage_b``. Short lines (a five-word headline, a dateline, a leftover
  "Listen to article — 8 min" widget) can never be matched, so they are left
  out of the share rather than diluting it. Counting them cost heavy and
  partial copies whose one or two wire paragraphs are nearly all of their
  comparable text: on the generated corpora of seeds 1 and 2, leaving them out
  brings 15 more such copies (of 2,013) into their original's cluster and
  links no unrelated pair; on bbc_news the same 125 pairs link, with the
  same kinds and clusters (scores move a little), and the seeds' coverages
  move by at most 0.013.
  A *list* is not comparable either: a sentence of at least
  ``list_min_tokens`` tokens of which less than ``list_stopword_share`` are
  stopwords (a team sheet "G Thomas (capt); K Morgan, T Shanklin, ...", a
  squad, a results line). News prose is mostly stopwords (half of
  bbc_news's comparable sentences are 36-50%, 1% under 10%); lists of names
  have none, and two match reports that print the same line-ups would
  otherwise share whole "sentences" (on bbc_news, a team announcement and a
  match preview whose copied prose is about 0.15 of either reach close
  coverage 0.33 with their line-ups, 0.18-0.20 without).

Fragments (issue 20, item 6). Real reuse often cuts and pastes *parts* of a
long source's sentences into a short text: a clause of a 40-word sentence
scores a Dice overlap of 0.3-0.6 with it, under ``sentence_match`` or under
``close_match``, so such copies went unlinked (on ``benchmarks/fragments``,
seed 1: 29 of 180 cut-and-paste copies and 54 of 180 lightly reworded ones).
A pair whole sentences do not link is therefore aligned again with fragment
matches too (see :func:`_fragment_cells`): a sentence with at least
``fragment_min_words`` content words, at most ``fragment_share`` as many as
the other, at least ``fragment_match`` of them inside it and
``fragment_bigrams`` word bigrams shared. Its score is that share (so a
pasted clause is a close match), and the longer sentence counts only the
fragment's tokens in coverage (it was not all copied). The second verdict is
the same verdict on these numbers, and links only when the smaller
document is at least ``fragment_close_coverage`` covered: a copy made of
fragments is mostly made of them, while follow-up stories that condense a
few background sentences of an older one (bbc_news has many) cover a third
or so. Every link whole sentences make is unchanged (tested).

Verdict (thresholds in :class:`dedupe.config.DedupConfig`):

- near-duplicate: Jaccard at least ``near_duplicate_jaccard``, or the smaller
  document at least ``near_duplicate_coverage`` covered and the larger at
  least ``near_duplicate_larger_coverage``;
- syndicated: at least ``min_shared_sentences`` shared sentences that cover
  at least ``min_coverage`` of one of the two documents, of which the *close*
  matches (Dice >= ``close_match``, i.e. copied with light edits rather than
  paraphrased) cover at least ``min_close_coverage`` of one document and,
  unless both documents are ``rewrite_coverage`` covered (the whole story
  told twice, e.g. translated), at least ``follow_up_close_coverage``; or a
  single close match that makes up ``single_sentence_coverage`` of the smaller
  document (a short abridgement: title and lead). Follow-up stories reuse
  background sentences, mostly paraphrased, plus a few verbatim ones: the
  close-coverage tests are what keep them apart. A *weak* link, whose close
  matches cover less than ``weak_link_close`` (a third) of both documents,
  also needs a close match among the first ``weak_link_lead`` comparable
  sentences of one of the two: a copy keeps its story's lead, while a
  follow-up that reuses only a background block from the middle or end of
  the older story does not (it often recaps the old lead too, and then this
  test cannot tell it from a copy);
- otherwise no link. Two independent write-ups of one event share facts and
  perhaps a quote, but not two sentences covering a third of either text.

``score`` is the larger coverage (the share of the more-copied document
found in the other), or the Jaccard for near-duplicates if larger.

Both paths below reach the verdict through one function, :func:`judge`, over
arrays of the pairs' numbers (:class:`Tallies`): one pair's arrays have one
entry, a block's one per pair.

Speed. :func:`prepare` and :func:`verify` work on one document, one pair.
The batch paths give the same results, equal link for link (tested):
:func:`prepare_texts` tokenises a batch of texts as :func:`dedupe._sign.sign_texts`
does and computes every array over the whole batch; :func:`verify_many`
verifies blocks of pairs with one sort per kind of evidence (see
:func:`_join`); :class:`PairVerifier` serves the on-demand checks of
:func:`dedupe._cluster.group`, verifying the pairs it prefetches in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from .config import DedupConfig
from .records import Link, LinkKind, Passage
from ._sign import FoldedBatch, fold_texts, list_like, shingles_of, stopword_hashes, token_hashes
from ._text import Analysis

__all__ = ["Prepared", "prepare", "prepare_texts", "pack_prepared", "unpack_prepared", "Link", "Passage", "verify",
           "verify_many", "PairVerifier", "Tallies", "Verdicts", "judge", "sentence_scores"]

# Passages (runs of matched sentences) a link keeps as evidence for clusters.jsonl. Fixed, not a
# setting: it bounds the output's size and plays no part in the verdict.
_MAX_PASSAGES = 10


@dataclass(frozen=True, eq=False)
class Prepared:
    """What verification needs of one document, computed once, as flat arrays.

    Content words and word bigrams are hashed (xxh3-64) and kept as
    ``(key, sentence)`` entries sorted by key, unique per sentence, for the
    eligible sentences only; a pair's sentence-by-sentence overlap counts are
    then one sorted join (see :func:`_overlap_counts`), not Python loops.
    """

    id: str
    analysis: Analysis
    shingles: np.ndarray  # sorted unique uint32 shingle hashes
    word_keys: np.ndarray  # uint64, sorted
    word_sentences: np.ndarray  # int64, the sentence of each word_keys entry
    bigram_keys: np.ndarray
    bigram_sentences: np.ndarray
    word_counts: np.ndarray  # int64 per sentence: distinct content words (0: not eligible)
    lengths: np.ndarray  # int64 per sentence: tokens

    @property
    def tokens(self) -> int:
        if isinstance(self.analysis, _FoldedAnalysis):
            return self.analysis.token_count  # without decoding the token strings
        return len(self.analysis.tokens)

    @property
    def comparable(self) -> int:
        """Tokens in the sentences that can be matched (coverage is a share of these)."""
        return int(self.lengths[self.word_counts > 0].sum())


class _FoldedAnalysis(Analysis):
    """An :class:`~dedupe._text.Analysis` of a batch-prepared document whose token strings are
    decoded from its folded bytes only when something reads them.

    Verification compares hashes; the strings are read only for the snippets of
    a link's passages. Decoding and interning every token of every prepared
    document was a third of :func:`prepare_texts` (scale corpus, 1,500
    documents: 680 ms, of which decoding, interning and tuples 236 ms and
    hashing the strings 108 ms). Equal to the :class:`Analysis` of the same
    tokens and sentences.
    """

    def __init__(self, spaced: bytes, token_count: int, sentence_starts: tuple[int, ...]) -> None:
        # Frozen like Analysis: attributes are set once, here.
        object.__setattr__(self, "_spaced", spaced)  # the document's folded bytes, non-word bytes as spaces
        object.__setattr__(self, "token_count", token_count)
        object.__setattr__(self, "sentence_starts", sentence_starts)

    @property  # type: ignore[override]
    def tokens(self) -> tuple[str, ...]:
        """Decoded at each read and not kept: a prepared document stays cached for many
        pairs, and its token strings would take ten times its folded bytes."""
        spaced = self._spaced
        # Word bytes are never ASCII whitespace, so bytes.split() gives exactly the tokens.
        if spaced.isascii():
            return tuple(spaced.decode("ascii").split())
        return tuple(t.decode("utf-8", "surrogatepass") for t in spaced.split())

    def sentence_spans(self) -> list[tuple[int, int]]:
        ends = list(self.sentence_starts[1:]) + [self.token_count]
        return list(zip(self.sentence_starts, ends))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Analysis):
            return NotImplemented
        return self.tokens == tuple(other.tokens) and self.sentence_starts == tuple(other.sentence_starts)

    def __hash__(self) -> int:
        return hash((self.tokens, self.sentence_starts))

    def __repr__(self) -> str:
        return f"Analysis(tokens={self.tokens!r}, sentence_starts={self.sentence_starts!r})"


_EMPTY_U64 = np.empty(0, dtype=np.uint64)


# pack_prepared's layout: a header of int64 counts, then the arrays, widest first (so each
# starts aligned): word keys and bigram keys (uint64), shingles (uint32), then as int32 the
# sentences of the word and bigram entries, the word counts and lengths per sentence and the
# sentence starts, and last the folded bytes. About 20 KB for a 600-word document.
_PACK_HEADER = 6


def pack_prepared(p: Prepared) -> bytes:
    """``p``'s arrays and folded text as bytes, for :func:`unpack_prepared` (the id is not kept).

    Verification can then prepare each document once and read it back for every
    pair it is in (see :func:`dedupe.pipeline.deduplicate`), rather than prepare it
    again in each batch of pairs.

    >>> from dedupe.config import DedupConfig
    >>> config = DedupConfig()
    >>> p = prepare_texts(["a"], ["One sentence with enough words here. And another one follows it."], config)[0]
    >>> q = unpack_prepared("a", pack_prepared(p))
    >>> q.analysis == p.analysis and bool((q.bigram_keys == p.bigram_keys).all())
    True
    """
    analysis = p.analysis
    if isinstance(analysis, _FoldedAnalysis):
        spaced, token_count = analysis._spaced, analysis.token_count
    else:  # tokens never hold ASCII whitespace (see _FoldedAnalysis.tokens)
        spaced = " ".join(analysis.tokens).encode("utf-8", "surrogatepass")
        token_count = len(analysis.tokens)
    header = np.array([len(p.shingles), len(p.word_keys), len(p.bigram_keys), len(p.word_counts), token_count,
                       len(spaced)], dtype=np.int64)
    i32 = np.int32
    return b"".join((
        header.tobytes(), p.word_keys.astype(np.uint64).tobytes(), p.bigram_keys.astype(np.uint64).tobytes(),
        p.shingles.astype(np.uint32).tobytes(), p.word_sentences.astype(i32).tobytes(),
        p.bigram_sentences.astype(i32).tobytes(), p.word_counts.astype(i32).tobytes(), p.lengths.astype(i32).tobytes(),
        np.asarray(analysis.sentence_starts, dtype=i32).tobytes(), spaced,
    ))


def unpack_prepared(doc_id: str, data: bytes) -> Prepared:
    """The :class:`Prepared` document that :func:`pack_prepared` wrote, array for array (same
    values and dtypes), with its id. The key arrays are read-only views of ``data``."""
    n_sh, n_w, n_b, n_sent, token_count, n_spaced = np.frombuffer(data, np.int64, _PACK_HEADER).tolist()
    at = 8 * _PACK_HEADER

    def take(dtype: type, count: int) -> np.ndarray:
        nonlocal at
        arr = np.frombuffer(data, dtype, count, at)
        at += arr.nbytes
        return arr

    word_keys, bigram_keys, shingles = take(np.uint64, n_w), take(np.uint64, n_b), take(np.uint32, n_sh)
    word_sentences, bigram_sentences = take(np.int32, n_w).astype(np.int64), take(np.int32, n_b).astype(np.int64)
    word_counts, lengths = take(np.int32, n_sent).astype(np.int64), take(np.int32, n_sent).astype(np.int64)
    starts = tuple(take(np.int32, n_sent).tolist())
    if at + n_spaced != len(data):
        raise ValueError(f"packed prepared document {doc_id!r}: {len(data)} bytes, expected {at + n_spaced}")
    analysis = _FoldedAnalysis(bytes(data[at:]), token_count, starts)
    return Prepared(doc_id, analysis, shingles, word_keys, word_sentences, bigram_keys, bigram_sentences,
                    word_counts, lengths)
_EMPTY_I64 = np.empty(0, dtype=np.int64)
# Odd 64-bit multiplier that combines two word hashes into a bigram key.
_BIGRAM_MUL = np.uint64(0x9E3779B97F4A7C15)


def _unique_entries(keys: np.ndarray, sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(key, sentence)`` entries, sorted by key then sentence."""
    order = np.lexsort((sentences, keys))
    k, s = keys[order], sentences[order]
    if len(k) > 1:
        keep = np.empty(len(k), dtype=bool)
        keep[0] = True
        keep[1:] = (k[1:] != k[:-1]) | (s[1:] != s[:-1])
        k, s = k[keep], s[keep]
    return k, s


def _list_like(stopwords: np.ndarray, lengths: np.ndarray, config: DedupConfig) -> np.ndarray:
    return list_like(stopwords, lengths, config.list_min_tokens, config.list_stopword_share)


def prepare(doc_id: str, analysis: Analysis, config: DedupConfig) -> Prepared:
    """The arrays :func:`verify` compares, for one document (vectorised over its tokens)."""
    tokens = analysis.tokens
    hashes = token_hashes(tokens)
    shingles = np.unique(shingles_of(hashes, config.shingle_size))
    starts = np.asarray(analysis.sentence_starts, dtype=np.int64)
    n_sent = len(starts)
    lengths = np.diff(np.append(starts, len(tokens))).astype(np.int64)
    if not len(tokens):
        return Prepared(doc_id, analysis, shingles, _EMPTY_U64, _EMPTY_I64, _EMPTY_U64, _EMPTY_I64,
                        np.zeros(n_sent, dtype=np.int64), lengths)
    sent = np.repeat(np.arange(n_sent, dtype=np.int64), lengths)
    long_enough = lengths >= config.sentence_min_tokens
    stop = np.isin(hashes, stopword_hashes())
    content = ~stop & long_enough[sent]
    wk, ws = _unique_entries(hashes[content], sent[content])
    counts = np.bincount(ws, minlength=n_sent).astype(np.int64)
    eligible = (counts >= config.sentence_min_content_words) & ~_list_like(np.bincount(sent[stop], minlength=n_sent), lengths, config)
    keep = eligible[ws]
    wk, ws = wk[keep], ws[keep]
    counts[~eligible] = 0
    # Bigrams inside one sentence: positions k whose next token is in the same sentence.
    with np.errstate(over="ignore"):
        pair_keys = hashes[:-1] * _BIGRAM_MUL + hashes[1:]
    pair_sent = sent[:-1]
    inside = (pair_sent == sent[1:]) & eligible[pair_sent]
    bk, bs = _unique_entries(pair_keys[inside], pair_sent[inside])
    return Prepared(doc_id, analysis, shingles, wk, ws, bk, bs, counts, lengths)


# Documents per batch in prepare_texts: enough to amortise numpy's per-call cost
# (the same size sign_texts uses); a batch's arrays stay a few MiB.
_PREPARE_BATCH = 256


def prepare_texts(ids: Sequence[str], texts: Sequence[str], config: DedupConfig) -> list[Prepared]:
    """``[prepare(i, analyze(t), config) for i, t in zip(ids, texts)]``, array for array, in batches.

    Texts are folded, tokenised and hashed as :func:`dedupe._sign.sign_texts`
    does (one :class:`~dedupe._sign.FoldedBatch` per batch) and every array is
    computed over the whole batch, so the cost per document is a few numpy
    passes over its tokens rather than dozens of numpy calls.
    """
    if len(ids) != len(texts):
        raise ValueError(f"prepare_texts: {len(ids)} ids but {len(texts)} texts; pass one id per text")
    out: list[Prepared] = []
    for lo in range(0, len(texts), _PREPARE_BATCH):
        chunk = [t or "" for t in texts[lo : lo + _PREPARE_BATCH]]
        chunk_ids = list(ids[lo : lo + _PREPARE_BATCH])
        result: list[Prepared | None] = [None] * len(chunk)
        for which, batch in fold_texts(chunk):
            for k, p in zip(which, _prepare_folded(batch, [chunk_ids[k] for k in which], config)):
                result[k] = p
        out.extend(result)  # type: ignore[arg-type]
    return out


def _prepare_folded(batch: FoldedBatch, ids: list[str], config: DedupConfig) -> list[Prepared]:
    """Prepared documents from one folded batch. Token hashes come straight from the bytes, as
    sign_texts computes them; each document keeps its folded bytes, non-word bytes as spaces
    (what _FoldedAnalysis decodes, for the few documents whose passages are shown): about one
    byte per character, where interned token strings took 8 bytes a token."""
    return _prepare_tokens(ids, batch.spaced_documents(), batch.hashes, batch.doc_tokens, batch.sentence_starts,
                           config)


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` by an unstable sort (numpy's own is a hash table plus a sort, 10x slower here)."""
    x = np.sort(x)
    if len(x) > 1:
        x = x[np.concatenate(([True], x[1:] != x[:-1]))]
    return x


def _bits(n: int) -> int:
    return max(int(n).bit_length(), 1)


def _unique_doc_entries(doc_of_sent: np.ndarray, keys: np.ndarray, sentences: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_unique_entries` of every document at once: the distinct ``(key, sentence)``
    entries sorted by document, key, sentence (``sentences`` are batch-wide numbers).

    Keys are replaced by their rank among the batch's keys, so that document,
    rank and sentence pack into one integer and a plain sort orders them.
    """
    if not len(keys):
        return _EMPTY_U64, _EMPTY_I64
    order = np.argsort(keys)
    ks = keys[order]
    new = np.empty(len(ks), dtype=bool)
    new[0] = True
    new[1:] = ks[1:] != ks[:-1]
    distinct = ks[new]
    rank = np.empty(len(ks), dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    sb, rb, db = _bits(len(doc_of_sent)), _bits(len(distinct)), _bits(int(doc_of_sent[-1]) + 1)
    if sb + rb + db > 63:
        raise ValueError(f"batch too large to pack ({len(keys)} entries); use fewer documents per batch")
    packed = (doc_of_sent[sentences] << (rb + sb)) | (rank << sb) | sentences
    packed = _sorted_unique(packed)
    return distinct[(packed >> sb) & ((1 << rb) - 1)], packed & ((1 << sb) - 1)


def _prepare_tokens(ids: list[str], texts: list[bytes], th: np.ndarray, doc_tokens: np.ndarray,
                    sent_starts: np.ndarray, config: DedupConfig) -> list[Prepared]:
    """What :func:`prepare` computes, for documents whose tokens follow one another.

    ``doc_tokens``: ``(docs + 1,)`` token offsets; ``sent_starts``: ascending
    token offsets where sentences start, each non-empty document's first token
    among them, so no sentence spans two documents.
    """
    docs = len(ids)
    total = len(th)
    ntok = np.diff(doc_tokens)
    doc_of_tok = np.repeat(np.arange(docs, dtype=np.int64), ntok)
    sent_len = np.diff(np.append(sent_starts, total)).astype(np.int64)
    n_sent = len(sent_starts)
    sent_of_tok = np.repeat(np.arange(n_sent, dtype=np.int64), sent_len)
    doc_of_sent = doc_of_tok[sent_starts] if n_sent else np.empty(0, dtype=np.int64)
    first_sent = np.searchsorted(sent_starts, doc_tokens)

    # Shingles: n-grams inside one document (a short document has one, of all its tokens).
    n = config.shingle_size
    parts, part_docs = [], []
    if total >= n:
        inside = np.flatnonzero(doc_of_tok[: total - n + 1] == doc_of_tok[n - 1 :])
        parts.append(shingles_of(th, n)[inside])
        part_docs.append(doc_of_tok[inside])
    for d in np.flatnonzero((ntok > 0) & (ntok < n)).tolist():
        parts.append(shingles_of(th[doc_tokens[d] : doc_tokens[d + 1]], n))
        part_docs.append(np.array([d], dtype=np.int64))
    if parts:
        keyed = _sorted_unique((np.concatenate(part_docs).astype(np.uint64) << np.uint64(32))
                               | np.concatenate(parts).astype(np.uint64))
    else:
        keyed = _EMPTY_U64
    sh_bounds = np.searchsorted(keyed >> np.uint64(32), np.arange(docs + 1, dtype=np.uint64))
    shingles = keyed.astype(np.uint32)

    # Content words of long enough sentences, one entry per (word, sentence).
    stop = stopword_hashes()
    at = np.minimum(np.searchsorted(stop, th), len(stop) - 1)
    is_stop = stop[at] == th
    content = ~is_stop & (sent_len >= config.sentence_min_tokens)[sent_of_tok]
    wk, ws = _unique_doc_entries(doc_of_sent, th[content], sent_of_tok[content])
    counts = np.bincount(ws, minlength=n_sent).astype(np.int64)
    eligible = (counts >= config.sentence_min_content_words) & ~_list_like(np.bincount(sent_of_tok[is_stop], minlength=n_sent), sent_len, config)
    keep = eligible[ws]
    wk, ws = wk[keep], ws[keep]
    counts[~eligible] = 0
    # Bigrams inside one eligible sentence.
    if total > 1:
        with np.errstate(over="ignore"):
            pair_keys = th[:-1] * _BIGRAM_MUL + th[1:]
        pair_sent = sent_of_tok[:-1]
        inside_pair = (pair_sent == sent_of_tok[1:]) & eligible[pair_sent]
        bk, bs = _unique_doc_entries(doc_of_sent, pair_keys[inside_pair], pair_sent[inside_pair])
    else:
        bk, bs = _EMPTY_U64, _EMPTY_I64
    w_bounds = np.searchsorted(doc_of_sent[ws], np.arange(docs + 1))
    b_bounds = np.searchsorted(doc_of_sent[bs], np.arange(docs + 1))
    ws_local = ws - first_sent[doc_of_sent[ws]]
    bs_local = bs - first_sent[doc_of_sent[bs]]
    local_starts = sent_starts - doc_tokens[doc_of_sent]

    out = []
    dt, fs, sb, wb, bb = (doc_tokens.tolist(), first_sent.tolist(), sh_bounds.tolist(), w_bounds.tolist(),
                          b_bounds.tolist())
    starts_list = local_starts.tolist()
    for d in range(docs):
        s0, s1 = fs[d], fs[d + 1]
        analysis = _FoldedAnalysis(texts[d], dt[d + 1] - dt[d], tuple(starts_list[s0:s1]))
        # Copies, not views: a kept document must not keep its whole batch's arrays alive.
        out.append(Prepared(
            ids[d], analysis, shingles[sb[d] : sb[d + 1]].copy(),
            wk[wb[d] : wb[d + 1]].copy(), ws_local[wb[d] : wb[d + 1]].copy(),
            bk[bb[d] : bb[d + 1]].copy(), bs_local[bb[d] : bb[d + 1]].copy(),
            counts[s0:s1].copy(), sent_len[s0:s1].copy(),
        ))
    return out


def _overlap_counts(xk: np.ndarray, xs: np.ndarray, yk: np.ndarray, ys: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """``(nx, ny)`` counts of keys shared by sentence i of x and sentence j of y (keys sorted)."""
    if not len(xk) or not len(yk):
        return np.zeros((nx, ny), dtype=np.int64)
    lo = np.searchsorted(yk, xk, side="left")
    hi = np.searchsorted(yk, xk, side="right")
    per = hi - lo
    total = int(per.sum())
    if not total:
        return np.zeros((nx, ny), dtype=np.int64)
    rows = np.repeat(xs, per)
    starts = np.repeat(lo - (np.cumsum(per) - per), per)
    cols = ys[np.arange(total) + starts]
    return np.bincount(rows * ny + cols, minlength=nx * ny).reshape(nx, ny)


def sentence_scores(x: Prepared, y: Prepared, config: DedupConfig, fragments: bool = False) -> np.ndarray:
    """``(nx, ny)``: the score of each sentence pair of x and y that matches, else -1.

    A match: the Dice overlap of the two sentences' content words is at least
    ``sentence_match`` and they share at least ``sentence_min_bigrams`` word
    bigrams (so a bag of common topic words in a different order is no match);
    the score is the Dice overlap. With ``fragments`` (and ``fragment_match``
    on), a fragment inside a longer sentence (see :func:`_fragment_cells`) also
    matches, scored by the share of the fragment's content words found in it.
    Each sentence's best counterpart is the first best one (:func:`_best_matches`).
    """
    return _sentence_cells(x, y, config, fragments)[0]


def _sentence_cells(x: Prepared, y: Prepared, config: DedupConfig, fragments: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sentence_scores`, and ``(nx, ny)`` True where the score is a fragment's."""
    nx, ny = len(x.lengths), len(y.lengths)
    shared = _overlap_counts(x.word_keys, x.word_sentences, y.word_keys, y.word_sentences, nx, ny)
    bigrams = _overlap_counts(x.bigram_keys, x.bigram_sentences, y.bigram_keys, y.bigram_sentences, nx, ny)
    wx, wy = x.word_counts[:, None], y.word_counts[None, :]
    sizes = wx + wy
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(sizes > 0, 2 * shared / np.maximum(sizes, 1), 0.0)
    score = np.where((dice >= config.sentence_match) & (bigrams >= config.sentence_min_bigrams), dice, -1.0)
    frag = np.zeros((nx, ny), dtype=bool)
    if fragments and config.fragment_match > 0:
        frag, contained = _fragment_cells(shared, bigrams, wx, wy, config)
        score = np.where(frag, np.maximum(score, contained), score)
    return score, frag


def _fragment_cells(shared: np.ndarray, bigrams: np.ndarray, wx: np.ndarray, wy: np.ndarray, config: DedupConfig
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Which sentence pairs are a fragment inside a longer sentence, and the share of the
    fragment's content words found in the longer one (arrays broadcast alike).

    A fragment has at least ``fragment_min_words`` content words and at most
    ``fragment_share`` as many as the longer sentence, at least ``fragment_match``
    of them are in the longer sentence, and at least ``fragment_bigrams`` word bigrams
    are shared (the words in the same order, not a bag of topic words).
    """
    short = np.minimum(wx, wy)
    long_ = np.maximum(wx, wy)
    with np.errstate(divide="ignore", invalid="ignore"):
        contained = np.where(short > 0, shared / np.maximum(short, 1), 0.0)
    frag = ((short >= config.fragment_min_words) & (short <= config.fragment_share * long_)
            & (contained >= config.fragment_match) & (bigrams >= config.fragment_bigrams))
    return frag, contained


def _lead(word_counts: np.ndarray, k: int) -> np.ndarray:
    """Per sentence: is it one of the first ``k`` comparable sentences (those that can match)?"""
    comparable = word_counts > 0
    return comparable & (np.cumsum(comparable) <= k)


def _lead_close(x: Prepared, y: Prepared, score: np.ndarray, config: DedupConfig) -> bool:
    """Does a close match (``score`` from :func:`sentence_scores`) involve one of the first
    ``weak_link_lead`` comparable sentences of x or of y? (Always, when the rule is off.)"""
    k = config.weak_link_lead
    if k <= 0:
        return True
    close = score >= config.close_match
    return bool(close[_lead(x.word_counts, k), :].any() or close[:, _lead(y.word_counts, k)].any())


def _best_matches(score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    nx, ny = score.shape
    bx = score.argmax(axis=1)
    sx = score[np.arange(nx), bx]
    by = score.argmax(axis=0)
    sy = score[by, np.arange(ny)]
    return np.where(sx >= 0, bx, -1), np.maximum(sx, 0.0), np.where(sy >= 0, by, -1), np.maximum(sy, 0.0)


def _passages(x: Prepared, match: list[int]) -> tuple[Passage, ...]:
    runs: list[Passage] = []
    spans = x.analysis.sentence_spans()
    i = 0
    n = len(match)
    tokens: tuple[str, ...] | None = None
    while i < n and len(runs) < _MAX_PASSAGES:
        if match[i] < 0:
            i += 1
            continue
        start = i
        while i + 1 < n and match[i + 1] == match[i] + 1:
            i += 1
        s0, e0 = spans[start][0], spans[i][1]
        if tokens is None:
            tokens = x.analysis.tokens
        words = tokens[s0:e0]
        snippet = " ".join(words[:24]) + (" …" if len(words) > 24 else "")
        runs.append(Passage((start, i + 1), (match[start], match[i] + 1), snippet))
        i += 1
    return tuple(runs)


def verify(x: Prepared, y: Prepared, config: DedupConfig) -> Link | None:
    """Exact scores for a candidate pair; a :class:`Link` when they show a copy, else None.

    Whole sentences are matched first; a pair they do not link is verified again with
    fragment matches (see :func:`_fragment_cells`), and links then only when the smaller
    document is at least ``fragment_close_coverage`` covered (see :func:`judge`).
    So every link whole sentences make is as it was without fragment matching.
    """
    if not len(x.shingles) or not len(y.shingles):
        return None
    inter = len(np.intersect1d(x.shingles, y.shingles, assume_unique=True))
    link = _verify_one(x, y, config, inter, False)
    if link is None and config.fragment_match > 0 and len(x.lengths) and len(y.lengths):
        link = _verify_one(x, y, config, inter, True)
    return link


def _verify_one(x: Prepared, y: Prepared, config: DedupConfig, inter: int, fragments: bool) -> Link | None:
    """:func:`verify`, with or without fragment matches."""
    # Tokens each matched sentence counts for: all of it, except the longer sentence of a
    # fragment match, which counts the fragment's length (the part of it that was copied).
    len_x, len_y = x.lengths, y.lengths
    if len(x.lengths) and len(y.lengths):
        score, frag = _sentence_cells(x, y, config, fragments)
        mx, sx, my, sy = _best_matches(score)
        lead = _lead_close(x, y, score, config)
        if fragments:
            ix, iy = np.arange(len(mx)), np.arange(len(my))
            len_x = np.where((mx >= 0) & frag[ix, mx], np.minimum(x.lengths, y.lengths[mx]), x.lengths)
            len_y = np.where((my >= 0) & frag[my, iy], np.minimum(y.lengths, x.lengths[my]), y.lengths)
    else:  # a side without sentences: nothing matches
        mx, my = np.full(len(x.lengths), -1), np.full(len(y.lengths), -1)
        sx, sy = np.zeros(len(mx)), np.zeros(len(my))
        lead = config.weak_link_lead <= 0
    matched_x, matched_y = mx >= 0, my >= 0
    close_mx, close_my = sx >= config.close_match, sy >= config.close_match
    numbers = [len(x.shingles), len(y.shingles), x.comparable, y.comparable,
               int(matched_x.sum()), int(matched_y.sum()), int(close_mx.sum()), int(close_my.sum()),
               int(len_x[matched_x].sum()), int(len_y[matched_y].sum()),
               int(len_x[close_mx].sum()), int(len_y[close_my].sum())]
    tallies = Tallies(*(np.array([v], dtype=np.int64) for v in numbers), lead=np.array([lead]))
    verdicts = judge(tallies, config, lambda which: np.array([inter], dtype=np.int64), fragments)
    if not verdicts.linked()[0]:
        return None
    return verdicts.links(np.zeros(1, dtype=np.int64), [x.id], [y.id], [_passages(x, mx.tolist())])[0]


@dataclass(frozen=True)
class Tallies:
    """What the verdict reads of pairs of documents x and y, one entry per pair (:func:`verify`
    passes arrays of one, :func:`verify_many` a block's pairs).

    ``shingles_*``: distinct shingles; ``comparable_*``: comparable tokens
    (:attr:`Prepared.comparable`); ``matched_*``: sentences with a match in the
    other document, ``close_*`` with a close one (at least ``close_match``);
    ``covered_*`` and ``close_covered_*``: the tokens of those sentences (the
    longer sentence of a fragment match counts the fragment's); ``lead``: a close
    match involves one of the first ``weak_link_lead`` comparable sentences of
    either side (always True when that test is off).
    """

    shingles_x: np.ndarray
    shingles_y: np.ndarray
    comparable_x: np.ndarray
    comparable_y: np.ndarray
    matched_x: np.ndarray
    matched_y: np.ndarray
    close_x: np.ndarray
    close_y: np.ndarray
    covered_x: np.ndarray
    covered_y: np.ndarray
    close_covered_x: np.ndarray
    close_covered_y: np.ndarray
    lead: np.ndarray


@dataclass(frozen=True)
class Verdicts:
    """:func:`judge`'s verdicts and scores, one entry per pair (scores count only where linked)."""

    near: np.ndarray  # bool: a near-duplicate
    syndicated: np.ndarray  # bool: a syndicated copy (never also near)
    score: np.ndarray
    jaccard: np.ndarray
    containment_x: np.ndarray
    containment_y: np.ndarray
    coverage_x: np.ndarray
    coverage_y: np.ndarray
    close_coverage_x: np.ndarray
    close_coverage_y: np.ndarray
    shared: np.ndarray  # shared sentences

    def linked(self) -> np.ndarray:
        return self.near | self.syndicated

    def links(self, which: np.ndarray, ids_x: Sequence[str], ids_y: Sequence[str],
              passages: Sequence[tuple[Passage, ...]]) -> list[Link]:
        """The :class:`Link` of each linked pair ``which[k]``, between ``ids_x[k]`` and ``ids_y[k]``."""
        # Rounded as Python's round of the same float64 values.
        cols = [[round(v, 4) for v in a[which].tolist()]
                for a in (self.score, self.jaccard, self.containment_x, self.containment_y, self.coverage_x,
                          self.coverage_y, self.close_coverage_x, self.close_coverage_y)]
        names: tuple[LinkKind, LinkKind] = ("near-duplicate", "syndicated")
        kinds = [names[v] for v in np.where(self.near[which], 0, 1).tolist()]
        return [Link(*fields) for fields in zip(ids_x, ids_y, kinds, *cols, self.shared[which].tolist(), passages)]


def judge(t: Tallies, config: DedupConfig, shared_shingles: Callable[[np.ndarray], np.ndarray],
          fragments: bool = False) -> Verdicts:
    """The verdict on pairs from their numbers (see the module docstring), every pair at once.

    ``shared_shingles(which)`` gives the shingles shared by the pairs ``which``
    (indices); it is asked only for the pairs whose verdict or scores need them:
    those that link on sentences, and those whose shingle counts allow Jaccard
    ``near_duplicate_jaccard`` (it is at most the smaller count over the larger).
    ``fragments``: the verdict of the fragment pass, which links only where the
    smaller document is at least ``fragment_close_coverage`` covered.
    """
    tok_x = np.maximum(t.comparable_x, 1)
    tok_y = np.maximum(t.comparable_y, 1)
    cov_x, cov_y = t.covered_x / tok_x, t.covered_y / tok_y
    close_x, close_y = t.close_covered_x / tok_x, t.close_covered_y / tok_y
    x_small = t.comparable_x <= t.comparable_y
    small, large = np.where(x_small, cov_x, cov_y), np.where(x_small, cov_y, cov_x)
    shared = np.minimum(t.matched_x, t.matched_y)
    close_most = np.maximum(close_x, close_y)
    near_cov = (small >= config.near_duplicate_coverage) & (large >= config.near_duplicate_larger_coverage)
    syndicated = (
        (shared >= config.min_shared_sentences)
        & (np.maximum(cov_x, cov_y) >= config.min_coverage)
        & (close_most >= config.min_close_coverage)
        & ((close_most >= config.follow_up_close_coverage) | (np.minimum(cov_x, cov_y) >= config.rewrite_coverage))
        & (t.lead | (close_most >= config.weak_link_close))
    ) | ((np.minimum(t.close_x, t.close_y) >= 1)
         & (np.where(x_small, close_x, close_y) >= config.single_sentence_coverage))

    nsx, nsy = t.shingles_x, t.shingles_y
    need = near_cov | syndicated | (np.minimum(nsx, nsy) / np.maximum(nsx, nsy) >= config.near_duplicate_jaccard)
    inter = np.zeros(len(nsx), dtype=np.int64)
    which = np.flatnonzero(need)
    if len(which):
        inter[which] = shared_shingles(which)
    jaccard = inter / (nsx + nsy - inter)
    near = (jaccard >= config.near_duplicate_jaccard) | near_cov
    if fragments:
        ok = small >= config.fragment_close_coverage
        near, syndicated = near & ok, syndicated & ok
    score = np.maximum(np.maximum(cov_x, cov_y), jaccard)
    return Verdicts(near, syndicated & ~near, score, jaccard, inter / nsx, inter / nsy, cov_x, cov_y, close_x,
                    close_y, shared)


# verify_many works on blocks of pairs: at most _BLOCK_PAIRS pairs (below) and
# this many sentence pairs (cells), since a block's overlap counts are dense over
# its cells (2**20 cells: 8 MiB per array).
_BLOCK_CELLS = 1 << 20
_SHIFT = np.uint64(32)


def verify_many(pairs: Sequence[tuple[int, int]], prepared: Mapping[int, Prepared] | Sequence[Prepared],
                config: DedupConfig) -> list[Link | None]:
    """``[verify(prepared[a], prepared[b], config) for a, b in pairs]``, equal link for link.

    Pairs are verified a block at a time: the shared shingles and the
    sentence-by-sentence overlap counts of every pair in a block come from
    one sort each over the block's entries (see :func:`_join`), so the numpy
    cost is per block, not per pair. Sorted pairs (as the pipeline makes
    them) share documents within a block, which keeps the blocks small.
    """
    out: list[Link | None] = []
    for lo in range(0, len(pairs), _BLOCK_PAIRS):
        block = np.array(pairs[lo : lo + _BLOCK_PAIRS], dtype=np.int64).reshape(-1, 2)
        numbers, local = np.unique(block.reshape(-1), return_inverse=True)
        arrays = _Arrays([prepared[n] for n in numbers.tolist()])
        if max(len(arrays.words.keys), len(arrays.bigrams.keys)) >= 1 << _ENTRY_BITS:  # giant documents
            docs = arrays.docs
            out.extend(verify(docs[a], docs[b], config) for a, b in local.reshape(-1, 2).tolist())
            continue
        out.extend(_verify_pairs(arrays, local[0::2], local[1::2], config))
    return out


def _verify_pairs(arrays: _Arrays, lx: np.ndarray, ly: np.ndarray, config: DedupConfig) -> list[Link | None]:
    """:func:`verify` of documents ``lx[k]`` and ``ly[k]`` of ``arrays``: the pairs that fit go
    to :func:`_verify_block` (halved until their cells do), the others one by one."""
    out: list[Link | None] = [None] * len(lx)
    todo = np.flatnonzero((arrays.n_sh[lx] > 0) & (arrays.n_sh[ly] > 0))
    cells = int((arrays.n_sent[lx[todo]] * arrays.n_sent[ly[todo]]).sum())
    if len(todo) > 1 and cells > _BLOCK_CELLS:
        half = len(todo) // 2
        parts = [todo[:half], todo[half:]]
        results = [_verify_pairs(arrays, lx[p], ly[p], config) for p in parts]
        for p, links in zip(parts, results):
            for k, link in zip(p.tolist(), links):
                out[k] = link
    elif len(todo):
        possible = np.zeros(len(todo), dtype=bool) if config.fragment_match > 0 else None
        for k, link in zip(todo.tolist(), _verify_block(arrays, lx[todo], ly[todo], config, False, possible)):
            out[k] = link
        if possible is not None:  # the pairs whole sentences did not link, with fragments (see verify)
            again = np.array([k for k, p in zip(todo.tolist(), possible.tolist()) if p and out[k] is None],
                             dtype=np.int64)
            if len(again):
                for k, link in zip(again.tolist(), _verify_block(arrays, lx[again], ly[again], config, True)):
                    out[k] = link
    return out


# Prefetched results PairVerifier keeps at most (about 1 KB each).
_KEPT_RESULTS = 200_000


class PairVerifier:
    """Verification of pairs that are asked for one at a time (the on-demand checks of
    :func:`dedupe._cluster.group`) but can be announced in batches: :meth:`prefetch`
    verifies a batch with :func:`verify_many` and keeps the results until
    :meth:`check` takes them; a pair not prefetched is verified when asked.

    Documents are prepared when first needed, with one :func:`prepare_texts`
    call per batch, and the ``cache`` most recently used are kept (about
    25 KB each for 500-word documents; on the 20,000-document stress corpus
    8192 of them re-prepare each document 2.6 times on average, 4096 5.7 times).
    ``fetch(numbers)`` gives the ``(ids, texts)`` of documents by number;
    ``load(numbers)``, when given, the documents prepared already (``None``
    for others), which are then not prepared again.
    Results are those of :func:`verify`, whatever was prefetched or loaded.
    """

    def __init__(self, fetch: Callable[[list[int]], tuple[Sequence[str], Sequence[str]]], config: DedupConfig,
                 cache: int = 8192, load: Callable[[list[int]], Sequence[Prepared | None]] | None = None) -> None:
        self._fetch = fetch
        self._load = load
        self._config = config
        self._cache = cache
        self.prepared: dict[int, Prepared] = {}
        self._results: dict[tuple[int, int], Link | None] = {}

    def prefetch(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Verify ``pairs`` now, for :meth:`check` to take later."""
        todo = [p for p in dict.fromkeys(pairs) if p not in self._results]
        if len(self._results) + len(todo) > _KEPT_RESULTS:  # never asked for: forget them
            self._results.clear()
        for lo in range(0, len(todo), self._cache // 2):
            part = todo[lo : lo + self._cache // 2]
            self.prepare(n for pair in part for n in pair)
            self._results.update(zip(part, verify_many(part, self.prepared, self._config)))

    def check(self, a: int, b: int) -> Link | None:
        """``verify`` of documents ``a`` and ``b``."""
        if (a, b) not in self._results:
            self.prefetch([(a, b)])
        return self._results.pop((a, b))

    def prepare(self, numbers: Iterable[int]) -> None:
        """Make sure the documents ``numbers`` are prepared (and keep them, most recent last)."""
        prepared = self.prepared
        wanted = dict.fromkeys(numbers)
        missing = []
        for n in wanted:
            p = prepared.pop(n, None)
            if p is None:
                missing.append(n)
            else:
                prepared[n] = p  # recently used: to the end
        if not missing:
            return
        for n in list(prepared):  # the least recently used make room (never these pairs' own)
            if len(prepared) + len(missing) <= self._cache:
                break
            if n not in wanted:
                del prepared[n]
        if self._load is not None:  # prepared already, elsewhere
            missing_after = []
            for n, p in zip(missing, self._load(missing)):
                if p is None:
                    missing_after.append(n)
                else:
                    prepared[n] = p
            missing = missing_after
            if not missing:
                return
        ids, texts = self._fetch(missing)
        prepared.update(zip(missing, prepare_texts(ids, texts, self._config)))


def _offsets(sizes: np.ndarray) -> np.ndarray:
    off = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=off[1:])
    return off


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated index ranges ``starts[k] .. starts[k] + lengths[k]``."""
    total = int(lengths.sum())
    if not total:
        return _EMPTY_I64
    before = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - before, lengths)


# _join packs (pair in block, high half of a key, side, entry number) into 64 bits:
# 7 + 32 + 1 + 24 (blocks whose documents have 16M word or bigram entries or more
# go one pair at a time). 128 pairs a block: faster than 32 or 64 on the generated
# 5,000-document corpus synd3 (fewer numpy calls per pair), and than 512 or 2048 in
# an earlier version of this code (larger arrays leave the caches).
_PAIR_BITS = 7
_BLOCK_PAIRS = 1 << _PAIR_BITS
_ENTRY_BITS = 24
_U = np.uint64
_SIDE_Y = _U(1 << _ENTRY_BITS)
_KEY_SHIFT = _U(1 + _ENTRY_BITS)
_PAIR_SHIFT = _U(33 + _ENTRY_BITS)
_ENTRY_MASK = _U((1 << _ENTRY_BITS) - 1)


class _Entries:
    """``(key, sentence)`` entries of several documents, concatenated, and each document's
    distinct keys: ``packed`` holds a distinct key's high half and its number (as :func:`_join`
    sorts them), ``first`` its first entry and ``mult`` its entries (one per sentence);
    ``sentence`` is each entry's sentence, numbered among all the documents' sentences."""

    def __init__(self, keys: list[np.ndarray], sentences: list[np.ndarray], sent_off: np.ndarray) -> None:
        sizes = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        off = _offsets(sizes)
        self.keys = np.concatenate(keys) if keys else _EMPTY_U64
        self.sentence = (np.concatenate(sentences) if sentences else _EMPTY_I64) + np.repeat(sent_off[:-1], sizes)
        new = np.ones(len(self.keys), dtype=bool)
        new[1:] = self.keys[1:] != self.keys[:-1]
        new[off[:-1][sizes > 0]] = True  # a document's first entry
        self.first = np.flatnonzero(new)
        self.mult = np.diff(np.append(self.first, len(self.keys)))
        self.sizes = np.diff(np.searchsorted(self.first, off))  # distinct keys per document
        self.bounds = _offsets(self.sizes).tolist()
        # Key numbers are positions in ``first`` (verify_many keeps them under 2**_ENTRY_BITS).
        self.packed = ((self.keys[self.first] >> _SHIFT) << _KEY_SHIFT) | np.arange(len(self.first), dtype=_U)


def _runs(values: np.ndarray, bounds: list[int], docs: list[int]) -> np.ndarray:
    """``values`` of the documents ``docs`` in turn (document ``d``: ``bounds[d] .. bounds[d + 1]``)."""
    if not docs:
        return values[:0]
    return np.concatenate([values[bounds[d] : bounds[d + 1]] for d in docs])


class _Arrays:
    """The arrays of several prepared documents, each kind concatenated (``*_off``: where a
    document's part starts)."""

    def __init__(self, docs: list[Prepared]) -> None:
        def cat(name: str, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            parts = [getattr(d, name) for d in docs]
            sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
            return np.concatenate(parts) if parts else empty, sizes, _offsets(sizes)

        self.docs = docs
        shingles, self.n_sh, self.sh_off = cat("shingles", _EMPTY_U64)
        self.shingles = shingles.astype(np.uint64)
        self.sh_bounds = self.sh_off.tolist()
        self.word_counts, self.n_sent, self.sent_off = cat("word_counts", _EMPTY_I64)
        self.lengths = cat("lengths", _EMPTY_I64)[0]
        self.words = _Entries([d.word_keys for d in docs], [d.word_sentences for d in docs], self.sent_off)
        self.bigrams = _Entries([d.bigram_keys for d in docs], [d.bigram_sentences for d in docs], self.sent_off)
        self.n_words, self.n_bigrams = self.words.sizes, self.bigrams.sizes
        # Each sentence's first token, within its document.
        ends = np.concatenate(([0], np.cumsum(self.lengths)))
        self.first_token = ends[:-1] - np.repeat(ends[self.sent_off[:-1]], self.n_sent)
        # Comparable tokens per document (Prepared.comparable): tokens of the sentences that can match.
        kept = np.concatenate(([0], np.cumsum(np.where(self.word_counts > 0, self.lengths, 0))))
        self.comparable = kept[self.sent_off[1:]] - kept[self.sent_off[:-1]]
        # Each comparable sentence's rank among its document's comparable sentences (others: large).
        is_comp = self.word_counts > 0
        before = np.concatenate(([0], np.cumsum(is_comp)))
        rank = before[:-1] - np.repeat(before[self.sent_off[:-1]], self.n_sent)
        self.lead_rank = np.where(is_comp, rank, np.iinfo(np.int64).max)


def _join(entries: _Entries, sent_off: np.ndarray, lx: np.ndarray, ly: np.ndarray,
          need: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of equal entries between document ``lx[k]`` and ``ly[k]``, for all ``k`` at
    once: ``(k, sentence in lx[k], sentence in ly[k])`` (sentences numbered in their document).

    The distinct keys of both sides pack as ``(k, high half of the key, side,
    key number)`` into one integer; after one sort a key that both documents
    of pair ``k`` have lies next to itself, the x side first (longer runs:
    high halves that collide). Equal high halves are then checked on the
    whole key, and each shared key gives every combination of its sentences
    in x and in y. ``need``, when given, keeps only keys with a sentence
    (numbered among all documents' sentences) it marks: pairs of sentences
    not both marked may be missing from the result.
    """
    if need is not None:  # a key is needed when one of its sentences is
        need_key = np.maximum.reduceat(need[entries.sentence], entries.first) if len(entries.first) else need[:0]
    sides = []
    for side, docs in ((_U(0), lx), (_SIDE_Y, ly)):
        docs_l = docs.tolist()
        values = _runs(entries.packed, entries.bounds, docs_l)
        values |= np.repeat((np.arange(len(docs), dtype=_U) << _PAIR_SHIFT) | side, entries.sizes[docs])
        if need is not None:
            values = values[need_key[(values & _ENTRY_MASK).astype(np.int64)]]
        sides.append(values)
    packed = np.concatenate(sides)
    packed.sort(kind="stable")  # runs of sorted entries: timsort merges them
    head = packed >> _KEY_SHIFT
    eq = head[1:] == head[:-1]
    if not eq.any():
        return _EMPTY_I64, _EMPTY_I64, _EMPTY_I64
    # Runs of entries with an equal (pair, key), x entries first: ``at`` are the positions
    # whose next entry is in the same run. Most runs are two entries, one of each side.
    at = np.flatnonzero(eq)
    gap = np.diff(at)
    alone = np.ones(len(at), dtype=bool)
    alone[1:] &= gap > 1
    alone[:-1] &= gap > 1
    two = at[alone]
    xv, yv = packed[two], packed[two + 1]
    pair_sides = (xv & _SIDE_Y) < (yv & _SIDE_Y)
    xv, yv = xv[pair_sides], yv[pair_sides]
    if not alone.all():  # longer runs (a key in several sentences): every x entry with every y entry
        longer = at[~alone]
        first = np.concatenate(([True], np.diff(longer) > 1))
        starts = longer[first]
        lens = np.diff(np.append(np.flatnonzero(first), len(longer))) + 1
        is_y = (packed[_ranges(starts, lens)] & _SIDE_Y) != 0
        n_y = np.add.reduceat(is_y.astype(np.int64), _offsets(lens)[:-1])
        n_x = lens - n_y
        both = (n_x > 0) & (n_y > 0)
        starts, n_x, n_y = starts[both], n_x[both], n_y[both]
        # Each x entry repeated once per y entry of its run; the y entries in turn.
        x_pos = _ranges(starts, n_x)
        reps = np.repeat(n_y, n_x)
        y_first = np.repeat(starts + n_x, n_x)
        seg = np.cumsum(reps) - reps
        y_pos = np.arange(int(reps.sum()), dtype=np.int64) + np.repeat(y_first - seg, reps)
        xv = np.concatenate([xv, np.repeat(packed[x_pos], reps)])
        yv = np.concatenate([yv, packed[y_pos]])
    k = (xv >> _PAIR_SHIFT).astype(np.int64)
    kx, ky = (xv & _ENTRY_MASK).astype(np.int64), (yv & _ENTRY_MASK).astype(np.int64)
    ux, uy = entries.first[kx], entries.first[ky]
    same_key = entries.keys[ux] == entries.keys[uy]  # the low halves too
    if not same_key.all():
        k, kx, ky, ux, uy = k[same_key], kx[same_key], ky[same_key], ux[same_key], uy[same_key]
    # Every entry (sentence) of the key in x with every one in y.
    mx, my = entries.mult[kx], entries.mult[ky]
    plain = (mx == 1) & (my == 1)
    gx, gy = ux[plain], uy[plain]
    kk = k[plain]
    if not plain.all():
        k, ux, uy, mx, my = k[~plain], ux[~plain], uy[~plain], mx[~plain], my[~plain]
        # Each x entry of the key, once per y entry; for each x entry, the y entries in turn.
        my_each = np.repeat(my, mx)
        gx = np.concatenate([gx, np.repeat(_ranges(ux, mx), my_each)])
        gy = np.concatenate([gy, _ranges(np.repeat(uy, mx), my_each)])
        kk = np.concatenate([kk, np.repeat(k, mx * my)])
    return kk, entries.sentence[gx] - sent_off[lx[kk]], entries.sentence[gy] - sent_off[ly[kk]]


def _groups_best(key: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For runs of equal ``key`` (contiguous): the run's first position, its best score, and the
    position of its first best score (argmax's tie rule)."""
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    best = np.maximum.reduceat(score, first)
    gid = np.repeat(np.arange(len(first)), np.diff(np.append(first, len(key))))
    at = np.flatnonzero(score == best[gid])
    g = gid[at]
    winner = at[np.concatenate(([True], g[1:] != g[:-1]))]
    return first, best, winner


def min_link_coverage(config: DedupConfig) -> float:
    """The least coverage of one side that any link by sentences needs (syndicated: ``min_coverage``;
    one close sentence: ``single_sentence_coverage``; near-duplicate: ``near_duplicate_coverage``)."""
    return min(config.min_coverage, config.single_sentence_coverage, config.near_duplicate_coverage)


def _coverage_possible(arr: _Arrays, lx: np.ndarray, ly: np.ndarray, kp: np.ndarray, i: np.ndarray, j: np.ndarray,
                       npairs: int, config: DedupConfig) -> np.ndarray:
    """Per pair: can it still link? Its sentences with a cell (kp, i, j) at the Dice threshold cover
    at least :func:`min_link_coverage` of one side, or its shingle counts allow
    Jaccard ``near_duplicate_jaccard``."""
    def covered(doc: np.ndarray, sent: np.ndarray) -> np.ndarray:
        g = arr.sent_off[doc[kp]] + sent  # the sentence, numbered among the block's sentences
        first = np.unique(kp.astype(np.int64) << 32 | g)  # each (pair, sentence) once
        return np.bincount(first >> 32, weights=arr.lengths[first & 0xFFFFFFFF], minlength=npairs)

    need = min_link_coverage(config)
    cov_x = covered(lx, i) / np.maximum(arr.comparable[lx], 1)
    cov_y = covered(ly, j) / np.maximum(arr.comparable[ly], 1)
    nsx, nsy = arr.n_sh[lx], arr.n_sh[ly]
    near_jaccard = np.minimum(nsx, nsy) >= config.near_duplicate_jaccard * np.maximum(nsx, nsy)
    return (np.maximum(cov_x, cov_y) >= need) | near_jaccard


def _small_coverage_possible(arr: _Arrays, lx: np.ndarray, ly: np.ndarray, kp: np.ndarray, i: np.ndarray,
                             j: np.ndarray, npairs: int, need: float) -> np.ndarray:
    """Per pair: do the sentences of its smaller document (by comparable tokens) with a cell
    (kp, i, j) cover at least ``need`` of it, at their full length?"""
    x_small = arr.comparable[lx] <= arr.comparable[ly]
    on_x = x_small[kp]
    doc = np.where(on_x, lx[kp], ly[kp])
    g = arr.sent_off[doc] + np.where(on_x, i, j)
    first = np.unique(kp.astype(np.int64) << 32 | g)  # each (pair, sentence) once
    covered = np.bincount(first >> 32, weights=arr.lengths[first & 0xFFFFFFFF], minlength=npairs)
    small = np.where(x_small, arr.comparable[lx], arr.comparable[ly])
    return covered / np.maximum(small, 1) >= need


def _verify_block(arr: _Arrays, lx: np.ndarray, ly: np.ndarray, config: DedupConfig, fragments: bool = False,
                  fragment_pass: np.ndarray | None = None) -> list[Link | None]:
    """:func:`verify` of documents ``lx[k]`` and ``ly[k]`` of ``arr``, for every ``k``, vectorised.

    ``fragments``: the fragment pass (see :func:`verify`). Otherwise, when given,
    ``fragment_pass`` (bools, one per pair) is set to whether the fragment pass
    could link the pair: an upper bound, from the content words alone.

    Order of work, each step only where the verdict can still need it:
    content-word overlaps of all sentence pairs; bigram overlaps of the
    sentence pairs whose Dice overlap is high enough; shared shingles of
    the pairs that link on sentences or are similar enough in size to reach
    Jaccard ``near_duplicate_jaccard`` (:func:`judge` asks for them).
    """
    npairs = len(lx)
    nx, ny = arr.n_sent[lx], arr.n_sent[ly]
    cell_off = _offsets(nx * ny)
    row_off, col_off = _offsets(nx), _offsets(ny)

    # Content words shared by each sentence pair, then the pairs with a high enough Dice overlap.
    k, si, sj = _join(arr.words, arr.sent_off, lx, ly)
    total = int(cell_off[-1])
    shared_all = np.bincount(cell_off[k] + si * ny[k] + sj, minlength=total)
    cells = np.flatnonzero(shared_all)
    shared = shared_all[cells]
    kp = np.searchsorted(cell_off, cells, side="right") - 1
    rest = cells - cell_off[kp]
    i, j = rest // ny[kp], rest % ny[kp]
    wi, wj = arr.word_counts[arr.sent_off[lx[kp]] + i], arr.word_counts[arr.sent_off[ly[kp]] + j]
    sizes = wi + wj
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = 2 * shared / np.maximum(sizes, 1)
    ok = (sizes > 0) & (dice >= config.sentence_match)
    if fragments:
        # Fragment cells as far as content words tell (the bigrams are counted below).
        frag, contained = _fragment_cells(shared, np.full(len(shared), config.fragment_bigrams), wi, wj, config)
        ok |= frag
    else:
        frag, contained = np.zeros(len(cells), dtype=bool), np.zeros(len(cells))
        if fragment_pass is not None:
            # Which pairs the fragment pass could link: with fragment cells (by content words),
            # the smaller side's sentences with a cell must make fragment_close_coverage of it.
            maybe, _ = _fragment_cells(shared, np.full(len(shared), config.fragment_bigrams), wi, wj, config)
            maybe |= ok
            fragment_pass[:] = _small_coverage_possible(arr, lx, ly, kp[maybe], i[maybe], j[maybe], npairs,
                                                        config.fragment_close_coverage)
    cells, kp, i, j, dice, frag, contained = cells[ok], kp[ok], i[ok], j[ok], dice[ok], frag[ok], contained[ok]
    if len(cells):
        # Pairs that cannot link whatever the bigrams say: the sentences with a cell at Dice
        # sentence_match or more (or a fragment cell) cover less than any link needs of either
        # side (every link needs min_link_coverage of one side, or Jaccard near_duplicate_jaccard,
        # which needs shingle counts within that ratio). Dropping their cells here spares the bigram join and gives
        # the same verdicts.
        viable = _coverage_possible(arr, lx, ly, kp, i, j, npairs, config)
        keep_cells = viable[kp]
        if not keep_cells.all():
            cells, kp, i, j, dice, frag, contained = (cells[keep_cells], kp[keep_cells], i[keep_cells],
                                                      j[keep_cells], dice[keep_cells], frag[keep_cells],
                                                      contained[keep_cells])
    # Of those, the ones with enough shared bigrams.
    if len(cells):
        # Only pairs with candidate cells; only their candidate sentences when that drops many entries.
        pairs_in = np.flatnonzero(np.bincount(kp, minlength=npairs))
        need = np.zeros(int(arr.sent_off[-1]), dtype=bool)
        need[arr.sent_off[lx[kp]] + i] = True
        need[arr.sent_off[ly[kp]] + j] = True
        some = int(nx[pairs_in].sum() + ny[pairs_in].sum())
        selective = 2 * int(np.count_nonzero(need)) < some
        bk, bi, bj = _join(arr.bigrams, arr.sent_off, lx[pairs_in], ly[pairs_in], need if selective else None)
        bk = pairs_in[bk]
        found = np.bincount(cell_off[bk] + bi * ny[bk] + bj, minlength=total)[cells]
        plain = (dice >= config.sentence_match) & (found >= config.sentence_min_bigrams)
        frag &= found >= config.fragment_bigrams
        # The score of a cell: its Dice overlap, or for a fragment the share of it found.
        dice = np.where(frag, np.maximum(np.where(plain, dice, -1.0), contained), dice)
        ok = plain | frag
        kp, i, j, dice, frag = kp[ok], i[ok], j[ok], dice[ok], frag[ok]
    if config.weak_link_lead > 0:
        lead_x = arr.lead_rank[arr.sent_off[lx[kp]] + i] < config.weak_link_lead
        lead_y = arr.lead_rank[arr.sent_off[ly[kp]] + j] < config.weak_link_lead
        lead_ok = np.bincount(kp[(lead_x | lead_y) & (dice >= config.close_match)], minlength=npairs) > 0
    else:
        lead_ok = np.ones(npairs, dtype=bool)

    match_x = np.full(int(row_off[-1]), -1, dtype=np.int64)
    tallies = np.zeros((8, npairs), dtype=np.int64)
    if len(dice):
        # Rows: each sentence of x, best j (cells are in (pair, i, j) order).
        first, best, win = _groups_best(row_off[kp] + i, dice)
        rp, ri = kp[first], i[first]
        match_x[row_off[rp] + ri] = j[win]
        # Columns: each sentence of y, best i.
        order = np.argsort((col_off[kp] + j) * (int(nx.max()) + 1) + i)
        cp, cj = kp[order], j[order]
        cfirst, cbest, cwin = _groups_best(col_off[cp] + cj, dice[order])
        cp, cj = cp[cfirst], cj[cfirst]
        len_x = arr.lengths[arr.sent_off[lx[rp]] + ri]
        len_y = arr.lengths[arr.sent_off[ly[cp]] + cj]
        if fragments and frag.any():
            # The longer sentence of a fragment match counts the fragment's tokens.
            other_y = arr.lengths[arr.sent_off[ly[rp]] + j[win]]
            len_x = np.where(frag[win], np.minimum(len_x, other_y), len_x)
            ci = i[order][cwin]
            other_x = arr.lengths[arr.sent_off[lx[cp]] + ci]
            len_y = np.where(frag[order][cwin], np.minimum(len_y, other_x), len_y)
        close_r = best >= config.close_match
        close_c = cbest >= config.close_match
        tallies[0] = np.bincount(rp, minlength=npairs)
        tallies[1] = np.bincount(cp, minlength=npairs)
        tallies[2] = np.bincount(rp[close_r], minlength=npairs)
        tallies[3] = np.bincount(cp[close_c], minlength=npairs)
        tallies[4] = np.bincount(rp, weights=len_x, minlength=npairs)
        tallies[5] = np.bincount(cp, weights=len_y, minlength=npairs)
        tallies[6] = np.bincount(rp[close_r], weights=len_x[close_r], minlength=npairs)
        tallies[7] = np.bincount(cp[close_c], weights=len_y[close_c], minlength=npairs)
    verdicts = judge(Tallies(arr.n_sh[lx], arr.n_sh[ly], arr.comparable[lx], arr.comparable[ly], *tallies, lead_ok),
                     config, lambda which: _shared_shingles(arr, lx[which], ly[which]), fragments)
    linked = np.flatnonzero(verdicts.linked())
    out: list[Link | None] = [None] * npairs
    if not len(linked):
        return out
    docs = arr.docs
    ids_x = [docs[a].id for a in lx[linked].tolist()]
    ids_y = [docs[b].id for b in ly[linked].tolist()]
    for k, link in zip(linked.tolist(), verdicts.links(linked, ids_x, ids_y,
                                                       _block_passages(arr, lx, row_off, match_x, linked))):
        out[k] = link
    return out


def _shared_shingles(arr: _Arrays, lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """Shingles shared by documents ``lx[k]`` and ``ly[k]`` of ``arr``, for every ``k``: one stable
    sort of the pairs' shingles, tagged with the pair (two sorted runs per pair)."""
    nsx, nsy = arr.n_sh[lx], arr.n_sh[ly]
    tags = np.arange(len(lx), dtype=_U) << _SHIFT
    sh = np.concatenate([
        _runs(arr.shingles, arr.sh_bounds, lx.tolist()) | np.repeat(tags, nsx),
        _runs(arr.shingles, arr.sh_bounds, ly.tolist()) | np.repeat(tags, nsy),
    ])
    sh.sort(kind="stable")  # two sorted runs per pair
    dup = sh[1:][sh[1:] == sh[:-1]]
    return np.bincount((dup >> _SHIFT).astype(np.int64), minlength=len(lx))


def _block_passages(arr: _Arrays, lx: np.ndarray, row_off: np.ndarray, match_x: np.ndarray,
                    linked: np.ndarray) -> list[tuple[Passage, ...]]:
    """:func:`_passages` of the pairs ``linked`` of a block, runs found over all rows at once."""
    pair_of_row = np.repeat(np.arange(len(lx)), np.diff(row_off))
    valid = match_x >= 0
    cont = np.zeros(len(match_x), dtype=bool)
    cont[1:] = valid[1:] & valid[:-1] & (pair_of_row[1:] == pair_of_row[:-1]) & (match_x[1:] == match_x[:-1] + 1)
    run_start = np.flatnonzero(valid & ~cont)
    ends_flag = valid & ~np.append(cont[1:], False)
    run_end = np.flatnonzero(ends_flag)  # the last row of each run, in the same order
    run_pair = pair_of_row[run_start]
    lo = np.searchsorted(run_pair, linked, side="left")
    hi = np.minimum(np.searchsorted(run_pair, linked, side="right"), lo + _MAX_PASSAGES)
    sel = _ranges(lo, hi - lo)
    rs, re_ = run_start[sel], run_end[sel]
    doc = lx[run_pair[sel]]
    i0 = rs - row_off[run_pair[sel]]
    i1 = re_ - row_off[run_pair[sel]]
    g0, g1 = arr.sent_off[doc] + i0, arr.sent_off[doc] + i1
    t0 = arr.first_token[g0]
    t1 = arr.first_token[g1] + arr.lengths[g1]
    fields = zip(i0.tolist(), (i1 + 1).tolist(), match_x[rs].tolist(), (match_x[re_] + 1).tolist(),
                 t0.tolist(), t1.tolist(), doc.tolist())
    made = []
    docs = arr.docs
    decoded: dict[int, tuple[str, ...]] = {}  # the documents' tokens, for this block only
    for a0, a1, b0, b1, s0, e0, d in fields:
        tokens = decoded.get(d)
        if tokens is None:
            tokens = decoded[d] = docs[d].analysis.tokens
        text = " ".join(tokens[s0 : min(e0, s0 + 24)]) + (" …" if e0 - s0 > 24 else "")
        made.append(Passage((a0, a1), (b0, b1), text))
    counts = (hi - lo).tolist()
    out = []
    at = 0
    for c in counts:
        out.append(tuple(made[at : at + c]))
        at += c
    return out
