"""An open-loop load test: messages arrive at a rate, whatever the server's answers are doing.

The closed loop of bench.py (each client waits for its answer, then sends again) slows its clients
down when the server slows, so it never sees a queue build. Here arrivals are a Poisson process at
`rate` messages a second over many conversations (each message picks one at random and sends that
conversation's next message of bench.py's mix), each sent at its scheduled time by its own task.
Latency is counted from the scheduled time, so a client that fell behind its schedule cannot hide
a slow server (no coordinated omission); how late the client sent is reported too.

Only the given URL (127.0.0.1) is contacted; the number of messages is bounded.
"""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

WEBHOOK = "/webhooks/rest/webhook"


@dataclass(frozen=True)
class Arrival:
    """One scheduled message."""

    at: float  # seconds after the start
    sender: str
    message: str


def schedule(
    rate: float, conversations: int, total: int, messages: list[str], seed: int = 17, prefix: str = "open"
) -> list[Arrival]:
    """`total` arrivals of a Poisson process at `rate` a second; each picks one of `conversations` at
    random and is that conversation's next message (conversation c's k-th is messages[(c + k) % n])."""
    rng = random.Random(seed)
    sent: Counter[int] = Counter()
    arrivals, at = [], 0.0
    for _ in range(total):
        at += rng.expovariate(rate)
        c = rng.randrange(conversations)
        arrivals.append(Arrival(at, f"{prefix}-{c}", messages[(c + sent[c]) % len(messages)]))
        sent[c] += 1
    return arrivals


@dataclass
class OpenLoopResult:
    """What one open-loop run measured (times in seconds)."""

    rate: float
    conversations: int
    arrivals: int
    max_in_flight: int
    latencies: list[float] = field(default_factory=list)  # answered ones, from the scheduled time
    lateness: list[float] = field(default_factory=list)  # how late each was sent, against its schedule
    errors: Counter[str] = field(default_factory=Counter)
    shed: int = 0  # not sent: `max_in_flight` were waiting already (the server had fallen that far behind)
    send_window: float = 0.0  # from the start to the last arrival
    elapsed: float = 0.0  # from the start to the last answer
    peak_in_flight: int = 0
    client_cpu: float = 0.0  # this process's CPU seconds over the run

    def pct(self, q: float) -> float:
        """A latency percentile in ms (nearest rank, as bench.py)."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def line(self, label: str = "open loop") -> str:
        """The figures in one line (and a warning when the client, not the server, was the limit)."""
        sent = self.arrivals - self.shed
        done = len(self.latencies)
        errors = ", ".join(f"{n} {kind}" for kind, n in self.errors.most_common()) or "0"
        late = sorted(self.lateness)
        late_p99 = 1000 * late[min(len(late) - 1, int(0.99 * len(late)))] if late else float("nan")
        cpu = self.client_cpu / self.elapsed if self.elapsed else 0.0
        shed = f", {self.shed} not sent (already {self.max_in_flight} waiting)" if self.shed else ""
        text = (
            f"{label}: {self.rate:g} messages/s offered (Poisson) over {self.conversations} conversations, "
            f"{self.arrivals} messages in {self.send_window:.1f} s: {sent} sent{shed}; answered {done} "
            f"({done / self.elapsed:.1f}/s over {self.elapsed:.1f} s); p50 {self.pct(0.50):.1f} ms, "
            f"p90 {self.pct(0.90):.1f} ms, p99 {self.pct(0.99):.1f} ms, "
            f"max {1000 * max(self.latencies, default=float('nan')):.1f} ms; errors {errors}; "
            f"peak {self.peak_in_flight} in flight; sent late by p99 {late_p99:.1f} ms; client CPU {100 * cpu:.0f}%"
        )
        if late_p99 > 50 or cpu > 0.5:
            text += " (the client was busy: its own delay is part of these latencies)"
        return text


async def open_loop(
    url: str,
    rate: float,
    conversations: int,
    total: int,
    messages: list[str],
    seed: int = 17,
    timeout: float = 30.0,
    prefix: str = "open",
    max_in_flight: int = 256,
) -> OpenLoopResult:
    """Send `total` messages to `url`'s REST webhook at Poisson arrival times, each without waiting for
    any other's answer; latency, errors and the achieved rate. An arrival that finds `max_in_flight`
    messages unanswered is not sent but counted (`shed`): past that point the server is far behind,
    and a client holding thousands of connections would measure itself rather than the server."""
    arrivals = schedule(rate, conversations, total, messages, seed, prefix)
    result = OpenLoopResult(rate, conversations, len(arrivals), max_in_flight)
    connections = min(total, max_in_flight)  # one each: no arrival waits in the client for a connection
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them: a request sent on a
    # connection the server is closing at that moment fails (a ReadError that is the client's, not the server's).
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=min(connections, 64), keepalive_expiry=2.0
    )
    in_flight = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:

        async def send(arrival: Arrival, due: float) -> None:
            nonlocal in_flight
            result.lateness.append(max(0.0, time.perf_counter() - due))
            try:
                response = await client.post(WEBHOOK, json={"sender": arrival.sender, "message": arrival.message})
                if response.status_code == 200:
                    result.latencies.append(time.perf_counter() - due)
                else:
                    result.errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as exc:
                result.errors[type(exc).__name__] += 1
            finally:
                in_flight -= 1

        cpu = time.process_time()
        start = time.perf_counter()
        tasks = []
        for arrival in arrivals:
            due = start + arrival.at
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            if in_flight >= max_in_flight:
                result.shed += 1
                continue
            in_flight += 1
            result.peak_in_flight = max(result.peak_in_flight, in_flight)
            tasks.append(asyncio.create_task(send(arrival, due)))
        result.send_window = time.perf_counter() - start
        await asyncio.gather(*tasks)
        result.elapsed = time.perf_counter() - start
        result.client_cpu = time.process_time() - cpu
    return result
