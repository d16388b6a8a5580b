"""The names of risk: what kind of harm, and how soon someone must act."""

# The kinds of harm the risk check knows, in the order an answer is chosen when two apply.
KINDS = (
    "medical_emergency",  # needs a doctor or an ambulance now: 999 and A&E first
    "danger_now",  # in danger right now: someone with a knife, being followed, breaking in
    "suicide_self_harm",  # thoughts of suicide (said plainly or not), plans, method seeking, self-harm
    "abuse",  # harm by a carer, staff, family or their partners
    "sexual_exploitation",  # grooming, an older partner, favours owed, sex for somewhere to sleep
    "criminal_exploitation",  # debts to older lads, holding or moving things, taken to other towns
    "domestic_abuse",  # a partner or ex: violence, coercive control, stalking
    "neglect",  # no food, no heating, a hungry baby
    "restriction",  # restrictive practice in care: locked in, phone or shoes taken
)
# What staff pages call each kind and level.
KIND_TITLES = {
    "medical_emergency": "Medical emergency",
    "danger_now": "In danger now",
    "suicide_self_harm": "Suicide or self-harm",
    "abuse": "Abuse (carer, staff, family)",
    "sexual_exploitation": "Sexual exploitation",
    "criminal_exploitation": "Criminal exploitation",
    "domestic_abuse": "Domestic abuse, stalking or control",
    "neglect": "Neglect",
    "restriction": "Restriction (locked in, kept in)",
}
LEVEL_TITLES = {"crisis": "Crisis: act now", "concern": "Concern: review and check in"}
# crisis: act now (an urgent alert, the kind's answer first). concern: possible harm (a warm check-in
# that still names help that works now, and an alert for the duty team to review).
LEVELS = ("crisis", "concern")
# Abuse and exploitation answers add the council's children's services and what exploitation is.
HARM_BY_OTHERS = frozenset(
    {"abuse", "sexual_exploitation", "criminal_exploitation", "domestic_abuse", "neglect", "restriction"}
)


def check_kind(kind: str) -> str:
    """The kind, or a ValueError naming the ones allowed (for data files)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    return kind


def check_level(level: str) -> str:
    """The level, or a ValueError."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use crisis or concern")
    return level
