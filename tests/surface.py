"""The public surface of both clients, walked the same way by the parity and architecture tests."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from typing import Any

from linq_async import AsyncLinqClient, SyncLinqClient
from linq_async._client import _RESOURCES
from linq_async._sync import SyncResource
from linq_async.resources._base import ENDPOINT, PAGINATED, Resource, kind_of

KEY = "sk_test_0123456789abcdef"


def sub_resources(obj: object) -> list[str]:
    """Names of the sub-resource properties of a resource (``with_raw_response`` excluded)."""
    return sorted(
        name
        for name, value in inspect.getmembers(type(obj))
        if isinstance(value, functools.cached_property) and name != "with_raw_response"
    )


def resource_pairs() -> Iterator[tuple[str, Resource[Any], SyncResource[Any]]]:
    """Every (dotted path, async resource, its sync twin) reachable from the clients."""
    async_client = AsyncLinqClient(KEY)
    sync_client = SyncLinqClient(KEY)
    try:
        stack: list[tuple[str, object, object]] = [
            (f"client.{name}", getattr(async_client, name), getattr(sync_client, name)) for name in _RESOURCES
        ]
        while stack:
            path, async_obj, sync_obj = stack.pop()
            assert isinstance(async_obj, Resource), f"{path} is not a Resource"
            assert isinstance(sync_obj, SyncResource), f"{path} has no sync twin"
            yield path, async_obj, sync_obj
            for name in sub_resources(async_obj):
                stack.append((f"{path}.{name}", getattr(async_obj, name), getattr(sync_obj, name)))
    finally:
        sync_client.close()


def public_methods(resource: Resource[Any]) -> list[tuple[str, Any]]:
    """The public methods of a resource: endpoints, paginated endpoints, batches."""
    return [
        (name, member)
        for name, member in inspect.getmembers(type(resource), inspect.isfunction)
        if not name.startswith("_")
    ]


def endpoints() -> Iterator[tuple[str, str]]:
    """(dotted name, kind) of every endpoint method of the async client, aliases included."""
    for path, resource, _ in resource_pairs():
        for name, member in public_methods(resource):
            kind = kind_of(member)
            if kind in (ENDPOINT, PAGINATED):
                yield f"{path}.{name}", kind
