"""The directory import: every row checked first, nothing half-imported, re-import updates, numbers can move.

The database is shared by the whole run: each test uses its own references (TEST-DIR-n...), work emails
(...dir<n>@lincs.example) and mobiles (07700 9006n., Ofcom's drama range), n being the test's number.
"""

from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.db import get_engine, unit_of_work
from api.models import Staff, Worker, YoungPerson
from api.services.directory import ImportReport, import_directory
from api.services.staff import add_staff

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
YOUNG_HEADER = "reference,first_name,mobile,status,worker_email"
WORKER_HEADER = "email,name,role,mobile,team,away,public_contact"
NO_WORKERS = WORKER_HEADER + "\n"


def files(n: int) -> tuple[str, str]:
    """young_people.csv and workers.csv of test n (numbers and emails written as people type them)."""
    young_people = (
        f"{YOUNG_HEADER}\n"
        f"TEST-DIR-{n}001,Pip,07700 9006{n}5,care_leaver,nia.dir{n}@lincs.example\n"
        f"TEST-DIR-{n}002,Quinn,+44 7700 9006{n}6,in_care,OMAR.DIR{n}@lincs.example\n"
        f"TEST-DIR-{n}003,Rae,,care_leaver,\n"
    )
    workers = (
        f"{WORKER_HEADER}\n"
        f"Nia.Dir{n}@Lincs.example,Nia Dir,personal_advisor,07700 9006{n}1,leaving_care,no,\n"
        f"omar.dir{n}@lincs.example,Omar Dir,social_worker,+44 7700 9006{n}2,children_in_care,,Omar at Lincoln\n"
    )
    return young_people, workers


def imported(young_people: str, workers: str) -> ImportReport:
    """Import as the command does: one unit of work, committed when it returns."""
    with unit_of_work() as session:
        return import_directory(session=session, young_people_csv=young_people, workers_csv=workers)


def people(n: int) -> dict[str, YoungPerson]:
    """Test n's young people in the database, by reference (read in a fresh session)."""
    with Session(get_engine()) as session:
        rows = session.exec(select(YoungPerson).where(YoungPerson.reference.like(f"TEST-DIR-{n}%"))).all()
        return {row.reference: row for row in rows}


def workers_of(n: int) -> dict[str, Worker]:
    """Test n's workers in the database, by email."""
    with Session(get_engine()) as session:
        rows = session.exec(select(Worker).where(Worker.email.like(f"%.dir{n}@lincs.example"))).all()
        return {row.email: row for row in rows}


def staff(email: str) -> Staff:
    with Session(get_engine()) as session:
        return session.exec(select(Staff).where(Staff.email == email)).one()


def test_a_good_import_adds_people_linked_to_their_workers(app):
    assert people(0) == {} and workers_of(0) == {}
    report = imported(*files(0))
    assert report.ok, report.problems
    assert (report.workers_added, report.young_people_added) == (2, 3)
    assert report.workers_updated == report.young_people_updated == 0
    workers = workers_of(0)
    assert set(workers) == {"nia.dir0@lincs.example", "omar.dir0@lincs.example"}  # emails are kept in lower case
    nia, omar = workers["nia.dir0@lincs.example"], workers["omar.dir0@lincs.example"]
    assert (nia.name, nia.role, nia.team) == ("Nia Dir", "personal_advisor", "leaving_care")
    assert nia.mobile == "+447700900601" and nia.away is False and nia.public_contact is None
    assert (omar.name, omar.role, omar.team) == ("Omar Dir", "social_worker", "children_in_care")
    assert omar.mobile == "+447700900602" and omar.public_contact == "Omar at Lincoln"
    assert omar.away is False  # an empty away cell is "not away"
    found = people(0)
    assert set(found) == {"TEST-DIR-0001", "TEST-DIR-0002", "TEST-DIR-0003"}
    pip, quinn, rae = found["TEST-DIR-0001"], found["TEST-DIR-0002"], found["TEST-DIR-0003"]
    assert (pip.first_name, pip.mobile, pip.status, pip.worker_id) == ("Pip", "+447700900605", "care_leaver", nia.id)
    # "+44 7700 ..." and an upper-case worker email are matched too
    assert (quinn.first_name, quinn.mobile, quinn.status) == ("Quinn", "+447700900606", "in_care")
    assert quinn.worker_id == omar.id != nia.id
    assert (rae.mobile, rae.worker_id) == (None, None)


def test_importing_again_updates_rather_than_duplicates(app):
    young_people, workers = files(1)
    assert imported(young_people, workers).ok
    before = people(1), workers_of(1)
    assert (len(before[0]), len(before[1])) == (3, 2)

    changed_people = young_people.replace("TEST-DIR-1001,Pip,", "TEST-DIR-1001,Pippa,").replace(
        "in_care,OMAR.DIR1@lincs.example", "care_leaver,nia.dir1@lincs.example"
    )
    changed_workers = workers.replace("children_in_care,,", "children_in_care,yes,").replace(
        "Nia.Dir1@Lincs.example,Nia Dir,", "NIA.DIR1@LINCS.EXAMPLE,Nia Dir-Smith,"
    )
    report = imported(changed_people, changed_workers)
    assert report.ok, report.problems
    assert (report.workers_updated, report.young_people_updated) == (2, 3)
    assert report.workers_added == report.young_people_added == 0
    after_people, after_workers = people(1), workers_of(1)
    assert set(after_people) == set(before[0]) and set(after_workers) == set(before[1])  # same rows, no more
    with Session(get_engine()) as session:
        count = select(func.count()).select_from(YoungPerson).where(YoungPerson.reference.like("TEST-DIR-1%"))
        assert session.exec(count).one() == 3
        count = select(func.count()).select_from(Worker).where(Worker.email.like("%.dir1@lincs.example"))
        assert session.exec(count).one() == 2
    nia, omar = after_workers["nia.dir1@lincs.example"], after_workers["omar.dir1@lincs.example"]
    assert nia.id == before[1]["nia.dir1@lincs.example"].id and nia.name == "Nia Dir-Smith"
    assert omar.away is True
    pip, quinn = after_people["TEST-DIR-1001"], after_people["TEST-DIR-1002"]
    assert pip.id == before[0]["TEST-DIR-1001"].id and pip.first_name == "Pippa"
    assert quinn.worker_id == nia.id and quinn.status == "care_leaver"

    # ...and back: the away flag is cleared by "no", the worker changed back.
    assert imported(young_people, workers.replace("children_in_care,,", "children_in_care,no,")).ok
    assert workers_of(1)["omar.dir1@lincs.example"].away is False
    assert people(1)["TEST-DIR-1002"].worker_id == omar.id and people(1)["TEST-DIR-1001"].first_name == "Pip"


def _with_row(text: str, row: str) -> str:
    """The file with `row` as line 3 (the header is line 1, the first row line 2)."""
    lines = text.splitlines()
    return "\n".join([*lines[:2], row, *lines[2:]]) + "\n"


# (file, the bad line 3, or a replacement header for line 1, line, what the problem says)
BAD = [
    ("young_people.csv", "TEST-DIR-2009,Sky,12345,care_leaver,", 3, "mobile: '12345' is not a UK mobile number"),
    ("young_people.csv", "TEST-DIR-2009,Sky,01522 552222,care_leaver,", 3, "'01522 552222' is not a UK mobile"),
    ("young_people.csv", "TEST-DIR-2009,Sky,,adopted,", 3, "status: Input should be 'in_care' or 'care_leaver'"),
    ("young_people.csv", "TEST-DIR-2009,,,care_leaver,", 3, "first_name: is empty"),
    ("young_people.csv", "TEST-DIR-2001,Sky,,care_leaver,", 3, "reference TEST-DIR-2001 is also on line 2"),
    ("young_people.csv", "test-dir-2001,Sky,,care_leaver,", 3, "reference test-dir-2001 is also on line 2"),
    ("young_people.csv", "TEST-DIR-2009,Sky,,care_leaver,,extra", 3, "more values than columns"),
    ("young_people.csv", "TEST-DIR-2009,Sky,,care_leaver,not-an-email", 3, "worker_email: 'not-an-email' is not an"),
    ("young_people.csv", "reference,name,mobile,status,worker_email", 1, "missing column(s) first_name"),
    ("young_people.csv", f"{YOUNG_HEADER},notes", 1, "unknown column(s) notes (expected reference, first_name,"),
    ("workers.csv", "tess.dir2@lincs.example,Tess Dir,personal_advisor,,leaving_care,sometimes,", 3, "away: away sho"),
    ("workers.csv", "not-an-email,Tess Dir,personal_advisor,,leaving_care,no,", 3, "email: 'not-an-email' is not"),
    ("workers.csv", "tess.dir2@lincs.example,,personal_advisor,,leaving_care,no,", 3, "name: name is empty"),
    ("workers.csv", "tess.dir2@lincs.example,Tess Dir,manager,,leaving_care,no,", 3, "role: Input should be"),
    ("workers.csv", "tess.dir2@lincs.example,Tess Dir,,07700 90,leaving_care,no,", 3, "mobile: '07700 90' is not a"),
    ("workers.csv", "NIA.DIR2@lincs.example,Nia Again,,,leaving_care,no,", 3, "email nia.dir2@lincs.example is also"),
    ("workers.csv", f"{WORKER_HEADER},line_manager", 1, "unknown column(s) line_manager"),
]
# Checked against the other rows and the database, after the rows themselves.
ACROSS = [
    ("young_people.csv", "TEST-DIR-2009,Sky,,care_leaver,nobody2@lincs.example", 3, "worker_email nobody2@lincs.ex"),
    ("young_people.csv", "TEST-DIR-2009,Sky,07700 900625,care_leaver,", 3, "mobile is also given for TEST-DIR-2001"),
]


def _bad_files(file: str, row: str, line: int) -> tuple[str, str]:
    young_people, workers = files(2)  # test 2's good rows are never imported
    if file == "young_people.csv":
        young_people = _with_row(young_people, row) if line == 3 else young_people.replace(YOUNG_HEADER, row)
    else:
        workers = _with_row(workers, row) if line == 3 else workers.replace(WORKER_HEADER, row)
    return young_people, workers


@pytest.mark.parametrize(("file", "row", "line", "reason"), BAD + ACROSS)
def test_one_bad_row_and_nothing_from_either_file_is_imported(app, file, row, line, reason):
    report = imported(*_bad_files(file, row, line))
    assert not report.ok
    assert any(p.startswith(file) and reason in p for p in report.problems), report.problems
    assert (report.workers_added, report.young_people_added) == (0, 0)
    assert people(2) == {}  # not Pip, Quinn or Rae (good rows of the same file)
    assert workers_of(2) == {}  # nor a worker from the other file


@pytest.mark.parametrize(("file", "row", "line", "reason"), BAD + ACROSS)
def test_a_problem_names_the_file_and_line(app, file, row, line, reason):
    report = imported(*_bad_files(file, row, line))
    assert any(p.startswith(f"{file} line {line}: ") and reason in p for p in report.problems), report.problems


def test_line_numbers_count_blank_and_quoted_lines(app):
    young_people, workers = files(2)
    young_people = young_people.replace("\nTEST-DIR-2002", '\n\nTEST-DIR-2009,"Sky\nBlue",,care_leaver,\nTEST-DIR-2002')
    young_people += "TEST-DIR-2010,Tam,,fostered,\n"
    # 1 header, 2 Pip, 3 blank, 4-5 Sky (a quoted line break), 6 Quinn, 7 Rae, 8 Tam
    assert imported(young_people, workers).problems == [
        "young_people.csv line 8: status: Input should be 'in_care' or 'care_leaver'"
    ]
    assert people(2) == {}


def test_every_bad_row_is_reported_at_once(app):
    young_people, workers = files(2)
    young_people += "TEST-DIR-2009,,,care_leaver,\nTEST-DIR-2010,Tam,0770,care_leaver,\n"
    workers += "tess.dir2@lincs.example,Tess Dir,personal_advisor,,leaving_care,maybe,\n"
    assert imported(young_people, workers).problems == [
        "workers.csv line 4: away: away should be yes or no, not 'maybe'",
        "young_people.csv line 5: first_name: is empty",
        "young_people.csv line 6: mobile: '0770' is not a UK mobile number (07... or +447...)",
    ]
    assert people(2) == {} and workers_of(2) == {}


def test_a_mobile_number_can_move_from_one_young_person_to_another(app):
    young_people, workers = files(3)
    assert imported(young_people, workers).ok
    assert people(3)["TEST-DIR-3001"].mobile == "+447700900635"

    # Pip's number goes to Rae, and Pip has a new one (the column is unique)
    moved = young_people.replace("Pip,07700 900635,", "Pip,07700 900637,").replace("Rae,,", "Rae,07700900635,")
    report = imported(moved, workers)
    assert report.ok, report.problems
    found = people(3)
    assert (found["TEST-DIR-3001"].mobile, found["TEST-DIR-3003"].mobile) == ("+447700900637", "+447700900635")

    # Pip and Quinn swap numbers
    swapped = moved.replace("Pip,07700 900637,", "Pip,+44 7700 900636,").replace(
        "Quinn,+44 7700 900636,", "Quinn,07700 900637,"
    )
    assert imported(swapped, workers).ok
    found = people(3)
    assert (found["TEST-DIR-3001"].mobile, found["TEST-DIR-3002"].mobile) == ("+447700900636", "+447700900637")
    assert len(found) == 3


def test_a_number_still_held_by_someone_else_is_refused(app):
    young_people, workers = files(8)
    assert imported(young_people, workers).ok
    report = imported(f"{YOUNG_HEADER}\nTEST-DIR-8004,Tia,07700 900686,care_leaver,\n", workers)
    assert report.problems == [
        "young_people.csv line 2: mobile already belongs to TEST-DIR-8002, who is not in this file"
    ]
    found = people(8)
    assert "TEST-DIR-8004" not in found and found["TEST-DIR-8002"].mobile == "+447700900686"


def test_an_advisor_account_is_linked_to_its_worker(app):
    with unit_of_work() as session:
        add_staff(session=session, email="Nia.Dir4@lincs.example", role="advisor", password=PASSWORD)
        add_staff(session=session, email="omar.dir4@lincs.example", role="participation", password=PASSWORD)
        add_staff(session=session, email="nobody.dir4@lincs.example", role="advisor", password=PASSWORD)
    assert staff("nia.dir4@lincs.example").worker_id is None
    assert imported(*files(4)).ok
    nia, omar = workers_of(4)["nia.dir4@lincs.example"], workers_of(4)["omar.dir4@lincs.example"]
    assert staff("nia.dir4@lincs.example").worker_id == nia.id
    assert staff("omar.dir4@lincs.example").worker_id is None  # only advisors have an inbox of their own
    assert staff("nobody.dir4@lincs.example").worker_id is None

    # An account made an advisor after the import is linked by the next one.
    with unit_of_work() as session:
        add_staff(session=session, email="omar.dir4@lincs.example", role="advisor", password=PASSWORD)
    assert staff("omar.dir4@lincs.example").worker_id is None
    assert imported(*files(4)).ok
    assert staff("omar.dir4@lincs.example").worker_id == omar.id
    assert staff("nia.dir4@lincs.example").worker_id == nia.id


def test_the_command_imports_or_says_why_not(app, tmp_path):
    young_people, workers = files(5)
    young_file, workers_file = tmp_path / "young_people.csv", tmp_path / "workers.csv"
    young_file.write_text(young_people, encoding="utf-8-sig")  # as Excel saves "CSV UTF-8"
    workers_file.write_text(workers, encoding="utf-8")
    command = ["directory", "import", str(young_file), str(workers_file)]

    good = CliRunner().invoke(cli, command)
    assert good.exit_code == 0, good.output
    assert "Imported: 2 worker(s) added, 0 updated; 3 young people added, 0 updated." in good.output
    assert set(people(5)) == {"TEST-DIR-5001", "TEST-DIR-5002", "TEST-DIR-5003"}
    again = CliRunner().invoke(cli, command)
    assert again.exit_code == 0, again.output
    assert "Imported: 0 worker(s) added, 2 updated; 0 young people added, 3 updated." in again.output

    bad = young_people.replace("Pip,", "Pippa,") + "TEST-DIR-5009,Sky,0771,care_leaver,\nTEST-DIR-5010,Tam,,x,\n"
    young_file.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert "young_people.csv line 5: mobile: '0771' is not a UK mobile number" in result.output
    assert "young_people.csv line 6: status" in result.output
    assert "Nothing imported: 2 problem(s) to fix." in result.output
    assert "Imported:" not in result.output
    found = people(5)
    assert set(found) == {"TEST-DIR-5001", "TEST-DIR-5002", "TEST-DIR-5003"}
    assert found["TEST-DIR-5001"].first_name == "Pip"  # the good change on line 2 was not written either


def test_the_demo_files_are_valid(app):
    with Session(get_engine()) as session:  # rolled back: the demo people stay out of the shared database
        report = import_directory(
            session=session,
            young_people_csv=(ROOT / "demo" / "young_people.csv").read_text(encoding="utf-8-sig"),
            workers_csv=(ROOT / "demo" / "workers.csv").read_text(encoding="utf-8-sig"),
        )
        session.rollback()
    assert report.ok, report.problems
    assert report.young_people_added + report.young_people_updated == 3


def test_a_reference_in_other_case_updates_the_same_person(app):
    assert imported(f"{YOUNG_HEADER}\nTEST-DIR-6001,Pip,,care_leaver,\n", NO_WORKERS).ok
    report = imported(f"{YOUNG_HEADER}\ntest-dir-6001,Pippa,,care_leaver,\n", NO_WORKERS)
    with Session(get_engine()) as session:
        same = select(YoungPerson).where(func.upper(YoungPerson.reference) == "TEST-DIR-6001")
        assert len(session.exec(same).all()) == 1, report


def test_a_reference_too_long_for_the_column_is_a_problem(app):
    reference = "TEST-DIR-7" + "X" * 30  # YoungPerson.reference is 32 characters at most
    report = imported(f"{YOUNG_HEADER}\n{reference},Pip,,care_leaver,\n", NO_WORKERS)
    assert any(p.startswith("young_people.csv line 2: ") for p in report.problems), report
