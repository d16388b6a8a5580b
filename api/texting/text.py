"""Replies that suit a text message: plain GSM-7, one segment where possible, at most three.

Long answers are split at sentence boundaries; what does not fit in three messages waits for the
young person to reply MORE. Buttons become numbered options ("Reply 1 for ...").
"""

import re
import unicodedata
from dataclasses import dataclass

from api.texting.gsm import SEGMENT, gsm7_length, is_gsm7

UCS2_SEGMENT = 70
MAX_MESSAGES = 3
# A text in another script (UCS-2) holds 70 characters, not 160: it may take more of them, up to about
# the characters of two plain texts, before the rest waits for MORE.
MAX_UCS2_MESSAGES = 5
MORE_HINT = "Reply MORE for the rest"
FULLER_HINT = "Reply MORE for the full answer."

# Typographic characters and common emoji, turned into what a basic phone sends in GSM-7.
_GSM_EQUIVALENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u200b": "",
    "\u200d": "",
    "\ufe0f": "",
    "\ufeff": "",
    "\u2022": "-",
    "\u00b7": "-",
    "\u2023": "-",
    "\u25cf": "-",
    "\u00bd": "1/2",
    "\u00bc": "1/4",
    "\u00be": "3/4",
    "\u2122": "TM",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2713": "v",
    "\u2714": "v",
    "\u2705": "v",
    "\u274c": "x",
    "\U0001f642": ":)",
    "\U0001f60a": ":)",
    "\U0001f600": ":D",
    "\U0001f603": ":D",
    "\U0001f604": ":D",
    "\U0001f601": ":D",
    "\U0001f602": ":'D",
    "\U0001f609": ";)",
    "\U0001f641": ":(",
    "\U0001f61e": ":(",
    "\U0001f622": ":'(",
    "\U0001f62d": ":'(",
    "\u2764": "<3",
    "\U0001f499": "<3",
    "\U0001f49b": "<3",
    "\U0001f44d": "(y)",
    "\U0001f44b": "",
    "\U0001f64f": "",
}


_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner: part of how some scripts are spelt


def to_gsm(text: str) -> str:
    """Swap typographic characters and emoji for GSM-7 ones; keep letters of any script.

    A young person who writes in a script GSM-7 cannot carry keeps it (the text is then sent as
    UCS-2); symbols with no equivalent are dropped so one emoji does not double the cost.
    """
    out = []
    for ch in text:
        if ch in _GSM_EQUIVALENTS:
            out.append(_GSM_EQUIVALENTS[ch])
        elif is_gsm7(ch):
            out.append(ch)
        else:
            category = unicodedata.category(ch)
            if category[0] in "LMNP" or ch in _JOINERS:  # letters, marks, numbers, punctuation (። ، ؟):
                out.append(ch)  # their own script stays, with the joiners Persian spelling needs (می‌خواهم)
            elif category[0] == "Z":
                out.append(" ")
            # symbols (emoji), control and private-use characters are dropped
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()


def segment_limit(text: str) -> int:
    """Characters in one single-segment message for this text's encoding."""
    return SEGMENT if is_gsm7(text) else UCS2_SEGMENT


def segments(text: str) -> int:
    """How many billed segments Twilio would send this text as."""
    if is_gsm7(text):
        length, single, part = gsm7_length(text), SEGMENT, 153
    else:
        length, single, part = len(text.encode("utf-16-le")) // 2, UCS2_SEGMENT, 67
    if length <= single:
        return 1
    return -(-length // part)


def _pieces(text: str, limit: int) -> list[str]:
    """Sentences (or, for an over-long sentence, words; for an over-long word, characters)."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        sentence = sentence.strip()
        if not sentence:
            continue
        if _cost(sentence) <= limit:
            out.append(sentence)
            continue
        for word in sentence.split():
            while _cost(word) > limit:
                out.append(word[: limit // 2])
                word = word[limit // 2 :]
            out.append(word)
    return out


def _cost(text: str) -> int:
    return gsm7_length(text) if is_gsm7(text) else len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class SmsReply:
    """What goes out now, and what waits for MORE."""

    messages: list[str]
    rest: str


def split_for_sms(text: str, max_messages: int | None = None) -> SmsReply:
    """Pack sentences into single-segment messages; past `max_messages` (by default 3, or 5 in UCS-2),
    end with the MORE hint."""
    text = text.strip()
    limit = segment_limit(text)
    if max_messages is None:
        max_messages = MAX_MESSAGES if limit == SEGMENT else MAX_UCS2_MESSAGES
    if _cost(text) <= limit:
        return SmsReply([text] if text else [], "")
    pieces = _pieces(text, limit)
    messages: list[str] = []
    current = ""
    i = 0
    while i < len(pieces):
        last = len(messages) == max_messages - 1
        room = limit - (_cost(MORE_HINT) + 1 if last else 0)
        candidate = f"{current} {pieces[i]}".strip()
        if _cost(candidate) <= room:
            current = candidate
            i += 1
            continue
        if last:
            if not current:
                # A sentence longer than the room left beside the hint: take it word by word
                # (and a word longer than that, character by character).
                words = pieces[i].split()
                if len(words) > 1:
                    pieces[i : i + 1] = words
                else:
                    pieces[i : i + 1] = [pieces[i][: room // 2], pieces[i][room // 2 :]]
                continue
            # Everything left waits for MORE (the current message ends with the hint).
            messages.append(f"{current} {MORE_HINT}")
            return SmsReply(messages, " ".join(pieces[i:]).strip())
        messages.append(current)
        current = ""
    if current:
        messages.append(current)
    return SmsReply(messages, "")


def numbered_options(titles: list[str], plain: bool = False) -> str:
    """'Reply 1 for Money, 2 for Housing or 3 for Talk to a person.'; `plain`, for a text in another
    language, without English words: '1 = مترجم. 2 = ...'."""
    if not titles:
        return ""
    if plain:
        return " ".join(f"{i} = {t}." for i, t in enumerate(titles, start=1))
    parts = [f"{i} for {t}" for i, t in enumerate(titles, start=1)]
    if len(parts) == 1:
        return f"Reply {parts[0]}."
    return f"Reply {', '.join(parts[:-1])} or {parts[-1]}."
