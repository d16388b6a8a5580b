"""The risk check: every message, before anything else, for harm of any kind, in any language.

`assess.py` decides (patterns, other languages, the classifier); `answers.py` says what the young
person is told; `kinds.py` names the kinds and levels; `text.py` folds a message for matching;
`evaluate.py` cross-validates the classifier. The data is in content/safety/.
"""

from api.risk.assess import NOT_AT_RISK, Assessment, Assessor, clean_text, danger_now, get_assessor
from api.risk.kinds import HARM_BY_OTHERS, KINDS, LEVELS

__all__ = [
    "HARM_BY_OTHERS",
    "KINDS",
    "LEVELS",
    "NOT_AT_RISK",
    "Assessment",
    "Assessor",
    "clean_text",
    "danger_now",
    "get_assessor",
]
