"""Wire equality with linq-python: the same call through the official SDK and ours, recorded on loopback.

Each resource test module declares ``WIRE = [WireCase(...), ...]``; its ``test_wire`` runs them,
and the cross-cutting tests (per-call options, raw responses, the architecture check that every
endpoint has a case) collect them all with ``all_cases()``. The comparison covers the method, the
path, the query (decoded, order-insensitive), the JSON body and the ``Idempotency-Key`` header. The
one intended difference: idempotency keys we generate where the official SDK sends none.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import urllib.parse
from collections.abc import Mapping
from typing import Any

import attrs
import pytest

from linq_async import APIResponseValidationError, SyncLinqClient, SyncPaginator

from .helpers import KEY, Answer, ScriptedAPI, Seen


@attrs.frozen
class WireCase:
    """One official call (``name``, ``args``, ``kwargs``) and, where ours is spelt differently, our spelling."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)
    answer: Any = attrs.field(factory=dict)  # the JSON the recorder answers with
    status: int = 200
    ours: str | None = None  # our dotted name, if not the official one
    ours_args: tuple[Any, ...] | None = None
    ours_kwargs: Mapping[str, Any] | None = None
    label: str | None = None  # a test id suffix, when one endpoint has several cases

    @property
    def id(self) -> str:
        return self.name if self.label is None else f"{self.name}[{self.label}]"

    def param(self) -> Any:
        return pytest.param(self, id=self.id)

    def our_call(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        args = self.args if self.ours_args is None else self.ours_args
        kwargs = dict(self.kwargs if self.ours_kwargs is None else self.ours_kwargs)
        return self.ours or self.name, args, kwargs


def resolve(root: Any, dotted: str) -> Any:
    target = root
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def answer(api: ScriptedAPI, case: WireCase) -> None:
    body = b"" if case.status == 204 else json.dumps(case.answer).encode()
    api.default = Answer(case.status, body, {"Content-Type": "application/json", "X-Trace-ID": "0" * 32})


def call_ours(client: Any, case: WireCase, **extra: Any) -> Any:
    """Make our call; a paginated one fetches its first page. Answers that do not parse are the case's business."""
    name, args, kwargs = case.our_call()
    try:
        result = resolve(client, name)(*args, **kwargs, **extra)
        if isinstance(result, SyncPaginator) or hasattr(result, "first_page"):
            return result.first_page()
        return result
    except APIResponseValidationError:
        return None


def call_official(client: Any, case: WireCase, **extra: Any) -> None:
    resolve(client, case.name)(*case.args, **case.kwargs, **extra)


@attrs.frozen
class Request:
    """What is compared of one recorded request."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any
    idempotency_key: str | None


def request_of(seen: Seen) -> Request:
    body = json.loads(seen.body) if seen.body else None
    headers = {k.lower(): v for k, v in seen.headers.items()}
    query = tuple(sorted(urllib.parse.parse_qsl(seen.query, keep_blank_values=True)))
    return Request(seen.method, seen.path, query, body, headers.get("idempotency-key"))


def _drop_generated_keys(ours: Any, theirs: Any) -> Any:
    """Remove from ``ours`` the idempotency keys we generate where linq-python sends none."""
    if isinstance(ours, dict) and isinstance(theirs, dict | None):
        theirs = theirs or {}
        return {
            k: _drop_generated_keys(v, theirs.get(k))
            for k, v in ours.items()
            if not (k == "idempotency_key" and k not in theirs)
        }
    return ours


def compare(ours: Seen, theirs: Seen) -> None:
    mine, official = request_of(ours), request_of(theirs)
    mine = attrs.evolve(mine, body=_drop_generated_keys(mine.body, official.body))
    if official.idempotency_key is None and mine.idempotency_key is not None:
        mine = attrs.evolve(mine, idempotency_key=None)
    assert mine == official


def official_client() -> Any:
    """linq-python's sync client (a test-only dependency); ``check_wire`` points it at each recorder."""
    linq = pytest.importorskip("linq")
    return linq.LinqAPIV3(api_key=KEY, base_url="http://127.0.0.1:9/api/partner", max_retries=0)


def check_wire(case: WireCase, api: ScriptedAPI, official: Any) -> None:
    """Run ``case`` through linq-python and through our sync client; assert the same request went out."""
    answer(api, case)
    theirs = official.with_options(base_url=api.base_url)
    call_official(theirs, case)
    with SyncLinqClient(KEY, base_url=api.base_url, max_retries=0) as ours:
        call_ours(ours, case)
    assert len(api.seen) == 2, [s.path for s in api.seen]
    compare(api.seen[1], api.seen[0])


def all_cases() -> list[WireCase]:
    """Every resource test module's ``WIRE`` cases."""
    from . import resources

    cases: list[WireCase] = []
    for module in pkgutil.iter_modules(resources.__path__):
        cases.extend(getattr(importlib.import_module(f"{resources.__name__}.{module.name}"), "WIRE", ()))
    return cases
