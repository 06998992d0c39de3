"""Free text as the contract wants it kept: plain text, NFC-normalised, with nothing in it that a
reader cannot see. Every context takes names and other single-line text through ``clean_line``, and
free text that may hold markup (descriptions, notes, reasons) through ``plain_text``, which first
turns HTML into its text (nh3: tags removed, script and style content with them, entities
unescaped, so ``Roses & lilies <3`` comes back exactly so) and then cleans like ``clean_line``.

Removed silently (they carry nothing a florist meant to type, and can make a name look empty,
look like another name, or display unlike what is stored):

- control characters (Cc) other than whitespace, which becomes a plain space;
- explicit bidirectional overrides, embeddings, isolates and marks;
- format characters (Cf: U+200B zero-width space, U+2060 word joiner, U+FEFF, U+00AD soft hyphen,
  tag characters U+E0000-U+E007F, ...), private-use (Co), unassigned (Cn) and surrogate (Cs)
  code points, and the rest of Unicode's default-ignorable code points (U+3164 and the other
  Hangul fillers, U+034F combining grapheme joiner, Mongolian free variation selectors, ...);
- a variation selector that follows nothing it can select (a space, another selector, the start).

Kept on purpose:

- U+200D ZERO WIDTH JOINER inside an emoji sequence (an emoji before it and after it, as in 👩‍💻),
  and U+200C/U+200D between two letters of a script that needs them (Arabic script, Syriac,
  the Indic scripts, Tibetan, Myanmar, Khmer, Mongolian). Anywhere else (``ad\\u200dmin``,
  between Latin, Greek or Cyrillic letters, at either end, next to a space) they are removed.
- a variation selector right after a visible non-ASCII base character (``❤️``, CJK ideographic
  variants), and U+FE0E/U+FE0F after an ASCII digit, ``#`` or ``*`` (keycaps such as ``1️⃣``).

Refused: more than ``MAX_COMBINING_MARKS`` combining marks stacked on one character ("Zalgo"
text); accents, Vietnamese, Hebrew points and Indic vowel signs all stay well below it.

"Unassigned" is judged by the Unicode version of the running Python (``unicodedata``), so a
character newer than it (a recent emoji) is removed until Python knows it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import nh3

from domain.shared.errors import InvalidValue

# Most combining marks one character may carry; Vietnamese needs 2, pointed Hebrew up to 3 or 4.
MAX_COMBINING_MARKS = 4

# Explicit direction overrides, embeddings, isolates and marks: text can display unlike what it stores.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

ZWNJ = "\u200c"
ZWJ = "\u200d"
_JOINERS = frozenset((ZWNJ, ZWJ))

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) that are not already Cf,
# Cn or a variation selector: invisible letters and marks that render as nothing.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG / JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ / AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
    (0x2800, 0x2800),  # BRAILLE PATTERN BLANK: not default-ignorable, but blank and a known filler
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved specials
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT CONTROLS
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN/END BEAM, TIE, SLUR, PHRASE
    (0xE0000, 0xE0FFF),  # tags and the reserved plane-14 ignorables
)

_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_PRESENTATION_SELECTORS = frozenset("\ufe0e\ufe0f")
_KEYCAP_BASES = frozenset("0123456789#*")

# Scripts whose spelling uses ZWNJ/ZWJ between letters (shaping and conjuncts).
_JOINING_SCRIPTS = (
    (0x0600, 0x08FF),  # Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic supplements
    (0x0900, 0x0DFF),  # Devanagari to Sinhala
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA8E0, 0xA8FF),  # Devanagari Extended
    (0xFB50, 0xFDFF),  # Arabic Presentation Forms-A
    (0xFE70, 0xFEFE),  # Arabic Presentation Forms-B
)

# Categories never kept: control, format, private use, unassigned, surrogate.
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cn", "Cs"))


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def is_variation_selector(ch: str) -> bool:
    return _in(ord(ch), _VARIATION_SELECTORS)


@lru_cache(maxsize=4096)
def is_invisible(ch: str) -> bool:
    """True for a character that shows nothing by itself: whitespace, controls, format, private-use,
    unassigned and surrogate code points, bidi controls, default-ignorables, variation selectors."""
    if ch.isspace() or ch in _BIDI_CONTROLS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
        return True
    return _in(ord(ch), _IGNORABLE_RANGES) or is_variation_selector(ch)


def _is_emoji(ch: str) -> bool:
    """An emoji as far as ZWJ sequences go: pictographic symbols and skin-tone modifiers."""
    return unicodedata.category(ch) == "So" or 0x1F3FB <= ord(ch) <= 0x1F3FF


def _emoji_base(text: str, before: int) -> str | None:
    """The character a joiner at ``before`` follows, looking past presentation selectors."""
    index = before - 1
    while index >= 0 and is_variation_selector(text[index]):
        index -= 1
    return text[index] if index >= 0 else None


def _joins(text: str, index: int) -> bool:
    """Whether the ZWJ/ZWNJ at ``index`` joins two things it is meant to join."""
    previous = _emoji_base(text, index)
    following = text[index + 1] if index + 1 < len(text) else None
    if previous is None or following is None:
        return False
    if text[index] == ZWJ and _is_emoji(previous) and _is_emoji(following):
        return True
    return (
        _in(ord(previous), _JOINING_SCRIPTS)
        and _in(ord(following), _JOINING_SCRIPTS)
        and unicodedata.category(previous)[0] in "LM"
        and unicodedata.category(following)[0] == "L"
    )


def _keeps(text: str, index: int, kept: list[str]) -> bool:
    ch = text[index]
    if " " <= ch <= "~":  # printable ASCII, most of any text
        return True
    if ch.isspace():
        return True
    if ch in _JOINERS:
        return _joins(text, index)
    if is_variation_selector(ch):
        # Only right after a visible base character it can select a form of, and one per base.
        if not kept or is_invisible(kept[-1]):
            return False
        base = kept[-1]
        return not base.isascii() or (ch in _PRESENTATION_SELECTORS and base in _KEYCAP_BASES)
    return not is_invisible(ch)


def visible_text(raw: str) -> str:
    """``raw`` in NFC without the characters this module removes; whitespace becomes plain spaces
    (not folded). The basis of ``clean_line``, usable for multi-line text too."""
    text = unicodedata.normalize("NFC", raw)
    if text.isascii() and text.isprintable():  # nothing to remove: the common case, kept cheap
        return text
    kept: list[str] = []
    for index, ch in enumerate(text):
        if _keeps(text, index, kept):
            kept.append(" " if ch.isspace() else ch)
    # Removing a character can bring a base and its mark together: compose again.
    return unicodedata.normalize("NFC", "".join(kept))


def most_stacked_marks(text: str) -> int:
    """The longest run of combining marks (Mn, Mc, Me) in ``text``."""
    if text.isascii():
        return 0
    longest = run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch)[0] == "M" else 0
        longest = max(longest, run)
    return longest


def clean_line(raw: str, field: str, *, max_length: int) -> str:
    """One line of plain text: invisible characters removed, whitespace runs folded to one space,
    stacked combining marks refused, then length-checked (too long is refused, never truncated)."""
    return _checked(" ".join(visible_text(raw).split()), field, max_length=max_length, required=True)


def _checked(text: str, field: str, *, max_length: int, required: bool) -> str:
    if not text and required:
        raise InvalidValue(field, "must not be empty")
    if most_stacked_marks(text) > MAX_COMBINING_MARKS:
        raise InvalidValue(
            field, f"must not stack more than {MAX_COMBINING_MARKS} combining marks (accents) on one character"
        )
    if len(text) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters long")
    return text


# Line-breaking elements become a line break, so "tulips<br>roses" keeps its two words apart.
_BREAKING_TAGS = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_MARKUP = re.compile(r"[<&]")
_HTML_PASSES = 3  # text that still holds markup after it (``<textarea>`` content) is taken as it is


def _html_to_text(raw: str) -> str:
    text = raw
    for _ in range(_HTML_PASSES):
        if not _MARKUP.search(text):
            break
        cleaned = html.unescape(
            nh3.clean(_BREAKING_TAGS.sub("\n", text), tags=set(), clean_content_tags={"script", "style"}, attributes={})
        )
        if cleaned == text:
            break
        text = cleaned
    return text


def plain_text(raw: str, field: str, *, max_length: int, multiline: bool = False, required: bool = True) -> str:
    """Free text from a client as plain text (contract section 6): HTML turned into its text, then
    invisible characters removed and NFC as ``visible_text``; one line has its whitespace folded to
    single spaces, ``multiline`` text keeps its line breaks (at most one blank line in a row). Then
    length-checked: too long is refused with ``field`` named, never truncated. ``required=False``
    lets it come out empty."""
    text = _html_to_text(raw)
    if multiline:
        lines = [
            " ".join(visible_text(line).split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    else:
        text = " ".join(visible_text(text).split())
    return _checked(text, field, max_length=max_length, required=required)
