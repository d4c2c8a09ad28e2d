"""The lead rule for weak syndicated links (``DedupConfig.weak_link_lead``).

Hand-built pair: two stories of ten equally long sentences share three
sentences verbatim, so close coverage is 0.3 of either (weak: under a third,
at ``follow_up_close_coverage``). When the shared sentences are a background
block at the end of both stories (a follow-up reusing the older story's
background), the link is refused; when the same three sentences are the lead
of one story (a copy keeps its story's lead), it is accepted.
"""

from __future__ import annotations

from itertools import product

import pytest

from dedupe.config import DedupConfig
from dedupe._text import analyze
from dedupe._verify import prepare, prepare_texts, verify, verify_many

# Made-up content words (no stopwords), each used once, so that only the shared sentences match.
_WORDS = iter("".join(p) for p in product("bdfgklmprstvz", "aeiou", "bdgklmnprstvz", "aeiou"))


def _sentence() -> str:
    return " ".join(next(_WORDS) for _ in range(8)).capitalize() + "."


OLD = [_sentence() for _ in range(10)]  # the older story
NEW = [_sentence() for _ in range(7)]  # the other story's own sentences


def _pair(new_text: list[str], config: DedupConfig):
    a, b = prepare_texts(["old", "new"], [" ".join(OLD), " ".join(new_text)], config)
    link = verify(a, b, config)
    assert verify_many([(0, 1)], [a, b], config) == [link]
    return link


def test_background_block_at_the_end_is_refused_with_lead_accepted():
    config = DedupConfig()
    assert config.weak_link_lead == 2
    background = NEW + OLD[7:]  # the old story's last three sentences at the end of the new one
    lead = NEW + OLD[:3]  # the same amount of shared text: the old story's lead
    off = DedupConfig(weak_link_lead=0)
    # Without the rule both link, with the same numbers: a weak link at close coverage 0.3 on both sides.
    for text in (background, lead):
        link = _pair(text, off)
        assert link is not None and link.kind == "syndicated"
        assert link.close_coverage_a == link.close_coverage_b == 0.3
        assert link.shared_sentences == 3
    assert _pair(background, config) is None
    link = _pair(lead, config)
    assert link is not None and link.kind == "syndicated"
    # The new story's own lead counts too: the old background at the top of the new story.
    assert _pair(OLD[7:] + NEW, config) is not None
    # A third or more of one side is not weak: the rule does not apply.
    more = NEW[:5] + OLD[6:]  # 4 of 9 sentences of the new story
    link = _pair(more, config)
    assert link is not None and max(link.close_coverage_a, link.close_coverage_b) >= 1 / 3


def test_lead_is_counted_in_comparable_sentences():
    """Lines too short to match (a headline, a dateline) are not part of the lead."""
    config = DedupConfig()
    short = ["Short headline here.", "By staff."]
    a = prepare("old", analyze(" ".join(short + OLD)), config)
    b = prepare("new", analyze(" ".join(short + NEW + OLD[:3])), config)
    assert verify(a, b, config) is not None
    c = prepare("new", analyze(" ".join(short + NEW + OLD[7:])), config)
    assert verify(a, c, config) is None


def test_config_checks():
    with pytest.raises(Exception):
        DedupConfig(weak_link_lead=-1)
    with pytest.raises(Exception):
        DedupConfig(weak_link_close=1.5)
