"""Staff accounts: argon2 password hashes (pwdlib), lockout after repeated failures, bearer tokens."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import true
from sqlmodel import Session, col, delete, select

from api.config import get_settings
from api.db import unit_of_work
from api.models import Staff, StaffToken, default_council, row_id, utcnow
from api.services.ratelimit import Limit

ROLES = ("advisor", "participation", "admin", "duty")
# Who sees and handles safeguarding alerts, with what the young person wrote: the duty team and admins.
SAFEGUARDING_ROLES = ("duty", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=8)  # one working day
MIN_PASSWORD = 12

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes): each sign-in briefly needs 19 MiB
# rather than the library default's 64 MiB, which matters on a small server.
_hasher = PasswordHash((Argon2Hasher(memory_cost=19_456, time_cost=2, parallelism=1),))


@lru_cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email takes as long as a wrong password."""
    return _hasher.hash("not-a-real-password-at-all")


class LockedOut(Exception):
    """Too many failed sign-ins: try again later."""


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


ALL_COUNCILS = "all"  # what `staff add --council` takes for a deployment-wide account


def add_staff(*, session: Session, email: str, role: str, password: str, council: str | None = "") -> Staff:
    """Create (or reset) a staff account of a council (by default the deployment's default council; None:
    every council, for a deployment-wide admin or participation lead)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    email = email.strip().lower()
    staff = session.exec(select(Staff).where(Staff.email == email)).first() or Staff(
        email=email, role=role, password_hash=""
    )
    if staff.id is not None:
        end_sessions(session, staff)  # a reset (a new password or role) signs them out everywhere
    staff.role = role
    staff.council = default_council() if council == "" else council
    staff.password_hash = _hasher.hash(password)
    staff.failed_logins, staff.locked_until = 0, None
    session.add(staff)
    return staff


def sees(staff: Staff, council: str | None) -> bool:
    """Whether this member of staff may see a record of this council (their own, or any for an account of
    every council)."""
    return staff.council is None or staff.council == council


def of_their_council(staff: Staff, column: Any) -> Any:
    """A WHERE condition: rows of the member of staff's council (every row for an account of every council)."""
    return true() if staff.council is None else col(column) == staff.council


def remove_staff(*, session: Session, email: str) -> bool:
    """Delete a staff account and end its sessions (someone who left); False when there is none."""
    staff = session.exec(select(Staff).where(Staff.email == email.strip().lower())).first()
    if staff is None:
        return False
    end_sessions(session, staff)
    session.delete(staff)
    return True


def end_sessions(session: Session, staff: Staff) -> int:
    """Sign a member of staff out everywhere (every bearer token and page session); how many ended."""
    return session.exec(delete(StaffToken).where(col(StaffToken.staff_id) == staff.id)).rowcount


def revoke_token(*, session: Session, token: str) -> bool:
    """End one session (its token no longer works); False when there was none."""
    return session.exec(delete(StaffToken).where(col(StaffToken.token_hash) == hash_token(token))).rowcount == 1


def authenticate(*, session: Session, email: str, password: str) -> Staff | None:
    """The staff member for these credentials; None if wrong; LockedOut after repeated failures."""
    staff = session.exec(select(Staff).where(Staff.email == email.strip().lower())).first()
    if staff is None:
        _hasher.verify(password, _dummy_hash())
        return None
    now = utcnow()
    locked_until = _aware(staff.locked_until) if staff.locked_until else None
    if locked_until and locked_until > now:
        raise LockedOut
    if not _hasher.verify(password, staff.password_hash):
        staff.failed_logins += 1
        if staff.failed_logins >= MAX_FAILURES:
            staff.locked_until, staff.failed_logins = now + LOCKOUT, 0
        session.add(staff)
        return None
    staff.failed_logins, staff.locked_until = 0, None
    session.add(staff)
    return staff


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, staff: Staff) -> str:
    """A new bearer token for this staff member (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    session.add(StaffToken(token_hash=hash_token(token), staff_id=row_id(staff), expires_at=utcnow() + TOKEN_LIFETIME))
    return token


def staff_for_token(*, session: Session, token: str) -> Staff | None:
    """Who a bearer token belongs to, if it is valid and unexpired."""
    row = session.get(StaffToken, hash_token(token))
    if row is None or _aware(row.expires_at) <= utcnow():
        return None
    return session.get(Staff, row.staff_id)


# Sign-ins from one address in a quarter of an hour (password spraying across many emails).
SIGN_IN_WINDOW = 15 * 60


def sign_in_limit() -> Limit:
    """The per-address limit on sign-ins (an account also locks after 5 wrong passwords)."""
    return Limit("signin:address", get_settings().limit_signin_per_address, SIGN_IN_WINDOW)


def sign_in(email: str, password: str) -> str | None:
    """A new session token for these credentials; None for a wrong password, an unknown email or a locked
    account alike, so nobody learns which emails have accounts."""
    with unit_of_work() as session:
        try:
            staff = authenticate(session=session, email=email, password=password)
        except LockedOut:
            return None
        return issue_token(session=session, staff=staff) if staff else None
