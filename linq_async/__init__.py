"""linq_async: an asyncio-first SDK for the Linq Partner API V3.

``AsyncLinqClient`` for asyncio code, ``SyncLinqClient`` for blocking code; both share one request
path, the same models and the same typed errors.
"""

from __future__ import annotations

from ._batch import BatchResult, ItemCancelledError, Outcome
from ._client import AsyncLinqClient, Timeout
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    Headers,
    InternalServerError,
    LinqError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnexpectedRedirectError,
    UnprocessableEntityError,
    ValidationError,
)
from ._retry import RetryPolicy, is_retryable
from ._sync import SyncLinqClient
from ._version import __version__
from .models import (
    Chat,
    ChatCreateResponse,
    ChatHandle,
    ChatLeaveResponse,
    ChatUpdateResponse,
    CreatedChat,
    HealthStatus,
    LinkPart,
    MediaPart,
    Message,
    MessageContent,
    MessageEffect,
    MessageSendResponse,
    ParticipantAddResponse,
    ParticipantRemoveResponse,
    Reaction,
    ReplyTo,
    SentMessage,
    TextPart,
    UnknownPart,
)
from .pagination import AsyncPaginator, Page, SyncPaginator

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncLinqClient",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchResult",
    "Chat",
    "ChatCreateResponse",
    "ChatHandle",
    "ChatLeaveResponse",
    "ChatUpdateResponse",
    "ConflictError",
    "CreatedChat",
    "Headers",
    "HealthStatus",
    "InternalServerError",
    "ItemCancelledError",
    "LinkPart",
    "LinqError",
    "MediaPart",
    "Message",
    "MessageContent",
    "MessageEffect",
    "MessageSendResponse",
    "NotFoundError",
    "Outcome",
    "Page",
    "ParticipantAddResponse",
    "ParticipantRemoveResponse",
    "PermissionDeniedError",
    "RateLimitError",
    "Reaction",
    "ReplyTo",
    "RetryPolicy",
    "SentMessage",
    "SyncLinqClient",
    "SyncPaginator",
    "TextPart",
    "Timeout",
    "UnexpectedRedirectError",
    "UnknownPart",
    "UnprocessableEntityError",
    "ValidationError",
    "__version__",
    "is_retryable",
]
