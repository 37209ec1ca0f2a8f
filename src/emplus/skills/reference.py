"""The seed of the skill-area taxonomy, loaded by `emplus load-reference-data` (the
administrator edits it afterwards): areas named in the issue and one or more per thematic area."""

from __future__ import annotations

# code, Swedish name, English name, thematic-area codes it covers (linked when they exist)
SKILL_AREAS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("MI", "Motiverande samtal (MI)", "Motivational interviewing", ("PATHWAY", "INCLUSION")),
    ("IPS-SE", "Supported employment (IPS/SE)", "Supported employment (IPS/SE)", ("BUSINESS",)),
    ("DIGITAL", "Digital kompetens", "Digital skills", ("COMPETENCE",)),
    ("ACCESS", "Tillgänglighet", "Accessibility", ("INCLUSION",)),
    ("WBL", "Arbetsplatsförlagt lärande", "Workplace-based learning", ("BUSINESS", "SCHOOLING")),
    ("LABOUR-LAW", "Arbetsrätt", "Labour law", ("GIG", "BUSINESS")),
    ("LANGUAGE", "Språkstöd", "Language support", ("INCLUSION",)),
    ("OUTREACH", "Uppsökande arbete", "Outreach work", ("INCLUSION",)),
    ("MAPPING", "Kartläggning och handlingsplan", "Assessment and action planning", ("PATHWAY",)),
    ("FOLLOW-UP", "Uppföljning och effektmätning", "Follow-up and effect measurement", ("EFFECT",)),
    (
        "RURAL",
        "Distansstöd och samverkan i glesbygd",
        "Remote support in sparse areas",
        ("SPARSE",),
    ),
    ("GIG", "Gigekonomi och egenanställning", "Gig economy and self-employment", ("GIG",)),
    ("SCHOOLING", "Studievägledning och fullföljd utbildning", "Study guidance", ("SCHOOLING",)),
    ("EMPLOYER", "Arbetsgivarsamverkan", "Working with employers", ("BUSINESS",)),
    ("SUPERVISION", "Handledning och ledarskap", "Supervision and leadership", ("COMPETENCE",)),
]
