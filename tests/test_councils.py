"""Several councils in one deployment (issue 14): each council's own answers, chosen per conversation (REST
metadata, the chat's address, the number texted); places in another council's area; staff and data kept
to their council on every staff route and page."""

import re
import uuid

import pytest
from sqlmodel import Session, select

from api.config import get_settings
from api.content import SHARED, ContentPack, councils, get_pack
from api.db import get_engine, unit_of_work
from api.models import Conversation, Feedback, SafeguardingAlert, SupportRequest, YouSaidWeDid
from api.nlp.places import Places
from api.privacy import conversation_id_for
from api.services.feedback import save_you_said_we_did
from api.services.staff import add_staff
from tests.routes.test_pages import PASSWORD, login_token
from tests.routes.test_twilio import messages, new_mobile, text_in

LINCS, NORTH = "lincolnshire", "north-lincolnshire"
CONTENT = get_settings().content_dir
NORTH_NUMBER = "+447000000111"


def web(client, sender: str, message: str, council: str | None = None) -> list[dict]:
    body: dict = {"sender": sender, "message": message}
    if council:
        body["metadata"] = {"council": council}
    response = client.post("/webhooks/rest/webhook", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def said(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies)


# -- content ------------------------------------------------------------------------------------


def test_both_councils_have_a_complete_pack_over_the_shared_answers():
    assert {LINCS, NORTH} <= set(councils(CONTENT))
    north = ContentPack(CONTENT / NORTH, CONTENT / SHARED)
    lincs = ContentPack(CONTENT / LINCS, CONTENT / SHARED)
    # What is the same everywhere is written once: crisis answers and helplines are shared, not copied.
    assert "crisis" in north.shared_keys and "crisis" in lincs.shared_keys
    assert not (CONTENT / NORTH / "crisis.yml").exists() and not (CONTENT / LINCS / "crisis.yml").exists()
    # Each council's own promise and offer.
    assert "caring_promise" not in north.shared_keys
    assert north.answers["caring_promise"].web != lincs.answers["caring_promise"].web
    assert north.council_name == "North Lincolnshire Council"


def test_north_lincolnshire_never_promises_lincolnshires_council_tax_exemption():
    north = get_pack(NORTH)
    for key in ("council_tax", "local_offer", "money"):
        text = (north.render(key, "web").text + north.render(key, "sms").text).lower()
        assert "until 25" not in text or "council tax" not in text, key
        assert "lincolnshire county council" not in text and "voices 4 choices" not in text, key


# -- choosing the council -----------------------------------------------------------------------


def test_the_rest_channel_answers_as_the_council_in_its_metadata(client):
    sender = f"council-{uuid.uuid4()}"
    north = said(web(client, sender, "do i have to pay council tax", NORTH))
    assert north == get_pack(NORTH).render("council_tax", "web").text
    lincs = said(web(client, f"council-{uuid.uuid4()}", "do i have to pay council tax", LINCS))
    assert lincs == get_pack(LINCS).render("council_tax", "web").text and lincs != north
    with Session(get_engine()) as session:
        conversation = session.get(Conversation, sender)
        assert conversation is not None and conversation.council == NORTH


def test_without_metadata_the_default_council_answers(client):
    text = said(web(client, f"council-{uuid.uuid4()}", "do i have to pay council tax"))
    assert text == get_pack(LINCS).render("council_tax", "web").text


@pytest.mark.parametrize("council", ["nowhere", "../lincolnshire", 7, ""])
def test_a_council_not_served_here_is_a_clear_422(client, council):
    body = {"sender": f"council-{uuid.uuid4()}", "message": "hi", "metadata": {"council": council}}
    response = client.post("/webhooks/rest/webhook", json=body)
    if council == "":
        assert response.status_code == 200  # empty: no choice made, the default council
        return
    assert response.status_code == 422
    assert "council" in response.text


def test_the_chat_page_of_another_council(client):
    page = client.get(f"/{NORTH}/")
    assert page.status_code == 200
    assert "care leavers in North Lincolnshire" in page.text
    assert f'data-council="{NORTH}"' in page.text and f'action="/{NORTH}/chat"' in page.text
    answered = client.post(f"/{NORTH}/chat", data={"message": "do i pay council tax"})
    assert answered.status_code == 200
    first_line = get_pack(NORTH).render("council_tax", "web").text.splitlines()[0]
    assert first_line.replace("'", "&#39;") in answered.text or first_line in answered.text
    assert client.get("/nowhere/").status_code == 404
    assert "care leavers in Lincolnshire" in client.get("/").text


def test_the_number_texted_chooses_the_council(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "council_numbers", {NORTH_NUMBER: NORTH})
    number = new_mobile()
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": number, "To": NORTH_NUMBER, "Body": "do i pay council tax"}
    from twilio.request_validator import RequestValidator

    from tests.routes.test_twilio import LOCAL_URL, PATH, token

    signature = RequestValidator(token()).compute_signature(LOCAL_URL, params)
    response = client.post(PATH, data=params, headers={"X-Twilio-Signature": signature})
    body = " ".join(messages(response))
    assert get_pack(NORTH).render("council_tax", "sms").text.split(".")[0] in body
    with Session(get_engine()) as session:
        conversation = session.get(Conversation, conversation_id_for(number))
        assert conversation is not None and conversation.council == NORTH
    # The default council's number still answers as Lincolnshire.
    other = " ".join(messages(text_in(client, "do i pay council tax", sender=new_mobile())))
    assert get_pack(LINCS).render("council_tax", "sms").text.split(".")[0] in other


# -- where they live ------------------------------------------------------------------------------

PLACES = Places.load(CONTENT / "places")


@pytest.mark.parametrize(
    ("text", "council"),
    [
        ("i live in scunthorpe what do i get", NORTH),
        ("im in barton-upon-humber now", NORTH),
        ("my postcode is DN15 6AB", NORTH),
        ("im in grimsby", "north-east-lincolnshire"),
        ("moved to cleethorpes last month", "north-east-lincolnshire"),
        ("im a north lincs care leaver", NORTH),
    ],
)
def test_a_place_in_another_councils_area_is_noticed(text, council):
    found = PLACES.elsewhere(text, LINCS)
    assert found is not None and found.council.key == council


@pytest.mark.parametrize(
    "text",
    [
        "i live in lincoln",
        "can i get money for uni",
        "im healing slowly",
        "moving from lincoln to scunthorpe",
        "ln1 3ab",
    ],
)
def test_nothing_to_correct_in_the_councils_own_area_or_none(text):
    assert PLACES.elsewhere(text, LINCS) is None


def test_a_lincolnshire_conversation_in_scunthorpe_gets_north_lincolnshires_answer(client):
    replies = web(client, f"council-{uuid.uuid4()}", "im a north lincs care leaver do i pay council tax")
    assert "North Lincolnshire" in replies[0]["text"]
    assert replies[1]["text"] == get_pack(NORTH).render("council_tax", "web").text
    assert "until 25" not in replies[1]["text"]


def test_grimsby_is_told_about_north_east_lincolnshire_which_is_not_served_here(client):
    replies = web(client, f"council-{uuid.uuid4()}", "i live in grimsby what do i get")
    assert len(replies) == 1
    assert "North East Lincolnshire" in replies[0]["text"] and "answer for them" in replies[0]["text"]


def test_a_north_lincolnshire_conversation_in_lincoln_gets_lincolnshires_answer(client):
    replies = web(client, f"council-{uuid.uuid4()}", "i live in lincoln, do i pay council tax", NORTH)
    assert "Lincolnshire" in replies[0]["text"]
    assert replies[1]["text"] == get_pack(LINCS).render("council_tax", "web").text


# -- staff and data per council -----------------------------------------------------------------

STAFF = {
    "lincs-admin": (LINCS, "admin"),
    "lincs-participation": (LINCS, "participation"),
    "lincs-duty": (LINCS, "duty"),
    "north-admin": (NORTH, "admin"),
    "north-participation": (NORTH, "participation"),
    "north-duty": (NORTH, "duty"),
    "lincs-advisor": (LINCS, "advisor"),
    "north-advisor": (NORTH, "advisor"),
    "every-admin": (None, "admin"),
}
# Who, besides an admin, may use the routes of each kind of record.
USERS = {"request": "advisor", "alert": "duty", "feedback": "participation"}


def email(who: str) -> str:
    return f"{who}@councils.example"


@pytest.fixture(scope="module")
def data(app):
    """A request, an alert, feedback and You said we did of each council."""
    from fastapi.testclient import TestClient

    with unit_of_work() as session:
        for who, (council, role) in STAFF.items():
            add_staff(session=session, email=email(who), role=role, password=PASSWORD, council=council)
        for council in (LINCS, NORTH):
            save_you_said_we_did(
                session=session,
                council=council,
                theme="health",
                you_said=f"{council} said",
                we_did=f"did-{council}-x",
                by="t",
            )
    made = {}
    with TestClient(app) as client:
        for council in (LINCS, NORTH):
            sender = f"iso-{council}-{uuid.uuid4()}"
            for message in ("/talk_to_worker", "my flat", "today", "07700 900555"):
                web(client, sender, message, council)
            web(client, f"iso-alert-{council}-{uuid.uuid4()}", "i want to kill myself tonight", council)
            feedback = client.post(
                "/api/feedback", json={"text": f"feedback from {council} about my flat", "council": council}
            )
            assert feedback.status_code == 201
            with Session(get_engine()) as session:
                request = session.exec(select(SupportRequest).where(SupportRequest.conversation_id == sender)).one()
                alert = session.exec(
                    select(SafeguardingAlert)
                    .where(SafeguardingAlert.council == council)
                    .order_by(SafeguardingAlert.id.desc())
                ).first()
                assert request.council == council and alert is not None
                item = session.get(Feedback, feedback.json()["id"])
                assert item is not None and item.council == council
                made[council] = {"request": request.id, "alert": alert.id, "feedback": item.id}
    return made


def bearer(client, who: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": email(who), "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def page_session(client, who: str):
    form = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"username": email(who), "password": PASSWORD, "csrf": login_token(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


@pytest.mark.parametrize(("who", "mine", "theirs"), [("lincs-admin", LINCS, NORTH), ("north-admin", NORTH, LINCS)])
def test_an_admin_of_one_council_cannot_read_anothers_requests(client, data, who, mine, theirs):
    headers = bearer(client, who)
    listed = {r["id"] for r in client.get("/api/requests?status=all", headers=headers).json()}
    assert data[mine]["request"] in listed and data[theirs]["request"] not in listed
    assert client.get(f"/api/requests/{data[theirs]['request']}", headers=headers).status_code == 404
    patch = client.patch(f"/api/requests/{data[theirs]['request']}", json={"status": "closed"}, headers=headers)
    assert patch.status_code == 404
    assert client.get(f"/api/handoffs/{data[theirs]['request']}", headers=headers).status_code == 404
    page_session(client, who)
    assert f'/staff/requests/{data[theirs]["request"]}"' not in client.get("/staff/inbox").text
    assert client.get(f"/staff/requests/{data[theirs]['request']}").status_code == 404
    assert client.get(f"/staff/requests/{data[mine]['request']}").status_code == 200


@pytest.mark.parametrize(("who", "mine", "theirs"), [("lincs-duty", LINCS, NORTH), ("north-admin", NORTH, LINCS)])
def test_alerts_stay_with_their_councils_duty_team(client, data, who, mine, theirs):
    headers = bearer(client, who)
    listed = {a["id"] for a in client.get("/api/alerts?status=all", headers=headers).json()}
    assert data[mine]["alert"] in listed and data[theirs]["alert"] not in listed
    patch = client.patch(f"/api/alerts/{data[theirs]['alert']}", json={"status": "closed"}, headers=headers)
    assert patch.status_code == 404
    page_session(client, who)
    assert client.get(f"/staff/alerts/{data[theirs]['alert']}").status_code == 404
    assert f'/staff/alerts/{data[theirs]["alert"]}"' not in client.get("/staff/alerts").text


@pytest.mark.parametrize(
    ("who", "mine", "theirs"), [("lincs-participation", LINCS, NORTH), ("north-participation", NORTH, LINCS)]
)
def test_feedback_and_the_dashboard_stay_with_their_council(client, data, who, mine, theirs):
    headers = bearer(client, who)
    listed = {f["id"] for f in client.get("/api/feedback", headers=headers).json()}
    assert data[mine]["feedback"] in listed and data[theirs]["feedback"] not in listed
    # Asking for the other council by the filter changes nothing: staff of one council see only theirs.
    forced = {f["id"] for f in client.get(f"/api/feedback?council={theirs}", headers=headers).json()}
    assert data[theirs]["feedback"] not in forced
    assert client.get(f"/api/feedback/{data[theirs]['feedback']}", headers=headers).status_code == 404
    assert (
        client.patch(f"/api/feedback/{data[theirs]['feedback']}", json={"themes": []}, headers=headers).status_code
        == 404
    )
    csv = client.get("/api/feedback/export.csv", headers=headers).text
    assert f"feedback from {mine}" in csv and f"feedback from {theirs}" not in csv
    page_session(client, who)
    dashboard = client.get("/staff/dashboard").text
    assert f"feedback from {mine}" in dashboard and f"feedback from {theirs}" not in dashboard
    assert f"did-{mine}-x" in dashboard and f"did-{theirs}-x" not in dashboard
    assert "Council by council" not in dashboard


def test_you_said_we_did_is_told_to_each_councils_young_people(client, data):
    lincs = said(web(client, f"council-{uuid.uuid4()}", "what happened to my feedback", LINCS))
    north = said(web(client, f"council-{uuid.uuid4()}", "what happened to my feedback", NORTH))
    assert f"did-{LINCS}-x" in lincs and f"did-{NORTH}-x" not in lincs
    assert f"did-{NORTH}-x" in north and f"did-{LINCS}-x" not in north


def test_staff_of_every_council_can_compare_councils(client, data):
    headers = bearer(client, "every-admin")
    listed = {r["id"] for r in client.get("/api/requests?status=all", headers=headers).json()}
    assert {data[LINCS]["request"], data[NORTH]["request"]} <= listed
    page_session(client, "every-admin")
    dashboard = client.get("/staff/dashboard").text
    assert "Council by council" in dashboard and "North Lincolnshire Council" in dashboard
    only_north = client.get(f"/staff/dashboard?council={NORTH}").text
    assert f"feedback from {NORTH}" in only_north and f"feedback from {LINCS}" not in only_north
    assert client.get("/staff/dashboard?council=nowhere").status_code == 422


def test_an_admin_of_one_council_cannot_end_anothers_sessions(client, data):
    with Session(get_engine()) as session:
        from api.models import Staff

        north_id = session.exec(select(Staff.id).where(Staff.email == email("north-duty"))).one()
        lincs_id = session.exec(select(Staff.id).where(Staff.email == email("lincs-duty"))).one()
    headers = bearer(client, "lincs-admin")
    assert client.delete(f"/api/auth/sessions/{north_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/auth/sessions/{lincs_id}", headers=headers).status_code == 204


def test_you_said_we_did_rows_are_per_council(data):
    with Session(get_engine()) as session:
        rows = session.exec(select(YouSaidWeDid).where(YouSaidWeDid.theme == "health")).all()
        assert {r.council for r in rows} >= {LINCS, NORTH}


def test_an_unknown_council_on_the_staff_cli_is_refused():
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(
        app, ["staff", "add", "x@councils.example", "--role", "admin", "--password", PASSWORD, "--council", "nowhere"]
    )
    assert result.exit_code == 2 and "unknown council" in result.output
    assert re.search(r"lincolnshire", result.output)


def test_another_councils_alert_never_goes_to_the_default_councils_duty_team(client, wired, monkeypatch):
    from api.services.notify import deliver_pending

    web(client, f"council-{uuid.uuid4()}", "i want to kill myself tonight", NORTH)
    deliver_pending()
    assert wired.smtp.to("duty@lincs.example") == [], "North Lincolnshire's alert went to Lincolnshire's duty team"
    monkeypatch.setattr(get_settings(), "council_inboxes", {NORTH: {"safeguarding_inbox": "duty@northlincs.example"}})
    web(client, f"council-{uuid.uuid4()}", "i want to kill myself tonight", NORTH)
    deliver_pending()
    assert len(wired.smtp.to("duty@northlincs.example")) == 1
    web(client, f"council-{uuid.uuid4()}", "i want to kill myself tonight", LINCS)
    deliver_pending()
    assert len(wired.smtp.to("duty@lincs.example")) == 1


def test_a_young_person_the_directory_knows_is_answered_by_their_own_council(client):
    from api.services.directory import import_directory

    workers = (
        "email,name,role,mobile,team,away,public_contact\n"
        "bo.council@northlincs.example,Bo Council,personal_advisor,,leaving_care,no,\n"
    )
    people = (
        "reference,first_name,mobile,status,worker_email\n"
        "TEST-NL-0001,Rowan,07700 900731,care_leaver,bo.council@northlincs.example\n"
    )
    with unit_of_work() as session:
        assert import_directory(session=session, young_people_csv=people, workers_csv=workers, council=NORTH).ok
    body = " ".join(messages(text_in(client, "do i pay council tax", sender="+447700900731")))
    assert get_pack(NORTH).render("council_tax", "sms").text.split(".")[0] in body


# Every staff route that takes an id, with a body it accepts: an admin of one council (who may use them
# all) must get 404 for the other council's request, alert or feedback, exactly as for one that does not exist.
API_ID_ROUTES = {
    ("GET", "/api/handoffs/{request_id}"): ("request", None),
    ("PATCH", "/api/handoffs/{request_id}"): ("request", {"status": "contacted"}),
    ("POST", "/api/handoffs/{request_id}/reply"): ("request", {"text": "hello"}),
    ("GET", "/api/requests/{request_id}"): ("request", None),
    ("PATCH", "/api/requests/{request_id}"): ("request", {"status": "contacted"}),
    ("PATCH", "/api/alerts/{alert_id}"): ("alert", {"status": "closed"}),
    ("GET", "/api/feedback/{item_id}"): ("feedback", None),
    ("PATCH", "/api/feedback/{item_id}"): ("feedback", {"themes": []}),
}
PAGE_ID_ROUTES = {
    ("GET", "/staff/requests/{request_id}"): ("request", None),
    ("POST", "/staff/requests/{request_id}/status"): ("request", {"status": "contacted"}),
    ("POST", "/staff/requests/{request_id}/reply"): ("request", {"text": "hello"}),
    ("GET", "/staff/alerts/{alert_id}"): ("alert", None),
    ("POST", "/staff/alerts/{alert_id}/status"): ("alert", {"status": "closed"}),
    ("POST", "/staff/dashboard/feedback/{item_id}/themes"): ("feedback", {"themes": "health"}),
}


def test_the_sweep_covers_every_api_route_that_takes_an_id(client):
    document = client.get("/openapi.json").json()
    with_ids = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if re.search(r"\{(request|alert|item)_id\}", path)
    }
    assert with_ids == set(API_ID_ROUTES)


def intruders(data: dict, kind: str, path: str):
    """(who, the route's address for the other council's record), for an admin and the kind's own users
    of each council."""
    for mine, theirs in ((LINCS, NORTH), (NORTH, LINCS)):
        for role in ("admin", USERS[kind]):
            yield f"{'lincs' if mine == LINCS else 'north'}-{role}", re.sub(r"\{\w+\}", str(data[theirs][kind]), path)


@pytest.mark.parametrize(("method", "path"), sorted(API_ID_ROUTES))
def test_no_api_route_reaches_another_councils_record(client, data, method, path):
    kind, body = API_ID_ROUTES[(method, path)]
    for who, url in intruders(data, kind, path):
        response = client.request(method, url, headers=bearer(client, who), json=body)
        assert response.status_code == 404, (who, method, url, response.text)


@pytest.mark.parametrize(("method", "path"), sorted(PAGE_ID_ROUTES))
def test_no_staff_page_reaches_another_councils_record(client, data, method, path):
    kind, form = PAGE_ID_ROUTES[(method, path)]
    for who, url in intruders(data, kind, path):
        page_session(client, who)
        if method == "GET":
            response = client.get(url)
        else:
            home = client.get("/staff", follow_redirects=True).text  # every role's own start page has a form
            token = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
            response = client.post(url, data={**(form or {}), "csrf": token}, follow_redirects=False)
        assert response.status_code == 404, (who, method, url, response.status_code)


def test_more_after_another_councils_answer_by_text_sends_that_councils_fuller_version(client):
    number = new_mobile()
    first = " ".join(messages(text_in(client, "i live in scunthorpe, do i pay council tax", sender=number)))
    assert "North Lincolnshire" in first
    more = " ".join(messages(text_in(client, "MORE", sender=number)))
    north_web = get_pack(NORTH).render("council_tax", "web").text
    assert north_web.split("\n")[0] in more and "{" not in more, more
