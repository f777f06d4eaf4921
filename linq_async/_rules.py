"""The API's wire rules, defined once: the client checks them before sending, the fake server on receipt.

Nothing here does I/O or knows either side. A broken rule raises ``RuleError``, a
``ValidationError`` that names the rule; the client lets it through as it is, and the fake server
answers it with the error its ``RULE_ERRORS`` table gives that rule.
"""

from __future__ import annotations

import itertools
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from ._errors import ValidationError
from ._validate import https_url, shown

__all__ = [
    "ALONE_PART_TYPES",
    "BACKGROUND_TYPES",
    "BUBBLE_EFFECTS",
    "COLOR_VARIANTS",
    "DYNAMIC_VARIANTS",
    "EVENT_TYPES",
    "MAX_LINK",
    "MAX_PARTS",
    "MAX_RECIPIENTS",
    "MAX_TEXT",
    "MAX_URL_MEDIA",
    "PART_TYPES",
    "SCREEN_EFFECTS",
    "SERVICES",
    "RuleError",
    "check_background",
    "check_message",
    "check_recipients_count",
    "has_url",
    "keyed",
    "repeatable",
]

SERVICES = ("iMessage", "RCS", "SMS")
MAX_RECIPIENTS = 31
MAX_PARTS = 100
MAX_URL_MEDIA = 40  # media parts fetched from a public URL; pre-uploaded attachments do not count
MAX_TEXT = 10_000
MAX_LINK = 2_048
PART_TYPES = ("text", "media", "link", "imessage_app", "app_clip")
ALONE_PART_TYPES = ("link", "imessage_app", "app_clip")  # each must be its message's only part
SCREEN_EFFECTS = (
    "confetti",
    "fireworks",
    "lasers",
    "sparkles",
    "celebration",
    "hearts",
    "love",
    "balloons",
    "happy_birthday",
    "echo",
    "spotlight",
)
BUBBLE_EFFECTS = ("slam", "loud", "gentle", "invisible")

# What counts as a link in the text of a chat's first message, which the API refuses (1005).
_URL_IN_TEXT = re.compile(r"https?://|www\.", re.IGNORECASE)


class RuleError(ValidationError):
    """A documented API rule is broken; ``rule`` names it (a key of the fake server's ``RULE_ERRORS``)."""

    def __init__(self, message: str, *, rule: str = "invalid_message") -> None:
        super().__init__(message)
        self.rule = rule


def has_url(text: str) -> bool:
    """Whether ``text`` holds something the API treats as a link."""
    return _URL_IN_TEXT.search(text) is not None


def check_recipients_count(count: int) -> None:
    """A chat is made with 1 recipient (direct) or 2 to 31 (group)."""
    if not 1 <= count <= MAX_RECIPIENTS:
        raise RuleError(f"to must hold 1 to {MAX_RECIPIENTS} handles, got {count}", rule="invalid_body")


def _check_part(part: Mapping[str, Any], index: int) -> str:
    kind = part.get("type")
    if not isinstance(kind, str) or not kind:
        raise RuleError(f"part {index} has no type")
    if kind == "text":
        value = part.get("value")
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT:
            raise RuleError(f"text part {index} must hold 1 to {MAX_TEXT} characters")
    elif kind == "link":
        value = part.get("value")
        if not isinstance(value, str) or len(value) > MAX_LINK or not value.lower().startswith(("https://", "http://")):
            raise RuleError(f"link part {index} must be an http(s) URL of at most {MAX_LINK} characters")
    elif kind == "media":
        url, attachment = part.get("url"), part.get("attachment_id")
        if (url is None) == (attachment is None):
            raise RuleError(f"media part {index} needs exactly one of url or attachment_id")
        if url is not None and (not isinstance(url, str) or not url.lower().startswith("https://")):
            raise RuleError(f"media part {index} url must be a public https:// URL")
    elif kind == "app_clip":
        value = part.get("value")
        if not isinstance(value, str) or not value.lower().startswith("https://"):
            raise RuleError(f"app_clip part {index} needs an https:// URL as its value")
    elif kind == "imessage_app":
        app = part.get("app")
        if not isinstance(app, Mapping) or not all(
            isinstance(app.get(k), str) for k in ("bundle_id", "name", "team_id")
        ):
            raise RuleError(f"imessage_app part {index} needs app.bundle_id, app.name and app.team_id")
        if not isinstance(part.get("layout"), Mapping):
            raise RuleError(f"imessage_app part {index} needs a layout")
    return kind


def check_message(message: Mapping[str, Any], *, first: bool = False, known_types_only: bool = False) -> None:
    """Check a message's wire form against the documented rules; raise ``RuleError`` for the first broken one.

    ``first``: the first message of a new chat, which may hold no link part and no URL in its text.
    ``known_types_only``: refuse part types the API does not document (the fake server does; the
    client lets them through, for types newer than this SDK).
    """
    parts = message.get("parts")
    has_experience = message.get("experience") is not None
    if parts is None or (isinstance(parts, Sequence) and not isinstance(parts, str) and not parts):
        if has_experience:
            return
        raise RuleError("a message needs at least one part")
    if not isinstance(parts, Sequence) or isinstance(parts, str):
        raise RuleError("message parts must be a list")
    if has_experience:
        raise RuleError("a message carries parts or an experience, not both")
    if len(parts) > MAX_PARTS:
        raise RuleError(f"a message holds at most {MAX_PARTS} parts, got {len(parts)}")
    kinds = []
    for index, part in enumerate(parts):
        if not isinstance(part, Mapping):
            raise RuleError(f"part {index} must be an object")
        kind = _check_part(part, index)
        if known_types_only and kind not in PART_TYPES:
            raise RuleError(f"part {index} has an unknown type {kind!r}")
        kinds.append(kind)
    alone = [kind for kind in kinds if kind in ALONE_PART_TYPES]
    if alone and len(parts) > 1:
        raise RuleError(f"a {alone[0]} part must be the message's only part")
    if any(a == b == "text" for a, b in itertools.pairwise(kinds)):
        raise RuleError("two text parts cannot follow each other; join them into one")
    if sum(1 for part in parts if part.get("type") == "media" and part.get("url") is not None) > MAX_URL_MEDIA:
        raise RuleError(f"a message holds at most {MAX_URL_MEDIA} media parts fetched from a URL; upload the rest")
    if first:
        for part in parts:
            text = part.get("value") if part["type"] == "text" else None
            if part["type"] == "link" or (isinstance(text, str) and has_url(text)):
                raise RuleError(
                    "the first message of a new chat cannot contain a link or URL (Linq code 1005)",
                    rule="first_message_link",
                )


# Chat backgrounds, as linq-python 0.65.0 documents them: three families, the named colour
# swatches, and each animated style's variants. An unknown variant is answered 400.
BACKGROUND_TYPES = ("color", "dynamic", "photo")
COLOR_VARIANTS = (
    "mango",
    "ice",
    "plum",
    "deep_sea",
    "green_apple",
    "cherry",
    "bubblegum",
    "tangerine",
    "magenta",
    "lime",
    "silver",
    "carbon",
    "stone",
)
DYNAMIC_VARIANTS: Mapping[str, tuple[str, ...]] = {
    "sky": ("dusk", "haze", "sunset", "clear", "sunrise", "dawn"),
    "water": ("light", "dark"),
    "aurora": ("green", "purple", "pink"),
}
_HEX_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})", re.ASCII)


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def check_background(body: Mapping[str, Any]) -> None:
    """Refuse a ``POST /v3/chats/{id}/background`` body the API would refuse; shared with the fake.

    Raises ``RuleError`` naming the broken rule (``missing_field`` or ``invalid_parameter``).
    Fields a family does not read are left alone here (the API ignores them).
    """
    kind = body.get("type")
    if kind not in BACKGROUND_TYPES:
        raise RuleError(f"type must be one of {BACKGROUND_TYPES}, got {shown(kind)}", rule="invalid_parameter")
    if kind == "color":
        variant = body.get("variant", "custom")
        if variant == "custom":
            shades = body.get("shades")
            if shades is None:
                raise RuleError(
                    "a custom color background (variant 'custom' or none) needs shades: two hex colours, "
                    "top then bottom",
                    rule="missing_field",
                )
            if (
                not _is_sequence(shades)
                or len(shades) != 2
                or not all(isinstance(shade, str) and _HEX_COLOUR.fullmatch(shade) for shade in shades)
            ):
                raise RuleError(
                    f"shades must be two hex colours such as ['#F2C4E1', '#F5A623'], got {shown(shades)}",
                    rule="invalid_parameter",
                )
        elif variant not in COLOR_VARIANTS:
            raise RuleError(
                f"variant of a color background must be 'custom' or one of {COLOR_VARIANTS}, got {shown(variant)}",
                rule="invalid_parameter",
            )
    elif kind == "dynamic":
        style, variant = body.get("style"), body.get("variant")
        if style is None or variant is None:
            raise RuleError("a dynamic background needs both style and variant", rule="missing_field")
        if not isinstance(style, str) or style not in DYNAMIC_VARIANTS:
            raise RuleError(
                f"style must be one of {tuple(DYNAMIC_VARIANTS)}, got {shown(style)}",
                rule="invalid_parameter",
            )
        if variant not in DYNAMIC_VARIANTS[style]:
            raise RuleError(
                f"variant of the {style!r} style must be one of {DYNAMIC_VARIANTS[style]}, got {shown(variant)}",
                rule="invalid_parameter",
            )
    else:
        url = body.get("image_url")
        if url is None:
            raise RuleError("a photo background needs image_url", rule="missing_field")
        try:
            https_url(url, "image_url")
        except ValidationError as exc:
            raise RuleError(str(exc), rule="invalid_parameter") from None
        if not urllib.parse.urlsplit(url).hostname:
            raise RuleError(f"image_url must be an absolute https:// URL, got {shown(url)}", rule="invalid_parameter")


# The webhook event types one can subscribe to (linq-python 0.65.0), in the order GET /v3/webhook-events
# lists them.
EVENT_TYPES: tuple[str, ...] = (
    "message.sent", "message.received", "message.read", "message.delivered", "message.failed", "message.edited",
    "reaction.added", "reaction.removed",
    "poll.received", "poll.failed", "poll.sent", "poll.delivered", "poll.read", "poll.updated", "poll.vote.added",
    "poll.vote.removed", "poll.reaction.added",
    "participant.added", "participant.removed",
    "chat.created", "chat.group_name_updated", "chat.group_icon_updated", "chat.group_name_update_failed",
    "chat.group_icon_update_failed", "chat.background_updated", "chat.background_update_failed",
    "chat.typing_indicator.started", "chat.typing_indicator.stopped",
    "phone_number.status_updated", "phone_number.assigned", "phone_number.released",
    "contact_card.received",
    "call.initiated", "call.ringing", "call.answered", "call.ended", "call.failed", "call.declined", "call.no_answer",
    "location.sharing.started", "location.sharing.stopped",
    "payment.succeeded", "payment.canceled", "payment.expired", "payment.declined", "payment.authorized",
    "connection.created", "connection.revoked",
    "zero_day_retention.updated", "phone_number.forwarding_updated", "environment.line_moved",
    "contact_card.created", "contact_card.updated", "contact_card.deleted",
    "api_token.created", "api_token.renamed", "api_token.expiry_scheduled", "api_token.expired",
    "api_token.activated", "api_token.deleted",
    "environment.created", "environment.renamed", "environment.deleted",
    "webhook_subscription.created", "webhook_subscription.deleted", "webhook_subscription.target_url_changed",
    "webhook_subscription.enabled", "webhook_subscription.disabled", "webhook_subscription.events.updated",
    "webhook_subscription.phone_numbers.updated", "webhook_subscription.routing_headers_set",
    "webhook_subscription.routing_headers_cleared",
    "team_member.added", "team_member.signed_in", "team_member.signed_out",
)  # fmt: skip


# Repeating a request --------------------------------------------------------------------------

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def repeatable(method: str, body: Mapping[str, object] | None, headers: Mapping[str, str]) -> bool:
    """Tell whether sending a request twice has the effect of sending it once.

    True for the idempotent HTTP methods, and for a request carrying an idempotency key.
    """
    return method in _SAFE_METHODS or keyed(body, headers)


def keyed(body: Mapping[str, object] | None, headers: Mapping[str, str]) -> bool:
    """Tell whether a request carries an idempotency key, so that a repeat gets the first answer again.

    The key is the ``Idempotency-Key`` header, or ``idempotency_key`` in a top-level object of the
    body (``message``, ``poll``).
    """
    if any(value and name.lower() == "idempotency-key" for name, value in headers.items()):
        return True
    return body is not None and any(
        isinstance(value, Mapping) and value.get("idempotency_key") for value in body.values()
    )
