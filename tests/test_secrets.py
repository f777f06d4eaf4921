"""The API key appears in no repr, str, log record, exception, exception chain or traceback."""

from __future__ import annotations

import base64
import logging
import os
import pickle
import traceback
import urllib.parse
from collections.abc import Callable, Iterator

import pytest

from linq_async import AsyncLinqClient, LinqError, RetryPolicy

from .helpers import CHAT, ScriptedAPI, Sleeps, envelope

CANARY = "sk_live_CANARY_7f3a9c1e5b"
FORMS = [CANARY, urllib.parse.quote(CANARY), base64.b64encode(CANARY.encode()).decode(), CANARY[4:]]


def assert_clean(text: str) -> None:
    for form in FORMS:
        assert form not in text, f"the key leaked: {text[:300]!r}"


def exception_texts(exc: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(current.args)
        yield repr(vars(current)) if hasattr(current, "__dict__") else ""
        current = current.__cause__ or current.__context__
    yield "".join(traceback.format_exception(exc))
    # Locals of the package's own frames (the caller's variables are the caller's business).
    summary = traceback.TracebackException.from_exception(exc, capture_locals=True)
    for frame in summary.stack:
        if f"{os.sep}linq_async{os.sep}" in frame.filename:
            yield repr(frame.locals)


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        for name in ("linq_async", "aiohttp", "aiohttp.client", "asyncio", "tenacity"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield caplog


def scenario_answers(api: ScriptedAPI) -> None:
    api.reply(500, envelope(500, 3006))  # retried
    api.reply(202)  # success
    api.reply(409, envelope(409, 2013))  # permanent
    api.reply(429, envelope(429, 1007, retry_after=1))
    api.reply(401, envelope(401, 2004))
    api.drop()  # transport failure
    api.drop()
    api.reply_raw(b"HTTX/9.9 OOPS\r\n\r\n")  # broken answer: aiohttp's own error has the headers
    api.truncated()
    api.reply_bytes(202, b"<html>not json</html>", content_type="text/html")
    api.reply_bytes(302, b"", headers={"Location": "https://elsewhere.example/steal"})


async def test_key_never_leaks(api: ScriptedAPI, sleeps: Sleeps, everything_logged: pytest.LogCaptureFixture) -> None:
    scenario_answers(api)
    client = AsyncLinqClient(CANARY, base_url=api.base_url, retry=RetryPolicy(sleep=sleeps, max_retries=1))
    texts = [repr(client), str(client), repr(client.chats), repr(client.chats.participants), repr(client.retry)]
    errors: list[LinqError] = []
    async with client:
        for _ in range(9):
            try:
                await client.chats.participants.add(CHAT, handle="+14155550100")
            except LinqError as exc:
                errors.append(exc)
    assert len(errors) >= 6
    assert api.seen and all(s.headers["Authorization"] == f"Bearer {CANARY}" for s in api.seen)
    for exc in errors:
        texts.extend(exception_texts(exc))
        texts.append(repr(pickle.loads(pickle.dumps(exc)).__dict__))
    records = everything_logged.records
    assert any(r.name == "linq_async" and r.levelno == logging.DEBUG for r in records)
    assert any("redacted" in r.getMessage() for r in records)
    for record in records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        texts.append(repr(record.__dict__))
        if record.exc_info:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
    for text in texts:
        assert_clean(text)


async def test_header_dict_repr_is_masked(client_with_canary: AsyncLinqClient) -> None:
    headers = client_with_canary._conn.headers
    assert_clean(repr(headers))
    assert_clean(str(headers))
    assert headers["Authorization"] == f"Bearer {CANARY}"


@pytest.fixture
async def client_with_canary(make_client: Callable[..., AsyncLinqClient]) -> AsyncLinqClient:
    return make_client(api_key=CANARY)


async def test_validation_errors_do_not_echo_the_key() -> None:
    for bad in (CANARY + "\n", CANARY + " x", "\x00" + CANARY):
        with pytest.raises(LinqError) as info:
            AsyncLinqClient(bad)
        for text in exception_texts(info.value):
            assert_clean(text)


@pytest.mark.parametrize("client_class", ["AsyncLinqClient", "SyncLinqClient"])
@pytest.mark.parametrize("from_env", [False, True], ids=["argument", "environment"])
@pytest.mark.parametrize(
    "bad",
    [
        {"base_url": "https://api.linqapp.com/api/partner?x=1"},
        {"timeout": -1},
        {"max_retries": -1},
        {"default_headers": {"X-A": "a\nb"}},
        {"proxy": "ftp://proxy"},
        {"webhook_secret": 5},
        {"default_query": {"x": object()}},
        {"ca_bundle": "/no/such/bundle.pem"},
    ],
    ids=lambda bad: next(iter(bad)),
)
def test_another_bad_argument_does_not_show_the_key_in_traceback_locals(
    client_class: str, from_env: bool, bad: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import linq_async

    cls = getattr(linq_async, client_class)
    if from_env:
        monkeypatch.setenv("LINQ_API_V3_API_KEY", CANARY)
    with pytest.raises(LinqError) as info:
        cls(**bad) if from_env else cls(CANARY, **bad)
    for text in exception_texts(info.value):
        assert_clean(text)


def test_a_half_built_client_or_policy_can_be_printed_by_a_traceback_with_locals() -> None:
    from linq_async import SyncLinqClient

    for make in (lambda: SyncLinqClient("sk_test_x", base_url="ftp://x"), lambda: RetryPolicy(max_retries=-1)):
        with pytest.raises(LinqError) as info:
            make()
        text = "".join(traceback.TracebackException.from_exception(info.value, capture_locals=True).format())
        assert "ValidationError" in text
