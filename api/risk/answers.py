"""What a young person at risk is told: graded by level, chosen by kind, in their language first.

crisis: the answer for the kind first (content/<council>/crisis_<kind>.yml: a medical emergency is
999 and A&E; abuse and exploitation say it is not their fault and name the council's children's
services and out-of-hours team), then help that works now (crisis.yml: 999, Samaritans, Shout,
Childline) with the offer of a person. concern: a warm check-in (concern.yml: are you safe right
now?) that still names 999, Childline and Samaritans and offers a person. In another language, its
pre-written answer (content/safety/languages/) comes first, the English after it.
"""

from api.content import ContentPack, Reply
from api.risk.assess import Assessment, get_assessor

CRISIS = "crisis"
CONCERN = "concern"
SAFE_NOW = "concern_safe"  # "yes, I'm safe" after the check-in
WHICH_DO_YOU_MEAN = "safety_which"  # inside a form: stop the form, or not safe?


def risk_replies(verdict: Assessment, channel: str, pack: ContentPack) -> list[Reply]:
    """The answers for a message at risk, in the order they are sent (in the words of `pack`'s council)."""
    replies = []
    language = get_assessor().language(verdict.answer_language)
    if language is not None:
        replies.append(Reply(f"crisis_{language.code}", language.reply, ()))
    if verdict.urgent:
        specific = f"crisis_{verdict.kind}"
        if pack.has(specific):
            replies.append(pack.render(specific, channel))
        replies.append(pack.render(CRISIS, channel))
    else:
        replies.append(pack.render(CONCERN, channel))
        specific = f"concern_{verdict.kind}"
        if pack.has(specific):
            replies.append(pack.render(specific, channel))
    return replies
