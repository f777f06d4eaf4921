"""``client.attachments``: pre-upload a file (up to 100 MB) once, then send it by ``attachment_id``.

The API's flow has two requests: ``create`` declares the file (type, name, size) and answers with
a pre-signed upload target; the file's bytes then go to that target in one PUT, carrying the
headers it was signed with. ``upload`` does both: it checks the file before anything is sent,
streams it in chunks read off the event loop (never the whole file in memory), reports progress,
and raises ``UploadError`` when the target refuses the bytes. The PUT goes through the client's
one transport but carries none of the API's headers: the target is another host, and the Linq key
must never reach it.
"""

from __future__ import annotations

import asyncio
import html
import io
import ipaddress
import os
import re
import stat
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable
from functools import cached_property
from typing import IO, TYPE_CHECKING, TypeAlias, Unpack

from .. import _validate
from .._errors import LinqError, UploadError, ValidationError, body_text, error_from_response
from .._sync import SyncResource, blocking
from ..models.attachments import (
    CONTENT_TYPES_BY_EXTENSION,
    AttachmentCreateResponse,
    AttachmentRetrieveResponse,
    check_filename,
    check_size,
    content_type_of,
)
from ._base import Mode, Parsed, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions
    from .._http import RawResponse

__all__ = ["Attachments", "SyncAttachments", "UploadError", "UploadProgress"]

UploadProgress: TypeAlias = Callable[[int, int], object]
"""``on_progress(sent_bytes, total_bytes)``, called after each chunk is handed to the connection."""

CHUNK_SIZE = 128 * 1024

_XML_FIELDS = {name: re.compile(rf"<{name}>([^<]{{0,2000}})</{name}>") for name in ("Code", "Message", "RequestId")}


def _refusal(attachment_id: str) -> Callable[[RawResponse, str], UploadError]:
    def refused(raw: RawResponse, url: str) -> UploadError:
        # The generic reading finds a JSON envelope, Retry-After and the status's text; an
        # S3-style XML error body adds its code, message and request id.
        generic = error_from_response(raw.status, raw.headers, raw.body, reason=raw.reason, method="PUT", url=url)
        text = body_text(raw.body[:16384]) if raw.body else ""
        found = {name: html.unescape(m.group(1).strip()) for name, rx in _XML_FIELDS.items() if (m := rx.search(text))}
        return UploadError(
            found.get("Message") or generic.message,
            status=raw.status,
            error_code=found.get("Code"),
            attachment_id=attachment_id,
            code=generic.code,
            trace_id=generic.trace_id or found.get("RequestId") or raw.headers.get("x-amz-request-id"),
            doc_url=generic.doc_url,
            retry_after=generic.retry_after,
            body=generic.body,
            headers=generic.headers,
            method="PUT",
            url=url,
        )

    return refused


def _upload_url(value: object, base_url: str) -> str:
    """The target from ``create``: https, or plain http only to loopback or to the API's own host (a fake)."""
    if not isinstance(value, str) or not value.isascii() or not value.isprintable() or " " in value:
        raise LinqError("the API answered with an upload_url that cannot be used")
    parts = urllib.parse.urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and host:
        if host == "localhost" or host == urllib.parse.urlsplit(base_url).hostname:
            return value
        try:
            if ipaddress.ip_address(host).is_loopback:
                return value
        except ValueError:
            pass
    raise LinqError(f"the API answered with an upload_url that is not https:// (to {host or 'no host'!r}); not sent")


def _content_type_for(filename: str) -> str:
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    guessed = CONTENT_TYPES_BY_EXTENSION.get(extension)
    if guessed is None:
        raise ValidationError(
            f"cannot tell the content type of {filename[:80]!r} from its extension; pass content_type= "
            "(one of linq_async.models.attachments.SUPPORTED_CONTENT_TYPES)"
        )
    return guessed


def _measure(file: IO[bytes]) -> tuple[int, int, int | None]:
    """(start, size, st_mode) of a binary file from its current position; runs in a worker thread."""
    mode: int | None = None
    try:
        mode = os.fstat(file.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    start = file.tell()
    end = file.seek(0, os.SEEK_END)
    file.seek(start)
    return start, end - start, mode


class _Source:
    """The file being uploaded: opened (or given), measured, read chunk by chunk in worker threads."""

    def __init__(self, file: IO[bytes], name: str | None, start: int, size: int, owned: bool) -> None:
        self.file = file
        self.name = name
        self.start = start
        self.size = size
        self.owned = owned

    @classmethod
    async def open(cls, value: object) -> _Source:
        if isinstance(value, (str, os.PathLike)):
            path = os.fspath(value)
            if not isinstance(path, str):
                raise ValidationError("give the path as text (str or pathlib.Path), not bytes")
            try:
                file: IO[bytes] = await asyncio.to_thread(open, path, "rb")
            except IsADirectoryError:
                raise ValidationError(f"{path[-80:]!r} is a directory, not a file") from None
            try:
                start, size, mode = await asyncio.to_thread(_measure, file)
                if mode is not None and not stat.S_ISREG(mode):
                    raise ValidationError(f"{path[-80:]!r} is not a regular file")
            except BaseException:
                file.close()
                raise
            return cls(file, os.path.basename(path), start, size, owned=True)
        if isinstance(value, io.TextIOBase):
            raise ValidationError("the file is open in text mode; open it in binary mode ('rb')")
        if not callable(getattr(value, "read", None)) or not callable(getattr(value, "seek", None)):
            raise ValidationError(
                f"path_or_file must be a path or a binary file open for reading, got {type(value).__name__}"
            )
        given: IO[bytes] = value  # type: ignore[assignment]
        seekable = getattr(given, "seekable", None)
        if callable(seekable) and not seekable():
            raise ValidationError("the file must be seekable: its size is declared before its bytes are sent")
        start, size, mode = await asyncio.to_thread(_measure, given)
        name = getattr(given, "name", None)
        return cls(given, os.path.basename(name) if isinstance(name, str) and name else None, start, size, owned=False)

    async def chunks(self, on_progress: UploadProgress | None) -> AsyncIterator[bytes]:
        """The file's ``size`` bytes from its start, each chunk read in a worker thread."""
        file, size = self.file, self.size
        await asyncio.to_thread(file.seek, self.start)
        sent = 0
        while sent < size:
            chunk = await asyncio.to_thread(file.read, min(CHUNK_SIZE, size - sent))
            if not chunk:
                raise LinqError(f"the file ended after {sent} of its {size} bytes: it changed during the upload")
            if not isinstance(chunk, bytes):
                raise ValidationError(f"the file's read() must return bytes, got {type(chunk).__name__}")
            yield chunk
            sent += len(chunk)  # resumed: the connection took the chunk
            if on_progress is not None:
                on_progress(sent, size)

    def close(self) -> None:
        if self.owned:
            self.file.close()


def _keep_attachment_id(exc: BaseException, attachment_id: str) -> None:
    try:
        if getattr(exc, "attachment_id", None) is None:
            exc.attachment_id = attachment_id  # type: ignore[attr-defined]
    except AttributeError:  # an exception type with __slots__
        pass


class Attachments(Resource[Mode]):
    """Pre-uploaded files: declare one, upload it, read its state, delete it."""

    @cached_property
    def with_raw_response(self) -> Attachments[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Attachments(self._client, True)

    @endpoint
    async def create(
        self, *, content_type: str, filename: str, size_bytes: int, **options: Unpack[RequestOptions]
    ) -> AttachmentCreateResponse:
        """Declare a file to pre-upload; get its id and where to PUT its bytes (within 15 minutes).

        ``POST /v3/attachments``. ``content_type``: one of the MIME types Linq accepts (any case;
        ``linq_async.models.attachments.SUPPORTED_CONTENT_TYPES``); ``filename``: 1 to 255
        characters; ``size_bytes``: the exact size, 1 byte to 100 MB. ``upload`` does this and the
        PUT in one call. Raises ``ValidationError`` before sending for an unsupported type, a bad
        name or size; ``BadRequestError`` (5004, 5005) or another ``APIError``.
        """
        body = {
            "content_type": content_type_of(content_type),
            "filename": check_filename(filename),
            "size_bytes": check_size(size_bytes),
        }
        return await self._request(
            "POST", "/v3/attachments", body=body, into=AttachmentCreateResponse, options=options, repeatable=True
        )

    @endpoint
    async def retrieve(
        self, attachment_id: str | uuid.UUID, **options: Unpack[RequestOptions]
    ) -> AttachmentRetrieveResponse:
        """Fetch an attachment's metadata and download URL.

        ``GET /v3/attachments/{attachment_id}``. ``attachment_id``: the attachment (a UUID).
        Raises ``ValidationError`` before sending for a bad id; ``NotFoundError`` (2003: unknown,
        deleted or another partner's) or another ``APIError``.
        """
        path = f"/v3/attachments/{_validate.chat_id(attachment_id, 'attachment_id')}"
        return await self._request("GET", path, into=AttachmentRetrieveResponse, options=options)

    @endpoint
    async def delete(self, attachment_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Delete an attachment and its file, for good (204); messages that used it keep their part, without the file.

        ``DELETE /v3/attachments/{attachment_id}``. ``attachment_id``: the attachment. Raises
        ``ValidationError`` before sending for a bad id; ``NotFoundError`` (2003) or another ``APIError``.
        """
        path = f"/v3/attachments/{_validate.chat_id(attachment_id, 'attachment_id')}"
        return await self._request("DELETE", path, options=options)

    async def upload(
        self,
        path_or_file: str | os.PathLike[str] | IO[bytes],
        *,
        filename: str | None = None,
        content_type: str | None = None,
        on_progress: UploadProgress | None = None,
        **options: Unpack[RequestOptions],
    ) -> AttachmentCreateResponse:
        """Upload a file as a new attachment; return it (send it with ``MediaPart(attachment_id=...)``).

        ``path_or_file``: a path, or a seekable binary file (uploaded from its current position;
        not closed); ``filename``: the name recipients see (default: the file's own name);
        ``content_type``: its MIME type (default: from the name's extension); ``on_progress``:
        called as ``on_progress(sent_bytes, total_bytes)`` after each chunk; ``options`` apply to
        the ``create`` request, and ``timeout`` to the upload's PUT too (allow for the file's size).

        Checked before anything is sent: the type (Linq's list), the name, the size (1 byte to
        100 MB). The bytes are streamed in chunks read in worker threads, so memory use does not
        grow with the file. The PUT is retried per the client's policy (a server error, a dropped
        connection, a timeout), sending the file again from its start; ``on_progress`` then counts
        from 0 again. When it still fails the attachment stays without a file.
        Raises ``ValidationError`` for a bad file, type, name or size (nothing sent), ``OSError``
        when the file cannot be read, ``UploadError`` when the target refuses the bytes,
        ``APIConnectionError`` for a transport failure, or an ``APIError`` from ``create``; an
        error after ``create`` carries ``attachment_id``. A callback's exception is raised as it is.
        """
        if on_progress is not None and not callable(on_progress):
            raise ValidationError(f"on_progress must be callable, got {type(on_progress).__name__}")
        client = self._client
        client._check_options(options)
        source = await _Source.open(path_or_file)
        try:
            name = filename if filename is not None else source.name
            if name is None:
                raise ValidationError("this file has no name to send; pass filename=")
            check_filename(name)
            declared = content_type_of(content_type) if content_type is not None else _content_type_for(name)
            size = check_size(source.size)
            parsed: Attachments[Parsed] = Attachments(client)  # an upload returns the model, also in raw mode
            created = await parsed.create(content_type=declared, filename=name, size_bytes=size, **options)
            try:
                if created.http_method not in (None, "PUT"):
                    raise LinqError(f"the API asks for an upload by {created.http_method!r}; only PUT is supported")
                await client._upload(
                    _upload_url(created.upload_url, client.base_url),
                    created.required_headers,
                    lambda: source.chunks(on_progress),
                    size,
                    refused=_refusal(created.attachment_id),
                    options=options,
                )
            except Exception as exc:
                _keep_attachment_id(exc, created.attachment_id)
                raise
            return created
        finally:
            source.close()


class SyncAttachments(SyncResource[Mode]):
    """Blocking twin of ``client.attachments``."""

    create = blocking(Attachments.create)
    retrieve = blocking(Attachments.retrieve)
    delete = blocking(Attachments.delete)
    upload = blocking(Attachments.upload)

    @cached_property
    def with_raw_response(self) -> SyncAttachments[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncAttachments(self._runner, self._async.with_raw_response)
