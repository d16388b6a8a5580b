"""What is fixed, each written once: intents and feedback themes (../shared/CONTRACT.md), request kinds
and channels (stored in the database) with the titles staff pages show them by, and the shape of the
messages a turn produces (Rasa's REST channel output)."""

from typing import Literal, NotRequired, TypedDict, get_args

CONTRACT_INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "bot_challenge",
    "help",
    "caring_promise",
    "local_offer",
    "money",
    "housing",
    "homeless",
    "council_tax",
    "education",
    "jobs",
    "health",
    "personal_advisor",
    "pathway_plan",
    "family_contact",
    "talk_to_worker",
    "complain",
    "advocate",
    "give_feedback",
    "get_involved",
    "crisis",
    "out_of_scope",
)

Theme = Literal["family", "stability", "relationships", "learning", "health", "accommodation"]
THEMES: tuple[Theme, ...] = get_args(Theme)
THEME_TITLES = {  # the six priorities of the Children in Care and Care Leavers Strategy 2022-2025
    "family": "Support to remain with family",
    "stability": "Stability and permanence",
    "relationships": "Build, not break, relationships",
    "learning": "Learning and aspirations",
    "health": "Healthy and resilient",
    "accommodation": "Safe and suitable accommodation",
    "none": "None of the six",
}

RequestKind = Literal["handoff", "advocacy", "complaint"]
REQUEST_KINDS: tuple[RequestKind, ...] = get_args(RequestKind)
REQUEST_KIND_TITLES = {"handoff": "Talk to a person", "advocacy": "Advocacy referral", "complaint": "Complaint"}

Channel = Literal["web", "sms"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
CHANNEL_TITLES = {"sms": "Text message", "web": "Web chat"}


class Button(TypedDict):
    """A quick reply: what it says, and the message it sends ("/talk_to_worker" or plain text)."""

    title: str
    payload: str


class BotMessage(TypedDict, total=False):
    """A message made inside a turn (content, a response of bot/ or an action's dispatcher).

    Actions run through rasa-sdk may add its other fields (image, custom...): only these are sent on."""

    text: str
    buttons: list[Button]
    key: str  # the content entry it came from
    rateable: bool  # an answer the young person can say helped or not (the web chat asks "Did this help?")
    language: str  # set when the text is in another language than English (its options are numbered plainly)
    council: str  # set when another council than the conversation's wrote it (a place in its area)


class OutMessage(TypedDict):
    """What a turn returns for each message, as Rasa's REST channel does: `[{recipient_id, text, buttons?}]`."""

    recipient_id: str
    text: str
    buttons: NotRequired[list[Button]]
    # Rasa's custom payload: {"rate": <content key>} on an answer the chat may ask "Did this help?" about,
    # only when the request's metadata asked for it ({"rate": true}: the chat page does).
    custom: NotRequired[dict[str, str]]
