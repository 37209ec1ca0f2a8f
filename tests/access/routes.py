"""Every route the matrix walks, taken from the URL configuration and the OpenAPI schema (never a
hand list), and how each path parameter is filled for a target.

Pages are named by their URL name ("pathways:detail"); API endpoints by method and schema path
("GET /api/participants/{id}/"). Routes of the `api` namespace are walked through the schema;
their `.json` format-suffix twins are the same views.

Targets: a route whose parameters name a personal record is walked with the record of unit A1,
A2 and B1 (targets a1, a2, b1); one whose parameters name an organisation's row (organisation,
unit, activity, ESF project, estimate, test bed) with that of organisation A and B (a, b); one
without parameters, or only with shared reference data (counties, methods), once ("-").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

PERSONAL_TARGETS = ("a1", "a2", "b1")
ORGANISATION_TARGETS = ("a", "b")
NO_TARGET = ("-",)

# Whole-namespace families of the URL configuration that the page walk leaves to other walks.
API_NAMESPACE = "api"
API_PAGES = {"api:schema", "api:docs", "api:api-root"}
FORMAT_SUFFIX = re.compile(r"\(\?P<format>|<drf_format_suffix:format>")


@dataclass(frozen=True)
class Route:
    key: str  # the row name in matrix.csv
    pattern: str  # the URL pattern, for messages
    params: tuple[str, ...]
    is_api: bool = False
    methods: tuple[str, ...] = ("GET",)  # API: the schema's methods of this path

    @property
    def targets(self) -> tuple[str, ...]:
        return targets_for(self)


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, p


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _params(pattern: str) -> tuple[str, ...]:
    return tuple(a or b for a, b in _PARAM.findall(pattern))


@cache
def page_routes() -> tuple[Route, ...]:
    routes = {}
    for pattern, name, _p in _walk(get_resolver().url_patterns):
        if FORMAT_SUFFIX.search(pattern):
            continue
        if name and name.split(":")[0] == API_NAMESPACE and name not in API_PAGES:
            continue
        key = name or "/" + pattern  # a few admin redirects have no name
        routes.setdefault(key, Route(key=key, pattern="/" + pattern, params=_params(pattern)))
    return tuple(routes.values())


@cache
def api_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def api_routes() -> tuple[Route, ...]:
    routes = []
    for path, operations in api_schema()["paths"].items():
        methods = tuple(m.upper() for m in operations if m != "parameters")
        for method in methods:
            routes.append(
                Route(
                    key=f"{method} {path}",
                    pattern=path,
                    params=tuple(re.findall(r"{(\w+)}", path)),
                    is_api=True,
                    methods=(method,),
                )
            )
    return tuple(routes)


def all_routes() -> tuple[Route, ...]:
    return page_routes() + api_routes()


# --- filling path parameters -------------------------------------------------------------------

# Route families (by URL name prefix or API resource) whose "pk"/"id" names a personal record.
_PERSONAL_PAGE_PREFIXES = ("pathways:", "selfservice:")
_API_PERSONAL = {
    "participants": "participant",
    "enrolments": "enrolment",
    "events": "event",
    "assessments": "assessment",
    "selfservice-links": "link",
    "monthly-times": "monthly_time",
    "time-attestations": "attestation",
    "placements": "placement",
    "education-enrolments": "education",
    "gig-assignments": "gig",
    "income-records": "income",
    "proposals": "proposal",
}
_API_ORGANISATION = {
    "organisations": "organisation",
    "units": "unit",
    "activities": "activity",
    "esf-projects": "project",
    "esf-report-files": "report_file",
    "test-beds": "test_bed",
    "calls": "call",
    "consortia": "consortium",
    "employers": "employer",
    "opportunities": "opportunity",
    "effect-estimates": "estimate",
    "skill-needs": "skill_need",
    "courses": "course",
    "course-registrations": "registration",
    "action-plans": "plan",
    "collaborations": "collaboration",
    "ideas": "idea",
}
_PAGE_PK = {
    "organisations:detail": "organisation",
    "organisations:unit": "unit",
    "mapping:activity": "activity",
    "mapping:activity_edit": "activity",
    "mapping:organisation_role": "organisation",
    "evidence:effect": "estimate",
    "calls:detail": "call",
    "calls:edit": "call",
    "skills:course_detail": "course",
    "skills:course_edit": "course",
    "skills:occasion_add": "course",
    "skills:registration_add": "occasion",
    "skills:registration_complete": "registration",
    "skills:need_delete": "skill_need",
    "skills:profile": "staff",
    "calls:suggestions": "call",
    "calls:consortium_create": "call",
    "calls:consortium": "consortium",
    "calls:partner_add": "consortium",
    "calls:annex": "consortium",
    "collaborations:detail": "collaboration",
    "collaborations:edit": "collaboration",
    "collaborations:close": "collaboration",
    "collaborations:document_add": "collaboration",
    "collaborations:document": "document",
    "collaborations:document_remove": "document",
    "innovation:idea": "idea",
    "innovation:idea_move": "idea",
    "innovation:adoption_add": "idea",
    "innovation:strategy": "organisation",
    "innovation:goal_add": "organisation",
}
# Working life: the personal record a page's "pk" names (the participant unless listed), and the
# employer pages, walked with organisation A's and B's employer.
_WORKLIFE_PERSONAL = {
    "worklife:participant_placements": "participant",
    "worklife:placement_new": "participant",
    "worklife:education_new": "participant",
    "worklife:income_add": "participant",
    "worklife:gig_new": "participant",
    "worklife:placement_edit": "placement",
    "worklife:education_edit": "education",
    "worklife:income_delete": "income",
    "worklife:work_profile_edit": "participant",
    "worklife:proposal_detail": "proposal",
}
_WORKLIFE_EMPLOYER = (
    "worklife:employer_detail",
    "worklife:employer_edit",
    "worklife:employer_contact_add",
    "worklife:employer_contact_remove",
    "worklife:opportunity_detail",
    "worklife:opportunity_edit",
    "worklife:opportunity_matches",
    "worklife:proposal_new",
)
_FIXED_CODES = {
    "help:section": "caseload",
    "geo:county": "25",
    "geo:municipality": "2480",
    "GET /api/counties/{code}/": "25",
    "GET /api/municipalities/{code}/": "2480",
}


def _api_resource(route: Route) -> str:
    return route.pattern.split("/")[2]


def targets_for(route: Route) -> tuple[str, ...]:
    if not route.params:
        return NO_TARGET
    if route.key.startswith("admin:") or route.pattern.startswith("/admin/"):
        return NO_TARGET
    if route.is_api:
        resource = _api_resource(route)
        if resource in _API_PERSONAL:
            return PERSONAL_TARGETS
        if resource in _API_ORGANISATION:
            return ORGANISATION_TARGETS
        return NO_TARGET
    if route.key.startswith(_PERSONAL_PAGE_PREFIXES) and any(
        p in route.params for p in ("pk", "link_pk")
    ):
        return PERSONAL_TARGETS
    if route.key in _WORKLIFE_PERSONAL:
        return PERSONAL_TARGETS
    if route.key.startswith(("esf:", "testbeds:", "calls:partner_")) or route.key in _PAGE_PK:
        return ORGANISATION_TARGETS
    if route.key in _WORKLIFE_EMPLOYER or route.key.startswith("plans:"):
        return ORGANISATION_TARGETS
    return NO_TARGET


class UnknownParameter(LookupError):
    pass


def _value(route: Route, param: str, target: str, scenario) -> str:
    t = scenario.targets.get(target)
    key = route.key
    if key in _FIXED_CODES:
        return _FIXED_CODES[key]
    if route.is_api:
        resource = _api_resource(route)
        if param == "month":
            return "2025-01"
        if param in ("id", "code"):
            if resource in _API_PERSONAL:
                return str(getattr(t, _API_PERSONAL[resource]).pk)
            if resource in _API_ORGANISATION:
                obj = getattr(t, _API_ORGANISATION[resource])
                return obj.code if param == "code" else str(obj.pk)
            if resource == "methods":
                return scenario.method.code
            if resource == "thematic-areas":
                return scenario.area.code
            if resource == "skill-areas":
                return "MI"
        raise UnknownParameter(param)
    if key.startswith(_PERSONAL_PAGE_PREFIXES):
        values = {
            "pk": lambda: t.participant.pk,
            "enrolment_pk": lambda: (
                (t.exited_enrolment if key == "pathways:followup" else t.enrolment).pk
            ),
            "consent_pk": lambda: t.consent.pk,
            "link_pk": lambda: t.link.pk,
            "month": lambda: "2025-01",
        }
        if param in values:
            return str(values[param]())
    if key.startswith("esf:"):
        values = {
            "pk": lambda: t.project.pk,
            "file_pk": lambda: t.report_file.pk,
            "month": lambda: "2025-01",
        }
        return str(values[param]())
    if key in _WORKLIFE_PERSONAL and param == "pk":
        return str(getattr(t, _WORKLIFE_PERSONAL[key]).pk)
    if key in _WORKLIFE_EMPLOYER:
        if key.startswith(("worklife:opportunity", "worklife:proposal_new")):
            return str(t.opportunity.pk)
        return str({"pk": t.employer, "contact_pk": t.contact}[param].pk)
    if key.startswith("plans:"):
        return str({"pk": t.plan, "goal_pk": t.goal, "action_pk": t.plan_action}[param].pk)
    if key.startswith("testbeds:") and param == "code":
        return t.test_bed.code
    if key in _PAGE_PK and param == "pk":
        return str(getattr(t, _PAGE_PK[key]).pk)
    if key in ("calls:partner_edit", "calls:partner_remove"):
        return str({"pk": t.consortium, "partner_pk": t.consortium_partner}[param].pk)
    if key == "calls:annex" and param == "file_format":
        return "pdf"
    if key in ("methods:detail", "methods:edit"):
        return scenario.method.code
    if key in ("methods:thematic_area", "methods:thematic_area_edit"):
        return scenario.area.code
    if key == "skills:area_edit":
        return "MI"
    if key == "innovation:idea_move" and param == "stage":
        return "designed"
    if key == "accounts:api_token_revoke":
        return scenario.token_id  # the coordinator's own token
    if key == "accounts:password_reset_confirm":
        return {"uidb64": "bm9ib2R5", "token": "set-password"}[param]  # an invalid link
    if key == "selfservice_public:link":
        return "not-a-valid-token"
    if key.startswith("admin:") or route.pattern.startswith("/admin/"):
        return _admin_value(route, param, scenario)
    raise UnknownParameter(param)


def _admin_value(route: Route, param: str, scenario) -> str:
    """Django admin: the object of the route's model that belongs to organisation B (or any)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    if param == "app_label":
        return "organisations"
    if param == "content_type_id":
        return str(ContentType.objects.get_for_model(apps.get_model("pathways", "Participant")).pk)
    match = re.match(r"/admin/(\w+)/(\w+)/", route.pattern)
    if param in ("object_id", "pk", "id") and match:
        model = apps.get_model(match.group(1), match.group(2))
        obj = scenario.admin_object(model)
        return str(obj.pk) if obj is not None else "1"
    if param == "object_id":
        return str(scenario.targets["b1"].participant.pk)
    if param == "url":
        return "missing/"
    raise UnknownParameter(param)


def url_of(route: Route, target: str, scenario) -> str:
    """The address of `route` with its path parameters filled for `target`."""
    values = {p: _value(route, p, target, scenario) for p in route.params}
    if route.is_api:
        return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route.pattern)
    path = route.pattern
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return path.replace("^", "").replace("$", "")
