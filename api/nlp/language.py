"""Which language a message is in, and what content/languages/ says in each language.

content/languages/<code>.yml, one file per language young people here write in: marker words (in
its own script and as people type it in Latin letters), ways of asking for an interpreter, words for
the topics they ask about, and the core messages in that language (what I can do, that an
interpreter is free, how to reach a person). en.yml has English's markers, interpreter requests and
asks for simple English. Translations are machine-assisted until a fluent speaker signs them off
(`review:`); `caring-promise content check` lists the unreviewed ones.

The language of a message, in order of evidence:
1. its script: Ethiopic is Tigrinya or Amharic, Arabic script is Arabic, Dari/Farsi, Pashto, Sorani
   (or Urdu), told apart by the letters only some of them use;
2. marker words of each language, counted on the folded message (so "ana a7taj sakan" is Arabic and
   "wallah i need house help bro" is English: English words outnumber the Arabic one);
3. py3langid's bundled model, restricted to the languages young people here write in, as one more vote.
The risk check uses the same detector (api/risk/assess.py): a message told to be in another language
is not read by the English classifier.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from api.files import read_yaml
from api.nlp.text import plain_fold

UNREVIEWED = "machine-assisted, needs review by a fluent speaker"
ENGLISH = "en"
NOT_SAID = "not said"  # the language of an interpreter asked for before their language could be told
# What py3langid may answer: English plus the languages care leavers here most often write in.
# (Tigrinya and Sorani are not in its model: their script and markers tell them.)
DETECTABLE = ("en", "ar", "ps", "fa", "ku", "am", "so", "sq", "vi", "pl", "ro", "cy", "fr", "ur", "tr", "pt", "es")
# Names of languages that may be detected but have no file of their own (in content/languages/ or
# content/safety/languages/, whose files name theirs).
OTHER_NAMES = {"en": "English", "tr": "Turkish", "es": "Spanish", "ku": "Kurdish"}
# Which languages each non-Latin script may be (the first is the guess when nothing else tells).
SCRIPT_LANGUAGES = {"Ethiopic": ("ti", "am"), "Arabic": ("ar", "fa", "ps", "ckb", "ur")}
# Letters only some Arabic-script languages use: each one seen is worth this much to them.
_LETTERS = {
    "ps": set("ټډړږښګڼځڅۍېڊ"),
    "ckb": set("ڵڕێۆەڤ"),
    "fa": set("پچژگ"),  # Persian letters: Pashto, Sorani and Urdu use them too, Arabic does not
    "ur": set("ٹڈڑںےھ"),
    "ti": set("ኣኸኹኺኻኼኽኾቐቑቒቓቔቕቖ"),  # Tigrinya's own letters (ኣ, ḫ and q'), rare in Amharic
}
_SHARED_LETTERS = {"fa": ("fa", "ps", "ckb", "ur")}
LETTER_WEIGHT = 0.5
ENGLISH_FLOOR = 2  # English marker words needed to call a message English without py3langid's vote
LANGID_WEIGHT = 1.5
# Below this many letters py3langid's guess is noise ("ok", "hi").
MIN_LETTERS = 12
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Detected:
    """A message's language (None when it cannot be told) and its main non-Latin script (None: Latin)."""

    code: str | None
    script: str | None = None
    score: float = 0.0  # the evidence for `code`: marker words, letters and py3langid's vote
    english: int = 0  # English marker words in it (a word or two of another language in English is English)

    @property
    def foreign(self) -> bool:
        """Told to be a language other than English."""
        return self.code is not None and self.code != ENGLISH


@dataclass(frozen=True)
class LanguagePack:
    """One language's file in content/languages/."""

    code: str
    name: str  # in the language itself: "ትግርኛ"
    english_name: str  # "Tigrinya"
    review: str
    source: str
    words: frozenset[str]
    interpreter: tuple[re.Pattern[str], ...]
    topics: dict[str, tuple[re.Pattern[str], ...]]
    messages: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def reviewed(self) -> bool:
        """Whether a fluent speaker has signed the messages off."""
        return bool(self.review) and self.review != UNREVIEWED

    def topic_of(self, folded: str) -> str | None:
        """The topic whose words the folded message uses most (housing, money, person...), if any."""
        counts = {name: sum(bool(p.search(folded)) for p in patterns) for name, patterns in self.topics.items()}
        best = max(counts.items(), key=lambda kv: kv[1], default=("", 0))
        return best[0] if best[1] else None


def script_of(text: str) -> str | None:
    """The main non-Latin script of the text: 'Arabic', 'Ethiopic', ... or None for Latin (or none)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and ord(ch) > 0x024F:
            name = unicodedata.name(ch, "")
            script = name.split(" ")[0] if name else ""
            if script:
                counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    script, count = max(counts.items(), key=lambda kv: kv[1])
    letters = sum(ch.isalpha() for ch in text)
    return script.title() if count * 2 >= letters else None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def langid(text: str) -> str | None:
    """py3langid's guess among DETECTABLE, when the text is long enough and the guess is sure."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(text)
    return str(code) if probability >= 0.5 else None


def _compile(where: str, patterns: list[Any]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(str(p)) for p in patterns or [])
    except re.error as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _read(path: Path) -> dict[str, Any]:
    data = read_yaml(path)
    return data if isinstance(data, dict) else {}


def _pack_from(raw: dict[str, Any], path: Path, names: dict[str, tuple[str, str]]) -> LanguagePack:
    """One content/languages/<code>.yml, as read; `names` gives (own name, English name) by code."""
    where = f"content/languages/{path.name}"
    code = str(raw.get("code") or "")
    if code != path.stem:
        raise ValueError(f"{where}: code {code!r} is not the file's name")
    name, english_name = names.get(code) or (str(raw.get("name") or code), str(raw.get("english_name") or code))
    return LanguagePack(
        code=code,
        name=str(raw.get("name") or name),
        english_name=str(raw.get("english_name") or english_name),
        review=str(raw.get("review") or UNREVIEWED),
        source=str(raw.get("source") or ""),
        words=frozenset(plain_fold(str(w)) for w in raw.get("words") or []),
        interpreter=_compile(f"{where} interpreter", raw.get("interpreter") or []),
        topics={
            str(topic): _compile(f"{where} topics.{topic}", items or [])
            for topic, items in (raw.get("topics") or {}).items()
        },
        messages=dict(raw.get("messages") or {}),
    )


class Languages:
    """Every language's file, and the detector that reads them."""

    def __init__(
        self,
        packs: dict[str, LanguagePack],
        simple: tuple[re.Pattern[str], ...] = (),
        english_names: dict[str, str] | None = None,
    ) -> None:
        self.packs = packs
        self.simple = simple  # asks for answers in simple English (en.yml)
        # Every language with crisis phrases (content/safety/languages/), by code: "lt" -> "Lithuanian".
        self.english_names = english_names or {}

    @classmethod
    def load(cls, content_dir: Path) -> "Languages":
        """content/languages/*.yml, named from content/safety/languages/ (one name per language)."""
        names: dict[str, tuple[str, str]] = {}
        for path in sorted((content_dir / "safety" / "languages").glob("*.yml")):
            raw = _read(path)
            names[str(raw.get("code"))] = (str(raw.get("name") or ""), str(raw.get("english_name") or ""))
        packs: dict[str, LanguagePack] = {}
        simple: tuple[re.Pattern[str], ...] = ()
        for path in sorted((content_dir / "languages").glob("*.yml")):
            if path.stem == "detection_eval":
                continue  # the measuring set, never the detector's own data
            raw = _read(path)
            pack = _pack_from(raw, path, names)
            packs[pack.code] = pack
            if pack.code == ENGLISH:
                simple = _compile(f"content/languages/{path.name} simple", raw.get("simple") or [])
        return cls(packs, simple, {code: english for code, (_, english) in names.items() if english})

    # -- detection -------------------------------------------------------------------------

    def detect(self, text: str) -> Detected:
        """The language of a message (see the module's docstring)."""
        script = script_of(text)
        folded = plain_fold(text)
        tokens = _TOKEN.findall(folded)
        if script not in (None, "Latin") and script not in SCRIPT_LANGUAGES:
            return Detected(None, script)  # a script none of our languages is written in
        candidates = SCRIPT_LANGUAGES.get(script or "", ())
        # Marker words of each language (of the script's languages, for another script) in the message.
        marked = {
            code: hits
            for code, pack in self.packs.items()
            if not candidates or code in candidates
            if (hits := sum(token in pack.words for token in tokens))
        }
        scores: dict[str, float] = defaultdict(float, marked)
        if candidates:
            letters = [ch for ch in text if ch.isalpha()]
            for code, own in _LETTERS.items():
                seen = sum(ch in own for ch in letters)
                if not seen:
                    continue
                for shared in _SHARED_LETTERS.get(code, (code,)):
                    if shared in candidates:
                        scores[shared] += LETTER_WEIGHT * min(seen, 4)
        # py3langid has no Tigrinya (it calls all Ethiopic Amharic): there the letters and words tell.
        guess = langid(text) if script != "Ethiopic" else None
        if guess == "ku" and script == "Arabic":
            guess = "ckb"  # Kurdish in Arabic letters is Sorani (Kurmanji, in Latin letters, has crisis phrases only)
        elif guess == "ur" and not any(ch in _LETTERS["ur"] for ch in text):
            guess = "fa"  # py3langid takes short Dari for Urdu; Urdu writes letters Dari does not
        if guess and (not candidates or guess in candidates):
            scores[guess] += LANGID_WEIGHT
        english = int(scores.get(ENGLISH, 0))
        if english < ENGLISH_FLOOR and guess != ENGLISH:
            # One English-looking word ("im", "ok") in a message py3langid does not call English is not
            # enough to call it English: the other languages' crisis phrases are then still read.
            scores.pop(ENGLISH, None)
        if not scores:
            return Detected(candidates[0] if candidates else None, script, english=english)
        # Ties go to the script's first language, then English, then the order of the files.
        order = [*candidates, ENGLISH, *self.packs]
        code, score = max(scores.items(), key=lambda kv: (kv[1], -order.index(kv[0]) if kv[0] in order else -99))
        if not candidates and code in self.packs and code != ENGLISH and code not in marked and text.isascii():
            # Plain ASCII, and not one word of the language py3langid named ("my sw slapped me" is not
            # Polish): not told. The risk check then reads it as English, which is the safe side.
            return Detected(None, script, english=english)
        return Detected(code, script, score, english)

    # -- what they ask -----------------------------------------------------------------------

    def wants_interpreter(self, text: str) -> bool:
        """Whether the message asks for an interpreter (or says their English is not good), in any language."""
        folded = plain_fold(text)
        return any(p.search(folded) for pack in self.packs.values() for p in pack.interpreter)

    def wants_simple_english(self, text: str) -> bool:
        """Whether the message asks for simpler English."""
        folded = plain_fold(text)
        return any(p.search(folded) for p in self.simple)

    def pack(self, code: str | None) -> LanguagePack | None:
        """A language's file (None for English or a language without one)."""
        return self.packs.get(code or "") if code != ENGLISH else None

    def name(self, code: str | None) -> str:
        """What staff pages call a language: 'Tigrinya', 'English', 'not known'."""
        if not code:
            return "not known"
        if code in self.packs:
            return self.packs[code].english_name
        return self.english_names.get(code) or OTHER_NAMES.get(code, code)


@lru_cache
def get_languages() -> Languages:
    """The languages of this deployment's content, loaded once per process."""
    from api.config import get_settings

    return Languages.load(get_settings().content_dir)


@dataclass
class DetectionReport:
    """How often the detector names the right language on a labelled set."""

    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (expected, said, text)

    @property
    def accuracy(self) -> float:
        """Right answers over all messages."""
        return sum(self.right.values()) / max(sum(self.total.values()), 1)

    def lines(self) -> list[str]:
        """The report, one line per language, then the overall figure."""
        out = []
        for code in sorted(self.total, key=lambda c: (c != ENGLISH, c)):
            right, total = self.right.get(code, 0), self.total[code]
            out.append(f"  {code:4} {right:3}/{total:<3} {right / total:.2f}")
        messages = sum(self.total.values())
        out.append(f"SUMMARY language_accuracy={self.accuracy:.3f} messages={messages} languages={len(self.total)}")
        return out


def evaluate_detection(languages: Languages, labelled: dict[str, list[str]]) -> DetectionReport:
    """Detect every labelled message ({code: [messages]}); Tigrinya or Amharic must be told apart too."""
    report = DetectionReport()
    for code, texts in labelled.items():
        for text in texts:
            said = languages.detect(text).code or "none"
            report.total[code] = report.total.get(code, 0) + 1
            if said == code:
                report.right[code] = report.right.get(code, 0) + 1
            else:
                report.wrong.append((code, said, text))
    return report


def load_labelled(path: Path) -> dict[str, list[str]]:
    """A labelled set: {language code: [messages]}."""
    raw = read_yaml(path) or {}
    return {str(code): [str(t) for t in texts or []] for code, texts in raw.items()}


# The languages whose core messages must exist (issue 15: the first languages of young people who came
# here alone, and of Lincolnshire's Polish and Romanian families).
REQUIRED = ("ar", "ps", "fa", "ckb", "ti", "am", "so", "sq", "vi", "pl", "ro")
TOPICS = ("housing", "money", "person", "health", "education")
BUTTONS = ("interpreter", "person", "english")
# Longest versions, in characters: a text in another script holds 70 characters a segment.
LIMITS = {"welcome.sms": 200, "danger": 70, "topic": 140, "interpreter_done": 160, "button": 25}


def check_languages(content_dir: Path) -> tuple[list[str], list[str]]:
    """content/languages/: (problems that fail the content check, notes such as unreviewed translations)."""
    problems: list[str] = []
    notes: list[str] = []
    try:
        languages = Languages.load(content_dir)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [f"languages: {exc}"], notes
    safety = {p.stem for p in (content_dir / "safety" / "languages").glob("*.yml")}
    for code in REQUIRED:
        if code not in languages.packs:
            problems.append(f"languages/{code}.yml: missing (core messages in {code} are required)")
    for code, pack in languages.packs.items():
        where = f"languages/{code}.yml"
        if len(pack.words) < 10:
            problems.append(f"{where}: needs at least 10 marker words")
        unfolded = sorted(w for w in pack.words if " " in w)
        if unfolded:
            problems.append(f"{where}: marker words are single words: {unfolded[:3]}")
        if not pack.interpreter:
            problems.append(f"{where}: no ways of asking for an interpreter")
        if code == ENGLISH:
            continue
        if code not in safety:
            problems.append(f"{where}: no crisis phrases for it in safety/languages/{code}.yml")
        problems += _check_messages(where, pack)
        if not pack.reviewed:
            notes.append(f"{where}: {pack.english_name} messages not yet reviewed by a fluent speaker")
    return problems, notes


def _check_messages(where: str, pack: LanguagePack) -> list[str]:
    problems = [f"{where}: no words for the topic {t}" for t in TOPICS if not pack.topics.get(t)]
    says = pack.messages
    welcome = says.get("welcome") or {}
    texts = {
        "welcome.sms": welcome.get("sms"),
        "welcome.web": welcome.get("web"),
        "danger": says.get("danger"),
        "topic": says.get("topic"),
        "interpreter_done": says.get("interpreter_done"),
    }
    for name, text in texts.items():
        if not text or not str(text).strip():
            problems.append(f"{where}: messages.{name} is missing")
        elif name in LIMITS and len(str(text).strip()) > LIMITS[name]:
            problems.append(f"{where}: messages.{name} is over {LIMITS[name]} characters")
    if texts["danger"] and "999" not in str(texts["danger"]):
        problems.append(f"{where}: messages.danger must name 999 (in digits)")
    if texts["topic"] and str(texts["topic"]).count("{topic}") != 1:
        problems.append(f"{where}: messages.topic must hold {{topic}} once")
    names = says.get("topic_names") or {}
    problems += [f"{where}: messages.topic_names.{t} is missing" for t in TOPICS if not names.get(t)]
    buttons = says.get("buttons") or {}
    for name in BUTTONS:
        title = str(buttons.get(name) or "")
        if not title or len(title) > LIMITS["button"]:
            problems.append(f"{where}: messages.buttons.{name} must be 1 to {LIMITS['button']} characters")
    return problems
