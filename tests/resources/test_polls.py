"""iMessage polls: wire format, idempotency of create, both clients against the fake, its rules and events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from linq_async import (
    AsyncLinqClient,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    Poll,
    PollEnvelope,
    PollInput,
    PollOption,
    PollOptionInput,
    PollVoter,
    RetryPolicy,
    UnknownPart,
    ValidationError,
    webhooks,
)
from linq_async.testing import FakeLinqServer

from ..helpers import CHAT, ScriptedAPI, Sleeps, envelope
from ..wire import WireCase, check_wire

LINE = "+14155550000"
A, B, C = (f"+1415555{n:04d}" for n in range(301, 304))
NOW = "2026-11-22T10:00:00.000Z"
MSG = "69a37c7d-af4f-4b5e-af42-e28e98ce873a"
PIZZA_TACOS = {"options": [{"text": "Pizza"}, {"text": "Tacos"}]}


def handle_json(handle: str, me: bool = False) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "handle": handle, "service": "iMessage", "joined_at": NOW, "is_me": me}


def poll_json(**extra: Any) -> dict[str, Any]:
    return {
        "chat_id": CHAT,
        "created_at": NOW,
        "message_id": MSG,
        "poll": {
            "options": [
                {
                    "can_be_edited": False,
                    "creator_handle": handle_json(LINE, True),
                    "option_id": "opt_1",
                    "text": "Pizza",
                    "voters": [{"handle": A, "voted_at": NOW}, {"handle": B, "voted_at": NOW}],
                },
                {
                    "can_be_edited": False,
                    "creator_handle": handle_json(A),
                    "option_id": "opt_2",
                    "text": "Tacos",
                    "voters": [{"handle": A, "voted_at": NOW}],
                },
            ],
            "total_voters": 2,
        },
        "reactions": [{"type": "love", "is_me": False, "handle": handle_json(A)}],
        "updated_at": NOW,
        **extra,
    }


# Wire equality with linq-python ---------------------------------------------------------------

WIRE = [
    WireCase("chats.polls.create", (CHAT,), {"poll": {**PIZZA_TACOS, "idempotency_key": "poll-1"}}, poll_json()),
    WireCase("chats.polls.create", (CHAT,), {"poll": PIZZA_TACOS}, poll_json(), label="generated-key"),
    WireCase(
        "chats.polls.create",
        (CHAT,),
        {"poll": {"options": [{"text": "Pizza", "emoji": "🍕"}, {"text": "Tacos"}], "idempotency_key": "p-2"}},
        poll_json(),
        label="unknown-keys-kept",
    ),
    WireCase(
        "chats.polls.create",
        (CHAT,),
        {"poll": {**PIZZA_TACOS, "idempotency_key": "poll-1"}},
        poll_json(),
        ours_kwargs={"poll": PollInput(options=["Pizza", PollOptionInput(text="Tacos")], idempotency_key="poll-1")},
        label="models",
    ),
    WireCase(
        "chats.polls.create",
        (CHAT,),
        {"poll": {**PIZZA_TACOS, "idempotency_key": "poll-1"}},
        poll_json(),
        ours_kwargs={"poll": PIZZA_TACOS, "idempotency_key": "poll-1"},
        label="key-beside",
    ),
    WireCase("messages.poll.retrieve", (MSG,), answer=poll_json()),
    WireCase("messages.poll.add_options", (MSG,), {"options": [{"text": "Sushi"}, {"text": "Ramen"}]}, poll_json()),
    WireCase(
        "messages.poll.add_options",
        (MSG,),
        {"options": [{"text": "Sushi"}]},
        poll_json(),
        ours_kwargs={"options": ("Sushi",)},
        label="text",
    ),
    WireCase("messages.poll.vote", (MSG,), {"operation": "add", "option_id": "opt_1"}, poll_json()),
    WireCase("messages.poll.vote", (MSG,), {"operation": "remove", "option_id": "opt_2"}, poll_json(), label="remove"),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


# Models ---------------------------------------------------------------------------------------


async def test_the_envelope_is_read_in_full(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, poll_json(new_field=1))
    polled = await client.messages.poll.retrieve(MSG)
    assert isinstance(polled, PollEnvelope) and polled.invalid_fields == ()
    assert (polled.message_id, polled.chat_id) == (MSG, CHAT)
    pizza, tacos = polled.poll.options
    assert isinstance(pizza, PollOption) and pizza.option_id == "opt_1" and pizza.text == "Pizza"
    assert pizza.vote_count == 2 and tacos.vote_count == 1 and polled.poll.total_voters == 2
    assert isinstance(pizza.voters[0], PollVoter) and pizza.voters[0].voted_at is not None
    assert pizza.voters[0].voted_at.tzinfo is not None
    assert pizza.creator_handle is not None and pizza.creator_handle.is_me
    assert polled.reactions[0].type == "love"
    assert polled.extra == {"new_field": 1}


async def test_a_sparse_envelope_still_parses(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, {"message_id": MSG, "poll": {"options": [{"option_id": "o", "text": None, "voters": None}]}})
    polled = await client.messages.poll.vote(MSG, operation="add", option_id="o")
    assert polled.invalid_fields == ()
    assert polled.poll == Poll(options=(PollOption(option_id="o"),))
    assert polled.poll.total_voters is None and polled.reactions == () and polled.created_at is None


def test_poll_input_takes_any_iterable_but_not_one_string() -> None:
    assert PollInput(options=iter(["a", {"text": "b"}])).options == (PollOptionInput(text="a"), {"text": "b"})
    assert PollInput(options=["a", "b"], idempotency_key="k").to_dict() == {
        "options": [{"text": "a"}, {"text": "b"}],
        "idempotency_key": "k",
    }
    with pytest.raises(ValidationError, match="list of options"):
        PollInput(options="Pizza")


# Idempotency of create ------------------------------------------------------------------------


async def test_a_retried_create_carries_one_generated_key(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(500, envelope(500, 3006))
    api.drop()
    api.reply(202, poll_json())

    await client.chats.polls.create(CHAT, poll=PIZZA_TACOS)

    keys = [s.json["poll"]["idempotency_key"] for s in api.seen]
    assert len(keys) == 3 and len(set(keys)) == 1 and uuid.UUID(keys[0])
    assert all("Idempotency-Key" not in s.headers for s in api.seen), "the key travels in the body"
    api.reply(202, poll_json())
    await client.chats.polls.create(CHAT, poll=PIZZA_TACOS)
    assert api.seen[3].json["poll"]["idempotency_key"] != keys[0], "one key per logical call"


async def test_the_key_is_on_the_error(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(max_retries=0)
    api.reply(500, envelope(500, 3006))
    with pytest.raises(InternalServerError) as given:
        await client.chats.polls.create(CHAT, poll={**PIZZA_TACOS, "idempotency_key": "lunch-poll"})
    assert given.value.idempotency_key == "lunch-poll"  # type: ignore[attr-defined]
    api.reply(409, envelope(409, 2017))
    with pytest.raises(ConflictError) as generated:
        await client.chats.polls.create(CHAT, poll=PollInput(options=["a", "b"]))
    assert generated.value.idempotency_key == api.seen[1].json["poll"]["idempotency_key"]  # type: ignore[attr-defined]
    assert uuid.UUID(generated.value.idempotency_key)  # type: ignore[attr-defined]


async def test_a_create_resent_after_a_cut_off_answer_makes_one_poll(sleeps: Sleeps) -> None:
    async with (
        FakeLinqServer(lines=[LINE]) as fake,
        AsyncLinqClient(fake.api_key, base_url=fake.base_url, retry=RetryPolicy(sleep=sleeps)) as linq,
    ):
        chat = fake.create_chat([A, B])
        fake.inject("truncate", path="/polls")  # the poll is made, then the answer is lost
        again = await linq.chats.polls.create(chat, poll=PIZZA_TACOS)  # fetched again with the same key
        assert len(fake.requests) == 2
        assert fake.requests[1].json["poll"]["idempotency_key"] == fake.requests[0].json["poll"]["idempotency_key"]
        [stored] = fake.messages(chat)
        assert again.message_id == stored["id"]
        assert [e["event_type"] for e in fake.events] == ["poll.sent", "poll.delivered"], "sent once"


# Both clients against the fake ----------------------------------------------------------------


def test_create_sends_a_poll_message_into_the_chat(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B])
    created = any_client.chats.polls.create(chat, poll=PollInput(options=["Pizza", "Tacos"], idempotency_key="k1"))
    assert isinstance(created, PollEnvelope) and created.chat_id == chat
    assert [o.text for o in created.poll.options] == ["Pizza", "Tacos"]
    assert created.poll.total_voters == 0 and all(o.voters == () for o in created.poll.options)
    assert all(o.creator_handle is not None and o.creator_handle.handle == LINE for o in created.poll.options)
    [stored] = fake_server.messages(chat)
    assert stored["id"] == created.message_id and stored["parts"] == [{"type": "poll"}]
    assert any_client.messages.retrieve(created.message_id).parts == (UnknownPart(type="poll"),)
    sent, delivered = fake_server.events
    assert (sent["event_type"], delivered["event_type"]) == ("poll.sent", "poll.delivered")
    data = sent["data"]
    assert data["chat"] == {"id": chat, "is_group": True, "owner_handle": data["sender_handle"]}
    assert (data["direction"], data["message_id"], data["service"]) == ("outbound", created.message_id, "iMessage")
    assert [o["text"] for o in data["poll"]["options"]] == ["Pizza", "Tacos"] and data["sent_at"]
    assert delivered["data"]["delivered_at"]
    assert any_client.chats.polls.create(chat, poll={**PIZZA_TACOS, "idempotency_key": "k1"}) == created


def test_votes_are_kept_per_participant_and_voters_counted_once(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B])
    poll = any_client.chats.polls.create(chat, poll=PIZZA_TACOS)
    pizza, tacos = (o.option_id for o in poll.poll.options)
    voted = any_client.messages.poll.vote(poll.message_id, operation="add", option_id=pizza)
    assert [v.handle for v in voted.poll.options[0].voters] == [LINE] and voted.poll.total_voters == 1
    any_client.messages.poll.vote(poll.message_id, operation="add", option_id=tacos)
    fake_server.vote_as(A, poll.message_id, pizza)
    fake_server.vote_as(A, poll.message_id, tacos)
    now = any_client.messages.poll.retrieve(poll.message_id)
    assert [o.vote_count for o in now.poll.options] == [2, 2] and now.poll.total_voters == 2
    again = any_client.messages.poll.vote(poll.message_id, operation="add", option_id=pizza)
    assert again.poll.options[0].vote_count == 2, "a vote already cast stays one vote"
    removed = any_client.messages.poll.vote(poll.message_id, operation="remove", option_id=pizza)
    assert [v.handle for v in removed.poll.options[0].voters] == [A] and removed.poll.total_voters == 2
    fake_server.vote_as(A, poll.message_id, pizza, operation="remove")
    fake_server.vote_as(A, poll.message_id, tacos, operation="remove")
    assert any_client.messages.poll.retrieve(poll.message_id).poll.total_voters == 1
    votes = [e for e in fake_server.events if e["event_type"].startswith("poll.vote.")]
    assert [(e["event_type"], e["data"]["direction"], e["data"]["sender_handle"]["handle"]) for e in votes] == [
        ("poll.vote.added", "outbound", LINE),
        ("poll.vote.added", "outbound", LINE),
        ("poll.vote.added", "inbound", A),
        ("poll.vote.added", "inbound", A),
        ("poll.vote.removed", "outbound", LINE),
        ("poll.vote.removed", "inbound", A),
        ("poll.vote.removed", "inbound", A),
    ]
    assert votes[0]["data"]["option_id"] == pizza


def test_options_are_only_ever_appended(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    poll = any_client.chats.polls.create(chat, poll=PIZZA_TACOS)
    grown = any_client.messages.poll.add_options(poll.message_id, options=["Sushi", {"text": "Ramen"}])
    assert [o.text for o in grown.poll.options] == ["Pizza", "Tacos", "Sushi", "Ramen"]
    assert grown.poll.options[:2] == poll.poll.options, "the first options are untouched"
    assert all(o.can_be_edited is False for o in grown.poll.options)
    [updated] = [e for e in fake_server.events if e["event_type"] == "poll.updated"]
    assert [o["text"] for o in updated["data"]["added_options"]] == ["Sushi", "Ramen"]
    assert updated["data"]["sender_handle"]["handle"] == LINE and updated["data"]["direction"] == "outbound"
    assert any_client.messages.poll.retrieve(poll.message_id) == grown
    assert fake_server.poll(poll.message_id)["poll"]["options"][3]["text"] == "Ramen"


def test_reactions_on_the_poll_show_on_its_envelope(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    poll = any_client.chats.polls.create(chat, poll=PIZZA_TACOS)
    any_client.messages.add_reaction(poll.message_id, operation="add", type="laugh")
    [reaction] = any_client.messages.poll.retrieve(poll.message_id).reactions
    assert reaction.type == "laugh" and reaction.is_me


def test_an_inbound_poll_can_be_voted_on(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B])
    message_id = fake_server.inbound_poll(chat, ["Friday", "Saturday"], handle=B)
    [received] = fake_server.events
    assert received["event_type"] == "poll.received" and received["data"]["direction"] == "inbound"
    assert received["data"]["sender_handle"]["handle"] == B and received["data"]["received_at"]
    polled = any_client.messages.poll.retrieve(message_id)
    assert [o.creator_handle.handle for o in polled.poll.options] == [B, B]
    voted = any_client.messages.poll.vote(message_id, operation="add", option_id=polled.poll.options[1].option_id)
    assert voted.poll.options[1].voters[0].handle == LINE


def test_a_zero_day_retention_line_keeps_no_option_text(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.poll_zero_retention(LINE)
    chat = fake_server.create_chat([A])
    poll = any_client.chats.polls.create(chat, poll=PIZZA_TACOS)
    assert [o.text for o in poll.poll.options] == ["", ""]
    assert fake_server.events[0]["data"]["zero_retention"] is True
    with pytest.raises(BadRequestError) as missing:
        any_client.messages.poll.add_options(poll.message_id, options=["Sushi"])
    assert missing.value.code == 1005
    grown = any_client.messages.poll.add_options(poll.message_id, options=["Pizza", "Tacos", "Sushi"])
    assert len(grown.poll.options) == 3
    assert grown.poll.options[:2] == poll.poll.options, "resent options are not added twice"
    fake_server.poll_zero_retention(LINE, enabled=False)
    assert [o.text for o in any_client.messages.poll.retrieve(poll.message_id).poll.options][2] == "Sushi"


def test_raw_responses(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    raw = any_client.chats.polls.with_raw_response.create(chat, poll=PIZZA_TACOS)
    assert raw.status_code == 202
    created = raw.parse()
    assert isinstance(created, PollEnvelope)
    polled = any_client.messages.poll.with_raw_response.retrieve(created.message_id)
    assert polled.status_code == 200 and polled.parse() == created


def test_poll_events_parse_as_webhook_events(fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    fake_server.inbound_poll(chat, ["a", "b"])
    [event] = fake_server.events
    parsed = webhooks.parse(event)
    assert parsed.event_type == "poll.received"


# The API's refusals, through the fake ---------------------------------------------------------


def test_a_poll_needs_an_imessage_chat_that_exists(any_client: Any, fake_server: FakeLinqServer) -> None:
    sms = fake_server.create_chat([A], service="SMS")
    with pytest.raises(ConflictError) as info:
        any_client.chats.polls.create(sms, poll=PIZZA_TACOS)
    assert info.value.code == 2017
    with pytest.raises(NotFoundError) as unknown:
        any_client.chats.polls.create(str(uuid.uuid4()), poll=PIZZA_TACOS)
    assert unknown.value.code == 2001
    assert fake_server.messages(sms) == [] and fake_server.events == []


def test_polls_of_a_left_chat_can_be_read_only(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B, C])
    poll = any_client.chats.polls.create(chat, poll=PIZZA_TACOS)
    fake_server.leave(chat)
    assert any_client.messages.poll.retrieve(poll.message_id).message_id == poll.message_id
    for call in (
        lambda: any_client.messages.poll.vote(poll.message_id, operation="add", option_id="x"),
        lambda: any_client.messages.poll.add_options(poll.message_id, options=["more"]),
        lambda: any_client.chats.polls.create(chat, poll=PIZZA_TACOS),
    ):
        with pytest.raises(ConflictError) as info:
            call()
        assert info.value.code == 2013


def test_unknown_polls_and_options(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    poll = any_client.chats.polls.create(chat, poll=PIZZA_TACOS)
    with pytest.raises(BadRequestError) as option:
        any_client.messages.poll.vote(poll.message_id, operation="add", option_id="opt_404")
    assert option.value.code == 1005
    text = any_client.chats.messages.send(chat, "not a poll").message.id
    with pytest.raises(NotFoundError) as not_poll:
        any_client.messages.poll.retrieve(text)
    assert not_poll.value.code == 2002
    any_client.messages.delete(poll.message_id)
    with pytest.raises(NotFoundError) as deleted:
        any_client.messages.poll.add_options(poll.message_id, options=["x"])
    assert deleted.value.code == 2002


def test_the_fake_refuses_what_the_client_would(fake_server: FakeLinqServer) -> None:
    """Bodies the client never sends, sent raw: the fake applies the same rules."""
    import json
    import urllib.error
    import urllib.request

    chat = fake_server.create_chat([A])

    def post(path: str, body: object) -> tuple[int, int]:
        request = urllib.request.Request(
            f"{fake_server.base_url}/v3{path}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {fake_server.api_key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, 0
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())["error"]["code"]

    assert post(f"/chats/{chat}/polls", {"poll": {"options": [{"text": "only"}]}}) == (400, 1005)
    assert post(f"/chats/{chat}/polls", {"poll": {"options": [{"text": "a"}, {"text": " "}]}}) == (400, 1005)
    assert post(f"/chats/{chat}/polls", {"poll": {"options": "ab"}}) == (400, 1003)
    assert post(f"/chats/{chat}/polls", {"options": []}) == (400, 1001)
    assert post(f"/messages/{MSG}/poll/votes", {"operation": "toggle", "option_id": "x"}) == (400, 1003)
    assert post(f"/messages/{MSG}/poll/options", {"options": []}) == (400, 1005)
    assert fake_server.events == []


# Refused before sending ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("poll", "shown"),
    [
        pytest.param({"options": [{"text": "only one"}]}, "at least 2", id="one-option"),
        pytest.param({"options": []}, "at least 2", id="no-options"),
        pytest.param({}, "list of options", id="no-options-key"),
        pytest.param({"options": "Pizza,Tacos"}, "list of options", id="options-text"),
        pytest.param({"options": [{"text": "a"}, {"text": "  "}]}, r"options\[1\].*blank", id="blank-text"),
        pytest.param({"options": [{"text": "a"}, {"label": "b"}]}, r"options\[1\]", id="no-text"),
        pytest.param({"options": [{"text": "a"}, 5]}, r"options\[1\] must be", id="not-an-option"),
        pytest.param({**PIZZA_TACOS, "idempotency_key": ""}, "idempotency_key", id="empty-key"),
        pytest.param({**PIZZA_TACOS, "idempotency_key": "k" * 256}, "idempotency_key", id="long-key"),
        pytest.param("Pizza or tacos?", "PollInput or a dict", id="text"),
        pytest.param(PollInput(options=[PollOptionInput(text="")]), "blank", id="model-blank"),
    ],
)
def test_bad_polls_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer, poll: Any, shown: str) -> None:
    chat = fake_server.create_chat([A])
    with pytest.raises(ValidationError, match=shown):
        any_client.chats.polls.create(chat, poll=poll)
    assert fake_server.requests == []


def test_other_bad_arguments_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer) -> None:
    poll = any_client.messages.poll
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: any_client.chats.polls.create("../x", poll=PIZZA_TACOS), "chat_id"),
        (
            lambda: any_client.chats.polls.create(
                CHAT, poll={**PIZZA_TACOS, "idempotency_key": "a"}, idempotency_key="b"
            ),
            "two different",
        ),
        (lambda: poll.retrieve("not-a-uuid"), "message_id"),
        (lambda: poll.add_options(MSG, options=[]), "at least one"),
        (lambda: poll.add_options(MSG, options="Sushi"), "list of options"),
        (lambda: poll.add_options(MSG, options=[{"text": ""}]), "blank"),
        (lambda: poll.add_options("?", options=["Sushi"]), "message_id"),
        (lambda: poll.vote(MSG, operation="toggle", option_id="opt_1"), "operation"),
        (lambda: poll.vote(MSG, operation="add", option_id=""), "option_id"),
        (lambda: poll.vote(MSG, operation="add", option_id="a b"), "option_id"),
        (lambda: poll.vote(MSG, operation="add", option_id=5), "option_id"),
        (lambda: poll.vote("../x", operation="add", option_id="opt_1"), "message_id"),
    ]
    for call, shown in cases:
        with pytest.raises(ValidationError, match=shown):
            call()
    assert fake_server.requests == []


def test_the_fakes_helpers_check_their_arguments(fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    message_id = fake_server.inbound_poll(chat, ["a", "b"])
    option = fake_server.poll(message_id)["poll"]["options"][0]["option_id"]
    with pytest.raises(ValidationError, match="participant"):
        fake_server.vote_as(B, message_id, option)
    with pytest.raises(ValidationError, match="no option"):
        fake_server.vote_as(A, message_id, "nope")
    with pytest.raises(ValidationError, match="operation"):
        fake_server.vote_as(A, message_id, option, operation="toggle")
    with pytest.raises(ValidationError, match="at least 2"):
        fake_server.inbound_poll(chat, ["lonely"])
    with pytest.raises(ValidationError, match="iMessage"):
        fake_server.inbound_poll(fake_server.create_chat([B], service="RCS"), ["a", "b"])
    with pytest.raises(ValidationError, match="not a poll"):
        fake_server.poll(fake_server.inbound_message(chat, "hi"))
    with pytest.raises(ValidationError, match="lines"):
        fake_server.poll_zero_retention("+14155559999")
