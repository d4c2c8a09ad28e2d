"""The batch paths of verification give exactly what the per-document, per-pair paths give.

- ``prepare_texts`` (one folded batch, arrays over the whole batch) equals
  ``prepare(id, analyze(text))``: the same analysis, the same arrays, dtypes
  included, on text mixing the characters the byte path treats specially;
- ``verify_many`` (blocks of pairs, one sort per block) equals ``verify`` pair by
  pair: the same links with the same rounded scores and passages, the same Nones,
  on documents built to share sentences with light edits (so that links of both
  kinds and near misses occur), whatever the pairs' order and repeats.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.config import DedupConfig
from dedupe._text import analyze
from dedupe._verify import PairVerifier, prepare, prepare_texts, sentence_scores, verify, verify_many

ARRAYS = ("shingles", "word_keys", "word_sentences", "bigram_keys", "bigram_sentences", "word_counts", "lengths")

WORDS = (
    "council harbour bridge plan vote deadline engineers crossing traffic designed opponents fishing quarter "
    "mayor inquiry tender contractor residents signatures route spokesman cost agency fund construction "
    "scientists station ice drones meltwater satellite glacier expedition panel funding penguin colonies "
    "ship pack data climate models forecast sea level century minister budget"
).split()
FILLER = "the a of in to and was for on with by at from that it".split()
ODD = ["Mr.", "U.S.", "1,000", "d’Arc", "Pokémon", "naïve", "—", "“quoted”", "ß", "İstanbul", "\u2028", "½", "ﬁne"]


def _sentence(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(n)]


def _edit(rng: random.Random, words: list[str], rate: float) -> list[str]:
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 3:
            continue  # dropped
        if r < 2 * rate / 3:
            out.append(rng.choice(WORDS))  # replaced
        else:
            out.append(w)
        if rng.random() < rate / 3:
            out.append(rng.choice(FILLER))  # inserted
    return out or words[:1]


def _text(sentences: list[list[str]]) -> str:
    return " ".join(" ".join(s).capitalize() + "." for s in sentences)


def make_docs(seed: int, n_docs: int = 8, n_base: int = 12) -> list[str]:
    """Documents drawn from one pool of sentences: each takes some, edits them, adds its own."""
    rng = random.Random(seed)
    pool = [_sentence(rng, rng.randint(3, 18)) for _ in range(n_base)]
    docs = []
    for _ in range(n_docs):
        mine = [_edit(rng, s, rng.choice([0.0, 0.1, 0.3, 0.6])) for s in pool if rng.random() < rng.random()]
        mine += [_sentence(rng, rng.randint(2, 14)) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.2:
            rng.shuffle(mine)
        if mine and rng.random() < 0.3:  # a repeated paragraph: equal scores, ties go to the first
            mine.insert(rng.randrange(len(mine) + 1), rng.choice(mine))
        text = _text(mine)
        if rng.random() < 0.2:
            text = text.replace(" ", " " + rng.choice(ODD) + " ", 1)
        docs.append(text)
    return docs


configs = st.sampled_from([
    DedupConfig(),
    DedupConfig(shingle_size=3, sentence_match=0.3, close_match=0.6, min_shared_sentences=1, sentence_min_tokens=3),
    DedupConfig(shingle_size=9, sentence_match=0.8, close_match=0.9, min_coverage=0.1, min_close_coverage=0.0),
    DedupConfig(follow_up_close_coverage=0.6, rewrite_coverage=0.4),
    DedupConfig(weak_link_lead=0),
    DedupConfig(weak_link_lead=1, weak_link_close=0.6, follow_up_close_coverage=0.0),
    DedupConfig(list_stopword_share=0.3, list_min_tokens=4),  # many list-like sentences
    DedupConfig(list_stopword_share=0.0),
    DedupConfig(near_duplicate_jaccard=0.4, near_duplicate_coverage=0.6, near_duplicate_larger_coverage=0.2),
    DedupConfig(sentence_min_bigrams=0),
    DedupConfig(sentence_min_bigrams=4),
    DedupConfig(sentence_min_content_words=1),
    DedupConfig(sentence_min_content_words=6),
])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), configs, st.integers(2, 10))
def test_verify_many_equals_verify(seed, config, n_docs):
    texts = make_docs(seed, n_docs)
    ids = [f"d{k}" for k in range(len(texts))]
    one = [prepare(i, analyze(t), config) for i, t in zip(ids, texts)]
    rng = random.Random(seed)
    pairs = [(a, b) for a in range(len(texts)) for b in range(len(texts)) if a != b and rng.random() < 0.7]
    pairs += pairs[: rng.randint(0, 3)]  # repeats are fine
    expected = [verify(one[a], one[b], config) for a, b in pairs]
    got = verify_many(pairs, one, config)
    assert [x and x.to_dict() for x in got] == [x and x.to_dict() for x in expected]
    # The same from prepare_texts' documents, and from a mapping.
    batch = dict(enumerate(prepare_texts(ids, texts, config)))
    assert [x and x.to_dict() for x in verify_many(pairs, batch, config)] == [x and x.to_dict() for x in expected]


def test_generated_pairs_exercise_every_verdict():
    """The generator behind the property test makes near-duplicates, syndicated copies and non-links."""
    config = DedupConfig()
    kinds = set()
    for seed in range(30):
        texts = make_docs(seed)
        prepared = prepare_texts([str(k) for k in range(len(texts))], texts, config)
        pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
        got = verify_many(pairs, prepared, config)
        assert got == [verify(prepared[a], prepared[b], config) for a, b in pairs]
        kinds.update(link.kind if link else None for link in got)
        if any(link and link.passages for link in got):
            kinds.add("passages")
    assert kinds == {"near-duplicate", "syndicated", None, "passages"}


def test_verdict_thresholds_are_the_configs():
    """The near-duplicate Jaccard, the larger side's near-duplicate coverage and the bigrams a
    sentence match needs are read from the config, by both paths: a pair at Jaccard 0.1 or more
    is a near-duplicate at ``near_duplicate_jaccard=0.1``; with ``near_duplicate_larger_coverage``
    0 every link whose smaller side is ``near_duplicate_coverage`` covered is one; and
    ``sentence_min_bigrams`` changes which sentences match. Each case occurs."""
    base = DedupConfig(fragment_match=0.0)
    loose_jaccard = DedupConfig(fragment_match=0.0, near_duplicate_jaccard=0.1)
    loose_larger = DedupConfig(fragment_match=0.0, near_duplicate_coverage=0.5, near_duplicate_larger_coverage=0.0)
    strict_bigrams = DedupConfig(fragment_match=0.0, sentence_min_bigrams=5)
    by_jaccard = by_small = bigram_changes = 0
    for seed in range(20):
        texts = make_docs(seed)
        prepared = prepare_texts([str(k) for k in range(len(texts))], texts, base)
        pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
        plain = verify_many(pairs, prepared, base)
        for config, check in ((loose_jaccard, "jaccard"), (loose_larger, "small"), (strict_bigrams, "bigrams")):
            got = verify_many(pairs, prepared, config)
            assert got == [verify(prepared[a], prepared[b], config) for a, b in pairs]
            for (a, b), before, link in zip(pairs, plain, got):
                if check == "jaccard" and link is not None and link.jaccard >= 0.1001:  # (rounded)
                    assert link.kind == "near-duplicate"
                    by_jaccard += before is None or before.kind != "near-duplicate"
                if check == "small" and link is not None:
                    x, y = prepared[a], prepared[b]
                    small = link.coverage_a if x.comparable <= y.comparable else link.coverage_b
                    if small >= 0.5001 or link.jaccard >= 0.9:  # (coverages are rounded to 4 decimals)
                        assert link.kind == "near-duplicate"
                        by_small += before is None or before.kind != "near-duplicate"
                if check == "bigrams":
                    bigram_changes += (before and before.to_dict()) != (link and link.to_dict())
    assert by_jaccard and by_small and bigram_changes


def test_follow_up_rule_is_the_only_difference():
    """A syndicated link whose close matches cover less than ``follow_up_close_coverage`` of
    both documents stays only when both are ``rewrite_coverage`` covered (the story retold);
    every other verdict is what it is without the rule. Both cases occur."""
    on = DedupConfig(weak_link_lead=0)
    off = DedupConfig(follow_up_close_coverage=0.0, weak_link_lead=0)
    dropped = retold = 0
    for seed in range(30):
        texts = make_docs(seed)
        prepared = prepare_texts([str(k) for k in range(len(texts))], texts, on)
        pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
        for loose, strict in zip(verify_many(pairs, prepared, off), verify_many(pairs, prepared, on)):
            weak = (loose is not None and loose.kind == "syndicated"
                    and max(loose.close_coverage_a, loose.close_coverage_b) < on.follow_up_close_coverage)
            if weak and min(loose.coverage_a, loose.coverage_b) < on.rewrite_coverage:
                assert strict is None
                dropped += 1
            else:
                assert (strict and strict.to_dict()) == (loose and loose.to_dict())
                retold += weak
    assert dropped and retold


def test_lead_rule_is_the_only_difference():
    """With ``weak_link_lead``, a syndicated link whose close matches cover less than
    ``weak_link_close`` of both documents is dropped exactly when none of its close matches
    involves one of the first ``weak_link_lead`` comparable sentences of either document;
    every other verdict is what it is without the rule. Both cases occur."""
    # Fragment matches off: a pair whole sentences do not link is verified again with them,
    # and that second verdict has its own lead test.
    on = DedupConfig(weak_link_lead=2, weak_link_close=0.5, follow_up_close_coverage=0.0, fragment_match=0.0)
    off = DedupConfig(weak_link_lead=0, weak_link_close=0.5, follow_up_close_coverage=0.0, fragment_match=0.0)
    dropped = kept = 0
    for seed in range(30):
        texts = make_docs(seed)
        prepared = prepare_texts([str(k) for k in range(len(texts))], texts, on)
        pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
        for (a, b), loose, strict in zip(pairs, verify_many(pairs, prepared, off), verify_many(pairs, prepared, on)):
            weak = (loose is not None and loose.kind == "syndicated"
                    and max(loose.close_coverage_a, loose.close_coverage_b) < on.weak_link_close)
            if weak:
                x, y = prepared[a], prepared[b]
                close = sentence_scores(x, y, on) >= on.close_match
                lead_x = np.flatnonzero(x.word_counts > 0)[:2]
                lead_y = np.flatnonzero(y.word_counts > 0)[:2]
                close = bool(close[lead_x, :].any() or close[:, lead_y].any())
                if not close:
                    assert strict is None
                    dropped += 1
                    continue
                kept += 1
            assert (strict and strict.to_dict()) == (loose and loose.to_dict())
    assert dropped and kept


def test_verify_many_blocks_and_giant_sentences():
    """More pairs than one block, documents of one long sentence, empty ones and repeats."""
    config = DedupConfig()
    base = make_docs(7, 6)
    texts = base + ["", "!!!", " ".join(WORDS * 3), " ".join(WORDS * 3) + " extra words here", base[0]]
    prepared = prepare_texts([str(k) for k in range(len(texts))], texts, config)
    pairs = [(a, b) for a in range(len(texts)) for b in range(len(texts))] * 12  # > 128 pairs
    assert verify_many(pairs, prepared, config) == [verify(prepared[a], prepared[b], config) for a, b in pairs]
    assert verify_many([], prepared, config) == []


PIECES = ["Mr", "U.S", "1,000", "d’", "It's", "é", "ß", "İ", "\u2028", "\x00", "\x02", "\x85", "½", "ﬁ", "\ud800",
          "Д", ". The", "! “A", "?\" 9", "\n", "word", "words", "said", "the", "  "]
texts = st.lists(st.sampled_from(PIECES + WORDS[:8]), max_size=80).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6), configs)
def test_prepare_texts_equals_prepare(batch, config):
    ids = [f"id{k}" for k in range(len(batch))]
    for got, text, doc_id in zip(prepare_texts(ids, batch, config), batch, ids):
        want = prepare(doc_id, analyze(text), config)
        assert got.id == want.id and got.analysis == want.analysis
        for name in ARRAYS:
            a, b = getattr(got, name), getattr(want, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name


def test_prepare_texts_needs_one_id_per_text():
    import pytest

    with pytest.raises(ValueError, match="one id per text"):
        prepare_texts(["a"], ["x", "y"], DedupConfig())


def test_pair_verifier_equals_verify_and_bounds_its_cache():
    config = DedupConfig()
    texts = make_docs(11, 10)
    ids = [f"d{k}" for k in range(len(texts))]
    one = [prepare(i, analyze(t), config) for i, t in zip(ids, texts)]
    fetched = []

    def fetch(numbers):
        fetched.extend(numbers)
        return [ids[n] for n in numbers], [texts[n] for n in numbers]

    verifier = PairVerifier(fetch, config, cache=4)
    rng = random.Random(5)
    all_pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
    for _ in range(30):
        if rng.random() < 0.5:
            verifier.prefetch(rng.sample(all_pairs, rng.randint(1, 6)))
        a, b = rng.choice(all_pairs)
        got, want = verifier.check(a, b), verify(one[a], one[b], config)
        assert (got and got.to_dict()) == (want and want.to_dict())
        assert len(verifier.prepared) <= 4
    assert len(fetched) > len(texts)  # evicted documents were prepared again
