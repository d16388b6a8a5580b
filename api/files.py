"""Reading the project's YAML files: content, training data, patterns, languages, places.

libyaml's parser (PyYAML's C extension, in its wheels) reads the same safe YAML many times faster
than the pure-Python one; start-up reads about eighty files, so it is used wherever it is installed.
"""

from pathlib import Path
from typing import IO, Any

import yaml

try:
    SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    SafeLoader = yaml.SafeLoader


def parse_yaml(source: str | IO[str]) -> Any:
    """Safe YAML from a string or an open file (None for an empty document)."""
    return yaml.load(source, Loader=SafeLoader)  # noqa: S506  (a safe loader)


def read_yaml(path: Path) -> Any:
    """A UTF-8 YAML file's data (None for an empty file)."""
    return parse_yaml(path.read_text(encoding="utf-8"))
