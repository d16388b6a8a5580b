"""The approved answers of content/<council>/: loading, rendering for a channel, and checking.

Answers are data written by people, never by code: each file has a short SMS version, a fuller
web version, quick-reply buttons, sources and a review date. Local details that the council must
confirm are `{placeholders}` declared in council.yml.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from api.config import get_settings
from api.contract import BotMessage, Button
from api.files import read_yaml
from api.nlp.rasa_data import PAYLOAD
from api.texting.gsm import SEGMENT, gsm7_length, non_gsm_chars


def answer_key(intent: str) -> str:
    """The content key that answers an intent or a retrieval intent: `money/overview` is `money`'s answer."""
    base, _, sub = intent.partition("/")
    return base if sub in ("", "overview") else intent


PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Flesch-Kincaid grade 9 is a reading age of about 14: below our youngest user (16), with room
# for the words the answers must name (apprenticeship, Universal Credit, Ombudsman).
MAX_READING_GRADE = 9.0
REVIEW_MAX_AGE = timedelta(days=365)
# Filled per conversation, not from council.yml; the check counts them at this many characters.
RUNTIME_PLACEHOLDERS = {
    "first_name": 12,  # the young person's first name, from the directory
    "worker_name": 12,  # their advisor's first name (never more of a worker's details)
    "worker_contact": 40,  # the work contact the council chose to publish for them (directory public_contact)
    "due": 28,  # when someone will answer: "5pm on Wednesday 30 December"
    "reference": 7,  # a request's reference: "C-10423"
    "office_hours": 32,  # "Monday to Friday, 9am to 5pm" (from the settings)
    "latest": 22,  # the last day a complex Stage 1 answer may take: "Wednesday 23 December"
    "language": 24,  # the language an interpreter will speak: "Tigrinya", "your language"
    "in_their_language": 0,  # the same news in their language (content/languages/, checked there)
    "place": 20,  # a place they named in another council's area: "Scunthorpe", "DN15"
    "other_council": 34,  # that council: "North East Lincolnshire Council"
    "other_area": 24,  # its area: "North East Lincolnshire"
}


@dataclass(frozen=True)
class QuickReply:
    """A quick reply: what it says, and the message it sends ("/intent")."""

    title: str
    payload: str


@dataclass(frozen=True)
class Answer:
    """One approved answer."""

    key: str
    title: str
    sms: str
    web: str
    buttons: tuple[QuickReply, ...]
    sources: tuple[str, ...]
    review_date: date | None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def review_due(self, today: date) -> str | None:
        """Why the answer is due for review (no review date, or one over a year ago); None when it is not."""
        if self.review_date is None:
            return "no review_date (YYYY-MM-DD)"
        if today - self.review_date > REVIEW_MAX_AGE:
            return f"last reviewed {self.review_date}, over a year ago"
        return None


@dataclass(frozen=True)
class Setting:
    """A local detail the council fills in (council.yml)."""

    name: str
    about: str
    value: str | None
    unset: str | None

    @property
    def text(self) -> str:
        """What the bot says for it now."""
        return self.value if self.value else (self.unset or "")


@dataclass(frozen=True)
class Reply:
    """A rendered answer for one channel."""

    key: str
    text: str
    buttons: tuple[QuickReply, ...]

    def as_message(self) -> BotMessage:
        """The reply as a Rasa bot message: text, buttons and the content key."""
        buttons: list[Button] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return {"text": self.text, "buttons": buttons, "key": self.key}


class ContentError(Exception):
    """A content file that cannot be read at all."""


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _web_from_sections(raw: dict[str, Any]) -> str:
    """An answer written as headed lists (the Caring Promise): the intro, then each heading and its items."""
    lines = [str(raw.get("intro") or "").strip()]
    for section in raw.get("sections") or []:
        lines.append(f"{section.get('heading', '')}:")
        lines.extend(f"- {item}" for item in section.get("commitments") or [])
    return "\n".join(line for line in lines if line)


class ContentPack:
    """Every answer and setting of one council: its own folder, over what every council shares."""

    def __init__(self, folder: Path, shared: Path | None = None) -> None:
        if not folder.is_dir():
            raise ContentError(f"no content folder {folder}")
        self.folder = folder
        self.name = folder.name  # the council's key: lincolnshire, north-lincolnshire
        council = self._read(folder / "council.yml") if (folder / "council.yml").exists() else {}
        self.council_name: str = council.get("council", folder.name)
        self.area: str = str(council.get("area") or self.council_name)
        self.settings: dict[str, Setting] = {
            "council": Setting("council", "The council's name", self.council_name, None),
            "area": Setting("area", "The area the council looks after", self.area, None),
        }
        self.settings.update(
            {
                name: Setting(name, str(s.get("about", "")), s.get("value"), s.get("unset"))
                for name, s in (council.get("settings") or {}).items()
            }
        )
        self.answers: dict[str, Answer] = {}
        self.load_errors: list[str] = []
        self.shared_keys: set[str] = set()
        # What every council says the same way (content/shared/), then this council's own answers, which
        # win. One file per answer; a sub-answer lives in its intent's folder (money/setting_up_home.yml).
        for source in (shared, folder):
            if source is None or not source.is_dir():
                continue
            for path in sorted(source.rglob("*.yml")):
                if path.name == "council.yml" and path.parent == source:
                    continue
                self._load(source, path, shared=source == shared)

    def _load(self, source: Path, path: Path, shared: bool) -> None:
        try:
            raw = self._read(path)
        except ContentError as exc:
            self.load_errors.append(str(exc))
            return
        key = str(raw.get("key") or path.relative_to(source).with_suffix("").as_posix())
        if shared:
            self.shared_keys.add(key)
        else:
            self.shared_keys.discard(key)
        self.answers[key] = Answer(
            key=key,
            title=str(raw.get("title") or key.replace("_", " ").capitalize()),
            sms=str(raw.get("sms") or "").strip(),
            web=str(raw.get("web") or _web_from_sections(raw)).strip(),
            buttons=tuple(QuickReply(str(b["title"]), str(b["payload"])) for b in raw.get("buttons") or [] if b),
            sources=tuple(str(s) for s in raw.get("sources") or []),
            review_date=_as_date(raw.get("review_date")),
            extra={k: v for k, v in raw.items() if k not in Answer.__dataclass_fields__},
        )

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            data = read_yaml(path)
        except yaml.YAMLError as exc:
            raise ContentError(f"{path.name}: not valid YAML ({exc})") from exc
        if not isinstance(data, dict):
            raise ContentError(f"{path.name}: should be a set of 'name: value' lines")
        return data

    def fill(self, text: str, values: dict[str, str] | None = None) -> str:
        """Replace {placeholders} with settings (or given values); unknown ones are left visible."""
        extra = values or {}

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return extra[name]
            if name in self.settings:
                return self.settings[name].text
            return match.group(0)

        return PLACEHOLDER.sub(sub, text)

    def render(
        self, key: str, channel: str = "web", values: dict[str, str] | None = None, simple: bool = False
    ) -> Reply:
        """The answer for a channel: the SMS version for sms, the web version elsewhere; the SMS version
        (short, the answer first) on the web too for someone who asked for simple English."""
        answer = self.answers.get(key) or self.answers["fallback"]
        text = answer.sms if channel == "sms" or simple else (answer.web or answer.sms)
        return Reply(answer.key, self.fill(text, values).strip(), answer.buttons)

    def has(self, key: str) -> bool:
        """Whether an answer exists for this key."""
        return key in self.answers


SHARED = "shared"  # content/shared/: what is the same for every council


@lru_cache
def load_pack(content_dir: Path, council: str) -> ContentPack:
    """The content pack of a council, over the shared answers (read once per process)."""
    return ContentPack(content_dir / council, content_dir / SHARED)


@lru_cache
def councils(content_dir: Path) -> tuple[str, ...]:
    """Every council with a pack here (a folder with a council.yml), the default first."""
    default = get_settings().council
    found = sorted(p.parent.name for p in content_dir.glob("*/council.yml"))
    return tuple(sorted(found, key=lambda name: name != default))


def council_named(name: str | None) -> str:
    """The council a request names (the default when it names none); ValueError for one not served here."""
    settings = get_settings()
    if not name:
        return settings.council
    served = councils(settings.content_dir)
    if name not in served:
        raise ValueError(f"unknown council {name!r}: this service answers for {', '.join(served)}")
    return name


def get_pack(council: str | None = None) -> ContentPack:
    """A council's pack: the conversation's, or the configured default's."""
    settings = get_settings()
    return load_pack(settings.content_dir, council or settings.council)


def rasa_responses(pack: ContentPack, retrieval_intents: list[str]) -> str:
    """bot/data/responses.yml: the responses real Rasa's ResponseSelector is trained with, one per retrieval
    intent, made from this pack's SMS answers (the bot itself answers from content/, through actions)."""
    responses = {
        f"utter_{intent}": [{"text": pack.fill(pack.answers[answer_key(intent)].sms)}]
        for intent in retrieval_intents
        if answer_key(intent) in pack.answers
    }
    header = (
        "# Made by `caring-promise content rasa-responses` from content/: do not edit (the content check\n"
        "# fails when it is out of date). Real Rasa needs a response for each retrieval intent to train its\n"
        "# ResponseSelector; what young people are sent comes from content/ through actions/.\n"
    )
    return header + yaml.safe_dump(
        {"version": "3.1", "responses": responses}, allow_unicode=True, sort_keys=True, width=1000
    )


# --- checking -------------------------------------------------------------------------------


@dataclass
class CheckReport:
    """What `caring-promise content check` prints: problems fail it, notes do not."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unset: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing must be fixed."""
        return not self.problems


def _longest_fill(pack: ContentPack, text: str) -> str:
    """The text with each placeholder at its longest (the value or the words used until it is set)."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in RUNTIME_PLACEHOLDERS:
            return "x" * RUNTIME_PLACEHOLDERS[name]
        setting = pack.settings.get(name)
        if not setting:
            return match.group(0)
        return max((setting.value or "", setting.unset or ""), key=len)

    return PLACEHOLDER.sub(sub, text)


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of plain text (bullets and placeholders do not count as words)."""
    import textstat  # imported here: only the checker needs it

    plain = PLACEHOLDER.sub("it", re.sub(r"^\s*[-*]\s+", "", text, flags=re.MULTILINE))
    # A bullet line is a sentence to a reader even without a full stop.
    plain = re.sub(r"([^.!?:])\n", r"\1.\n", plain)
    return float(textstat.flesch_kincaid_grade(plain))


def check_pack(pack: ContentPack, required: tuple[str, ...], today: date | None = None) -> CheckReport:
    """Everything a reviewer must fix before the pack goes live, and what is still unset."""
    today = today or date.today()
    report = CheckReport(problems=list(pack.load_errors))
    for key in required:
        if key not in pack.answers:
            report.problems.append(f"{key}: no answer (every intent needs content/{pack.folder.name}/{key}.yml)")
    for key, answer in sorted(pack.answers.items()):
        for button in answer.buttons:
            payload = PAYLOAD.match(button.payload)
            target = "/".join(part for part in payload.group("intent", "sub") if part) if payload else ""
            if button.payload.startswith("/") and answer_key(target) not in pack.answers:
                report.problems.append(
                    f"{key}.yml: the button '{button.title}' leads to {button.payload}, which has no answer"
                )
    for key, answer in sorted(pack.answers.items()):
        where = f"{key}.yml"
        for name in PLACEHOLDER.findall(answer.sms + answer.web):
            if name not in pack.settings and name not in RUNTIME_PLACEHOLDERS:
                report.problems.append(f"{where}: {{{name}}} is not a setting in council.yml")
        if not answer.sms and not answer.web and "sections" not in answer.extra:
            report.problems.append(f"{where}: no sms or web text")
        if answer.sms:
            sms = _longest_fill(pack, answer.sms)
            bad = non_gsm_chars(sms)
            if bad:
                shown = " ".join(repr(ch) for ch in bad)
                report.problems.append(f"{where}: sms has characters a basic phone cannot send cheaply: {shown}")
            elif gsm7_length(sms) > SEGMENT:
                report.problems.append(f"{where}: sms is {gsm7_length(sms)} characters, more than one text ({SEGMENT})")
        if not answer.sources:
            report.problems.append(f"{where}: no sources")
        if due := answer.review_due(today):
            report.problems.append(f"{where}: {due}")
        for part, text in (("sms", answer.sms), ("web", answer.web)):
            if len(text.split()) >= 8:
                grade = reading_grade(text)
                if grade > MAX_READING_GRADE:
                    report.problems.append(
                        f"{where}: {part} reads at grade {grade:.1f}; aim for {MAX_READING_GRADE:.0f} or below "
                        "(shorter sentences, shorter words)"
                    )
        for section in answer.extra.get("sections") or []:
            if section.get("heading_confirmed") is False:
                report.notes.append(f"{where}: heading '{section.get('heading')}' needs confirming")
    for name, setting in sorted(pack.settings.items()):
        if not setting.value:
            report.unset.append(f"{name}: {setting.about}")
            if not setting.unset:
                report.problems.append(f"council.yml: {name} has neither a value nor words to say until set")
    return report
