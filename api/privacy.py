"""Phone numbers: masked for logs and staff, keyed (not stored) for conversations and opt-outs."""

import hashlib
import hmac
import re

from api.config import get_settings


def normalise_number(number: str) -> str:
    """A UK mobile in E.164 (+447700900123); other input is returned without spaces."""
    digits = re.sub(r"[^\d+]", "", number or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("07") and len(digits) == 11:
        digits = "+44" + digits[1:]
    return digits


def mask_number(number: str) -> str:
    """'+44 7*** ***123': the country code, the first digit and the last three."""
    n = normalise_number(number)
    if n.startswith("+44") and len(n) >= 8:
        return f"+44 {n[3]}*** ***{n[-3:]}"
    if len(n) >= 6:
        return f"{n[:3]}*** ***{n[-3:]}"
    return "***"


def number_key(number: str) -> str:
    """A keyed hash of the number: the same number always gives the same key, which reveals nothing."""
    secret = get_settings().secret_key
    key = secret.get_secret_value().encode() if secret else b""
    return hmac.new(key, normalise_number(number).encode(), hashlib.sha256).hexdigest()


def conversation_id_for(number: str) -> str:
    """The SMS conversation of a phone number, keyed so the number itself is not stored."""
    return "sms:" + number_key(number)[:40]


_NUMBER_IN_TEXT = re.compile(r"(?:\+44\s?7|\b07)\d{3}\s?\d{3}\s?\d{3}\b")


def mask_numbers_in(text: str) -> str:
    """Mask every UK mobile number inside a log line."""
    return _NUMBER_IN_TEXT.sub(lambda m: mask_number(m.group(0)), text)
