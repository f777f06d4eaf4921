"""``client.experiences``: the native iMessage cards you may send, and the params each action takes."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Unpack

from .._sync import SyncResource, blocking
from ..models.experiences import ExperienceListResponse, ExperienceRetrieveResponse
from ._base import Mode, Raw, Resource, endpoint
from .phone_numbers import segment

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["Experiences", "SyncExperiences"]


class Experiences(Resource[Mode]):
    """Experiences enabled on your account (sent as ``message.experience``; iMessage only)."""

    @cached_property
    def with_raw_response(self) -> Experiences[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Experiences(self._client, True)

    @endpoint
    async def list(self, **options: Unpack[RequestOptions]) -> ExperienceListResponse:
        """List the experiences you may invoke, with their actions and fields.

        ``GET /v3/experiences`` (not paginated). What is not listed is unsupported. Raises an
        ``APIError`` on failure.
        """
        return await self._request("GET", "/v3/experiences", into=ExperienceListResponse, options=options)

    @endpoint
    async def retrieve(self, experience: str, **options: Unpack[RequestOptions]) -> ExperienceRetrieveResponse:
        """Fetch one experience: its actions and the params each takes.

        ``GET /v3/experiences/{experience}``. ``experience``: its name, e.g. ``"agentpay"``. Raises
        ``ValidationError`` before sending for an empty name; ``NotFoundError`` or another ``APIError``.
        """
        path = f"/v3/experiences/{segment(experience, 'experience')}"
        return await self._request("GET", path, into=ExperienceRetrieveResponse, options=options)


class SyncExperiences(SyncResource[Mode]):
    """Blocking twin of ``client.experiences``."""

    list = blocking(Experiences.list)
    retrieve = blocking(Experiences.retrieve)

    @cached_property
    def with_raw_response(self) -> SyncExperiences[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncExperiences(self._runner, self._async.with_raw_response)
