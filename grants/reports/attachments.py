"""Attachment files: the type is detected from the content (magic bytes and, for the Office
formats, the ZIP's part names), never from the file name or the browser's Content-Type."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", "pdf")
PNG = FileType("PNG", "image/png", "png")
JPEG = FileType("JPEG", "image/jpeg", "jpg")
XLSX = FileType(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
)
DOCX = FileType(
    "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
)
ALLOWED_TYPES = (PDF, XLSX, DOCX, PNG, JPEG)


def max_bytes() -> int:
    return settings.REPORT_ATTACHMENT_MAX_BYTES


def _office_type(fileobj) -> FileType | None:
    try:
        with zipfile.ZipFile(fileobj) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    return None


def detect_file_type(fileobj) -> FileType | None:
    """The allowed type this content is, or None. Leaves the file positioned at the start."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _office_type(fileobj)
        return None
    finally:
        fileobj.seek(0)


def check_upload(file) -> FileType:
    """The upload checks of every attachment (report or case message): not empty, not too big,
    and a type detected from the content. Raises ValidationError naming the field `file`."""
    if file.size > max_bytes():
        raise ValidationError({"file": _("Filen er for stor: højst %(mb)s MB.")
                               % {"mb": max_bytes() // (1024 * 1024)}})
    if file.size == 0:
        raise ValidationError({"file": _("Filen er tom.")})
    detected = detect_file_type(file)
    if detected is None:
        raise ValidationError({"file": _(
            "Filtypen er ikke tilladt. Upload en PDF-, XLSX-, DOCX-, PNG- eller JPEG-fil "
            "(typen kontrolleres ud fra filens indhold)."
        ) + " (" + ", ".join(t.label for t in ALLOWED_TYPES) + ")"})
    return detected
