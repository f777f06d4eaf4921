"""``with_options``/``copy``: a client with some settings replaced, on the same sessions, on both clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from linq_async import NOT_GIVEN, AsyncLinqClient, RetryPolicy, SyncLinqClient, Timeout, ValidationError

from .clients import either_client
from .helpers import ADD_OK, CHAT, KEY, ScriptedAPI, Sleeps

HANDLE = "+14155550100"
OTHER_KEY = "sk_test_other_tenant_0123"


@pytest.fixture(params=["async", "sync"])
def recorded(request: pytest.FixtureRequest, recorder: ScriptedAPI, sleeps: Sleeps) -> Iterator[Any]:
    options = {"retry": RetryPolicy(sleep=sleeps), "default_headers": {"X-Team": "a"}, "default_query": {"team": "a"}}
    yield from either_client(request.param, KEY, recorder.base_url, **options)


def _add(client: Any, recorder: ScriptedAPI) -> tuple[dict[str, str], str, str]:
    recorder.reply(202, ADD_OK)
    client.chats.participants.add(CHAT, handle=HANDLE)
    seen = recorder.seen[-1]
    return {k.lower(): v for k, v in seen.headers.items()}, seen.path, seen.query


def test_a_copy_with_another_key_sends_it_and_leaves_the_client_alone(recorded: Any, recorder: ScriptedAPI) -> None:
    other = recorded.with_options(api_key=OTHER_KEY)
    headers, _, _ = _add(other, recorder)
    assert headers["authorization"] == f"Bearer {OTHER_KEY}"
    assert headers["x-team"] == "a"
    assert headers["user-agent"].startswith("linq-async/")
    headers, _, _ = _add(recorded, recorder)
    assert headers["authorization"] == f"Bearer {KEY}"
    assert other.api_key == OTHER_KEY and repr(other.api_key) == "'<redacted>'"
    assert recorded.api_key == KEY


def test_copy_is_with_options_and_shares_the_connections(recorded: Any, recorder: ScriptedAPI) -> None:
    other = recorded.copy(api_key=OTHER_KEY, base_url=recorder.base_url + "/v9")
    _add(recorded, recorder)
    _, path, _ = _add(other, recorder)
    assert path.endswith(f"/v9/v3/chats/{CHAT}/participants")
    assert len({s.peer for s in recorder.seen}) == 1, "both went over one pooled connection"
    other.close()
    assert recorded.closed


def test_default_headers_and_query_merge_and_set_replaces(recorded: Any, recorder: ScriptedAPI) -> None:
    headers, _, query = _add(
        recorded.with_options(default_headers={"X-Run": "1"}, default_query={"run": "1"}), recorder
    )
    assert (headers["x-team"], headers["x-run"]) == ("a", "1")
    assert sorted(query.split("&")) == ["run=1", "team=a"]
    headers, _, query = _add(
        recorded.with_options(set_default_headers={"X-Run": "2"}, set_default_query={"run": "2"}), recorder
    )
    assert "x-team" not in headers and headers["x-run"] == "2"
    assert headers["accept"] == "application/json" and headers["authorization"] == f"Bearer {KEY}"
    assert query == "run=2"


def test_timeout_none_means_no_limit_in_the_constructor_and_in_a_copy(recorder: ScriptedAPI) -> None:
    with SyncLinqClient(KEY, base_url=recorder.base_url, timeout=0.2, max_retries=0) as client:
        assert client.with_options(timeout=None).timeout == Timeout(total=None, connect=None)
        assert client.with_options(max_retries=1).timeout.total == 0.2, "left out: unchanged"
        assert client.with_options(timeout=NOT_GIVEN).timeout.total == 0.2 and not NOT_GIVEN
        recorder.reply(202, ADD_OK, delay=0.4)
        client.with_options(timeout=None).chats.participants.add(CHAT, handle=HANDLE)
        assert client.max_retries == 0 and client.with_options(max_retries=3).max_retries == 3
    with SyncLinqClient(KEY, base_url=recorder.base_url, timeout=None) as client:
        assert client.timeout == Timeout(total=None, connect=None)


def test_a_webhook_secret_given_to_a_copy(recorder: ScriptedAPI) -> None:
    client = AsyncLinqClient(KEY, base_url=recorder.base_url, webhook_secret="whsec_AAAA")
    assert client.with_options(webhook_secret="whsec_BBBB").webhook_secret == "whsec_BBBB"
    assert client.with_options(max_retries=0).webhook_secret == "whsec_AAAA"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"default_headers": {"X-A": "1"}, "set_default_headers": {"X-A": "2"}}, "not both"),
        ({"default_query": {"a": "1"}, "set_default_query": {"a": "2"}}, "not both"),
        ({"api_key": "sk bad"}, "API key"),
        ({"base_url": "http://api.example.com"}, "https"),
        ({"base_url": "ftp://api.example.com"}, "https://"),
        ({"default_headers": {"Authorization": "Bearer x"}}, "Authorization"),
        ({"default_headers": {"Content-Length": "3"}}, "frames the request"),
        ({"webhook_secret": 5}, "webhook_secret"),
        ({"timeout": type("HttpxLike", (), {"connect": 1, "read": 1, "write": 1, "pool": 1})()}, "httpx.Timeout"),
    ],
)
def test_bad_copies_are_refused(kwargs: dict[str, Any], reason: str) -> None:
    client = AsyncLinqClient(KEY)
    with pytest.raises(ValidationError, match=reason):
        client.with_options(**kwargs)


def test_a_copy_cannot_change_the_scheme(recorder: ScriptedAPI) -> None:
    client = AsyncLinqClient(KEY, base_url=recorder.base_url)
    with pytest.raises(ValidationError, match="separate client"):
        client.with_options(base_url="https://api.linqapp.com/api/partner")


def test_a_lower_case_user_agent_replaces_ours_and_removals_carry_into_copies(recorder: ScriptedAPI) -> None:
    with SyncLinqClient(
        KEY, base_url=recorder.base_url, default_headers={"user-agent": "mine/1.0", "Accept": None}
    ) as client:
        for sender in (
            client,
            client.with_options(api_key=OTHER_KEY),
            client.with_options(default_headers={"X-A": "1"}),
        ):
            headers, _, _ = _add(sender, recorder)
            assert headers["user-agent"] == "mine/1.0"
            assert headers.get("accept") in (None, "*/*"), "the removal holds in every copy"
        recorder.reply(202, ADD_OK)
        raw = client.chats.participants.with_raw_response.add(CHAT, handle=HANDLE)
        assert raw.http_request.headers["user-agent"] == "mine/1.0"


def test_a_refused_copy_does_not_show_the_new_key_or_secret_in_traceback_locals() -> None:
    import traceback

    secret = "sk_live_NEWTENANT_4b1d"
    for client in (AsyncLinqClient(KEY), SyncLinqClient(KEY)):
        with pytest.raises(ValidationError) as info:
            client.with_options(api_key=secret, webhook_secret="whsec_" + secret, base_url="ftp://x")
        summary = traceback.TracebackException.from_exception(info.value, capture_locals=True)
        ours = [repr(frame.locals) for frame in summary.stack if "linq_async" in frame.filename]
        assert ours and not any(secret in text for text in ours)
