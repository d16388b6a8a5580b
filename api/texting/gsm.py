"""GSM-7, the plain SMS alphabet: what fits, and how many characters a text really costs."""

# GSM 03.38 basic character set (one septet each).
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (an escape plus the character).
EXTENDED = set("^{}\\[~]|€\f")

SEGMENT = 160  # one message
SEGMENT_SPLIT = 153  # each part of a longer message


def is_gsm7(text: str) -> bool:
    """True when every character can be sent without switching the whole text to UCS-2."""
    return all(ch in BASIC or ch in EXTENDED for ch in text)


def gsm7_length(text: str) -> int:
    """Septets the text costs in GSM-7 (extension characters count twice)."""
    return sum(2 if ch in EXTENDED else 1 for ch in text)


def non_gsm_chars(text: str) -> list[str]:
    """The characters that would force UCS-2, in order of first appearance."""
    seen: list[str] = []
    for ch in text:
        if ch not in BASIC and ch not in EXTENDED and ch not in seen:
            seen.append(ch)
    return seen
