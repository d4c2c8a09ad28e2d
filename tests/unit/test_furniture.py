"""Boilerplate learned from repetition: per-source furniture goes, cross-source repetition stays;
counting is exact below the cap, bounded above it, and independent of input order and workers."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedupe import RunConfig, run
from dedupe.clean import FurnitureLearner
import xxhash

from dedupe.clean.furniture import line_key, line_keys, line_keys_batch, line_keys_folded
from dedupe._sign import token_hashes
from dedupe._text import tokenize

FOOTER = "Follow the Harbour Gazette on every platform for breaking local updates"
WIRE = "The central bank raised its main interest rate by half a point to curb inflation on Thursday."


_VOCAB = [f"{c}{v}{d}" for c in "bdfgklmnprstvz" for v in "aeiou" for d in ("n", "r", "l", "m")]


def _story(i: int) -> str:
    """A short story of its own: random words from a 280-word vocabulary, so stories share no sentences."""
    rng = random.Random(i)
    return "\n".join(" ".join(rng.choice(_VOCAB) for _ in range(14)).capitalize() + "." for _ in range(4))


def test_learner_finds_per_source_furniture_only():
    learner = FurnitureLearner(min_docs=5, min_share=0.8)
    for i in range(6):
        learner.add("gazette.example", _story(i) + "\n" + FOOTER)
    for k in range(6):  # the same wire sentence in six different outlets: article text
        learner.add(f"outlet{k}.example", _story(100 + k) + "\n" + WIRE)
    model = learner.model()
    text, changes = model.strip("gazette.example", _story(1) + "\n" + FOOTER)
    assert FOOTER not in text and _story(1) == text
    assert changes[0].rule == "learned_furniture" and changes[0].removed == FOOTER
    kept, none = model.strip("outlet1.example", _story(101) + "\n" + WIRE)
    assert WIRE in kept and not none


def test_unknown_source_documents_lose_known_furniture():
    learner = FurnitureLearner(min_docs=5)
    for i in range(5):
        learner.add("gazette.example", _story(i) + "\n" + FOOTER)
    text, _ = learner.model().strip(None, _story(9) + "\n" + FOOTER)
    assert FOOTER not in text


def test_run_removes_learned_furniture_and_it_no_longer_links_articles(tmp_path):
    import json

    rows = [{"id": f"g{i}", "url": f"https://www.gazette.example/news/{i}", "text": _story(i) + "\n" + FOOTER + "\n" + FOOTER.upper()}
            for i in range(8)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run([str(src)], RunConfig(workers=1))
    assert len(result.clusters) == 8, "unrelated articles sharing a footer must not be linked"
    assert result.furniture_lines >= 1
    for doc in result.documents.values():
        assert "Harbour Gazette" not in (doc.text or "")
        assert doc.source == "gazette.example"


# --- streaming, bounded, order-independent counting ---

LINE_TEXT = st.text(alphabet="ab Z9,.'’´\u0301\u00e9\u00df\ufb01\u2028\t-_1234567890\n“”—£\x1c\x85\xa0\x0b\r",
                    max_size=40) | st.text(max_size=40)


@given(LINE_TEXT)
@example("Sterling £5 “up”\n\n— a\ud800b ½ 1,000\x1c\rfin")  # non-ASCII gaps, a lone surrogate
def test_line_keys_equal_line_key_per_line(text):
    assert line_keys(text) == [line_key(line) for line in text.split("\n")]


def _reference_key(line: str):
    """A line's key written plainly: xxh3-64 of the token hashes of its normalised tokens."""
    tokens = tokenize(line)
    return xxhash.xxh3_64_intdigest(token_hashes(tokens).astype("<u8").tobytes()) if tokens else None


@given(LINE_TEXT)
@example("Niger’s “junta” — 1,000 TROOPS… Pokémon; ﬁne Straße")
def test_line_key_is_the_hash_of_the_tokens(text):
    for line in text.split("\n"):
        assert line_key(line) == _reference_key(line)


@given(st.lists(LINE_TEXT, max_size=10))
@example(["Niger’s “junta” — 1,000 TROOPS… Pokémon; ﬁne Straße\n\n a  b ", "x\u2028y\nz", ""])
def test_line_keys_batch_equals_line_keys(texts):
    # The folded path (used from _FOLD_MIN texts on) and the per-text path, against the plain definition.
    want = [[_reference_key(line) for line in t.split("\n")] for t in texts]
    assert line_keys_folded(texts) == want
    assert [line_keys(t) for t in texts] == want
    assert line_keys_batch(texts) == want


def _reference_model(docs, min_docs=5, min_share=0.8):
    """The exact rule, written plainly: per-source document counts of line keys."""
    per_source: dict[str, Counter] = {}
    for source, text in docs:
        keys = {k for k in map(line_key, text.split("\n")) if k is not None}
        per_source.setdefault(source or "", Counter()).update(keys)
    total: Counter = Counter()
    for counts in per_source.values():
        total.update(counts)
    return {
        src: frozenset(k for k, c in counts.items() if c >= min_docs and c >= min_share * total[k])
        for src, counts in per_source.items()
        if src and any(c >= min_docs and c >= min_share * total[k] for k, c in counts.items())
    }


def _corpus(n_per_source: int, sources=("a.example", "b.example", "c.example", None)) -> list:
    docs = []
    for s, src in enumerate(sources):
        for i in range(n_per_source):
            lines = [_story(1000 * s + i)]
            if src and i % 5 != 4:  # the footer on four pages in five
                lines.append(f"Footer of {src} with links")
            if i % 3 == 0:
                lines.append(WIRE)  # shared by every source: article text
            if i == 1:
                lines.append(FOOTER)  # gazette's footer, quoted once by every source
            docs.append((src, "\n".join(lines)))
    docs += [("gazette.example", _story(9000 + i) + "\n" + FOOTER) for i in range(20)]
    docs += [("gazette.example", "Exactly the same page\n" + FOOTER)] * 3  # copies count once each
    return docs


def _learn(docs, cap=10_000, workers=1):
    parts = [FurnitureLearner(max_docs_per_source=cap) for _ in range(workers)]
    for n, (src, text) in enumerate(docs):
        parts[n % workers].add(src, text)
    learner = parts[0]
    for other in parts[1:]:
        learner.merge(other)
    return learner


def test_below_the_cap_the_model_is_the_exact_rule():
    docs = _corpus(30)
    model = _learn(docs).model()
    assert model.by_source == _reference_model(docs)
    assert set(model.by_source) == {"a.example", "b.example", "c.example", "gazette.example"}


@settings(max_examples=25)
@given(st.randoms(use_true_random=False), st.integers(1, 4), st.sampled_from([8, 20, 10_000]))
def test_model_is_independent_of_order_and_workers(rnd, workers, cap):
    docs = _corpus(40)
    expected = _learn(docs, cap).model()
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    got = _learn(shuffled, cap, workers).model()
    assert got == expected


def test_sampling_bounds_memory_and_still_finds_furniture():
    docs = _corpus(400)
    learner = _learn(docs, cap=50)
    sampled = learner.sampled_sources()
    assert set(sampled) >= {"a.example", "b.example", "c.example"}
    assert learner.docs_per_source["a.example"] == 400
    model = learner.model()
    assert model.seen is not None and set(model.seen) >= {"a.example", "b.example", "c.example"}
    for counts in model.seen.values():  # the learner's counts, which the model shares
        assert counts.counted <= 50
    for src in ("a.example", "b.example", "c.example"):
        text, changes = model.strip(src, _story(77) + f"\nFooter of {src} with links")
        assert text == _story(77) and changes
        kept, none = model.strip(src, _story(78) + "\n" + WIRE)
        assert WIRE in kept and not none


def test_precomputed_keys_give_the_same_result():
    docs = _corpus(12)
    plain, given_keys = FurnitureLearner(), FurnitureLearner()
    for src, text in docs:
        plain.add(src, text)
        given_keys.add(src, text, line_keys(text))
    model = plain.model()
    assert given_keys.model() == model
    for src, text in docs[:20]:
        assert model.strip(src, text, line_keys(text)) == model.strip(src, text)


def test_strip_with_the_learners_keys_equals_strip_from_text():
    docs = _corpus(12)
    learner = _learn(docs)
    model = learner.model()
    detached = model.detached()
    assert detached.seen is None and detached == model
    for src, text in docs:
        assert model.strip(src, text) == detached.strip(src, text)
