"""Privacy helpers: phone numbers masked for logs and staff, keyed (not stored) for conversations and
opt-outs; personal details taken out of free text before it is stored (UK formats)."""

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


# -- redaction of free text ----------------------------------------------------------------------

# Order matters: emails and URLs before phone numbers (digits inside them), postcodes before names.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[url]", re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:co\.uk|com|org|net|uk|gov\.uk)(?:/\S*)?\b", re.I)),
    # UK numbers: 07700 900123, +44 7700 900123, 01522 575955, (01522) 575955, 0044...
    ("[phone]", re.compile(r"(?<!\w)(?:\+44\s?\(?0?\)?|0044\s?|\(?0)(?:[\s-]?\d){9,10}\b\)?")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    (
        "[address]",
        re.compile(
            r"\b\d{1,4}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
            r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Court|Ct|Crescent|Place|Gardens|Grove|Terrace|Walk|Row|Hill)\b\.?",
            re.I,
        ),
    ),
    # "my name is Jo", "I'm called Sam", "my worker Sarah": a capitalised word after these cues.
    (
        r"\g<cue>[name]",
        re.compile(
            r"(?P<cue>\b(?i:my name is|i'm called|i am called|called|named|worker|carer|pa|advi[sz][oe]r|mum|dad"
            r"|brother|sister|teacher|mate|friend|boyfriend|girlfriend|nan|uncle|aunt|aunty|manager),?\s+)"
            r"[A-Z][a-z]{1,}(?:\s+[A-Z][a-z]+)?",
        ),
    ),
)


def redact(text: str) -> str:
    """The text with phone numbers, emails, postcodes, addresses, URLs and names replaced by [tags]."""
    for tag, pattern in _RULES:
        text = pattern.sub(tag, text)
    return text
