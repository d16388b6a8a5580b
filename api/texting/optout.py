"""SMS opt-outs, keyed by the number's hash: STOP, START and Twilio's error 21610."""

from sqlmodel import Session

from api.models import SmsOptOut, utcnow
from api.privacy import number_key


def is_opted_out(session: Session, number: str) -> bool:
    """Whether this number has told us to stop."""
    row = session.get(SmsOptOut, number_key(number))
    return bool(row and row.opted_out)


def set_opt_out(session: Session, *, number_hash: str, opted_out: bool) -> None:
    """Record STOP (or Twilio's 21610) as True, START as False."""
    row = session.get(SmsOptOut, number_hash) or SmsOptOut(number_hash=number_hash)
    row.opted_out = opted_out
    row.updated_at = utcnow()
    session.add(row)
