"""How a message is read before any safety pattern sees it: one folding for every language.

English text speak is spelled out ("u" -> "you", "ur" -> "your"), apostrophes dropped ("don't" ->
"dont", so patterns are written without them), letters repeated 3+ times squashed to 2. Every
script is folded the same way: lower case, accents and vowel marks removed (Vietnamese "tự tử" ->
"tu tu", as many people type it anyway), Arabic-script letter variants made one (Arabic and Persian
yeh and kaf, alef with hamza, teh marbuta), tatweel and zero-width joiners removed. Patterns in
content/safety/ are written in this folded form: `caring-promise safety fold "text"` shows it.

Two lighter readings live here too: `normalise` (what the intent and theme models see) and
`keyword` (a whole message taken as one word: "STOP", "forget me", "skip").
"""

import re
import unicodedata
from functools import lru_cache

# Arabic-script letters that people (and keyboards) use interchangeably.
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
        "\u0671": "\u0627",  # alef wasla
        "\u06cc": "\u064a",  # Persian yeh -> Arabic yeh
        "\u0649": "\u064a",  # alef maksura
        "\u0626": "\u064a",  # yeh with hamza
        "\u06a9": "\u0643",  # Persian keheh -> Arabic kaf
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06c0": "\u0647",  # heh with yeh above
        "\u06d5": "\u0647",  # Kurdish ae -> heh
        "\u0624": "\u0648",  # waw with hamza
        "\u0640": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner (Persian "می‌خواهم")
        "\u200d": None,  # zero-width joiner
        "\u200b": None,  # zero-width space
        "\ufeff": None,  # byte order mark
        "\u2019": "",  # curly apostrophes go the way straight ones do
        "\u2018": "",
        "'": "",
        "`": "",
        "\u201c": '"',
        "\u201d": '"',
    }
)
# Letters that are not decomposed by NFD but are typed without their mark.
_LATIN_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ı": "i", "æ": "ae", "œ": "oe"})

# English text speak, spelled out (whole words only).
_TEXT_SPEAK = {
    "u": "you",
    "ur": "your",
    "yr": "your",
    "r": "are",
    "im": "im",
    "ive": "ive",
    "wiv": "with",
    "wid": "with",
    "w": "with",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "bc": "because",
    "b4": "before",
    "2day": "today",
    "2nite": "tonight",
    "tonite": "tonight",
    "2night": "tonight",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "ppl": "people",
    "sum1": "someone",
    "some1": "someone",
    "every1": "everyone",
    "any1": "anyone",
    "no1": "no one",
    "noone": "no one",
    "wanna": "want to",
    "wana": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gunna": "going to",
    "finna": "going to",
    "tryna": "trying to",
    "gotta": "got to",
    "hafta": "have to",
    "lemme": "let me",
    "gimme": "give me",
    "dunno": "dont know",
    "idk": "i dont know",
    "rn": "right now",
    "atm": "at the moment",
    "pls": "please",
    "plz": "please",
    "plss": "please",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "bfs": "boyfriends",
    "gfs": "girlfriends",
    "m8": "mate",
    "m8s": "mates",
    "h8": "hate",
    "luv": "love",
    "nite": "night",
    "thru": "through",
    "tho": "though",
    "wat": "what",
    "wot": "what",
    "wen": "when",
    "dat": "that",
    "da": "the",
    "dis": "this",
    "dem": "them",
    "sumthing": "something",
    "smth": "something",
    "nuffin": "nothing",
    "nothin": "nothing",
    "nd": "and",
    "n": "and",
    "fam": "family",
    "anymore": "any more",
    "any1s": "anyones",
    "cant": "cant",
    "cannot": "cant",
    "wont": "wont",
    "aint": "aint",
    "myslef": "myself",
    "meself": "myself",
    "mysef": "myself",
    "myselfe": "myself",
}
_WORD = re.compile(r"[^\W_]+|\d+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=512)  # a turn folds the same message five or six times (risk, language, places...)
def plain_fold(text: str) -> str:
    """The folding of every script (lower case, no accents or vowel marks, one Arabic-script letter per
    sound), without spelling out English text speak: how words of any language are compared."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.translate(_ARABIC_FOLD)
    text = _strip_marks(text).translate(_LATIN_FOLD)
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=512)
def fold(text: str) -> str:
    """The message as safety patterns read it (see the module's docstring)."""
    return _WORD.sub(lambda m: _TEXT_SPEAK.get(m.group(0), m.group(0)), plain_fold(text))


def normalise(text: str) -> str:
    """Lower-case, fold accents and curly quotes, squash letters repeated 3+ times ("pleeease")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)
    return re.sub(r"\s+", " ", text).strip()


# Contact details: an email address, a phone number, a link. Their character n-grams can look like
# anything, so no model reads them.
_CONTACT = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}|\+?\d[\d\s()-]{6,}\d|https?://\S+|www\.\S+", re.IGNORECASE)


def without_contacts(text: str) -> str:
    """The text with email addresses, phone numbers and links taken out."""
    return _CONTACT.sub(" ", text).strip()


def has_words(text: str) -> bool:
    """Whether there is anything to read: at least one letter, in any script."""
    return any(ch.isalpha() for ch in text)


def keyword(text: str) -> str:
    """The whole message as a keyword: lower case, without the spaces and punctuation people add at the end."""
    return re.sub(r"[\s.!?]+$", "", text.strip().lower())


def word_pattern(words: list[str]) -> re.Pattern[str] | None:
    """One whole-word pattern for a list of words and phrases; a trailing * matches any ending."""
    if not words:
        return None
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    return re.compile(r"\b(?:" + "|".join(sorted(parts, key=len, reverse=True)) + r")\b")


# Where one question ends and the next begins: a question mark, a new line, the end of a sentence,
# "also" / "and what about", or "and" followed by a question word ("... and can i get money for uni").
_QUESTION_BREAK = re.compile(
    r"\?+|\n+|(?<=\w)[.!;]+(?:\s+|$)"
    r"|\s+(?:and also|oh and|and another thing|another thing|plus|and what about|what about|also)\s+"
    r"|(?:,?\s+(?:and|but|n)\s+|,\s*)(?=(?:can|could|do|does|how|what|whats|when|where|who|why|will|would|should|is|are|am)\b)",
    re.IGNORECASE,
)
# A part that asks something: it ended with "?", or it starts the way questions and requests do.
_ASKS = re.compile(
    r"^(?:(?:and|so|but|ok|okay|oh|plus|then|also|um|erm|hi|hey|hiya|right)\s+)*"
    r"(?:can|could|do|does|did|how|what|whats|when|where|who|whos|why|will|would|should|is|are|am|any|"
    r"need|want|i need|i want|i wanna|im looking for|help|tell me|explain)\b",
    re.IGNORECASE,
)


def questions_in(text: str) -> list[str]:
    """The questions a message asks, in order: "can i get money for uni? and do i pay council tax" is two.
    A statement around them ("my pa left last month.") is not one."""
    found, start = [], 0
    for match in [*_QUESTION_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        part = text[start:end].strip(" ,.!;-")
        asked = bool(match and "?" in match.group(0))
        if has_words(part) and (asked or _ASKS.match(part)):
            found.append(part)
        start = match.end() if match else end
    return found
