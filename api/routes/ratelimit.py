"""A small per-address limiter for the open endpoints young people use without logging in."""

import threading
import time
from collections import defaultdict, deque


class SlidingWindowLimiter:
    """At most `limit` calls per `window` seconds from one key (in this process)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a call and say whether it is within the limit."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls[key]
            while calls and now - calls[0] > self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                return False
            calls.append(now)
            if len(self._calls) > 10_000:  # forget idle addresses so memory stays bounded
                for stale in [k for k, v in self._calls.items() if not v or now - v[-1] > self.window]:
                    del self._calls[stale]
            return True
