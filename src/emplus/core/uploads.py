"""Limits of uploads and uploaded tables: the upload handler, the body-size middleware, the
limits from settings and the translated messages that explain a refusal.

The pure reading limits live in `emplus.core.tabular`; this module feeds them from settings
(docs/operations.md, "Limits of uploaded files") and speaks to the user.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from emplus.core.tabular import TableTooLarge, TabularLimits

# Room for the other fields of a form that carries a file (CSRF token, choices, ...).
FORM_ALLOWANCE = 1024 * 1024
_REFUSED = "_emplus_upload_refused"


def tabular_limits() -> TabularLimits:
    """The limits for every uploaded CSV or XLSX file, from settings."""
    return TabularLimits(
        max_bytes=settings.EMPLUS_UPLOAD_MAX_BYTES,
        max_rows=settings.EMPLUS_TABLE_MAX_ROWS,
        max_columns=settings.EMPLUS_TABLE_MAX_COLUMNS,
        max_seconds=settings.EMPLUS_TABLE_MAX_SECONDS,
        max_uncompressed_bytes=settings.EMPLUS_XLSX_MAX_UNCOMPRESSED_BYTES,
        max_compression_ratio=settings.EMPLUS_XLSX_MAX_COMPRESSION_RATIO,
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """The first upload handler: a file over `EMPLUS_UPLOAD_MAX_BYTES` is never stored.

    A request whose declared length is already over the limit skips every file from its first
    byte; otherwise a file is skipped at the chunk that crosses the limit. The other form
    fields are still read (the CSRF check needs them), and the request is marked so that the
    view can say why the file is missing (`upload_refused`). The rest of a skipped file is
    read and thrown away, never kept; a proxy in front should refuse far larger bodies
    (docs/operations.md)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.EMPLUS_UPLOAD_MAX_BYTES
        self.body_too_large = content_length > self.limit + FORM_ALLOWANCE
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if getattr(self, "body_too_large", False):
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > getattr(self, "limit", settings.EMPLUS_UPLOAD_MAX_BYTES):
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file

    def _refuse(self):
        if self.request is not None:
            setattr(self.request, _REFUSED, True)
        raise SkipFile


def upload_refused(request) -> bool:
    """Whether a file of this request was left out for being over the size limit."""
    request.FILES  # noqa: B018 - parsing the body is what sets the mark
    return bool(getattr(request, _REFUSED, False))


def too_large_message() -> str:
    return _(
        "The file is larger than %(limit)s, the most that can be uploaded. Split it into "
        "smaller files and upload them one at a time."
    ) % {"limit": filesizeformat(settings.EMPLUS_UPLOAD_MAX_BYTES)}


def describe_refusal(exc: TableTooLarge) -> str:
    """A sentence that tells the user why the file was refused and what to do."""
    limit = exc.limit
    found = exc.found or 0
    if exc.kind == "bytes":
        return _(
            "The file is %(size)s; at most %(limit)s can be read. Split it into smaller files."
        ) % {"size": filesizeformat(found), "limit": filesizeformat(limit)}
    if exc.kind == "rows":
        return _(
            "The file has more than %(limit)s rows; at most %(limit)s can be read at once. Split "
            "it into smaller files. Empty rows that still carry formatting count as rows: "
            "delete them in the spreadsheet."
        ) % {"limit": number_format(int(limit), force_grouping=True)}
    if exc.kind == "declared_rows":
        return _(
            "The workbook says it holds %(found)s rows; at most %(limit)s can be read at once. "
            "If it has fewer, delete the empty rows below the data, or save it as CSV."
        ) % {
            "found": number_format(int(found), force_grouping=True),
            "limit": number_format(int(limit), force_grouping=True),
        }
    if exc.kind in ("columns", "declared_columns"):
        return _(
            "The file has %(found)s columns; at most %(limit)s can be read. Delete the columns "
            "that are not needed, or save it as CSV."
        ) % {
            "found": number_format(int(found), force_grouping=True),
            "limit": number_format(int(limit), force_grouping=True),
        }
    if exc.kind == "seconds":
        return _(
            "Reading the file took longer than %(limit)s seconds. Split it into smaller files."
        ) % {"limit": number_format(int(limit), force_grouping=True)}
    # uncompressed, ratio, entries: a workbook no spreadsheet program writes.
    return _(
        "The workbook unpacks to far more data than an ordinary spreadsheet of its size; it "
        "may be damaged or made to harm the server. Save it again from your spreadsheet "
        "program, or save it as CSV."
    )


class RequestSizeLimitMiddleware:
    """Refuse a request body over `DATA_UPLOAD_MAX_MEMORY_SIZE` before anything reads it.

    Django enforces that limit for form posts, but the API reads JSON through its own parser,
    which does not; multipart bodies (files) are bounded by `SizeLimitUploadHandler` instead,
    so that the page can say which file was too large."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and not content_type.startswith("multipart/"):
            message = _("The request is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
