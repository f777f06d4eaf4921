"""The fake's chats area: chats, their participants and their messages, with the documented rules."""

from __future__ import annotations

import math
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
from aiohttp import web

from .. import _validate
from .._errors import ValidationError
from .._rules import MAX_RECIPIENTS, SERVICES, RuleError, check_background, check_message, check_recipients_count
from ._core import TRACE, FakeBase, Refused, route, timestamp

__all__ = ["CHAT_RULES", "ChatsArea"]

# rule -> (HTTP status, Linq code, message). The docs name no code for these rules; these are the
# closest documented ones (1006 "cannot update direct message chats", 2015 "operation conflicts
# with current state", 2017 "operation not supported on this chat's service type").
CHAT_RULES: dict[str, tuple[int, int, str]] = {
    "not_group": (409, 1006, "Participants can only be changed in group chats"),
    "too_few_participants": (409, 2015, "Adding a participant needs a group chat with 3 or more participants"),
    "too_few_remaining": (409, 2015, "A group chat must keep 3 or more participants"),
    "too_many_recipients": (409, 2015, "A group chat holds at most 31 recipients"),
    "cross_service": (409, 2017, "This handle cannot join a chat on this service; create a new chat instead"),
    "left_chat": (409, 2013, "This chat is unavailable"),
    "chat_not_found": (404, 2001, "Chat not found"),
    "invalid_phone": (400, 1002, "Phone number must be in E.164 format"),
    "invalid_handle": (400, 1005, "Invalid parameter value: handle must be an E.164 phone number or an email address"),
    "invalid_chat_id": (400, 1005, "Invalid parameter value: chat id must be a UUID"),
    "invalid_message": (400, 1004, "Invalid message content"),
    "first_message_link": (400, 1005, "The first message of a chat cannot contain a link"),
    "message_not_found": (404, 2002, "Message not found"),
    "leave_not_allowed": (409, 2015, "Leaving needs an iMessage group chat with 4 or more active participants"),
    "group_not_supported": (409, 2016, "Operation not supported in group chats"),
    "service_not_supported": (409, 2017, "Operation not supported on this chat's service type"),
    "already_sharing": (409, 2015, "This contact is already sharing their location"),
    "location_not_shared": (404, 2001, "This contact is not sharing their location"),
    "contact_card_not_found": (404, 2012, "Contact card not found"),
    "contact_card_rate_limited": (429, 1007, "A contact card can be shared with a chat once every 5 minutes"),
    "background_not_image": (400, 5006, "Content type mismatch: image_url does not point at an image"),
    "background_download_failed": (400, 5007, "Failed to download image from the provided URL"),
}

# What a photo background's URL may end with (the docs list .jpg, .png, .heic and .webp).
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".webp")


@attrs.define
class _Member:
    id: str
    handle: str
    service: str
    joined_at: str
    is_me: bool = False
    status: str = "active"
    left_at: str | None = None

    def wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "handle": self.handle,
            "service": self.service,
            "joined_at": self.joined_at,
            "is_me": self.is_me,
            "status": self.status,
        }
        if self.left_at is not None:
            data["left_at"] = self.left_at
        return data


@attrs.define
class _Chat:
    id: str
    service: str
    line: str
    members: list[_Member]
    created_at: str
    updated_at: str
    display_name: str | None = None
    group_chat_icon: str | None = None
    left: bool = False
    messages: list[dict[str, Any]] = attrs.field(factory=list)
    typing: bool = False
    location_requests: int = 0
    read: bool = False
    background: dict[str, Any] | None = None
    contact_card_shares: list[float] = attrs.field(factory=list)  # time.monotonic() of each share

    @property
    def me(self) -> _Member:
        return next(m for m in self.members if m.is_me)

    @property
    def active(self) -> list[_Member]:
        return [m for m in self.members if m.status == "active"]

    @property
    def is_group(self) -> bool:
        return len(self.members) > 2

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "display_name": self.display_name or ", ".join(m.handle for m in self.active if not m.is_me),
            "group_chat_icon": self.group_chat_icon,
            "handles": [m.wire() for m in self.members],
            "health_status": {
                "status": "HEALTHY",
                "doc_url": "https://docs.linqapp.com/guides/chats/chat-health/",
                "updated_at": self.created_at,
            },
            "is_archived": False,
            "is_group": self.is_group,
            "service": self.service,
        }


class ChatsArea(FakeBase):
    """Chats, participants and chat messages. Set up with ``create_chat``; read with ``chat``, ``participants``."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = CHAT_RULES

    def _setup_chats(self) -> None:
        self._chats: dict[str, _Chat] = {}
        self._services: dict[str, frozenset[str]] = {}
        self._locations: dict[str, dict[str, Any]] = {}  # handle -> the point it shares
        self._sharing_since: dict[str, str] = {}  # handle -> when their share began
        self._undownloadable: set[str] = set()
        self.contact_card_interval = 300.0
        """Seconds between two contact card shares with one chat (the API's limit: 5 minutes)."""

    def typing(self, chat_id: str) -> bool:
        """Whether the fake's line shows a typing indicator in the chat."""
        with self._lock:
            return self._known(chat_id).typing

    def share_location(
        self,
        handle: str,
        longitude: float,
        latitude: float,
        *,
        address: str | None = None,
        locality: str | None = None,
        chat_id: str | None = None,
    ) -> None:
        """Make ``handle`` share a position, seen in every chat they are in (as the API does).

        A new share raises ``location.sharing.started`` (with ``chat_id``, the chat it was shared
        from, if given); moving an existing share raises nothing.
        """
        handle = _validate.handle(handle)
        with self._lock:
            chat = self._known(chat_id) if chat_id is not None else None
            now = timestamp()
            began = handle not in self._locations
            self._locations[handle] = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
                "properties": {"handle": handle, "address": address, "locality": locality, "updated_at": now},
            }
            if began:
                self._sharing_since[handle] = now
        if began:
            data = {
                "shared_by": handle,
                "shared_with": chat.line if chat is not None else self.lines[0],
                "began_at": now,
                "chat_id": chat.id if chat is not None else None,
                "ends_at": None,
            }
            self._emit(None, "location.sharing.started", data)

    def sharing(self, handle: str) -> bool:
        """Whether ``handle`` shares their location."""
        with self._lock:
            return handle in self._locations

    def read(self, chat_id: str) -> bool:
        """Whether the chat was marked read since its last message."""
        with self._lock:
            return self._known(chat_id).read

    def location_requests(self, chat_id: str) -> int:
        """How many times the chat's other participant was asked to share their location."""
        with self._lock:
            return self._known(chat_id).location_requests

    def background(self, chat_id: str) -> dict[str, Any] | None:
        """The chat's background as ``chat.background_updated`` describes it, or None for the default."""
        with self._lock:
            background = self._known(chat_id).background
            return None if background is None else dict(background)

    def contact_card_shares(self, chat_id: str) -> int:
        """How many times the fake's line shared its contact card with the chat."""
        with self._lock:
            return len(self._known(chat_id).contact_card_shares)

    def fail_download(self, url: str) -> None:
        """Make a photo background with this ``image_url`` fail to download (400/5007), as a dead link does."""
        with self._lock:
            self._undownloadable.add(url)

    def create_chat(
        self,
        handles: Iterable[str],
        *,
        service: str = "iMessage",
        display_name: str | None = None,
        chat_id: str | None = None,
        line: str | None = None,
    ) -> str:
        """Create a chat between one of the fake's lines and ``handles``; return its id (a UUID).

        Two or more handles make a group chat. Handles are validated as the API does.
        """
        handles = list(handles)
        if not handles:
            raise ValidationError("a chat needs at least one other handle")
        if service not in SERVICES:
            raise ValidationError(f"service must be one of {SERVICES}, got {service!r}")
        for handle in handles:
            _validate.handle(handle)
        line = line or self.lines[0]
        with self._lock:
            chat_id = _validate.chat_id(chat_id) if chat_id is not None else str(uuid.uuid4())
            if chat_id in self._chats:
                raise ValidationError(f"chat {chat_id} already exists")
            now = timestamp()
            members = [_Member(str(uuid.uuid4()), line, service, now, is_me=True)]
            members += [_Member(str(uuid.uuid4()), h, service, now) for h in dict.fromkeys(handles)]
            self._chats[chat_id] = _Chat(chat_id, service, line, members, now, now, display_name=display_name)
            return chat_id

    def _known(self, chat_id: str) -> _Chat:
        chat = self._chats.get(_validate.chat_id(chat_id))
        if chat is None:
            raise ValidationError(f"the fake server has no chat {chat_id!r}; create it with create_chat()")
        return chat

    def participants(self, chat_id: str) -> list[str]:
        """The chat's active participants, excluding the fake's own line, in joining order."""
        with self._lock:
            return [m.handle for m in self._known(chat_id).active if not m.is_me]

    def chat(self, chat_id: str) -> dict[str, Any]:
        """The chat as the API would return it."""
        with self._lock:
            return self._known(chat_id).wire()

    def messages(self, chat_id: str) -> list[dict[str, Any]]:
        """The messages sent into a chat, oldest first, as the API would return them."""
        with self._lock:
            return [dict(m) for m in self._known(chat_id).messages]

    def member_left(self, chat_id: str, handle: str) -> None:
        """Simulate a participant leaving on their own (outside the API), as people do."""
        with self._lock:
            member = next((m for m in self._known(chat_id).active if m.handle == handle and not m.is_me), None)
            if member is None:
                raise ValidationError(f"{handle!r} is not an active participant of chat {chat_id!r}")
            member.status, member.left_at = "left", timestamp()

    def leave(self, chat_id: str) -> None:
        """Mark a chat as left by the fake's line: later interactions answer 409/2013, reads by id still answer."""
        with self._lock:
            self._known(chat_id).left = True

    def set_services(self, handle: str, services: Iterable[str]) -> None:
        """Declare which services a handle can use (default: phones all, emails iMessage only)."""
        chosen = frozenset(services)
        if not chosen <= set(SERVICES):
            raise ValidationError(f"services must be among {SERVICES}")
        with self._lock:
            self._services[_validate.handle(handle)] = chosen

    def _chat_for(self, request: web.Request, *, allow_left: bool = False) -> _Chat:
        try:
            chat_id = _validate.chat_id(request.match_info["chat_id"])
        except ValidationError:
            raise Refused("invalid_chat_id") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise Refused("chat_not_found")
        if chat.left and not allow_left:
            raise Refused("left_chat")
        return chat

    def _handle_field(self, data: Mapping[str, Any], name: str = "handle") -> str:
        value = data.get(name)
        if value is None or value == "":
            raise Refused("missing_field")
        if not isinstance(value, str):
            raise Refused("invalid_handle")
        try:
            return _validate.handle(value)
        except ValidationError:
            raise Refused("invalid_handle" if "@" in value else "invalid_phone") from None

    def _services_of(self, handle: str) -> frozenset[str]:
        default = frozenset({"iMessage"}) if "@" in handle else frozenset(SERVICES)
        return self._services.get(handle, default)

    # Webhook events -----------------------------------------------------------------------------

    def _emit_all(self, request: web.Request, events: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Raise events gathered under the lock, in order, once it is released."""
        for event_type, data in events:
            self._emit(request, event_type, data)

    def _delivered(
        self, chat: _Chat, sent: dict[str, Any], idempotency_key: object = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """Mark a stored outbound message delivered at once; return its message.sent and message.delivered."""
        me = chat.me.wire()
        data: dict[str, Any] = {
            "id": sent["id"],
            "chat": {
                "id": chat.id,
                "health_status": chat.wire()["health_status"],
                "is_group": chat.is_group,
                "owner_handle": me,
            },
            "direction": "outbound",
            "parts": [dict(part) for part in sent["parts"]],
            "sender_handle": me,
            "service": chat.service,
            "sent_at": sent["sent_at"],
        }
        for optional in ("effect", "reply_to", "preferred_service"):
            if sent.get(optional) is not None:
                data[optional] = sent[optional]
        if isinstance(idempotency_key, str) and idempotency_key:
            data["idempotency_key"] = idempotency_key
        now = timestamp()
        sent.update(delivery_status="delivered", is_delivered=True, delivered_at=now, updated_at=now)
        return [("message.sent", data), ("message.delivered", {**data, "delivered_at": now})]

    # Participants -----------------------------------------------------------------------------

    def _membership_change(self, request: web.Request, data: Mapping[str, Any]) -> tuple[_Chat, str]:
        """The group chat and the handle of an add or a remove, or the refusal."""
        chat = self._chat_for(request)
        handle = self._handle_field(data)
        if not chat.is_group:
            raise Refused("not_group")
        return chat, handle

    @route("POST", "/chats/{chat_id}/participants")
    async def _add_participant(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat, handle = self._membership_change(request, data)
            active = chat.active
            if any(m.handle == handle for m in active):  # already a member: accepted, nothing changes
                return self._queued(request, "Participant addition queued")
            if len(active) < 3:
                raise Refused("too_few_participants")
            if len([m for m in active if not m.is_me]) + 1 > MAX_RECIPIENTS:
                raise Refused("too_many_recipients")
            if chat.service not in self._services_of(handle):
                raise Refused("cross_service")
            now = timestamp()
            member = _Member(str(uuid.uuid4()), handle, chat.service, now)
            chat.members.append(member)
            chat.updated_at = now
            data = {"handle": handle, "added_at": now, "chat_id": chat.id, "participant": member.wire()}
        self._emit(request, "participant.added", data)
        return self._queued(request, "Participant addition queued")

    @route("DELETE", "/chats/{chat_id}/participants")
    async def _remove_participant(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat, handle = self._membership_change(request, data)
            member = next((m for m in chat.active if m.handle == handle and not m.is_me), None)
            if member is None:  # not a member: accepted, nothing changes
                return self._queued(request, "Participant removal queued")
            if len(chat.active) - 1 < 3:
                raise Refused("too_few_remaining")
            now = timestamp()
            member.status, member.left_at = "removed", now
            chat.updated_at = now
            data = {"handle": handle, "removed_at": now, "chat_id": chat.id, "participant": member.wire()}
        self._emit(request, "participant.removed", data)
        return self._queued(request, "Participant removal queued")

    # Chats ------------------------------------------------------------------------------------

    def _check_message(self, message: object, *, first: bool) -> list[dict[str, Any]]:
        if not isinstance(message, dict):
            raise Refused("missing_field")
        try:
            check_message(message, first=first, known_types_only=True)
        except RuleError as broken:
            raise Refused(broken.rule) from None
        parts = [dict(p) for p in message.get("parts") or ()]
        for part in parts:
            if part["type"] == "media":
                self._check_media(part)
        return parts

    def _sent_message(self, chat: _Chat, message: dict[str, Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
        now = timestamp()
        sent: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "chat_id": chat.id,
            "created_at": now,
            "updated_at": now,
            "sent_at": now,
            "delivery_status": "sent",
            "is_read": False,
            "is_delivered": False,
            "is_from_me": True,
            "parts": parts,
            "from_handle": next(m.wire() for m in chat.members if m.is_me),
            "service": chat.service,
        }
        for optional in ("effect", "reply_to", "preferred_service"):
            if message.get(optional) is not None:
                sent[optional] = message[optional]
        chat.messages.append(sent)
        chat.typing = False  # sending clears the indicator
        chat.read = False
        chat.updated_at = now
        return sent

    def _send(
        self, chat: _Chat, message: dict[str, Any], parts: list[dict[str, Any]]
    ) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        """Store a sent message; return it as answered (still "sent") and its delivery events."""
        stored = self._sent_message(chat, message, parts)
        answered = dict(stored)
        return answered, self._delivered(chat, stored, message.get("idempotency_key"))

    @route("POST", "/chats")
    async def _create_chat(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        line, to, message = data.get("from"), data.get("to"), data.get("message")
        if not line or not to or message is None:
            raise Refused("missing_field")
        if not isinstance(to, list):
            raise Refused("invalid_body")
        try:
            check_recipients_count(len(to))
        except RuleError as broken:
            raise Refused(broken.rule) from None
        if not isinstance(line, str) or line not in self.lines:
            raise Refused("not_your_number")
        handles = [self._handle_field({"handle": h}) for h in to]
        if len(handles) == 1:  # a block list refuses direct sends; a group with one blocked member still works
            self._check_recipient(handles[0])
        parts = self._check_message(message, first=True)
        with self._lock:
            replay = self._replay(message, "create")
            if replay is not None:
                return web.json_response(replay[1], status=replay[0])
            chat = None
            if not data.get("display_name"):  # same line and same recipients: the existing chat
                wanted = set(handles)
                chat = next(
                    (
                        c
                        for c in self._chats.values()
                        if c.line == line
                        and not c.display_name
                        and {m.handle for m in c.active if not m.is_me} == wanted
                    ),
                    None,
                )
            events: list[tuple[str, dict[str, Any]]] = []
            if chat is None:
                chat_id = self.create_chat(handles, line=line, display_name=data.get("display_name"))
                chat = self._chats[chat_id]
                events.append(("chat.created", chat.wire()))
            sent, delivery = self._send(chat, message, parts)
            body = {"chat": {**chat.wire(), "message": sent}}
            self._remember(message, "create", 201, body)
            answer = web.json_response(body, status=201)
        self._emit_all(request, [*events, *delivery])
        return answer

    @route("GET", "/chats/{chat_id}")
    async def _get_chat(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response(self._chat_for(request, allow_left=True).wire())

    @route("GET", "/chats")
    async def _list_chats(self, request: web.Request) -> web.Response:
        line, to = request.query.get("from"), request.query.get("to")
        with self._lock:
            chats = sorted(self._chats.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            if line:
                chats = [c for c in chats if c.line == line]
            if to:
                chats = [c for c in chats if any(m.handle == to for m in c.active)]
            return self._page(request, "chats", [c.wire() for c in chats], 20)

    @route("PUT", "/chats/{chat_id}")
    async def _update_chat(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat = self._chat_for(request)
            if not chat.is_group:
                raise Refused("not_group")
            if "display_name" not in data and "group_chat_icon" not in data:
                raise Refused("missing_field")
            now = timestamp()
            events = []
            for field, event_type in (
                ("display_name", "chat.group_name_updated"),
                ("group_chat_icon", "chat.group_icon_updated"),
            ):
                if field in data:
                    old = getattr(chat, field)
                    setattr(chat, field, data[field])
                    change = {
                        "chat_id": chat.id,
                        "updated_at": now,
                        "changed_by_handle": chat.me.wire(),
                        "new_value": data[field],
                        "old_value": old,
                    }
                    events.append((event_type, change))
            chat.updated_at = now
        self._emit_all(request, events)
        return web.json_response({"chat_id": chat.id, "status": "pending"}, status=202)

    @route("POST", "/chats/{chat_id}/leave")
    async def _leave_chat(self, request: web.Request) -> web.Response:
        with self._lock:
            chat = self._chat_for(request)
            if not chat.is_group or chat.service != "iMessage" or len(chat.active) < 4:
                raise Refused("leave_not_allowed")
            chat.left = True
            me = next(m for m in chat.members if m.is_me)
            me.status, me.left_at = "left", timestamp()
        return self._queued(request, "Leave group chat queued")

    @route("POST", "/chats/{chat_id}/messages")
    async def _send_message(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        message = data.get("message")
        parts = self._check_message(message, first=False)
        assert isinstance(message, dict)
        with self._lock:
            chat = self._chat_for(request)
            if not chat.is_group:
                self._check_recipient(next(m.handle for m in chat.members if not m.is_me))
            replay = self._replay(message, f"send:{chat.id}")
            if replay is not None:
                return web.json_response(replay[1], status=replay[0])
            sent, events = self._send(chat, message, parts)
            body = {"chat_id": chat.id, "message": sent}
            self._remember(message, f"send:{chat.id}", 202, body)
            answer = web.json_response(body, status=202)
        self._emit_all(request, events)
        return answer

    @route("GET", "/chats/{chat_id}/messages")
    async def _list_messages(self, request: web.Request) -> web.Response:
        with self._lock:
            return self._page(request, "messages", list(reversed(self._chat_for(request).messages)), 50)

    # Typing and location ------------------------------------------------------------------------

    def _set_typing(self, request: web.Request, typing: bool) -> web.Response:
        """Typing indicators show in iMessage chats only; elsewhere the call is accepted and does nothing."""
        with self._lock:
            chat = self._chat_for(request)
            if chat.service != "iMessage":
                return web.Response(status=204)
            chat.typing = typing
            data = {"chat_id": chat.id, "actor_handle": chat.me.wire()}
        self._emit(request, f"chat.typing_indicator.{'started' if typing else 'stopped'}", data)
        return web.Response(status=204)

    @route("POST", "/chats/{chat_id}/typing")
    async def _start_typing(self, request: web.Request) -> web.Response:
        return self._set_typing(request, True)

    @route("DELETE", "/chats/{chat_id}/typing")
    async def _stop_typing(self, request: web.Request) -> web.Response:
        return self._set_typing(request, False)

    @route("GET", "/chats/{chat_id}/location")
    async def _get_location(self, request: web.Request) -> web.Response:
        with self._lock:
            chat = self._chat_for(request)
            features = [self._locations[m.handle] for m in chat.active if m.handle in self._locations]
            body = {"success": True, "data": {"type": "FeatureCollection", "features": features}}
        return web.json_response(body, content_type="application/geo+json")

    @route("POST", "/chats/{chat_id}/location/request")
    async def _request_location(self, request: web.Request) -> web.Response:
        with self._lock:
            chat = self._chat_for(request)
            if chat.is_group:
                raise Refused("group_not_supported")
            if chat.service != "iMessage":
                raise Refused("service_not_supported")
            if any(m.handle in self._locations for m in chat.active if not m.is_me):
                raise Refused("already_sharing")
            chat.location_requests += 1
        return web.json_response({"success": True, "message": "Location request sent"})

    @route("DELETE", "/chats/{chat_id}/location")
    async def _stop_location(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat = self._chat_for(request)
            handle = self._handle_field(data)
            if self._locations.pop(handle, None) is None:
                raise Refused("location_not_shared")
            stopped = {
                "shared_by": handle,
                "shared_with": chat.line,
                "ended_at": timestamp(),
                "began_at": self._sharing_since.pop(handle, None),
                "chat_id": chat.id,
            }
        self._emit(request, "location.sharing.stopped", stopped)
        return web.json_response({"success": True, "message": "Location sharing stop requested"}, status=202)

    @route("POST", "/chats/{chat_id}/read")
    async def _mark_read(self, request: web.Request) -> web.Response:
        with self._lock:
            self._chat_for(request).read = True
        return web.Response(status=204)

    @route("POST", "/chats/{chat_id}/voicememo")
    async def _send_voicememo(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        url, attachment = data.get("voice_memo_url"), data.get("attachment_id")
        if (url is None) == (attachment is None):
            raise Refused("invalid_body")
        memo = {"type": "media", "url": url} if url else {"type": "media", "attachment_id": attachment}
        self._check_media(memo)
        with self._lock:
            chat = self._chat_for(request)
            sent, events = self._send(chat, {}, [memo])
            body = {
                "voice_memo": {
                    "id": sent["id"],
                    "chat": {
                        "id": chat.id,
                        "handles": [m.wire() for m in chat.members],
                        "is_active": not chat.left,
                        "is_group": chat.is_group,
                        "service": chat.service,
                    },
                    "created_at": sent["created_at"],
                    "from": chat.line,
                    "status": "queued",
                    "to": [m.handle for m in chat.active if not m.is_me],
                    "voice_memo": {
                        "id": str(uuid.uuid4()),
                        "filename": (url or "memo.m4a").rsplit("/", 1)[-1],
                        "mime_type": "audio/x-m4a",
                        "size_bytes": 1024,
                        "url": url or f"https://cdn.linqapp.com/attachments/{attachment}",
                    },
                    "service": chat.service,
                }
            }
        self._emit_all(request, events)
        return web.json_response(body, status=202)

    # Contact card and background ---------------------------------------------------------------

    @route("POST", "/chats/{chat_id}/share_contact_card")
    async def _share_contact_card(self, request: web.Request) -> web.Response:
        with self._lock:
            chat = self._chat_for(request)
            if not self._has_contact_card(chat.line):
                raise Refused("contact_card_not_found")
            now = time.monotonic()
            if chat.contact_card_shares:
                wait = chat.contact_card_shares[-1] + self.contact_card_interval - now
                if wait > 0:
                    status, code, message = self.rule_errors["contact_card_rate_limited"]
                    seconds = math.ceil(wait)
                    return self._error_response(
                        status, code, f"{message}. Try again in {seconds} seconds.", request[TRACE], seconds
                    )
            chat.contact_card_shares.append(now)
        return web.Response(status=204)

    def _background_of(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The background a valid set request asks for, as ``chat.background_updated`` shows it."""
        try:
            check_background(data)
        except RuleError as broken:
            raise Refused(broken.rule) from None
        kind = data["type"]
        if kind == "photo":
            url = data["image_url"]
            path = urllib.parse.urlsplit(url).path.lower()
            suffix = path[path.rfind(".") :] if "." in path.rsplit("/", 1)[-1] else ""
            if suffix and suffix not in _IMAGE_SUFFIXES:
                raise Refused("background_not_image")
            if url in self._undownloadable:
                raise Refused("background_download_failed")
            hosted = f"https://cdn.linqapp.com/backgrounds/{uuid.uuid4()}{suffix or '.jpg'}"
            return {"type": "photo", "image_url": hosted}
        if kind == "dynamic":
            return {"type": "dynamic", "style": data["style"], "variant": data["variant"]}
        variant = data.get("variant", "custom")
        if variant == "custom":
            return {"type": "color", "variant": "custom", "shades": list(data["shades"])}
        return {"type": "color", "variant": variant}  # a named swatch: shades, if sent, are ignored

    def _background_event(self, chat: _Chat) -> dict[str, Any]:
        me = chat.me.wire()
        return {
            "chat": {"id": chat.id, "is_group": chat.is_group, "owner_handle": me},
            "actor_handle": me,
            "background": None if chat.background is None else dict(chat.background),
        }

    @route("POST", "/chats/{chat_id}/background")
    async def _set_background(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            chat = self._chat_for(request)
            background = self._background_of(data)
            if chat.service != "iMessage":  # accepted; nothing is applied and no webhook fires
                return web.Response(status=202)
            chat.background = background
            chat.updated_at = timestamp()
            event = self._background_event(chat)
        self._emit(request, "chat.background_updated", event)
        return web.Response(status=202)

    @route("DELETE", "/chats/{chat_id}/background")
    async def _remove_background(self, request: web.Request) -> web.Response:
        with self._lock:
            chat = self._chat_for(request)
            if chat.service != "iMessage":
                return web.Response(status=202)
            chat.background = None
            chat.updated_at = timestamp()
            event = self._background_event(chat)
        self._emit(request, "chat.background_updated", event)
        return web.Response(status=202)
