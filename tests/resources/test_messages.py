"""``client.messages``: wire format, both clients against the fake, idempotency, threads, and every part type."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from linq_async import (
    AppClipPart,
    AsyncLinqClient,
    BadRequestError,
    ConflictError,
    IMessageApp,
    IMessageAppLayout,
    IMessageAppPart,
    InlineSticker,
    InternalServerError,
    LinkPart,
    MediaPart,
    Mention,
    Message,
    MessageAddReactionResponse,
    MessageContent,
    MessageCreateResponse,
    MessageExperience,
    MessageUpdateAppCardResponse,
    MessageUpdateStickerPlacementResponse,
    NotFoundError,
    PermissionDeniedError,
    ReplyTo,
    SentMessage,
    Sticker,
    StickerPlacement,
    TextDecoration,
    TextPart,
    UnknownPart,
    ValidationError,
)
from linq_async.testing import FakeLinqServer

from ..helpers import CHAT, ScriptedAPI, envelope
from ..wire import WireCase, check_wire

LINE, LINE2 = "+14155550000", "+14155550009"
A, B, C = (f"+1415555{n:04d}" for n in range(301, 304))
NOW = "2026-11-22T10:00:00.000Z"
MSG = "69a37c7d-af4f-4b5e-af42-e28e98ce873a"
REACTION = "3f2a1c9e-7b6d-4e5f-8a9b-0c1d2e3f4a5b"
ATT = "550e8400-e29b-41d4-a716-446655440000"
APP = {"bundle_id": "com.example.game.ext", "name": "Example Game", "team_id": "ABCDE12345"}


@pytest.fixture
def fake_server() -> Iterator[FakeLinqServer]:
    """This module's fake has two lines, so that line choice and failover can be seen."""
    with FakeLinqServer(lines=[LINE, LINE2]) as fake:
        yield fake


def handle_json(handle: str, me: bool = False) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "handle": handle, "service": "iMessage", "is_me": me}


def sent_json(**extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "created_at": NOW,
        "sent_at": NOW,
        "delivery_status": "queued",
        "is_read": False,
        "parts": [{"type": "text", "value": "hi"}],
        **extra,
    }


def create_json(**extra: Any) -> dict[str, Any]:
    return {
        "chat_id": CHAT,
        "created_new_chat": True,
        "from": LINE,
        "from_selection": {"reason": "new_best_number", "reused_existing_chat": False},
        "handles": [handle_json(LINE, True), handle_json(A)],
        "is_group": False,
        "message": sent_json(),
        "service": "iMessage",
        "previous_chat_id": None,
        **extra,
    }


def message_json(**extra: Any) -> dict[str, Any]:
    return {
        "id": MSG,
        "chat_id": CHAT,
        "created_at": NOW,
        "updated_at": NOW,
        "delivery_status": "delivered",
        "is_delivered": True,
        "is_from_me": True,
        "is_read": False,
        "parts": [{"type": "text", "value": "hi"}],
        **extra,
    }


def thread_json(**extra: Any) -> dict[str, Any]:
    return {"messages": [message_json()], "next_cursor": None, **extra}


# Wire equality with linq-python ----------------------------------------------------------------

FULL_MESSAGE = {
    "parts": [
        {
            "type": "text",
            "value": "Hello 🎂",
            "text_decorations": [{"range": [0, 5], "style": "bold"}],
            "inline_stickers": [{"range": [6, 8], "attachment_id": ATT}],
        },
        {"type": "media", "url": "https://example.com/cake.jpg"},
    ],
    "effect": {"type": "screen", "name": "confetti"},
    "preferred_service": "iMessage",
    "reply_to": {"message_id": MSG, "part_index": 0},
    "idempotency_key": "msg-key-1",
}
APP_CARD = {
    "type": "imessage_app",
    "app": {**APP, "app_store_id": 1234567890},
    "layout": {
        "caption": "Your move",
        "subcaption": "Round 2",
        "trailing_caption": "3-2",
        "trailing_subcaption": "Best of 5",
        "image_url": "https://example.com/board.png",
        "image_title": "Board",
        "image_subtitle": "After move 12",
    },
    "url": "https://example.com/game?state=abc",
    "fallback_text": "Your move in Example Game",
    "interactive": True,
}
MENTION_MESSAGE = {
    "parts": [
        {"type": "text", "value": "Hey Juan", "mention": A, "mention_range": [4, 8]},
        {"type": "media", "attachment_id": ATT, "sticker": True},
    ]
}

WIRE = [
    WireCase(
        "messages.create",
        kwargs={
            "to": [A],
            "message": FULL_MESSAGE,
            "continuation_message": {"text": "Hi, this is our new number"},
            "exclude_from": [LINE2],
            "override_optout": False,
            "idempotency_key": "create-key-1",
        },
        answer=create_json(),
        status=202,
    ),
    WireCase(
        "messages.create",
        kwargs={"to": [A, "friend@example.com"], "message": MENTION_MESSAGE},
        answer=create_json(),
        status=202,
        label="mention-sticker",
    ),
    WireCase(
        "messages.create",
        kwargs={"to": [A, "friend@example.com"], "message": MENTION_MESSAGE},
        ours_kwargs={
            "to": [A, "friend@example.com"],
            "message": [
                TextPart(value="Hey Juan", mention=A, mention_range=(4, 8)),
                MediaPart(attachment_id=ATT, sticker=True),
            ],
        },
        answer=create_json(),
        status=202,
        label="as-models",
    ),
    WireCase(
        "messages.create",
        kwargs={"to": [A], "message": {"parts": [{"type": "link", "value": "https://linqapp.com"}]}},
        answer=create_json(),
        status=202,
        label="link",
    ),
    WireCase(
        "messages.create",
        kwargs={"to": [A], "message": {"parts": [APP_CARD]}},
        ours_kwargs={
            "to": [A],
            "message": IMessageAppPart(
                app=IMessageApp(**APP, app_store_id=1234567890),
                layout=IMessageAppLayout(**APP_CARD["layout"]),
                url=APP_CARD["url"],
                fallback_text=APP_CARD["fallback_text"],
                interactive=True,
            ),
        },
        answer=create_json(),
        status=202,
        label="imessage-app",
    ),
    WireCase(
        "messages.create",
        kwargs={
            "to": [A],
            "message": {"parts": [{"type": "app_clip", "value": "https://pay.linqapp.com/c/abc123", "caption": "Pay"}]},
        },
        ours_kwargs={"to": [A], "message": AppClipPart(value="https://pay.linqapp.com/c/abc123", caption="Pay")},
        answer=create_json(),
        status=202,
        label="app-clip",
    ),
    WireCase(
        "messages.create",
        kwargs={
            "to": [A],
            "message": {
                "experience": {"name": "agentcard", "action": "attach_card", "params": {"url": "https://example.com"}}
            },
        },
        answer=create_json(),
        status=202,
        label="experience",
    ),
    WireCase("messages.retrieve", (MSG,), answer=message_json()),
    WireCase("messages.update", (MSG,), {"text": "Edited text", "part_index": 0}, answer=message_json()),
    WireCase("messages.update", (MSG,), {"text": "Edited text"}, answer=message_json(), label="text-only"),
    WireCase("messages.delete", (MSG,), status=204),
    WireCase(
        "messages.add_reaction",
        (MSG,),
        {
            "operation": "add",
            "type": "sticker",
            "emoji": "🎉",
            "placement": {"x": 0.25, "y": -0.5, "scale": 1.5, "rotation": 30.0},
        },
    ),
    WireCase(
        "messages.add_reaction", (MSG,), {"operation": "add", "type": "love", "part_index": 1}, label="tapback-part"
    ),
    WireCase(
        "messages.add_reaction", (MSG,), {"operation": "remove", "type": "custom", "custom_emoji": "🚀"}, label="custom"
    ),
    WireCase(
        "messages.add_reaction",
        (MSG,),
        {"operation": "add", "type": "sticker", "attachment_id": ATT},
        label="sticker-attachment",
    ),
    WireCase(
        "messages.add_reaction",
        (MSG,),
        {"operation": "add", "type": "sticker", "url": f"https://cdn.linqapp.com/attachments/partners/p1/{ATT}/s.png"},
        ours_kwargs={
            "operation": "add",
            "type": "sticker",
            "url": f"https://cdn.linqapp.com/attachments/partners/p1/{ATT}/s.png",
            "placement": None,
        },
        label="sticker-url",
    ),
    WireCase(
        "messages.update_sticker_placement",
        (REACTION,),
        {"message_id": MSG, "placement": {"x": 0.1, "y": 0.2, "scale": 0.8, "rotation": -15.5}},
    ),
    WireCase(
        "messages.update_sticker_placement",
        (REACTION,),
        {"message_id": MSG, "placement": {}},
        ours_kwargs={"message_id": MSG, "placement": StickerPlacement()},
        label="empty-placement",
    ),
    WireCase(
        "messages.update_app_card",
        (MSG,),
        {
            "layout": {"caption": "Your move", "image_url": "https://example.com/board2.png", "image_title": "Board"},
            "url": "https://example.com/game?state=def",
            "fallback_text": "Updated board",
            "interactive": False,
        },
        answer={"chat_id": CHAT, "message": sent_json()},
    ),
    WireCase(
        "messages.update_app_card",
        (MSG,),
        {
            "layout": {"caption": "Card"},
            "app": APP,
            "experience": {"name": "agentcard", "action": "attach_card", "params": {"title": "T"}},
        },
        ours_kwargs={
            "layout": IMessageAppLayout(caption="Card"),
            "app": IMessageApp(**APP),
            "experience": MessageExperience(name="agentcard", action="attach_card", params={"title": "T"}),
        },
        answer={"chat_id": CHAT, "message": sent_json()},
        label="app-experience",
    ),
    WireCase(
        "messages.list_messages_thread",
        (MSG,),
        {"cursor": "20", "limit": 50, "order": "desc"},
        answer=thread_json(),
    ),
    WireCase("messages.list_messages_thread", (MSG,), answer=thread_json(), label="bare"),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    check_wire(case, recorder, official)


def test_delete_asks_for_any_content_type_and_sends_no_body(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    sent = any_client.chats.messages.send(chat, "bye").message.id
    assert any_client.messages.delete(sent) is None
    [_, deleted] = fake_server.requests
    assert deleted.headers["Accept"] == "*/*"
    assert deleted.body == b""


# Idempotency ---------------------------------------------------------------------------------


async def test_create_reuses_one_generated_key_on_every_retry(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(500, envelope(500, 3006))
    api.drop()
    api.reply(202, create_json())

    await client.messages.create(to=[A], message="hello")

    keys = {s.headers["Idempotency-Key"] for s in api.seen}
    bodies = {s.json["message"]["idempotency_key"] for s in api.seen}
    assert len(api.seen) == 3 and len(keys) == 1 and bodies == keys, "one key, in the header and the message"
    assert uuid.UUID(keys.pop())
    api.reply(202, create_json())
    await client.messages.create(to=[A], message="hello")
    assert api.seen[3].headers["Idempotency-Key"] not in bodies, "one key per logical call"


async def test_the_key_is_on_the_error(make_client: Callable[..., AsyncLinqClient], api: ScriptedAPI) -> None:
    client = make_client(max_retries=0)
    api.reply(500, envelope(500, 3006))
    with pytest.raises(InternalServerError) as info:
        await client.messages.create(to=[A], message="x", idempotency_key="order-42")
    assert info.value.idempotency_key == "order-42"  # type: ignore[attr-defined]
    assert api.seen[0].headers["Idempotency-Key"] == "order-42"
    assert api.seen[0].json["message"]["idempotency_key"] == "order-42"
    api.reply(403, envelope(403, 2024))
    with pytest.raises(PermissionDeniedError) as denied:
        await client.messages.create(to=[A], message=MessageContent(parts=[TextPart(value="x")], idempotency_key="m-1"))
    assert denied.value.idempotency_key == "m-1"  # type: ignore[attr-defined]
    assert api.seen[1].headers["Idempotency-Key"] == "m-1", "the message's own key serves for the header"
    api.reply(500, envelope(500, 3006))
    with pytest.raises(InternalServerError) as extra:
        await client.messages.create(to=[A], message="x", extra_headers={"idempotency-key": "from-extra"})
    assert extra.value.idempotency_key == "from-extra"  # type: ignore[attr-defined]
    assert {k.lower(): v for k, v in api.seen[2].headers.items()}["idempotency-key"] == "from-extra"
    assert api.seen[2].json["message"]["idempotency_key"] == "from-extra"


async def test_header_and_message_keys_may_differ(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(202, create_json())
    await client.messages.create(to=[A], message={**FULL_MESSAGE}, idempotency_key="create-key-1")
    seen = api.seen[0]
    assert (seen.headers["Idempotency-Key"], seen.json["message"]["idempotency_key"]) == ("create-key-1", "msg-key-1")


def test_a_create_whose_answer_is_cut_off_is_stored_once(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.inject("truncate", path="/v3/messages")
    # Fetched again with the same Idempotency-Key: the first answer, nothing stored twice.
    created = any_client.messages.create(to=[A], message="exactly once")
    assert len(fake_server.requests) == 2
    assert [m["parts"][0]["value"] for m in fake_server.messages(created.chat_id)] == ["exactly once"]
    assert fake_server.requests[0].headers["Idempotency-Key"] == fake_server.requests[1].headers["Idempotency-Key"]


# messages.create through the fake --------------------------------------------------------------


def test_create_picks_a_line_and_reuses_the_chat(any_client: Any, fake_server: FakeLinqServer) -> None:
    first = any_client.messages.create(to=[A], message="Hi Ana")
    assert isinstance(first, MessageCreateResponse)
    assert first.created_new_chat is True and first.from_ == LINE and first.is_group is False
    assert first.from_selection is not None and first.from_selection.reason == "new_best_number"
    assert {h.handle for h in first.handles} == {LINE, A}
    assert first.message.parts == (TextPart(value="Hi Ana"),)
    again = any_client.messages.create(to=[A], message="Me again")
    assert (again.chat_id, again.created_new_chat, again.from_) == (first.chat_id, False, LINE)
    assert again.from_selection is not None
    assert (again.from_selection.reason, again.from_selection.reused_existing_chat) == ("reused_active_chat", True)
    other = any_client.messages.create(to=[B, C], message="Hi both")
    assert other.from_ == LINE2, "the least recently used line makes the new chat"
    assert other.is_group is True and other.chat_id != first.chat_id
    listed = [m.id for m in any_client.chats.messages.list(first.chat_id)]
    assert listed == [again.message.id, first.message.id]
    assert any_client.messages.retrieve(first.message.id).delivery_status == "delivered"
    kinds = [(e["event_type"], e["data"]["id"]) for e in fake_server.events]
    assert kinds[:2] == [("message.sent", first.message.id), ("message.delivered", first.message.id)]
    sent = fake_server.events[0]["data"]
    assert sent["direction"] == "outbound" and sent["chat"]["id"] == first.chat_id
    assert sent["parts"] == [{"type": "text", "value": "Hi Ana"}] and sent["idempotency_key"]


def test_create_fails_over_from_a_flagged_line(any_client: Any, fake_server: FakeLinqServer) -> None:
    old = any_client.messages.create(to=[A], message="Hi from the first line")
    fake_server.flag_line(LINE)
    moved = any_client.messages.create(
        to=[A], message="This is not sent on failover", continuation_message="We have a new number"
    )
    assert moved.from_ == LINE2 and moved.created_new_chat is True
    assert moved.from_selection is not None and moved.from_selection.reason == "failover_flagged"
    assert moved.previous_chat_id == old.chat_id
    assert moved.message.parts == (TextPart(value="We have a new number"),)


def test_exclude_from_chooses_another_line(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.messages.create(to=[B], message="hi", exclude_from=[LINE])
    assert created.from_ == LINE2
    with pytest.raises(BadRequestError) as info:
        any_client.messages.create(to=[C], message="hi", exclude_from=[LINE, LINE2])
    assert info.value.code == 1005
    reused = any_client.messages.create(to=[B], message="still here", exclude_from=[LINE2])
    assert reused.chat_id == created.chat_id, "an existing chat is reused on its line even when excluded"


def test_create_refuses_what_the_api_refuses(any_client: Any, fake_server: FakeLinqServer) -> None:
    with pytest.raises(ConflictError) as direct:
        any_client.messages.create(to=[A], message=[TextPart(value="Ana", mention=A)])
    assert direct.value.code == 2023
    group = any_client.messages.create(to=[A, B], message=[TextPart(value="Ana, hi", mention=A, mention_range=(0, 3))])
    assert group.is_group
    fake_server.set_services(C, ["SMS"])
    with pytest.raises(ConflictError) as sms:
        any_client.messages.create(
            to=[C], message=IMessageAppPart(app=IMessageApp(**APP), layout=IMessageAppLayout(caption="x"))
        )
    assert sms.value.code == 2018
    with pytest.raises(NotFoundError) as missing:
        any_client.messages.create(
            to=[A], message=MessageContent(parts=[TextPart(value="re")], reply_to=ReplyTo(message_id=str(uuid.uuid4())))
        )
    assert missing.value.code == 2002


BAD_CREATES = [
    pytest.param({"to": A}, "list of handles", id="to-not-a-list"),
    pytest.param({"to": []}, "1 to 31", id="to-empty"),
    pytest.param({"exclude_from": ["4155551234"]}, "E.164", id="exclude-not-e164"),
    pytest.param({"exclude_from": LINE}, "list", id="exclude-not-a-list"),
    pytest.param({"continuation_message": ""}, "continuation", id="continuation-empty"),
    pytest.param({"continuation_message": {"txt": "x"}}, "continuation", id="continuation-no-text"),
    pytest.param({"override_optout": "yes"}, "override_optout", id="optout-not-bool"),
    pytest.param({"idempotency_key": "k" * 256}, "idempotency", id="long-key"),
    pytest.param({"message": ""}, "1 to 10000", id="empty-text"),
    pytest.param(
        {"message": [TextPart(value="Hello", text_decorations=(TextDecoration(range=(0, 9), style="bold"),))]},
        "UTF-16",
        id="decoration-out-of-range",
    ),
    pytest.param(
        {"message": [TextPart(value="Hello", text_decorations=(TextDecoration(range=(0, 2)),))]},
        "exactly one of style",
        id="decoration-neither",
    ),
    pytest.param(
        {"message": [TextPart(value="Hello", text_decorations=(TextDecoration(range=(0, 2), style="shiny"),))]},
        "style must be one of",
        id="decoration-unknown-style",
    ),
    pytest.param(
        {
            "message": [
                TextPart(
                    value="Hello",
                    text_decorations=(
                        TextDecoration(range=(0, 3), animation="shake"),
                        TextDecoration(range=(2, 5), style="bold"),
                    ),
                )
            ]
        },
        "animation range",
        id="animation-overlap",
    ),
    pytest.param(
        {"message": [TextPart(value="a🎂", inline_stickers=(InlineSticker(range=(1, 2), attachment_id=ATT),))]},
        "splits a character",
        id="sticker-splits-emoji",
    ),
    pytest.param(
        {"message": [TextPart(value="ab", inline_stickers=(InlineSticker(range=(0, 1)),))]},
        "exactly one of url",
        id="sticker-no-image",
    ),
    pytest.param(
        {
            "message": [
                TextPart(value="ab", mention=A, inline_stickers=(InlineSticker(range=(0, 1), attachment_id=ATT),))
            ]
        },
        "mention",
        id="sticker-and-mention",
    ),
    pytest.param(
        {
            "message": [
                TextPart(
                    value="x" * 11,
                    inline_stickers=tuple(
                        InlineSticker(range=(n, n + 1), url=f"https://cdn.linqapp.com/{n}.png") for n in range(11)
                    ),
                )
            ]
        },
        "10 distinct",
        id="too-many-sticker-images",
    ),
    pytest.param({"message": [TextPart(value="ab", mention_range=(0, 1))]}, "needs a mention", id="range-no-mention"),
    pytest.param(
        {
            "message": IMessageAppPart(
                app=IMessageApp(**{**APP, "team_id": "abc"}), layout=IMessageAppLayout(caption="c")
            )
        },
        "team_id",
        id="app-team-id",
    ),
    pytest.param(
        {"message": IMessageAppPart(app=IMessageApp(**APP), layout=IMessageAppLayout(image_title="Board"))},
        "needs a caption",
        id="app-layout-empty",
    ),
    pytest.param(
        {"message": IMessageAppPart(app=IMessageApp(**APP), layout=IMessageAppLayout(caption="c", image_title="B"))},
        "need an image_url",
        id="app-title-without-image",
    ),
    pytest.param(
        {"message": IMessageAppPart(app=IMessageApp(**APP), layout=IMessageAppLayout(caption="c"), url="ftp://x")},
        "https",
        id="app-url",
    ),
    pytest.param(
        {"message": MessageContent(parts=[AppClipPart(value="https://pay.linqapp.com/c/1")], preferred_service="SMS")},
        "iMessage only",
        id="app-clip-over-sms",
    ),
]


@pytest.mark.parametrize(("change", "reason"), BAD_CREATES)
def test_bad_creates_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, change: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        any_client.messages.create(**{"to": [A, B], "message": "hi", **change})
    assert fake_server.requests == []


# retrieve, update, delete ----------------------------------------------------------------------


def test_retrieve_finds_messages_of_any_chat(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B])
    sent = any_client.chats.messages.send(chat, [TextPart(value="look"), MediaPart(url="https://example.com/a.png")])
    message = any_client.messages.retrieve(sent.message.id)
    assert isinstance(message, Message)
    assert (message.id, message.chat_id, message.is_from_me) == (sent.message.id, chat, True)
    assert [p.type for p in message.parts] == ["text", "media"]
    with pytest.raises(NotFoundError) as info:
        any_client.messages.retrieve(uuid.uuid4())
    assert info.value.code == 2002
    with pytest.raises(ValidationError):
        any_client.messages.retrieve("../chats")
    assert len(fake_server.requests) == 3


def test_update_edits_a_text_part_and_keeps_the_history(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    sent = any_client.chats.messages.send(chat, [MediaPart(url="https://example.com/a.png"), TextPart(value="tpyo")])
    message_id = sent.message.id
    edited = any_client.messages.update(message_id, text="typo", part_index=1)
    assert isinstance(edited, Message) and edited.parts[1] == TextPart(value="typo")
    assert any_client.messages.retrieve(message_id).parts[1] == TextPart(value="typo")
    [edit] = fake_server.edits(message_id)
    assert (edit["part_index"], edit["previous"], edit["text"]) == (1, "tpyo", "typo")
    event = fake_server.events[-1]
    assert event["event_type"] == "message.edited"
    assert event["data"]["part"] == {"index": 1, "text": "typo"} and event["data"]["chat"]["id"] == chat
    with pytest.raises(BadRequestError):
        any_client.messages.update(message_id, text="a photo has no text")  # part 0 is the media part
    for n in range(4):
        any_client.messages.update(message_id, text=f"edit {n}", part_index=1)
    with pytest.raises(ConflictError):
        any_client.messages.update(message_id, text="sixth", part_index=1)
    late = any_client.chats.messages.send(chat, "late").message.id
    fake_server.backdate(late, minutes=16)
    with pytest.raises(ConflictError):
        any_client.messages.update(late, text="too late")
    inbound = fake_server.inbound_message(chat, "theirs")
    with pytest.raises(BadRequestError):
        any_client.messages.update(inbound, text="not mine")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": ""},
        {"text": "x" * 10_001},
        {"text": 5},
        {"text": "x", "part_index": -1},
        {"text": "x", "part_index": True},
    ],
)
def test_bad_updates_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        any_client.messages.update(MSG, **kwargs)
    assert fake_server.requests == []


def test_deleted_messages_are_gone(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.messages.create(
        to=[A], message=MessageContent(parts=[TextPart(value="oops")], idempotency_key="k-9")
    )
    message_id = created.message.id
    any_client.messages.delete(message_id)
    assert fake_server.deleted(message_id)
    with pytest.raises(NotFoundError) as info:
        any_client.messages.retrieve(message_id)
    assert info.value.code == 2002
    assert list(any_client.chats.messages.list(created.chat_id)) == []
    with pytest.raises(NotFoundError):
        any_client.messages.delete(message_id)
    with pytest.raises(NotFoundError):  # its idempotency key cannot send it again
        any_client.messages.create(
            to=[A], message=MessageContent(parts=[TextPart(value="oops")], idempotency_key="k-9")
        )


# Reactions ------------------------------------------------------------------------------------


def test_tapbacks_are_stored_on_the_part(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A, B])
    message_id = any_client.chats.messages.send(
        chat, [TextPart(value="hi"), MediaPart(url="https://e.com/a.png")]
    ).message.id
    answer = any_client.messages.add_reaction(message_id, operation="add", type="love", part_index=1)
    assert isinstance(answer, MessageAddReactionResponse) and answer.status == "accepted" and answer.trace_id
    [reaction] = any_client.messages.retrieve(message_id).parts[1].reactions
    assert (reaction.type, reaction.is_me) == ("love", True) and reaction.handle is not None
    assert reaction.handle.handle == LINE
    listed = next(iter(any_client.chats.messages.list(chat)))
    assert [r.type for r in listed.parts[1].reactions] == ["love"], "visible in the chat's listing too"
    any_client.messages.add_reaction(message_id, operation="add", type="laugh", part_index=1)
    assert [r.type for r in any_client.messages.retrieve(message_id).parts[1].reactions] == ["laugh"]
    any_client.messages.add_reaction(message_id, operation="remove", type="laugh", part_index=1)
    assert any_client.messages.retrieve(message_id).parts[1].reactions == ()
    any_client.messages.add_reaction(message_id, operation="add", type="custom", custom_emoji="🚀")
    [custom] = any_client.messages.retrieve(message_id).parts[0].reactions
    assert custom.custom_emoji == "🚀"
    events = [e for e in fake_server.events if e["event_type"].startswith("reaction.")]
    assert [e["event_type"] for e in events] == [
        "reaction.added",
        "reaction.added",
        "reaction.removed",
        "reaction.added",
    ]
    added = events[0]
    assert added["data"]["reaction_type"] == "love" and added["data"]["part_index"] == 1
    assert added["data"]["message_id"] == message_id and added["data"]["reaction_id"] == reaction.id
    with pytest.raises(BadRequestError):
        any_client.messages.add_reaction(message_id, operation="add", type="like", part_index=5)
    with pytest.raises(NotFoundError):
        any_client.messages.add_reaction(uuid.uuid4(), operation="add", type="like")


def test_stickers_are_placed_and_moved(any_client: Any, fake_server: FakeLinqServer) -> None:
    chat = fake_server.create_chat([A])
    message_id = any_client.chats.messages.send(chat, "stick here").message.id
    any_client.messages.add_reaction(
        message_id, operation="add", type="sticker", emoji="🎉", placement=StickerPlacement(x=0.25, y=-0.5, scale=9)
    )
    any_client.messages.add_reaction(message_id, operation="add", type="love")
    sticker = fake_server.add_attachment(b"\x89PNG...", filename="party.png", content_type="image/png")
    any_client.messages.add_reaction(message_id, operation="add", type="sticker", attachment_id=sticker)
    first, love, second = any_client.messages.retrieve(message_id).parts[0].reactions
    assert (first.type, love.type, second.type) == ("sticker", "love", "sticker"), "stickers stack beside tapbacks"
    assert isinstance(first.sticker, Sticker) and first.sticker.mime_type == "image/png"
    assert fake_server.sticker_placement(first.id) == {"x": 0.25, "y": -0.5, "scale": 2.5, "rotation": 0.0}
    assert fake_server.sticker_placement(second.id)["scale"] == 1.0
    moved = any_client.messages.update_sticker_placement(first.id, message_id=message_id, placement={"rotation": 45})
    assert isinstance(moved, MessageUpdateStickerPlacementResponse) and moved.success is True
    assert fake_server.sticker_placement(first.id) == {"x": 0.25, "y": -0.5, "scale": 2.5, "rotation": 45.0}
    with pytest.raises(BadRequestError):
        any_client.messages.update_sticker_placement(love.id, message_id=message_id, placement={"x": 0})
    with pytest.raises(NotFoundError):
        any_client.messages.update_sticker_placement(str(uuid.uuid4()), message_id=message_id, placement={"x": 0})
    event = next(e for e in fake_server.events if e["event_type"] == "reaction.added")
    assert event["data"]["sticker"]["url"].startswith("https://cdn.linqapp.com/")
    sms = fake_server.create_chat([B], service="SMS")
    sms_message = any_client.chats.messages.send(sms, "no stickers here").message.id
    with pytest.raises(ConflictError) as info:
        any_client.messages.add_reaction(sms_message, operation="add", type="sticker", emoji="🎉")
    assert info.value.code == 2017


BAD_REACTIONS = [
    pytest.param({"operation": "toggle", "type": "love"}, "operation", id="operation"),
    pytest.param({"operation": "add", "type": "wow"}, "type must be", id="type"),
    pytest.param({"operation": "add", "type": "custom"}, "custom_emoji", id="custom-without-emoji"),
    pytest.param({"operation": "add", "type": "love", "custom_emoji": "🚀"}, "custom_emoji", id="emoji-not-custom"),
    pytest.param({"operation": "remove", "type": "sticker", "emoji": "🎉"}, "cannot be removed", id="sticker-remove"),
    pytest.param({"operation": "add", "type": "sticker"}, "exactly one", id="sticker-without-image"),
    pytest.param(
        {"operation": "add", "type": "sticker", "emoji": "🎉", "url": "https://a/b.png"}, "exactly one", id="two"
    ),
    pytest.param({"operation": "add", "type": "love", "emoji": "🎉"}, "only", id="emoji-on-tapback"),
    pytest.param({"operation": "add", "type": "love", "placement": {"x": 0}}, "only", id="placement-on-tapback"),
    pytest.param({"operation": "add", "type": "love", "part_index": -1}, "part_index", id="part-index"),
    pytest.param({"operation": "add", "type": "sticker", "url": "http://a/b.png"}, "https", id="sticker-http"),
    pytest.param({"operation": "add", "type": "sticker", "attachment_id": "nope"}, "UUID", id="sticker-attachment"),
    pytest.param(
        {"operation": "add", "type": "sticker", "emoji": "🎉", "placement": {"rotate": 1}}, "only x", id="placement-key"
    ),
    pytest.param(
        {"operation": "add", "type": "sticker", "emoji": "🎉", "placement": {"x": float("nan")}}, "finite", id="nan"
    ),
]


@pytest.mark.parametrize(("kwargs", "reason"), BAD_REACTIONS)
def test_bad_reactions_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        any_client.messages.add_reaction(MSG, **kwargs)
    assert fake_server.requests == []


def test_bad_placements_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer) -> None:
    for reaction_id, message_id, placement in [
        ("a/b", MSG, {}),
        ("", MSG, {}),
        (REACTION, "not-a-uuid", {}),
        (REACTION, MSG, {"x": "left"}),
        (REACTION, MSG, [0.1]),
    ]:
        with pytest.raises(ValidationError):
            any_client.messages.update_sticker_placement(reaction_id, message_id=message_id, placement=placement)
    assert fake_server.requests == []


# App cards -------------------------------------------------------------------------------------


def test_update_app_card_redraws_a_card_as_a_new_message(any_client: Any, fake_server: FakeLinqServer) -> None:
    card = IMessageAppPart(
        app=IMessageApp(**APP), layout=IMessageAppLayout(caption="Your move"), url="https://e.com/g?s=1"
    )
    created = any_client.messages.create(to=[A], message=card)
    updated = any_client.messages.update_app_card(
        created.message.id, layout=IMessageAppLayout(caption="Their move", subcaption="Round 3"), interactive=False
    )
    assert isinstance(updated, MessageUpdateAppCardResponse)
    assert updated.chat_id == created.chat_id and updated.message.id != created.message.id
    [part] = updated.message.parts
    assert isinstance(part, IMessageAppPart) and part.type == "imessage_app"
    assert part.app is not None and part.app.team_id == "ABCDE12345", "the app stays the original's"
    assert part.layout == IMessageAppLayout(caption="Their move", subcaption="Round 3")
    assert (part.url, part.fallback_text, part.interactive) == ("https://e.com/g?s=1", "Their move", False)
    again = any_client.messages.update_app_card(updated.message.id, layout={"caption": "Game over"})
    assert any_client.messages.retrieve(again.message.id).parts[0].layout.caption == "Game over"
    sent_ids = [e["data"]["id"] for e in fake_server.events if e["event_type"] == "message.sent"]
    assert sent_ids == [created.message.id, updated.message.id, again.message.id]
    text = any_client.messages.create(to=[A], message="not a card").message.id
    with pytest.raises(BadRequestError):
        any_client.messages.update_app_card(text, layout={"caption": "x"})
    fake_server.set_delivery_status(again.message.id, "queued")
    with pytest.raises(ConflictError):
        any_client.messages.update_app_card(again.message.id, layout={"caption": "too soon"})


def test_an_experience_card_can_be_updated(any_client: Any, fake_server: FakeLinqServer) -> None:
    experience = MessageExperience(name="agentcard", action="attach_card", params={"title": "Hello"})
    created = any_client.messages.create(to=[A], message=MessageContent(experience=experience.to_dict()))
    updated = any_client.messages.update_app_card(
        created.message.id,
        layout={"caption": "Updated"},
        experience=MessageExperience(name="agentcard", action="attach_card"),
    )
    assert updated.message.id != created.message.id


@pytest.mark.parametrize(
    "kwargs",
    [
        {"layout": {}},
        {"layout": {"caption": 5}},
        {"layout": {"colour": "red", "caption": "c"}},
        {"layout": {"caption": "c"}, "url": "https://a", "experience": {"name": "n", "action": "a"}},
        {"layout": {"caption": "c"}, "experience": {"name": "n"}},
        {"layout": {"caption": "c"}, "app": {**APP, "bundle_id": "com:x"}},
        {"layout": {"caption": "c"}, "url": "data:" + "x" * 16_400},
        {"layout": {"caption": "c"}, "interactive": "no"},
        {"layout": "caption"},
    ],
)
def test_bad_app_card_updates_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        any_client.messages.update_app_card(MSG, **kwargs)
    assert fake_server.requests == []


# Threads ---------------------------------------------------------------------------------------


def test_a_thread_lists_the_first_message_and_every_reply(any_client: Any, fake_server: FakeLinqServer) -> None:
    root = any_client.messages.create(to=[A], message="Who is in?")
    chat = root.chat_id
    replies = [
        any_client.messages.create(
            to=[A],
            message=MessageContent(parts=[TextPart(value=f"reply {n}")], reply_to=ReplyTo(message_id=root.message.id)),
        ).message.id
        for n in range(3)
    ]
    theirs = fake_server.inbound_message(chat, "me!", reply_to=replies[0])  # a reply to a reply: same thread
    loner = any_client.chats.messages.send(chat, "unrelated").message.id
    expected = [root.message.id, *replies, theirs]
    start = len(fake_server.requests)
    walked = [m.id for m in any_client.messages.list_messages_thread(replies[1], limit=2)]
    assert walked == expected
    assert [r.query.get("cursor") for r in fake_server.requests[start:]] == [None, "2", "4"]
    assert all(r.query["limit"] == "2" for r in fake_server.requests[start:])
    newest_first = [m.id for m in any_client.messages.list_messages_thread(theirs, order="desc")]
    assert newest_first == expected[::-1]
    page = any_client.messages.list_messages_thread(root.message.id, limit=2, cursor="2").first_page()
    assert [m.id for m in page.items] == expected[2:4] and page.next_cursor == "4"
    assert [m.id for m in any_client.messages.list_messages_thread(loner)] == [loner]
    assert all(isinstance(m, Message) for m in any_client.messages.list_messages_thread(loner))


@pytest.mark.parametrize("kwargs", [{"order": "newest"}, {"limit": 0}, {"limit": 101}, {"cursor": ""}])
def test_bad_thread_arguments_are_refused_at_the_call(
    any_client: Any, fake_server: FakeLinqServer, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        any_client.messages.list_messages_thread(MSG, **kwargs)
    assert fake_server.requests == []


def test_raw_responses(any_client: Any, fake_server: FakeLinqServer) -> None:
    created = any_client.messages.create(to=[A], message="raw")
    raw = any_client.messages.with_raw_response.retrieve(created.message.id)
    assert raw.status_code == 200
    assert raw.parse().id == created.message.id


# Parts: every type read from JSON and written back -------------------------------------------------

R1, R2, R3 = (str(uuid.UUID(int=n)) for n in (1, 2, 3))
PARTS: list[dict[str, Any]] = [
    {
        "type": "text",
        "value": "Hey Ana 🎂!",
        "text_decorations": [{"range": [0, 3], "style": "bold"}, {"range": [4, 7], "animation": "shake"}],
        "inline_stickers": [
            {"range": [8, 10], "id": ATT, "file_name": "cake.png", "mime_type": "image/png", "url": "https://cdn/c.png"}
        ],
        "mention": A,
        "mention_range": [4, 7],
        "mentions": [{"handle": A, "is_me": False, "range": [4, 7]}],
        "reactions": [
            {"type": "love", "is_me": False, "handle": {"id": R1, "handle": A, "service": "iMessage"}, "id": R1},
            {
                "type": "sticker",
                "is_me": True,
                "handle": {"id": R2, "handle": LINE, "service": "iMessage", "is_me": True},
                "id": R2,
                "sticker": {
                    "file_name": "s.png",
                    "mime_type": "image/png",
                    "width": 160,
                    "height": 120,
                    "url": "https://s",
                },
            },
            {"type": "custom", "is_me": False, "handle": {"handle": B}, "custom_emoji": "🚀"},
        ],
    },
    {"type": "media", "id": ATT, "filename": "a.heic", "mime_type": "image/heic", "size_bytes": 12, "url": "https://m"},
    {"type": "link", "value": "https://linqapp.com", "reactions": [{"type": "like", "id": R3}]},
    {
        "type": "imessage_app",
        "app": {**APP, "app_store_id": 1234567890},
        "layout": {**APP_CARD["layout"], "image_url": "https://cdn.linqapp.com/board.png"},
        "url": "https://example.com/game?state=abc",
        "fallback_text": "Your move",
    },
    {
        "type": "app_clip",
        "value": "https://pay.linqapp.com/c/abc123",
        "title": "Pay Linq",
        "description": "$12.00 for lunch",
        "image_url": "https://cdn.linqapp.com/clip.png",
    },
    {"type": "hologram", "depth": 3},
]


async def test_every_part_type_is_read_and_written_back(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, message_json(parts=PARTS))
    message = await client.messages.retrieve(MSG)
    text, media, link, app, clip, future = message.parts
    assert [p.type for p in message.parts] == ["text", "media", "link", "imessage_app", "app_clip", "hologram"]
    assert (TextPart.type, MediaPart.type, LinkPart.type, IMessageAppPart.type, AppClipPart.type) == (
        "text", "media", "link", "imessage_app", "app_clip"
    )  # fmt: skip
    assert isinstance(text, TextPart) and text.extra == {}
    assert text.text_decorations == (
        TextDecoration(range=(0, 3), style="bold"),
        TextDecoration(range=(4, 7), animation="shake"),
    )
    assert text.inline_stickers[0].file_name == "cake.png" and text.inline_stickers[0].id == ATT
    assert text.mentions == (Mention(handle=A, is_me=False, range=(4, 7)),)
    assert (text.mention, text.mention_range) == (A, (4, 7))
    love, sticker, custom = text.reactions
    assert love.handle is not None and love.handle.handle == A
    assert sticker.sticker == Sticker(file_name="s.png", mime_type="image/png", width=160, height=120, url="https://s")
    assert custom.custom_emoji == "🚀" and custom.handle is not None and custom.handle.id is None
    assert isinstance(media, MediaPart) and (media.mime_type, media.size_bytes) == ("image/heic", 12)
    assert isinstance(link, LinkPart) and link.reactions[0].handle is None
    assert isinstance(app, IMessageAppPart) and app.app == IMessageApp(**APP, app_store_id=1234567890)
    assert app.layout is not None and app.layout.image_subtitle == "After move 12"
    assert isinstance(clip, AppClipPart) and (clip.title, clip.description) == ("Pay Linq", "$12.00 for lunch")
    assert isinstance(future, UnknownPart) and future.extra == {"depth": 3}
    assert [p.to_dict() for p in message.parts] == PARTS


async def test_answers_missing_optional_fields_still_parse(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    """A send that happened must not raise because the answer left out a field."""
    sparse = {"id": str(uuid.uuid4()), "parts": None}
    api.reply(202, {"chat_id": CHAT, "message": sparse, "handles": [{"handle": A}], "from_selection": None})
    created = await client.messages.create(to=[A], message="hi")
    assert isinstance(created.message, SentMessage)
    assert (created.message.delivery_status, created.message.parts, created.from_) == (None, (), None)
    assert created.handles[0].id is None
    api.reply(200, {"id": MSG, "chat_id": CHAT})
    assert (await client.messages.retrieve(MSG)).is_from_me is None


def test_request_parts_write_the_wire_form() -> None:
    text = TextPart(
        value="Hello 🎂",
        text_decorations=(TextDecoration(range=(0, 5), style="bold"),),
        inline_stickers=(InlineSticker(range=(6, 8), attachment_id=ATT),),
    )
    assert text.to_dict() == FULL_MESSAGE["parts"][0]  # type: ignore[index]
    assert AppClipPart(value="https://pay.linqapp.com/c/1", caption="Pay").to_dict() == {
        "type": "app_clip",
        "value": "https://pay.linqapp.com/c/1",
        "caption": "Pay",
    }
    assert StickerPlacement(x=0.1, rotation=-15.5).to_dict() == {"x": 0.1, "rotation": -15.5}


# Conformance with the February 2026 spec -----------------------------------------------------------


@pytest.mark.prism
async def test_message_calls_conform(prism_client: Callable[..., AsyncLinqClient], violations: Any) -> None:
    """The spec has retrieve, tapback reactions and threads; ``delete`` needed a body then, so it is left out."""
    client = prism_client(prefer="dynamic=true")
    message = await client.messages.retrieve(MSG)
    assert message.id
    await client.messages.add_reaction(MSG, operation="add", type="laugh", part_index=1)
    page = await client.messages.list_messages_thread(MSG, limit=10, order="desc")
    assert all(m.id for m in page)
    assert [s for _, _, s in violations.exchanges] == [200, 200, 200]
    assert violations.violations == []
