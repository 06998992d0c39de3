"""The one plain-text helper: invisible characters out, legitimate text of every script kept."""

from __future__ import annotations

import unicodedata

import pytest

from domain.shared.errors import InvalidValue
from domain.shared.text import MAX_COMBINING_MARKS, clean_line, is_invisible, most_stacked_marks, visible_text

ZWJ = "\u200d"
ZWNJ = "\u200c"


def clean(raw: str) -> str:
    return clean_line(raw, "name", max_length=200)


# Each of these alone is nothing a reader can see: a name made only of them is empty.
INVISIBLE = {
    "zero width space": "\u200b",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "hangul filler": "\u3164",
    "hangul choseong filler": "\u115f",
    "halfwidth hangul filler": "\uffa0",
    "braille blank": "\u2800",
    "tag latin a": "\U000e0041",
    "cancel tag": "\U000e007f",
    "language tag": "\U000e0001",
    "private use": "\ue000",
    "private use plane 15": "\U000f0000",
    "unassigned": "\U000e0080",
    "surrogate": "\ud800",
    "combining grapheme joiner": "\u034f",
    "variation selector 16 alone": "\ufe0f",
    "variation selector 1 alone": "\ufe00",
    "mongolian vowel separator": "\u180e",
    "mongolian free variation selector": "\u180b",
    "khmer inherent aq": "\u17b4",
    "invisible times": "\u2062",
    "function application": "\u2061",
    "interlinear annotation anchor": "\ufff9",
    "musical begin beam": "\U0001d173",
    "shorthand format letter overlap": "\U0001bca0",
    "zwj alone": ZWJ,
    "zwnj alone": ZWNJ,
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "arabic letter mark": "\u061c",
    "nul": "\x00",
    "escape": "\x1b",
    "delete": "\x7f",
    "c1 control": "\x9b",
}


@pytest.mark.parametrize("ch", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_invisible_characters_make_no_name(ch: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        clean(ch * 3)
    assert caught.value.field == "name"
    assert caught.value.reason == "must not be empty"
    with pytest.raises(InvalidValue):
        clean(f" {ch} \t{ch}\n")


@pytest.mark.parametrize("ch", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_invisible_characters_are_stripped_from_names(ch: str) -> None:
    assert clean(f"Ro{ch}sa{ch} Bloem{ch}") == "Rosa Bloem"
    assert is_invisible(ch)


# Legitimate names, kept exactly (they are already NFC).
LEGITIMATE = {
    "accents": "Zoë Ångström-Müller",
    "french": "Fleurs de l'Île",
    "vietnamese": "Nguyễn Thị Minh Khai",
    "cjk": "李小龙 花店",
    "japanese": "さくら フラワー",
    "korean": "꽃집 하나",
    "arabic": "محمد الزهور",
    "hebrew": "שלום פרחים",
    "pointed hebrew": "שָׁלוֹם",
    "hindi conjunct": "क्षमा फूल",
    "thai": "ดอกไม้สวย",
    "persian zwnj": f"می{ZWNJ}خواهم گل",
    "devanagari eyelash ra": f"र्{ZWJ}य",
    "emoji zwj": f"Rosa 👩{ZWJ}💻",
    "emoji skin tone zwj": f"👩🏽{ZWJ}🌾 Farm",
    "family": f"👨{ZWJ}👩{ZWJ}👧",
    "rainbow flag": f"🏳\ufe0f{ZWJ}🌈",
    "heart on fire": f"❤\ufe0f{ZWJ}🔥",
    "emoji presentation": "I ❤\ufe0f tulips",
    "keycap": "Shop 1\ufe0f\u20e3",
    "skin tone": "👋🏽 hello",
    "flags": "🇳🇱 🇯🇵",
    "cjk ideographic variant": "葛\U000e0100城",
    "greek": "Ανθοπωλείο",
    "cyrillic": "Цветочный",
    "symbols": "Rosa & Co. (№ 1) — 50% €",
}


@pytest.mark.parametrize("name", list(LEGITIMATE.values()), ids=list(LEGITIMATE))
def test_legitimate_names_are_kept(name: str) -> None:
    assert unicodedata.is_normalized("NFC", name)
    assert clean(name) == name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"ad{ZWJ}min", "admin"),  # joiners between ASCII letters hide nothing legitimate
        (f"Ки{ZWJ}рилл", "Кирилл"),  # nor between Cyrillic ones
        (f"Auf{ZWNJ}lage", "Auflage"),
        (f"{ZWJ}👩", "👩"),  # at the start
        (f"👩{ZWJ}", "👩"),  # at the end
        (f"👩{ZWJ} 💻", "👩 💻"),  # next to a space
        (f"👩{ZWJ}{ZWJ}💻", "👩💻"),  # doubled: neither joins two emoji
        (f"a{ZWJ}💻", "a💻"),  # a letter is no emoji
        ("a\ufe0f", "a"),  # a presentation selector on a Latin letter means nothing
        ("❤\ufe0f\ufe0f", "❤\ufe0f"),  # one selector per base
        (" \ufe0fRosa", "Rosa"),
        ("a\U000e0100", "a"),
        ("🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "🏴"),  # tag sequences go
    ],
)
def test_joiners_and_selectors_only_where_they_mean_something(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_removing_a_character_lets_base_and_mark_compose() -> None:
    assert clean("Cafe\u200b\u0301") == "Caf\u00e9"


def test_whitespace_of_every_kind_folds_to_one_space() -> None:
    assert clean(" Rosa\u00a0\u2003\u3000Bloem\u2028\u2029van\u0085\tDijk ") == "Rosa Bloem van Dijk"


def test_visible_text_keeps_line_structure_for_other_helpers() -> None:
    assert visible_text("a\u200b\nb") == "a b"
    assert visible_text("e\u0301") == "\u00e9"


@pytest.mark.parametrize("marks", [MAX_COMBINING_MARKS + 1, 20, 100])
def test_stacked_combining_marks_are_refused(marks: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        clean("Zalgo " + "q" + "\u0300\u0301\u0302\u0303\u0308" * (marks // 5) + "\u0304" * (marks % 5))
    assert "combining marks" in caught.value.reason
    assert str(MAX_COMBINING_MARKS) in caught.value.reason


def test_a_few_combining_marks_are_fine() -> None:
    # Vietnamese in NFD carries two marks; an unusual but real four stay within the cap.
    assert clean(unicodedata.normalize("NFD", "Nguyễn")) == "Nguyễn"
    four = "q\u0300\u0301\u0302\u0303"
    assert most_stacked_marks(four) == 4
    assert clean(four) == four


def test_invisible_characters_do_not_break_up_a_stack() -> None:
    # Invisible characters between marks are removed first, so they cannot hide a stack.
    stack = "a" + "\u200b\u0301\u0302" * 10
    with pytest.raises(InvalidValue):
        clean(stack)


def test_length_is_checked_after_cleaning() -> None:
    assert clean("\u200b" * 500 + "Rosa") == "Rosa"
    with pytest.raises(InvalidValue) as caught:
        clean_line("r" * 121, "full_name", max_length=120)
    assert caught.value.reason == "must be at most 120 characters long"


def test_is_invisible_says_no_to_visible_characters() -> None:
    for ch in "aZ0é李م👩!❤ ":
        assert is_invisible(ch) is (ch == " ")
