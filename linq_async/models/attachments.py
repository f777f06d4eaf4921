"""Attachments: pre-uploaded files, and the limits an upload is checked against (by the client and the fake)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from .._convert import Model
from .._rules import RuleError

__all__ = ["AttachmentCreateResponse", "AttachmentRetrieveResponse"]

MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024  # pre-uploaded files; a media part's public URL is limited to 10 MB
MAX_FILENAME = 255

# Every content type linq-python 0.65.0 lets an attachment declare (its SupportedContentType),
# grouped as its documentation groups them. WebP and SVG are listed although one passage of the
# docs calls them rejected: the type list is the newer word, so they are not refused here.
SUPPORTED_CONTENT_TYPES: tuple[str, ...] = (
    # images
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/tiff",
    "image/bmp",
    "image/svg+xml",
    "image/webp",
    "image/x-icon",
    # video
    "video/mp4",
    "video/quicktime",
    "video/mpeg",
    "video/mpeg2",
    "video/x-m4v",
    "video/x-msvideo",
    "video/3gpp",
    # audio (audio/mp3, audio/mp4 and audio/aiff are deprecated spellings, still accepted)
    "audio/mpeg",
    "audio/mp3",
    "audio/x-m4a",
    "audio/mp4",
    "audio/x-caf",
    "audio/x-wav",
    "audio/x-aiff",
    "audio/aiff",
    "audio/aac",
    "audio/midi",
    "audio/amr",
    # wallet passes
    "application/vnd.apple.pkpass",
    # documents
    "application/pdf",
    "text/plain",
    "text/markdown",
    "text/vcard",
    "text/rtf",
    "text/csv",
    "text/html",
    "text/calendar",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/x-iwork-pages-sffpages",
    "application/x-iwork-numbers-sffnumbers",
    "application/x-iwork-keynote-sffkey",
    "application/epub+zip",
    "text/xml",
    "application/json",
    "application/zip",
    "application/x-gzip",
)
_SUPPORTED = frozenset(SUPPORTED_CONTENT_TYPES)

# File extension -> the content type an upload declares for it (our own table: the standard
# library's guesses differ between systems and miss Apple's formats).
CONTENT_TYPES_BY_EXTENSION: Mapping[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "heic": "image/heic",
    "heif": "image/heif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "svg": "image/svg+xml",
    "webp": "image/webp",
    "ico": "image/x-icon",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "qt": "video/quicktime",
    "mpeg": "video/mpeg",
    "mpg": "video/mpeg",
    "m4v": "video/x-m4v",
    "avi": "video/x-msvideo",
    "3gp": "video/3gpp",
    "mp3": "audio/mpeg",
    "m4a": "audio/x-m4a",
    "caf": "audio/x-caf",
    "wav": "audio/x-wav",
    "aif": "audio/x-aiff",
    "aiff": "audio/x-aiff",
    "aac": "audio/aac",
    "mid": "audio/midi",
    "midi": "audio/midi",
    "amr": "audio/amr",
    "pkpass": "application/vnd.apple.pkpass",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "md": "text/markdown",
    "vcf": "text/vcard",
    "rtf": "text/rtf",
    "csv": "text/csv",
    "html": "text/html",
    "htm": "text/html",
    "ics": "text/calendar",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pages": "application/x-iwork-pages-sffpages",
    "numbers": "application/x-iwork-numbers-sffnumbers",
    "key": "application/x-iwork-keynote-sffkey",
    "epub": "application/epub+zip",
    "xml": "text/xml",
    "json": "application/json",
    "zip": "application/zip",
    "gz": "application/x-gzip",
}

# Known values of AttachmentRetrieveResponse.status (deprecated by Linq; the field stays `str`).
ATTACHMENT_STATUSES = ("pending", "complete", "failed")


def content_type_of(value: object) -> str:
    """Return a supported content type in its lower-case form, or raise ``RuleError`` (rule ``invalid_file_type``)."""
    if not isinstance(value, str):
        raise RuleError(
            f"content_type must be a MIME type string, got {type(value).__name__}", rule="invalid_parameter"
        )
    lowered = value.lower()
    if lowered not in _SUPPORTED:
        raise RuleError(
            f"content_type {value[:80]!r} is not a type Linq accepts for attachments (FLAC, OGG and executables "
            "are refused); see linq_async.models.attachments.SUPPORTED_CONTENT_TYPES",
            rule="invalid_file_type",
        )
    return lowered


def check_filename(value: object) -> str:
    """Return a filename of 1 to 255 printable characters, or raise ``RuleError``."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_FILENAME or not value.isprintable():
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise RuleError(
            f"filename must be 1 to {MAX_FILENAME} printable characters, got {shown}", rule="invalid_parameter"
        )
    return value


def check_size(value: object) -> int:
    """Return a size in bytes from 1 to 100 MB, or raise ``RuleError`` (rule ``file_too_large`` above it)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"size_bytes must be an int, got {type(value).__name__}", rule="invalid_parameter")
    if value < 1:
        raise RuleError(
            f"size_bytes must be at least 1, got {value}; an empty file cannot be sent", rule="invalid_parameter"
        )
    if value > MAX_ATTACHMENT_BYTES:
        raise RuleError(
            f"a file sent as an attachment holds at most {MAX_ATTACHMENT_BYTES} bytes (100 MB), got {value}",
            rule="file_too_large",
        )
    return value


def check_attachment(data: Mapping[str, Any]) -> tuple[str, str, int]:
    """Check a ``POST /v3/attachments`` body: (content_type, filename, size_bytes), or ``RuleError``."""
    for name in ("content_type", "filename", "size_bytes"):
        if data.get(name) is None:
            raise RuleError(f"{name} is required", rule="missing_field")
    return content_type_of(data["content_type"]), check_filename(data["filename"]), check_size(data["size_bytes"])


@attrs.frozen(kw_only=True)
class AttachmentCreateResponse(Model):
    """Where to upload a new attachment's bytes, and the id to send it by once uploaded.

    PUT the file's exact bytes to ``upload_url`` with ``required_headers`` (``attachments.upload``
    does it) before ``expires_at`` (15 minutes); then use ``attachment_id`` in a ``MediaPart``.
    """

    attachment_id: str
    upload_url: str
    download_url: str | None = None
    expires_at: dt.datetime | None = None
    http_method: str | None = None
    required_headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class AttachmentRetrieveResponse(Model):
    """An attachment's metadata and download URL (on the ephemeral tier, freshly signed on each call).

    ``status`` (``pending``, ``complete`` or ``failed``) is deprecated by Linq and may disappear.
    """

    id: str
    content_type: str | None = None
    filename: str | None = None
    size_bytes: int | None = None
    created_at: dt.datetime | None = None
    status: str | None = None
    download_url: str | None = None
