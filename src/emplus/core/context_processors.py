"""Context every page needs: the navigation of the modules that exist, and shell notices."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from emplus.core.reversing import fixed_address
from emplus.core.scoping import permissions_anywhere

# (URL name, label, permission). Only modules that are built appear here.
NAVIGATION = [
    ("home:home", _("Start"), None),
    ("organisations:list", _("Organisations"), "organisation.view"),
    ("geo:index", _("Geography"), "geo.view"),
    ("pathways:caseload", _("Participants"), "participant.view"),
    ("selfservice:time_overview", _("Attested time"), "time.view"),
    ("mapping:coverage", _("Activities and coverage"), "activity.view"),
    ("methods:list", _("Methods"), "method.view"),
    ("testbeds:list", _("Test beds"), "testbed.view"),
    ("worklife:employer_list", _("Employers"), "employer.view"),
    ("collaborations:list", _("Collaborations"), "collaboration.view"),
    ("worklife:opportunity_list", _("Opportunities"), "opportunity.view"),
    ("evidence:indicators", _("Evidence"), "evidence.view"),
    ("esf:list", _("ESF projects"), "esf.view"),
    ("calls:list", _("Funding calls"), "call.view"),
    ("plans:list", _("Action plans"), "plan.view"),
    ("skills:overview", _("Skills development"), "skills.view"),
    ("innovation:board", _("Innovation pipeline"), "innovation.view"),
]


NAVIGATION_PERMISSIONS = tuple(permission for _, _, permission in NAVIGATION if permission)


def shell(request):
    user = request.user
    items = []
    if user.is_authenticated:
        held = permissions_anywhere(user, NAVIGATION_PERMISSIONS)
        for name, label, permission in NAVIGATION:
            if permission is None or permission in held:
                url = fixed_address(name)
                current = request.path == url if url == "/" else request.path.startswith(url)
                items.append({"url": url, "label": label, "current": current})
    return {
        "navigation": items,
        "second_factor_relaxed": not settings.EMPLUS_REQUIRE_2FA,
        "show_admin_link": user.is_authenticated and user.is_staff,
    }
