"""Uploaded documents: recognised by their content, never by their name, and kept private."""

import hashlib
from contextlib import contextmanager

from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import DomainError

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]


class FileTooLarge(DomainError):
    status_code = 413
    code = "file_too_large"


class UnsupportedFileType(DomainError):
    status_code = 415
    code = "unsupported_file_type"


def sniff_document(upload, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[str, str]:
    """(content type, sha256) of a PDF, JPEG or PNG upload; 413 if too large, 415 for anything else."""
    if upload.size > max_bytes:
        raise FileTooLarge(
            _("The file is %(size)s MB; at most %(max)s MB are accepted.")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": max_bytes // 1024 // 1024}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            return content_type, digest.hexdigest()
    raise UnsupportedFileType(_("Only PDF, JPEG and PNG files are accepted; this file is none of them."))


@contextmanager
def removed_unless_written(field_file):
    """A file stored for a row that is then not written (a duplicate that lost the race, a failed audit entry) is
    deleted again: no orphan in private storage. Wrap the ``field_file.save(…, save=False)`` and the row's save."""
    try:
        yield field_file
    except BaseException:
        if field_file.name:
            field_file.storage.delete(field_file.name)
        raise


def private_file_response(field_file, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    """A private upload, sent by a view that has checked tenant and role: never cached, never sniffed, and framed
    only by the portal's own inline viewer."""
    response = FileResponse(
        field_file.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
