"""Error answers and broken answers become typed errors carrying Linq's code and trace id."""

from __future__ import annotations

import json
import math
import pickle
from collections.abc import AsyncIterator, Callable

import pytest

from linq_async import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncLinqClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    Headers,
    InternalServerError,
    LinqError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnexpectedRedirectError,
    UnprocessableEntityError,
    UnreadableResponseError,
)
from linq_async._errors import error_from_response

from .helpers import CHAT, TRACE, ScriptedAPI, envelope, start

DOC = "https://docs.linqapp.com/error/codes/1xxx/1002/"

# The error examples of the Linq docs, as documented (409/2013 has no "success", no trace_id).
DOC_EXAMPLES = [
    pytest.param(
        400,
        {
            "success": False,
            "error": {"status": 400, "code": 1002, "message": "Phone number must be in E.164 format", "doc_url": DOC},
            "trace_id": TRACE,
        },
        BadRequestError,
        1002,
        TRACE,
        1,
        id="400/1002",
    ),
    pytest.param(
        401,
        {
            "success": False,
            "error": {"status": 401, "code": 2004, "message": "Unauthorized - missing or invalid authentication token"},
        },
        AuthenticationError,
        2004,
        "h" * 32,
        1,
        id="401/2004-trace-from-header",
    ),
    pytest.param(
        404,
        {"success": False, "error": {"status": 404, "code": 2001, "message": "Resource not found"}, "trace_id": TRACE},
        NotFoundError,
        2001,
        TRACE,
        1,
        id="404/2001",
    ),
    pytest.param(
        409,
        {"error": {"status": 409, "code": 2013, "message": "This chat is unavailable"}},
        ConflictError,
        2013,
        "h" * 32,
        1,
        id="409/2013-no-success",
    ),
    pytest.param(
        500,
        {
            "success": False,
            "error": {"status": 500, "code": 3006, "message": "Internal server error"},
            "trace_id": TRACE,
        },
        InternalServerError,
        3006,
        TRACE,
        3,
        id="500/3006-retried",
    ),
]


@pytest.mark.parametrize(("status", "body", "cls", "code", "trace", "requests"), DOC_EXAMPLES)
async def test_documented_errors_map_to_classes(
    client: AsyncLinqClient,
    api: ScriptedAPI,
    status: int,
    body: dict[str, object],
    cls: type[APIStatusError],
    code: int,
    trace: str,
    requests: int,
) -> None:
    api.reply(status, body, headers={"X-Trace-ID": "h" * 32}, times=3)

    with pytest.raises(cls) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")

    error = info.value
    assert type(error) is cls
    assert (error.status, error.status_code, error.code, error.trace_id) == (status, status, code, trace)
    assert error.message == body["error"]["message"]  # type: ignore[index]
    assert error.body == body
    assert error.headers["x-trace-id"] == "h" * 32
    assert error.method == "POST"
    assert error.url is not None and error.url.endswith(f"/v3/chats/{CHAT}/participants")
    assert f"{status} code {code}: " in str(error)
    assert f"trace_id={trace}" in str(error)
    assert len(api.seen) == requests


async def test_doc_url_is_kept(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(400, envelope(400, 1002, doc_url=DOC))
    with pytest.raises(BadRequestError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.doc_url == DOC


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (403, PermissionDeniedError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
        (503, InternalServerError),
    ],
)
async def test_status_classes(
    client: AsyncLinqClient, api: ScriptedAPI, status: int, cls: type[APIStatusError]
) -> None:
    api.reply(status, envelope(status, 2005), times=3)
    with pytest.raises(cls) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert type(info.value) is cls
    assert info.value.code == 2005


async def test_429_carries_retry_after(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(max_retries=0)
    api.reply(429, envelope(429, 1007, "Rate limited. Try again in 45 seconds.", retry_after=45))
    with pytest.raises(RateLimitError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert (info.value.code, info.value.retry_after) == (1007, 45.0)


# Bodies that are not what was promised. Each must become a typed error, never a raw
# json/aiohttp/RecursionError/ValueError.
HOSTILE_BODIES = [
    pytest.param(b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", id="html"),
    pytest.param(b'{"message": "Participant addition que', "application/json", id="truncated-json"),
    pytest.param(b"{not json at all", "application/json", id="invalid-json"),
    pytest.param(b'[{"status": "accepted"}]', "application/json", id="json-list"),
    pytest.param(b'"accepted"', "application/json", id="json-string"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", id="nested-100000"),
    pytest.param(b'{"status": ' + b"9" * 5000 + b"}", "application/json", id="5000-digit-number"),
    pytest.param(b'{"status": NaN}', "application/json", id="nan"),
    pytest.param(b"\xff\xfe\xfd garbage", "application/octet-stream", id="invalid-utf8"),
    pytest.param(b'{"message": {"nested": "object"}, "status": 5}', "application/json", id="wrong-types"),
]
# A JSON object of the wrong shape is read leniently (below), and so is one holding a 5,000-digit number
# (legal JSON: read as infinity, named in invalid_fields); every other hostile success body is unreadable.
UNREADABLE_SUCCESS = [param for param in HOSTILE_BODIES if param.id not in ("wrong-types", "5000-digit-number")]


async def test_a_success_body_of_the_wrong_shape_is_read_leniently(
    client: AsyncLinqClient, api: ScriptedAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """The change happened (202): never an exception because of the answer's shape; what fits is kept."""
    api.reply_bytes(202, b'{"message": {"nested": "object"}, "status": 5}', headers={"X-Trace-ID": "c" * 32})
    answer = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert answer.message is None and answer.status == "5"
    assert answer.invalid_fields == (
        "message: expected a string, got dict",
        "status: expected a string, got int (read as '5')",
    )
    assert answer.extra == {"message": {"nested": "object"}, "status": 5}
    assert answer.trace_id == "c" * 32
    assert "does not fit ParticipantAddResponse" in caplog.text
    assert len(api.seen) == 1


async def test_a_success_body_with_a_5000_digit_number_is_read_leniently(
    client: AsyncLinqClient, api: ScriptedAPI
) -> None:
    api.reply_bytes(202, b'{"status": ' + b"9" * 5000 + b', "message": "queued"}')
    answer = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert answer.message == "queued" and answer.status is None
    assert [problem.split(":")[0] for problem in answer.invalid_fields] == ["status"]
    assert answer.extra == {"status": math.inf}
    assert len(api.seen) == 1


@pytest.mark.parametrize(("body", "content_type"), UNREADABLE_SUCCESS)
async def test_hostile_success_bodies(
    client: AsyncLinqClient, api: ScriptedAPI, body: bytes, content_type: str
) -> None:
    api.reply_bytes(202, body, content_type=content_type, headers={"X-Trace-ID": "c" * 32})
    with pytest.raises(APIResponseValidationError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    error = info.value
    assert error.status == 202
    assert error.trace_id == "c" * 32
    assert len(api.seen) == 1, "an unreadable success is not retried: the change may have been applied"
    str(error), repr(error)


@pytest.mark.parametrize(("body", "content_type"), HOSTILE_BODIES)
@pytest.mark.parametrize(("status", "cls"), [(400, BadRequestError), (502, InternalServerError)])
async def test_hostile_error_bodies(
    make_client: Callable[..., AsyncLinqClient],
    api: ScriptedAPI,
    body: bytes,
    content_type: str,
    status: int,
    cls: type[APIStatusError],
) -> None:
    client = make_client(max_retries=0)
    api.reply_bytes(status, body, content_type=content_type, headers={"X-Trace-ID": "c" * 32})
    with pytest.raises(cls) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.status == status
    assert info.value.trace_id == "c" * 32
    str(info.value), repr(info.value)


async def test_html_502_keeps_text_and_has_no_code(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI
) -> None:
    client = make_client(max_retries=0)
    api.reply_bytes(502, b"<html>Bad Gateway</html>", content_type="text/html")
    with pytest.raises(InternalServerError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.code is None
    assert info.value.body == "<html>Bad Gateway</html>"
    assert info.value.message == "Bad Gateway"


async def test_oversized_body_is_refused(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(max_response_bytes=1024, max_retries=0)
    api.reply_bytes(202, b'{"message": "' + b"x" * 4096 + b'"}')
    with pytest.raises(UnreadableResponseError, match="limit"):
        await client.chats.participants.add(CHAT, handle="+14155550100")


async def test_oversized_chunked_body_is_refused(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(max_response_bytes=1024, max_retries=0)
    api.reply_raw(
        b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"800\r\n"
        + b"x" * 2048
        + b"\r\n0\r\n\r\n"
    )
    with pytest.raises(UnreadableResponseError, match="limit"):
        await client.chats.participants.add(CHAT, handle="+14155550100")


async def test_chunked_body_under_the_limit_is_read(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    body = json.dumps({"status": "accepted"}).encode()
    api.reply_raw(
        b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{len(body):x}\r\n".encode()
        + body
        + b"\r\n0\r\n\r\n"
    )
    result = await client.chats.participants.add(CHAT, handle="+14155550100")
    assert result.status == "accepted"


TRANSPORT_FAULTS = [
    pytest.param("drop", APIConnectionError, "closed the connection", id="dropped"),
    pytest.param("truncated", UnreadableResponseError, "cut off", id="truncated"),  # a 202: applied
    pytest.param("garbled", APIConnectionError, "invalid HTTP answer", id="bad-status-line"),
]


@pytest.mark.parametrize(("fault", "cls", "text"), TRANSPORT_FAULTS)
async def test_transport_faults(
    make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI, fault: str, cls: type[LinqError], text: str
) -> None:
    client = make_client(max_retries=0)
    if fault == "drop":
        api.drop()
    elif fault == "truncated":
        api.truncated()
    else:
        api.reply_raw(b"HTTX/9.9 OOPS\r\n\r\n")
    with pytest.raises(cls, match=text) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


async def test_connection_refused() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AsyncLinqClient("sk_x", base_url=f"http://127.0.0.1:{port}", max_retries=0) as client:
        with pytest.raises(APIConnectionError, match="could not connect") as info:
            await client.chats.participants.add(CHAT, handle="+14155550100")
    assert not isinstance(info.value, APITimeoutError)


@pytest.fixture
async def elsewhere() -> AsyncIterator[ScriptedAPI]:
    """A second origin: a redirect target that must never be reached."""
    other = ScriptedAPI()
    server = await start(other)
    yield other
    await server.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("same_origin", [True, False])
async def test_redirects_are_never_followed(
    client: AsyncLinqClient, api: ScriptedAPI, elsewhere: ScriptedAPI, status: int, same_origin: bool
) -> None:
    target = (api.base_url if same_origin else elsewhere.base_url) + "/v3/other"
    api.reply_bytes(status, b"", headers={"Location": target})

    with pytest.raises(UnexpectedRedirectError) as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")

    assert info.value.status == status
    assert info.value.location == target
    assert len(api.seen) == 1
    assert elsewhere.seen == []


def test_errors_survive_pickling() -> None:
    error = error_from_response(
        409,
        {"X-Trace-ID": "t" * 32, "Content-Type": "application/json"},
        json.dumps(envelope(409, 2013, "This chat is unavailable")).encode(),
        method="POST",
        url="https://x/v3",
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ConflictError
    assert (copy.status, copy.code, copy.trace_id, copy.message, copy.url) == (
        409,
        2013,
        TRACE,
        error.message,
        "https://x/v3",
    )
    assert copy.headers["content-type"] == "application/json"
    assert str(copy) == str(error)


def test_headers_are_case_insensitive_and_join_repeats() -> None:
    headers = Headers([("X-Trace-ID", "a"), ("Vary", "Accept"), ("vary", "Origin")])
    assert headers["x-trace-id"] == "a"
    assert headers["VARY"] == "Accept, Origin"
    assert "X-TRACE-ID" in headers
    assert 1 not in headers
    assert sorted(headers) == ["Vary", "X-Trace-ID"]
    assert len(headers) == 2


def test_error_envelope_fields_of_the_wrong_type_are_ignored() -> None:
    body = {
        "error": {"status": "x", "code": True, "message": ["no"], "doc_url": 5, "retry_after": "soon"},
        "trace_id": 7,
    }
    error = error_from_response(400, {}, json.dumps(body).encode(), reason="Bad Request")
    assert (error.code, error.message, error.doc_url, error.retry_after, error.trace_id) == (
        None,
        "Bad Request",
        None,
        None,
        None,
    )


def test_error_code_given_as_a_string() -> None:
    error = error_from_response(404, {}, b'{"error": {"code": "2001", "message": "Chat not found"}}')
    assert (type(error), error.code) == (NotFoundError, 2001)


def test_long_server_messages_are_shortened_in_str() -> None:
    error = error_from_response(400, {}, json.dumps(envelope(400, 1005, "x" * 5000)).encode())
    assert len(str(error)) < 400
    assert error.message == "x" * 5000


async def test_a_404_without_a_linq_envelope_says_the_url_does_not_look_like_the_api(
    client: AsyncLinqClient, api: ScriptedAPI
) -> None:
    api.reply_bytes(404, b"<html>Not Found</html>", content_type="text/html")
    with pytest.raises(NotFoundError, match="does not look like the Linq API") as info:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert info.value.code is None
    assert "/v3/chats/" in str(info.value)
    api.reply(404, envelope(404, 2001, "Chat not found"))
    with pytest.raises(NotFoundError) as real:
        await client.chats.participants.add(CHAT, handle="+14155550100")
    assert "does not look" not in str(real.value)
    assert real.value.code == 2001
