"""The participation team's dashboard: roles, filters, corrections, You said we did, CSV, Panel page."""

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.db import get_engine, unit_of_work
from api.models import Feedback, YouSaidWeDid
from api.routes.pages.charts import weekly_chart
from api.services.feedback import recurring_phrases
from api.services.staff import add_staff
from tests.routes.test_pages import login_token

PASSWORD = "correct horse battery"
SAID = [
    ("my hostel is freezing and the heating is broken, text me on 07700 900777", "sms"),
    ("the hostel heating is broken again, email me dash@example.com", "web"),
    ("I need help with college, the bursary money came late", "sms"),
]


@pytest.fixture(scope="module")
def said(app):
    with unit_of_work() as session:
        for email, role in (("team.dash@lincs.example", "participation"), ("adv.dash@lincs.example", "advisor")):
            add_staff(session=session, email=email, role=role, password=PASSWORD)
    ids = []
    with TestClient(app) as client:
        for text, channel in SAID:
            ids.append(client.post("/api/feedback", json={"text": text, "channel": channel}).json()["id"])
    return ids


def signed_in(client: TestClient, email: str) -> TestClient:
    token = login_token(client.get("/staff/login").text)
    response = client.post("/staff/login", data={"username": email, "password": PASSWORD, "csrf": token})
    assert response.status_code == 200, response.text
    return client


def test_only_the_participation_team_and_admins_see_it(client, said):
    assert client.get("/staff/dashboard", follow_redirects=False).headers["location"] == "/staff/login"
    signed_in(client, "adv.dash@lincs.example")
    for path in ("/staff/dashboard", "/staff/dashboard/panel", "/staff/dashboard/export.csv"):
        assert client.get(path).status_code == 403


def test_a_role_without_access_gets_a_page_that_says_so(client, said):
    page = signed_in(client, "adv.dash@lincs.example").get("/staff/dashboard")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "not open to your role" in page.text and "adv.dash@lincs.example" in page.text


def test_the_dashboard_shows_themes_and_redacted_words_only(client, said):
    page = signed_in(client, "team.dash@lincs.example").get("/staff/dashboard")
    assert page.status_code == 200
    assert "Safe and suitable accommodation" in page.text and "<svg" in page.text and "<polyline" in page.text
    assert "07700" not in page.text and "dash@example.com" not in page.text and "[phone]" in page.text
    assert re.search(r"heating broken <span class=\"count\">\(2\)</span>", page.text), "a recurring phrase"


def test_filters_narrow_the_list_and_the_export(client, said):
    signed_in(client, "team.dash@lincs.example")
    page = client.get("/staff/dashboard", params={"theme": "learning", "channel": "", "reviewed": ""}).text
    assert "bursary money came late" in page and "hostel is freezing" not in page
    exported = client.get("/staff/dashboard/export.csv", params={"theme": "accommodation", "channel": "web"}).text
    assert "hostel heating is broken again" in exported and "freezing" not in exported
    assert "07700" not in exported and "dash@example.com" not in exported
    assert client.get("/staff/dashboard", params={"from": "not-a-date"}).status_code == 422
    assert client.get("/staff/dashboard", params={"from": "2026-12-01", "to": "2026-11-01"}).status_code == 422


def test_a_correction_is_stored_shown_and_filterable(client, said):
    signed_in(client, "team.dash@lincs.example")
    item = said[2]
    csrf = login_token(client.get("/staff/dashboard").text)
    refused = client.post(f"/staff/dashboard/feedback/{item}/themes", data={"themes": ["health"], "csrf": "x"})
    assert refused.status_code == 403
    saved = client.post(
        f"/staff/dashboard/feedback/{item}/themes",
        data={"themes": ["learning", "health"], "csrf": csrf, "back": "/staff/dashboard?channel=sms"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/staff/dashboard?channel=sms&done=")
    with Session(get_engine()) as session:
        row = session.get(Feedback, item)
        assert row.reviewed and row.themes == ["learning", "health"] and row.reviewed_by == "team.dash@lincs.example"
        assert row.model_themes is not None and "health" not in row.model_themes
    reviewed = client.get("/staff/dashboard", params={"reviewed": "true"}).text
    assert "bursary money came late" in reviewed and "hostel" not in reviewed.split('id="feedback"')[1]
    bad = client.post(f"/staff/dashboard/feedback/{item}/themes", data={"themes": ["weather"], "csrf": csrf})
    assert bad.status_code == 422


def test_corrections_teach_the_classifier(app, said):
    with unit_of_work() as session:
        row = session.get(Feedback, said[0])
        row.reviewed, row.themes = True, ["accommodation", "health"]
        session.add(row)
    result = CliRunner().invoke(cli, ["themes", "train", "--no-check"])
    assert result.exit_code == 0, result.output
    assert re.search(r"and [1-9]\d* reviewed correction", result.output)
    from api.services import themes

    assert any(e.text == row.text and "health" in e.themes for e in themes.corrections())


def test_you_said_we_did_is_written_and_told_to_young_people(client, said):
    asked = client.post("/webhooks/rest/webhook", json={"sender": "ysywd-1", "message": "what happened to my feedback"})
    with Session(get_engine()) as session:
        if not session.exec(select(YouSaidWeDid)).first():
            assert "haven't posted an update" in asked.json()[0]["text"]
    signed_in(client, "team.dash@lincs.example")
    csrf = login_token(client.get("/staff/dashboard").text)
    form = {"theme": "accommodation", "you_said": "Hostels are cold", "we_did": "New heating in two hostels"}
    form["csrf"] = csrf
    assert client.post("/staff/dashboard/you-said-we-did", data=form, follow_redirects=False).status_code == 303
    half = {**form, "we_did": ""}
    assert client.post("/staff/dashboard/you-said-we-did", data=half).status_code == 422
    assert client.post("/staff/dashboard/you-said-we-did", data={**form, "theme": "weather"}).status_code == 422
    asked = {"sender": "ysywd-2", "message": "what happened to my feedback"}
    text = client.post("/webhooks/rest/webhook", json=asked).json()[0]["text"]
    assert "You said: Hostels are cold" in text and "We did: New heating in two hostels" in text
    with Session(get_engine()) as session:
        from api.models import Conversation

        assert session.get(Conversation, "ysywd-2").active_loop is None  # not left inside the feedback form
    assert "New heating in two hostels" in client.get("/staff/dashboard/panel").text


def test_the_panel_summary_is_printable(client, said):
    page = signed_in(client, "team.dash@lincs.example").get("/staff/dashboard/panel")
    assert page.status_code == 200 and "What children in care and care leavers told us" in page.text
    assert "<svg" in page.text and "07700" not in page.text
    css = client.get("/static/staff.css").text
    assert "@page { size: A4" in css


def test_the_chart_puts_each_week_in_its_place():
    weekly = [{"week": "2026-11-16", "accommodation": 3, "learning": 1}, {"week": "2026-11-23", "accommodation": 1}]
    chart = weekly_chart(weekly, date(2026, 11, 25), weeks=4)
    assert [d.isoformat() for d in chart.weeks] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    accommodation = next(s for s in chart.series if s.theme == "accommodation")
    assert accommodation.counts == [0, 0, 3, 1]
    ys = [float(p.split(",")[1]) for p in accommodation.points.split()]
    assert ys[2] < ys[3] < ys[0]  # higher counts are drawn higher up
    assert chart.y_ticks[0][1] == 0 and chart.y_ticks[-1][1] >= 3


def test_recurring_phrases_need_two_items():
    items = [Feedback(text=t, themes=["health"]) for t in ("camhs waiting list", "camhs waiting list is long", "gym")]
    found = recurring_phrases(items)
    assert found["health"][0] == ("camhs waiting", 2) and all(p != "gym" for p, _ in found["health"])
    assert found["family"] == []
