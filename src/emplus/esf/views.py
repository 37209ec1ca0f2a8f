"""Pages of ESF projects and their monthly participant report: thin views over selectors,
services and forms. Every page needs `esf.view` or `esf.manage` in the project's owner
organisation; another organisation's project is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from emplus.core.permissions import permission_required
from emplus.core.tabular import TableTooLarge
from emplus.core.uploads import describe_refusal, tabular_limits, too_large_message, upload_refused
from emplus.esf import report_core as core
from emplus.esf import reporting, selectors, services
from emplus.esf.choices import ColumnField, TemplateSource
from emplus.esf.forms import ColumnFormSet, HeaderUploadForm, ProjectForm, TemplateSettingsForm
from emplus.esf.messages import field_label, problem_message, upload_error_message
from emplus.esf.querysets import organisations_with_permission
from emplus.esf.uploads import HeaderRowError, header_row_read


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for item in errors:
                form.add_error(field, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _month(text: str) -> core.Month:
    try:
        return core.Month.parse(text)
    except ValueError:
        raise Http404 from None


def _can_manage(user, project) -> bool:
    return project.organisation_id in organisations_with_permission(user, "esf.manage")


# --- projects -----------------------------------------------------------------------------------


@never_cache
@permission_required("esf.view")
def project_list(request):
    projects = selectors.esf_project_list(viewer=request.user)
    return render(
        request,
        "esf/project_list.html",
        {
            "projects": projects,
            "can_create": bool(organisations_with_permission(request.user, "esf.manage")),
        },
    )


@never_cache
@permission_required("esf.manage")
def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.esf_project_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                **form.project_values(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("ESF project created with the platform's default template.")
            )
            return redirect("esf:detail", pk=project.pk)
    return render(request, "esf/project_form.html", {"form": form, "project": None})


@never_cache
@permission_required("esf.manage")
def project_edit(request, pk):
    project = selectors.esf_project_get(viewer=request.user, pk=pk, permission="esf.manage")
    form = ProjectForm(request.POST or None, user=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.esf_project_update(
                actor=request.user, project=project, **form.project_values()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Project saved."))
            return redirect("esf:detail", pk=project.pk)
    return render(request, "esf/project_form.html", {"form": form, "project": project})


@never_cache
@permission_required("esf.view")
def project_detail(request, pk):
    project = selectors.esf_project_get(viewer=request.user, pk=pk)
    today = timezone.localdate()
    overview = selectors.esf_project_overview(viewer=request.user, project=project, today=today)
    months = [
        {"status": status, "files": overview.files_by_month.get(status.month, [])}
        for status in overview.statuses
    ]
    return render(
        request,
        "esf/project_detail.html",
        {
            "project": project,
            "overview": overview,
            "months": months,
            "organisations": project.participating_organisations.order_by("name"),
            "units": project.participating_units.select_related("organisation").order_by(
                "organisation__name", "name"
            ),
            "columns": reporting.template_columns(project),
            "can_manage": _can_manage(request.user, project),
        },
    )


@never_cache
@permission_required("esf.view")
def project_participants(request, pk):
    project = selectors.esf_project_get(viewer=request.user, pk=pk)
    page = selectors.esf_project_participants(
        viewer=request.user, project=project, page=request.GET.get("page")
    )
    return render(request, "esf/participants.html", {"project": project, "page": page})


# --- the column template ------------------------------------------------------------------------


def _column_initial(project) -> list[dict]:
    return [
        {"header": c.header, "field": c.field, "text": c.text}
        for c in reporting.template_columns(project)
    ]


def _formset_columns(formset) -> list[core.Column]:
    forms = list(formset.ordered_forms)
    columns = []
    for form in forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if (
            not data.get("header")
            and data.get("field") == ColumnField.EMPTY
            and not data.get("text")
        ):
            continue  # the blank extra row
        columns.append(core.Column(data.get("header", ""), data["field"], data.get("text", "")))
    return columns


@never_cache
@permission_required("esf.manage")
def template_edit(request, pk):
    project = selectors.esf_project_get(viewer=request.user, pk=pk, permission="esf.manage")
    template = project.template
    mapping = request.POST.get("mapping") == "1"
    if request.method == "POST":
        formset = ColumnFormSet(request.POST, prefix="columns")
        settings_form = TemplateSettingsForm(request.POST)
        if formset.is_valid() and settings_form.is_valid():
            try:
                services.esf_template_update(
                    actor=request.user,
                    project=project,
                    columns=_formset_columns(formset),
                    date_format=settings_form.cleaned_data["date_format"],
                    source=TemplateSource.RECEIVED if mapping else TemplateSource.ADJUSTED,
                    source_file_name=(
                        request.POST.get("source_file_name", "")
                        if mapping
                        else template.source_file_name
                    ),
                )
            except ValidationError as error:
                for message in error.messages:
                    settings_form.add_error(None, message)
            else:
                messages.success(request, _("Column template saved."))
                return redirect("esf:detail", pk=project.pk)
    else:
        formset = ColumnFormSet(prefix="columns", initial=_column_initial(project))
        settings_form = TemplateSettingsForm(initial={"date_format": template.date_format})
    return render(
        request,
        "esf/template_form.html",
        {
            "project": project,
            "template": template,
            "formset": formset,
            "settings_form": settings_form,
            "upload_form": HeaderUploadForm(),
            "mapping": mapping,
            "uploaded_name": request.POST.get("source_file_name", "") if mapping else "",
        },
    )


@never_cache
@require_POST
@permission_required("esf.manage")
def template_upload(request, pk):
    """Read the header row of the template received and offer each column for mapping, with a
    guess of what it takes; nothing is saved until the mapping is confirmed."""
    project = selectors.esf_project_get(viewer=request.user, pk=pk, permission="esf.manage")
    upload_form = HeaderUploadForm(request.POST, request.FILES)
    headers: list[str] = []
    if upload_refused(request):
        upload_form = HeaderUploadForm(request.POST)
        upload_form.is_valid()
        upload_form.errors.pop("file", None)
        upload_form.add_error("file", too_large_message())
    elif upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        try:
            headers = header_row_read(upload.read(), name=upload.name, limits=tabular_limits())
        except HeaderRowError as error:
            upload_form.add_error("file", upload_error_message(error.code))
        except TableTooLarge as error:
            upload_form.add_error("file", describe_refusal(error))
    if not headers:
        formset = ColumnFormSet(prefix="columns", initial=_column_initial(project))
        return render(
            request,
            "esf/template_form.html",
            {
                "project": project,
                "template": project.template,
                "formset": formset,
                "settings_form": TemplateSettingsForm(
                    initial={"date_format": project.template.date_format}
                ),
                "upload_form": upload_form,
                "mapping": False,
            },
            status=400,
        )
    initial = []
    for header in headers:
        field, text = core.guess_field(header)
        initial.append({"header": header, "field": field, "text": text})
    formset = ColumnFormSet(prefix="columns", initial=initial)
    formset.extra = 0
    return render(
        request,
        "esf/template_form.html",
        {
            "project": project,
            "template": project.template,
            "formset": formset,
            "settings_form": TemplateSettingsForm(
                initial={"date_format": project.template.date_format}
            ),
            "upload_form": HeaderUploadForm(),
            "mapping": True,
            # Kept with the template once the mapping is saved.
            "uploaded_name": upload_form.cleaned_data["file"].name[:255],
        },
    )


# --- months and files ---------------------------------------------------------------------------


def _problems(result: core.MonthReport) -> list[dict]:
    return [
        {
            "participant": p.participant_ref,
            "field_label": field_label(p.field),
            "message": problem_message(p),
        }
        for p in result.problems
    ]


@never_cache
@permission_required("esf.view")
def month_detail(request, pk, month):
    project = selectors.esf_project_get(viewer=request.user, pk=pk)
    month = _month(month)
    if not project.start_date <= month.last_day or month.first_day > project.end_date:
        raise Http404
    result = selectors.esf_month_preview(
        viewer=request.user, project=project, month=month, today=timezone.localdate()
    )
    files = [
        f for f in selectors.report_file_log(project=project) if core.Month.of(f.month) == month
    ]
    return render(
        request,
        "esf/month.html",
        {
            "project": project,
            "month": month,
            "rows": result.rows,
            "problems": _problems(result),
            "files": files,
            "can_manage": _can_manage(request.user, project),
        },
    )


@never_cache
@require_POST
@permission_required("esf.manage")
def month_generate(request, pk, month):
    project = selectors.esf_project_get(viewer=request.user, pk=pk, permission="esf.manage")
    month = _month(month)
    try:
        report_file = services.esf_report_generate(actor=request.user, project=project, month=month)
    except services.ReportRefused as refused:
        messages.error(
            request,
            _("The file for %(month)s was not written: %(count)s problem(s) are listed below.")
            % {"month": month, "count": len(refused.problems)},
        )
    else:
        messages.success(
            request,
            _(
                "File %(name)s written (%(rows)s rows). Download it and send it, then mark it "
                "as sent."
            )
            % {"name": report_file.file_name, "rows": report_file.row_count},
        )
    return redirect("esf:month", pk=project.pk, month=str(month))


@never_cache
@permission_required("esf.view")
def file_download(request, pk, file_pk):
    project = selectors.esf_project_get(viewer=request.user, pk=pk)
    report_file = selectors.report_file_get(viewer=request.user, project=project, pk=file_pk)
    content = selectors.report_file_content(viewer=request.user, report_file=report_file)
    response = HttpResponse(content, content_type=reporting.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report_file.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
@permission_required("esf.manage")
def file_mark_sent(request, pk, file_pk):
    project = selectors.esf_project_get(viewer=request.user, pk=pk, permission="esf.manage")
    report_file = selectors.report_file_get(
        viewer=request.user, project=project, pk=file_pk, permission="esf.manage"
    )
    try:
        services.esf_report_mark_sent(actor=request.user, report_file=report_file)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(month)s is marked as sent.") % {"month": core.Month.of(report_file.month)},
        )
    return redirect("esf:month", pk=project.pk, month=str(core.Month.of(report_file.month)))
