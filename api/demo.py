"""Demo data for the embedded default: made-up young people, loaded into an empty directory."""

import csv
from pathlib import Path

from sqlmodel import select

from api.config import ROOT
from api.db import unit_of_work
from api.models import YoungPerson

DEMO_DIR = ROOT / "demo"


def load_demo(folder: Path = DEMO_DIR) -> int:
    """Add the demo young people when the directory is empty; returns how many were added."""
    with unit_of_work() as session:
        if session.exec(select(YoungPerson).limit(1)).first() is not None:
            return 0
        with (folder / "young_people.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            session.add(YoungPerson(**row))
        return len(rows)
