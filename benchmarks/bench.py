#!/usr/bin/env python3
"""Benchmark the webhook: start-up time, p50/p99 latency and throughput at 1 and 32 concurrent
conversations (closed loop), latency at a Poisson arrival rate over many conversations (open loop,
open_loop.py), a turn's cost by stage (profile_turn.py), and the server's peak memory. Prints
figures; asserts nothing (the machine is shared).

    make bench            # or: .venv/bin/python benchmarks/bench.py --messages 25 --rate 50 --total 2000
    .venv/bin/python benchmarks/bench.py --rate 25 50 100 --total 1000 --turns 200
    .venv/bin/python benchmarks/bench.py --rasa --rasa-model bot/models/20261130.tar.gz   # also a real Rasa

Only 127.0.0.1 is ever contacted, and every loop is bounded.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from open_loop import OpenLoopResult, open_loop
from profile_turn import http_figures, profile_in_process, report
from rasa_server import RASA, newest_model, rasa_servers
from server import (
    MESSAGES,
    ROOT,
    free_port,
    pct,
    peak_rss_mb,
    start_server,
    stop_server,
    wait_until_idle,
    worker_memory,
)


async def load(url: str, conversations: int, per_conversation: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def talk(n: int) -> None:
            for i in range(per_conversation):
                body = {"sender": f"bench-{conversations}-{n}", "message": MESSAGES[(n + i) % len(MESSAGES)]}
                t0 = time.perf_counter()
                response = await client.post("/webhooks/rest/webhook", json=body)
                latencies.append(time.perf_counter() - t0)
                response.raise_for_status()

        t_start = time.perf_counter()
        await asyncio.gather(*(talk(n) for n in range(conversations)))
        elapsed = time.perf_counter() - t_start
    return latencies, elapsed


def main() -> None:
    """Start-up, closed loop, open loop, the stage profile and memory; then, with --rasa, a real Rasa."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=25, help="messages per conversation (closed loop)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (uvicorn workers)")
    ap.add_argument("--rate", type=float, nargs="+", default=[50.0], help="open loop: messages/s (one run each)")
    ap.add_argument("--conversations", type=int, default=1000, help="open loop: conversations the messages pick from")
    ap.add_argument("--total", type=int, default=2000, help="open loop: messages per run")
    ap.add_argument(
        "--max-in-flight", type=int, default=256, help="open loop: arrivals beyond this many unanswered are not sent"
    )
    ap.add_argument("--turns", type=int, default=300, help="stage profile: messages profiled (0: no profile)")
    ap.add_argument("--rasa", action="store_true", help="also the open loop against a real Rasa (/tmp/rasa-venv)")
    ap.add_argument("--rasa-model", type=Path, help="the trained Rasa model (default: newest bot/models/*.tar.gz)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        proc, cold = start_server(data_dir, port)  # trains the model and caches it
        stop_server(proc)
        proc, warm = start_server(data_dir, port, args.workers)  # loads the cached model
        url = f"http://127.0.0.1:{port}"
        try:
            print(f"start-up: {cold:.2f} s with training, {warm:.2f} s from the cached model", flush=True)
            asyncio.run(load(url, 4, 5))  # warm up connections and caches
            for conversations in (1, 32):
                per = args.messages if conversations > 1 else args.messages * 8
                latencies, elapsed = asyncio.run(load(url, conversations, per))
                print(
                    f"{conversations:>2} concurrent: {len(latencies)} messages, "
                    f"p50 {pct(latencies, 0.50):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
                    f"mean {1000 * statistics.mean(latencies):.1f} ms, {len(latencies) / elapsed:.0f} messages/s",
                    flush=True,
                )
            for rate in args.rate:
                result = open_loop_at(url, rate, args, "open")
                print(result.line(), flush=True)
                if (idle := wait_until_idle(url)) > 2:
                    print(f"  (the server took {idle:.0f} s more to work through what it had been sent)", flush=True)
            http = asyncio.run(http_figures(url, args.turns, args.turns)) if args.turns else None
            memory = f"server peak memory (VmHWM): {peak_rss_mb(proc.pid):.0f} MB" + worker_memory(proc.pid)
        finally:
            stop_server(proc)
        if args.turns:
            print()
            print("\n".join(report(profile_in_process(Path(data_dir), args.turns), http)))
            print()
        print(memory)
        if args.rasa:
            print()
            rasa_open_loop(args, data_dir)


def open_loop_at(url: str, rate: float, args: argparse.Namespace, prefix: str) -> OpenLoopResult:
    """One open-loop run at `rate` messages/s with the command line's sizes (conversations named `prefix`-rate)."""
    return asyncio.run(
        open_loop(
            url,
            rate,
            args.conversations,
            args.total,
            MESSAGES,
            prefix=f"{prefix}-{rate:g}",
            max_in_flight=args.max_in_flight,
        )
    )


def rasa_open_loop(args: argparse.Namespace, data_dir: str) -> None:
    """The same open loop against a real Rasa 3.6 server and its action server (never trains one)."""
    model = args.rasa_model or newest_model(ROOT / "bot" / "models")
    if not RASA.exists():
        print(f"real Rasa: skipped ({RASA} is not installed)")
        return
    if model is None or not model.is_file():
        print(
            "real Rasa: skipped (no trained model: give --rasa-model, or train one into bot/models with "
            f"`cd bot && {RASA} train`, about 10 minutes)"
        )
        return
    with rasa_servers(model, data_dir) as (url, seconds):
        print(f"real Rasa ({model.name}): up in {seconds:.1f} s", flush=True)
        asyncio.run(load(url, 4, 5))
        for rate in args.rate:
            result = open_loop_at(url, rate, args, "rasa")
            print(result.line("real Rasa, open loop"), flush=True)
            wait_until_idle(url, path="/version")


if __name__ == "__main__":
    main()
