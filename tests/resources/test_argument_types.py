"""Every optional argument of every endpoint refuses a value of the wrong type before sending.

The walk reads each endpoint's signature and builds, from the annotation, values no caller could
mean (``"false"`` for a ``bool``, ``True`` or ``"5"`` for an ``int``, ``5`` for a ``str``, a bare
string for a list of handles, ...). Each must raise ``ValidationError`` with nothing sent, on
both clients; the same call with the argument left out (or given a good value) must pass the
client's checks, so that the refusal is the bad value's and not a missing companion argument's.
A new endpoint with an optional argument joins the walk by itself; if it needs a required
argument the table below does not know, its case fails with a ``KeyError`` naming it.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from linq_async import LinqError, ValidationError
from linq_async.resources._base import ENDPOINT, PAGINATED, kind_of
from linq_async.testing import FakeLinqServer

from ..conftest import LINE
from ..surface import public_methods, resource_pairs

CHAT = "<a chat of the fake>"  # replaced at run time
A, B = "+14155550601", "+14155550602"
URL = "https://example.com/a.m4a"
UUID = "550e8400-e29b-41d4-a716-446655440001"

# A plausible value for each required argument, by name (a method may override below).
REQUIRED: dict[str, Any] = {
    "chat_id": CHAT,
    "message_id": UUID,
    "from_": LINE,
    "to": [A],
    "message": "hi",
    "address": A,
    "handle": A,
    "poll": {"options": ["yes", "no"]},
    "text": "edited",
    "layout": {"caption": "x"},
    "amount_cents": 1999,
    "currency": "usd",
    "first_name": "Ana",
    "phone_number": LINE,
    "subscribed_events": ["message.received"],
    "target_url": "https://example.com/hook",
    "subscription_id": UUID,
}
# Keyword arguments that make a call complete, per method or per (method, argument walked).
BASE: dict[str | tuple[str, str], dict[str, Any]] = {
    "chats.background.set": {"type": "color", "shades": ["#000000", "#FFFFFF"]},
    ("chats.background.set", "image_url"): {"type": "photo", "image_url": "https://example.com/a.png"},
    ("chats.background.set", "style"): {"type": "dynamic", "style": "sky", "variant": "dusk"},
    ("chats.background.set", "variant"): {"type": "color", "variant": "mango"},
    "chats.send_voicememo": {"voice_memo_url": URL},
    ("chats.send_voicememo", "attachment_id"): {"attachment_id": UUID},
    "chats.update": {"display_name": "Team"},
    "contact_card.update": {"first_name": "Ana"},
    "messages.add_reaction": {"operation": "add", "type": "love"},
    ("messages.add_reaction", "custom_emoji"): {"operation": "add", "type": "custom", "custom_emoji": "x"},
    ("messages.add_reaction", "attachment_id"): {"operation": "add", "type": "sticker", "attachment_id": UUID},
    ("messages.add_reaction", "emoji"): {"operation": "add", "type": "sticker", "emoji": "x"},
    ("messages.add_reaction", "url"): {"operation": "add", "type": "sticker", "url": "https://example.com/s.png"},
    ("messages.add_reaction", "placement"): {"operation": "add", "type": "sticker", "emoji": "x"},
    "payment_requests.create": {"amount": 100, "currency": "usd"},
    **{
        ("payment_requests.create", name): {"mode": "subscription", "price_id": "price_1"}
        for name in ("discount", "price_id", "quantity", "trial_end", "trial_period_days")
    },
    "webhook_subscriptions.update": {"target_url": "https://example.com/hook"},
}
_KNOWN = re.compile(r"str|int|bool|float|None|uuid\.UUID|dt\.datetime|Sequence\[str\]|Literal\[.*\]")


def _members(annotation: str) -> list[str]:
    members, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            members.append(annotation[start:i].strip())
            start = i + 1
    members.append(annotation[start:].strip())
    return members


def wrong_values(annotation: str) -> list[Any]:
    """Values of a type the annotation does not admit."""
    members = _members(annotation)
    has = set(members).__contains__
    sequence = any(m.startswith("Sequence[") for m in members)
    values: list[Any] = [object(), b"x", [5]]
    if not has("bool"):
        values.append(True)
    if not has("int") and not has("float"):
        values.append(5)
    if not has("float"):
        values.append(5.5 if not has("int") else 5.0)
    if not has("str"):
        values.append("false")
    if not sequence:
        values.append(["x"])
    if all(_KNOWN.fullmatch(m) for m in members):
        values.append({"x": "y"})  # only where no model-or-mapping is admitted
    return values


SIGNATURES: dict[str, inspect.Signature] = {}


def _walked() -> Iterator[tuple[str, str, str]]:
    for path, resource, _ in resource_pairs():
        for name, member in public_methods(resource):
            if kind_of(member) not in (ENDPOINT, PAGINATED):
                continue
            method = f"{path.removeprefix('client.')}.{name}"
            SIGNATURES[method] = signature = inspect.signature(member)
            for param in signature.parameters.values():
                if param.default is not inspect.Parameter.empty and param.kind is not param.VAR_KEYWORD:
                    yield method, param.name, str(param.annotation)


CASES = sorted(set(_walked()))


def _call(client: Any, fake: FakeLinqServer, method: str, param: str, value: Any, *, omit: bool = False) -> Any:
    target: Any = client
    for part in method.split("."):
        target = getattr(target, part)
    base = dict(BASE.get((method, param), BASE.get(method, {})))
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in SIGNATURES[method].parameters.values():
        if p.kind is p.VAR_KEYWORD or p.name == "self":
            continue
        if p.name == param:
            if omit:
                if param in base and base[param] is not None:
                    kwargs[param] = base[param]  # the good value this argument needs
                continue
            given = value
        elif p.name in base:
            if base[p.name] is None:
                continue
            given = base[p.name]
        elif p.default is not inspect.Parameter.empty:
            continue
        else:
            given = REQUIRED[p.name]
        if given == CHAT:
            given = fake.create_chat([A, B])
        if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is inspect.Parameter.empty:
            args.append(given)
        else:
            kwargs[p.name] = given
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = target(*args, **kwargs)
        if hasattr(result, "first_page"):
            result = result.first_page()
        return result


def test_every_endpoint_with_options_is_walked() -> None:
    methods = {method for method, _, _ in CASES}
    assert {"chats.create", "chats.messages.send", "chats.send_voicememo", "messages.create"} <= methods
    assert len(CASES) > 60


@pytest.mark.parametrize(("method", "param", "annotation"), CASES, ids=[f"{m}-{p}" for m, p, _ in CASES])
def test_a_wrong_typed_optional_argument_is_refused_before_sending(
    any_client: Any, fake_server: FakeLinqServer, method: str, param: str, annotation: str
) -> None:
    for value in wrong_values(annotation):
        with pytest.raises(ValidationError):
            _call(any_client, fake_server, method, param, value)
        assert fake_server.requests == [], f"{method}({param}={value!r}) was sent"
    # The same call without the bad value gets past the client's checks (the API may still refuse it).
    try:
        _call(any_client, fake_server, method, param, None, omit=True)
    except ValidationError as exc:
        pytest.fail(f"the control call of {method} without {param} is refused too: {exc}")
    except LinqError:
        pass
