"""The help sections and the pages each one explains: the one list the guide and its test read.

A PAGE is every named route of the URL configuration outside the `api` and `admin` namespaces,
except the routes in NOT_PAGES. Every page belongs to exactly one section; a section's text is
two templates, templates/help/sections/<slug>.sv.html and <slug>.en.html (see docs/help.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emplus.core.roles import Role

EVERYONE = "everyone"
ROLE_ORDER: tuple[str, ...] = (
    Role.COACH,
    Role.COORDINATOR,
    Role.ANALYST,
    Role.ADMIN,
    EVERYONE,
)


@dataclass(frozen=True)
class Shot:
    """How the browser test takes a section's screenshot from the demo: log in as `user` (no
    one: before log-in), open `path`, and, for a page about one record, click in turn the first
    link matching each selector of `follow`."""

    user: str
    path: str
    follow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    roles: tuple[str, ...]  # whose index lists it: Role values, or EVERYONE
    pages: tuple[str, ...]  # URL names, namespaced ("pathways:detail")
    shot: Shot | None = None  # None: no screenshot (a page without content worth a picture)
    public: bool = False  # readable before log-in (the log-in page's help)
    related: tuple[str, ...] = field(default=())  # slugs of sections worth reading next


class NotPage(StrEnum):
    """Why a named route has no help section."""

    POST = "takes only POST (a button of another page) or only redirects"
    FILE = "answers with a file to download (CSV, XLSX, JSON)"
    MACHINE = "read by programs, not people"


# Routes that are not pages a person reads; everything else needs a section.
NOT_PAGES: dict[str, NotPage] = {
    "core:healthz": NotPage.MACHINE,
    "set_language": NotPage.POST,
    "accounts:logout": NotPage.POST,
    "accounts:api_token_revoke": NotPage.POST,
    "pathways:consent_withdraw": NotPage.POST,
    "pathways:share_request": NotPage.POST,
    "pathways:import_confirm": NotPage.POST,
    "pathways:export": NotPage.FILE,
    "pathways:import_errors": NotPage.FILE,
    "pathways:rights:export_json": NotPage.FILE,
    "pathways:rights:erase": NotPage.POST,
    "testbeds:learning_log_add": NotPage.POST,
    "testbeds:goal_add": NotPage.POST,
    "calls:consortium_create": NotPage.POST,
    "calls:partner_add": NotPage.POST,
    "calls:partner_remove": NotPage.POST,
    "calls:annex": NotPage.FILE,
    "calls:export": NotPage.FILE,
    "plans:export": NotPage.FILE,
    "plans:goal_delete": NotPage.POST,
    "plans:action_status": NotPage.POST,
    "esf:template_upload": NotPage.POST,
    "esf:generate": NotPage.POST,
    "esf:download": NotPage.FILE,
    "esf:mark_sent": NotPage.POST,
    "worklife:employer_contact_add": NotPage.POST,
    "worklife:employer_contact_remove": NotPage.POST,
    "worklife:income_add": NotPage.POST,
    "worklife:income_delete": NotPage.POST,
    "worklife:export_employers": NotPage.FILE,
    "worklife:export_placements": NotPage.FILE,
    "worklife:export_education": NotPage.FILE,
    "worklife:export_gig_assignments": NotPage.FILE,
    "worklife:export_income": NotPage.FILE,
    "worklife:export_stability": NotPage.FILE,
    "collaborations:export": NotPage.FILE,
    "collaborations:close": NotPage.POST,
    "collaborations:document_add": NotPage.POST,
    "collaborations:document": NotPage.FILE,
    "collaborations:document_remove": NotPage.POST,
    "worklife:proposal_new": NotPage.POST,
    "worklife:opportunity_export": NotPage.FILE,
    "worklife:proposal_export": NotPage.FILE,
    "selfservice:link_revoke": NotPage.POST,
    "selfservice:time_export": NotPage.FILE,
    "selfservice:month_hours": NotPage.POST,
    "selfservice:month_paper": NotPage.POST,
    "selfservice:month_link": NotPage.POST,
    "skills:need_delete": NotPage.POST,
    "skills:need_export": NotPage.FILE,
    "skills:course_export": NotPage.FILE,
    "skills:occasion_add": NotPage.POST,
    "skills:registration_add": NotPage.POST,
    "skills:registration_complete": NotPage.POST,
    "skills:registration_export": NotPage.FILE,
    "innovation:export": NotPage.FILE,
    "innovation:idea_move": NotPage.POST,
    "innovation:adoption_add": NotPage.POST,
    "innovation:goal_add": NotPage.POST,
}

COACH = (Role.COACH, Role.COORDINATOR)
ALL = (EVERYONE,)
PARTICIPANT = "table a[href^='/participants/']"  # the first participant of a caseload
ACTIVE = "/participants/?status=active"  # participants with an open enrolment


def _on_participant(link_text: str) -> tuple[str, ...]:
    """Open the first active participant, then their page's link `link_text` (Swedish)."""
    return (PARTICIPANT, f"main a:has-text('{link_text}')")


SECTIONS: tuple[Section, ...] = (
    # --- everyone -----------------------------------------------------------------------------
    Section(
        "login",
        _("Logging in"),
        ALL,
        (
            "accounts:login",
            "accounts:password_reset_confirm",
            "accounts:password_reset_complete",
        ),
        Shot("", "/accounts/login/"),
        public=True,
    ),
    Section(
        "account",
        _("Your account: password, second factor, API tokens"),
        ALL,
        (
            "accounts:password_change",
            "accounts:password_change_done",
            "accounts:two_factor",
            "accounts:two_factor_replace",
            "accounts:api_tokens",
        ),
        Shot("coach.abf", "/accounts/tokens/"),
    ),
    Section("start", _("The start page"), ALL, ("home:home",), Shot("coach.abf", "/")),
    Section(
        "help",
        _("Using this guide"),
        ALL,
        ("help:index", "help:section", "help:login"),
        Shot("coach.abf", "/help/"),
    ),
    Section(
        "organisations",
        _("Organisations and units"),
        ALL,
        ("organisations:list", "organisations:detail", "organisations:unit"),
        Shot("coordinator.abf", "/organisations/"),
    ),
    Section(
        "geography",
        _("Counties and municipalities"),
        ALL,
        ("geo:index", "geo:county", "geo:municipality_list", "geo:municipality"),
        Shot("analyst.abf", "/geo/"),
    ),
    Section(
        "administration",
        _("Administration: users, roles, audit log"),
        (Role.ADMIN,),
        (),  # the Django admin's pages: outside the page rule (decision 0029)
        Shot("admin", "/admin/"),
        related=("account", "organisations"),
    ),
    # --- coach and coordinator: the pathway ----------------------------------------------------
    Section(
        "caseload",
        _("The caseload"),
        COACH,
        ("pathways:caseload",),
        Shot("coach.abf", "/participants/"),
        related=("register", "participant"),
    ),
    Section(
        "register",
        _("Registering a participant with consent"),
        COACH,
        ("pathways:register", "pathways:consent_new"),
        Shot("coach.abf", "/participants/new/"),
        related=("participant", "pathway"),
    ),
    Section(
        "participant",
        _("A participant's page"),
        COACH,
        ("pathways:detail", "pathways:edit"),
        Shot("coach.abf", ACTIVE, follow=(PARTICIPANT,)),
        related=("pathway", "assessment", "exit"),
    ),
    Section(
        "pathway",
        _("Recording the pathway: enrolment, steps, events, goals"),
        COACH,
        (
            "pathways:enrolment_new",
            "pathways:step_new",
            "pathways:event_new",
            "pathways:goal_new",
            "pathways:enrolment_dates",
        ),
        Shot("coach.abf", ACTIVE, follow=_on_participant("Registrera ett steg")),
        related=("assessment", "exit"),
    ),
    Section(
        "assessment",
        _("Running a self-assessment"),
        COACH,
        ("pathways:assessment_new",),
        Shot("coach.abf", ACTIVE, follow=_on_participant("Registrera en självskattning")),
        related=("pathway", "progression"),
    ),
    Section(
        "exit",
        _("Recording exit and follow-up"),
        COACH,
        ("pathways:exit", "pathways:followup"),
        Shot("coach.abf", ACTIVE, follow=_on_participant("Registrera avslut")),
        related=("participant", "indicators"),
    ),
    Section(
        "import",
        _("Importing a file and reading its errors"),
        COACH,
        ("pathways:import",),
        Shot("coordinator.abf", "/participants/import/"),
        related=("caseload",),
    ),
    Section(
        "rights",
        _("A person's rights: access, portability, erasure"),
        (Role.COORDINATOR,),
        ("pathways:rights:index", "pathways:rights:participant", "pathways:rights:export_page"),
        Shot("coordinator.abf", "/participants/rights/"),
    ),
    # --- coach and coordinator: working life and self-service ---------------------------------
    Section(
        "employers",
        _("Employers and contacts"),
        ALL,
        (
            "worklife:employer_list",
            "worklife:employer_new",
            "worklife:employer_detail",
            "worklife:employer_edit",
        ),
        Shot("coach.abf", "/worklife/employers/"),
        related=("placements",),
    ),
    Section(
        "placements",
        _("Placements and education"),
        COACH,
        (
            "worklife:participant_placements",
            "worklife:placement_new",
            "worklife:placement_edit",
            "worklife:education_new",
            "worklife:education_edit",
            "worklife:completion",
            "worklife:placement_outcomes",
        ),
        Shot("coordinator.abf", "/worklife/education/completion/"),
        related=("employers", "income"),
    ),
    Section(
        "opportunities",
        _("Opportunities, matching and proposals"),
        ALL,
        (
            "worklife:opportunity_list",
            "worklife:opportunity_new",
            "worklife:opportunity_detail",
            "worklife:opportunity_edit",
            "worklife:opportunity_matches",
            "worklife:proposal_detail",
            "worklife:work_profile_edit",
        ),
        Shot("coach.abf", "/worklife/opportunities/"),
        related=("employers", "placements"),
    ),
    Section(
        "income",
        _("Income, gig assignments and income stability"),
        COACH,
        ("worklife:income_stability", "worklife:income_import", "worklife:gig_new"),
        Shot("coordinator.abf", "/worklife/income/stability/"),
        related=("placements",),
    ),
    Section(
        "selfservice",
        _("Self-service links for participants"),
        COACH,
        ("selfservice:participant_links", "selfservice:link_detail", "selfservice_public:link"),
        Shot(
            "coach.abf", ACTIVE, follow=_on_participant("Länk för deltagarens egen självskattning")
        ),
        related=("time",),
    ),
    Section(
        "time",
        _("Time reporting and attestation"),
        COACH,
        (
            "selfservice:time_overview",
            "selfservice:participant_time",
            "selfservice:month",
        ),
        Shot("coordinator.abf", "/selfservice/time/"),
        related=("selfservice", "esf"),
    ),
    Section(
        "offline",
        _("Working offline"),
        COACH,
        (
            "selfservice:outbox",
            "selfservice:shell_assessment",
            "selfservice:shell_event",
            "selfservice:shell_time",
        ),
        Shot("coach.abf", "/selfservice/offline/"),
    ),
    # --- coordinator: reporting ---------------------------------------------------------------
    Section(
        "esf",
        _("The ESF+ monthly report"),
        (Role.COORDINATOR,),
        (
            "esf:list",
            "esf:create",
            "esf:detail",
            "esf:edit",
            "esf:participants",
            "esf:template",
            "esf:month",
        ),
        Shot("coordinator.abf", "/esf/"),
        related=("time", "indicators"),
    ),
    # --- analyst and coordinator: results ------------------------------------------------------
    Section(
        "indicators",
        _("ESF+ indicators and suppression"),
        (Role.ANALYST, Role.COORDINATOR, Role.ADMIN),
        ("evidence:indicators",),
        Shot("analyst.abf", "/evidence/indicators/"),
        related=("progression", "effects"),
    ),
    Section(
        "progression",
        _("Progression on the self-assessment"),
        (Role.ANALYST, Role.COORDINATOR, Role.ADMIN),
        ("evidence:progression",),
        Shot("analyst.abf", "/evidence/progression/"),
        related=("indicators",),
    ),
    Section(
        "effects",
        _("Ordering an effect estimate and reading its balance table"),
        (Role.ANALYST, Role.COORDINATOR, Role.ADMIN),
        ("evidence:effects", "evidence:effect"),
        Shot("analyst.abf", "/evidence/effects/"),
        related=("indicators",),
    ),
    # --- collaborations -----------------------------------------------------------------------
    Section(
        "collaborations",
        _("The collaboration register"),
        ALL,
        (
            "collaborations:list",
            "collaborations:new",
            "collaborations:detail",
            "collaborations:edit",
        ),
        Shot("coordinator.abf", "/collaborations/"),
        related=("network",),
    ),
    Section(
        "network",
        _("Who collaborates with whom: the network"),
        ALL,
        ("collaborations:network",),
        Shot("coordinator.abf", "/collaborations/network/"),
        related=("collaborations", "coverage"),
    ),
    # --- mapping, methods, test beds ------------------------------------------------------------
    Section(
        "coverage",
        _("The coverage map and white spots"),
        ALL,
        ("mapping:coverage", "mapping:white_spots"),
        Shot("coordinator.abf", "/mapping/"),
        related=("activities",),
    ),
    Section(
        "activities",
        _("Keeping activities"),
        ALL,
        (
            "mapping:activity_list",
            "mapping:activity_create",
            "mapping:activity",
            "mapping:activity_edit",
            "mapping:search",
            "mapping:organisation_roles",
            "mapping:organisation_role",
        ),
        Shot("coordinator.abf", "/mapping/activities/"),
        related=("coverage",),
    ),
    Section(
        "methods",
        _("The methods library"),
        ALL,
        (
            "methods:list",
            "methods:thematic_area_list",
            "methods:thematic_area",
            "methods:detail",
            "methods:create",
            "methods:edit",
            "methods:thematic_area_edit",
        ),
        Shot("coach.abf", "/methods/"),
    ),
    Section(
        "testbeds",
        _("Regional test beds"),
        ALL,
        ("testbeds:list", "testbeds:detail", "testbeds:create", "testbeds:edit"),
        Shot("coordinator.abf", "/testbeds/"),
    ),
    # --- funding calls and consortia --------------------------------------------------------------
    Section(
        "calls",
        _("Funding calls"),
        ALL,
        ("calls:list", "calls:detail", "calls:create", "calls:edit"),
        Shot("coordinator.abf", "/calls/"),
        related=("consortia",),
    ),
    Section(
        "consortia",
        _("The consortium builder"),
        (Role.COORDINATOR, Role.ADMIN),
        ("calls:suggestions", "calls:consortium", "calls:partner_edit"),
        # the demo's consortium in progress: its call, the suggestions, then the draft
        Shot(
            "coordinator.abf",
            "/calls/",
            follow=(
                "main a:has-text('Vägar in i arbete')",
                "#suggested-partners",
                "main a[href*='/calls/consortia/']",
            ),
        ),
        related=("calls",),
    ),
    # --- skills development -----------------------------------------------------------------------
    Section(
        "skills",
        _("Skills needs and training gaps"),
        ALL,
        (
            "skills:overview",
            "skills:gap",
            "skills:need_list",
            "skills:need_new",
            "skills:areas",
            "skills:area_new",
            "skills:area_edit",
        ),
        Shot("coordinator.abf", "/skills/"),
        related=("courses",),
    ),
    Section(
        "courses",
        _("Courses, registrations and competence profiles"),
        ALL,
        (
            "skills:course_list",
            "skills:course_new",
            "skills:course_detail",
            "skills:course_edit",
            "skills:registration_list",
            "skills:my_profile",
            "skills:profile",
        ),
        Shot("coordinator.abf", "/skills/courses/"),
        related=("skills",),
    ),
    Section(
        "action-plans",
        _("Action plans with goals on live indicators"),
        ALL,
        (
            "plans:list",
            "plans:new",
            "plans:detail",
            "plans:edit",
            "plans:print",
            "plans:goal_new",
            "plans:goal_edit",
            "plans:action_new",
            "plans:value_new",
        ),
        Shot("coordinator.abf", "/plans/"),
        related=("testbeds", "indicators"),
    ),
    # --- innovation -------------------------------------------------------------------------------
    Section(
        "innovation",
        _("The innovation pipeline"),
        ALL,
        (
            "innovation:board",
            "innovation:list",
            "innovation:idea_new",
            "innovation:idea",
            "innovation:strategy",
        ),
        Shot("coordinator.abf", "/innovation/"),
    ),
)

SECTION_BY_SLUG: dict[str, Section] = {s.slug: s for s in SECTIONS}
SECTION_OF_PAGE: dict[str, Section] = {page: s for s in SECTIONS for page in s.pages}
LANGUAGES: tuple[str, ...] = ("sv", "en")


def section_of(url_name: str | None) -> Section | None:
    """The section that explains the page named `url_name`, if any."""
    return SECTION_OF_PAGE.get(url_name or "")


def template_of(section: Section, language: str) -> str:
    """The template holding a section's text in `language` (Swedish unless English)."""
    language = "en" if language.startswith("en") else "sv"
    return f"help/sections/{section.slug}.{language}.html"


def sections_for(role: str) -> list[Section]:
    """The sections listed under a role (or under EVERYONE) in the index, in guide order."""
    return [s for s in SECTIONS if role in s.roles]
