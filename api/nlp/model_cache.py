"""Trained models kept on disk, keyed by a digest of what they were trained on.

A model is rebuilt when its data changes, and a corrupt or foreign file is rebuilt, never fatal.
Two processes may train at once: each writes its own temporary file and renames it into place.
"""

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
M = TypeVar("M")


def load_or_build(cache_dir: Path, prefix: str, digest: str, model_type: type[M], build: Callable[[], M]) -> M:
    """The cached `prefix` model for exactly this digest, or `build()`'s, cached (older ones removed)."""
    path = cache_dir / f"{prefix}-{digest[:16]}.pkl"
    if path.exists():
        try:
            with path.open("rb") as fh:
                model = pickle.load(fh)  # our own artefact, written below
            if isinstance(model, model_type) and getattr(model, "digest", None) == digest:
                return model
        except Exception:  # noqa: BLE001  (a broken cache is rebuilt, never fatal)
            log.warning("model cache unreadable, retraining", extra={"path": str(path)})
    model = build()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(model, fh)
    tmp.replace(path)  # atomic: a second process never reads half a file
    for old in cache_dir.glob(f"{prefix}-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
    return model
