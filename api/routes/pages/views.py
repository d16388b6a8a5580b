"""What every staff page shares: the Jinja templates and their filters, and who may open a page."""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlmodel import Session, func, select

from api.config import ROOT
from api.contract import THEME_TITLES
from api.db import get_engine
from api.deps import SessionDep
from api.models import SafeguardingAlert, Staff
from api.nlp.language import get_languages
from api.routes.pages.session import csrf_ok, csrf_token, signed_in
from api.services.office_hours import office_hours
from api.services.staff import SAFEGUARDING_ROLES

templates = Jinja2Templates(directory=ROOT / "api" / "templates")


def _local(moment: datetime | None) -> str:
    return office_hours().local(moment).strftime("%a %d %b %Y, %H:%M") if moment else ""


def _waited(minutes: int) -> str:
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


# A UK phone number (10 or 11 digits, single spaces allowed), or a short helpline number.
_PHONE = re.compile(r"(?<![\w£])(?:0\d(?: ?\d){8,9}|116 ?123|999|111)(?![\w])")


def phone_links(text: str) -> Markup:
    """The text, escaped, with each phone number a tap-to-call link."""
    parts, pos = [], 0
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        parts += [escape(text[pos : match.start()]), Markup('<a href="tel:{}">{}</a>').format(digits, match.group(0))]
        pos = match.end()
    parts.append(escape(text[pos:]))
    return Markup("").join(parts)


templates.env.filters["local"] = _local
templates.env.filters["phone_links"] = phone_links
templates.env.filters["waited"] = _waited
templates.env.globals["theme_names"] = THEME_TITLES
templates.env.globals["language_name"] = lambda code: get_languages().name(code)
templates.env.globals["safeguarding_roles"] = SAFEGUARDING_ROLES  # who reads alerts, with the words


class NoAccess(Exception):
    """A signed-in member of staff opened a page their role does not open (a 403 page, not JSON)."""

    def __init__(self, staff: Staff) -> None:
        super().__init__(staff.role)
        self.staff = staff


def page_role(*roles: str) -> Callable[..., Staff]:
    """A dependency: the signed-in member of staff with one of these roles; else sign in (303) or 403."""

    def check(request: Request, session: SessionDep) -> Staff:
        staff = signed_in(session, request)
        if staff is None:
            raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first", {"Location": "/staff/login"})
        if staff.role not in roles:
            raise NoAccess(staff)
        return staff

    return check


async def no_access_page(request: Request, exc: Exception) -> HTMLResponse:
    """The 403 page for NoAccess (registered by main.py)."""
    staff = exc.staff if isinstance(exc, NoAccess) else None
    reason = "It is for other roles in the team."
    return render(request, "staff/no_access.html", {"staff": staff, "reason": reason}, code=status.HTTP_403_FORBIDDEN)


def checked_csrf(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> None:
    """A dependency for every signed-in form: 403, and nothing changes, without the right CSRF token."""
    if not csrf_ok(request, csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form's security token is missing or wrong")


# Put on a staff form's route: `_: CsrfChecked`.
CsrfChecked = Annotated[None, Depends(checked_csrf)]


def render(request: Request, name: str, context: dict[str, Any], code: int = 200) -> HTMLResponse:
    """A staff page, with the CSRF token its forms need (and, for the duty team, how many alerts are new)."""
    staff = context.get("staff")
    extra: dict[str, Any] = {"csrf": csrf_token(request)}
    if staff is not None and staff.role in SAFEGUARDING_ROLES:
        with Session(get_engine()) as session:
            query = select(func.count()).select_from(SafeguardingAlert).where(SafeguardingAlert.status == "new")
            extra["new_alerts"] = session.exec(query).one()
    return templates.TemplateResponse(request, name, {**extra, **context}, status_code=code)
