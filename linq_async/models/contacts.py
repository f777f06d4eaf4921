"""Who may reach you (blocked handles) and how you appear to others (contact cards)."""

from __future__ import annotations

import datetime as dt

import attrs

from .._convert import Model

__all__ = [
    "BlockedHandleBlockResponse",
    "BlockedHandleEntry",
    "BlockedHandleListResponse",
    "ContactCard",
    "ContactCardRetrieveResponse",
    "SetContactCard",
]


@attrs.frozen(kw_only=True)
class BlockedHandleEntry(Model):
    """A blocked handle, as Linq normalised it (E.164, lower-cased email, short code or sender ID)."""

    handle: str
    blocked_at: dt.datetime | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class BlockedHandleBlockResponse(Model):
    """The answer to blocking a handle: its entry (the existing one if it was blocked already)."""

    blocked_handle: BlockedHandleEntry


@attrs.frozen(kw_only=True)
class BlockedHandleListResponse(Model):
    """Every handle you blocked, newest first (not paginated)."""

    blocked_handles: tuple[BlockedHandleEntry, ...] = ()


@attrs.frozen(kw_only=True)
class ContactCard(Model):
    """The name and photo one of your lines shares; ``is_active``: whether it reached the device."""

    phone_number: str
    first_name: str | None = None
    last_name: str | None = None
    image_url: str | None = None
    is_active: bool | None = None


@attrs.frozen(kw_only=True)
class SetContactCard(ContactCard):
    """A contact card as creating or updating it left it."""


@attrs.frozen(kw_only=True)
class ContactCardRetrieveResponse(Model):
    """The cards asked for: one line's, or every line's."""

    contact_cards: tuple[ContactCard, ...] = ()
