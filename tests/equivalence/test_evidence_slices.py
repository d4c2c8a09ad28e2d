"""An evidence group cut into slices of its keys (dedupe._candidates.slice_hits, combine_slices): the
slices, computed apart (the Spark engine's tasks, so that one hot group is not one task) and
combined, give exactly the group's evidence, whatever the split and the order; and restricted to a
shard of pairs, the shard's part of it.

The corpora hold documents with more than HIT_SLOTS banded sentences and edited copies of them, so
that one sentence at a high slot shares band keys in several slices: summing such slices (as
merge_evidence sums groups) would count it more than once.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._candidates import (HIT_SLOTS, Evidence, SliceEvidence, combine_slices, merge_evidence, pair_evidence,
                               signature_entries, slice_hits)
from dedupe.config import DedupConfig
from dedupe._sign import sign_texts

WORDS = ("council harbour bridge plan vote deadline engineers crossing traffic designed opponents fishing quarter "
         "mayor inquiry tender contractor residents signatures route spokesman cost agency fund construction "
         "scientists station ice drones meltwater satellite glacier expedition panel funding penguin colonies "
         "police witnesses court judge trial election party leader campaign voters poll results season club").split()
FIELDS = ("codes", "weights", "document", "open_keys", "class_hits", "hits_a", "hits_b", "over_a", "over_b", "loose",
          "loose_tokens")


def corpus(seed: int) -> list[str]:
    """A long document (HIT_SLOTS + 30 sentences), copies of parts of it with one word changed per
    sentence (they share some of a sentence's bands, not its class), and short unrelated ones."""
    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 16))).capitalize() + "."
                 for _ in range(HIT_SLOTS + 30)]

    def edited(sentence: str) -> str:
        words = sentence.rstrip(".").split()
        k = rng.randrange(len(words))
        words[k] = rng.choice(WORDS)
        return " ".join(words) + "."

    texts = [" ".join(sentences)]
    for _ in range(rng.randint(2, 4)):
        lo = rng.randrange(HIT_SLOTS - 20, HIT_SLOTS + 20)
        texts.append(" ".join(edited(s) for s in sentences[:3] + sentences[lo:lo + rng.randint(3, 10)]))
    texts.append(" ".join(sentences))  # an exact copy too
    for _ in range(rng.randint(2, 6)):
        texts.append(" ".join(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(5)))
    return texts


def entries(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    config = DedupConfig()
    sigs = sign_texts(texts, config.shingle_size, config.num_perm, config.seed,
                      config.sentence_bands * config.sentence_rows, config.sentence_min_shingles,
                      profile=(config.sentence_min_tokens, config.list_min_tokens, config.list_stopword_share,
                               config.sentence_min_content_words))
    return signature_entries(sigs, config)


def assert_same(a: Evidence, b: Evidence) -> None:
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.capped_keys, a.capped_entries) == (b.capped_keys, b.capped_entries)


def split(keys: np.ndarray, slices: int, rnd: random.Random) -> np.ndarray:
    """A random slice per distinct key (every occurrence of a key in one slice)."""
    distinct, inverse = np.unique(keys, return_inverse=True)
    of_key = np.array([rnd.randrange(slices) for _ in range(len(distinct))], dtype=np.int64)
    return of_key[inverse]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 9), st.sampled_from([2, 4, 32]), st.integers(0, 2**32))
def test_slices_combined_are_the_evidence_of_the_whole_group(seed: int, slices: int, max_bucket: int,
                                                             split_seed: int) -> None:
    rnd = random.Random(split_seed)
    keys, owners, aux = entries(corpus(seed))
    owners = np.where(np.array([rnd.random() < 0.05 for _ in owners]), -1, owners)  # excluded owners
    whole = pair_evidence([(keys, owners, aux)], max_bucket=max_bucket)
    assert whole.over_a.any() or whole.over_b.any()  # the corpus reaches past the bitmap
    slice_of = split(keys, slices, rnd)
    parts = [slice_hits([(keys[slice_of == s], owners[slice_of == s], aux[slice_of == s])], max_bucket)
             for s in range(slices)]
    rnd.shuffle(parts)
    assert_same(combine_slices(parts), whole)
    assert_same(combine_slices([slice_hits([(keys, owners, aux)], max_bucket)]), whole)
    # Restricted to shards of pairs, slice by slice, the shards' evidence is the whole's, shard by shard.
    shards = 3
    for shard in range(shards):
        pieces = []
        for part in parts:
            sel = (part.evidence.codes % shards) == shard
            pieces.append(part.restrict(sel))
        got = combine_slices(pieces)
        mine = (whole.codes % shards) == shard
        for name in FIELDS[:9]:
            assert np.array_equal(getattr(got, name), getattr(whole, name)[mine]), name


def test_summing_slices_would_count_a_high_sentence_twice() -> None:
    """Why slices are not merged as groups are: a sentence past the bitmap that shares bands in two
    slices is counted once by combine_slices, twice by merge_evidence of the slices' evidence."""
    for seed in range(30):
        keys, owners, aux = entries(corpus(seed))
        whole = pair_evidence([(keys, owners, aux)])
        rnd = random.Random(seed)
        slice_of = split(keys, 8, rnd)
        parts = [slice_hits([(keys[slice_of == s], owners[slice_of == s], aux[slice_of == s])]) for s in range(8)]
        summed = merge_evidence([_with_over(p) for p in parts])
        if not np.array_equal(summed.over_a, whole.over_a) or not np.array_equal(summed.over_b, whole.over_b):
            assert_same(combine_slices(parts), whole)
            return
    raise AssertionError("no corpus had a high sentence hit in two slices")


def _with_over(part: SliceEvidence) -> Evidence:
    """A slice's evidence with its own high sentences summed into over_a/over_b (as a group's evidence holds them)."""
    return combine_slices([part])
