from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from emplus.api.views import me
from emplus.calls.api import CallViewSet, ConsortiumViewSet
from emplus.collaborations.api import CollaborationViewSet
from emplus.esf.api import ESFProjectViewSet, ReportFileViewSet
from emplus.evidence.api import EffectEstimateViewSet, IndicatorsView
from emplus.geo.api import CountyViewSet, MunicipalityViewSet
from emplus.innovation.api import IdeaViewSet
from emplus.mapping.api import ActivityViewSet
from emplus.methods.api import MethodViewSet, ThematicAreaViewSet
from emplus.organisations.api import OrganisationViewSet, UnitViewSet
from emplus.pathways.api import (
    AssessmentViewSet,
    EnrolmentViewSet,
    EventViewSet,
    ParticipantViewSet,
    PseudonymisedParticipantViewSet,
)
from emplus.plans.api import ActionPlanViewSet
from emplus.selfservice.api import (
    MonthlyTimeViewSet,
    OfflineEntryView,
    SelfServiceLinkViewSet,
    TimeAttestationViewSet,
)
from emplus.skills.api import (
    CourseViewSet,
    RegistrationViewSet,
    SkillAreaViewSet,
    SkillNeedViewSet,
)
from emplus.testbeds.api import TestBedViewSet
from emplus.worklife.api import (
    EducationEnrolmentViewSet,
    EmployerViewSet,
    GigAssignmentViewSet,
    IncomeRecordViewSet,
    IncomeStabilityView,
    OpportunityViewSet,
    PlacementViewSet,
    ProposalViewSet,
)


class _APIRootView(DefaultRouter.APIRootView):
    @classmethod
    def as_view(cls, *args, **kwargs):
        view = login_not_required(super().as_view(*args, **kwargs))
        view.emplus_permission = "authenticated"
        return view


class Router(DefaultRouter):
    APIRootView = _APIRootView


router = Router()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("units", UnitViewSet, basename="unit")
router.register("counties", CountyViewSet, basename="county")
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("activities", ActivityViewSet, basename="activity")
router.register("methods", MethodViewSet, basename="method")
router.register("thematic-areas", ThematicAreaViewSet, basename="thematic-area")
router.register("test-beds", TestBedViewSet, basename="test-bed")
router.register("calls", CallViewSet, basename="call")
router.register("consortia", ConsortiumViewSet, basename="consortium")
router.register("participants", ParticipantViewSet, basename="participant")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("events", EventViewSet, basename="event")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("effect-estimates", EffectEstimateViewSet, basename="effect-estimate")
router.register("collaborations", CollaborationViewSet, basename="collaboration")
router.register("esf-projects", ESFProjectViewSet, basename="esf-project")
router.register("esf-report-files", ReportFileViewSet, basename="esf-report-file")
router.register(
    "pseudonymised/participants",
    PseudonymisedParticipantViewSet,
    basename="pseudonymised-participant",
)
router.register("selfservice-links", SelfServiceLinkViewSet, basename="selfservice-link")
router.register("monthly-times", MonthlyTimeViewSet, basename="monthly-time")
router.register("time-attestations", TimeAttestationViewSet, basename="time-attestation")
router.register("employers", EmployerViewSet, basename="employer")
router.register("placements", PlacementViewSet, basename="placement")
router.register("education-enrolments", EducationEnrolmentViewSet, basename="education-enrolment")
router.register("skill-areas", SkillAreaViewSet, basename="skill-area")
router.register("skill-needs", SkillNeedViewSet, basename="skill-need")
router.register("courses", CourseViewSet, basename="course")
router.register("course-registrations", RegistrationViewSet, basename="course-registration")
router.register("action-plans", ActionPlanViewSet, basename="action-plan")
router.register("gig-assignments", GigAssignmentViewSet, basename="gig-assignment")
router.register("income-records", IncomeRecordViewSet, basename="income-record")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("ideas", IdeaViewSet, basename="idea")

# The schema and its documentation describe the API, not its data: readable without log-in.
schema_view = login_not_required(SpectacularAPIView.as_view())
schema_view.emplus_permission = "public"
docs_view = login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
docs_view.emplus_permission = "public"

app_name = "api"
urlpatterns = [
    path("me/", me, name="me"),
    path("indicators/", IndicatorsView.as_view(), name="indicators"),
    path("income-stability/", IncomeStabilityView.as_view(), name="income-stability"),
    path("offline-entries/", OfflineEntryView.as_view(), name="offline-entries"),
    path("schema/", schema_view, name="schema"),
    path("docs/", docs_view, name="docs"),
    path("", include(router.urls)),
]
