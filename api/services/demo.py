"""Demo data for the embedded default: made-up young people and workers, loaded into an empty directory."""

from pathlib import Path

from sqlmodel import select

from api.config import ROOT, get_settings
from api.content import councils
from api.db import unit_of_work
from api.models import YoungPerson
from api.services.directory import import_files

DEMO_DIR = ROOT / "demo"


def load_demo(folder: Path = DEMO_DIR) -> int:
    """Import the demo directory when it is empty (the default council's from `folder`, another council's
    from `folder/<council>/`); returns how many young people were added."""
    added = 0
    with unit_of_work() as session:
        if session.exec(select(YoungPerson).limit(1)).first() is not None:
            return 0
        for council, where in [(None, folder), *((p.name, p) for p in sorted(folder.iterdir()) if p.is_dir())]:
            if council is not None and council not in councils(get_settings().content_dir):
                continue
            report = import_files(
                session=session,
                young_people=where / "young_people.csv",
                workers=where / "workers.csv",
                council=council,
            )
            if not report.ok:
                raise ValueError(f"the demo directory {where} does not import: " + "; ".join(report.problems))
            added += report.young_people_added
    return added
