"""The converter's primitive rules: each hook takes exactly its JSON type; the lenient reading names the rest.

A number sent as a string, or a string field sent as a number, is read as what it says, so that an
id stays usable, but it is never silent: ``invalid_fields`` names it and ``.extra`` keeps what was
sent. A boolean is never read as a number or a string. Values of the right type take the strict
path, untouched.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest

from linq_async import AsyncLinqClient, Chat, GetChatLocationResponse, SyncLinqClient, webhooks
from linq_async._convert import Model, structure, structure_lenient
from linq_async._errors import decode_json

from .clients import Blocking
from .helpers import CHAT, KEY, ScriptedAPI

NOW = "2026-11-22T10:00:00Z"


@attrs.frozen(kw_only=True)
class Sample(Model):
    name: str
    count: int
    ratio: float | None = None
    flag: bool | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    sizes: tuple[int, ...] = ()


GOOD = {"name": "a", "count": 3, "ratio": 0.5, "flag": True, "note": "n", "tags": ["x"], "sizes": [1, 2]}


def test_values_of_the_right_type_are_read_strictly_and_untouched() -> None:
    sample = structure(GOOD, Sample)
    assert (sample.name, sample.count, sample.ratio, sample.flag, sample.tags, sample.sizes) == (
        "a", 3, 0.5, True, ("x",), (1, 2),
    )  # fmt: skip
    assert sample.invalid_fields == () and sample.extra == {}
    assert structure({**GOOD, "ratio": 2}, Sample).ratio == 2.0  # JSON has one number type: an int is a float


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 5),
        ("name", True),
        ("count", "5"),
        ("count", 5.0),
        ("count", True),
        ("ratio", True),
        ("ratio", "0.5"),
        pytest.param("ratio", 10**400, id="ratio-10**400"),
        ("ratio", math.inf),
        ("ratio", -math.inf),
        ("ratio", math.nan),
        ("flag", 1),
        ("flag", "true"),
        ("tags", [1]),
        ("sizes", [True]),
    ],
)
def test_the_strict_reading_refuses_every_other_type(field: str, value: Any) -> None:
    # So that a 2xx answer carrying one takes the lenient path, which names it.
    with pytest.raises(ValueError):
        structure({**GOOD, field: value}, Sample)


@pytest.mark.parametrize(
    ("field", "value", "read", "problem"),
    [
        ("name", 5, "5", "name: expected a string, got int (read as '5')"),
        ("note", 14155550100, "14155550100", "note: expected a string, got int (read as '14155550100')"),
        ("count", "5", 5, "count: expected an integer, got str (read as 5)"),
        ("count", "-12", -12, "count: expected an integer, got str (read as -12)"),
        ("count", 7.0, 7, "count: expected an integer, got float (read as 7)"),
        ("ratio", "0.25", 0.25, "ratio: expected a number, got str (read as 0.25)"),
        ("ratio", "-1e3", -1000.0, "ratio: expected a number, got str (read as -1000.0)"),
    ],
)
def test_a_number_in_the_other_json_type_is_read_but_named_and_kept(
    field: str, value: Any, read: Any, problem: str
) -> None:
    sample = structure_lenient({**GOOD, field: value}, Sample)
    assert getattr(sample, field) == read and type(getattr(sample, field)) is type(read)
    assert sample.invalid_fields == (problem,)
    assert sample.extra == {field: value}


@pytest.mark.parametrize(
    ("field", "value", "default"),
    [
        ("name", True, None),  # required: None, with the raw value on .extra
        ("name", 5.5, None),
        ("name", {"x": 1}, None),
        ("note", False, None),
        ("count", True, None),
        ("count", False, None),
        ("count", "5.5", None),
        ("count", "05", None),
        ("count", " 5", None),
        ("count", "1_000", None),
        ("count", 7.5, None),
        ("ratio", True, None),
        ("ratio", "nan", None),
        ("ratio", "1e999", None),
        ("ratio", "0x10", None),
        pytest.param("ratio", 10**400, None, id="ratio-10**400"),  # legal JSON, too large for a float
        pytest.param("ratio", -(10**400), None, id="ratio--10**400"),
        ("ratio", math.inf, None),  # what JSON's 1e400 decodes to
        ("ratio", -math.inf, None),
        ("ratio", math.nan, None),
        ("flag", 1, None),
        ("flag", "true", None),
    ],
)
def test_anything_else_becomes_the_default_named_and_kept(field: str, value: Any, default: Any) -> None:
    sample = structure_lenient({**GOOD, field: value}, Sample)
    assert getattr(sample, field) == default
    assert [problem.split(":")[0] for problem in sample.invalid_fields] == [field]
    assert sample.extra == {field: value}


@attrs.frozen(kw_only=True)
class WithMapping(Model):
    name: str
    headers: Mapping[str, str] = attrs.field(factory=dict)


@pytest.mark.parametrize("value", [[1, 2], "text", 3])
def test_a_non_object_where_a_mapping_belongs_becomes_the_default_named_and_kept(value: Any) -> None:
    # Before, cattrs' mapping hook raised AttributeError ("'list' object has no attribute 'items'")
    # out of the lenient reading: a 2xx answer turned into an exception.
    with pytest.raises(ValueError, match="expected a JSON object, got"):
        structure(value, Mapping[str, str])
    read = structure_lenient({"name": "a", "headers": value}, WithMapping)
    assert read.name == "a" and read.headers == {}
    assert read.invalid_fields == (f"headers: expected a JSON object, got {type(value).__name__}",)
    assert read.extra == {"headers": value}


def test_threads_making_their_first_request_at_once_build_one_converter() -> None:
    import subprocess
    import sys

    code = """if True:
        import threading, time
        import cattrs
        from linq_async import _convert

        built = []

        class Slow(cattrs.Converter):
            def __init__(self, *args, **kwargs):
                built.append(1)
                time.sleep(0.05)  # the window in which other threads arrive
                super().__init__(*args, **kwargs)

        cattrs.Converter = Slow
        start = threading.Barrier(8)
        seen = set()

        def first() -> None:
            start.wait()
            seen.add(id(_convert.get_converter()))

        threads = [threading.Thread(target=first) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(len(built), len(seen))
        """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["1", "1"], done.stdout + done.stderr


def test_list_items_are_read_one_by_one_and_the_raw_list_is_kept() -> None:
    sample = structure_lenient({**GOOD, "tags": [1, "b", {"x": 1}], "sizes": ["3", True, 4]}, Sample)
    assert sample.tags == ("1", "b") and sample.sizes == (3, 4)
    assert sample.invalid_fields == (
        "tags[0]: expected a string, got int (read as '1')",
        "tags[2]: expected a string, got dict (left out)",
        "sizes[0]: expected an integer, got str (read as 3)",
        "sizes[1]: expected an integer, got bool (left out)",
    )
    assert sample.extra == {"tags": [1, "b", {"x": 1}], "sizes": ["3", True, 4]}


def test_a_webhook_event_names_a_numeric_handle() -> None:
    event = webhooks.parse(
        {"event_type": "participant.added", "event_id": 12, "created_at": NOW, "data": {"handle": 14155550100}}
    )
    assert event.event_id == "12" and event.data.handle == "14155550100"  # type: ignore[attr-defined]
    assert "event_id: expected a string, got int (read as '12')" in event.invalid_fields
    assert "data.handle: expected a string, got int (read as '14155550100')" in event.invalid_fields
    assert event.extra["event_id"] == 12 and event.data.extra == {"handle": 14155550100}  # type: ignore[attr-defined]


@pytest.fixture(params=["async", "sync"])
def scripted_client(request: pytest.FixtureRequest, threaded_api: ScriptedAPI) -> Iterator[Any]:
    """Either client, against a scripted API on its own thread."""
    if request.param == "sync":
        with SyncLinqClient(KEY, base_url=threaded_api.base_url, max_retries=0) as client:
            yield client
        return
    with asyncio.Runner() as runner:
        client = AsyncLinqClient(KEY, base_url=threaded_api.base_url, max_retries=0)
        yield Blocking(client, runner)
        runner.run(client.close())


def test_both_clients_name_a_numeric_id_in_a_2xx_answer(
    scripted_client: Any, threaded_api: ScriptedAPI, caplog: pytest.LogCaptureFixture
) -> None:
    answer = {"id": 5, "created_at": NOW, "updated_at": NOW, "handles": [], "is_group": False, "display_name": 7}
    threaded_api.reply(200, answer)
    chat = scripted_client.chats.retrieve(CHAT)
    assert isinstance(chat, Chat)
    assert (chat.id, chat.display_name) == ("5", "7")
    assert chat.invalid_fields == (
        "id: expected a string, got int (read as '5')",
        "display_name: expected a string, got int (read as '7')",
    )
    assert chat.extra == {"id": 5, "display_name": 7}
    assert "does not fit Chat" in caplog.text


def test_a_number_too_large_for_a_float_is_named_not_raised() -> None:
    # float(10**400) raises OverflowError; JSON's 1e400 decodes to inf. Neither is a coordinate.
    data = {"type": "Point", "coordinates": [10**400, 2, 1e400, -(10**400), 3.5]}
    with pytest.raises(ValueError):
        structure({"data": {"features": [{"geometry": data}]}}, GetChatLocationResponse)
    answer = structure_lenient({"data": {"features": [{"geometry": data}]}}, GetChatLocationResponse)
    assert answer.data is not None
    geometry = answer.data.features[0].geometry
    assert geometry is not None and geometry.coordinates == (2.0, 3.5)
    assert [problem.split(":")[0] for problem in answer.invalid_fields] == [
        "data.features[0].geometry.coordinates[0]",
        "data.features[0].geometry.coordinates[2]",
        "data.features[0].geometry.coordinates[3]",
    ]
    assert "inf" in answer.invalid_fields[1]
    assert geometry.extra == {"coordinates": data["coordinates"]}


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_decode_json_reads_integers_past_the_digit_limit_as_infinities(lenient: bool) -> None:
    # Python refuses int() of over 4,300 digits; legal JSON must still decode, sign kept.
    huge = "1" + "0" * 5000
    data = decode_json(f'{{"a": {huge}, "b": [-{huge}, 12], "c": {"9" * 4000}}}'.encode(), lenient=lenient)
    assert data == {"a": math.inf, "b": [-math.inf, 12], "c": int("9" * 4000)}


def test_decode_json_strict_still_refuses_what_is_not_json() -> None:
    for text in (b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1' + b"0" * 5000 + b", }", b"\xff"):
        with pytest.raises(ValueError, match="invalid JSON"):
            decode_json(text)
    assert math.isnan(decode_json(b'{"a": NaN}', lenient=True)["a"])  # type: ignore[index]


def test_both_clients_read_a_2xx_with_numbers_too_large_for_python(
    scripted_client: Any, threaded_api: ScriptedAPI, caplog: pytest.LogCaptureFixture
) -> None:
    big = "1" + "0" * 400
    huge = "1" + "0" * 5000
    point = f'{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [{big}, 2, 1e400, 3]}}}}'
    body = f'{{"data": {{"type": "FeatureCollection", "features": [{point}]}}, "success": true, "note": {huge}}}'
    threaded_api.reply_bytes(200, body.encode())
    answer = scripted_client.chats.location.retrieve(CHAT)
    assert isinstance(answer, GetChatLocationResponse) and answer.success is True
    assert answer.data is not None
    geometry = answer.data.features[0].geometry
    assert geometry is not None and geometry.coordinates == (2.0, 3.0)
    assert [problem.split(":")[0] for problem in answer.invalid_fields] == [
        "data.features[0].geometry.coordinates[0]",
        "data.features[0].geometry.coordinates[2]",
    ]
    assert geometry.extra == {"coordinates": [10**400, 2, math.inf, 3]}
    assert answer.extra == {"note": math.inf}
    assert "does not fit GetChatLocationResponse" in caplog.text
    json.dumps(answer.to_dict())  # still turns back into builtins
