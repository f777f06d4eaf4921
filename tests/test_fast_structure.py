"""The generated quick reading of each model gives exactly what the cattrs reading gives.

``_convert`` reads a model with one generated function that takes values of their field's exact
JSON type as they are and hands everything else to the cattrs-generated reading. These tests
build, for every model the package defines, a fitting answer and variants of it (each field
null, missing, or of every other JSON type; unknown keys; a nested model that does not fit) and
check that both readings return equal models (fields, ``extra`` and all) or raise the same error.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest

import linq_async.models
from linq_async._convert import _INTERNAL, Model, _wire_name, structure, structure_hook

for _module in pkgutil.iter_modules(linq_async.models.__path__):
    importlib.import_module(f"linq_async.models.{_module.name}")


def _subclasses(cls: type[Model]) -> Iterator[type[Model]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


MODELS = sorted(
    {cls for cls in _subclasses(Model) if cls.__module__.startswith("linq_async.")}, key=lambda c: c.__qualname__
)
OTHER_TYPES: list[Any] = ["text", 7, 2.5, True, None, [], {}, ["text"], {"id": "x"}]


def fitting(tp: Any, depth: int = 0) -> Any:
    """A JSON value that fits ``tp``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return fitting(next(arg for arg in typing.get_args(tp) if arg is not type(None)), depth)
    if origin is typing.Literal:
        return typing.get_args(tp)[0]
    if origin is tuple:
        return [fitting(typing.get_args(tp)[0], depth + 1)]
    if origin in (Mapping, dict) or tp in (dict, Mapping):
        return {"key": "value"}
    if isinstance(tp, type) and issubclass(tp, Model):
        return answer(tp, depth + 1) if depth < 10 else {}
    known: dict[Any, Any] = {str: "text", int: 3, bool: True, float: 0.5, dt.datetime: "2026-11-22T10:00:00Z"}
    return known.get(tp, {"any": 1})


def answer(cls: type[Model], depth: int = 0) -> dict[str, Any]:
    """An answer with every field of ``cls`` filled in with a fitting value."""
    hints = typing.get_type_hints(cls)
    data = {_wire_name(f.name): fitting(hints[f.name], depth) for f in attrs.fields(cls) if f.name not in _INTERNAL}
    tag = getattr(cls, "__wire_tag__", None)
    if tag is not None:
        data[tag[0]] = tag[1]
    return data


def variants(cls: type[Model]) -> Iterator[Any]:
    good = answer(cls)
    yield good
    yield {**good, "brand_new_field": {"nested": [1, 2]}, "another": None}
    yield {}
    yield [good]
    yield "text"
    for wire in good:
        yield {k: v for k, v in good.items() if k != wire}
        for value in OTHER_TYPES:
            yield {**good, wire: value}


def outcome(hook: Any, cls: type[Model], data: Any) -> tuple[str, Any]:
    try:
        model = hook(data, cls)
    except Exception as exc:  # the error itself is what is compared
        return "raised", (type(exc), str(exc))
    return "read", (type(model), model.to_dict(), model.extra, model.invalid_fields)


# The classes with a quick reading (the others, a field with a validator or converter, are read by
# cattrs only; the next test bounds how many).
QUICK = [cls for cls in MODELS if hasattr(structure_hook(cls), "__wrapped__")]


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__qualname__)
def test_the_quick_reading_agrees_with_the_cattrs_one(cls: type[Model]) -> None:
    hook = structure_hook(cls)
    slow = hook.__wrapped__  # type: ignore[attr-defined]
    read = 0
    for data in variants(cls):
        expected = outcome(slow, cls, data)
        assert outcome(hook, cls, data) == expected, data
        read += expected[0] == "read"
    assert read >= 2  # the fitting answer and the one with unknown keys, at least


def test_almost_every_model_has_a_quick_reading() -> None:
    assert len(MODELS) > 200
    slow_only = sorted(cls.__qualname__ for cls in MODELS if cls not in QUICK)
    assert slow_only == ["MessageContent", "PollInput"]  # request models, with converters


def test_a_value_taken_as_it_is_is_the_same_object_and_unknown_keys_stay_reachable() -> None:
    from linq_async import ParticipantAddResponse

    text = "queued " * 3
    model = structure({"message": text, "status": "accepted", "later": [1]}, ParticipantAddResponse)
    assert model.message is text and model.trace_id is None and model.extra == {"later": [1]}
