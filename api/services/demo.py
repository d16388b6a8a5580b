"""Demo data for the embedded default: made-up young people and workers, loaded into an empty directory."""

from pathlib import Path

from sqlmodel import select

from api.config import ROOT
from api.db import unit_of_work
from api.models import YoungPerson
from api.services.directory import import_files

DEMO_DIR = ROOT / "demo"


def load_demo(folder: Path = DEMO_DIR) -> int:
    """Import the demo directory when it is empty; returns how many young people were added."""
    with unit_of_work() as session:
        if session.exec(select(YoungPerson).limit(1)).first() is not None:
            return 0
        report = import_files(session=session, young_people=folder / "young_people.csv", workers=folder / "workers.csv")
        if not report.ok:
            raise ValueError("the demo directory does not import: " + "; ".join(report.problems))
        return report.young_people_added
