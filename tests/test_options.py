"""Per-call options (extra_headers, extra_query, extra_body, timeout) and raw responses, on both clients.

Every endpoint's wire case (``tests/resources/*``'s ``WIRE``) is run once more with all the options,
through both clients and through linq-python, so a new endpoint is covered without a line of its own.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest

from linq_async import (
    APIResponse,
    APITimeoutError,
    AsyncLinqClient,
    ConflictError,
    Page,
    ParticipantAddResponse,
    SyncLinqClient,
    ValidationError,
)

from .helpers import ADD_OK, CHAT, KEY, TRACE, ScriptedAPI, envelope
from .wire import WireCase, all_cases, answer, call_official, call_ours, compare, resolve

HANDLE = "+14155550100"
OPTIONS: dict[str, Any] = {
    "extra_headers": {"X-Linq-Test": "yes"},
    "extra_query": {"probe": "1"},
    "extra_body": {"probe_field": [1, "two"]},
}


def _seen(api: ScriptedAPI, index: int = -1) -> tuple[dict[str, str], dict[str, list[str]], Any]:
    seen = api.seen[index]
    return seen.headers, urllib.parse.parse_qs(seen.query), json.loads(seen.body) if seen.body else None


@pytest.mark.parametrize("case", [case.param() for case in all_cases()])
def test_every_option_reaches_the_wire(case: WireCase, recorded: Any, recorder: ScriptedAPI, official: Any) -> None:
    options = dict(OPTIONS)
    answer(recorder, case)
    try:
        call_ours(recorded, case, **options, timeout=30)
    except ValidationError as exc:  # a GET takes no body: refused, never dropped
        refused = str(exc)
        assert recorder.seen == []
        del options["extra_body"]
        call_ours(recorded, case, **options, timeout=30)
        assert recorder.seen[-1].method == "GET"
        assert "GET" in refused
    headers, query, body = _seen(recorder)
    assert headers["X-Linq-Test"] == "yes"
    assert query["probe"] == ["1"]
    if "extra_body" in options:
        assert body["probe_field"] == [1, "two"]
    # linq-python sends the same request for the same options.
    call_official(official.with_options(base_url=recorder.base_url), case, **options, timeout=30)
    compare(recorder.seen[-2], recorder.seen[-1])
    assert recorder.seen[-1].headers["X-Linq-Test"] == "yes"


def test_options_survive_a_retry(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply(500, envelope(500, 3006))
    recorded.chats.participants.add(CHAT, handle=HANDLE, **OPTIONS)
    assert len(recorder.seen) == 2
    for index in (0, 1):
        headers, query, body = _seen(recorder, index)
        assert headers["X-Linq-Test"] == "yes"
        assert query == {"probe": ["1"]}
        assert body == {"handle": HANDLE, "probe_field": [1, "two"]}
    assert recorder.seen[0].body == recorder.seen[1].body


def test_extra_headers_replace_and_remove_headers_the_sdk_sets(recorded: Any, recorder: ScriptedAPI) -> None:
    recorded.chats.participants.add(CHAT, handle=HANDLE, extra_headers={"user-agent": "mine/1", "Accept": None})
    headers = {k.lower(): v for k, v in recorder.seen[0].headers.items()}
    assert headers["user-agent"] == "mine/1"
    assert "accept" not in headers or headers["accept"] == "*/*"  # aiohttp's default when none is given
    assert headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"extra_body": {"handle": "+14155550199"}}, "already sends"),
        ({"extra_headers": {"Authorization": "Bearer other"}}, "Authorization"),
        ({"extra_headers": {"authorization": "Bearer other"}}, "Authorization"),
        ({"extra_headers": {"X-Bad": "a\r\nInjected: 1"}}, "CR, LF"),
        ({"extra_headers": {"X-Bad": "a\nb"}}, "CR, LF"),
        ({"extra_headers": {"X-Bad": "a\x7fb"}}, "control character"),
        ({"extra_headers": {"X-Bad": "a\x01b"}}, "control character"),
        ({"extra_headers": {"X-Bad": "a\x0bb"}}, "control character"),
        ({"extra_headers": {"Content-Length": "2"}}, "frames the request"),
        ({"extra_headers": {"transfer-encoding": "chunked"}}, "frames the request"),
        ({"extra_headers": {"Host": "elsewhere.example"}}, "frames the request"),
        ({"extra_headers": {"Bad Name": "x"}}, "invalid header name"),
        ({"extra_headers": {"X-Num": 3}}, "must be a string"),
        ({"extra_headers": ["X-A"]}, "mapping"),
        ({"extra_body": "text"}, "mapping"),
        ({"extra_body": {"when": object()}}, "JSON"),
        ({"extra_query": {"x": object()}}, "query parameter"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"handel": HANDLE}, "unexpected keyword argument 'handel'"),
    ],
)
def test_bad_options_are_refused_with_nothing_sent(
    recorded: Any, recorder: ScriptedAPI, kwargs: dict[str, Any], reason: str
) -> None:
    call = dict(kwargs)
    call.setdefault("handle", HANDLE)
    with pytest.raises(ValidationError, match=reason):
        recorded.chats.participants.add(CHAT, **call)
    assert recorder.seen == []


def test_extra_query_cannot_override_a_parameter_the_sdk_sets(recorded: Any, recorder: ScriptedAPI) -> None:
    with pytest.raises(ValidationError, match="already sends"):
        recorded.chats.list_chats(limit=10, extra_query={"limit": "5"}).first_page()
    with pytest.raises(ValidationError, match="GET"):
        recorded.chats.list_chats(extra_body={"x": 1}).first_page()
    assert recorder.seen == []


def test_a_per_call_timeout_applies_to_that_call_only(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply(202, ADD_OK, delay=1.0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match=r"0\.2s"):
        recorded.with_options(max_retries=0).chats.participants.add(CHAT, handle=HANDLE, timeout=0.2)
    assert time.monotonic() - started < 0.9
    recorder.reply(202, ADD_OK, delay=0.3)
    assert recorded.chats.participants.add(CHAT, handle=HANDLE, timeout=None).status == "accepted"


def test_batches_apply_the_options_to_every_request(recorded: Any, recorder: ScriptedAPI) -> None:
    pairs = [(CHAT, f"+1415555{n:04d}") for n in range(5)]
    result = recorded.chats.participants.add_many(pairs, extra_headers={"X-Linq-Test": "batch"}, extra_query={"b": "1"})
    assert result.succeeded_count == 5
    assert [s.headers["X-Linq-Test"] for s in recorder.seen] == ["batch"] * 5
    with pytest.raises(ValidationError):
        recorded.chats.participants.add_many(pairs, extra_headers={"Authorization": "x"})


# Raw responses -------------------------------------------------------------------------------


def test_a_raw_202_carries_status_headers_request_and_parses(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply(202, ADD_OK, headers={"X-Trace-ID": TRACE})
    raw = recorded.chats.participants.with_raw_response.add(CHAT, handle=HANDLE)
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 202
    assert raw.headers["x-trace-id"] == TRACE == raw.trace_id
    assert raw.http_request.method == "POST"
    assert raw.http_request.url.endswith(f"/v3/chats/{CHAT}/participants")
    assert KEY not in repr(raw) and KEY not in repr(raw.http_request) and KEY not in raw.http_request.url
    assert raw.retries_taken == 0
    parsed = raw.parse()
    assert isinstance(parsed, ParticipantAddResponse)
    assert parsed.status == "accepted"
    assert raw.parse() is parsed
    assert json.loads(raw.content) == ADD_OK
    # linq-python's reading methods, plain calls on the sync client
    assert json.loads(raw.read()) == ADD_OK == raw.json() == json.loads(raw.text())
    assert "".join(raw.iter_text(7)) == raw.text() and b"".join(raw.iter_bytes(5)) == raw.read()
    assert list(raw.iter_lines()) == raw.text().splitlines()
    assert raw.http_request.headers["authorization"] == "<redacted>"
    assert raw.http_request.headers["content-type"] == "application/json"
    assert raw.elapsed.total_seconds() > 0 and raw.is_closed and raw.http_version == "HTTP/1.1"
    raw.close()


async def test_the_async_raw_response_reads_by_await(api: ScriptedAPI, client: AsyncLinqClient) -> None:
    api.reply(202, ADD_OK)
    raw = await client.chats.participants.with_raw_response.add(CHAT, handle=HANDLE)
    assert await raw.json() == ADD_OK == json.loads(await raw.read()) == json.loads(await raw.text())
    assert [chunk async for chunk in raw.iter_bytes(4)] == list(raw._blocking().iter_bytes(4))
    assert "".join([text async for text in raw.iter_text()]) == await raw.text()
    assert [line async for line in raw.iter_lines()] == (await raw.text()).splitlines()
    assert isinstance(await raw.parse(), ParticipantAddResponse)
    await raw.close()


def test_an_error_keeps_the_answer_as_exc_response(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply(409, envelope(409, 2013, "This chat is unavailable"), headers={"X-Trace-ID": TRACE})
    with pytest.raises(ConflictError) as info:
        recorded.chats.participants.add(CHAT, handle=HANDLE)
    response = info.value.response
    assert response.status_code == 409 and response.headers["x-trace-id"] == TRACE
    assert response.json() == envelope(409, 2013, "This chat is unavailable") == json.loads(response.text)
    assert json.loads(response.content) == response.json()
    assert response.method == "POST" and response.url is not None and response.url.endswith("/participants")
    assert (
        (info.value.request.method, info.value.request.url)
        == ("POST", response.url)
        == (
            response.request.method,
            response.request.url,
        )
    )
    assert KEY not in repr(response)


def test_raw_responses_count_retries_and_still_raise_errors(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply(500, envelope(500, 3006))
    raw = recorded.chats.with_raw_response.participants.add(CHAT, handle=HANDLE)
    assert raw.retries_taken == 1
    recorder.reply(409, envelope(409, 2013, "This chat is unavailable"))
    with pytest.raises(ConflictError) as info:
        recorded.chats.participants.with_raw_response.add(CHAT, handle=HANDLE)
    assert info.value.code == 2013


def test_raw_responses_of_a_list_and_of_a_204(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply(200, {"chats": [], "next_cursor": "20"})
    page = recorded.chats.with_raw_response.list_chats(limit=20).parse()
    assert isinstance(page, Page)
    assert page.next_cursor == "20"
    assert page.chats == ()  # linq-python's name for the page's items
    recorder.reply_bytes(204, b"")
    raw = recorded.chats.typing.with_raw_response.start(CHAT)
    assert raw.status_code == 204
    assert raw.parse() is None


def test_with_raw_response_keeps_the_resource_shape(recorded: Any) -> None:
    raw_chats = recorded.chats.with_raw_response
    assert "raw responses" in repr(raw_chats)
    assert "raw responses" in repr(raw_chats.participants)
    assert "raw responses" not in repr(recorded.chats.participants)


# The harness itself --------------------------------------------------------------------------


def test_the_wire_comparison_sees_a_difference(recorder: ScriptedAPI, official: Any) -> None:
    """Guard: a wire test that cannot fail proves nothing."""
    from .wire import check_wire

    for case in [
        WireCase("chats.update", (CHAT,), {"display_name": "Team"}, ours_kwargs={"display_name": "Tean"}),
        WireCase("chats.list_chats", kwargs={"limit": 10}, ours_kwargs={"limit": 11}),
        WireCase("chats.typing.start", (CHAT,), status=204, ours="chats.typing.stop"),
    ]:
        recorder.seen.clear()
        with pytest.raises(AssertionError):
            check_wire(case, recorder, official)


def test_resolve_follows_dotted_names(recorded: Any) -> None:
    assert resolve(recorded, "chats.participants.add") is not None


# Client-wide defaults, as linq-python's constructor takes them ------------------------------


def test_default_headers_and_query_go_on_every_request(recorder: ScriptedAPI) -> None:
    with SyncLinqClient(
        KEY, base_url=recorder.base_url, default_headers={"X-Team": "growth"}, default_query={"env": "test"}
    ) as client:
        client.chats.participants.add(CHAT, handle=HANDLE)
        client.chats.list_chats(limit=5).first_page()
    assert [s.headers["X-Team"] for s in recorder.seen] == ["growth", "growth"]
    assert [urllib.parse.parse_qs(s.query)["env"] for s in recorder.seen] == [["test"], ["test"]]
    for bad in ({"Authorization": "x"}, {"X-A": "b\r\nc"}, {"X A": "b"}):
        with pytest.raises(ValidationError):
            SyncLinqClient(KEY, default_headers=bad)
    with pytest.raises(ValidationError):
        SyncLinqClient(KEY, default_query={"when": object()})


def test_the_webhook_secret_comes_from_the_environment_and_stays_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "whsec_" + "c2VjcmV0c2VjcmV0c2VjcmV0"
    monkeypatch.setenv("LINQ_WEBHOOK_SECRET", secret)
    client = AsyncLinqClient(KEY)
    assert client.webhook_secret == secret
    assert secret not in repr(client) and secret not in repr(client._conn.__dict__)
    assert AsyncLinqClient(KEY, webhook_secret="whsec_b3RoZXI=").webhook_secret == "whsec_b3RoZXI="
    with SyncLinqClient(KEY) as sync_client:
        assert sync_client.webhook_secret == secret


def test_a_batch_refuses_a_bad_header_before_sending_anything(recorded: Any, recorder: ScriptedAPI) -> None:
    with pytest.raises(ValidationError, match="control character"):
        recorded.chats.participants.add_many([(CHAT, HANDLE)], extra_headers={"X-Bad": "a\x7fb"})
    assert recorder.seen == []


def test_a_tab_in_a_header_value_is_sent(recorded: Any, recorder: ScriptedAPI) -> None:
    recorded.chats.participants.add(CHAT, handle=HANDLE, extra_headers={"X-Tab": "a\tb"})
    assert recorder.seen[0].headers["X-Tab"] == "a\tb"
