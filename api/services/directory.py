"""The directory: young people and their workers, imported from the council's CSV files.

Every row of both files is checked before anything is written: one bad row (with its line number
and reason) and nothing is imported. Importing again updates people (young people by reference,
workers by work email) rather than adding them twice.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, func, select

from api.models import Staff, Worker, YoungPerson, default_council
from api.privacy import normalise_number

YOUNG_PEOPLE_COLUMNS = ("reference", "first_name", "mobile", "status", "worker_email")
WORKER_COLUMNS = ("email", "name", "role", "mobile", "team", "away", "public_contact")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")
_UK_MOBILE = re.compile(r"^\+447\d{9}$")
_TRUE = {"yes", "y", "true", "1", "away"}
_FALSE = {"", "no", "n", "false", "0"}


def _mobile(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    number = normalise_number(value)
    if not _UK_MOBILE.match(number):
        raise ValueError(f"'{value}' is not a UK mobile number (07... or +447...)")
    return number


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


class WorkerRow(BaseModel):
    """One line of workers.csv."""

    email: str = Field(max_length=254)
    name: str = Field(max_length=128)
    role: Literal["personal_advisor", "social_worker", "team_manager"] = "personal_advisor"
    mobile: str | None = None
    team: str = Field(default="leaving_care", max_length=64)
    away: bool = False
    public_contact: str | None = Field(default=None, max_length=64)

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str) -> str:
        return _email(value)

    @field_validator("mobile")
    @classmethod
    def _check_mobile(cls, value: str | None) -> str | None:
        return _mobile(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name is empty")
        return value.strip()

    @field_validator("away", mode="before")
    @classmethod
    def _away(cls, value: object) -> bool:
        text = str(value or "").strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError(f"away should be yes or no, not '{value}'")


class YoungPersonRow(BaseModel):
    """One line of young_people.csv."""

    reference: str = Field(max_length=32)
    first_name: str = Field(max_length=64)
    mobile: str | None = None
    status: Literal["in_care", "care_leaver"] = "care_leaver"
    worker_email: str | None = Field(default=None, max_length=254)

    @field_validator("mobile")
    @classmethod
    def _check_mobile(cls, value: str | None) -> str | None:
        return _mobile(value)

    @field_validator("reference", "first_name")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value.strip()

    @field_validator("worker_email")
    @classmethod
    def _worker(cls, value: str | None) -> str | None:
        return _email(value) if value and value.strip() else None


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    problems: list[str] = field(default_factory=list)
    workers_added: int = 0
    workers_updated: int = 0
    young_people_added: int = 0
    young_people_updated: int = 0

    @property
    def ok(self) -> bool:
        """True when the files were imported."""
        return not self.problems


def _reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


Row = TypeVar("Row", bound=BaseModel)


def _read_rows(
    name: str, text: str, model: type[Row], columns: tuple[str, ...], key: str, problems: list[str]
) -> list[tuple[int, Row]]:
    """Parse and check every row; problems name the file and line (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    required = [name for name, spec in model.model_fields.items() if spec.is_required()]
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h not in columns]
    if missing or unknown:
        if missing:
            problems.append(f"{name} line 1: missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"{name} line 1: unknown column(s) {', '.join(unknown)} (expected {', '.join(columns)})")
        return []
    rows: list[tuple[int, Row]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            problems.append(f"{name} line {line}: more values than columns")
            continue
        try:
            # An empty optional cell means "not given"; an empty required one is reported as empty.
            parsed = model.model_validate({k: v for k, v in values.items() if v != "" or k in required or k == "away"})
        except ValidationError as exc:
            problems.append(f"{name} line {line}: {_reason(exc)}")
            continue
        ident = str(getattr(parsed, key)).lower()
        if ident in seen:
            problems.append(f"{name} line {line}: {key} {getattr(parsed, key)} is also on line {seen[ident]}")
            continue
        seen[ident] = line
        rows.append((line, parsed))
    return rows


def import_directory(
    *, session: Session, young_people_csv: str, workers_csv: str, council: str | None = None
) -> ImportReport:
    """Check both files completely, then add or update every row as the council's (the default council when
    none is given; the caller commits; nothing on a problem)."""
    report = ImportReport()
    worker_lines = _read_rows("workers.csv", workers_csv, WorkerRow, WORKER_COLUMNS, "email", report.problems)
    people_lines = _read_rows(
        "young_people.csv", young_people_csv, YoungPersonRow, YOUNG_PEOPLE_COLUMNS, "reference", report.problems
    )
    known_workers = {w.email for _, w in worker_lines} | set(session.exec(select(Worker.email)))
    in_file = {p.reference.lower() for _, p in people_lines}
    mobiles: dict[str, tuple[int, str]] = {}
    for line, person in people_lines:
        where = f"young_people.csv line {line}"
        if person.worker_email and person.worker_email not in known_workers:
            report.problems.append(f"{where}: worker_email {person.worker_email} is not in workers.csv")
        if not person.mobile:
            continue
        if person.mobile in mobiles:
            first_line, first = mobiles[person.mobile]
            report.problems.append(f"{where}: mobile is also given for {first} on line {first_line}")
            continue
        mobiles[person.mobile] = (line, person.reference)
        other = session.exec(select(YoungPerson).where(YoungPerson.mobile == person.mobile)).first()
        if other is not None and other.reference.lower() not in in_file:
            report.problems.append(f"{where}: mobile already belongs to {other.reference}, who is not in this file")
    if report.problems:
        return report
    _save(session, [w for _, w in worker_lines], [p for _, p in people_lines], report, council or default_council())
    return report


def _save(
    session: Session, workers: list[WorkerRow], people: list[YoungPersonRow], report: ImportReport, council: str
) -> None:
    by_email: dict[str, Worker] = {}
    for row in workers:
        worker = session.exec(select(Worker).where(Worker.email == row.email)).first()
        if worker is None:
            worker = Worker(email=row.email, name=row.name)
            report.workers_added += 1
        else:
            report.workers_updated += 1
        for name, value in row.model_dump().items():
            setattr(worker, name, value)
        worker.council = council
        session.add(worker)
        by_email[row.email] = worker
    session.flush()
    # Numbers move between people only after every old one is let go (the column is unique).
    # References are matched without case, as within a file: "demo-0001" updates "DEMO-0001".
    wanted = [r.reference.lower() for r in people]
    existing = {
        p.reference.lower(): p
        for p in session.exec(select(YoungPerson).where(func.lower(YoungPerson.reference).in_(wanted)))
    }
    for person in existing.values():
        person.mobile = None
        session.add(person)
    session.flush()
    for entry in people:
        found = existing.get(entry.reference.lower())
        if found is None:
            person = YoungPerson(reference=entry.reference, first_name=entry.first_name)
            report.young_people_added += 1
        else:
            person = found
            report.young_people_updated += 1
        person.first_name, person.mobile, person.status = entry.first_name, entry.mobile, entry.status
        person.council = council
        if entry.worker_email:
            advisor = (
                by_email.get(entry.worker_email)
                or session.exec(select(Worker).where(Worker.email == entry.worker_email)).one()
            )
            person.worker_id = advisor.id
        else:
            person.worker_id = None
        session.add(person)
    link_staff(session=session)


def link_staff(*, session: Session) -> int:
    """Link advisor accounts to their directory entry by work email; returns how many were linked."""
    linked = 0
    for staff in session.exec(select(Staff).where(Staff.role == "advisor")):
        worker = session.exec(select(Worker).where(Worker.email == staff.email)).first()
        worker_id = worker.id if worker else None
        if staff.worker_id != worker_id:
            staff.worker_id = worker_id
            session.add(staff)
            linked += 1
    return linked


def import_files(*, session: Session, young_people: Path, workers: Path, council: str | None = None) -> ImportReport:
    """Import from two CSV files (UTF-8, with a header line) as a council's."""
    return import_directory(
        session=session,
        young_people_csv=young_people.read_text(encoding="utf-8-sig"),
        workers_csv=workers.read_text(encoding="utf-8-sig"),
        council=council,
    )


def young_person_for_number(*, session: Session, number: str) -> YoungPerson | None:
    """The young person whose directory mobile this is, if any."""
    return session.exec(select(YoungPerson).where(YoungPerson.mobile == normalise_number(number))).first()


def young_person_by_reference(session: Session, reference: str | None) -> YoungPerson | None:
    """The young person with this council reference, if any."""
    if not reference:
        return None
    return session.exec(select(YoungPerson).where(YoungPerson.reference == reference)).first()
