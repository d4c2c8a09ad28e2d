"""Sentence alignment matches a fragment inside a longer sentence (issue 20, item 6).

A short text cut and pasted from parts of a long source's sentences shares few whole
sentences with it: by Dice overlap a part of a sentence scores under the match bar or
under the close bar, so such copies went unlinked. A fragment match (a sentence whose
content words are nearly all inside a longer one, in the same order) fixes that, but only
as a second pass for pairs whole sentences do not link, and only when the smaller document
is mostly covered: a follow-up story that condenses a few background sentences of an older
one stays apart, and every link whole sentences make is exactly as before.
"""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.config import DedupConfig
from dedupe._text import analyze
from dedupe._verify import prepare, prepare_texts, verify, verify_many

# An invented source: long sentences with clauses, the shape of a wire story.
SOURCE = [
    "The regional council voted on Tuesday to close the old harbour bridge to heavy traffic from next spring, "
    "after engineers warned that corrosion in the main cables had advanced faster than expected.",
    "Councillors said the decision, which passed by eleven votes to four, would add about twenty minutes to "
    "the journeys of the lorries that supply the fish market on the eastern quay.",
    "A temporary crossing built from steel pontoons will open beside the bridge in March, while a contractor "
    "chosen last year starts replacing the cables, a job expected to take eighteen months.",
    "The harbour master, Ellen Marsh, told reporters that shipping would not be affected because the pontoon "
    "crossing can be swung aside when larger vessels need to reach the inner basin.",
    "Residents of the quarter near the quay collected more than three thousand signatures against an earlier "
    "plan that would have sent the diverted lorries past two primary schools.",
    "Under the revised route the lorries will use the ring road and enter the market from the north, which "
    "the council says keeps them away from the narrow streets of the old town.",
    "The cost of the repairs has risen to forty million pounds, nearly twice the figure given when the work "
    "was first proposed, and the national infrastructure fund has agreed to pay half.",
    "Opposition members argued that the council had ignored the warnings for years and that the bridge "
    "should have been repaired before the cables began to fail.",
    "The leader of the council, Tom Achebe, rejected the criticism and said every inspection since the "
    "bridge opened had found it safe for the traffic it was carrying at the time.",
    "Fishing crews who land their catch at the eastern quay said they welcomed the pontoon crossing but "
    "feared delays during the summer, when tourist traffic on the ring road is heaviest.",
    "The council will publish a detailed timetable for the closure next month, together with the results "
    "of a survey of the bridge's foundations carried out by divers in the autumn.",
    "Engineers expect the replaced cables to last at least sixty years, and the council hopes to reopen the "
    "bridge to all traffic before the end of the following year.",
]

# Parts of the source's sentences, each made a sentence of its own (no whole sentence).
FRAGMENT_COPY = [
    "Harbour bridge to close to lorries.",
    "The regional council voted on Tuesday to close the old harbour bridge.",
    "Corrosion in the main cables had advanced faster than expected.",
    "It would add about twenty minutes to the journeys of the lorries.",
    "A temporary crossing built from steel pontoons will open beside the bridge.",
    "Shipping would not be affected because the pontoon crossing can be swung aside.",
    "Residents of the quarter near the quay collected more than three thousand signatures.",
    "The cost of the repairs has risen to forty million pounds.",
    "The national infrastructure fund has agreed to pay half.",
    "The council had ignored the warnings for years, opposition members argued.",
    "Every inspection since the bridge opened had found it safe.",
]

# The same parts, each lightly reworded (a synonym, a dropped word, another spelling).
REWORDED_COPY = [
    "Harbour bridge to close to lorries.",
    "The regional council voted on Tuesday to shut the old harbour bridge.",
    "Corrosion in the main cables had advanced faster than anticipated.",
    "It would add around twenty minutes to the journeys of the lorries.",
    "A temporary crossing made from steel pontoons will open beside the bridge.",
    "Shipping would not be affected since the pontoon crossing can be swung aside.",
    "Residents of the quarter near the quay gathered more than three thousand signatures.",
    "The cost of the repairs has climbed to forty million pounds.",
    "The national infrastructure fund has agreed to cover half.",
    "The council had disregarded the warnings for years, opposition members argued.",
    "Every inspection since the bridge opened had found it safe.",
]

# Another reporter's story of the same event: the same names and figures, one shared quote part.
INDEPENDENT = [
    "Lorry drivers face longer trips as bridge shuts.",
    "Heavy goods vehicles will be banned from the harbour bridge next spring after a council vote on Tuesday.",
    "Tom Achebe, who leads the council, defended the timing of the ban at a packed public meeting.",
    "Ellen Marsh said ships would still reach the inner basin without trouble.",
    "Hauliers told us the diversion could cost their firms thousands of pounds a month in fuel and wages.",
    "The repair bill now stands at forty million pounds, with half coming from a national fund.",
    "Market traders on the eastern quay worry that customers will stay away while the work goes on.",
    "Every inspection since the bridge opened had found it safe, the council leader insisted.",
    "A pontoon crossing is planned, but traders doubt it will cope with summer crowds.",
]

# A follow-up story a year later: mostly new text, with four background sentences condensed.
FOLLOW_UP = [
    "Harbour bridge reopens after cable repairs.",
    "The old harbour bridge reopened to all traffic on Monday, three months ahead of schedule.",
    "Drivers queued from dawn to be among the first across, and the mayor cut a ribbon at noon.",
    "The contractor said mild weather and a second night shift had let the teams finish early.",
    "Traders at the fish market said business had suffered during the closure but was recovering.",
    "The bridge was closed to heavy traffic last spring after engineers warned that corrosion in the cables "
    "had advanced.",
    "The cost of the repairs rose to forty million pounds, nearly twice the first figure.",
    "A temporary crossing built from steel pontoons opened beside the bridge in March.",
    "Residents had collected more than three thousand signatures against an earlier diversion plan.",
    "The pontoon crossing will be taken apart over the summer and its parts sold to another port.",
    "Council officers will inspect the new cables every six months for the next five years.",
]


def _pair(copy: list[str], config: DedupConfig):
    x = prepare("copy", analyze(" ".join(copy)), config)
    y = prepare("source", analyze(" ".join(SOURCE)), config)
    return verify(x, y, config), verify(y, x, config)


def test_a_copy_made_of_sentence_fragments_links_to_its_source():
    config = DedupConfig()
    link, back = _pair(FRAGMENT_COPY, config)
    assert link is not None and link.kind == "syndicated" and back is not None
    assert link.coverage_a > 0.8  # the copy is nearly all the source's words
    # The longer sentences count the fragments' tokens, not their own.
    assert link.coverage_b < 0.8
    # Whole-sentence matching alone does not link it: the failure of issue 20, item 6.
    assert _pair(FRAGMENT_COPY, replace(config, fragment_match=0.0)) == (None, None)


def test_a_lightly_reworded_fragment_copy_links_to_its_source():
    config = DedupConfig()
    link, _ = _pair(REWORDED_COPY, config)
    assert link is not None and link.kind == "syndicated"
    assert _pair(REWORDED_COPY, replace(config, fragment_match=0.0)) == (None, None)


def test_an_independent_write_up_and_a_follow_up_do_not_link():
    config = DedupConfig()
    assert _pair(INDEPENDENT, config) == (None, None)
    # The follow-up's four condensed background sentences are fragment matches, but they cover
    # under fragment_close_coverage of it; without that bar they would link it.
    assert _pair(FOLLOW_UP, config) == (None, None)
    assert _pair(FOLLOW_UP, replace(config, fragment_close_coverage=0.2))[0] is not None


# --- the batch path, and links of whole sentences, on generated documents ---------------------

# Invented content words, enough of them that unrelated sentences rarely share three.
WORDS = [a + b for a in ("ka", "lo", "mi", "ne", "su", "ta", "ve", "ri", "do", "pa", "zu", "ho")
         for b in ("ran", "mel", "tis", "bor", "gan", "lup", "sek", "vod", "nir", "fal", "cem", "dru")]
FILLER = "the a of in to and was for on with by at from that it".split()


def make_docs(seed: int, n_docs: int) -> list[str]:
    """A long source of long sentences, and documents that take parts of them (a run of 30-90 % of
    a sentence's words, maybe with a word replaced), whole sentences, or sentences of their own."""
    rng = random.Random(seed)
    pool = [[rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(rng.randint(8, 30))]
            for _ in range(14)]
    docs = [" ".join(" ".join(s).capitalize() + "." for s in pool)]
    for _ in range(n_docs - 1):
        mine = []
        for s in pool:
            r = rng.random()
            if r < 0.6:
                n = max(3, round(len(s) * rng.uniform(0.3, 0.9)))
                at = rng.randint(0, len(s) - n)
                part = list(s[at : at + n])
                if rng.random() < 0.4:
                    part[rng.randrange(len(part))] = rng.choice(WORDS)
                mine.append(part)
            elif r < 0.65:
                mine.append(list(s))
        mine += [[rng.choice(WORDS) for _ in range(rng.randint(4, 12))] for _ in range(rng.randint(0, 3))]
        docs.append(" ".join(" ".join(s).capitalize() + "." for s in mine))
    return docs


configs = st.sampled_from([
    DedupConfig(),
    DedupConfig(fragment_match=0.0),
    DedupConfig(fragment_match=0.6, fragment_share=0.95, fragment_bigrams=1, fragment_close_coverage=0.2),
    DedupConfig(fragment_min_words=2, fragment_close_coverage=0.0, weak_link_lead=0),
    DedupConfig(fragment_match=1.0, fragment_share=0.5, fragment_close_coverage=0.9),
])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), configs, st.integers(2, 9))
def test_verify_many_equals_verify_with_fragments(seed, config, n_docs):
    texts = make_docs(seed, n_docs)
    ids = [f"d{k}" for k in range(len(texts))]
    one = [prepare(i, analyze(t), config) for i, t in zip(ids, texts)]
    pairs = [(a, b) for a in range(len(texts)) for b in range(len(texts)) if a != b]
    expected = [verify(one[a], one[b], config) for a, b in pairs]
    assert [x and x.to_dict() for x in verify_many(pairs, one, config)] == [x and x.to_dict() for x in expected]
    batch = prepare_texts(ids, texts, config)
    assert [x and x.to_dict() for x in verify_many(pairs, batch, config)] == [x and x.to_dict() for x in expected]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 9))
def test_links_of_whole_sentences_are_unchanged_by_fragment_matching(seed, n_docs):
    on = DedupConfig()
    off = replace(on, fragment_match=0.0)
    texts = make_docs(seed, n_docs)
    prepared = prepare_texts([f"d{k}" for k in range(len(texts))], texts, on)
    pairs = [(a, b) for a in range(len(texts)) for b in range(len(texts)) if a != b]
    for with_fragments, without in zip(verify_many(pairs, prepared, on), verify_many(pairs, prepared, off)):
        if without is not None:
            assert with_fragments == without


def test_generated_documents_exercise_fragment_links():
    """The generator behind the properties makes pairs that only fragment matches link."""
    on = DedupConfig()
    off = replace(on, fragment_match=0.0)
    only_fragments = both = 0
    for seed in range(20):
        texts = make_docs(seed, 8)
        prepared = prepare_texts([str(k) for k in range(len(texts))], texts, on)
        pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
        for a, b in zip(verify_many(pairs, prepared, on), verify_many(pairs, prepared, off)):
            only_fragments += a is not None and b is None
            both += a is not None and b is not None
    assert only_fragments and both
