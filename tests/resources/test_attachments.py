"""Attachments: create/retrieve/delete on the wire, and ``upload`` streaming a real file to the fake's target."""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import tracemalloc
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from linq_async import (
    APIConnectionError,
    APIResponse,
    APIStatusError,
    AsyncLinqClient,
    AttachmentCreateResponse,
    AttachmentRetrieveResponse,
    InternalServerError,
    LinqError,
    MediaPart,
    NotFoundError,
    RetryPolicy,
    TextPart,
    ValidationError,
)
from linq_async.models.attachments import MAX_ATTACHMENT_BYTES, SUPPORTED_CONTENT_TYPES
from linq_async.resources.attachments import CHUNK_SIZE, UploadError
from linq_async.testing import FakeLinqServer

from ..helpers import ScriptedAPI, Sleeps
from ..prism import ViolationRecorder
from ..wire import WireCase, check_wire

LINE = "+14155550000"
A = "+14155550301"
ATTACHMENT = "550e8400-e29b-41d4-a716-446655440000"
MB = 1024 * 1024

WIRE = [
    WireCase(
        "attachments.create", kwargs={"content_type": "image/jpeg", "filename": "photo.jpg", "size_bytes": 1024000}
    ),
    WireCase(
        "attachments.create",
        kwargs={"content_type": "application/pdf", "filename": "Q3 report (final).pdf", "size_bytes": 100 * MB},
        label="largest",
    ),
    WireCase("attachments.retrieve", (ATTACHMENT,)),
    WireCase("attachments.delete", (ATTACHMENT,), status=204),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def _file(directory: Path, name: str, size: int) -> Path:
    path = directory / name
    path.write_bytes(os.urandom(size))
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _uploads(fake: FakeLinqServer) -> list[Any]:
    return [r for r in fake.requests if "/_uploads/" in r.path]


# create / retrieve / delete -------------------------------------------------------------------


def test_create_retrieve_and_delete(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.attachments.create(content_type="image/PNG", filename="logo.png", size_bytes=2048)
    assert isinstance(created, AttachmentCreateResponse)
    assert created.http_method == "PUT"
    assert created.required_headers == {"Content-Type": "image/png"}
    assert created.expires_at is not None and created.download_url.endswith("/logo.png")  # type: ignore[union-attr]
    assert fake_server.requests[-1].json["content_type"] == "image/png", "sent in its lower-case form"
    found = any_client.attachments.retrieve(created.attachment_id)
    assert isinstance(found, AttachmentRetrieveResponse)
    assert (found.id, found.filename, found.size_bytes, found.status) == (
        created.attachment_id,
        "logo.png",
        2048,
        "pending",
    )
    assert any_client.attachments.delete(uuid.UUID(created.attachment_id)) is None
    for call in (any_client.attachments.retrieve, any_client.attachments.delete):
        with pytest.raises(NotFoundError) as info:
            call(created.attachment_id)
        assert info.value.code == 2003
    assert fake_server.attachment_ids() == []


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"content_type": "audio/flac", "filename": "a.flac", "size_bytes": 10}, "not a type Linq accepts"),
        ({"content_type": 5, "filename": "a.jpg", "size_bytes": 10}, "MIME type"),
        ({"content_type": "image/jpeg", "filename": "", "size_bytes": 10}, "1 to 255"),
        ({"content_type": "image/jpeg", "filename": "x" * 256, "size_bytes": 10}, "1 to 255"),
        ({"content_type": "image/jpeg", "filename": "a\nb.jpg", "size_bytes": 10}, "printable"),
        ({"content_type": "image/jpeg", "filename": "a.jpg", "size_bytes": 0}, "at least 1"),
        ({"content_type": "image/jpeg", "filename": "a.jpg", "size_bytes": MAX_ATTACHMENT_BYTES + 1}, "100 MB"),
        ({"content_type": "image/jpeg", "filename": "a.jpg", "size_bytes": True}, "int"),
    ],
)
def test_bad_creates_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        any_client.attachments.create(**kwargs)
    assert fake_server.requests == []


def test_bad_ids_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer) -> None:
    for bad in ("../x", "", "att_1", 42):
        with pytest.raises(ValidationError, match="attachment_id"):
            any_client.attachments.retrieve(bad)
        with pytest.raises(ValidationError, match="attachment_id"):
            any_client.attachments.delete(bad)
    assert fake_server.requests == []


def test_raw_responses(any_client: Any, fake_server: FakeLinqServer) -> None:
    attachment = fake_server.add_attachment(b"\xff\xd8 jpeg bytes", filename="cat.jpg")
    raw = any_client.attachments.with_raw_response.retrieve(attachment)
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.parse().status == "complete"
    assert any_client.attachments.with_raw_response.delete(attachment).status_code == 204


# upload -----------------------------------------------------------------------------------------


def test_upload_streams_a_file_in_chunks_with_progress(
    any_client: Any, fake_server: FakeLinqServer, tmp_path: Path
) -> None:
    size = 3 * MB + 12345
    path = _file(tmp_path, "holiday.mov", size)
    progress: list[tuple[int, int]] = []

    created = any_client.attachments.upload(path, on_progress=lambda sent, total: progress.append((sent, total)))

    assert isinstance(created, AttachmentCreateResponse)
    assert len(progress) == math.ceil(size / CHUNK_SIZE) > 1
    assert [sent for sent, _ in progress] == sorted({sent for sent, _ in progress}), "strictly increasing"
    assert progress[-1] == (size, size) and {total for _, total in progress} == {size}
    assert fake_server.attachment_sha256(created.attachment_id) == _digest(path)
    assert fake_server.attachment(created.attachment_id)["status"] == "complete"
    declared = fake_server.requests[0].json
    assert declared == {"content_type": "video/quicktime", "filename": "holiday.mov", "size_bytes": size}
    [put] = _uploads(fake_server)
    assert put.method == "PUT"
    assert "Authorization" not in put.headers, "the Linq key must never reach the upload target"
    assert put.headers["Content-Type"] == "video/quicktime"
    assert put.headers["Content-Length"] == str(size)
    assert "Transfer-Encoding" not in put.headers
    assert any_client.attachments.retrieve(created.attachment_id).status == "complete"


def test_memory_use_does_not_grow_with_the_file(any_client: Any, fake_server: FakeLinqServer, tmp_path: Path) -> None:
    any_client.attachments.upload(_file(tmp_path, "warm-up.jpg", 1000))  # first-use imports and buffers
    size = 12 * MB
    path = _file(tmp_path, "big.mp4", size)
    tracemalloc.start()
    try:
        created = any_client.attachments.upload(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fake_server.attachment_sha256(created.attachment_id) == _digest(path)
    # Client and fake together, whatever the size: a few chunks in flight, never the file.
    assert peak < size / 6, f"peak {peak} bytes for a {size}-byte file"


def test_upload_from_an_open_file_and_from_memory(any_client: Any, fake_server: FakeLinqServer, tmp_path: Path) -> None:
    path = _file(tmp_path, "scan.pdf", 300_000)
    with path.open("rb") as handle:
        handle.seek(1000)  # uploaded from the current position
        created = any_client.attachments.upload(handle)
        assert not handle.closed, "a file the caller opened stays open"
    assert fake_server.attachment_bytes(created.attachment_id) == path.read_bytes()[1000:]
    assert fake_server.attachment(created.attachment_id)["filename"] == "scan.pdf"
    data = io.BytesIO(b"BEGIN:VCARD\r\nFN:Ana\r\nEND:VCARD\r\n")
    card = any_client.attachments.upload(data, filename="ana.vcf", content_type="text/vcard")
    assert fake_server.attachment_bytes(card.attachment_id) == data.getvalue()
    with pytest.raises(ValidationError, match="filename="):
        any_client.attachments.upload(io.BytesIO(b"no name"))


def test_uploaded_attachment_is_sent_in_a_message(any_client: Any, fake_server: FakeLinqServer, tmp_path: Path) -> None:
    chat = fake_server.create_chat([A])
    created = any_client.attachments.upload(_file(tmp_path, "menu.jpg", 40_000))
    sent = any_client.chats.messages.send(
        chat, [TextPart(value="Tonight:"), MediaPart(attachment_id=created.attachment_id)]
    )
    assert sent.message.parts[1] == MediaPart(attachment_id=created.attachment_id)
    assert fake_server.messages(chat)[-1]["parts"][1] == {"type": "media", "attachment_id": created.attachment_id}
    # Reusable: another chat, the same id, nothing uploaded again.
    other = fake_server.create_chat([A, "+14155550302"])
    any_client.chats.messages.send(other, MediaPart(attachment_id=created.attachment_id))
    assert fake_server.uploads(created.attachment_id) == 1


def test_media_parts_name_attachments_the_api_can_send(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    with pytest.raises(NotFoundError) as unknown:
        any_client.chats.messages.send(chat, MediaPart(attachment_id=str(uuid.uuid4())))
    assert unknown.value.code == 2003
    pending = any_client.attachments.create(content_type="image/gif", filename="a.gif", size_bytes=10)
    before = len(fake_server.requests)
    with pytest.raises(NotFoundError) as not_ready:
        any_client.chats.messages.send(chat, MediaPart(attachment_id=pending.attachment_id))
    assert not_ready.value.code == 2007
    assert len(fake_server.requests) - before == 3, "2007 is transient: retried"
    failed = fake_server.add_attachment(b"GIF89a", filename="b.gif", content_type="image/gif")
    fake_server.set_attachment_status(failed, "failed")
    with pytest.raises(InternalServerError) as broken:
        any_client.chats.messages.send(chat, MediaPart(attachment_id=failed))
    assert broken.value.code == 5001
    gone = fake_server.add_attachment(b"GIF89a", filename="c.gif", content_type="image/gif")
    any_client.attachments.delete(gone)
    with pytest.raises(NotFoundError, match="Attachment not found"):
        any_client.chats.messages.send(chat, MediaPart(attachment_id=gone))
    assert fake_server.messages(chat) == []


def test_bad_uploads_are_refused_before_anything_is_sent(
    any_client: Any, fake_server: FakeLinqServer, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: costs no disk
    unknown = _file(tmp_path, "tool.exe", 10)
    photo = _file(tmp_path, "photo.jpg", 10)
    refusals: list[tuple[Any, dict[str, Any], str]] = [
        (empty, {}, "empty file"),
        (huge, {}, "100 MB"),
        (unknown, {}, "content type"),
        (photo, {"content_type": "audio/ogg"}, "not a type Linq accepts"),
        (photo, {"filename": "x" * 300}, "1 to 255"),
        (photo, {"on_progress": "50%"}, "callable"),
        (photo, {"extra_query": {"a": object()}}, "query parameter"),
        (tmp_path, {}, "directory"),
        (b"raw bytes", {}, "path or a binary file"),
    ]
    for source, kwargs, reason in refusals:
        with pytest.raises(ValidationError, match=reason):
            any_client.attachments.upload(source, **kwargs)
    with (tmp_path / "notes.txt").open("w") as text, pytest.raises(ValidationError, match="binary mode"):
        any_client.attachments.upload(text)
    with pytest.raises(FileNotFoundError):
        any_client.attachments.upload(tmp_path / "missing.jpg")
    assert fake_server.requests == []


def test_the_target_refusing_is_a_typed_error(any_client: Any, fake_server: FakeLinqServer, tmp_path: Path) -> None:
    path = _file(tmp_path, "badge.png", 500_000)
    fake_server.inject("error", status=403, message="Access Denied", path="/_uploads/")
    with pytest.raises(UploadError) as info:
        any_client.attachments.upload(path)
    error = info.value
    assert isinstance(error, APIStatusError)
    assert (error.status, error.error_code, error.message) == (403, "AccessDenied", "Access Denied")
    assert error.trace_id and error.headers["x-amz-request-id"] == error.trace_id
    assert error.url is not None and "signature" not in error.url and "signature" not in str(error)
    assert "403 AccessDenied" in str(error)
    assert fake_server.attachment(error.attachment_id)["status"] == "pending"
    # A 503 after the bytes were sent is retried with the whole file again: the PUT is idempotent.
    fake_server.inject("error", status=503, message="Slow down", path="/_uploads/")
    created = any_client.attachments.upload(path)
    uploads = _uploads(fake_server)
    assert len(uploads) == 3
    assert fake_server.attachment(created.attachment_id)["status"] != "pending"


def test_errors_after_create_carry_the_attachment_id(
    any_client: Any, fake_server: FakeLinqServer, tmp_path: Path
) -> None:
    path = _file(tmp_path, "clip.mp4", 3 * CHUNK_SIZE)

    def stop(sent: int, total: int) -> None:
        raise GaveUp("user gave up")

    with pytest.raises(GaveUp) as info:
        any_client.attachments.upload(path, on_progress=stop)
    assert fake_server.attachment(info.value.attachment_id)["status"] == "pending"  # type: ignore[attr-defined]
    fake_server.inject("reset", 10, path="/_uploads/")  # retried until the policy gives up
    with pytest.raises(APIConnectionError) as dropped:
        any_client.attachments.upload(path)
    paths = [upload.path for upload in _uploads(fake_server)]
    assert paths.count(paths[-1]) == any_client.retry.max_retries + 1
    assert "signature" not in str(dropped.value)
    assert fake_server.attachment(dropped.value.attachment_id)["status"] == "pending"  # type: ignore[attr-defined]


class GaveUp(Exception):
    """A callback's own exception, raised through the upload as it is."""


def test_a_file_that_changes_during_the_upload_fails(
    any_client: Any, fake_server: FakeLinqServer, tmp_path: Path
) -> None:
    path = _file(tmp_path, "growing.csv", 4 * CHUNK_SIZE)

    def truncate(sent: int, total: int) -> None:
        os.truncate(path, sent)

    with pytest.raises(LinqError, match="changed during the upload"):
        any_client.attachments.upload(path, on_progress=truncate)


def test_options_reach_the_create_request_only(any_client: Any, fake_server: FakeLinqServer, tmp_path: Path) -> None:
    any_client.attachments.upload(_file(tmp_path, "a.heic", 100), extra_headers={"X-Team": "growth"}, timeout=30)
    create, put = fake_server.requests
    assert create.headers["X-Team"] == "growth"
    assert "X-Team" not in put.headers


def test_raw_mode_upload_returns_the_model(any_client: Any, fake_server: FakeLinqServer, tmp_path: Path) -> None:
    created = any_client.attachments.with_raw_response.upload(_file(tmp_path, "a.m4a", 100))
    assert isinstance(created, AttachmentCreateResponse)
    assert fake_server.attachment(created.attachment_id)["content_type"] == "audio/x-m4a"


def test_the_fake_accepts_every_supported_type() -> None:
    fake = FakeLinqServer()
    for content_type in SUPPORTED_CONTENT_TYPES:
        attachment = fake.add_attachment(b"x", filename="f", content_type=content_type)
        assert fake.attachment(attachment)["content_type"] == content_type
    with pytest.raises(ValidationError, match="not a type"):
        fake.add_attachment(b"x", content_type="application/x-msdownload")


async def test_the_target_sees_no_key_default_headers_or_signed_url_in_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="linq_async")
    async with (
        FakeLinqServer() as fake,
        AsyncLinqClient(
            fake.api_key, base_url=fake.base_url, default_headers={"X-Tenant": "t-1"}, default_query={"region": "eu"}
        ) as client,
    ):
        created = await client.attachments.upload(_file(tmp_path, "a.csv", 5000))
        create, put = fake.requests
    assert create.headers["X-Tenant"] == "t-1" and create.query["region"] == "eu"
    assert "X-Tenant" not in put.headers and "region" not in put.query
    assert set(put.headers) == {"Host", "Content-Type", "Content-Length", "User-Agent", "Accept", "Accept-Encoding"}
    signature = urllib.parse.parse_qs(urllib.parse.urlsplit(created.upload_url).query)["signature"][0]
    assert "upload PUT" in caplog.text
    assert signature not in caplog.text and fake.api_key not in caplog.text


# The upload core --------------------------------------------------------------------------------


async def test_an_upload_that_could_not_connect_is_retried(
    make_client: Callable[..., AsyncLinqClient], sleeps: Sleeps
) -> None:
    client = make_client(max_retries=3)
    started: list[int] = []

    def body() -> AsyncIterator[bytes]:
        async def chunks() -> AsyncIterator[bytes]:
            started.append(1)
            yield b"abc"

        return chunks()

    never = lambda raw, url: AssertionError("no answer expected")  # noqa: E731
    with pytest.raises(APIConnectionError) as info:
        await client._upload("http://127.0.0.1:9/bucket/key?X-Amz-Signature=secret", {}, body, 3, refused=never)
    assert started == [], "nothing was read: every attempt failed before sending"
    assert len(sleeps) == 3
    assert "secret" not in str(info.value) and info.value.url == "http://127.0.0.1:9/bucket/key"


async def test_an_upload_of_the_wrong_size_is_abandoned(fake_server: FakeLinqServer, sleeps: Sleeps) -> None:
    async with AsyncLinqClient(
        fake_server.api_key, base_url=fake_server.base_url, retry=RetryPolicy(sleep=sleeps)
    ) as client:
        created = await client.attachments.create(content_type="text/plain", filename="a.txt", size_bytes=5)

        async def short() -> AsyncIterator[bytes]:
            yield b"abc"

        with pytest.raises(LinqError, match="ended after 3 of the 5 bytes"):
            await client._upload(created.upload_url, created.required_headers, short, 5, refused=lambda r, u: None)  # type: ignore[arg-type,return-value]
        with pytest.raises(ValidationError, match="Content-Length"):
            await client._upload(created.upload_url, {"Content-Length": "4"}, short, 5, refused=lambda r, u: None)  # type: ignore[arg-type,return-value]
    assert fake_server.attachment(created.attachment_id)["status"] == "pending"


async def test_an_upload_url_that_is_not_https_is_not_used(
    client: AsyncLinqClient, api: ScriptedAPI, tmp_path: Path
) -> None:
    api.reply(
        200,
        {"attachment_id": ATTACHMENT, "upload_url": "http://uploads.example.com/x", "required_headers": {}},
    )
    with pytest.raises(LinqError, match="not https") as info:
        await client.attachments.upload(_file(tmp_path, "a.png", 10))
    assert info.value.attachment_id == ATTACHMENT  # type: ignore[attr-defined]
    assert [s.method for s in api.seen] == ["POST"]


# The fake's upload target, seen from outside the client ---------------------------------------------


async def test_the_fakes_target_checks_what_s3_checks() -> None:
    async with FakeLinqServer() as fake, AsyncLinqClient(fake.api_key, base_url=fake.base_url) as client:
        created = await client.attachments.create(content_type="image/jpeg", filename="a.jpg", size_bytes=4)
        url = created.upload_url
        async with aiohttp.ClientSession() as session:

            async def put(target: str, headers: dict[str, str], data: bytes) -> tuple[int, str]:
                async with session.put(target, headers=headers, data=data) as response:
                    return response.status, await response.text()

            jpeg = {"Content-Type": "image/jpeg"}
            assert (await put(url, {"Content-Type": "image/png"}, b"abcd"))[0] == 403
            assert "SignatureDoesNotMatch" in (await put(url, {}, b"abcd"))[1]
            assert "IncompleteBody" in (await put(url, jpeg, b"abc"))[1]
            assert "EntityTooLarge" in (await put(url, jpeg, b"abcde"))[1]
            assert "AccessDenied" in (await put(url.replace("signature=", "signature=0"), jpeg, b"abcd"))[1]
            assert fake.attachment(created.attachment_id)["status"] == "pending"
            assert (await put(url, jpeg, b"abcd"))[0] == 200, "no bearer key needed: the URL is signed"
            assert fake.attachment_bytes(created.attachment_id) == b"abcd"
            fake.expire_upload(created.attachment_id)
            assert "expired" in (await put(url, jpeg, b"abcd"))[1]


# Prism: the February 2026 spec has create and retrieve -------------------------------------------------


@pytest.mark.prism
async def test_attachment_calls_conform(
    prism_client: Callable[..., AsyncLinqClient], violations: ViolationRecorder
) -> None:
    client = prism_client()
    created = await client.attachments.create(content_type="image/jpeg", filename="photo.jpg", size_bytes=1024000)
    assert created.attachment_id and created.upload_url
    found = await client.attachments.retrieve(ATTACHMENT)
    assert found.id
    assert [s for _, _, s in violations.exchanges] == [200, 200]
    assert violations.violations == []
