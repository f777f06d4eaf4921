"""The one cattrs converter, and every rule about how models meet JSON.

Models stay plain attrs classes; the wire rules live here:

- a field whose name ends in ``_`` (``from_``) travels without it (``from``);
- unknown keys in a response never fail parsing and are kept on ``model.extra``;
- ``null`` for a field with a default gives the default;
- ``None`` fields are left out when a model is turned back into a dict;
- datetimes travel as ISO 8601 strings (``Z`` accepted);
- a tagged union (webhook events, message parts) falls back to its "unknown" class.

cattrs is imported, and the converter built, when the first model is structured or turned into a
dict, not when the package is imported.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._errors import ValidationError

if TYPE_CHECKING:
    import cattrs

__all__ = ["Model", "get_converter", "register_tagged_union", "structure", "to_dict"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Model:
    """Base of every response and request model.

    ``extra`` holds the fields the API sent that this version of the SDK does not know, so a new
    server field never breaks parsing and is still reachable.
    """

    extra: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the model as JSON-ready builtins, with the wire names and the unknown fields."""
        return to_dict(self)


def _wire_name(name: str) -> str:
    return name[:-1] if name.endswith("_") and not name.startswith("_") else name


def _tag_key(cls: type[Model]) -> frozenset[str]:
    wire_tag: tuple[str, str] | None = getattr(cls, "__wire_tag__", None)
    return frozenset() if wire_tag is None else frozenset({wire_tag[0]})


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model)


def _structure_factory(cls: type[Model], converter: cattrs.Converter) -> Callable[[Any, Any], Model]:
    from cattrs.gen import make_dict_structure_fn, override

    fields = attrs.fields(cls)
    overrides = {f.name: override(rename=_wire_name(f.name)) for f in fields if f.name != "extra"}
    overrides["extra"] = override(omit=True)
    generated = make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
    known = frozenset(_wire_name(f.name) for f in fields if f.name != "extra") | _tag_key(cls)
    # A JSON null for a field with a default means "nothing here": the default (an empty tuple,
    # False, None). The API marks many list fields nullable.
    defaulted = frozenset(_wire_name(f.name) for f in fields if f.name != "extra" and f.default is not attrs.NOTHING)
    name = cls.__name__

    def structure(data: Any, _: Any) -> Model:
        if not isinstance(data, Mapping):
            raise TypeError(f"{name} expects a JSON object, got {type(data).__name__}")
        if defaulted and None in data.values():
            data = {k: v for k, v in data.items() if v is not None or k not in defaulted}
        obj = generated(data, cls)
        if not known.issuperset(data):
            # Frozen on purpose for users; set once here, before anyone else sees the object.
            object.__setattr__(obj, "extra", {k: v for k, v in data.items() if k not in known})
        return obj

    return structure


def _unstructure_factory(cls: type[Model], converter: cattrs.Converter) -> Callable[[Model], dict[str, Any]]:
    from cattrs.gen import make_dict_unstructure_fn, override

    fields = attrs.fields(cls)
    overrides = {f.name: override(rename=_wire_name(f.name)) for f in fields if f.name != "extra"}
    overrides["extra"] = override(omit=True)
    generated = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **overrides)  # type: ignore[arg-type]
    wire_tag: tuple[str, str] | None = getattr(cls, "__wire_tag__", None)

    def unstructure(obj: Model) -> dict[str, Any]:
        data: dict[str, Any] = generated(obj)
        if wire_tag is not None:
            data = {wire_tag[0]: wire_tag[1], **data}
        if obj.extra:
            for key, value in obj.extra.items():
                data.setdefault(key, value)
        return data

    return unstructure


def _structure_datetime(value: Any, _: Any) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 timestamp string, got {type(value).__name__}")
    return _dt.datetime.fromisoformat(value)


def _structure_str(value: Any, _: Any) -> str:
    # cattrs' default would call str() on anything, turning a nested object into its repr.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {type(value).__name__}")


def _structure_int(value: Any, _: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _structure_any(value: Any, _: Any) -> Any:
    return value


_converter: cattrs.Converter | None = None
_unions: list[tuple[Any, str, Mapping[str, type[Model]], type[Model]]] = []


def get_converter() -> cattrs.Converter:
    """The one converter, built (and cattrs imported) on first use."""
    global _converter
    if _converter is None:
        import cattrs

        converter = cattrs.Converter(detailed_validation=True)
        converter.register_structure_hook_factory(_is_model, lambda cls: _structure_factory(cls, converter))
        converter.register_unstructure_hook_factory(_is_model, lambda cls: _unstructure_factory(cls, converter))
        converter.register_structure_hook(_dt.datetime, _structure_datetime)
        converter.register_unstructure_hook(_dt.datetime, lambda value: value.isoformat())
        converter.register_structure_hook(str, _structure_str)
        converter.register_structure_hook(bool, _structure_bool)
        converter.register_structure_hook(int, _structure_int)
        converter.register_structure_hook(float, _structure_float)
        converter.register_structure_hook(Any, _structure_any)
        for union in _unions:
            _register_union(converter, *union)
        _converter = converter
    return _converter


def register_tagged_union(union: Any, tag: str, classes: Mapping[str, type[Model]], fallback: type[Model]) -> None:
    """Structure ``union`` by the value of its ``tag`` key; unknown values become ``fallback``.

    A class that owns one tag value declares ``__wire_tag__ = (tag, value)`` and writes it back
    when turned into a dict; a class that takes several values (or the fallback) keeps it in a
    field of that name.
    """
    _unions.append((union, tag, classes, fallback))
    if _converter is not None:
        _register_union(_converter, union, tag, classes, fallback)


def _register_union(
    converter: cattrs.Converter, union: Any, tag: str, classes: Mapping[str, type[Model]], fallback: type[Model]
) -> None:
    def structure_union(data: Any, _: Any) -> Model:
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        value = data.get(tag)
        cls = classes.get(value) if isinstance(value, str) else None
        return converter.structure(data, cls if cls is not None else fallback)

    converter.register_structure_hook(union, structure_union)
    converter.register_unstructure_hook(union, lambda obj: converter.unstructure(obj, type(obj)))


_hooks: dict[Any, Callable[[Any, Any], Any]] = {}


def structure(data: object, cls: type[T]) -> T:
    """Build ``cls`` from decoded JSON; raise ``ValueError`` with readable reasons if it does not fit."""
    hook = _hooks.get(cls)
    if hook is None:
        hook = _hooks[cls] = get_converter().get_structure_hook(cls)
    try:
        result: T = hook(data, cls)
        return result
    except Exception as exc:
        import cattrs

        if isinstance(exc, cattrs.BaseValidationError):
            reasons = "; ".join(cattrs.transform_error(exc, path=getattr(cls, "__name__", "$")))
        elif isinstance(exc, (TypeError, ValueError, KeyError)):
            reasons = str(exc)
        else:
            raise
        raise ValueError(reasons) from None


def to_dict(obj: object) -> dict[str, Any]:
    """Turn a model into JSON-ready builtins, with wire names and ``None`` fields left out."""
    data = get_converter().unstructure(obj)
    if not isinstance(data, dict):
        raise ValidationError(f"{type(obj).__name__} is not a model")
    return data
