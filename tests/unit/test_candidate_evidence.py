"""The candidate stage's evidence and coverage bound (issue 14): what it counts, and that pruning and
capping buckets lose no link.

- signing with a sentence profile counts the comparable tokens verification counts;
- :func:`pair_evidence` finds, per pair, exactly the sentences of each side that share a band
  key with the other document (brute force over the signatures);
- on corpora whose unrelated documents share paragraphs and stock sentences, with copies
  (clean, edited, noisy), pruning by the bound and capping hot buckets drop pairs and change no
  cluster and no link, whatever the worker count.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._candidates import (HIT_SLOTS, SentenceTokens, band_keys, hit_tokens, merge_evidence, pair_evidence,
                               signature_entries)
from dedupe._stages import evidence_group
from dedupe.config import DedupConfig
from dedupe.pipeline import deduplicate
from dedupe._sign import sign_texts
from dedupe._verify import prepare_texts

WORDS = (
    "council harbour bridge plan vote deadline engineers crossing traffic designed opponents fishing quarter "
    "mayor inquiry tender contractor residents signatures route spokesman cost agency fund construction "
    "scientists station ice drones meltwater satellite glacier expedition panel funding penguin colonies "
    "ship pack data climate models forecast sea level century minister budget market shares profit "
    "police witnesses court judge trial election party leader campaign voters poll results season club"
).split()
FILLER = "the a of in to and was for on with by at from that it he she they said has had".split()
STOCK = [
    "The company did not immediately respond to a request for comment on the matter.",
    "Police said their investigations were continuing and appealed for witnesses to come forward.",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _noisy(rng: random.Random, text: str, rate: float) -> str:
    """Characters dropped or doubled at ``rate`` (OCR-like noise that breaks 5-grams, not content words)."""
    out = []
    for ch in text:
        r = rng.random()
        if ch.isalpha() and r < rate:
            continue
        out.append(ch)
        if ch.isalpha() and r > 1 - rate:
            out.append(ch)
    return "".join(out)


def shared_corpus(seed: int, n: int = 160) -> list[dict[str, str]]:
    """Originals built from a pool of paragraphs each printed by about five unrelated documents
    (never two shared by the same pair), stock sentences in many of them, and copies: reposts,
    abridged, edited (words swapped) and noisy ones."""
    rng = random.Random(seed)
    pool = [_paragraph(rng) for _ in range(n * 2)]
    users: list[list[int]] = [[] for _ in pool]
    docs: list[dict[str, str]] = []
    originals: list[list[str]] = []
    for i in range(n):
        if originals and rng.random() < 0.3:
            paras = list(rng.choice(originals))
            kind = rng.choice(["repost", "abridged", "edited", "noisy"])
            if kind == "abridged":
                paras = paras[: max(3, len(paras) - 2)]
            elif kind == "edited":
                paras = [" ".join(rng.choice(WORDS) if rng.random() < 0.08 else w for w in p.split()) for p in paras]
            elif kind == "noisy":
                paras = [_noisy(rng, p, 0.03) for p in paras]
            docs.append({"id": f"d{i:04d}", "text": "\n\n".join(paras)})
            continue
        partners: set[int] = set()
        paras = [_paragraph(rng)]  # the story's own lead
        for _ in range(rng.randint(5, 8)):
            for _ in range(20):
                k = rng.randrange(len(pool))
                if len(users[k]) < 5 and not partners.intersection(users[k]):
                    break
            partners.update(users[k])
            users[k].append(i)
            paras.append(pool[k])
        if rng.random() < 0.6:
            paras[rng.randrange(1, len(paras))] += " " + rng.choice(STOCK)
        originals.append(paras)
        docs.append({"id": f"d{i:04d}", "text": "\n\n".join(paras)})
    return docs


def _profile(config: DedupConfig) -> tuple[int, int, float, int]:
    return config.sentence_min_tokens, config.list_min_tokens, config.list_stopword_share, config.sentence_min_content_words


def _sign(texts: list[str], config: DedupConfig):
    return sign_texts(texts, config.shingle_size, config.num_perm, config.seed,
                      config.sentence_bands * config.sentence_rows, config.sentence_min_shingles,
                      profile=_profile(config))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([DedupConfig(), DedupConfig(sentence_min_content_words=6)]))
def test_signing_profile_counts_what_verification_counts(seed: int, config: DedupConfig) -> None:
    texts = [d["text"] for d in shared_corpus(seed, 12)] + ["", "Short.", "The the the of of a a in."]
    sigs = _sign(texts, config)
    preps = prepare_texts([str(k) for k in range(len(texts))], texts, config)
    for sig, prep in zip(sigs, preps):
        comparable = prep.word_counts > 0
        assert sig.comparable == prep.comparable
        banded = sig.sentence_ids
        assert np.array_equal(sig.sentence_tokens, np.where(comparable[banded], prep.lengths[banded], 0))
        unbanded = comparable.copy()
        unbanded[banded] = False
        assert sig.free == int(prep.lengths[unbanded].sum())


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_evidence_counts_the_sentences_that_share_a_band(seed: int) -> None:
    config = DedupConfig()
    docs = shared_corpus(seed, 30)
    sigs = _sign([d["text"] for d in docs], config)
    ev = pair_evidence([signature_entries(sigs, config)], max_bucket=len(sigs))
    keys = [band_keys(s.sentences, config.sentence_bands, config.sentence_rows) & ~np.uint64(1)
            if len(s.sentences) else np.empty((0, config.sentence_bands), dtype=np.uint64) for s in sigs]

    def hit_tokens_of(x: int, y: int) -> tuple[int, int]:
        other = set(keys[y].ravel().tolist())
        rows = [r for r in range(len(keys[x])) if other.intersection(keys[x][r].tolist())]
        return int(sum(sigs[x].sentence_tokens[r] for r in rows)), len(rows)

    assert len(ev.codes) > 0
    table = SentenceTokens.of([s.sentence_tokens for s in sigs])
    a = (ev.codes >> 32).astype(np.int64)
    b = (ev.codes & 0xFFFFFFFF).astype(np.int64)
    tokens_a, count_a = hit_tokens(ev.hits_a, a, table)
    tokens_b, count_b = hit_tokens(ev.hits_b, b, table)
    assert not ev.over_a.any() and not ev.over_b.any()  # no document here has HIT_SLOTS banded sentences
    loose = set((ev.loose >> 16).tolist())
    assert loose <= set(range(len(sigs)))
    for code, ta, tb, na, nb in zip(ev.codes.tolist(), tokens_a.tolist(), tokens_b.tolist(),
                                    count_a.tolist(), count_b.tolist()):
        a, b = code >> 32, code & 0xFFFFFFFF
        if a in loose or b in loose:  # a repeated sentence: its hits are counted as loose instead
            continue
        assert (ta, na) == hit_tokens_of(a, b)
        assert (tb, nb) == hit_tokens_of(b, a)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.randoms(use_true_random=False))
def test_evidence_of_key_groups_merges_to_the_evidence_of_all_keys(seed: int, bits: int, rnd: random.Random) -> None:
    """Summed over groups of keys (in any order), the evidence is the evidence of all the keys at
    once: a sentence that shares bands in several groups counts once (the hit bitmaps are or-ed)."""
    config = DedupConfig()
    docs = shared_corpus(seed, 30)
    sigs = _sign([d["text"] for d in docs], config)
    keys, owners, aux = signature_entries(sigs, config)
    whole = pair_evidence([(keys, owners, aux)], max_bucket=4)
    group = (keys >> np.uint64(64 - bits)).astype(np.int64)
    parts = [pair_evidence([(keys[group == g], owners[group == g], aux[group == g])], max_bucket=4)
             for g in range(1 << bits)]
    rnd.shuffle(parts)
    merged = merge_evidence(parts)
    for name in ("codes", "weights", "document", "open_keys", "class_hits", "hits_a", "hits_b", "over_a", "over_b", "loose",
                 "loose_tokens"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name
    assert (merged.capped_keys, merged.capped_entries) == (whole.capped_keys, whole.capped_entries)


def test_sentences_past_the_bitmap_are_counted_in_the_overflow() -> None:
    """A document with more than HIT_SLOTS banded sentences: hits at higher slots are summed apart."""
    config = DedupConfig()
    rng = random.Random(5)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(HIT_SLOTS + 20)]
    long_doc = " ".join(sentences)
    short_doc = " ".join(sentences[:3] + sentences[-3:])
    sigs = _sign([long_doc, short_doc], config)
    assert len(sigs[0].sentences) > HIT_SLOTS
    ev = pair_evidence([signature_entries(sigs, config)])
    assert len(ev.codes) == 1
    table = SentenceTokens.of([s.sentence_tokens for s in sigs])
    low_tokens, low_count = hit_tokens(ev.hits_a, np.array([0]), table)
    slots = [r for r, sid in enumerate(sigs[0].sentence_ids.tolist()) if sid in (0, 1, 2)]
    assert low_count[0] == len(slots) == 3
    assert low_tokens[0] == int(sigs[0].sentence_tokens[slots].sum())
    over_count = int(ev.over_a[0] & ((1 << 24) - 1))
    over_tokens = int(ev.over_a[0] >> 24)
    assert over_count == 3 and over_tokens == int(sigs[0].sentence_tokens[-3:].sum())
    assert hit_tokens(ev.hits_b, np.array([1]), table)[1][0] == 6 and ev.over_b[0] == 0


def _clusters(result) -> list[dict]:
    return [c.to_dict() for c in result.clusters]


def test_pruning_and_capping_change_no_cluster_on_shared_paragraphs() -> None:
    docs = shared_corpus(7, 500)
    base = DedupConfig(prune_coverage=0.0, max_bucket=10_000)  # every pair of every bucket
    reference = deduplicate(docs, base)
    default = deduplicate(docs, DedupConfig(), workers=2)
    assert default.stats["pruned_pairs"] > 0.2 * reference.stats["candidate_pairs"]  # the bound does prune
    assert default.stats["capped_keys"] > 0  # the stock sentences' buckets are capped
    assert reference.stats["capped_keys"] == 0
    assert _clusters(default) == _clusters(reference)
    assert sum(len(c.members) > 1 for c in reference.clusters) > 20  # copies were found
    # And the same with one worker: the evidence and so the pruning do not depend on the count.
    alone = deduplicate(docs, DedupConfig(), workers=1)
    assert _clusters(alone) == _clusters(default) and alone.stats == default.stats


def test_bound_off_keeps_every_pair_with_enough_evidence() -> None:
    docs = shared_corpus(3, 200)
    on = deduplicate(docs, DedupConfig())
    off = deduplicate(docs, replace(DedupConfig(), prune_coverage=0.0))
    assert off.stats["pruned_pairs"] == 0
    assert on.stats["candidate_pairs"] + on.stats["pruned_pairs"] == off.stats["candidate_pairs"]
    assert _clusters(on) == _clusters(off)


def test_evidence_cut_by_pair_range_gives_the_same_run(monkeypatch) -> None:
    """Past PAIR_RANGE_DOCS documents the evidence is merged and bounded one range of pairs at a
    time (from disk): the candidates, the stats and the clusters are those of the whole merge."""
    import dedupe.pipeline as pipeline

    docs = shared_corpus(11, 300)
    whole = deduplicate(docs, DedupConfig(), workers=2)
    monkeypatch.setattr(pipeline, "PAIR_RANGE_DOCS", 37)  # 9 ranges
    cut = deduplicate(docs, DedupConfig(), workers=2)
    alone = deduplicate(docs, DedupConfig(), workers=1)
    assert whole.stats["candidate_pairs"] > 100 and whole.stats["pruned_pairs"] > 0
    assert cut.stats == whole.stats == alone.stats
    assert _clusters(cut) == _clusters(whole) == _clusters(alone)
