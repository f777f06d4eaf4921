from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AsyncLinqClient


class Resource:
    """A group of endpoints bound to one client (or one ``with_options`` view of it)."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncLinqClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
