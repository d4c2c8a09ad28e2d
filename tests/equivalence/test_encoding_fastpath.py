"""The ftfy fast path: a skipped text is one ftfy would return unchanged, and ordinary news is skipped.

Also the character handling issue 4 asks for: NFC, controls, zero-width
characters, entities left in text, whitespace.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
import pytest
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import clean_text
from dedupe.clean.encoding import FTFY_CONFIG, PROVEN_FTFY_VERSION, fix_encoding, needs_ftfy, normalize_whitespace

NEWS = [
    "The first minister’s statement that it was okay to get drunk “once in a while” has diverted attention.",
    "Arsène Wenger said the 3–1 win at Zürich – “a big night” – cost the club £4.5m (€5.2m).",
    "José Martínez Ñúñez, the café’s owner in São Paulo, said: ‘c’est fini’ … and left.",
    "Prices rose 3–4% in Düsseldorf and Malmö; the 20°C forecast — “mild” — held.",
    "Nestlé’s chief told Le Monde: «Nous sommes prêts». Dvořák and Łódź came next.",
    "Шойгу заявил, что «операция продолжается». Η κυβέρνηση είπε «όχι».",
    "中国新闻网北京电，记者报道。東京で会議が開かれた。서울 뉴스",
    "Fans 🎉🎉 cheered 👨\u200d👩\u200d👧 and 👍🏽 as the team won.",
    "M&S and P&O shares rose 5%; AT&T fell.",
]


def _expand(fragment: str) -> list[str]:
    """The characters of a regex character-class fragment such as ``"À-Ñ"``."""
    out: list[str] = []
    i = 0
    while i < len(fragment):
        if i + 2 < len(fragment) and fragment[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(fragment[i]), ord(fragment[i + 2]) + 1))
            i += 3
        else:
            out.append(fragment[i])
            i += 1
    return out


# Every character ftfy's badness heuristic knows, plus the literal characters of its patterns.
MOJIBAKE_CHARS = sorted(
    {c for name, frag in MOJIBAKE_CATEGORIES.items() if name != "c1" for c in _expand(frag)}
    | set("×²³à≈°¢‚Äâóвђгўвβ€āВГРСΒΓΞΟ")
)


def test_fast_path_was_derived_for_this_ftfy():
    assert ftfy.__version__ == PROVEN_FTFY_VERSION, (
        "ftfy changed: re-derive needs_ftfy's conditions from the new fix_text and badness, "
        "then update PROVEN_FTFY_VERSION (until then only pure-ASCII text skips ftfy)"
    )


@pytest.mark.parametrize("text", NEWS)
def test_ordinary_news_skips_ftfy(text):
    assert not needs_ftfy(text)
    assert ftfy.fix_text(text, FTFY_CONFIG) == text


def test_a_news_page_with_typography_skips_ftfy():
    page = "\n\n".join(NEWS[:5] * 20)
    assert len(page) > 5000 and not needs_ftfy(page)


@pytest.mark.parametrize(
    "text",
    [
        "Niger\u00e2\u20ac\u2122s junta",  # cp1252 mojibake
        "caf\u00c3\u00a9",  # latin-1 mojibake
        "Fish &amp; chips",
        "A&#8217;s",
        "line\r\nbreak",
        "esc \x1b[31mred",
        "null\x00byte",
        "C1 \x85 control",
        "\ufeffBOM",
        "ﬁnal ligature",
        "Cafe\u0301 decomposed",
        "para\u2029graph",
    ],
)
def test_damage_and_fixable_characters_go_to_ftfy(text):
    assert needs_ftfy(text)
    assert ftfy.fix_text(text, FTFY_CONFIG) != text


def test_every_adjacent_pair_that_skips_is_not_mojibake_to_ftfy():
    """Exhaustive over pairs of ftfy's mojibake-category characters: whenever the
    fast path lets a pair through, ftfy's own badness heuristic finds nothing."""
    letters = MOJIBAKE_CHARS
    for a in letters:
        for b in letters:
            for text in (a + b, "a" + a + b + "a"):
                if not needs_ftfy(text):
                    assert not is_bad(text), text


# --- hypothesis: whenever the fast path skips, ftfy returns the text byte for byte ---

TYPOGRAPHY = "’‘“”«»‹›„‚–—―…•·°±×÷½¼¾²³¹µ§¶©®™€£¥¢₧№\u00a0\u00ad\u2009\u202f"
ACCENTED = "éèêëàâäáãåçñóòôöõøúùûüýÿíìîïÉÈÀÂÁÇÑÓÖØÚÜÍÎÏĳŁłŒœŠšŽžĆćČčĐđŞşĞğİıßÆæÞþ"
OTHER = "ΑΒΓΞΟαβγωάВГРСвгўЂђабвяЁ中国新闻東京서울🎉👍🏽\u200d\u200c\u200b\u2060\ufeff\u0301\u0308ﬁﬂ"
CONTROLS = "\x00\x01\x08\x0b\x0c\x0e\x1b\x1f\x7f\x80\x85\x9d\r\u2028\u2029\u206a\ufff9"
ENTITIES = ["&amp;", "&lt;", "&#8217;", "&#x2019;", "&eacute;", "&EACUTE;", "&nbsp;", "&", "&amp", "<b>"]
PIECES = [
    "Niger’s junta",
    "“We are here,” he said — adding more.",
    "café in Zürich costs €4.50 – or £3.90",
    "Ñúñez, São Paulo, Łódź",
    "\x1b[31mred\x1b[0m",
]


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


fragments = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=12),
    st.text(alphabet=TYPOGRAPHY + ACCENTED + " abcXYZ019.,;:!?'\"\n", max_size=12),
    st.text(alphabet=OTHER + CONTROLS + " a\n", max_size=6),
    st.text(alphabet="".join(MOJIBAKE_CHARS) + " a1.\n", max_size=6),
    st.sampled_from(ENTITIES),
    st.sampled_from(PIECES),
    st.builds(_mojibake, st.sampled_from(PIECES) | st.text(alphabet=TYPOGRAPHY + ACCENTED, max_size=8),
              st.sampled_from(["sloppy-windows-1252", "latin-1", "sloppy-windows-1251", "macroman"])),
    st.text(max_size=8),
)
texts = st.lists(fragments, max_size=10).map("".join)


@settings(max_examples=400)
@given(texts)
def test_a_skipped_text_is_returned_unchanged_by_ftfy(text):
    if not needs_ftfy(text):
        assert ftfy.fix_text(text, FTFY_CONFIG) == text


@settings(max_examples=400)
@given(texts)
def test_fix_encoding_equals_ftfy(text):
    """Skipped or not, line by line or not: dedupe's fix_encoding is ftfy's fix_text."""
    assert fix_encoding(text)[0] == ftfy.fix_text(text, FTFY_CONFIG)


@given(st.lists(st.sampled_from(["Fish &amp; chips\n", "a <b> c\n", "Niger\u00e2\u20ac\u2122s\n", "x &lt; y\n", "\n"]),
                max_size=8).map("".join))
def test_fix_encoding_replays_ftfy_html_auto_across_lines(text):
    assert fix_encoding(text)[0] == ftfy.fix_text(text, FTFY_CONFIG)


@settings(max_examples=400)
@given(st.lists(st.sampled_from(NEWS + PIECES + [" ", "\n", "\n\n"]) | fragments, max_size=8).map("".join))
def test_a_skipped_news_like_text_is_returned_unchanged_by_ftfy(text):
    if not needs_ftfy(text):
        assert ftfy.fix_text(text, FTFY_CONFIG) == text


@given(st.text(alphabet=TYPOGRAPHY + ACCENTED + "abc XYZ.,\n", max_size=200))
def test_clean_typographic_text_mostly_skips(text):
    """Text made only of letters, accents and typography skips ftfy unless a
    mojibake-looking pair is adjacent; such pairs are rare in real text."""
    if not needs_ftfy(text):
        assert ftfy.fix_text(text, FTFY_CONFIG) == text


# --- issue 4: normalisation, controls, zero-width characters, entities, whitespace ---


def test_nfc_composes_accents():
    decomposed = "Cafe\u0301 owner Jose\u0301 Nun\u0303ez"
    assert clean_text(decomposed).text == unicodedata.normalize("NFC", decomposed) == "Café owner José Nuñez"


def test_controls_are_removed_and_tabs_become_spaces():
    assert clean_text("A\x00B\x07C\x1bD\x7fE\tF\x0bG\x0cH").text == "ABCDE FG H"  # VT removed, FF a space
    assert clean_text("Smart \x93quotes\x94 from a C1 page").text == "Smart “quotes” from a C1 page"


def test_zero_width_characters_inside_words():
    assert clean_text("Pre\u200bsi\u00addent Ma\u2060cron\ufeff said").text == "President Macron said"
    # ZWNJ changes Persian spelling; ZWJ joins emoji sequences: both stay.
    persian = "می\u200cخواهم"
    family = "👨\u200d👩\u200d👧 and 🏳\ufe0f\u200d🌈 flags"
    assert clean_text(persian).text == persian
    assert clean_text(family).text == family
    assert "\u200d" in clean_text(f"Family {family} photo").text


def test_html_entities_left_in_text():
    assert clean_text("Fish &amp; chips &#8211; &eacute;t&eacute;").text == "Fish & chips – été"
    # From the first line that may be markup on, entities are kept (ftfy's "auto").
    assert clean_text("Fish &amp; chips\na &lt; b <i>x</i>\nSalt &amp; vinegar").text == (
        "Fish & chips\na &lt; b <i>x</i>\nSalt &amp; vinegar"
    )
    assert clean_text("M&S and P&O").text == "M&S and P&O"


def test_whitespace():
    text = " One\u00a0\u00a0two\u2003three \r\n\r\n\r\n  Four\u2028Five\u2029Six \t"
    assert clean_text(text).text == "One two three\n\nFour\nFive\nSix"  # ftfy: U+2029 is a line break
    assert normalize_whitespace(text) == "One two three\n\nFour\nFive\n\nSix"  # without ftfy: a blank line


def _old_normalize_whitespace(text: str) -> str:
    """The line-by-line implementation normalize_whitespace replaced (plus VT and FF as spaces)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = re.sub("[\u200b\u2060\ufeff\u00ad]", "", text)
    spaces = re.compile("[ \t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
    out = "\n".join(spaces.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", out).strip("\n")


WS = " \t\n\r\x0b\x0c\x1c\x1d\x85\u00a0\u2003\u2028\u2029\u3000\u200b\u00ad\u200d"


@given(st.text(alphabet=WS + "ab.’é", max_size=60) | st.text(max_size=60))
def test_normalize_whitespace_matches_line_by_line_definition(text):
    assert normalize_whitespace(text) == _old_normalize_whitespace(text)


def test_under_an_unproven_ftfy_only_ascii_skips(monkeypatch):
    import dedupe.clean.encoding as encoding

    monkeypatch.setattr(encoding, "SUSPECT", None)
    assert not needs_ftfy("Plain ASCII.") and needs_ftfy(NEWS[0])
    for text in NEWS + ["Niger\u00e2\u20ac\u2122s junta\nFish &amp; chips"]:
        assert fix_encoding(text)[0] == ftfy.fix_text(text, FTFY_CONFIG)
