"""The web chat page: GET / for the default council, GET /<council>/ for another one this service answers
for (/north-lincolnshire/); works with and without JavaScript; forget and quick exit."""

import re
import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.channels.web import answer, chat_limits, forget, transcript
from api.config import ROOT, get_settings
from api.content import council_named, councils, get_pack
from api.contract import OutMessage
from api.deps import EngineDep, client_address, held_back
from api.engine.core import Engine
from api.routes.pages.views import templates
from api.services.ratings import last_answer, rate_last_answer

router = APIRouter(tags=["chat"], include_in_schema=False)
COOKIE = "cp_chat"
_SENDER = re.compile(r"^web-[A-Za-z0-9_-]{16,64}$")


def _sender(request: Request) -> str | None:
    value = request.cookies.get(COOKIE, "")
    return value if _SENDER.match(value) else None


def _keep(response: Response, sender: str) -> None:
    """The chat's cookie: this browser session only (no expiry), never sent by another site."""
    secure = (get_settings().public_url or "").startswith("https://") or get_settings().environment == "production"
    response.set_cookie(COOKIE, sender, httponly=True, samesite="strict", secure=secure, path="/")


def _page(
    request: Request,
    sender: str,
    council: str | None = None,
    replies: list[OutMessage] | None = None,
    notice: str = "",
    code: int = 200,
) -> Response:
    pack = get_pack(council)
    promise = pack.answers["caring_promise"]
    context = {
        "sender": sender,
        "council": council or "",
        "base": f"/{council}/" if council else "/",
        "area": pack.area,
        "turns": transcript(sender),
        "buttons": next((r["buttons"] for r in reversed(replies or []) if r.get("buttons")), None),
        "greeting": pack.render("greet", "web"),
        "promise_intro": promise.extra.get("intro", ""),
        "promise": promise.extra.get("sections") or [],
        "staying_safe": pack.render("staying_safe", "web").text,
        "exit_url": get_settings().quick_exit_url,
        "notice": notice,
        "slow_down": pack.render("slow_down", "web").text,
        "rate_last": last_answer(sender) is not None,
    }
    response = templates.TemplateResponse(request, "chat/page.html", context, status_code=code)
    response.headers["Cache-Control"] = "no-store"  # Back after quick exit must not show the chat again
    _keep(response, sender)
    return response


@router.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for on every site (an SVG: every current browser shows it)."""
    return FileResponse(ROOT / "api" / "static" / "favicon.svg", media_type="image/svg+xml")


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request) -> Response:
    """The chat: mobile first, quick replies, quick exit; a plain form when JavaScript is off."""
    return _open(request, None)


@router.post("/chat", response_class=HTMLResponse)
async def chat_form(
    request: Request, engine: EngineDep, message: Annotated[str, Form(max_length=5000)] = ""
) -> Response:
    """The form without JavaScript: send a message, get the page back with the answer."""
    return await _said(request, engine, message, None)


def _served(council: str) -> str:
    """A council in the chat's address; 404 for one this service does not answer for."""
    try:
        return council_named(council)
    except ValueError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such page") from exc


def _open(request: Request, council: str | None) -> Response:
    sender = _sender(request) or f"web-{secrets.token_urlsafe(18)}"
    notice = next((n for n in ("forgotten", "rated") if request.query_params.get(n)), "")
    return _page(request, sender, council, notice=notice)


async def _said(request: Request, engine: Engine, message: str, council: str | None) -> Response:
    sender = _sender(request) or f"web-{secrets.token_urlsafe(18)}"
    if await run_in_threadpool(held_back, request, engine, message, chat_limits(sender, client_address(request))):
        return _page(request, sender, council, notice="slow_down", code=status.HTTP_429_TOO_MANY_REQUESTS)
    replies = await run_in_threadpool(answer, engine, sender, message, council)
    return _page(request, sender, council, replies)


@router.post("/chat/helpful")
async def helpful(
    request: Request,
    helped: Annotated[Literal["yes", "no"], Form()],
    back: Annotated[str, Form(max_length=100)] = "/",
    js: Annotated[bool, Form()] = False,
) -> Response:
    """ "Did this help?" about the answer just given: Yes or No, stored with the answer, never who said it.
    From chat.js: 204. From the form without JavaScript: back to the chat, thanked."""
    sender = _sender(request)
    if sender:
        await run_in_threadpool(rate_last_answer, sender, helped == "yes", "web")
    if js:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    home = back if back == "/" or back.strip("/") in councils(get_settings().content_dir) else "/"
    return RedirectResponse(f"{home}?rated=1", status.HTTP_303_SEE_OTHER)


@router.post("/chat/forget")
async def forget_chat(request: Request) -> Response:
    """ "Forget my chat": delete this browser's conversation on the server."""
    sender = _sender(request)
    if sender:
        await run_in_threadpool(forget, sender)
    response = RedirectResponse("/?forgotten=1", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/{council}/", response_class=HTMLResponse)
def council_chat_page(request: Request, council: str) -> Response:
    """Another council's chat (/north-lincolnshire/): its answers, its promise, its area."""
    return _open(request, _served(council))


@router.post("/{council}/chat", response_class=HTMLResponse)
async def council_chat_form(
    request: Request, council: str, engine: EngineDep, message: Annotated[str, Form(max_length=5000)] = ""
) -> Response:
    """Another council's chat without JavaScript."""
    return await _said(request, engine, message, _served(council))


@router.post("/chat/exit")
async def quick_exit(request: Request) -> Response:
    """Quick exit without JavaScript: forget the chat and go to the innocuous page."""
    sender = _sender(request)
    if sender:
        await run_in_threadpool(forget, sender)
    response = RedirectResponse(get_settings().quick_exit_url, status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
