"""Pages of skills development: needs and gaps (map and table), the course catalogue,
registrations and competence profiles."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.downloads import download_format
from emplus.core.forms import service_call
from emplus.core.permissions import has_permission, permission_required
from emplus.skills import charts, exports, selectors, services
from emplus.skills.choices import CourseFormat, CourseLanguage
from emplus.skills.forms import (
    CompletionForm,
    CourseForm,
    OccasionForm,
    RegistrationForm,
    SkillAreaForm,
    SkillNeedForm,
)
from emplus.skills.services import COURSE_FIELDS

PER_PAGE = 25


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# --- needs and gaps ------------------------------------------------------------------------------


def _chosen_area(request):
    return selectors.skill_area_find(code=request.GET.get("area", "")[:32])


@permission_required("skills.view")
def overview(request):
    """Needs by county (map and table) and by skill area, across the partnership."""
    area = _chosen_area(request)
    counties = list(selectors.county_options())
    needed = selectors.need_by_county(viewer=request.user, skill_area=area)
    names = {c.code: c.name for c in counties}
    return render(
        request,
        "skills/overview.html",
        {
            "area": area,
            "areas": selectors.skill_area_list(),
            "county_rows": [(c, needed.get(c.code, 0)) for c in counties],
            "total": sum(needed.values()),
            "area_rows": selectors.need_by_area(viewer=request.user),
            "map": charts.county_map(
                names=names, values={code: needed.get(code, 0) for code in names}
            ),
            "can_record": has_permission(request.user, "skills.change"),
        },
    )


@permission_required("skills.view")
def gap(request):
    """Needs against completed training by county, for one skill area or all."""
    area = _chosen_area(request)
    counties = list(selectors.county_options())
    rows = selectors.gap_by_county(viewer=request.user, counties=counties, skill_area=area)
    return render(
        request,
        "skills/gap.html",
        {
            "area": area,
            "areas": selectors.skill_area_list(),
            "rows": rows,
            "threshold": selectors.SUPPRESSION_THRESHOLD,
            "map": charts.county_map(
                names={r.code: r.name for r in rows}, values={r.code: r.gap for r in rows}
            ),
        },
    )


@permission_required("skills.view")
def need_list(request):
    """The needs of the viewer's own organisations (others' only as aggregates)."""
    return render(
        request,
        "skills/need_list.html",
        {
            "page": _page(request, selectors.skill_need_list(viewer=request.user)),
            "can_record": has_permission(request.user, "skills.change"),
        },
    )


def _need_form(request, data=None):
    return SkillNeedForm(
        data,
        organisations=selectors.need_organisations(viewer=request.user),
        skill_areas=selectors.skill_area_list(),
        counties=selectors.county_options(),
    )


@permission_required("skills.change")
def need_new(request):
    form = _need_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service_call(
            form,
            lambda: services.skill_need_record(
                actor=request.user,
                organisation=data["organisation"],
                skill_area=data["skill_area"],
                county=data["county"],
                staff_kind=data["staff_kind"],
                people=data["people"],
                urgency=data["urgency"],
                note=data["note"],
            ),
        ):
            messages.success(request, _("The need is recorded."))
            return redirect("skills:need_list")
    return render(request, "skills/need_form.html", {"form": form}, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@require_POST
@permission_required("skills.change")
def need_delete(request, pk):
    need = selectors.skill_need_get(viewer=request.user, pk=pk)
    services.skill_need_delete(actor=request.user, need=need)
    messages.success(request, _("The need is removed."))
    return redirect("skills:need_list")


def _file_format(request) -> str | None:
    return download_format(request.GET.get("format"))


def _download(request, table: exports.Table, name: str) -> HttpResponse:
    file_format = _file_format(request)
    if file_format is None:
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    return exports.response(table, name=name, file_format=file_format)


@permission_required("skills.view")
def need_export(request):
    return _download(
        request, exports.needs(selectors.skill_need_list(viewer=request.user)), "skills-needs"
    )


# --- taxonomy ------------------------------------------------------------------------------------


@permission_required("skills.view")
def area_list(request):
    return render(
        request,
        "skills/area_list.html",
        {
            "areas": selectors.skill_area_list(),
            "can_edit": has_permission(request.user, "skills.taxonomy"),
        },
    )


def _area_form(data=None, initial=None):
    return SkillAreaForm(
        data,
        initial=initial,
        thematic_areas=selectors.thematic_area_options(),
        methods=selectors.method_options(),
    )


def _area_save(request, area):
    form = _area_form(
        request.POST if request.method == "POST" else None,
        initial=None
        if area is None
        else {
            "code": area.code,
            "name_sv": area.name_sv,
            "name_en": area.name_en,
            "description": area.description,
            "order": area.order,
            "thematic_areas": list(area.thematic_areas.all()),
            "methods": list(area.methods.all()),
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and service_call(
            form,
            lambda: services.skill_area_save(actor=request.user, area=area, **form.cleaned_data),
        )
    ):
        messages.success(request, _("The skill area is saved."))
        return redirect("skills:areas")
    return render(
        request, "skills/area_form.html", {"form": form, "area": area}, status=_status(form)
    )


@permission_required("skills.taxonomy")
def area_new(request):
    return _area_save(request, None)


@permission_required("skills.taxonomy")
def area_edit(request, code: str):
    return _area_save(request, selectors.skill_area_get(code=code))


# --- courses -------------------------------------------------------------------------------------


def _course_filters(request) -> selectors.CourseFilters:
    get = request.GET
    return selectors.CourseFilters(
        skill_area=get.get("area", "")[:32],
        format=get.get("format", "") if get.get("format") in CourseFormat.values else "",
        language=get.get("language", "") if get.get("language") in CourseLanguage.values else "",
        q=get.get("q", "").strip()[:100],
    )


@permission_required("skills.view")
def course_list(request):
    filters = _course_filters(request)
    query = "&".join(
        f"{key}={value}"
        for key, value in (
            ("area", filters.skill_area),
            ("format", filters.format),
            ("language", filters.language),
        )
        if value
    )
    return render(
        request,
        "skills/course_list.html",
        {
            "page": _page(request, selectors.course_list(viewer=request.user, filters=filters)),
            "filters": filters,
            "query_without_page": query,
            "areas": selectors.skill_area_list(),
            "formats": CourseFormat.choices,
            "languages": CourseLanguage.choices,
            "can_add": has_permission(request.user, "course.change"),
        },
    )


@permission_required("skills.view")
def course_export(request):
    rows = selectors.course_list(viewer=request.user, filters=_course_filters(request))
    return _download(request, exports.courses(rows), "courses")


def _course_form(request, data=None, initial=None):
    return CourseForm(
        data,
        initial=initial,
        organisations=selectors.course_organisations(viewer=request.user),
        skill_areas=selectors.skill_area_list(),
        methods=selectors.method_options(),
        thematic_areas=selectors.thematic_area_options(),
    )


def _course_save(request, course):
    initial = None
    if course is not None:
        initial = {name: getattr(course, name) for name in COURSE_FIELDS}
        initial.update(
            organisation=course.organisation,
            description=course.description,
            skill_areas=list(course.skill_areas.all()),
            methods=list(course.methods.all()),
            thematic_areas=list(course.thematic_areas.all()),
        )
    form = _course_form(request, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = {}

        def save():
            saved["course"] = services.course_save(
                actor=request.user,
                course=course,
                organisation=data["organisation"],
                fields={name: data[name] for name in COURSE_FIELDS},
                description=data["description"],
                skill_areas=list(data["skill_areas"]),
                methods=data["methods"],
                thematic_areas=data["thematic_areas"],
            )

        if service_call(form, save):
            messages.success(request, _("The course is saved."))
            return redirect("skills:course_detail", pk=saved["course"].pk)
    return render(
        request, "skills/course_form.html", {"form": form, "course": course}, status=_status(form)
    )


@permission_required("course.change")
def course_new(request):
    return _course_save(request, None)


@permission_required("course.change")
def course_edit(request, pk):
    course = selectors.course_get(viewer=request.user, pk=pk)
    if not selectors.course_can_change(viewer=request.user, course=course):
        raise Http404
    return _course_save(request, course)


@permission_required("skills.view")
def course_detail(request, pk, occasion_form=None, registration_form=None, status=200):
    course = selectors.course_get(viewer=request.user, pk=pk)
    can_change = selectors.course_can_change(viewer=request.user, course=course)
    can_register = has_permission(request.user, "skills.manage")
    counties = selectors.county_options()
    if can_change and occasion_form is None:
        occasion_form = OccasionForm(prefix="occasion", counties=counties)
    if can_register and registration_form is None:
        registration_form = RegistrationForm(
            prefix="registration",
            memberships=selectors.staff_options(viewer=request.user),
            counties=counties,
        )
    return render(
        request,
        "skills/course_detail.html",
        {
            "course": course,
            "occasions": selectors.course_occasions(viewer=request.user, course=course),
            "occasion_form": occasion_form if can_change else None,
            "registration_form": registration_form if can_register else None,
        },
        status=status,
    )


@require_POST
@permission_required("course.change")
def occasion_add(request, pk):
    course = selectors.course_get(viewer=request.user, pk=pk)
    if not selectors.course_can_change(viewer=request.user, course=course):
        raise Http404
    form = OccasionForm(request.POST, prefix="occasion", counties=selectors.county_options())
    if form.is_valid() and service_call(
        form,
        lambda: services.course_occasion_add(
            actor=request.user, course=course, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The occasion is added."))
        return redirect("skills:course_detail", pk=course.pk)
    return course_detail(request, pk=pk, occasion_form=form, status=400)


@require_POST
@permission_required("skills.manage")
def registration_add(request, pk):
    occasion = selectors.occasion_get(viewer=request.user, pk=pk)
    form = RegistrationForm(
        request.POST,
        prefix="registration",
        memberships=selectors.staff_options(viewer=request.user),
        counties=selectors.county_options(),
    )
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        if service_call(
            form,
            lambda: services.registration_create(
                actor=request.user,
                occasion=occasion,
                person=membership.user,
                organisation=membership.organisation,
                county=form.cleaned_data["county"],
            ),
        ):
            messages.success(request, _("The staff member is registered."))
            return redirect("skills:course_detail", pk=occasion.course_id)
    return course_detail(request, pk=occasion.course_id, registration_form=form, status=400)


# --- registrations and profiles ------------------------------------------------------------------


@permission_required("skills.manage")
def registration_list(request):
    page = _page(request, selectors.registration_list(viewer=request.user))
    selectors.registration_list_audit(viewer=request.user, rows=list(page))
    return render(
        request,
        "skills/registration_list.html",
        {"page": page, "completion_form": CompletionForm()},
    )


@permission_required("skills.manage")
def registration_export(request):
    if _file_format(request) is None:
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    rows = list(selectors.registration_list(viewer=request.user))
    selectors.registration_list_audit(viewer=request.user, rows=rows)
    return _download(request, exports.registrations(rows), "course-registrations")


@require_POST
@permission_required("skills.manage")
def registration_complete(request, pk):
    registration = selectors.registration_get(viewer=request.user, pk=pk)
    form = CompletionForm(request.POST)
    if form.is_valid() and service_call(
        form,
        lambda: services.registration_complete(
            actor=request.user,
            registration=registration,
            completed_on=form.cleaned_data["completed_on"],
        ),
    ):
        messages.success(request, _("The completion is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Completed on") + ": " + error)
        return redirect("skills:registration_list")
    return redirect("skills:registration_list")


@permission_required("skills.view")
def my_profile(request):
    person, rows = selectors.competence_profile(viewer=request.user)
    return render(request, "skills/profile.html", {"person": person, "rows": rows, "own": True})


@permission_required("skills.view")
def profile(request, pk):
    person, rows = selectors.competence_profile(viewer=request.user, person_pk=pk)
    return render(
        request,
        "skills/profile.html",
        {"person": person, "rows": rows, "own": person == request.user},
    )
