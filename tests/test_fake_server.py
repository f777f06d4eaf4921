"""FakeLinqServer: the documented rules, the envelope, faults on demand, both ways of running it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from linq_async import (
    APIConnectionError,
    APIStatusError,
    AsyncLinqClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    LinqError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    SyncLinqClient,
    UnreadableResponseError,
    ValidationError,
)
from linq_async.testing import RULE_ERRORS, FakeLinqServer

from .helpers import Sleeps

A, B, C, D, E = (f"+1415555{n:04d}" for n in range(101, 106))
HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
async def fake() -> FakeLinqServer:
    async with FakeLinqServer() as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def client(fake: FakeLinqServer, sleeps: Sleeps) -> AsyncLinqClient:
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url, retry=RetryPolicy(sleep=sleeps)) as linq:
        yield linq  # type: ignore[misc]


async def test_add_and_remove_change_membership(fake: FakeLinqServer, client: AsyncLinqClient) -> None:
    group = fake.create_chat([A, B])
    added = await client.chats.participants.add(group, handle=C)
    assert added.status == "accepted"
    assert HEX32.fullmatch(added.trace_id or "")
    assert fake.participants(group) == [A, B, C]
    await client.chats.participants.remove(group, handle=A)
    assert fake.participants(group) == [B, C]
    handles = {h["handle"]: h for h in fake.chat(group)["handles"]}
    assert handles[A]["status"] == "removed"


@pytest.mark.parametrize(
    ("setup", "call", "rule"),
    [
        ("dm", ("add", C), "not_group"),
        ("dm", ("remove", A), "not_group"),
        ("full", ("add", "+14155559999"), "too_many_recipients"),
        ("group", ("remove", A), "too_few_remaining"),
        ("sms", ("add", "ana@example.com"), "cross_service"),
        ("rcs_only", ("add", "+14155557777"), "cross_service"),
        ("left", ("add", C), "left_chat"),
        ("left", ("remove", A), "left_chat"),
        ("unknown", ("add", C), "chat_not_found"),
    ],
)
async def test_documented_rules(
    fake: FakeLinqServer, client: AsyncLinqClient, setup: str, call: tuple[str, str], rule: str
) -> None:
    if setup == "dm":
        chat = fake.create_chat([A])
    elif setup == "full":
        chat = fake.create_chat([f"+1415556{n:04d}" for n in range(31)])
    elif setup == "sms":
        chat = fake.create_chat([A, B], service="SMS")
    elif setup == "rcs_only":
        fake.set_services("+14155557777", ["RCS"])
        chat = fake.create_chat([A, B])
    elif setup == "left":
        chat = fake.create_chat([A, B, C])
        fake.leave(chat)
    elif setup == "unknown":
        chat = str(uuid.uuid4())
    else:
        chat = fake.create_chat([A, B])
    status, code, _ = RULE_ERRORS[rule]
    operation, handle = call
    with pytest.raises(Exception) as info:
        await getattr(client.chats.participants, operation)(chat, handle=handle)
    assert (info.value.status, info.value.code) == (status, code)  # type: ignore[attr-defined]
    assert HEX32.fullmatch(info.value.trace_id)  # type: ignore[attr-defined]


async def test_adding_needs_three_existing_participants(fake: FakeLinqServer, client: AsyncLinqClient) -> None:
    chat = fake.create_chat([A, B])  # A, B and the fake's own line: three
    await client.chats.participants.add(chat, handle=C)
    fake.member_left(chat, C)
    fake.member_left(chat, B)
    with pytest.raises(ConflictError) as info:
        await client.chats.participants.add(chat, handle=D)
    assert (info.value.code, info.value.message) == (2015, RULE_ERRORS["too_few_participants"][2])
    assert fake.participants(chat) == [A]


async def test_removing_must_leave_three(fake: FakeLinqServer, client: AsyncLinqClient) -> None:
    chat = fake.create_chat([A, B, C])
    await client.chats.participants.remove(chat, handle=C)
    with pytest.raises(ConflictError) as info:
        await client.chats.participants.remove(chat, handle=B)
    assert info.value.code == 2015
    assert fake.participants(chat) == [A, B]


async def test_thirty_one_recipients_is_the_cap(fake: FakeLinqServer, client: AsyncLinqClient) -> None:
    chat = fake.create_chat([f"+1415556{n:04d}" for n in range(30)])
    await client.chats.participants.add(chat, handle=A)
    with pytest.raises(ConflictError):
        await client.chats.participants.add(chat, handle=B)
    assert len(fake.participants(chat)) == 31


async def test_membership_changes_are_idempotent(fake: FakeLinqServer, client: AsyncLinqClient) -> None:
    chat = fake.create_chat([A, B, C])
    await client.chats.participants.add(chat, handle=A)
    await client.chats.participants.remove(chat, handle=E)
    assert fake.participants(chat) == [A, B, C]


async def test_wrong_key_is_401_2004(fake: FakeLinqServer) -> None:
    chat = fake.create_chat([A, B])
    async with AsyncLinqClient("sk_wrong", base_url=fake.base_url) as wrong:
        with pytest.raises(AuthenticationError) as info:
            await wrong.chats.participants.add(chat, handle=C)
    assert info.value.code == 2004
    assert fake.participants(chat) == [A, B]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"handle": "14155550100"}', 1002),
        (b'{"handle": "+1 415 555 0100"}', 1002),
        (b'{"handle": "bob@@example.com"}', 1005),
        (b"{}", 1001),
        (b"", 1001),
        (b"{not json", 1003),
        (b"[1, 2]", 1003),
        (b'{"handle": 5}', 1005),
    ],
)
async def test_bad_bodies_get_the_documented_codes(fake: FakeLinqServer, body: bytes, code: int) -> None:
    """Sent around the client (which would refuse them) to check the fake itself."""
    chat = fake.create_chat([A, B])
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/v3/chats/{chat}/participants",
            data=body,
            headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
        ) as response,
    ):
        payload = await response.json()
    assert response.status == 400
    assert payload["success"] is False
    assert payload["error"]["code"] == code
    assert payload["error"]["doc_url"].endswith(f"/{code}/")
    assert payload["trace_id"] == response.headers["X-Trace-ID"]


async def test_every_response_has_a_trace_header(fake: FakeLinqServer) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/v3/chats/not-a-uuid/participants", "/v3/nowhere"):
            async with session.post(fake.base_url + path, json={}) as response:
                await response.read()
                assert HEX32.fullmatch(response.headers["X-Trace-ID"]), path


async def test_requests_are_recorded(fake: FakeLinqServer, client: AsyncLinqClient) -> None:
    chat = fake.create_chat([A, B])
    await client.chats.participants.add(chat, handle=C)
    [recorded] = fake.requests
    assert (recorded.method, recorded.path, recorded.json) == (
        "POST",
        f"/api/partner/v3/chats/{chat}/participants",
        {"handle": C},
    )
    assert recorded.headers["Authorization"] == f"Bearer {fake.api_key}"


async def test_faults_500_429_502_are_retried_through(fake: FakeLinqServer, sleeps: Sleeps) -> None:
    chat = fake.create_chat([A, B])
    fake.inject("500/3006")
    fake.inject("429", retry_after=2)
    fake.inject("502")
    async with AsyncLinqClient(
        fake.api_key, base_url=fake.base_url, retry=RetryPolicy(sleep=sleeps, max_retries=3)
    ) as client:
        await client.chats.participants.add(chat, handle=C)
    assert len(fake.requests) == 4
    assert 2 <= sleeps[1] <= 2.5
    assert fake.participants(chat) == [A, B, C]


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500/3006", InternalServerError),
        ("429", RateLimitError),
        ("502", InternalServerError),
        ("reset", APIConnectionError),
    ],
)
async def test_each_fault_surfaces_as_its_error(fake: FakeLinqServer, kind: str, error: type[Exception]) -> None:
    chat = fake.create_chat([A, B])
    fake.inject(kind)
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url, max_retries=0) as client:
        with pytest.raises(error):
            await client.chats.participants.add(chat, handle=C)
    assert fake.participants(chat) == [A, B], "a failed request changes nothing"


async def test_truncate_applies_then_cuts_the_answer(fake: FakeLinqServer) -> None:
    chat = fake.create_chat([A, B])
    fake.inject("truncate")
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url, max_retries=0) as client:
        with pytest.raises(UnreadableResponseError, match="cut off"):
            await client.chats.participants.add(chat, handle=C)
    assert fake.participants(chat) == [A, B, C]


async def test_slow_fault_and_custom_error(fake: FakeLinqServer) -> None:
    chat = fake.create_chat([A, B])
    fake.inject("slow", delay=1.0)
    fake.inject("error", status=503, code=4004, message="Service unavailable")
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url, timeout=0.3, max_retries=0) as client:
        with pytest.raises(APIConnectionError, match="timed out"):
            await client.chats.participants.add(chat, handle=C)
        with pytest.raises(InternalServerError) as info:
            await client.chats.participants.add(chat, handle=C)
    assert (info.value.status, info.value.code) == (503, 4004)


async def test_faults_can_target_a_path_and_method(fake: FakeLinqServer) -> None:
    chat = fake.create_chat([A, B, C])
    fake.inject("500/3006", times=2, method="DELETE")
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url, max_retries=0) as client:
        await client.chats.participants.add(chat, handle=D)
        with pytest.raises(InternalServerError):
            await client.chats.participants.remove(chat, handle=D)
        fake.clear_faults()
        await client.chats.participants.remove(chat, handle=D)


def test_inject_refuses_unknown_kinds() -> None:
    server = FakeLinqServer()
    with pytest.raises(ValidationError):
        server.inject("meteor")
    with pytest.raises(ValidationError):
        server.inject("429", times=0)


async def test_rule_errors_can_be_changed(sleeps: Sleeps) -> None:
    async with FakeLinqServer(rule_errors={"not_group": (400, 1005, "Group chats only")}) as fake:
        dm = fake.create_chat([A])
        async with AsyncLinqClient(fake.api_key, base_url=fake.base_url) as client:
            with pytest.raises(BadRequestError) as info:
                await client.chats.participants.add(dm, handle=B)
    assert (info.value.code, info.value.message) == (1005, "Group chats only")


def test_threaded_mode_serves_a_sync_client() -> None:
    with FakeLinqServer() as fake:
        chat = fake.create_chat([A, B])
        with SyncLinqClient(fake.api_key, base_url=fake.base_url) as client:
            client.chats.participants.add(chat, handle=C)
        assert fake.participants(chat) == [A, B, C]
        assert repr(fake).startswith("<FakeLinqServer http://127.0.0.1:")
    with pytest.raises(LinqError, match="not running"):
        fake.base_url  # noqa: B018


def test_create_chat_validates() -> None:
    fake = FakeLinqServer()
    with pytest.raises(ValidationError):
        fake.create_chat([])
    with pytest.raises(ValidationError):
        fake.create_chat(["555-0100"])
    with pytest.raises(ValidationError):
        fake.create_chat([A], service="Carrier pigeon")
    chat = fake.create_chat([A, B], chat_id="550E8400-E29B-41D4-A716-446655440000")
    assert chat == "550e8400-e29b-41d4-a716-446655440000"
    with pytest.raises(ValidationError):
        fake.create_chat([A, B], chat_id=chat)


async def test_two_servers_at_once_do_not_share_state() -> None:
    async with FakeLinqServer() as one, FakeLinqServer() as two:
        assert one.port != two.port
        chat = one.create_chat([A, B])
        async with AsyncLinqClient(two.api_key, base_url=two.base_url, max_retries=0) as client:
            with pytest.raises(NotFoundError):
                await client.chats.participants.add(chat, handle=C)


# The pytest plugin's fixtures, as a user's suite would use them.


def test_plugin_sync_fixture(linq_fake: FakeLinqServer, linq_sync_client: SyncLinqClient) -> None:
    chat = linq_fake.create_chat([A, B])
    linq_sync_client.chats.participants.add(chat, handle=C)
    assert linq_fake.participants(chat) == [A, B, C]


async def test_plugin_async_fixture(linq_fake: FakeLinqServer, linq_client: AsyncLinqClient) -> None:
    chat = linq_fake.create_chat([A, B])
    linq_fake.inject("500/3006")
    await linq_client.chats.participants.add(chat, handle=C)
    assert linq_fake.participants(chat) == [A, B, C]


def test_plugin_env_fixture(linq_fake_env: FakeLinqServer) -> None:
    chat = linq_fake_env.create_chat([A, B])
    with SyncLinqClient() as client:  # configured from the environment, as user code would be
        client.chats.participants.add(chat, handle=C)
    assert linq_fake_env.participants(chat) == [A, B, C]


async def test_async_code_can_call_a_sync_client_served_by_the_threaded_fake(
    linq_fake: FakeLinqServer, linq_sync_client: SyncLinqClient
) -> None:
    chat = linq_fake.create_chat([A, B])
    assert asyncio.get_running_loop().is_running()
    linq_sync_client.chats.participants.add(chat, handle=C)
    assert json.loads(linq_fake.requests[-1].body) == {"handle": C}


# Only a client that is gone excuses a ConnectionError; one raised while the client waits is a bug.
@pytest.mark.parametrize("failure", [RuntimeError, ConnectionResetError], ids=["bug", "connection-error"])
async def test_a_failure_inside_the_fake_is_its_bug_never_a_retryable_500(failure: type[Exception]) -> None:
    fake = FakeLinqServer()
    chat = fake.create_chat([A, B])

    def broken(handles: object) -> None:
        raise failure("bug in the fake")

    fake._services_of = broken  # type: ignore[assignment, method-assign]

    async def use_it() -> None:
        async with fake, AsyncLinqClient(fake.api_key, base_url=fake.base_url, max_retries=0) as client:
            with pytest.raises(InternalServerError):
                await client.chats.participants.add(chat, handle=C)

    with pytest.raises(AssertionError, match="bug in the fake"):
        await use_it()


def test_state_helpers_refuse_unknown_chats_and_members() -> None:
    fake = FakeLinqServer()
    chat = fake.create_chat([A, B])
    unknown = str(uuid.uuid4())
    for helper in (fake.participants, fake.chat, fake.messages, fake.leave):
        with pytest.raises(ValidationError, match="no chat"):
            helper(unknown)
    with pytest.raises(ValidationError, match="not an active participant"):
        fake.member_left(chat, C)
    with pytest.raises(ValidationError):
        fake.participants("../x")


def test_the_async_fixture_says_it_needs_pytest_asyncio(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "pytest_asyncio"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('pytest-asyncio is not installed here')\n")
    test = tmp_path / "test_user.py"
    test.write_text("def test_it(linq_client):\n    pass\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:asyncio", "-p", "no:cacheprovider", str(test)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": f"{shadow.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"},
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "needs pytest-asyncio" in run.stdout
    assert "fixture 'linq_client' not found" not in run.stdout


async def test_a_client_hanging_up_mid_body_is_not_a_fault_of_the_fake(fake: FakeLinqServer) -> None:
    chat = fake.create_chat([A, B, C])
    _, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    head = (
        f"POST /api/partner/v3/chats/{chat}/participants HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {fake.api_key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    writer.write(head.encode() + b'{"han')  # 5 of the 100 bytes promised, then gone
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.close()
    await writer.wait_closed()
    for _ in range(200):  # until the fake has seen the disconnect and ended the handler
        await asyncio.sleep(0.01)
        if not any(fake._in_flight.values()):
            break
    assert fake.internal_errors == []
    fake.check()
    async with AsyncLinqClient(fake.api_key, base_url=fake.base_url) as client:  # and it still serves
        await client.chats.participants.add(chat, handle=D)
    assert D in fake.participants(chat)


async def test_a_body_over_the_limit_is_recorded_and_answered_in_the_envelope() -> None:
    fake = FakeLinqServer()
    fake.max_body_size = 1000
    fake._read_limit = 4000  # beyond it the body is not even read
    chat = fake.create_chat([A, B, C])
    url = f"/api/partner/v3/chats/{chat}/participants"
    async with fake, aiohttp.ClientSession(base_url=f"http://127.0.0.1:{fake.port}") as http:
        auth = {"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"}
        for size in (2000, 9000):
            body = json.dumps({"handle": D, "note": "x" * size}).encode()
            async with http.post(url, data=body, headers=auth) as response:
                assert response.status == 413
                answer = await response.json()
            assert answer["success"] is False
            assert answer["error"]["status"] == 413 and answer["error"]["code"] == 1003
            assert HEX32.fullmatch(answer["trace_id"]) and response.headers["X-Trace-ID"] == answer["trace_id"]
            recorded = fake.requests[-1]
            assert (recorded.method, recorded.path) == ("POST", url)
            assert recorded.body == (body if size < 4000 else b"")
        async with http.post(url, data=b'{"handle": "x"}', headers={}) as response:
            assert response.status == 401  # a body under the limit goes on as before
    assert D not in fake.participants(chat)
    assert fake.internal_errors == []


def test_both_clients_get_the_413_as_an_api_error(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B, C])
    name = "x" * (fake_server.max_body_size + 1)  # over aiohttp's 1 MiB for raw bytes too: no warning
    with pytest.raises(APIStatusError) as info:
        any_client.chats.update(chat, display_name=name)
    assert (info.value.status, info.value.code) == (413, 1003)
    assert [r.json["display_name"] == name for r in fake_server.requests] == [True]  # recorded, not retried


@pytest.mark.parametrize("how", ["fake.leave", "chats.leave"])
def test_after_leaving_interactions_answer_2013_and_reads_still_answer(
    any_client: Any, fake_server: FakeLinqServer, how: str
) -> None:
    # As docs/testing.md says: Linq documents the 409 for interaction endpoints only.
    chat = fake_server.create_chat([A, B, C])
    message = any_client.chats.messages.send(chat, "before").message.id
    poll = any_client.chats.polls.create(chat, poll={"options": ["yes", "no"]}).message_id
    fake_server.leave(chat) if how == "fake.leave" else any_client.chats.leave(chat)
    interactions = {
        "send": lambda: any_client.chats.messages.send(chat, "after"),
        "messages.list": lambda: any_client.chats.messages.list(chat).first_page(),
        "update": lambda: any_client.chats.update(chat, display_name="x"),
        "typing": lambda: any_client.chats.typing.start(chat),
        "mark_as_read": lambda: any_client.chats.mark_as_read(chat),
        "participants.add": lambda: any_client.chats.participants.add(chat, handle=D),
        "location.request": lambda: any_client.chats.location.request(chat),
        "background.remove": lambda: any_client.chats.background.remove(chat),
        "polls.create": lambda: any_client.chats.polls.create(chat, poll={"options": ["a", "b"]}),
        "leave": lambda: any_client.chats.leave(chat),
        "messages.update": lambda: any_client.messages.update(message, text="edited"),
    }
    for name, call in interactions.items():
        with pytest.raises(ConflictError) as info:
            call()
        assert info.value.code == 2013, name
    assert any_client.chats.retrieve(chat).id == chat
    assert any_client.messages.retrieve(message).id == message
    assert any_client.messages.poll.retrieve(poll).message_id == poll
