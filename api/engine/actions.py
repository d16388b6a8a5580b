"""Run actions/ in-process through rasa-sdk's own executor, with Rasa-shaped requests."""

import asyncio
from typing import Any, cast

from rasa_sdk.events import EventType
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.types import ActionCall, DomainDict, TrackerState

from api.contract import BotMessage

RASA_VERSION = "3.6.21"  # the Rasa whose calls these imitate


class ActionRunner:
    """Registers the `actions` package once and runs an action the way the action server would."""

    def __init__(self, domain: dict[str, Any], package: str = "actions") -> None:
        self.domain = cast(DomainDict, domain)  # bot/domain.yml as read
        self.executor = ActionExecutor()
        self.executor.register_package(package)

    def has(self, name: str) -> bool:
        """Whether actions/ defines this action."""
        return name in self.executor.actions

    def run(self, name: str, tracker: TrackerState) -> tuple[list[EventType], list[BotMessage]]:
        """Run one action: (events, responses), exactly as the action server would return them."""
        call: ActionCall = {
            "next_action": name,
            "sender_id": tracker["sender_id"],
            "tracker": tracker,
            "domain": self.domain,
            "version": RASA_VERSION,
        }
        # The engine runs in a worker thread and the executor is async: a short-lived loop per call
        # (about 0.1 ms) that is always closed, so no loop outlives its thread.
        result = asyncio.run(self.executor.run(call))
        if result is None:
            return [], []
        return list(result.events), [cast(BotMessage, r) for r in result.responses]
