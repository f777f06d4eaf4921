"""``client.phonenumbers``: the deprecated line list, kept for code written against linq-python."""

from __future__ import annotations

import asyncio
import os
import sys
import warnings
from functools import cached_property
from types import FrameType
from typing import TYPE_CHECKING, Unpack

from .._sync import SyncResource, blocking
from ..models.numbers import PhonenumberListResponse
from ._base import Mode, Raw, Resource, endpoint

if TYPE_CHECKING:
    from .._client import RequestOptions

__all__ = ["DEPRECATED", "Phonenumbers", "SyncPhonenumbers"]

DEPRECATED = "phonenumbers.list() is deprecated; use phone_numbers.list()"

# Frames of the SDK and of the event loop that runs it, skipped when blaming a caller for the warning.
_OURS = (os.path.dirname(os.path.dirname(__file__)), os.path.dirname(asyncio.__file__))


def _callers_level() -> int:
    """The ``stacklevel`` that points a warning raised in ``list`` at the code that called it.

    Awaited, that is the frame awaiting; through the sync client, the first frame outside the SDK and
    asyncio (the loop runs in the calling thread). On the client's private loop thread there is no
    caller's frame: the warning then points at the loop.
    """
    frame: FrameType | None = sys._getframe(2)  # the caller of list()
    level = 2
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_OURS):
            return level
        frame, level = frame.f_back, level + 1
    return 2


class Phonenumbers(Resource[Mode]):
    """The legacy line list (deprecated: use ``client.phone_numbers``)."""

    @cached_property
    def with_raw_response(self) -> Phonenumbers[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return Phonenumbers(self._client, True)

    @endpoint
    async def list(self, **options: Unpack[RequestOptions]) -> PhonenumberListResponse:
        """List your lines the old way (deprecated: each call warns; use ``phone_numbers.list``).

        ``GET /v3/phonenumbers``. Each line has ``id``, ``phone_number`` and ``capabilities``
        (sms, mms, voice); ``type`` and ``country_code`` are always None. Emits a
        ``DeprecationWarning``; raises an ``APIError`` on failure.
        """
        warnings.warn(DEPRECATED, DeprecationWarning, stacklevel=_callers_level())
        return await self._request("GET", "/v3/phonenumbers", into=PhonenumberListResponse, options=options)


class SyncPhonenumbers(SyncResource[Mode]):
    """Blocking twin of ``client.phonenumbers``."""

    list = blocking(Phonenumbers.list)

    @cached_property
    def with_raw_response(self) -> SyncPhonenumbers[Raw]:
        """These endpoints, returning raw responses (status, headers, ``parse()``)."""
        return SyncPhonenumbers(self._runner, self._async.with_raw_response)
