"""linq_async: an asyncio-first SDK for the Linq Partner API V3.

``AsyncLinqClient`` for asyncio code, ``SyncLinqClient`` for blocking code; both share one request
path, the same models and the same typed errors.
"""

from __future__ import annotations

import typing as _typing

from . import models as _models
from ._batch import BatchResult, ItemCancelledError, Outcome
from ._client import NOT_GIVEN, AsyncLinqClient, NotGiven, RequestOptions, Timeout
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CertificateVerificationError,
    ConflictError,
    ErrorResponse,
    Headers,
    InternalServerError,
    LinqError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnexpectedRedirectError,
    UnprocessableEntityError,
    UnreadableResponseError,
    UploadError,
    ValidationError,
)
from ._response import APIResponse, AsyncAPIResponse
from ._retry import RetryPolicy, is_retryable
from ._sync import SyncLinqClient
from ._version import __version__
from .pagination import AsyncPage, AsyncPaginator, NoNextPageError, Page, PageInfo, SyncPage, SyncPaginator

if _typing.TYPE_CHECKING:
    from .models.attachments import *  # noqa: F403
    from .models.capability import *  # noqa: F403
    from .models.chats import *  # noqa: F403
    from .models.common import *  # noqa: F403
    from .models.contacts import *  # noqa: F403
    from .models.events import *  # noqa: F403
    from .models.experiences import *  # noqa: F403
    from .models.messages import *  # noqa: F403
    from .models.numbers import *  # noqa: F403
    from .models.payments import *  # noqa: F403
    from .models.polls import *  # noqa: F403
    from .models.webhooks import *  # noqa: F403

__all__ = [
    "APIConnectionError",
    "APIResponse",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIResponse",
    "AsyncLinqClient",
    "AsyncPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchResult",
    "CertificateVerificationError",
    "ConflictError",
    "ErrorResponse",
    "Headers",
    "InternalServerError",
    "ItemCancelledError",
    "LinqError",
    "NOT_GIVEN",
    "NoNextPageError",
    "NotGiven",
    "NotFoundError",
    "Outcome",
    "Page",
    "PageInfo",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "RetryPolicy",
    "SyncLinqClient",
    "SyncPage",
    "SyncPaginator",
    "Timeout",
    "UnexpectedRedirectError",
    "UnprocessableEntityError",
    "UnreadableResponseError",
    "UploadError",
    "ValidationError",
    "__version__",
    "is_retryable",
    *_models.__all__,
]


def __getattr__(name: str) -> _typing.Any:
    # Models are re-exported lazily, so that importing linq_async imports none of them.
    if name in _models.__all__:
        return getattr(_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
