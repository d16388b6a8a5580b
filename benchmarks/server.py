"""What the benchmarks share: the message mix, a server on 127.0.0.1 started and stopped, percentiles,
memory. bench.py, profile_turn.py and rasa_server.py import it (none of them imports another)."""

import os
import socket
import subprocess
import sys
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


def start_server(data_dir: str, port: int, workers: int = 1, timeout: float = 600) -> tuple[subprocess.Popen, float]:
    """Start `caring-promise serve` on 127.0.0.1 in `data_dir`; (the process, seconds until /health is 200).
    Training the models in a fresh data dir takes minutes on a loaded machine: hence the long timeout."""
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
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return proc, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def wait_until_idle(url: str, limit: float = 300, path: str = "/health") -> float:
    """After an overload, wait (up to `limit` s) until the server has worked through what it was sent
    (requests a client gave up on are still answered): until GET `path` answers in under 50 ms twice
    running. The seconds it took."""
    started = time.perf_counter()
    fast = 0
    with httpx.Client(base_url=url, timeout=limit) as client:
        while fast < 2 and time.perf_counter() - started < limit:
            t0 = time.perf_counter()
            try:
                client.get(path)
                fast = fast + 1 if time.perf_counter() - t0 < 0.05 else 0
            except httpx.HTTPError:
                fast = 0
            time.sleep(0.2)
    return time.perf_counter() - started


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started here (and wait for it, killing it if it will not stop)."""
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]
