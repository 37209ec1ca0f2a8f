"""What an attached document may be: its type read from the content (not the name) and checked
against the extension, and its size."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

# extension -> content type; the families below say what the first bytes must be.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A zip with more entries than any office document has is refused unread.
MAX_ZIP_ENTRIES = 10_000


class DocumentRefused(ValueError):
    """`kind`: 'extension' (not an allowed type), 'content' (the bytes are not that type),
    'size' (over the limit) or 'empty'."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str


def _zip_names(head_and_file: io.BufferedIOBase | io.BytesIO) -> list[str] | None:
    try:
        with zipfile.ZipFile(head_and_file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            names = [info.filename for info in infos]
            if "mimetype" in names:
                names.append(
                    "mimetype:" + archive.read("mimetype")[:100].decode("ascii", "replace")
                )
            return names
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None


def document_type(
    *, name: str, data: io.BufferedIOBase | io.BytesIO, size: int, max_bytes: int
) -> DocumentType:
    """The type of an uploaded file, or DocumentRefused. `data` is a seekable binary file."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise DocumentRefused("extension")
    if size <= 0:
        raise DocumentRefused("empty")
    if size > max_bytes:
        raise DocumentRefused("size")
    data.seek(0)
    head = data.read(8)
    data.seek(0)
    if extension == "pdf":
        ok = head.startswith(b"%PDF-")
    elif extension in ("doc", "xls", "ppt"):
        ok = head == OLE_MAGIC
    elif not head.startswith(b"PK\x03\x04"):
        ok = False
    else:
        names = _zip_names(data) or []
        data.seek(0)
        if extension in OOXML_PART:
            ok = "[Content_Types].xml" in names and any(
                n.startswith(OOXML_PART[extension]) for n in names
            )
        else:
            ok = f"mimetype:{ALLOWED_TYPES[extension]}" in names
    if not ok:
        raise DocumentRefused("content")
    return DocumentType(extension=extension, content_type=ALLOWED_TYPES[extension])
