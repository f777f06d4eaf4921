"""The fake's polls area: iMessage polls, stored as messages of their chat, with options and votes.

A poll is a message of its chat (one part, of type ``poll``), so ``messages.retrieve``,
``messages.delete`` and reactions work on it as on any message; its options and votes live here.
Options are only ever added; each participant's votes are kept per option (a participant may pick
several), and ``total_voters`` counts distinct participants. The fake's line votes through the API;
``vote_as`` makes another participant vote. Every change raises its ``poll.*`` webhook event.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
from aiohttp import web

from .._errors import ValidationError
from .._rules import RuleError
from ..models.polls import MIN_POLL_OPTIONS, check_poll_options
from ._chats import _Chat
from ._core import Refused, route, timestamp
from ._messages import MessagesArea

__all__ = ["POLL_RULES", "PollsArea"]

# rule -> (HTTP status, Linq code, message). The docs name no code for these; these are the closest
# documented ones (1005 "invalid parameter value", 2002 "message not found"). A poll outside an
# iMessage chat is answered as the chats area answers an iMessage-only call (409/2017).
POLL_RULES: dict[str, tuple[int, int, str]] = {
    "poll_too_few_options": (400, 1005, "Invalid parameter value: a poll needs at least 2 options"),
    "poll_option_text": (400, 1005, "Invalid parameter value: every poll option needs a text"),
    "poll_option_not_found": (400, 1005, "Invalid parameter value: option_id is not an option of this poll"),
    "poll_options_resend": (
        400,
        1005,
        "Invalid parameter value: on a zero-day-retention line, resend every existing option in order first",
    ),
    "not_a_poll": (404, 2002, "Poll not found: this message is not a poll"),
}

_VOTE_OPERATIONS = ("add", "remove")


@attrs.define
class _PollOption:
    option_id: str
    text: str
    creator: dict[str, Any]
    votes: dict[str, str] = attrs.field(factory=dict)  # handle -> voted_at, in voting order


class PollsArea(MessagesArea):
    """Polls. Read with ``poll``; set up with ``inbound_poll``, ``vote_as`` and ``poll_zero_retention``."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = POLL_RULES

    def _setup_polls(self) -> None:
        self._poll_options: dict[str, list[_PollOption]] = {}  # poll message id -> its options, in order
        self._poll_retention_lines: set[str] = set()  # the fake's lines that keep no option text

    # Helpers, for tests ------------------------------------------------------------------------

    def poll(self, message_id: str) -> dict[str, Any]:
        """The poll as ``GET /v3/messages/{id}/poll`` would return it."""
        with self._lock:
            chat, message = self._poll_known(message_id)
            return self._poll_envelope(chat, message)

    def poll_zero_retention(self, line: str | None = None, enabled: bool = True) -> None:
        """Make one of the fake's lines (default: the first) keep no poll option text, as zero-day retention does.

        Its polls then answer and raise events with empty option texts, and adding options needs
        every existing option resent first, in order (400 otherwise).
        """
        line = line or self.lines[0]
        if line not in self.lines:
            raise ValidationError(f"{line!r} is not one of the fake's lines {self.lines}")
        with self._lock:
            if enabled:
                self._poll_retention_lines.add(line)
            else:
                self._poll_retention_lines.discard(line)

    def vote_as(self, handle: str, message_id: str, option_id: str, *, operation: str = "add") -> None:
        """Make participant ``handle`` add (or, with ``operation="remove"``, remove) a vote on one option.

        Raises ``poll.vote.added`` or ``poll.vote.removed`` (inbound) when the vote changes.
        """
        if operation not in _VOTE_OPERATIONS:
            raise ValidationError(f"operation must be one of {_VOTE_OPERATIONS}, got {operation!r}")
        with self._lock:
            chat, message = self._poll_known(message_id)
            voter = next((m for m in chat.active if m.handle == handle and not m.is_me), None)
            if voter is None:
                raise ValidationError(f"{handle!r} is not an active participant of chat {chat.id!r}")
            option = self._poll_option(message["id"], option_id)
            if option is None:
                raise ValidationError(f"poll {message_id!r} has no option {option_id!r}")
            event = self._poll_toggle(chat, message, option, voter.wire(), operation, inbound=True)
        if event is not None:
            self._emit(None, *event)

    def inbound_poll(self, chat_id: str, options: Iterable[str], *, handle: str | None = None) -> str:
        """Store a poll a participant (``handle``, default the first) sent into an iMessage chat; return its id.

        Raises ``poll.received``.
        """
        texts = list(options)
        try:
            check_poll_options([{"text": text} for text in texts])
        except RuleError as broken:
            raise ValidationError(str(broken)) from None
        with self._lock:
            chat = self._known(chat_id)
            if chat.service != "iMessage":
                raise ValidationError("polls exist in iMessage chats only")
            message, sender = self._store_inbound(chat, handle, [{"type": "poll"}], self._poll_new_id())
            now = message["created_at"]
            self._poll_options[message["id"]] = [
                _PollOption(self._poll_new_id(), text, sender.wire()) for text in texts
            ]
            data = {
                **self._poll_event(chat, message, sender=sender.wire()),
                "created_at": now,
                "updated_at": now,
                "received_at": now,
                "poll": self._poll_wire(chat, message["id"]),
            }
        self._emit(None, "poll.received", data)
        return str(message["id"])

    # Plumbing ------------------------------------------------------------------------------------

    @staticmethod
    def _poll_new_id() -> str:
        return str(uuid.uuid4())

    def _poll_known(self, message_id: str) -> tuple[_Chat, dict[str, Any]]:
        chat, message = self._known_message(message_id)
        if message["id"] not in self._poll_options:
            raise ValidationError(f"message {message_id!r} is not a poll")
        return chat, message

    def _poll_for(self, request: web.Request, *, allow_left: bool = False) -> tuple[_Chat, dict[str, Any]]:
        chat, message = self._message_for(request, allow_left=allow_left)
        if message["id"] not in self._poll_options:
            raise Refused("not_a_poll")
        return chat, message

    def _poll_option(self, message_id: str, option_id: object) -> _PollOption | None:
        return next((o for o in self._poll_options[message_id] if o.option_id == option_id), None)

    def _poll_option_wire(self, chat: _Chat, option: _PollOption) -> dict[str, Any]:
        return {
            "can_be_edited": False,  # options are immutable once added
            "creator_handle": copy.deepcopy(option.creator),
            "option_id": option.option_id,
            "text": "" if chat.line in self._poll_retention_lines else option.text,
            "voters": [{"handle": handle, "voted_at": at} for handle, at in option.votes.items()],
        }

    def _poll_wire(self, chat: _Chat, message_id: str) -> dict[str, Any]:
        options = self._poll_options[message_id]
        voters = {handle for option in options for handle in option.votes}
        return {"options": [self._poll_option_wire(chat, o) for o in options], "total_voters": len(voters)}

    def _poll_envelope(self, chat: _Chat, message: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "chat_id": chat.id,
            "created_at": message["created_at"],
            "message_id": message["id"],
            "poll": self._poll_wire(chat, message["id"]),
            "reactions": copy.deepcopy(message["parts"][0].get("reactions", [])),
            "updated_at": message["updated_at"],
        }

    def _poll_event(
        self, chat: _Chat, message: Mapping[str, Any], *, sender: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """What every ``poll.*`` event carries: the chat, the direction, the poll's id, service and sender."""
        me = chat.me.wire()
        return {
            "chat": {"id": chat.id, "is_group": chat.is_group, "owner_handle": me},
            "direction": "inbound" if sender is not None else "outbound",
            "message_id": message["id"],
            "service": chat.service,
            "sender_handle": sender or me,
            "zero_retention": chat.line in self._poll_retention_lines,
        }

    def _poll_toggle(
        self,
        chat: _Chat,
        message: dict[str, Any],
        option: _PollOption,
        voter: dict[str, Any],
        operation: str,
        *,
        inbound: bool,
    ) -> tuple[str, dict[str, Any]] | None:
        """Apply one vote change; return its event, or None when the vote already stood as asked."""
        handle = voter["handle"]
        if (operation == "add") == (handle in option.votes):
            return None
        now = timestamp()
        if operation == "add":
            option.votes[handle] = now
        else:
            del option.votes[handle]
        message["updated_at"] = now
        data = {**self._poll_event(chat, message, sender=voter if inbound else None), "option_id": option.option_id}
        return f"poll.vote.{'added' if operation == 'add' else 'removed'}", data

    @staticmethod
    def _poll_checked(options: object, minimum: int, name: str = "options") -> list[str]:
        try:
            check_poll_options(options, minimum=minimum, name=name)
        except RuleError as broken:
            raise Refused(broken.rule) from None
        assert isinstance(options, list)
        return [str(option["text"]) for option in options]

    # Routes ------------------------------------------------------------------------------------

    @route("POST", "/chats/{chat_id}/polls")
    async def _create_poll(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        poll = data.get("poll")
        if not isinstance(poll, dict) or poll.get("options") is None:
            raise Refused("missing_field")
        key = poll.get("idempotency_key")
        if key is not None and not isinstance(key, str):
            raise Refused("invalid_body")
        texts = self._poll_checked(poll["options"], MIN_POLL_OPTIONS, "poll.options")
        with self._lock:
            chat = self._chat_for(request)
            scope = f"poll:{chat.id}"
            replay = self._replay(poll, scope)
            if replay is not None:
                return web.json_response(replay[1], status=replay[0])
            if chat.service != "iMessage":
                raise Refused("service_not_supported")
            message = self._sent_message(chat, {}, [{"type": "poll"}])
            me = chat.me.wire()
            self._poll_options[message["id"]] = [_PollOption(self._poll_new_id(), text, me) for text in texts]
            body = self._poll_envelope(chat, message)
            self._remember(poll, scope, 202, body)
            sent = {
                **self._poll_event(chat, message),
                "created_at": message["created_at"],
                "updated_at": message["updated_at"],
                "poll": self._poll_wire(chat, message["id"]),
                "sent_at": message["sent_at"],
            }
            now = timestamp()  # delivered at once, as every send of the fake is
            message.update(delivery_status="delivered", is_delivered=True, delivered_at=now)
            delivered = {**sent, "delivered_at": now}
        self._emit_all(request, [("poll.sent", sent), ("poll.delivered", delivered)])
        return web.json_response(body, status=202)

    @route("GET", "/messages/{message_id}/poll")
    async def _get_poll(self, request: web.Request) -> web.Response:
        with self._lock:
            chat, message = self._poll_for(request, allow_left=True)
            return web.json_response(self._poll_envelope(chat, message))

    @route("POST", "/messages/{message_id}/poll/options")
    async def _add_poll_options(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        if data.get("options") is None:
            raise Refused("missing_field")
        texts = self._poll_checked(data["options"], 1)
        with self._lock:
            chat, message = self._poll_for(request)
            options = self._poll_options[message["id"]]
            if chat.line in self._poll_retention_lines:
                # The server keeps no text: the existing options come first, as they were.
                if texts[: len(options)] != [o.text for o in options]:
                    raise Refused("poll_options_resend")
                texts = texts[len(options) :]
            me = chat.me.wire()
            added = [_PollOption(self._poll_new_id(), text, me) for text in texts]
            options.extend(added)
            if added:
                message["updated_at"] = timestamp()
            event = {
                **self._poll_event(chat, message),
                "added_options": [self._poll_option_wire(chat, o) for o in added],
            }
            body = self._poll_envelope(chat, message)
        if added:
            self._emit(request, "poll.updated", event)
        return web.json_response(body)

    @route("POST", "/messages/{message_id}/poll/votes")
    async def _vote_poll(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        operation, option_id = data.get("operation"), data.get("option_id")
        if operation is None or option_id is None:
            raise Refused("missing_field")
        if operation not in _VOTE_OPERATIONS or not isinstance(option_id, str):
            raise Refused("invalid_body")
        with self._lock:
            chat, message = self._poll_for(request)
            option = self._poll_option(message["id"], option_id)
            if option is None:
                raise Refused("poll_option_not_found")
            event = self._poll_toggle(chat, message, option, chat.me.wire(), operation, inbound=False)
            body = self._poll_envelope(chat, message)
        if event is not None:
            self._emit(request, *event)
        return web.json_response(body)
