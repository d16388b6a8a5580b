"""A real Rasa 3.6 server and its action server on 127.0.0.1, for bench.py --rasa (never trains a model).

The action server runs this project's actions/ with this project's Python, as docker-compose.yml does (they
import api/, so they get the same scratch data directory); the Rasa server keeps conversations in memory
(not in Redis, as docker-compose.yml does).
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from server import ROOT, free_port

RASA = Path("/tmp/rasa-venv/bin/rasa")
STARTUP_SECONDS = 600  # loading a model on a loaded 2-core machine takes minutes


def newest_model(folder: Path) -> Path | None:
    """The newest trained model in a folder (`rasa train` writes bot/models/<date>-<name>.tar.gz)."""
    models = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    return models[-1] if models else None


def _wait_until_up(url: str, procs: list[subprocess.Popen], started: float) -> None:
    while time.perf_counter() - started < STARTUP_SECONDS:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a Rasa process exited while starting (run it by hand to see why)")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"Rasa did not answer {url} within {STARTUP_SECONDS} s")


@contextmanager
def rasa_servers(model: Path, data_dir: str) -> Iterator[tuple[str, float]]:
    """Start the action server and a Rasa server with `model`; yield (the Rasa server's URL, seconds to
    come up); stop both."""
    action_port, port = free_port(), free_port()
    env = {**os.environ, "CARING_DATA_DIR": data_dir, "SANIC_HOST": "127.0.0.1"}
    env.pop("CARING_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="caring-rasa-") as work:
        endpoints = Path(work) / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
        started = time.perf_counter()
        procs = [
            # As docker-compose.yml runs it: this project's Python (actions/ import api/), not Rasa's.
            _spawn([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)], ROOT, env)
        ]
        try:
            command = [str(RASA), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port)]
            command += ["-m", str(model.resolve()), "--endpoints", str(endpoints), "--credentials", "credentials.yml"]
            procs.append(_spawn(command, ROOT / "bot", env))
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(f"{url}/status", procs, started)
            _wait_until_up(f"http://127.0.0.1:{action_port}/health", procs, started)
            yield url, time.perf_counter() - started
        finally:
            for proc in reversed(procs):
                stop_group(proc)


def _spawn(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start a quiet process in its own process group: Sanic's workers (and multiprocessing's helpers)
    outlive a terminated parent, so `stop_group` stops the whole group."""
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def stop_group(proc: subprocess.Popen, grace: float = 30) -> None:
    """Stop a process started in its own session, and everything in its process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is still there
    proc.wait()
