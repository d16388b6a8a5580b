"""Signed-in staff pages: a session cookie holding a bearer token, and CSRF tokens for every form.

The cookie is HttpOnly and SameSite=Strict (Secure outside development); its token is a StaffToken
like the API's, so signing out or expiry ends both. Every form carries a CSRF token: for a session,
an HMAC of the session's token hash with the secret key; for the sign-in form, a random value that
must match a cookie (double submit), so another site cannot sign someone in or act for them.
"""

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from api.config import get_settings
from api.models import Staff, StaffToken
from api.services.staff import TOKEN_LIFETIME, hash_token, staff_for_token

SESSION_COOKIE = "cp_staff"
LOGIN_CSRF_COOKIE = "cp_login_csrf"


def _secure() -> bool:
    settings = get_settings()
    return settings.environment == "production" or (settings.public_url or "").startswith("https://")


def start_session(response: Response, token: str) -> None:
    """Hand the browser its session cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(TOKEN_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")


def end_session(session: Session, request: Request, response: Response) -> None:
    """Forget the session on the server and in the browser."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        row = session.get(StaffToken, hash_token(token))
        if row is not None:
            session.delete(row)
    response.delete_cookie(SESSION_COOKIE, path="/")


def signed_in(session: Session, request: Request) -> Staff | None:
    """The member of staff of this browser session, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    return staff_for_token(session=session, token=token) if token else None


def csrf_token(request: Request) -> str:
    """The CSRF token for this session's forms."""
    token = request.cookies.get(SESSION_COOKIE, "")
    key = get_settings().secret_key
    secret = key.get_secret_value().encode() if key else b""
    return hmac.new(secret, b"csrf:" + hash_token(token).encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """Whether a signed-in form's token is right."""
    return (
        bool(submitted)
        and bool(request.cookies.get(SESSION_COOKIE))
        and hmac.compare_digest(csrf_token(request), submitted or "")
    )


def login_csrf(request: Request) -> str:
    """The sign-in form's CSRF token: the one in this browser's cookie, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def keep_login_csrf(response: Response, value: str) -> None:
    """Keep the sign-in form's CSRF token in a short-lived cookie."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE, value, max_age=3600, httponly=True, samesite="strict", secure=_secure(), path="/staff"
    )


def login_csrf_ok(request: Request, submitted: str | None) -> bool:
    """Whether the sign-in form's token matches its cookie."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie) and bool(submitted) and hmac.compare_digest(cookie or "", submitted or "")
