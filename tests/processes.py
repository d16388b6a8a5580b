"""Starting real processes of the product for tests: a free port, a start, a wait until healthy."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.config import get_settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on (127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_models(data_dir: Path) -> Path:
    """A scratch data directory holding the models this test run has trained, so a server started on it reads
    them instead of training its own (under load, training made a start miss its 90 seconds)."""
    cache = get_settings().cache_dir
    if cache.is_dir():
        shutil.copytree(cache, data_dir / "cache", dirs_exist_ok=True)
    return data_dir


@contextmanager
def running(args: Sequence[str], env: dict[str, str], health_url: str, timeout: float = 90) -> Iterator[None]:
    """Run `python -m <args>` from the repository until the block ends; wait for health_url to answer 200."""
    proc = subprocess.Popen(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, f"{args[0]} exited with {proc.returncode}"
            assert time.monotonic() < deadline, f"{args[0]} did not become healthy"
            try:
                if httpx.get(health_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=60)  # a loaded machine can be slow to finish its last requests
