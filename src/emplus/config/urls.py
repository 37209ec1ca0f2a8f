from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

# Unmatched addresses under /api/ answer in JSON (emplus.api.views.not_found).
handler404 = "emplus.api.views.not_found"

urlpatterns = [
    path("", include("emplus.home.urls")),
    path("", include("emplus.core.urls")),
    path("accounts/", include("emplus.accounts.urls")),
    path("organisations/", include("emplus.organisations.urls")),
    path("geo/", include("emplus.geo.urls")),
    path("participants/", include("emplus.pathways.urls")),
    path("mapping/", include("emplus.mapping.urls")),
    path("methods/", include("emplus.methods.urls")),
    path("testbeds/", include("emplus.testbeds.urls")),
    path("evidence/", include("emplus.evidence.urls")),
    path("esf/", include("emplus.esf.urls")),
    path("worklife/", include("emplus.worklife.urls")),
    path("calls/", include("emplus.calls.urls")),
    path("plans/", include("emplus.plans.urls")),
    path("collaborations/", include("emplus.collaborations.urls")),
    path("selfservice/", include("emplus.selfservice.urls")),
    path("help/", include("emplus.help.urls")),
    path("skills/", include("emplus.skills.urls")),
    path("innovation/", include("emplus.innovation.urls")),
    # The participant's one-time links: a short public address for QR codes.
    path("s/", include("emplus.selfservice.urls_public")),
    path("api/", include("emplus.api.urls")),
    # The language switch works before log-in too (the log-in page has it).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
