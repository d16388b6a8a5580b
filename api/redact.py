"""Take personal details out of free text before it is stored (UK formats)."""

import re

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
