"""``client.contact_card``: the name and photo your lines share through iMessage."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .. import _validate
from .._errors import ValidationError
from .._sync import SyncResource, blocking
from ..models.contacts import ContactCardRetrieveResponse, SetContactCard
from ._base import Mode, Raw, Resource, endpoint
from .phone_numbers import e164

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["ContactCards", "SyncContactCards"]


def _first_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ValidationError(f"first_name must be printable, non-blank text, got {_validate.shown(value)}")
    return value


def _last_name(value: object) -> str:
    if not isinstance(value, str) or not value.isprintable():
        raise ValidationError(f"last_name must be printable text, got {_validate.shown(value)}")
    return value


class ContactCards(Resource[Mode]):
    """Contact cards (iMessage Name and Photo Sharing), one per line.

    Creating and updating share one budget per line: 3 calls in 10 minutes; beyond it the API
    answers 429 with ``Retry-After``.
    """

    @cached_property
    def with_raw_response(self) -> ContactCards[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return ContactCards(self._client, True)

    @endpoint
    async def create(
        self,
        *,
        first_name: str,
        phone_number: str,
        image_url: str | None = None,
        last_name: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> SetContactCard:
        """Set up the contact card of a line, once; change it later with ``update``.

        ``POST /v3/contact_card``. ``first_name``: the name shown; ``phone_number``: your line, in
        E.164; ``image_url``: an https:// photo; ``last_name``: optional. Raises ``ValidationError``
        before sending for bad input; ``ConflictError`` (2014: the line has a card already),
        ``RateLimitError`` (429, ``retry_after`` set), ``InternalServerError`` (500/2022: setup
        did not finish; 503/4004: rate limited upstream, wait before trying again; both retried)
        or another ``APIError``.
        """
        body: dict[str, Any] = {
            "first_name": _first_name(first_name),
            "phone_number": e164(phone_number, "phone_number"),
        }
        if image_url is not None:
            body["image_url"] = _validate.https_url(image_url, "image_url")
        if last_name is not None:
            body["last_name"] = _last_name(last_name)
        return await self._request("POST", "/v3/contact_card", body=body, into=SetContactCard, options=options)

    @endpoint
    async def retrieve(
        self, *, phone_number: str | None = None, **options: Unpack[RequestOptions]
    ) -> ContactCardRetrieveResponse:
        """Read the contact card of one line, or of every line.

        ``GET /v3/contact_card``. ``phone_number``: the line (E.164); leave it out for all cards.
        Raises ``ValidationError`` before sending for a bad number; ``NotFoundError`` (2012: that
        line has no card) or another ``APIError``.
        """
        params = {"phone_number": e164(phone_number, "phone_number") if phone_number is not None else None}
        return await self._request(
            "GET", "/v3/contact_card", params=params, into=ContactCardRetrieveResponse, options=options
        )

    @endpoint
    async def update(
        self,
        *,
        phone_number: str,
        first_name: str | None = None,
        image_url: str | None = None,
        last_name: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> SetContactCard:
        """Change a line's contact card; the fields left out keep their values.

        ``PATCH /v3/contact_card?phone_number=...``. ``phone_number``: the line (E.164, sent in the
        query); ``first_name``, ``image_url`` (https://), ``last_name``: the new values, one at
        least. Raises ``ValidationError`` before sending for bad input or nothing to change;
        ``NotFoundError`` (2012), ``RateLimitError`` (429), ``InternalServerError`` (500/2022;
        503/4004, which leaves the card inactive) or another ``APIError``.
        """
        params = {"phone_number": e164(phone_number, "phone_number")}
        body: dict[str, Any] = {}
        if first_name is not None:
            body["first_name"] = _first_name(first_name)
        if image_url is not None:
            body["image_url"] = _validate.https_url(image_url, "image_url")
        if last_name is not None:
            body["last_name"] = _last_name(last_name)
        if not body:
            raise ValidationError("give first_name, image_url or last_name: an empty update would spend a call")
        return await self._request(
            "PATCH",
            "/v3/contact_card",
            params=params,
            body=body,
            into=SetContactCard,
            options=options,
            repeatable=True,
        )


class SyncContactCards(SyncResource[Mode]):
    """Blocking twin of ``client.contact_card``."""

    create = blocking(ContactCards.create)
    retrieve = blocking(ContactCards.retrieve)
    update = blocking(ContactCards.update)

    @cached_property
    def with_raw_response(self) -> SyncContactCards[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncContactCards(self._runner, self._async.with_raw_response)
