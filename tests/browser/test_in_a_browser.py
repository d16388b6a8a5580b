"""The pages as a person uses them: Debian's chromium driven by Playwright, checked with axe-core.

A live server (this app, in a thread, on 127.0.0.1) and a fake Twilio; every test saves a screenshot
under test-artifacts/browser/, and axe must find no serious or critical violation on any page.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from api.config import get_settings
from api.db import get_engine, unit_of_work
from api.main import create_app
from api.models import Conversation, SafeguardingAlert
from api.services.directory import import_directory, link_staff
from api.services.gaps import record_unanswered
from api.services.staff import add_staff
from tests.fakes.twilio_api import FakeTwilio
from tests.processes import free_port

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():  # .ci/run installs it (apt-get install chromium)
    pytest.skip("Debian's chromium is not installed: apt-get install chromium", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "browser"
PASSWORD = "correct horse battery"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WORKERS = """email,name,role,mobile,team,away,public_contact
wyn.browser@lincs.example,Wyn Browser,personal_advisor,07700 900711,leaving_care,no,
"""
YOUNG = """reference,first_name,mobile,status,worker_email
TEST-WEB-0001,Zara,07700 900721,care_leaver,wyn.browser@lincs.example
"""


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(twilio) -> Iterator[str]:
    """This app on a free port, with texts going to a fake Twilio and quick exit to a local page."""
    settings = get_settings()
    saved = (settings.twilio_api_base, settings.quick_exit_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings.twilio_api_base, settings.quick_exit_url = twilio.url, f"{base}/health"
    live = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not live.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.1)
    yield base
    live.should_exit = True
    thread.join(timeout=20)
    settings.twilio_api_base, settings.quick_exit_url = saved


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    if not tab.is_closed():
        tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def accessible(page: Page, name: str) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"axe-{name}.txt").write_text(
        f"{len(results.response['violations'])} violation(s), {len(serious)} serious or critical\n"
        + "\n".join(f"{v['impact']}: {v['id']}: {v['help']}" for v in results.response["violations"]),
        encoding="utf-8",
    )
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]


def last_bot(page: Page):
    return page.locator("#log .bot").last


# -- the chat ----------------------------------------------------------------------------------


def test_a_conversation_with_quick_replies(server, page):
    page.goto(server + "/")
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")
    accessible(page, "chat")
    page.get_by_role("button", name="Money", exact=True).click()
    expect(last_bot(page)).to_contain_text("£3,000")
    expect(page.locator("#log .you").last).to_have_text("You said:Money")
    page.get_by_label("Your message").fill("do i have to pay council tax")
    page.get_by_role("button", name="Send").click()
    expect(last_bot(page)).to_contain_text("council tax", ignore_case=True)
    accessible(page, "chat-answered")


def test_it_fits_a_small_phone(server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    tab.goto(server + "/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
    expect(tab.get_by_role("button", name="Exit this page")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "chat-320px.png"), full_page=True)
    context.close()


def test_talk_to_a_person(server, page):
    page.goto(server + "/")
    page.locator("#talk").click()
    expect(last_bot(page)).to_contain_text("What would you like to talk about?")


def test_quick_exit_clears_everything_and_cannot_be_gone_back_to(server, page):
    page.goto("about:blank")
    page.goto(server + "/")
    sender = page.locator("#log").get_attribute("data-sender")
    page.get_by_label("Your message").fill("my hostel is cold")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#log .bot")).to_have_count(2)
    page.evaluate("sessionStorage.setItem('x', '1'); localStorage.setItem('y', '2')")
    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(server + "/health")
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    page.go_back()
    assert not page.url.startswith(server + "/?") and page.url != server + "/", page.url  # the chat was replaced
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _conversation(sender):
        time.sleep(0.1)
    assert not _conversation(sender), "the server session ended too"


def test_shift_three_times_is_quick_exit(server, page):
    page.goto(server + "/")
    page.get_by_label("Your message").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(server + "/health")


def test_forget_my_chat_deletes_it_on_the_server(server, page):
    page.goto(server + "/")
    sender = page.locator("#log").get_attribute("data-sender")
    page.get_by_label("Your message").fill("what is a pathway plan")
    page.get_by_label("Your message").press("Enter")
    expect(page.locator("#log .bot")).to_have_count(2)
    assert _conversation(sender)
    page.get_by_role("button", name="Forget my chat").click()
    expect(page.get_by_role("status")).to_contain_text("Your chat has been deleted")
    assert not _conversation(sender)
    expect(page.locator("#log .you")).to_have_count(0)


def test_the_words_forget_me_delete_it_too(server, page):
    page.goto(server + "/")
    sender = page.locator("#log").get_attribute("data-sender")
    page.get_by_label("Your message").fill("hello")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#log .bot")).to_have_count(2)
    page.get_by_label("Your message").fill("forget me")
    page.get_by_role("button", name="Send").click()
    expect(last_bot(page)).to_contain_text("deleted this chat")
    assert not _conversation(sender)


def test_without_javascript_the_form_still_works(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(server + "/")
    tab.get_by_label("Your message").fill("can i get help with college")
    tab.get_by_role("button", name="Send").click()
    expect(tab.locator("#log .you").last).to_contain_text("can i get help with college")
    expect(tab.locator("#log .bot").last).to_contain_text("college", ignore_case=True)
    tab.get_by_role("button", name="Talk to a person").first.click()
    expect(tab.locator("#log .bot").last).to_contain_text("What would you like to talk about?")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "chat-no-javascript.png"), full_page=True)
    tab.get_by_role("button", name="Exit this page").click()
    tab.wait_for_url(server + "/health")
    context.close()


def test_the_page_without_its_script_is_accessible(server, browser):
    # axe runs as JavaScript, so here the page's own script is blocked instead of JavaScript itself.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.route("**/static/chat.js", lambda route: route.abort())
    tab = context.new_page()
    tab.goto(server + "/")
    tab.get_by_label("Your message").fill("what is the caring promise")
    tab.get_by_role("button", name="Send").click()
    expect(tab.locator("#log .you").last).to_contain_text("what is the caring promise")
    accessible(tab, "chat-no-javascript")
    context.close()


def test_keyboard_only(server, page):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the message box"
    page.keyboard.press("Enter")
    for _ in range(10):  # to the message box, a few stops at most
        if page.evaluate("document.activeElement.id") == "message":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("how do i complain")
    page.keyboard.press("Enter")
    expect(page.locator("#log .bot").last).to_contain_text("complain", ignore_case=True)
    page.locator("#quick-replies button").first.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    expect(page.locator("#log .you").last).not_to_contain_text("how do i complain")


# -- staff pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staff_data(server):
    with unit_of_work() as session:
        assert import_directory(session=session, young_people_csv=YOUNG, workers_csv=WORKERS).ok
        staff = (
            ("wyn.browser@lincs.example", "advisor"),
            ("team.browser@lincs.example", "participation"),
            ("duty.browser@lincs.example", "admin"),
        )
        for email, role in staff:
            add_staff(session=session, email=email, role=role, password=PASSWORD)
        session.flush()
        link_staff(session=session)
    token = get_settings().twilio_auth_token.get_secret_value()
    url = server + "/webhooks/twilio/webhook"
    for body in ("I need to talk to my PA", "my money", "today"):
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": "+447700900721", "To": "+447000000000", "Body": body}
        signature = RequestValidator(token).compute_signature(url, params)
        assert httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}).status_code == 200
    crisis = {"sender": "browser-crisis", "message": "i want to end my life"}
    assert httpx.post(server + "/webhooks/rest/webhook", json=crisis).status_code == 200
    for text in (
        "my hostel is cold",
        "the hostel has no heating",
        "i love my college course",
        "my PA keeps changing, text me 07700 900999",
    ):
        assert httpx.post(server + "/api/feedback", json={"text": text, "channel": "web"}).status_code == 201


def sign_in(page: Page, server: str, email: str) -> None:
    page.goto(server + "/staff/login")
    accessible(page, "staff-login")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_advisor_replies_from_the_inbox(server, staff_data, twilio, page):
    sign_in(page, server, "wyn.browser@lincs.example")
    expect(page.get_by_role("heading", name="Your inbox")).to_be_visible()
    accessible(page, "staff-inbox")
    page.get_by_role("link", name="H-").first.click()
    expect(page.locator("dd", has_text="my money")).to_be_visible()
    accessible(page, "staff-request")
    page.get_by_label("Your text").fill("Hi Zara, I'll ring you at 2")
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_role("status")).to_contain_text("Your text: queued")
    assert any(m["Body"] == "Hi Zara, I'll ring you at 2" and m["To"] == "+447700900721" for m in twilio.accepted)


def test_the_participation_team_sees_the_chart(server, staff_data, page):
    sign_in(page, server, "team.browser@lincs.example")
    expect(page.get_by_role("heading", name="What young people are telling us")).to_be_visible()
    chart = page.locator("figure.chart > svg")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 200 and page.locator("figure.chart polyline").count() == 6
    accessible(page, "staff-dashboard")
    # Correct a theme: "my PA keeps changing" is about relationships and stability.
    item = page.locator("ol.feedback > li", has_text="my PA keeps changing")
    item.get_by_label("Stability and permanence").check()
    item.get_by_role("button", name="Save priorities").click()
    item = page.locator("ol.feedback > li", has_text="my PA keeps changing")
    expect(item.locator(".meta")).to_contain_text("Reviewed")
    expect(item.get_by_label("Stability and permanence")).to_be_checked()
    # The CSV of what the filters show: redacted text, nobody's number.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download what these filters show (CSV)").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "my PA keeps changing, text me [phone]" in csv_text and "07700" not in csv_text
    page.get_by_role("link", name="Summary for the Corporate Parenting Panel").click()
    expect(page.locator("figure.chart > svg")).to_be_visible()
    accessible(page, "staff-panel")
    # Printed on A4 (print styles: no staff bar, the chart kept): a short document, saved to look at.
    page.emulate_media(media="print")
    expect(page.locator("header.bar")).to_be_hidden()
    expect(page.locator("figure.chart > svg")).to_be_visible()
    pdf = page.pdf(format="A4", path=str(SHOTS / "panel-summary-a4.pdf"))
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 4, f"{pages} A4 pages"


def test_an_advisor_signs_in_and_opens_a_request_with_the_keyboard_only(server, staff_data, page):
    page.goto(server + "/staff/login")

    def tab_to(check: str, limit: int = 25) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(check):
                assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
                return
        raise AssertionError(f"the keyboard never reached: {check}")

    tab_to("document.activeElement.type === 'email'")
    page.keyboard.type("wyn.browser@lincs.example")
    tab_to("document.activeElement.type === 'password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your inbox")).to_be_visible()
    tab_to("(document.activeElement.getAttribute('href') || '').startsWith('/staff/requests/')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Conversation and history")).to_be_visible()
    tab_to("document.activeElement.id === 'text'")  # the reply box, reached in order


def test_the_duty_team_acknowledges_a_safeguarding_alert(server, staff_data, page):
    sign_in(page, server, "duty.browser@lincs.example")
    page.get_by_role("link", name="Safeguarding alerts").click()
    expect(page.get_by_role("heading", name="Safeguarding alerts")).to_be_visible()
    accessible(page, "staff-alerts")
    with Session(get_engine()) as session:
        query = select(SafeguardingAlert).where(SafeguardingAlert.conversation_id == "browser-crisis")
        alert_id = session.exec(query).one().id
    page.locator(f'table a[href="/staff/alerts/{alert_id}"]').click()
    expect(page.locator("blockquote", has_text="i want to end my life")).to_be_visible()
    accessible(page, "staff-alert")
    page.get_by_label("Acknowledged").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.locator(".facts")).to_contain_text("duty.browser@lincs.example")


def _conversation(sender: str | None) -> bool:
    with Session(get_engine()) as session:
        return session.get(Conversation, sender or "") is not None


# -- learning from conversations ------------------------------------------------------------------


def test_did_this_help_is_one_tap_under_an_answer(server, page):
    page.goto(server + "/")
    expect(page.locator("#helpful")).to_be_hidden()
    page.get_by_label("Your message").fill("what is staying put")
    page.get_by_role("button", name="Send").click()
    expect(last_bot(page)).to_contain_text("foster carers")
    helpful = page.get_by_role("group", name="Did this help?")
    expect(helpful).to_be_visible()
    accessible(page, "chat-did-this-help")
    helpful.get_by_role("button", name="Yes").click()
    expect(page.get_by_role("status").filter(has_text="Thanks for telling us.")).to_be_visible()
    expect(page.locator("#helpful")).to_be_hidden()
    page.get_by_label("Your message").fill("hello")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#log .you").last).to_contain_text("hello")
    expect(last_bot(page)).not_to_contain_text("foster carers")
    expect(page.locator("#helpful")).to_be_hidden()  # small talk is not rated


def test_the_content_team_marks_questions_answered_and_an_admin_approves_them(server, staff_data, page, browser):
    with unit_of_work() as session:
        for text in ("can i take my dog to my new flat", "am i allowed a dog in my flat"):
            record_unanswered(session=session, text=text, reason="fallback", channel="web", council="lincolnshire")
    sign_in(page, server, "team.browser@lincs.example")
    page.get_by_role("link", name="Questions not answered").click()
    expect(page.get_by_role("heading", name="Questions we could not answer")).to_be_visible()
    accessible(page, "staff-questions")
    cluster = page.locator("section.cluster", has_text="am i allowed a dog in my flat")
    cluster.get_by_label("Answered by").select_option(label="Somewhere to live")
    cluster.get_by_role("button", name="Mark answered").click()
    expect(page.get_by_role("status")).to_contain_text("proposed as training examples")
    page.get_by_role("link", name="Did answers help?").first.click()
    expect(page.get_by_role("heading", name="Did answers help?")).to_be_visible()
    accessible(page, "staff-answers")
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(admin, server, "duty.browser@lincs.example")
    admin.goto(server + "/staff/questions/review")
    expect(admin.get_by_role("heading", name="Training examples to review")).to_be_visible()
    accessible(admin, "staff-review")
    row = admin.locator("tr", has_text="am i allowed a dog in my flat").first
    row.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status")).to_contain_text("Approved")
    admin.context.close()
