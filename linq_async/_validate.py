"""Client-side checks of everything a user passes in, run before any request is built.

Every refusal is a ``ValidationError`` (a ``LinqError`` and a ``ValueError``). Messages show the
offending value with ``repr`` and truncated, except for the API key, which is never shown.
"""

from __future__ import annotations

import math
import re
import urllib.parse
import uuid

from ._errors import ValidationError

__all__ = [
    "api_key",
    "base_url",
    "chat_id",
    "flag",
    "handle",
    "https_url",
    "idempotency_key",
    "positive_seconds",
    "shown",
]

# E.164: "+", a first digit 1-9, at most 15 digits in all. re.ASCII keeps [0-9] from matching other
# scripts' digits; fullmatch (not ^...$) refuses a trailing newline. The shortest numbers in
# service (Niue, Saint Helena, Tokelau) have 7 digits with the country code.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}", re.ASCII)
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
_LOOSE_UUID = re.compile(
    r"(?:urn:uuid:)?(\{)?"
    r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})"
    r"(?(1)\})",
    re.ASCII,
)
_EMAIL_FORBIDDEN = frozenset('<>()[]\\,;:"')
_MAX_EMAIL = 254
_MAX_LOCAL_PART = 64


def shown(value: object, limit: int = 60) -> str:
    """Render a refused value for an error message: repr, truncated."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def chat_id(value: object, name: str = "chat_id") -> str:
    """Return the canonical lower-case hyphenated form of a chat UUID, or refuse it.

    Accepts ``uuid.UUID`` and the usual string spellings (upper case, no hyphens, braces,
    ``urn:uuid:``). Anything else, such as ``../x``, ``a?b`` or an empty string, is refused, so a
    chat id can never change the path or query of a request.
    """
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a UUID string, got {type(value).__name__}")
    if _CANONICAL_UUID.fullmatch(value):
        return value
    if _LOOSE_UUID.fullmatch(value):
        return str(uuid.UUID(value))
    raise ValidationError(f"{name} must be a UUID like '550e8400-e29b-41d4-a716-446655440000', got {shown(value)}")


def flag(value: object, name: str) -> bool:
    """Return a ``bool`` unchanged; refuse anything else (``"false"``, ``0``, ``None``) rather than guess."""
    if value is True or value is False:
        return value
    raise ValidationError(f"{name} must be True or False, got {shown(value)}")


def handle(value: object) -> str:
    """Return a participant handle unchanged if it is an E.164 phone number or an email address."""
    if not isinstance(value, str):
        raise ValidationError(f"handle must be a string, got {type(value).__name__}")
    if _E164.fullmatch(value):
        return value
    if "@" in value:
        return _email(value)
    if value.startswith("+"):
        raise ValidationError(
            "handle is not an E.164 phone number ('+', then 7 to 15 ASCII digits, the first 1-9, "
            f"no spaces or punctuation): {shown(value)}"
        )
    raise ValidationError(
        f"handle must be an E.164 phone number such as '+14155550100' or an email address, got {shown(value)}"
    )


def _email(value: str) -> str:
    if len(value) > _MAX_EMAIL:
        raise ValidationError(f"email handle is longer than {_MAX_EMAIL} characters: {shown(value)}")
    local, _, domain = value.partition("@")
    problem = None
    if "@" in domain:
        problem = "has more than one '@'"
    elif not local or not domain:
        problem = "needs text on both sides of '@'"
    elif len(local) > _MAX_LOCAL_PART:
        problem = f"has a local part longer than {_MAX_LOCAL_PART} characters"
    # isprintable() is False for every control, format, separator and unassigned character; the
    # ASCII space is printable, so it is checked on its own.
    elif not value.isprintable() or " " in value:
        problem = "contains whitespace or control characters"
    elif not _EMAIL_FORBIDDEN.isdisjoint(value):
        problem = 'contains one of < > ( ) [ ] \\ , ; : "'
    elif "." not in domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        problem = "has no valid domain"
    if problem is not None:
        raise ValidationError(f"email handle {problem}: {shown(value)}")
    return value


def api_key(value: object, *, source: str) -> str:
    """Refuse an API key that could not be sent safely in a header. The key is never echoed."""
    problem = _key_problem(value)
    if problem is None:
        assert isinstance(value, str)
        return value
    # Drop the key from this frame so a traceback formatted with its locals cannot show it.
    del value
    raise ValidationError(f"the API key ({source}) {problem}")


def _key_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    if not value:
        return "is empty"
    if value != value.strip():
        return "has leading or trailing whitespace (a newline from a file?); strip it"
    if not value.isascii() or not value.isprintable() or " " in value:
        return "contains control, whitespace or non-ASCII characters; it would allow header injection"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # only plain-http URLs get here

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(value: object, *, allow_insecure_http: bool = False, source: str = "base_url") -> str:
    """Return the API base URL without a trailing slash, or refuse it.

    HTTPS only, except plain HTTP to a loopback host (``localhost``, ``127.0.0.0/8``, ``::1``)
    or when ``allow_insecure_http`` is set. No credentials, query or fragment.
    """
    if not isinstance(value, str):
        raise ValidationError(f"{source} must be a string, got {type(value).__name__}")
    if not value.isascii() or not value.isprintable() or " " in value:
        raise ValidationError(f"{source} contains whitespace, control or non-ASCII characters: {shown(value)}")
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(f"{source} is not a valid URL ({exc}): {shown(value)}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValidationError(f"{source} must start with https://, got {shown(value)}")
    if "@" in parts.netloc:
        raise ValidationError(f"{source} must not contain credentials: {shown(value, 20)}")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValidationError(f"{source} must not contain a query or fragment: {shown(value)}")
    host = parts.hostname
    if not host:
        raise ValidationError(f"{source} has no host: {shown(value)}")
    if port == 0:
        raise ValidationError(f"{source} has port 0: {shown(value)}")
    if scheme == "http" and not allow_insecure_http and not _is_loopback(host):
        raise ValidationError(
            f"{source} uses plain http:// to {host!r}, which would send the API key unencrypted; "
            "use https://, or pass allow_insecure_http=True if you really mean it"
        )
    return value.rstrip("/")


def positive_seconds(value: object, *, name: str) -> float:
    """Return a finite, positive number of seconds, or refuse it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{name} must be a number of seconds, got {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValidationError(f"{name} must be finite and greater than 0, got {value!r}")
    return seconds


def https_url(value: object, name: str, *, max_length: int = 2048) -> str:
    """Return a public ``https://`` URL unchanged, or refuse it."""
    if (
        not isinstance(value, str)
        or not value.lower().startswith("https://")
        or len(value) > max_length
        or not value.isprintable()
        or " " in value
    ):
        raise ValidationError(f"{name} must be an https:// URL of at most {max_length} characters, got {shown(value)}")
    return value


def idempotency_key(value: object) -> str:
    """Refuse an idempotency key that is not 1 to 255 printable ASCII characters."""
    if not isinstance(value, str):
        raise ValidationError(f"idempotency_key must be a string, got {type(value).__name__}")
    if not 1 <= len(value) <= 255 or not value.isascii() or not value.isprintable():
        raise ValidationError(f"idempotency_key must be 1 to 255 printable ASCII characters, got {shown(value)}")
    return value
