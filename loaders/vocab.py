"""Name the codes of the contract's categorical fields and the labels accepted for them."""

from __future__ import annotations

import re

ENVIRONMENT: dict[str, str] = {
    "no_cctv": "No CCTV",
    "poor_lighting": "Poor lighting",
    "isolated": "Empty or isolated",
    "poor_layout": "Poor layout",
    "restricted_visibility": "Restricted visibility",
    "rundown": "Run down (graffiti, fly-tipping)",
    "drugs_alcohol": "Drugs or alcohol",
    "other": "Other",
}

BEHAVIOUR: dict[str, str] = {
    "verbal_abuse_individual": "Verbal abuse by an individual",
    "verbal_abuse_group": "Verbal abuse by a group",
    "followed": "Followed",
    "intimidation": "Intimidation",
    "harassment_other": "Other harassment",
    "other": "Other",
}

#: Every reason code, environment first, with its label (``other`` appears once).
REASONS: dict[str, str] = {**ENVIRONMENT, **BEHAVIOUR}

TIME_OF_DAY: dict[str, str] = {
    "morning": "Morning (06:00-12:00)",
    "afternoon": "Afternoon (12:00-18:00)",
    "evening": "Evening (18:00-22:00)",
    "night": "Night (22:00-06:00)",
    "unknown": "Time not given",
}

SERVICE_CATEGORIES: dict[str, str] = {
    "helpline": "Domestic abuse helpline",
    "idva": "IDVA service",
    "refuge": "Refuge",
    "sarc": "Sexual assault referral centre",
    "rape_crisis": "Rape crisis",
    "perpetrator_programme": "Perpetrator programme",
    "victim_hub": "Victim care hub",
    "outreach": "Outreach",
    "police": "Police",
    "housing": "Housing",
    "other": "Other",
}

#: Categories whose location is confidential whatever the ``confidential`` flag says.
CONFIDENTIAL_CATEGORIES = frozenset({"refuge", "sarc"})

#: Survey answers: 1 = Very unsafe … 5 = Very safe; None = missing ("Don't know").
SAFETY_ANSWERS: dict[str, int | None] = {
    "Very unsafe": 1,
    "Fairly unsafe": 2,
    "Neither safe nor unsafe": 3,
    "Fairly safe": 4,
    "Very safe": 5,
    "Don't know": None,
}


def label_key(text: str) -> str:
    """Return the matching key of a code or label: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _keys(codes: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    keys = {label_key(code): code for code in codes}
    keys.update({label_key(label): code for code, label in codes.items()})
    keys.update({label_key(label): code for label, code in extra.items()})
    return keys


ENVIRONMENT_KEYS = _keys(
    ENVIRONMENT,
    {
        "Badly lit": "poor_lighting",
        "Poorly lit": "poor_lighting",
        "Dark": "poor_lighting",
        "Street lighting": "poor_lighting",
        "Isolated": "isolated",
        "Empty": "isolated",
        "Run down": "rundown",
        "Graffiti": "rundown",
        "Fly-tipping": "rundown",
        "Drug or alcohol use": "drugs_alcohol",
        "Drugs and alcohol": "drugs_alcohol",
        "Drugs": "drugs_alcohol",
        "Alcohol": "drugs_alcohol",
        "Layout": "poor_layout",
        "Poor visibility": "restricted_visibility",
        "Hidden corners": "restricted_visibility",
        "CCTV": "no_cctv",
        "Lack of CCTV": "no_cctv",
    },
)

BEHAVIOUR_KEYS = _keys(
    BEHAVIOUR,
    {
        "Verbal abuse by individual": "verbal_abuse_individual",
        "Verbal abuse individual": "verbal_abuse_individual",
        "Verbal abuse": "verbal_abuse_individual",
        "Verbal abuse by group": "verbal_abuse_group",
        "Verbal abuse group": "verbal_abuse_group",
        "Being followed": "followed",
        "Intimidating behaviour": "intimidation",
        "Intimidating": "intimidation",
        "Harassment": "harassment_other",
        "Other harassment": "harassment_other",
        "Harassment other": "harassment_other",
    },
)

REASON_KEYS = {**ENVIRONMENT_KEYS, **BEHAVIOUR_KEYS}

TIME_OF_DAY_KEYS = _keys(
    TIME_OF_DAY,
    {"Morning": "morning", "Afternoon": "afternoon", "Evening": "evening", "Night": "night"},
)

CATEGORY_KEYS = _keys(
    SERVICE_CATEGORIES,
    {
        "Domestic abuse helpline": "helpline",
        "IDVA": "idva",
        "Independent domestic violence advisor": "idva",
        "Independent domestic violence advisers": "idva",
        "SARC": "sarc",
        "Sexual assault referral centre": "sarc",
        "Sexual assault referral center": "sarc",
        "Rape crisis centre": "rape_crisis",
        "Perpetrator programme": "perpetrator_programme",
        "Perpetrator program": "perpetrator_programme",
        "Victim hub": "victim_hub",
        "Victim care": "victim_hub",
        "Victim care hub": "victim_hub",
        "Community outreach": "outreach",
    },
)

SAFETY_ANSWER_KEYS: dict[str, int | None] = {
    **{label_key(label): value for label, value in SAFETY_ANSWERS.items()},
    "dontknow": None,
    "dk": None,
    "notsure": None,
    **{str(value): value for value in range(1, 6)},
    **{f"{value}0": value for value in range(1, 6)},  # "1.0" from a spreadsheet
}

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t", "10"})  # "1.0" keys to "10"
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", "00", ""})

#: Kinds of outreach point: a place to reach help without going into a building.
OUTREACH_KINDS: dict[str, str] = {
    "qr_poster": "QR code poster",
    "leaflet_point": "Leaflet point",
    "drop_in": "Drop-in",
    "other": "Other",
}

OUTREACH_KIND_KEYS = _keys(
    OUTREACH_KINDS,
    {
        "QR poster": "qr_poster",
        "QR code": "qr_poster",
        "Poster": "qr_poster",
        "Leaflet": "leaflet_point",
        "Leaflets": "leaflet_point",
        "Leaflet stand": "leaflet_point",
        "Drop in": "drop_in",
        "Drop-in session": "drop_in",
    },
)
