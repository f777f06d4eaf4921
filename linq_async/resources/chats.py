"""``client.chats``: create, read, list, rename and leave chats; and their sub-resources."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Unpack

from .. import _validate
from .._errors import LinqError, ValidationError
from .._rules import (
    check_background,
    check_recipients_count,
)
from .._sync import SyncResource, blocking
from ..models.chats import (
    Chat,
    ChatCreateResponse,
    ChatLeaveResponse,
    ChatList,
    ChatSendVoicememoResponse,
    ChatUpdateResponse,
    GetChatLocationResponse,
    LocationRequestResponse,
    StopChatLocationSharingResponse,
)
from ..models.messages import MessageInput
from ..pagination import AsyncPaginator
from ._base import Mode, Raw, Resource, endpoint, paginated
from .chat_messages import ChatMessages, SyncChatMessages, _cursor, _limit, message_body
from .participants import Participants, SyncParticipants
from .polls import Polls, SyncPolls

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = [
    "Background",
    "Chats",
    "Location",
    "SyncBackground",
    "SyncChats",
    "SyncLocation",
    "SyncTyping",
    "Typing",
]

_GEO_JSON = {"Accept": "application/geo+json"}

# The fields each family reads; the client refuses the others rather than send them for nothing.
_BACKGROUND_FIELDS = {"color": ("shades", "variant"), "dynamic": ("style", "variant"), "photo": ("image_url",)}


def _phone(value: object, name: str) -> str:
    handle = _validate.handle(value)
    if not handle.startswith("+"):
        raise ValidationError(f"{name} must be one of your E.164 phone numbers, got {_validate.shown(value)}")
    return handle


def _recipients(to: object) -> list[str]:
    if isinstance(to, str) or not isinstance(to, Sequence):
        raise ValidationError("to must be a list of handles (one for a direct chat, more for a group)")
    check_recipients_count(len(to))
    return [_validate.handle(handle) for handle in to]


class Typing(Resource[Mode]):
    """Typing indicators in a chat (best effort; delivered in iMessage chats only)."""

    @cached_property
    def with_raw_response(self) -> Typing[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Typing(self._client, True)

    @endpoint
    async def start(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Show a typing indicator in a chat for about 90 s (call again every 60 s to keep it; 204).

        ``POST /v3/chats/{chat_id}/typing``. ``chat_id``: the chat. Sending a message clears the
        indicator. Raises ``ValidationError`` before sending for a bad id; ``NotFoundError``,
        ``ConflictError`` (2013) or another ``APIError``.
        """
        return await self._request(
            "POST", f"/v3/chats/{_validate.chat_id(chat_id)}/typing", options=options, repeatable=True
        )

    @endpoint
    async def stop(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Clear the typing indicator at once, without sending anything (204).

        ``DELETE /v3/chats/{chat_id}/typing``. ``chat_id``: the chat. Raises as ``start`` does.
        """
        return await self._request("DELETE", f"/v3/chats/{_validate.chat_id(chat_id)}/typing", options=options)


class Location(Resource[Mode]):
    """Location sharing in a chat: who shares where, asking to share, ending a share."""

    @cached_property
    def with_raw_response(self) -> Location[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Location(self._client, True)

    @endpoint
    async def retrieve(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> GetChatLocationResponse:
        """Get where each participant sharing their location in a chat is (poll it; no webhook has positions).

        ``GET /v3/chats/{chat_id}/location``. ``chat_id``: the chat. ``data.features`` holds one
        GeoJSON point ([longitude, latitude]) per participant sharing, empty if nobody is.
        Raises ``ValidationError`` before sending for a bad id; ``NotFoundError`` or another ``APIError``.
        """
        return await self._request(
            "GET",
            f"/v3/chats/{_validate.chat_id(chat_id)}/location",
            headers=_GEO_JSON,
            into=GetChatLocationResponse,
            options=options,
        )

    @endpoint
    async def request(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> LocationRequestResponse:
        """Ask the other participant of a 1:1 iMessage chat to share their location (they must accept).

        ``POST /v3/chats/{chat_id}/location/request``. ``chat_id``: the chat. Raises
        ``ValidationError`` before sending for a bad id; ``ConflictError`` (2016 in a group, 2017
        on SMS/RCS, already sharing), ``RateLimitError`` (per chat) or another ``APIError``.
        """
        return await self._request(
            "POST", f"/v3/chats/{_validate.chat_id(chat_id)}/location/request", into=LocationRequestResponse,
            options=options,
        )  # fmt: skip

    @endpoint
    async def stop(
        self, chat_id: str | uuid.UUID, *, handle: str, **options: Unpack[RequestOptions]
    ) -> StopChatLocationSharingResponse:
        """End ``handle``'s location sharing (in every chat with them; queued, 202).

        ``DELETE /v3/chats/{chat_id}/location`` with a JSON body. ``chat_id``: the chat; ``handle``:
        the contact sharing. Raises ``ValidationError`` before sending for bad input;
        ``NotFoundError`` (not sharing) or another ``APIError``.
        """
        return await self._request(
            "DELETE",
            f"/v3/chats/{_validate.chat_id(chat_id)}/location",
            body={"handle": _validate.handle(handle)},
            into=StopChatLocationSharingResponse,
            options=options,
        )


class Background(Resource[Mode]):
    """The transcript background of a chat: a colour, an animated style or a photo (iMessage only)."""

    @cached_property
    def with_raw_response(self) -> Background[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Background(self._client, True)

    @endpoint
    async def set(
        self,
        chat_id: str | uuid.UUID,
        *,
        type: Literal["color", "dynamic", "photo"],
        image_url: str | None = None,
        shades: Sequence[str] | None = None,
        style: Literal["sky", "water", "aurora"] | None = None,
        variant: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Set a chat's background; accepted (202), applied later, confirmed by webhook.

        ``POST /v3/chats/{chat_id}/background``. ``chat_id``: the chat (direct or group); ``type``:
        ``"color"``, ``"dynamic"`` or ``"photo"``. A colour takes ``variant`` (a name in
        ``COLOR_VARIANTS``, or ``"custom"``, the default) and, when custom, ``shades``: two hex
        colours, top then bottom. A dynamic background takes ``style`` (``"sky"``, ``"water"``,
        ``"aurora"``) and a ``variant`` of that style (``DYNAMIC_VARIANTS``). A photo takes
        ``image_url``, an https URL of a JPEG, PNG, HEIC or WebP image, which Linq downloads
        before answering. ``chat.background_updated`` (or ``chat.background_update_failed``)
        reports the outcome; SMS and RCS chats accept the call and change nothing.
        Raises ``ValidationError`` before sending for a bad id, a missing or unknown value, or
        an argument the chosen type does not use; ``BadRequestError`` (5006: not an image,
        5007: download failed), ``NotFoundError`` or another ``APIError``.
        """
        given = {"image_url": image_url, "shades": shades, "style": style, "variant": variant}
        if isinstance(type, str) and type in _BACKGROUND_FIELDS:
            unused = [
                name for name, value in given.items() if value is not None and name not in _BACKGROUND_FIELDS[type]
            ]
            if unused:
                raise ValidationError(
                    f"{', '.join(unused)} does not apply to a {type!r} background, "
                    f"which takes {' and '.join(_BACKGROUND_FIELDS[type])}"
                )
            if type == "color" and shades is not None and variant not in (None, "custom"):
                raise ValidationError(
                    f"shades go with variant 'custom' (or no variant); the {variant!r} swatch has its own colours"
                )
        body: dict[str, Any] = {"type": type}
        for name, value in given.items():
            if value is not None:
                body[name] = list(value) if name == "shades" and isinstance(value, (list, tuple)) else value
        check_background(body)
        path = f"/v3/chats/{_validate.chat_id(chat_id)}/background"
        return await self._request("POST", path, body=body, options=options, repeatable=True)

    @endpoint
    async def remove(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Reset a chat to the default background.

        ``DELETE /v3/chats/{chat_id}/background``. ``chat_id``: the chat. Any 2xx is success.
        Raises ``ValidationError`` before sending for a bad id; ``NotFoundError`` or another ``APIError``.
        """
        return await self._request("DELETE", f"/v3/chats/{_validate.chat_id(chat_id)}/background", options=options)


class Chats(Resource[Mode]):
    """Chats, and their participants and messages."""

    @cached_property
    def with_raw_response(self) -> Chats[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Chats(self._client, True)

    @cached_property
    def participants(self) -> Participants[Mode]:
        """Group-chat membership: ``add``, ``remove`` and their batches."""
        return Participants(self._client, self._raw)

    @cached_property
    def messages(self) -> ChatMessages[Mode]:
        """Messages of a chat: ``send``, ``list`` and ``send_many``."""
        return ChatMessages(self._client, self._raw)

    @cached_property
    def typing(self) -> Typing[Mode]:
        """Typing indicators: ``start``, ``stop``."""
        return Typing(self._client, self._raw)

    @cached_property
    def location(self) -> Location[Mode]:
        """Location sharing: ``retrieve``, ``request``, ``stop``."""
        return Location(self._client, self._raw)

    @cached_property
    def background(self) -> Background[Mode]:
        """The chat's background: ``set``, ``remove``."""
        return Background(self._client, self._raw)

    @cached_property
    def polls(self) -> Polls[Mode]:
        """iMessage polls: ``create`` (read, extend and vote with ``client.messages.poll``)."""
        return Polls(self._client, self._raw)

    @endpoint
    async def create(
        self,
        from_: str,
        to: Sequence[str],
        message: MessageInput,
        *,
        override_optout: bool | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ChatCreateResponse:
        """Create a chat from your line ``from_`` to ``to`` and send its first message (201).

        ``POST /v3/chats``. ``from_``: one of your E.164 lines; ``to``: 1 handle for a direct chat,
        2 to 31 for a group (the same line and recipients give back the existing chat);
        ``message``: as ``chats.messages.send`` takes it, with no link or URL in a first message;
        ``override_optout`` and ``idempotency_key`` as there. Raises ``ValidationError`` before
        sending for bad handles or message; ``PermissionDeniedError`` (2006: not your line),
        ``BadRequestError`` or another ``APIError``, carrying ``idempotency_key`` to retry safely.
        """
        body: dict[str, Any] = {
            "from": _phone(from_, "from_"),
            "to": _recipients(to),
            "message": message_body(message, idempotency_key, first=True),
        }
        if override_optout is not None:
            body["override_optout"] = _validate.flag(override_optout, "override_optout")
        try:
            return await self._request("POST", "/v3/chats", body=body, into=ChatCreateResponse, options=options)
        except LinqError as exc:
            exc.idempotency_key = body["message"]["idempotency_key"]  # type: ignore[attr-defined]
            raise

    @endpoint
    async def retrieve(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> Chat:
        """Fetch one chat.

        ``GET /v3/chats/{chat_id}``. ``chat_id``: the chat. Raises ``ValidationError`` before sending
        for a bad id; ``NotFoundError`` (2001) or another ``APIError``.
        """
        return await self._request("GET", f"/v3/chats/{_validate.chat_id(chat_id)}", into=Chat, options=options)

    @paginated
    def list(
        self,
        *,
        from_: str | None = None,
        to: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Chat]:
        """List chats, newest first, page by page.

        ``GET /v3/chats``. ``from_``: only chats on this line of yours; ``to``: only chats with this
        participant; ``limit``: per page (1-100); ``cursor``: start from a page's ``next_cursor``.
        Returns a paginator at once: ``async for chat in client.chats.list()`` walks every page.
        Raises ``ValidationError`` at once for a bad filter, limit or cursor.
        """
        params = {
            "from": _phone(from_, "from_") if from_ is not None else None,
            "to": _validate.handle(to) if to is not None else None,
            "limit": _limit(limit),
        }
        return self._paginate(
            "/v3/chats", into=ChatList, items="chats", params=params, first=_cursor(cursor), options=options
        )

    @endpoint
    async def update(
        self,
        chat_id: str | uuid.UUID,
        *,
        display_name: str | None = None,
        group_chat_icon: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ChatUpdateResponse:
        """Rename a group chat or change its icon; the change is queued and confirmed by webhook.

        ``PUT /v3/chats/{chat_id}``. ``chat_id``: the group chat; ``display_name``: its new name;
        ``group_chat_icon``: an https:// image URL. Raises ``ValidationError`` before sending when
        neither is given or the icon is not an https:// URL; ``ConflictError`` (1006 on a direct
        chat) or another ``APIError``.
        """
        body: dict[str, Any] = {}
        if display_name is not None:
            if not isinstance(display_name, str) or not display_name.strip() or not display_name.isprintable():
                raise ValidationError(
                    f"display_name must be printable, non-blank text, got {_validate.shown(display_name)}"
                )
            body["display_name"] = display_name
        if group_chat_icon is not None:
            if not isinstance(group_chat_icon, str) or not group_chat_icon.lower().startswith("https://"):
                raise ValidationError(
                    f"group_chat_icon must be an https:// URL, got {_validate.shown(group_chat_icon)}"
                )
            body["group_chat_icon"] = group_chat_icon
        if not body:
            raise ValidationError("give display_name, group_chat_icon or both")
        return await self._request(
            "PUT", f"/v3/chats/{_validate.chat_id(chat_id)}", body=body, into=ChatUpdateResponse, options=options
        )

    @endpoint
    async def leave(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> ChatLeaveResponse:
        """Leave an iMessage group chat (4+ active participants); afterwards interacting with it answers 409/2013.

        ``POST /v3/chats/{chat_id}/leave``. ``chat_id``: the group chat. Raises ``ValidationError``
        before sending for a bad id; ``ConflictError``, ``NotFoundError`` or another ``APIError``.
        """
        return await self._request(
            "POST",
            f"/v3/chats/{_validate.chat_id(chat_id)}/leave",
            into=ChatLeaveResponse,
            options=options,
            repeatable=True,
        )

    @endpoint
    async def mark_as_read(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Mark every message of a chat as read (204).

        ``POST /v3/chats/{chat_id}/read``. ``chat_id``: the chat. Raises ``ValidationError`` before
        sending for a bad id; ``NotFoundError``, ``ConflictError`` (2013) or another ``APIError``.
        """
        return await self._request(
            "POST", f"/v3/chats/{_validate.chat_id(chat_id)}/read", options=options, repeatable=True
        )

    @endpoint
    async def send_voicememo(
        self,
        chat_id: str | uuid.UUID,
        *,
        attachment_id: str | None = None,
        voice_memo_url: str | None = None,
        override_optout: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> ChatSendVoicememoResponse:
        """Send audio as an iMessage voice memo bubble (queued, 202); a media part would show as a file.

        ``POST /v3/chats/{chat_id}/voicememo``. ``chat_id``: the chat; exactly one of
        ``attachment_id`` (uploaded with ``attachments``) or ``voice_memo_url`` (public https, 10 MB at
        most; MP3, M4A, AAC, CAF, WAV, AIFF or AMR); ``override_optout``: as in ``messages.send``.
        Raises ``ValidationError`` before sending for bad input; ``PermissionDeniedError`` (2024),
        ``NotFoundError`` or another ``APIError``.
        """
        if (attachment_id is None) == (voice_memo_url is None):
            raise ValidationError("give exactly one of attachment_id or voice_memo_url")
        body: dict[str, Any] = {}
        if attachment_id is not None:
            body["attachment_id"] = _validate.chat_id(attachment_id, "attachment_id")
        if override_optout is not None:
            body["override_optout"] = _validate.flag(override_optout, "override_optout")
        if voice_memo_url is not None:
            body["voice_memo_url"] = _validate.https_url(voice_memo_url, "voice_memo_url")
        path = f"/v3/chats/{_validate.chat_id(chat_id)}/voicememo"
        return await self._request("POST", path, body=body, into=ChatSendVoicememoResponse, options=options)

    @endpoint
    async def share_contact_card(self, chat_id: str | uuid.UUID, **options: Unpack[RequestOptions]) -> None:
        """Share your line's contact card (name and photo) with a chat (204); once per chat per 5 minutes.

        ``POST /v3/chats/{chat_id}/share_contact_card``. ``chat_id``: the chat. The line needs an
        active contact card (set up with the contact card API or the dashboard). Raises
        ``ValidationError`` before sending for a bad id; ``NotFoundError`` (2012: the line has no
        contact card; 2001: no such chat), ``RateLimitError`` (shared in the last 5 minutes; see
        its ``retry_after``) or another ``APIError``.
        """
        path = f"/v3/chats/{_validate.chat_id(chat_id)}/share_contact_card"
        return await self._request("POST", path, options=options)

    # The official SDK's names, so that migrating code keeps working.
    list_chats = list
    leave_chat = leave


class SyncTyping(SyncResource[Mode]):
    """Blocking twin of ``client.chats.typing``."""

    start = blocking(Typing.start)
    stop = blocking(Typing.stop)

    @cached_property
    def with_raw_response(self) -> SyncTyping[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncTyping(self._runner, self._async.with_raw_response)


class SyncLocation(SyncResource[Mode]):
    """Blocking twin of ``client.chats.location``."""

    retrieve = blocking(Location.retrieve)
    request = blocking(Location.request)
    stop = blocking(Location.stop)

    @cached_property
    def with_raw_response(self) -> SyncLocation[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncLocation(self._runner, self._async.with_raw_response)


class SyncBackground(SyncResource[Mode]):
    """Blocking twin of ``client.chats.background``."""

    set = blocking(Background.set)
    remove = blocking(Background.remove)

    @cached_property
    def with_raw_response(self) -> SyncBackground[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncBackground(self._runner, self._async.with_raw_response)


class SyncChats(SyncResource[Mode]):
    """Blocking twin of ``client.chats``."""

    create = blocking(Chats.create)
    retrieve = blocking(Chats.retrieve)
    list = blocking(Chats.list)
    update = blocking(Chats.update)
    leave = blocking(Chats.leave)
    list_chats = blocking(Chats.list_chats)
    leave_chat = blocking(Chats.leave_chat)
    mark_as_read = blocking(Chats.mark_as_read)
    send_voicememo = blocking(Chats.send_voicememo)
    share_contact_card = blocking(Chats.share_contact_card)

    @cached_property
    def with_raw_response(self) -> SyncChats[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncChats(self._runner, self._async.with_raw_response)

    @cached_property
    def participants(self) -> SyncParticipants[Mode]:
        """Group-chat membership: ``add``, ``remove`` and their batches."""
        return SyncParticipants(self._runner, self._async.participants)

    @cached_property
    def messages(self) -> SyncChatMessages[Mode]:
        """Messages of a chat: ``send``, ``list`` and ``send_many``."""
        return SyncChatMessages(self._runner, self._async.messages)

    @cached_property
    def typing(self) -> SyncTyping[Mode]:
        """Typing indicators: ``start``, ``stop``."""
        return SyncTyping(self._runner, self._async.typing)

    @cached_property
    def location(self) -> SyncLocation[Mode]:
        """Location sharing: ``retrieve``, ``request``, ``stop``."""
        return SyncLocation(self._runner, self._async.location)

    @cached_property
    def background(self) -> SyncBackground[Mode]:
        """The chat's background: ``set``, ``remove``."""
        return SyncBackground(self._runner, self._async.background)

    @cached_property
    def polls(self) -> SyncPolls[Mode]:
        """iMessage polls: ``create`` (read, extend and vote with ``client.messages.poll``)."""
        return SyncPolls(self._runner, self._async.polls)
