"""The fake's attachments area: declared files, their pre-signed upload target (served here), their state.

``POST /attachments`` stores an attachment as ``pending`` and answers with an upload URL on this
very server (``PUT /api/partner/v3/_uploads/{id}?expires=...&signature=...``). That target
behaves as an S3 pre-signed URL does: no bearer key (the signature is in the URL), the
``required_headers`` must be sent exactly, the body must be exactly the declared size, the URL
expires after 15 minutes, and refusals are S3-style XML. The bytes received are kept (spilled to
a temporary file above 256 KiB) and the attachment becomes ``complete``. Media parts naming an
attachment are refused as the API refuses them: unknown 404/2003, not uploaded yet 404/2007.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import secrets
import tempfile
import time
import urllib.parse
import uuid
import weakref
from collections.abc import Mapping
from typing import IO, Any, ClassVar

import aiohttp
import attrs
from aiohttp import web

from .. import _validate
from .._errors import ValidationError
from .._rules import RuleError
from ..models.attachments import ATTACHMENT_STATUSES, check_attachment
from ._core import PREFIX, TRACE, FakeBase, Refused, route, timestamp

__all__ = ["ATTACHMENT_RULES", "AttachmentsArea"]

ATTACHMENT_RULES: dict[str, tuple[int, int, str]] = {
    "attachment_not_found": (404, 2003, "Attachment not found"),
    "attachment_not_ready": (404, 2007, "Attachment not ready"),
    # No code is documented for sending an attachment whose upload failed; 5001 is "file upload failed".
    "attachment_failed": (500, 5001, "File upload failed"),
    "invalid_attachment_id": (400, 1005, "Invalid parameter value: attachment id must be a UUID"),
    "invalid_file_type": (400, 5004, "Invalid file type"),
    "file_too_large": (400, 5005, "File too large"),
}

UPLOAD_ROUTE = "/_uploads/{attachment_id}"
UPLOADS = f"{PREFIX}/_uploads/"
UPLOAD_TTL = 15 * 60.0
_SPOOL = 256 * 1024
_READ = 64 * 1024
_S3_CODES = {400: "BadRequest", 403: "AccessDenied", 404: "NoSuchKey", 429: "SlowDown", 503: "ServiceUnavailable"}


@attrs.define
class _Attachment:
    id: str
    filename: str
    content_type: str
    size_bytes: int
    created_at: str
    expires: float  # time.time() after which the upload URL is refused
    signature: str
    status: str = "pending"
    data: IO[bytes] | None = None
    sha256: str | None = None
    uploads: int = 0

    def download_url(self, partner_id: str) -> str:
        name = urllib.parse.quote(self.filename, safe="")
        return f"https://cdn.linqapp.com/attachments/partners/{partner_id}/{self.id}/{name}"

    def wire(self, partner_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "content_type": self.content_type,
            "created_at": self.created_at,
            "filename": self.filename,
            "size_bytes": self.size_bytes,
            "status": self.status,
            "download_url": self.download_url(partner_id),
        }

    def discard(self) -> None:
        if self.data is not None:
            self.data.close()
            self.data = None


def _discard_all(attachments: dict[str, _Attachment]) -> None:
    for attachment in attachments.values():
        attachment.discard()


def _s3_error(status: int, code: str, message: str, trace: str) -> web.Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{html.escape(message)}</Message><RequestId>{trace}</RequestId></Error>"
    )
    return web.Response(status=status, text=body, content_type="application/xml", headers={"x-amz-request-id": trace})


class AttachmentsArea(FakeBase):
    """Attachments and their uploads. Read with ``attachment``, ``attachment_bytes``; seed with ``add_attachment``."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = ATTACHMENT_RULES

    def _setup_attachments(self) -> None:
        self._attachments: dict[str, _Attachment] = {}
        # The uploaded bytes live in temporary files, closed with the fake (or at exit).
        weakref.finalize(self, _discard_all, self._attachments)

    # State, for tests -----------------------------------------------------------------------------

    def _attachment(self, attachment_id: str) -> _Attachment:
        found = self._attachments.get(_validate.chat_id(attachment_id, "attachment_id"))
        if found is None:
            raise ValidationError(f"the fake server has no attachment {attachment_id!r}")
        return found

    def attachment(self, attachment_id: str) -> dict[str, Any]:
        """The attachment as ``GET /v3/attachments/{id}`` returns it (``status``: pending, complete, failed)."""
        with self._lock:
            return self._attachment(attachment_id).wire(self.partner_id)

    def attachment_ids(self) -> list[str]:
        """Every attachment the fake holds, oldest first."""
        with self._lock:
            return list(self._attachments)

    def attachment_bytes(self, attachment_id: str) -> bytes:
        """The bytes uploaded for an attachment (``b""`` before its upload)."""
        with self._lock:
            data = self._attachment(attachment_id).data
            if data is None:
                return b""
            data.seek(0)
            return data.read()

    def attachment_sha256(self, attachment_id: str) -> str | None:
        """The SHA-256 (hex) of the uploaded bytes, or None before the upload: compares big files cheaply."""
        with self._lock:
            return self._attachment(attachment_id).sha256

    def uploads(self, attachment_id: str) -> int:
        """How many uploads the target accepted for the attachment (a pre-signed URL may be reused)."""
        with self._lock:
            return self._attachment(attachment_id).uploads

    def add_attachment(
        self, data: bytes, *, filename: str = "file.jpg", content_type: str = "image/jpeg", uploaded: bool = True
    ) -> str:
        """Store an attachment as if created (and, with ``uploaded``, uploaded) through the API; return its id."""
        try:
            declared, name, size = check_attachment(
                {"content_type": content_type, "filename": filename, "size_bytes": len(data)}
            )
        except RuleError as broken:
            raise ValidationError(str(broken)) from None
        with self._lock:
            attachment = self._new_attachment(declared, name, size)
            if uploaded:
                spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - kept open with the attachment
                spool.write(data)
                self._store(attachment, spool, hashlib.sha256(data).hexdigest())
            return attachment.id

    def set_attachment_status(self, attachment_id: str, status: str) -> None:
        """Force an attachment's status (``pending``, ``complete`` or ``failed``), e.g. to fail its processing."""
        if status not in ATTACHMENT_STATUSES:
            raise ValidationError(f"status must be one of {ATTACHMENT_STATUSES}, got {status!r}")
        with self._lock:
            self._attachment(attachment_id).status = status

    def expire_upload(self, attachment_id: str) -> None:
        """Make the attachment's upload URL expired (as 15 minutes later)."""
        with self._lock:
            self._attachment(attachment_id).expires = time.time() - 1

    def _new_attachment(self, content_type: str, filename: str, size: int) -> _Attachment:
        attachment = _Attachment(
            id=str(uuid.uuid4()),
            filename=filename,
            content_type=content_type,
            size_bytes=size,
            created_at=timestamp(),
            expires=time.time() + UPLOAD_TTL,
            signature=secrets.token_hex(16),
        )
        self._attachments[attachment.id] = attachment
        return attachment

    @staticmethod
    def _store(attachment: _Attachment, data: IO[bytes], sha256: str) -> None:
        attachment.discard()
        attachment.data, attachment.sha256 = data, sha256
        attachment.status = "complete"
        attachment.uploads += 1

    def _check_media(self, part: Mapping[str, Any]) -> None:
        super()._check_media(part)
        attachment_id = part.get("attachment_id")
        if attachment_id is None:
            return
        try:
            key = _validate.chat_id(attachment_id, "attachment_id")
        except ValidationError:
            raise Refused("attachment_not_found") from None
        with self._lock:
            attachment = self._attachments.get(key)
            if attachment is None:
                raise Refused("attachment_not_found")
            if attachment.status == "pending":
                raise Refused("attachment_not_ready")
            if attachment.status == "failed":
                raise Refused("attachment_failed")

    # The API ------------------------------------------------------------------------------------

    def _attachment_for(self, request: web.Request) -> _Attachment:
        try:
            key = _validate.chat_id(request.match_info["attachment_id"], "attachment_id")
        except ValidationError:
            raise Refused("invalid_attachment_id") from None
        attachment = self._attachments.get(key)
        if attachment is None:
            raise Refused("attachment_not_found")
        return attachment

    @route("POST", "/attachments")
    async def _create_attachment(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        try:
            content_type, filename, size = check_attachment(data)
        except RuleError as broken:
            raise Refused(broken.rule) from None
        with self._lock:
            attachment = self._new_attachment(content_type, filename, size)
            query = urllib.parse.urlencode({"expires": int(attachment.expires), "signature": attachment.signature})
            body = {
                "attachment_id": attachment.id,
                "upload_url": f"{self.base_url}/v3/_uploads/{attachment.id}?{query}",
                "download_url": attachment.download_url(self.partner_id),
                "http_method": "PUT",
                "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(attachment.expires)),
                "required_headers": {"Content-Type": content_type},
            }
        return web.json_response(body)

    @route("GET", "/attachments/{attachment_id}")
    async def _get_attachment(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(self._attachment_for(request).wire(self.partner_id))

    @route("DELETE", "/attachments/{attachment_id}")
    async def _delete_attachment(self, request: web.Request) -> web.Response:
        with self._lock:
            attachment = self._attachment_for(request)
            del self._attachments[attachment.id]
            attachment.discard()
        return web.Response(status=204)

    # The upload target ------------------------------------------------------------------------

    async def _serve(self, request: web.Request, handler: Any) -> web.StreamResponse:
        # The upload target is not the API: no bearer key (the URL is signed), the body is streamed
        # rather than read up front (it may exceed the API's body limit), and refusals are S3's.
        if not request.path.startswith(UPLOADS):
            return await super()._serve(request, handler)
        trace, fault = await self._arrive(request, b"")
        if fault is not None:
            if fault.kind == "502":
                return web.Response(status=502, text="<html><body>Bad Gateway</body></html>", content_type="text/html")
            elif fault.kind in ("500/3006", "429", "error"):
                status = {"500/3006": 500, "429": 429}.get(fault.kind, fault.status)
                refusal = _s3_error(status, _S3_CODES.get(status, "InternalError"), fault.message, trace)
                if fault.kind == "429":
                    refusal.headers["Retry-After"] = f"{fault.retry_after:g}"
                return refusal
        response: web.StreamResponse = await handler(request)
        return response

    @route("PUT", UPLOAD_ROUTE)
    async def _receive_upload(self, request: web.Request) -> web.StreamResponse:
        trace = request[TRACE]
        with self._lock:
            attachment = self._attachments.get(request.match_info["attachment_id"])
            signature = request.query.get("signature", "")
            if attachment is None or not secrets.compare_digest(signature.encode(), attachment.signature.encode()):
                return _s3_error(403, "AccessDenied", "Access Denied", trace)
            if time.time() > attachment.expires:
                return _s3_error(403, "AccessDenied", "Request has expired", trace)
            required = {"Content-Type": attachment.content_type}
            size = attachment.size_bytes
        for name, value in required.items():
            if request.headers.get(name) != value:
                mismatch = f"The {name} header does not match the one the URL was signed with"
                return _s3_error(403, "SignatureDoesNotMatch", mismatch, trace)
        length = request.headers.get("Content-Length")
        if length is None or "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            return _s3_error(411, "MissingContentLength", "You must provide the Content-Length HTTP header", trace)
        if length != str(size):
            code = "EntityTooLarge" if length.isdigit() and int(length) > size else "IncompleteBody"
            return _s3_error(400, code, f"The body must be the {size} bytes declared, not {length}", trace)
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - handed to the attachment
        digest = hashlib.sha256()
        received = 0
        try:
            async for chunk in request.content.iter_chunked(_READ):
                spool.write(chunk)
                digest.update(chunk)
                received += len(chunk)
        except (OSError, aiohttp.ClientError, aiohttp.http_exceptions.HttpProcessingError):
            spool.close()
            raise asyncio.CancelledError from None  # the client went away mid-body: nothing to answer
        if received != size:
            spool.close()
            return _s3_error(400, "IncompleteBody", f"Received {received} of the {size} bytes declared", trace)
        with self._lock:
            if self._attachments.get(attachment.id) is not attachment:  # deleted meanwhile
                spool.close()
                return _s3_error(404, "NoSuchUpload", "The attachment was deleted", trace)
            self._store(attachment, spool, digest.hexdigest())
        return web.Response(status=200, headers={"ETag": f'"{digest.hexdigest()[:32]}"', "x-amz-request-id": trace})
