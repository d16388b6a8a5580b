"""Run actions/ in-process through rasa-sdk's own executor, with Rasa-shaped requests."""

import asyncio
import threading
from typing import Any

from rasa_sdk.executor import ActionExecutor

_local = threading.local()


def _loop() -> asyncio.AbstractEventLoop:
    """One event loop per worker thread: the engine is synchronous, the executor is not."""
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


class ActionRunner:
    """Registers the `actions` package once and runs an action the way the action server would."""

    def __init__(self, domain: dict[str, Any], package: str = "actions") -> None:
        self.domain = domain
        self.executor = ActionExecutor()
        self.executor.register_package(package)

    def has(self, name: str) -> bool:
        """Whether actions/ defines this action."""
        return name in self.executor.actions

    def run(self, name: str, tracker: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Run one action: (events, responses), exactly as the action server would return them."""
        call = {"next_action": name, "sender_id": tracker["sender_id"], "tracker": tracker, "domain": self.domain}
        result = _loop().run_until_complete(self.executor.run(call))
        if result is None:
            return [], []
        return list(result.events), list(result.responses)
