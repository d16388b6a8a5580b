#!/usr/bin/env python3
"""Benchmark the webhook: start-up time, p50/p99 latency and throughput at 1 and 32 concurrent
conversations, and the server's peak memory. Prints figures; asserts nothing (the machine is shared).

    make bench            # or: .venv/bin/python benchmarks/bench.py --messages 25

Only 127.0.0.1 is ever contacted, and every loop is bounded.
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [
    "hiya",
    "can i get money for a washing machine",
    "do i have to pay council tax",
    "what does my pa do",
    "how do i complain",
    "i want an advocate",
    "help with college costs",
    "what's the caring promise",
    "thanks",
    "where can i live when i turn 18",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process has used."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker_memory(pid: int) -> str:
    """With several workers, each worker's peak too (uvicorn's supervisor is `pid`)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    workers = [c for c in pids if "api.main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")] or pids
    if len(workers) < 2:
        return ""
    return " (workers: " + ", ".join(f"{peak_rss_mb(c):.0f} MB" for c in workers) + ")"


def start_server(data_dir: str, port: int, workers: int = 1) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "CARING_DATA_DIR": data_dir}
    env.pop("CARING_DATABASE_URL", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 120
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return proc, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=25, help="messages per conversation")
    ap.add_argument("--workers", type=int, default=1, help="server processes (uvicorn workers)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        proc, cold = start_server(data_dir, port)  # trains the model and caches it
        proc.terminate()
        proc.wait()
        proc, warm = start_server(data_dir, port, args.workers)  # loads the cached model
        url = f"http://127.0.0.1:{port}"
        try:
            print(f"start-up: {cold:.2f} s with training, {warm:.2f} s from the cached model")
            asyncio.run(load(url, 4, 5))  # warm up connections and caches
            for conversations in (1, 32):
                per = args.messages if conversations > 1 else args.messages * 8
                latencies, elapsed = asyncio.run(load(url, conversations, per))
                print(
                    f"{conversations:>2} concurrent: {len(latencies)} messages, "
                    f"p50 {pct(latencies, 0.50):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
                    f"mean {1000 * statistics.mean(latencies):.1f} ms, {len(latencies) / elapsed:.0f} messages/s"
                )
            print(f"server peak memory (VmHWM): {peak_rss_mb(proc.pid):.0f} MB" + worker_memory(proc.pid))
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
