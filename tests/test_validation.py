"""Bad input is refused with a typed error before anything is sent."""

from __future__ import annotations

import re
import string
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linq_async import AsyncLinqClient, LinqError, Timeout, ValidationError
from linq_async import _validate as validate

from .helpers import CHAT, KEY, ScriptedAPI

BAD_HANDLES = [
    "",
    "+",
    "14155550100",  # no "+"
    "0014155550100",
    "+04155550100",  # first digit 0
    "+1415555010012345",  # 16 digits
    "+123456",  # 6 digits
    "+1 415 555 0100",
    "+1-415-555-0100",
    "+1(415)5550100",
    "+1.415.555.0100",
    "+1415555O100",  # letter O
    "+14155550100\n",  # a trailing newline, which ^...$ would accept
    "+14155550100\r\n",
    "\n+14155550100",
    " +14155550100",
    "+14155550100 ",
    "+14155550100\x00",
    "+1٤١٥٥٥٥٠١٠٠",  # Arabic-Indic digits, which \d and int() accept
    "+1४१५५५५०१००",  # Devanagari digits
    "＋１４１５５５５０１００",  # full-width
    "+１４１５５５５０１００",
    "+14155550100\u200b",  # zero-width space
    "tel:+14155550100",
    "a@@b.com",
    "a@b@c.com",
    "@example.com",
    "ana@",
    "ana@localhost",
    "ana@.example.com",
    "ana@example.com.",
    "ana@example..com",
    "ana @example.com",
    "ana@exa mple.com",
    "ana@example.com\n",
    "ana\t@example.com",
    "ana@example.com\x00",
    "ana\u202e@example.com",  # right-to-left override
    "Bob <bob@example.com>",
    "bob@example.com, eve@example.com",
    "bob;eve@example.com",
    '"bob"@example.com',
    "bob@[127.0.0.1]",
    "a" * 65 + "@example.com",
    "a@" + "b" * 250 + ".com",
    "just text",
    "../../admin",
]
GOOD_HANDLES = [
    "+14155550100",
    "+442071838750",
    "+6831234",  # Niue: 7 digits in all
    "+123456789012345",  # 15 digits
    "ana@example.com",
    "Ana.Maria+tag@sub.example.co.uk",
    "+alias@example.com",
    "zoë@exämple.de",
    "a" * 64 + "@example.com",
]
BAD_CHAT_IDS = [
    "",
    "../x",
    "..",
    "../../admin",
    "a/b",
    "a?b",
    "a#b",
    "x?admin=true",
    "%2e%2e",
    CHAT + "/../other",
    CHAT + "?x=1",
    CHAT + "#f",
    CHAT + "\n",
    CHAT + "\r\nX-Injected: 1",
    " " + CHAT,
    CHAT[:-1],
    CHAT + "0",
    CHAT.replace("-", "_"),
    "+" + CHAT.replace("-", "")[1:],
    CHAT.replace("a", "٠"),
    "{" + CHAT,
    "urn:uuid:{" + CHAT + "}x",
    "550e8400e29b-41d4-a716-446655440000",  # hyphens in the wrong places
    "g" * 32,
    "x" * 10_000,
]


@pytest.mark.parametrize("handle", BAD_HANDLES, ids=repr)
@pytest.mark.parametrize("operation", ["add", "remove"])
async def test_bad_handles_are_refused_without_a_request(
    client: AsyncLinqClient, api: ScriptedAPI, handle: str, operation: str
) -> None:
    method = getattr(client.chats.participants, operation)
    with pytest.raises(ValidationError) as info:
        await method(CHAT, handle=handle)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LinqError)
    assert api.seen == []


@pytest.mark.parametrize("chat_id", BAD_CHAT_IDS, ids=lambda v: repr(v)[:40])
@pytest.mark.parametrize("operation", ["add", "remove"])
async def test_bad_chat_ids_are_refused_without_a_request(
    client: AsyncLinqClient, api: ScriptedAPI, chat_id: str, operation: str
) -> None:
    method = getattr(client.chats.participants, operation)
    with pytest.raises(ValidationError, match="chat_id"):
        await method(chat_id, handle="+14155550100")
    assert api.seen == []


@pytest.mark.parametrize("value", [None, 5, b"+14155550100", ["+14155550100"]], ids=repr)
async def test_wrong_types_are_refused(client: AsyncLinqClient, api: ScriptedAPI, value: object) -> None:
    with pytest.raises(ValidationError):
        await client.chats.participants.add(CHAT, handle=value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        await client.chats.participants.add(value, handle="+14155550100")  # type: ignore[arg-type]
    assert api.seen == []


@pytest.mark.parametrize("handle", GOOD_HANDLES)
def test_good_handles_are_sent_unchanged(handle: str) -> None:
    assert validate.handle(handle) == handle


def test_error_messages_show_the_value_shortened() -> None:
    with pytest.raises(ValidationError) as info:
        validate.handle("+1 415 555 0100")
    assert "'+1 415 555 0100'" in str(info.value)
    with pytest.raises(ValidationError) as info:
        validate.chat_id("x" * 10_000)
    assert len(str(info.value)) < 200


E164 = re.compile(r"\+[1-9][0-9]{6,14}", re.ASCII)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40) | st.from_regex(r"\A\+[0-9]{5,16}\Z") | st.emails())
def test_any_string_is_accepted_unchanged_or_refused(value: str) -> None:
    try:
        result = validate.handle(value)
    except ValidationError:
        assert not E164.fullmatch(value) or "@" in value
        return
    assert result == value
    assert E164.fullmatch(value) or (
        value.count("@") == 1 and value.isprintable() and " " not in value and len(value) <= 254
    )


@settings(max_examples=1000)
@given(st.from_regex(r"\A\+[1-9][0-9]{6,14}\Z"))
def test_every_valid_e164_number_is_accepted(value: str) -> None:
    assert validate.handle(value) == value


@settings(max_examples=500)
@given(st.emails().filter(lambda e: "." in e.partition("@")[2] and len(e) <= 254))
def test_generated_email_addresses_are_accepted(value: str) -> None:
    local = value.partition("@")[0]
    if len(local) > 64 or not set(local).isdisjoint('<>()[]\\,;:"'):
        return
    assert validate.handle(value) == value


CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@settings(max_examples=1000)
@given(st.text(max_size=50) | st.uuids().map(str))
def test_chat_ids_come_out_canonical_or_are_refused(value: str) -> None:
    try:
        result = validate.chat_id(value)
    except ValidationError:
        return
    assert CANONICAL.fullmatch(result)
    assert uuid.UUID(result) == uuid.UUID(value)


@settings(max_examples=300)
@given(st.uuids(), st.sampled_from(["upper", "hex", "braces", "urn", "plain"]))
def test_every_uuid_spelling_is_canonicalised(value: uuid.UUID, spelling: str) -> None:
    text = {
        "upper": str(value).upper(),
        "hex": value.hex,
        "braces": "{" + str(value) + "}",
        "urn": value.urn,
        "plain": str(value),
    }[spelling]
    assert validate.chat_id(text) == str(value)


BAD_KEYS = [
    "",
    "sk_live\r\nX-Injected: 1",
    "sk_live\n",
    "\nsk_live",
    "sk_live\r",
    "sk_live\x00",
    "sk_live\x7f",
    "sk_live\x1b[31m",
    "sk_live\u2028",
    "sk live",
    " sk_live",
    "sk_live ",
    "sk_live\t",
    "sk_lïve",
    "sk_live\u200b",
    "ключ",
]


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_malformed_keys_are_refused_at_construction(key: str) -> None:
    with pytest.raises(ValidationError) as info:
        AsyncLinqClient(key)
    if key.strip():
        assert key.strip() not in str(info.value)


def test_malformed_key_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", "secret-value\n")
    with pytest.raises(ValidationError, match=r"\$LINQ_API_V3_API_KEY") as info:
        AsyncLinqClient()
    assert "secret-value" not in str(info.value)


def test_empty_key_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINQ_API_V3_API_KEY", "")
    with pytest.raises(ValidationError, match="empty"):
        AsyncLinqClient()


def test_key_must_be_a_string() -> None:
    with pytest.raises(ValidationError, match="string"):
        AsyncLinqClient(b"sk_live")  # type: ignore[arg-type]


GOOD_URLS = [
    ("https://api.linqapp.com/api/partner", "https://api.linqapp.com/api/partner"),
    ("https://api.linqapp.com/api/partner/", "https://api.linqapp.com/api/partner"),
    ("HTTPS://api.linqapp.com/api/partner", "HTTPS://api.linqapp.com/api/partner"),
    ("https://eu.example.com:8443/linq", "https://eu.example.com:8443/linq"),
    ("http://localhost:8080", "http://localhost:8080"),
    ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
    ("http://127.1.2.3/api", "http://127.1.2.3/api"),
    ("http://[::1]:9000/", "http://[::1]:9000"),
]
BAD_URLS = [
    "http://api.linqapp.com/api/partner",
    "http://localhost:80@evil.example",
    "http://localhost.evil.example",
    "http://127.0.0.1.nip.io",
    "http://0.0.0.0:8080",
    "http://10.0.0.5",
    "http://[::]:80",
    "https://user:pass@api.linqapp.com",
    "https://token@api.linqapp.com",
    "ftp://api.linqapp.com",
    "file:///etc/passwd",
    "api.linqapp.com/api/partner",
    "//api.linqapp.com",
    "https://",
    "https://api.linqapp.com/api?x=1",
    "https://api.linqapp.com/api#frag",
    "https://api.linqapp.com/a b",
    "https://api.linqapp.com/\r\nX: 1",
    "https://api.linqapp.com:99999",
    "https://api.linqapp.com:0",
    "https://api.linqäpp.com",
    "",
]


@pytest.mark.parametrize(("url", "expected"), GOOD_URLS)
def test_base_urls_accepted(url: str, expected: str) -> None:
    assert AsyncLinqClient(KEY, base_url=url).base_url == expected


@pytest.mark.parametrize("url", BAD_URLS, ids=repr)
def test_base_urls_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        AsyncLinqClient(KEY, base_url=url)


def test_plain_http_can_be_opted_into() -> None:
    client = AsyncLinqClient(KEY, base_url="http://linq.internal:8080", allow_insecure_http=True)
    assert client.base_url == "http://linq.internal:8080"


def test_bad_base_url_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINQ_API_V3_BASE_URL", "http://example.com")
    with pytest.raises(ValidationError, match=r"\$LINQ_API_V3_BASE_URL"):
        AsyncLinqClient(KEY)


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "5", True])
def test_bad_timeouts_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        AsyncLinqClient(KEY, timeout=value)  # type: ignore[arg-type]


def test_timeout_object() -> None:
    assert AsyncLinqClient(KEY, timeout=Timeout(total=10, connect=2)).timeout == Timeout(10.0, 2.0)
    with pytest.raises(ValidationError):
        Timeout(total=10, connect=0)


@pytest.mark.parametrize(
    ("name", "value"), [("max_connections", 0), ("max_response_bytes", -5), ("max_connections", 1.5)]
)
def test_bad_limits_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError, match=name):
        AsyncLinqClient(KEY, **{name: value})  # type: ignore[arg-type]


def test_idempotency_keys() -> None:
    assert validate.idempotency_key("order-42") == "order-42"
    for bad in ["", "x" * 256, "a\nb", "ключ", 5]:
        with pytest.raises(ValidationError):
            validate.idempotency_key(bad)


def test_printable_ascii_keys_are_accepted() -> None:
    key = string.ascii_letters + string.digits + "-._~+/="
    assert validate.api_key(key, source="test") == key
