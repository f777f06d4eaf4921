"""``FakeLinqServer``: a Linq Partner API V3 stand-in on 127.0.0.1, for demos and tests.

It keeps the API's state in memory and enforces the documented rules, answering with Linq's
error envelope, codes and an ``X-Trace-ID`` header on every response. Faults can be injected on
demand. Each area of the API is a mixin of its own module; this one puts them together.

Where the docs do not say which code a rule violation gets, the choice is in ``RULE_ERRORS``:
change it per server with ``FakeLinqServer(rule_errors={...})``.
"""

from __future__ import annotations

from ._attachments import AttachmentsArea
from ._capability import CapabilityArea
from ._chats import ChatsArea
from ._core import FakeBase
from ._messages import MessagesArea
from ._numbers import NumbersArea
from ._payments import PaymentsArea
from ._polls import PollsArea
from ._webhooks import WebhooksArea

__all__ = ["RULE_ERRORS", "FakeLinqServer"]


class FakeLinqServer(
    NumbersArea,
    PollsArea,
    MessagesArea,
    ChatsArea,
    AttachmentsArea,
    CapabilityArea,
    PaymentsArea,
    WebhooksArea,
    FakeBase,
):
    """An in-memory Linq Partner API V3 on 127.0.0.1, enforcing the documented rules.

    ``async with FakeLinqServer() as fake:`` runs it on the current loop; ``with FakeLinqServer()
    as fake:`` runs it on a background thread, for synchronous code (and for async tests that call
    a ``SyncLinqClient``, which would otherwise block the loop serving it). ``fake.base_url`` and
    ``fake.api_key`` configure a client. State is set up with ``create_chat``, read with
    ``participants``, ``chat`` and ``requests``, and faults are queued with ``inject``.

    ``api_key``: the key clients must send (generated when left out); ``lines``: the fake's own
    phone numbers; ``rule_errors``: replace the error a rule is answered with; ``port``: 0 for a
    free one.
    """


RULE_ERRORS = FakeLinqServer.all_rules()
"""rule -> (HTTP status, Linq code, message), for every rule the fake enforces."""
