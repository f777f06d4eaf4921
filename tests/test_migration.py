"""Code written for linq-python 0.65.0 moves here by changing the import: every method has a twin.

Walks the official SDK's async and sync clients (a test-only dependency) and checks that each
endpoint method exists here under the same dotted name, on both clients, and takes every keyword
the official one takes.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from linq_async import AsyncLinqClient, SyncLinqClient

linq = pytest.importorskip("linq")
from linq._resource import AsyncAPIResource, SyncAPIResource  # noqa: E402

KEY = "sk_test_0123456789abcdef"
PER_CALL = {"self", "extra_headers", "extra_query", "extra_body", "timeout"}


def official_methods(client: Any, base: type) -> Iterator[tuple[str, inspect.Signature]]:
    stack = [("", client)]
    seen: set[int] = set()
    while stack:
        path, obj = stack.pop()
        for name in dir(type(obj)):
            if name.startswith("_") or name in ("with_raw_response", "with_streaming_response"):
                continue
            attr = inspect.getattr_static(type(obj), name)
            if inspect.isfunction(attr):
                if isinstance(obj, base):
                    yield f"{path}{name}", inspect.signature(attr)
                continue
            try:
                value = getattr(obj, name)
            except Exception:
                continue
            if isinstance(value, base) and id(value) not in seen:
                seen.add(id(value))
                stack.append((f"{path}{name}.", value))


def resolve(root: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


OFFICIAL_ASYNC = sorted(official_methods(linq.AsyncLinqAPIV3(api_key="x"), AsyncAPIResource))
OFFICIAL_SYNC = sorted(official_methods(linq.LinqAPIV3(api_key="x"), SyncAPIResource))


def test_the_official_surface_is_what_we_think() -> None:
    assert len(OFFICIAL_ASYNC) == 71  # 70 endpoint methods and webhooks.unwrap
    assert [name for name, _ in OFFICIAL_ASYNC] == [name for name, _ in OFFICIAL_SYNC]


@pytest.mark.parametrize(("dotted", "official"), OFFICIAL_ASYNC, ids=[name for name, _ in OFFICIAL_ASYNC])
def test_every_official_method_has_a_twin_on_both_clients(dotted: str, official: inspect.Signature) -> None:
    async_client, sync_client = AsyncLinqClient(KEY), SyncLinqClient(KEY)
    try:
        for ours in (resolve(async_client, dotted), resolve(sync_client, dotted)):
            signature = inspect.signature(ours)
            accepted = set(signature.parameters)
            takes_options = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
            assert takes_options or dotted == "webhooks.unwrap", (
                f"{dotted} takes no per-call options"
            )  # unwrap sends nothing
            for name, parameter in official.parameters.items():
                if name in PER_CALL:
                    continue
                assert name in accepted, f"{dotted}: the official keyword {name!r} is missing here"
                if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
                    ours_param = signature.parameters[name]
                    assert ours_param.kind is ours_param.POSITIONAL_OR_KEYWORD, f"{dotted}: {name} is positional there"
    finally:
        sync_client.close()


def test_the_migration_page_lists_every_official_method() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "migrating.md").read_text()
    missing = [name for name, _ in OFFICIAL_ASYNC if f"`client.{name}(" not in page]
    assert not missing, f"docs/migrating.md does not list: {missing}"


def test_every_api_error_has_the_fields_linq_pythons_errors_have() -> None:
    """A handler written for ``linq.APIError`` reads body, code, doc_url and retry_after on any error."""
    import httpx

    from linq_async import APIConnectionError, APITimeoutError, NotFoundError, RateLimitError

    theirs = linq.APIConnectionError(request=httpx.Request("GET", "https://example.com"))
    common = {"message", "request", "body", "code", "doc_url", "retry_after"}
    assert all(hasattr(theirs, name) for name in common)
    for ours in (
        APIConnectionError("reset", method="GET", url="https://example.com"),
        APITimeoutError("slow", method="GET", url="https://example.com"),
    ):
        assert {name for name in common if not hasattr(ours, name)} == set()
        assert (ours.body, ours.code, ours.doc_url, ours.retry_after) == (None, None, None, None)
    gone = NotFoundError("Chat not found", status=404, code=2001, body={"error": {"code": 2001}})
    assert (gone.code, gone.body) == (2001, {"error": {"code": 2001}})
    assert RateLimitError("slow down", status=429, retry_after=2).retry_after == 2


def test_is_closed_as_in_linq_python() -> None:
    import asyncio

    from linq_async import AsyncLinqClient, SyncLinqClient

    blocking = SyncLinqClient(KEY, base_url="http://127.0.0.1:9")
    assert blocking.is_closed() is False
    blocking.close()
    assert blocking.is_closed() is True
    client = AsyncLinqClient(KEY, base_url="http://127.0.0.1:9")
    assert client.is_closed() is False
    asyncio.run(client.close())
    assert client.is_closed() is True


def test_every_model_name_of_linq_types_imports_from_linq_async() -> None:
    """``from linq.types import X`` becomes ``from linq_async import X`` for every response model.

    Left out, as docs/migrating.md says: the ``...Params``/``...Param`` TypedDicts (pass plain dicts or
    the models) and the Literal aliases of server-controlled values (they are ``str`` here).
    """
    import linq.types

    import linq_async

    models = [n for n in dir(linq.types) if not n.startswith("_") and isinstance(getattr(linq.types, n), type)]
    missing = [n for n in models if not n.endswith(("Param", "Params")) and not hasattr(linq_async, n)]
    assert missing == []
    assert linq_async.TextPartResponse is linq_async.TextPart
    assert len(models) > 100  # the walk itself found the types
