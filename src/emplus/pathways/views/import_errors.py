"""A check's errors as a table to download (CSV or XLSX): a file with thousands of errors is
corrected in the spreadsheet it came from, not read off a page (decision 0082). The errors are
the session's own check's, kept encrypted beside the checked files (`kept_uploads`); they hold
only what the uploaded file held, and are gone with the next check or the session."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from emplus.core.export_cells import table_bytes
from emplus.core.permissions import permission_required
from emplus.pathways import kept_uploads
from emplus.pathways.exporting import CONTENT_TYPES
from emplus.pathways.file_issue_texts import issues_from_json, shown
from emplus.pathways.views.imports import ERRORS_KEY


@require_GET
@permission_required("participant.import")
def import_errors_download(request):
    kept = request.session.get(ERRORS_KEY) or {}
    data = kept_uploads.read(kept.get("token", ""))
    if data is None:
        messages.error(
            request, _("The checked file's errors are no longer available; check it again.")
        )
        return redirect("pathways:import")
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    issues = shown(issues_from_json(data))
    body = table_bytes(
        [_("Row"), _("Column"), _("Error")],
        ([i.row, i.column, i.message] for i in issues),
        file_format=file_format,
        sheet_name=_("Errors"),
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    stem = PurePath(kept.get("file_name") or "file").stem
    name = _("errors-%(file)s") % {"file": stem}
    response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}.{file_format}"'
    return response


def _ascii(name: str) -> str:
    # A header-safe file name: letters, digits, '-', '_' and '.' (å, ä, ö become a, a, o).
    folded = name.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in folded)[:80]
