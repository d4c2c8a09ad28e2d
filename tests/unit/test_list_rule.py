"""List-like sentences (``DedupConfig.list_stopword_share``, ``list_min_tokens``).

Hand-built: two reports of different matches print the same team line-ups
(lists of names with no function words). Their prose shares nothing, so they
are not copies; without the rule the line-ups match each other and make up
over a third of both texts, and the two link as syndicated. With it the
line-ups are not comparable and the pair does not link, while a copy that
shares the prose still does, and a short headline without stopwords stays
comparable.
"""

from __future__ import annotations

import numpy as np
import pytest

from dedupe.config import DedupConfig
from dedupe.errors import ConfigError
from dedupe._text import STOPWORDS, analyze
from dedupe._verify import prepare, prepare_texts, verify, verify_many

WALES = ("Wales: G Thomas (Toulouse, capt); K Morgan (Newport-Gwent), T Shanklin (Cardiff), G Henson (Neath-Swansea), "
         "S Williams (Neath-Swansea); S Jones (Clermont Auvergne), D Peel (Llanelli); G Jenkins (Cardiff), "
         "M Davies (Gloucester), B Cockbain (Neath-Swansea), R Sidoli (Cardiff); R Jones, M Williams, M Owen.")
BENCH = "Replacements: R McBryde (Llanelli), J Yapp (Cardiff), J Thomas, R Sowden-Taylor (Cardiff), G Cooper, C Sweeney."

PREVIEW = [
    "Wales coach Mike Ruddock has named an unchanged side for the trip to Paris on Saturday.",
    "The visitors have won two of their last three matches at the Stade de France.",
    "Ruddock said he was delighted with the way his forwards had dominated the breakdown against Italy.",
    "France have made four changes after a disappointing display in their narrow win over England.",
    "Captain Fabien Pelous believes his side is close to finding its best form again this season.",
    "The match kicks off in the afternoon and will be shown live on television across the country.",
]
REPORT = [
    "Wales stayed on course for a first championship title since 1994 with a thrilling win in Paris.",
    "Two tries from the winger in the space of five minutes turned the game after the break.",
    "The home side led by fifteen points at half time but could not hold on in the final quarter.",
    "A late penalty from the fly-half sealed the victory and sent the travelling supporters into raptures.",
    "It was the first time in more than a decade that the Welsh had beaten the French away from home.",
    "Ruddock praised the character of his players and said there was still plenty of work to do.",
]


def _link(a: str, b: str, config: DedupConfig):
    x, y = prepare_texts(["a", "b"], [a, b], config)
    link = verify(x, y, config)
    assert verify_many([(0, 1)], [x, y], config) == [link]
    return link


def test_line_ups_are_lists():
    config = DedupConfig()
    for line in (WALES, BENCH):
        tokens = analyze(line).tokens
        assert len(tokens) >= config.list_min_tokens
        assert sum(t in STOPWORDS for t in tokens) < config.list_stopword_share * len(tokens)
    for line in PREVIEW + REPORT:
        tokens = analyze(line).tokens
        assert sum(t in STOPWORDS for t in tokens) >= config.list_stopword_share * len(tokens)


def test_shared_line_up_alone_does_not_link():
    preview = " ".join(PREVIEW) + "\n\n" + WALES + "\n\n" + BENCH
    report = " ".join(REPORT) + "\n\n" + WALES + "\n\n" + BENCH
    off = DedupConfig(list_stopword_share=0.0)
    link = _link(preview, report, off)
    assert link is not None and link.kind == "syndicated"  # the line-ups alone, over a third of both
    assert link.shared_sentences == 2 and min(link.close_coverage_a, link.close_coverage_b) > 1 / 3
    assert _link(preview, report, DedupConfig()) is None


def test_copy_sharing_prose_still_links():
    config = DedupConfig()
    preview = " ".join(PREVIEW) + "\n\n" + WALES + "\n\n" + BENCH
    # A repost of the preview's prose with an outlet's own closing lines, without the team sheet.
    copy = " ".join(PREVIEW[:5]) + " Tickets for the game sold out within an hour of going on sale last month."
    link = _link(preview, copy, config)
    assert link is not None
    # Coverage is of comparable text: the line-ups are not part of it, so the preview is 5/6 covered.
    assert link.coverage_b > 0.8 and link.coverage_a > 0.8
    # And a copy with the team sheet too is a near-duplicate.
    link = _link(preview, preview.replace("unchanged side", "unchanged team"), config)
    assert link is not None and link.kind == "near-duplicate"


def test_short_lines_without_stopwords_stay_comparable():
    """A headline of a few content words (``list_min_tokens`` or fewer) is not a list."""
    config = DedupConfig()
    text = "Wales make two changes for France trip\n\n" + WALES + "\n\n" + " ".join(PREVIEW)
    p = prepare("x", analyze(text), config)
    assert p.word_counts[0] > 0  # the headline: 7 tokens, no stopword
    assert p.word_counts[1] == 0  # the line-up
    assert np.all(p.word_counts[2:] > 0)
    off = prepare("x", analyze(text), DedupConfig(list_stopword_share=0.0))
    assert off.word_counts[1] > 0 and off.comparable == p.comparable + p.lengths[1]


def test_config_checks():
    with pytest.raises(ConfigError):
        DedupConfig(list_stopword_share=1.5)
    with pytest.raises(ConfigError):
        DedupConfig(list_min_tokens=0)
