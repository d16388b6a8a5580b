"""Background work in each server process: escalate requests past their time, queue the weekly themes
email, then send the outbox.

Started and stopped by `main.py`'s lifespan; `caring-promise notify send` runs the same round once.
"""

import logging
import threading

from api.services.notify import deliver_pending
from api.services.ratelimit import forget_old
from api.services.requests import escalate_overdue
from api.services.trends import send_weekly_trends

log = logging.getLogger(__name__)


def run_round() -> int:
    """One round: escalate handoffs past their time, queue the weekly themes email when it is due, send
    what is waiting (returns how many were sent), and forget rate-limit counters of windows long past."""
    escalate_overdue()
    send_weekly_trends()
    sent = deliver_pending()
    forget_old()
    return sent


class OutboxWorker:
    """Runs `run_round` every few seconds, in a thread of the server process."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)

    def start(self) -> None:
        """Begin sending (nothing happens when the interval is 0)."""
        if self.interval > 0:
            self._thread.start()

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                run_round()
            except Exception:  # noqa: BLE001  (a bad round must not stop the next one)
                log.exception("outbox round failed")
