"""What is retried, how long to wait, and the one place a tenacity retryer is built.

Classification follows Linq's code ranges, not only the HTTP status: every 3xxx code and the
transient 2007, 2009, 2022 and 4004 are retried, as are 5xx answers with no Linq envelope (HTML
from a proxy), 429, connection failures and timeouts. Every other 1xxx/2xxx code is permanent,
including the 409s 1006 and 2013 that a generic "retry every 409" rule would repeat. A connection
failure or timeout after the request may have reached the server, or a 502/504 from a gateway, is
retried only when repeating it is safe: a GET, PUT or DELETE, a request carrying an idempotency key,
or an endpoint declared repeatable (``APIError.may_have_applied`` tells).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import APIConnectionError, APIError, APIStatusError, CertificateVerificationError, ValidationError

if TYPE_CHECKING:
    from tenacity import AsyncRetrying, RetryCallState

__all__ = ["RetryPolicy", "is_retryable"]

logger = logging.getLogger("linq_async")

# 2xxx/4xxx codes the docs call transient: attachment not ready, chat still being created,
# contact card setup failed, service unavailable.
_TRANSIENT_CODES = frozenset({2007, 2009, 2022, 4004})
_RATE_LIMITED_CODE = 1007


def is_retryable(exc: BaseException) -> bool:
    """Tell whether a failed attempt may be repeated. Control-flow exceptions never are."""
    if getattr(exc, "may_have_applied", False):
        return False
    if isinstance(exc, APIConnectionError):
        return not isinstance(exc, CertificateVerificationError)
    if not isinstance(exc, APIStatusError):
        return False
    if exc.status == 429:
        return True
    code = exc.code
    if code is not None:
        return 3000 <= code < 4000 or code in _TRANSIENT_CODES or code == _RATE_LIMITED_CODE
    return exc.status >= 500 or exc.status == 408


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError(f"max_retries must be an int from 0 to 100, got {value!r}")
    return value


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"delays must be numbers of seconds, got {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValidationError(f"delays must be finite and not negative, got {value!r}")
    return seconds


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How failed requests are retried: jittered exponential backoff, server delays honoured.

    The n-th retry waits a uniform random time in ``[0, min(max_delay, initial_delay * 2**(n-1))]``
    ("full jitter"). When the error carries a server delay (``Retry-After`` or the body's
    ``retry_after``) the wait is that delay plus up to ``initial_delay`` of jitter; a delay longer
    than ``max_retry_after`` is not waited for at all (see ``is_retryable``). ``sleep`` and
    ``jitter`` can be injected so tests take no time.
    """

    max_retries: int = attrs.field(default=2, converter=_count)
    initial_delay: float = attrs.field(default=0.5, converter=_seconds)
    max_delay: float = attrs.field(default=8.0, converter=_seconds)
    max_retry_after: float = attrs.field(default=60.0, converter=_seconds)
    sleep: Callable[[float], Awaitable[None]] | None = attrs.field(default=None, eq=False, repr=False)
    jitter: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)

    def __repr__(self) -> str:
        # Also for a half-built policy (a converter refused a value), which a traceback may print.
        shown = (f"{f.name}={getattr(self, f.name, '<unset>')!r}" for f in attrs.fields(type(self)) if f.repr)
        return f"{type(self).__name__}({', '.join(shown)})"

    def is_retryable(self, exc: BaseException) -> bool:
        """Tell whether a failed attempt may be repeated (see the module docstring).

        The one retry decision: it is asked after the first attempt and after every later one, so a
        subclass that overrides it (to retry a 409, say) is honoured on every attempt. A server that
        asks to wait longer than ``max_retry_after`` is not retried at all: the error (with its
        ``retry_after``) is raised at once instead of sleeping into the same refusal.
        """
        return is_retryable(exc) and not self.waits_too_long(exc)

    def waits_too_long(self, exc: BaseException) -> bool:
        """Whether the server asked for a longer wait than ``max_retry_after`` allows."""
        retry_after = getattr(exc, "retry_after", None)
        return isinstance(retry_after, (int, float)) and retry_after > self.max_retry_after

    def backoff(self, retry_number: int) -> float:
        """Return the jittered wait before retry number ``retry_number`` (1 for the first)."""
        ceiling = min(self.max_delay, self.initial_delay * 2.0 ** min(retry_number - 1, 60))
        return ceiling * self.jitter()

    def server_delay(self, exc: BaseException) -> float | None:
        """Return the server-directed wait carried by ``exc``, capped at ``max_retry_after``."""
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is None or not isinstance(retry_after, (int, float)) or math.isnan(retry_after):
            return None
        return min(max(float(retry_after), 0.0), self.max_retry_after)

    def delay(self, exc: BaseException, retry_number: int) -> float:
        """Return the wait before retry number ``retry_number`` after ``exc``."""
        server = self.server_delay(exc)
        if server is not None:
            return server + self.initial_delay * self.jitter()
        return self.backoff(retry_number)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        return self.delay(exc, state.attempt_number) if exc is not None else 0.0

    def _retrying(self) -> AsyncRetrying:
        # tenacity is imported on the first retry only: most calls never need it.
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

        return AsyncRetrying(
            sleep=self.sleep if self.sleep is not None else asyncio.sleep,
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(self.is_retryable),
            before_sleep=_log_retry,
            reraise=True,
        )

    async def _run(self, attempt: Callable[[], Awaitable[Any]], first_failure: APIError) -> Any:
        """Repeat ``attempt`` after ``first_failure`` until it succeeds or the policy gives up.

        The first tenacity attempt replays ``first_failure`` instead of sending, so attempt numbers,
        waits and the stop rule are exactly those of a loop that had run from the first request.
        """
        pending: APIError | None = first_failure
        async for tenacity_attempt in self._retrying():
            with tenacity_attempt:
                if pending is not None:
                    failure, pending = pending, None
                    raise failure
                return await attempt()
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    delay = state.next_action.sleep if state.next_action is not None else 0.0
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    trace_id = getattr(exc, "trace_id", None)
    logger.info(
        "retrying %s %s: attempt %d failed (status=%s code=%s trace_id=%s, %s); next attempt in %.2fs",
        getattr(exc, "method", None),
        getattr(exc, "url", None),
        state.attempt_number,
        status,
        code,
        trace_id,
        type(exc).__name__,
        delay,
        extra={
            "linq_attempt": state.attempt_number,
            "linq_status": status,
            "linq_code": code,
            "linq_trace_id": trace_id,
            "linq_delay": delay,
        },
    )
