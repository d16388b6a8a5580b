"""Issue 13, SMS as full as web: a walk of every web fact by text.

From each answer a young person can reach on the web (every intent's answer and every sub-answer), the
web chat's buttons are tapped breadth-first and the content keys reached are collected. The same start
is then texted, and the numbered options ("1", "2"...) are followed, breadth-first: every key the web
reaches must be reached by text too. And every fact of a key's web version (amounts, numbers, ages,
phone numbers, addresses) must be in the text that answered it or in what MORE sends after it.

Each start is texted as the payload a web tap sends ("/money/setting_up_home"), so the walk measures the
text channel, not the intent model (tests/test_precise_answers.py asks in young people's words).
Replies carry no content keys on either channel: they are read back to keys by matching the rendered
answers (the SMS ones after the GSM-7 conversion the channel does).

A state of the walk is the answers one turn gave and the choices it offered (buttons; by text, the
numbers): what each choice does is found once per state, in the conversation that first got there or
by replaying that conversation's messages in a new one. Every reply is read through the live routes.
"""

import itertools
import re
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from api.content import PLACEHOLDER, ContentPack, get_pack
from api.contract import CONTRACT_INTENTS
from api.texting.text import FULLER_HINT, MORE_HINT, to_gsm
from tests.routes.test_twilio import messages, text_in

MAX_TAPS = 6  # taps (or numbers texted) after the first message
MAX_MORE = 6  # MOREs after one answer
# An intent that starts a form answers with the form's first question (tests/routes/test_rest.py).
FIRST_ANSWER = {"talk_to_worker": "handoff_ask_topic"}

# -- facts -----------------------------------------------------------------------------------

_FACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an email address
    r"|(?:https?://)?[\w-]+(?:\.[\w-]+)*\.(?:uk|com|org|net)(?:/[\w./-]*[\w/])?"  # a web address
    r"|(?<!\w)£?\d+(?:[,.:]\d+)*(?:am|pm)?(?: \d+(?:[,.]\d+)*)*"  # an amount, age, time or phone number
)


def facts(text: str) -> set[str]:
    """The facts of a text: amounts, numbers, ages, times, phone numbers, web and email addresses."""
    return {match.group(0) for match in _FACT.finditer(text)}


def states(text: str, fact: str) -> bool:
    """The text gives the fact whole ('25' is not in '250', '3' in '£3,000' nor '575955' in '01522 575955')."""
    return re.search(rf"(?<![\w.,])(?<!\d ){re.escape(fact)}(?!\w|[,.:]\d| \d)", text) is not None


def norm(text: str) -> str:
    """A text as the SMS channel sends it, with any run of spaces and new lines as one space."""
    return re.sub(r"\s+", " ", to_gsm(text)).strip()


# -- reading replies back to content keys ------------------------------------------------------


def _pattern(pack: ContentPack, template: str) -> str:
    """A rendered answer as a regex: settings filled in, a per-conversation value ({due}) as anything."""
    parts = PLACEHOLDER.split(norm(pack.fill(template)))
    # split() keeps the placeholder names at odd places: they become wildcards.
    return "".join(re.escape(part) if i % 2 == 0 else ".+?" for i, part in enumerate(parts))


@dataclass
class Keys:
    """Each answer's rendered web and SMS versions, to tell which answers a reply is made of."""

    pack: ContentPack
    web: dict[str, re.Pattern[str]] = field(default_factory=dict)
    sms: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, answer in self.pack.answers.items():
            web = answer.web or answer.sms
            if web:
                self.web[key] = re.compile(_pattern(self.pack, web))
            if answer.sms:
                # An answer starts a text or follows another answer's sentence; it ends one too.
                self.sms[key] = re.compile(rf"(?:^|(?<=\s)){_pattern(self.pack, answer.sms)}(?=\s|$)")

    def of_web(self, text: str) -> tuple[str, ...]:
        """The answer a web message is (none for a message that is not from content/)."""
        return tuple(sorted(key for key, pattern in self.web.items() if pattern.fullmatch(norm(text))))

    def of_sms(self, text: str) -> tuple[str, ...]:
        """The answers a turn's texts contain."""
        return tuple(sorted(key for key, pattern in self.sms.items() if pattern.search(text)))

    def web_facts(self, key: str) -> set[str]:
        """The facts of an answer's web version (per-conversation values such as {due} left out)."""
        answer = self.pack.answers[key]
        return facts(PLACEHOLDER.sub(" ", norm(self.pack.fill(answer.web or answer.sms))))


# -- walking -----------------------------------------------------------------------------------


@dataclass
class Turn:
    """What one turn of a conversation showed: the answers it was made of, and what can be sent next."""

    keys: tuple[str, ...]
    choices: tuple[str, ...]  # web: the buttons' payloads; SMS: the numbers offered ("1", "2"...)
    sent: tuple[str, ...] = ()  # SMS: the texts, then all that MORE sends after them
    path: tuple[str, ...] = ()  # how this conversation got here, from its first message
    sender: str | None = None  # the conversation, while nothing has been sent after this turn

    @property
    def state(self) -> Hashable:
        return (self.keys, self.choices)


# Plays messages in a conversation: (sender, messages) -> the last turn.
Play = Callable[[str, tuple[str, ...]], Turn]


class Walk:
    """One channel's graph of turns, found as it is walked. What a choice does from a state is found
    once: in the conversation that first reached the state (for its last choice), else by replaying
    that conversation's path in a new one."""

    def __init__(self, play: Play, senders: Iterator[str], first_seen: Callable[[Turn], None] | None = None) -> None:
        self.play = play
        self.senders = senders
        self.first_seen = first_seen
        self.turns: dict[Hashable, Turn] = {}
        self.edges: dict[tuple[Hashable, str], Hashable] = {}

    def _played(self, path: tuple[str, ...], sender: str | None = None) -> Hashable:
        if sender is None:
            sender, sending = next(self.senders), path
        else:
            sending = path[-1:]
        turn = self.play(sender, sending)
        turn.path, turn.sender = path, sender
        if turn.state not in self.turns:
            self.turns[turn.state] = turn
            if self.first_seen:
                self.first_seen(turn)
        return turn.state

    def reach(self, first: str) -> dict[str, tuple[str, ...]]:
        """Every key reached from a first message, breadth-first, each with the shortest path to it."""
        begin = self._played((first,))
        found: dict[str, tuple[str, ...]] = {}
        queue, seen = deque([(begin, (first,))]), {begin}
        while queue:
            state, path = queue.popleft()
            turn = self.turns[state]
            for key in turn.keys:
                found.setdefault(key, path)
            if len(path) > MAX_TAPS:
                continue
            new = [choice for choice in turn.choices if (state, choice) not in self.edges]
            for choice in new:
                live, turn.sender = (turn.sender, None) if choice == new[-1] else (None, turn.sender)
                self.edges[state, choice] = self._played((*turn.path, choice), live)
            for choice in turn.choices:
                child = self.edges[state, choice]
                if child not in seen:
                    seen.add(child)
                    queue.append((child, (*path, choice)))
        return found


_OPTION = re.compile(r"(?<![\w£,])(\d+) for ")


def _sms_choices(sent: Sequence[str]) -> tuple[str, ...]:
    """The numbers a turn offers ("Reply 1 for Money, 2 for Housing or 3 for ...")."""
    offered = " ".join(sent)
    at = offered.rfind("Reply 1 for ")
    if at < 0:
        return ()
    count = max(int(n) for n in _OPTION.findall(offered[at:]))
    return tuple(str(n) for n in range(1, count + 1))


def _more_waits(sent: Sequence[str]) -> bool:
    return bool(sent) and (sent[-1].endswith(MORE_HINT) or sent[-1].endswith(FULLER_HINT))


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(get_pack())


@pytest.fixture(scope="module")
def starts() -> list[str]:
    """Every answer a young person can start from on the web: each intent's, and each sub-answer."""
    pack = get_pack()
    return [key for key in CONTRACT_INTENTS if pack.has(key)] + sorted(k for k in pack.answers if "/" in k)


def test_every_web_fact_is_reachable_by_text(client, keys, starts):
    def play_web(sender: str, sending: tuple[str, ...]) -> Turn:
        for message in sending:
            body = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message}).json()
        found = tuple(key for message in body for key in keys.of_web(message["text"]))
        return Turn(found, tuple(dict.fromkeys(b["payload"] for m in body for b in m.get("buttons") or [])))

    def play_sms(sender: str, sending: tuple[str, ...]) -> Turn:
        for message in sending:
            sent = messages(text_in(client, message, sender=sender))
        return Turn(keys.of_sms(norm(" ".join(sent))), _sms_choices(sent), tuple(sent))

    def more(turn: Turn) -> None:
        """What MORE sends after a turn (the rest, or the web version) counts as part of its answer: it is
        asked for while a fact of the turn's answers is still to come."""
        sender, sent = turn.sender, turn.sent
        web_facts = set().union(*(keys.web_facts(key) for key in turn.keys))
        for _ in range(MAX_MORE):
            texted = norm(" ".join(turn.sent))
            if not _more_waits(sent) or all(states(texted, fact) for fact in web_facts):
                break
            sent = tuple(messages(text_in(client, "MORE", sender=sender)))
            turn.sent += sent
            turn.sender = None  # not where the turn left it: its options now need a new conversation

    numbers = (f"+447702{n:06d}" for n in itertools.count(1))
    web, sms = Walk(play_web, (f"sms-walk-{n}" for n in itertools.count(1))), Walk(play_sms, numbers, more)
    problems = []
    for start in starts:
        first = f"/{start}"
        by_web, by_sms = web.reach(first), sms.reach(first)
        expected = FIRST_ANSWER.get(start, start)
        for channel, found in (("on the web", by_web), ("by text", by_sms)):
            if found.get(expected) != (first,):  # a payload is answered with its own answer
                got = ", ".join(key for key, path in found.items() if path == (first,)) or "no answer"
                problems.append(f"{first} {channel} is answered by {got}, not {expected}: the walk cannot start there")
        for key in sorted(set(by_web) - set(by_sms)):
            problems.append(f"{key}: on the web ({' > '.join(by_web[key])}), never by text from {first}")
    assert web.turns and sms.turns

    for turn in sms.turns.values():
        texted = norm(" ".join(turn.sent))
        for key in turn.keys:
            missing = sorted(fact for fact in keys.web_facts(key) if not states(texted, fact))
            if missing:
                problems.append(
                    f"{key} (texted {' > '.join(turn.path)}): {', '.join(missing)} on the web, "
                    "not in the texts nor after MORE"
                )
    assert not problems, "SMS is not as full as the web:\n" + "\n".join(dict.fromkeys(problems))
