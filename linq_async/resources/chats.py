"""``client.chats``: the chats resource and its sub-resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Resource
from .participants import Participants

if TYPE_CHECKING:
    from .._client import AsyncLinqClient

__all__ = ["Chats"]


class Chats(Resource):
    """Chats, and their participants."""

    __slots__ = ("participants",)

    def __init__(self, client: AsyncLinqClient) -> None:
        super().__init__(client)
        self.participants = Participants(client)
