"""The web chat page over HTTP: headers, the form without JavaScript, forgetting, quick exit."""

import re

from sqlmodel import Session

from api.db import get_engine
from api.models import Conversation


def conversation(sender: str) -> Conversation | None:
    with Session(get_engine()) as session:
        return session.get(Conversation, sender)


def test_the_page_is_strict_about_what_it_loads(client):
    page = client.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    # Nothing from third parties: every script and stylesheet is our own, and no inline script or style.
    assert re.findall(r'<script src="([^"]+)"', page.text) == ["/static/chat.js"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text) == ["/static/chat.css"]
    assert "<script>" not in page.text and "style=" not in page.text
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "expires" not in cookie  # this session only


def test_without_javascript_a_form_posts_and_shows_the_answer(client):
    client.get("/")
    page = client.post("/chat", data={"message": "do i pay council tax"})
    assert page.status_code == 200 and "do i pay council tax" in page.text and "council tax" in page.text.lower()
    sender = client.cookies.get("cp_chat")
    assert conversation(sender) is not None
    button = client.post("/chat", data={"message": "/money"})
    assert "£3,000" in button.text


def test_forget_my_chat_deletes_it(client):
    client.get("/")
    client.post("/chat", data={"message": "hello"})
    sender = client.cookies.get("cp_chat")
    forgotten = client.post("/chat/forget", follow_redirects=False)
    assert forgotten.status_code == 303 and forgotten.headers["location"] == "/?forgotten=1"
    assert conversation(sender) is None
    assert "Your chat has been deleted" in client.get("/?forgotten=1").text


def test_the_words_forget_me_delete_the_conversation(client):
    client.post("/webhooks/rest/webhook", json={"sender": "web-forget-words", "message": "hello"})
    assert conversation("web-forget-words") is not None
    reply = client.post("/webhooks/rest/webhook", json={"sender": "web-forget-words", "message": "Forget me."})
    assert "deleted this chat" in reply.json()[0]["text"]
    assert conversation("web-forget-words") is None


def test_quick_exit_without_javascript_forgets_and_leaves(client):
    client.get("/")
    client.post("/chat", data={"message": "hello"})
    sender = client.cookies.get("cp_chat")
    left = client.post("/chat/exit", follow_redirects=False)
    assert left.status_code == 303 and left.headers["location"] == "https://www.bbc.co.uk/weather"
    assert left.headers["clear-site-data"] == '"cache", "storage"'
    assert conversation(sender) is None


def test_a_forged_chat_cookie_is_not_used(client):
    client.cookies.set("cp_chat", "sms:not-a-web-conversation")
    client.post("/chat", data={"message": "hello"})
    assert conversation("sms:not-a-web-conversation") is None


def test_a_quick_reply_shows_its_title_not_its_payload_without_javascript(client):
    client.get("/")
    page = client.post("/chat", data={"message": "/talk_to_worker"})
    you_said = re.findall(r'<div class="msg you">(.*?)</div>', page.text, re.S)
    assert you_said and "Talk to a person" in you_said[-1] and "/talk_to_worker" not in you_said[-1]


def test_talk_to_a_person_is_on_the_page_once(client):
    page = client.get("/")
    assert page.text.count(">Talk to a person</button>") == 1


def test_phone_numbers_in_answers_can_be_tapped(client):
    client.get("/")
    page = client.post("/chat", data={"message": "/crisis"})
    assert '<a href="tel:116123">116 123</a>' in page.text
    assert re.search(r'<a href="tel:0\d{9,10}">0[\d ]+</a>', page.text)


def test_the_browser_gets_an_icon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").text
