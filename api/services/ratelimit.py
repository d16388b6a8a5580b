"""Rate limits that every worker process shares: a counter per key and fixed time window, in the database.

A key is a rule and who is counted: `chat:sender:<conversation>`, `chat:address:<ip>`... Per sender limits
stop one flood; per address limits are far higher, so many young people behind one college's address
are not blocked by each other. The client's address is the connection's, or X-Forwarded-For only from
the proxies listed in CARING_TRUSTED_PROXIES (uvicorn's `forwarded_allow_ips`).
"""

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, delete

from api.db import get_engine, unit_of_work
from api.models import RateCounter

KEEP_SECONDS = 3_600  # counters older than the longest window are deleted


@dataclass(frozen=True)
class Limit:
    """At most `calls` in `seconds` for one key of this rule."""

    rule: str
    calls: int
    seconds: int = 60

    def allow(self, who: str) -> bool:
        """Count a call by `who` and say whether it is within the limit (a limit of 0 is off)."""
        return self.calls <= 0 or self.count(who) <= self.calls

    def count(self, who: str) -> int:
        """Count a call by `who`; how many there have been in this window."""
        return hit(f"{self.rule}:{who}"[:160], self.seconds)


def now() -> float:
    """Seconds since the epoch (tests freeze it, so a window never turns over mid-test)."""
    return time.time()


@lru_cache
def _count(dialect: str) -> Any:
    """Add one to a key's counter in a window, or start it at one; the count after (built once a dialect:
    a message counts two limits, and building the statement cost more than running it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(RateCounter)
        .values(key=bindparam("key"), window=bindparam("window"), hits=1)
        .on_conflict_do_update(index_elements=["key", "window"], set_={"hits": col(RateCounter.hits) + 1})
        .returning(col(RateCounter.hits))
    )


def hit(key: str, seconds: int) -> int:
    """Count one call for the key in the current window; how many there have been in it."""
    window = int(now()) // seconds * seconds
    with unit_of_work() as session:
        counted = session.execute(_count(get_engine().dialect.name), {"key": key, "window": window})
        return int(counted.scalar_one())


def forget_old(at: float | None = None) -> int:
    """Delete counters of windows long past; how many went."""
    before = int(at or now()) - KEEP_SECONDS
    with unit_of_work() as session:
        return session.exec(delete(RateCounter).where(col(RateCounter.window) < before)).rowcount
