"""Type checks (mypy only, never run): the header containers webhook verification takes."""

from __future__ import annotations

import email.message
import http.client
import http.server

from multidict import CIMultiDictProxy

from linq_async import AsyncLinqClient, SyncLinqClient, webhooks
from linq_async.webhooks import WebhookEvent


def stdlib_headers(handler: http.server.BaseHTTPRequestHandler, body: bytes) -> None:
    webhooks.verify(body, handler.headers, "whsec_x")
    webhooks.verify(body, http.client.parse_headers(handler.rfile), "whsec_x")
    webhooks.verify(body.decode(), email.message.Message(), "whsec_x")
    event: WebhookEvent = webhooks.unwrap(body, handler.headers, "whsec_x", tolerance=60)
    print(event)


def other_headers(proxy: CIMultiDictProxy[str], body: bytes) -> None:
    webhooks.verify(body, proxy, "whsec_x")
    webhooks.verify(body, {"webhook-id": ["a", "b"]}, "whsec_x")
    webhooks.verify(body, [(b"webhook-id", b"x")], "whsec_x")
    webhooks.verify(body, None, "whsec_x")
    webhooks.verify(body, 5, "whsec_x")  # type: ignore[arg-type]
    webhooks.verify(None, {}, "whsec_x")  # type: ignore[arg-type]


def on_clients(a: AsyncLinqClient, s: SyncLinqClient, handler: http.server.BaseHTTPRequestHandler) -> None:
    a.webhooks.unwrap(b"{}", headers=handler.headers)
    s.webhooks.unwrap(b"{}", headers=handler.headers, tolerance=0)
