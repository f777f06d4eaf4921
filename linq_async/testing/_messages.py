"""The fake's messages area: ``/v3/messages``, messages by id across chats, reactions, edits, threads, app cards.

Messages live where the chats area keeps them (each chat's ``messages``, oldest first), so a
message sent with ``chats.messages.send`` can be read, edited, reacted to and deleted here, and a
reaction added here shows in ``chats.messages.list``. Sends made here are delivered at once: they
raise ``message.sent`` then ``message.delivered``.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from aiohttp import web

from .. import _validate
from .._errors import ValidationError
from .._rules import MAX_TEXT, SERVICES, RuleError, check_recipients_count
from ._chats import ChatsArea, _Chat, _Member
from ._core import TRACE, Refused, route, timestamp

__all__ = ["MESSAGE_RULES", "MessagesArea"]

# rule -> (HTTP status, Linq code, message). Codes the docs name: 2002, 2018, 2023, 2028. For the
# others the docs give no code; these are the closest documented ones.
MESSAGE_RULES: dict[str, tuple[int, int, str]] = {
    "invalid_message_id": (400, 1005, "Invalid parameter value: message id must be a UUID"),
    "invalid_part_index": (400, 1005, "Invalid parameter value: part_index is out of range"),
    "reaction_not_found": (404, 2002, "Reaction not found on this message"),
    "not_a_sticker": (400, 1005, "Only stickers can be repositioned"),
    "sticker_not_removable": (400, 1005, "Stickers cannot be removed"),
    "not_editable": (400, 1005, "Only text parts of messages you sent can be edited"),
    "edit_limit": (409, 2015, "A message can be edited at most 5 times"),
    "edit_window": (409, 2015, "A message can be edited only within 15 minutes of sending"),
    "mention_in_direct_chat": (409, 2023, "Mentions are allowed in group chats only"),
    "imessage_app_service": (409, 2018, "iMessage app messages can only be sent over iMessage"),
    "app_clip_service": (409, 2028, "App Clips can only be sent over iMessage"),
    "not_app_card": (400, 1005, "Only an iMessage app card you sent can be updated"),
    "card_not_sent": (409, 2015, "The card is not sent yet; retry after its message.sent webhook"),
    "all_lines_excluded": (400, 1005, "Every available line is excluded"),
    "no_eligible_line": (409, 2015, "None of your lines can send to these recipients now"),
}

REACTION_TYPES = ("love", "like", "dislike", "laugh", "emphasize", "question", "custom", "sticker")
DELIVERY_STATUSES = ("pending", "queued", "sent", "delivered", "received", "read", "failed")
MAX_EDITS = 5
EDIT_WINDOW = dt.timedelta(minutes=15)
_SENT_KEYS = (
    "id",
    "created_at",
    "sent_at",
    "delivered_at",
    "delivery_status",
    "is_read",
    "parts",
    "effect",
    "from_handle",
    "preferred_service",
    "reply_to",
    "service",
)
_PLACEMENT_KEYS = ("x", "y", "scale", "rotation")


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _placement(value: object) -> dict[str, float]:
    if not isinstance(value, dict) or not set(value) <= set(_PLACEMENT_KEYS):
        raise Refused("invalid_body")
    for number in value.values():
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise Refused("invalid_body")
    return {key: float(number) for key, number in value.items()}


class MessagesArea(ChatsArea):
    """Messages by id. Read with ``message``, ``edits``, ``sticker_placement``; set up with ``inbound_message``."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = MESSAGE_RULES

    def _setup_messages(self) -> None:
        self._deleted_messages: set[str] = set()
        self._edits: dict[str, list[dict[str, Any]]] = {}
        self._placements: dict[str, dict[str, float]] = {}  # sticker reaction id -> where it sits
        self._cards: dict[str, Any] = {}  # message id -> the experience it was sent as
        self._flagged: set[str] = set()
        self._line_use: dict[str, int] = {}
        self._use_clock = itertools.count()

    # Helpers, for tests ------------------------------------------------------------------------

    def _find(self, message_id: str) -> tuple[_Chat, dict[str, Any]] | None:
        for chat in self._chats.values():
            for message in chat.messages:
                if message["id"] == message_id:
                    return chat, message
        return None

    def _known_message(self, message_id: str) -> tuple[_Chat, dict[str, Any]]:
        found = self._find(_validate.chat_id(message_id, "message_id"))
        if found is None:
            raise ValidationError(f"the fake server has no message {message_id!r}")
        return found

    def message(self, message_id: str) -> dict[str, Any]:
        """The message as ``GET /v3/messages/{id}`` would return it (reactions included)."""
        with self._lock:
            return copy.deepcopy(self._known_message(message_id)[1])

    def deleted(self, message_id: str) -> bool:
        """Whether the message was deleted through the API."""
        with self._lock:
            return _validate.chat_id(message_id, "message_id") in self._deleted_messages

    def edits(self, message_id: str) -> list[dict[str, Any]]:
        """The message's edits, oldest first: ``part_index``, ``previous`` and new ``text``, ``edited_at``."""
        with self._lock:
            self._known_message(message_id)
            return copy.deepcopy(self._edits.get(message_id, []))

    def sticker_placement(self, reaction_id: str) -> dict[str, float]:
        """Where a sticker reaction sits: ``x``, ``y``, ``scale``, ``rotation``."""
        with self._lock:
            placement = self._placements.get(reaction_id)
            if placement is None:
                raise ValidationError(f"the fake server has no sticker reaction {reaction_id!r}")
            return dict(placement)

    def flag_line(self, line: str) -> None:
        """Flag one of the fake's lines: ``messages.create`` then moves its chats to another line."""
        if line not in self.lines:
            raise ValidationError(f"{line!r} is not one of the fake's lines {self.lines}")
        with self._lock:
            self._flagged.add(line)

    def set_delivery_status(self, message_id: str, status: str) -> None:
        """Set a message's ``delivery_status`` (e.g. ``"queued"``, to show a card not sent yet)."""
        if status not in DELIVERY_STATUSES:
            raise ValidationError(f"status must be one of {DELIVERY_STATUSES}, got {status!r}")
        with self._lock:
            message = self._known_message(message_id)[1]
            message["delivery_status"] = status
            message["is_delivered"] = status in ("delivered", "read")
            message["is_read"] = status == "read"

    def backdate(self, message_id: str, minutes: float) -> None:
        """Make a message look sent ``minutes`` earlier than it was (for the edit window)."""
        with self._lock:
            message = self._known_message(message_id)[1]
            for key in ("created_at", "sent_at"):
                if message.get(key):
                    earlier = _parse_time(message[key]) - dt.timedelta(minutes=minutes)
                    message[key] = earlier.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def inbound_message(
        self,
        chat_id: str,
        text: str,
        *,
        handle: str | None = None,
        reply_to: str | None = None,
        parts: Iterable[Mapping[str, Any]] | None = None,
    ) -> str:
        """Store a message a participant sent into the chat (``handle``, default the first); return its id.

        ``parts`` replaces the single text part made from ``text``; ``reply_to`` makes it a reply.
        Raises ``message.received``.
        """
        with self._lock:
            chat = self._known(chat_id)
            replied = None if reply_to is None else _validate.chat_id(reply_to, "reply_to")  # before storing
            wire_parts = [dict(p) for p in parts] if parts is not None else [{"type": "text", "value": text}]
            message, sender = self._store_inbound(chat, handle, wire_parts, str(uuid.uuid4()))
            if replied is not None:
                message["reply_to"] = {"message_id": replied, "part_index": 0}
            self._emit(None, "message.received", self._message_event(chat, message, sender=sender.wire()))
            return str(message["id"])

    def _store_inbound(
        self, chat: _Chat, handle: str | None, parts: list[dict[str, Any]], message_id: str
    ) -> tuple[dict[str, Any], _Member]:
        """Store a message from an active participant (``handle``, default the first); with the lock held."""
        sender = next((m for m in chat.active if not m.is_me and (handle is None or m.handle == handle)), None)
        if sender is None:
            raise ValidationError(f"{handle!r} is not an active participant of chat {chat.id!r}")
        now = timestamp()
        message: dict[str, Any] = {
            "id": message_id,
            "chat_id": chat.id,
            "created_at": now,
            "updated_at": now,
            "sent_at": now,
            "delivery_status": "received",
            "is_read": False,
            "is_delivered": False,
            "is_from_me": False,
            "parts": parts,
            "from": sender.handle,
            "from_handle": sender.wire(),
            "service": chat.service,
        }
        chat.messages.append(message)
        chat.updated_at = now
        return message, sender

    # Plumbing ------------------------------------------------------------------------------------

    def _message_for(self, request: web.Request, *, allow_left: bool = False) -> tuple[_Chat, dict[str, Any]]:
        try:
            message_id = _validate.chat_id(request.match_info["message_id"], "message_id")
        except ValidationError:
            raise Refused("invalid_message_id") from None
        found = self._find(message_id)
        if found is None:
            raise Refused("message_not_found")
        if found[0].left and not allow_left:
            raise Refused("left_chat")
        return found

    @staticmethod
    def _me(chat: _Chat) -> dict[str, Any]:
        return next(m.wire() for m in chat.members if m.is_me)

    def _message_event(
        self, chat: _Chat, message: Mapping[str, Any], *, sender: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        me = self._me(chat)
        data: dict[str, Any] = {
            "id": message["id"],
            "chat": {
                "id": chat.id,
                "health_status": chat.wire()["health_status"],
                "is_group": chat.is_group,
                "owner_handle": me,
            },
            "direction": "outbound" if message.get("is_from_me") else "inbound",
            "parts": copy.deepcopy(message["parts"]),
            "sender_handle": sender or me,
            "service": message.get("service") or chat.service,
        }
        for optional in ("sent_at", "delivered_at", "read_at", "effect", "preferred_service", "reply_to"):
            if message.get(optional) is not None:
                data[optional] = copy.deepcopy(message[optional])
        if key is not None:
            data["idempotency_key"] = key
        return data

    def _deliver_sent(self, request: web.Request, chat: _Chat, message: dict[str, Any], key: str | None) -> None:
        """Raise ``message.sent``, then deliver the message and raise ``message.delivered``."""
        self._emit(request, "message.sent", self._message_event(chat, message, key=key))
        message["delivery_status"], message["is_delivered"] = "delivered", True
        message["delivered_at"] = timestamp()
        self._emit(request, "message.delivered", self._message_event(chat, message, key=key))

    @staticmethod
    def _sent_view(message: Mapping[str, Any]) -> dict[str, Any]:
        return {key: copy.deepcopy(message[key]) for key in _SENT_KEYS if key in message}

    def _use_line(self, line: str) -> None:
        self._line_use[line] = next(self._use_clock)

    def _service_for(self, handles: list[str], preferred: object) -> str:
        if preferred in SERVICES and all(preferred in self._services_of(h) for h in handles):
            return str(preferred)
        for service in ("iMessage", "RCS", "SMS"):
            if all(service in self._services_of(h) for h in handles):
                return service
        return "SMS"

    @staticmethod
    def _check_service(parts: list[dict[str, Any]], service: str, preferred: object) -> None:
        for part in parts:
            if part["type"] in ("imessage_app", "app_clip") and (service != "iMessage" or preferred in ("SMS", "RCS")):
                raise Refused("imessage_app_service" if part["type"] == "imessage_app" else "app_clip_service")

    def _thread_root(self, chat: _Chat, message: dict[str, Any]) -> dict[str, Any]:
        by_id = {m["id"]: m for m in chat.messages}
        seen = {message["id"]}
        while True:
            reply = message.get("reply_to") or {}
            parent = by_id.get(reply.get("message_id"))
            if parent is None or parent["id"] in seen:
                return message
            seen.add(parent["id"])
            message = parent

    # POST /v3/messages ---------------------------------------------------------------------------

    @route("POST", "/messages")
    async def _create_message(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        message, to = data.get("message"), data.get("to")
        if message is None or not to:
            raise Refused("missing_field")
        if not isinstance(to, list):
            raise Refused("invalid_body")
        try:
            check_recipients_count(len(to))
        except RuleError as broken:
            raise Refused(broken.rule) from None
        handles = list(dict.fromkeys(self._handle_field({"handle": h}) for h in to))
        if len(handles) == 1:  # a block list refuses direct sends; a group with one blocked member still works
            self._check_recipient(handles[0])
        parts = self._check_message(message, first=False)
        assert isinstance(message, dict)
        exclude = data.get("exclude_from") or []
        if not isinstance(exclude, list):
            raise Refused("invalid_body")
        for number in exclude:
            if not isinstance(number, str) or not number.startswith("+"):
                raise Refused("invalid_phone")
            self._handle_field({"handle": number})
        continuation = data.get("continuation_message")
        if continuation is not None and (
            not isinstance(continuation, dict)
            or not isinstance(continuation.get("text"), str)
            or not 1 <= len(continuation["text"]) <= MAX_TEXT
        ):
            raise Refused("invalid_body")
        header_key = request.headers.get("Idempotency-Key")
        key = message.get("idempotency_key") if isinstance(message.get("idempotency_key"), str) else None
        with self._lock:
            for scope, given in (("messages:header", header_key), ("messages", key)):
                replay = self._replay({"idempotency_key": given}, scope)
                if replay is not None:
                    if replay[1]["message"]["id"] in self._deleted_messages:
                        raise Refused("message_not_found")
                    return web.json_response(replay[1], status=replay[0])
            reply_to = message.get("reply_to")
            if isinstance(reply_to, dict) and self._find(str(reply_to.get("message_id"))) is None:
                raise Refused("message_not_found")
            chat, line, previous = self._choose_chat(handles, exclude)
            if chat is not None:
                reason = "reused_active_chat"
            else:
                reason = "failover_flagged" if previous is not None else "new_best_number"
            preferred = message.get("preferred_service")
            service = chat.service if chat is not None else self._service_for(handles, preferred)
            if reason == "failover_flagged" and continuation is not None:
                message = {k: v for k, v in message.items() if k in ("idempotency_key",)}
                parts = [{"type": "text", "value": continuation["text"]}]
            if len(handles) == 1 and any(p["type"] == "text" and p.get("mention") is not None for p in parts):
                raise Refused("mention_in_direct_chat")
            self._check_service(parts, service, message.get("preferred_service"))
            created = chat is None
            if chat is None:
                chat = self._chats[self.create_chat(handles, service=service, line=line)]
            sent = self._sent_message(chat, message, parts)
            if message.get("experience") is not None:
                self._cards[sent["id"]] = copy.deepcopy(message["experience"])
            self._use_line(chat.line)
            body = {
                "chat_id": chat.id,
                "created_new_chat": created,
                "from": chat.line,
                "from_selection": {"reason": reason, "reused_existing_chat": not created},
                "handles": [m.wire() for m in chat.members],
                "is_group": chat.is_group,
                "message": self._sent_view(sent),
                "service": chat.service,
                "previous_chat_id": previous,
            }
            self._remember({"idempotency_key": header_key}, "messages:header", 202, body)
            self._remember({"idempotency_key": key}, "messages", 202, body)
            self._deliver_sent(request, chat, sent, key)
        return web.json_response(body, status=202)

    def _choose_chat(self, handles: list[str], exclude: list[str]) -> tuple[_Chat | None, str, str | None]:
        """``(chat to reuse, "", None)``, or ``(None, line for a new chat, id of the chat abandoned or None)``."""
        wanted = set(handles)
        matching = sorted(
            (c for c in self._chats.values() if not c.left and {m.handle for m in c.active if not m.is_me} == wanted),
            key=lambda c: c.updated_at,
            reverse=True,
        )
        usable = [c for c in matching if c.line not in self._flagged]
        if usable:
            preferred = [c for c in usable if c.line not in exclude] or usable
            return preferred[0], "", None
        candidates = [line for line in self.lines if line not in self._flagged]
        free = [line for line in candidates if line not in exclude]
        if not free:
            raise Refused("all_lines_excluded" if candidates else "no_eligible_line")
        line = min(free, key=lambda n: self._line_use.get(n, -1))
        return None, line, matching[0].id if matching else None

    # /v3/messages/{message_id} -------------------------------------------------------------------

    @route("GET", "/messages/{message_id}")
    async def _get_message(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(self._message_for(request, allow_left=True)[1])

    @route("PATCH", "/messages/{message_id}")
    async def _edit_message(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        text, index = data.get("text"), data.get("part_index", 0)
        if text is None:
            raise Refused("missing_field")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT or not _is_index(index):
            raise Refused("invalid_body")
        with self._lock:
            chat, message = self._message_for(request)
            if index >= len(message["parts"]):
                raise Refused("invalid_part_index")
            part = message["parts"][index]
            if not message.get("is_from_me") or part["type"] != "text":
                raise Refused("not_editable")
            edits = self._edits.setdefault(message["id"], [])
            if len(edits) >= MAX_EDITS:
                raise Refused("edit_limit")
            now = timestamp()
            sent_at = message.get("sent_at") or message["created_at"]
            if _parse_time(now) - _parse_time(sent_at) > EDIT_WINDOW:
                raise Refused("edit_window")
            edits.append({"part_index": index, "previous": part["value"], "text": text, "edited_at": now})
            part["value"] = text
            message["updated_at"] = now
            me = self._me(chat)
            self._emit(
                request,
                "message.edited",
                {
                    "id": message["id"],
                    "chat": {
                        "id": chat.id,
                        "health_status": chat.wire()["health_status"],
                        "is_group": chat.is_group,
                        "owner_handle": me,
                    },
                    "direction": "outbound",
                    "edited_at": now,
                    "part": {"index": index, "text": text},
                    "sender_handle": me,
                },
            )
            return web.json_response(message)

    @route("DELETE", "/messages/{message_id}")
    async def _delete_message(self, request: web.Request) -> web.Response:
        with self._lock:
            chat, message = self._message_for(request, allow_left=True)
            chat.messages[:] = [m for m in chat.messages if m is not message]
            self._deleted_messages.add(message["id"])
        return web.Response(status=204)

    # Reactions -----------------------------------------------------------------------------------

    def _sticker_image(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if data.get("emoji") is not None:
            name = f"{uuid.uuid4()}.png"
            return {
                "file_name": "sticker.png",
                "mime_type": "image/png",
                "width": 160,
                "height": 160,
                "url": f"https://cdn.linqapp.com/stickers/{name}",
            }
        if data.get("attachment_id") is not None:
            attachment = str(data["attachment_id"])
            self._check_media({"type": "media", "attachment_id": attachment})
            url = f"https://cdn.linqapp.com/attachments/partners/{self.partner_id}/{attachment}/sticker.png"
            return {"file_name": "sticker.png", "mime_type": "image/png", "url": url}
        url = str(data["url"])
        self._check_media({"type": "media", "url": url})
        return {"file_name": url.rsplit("/", 1)[-1] or "sticker.png", "mime_type": "image/png", "url": url}

    def _reaction_event(
        self, chat: _Chat, message: Mapping[str, Any], index: int, reaction: Mapping[str, Any]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "is_from_me": True,
            "reaction_type": reaction["type"],
            "chat_id": chat.id,
            "message_id": message["id"],
            "part_index": index,
            "from": chat.line,
            "from_handle": self._me(chat),
            "reacted_at": timestamp(),
            "reaction_id": reaction["id"],
            "service": chat.service,
        }
        for optional in ("custom_emoji", "sticker"):
            if reaction.get(optional) is not None:
                data[optional] = copy.deepcopy(reaction[optional])
        return data

    @route("POST", "/messages/{message_id}/reactions")
    async def _react(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        operation, kind, index = data.get("operation"), data.get("type"), data.get("part_index", 0)
        if operation is None or kind is None:
            raise Refused("missing_field")
        if operation not in ("add", "remove") or kind not in REACTION_TYPES or not _is_index(index):
            raise Refused("invalid_body")
        given = [k for k in ("emoji", "url", "attachment_id") if data.get(k) is not None]
        if kind == "sticker":
            if operation == "remove":
                raise Refused("sticker_not_removable")
            if len(given) != 1:
                raise Refused("invalid_body")
        elif given or data.get("placement") is not None:
            raise Refused("invalid_body")
        emoji = data.get("custom_emoji")
        if kind == "custom" and not isinstance(emoji, str):
            raise Refused("missing_field")
        placement = _placement(data["placement"]) if data.get("placement") is not None else {}
        with self._lock:
            chat, message = self._message_for(request)
            if index >= len(message["parts"]):
                raise Refused("invalid_part_index")
            if kind == "sticker" and chat.service != "iMessage":
                raise Refused("service_not_supported")
            part = message["parts"][index]
            reactions: list[dict[str, Any]] = part.setdefault("reactions", [])
            if operation == "add":
                reaction: dict[str, Any] = {
                    "id": str(uuid.uuid4()),
                    "type": kind,
                    "is_me": True,
                    "handle": self._me(chat),
                }
                if kind == "custom":
                    reaction["custom_emoji"] = emoji
                if kind == "sticker":
                    reaction["sticker"] = self._sticker_image(data)
                    default_scale = 0.5 if data.get("emoji") is not None else 1.0
                    where = {"x": 0.0, "y": 0.0, "scale": default_scale, "rotation": 0.0, **placement}
                    where["scale"] = min(max(where["scale"], 0.05), 2.5)
                    self._placements[reaction["id"]] = where
                else:  # one tapback per person and part: a new one replaces yours
                    reactions[:] = [r for r in reactions if not r.get("is_me") or r["type"] == "sticker"]
                reactions.append(reaction)
                self._emit(request, "reaction.added", self._reaction_event(chat, message, index, reaction))
                answer = "Reaction added"
            else:
                mine = next(
                    (
                        r
                        for r in reactions
                        if r.get("is_me") and r["type"] == kind and (kind != "custom" or r.get("custom_emoji") == emoji)
                    ),
                    None,
                )
                if mine is not None:
                    reactions.remove(mine)
                    self._emit(request, "reaction.removed", self._reaction_event(chat, message, index, mine))
                answer = "Reaction removed"
            if not reactions:
                del part["reactions"]
            message["updated_at"] = timestamp()
        return web.json_response({"message": answer, "status": "accepted", "trace_id": request[TRACE]})

    @route("PATCH", "/messages/{message_id}/reactions/{reaction_id}")
    async def _move_sticker(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        if data.get("placement") is None:
            raise Refused("missing_field")
        placement = _placement(data["placement"])
        reaction_id = request.match_info["reaction_id"]
        with self._lock:
            _, message = self._message_for(request)
            reaction = next(
                (r for p in message["parts"] for r in p.get("reactions", ()) if r.get("id") == reaction_id), None
            )
            if reaction is None:
                raise Refused("reaction_not_found")
            if reaction["type"] != "sticker":
                raise Refused("not_a_sticker")
            where = self._placements.get(reaction_id)
            if where is None:  # placed before stickers could be moved
                raise Refused("reaction_not_found")
            where.update(placement)
            where["scale"] = min(max(where["scale"], 0.05), 2.5)
        return web.json_response({"status": "accepted", "success": True, "trace_id": request[TRACE]})

    # App cards and threads -----------------------------------------------------------------------

    @route("POST", "/messages/{message_id}/update")
    async def _update_card(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        layout = data.get("layout")
        if layout is None:
            raise Refused("missing_field")
        if not isinstance(layout, dict) or (data.get("url") is not None and data.get("experience") is not None):
            raise Refused("invalid_body")
        with self._lock:
            chat, message = self._message_for(request)
            parts = message["parts"]
            card = parts[0] if len(parts) == 1 and parts[0]["type"] == "imessage_app" else None
            experience = self._cards.get(message["id"])
            if not message.get("is_from_me") or (card is None and experience is None):
                raise Refused("not_app_card")
            if message.get("delivery_status") in ("pending", "queued"):
                raise Refused("card_not_sent")
            if chat.service != "iMessage":
                raise Refused("imessage_app_service")
            new_parts: list[dict[str, Any]] = []
            if card is not None:  # the app's identity stays the original card's
                redrawn: dict[str, Any] = {"type": "imessage_app", "app": copy.deepcopy(card["app"]), "layout": layout}
                url = data.get("url", card.get("url"))
                if url is not None:
                    redrawn["url"] = url
                fallback = data.get("fallback_text") or layout.get("caption")
                if fallback is not None:
                    redrawn["fallback_text"] = fallback
                if data.get("interactive") is not None:
                    redrawn["interactive"] = data["interactive"]
                new_parts.append(redrawn)
            sent = self._sent_message(chat, {}, new_parts)
            if card is None:
                self._cards[sent["id"]] = copy.deepcopy(data.get("experience") or experience)
            body = {"chat_id": chat.id, "message": self._sent_view(sent)}
            self._deliver_sent(request, chat, sent, None)
        return web.json_response(body, status=202)

    @route("GET", "/messages/{message_id}/thread")
    async def _get_thread(self, request: web.Request) -> web.Response:
        order = request.query.get("order", "asc")
        if order not in ("asc", "desc"):
            raise Refused("invalid_parameter")
        with self._lock:
            chat, message = self._message_for(request, allow_left=True)
            root = self._thread_root(chat, message)
            thread = [m for m in chat.messages if self._thread_root(chat, m) is root]
            if order == "desc":
                thread.reverse()
            return self._page(request, "messages", thread, 50)
