"""Enumerations of working life and education, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase
from emplus.evidence_core import completion


class SizeBand(models.TextChoices):
    """Number of employees, in the bands of Statistics Sweden's business register."""

    NONE = "0", _("No employees")
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250+", _("250 employees or more")


class EmployerSector(models.TextChoices):
    """An employer is a business or an organisation of another sector offering placements."""

    BUSINESS = "business", _("Business")
    PUBLIC = "public", _("Public sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    SOCIAL_ECONOMY = "social_economy", _("Social economy")


# SNI 2007 divisions (two-digit level) with short labels (Statistics Sweden, SNI 2007).
SNI_DIVISIONS: dict[str, str] = {
    "01": "Växtodling och djurhållning, jakt",
    "02": "Skogsbruk",
    "03": "Fiske och vattenbruk",
    "05": "Kolutvinning",
    "06": "Utvinning av råpetroleum och naturgas",
    "07": "Utvinning av metallmalmer",
    "08": "Annan utvinning av mineral",
    "09": "Service till utvinning",
    "10": "Livsmedelsframställning",
    "11": "Framställning av drycker",
    "12": "Tobaksvarutillverkning",
    "13": "Textilvarutillverkning",
    "14": "Tillverkning av kläder",
    "15": "Tillverkning av läder och lädervaror",
    "16": "Tillverkning av trä och varor av trä",
    "17": "Pappers- och pappersvarutillverkning",
    "18": "Grafisk produktion och reproduktion",
    "19": "Tillverkning av stenkolsprodukter och raffinerade petroleumprodukter",
    "20": "Tillverkning av kemikalier och kemiska produkter",
    "21": "Tillverkning av farmaceutiska basprodukter och läkemedel",
    "22": "Tillverkning av gummi- och plastvaror",
    "23": "Tillverkning av andra icke-metalliska mineraliska produkter",
    "24": "Stål- och metallframställning",
    "25": "Tillverkning av metallvaror utom maskiner och apparater",
    "26": "Tillverkning av datorer, elektronikvaror och optik",
    "27": "Tillverkning av elapparatur",
    "28": "Tillverkning av övriga maskiner",
    "29": "Tillverkning av motorfordon, släpfordon och påhängsvagnar",
    "30": "Tillverkning av andra transportmedel",
    "31": "Tillverkning av möbler",
    "32": "Annan tillverkning",
    "33": "Reparation och installation av maskiner och apparater",
    "35": "Försörjning av el, gas, värme och kyla",
    "36": "Vattenförsörjning",
    "37": "Avloppsrening",
    "38": "Avfallshantering; återvinning",
    "39": "Sanering och annan verksamhet för föroreningsbekämpning",
    "41": "Byggande av hus",
    "42": "Anläggningsarbeten",
    "43": "Specialiserad bygg- och anläggningsverksamhet",
    "45": "Handel samt reparation av motorfordon och motorcyklar",
    "46": "Parti- och provisionshandel utom med motorfordon",
    "47": "Detaljhandel utom med motorfordon och motorcyklar",
    "49": "Landtransport; transport i rörsystem",
    "50": "Sjötransport",
    "51": "Lufttransport",
    "52": "Magasinering och stödtjänster till transport",
    "53": "Post- och kurirverksamhet",
    "55": "Hotell- och logiverksamhet",
    "56": "Restaurang-, catering- och barverksamhet",
    "58": "Förlagsverksamhet",
    "59": "Film-, video- och TV-programverksamhet, ljudinspelningar och fonogramutgivning",
    "60": "Planering och sändning av program",
    "61": "Telekommunikation",
    "62": "Dataprogrammering, datakonsultverksamhet o.d.",
    "63": "Informationstjänster",
    "64": "Finansiella tjänster utom försäkring och pensionsfondsverksamhet",
    "65": "Försäkring, återförsäkring och pensionsfondsverksamhet",
    "66": "Stödtjänster till finansiella tjänster och försäkring",
    "68": "Fastighetsverksamhet",
    "69": "Juridisk och ekonomisk konsultverksamhet",
    "70": "Verksamheter som utövas av huvudkontor; konsulttjänster till företag",
    "71": "Arkitekt- och teknisk konsultverksamhet; teknisk provning och analys",
    "72": "Vetenskaplig forskning och utveckling",
    "73": "Reklam och marknadsundersökning",
    "74": "Annan verksamhet inom juridik, ekonomi, vetenskap och teknik",
    "75": "Veterinärverksamhet",
    "77": "Uthyrning och leasing",
    "78": "Arbetsförmedling, bemanning och andra personalrelaterade tjänster",
    "79": "Resebyrå- och researrangörsverksamhet",
    "80": "Säkerhets- och bevakningsverksamhet",
    "81": "Fastighetsservice samt skötsel och underhåll av grönytor",
    "82": "Kontorstjänster och andra företagstjänster",
    "84": "Offentlig förvaltning och försvar; obligatorisk socialförsäkring",
    "85": "Utbildning",
    "86": "Hälso- och sjukvård",
    "87": "Vård och omsorg med boende",
    "88": "Öppna sociala insatser",
    "90": "Konstnärlig och kulturell verksamhet samt underhållning",
    "91": "Biblioteks-, arkiv- och museiverksamhet m.m.",
    "92": "Spel- och vadhållningsverksamhet",
    "93": "Sport-, fritids- och nöjesverksamhet",
    "94": "Intressebevakning; religiös verksamhet",
    "95": "Reparation av datorer, hushållsartiklar och personliga artiklar",
    "96": "Andra konsumenttjänster",
    "97": "Förvärvsarbete i hushåll",
    "98": "Hushållens produktion av diverse varor och tjänster för eget bruk",
    "99": "Verksamhet vid internationella organisationer, utländska ambassader o.d.",
}

SNI_CHOICES = [(code, f"{code} {label}") for code, label in SNI_DIVISIONS.items()]


class PlacementKind(models.TextChoices):
    STUDY_VISIT = "study_visit", _("Study visit")
    WORK_TRIAL = "work_trial", _("Work trial (praktik)")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    SUBSIDISED_EMPLOYMENT = "subsidised_employment", _("Subsidised employment")
    EMPLOYMENT = "employment", _("Employment")


# The phase of the pathway a placement counts as a step of.
PLACEMENT_PHASE: dict[str, str] = {
    PlacementKind.STUDY_VISIT: Phase.PREPARE,
    PlacementKind.WORK_TRIAL: Phase.TRAIN,
    PlacementKind.APPRENTICESHIP: Phase.TRAIN,
    PlacementKind.SUBSIDISED_EMPLOYMENT: Phase.SUPPORT,
    PlacementKind.EMPLOYMENT: Phase.SUPPORT,
}


class PlacementOutcome(models.TextChoices):
    # The values are those the pure results count (evidence_core.completion).
    OFFERED_EMPLOYMENT = completion.OFFERED, _("Offered employment")
    CONTINUED_OTHER_FORM = completion.CONTINUED, _("Continued in another form")
    ENDED_EARLY = completion.ENDED_EARLY, _("Ended early")
    ENDED_AS_PLANNED = completion.ENDED_AS_PLANNED, _("Ended as planned")


class ProviderKind(models.TextChoices):
    MUNICIPAL_ADULT_EDUCATION = "municipal_adult_education", _("Municipal adult education")
    FOLK_HIGH_SCHOOL = "folk_high_school", _("Folk high school")
    VOCATIONAL_COLLEGE = "vocational_college", _("Higher vocational education")
    STUDY_ASSOCIATION = "study_association", _("Study association")
    UPPER_SECONDARY = "upper_secondary", _("Upper-secondary school")
    UNIVERSITY = "university", _("University or university college")


class EducationStatus(models.TextChoices):
    # The values are those the pure completion rate counts (evidence_core.completion).
    ONGOING = completion.ONGOING, _("Ongoing")
    COMPLETED = completion.COMPLETED, _("Completed")
    INTERRUPTED = completion.INTERRUPTED, _("Interrupted")


# ISCED 2011 levels (the participant file uses the same 0-8 scale).
ISCED_CHOICES = [
    (0, _("0 – Early childhood education")),
    (1, _("1 – Primary education")),
    (2, _("2 – Lower secondary education")),
    (3, _("3 – Upper secondary education")),
    (4, _("4 – Post-secondary non-tertiary education")),
    (5, _("5 – Short-cycle tertiary education")),
    (6, _("6 – Bachelor's or equivalent")),
    (7, _("7 – Master's or equivalent")),
    (8, _("8 – Doctoral or equivalent")),
]


class CompletionGroup(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    METHOD = "method", _("Method")
    TEST_BED = "test_bed", _("Test bed")
    THEMATIC_AREA = "thematic_area", _("Thematic area")


class OutcomeGroup(models.TextChoices):
    KIND = "kind", _("Kind of placement")
    INDUSTRY = "industry", _("Employer industry")
    ORGANISATION = "organisation", _("Organisation")
    METHOD = "method", _("Method")
    TEST_BED = "test_bed", _("Test bed")
    THEMATIC_AREA = "thematic_area", _("Thematic area")


class IncomeSource(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment")
    GIG_ASSIGNMENT = "gig_assignment", _("Gig assignment")
    OWN_BUSINESS = "own_business", _("Own business")
    STUDY_ALLOWANCE = "study_allowance", _("Study allowance")
    BENEFITS = "benefits", _("Benefits")


class ProposalStatus(models.TextChoices):
    """The way of a proposal: proposed → meeting → offered → started, or declined on the way."""

    PROPOSED = "proposed", _("Proposed")
    MEETING = "meeting", _("Meeting")
    OFFERED = "offered", _("Offered")
    STARTED = "started", _("Started")
    DECLINED = "declined", _("Declined")


# The moves a proposal may make from each state (declined and started are final).
PROPOSAL_MOVES: dict[str, tuple[str, ...]] = {
    ProposalStatus.PROPOSED: (ProposalStatus.MEETING, ProposalStatus.DECLINED),
    ProposalStatus.MEETING: (ProposalStatus.OFFERED, ProposalStatus.DECLINED),
    ProposalStatus.OFFERED: (ProposalStatus.STARTED, ProposalStatus.DECLINED),
    ProposalStatus.STARTED: (),
    ProposalStatus.DECLINED: (),
}
