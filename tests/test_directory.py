"""The directory import: every row checked first, nothing half-imported, re-import updates."""

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.db import get_engine, unit_of_work
from api.directory import import_directory
from api.models import Staff, Worker, YoungPerson
from api.staff import add_staff

WORKERS = """email,name,role,mobile,team,away,public_contact
Nia.Dir@Lincs.example,Nia Dir,personal_advisor,07700 900611,leaving_care,no,
omar.dir@lincs.example,Omar Dir,social_worker,+44 7700 900612,children_in_care,,
"""
YOUNG_PEOPLE = """reference,first_name,mobile,status,worker_email
TEST-DIR-0001,Pip,07700 900621,care_leaver,nia.dir@lincs.example
TEST-DIR-0002,Quinn,07700900622,in_care,omar.dir@lincs.example
TEST-DIR-0003,Rae,,care_leaver,
"""


def imported(young_people: str, workers: str):
    with unit_of_work() as session:
        return import_directory(session=session, young_people_csv=young_people, workers_csv=workers)


def person(reference: str) -> YoungPerson | None:
    with Session(get_engine()) as session:
        return session.exec(select(YoungPerson).where(YoungPerson.reference == reference)).first()


def worker_email_of(young: YoungPerson) -> str | None:
    with Session(get_engine()) as session:
        found = session.get(Worker, young.worker_id) if young.worker_id else None
        return found.email if found else None


@pytest.fixture(scope="module")
def loaded(app):
    with unit_of_work() as session:
        add_staff(session=session, email="nia.dir@lincs.example", role="advisor", password="correct horse battery")
    report = imported(YOUNG_PEOPLE, WORKERS)
    assert report.ok, report.problems
    assert (report.workers_added, report.young_people_added) == (2, 3)


def test_a_good_import_links_people_to_their_workers(loaded):
    pip = person("TEST-DIR-0001")
    assert pip.first_name == "Pip" and pip.mobile == "+447700900621" and pip.status == "care_leaver"
    assert worker_email_of(pip) == "nia.dir@lincs.example"  # emails are matched without case
    assert person("TEST-DIR-0002").mobile == "+447700900622"
    assert person("TEST-DIR-0003").mobile is None and person("TEST-DIR-0003").worker_id is None
    with Session(get_engine()) as session:
        omar = session.exec(select(Worker).where(Worker.email == "omar.dir@lincs.example")).one()
        assert omar.mobile == "+447700900612" and omar.away is False and omar.first_name == "Omar"
        nia = session.exec(select(Staff).where(Staff.email == "nia.dir@lincs.example")).one()
        assert nia.worker_id is not None  # the advisor account is linked to her directory entry


def test_importing_again_updates_and_never_duplicates(loaded):
    workers = WORKERS.replace("children_in_care,,", "children_in_care,yes,")
    people = YOUNG_PEOPLE.replace("TEST-DIR-0001,Pip,", "TEST-DIR-0001,Pippa,").replace(
        "Quinn,07700900622,in_care,omar", "Quinn,07700900622,care_leaver,nia"
    )
    report = imported(people, workers)
    assert report.ok and (report.workers_updated, report.young_people_updated) == (2, 3)
    assert report.workers_added == report.young_people_added == 0
    assert person("TEST-DIR-0001").first_name == "Pippa"
    quinn = person("TEST-DIR-0002")
    assert quinn.status == "care_leaver" and worker_email_of(quinn) == "nia.dir@lincs.example"
    with Session(get_engine()) as session:
        count = session.exec(select(func.count()).where(YoungPerson.reference.like("TEST-DIR-%"))).one()
        assert count == 3
        assert session.exec(select(Worker).where(Worker.email == "omar.dir@lincs.example")).one().away is True


def test_a_number_can_move_from_one_young_person_to_another(loaded):
    people = YOUNG_PEOPLE.replace("TEST-DIR-0001,Pip,07700 900621", "TEST-DIR-0001,Pip,07700 900629").replace(
        "TEST-DIR-0003,Rae,,", "TEST-DIR-0003,Rae,07700 900621,"
    )
    assert imported(people, WORKERS).ok
    assert person("TEST-DIR-0003").mobile == "+447700900621" and person("TEST-DIR-0001").mobile == "+447700900629"


BAD_ROWS = [
    ("young", "TEST-DIR-0009,Sky,12345,care_leaver,", "young_people.csv line 6: mobile: '12345' is not a UK mobile"),
    ("young", "TEST-DIR-0009,Sky,,adopted,", "young_people.csv line 6: status"),
    ("young", "TEST-DIR-0009,,,care_leaver,", "young_people.csv line 6: first_name: is empty"),
    ("young", "TEST-DIR-0001,Sky,,care_leaver,", "young_people.csv line 6: reference TEST-DIR-0001 is also on line 2"),
    ("young", "TEST-DIR-0009,Sky,,care_leaver,nobody@lincs.example", "worker_email nobody@lincs.example is not"),
    ("young", "TEST-DIR-0009,Sky,,care_leaver,,extra", "young_people.csv line 6: more values than columns"),
    ("worker", "tess.dir@lincs.example,Tess Dir,personal_advisor,,leaving_care,sometimes,", "workers.csv line 5: away"),
    ("worker", "not-an-email,Tess Dir,personal_advisor,,leaving_care,no,", "workers.csv line 5: email"),
]


@pytest.mark.parametrize(("which", "row", "problem"), BAD_ROWS)
def test_one_bad_row_and_nothing_is_imported(loaded, which, row, problem):
    workers = WORKERS + "vic.dir@lincs.example,Vic Dir,personal_advisor,,leaving_care,no,\n"
    people = YOUNG_PEOPLE + "TEST-DIR-0008,Uma,,care_leaver,vic.dir@lincs.example\n"
    if which == "young":
        people += row + "\n"
    else:
        workers += row + "\n"
    report = imported(people, workers)
    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems
    assert person("TEST-DIR-0008") is None  # the good rows of the same files were not written
    with Session(get_engine()) as session:
        assert session.exec(select(Worker).where(Worker.email == "vic.dir@lincs.example")).first() is None


def test_an_unknown_column_is_named(loaded):
    report = imported(YOUNG_PEOPLE.replace("worker_email", "worker"), WORKERS)
    assert report.problems == [
        "young_people.csv line 1: unknown column(s) worker (expected reference, first_name, mobile, status, "
        "worker_email)"
    ]


def test_the_command_imports_or_says_why_not(loaded, tmp_path):
    (tmp_path / "workers.csv").write_text(WORKERS, encoding="utf-8")
    (tmp_path / "young.csv").write_text(YOUNG_PEOPLE, encoding="utf-8")
    good = CliRunner().invoke(cli, ["directory", "import", str(tmp_path / "young.csv"), str(tmp_path / "workers.csv")])
    assert good.exit_code == 0 and "Imported: 0 worker(s) added, 2 updated" in good.output
    (tmp_path / "bad.csv").write_text(YOUNG_PEOPLE + "TEST-DIR-0010,Val,0771,care_leaver,\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["directory", "import", str(tmp_path / "bad.csv"), str(tmp_path / "workers.csv")])
    assert bad.exit_code == 1 and "young_people.csv line 5" in bad.output and "Nothing imported" in bad.output
    assert person("TEST-DIR-0010") is None
