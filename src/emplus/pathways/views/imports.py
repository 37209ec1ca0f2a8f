"""The import and export page: upload, check (a dry run), confirm with streamed progress, download.

Progress (docs/decisions/0007-import-progress.md): the confirmed import runs in the request,
synchronously, and the response is streamed: the page head first, then one progress line per
chunk of rows written, then the outcome. No background thread, no polling. Between the check
and the confirmation the uploaded file is kept encrypted in `VAR_DIR/imports/` under a random
name held in the session, and deleted when it is used or replaced.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from emplus.core.permissions import has_permission, permission_required
from emplus.core.uploads import too_large_message, upload_refused
from emplus.pathways import kept_uploads, selectors
from emplus.pathways.choices import LegalBasis
from emplus.pathways.exporting import CONTENT_TYPES, participants_export, write_participant_file
from emplus.pathways.file_issue_texts import issues_to_json, shown_page
from emplus.pathways.forms import ImportBasisForm
from emplus.pathways.importing import (
    import_grant,
    import_organisations_for,
    participants_import,
    participants_import_steps,
)

logger = logging.getLogger(__name__)

SESSION_KEY = "emplus_pending_import"
# A check's errors, for download as a table (import_errors.py).
ERRORS_KEY = "emplus_import_errors"
PROGRESS_MARK = "<!--import-progress-->"


def _pending_discard(request) -> None:
    for key in (SESSION_KEY, ERRORS_KEY):
        kept = request.session.pop(key, None)
        if kept:
            kept_uploads.take(kept.get("token", ""))


def _page_context(request, organisations, basis_form=None) -> dict:
    can_export = has_permission(request.user, "participant.export")
    transfers = None
    if can_export:
        since = timezone.now() - timedelta(weeks=selectors.TRANSFER_WEEKS)
        recent = selectors.transfers_since(viewer=request.user, since=since)
        transfers = {
            "imports": list(recent.imports[: selectors.TRANSFERS_SHOWN]),
            "exports": list(recent.exports[: selectors.TRANSFERS_SHOWN]),
            "weeks": selectors.TRANSFER_WEEKS,
            "shown": selectors.TRANSFERS_SHOWN,
        }
    return {
        "organisations": organisations,
        "can_export": can_export,
        "transfers": transfers,
        "legal_basis_label": LegalBasis.CONSENT.label,
        "basis_form": basis_form or ImportBasisForm(),
    }


@require_http_methods(["GET", "POST"])
@permission_required("participant.import")
def import_start(request):
    """GET: the upload form. POST: check the file (a dry run) and show errors or a summary."""
    organisations = import_organisations_for(request.user)
    if request.method == "GET":
        return render(request, "pathways/import_start.html", _page_context(request, organisations))

    basis_form = ImportBasisForm(request.POST)
    context = _page_context(request, organisations, basis_form)
    problems = []
    upload = request.FILES.get("file")
    organisation = next(
        (o for o in organisations if str(o.pk) == request.POST.get("organisation")),
        organisations[0] if len(organisations) == 1 else None,
    )
    if organisation is None:
        problems.append(_("Choose the organisation to import into."))
    too_large = upload_refused(request)
    if too_large:
        problems.append(too_large_message())
    elif upload is None:
        problems.append(_("Choose a file to upload."))
    elif upload.size > settings.EMPLUS_UPLOAD_MAX_BYTES:
        problems.append(too_large_message())
    elif PurePath(upload.name).suffix.lower() not in {".csv", ".txt", ".xlsx"}:
        problems.append(_("Upload a CSV or XLSX file."))
    if not basis_form.is_valid():
        problems.append(_("Give the legal basis of the participants' data."))
    if problems:
        return render(
            request,
            "pathways/import_start.html",
            {**context, "problems": problems},
            status=413 if too_large else 400,
        )

    data = upload.read()
    legal_basis = LegalBasis.CONSENT if request.POST.get("legal_basis") == "on" else ""
    result = participants_import(
        actor=request.user,
        organisation=organisation,
        source=data,
        file_name=upload.name,
        legal_basis=legal_basis,
        basis=basis_form.terms(),
        dry_run=True,
    )
    _pending_discard(request)
    if result.ok:
        request.session[SESSION_KEY] = {
            "token": kept_uploads.keep(data),
            "organisation": str(organisation.pk),
            "legal_basis": legal_basis,
            "basis": basis_form.as_session(),
            "file_name": PurePath(upload.name).name[:255],
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    else:
        request.session[ERRORS_KEY] = {
            "token": kept_uploads.keep(issues_to_json(result.errors)),
            "file_name": PurePath(upload.name).name[:255],
        }
    return render(
        request,
        "pathways/import_check.html",
        {
            **context,
            "result": result,
            "errors": shown_page(result.errors),
            "warnings": shown_page(result.warnings),
            "organisation": organisation,
            "file_name": upload.name,
            "legal_basis": legal_basis,
        },
        status=200 if result.ok else 422,
    )


@require_POST
@permission_required("participant.import")
def import_confirm(request):
    """Import the checked file; the page streams the progress while the rows are written."""
    pending = request.session.pop(SESSION_KEY, None)
    organisations = {str(o.pk): o for o in import_organisations_for(request.user)}
    organisation = organisations.get((pending or {}).get("organisation", ""))
    data = kept_uploads.take(pending.get("token", "")) if pending else None
    if (
        organisation is None
        or data is None
        or hashlib.sha256(data).hexdigest() != pending["sha256"]
        or import_grant(actor=request.user, organisation=organisation) is None
    ):
        messages.error(request, _("The checked file is no longer available; upload it again."))
        return redirect("pathways:import")
    steps = participants_import_steps(
        actor=request.user,
        organisation=organisation,
        source=data,
        file_name=pending["file_name"],
        legal_basis=pending["legal_basis"],
        basis=ImportBasisForm.terms_from_session(pending["basis"]),
    )
    page = render_to_string(
        "pathways/import_run.html",
        {"organisation": organisation, "file_name": pending["file_name"]},
        request=request,
    )
    head, tail = page.split(PROGRESS_MARK, 1)
    response = StreamingHttpResponse(_stream(head, tail, steps), content_type="text/html")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass the progress lines on at once
    return response


def _stream(head: str, tail: str, steps):
    yield head
    yield '<ol class="import-progress" role="log" aria-live="polite">'
    result = None
    try:
        while True:
            try:
                done, total = next(steps)
            except StopIteration as finished:
                result = finished.value
                break
            percent = round(100 * done / total) if total else 100
            yield (
                f'<li><progress max="{total}" value="{done}">{percent} %</progress> '
                + escape(
                    _("%(done)s of %(total)s rows written")
                    % {"done": formats.number_format(done), "total": formats.number_format(total)}
                )
                + "</li>"
            )
    except Exception as exc:
        # Rolled back with the transaction. Headers are sent, so the page says it; the log gets
        # the kind of failure only (a database message may quote values).
        logger.error("participant import failed: %s", type(exc).__name__)
        yield "</ol>" + render_to_string("pathways/import_outcome.html", {"failed": True}) + tail
        return
    yield "</ol>"
    yield render_to_string("pathways/import_outcome.html", {"result": result})
    yield tail


@require_GET
@permission_required("participant.export")
def export_download(request):
    """The participants of the organisations where the viewer may export (never those reached
    as a coach in another organisation, nor those shared by consent)."""
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        file_format = "csv"
    include_identity = request.GET.get("personal_id") == "on"
    frame = participants_export(
        actor=request.user,
        participants=selectors.participant_export_list(viewer=request.user),
        organisation=None,
        include_identity=include_identity,
        channel="page",
    )
    data = write_participant_file(frame, file_format=file_format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="participants-{stamp}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response
