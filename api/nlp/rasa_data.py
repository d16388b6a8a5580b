"""Read a Rasa 3.x project (config, domain, NLU data, rules) the way Rasa itself reads it."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.files import parse_yaml

# [text](entity), [text](entity:value), [text]{"entity": "x", "value": "y"}
_ENTITY_RE = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<paren>[^)]+)\)|(?P<brace>\{[^}]+\}))")


RESPONSES = "data/responses.yml"  # real Rasa's responses for the retrieval intents (from content/)
RETRIEVAL_SEPARATOR = "/"  # Rasa's retrieval intents: `money/setting_up_home` is an example of `money`
# A quick reply's payload, as Rasa reads one: an intent ("/talk_to_worker") or a retrieval intent
# ("/money/setting_up_home", "/complain/stage2"), with entities as JSON after it when it sets some
# ('/talk_to_worker{"interpreter": "ti"}').
PAYLOAD = re.compile(r"^/(?P<intent>[a-z_][a-z0-9_]*)(?:/(?P<sub>[a-z0-9_]+))?(?P<entities>\{[^{}]*\})?$")


def payload_entities(payload: re.Match[str]) -> list[dict[str, Any]]:
    """The entities a payload sets, as Rasa's RegexMessageHandler gives them (text values only)."""
    raw = payload.group("entities")
    if not raw:
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(values, dict):
        return []
    return [{"entity": str(k), "value": v} for k, v in values.items() if isinstance(v, str) and len(v) <= 64]


def base_intent(name: str) -> str:
    """The intent of a retrieval intent (`money/setting_up_home` -> `money`); a plain intent is itself."""
    return name.split(RETRIEVAL_SEPARATOR, 1)[0]


@dataclass
class NluData:
    """Training examples and the lexical helpers that go with them."""

    examples: list[tuple[str, str]] = field(default_factory=list)  # (text, intent or retrieval intent)
    synonyms: dict[str, str] = field(default_factory=dict)  # lower-cased variant -> canonical value
    lookups: dict[str, list[str]] = field(default_factory=dict)  # entity -> values
    regexes: dict[str, list[str]] = field(default_factory=dict)  # entity -> patterns

    @property
    def retrieval_intents(self) -> list[str]:
        """Every retrieval intent with examples (`money/setting_up_home`...)."""
        return sorted({intent for _, intent in self.examples if RETRIEVAL_SEPARATOR in intent})


@dataclass
class Rule:
    """A rule: when `intent` arrives (under `condition`), run `actions` in order."""

    name: str
    intent: str | None
    actions: list[str]
    active_loop: str | None = None  # condition: only while this form is active
    after_loop: str | None = None  # the rule fires when this form has just completed
    previous_action: str | None = None  # the rule starts with this action: it answers what that action asked


@dataclass
class BotProject:
    """Everything the embedded engine needs from bot/."""

    config: dict[str, Any]
    domain: dict[str, Any]
    nlu: NluData
    rules: list[Rule]
    digest: str

    @property
    def fallback_threshold(self) -> float:
        """The FallbackClassifier threshold of config.yml, shared by both engines."""
        for component in self.config.get("pipeline", []):
            if component.get("name") == "FallbackClassifier":
                return float(component.get("threshold", 0.3))
        return 0.3


def strip_entities(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Rasa's inline entity markup into plain text plus entity spans."""
    entities: list[dict[str, Any]] = []
    out, pos = [], 0
    for match in _ENTITY_RE.finditer(text):
        out.append(text[pos : match.start()])
        start = sum(len(part) for part in out)
        value = match.group("text")
        if match.group("paren"):
            name, _, canonical = match.group("paren").partition(":")
        else:
            spec = parse_yaml(match.group("brace"))
            name, canonical = spec.get("entity", ""), spec.get("value", "")
        entities.append({"entity": name, "start": start, "end": start + len(value), "value": canonical or value})
        out.append(value)
        pos = match.end()
    out.append(text[pos:])
    return "".join(out), entities


def _list_items(block: str | list[str] | None) -> list[str]:
    """Rasa writes examples as a YAML block of '- ' lines."""
    if block is None:
        return []
    if isinstance(block, list):
        return [str(item) for item in block]
    items = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
    return items


def _load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return parse_yaml(fh) or {}


def _rule_from_yaml(raw: dict[str, Any]) -> Rule:
    active_loop = None
    for cond in raw.get("condition") or []:
        if "active_loop" in cond:
            active_loop = cond["active_loop"]
    intent, after_loop, previous = None, None, None
    actions: list[str] = []
    steps = raw.get("steps") or []
    for i, step in enumerate(steps):
        if "intent" in step and intent is None:
            # Actions before the intent are what the bot last did: "offered a referral, then: affirm".
            previous = actions[-1] if actions else None
            intent, actions = step["intent"], []
        elif "action" in step:
            # "- action: form" then "- active_loop: null": the form just completed.
            nxt = steps[i + 1] if i + 1 < len(steps) else {}
            if active_loop and step["action"] == active_loop and nxt.get("active_loop", "x") is None:
                after_loop = active_loop
                continue
            actions.append(step["action"])
    return Rule(raw.get("rule", ""), intent, actions, active_loop, after_loop, previous)


def project_digest(bot_dir: Path) -> str:
    """A hash of every file of the project, so cached artefacts are rebuilt when the data changes."""
    digest = hashlib.sha256()
    for path in sorted(bot_dir.rglob("*.yml")):
        if path == bot_dir / RESPONSES:  # made from content/ for real Rasa; trains nothing here
            continue
        digest.update(str(path.relative_to(bot_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_project(bot_dir: Path) -> BotProject:
    """Read config.yml, domain.yml and everything under data/."""
    config = _load_yaml(bot_dir / "config.yml")
    domain = _load_yaml(bot_dir / "domain.yml")
    nlu = NluData()
    rules: list[Rule] = []
    for path in sorted((bot_dir / "data").rglob("*.yml")):
        doc = _load_yaml(path)
        for item in doc.get("nlu") or []:
            if "intent" in item:
                for example in _list_items(item.get("examples")):
                    text, _ = strip_entities(example)
                    nlu.examples.append((text, item["intent"]))
            elif "synonym" in item:
                for variant in _list_items(item.get("examples")):
                    nlu.synonyms[variant.lower()] = str(item["synonym"])
            elif "lookup" in item:
                nlu.lookups.setdefault(item["lookup"], []).extend(_list_items(item.get("examples")))
            elif "regex" in item:
                nlu.regexes.setdefault(item["regex"], []).extend(_list_items(item.get("examples")))
        for raw in doc.get("rules") or []:
            rules.append(_rule_from_yaml(raw))
    return BotProject(config, domain, nlu, rules, project_digest(bot_dir))
