"""A request that may have reached the server is sent again only where a repeat changes nothing.

Every endpoint's wire case is called with the connection dropped after the request was read (the
server may have applied it). GET, PUT and DELETE, requests carrying an idempotency key, and the
POST/PATCH endpoints listed in ``REPEAT_SAFE`` are retried; every other POST/PATCH raises
``APIConnectionError`` with ``may_have_applied`` set, after one request. A new POST or PATCH
endpoint fails here until it is placed in one of the two sets below.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from linq_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncLinqClient,
    ConflictError,
    RetryPolicy,
    SyncLinqClient,
    UnreadableResponseError,
)
from linq_async.testing import FakeLinqServer

from .helpers import ADD_OK, CHAT, KEY, ScriptedAPI, Sleeps, envelope
from .wire import WireCase, all_cases, answer, call_ours

# POST/PATCH endpoints whose repetition has no further effect: they set a state, or only read.
REPEAT_SAFE = {
    "attachments.create",  # a second upload slot, never used, expires
    "blocked_handles.block",
    "capability.check_RCS",
    "capability.check_i_message",
    "chats.background.set",
    "chats.leave_chat",
    "chats.mark_as_read",
    "chats.participants.add",
    "chats.typing.start",
    "contact_card.update",
    "messages.update_sticker_placement",
    "payment_requests.cancel",
    "payments.cancel",
}
# POST/PATCH endpoints whose idempotency key (generated when not given) makes a repeat harmless.
KEYED = {
    "chats.create",
    "chats.messages.send",
    "chats.polls.create",
    "messages.create",
    "payment_requests.create",
    "payments.create",
}
# POST/PATCH endpoints a repeat would apply twice: a second message, edit, vote, subscription...
ONCE = {
    "chats.location.request",
    "chats.send_voicememo",
    "chats.share_contact_card",
    "contact_card.create",
    "messages.add_reaction",
    "messages.poll.add_options",
    "messages.poll.vote",
    "messages.update",
    "messages.update_app_card",
    "payment_handles.connect",
    "payment_handles.verify",
    "payment_providers.connect",
    "phone_numbers.start_reputation_audit",
    "webhook_subscriptions.create",
}


def _one_case_per_endpoint() -> list[Any]:
    seen: dict[str, WireCase] = {}
    for case in all_cases():
        seen.setdefault(case.name, case)
    return [case.param() for case in seen.values()]


def test_every_post_and_patch_endpoint_is_placed() -> None:
    assert not REPEAT_SAFE & KEYED and not REPEAT_SAFE & ONCE and not KEYED & ONCE
    names = {case.name for case in all_cases()}
    assert names >= REPEAT_SAFE | KEYED | ONCE, "a name below is not an endpoint with a wire case"


@pytest.mark.parametrize("case", _one_case_per_endpoint())
def test_a_dropped_connection_is_retried_only_where_a_repeat_is_safe(
    case: WireCase, recorded: Any, recorder: ScriptedAPI
) -> None:
    answer(recorder, case)
    recorder.drop()
    try:
        call_ours(recorded, case)
        failure = None
    except APIConnectionError as exc:
        failure = exc
    method = recorder.seen[0].method
    if method in ("GET", "PUT", "DELETE"):
        repeated = True
    else:
        placed = [s for s, names in (("safe", REPEAT_SAFE), ("keyed", KEYED), ("once", ONCE)) if case.name in names]
        assert placed, f"{method} {case.name}: decide whether a repeat is safe and add it to a set at the top"
        repeated = placed != ["once"]
        if placed == ["keyed"]:
            sent = recorder.seen[0]
            assert "idempotency" in (sent.body or b"").decode() + str(dict(sent.headers)).lower()
    if repeated:
        assert failure is None
        assert len(recorder.seen) == 2
        assert recorder.seen[0].body == recorder.seen[1].body
    else:
        assert isinstance(failure, APIConnectionError)
        assert failure.sent and failure.may_have_applied
        assert "not retried" in str(failure)
        assert len(recorder.seen) == 1


def test_a_failure_to_connect_is_retried_even_for_a_request_that_goes_out_once() -> None:
    # Nothing listens on the port: the request never left, so a repeat cannot apply it twice.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tries: list[float] = []

    async def counting(delay: float) -> None:
        tries.append(delay)

    policy = RetryPolicy(sleep=counting)
    with (
        SyncLinqClient(KEY, base_url=f"http://127.0.0.1:{port}", retry=policy) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.chats.send_voicememo(CHAT, voice_memo_url="https://example.com/memo.m4a")
    assert not caught.value.sent and not caught.value.may_have_applied
    assert len(tries) == 2, "both retries were made"


def test_a_timeout_after_the_server_applied_it_sends_a_voice_memo_once(any_client: Any, fake_server: Any) -> None:
    fake: FakeLinqServer = fake_server
    chat = fake.create_chat(["+14155550101", "+14155550102"])
    before = len(fake.messages(chat))
    fake.inject("slow", delay=0.4, path="/voicememo")
    with pytest.raises(APITimeoutError) as caught:
        any_client.chats.send_voicememo(chat, voice_memo_url="https://example.com/memo.m4a", timeout=0.1)
    assert caught.value.may_have_applied
    deadline = time.monotonic() + 3
    while len(fake.messages(chat)) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)  # a second copy would have arrived by now
    assert len(fake.messages(chat)) == before + 1
    assert len([r for r in fake.requests if r.path.endswith("/voicememo")]) == 1


def test_a_policy_may_choose_to_repeat_anyway(recorder: ScriptedAPI, sleeps: Sleeps) -> None:
    class Bold(RetryPolicy):
        def is_retryable(self, exc: BaseException) -> bool:
            return isinstance(exc, APIConnectionError) or super().is_retryable(exc)

    recorder.drop()
    recorder.reply(202, ADD_OK)
    with SyncLinqClient(KEY, base_url=recorder.base_url, retry=Bold(sleep=sleeps)) as client:
        client.messages.poll.add_options("3f1a1c1e-2d3b-4c5d-8e9f-0a1b2c3d4e5f", options=["c"])
    assert len(recorder.seen) == 2


MEMO = {"voice_memo_url": "https://example.com/memo.m4a"}


@pytest.mark.parametrize("answer", [(504, None), (502, None), (504, 3005)], ids=["504", "502", "504/3005"])
def test_a_gateway_giving_up_is_not_retried_for_a_request_that_goes_out_once(
    recorded: Any, recorder: ScriptedAPI, answer: tuple[int, int | None]
) -> None:
    status, code = answer
    if code is None:
        recorder.reply_bytes(status, b"<html>Gateway Timeout</html>", content_type="text/html")
    else:
        recorder.reply(status, envelope(status, code))
    with pytest.raises(APIStatusError) as caught:
        recorded.chats.send_voicememo(CHAT, **MEMO)
    assert caught.value.may_have_applied and "not retried" in str(caught.value)
    assert len(recorder.seen) == 1


def test_a_gateway_giving_up_is_retried_for_a_repeatable_request(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.reply_bytes(504, b"<html>Gateway Timeout</html>", content_type="text/html")
    recorded.chats.participants.add(CHAT, handle="+14155550100")
    assert len(recorder.seen) == 2


def test_a_server_error_with_a_linq_code_is_still_retried_for_a_request_that_goes_out_once(
    recorded: Any, recorder: ScriptedAPI
) -> None:
    recorder.reply(500, envelope(500, 3006))
    recorder.reply(200, {"message": {"id": "m"}})
    recorded.chats.send_voicememo(CHAT, **MEMO)
    assert len(recorder.seen) == 2


def test_an_error_after_an_attempt_of_unknown_outcome_says_it_may_have_applied(
    recorded: Any, recorder: ScriptedAPI
) -> None:
    # A repeat of leave after a dropped answer meets "chat unavailable": the first one may have worked.
    recorder.drop()
    recorder.reply(409, envelope(409, 2013, "This chat is unavailable"))
    with pytest.raises(ConflictError) as caught:
        recorded.chats.leave_chat(CHAT)
    assert caught.value.code == 2013 and caught.value.may_have_applied
    assert "outcome unknown" in str(caught.value)
    recorder.reply(409, envelope(409, 2013, "This chat is unavailable"))
    with pytest.raises(ConflictError) as plain:
        recorded.chats.leave_chat(CHAT)
    assert not plain.value.may_have_applied, "no attempt of this call had an unknown outcome"


def test_a_cut_off_success_is_fetched_again_only_for_a_read(recorded: Any, recorder: ScriptedAPI) -> None:
    recorder.truncated(200)
    recorder.reply(200, {"id": CHAT, "handles": [], "is_group": False})
    assert recorded.chats.retrieve(CHAT).id == CHAT
    assert len(recorder.seen) == 2
    # A change whose 2xx arrived was applied: neither a once-only nor a repeatable one is sent again.
    for call in (
        lambda: recorded.chats.send_voicememo(CHAT, **MEMO),
        lambda: recorded.chats.participants.add(CHAT, handle="+14155550100"),
    ):
        recorder.truncated(202)
        with pytest.raises(UnreadableResponseError):
            call()
    assert len(recorder.seen) == 4


async def test_a_timeout_while_waiting_for_a_pooled_connection_sent_nothing(api: ScriptedAPI) -> None:
    api.reply(200, {"message": {"id": "m"}}, delay=0.6)
    async with AsyncLinqClient(KEY, base_url=api.base_url, max_connections=1, max_retries=0) as client:
        busy = asyncio.create_task(client.chats.send_voicememo(CHAT, **MEMO))
        while not api.seen:
            await asyncio.sleep(0.01)
        with pytest.raises(APITimeoutError) as caught:
            await client.chats.send_voicememo(CHAT, **MEMO, timeout=0.2)
        await busy
    assert not caught.value.sent and not caught.value.may_have_applied
    assert "before it was sent" in str(caught.value)
    assert len(api.seen) == 1
