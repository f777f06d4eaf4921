"""The client against Prism mocking the published OpenAPI spec: no request may violate it."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from linq_async import (
    AsyncLinqClient,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    MediaPart,
    NotFoundError,
    ParticipantAddResponse,
    ParticipantRemoveResponse,
    TextPart,
)

from .helpers import CHAT
from .prism import ViolationRecorder

pytestmark = pytest.mark.prism


async def test_participant_calls_conform(
    prism_client: Callable[..., AsyncLinqClient], violations: ViolationRecorder
) -> None:
    client = prism_client()
    added = await client.chats.participants.add(CHAT.upper(), handle="+12052499136")
    removed = await client.chats.participants.remove("{" + CHAT + "}", handle="ana@example.com")

    assert isinstance(added, ParticipantAddResponse)
    assert added.status == "accepted"
    assert isinstance(removed, ParticipantRemoveResponse)
    assert [(m, s) for m, _, s in violations.exchanges] == [("POST", 202), ("DELETE", 202)]
    assert violations.violations == []


@pytest.mark.parametrize(
    ("code", "cls", "linq_code"),
    [
        (400, BadRequestError, 1002),
        (401, AuthenticationError, 2004),
        (404, NotFoundError, 2001),
        (500, InternalServerError, 3006),
    ],
)
async def test_spec_error_examples_are_parsed(
    prism_client: Callable[..., AsyncLinqClient],
    violations: ViolationRecorder,
    code: int,
    cls: type[Exception],
    linq_code: int,
) -> None:
    client = prism_client(prefer=f"code={code}", max_retries=0)
    with pytest.raises(cls) as info:
        await client.chats.participants.add(CHAT, handle="+12052499136")
    assert info.value.code == linq_code  # type: ignore[attr-defined]
    assert violations.violations == []


async def test_the_recorder_does_see_violations(prism_url: str, violations: ViolationRecorder) -> None:
    """Guard for the test above: a request that breaks the spec is reported."""
    url = f"{prism_url}/v3/chats/not-a-uuid/participants"
    async with (
        aiohttp.ClientSession(trace_configs=[violations.trace_config()]) as session,
        session.post(url, json={"hand": 1}) as response,
    ):
        await response.read()
    codes = {str(v["code"]) for v in violations.violations}
    assert {"401", "format", "required"} <= codes, violations.violations


CHAT_LINE = "+12052535597"


async def test_chat_and_message_calls_conform(
    prism_client: Callable[..., AsyncLinqClient], violations: ViolationRecorder
) -> None:
    """Every chat and message endpoint the February 2026 spec has; ``leave`` is newer than it.

    The spec's own example answers for these endpoints break its schema (Prism reports them as
    response violations), so Prism generates answers from the schema instead, seeded: valid data
    sprinkled with random extra fields, which the models must keep on ``.extra`` without failing.
    """
    client = prism_client(prefer="dynamic=true")
    created = await client.chats.create(
        CHAT_LINE, ["+12052532136"], [TextPart(value="Hello!"), MediaPart(url="https://cdn.example.com/a.jpg")]
    )
    assert created.chat.id
    chat = await client.chats.retrieve(CHAT)
    assert chat.id
    # The spec still requires `from` on the list (today's API makes it optional), so pass it.
    page = await client.chats.list(from_=CHAT_LINE, limit=20)
    assert all(c.id for c in page)
    await client.chats.update(CHAT, display_name="Team")  # the spec answers a full Chat (200); kept on .extra
    sent = await client.chats.messages.send(CHAT, [TextPart(value="hi"), MediaPart(attachment_id=CHAT)])
    assert sent.message.id
    messages = await client.chats.messages.list(CHAT, limit=10)
    assert all(m.id for m in messages)
    assert [s for _, _, s in violations.exchanges] == [201, 200, 200, 200, 202, 200]
    assert violations.violations == []
