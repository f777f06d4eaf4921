"""The one cattrs converter, and every rule about how models meet JSON.

Models stay plain attrs classes; the wire rules live here:

- a field whose name ends in ``_`` (``from_``) travels without it (``from``);
- unknown keys in a response never fail parsing and are kept on ``model.extra``;
- ``null`` for a field with a default gives the default;
- ``None`` fields are left out when a model is turned back into a dict;
- datetimes travel as ISO 8601 strings (``Z`` accepted);
- a tagged union (webhook events, message parts) falls back to its "unknown" class;
- the primitive hooks take exactly their JSON type: a string for ``str``, an integer (never
  ``true``/``false``) for ``int``, a finite integer or fraction (never a boolean, never an
  infinity, never an integer too large for a float) for ``float``, a boolean for ``bool``;
- an answer that does not fit its model is still read (``structure_lenient``): what fits is kept,
  a field that is missing, null or of the wrong type becomes its default (or None), its raw value
  stays on ``.extra``, and ``model.invalid_fields`` names each problem. A number sent in the other
  JSON type is read as what it says (``5`` for a ``str`` field as ``"5"``, ``"5"`` or ``5.0`` for
  an ``int`` field as ``5``), and is named and kept on ``.extra`` all the same. A 2xx answer means
  the change happened; the caller must learn that, not get an exception.

cattrs is imported, and the converter built, when the first model that needs it is read (one with
a nested model, a list, a datetime..., or an answer that does not fit its quick reading) or a model
is turned into a dict, not when the package is imported.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._errors import ValidationError

if TYPE_CHECKING:
    import cattrs

__all__ = ["Model", "get_converter", "register_tagged_union", "structure", "structure_hook", "to_dict"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Model:
    """Base of every response and request model.

    ``extra`` holds the fields the API sent that this version of the SDK does not know, so a new
    server field never breaks parsing and is still reachable.
    """

    extra: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    _invalid: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False, alias="_invalid")

    def to_dict(self) -> dict[str, Any]:
        """Return the model as JSON-ready builtins, with the wire names and the unknown fields."""
        return to_dict(self)

    @property
    def invalid_fields(self) -> tuple[str, ...]:
        """What in the answer did not fit this model (``"handles[1].id: missing"``, ...); empty when all did."""
        return self._invalid


def _wire_name(name: str) -> str:
    return name[:-1] if name.endswith("_") and not name.startswith("_") else name


_INTERNAL = frozenset({"extra", "_invalid"})  # Model's own fields: never on the wire


def _tag_key(cls: type[Model]) -> frozenset[str]:
    wire_tag: tuple[str, str] | None = getattr(cls, "__wire_tag__", None)
    return frozenset() if wire_tag is None else frozenset({wire_tag[0]})


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model)


def _known(cls: type[Model]) -> frozenset[str]:
    """The wire keys ``cls`` reads (its fields' and its tag's): any other key goes to ``extra``."""
    return frozenset(_wire_name(f.name) for f in attrs.fields(cls) if f.name not in _INTERNAL) | _tag_key(cls)


def _structure_factory(cls: type[Model], converter: cattrs.Converter) -> Callable[[Any, Any], Model]:
    slow = _cattrs_structure(cls, converter)
    return _fast_structure(cls, converter, slow, _known(cls)) or slow


def _cattrs_structure(cls: type[Model], converter: cattrs.Converter) -> Callable[[Any, Any], Model]:
    """The cattrs-generated reading of ``cls``, with the wire rules around it."""
    from cattrs.gen import make_dict_structure_fn, override

    fields = attrs.fields(cls)
    overrides = {f.name: override(rename=_wire_name(f.name)) for f in fields if f.name not in _INTERNAL}
    overrides.update({name: override(omit=True) for name in _INTERNAL})
    generated = make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
    known = _known(cls)
    # A JSON null for a field with a default means "nothing here": the default (an empty tuple,
    # False, None). The API marks many list fields nullable.
    defaulted = frozenset(
        _wire_name(f.name) for f in fields if f.name not in _INTERNAL and f.default is not attrs.NOTHING
    )
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


def _cattrs_structure_later(cls: type[Model]) -> Callable[[Any, Any], Model]:
    """``_cattrs_structure(cls, ...)``, built (cattrs imported, the converter made) when first called."""
    built: list[Callable[[Any, Any], Model]] = []

    def structure(data: Any, _: Any) -> Model:
        if not built:
            built.append(_cattrs_structure(cls, get_converter()))
        return built[0](data, _)

    return structure


class _Declined(Exception):  # an internal signal, never raised to a caller
    """The quick reading cannot take this answer as it is."""


# Threads reading an answer with the cattrs reading after the quick one declined it. The nested
# models' quick readings step aside for them: a subtree that did not fit is read once more, by
# cattrs, and not once per level of nesting.
_FALLING: set[int] = set()
_get_ident = threading.get_ident


def _slowly(read: Callable[..., T], *args: Any) -> T:
    """``read(*args)`` with the quick readings of this thread stepping aside while it runs."""
    ident = _get_ident()
    if ident in _FALLING:
        return read(*args)
    _FALLING.add(ident)
    try:
        return read(*args)
    finally:
        _FALLING.discard(ident)


# The exact JSON types that a field of these types takes as it is (see the primitive hooks).
_AS_IS: dict[Any, str] = {str: "type(v) is str", int: "type(v) is int", bool: "type(v) is bool", Any: "True"}
_MISSING = object()


def _fast_structure(
    cls: type[Model], converter: cattrs.Converter | None, slow: Callable[[Any, Any], Model], known: frozenset[str]
) -> Callable[[Any, Any], Model] | None:
    """A quicker ``slow`` for the answers that fit: one generated function reading each field in turn.

    A value of its field's exact JSON type is taken as it is; any other field goes through the
    hook the converter would use for it. Whatever the function cannot take at once (not a dict, a
    missing required field, a value of another type, a hook that raises) goes to ``slow``, from the
    start, so the result, and each error with its detail, is exactly what ``slow`` gives.
    None for a class this does not cover (a field with a validator, converter or ``init=False``),
    or, without a ``converter``, for one with a field that needs a hook (a nested model, a list...).
    """
    import types
    import typing

    hints = _hints(cls)
    namespace: dict[str, Any] = {
        "cls": cls, "slow": slow, "known": known, "MISSING": _MISSING, "Declined": _Declined, "FALLING": _FALLING,
        "get_ident": _get_ident, "slowly": _slowly,
    }  # fmt: skip
    lines = [
        "def structure(data, _):",
        "    if type(data) is dict and not (FALLING and get_ident() in FALLING):",
        "      try:",
    ]
    arguments = []
    for index, field in enumerate(attrs.fields(cls)):
        if field.name in _INTERNAL:
            continue
        if field.validator is not None or field.converter is not None or not field.init:
            return None
        tp = hints[field.name]
        options = typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
        nullable = type(None) in options
        if nullable:
            options = tuple(option for option in options if option is not type(None))
        check = _AS_IS.get(options[0]) if len(options) == 1 else None
        lines.append(f"        v = data.get({_wire_name(field.name)!r}, MISSING)")
        default = field.default
        if default is attrs.NOTHING:
            # Required: missing goes to slow (which names it); null only where the type allows it.
            lines.append("        if v is MISSING: raise Declined")
            if check is not None:
                allowed = "v is None or " if nullable else ""
                lines.append(f"        if not ({allowed}{check}): raise Declined")
        else:
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                if default.takes_self:
                    return None
                namespace[f"d{index}"] = default.factory
                fallback = f"d{index}()"
            else:
                namespace[f"d{index}"] = default
                fallback = f"d{index}"
            lines.append(f"        if v is MISSING or v is None: v = {fallback}")
            if check is not None:
                lines.append(f"        elif not ({check}): raise Declined")
        if check is None:
            if converter is None:
                return None
            namespace[f"h{index}"] = converter.get_structure_hook(tp)
            namespace[f"t{index}"] = tp
            guard = "" if default is attrs.NOTHING else "else: "
            lines.append(f"        {guard}v = h{index}(v, t{index})")
        lines.append(f"        a{index} = v")
        arguments.append(f"{field.alias}=a{index}")
    lines += [
        f"        obj = cls({', '.join(arguments)})",
        "      except Exception:",
        "        pass",
        "      else:",
        "        if not known.issuperset(data):",
        '            object.__setattr__(obj, "extra", {k: v for k, v in data.items() if k not in known})',
        "        return obj",
        # Outside the except block: slow's own error carries no trace of the quick attempt.
        "    return slowly(slow, data, _)",
    ]
    exec(compile("\n".join(lines), f"<linq_async structure {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    fast: Callable[[Any, Any], Model] = namespace["structure"]
    fast.__wrapped__ = slow  # type: ignore[attr-defined]  # what it stands in for (the tests compare them)
    return fast


def _unstructure_factory(cls: type[Model], converter: cattrs.Converter) -> Callable[[Model], dict[str, Any]]:
    from cattrs.gen import make_dict_unstructure_fn, override

    fields = attrs.fields(cls)
    overrides = {f.name: override(rename=_wire_name(f.name)) for f in fields if f.name not in _INTERNAL}
    overrides.update({name: override(omit=True) for name in _INTERNAL})
    generated = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **overrides)  # type: ignore[arg-type]
    wire_tag: tuple[str, str] | None = getattr(cls, "__wire_tag__", None)

    def unstructure(obj: Model) -> dict[str, Any]:
        data: dict[str, Any] = generated(obj)
        if wire_tag is not None:
            data = {wire_tag[0]: wire_tag[1], **data}
        if obj._invalid:
            # Read leniently: a required field may be None; what the API sent for it is on .extra.
            data = {k: v for k, v in data.items() if v is not None}
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
    # cattrs' default would call str() on anything, turning a nested object into its repr. A number
    # is refused too, so that the lenient reading names it (and keeps a usable text, see _coerce).
    if isinstance(value, str):
        return value
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
    if type(value) is float and _isfinite(value):
        return value
    if isinstance(value, float):
        if _isfinite(value):
            return float(value)
        # JSON's 1e400 decodes to inf, and no JSON number is NaN: no position, amount or ratio.
        raise ValueError(f"expected a finite number, got {value!r}")
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # 10**400 is legal JSON, and too large for a float
            raise ValueError("expected a number, got an integer too large for a float") from None
    raise TypeError(f"expected a number, got {type(value).__name__}")


_isfinite = math.isfinite


def _structure_any(value: Any, _: Any) -> Any:
    return value


_converter: cattrs.Converter | None = None
_unions: list[tuple[Any, str, Mapping[str, type[Model]], type[Model]]] = []


_BUILDING = threading.RLock()  # threads of the sync client may all make their first request at once


def get_converter() -> cattrs.Converter:
    """The one converter, built (and cattrs imported) on first use, once."""
    converter = _converter
    if converter is None:
        with _BUILDING:
            converter = _converter if _converter is not None else _build_converter()
    return converter


def _build_converter() -> cattrs.Converter:
    global _converter
    import cattrs

    converter = cattrs.Converter(detailed_validation=True)
    converter.register_structure_hook_factory(_is_model, lambda cls: _structure_factory(cls, converter))
    converter.register_unstructure_hook_factory(_is_model, lambda cls: _unstructure_factory(cls, converter))
    converter.register_structure_hook(_dt.datetime, _structure_datetime)
    converter.register_unstructure_hook(_dt.datetime, lambda value: None if value is None else value.isoformat())
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(Any, _structure_any)
    for union in _unions:
        _register_union(converter, *union)
    _converter = converter
    return converter


def register_tagged_union(union: Any, tag: str, classes: Mapping[str, type[Model]], fallback: type[Model]) -> None:
    """Structure ``union`` by the value of its ``tag`` key; unknown values become ``fallback``.

    A class that owns one tag value declares ``__wire_tag__ = (tag, value)`` and writes it back
    when turned into a dict; a class that takes several values (or the fallback) keeps it in a
    field of that name.
    """
    with _BUILDING:  # not between the converter's reading of _unions and its publication
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


def structure_hook(cls: Any) -> Callable[[Any, Any], Any]:
    """The (cached) function that structures ``cls``, built on first need."""
    hook = _hooks.get(cls)
    if hook is None:
        # A model whose fields all take JSON values as they are needs no cattrs hook to read an
        # answer that fits: its quick reading is made without cattrs, which joins only if one
        # does not fit (most requests of a service that reads only such models never import it).
        quick = _fast_structure(cls, None, _cattrs_structure_later(cls), _known(cls)) if _is_model(cls) else None
        hook = _hooks[cls] = quick or get_converter().get_structure_hook(cls)
    return hook


def structure(data: object, cls: type[T]) -> T:
    """Build ``cls`` from decoded JSON; raise ``ValueError`` with readable reasons if it does not fit."""
    hook = _hooks.get(cls)
    if hook is None:
        hook = structure_hook(cls)
    try:
        result: T = hook(data, cls)
        return result
    except Exception as exc:
        import cattrs

        if isinstance(exc, cattrs.BaseValidationError):
            reasons = "; ".join(cattrs.transform_error(exc, path=getattr(cls, "__name__", "$")))
        elif isinstance(exc, (TypeError, ValueError, LookupError, ArithmeticError)):
            reasons = str(exc)  # ArithmeticError: OverflowError and the like, from a hook
        elif isinstance(exc, AttributeError) and not isinstance(data, Mapping):
            # cattrs' mapping hooks call .items(): a list or a string where a JSON object belongs.
            reasons = f"expected a JSON object, got {type(data).__name__}"
        else:
            raise
        raise ValueError(reasons) from None


def to_dict(obj: object) -> dict[str, Any]:
    """Turn a model into JSON-ready builtins, with wire names and ``None`` fields left out."""
    data = get_converter().unstructure(obj)
    if not isinstance(data, dict):
        raise ValidationError(f"{type(obj).__name__} is not a model")
    return data


# Lenient structuring ---------------------------------------------------------------------------

_FAILED = object()
_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        import typing

        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def structure_lenient(data: Mapping[str, Any], cls: type[T], path: str = "") -> T:
    """Build ``cls`` from as much of ``data`` as fits; never raises for a JSON object (see the module docstring)."""
    read: T = _slowly(_structure_lenient, data, cls, path)  # what it reads part by part did not fit
    return read


def _structure_lenient(data: Mapping[str, Any], cls: type[T], path: str) -> T:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[str] = []
    known: set[str] = set(_tag_key(cls))  # type: ignore[arg-type]
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        if field.name in _INTERNAL:
            continue
        wire = _wire_name(field.name)
        known.add(wire)
        has_default = field.default is not attrs.NOTHING
        value = data.get(wire)
        if value is None:
            if not has_default:
                problems.append(f"{path}{wire}: {'null' if wire in data else 'missing'}")
                values[field.alias] = None
            continue
        try:
            values[field.alias] = structure(value, hints[field.name])
            continue
        except ValueError as exc:
            reason = str(exc)
        repaired, inner, lossy = _lenient_value(value, hints[field.name], f"{path}{wire}")
        if repaired is _FAILED:
            problems.append(f"{path}{wire}: {reason}")
            extra[wire] = value
            if not has_default:
                values[field.alias] = None
        else:
            values[field.alias] = repaired
            problems.extend(inner)
            if lossy:
                extra[wire] = value  # read as something it was not: what was sent stays reachable
    extra.update({k: v for k, v in data.items() if k not in known})
    obj = cls(**values)
    object.__setattr__(obj, "extra", extra)
    object.__setattr__(obj, "_invalid", tuple(problems))
    return obj


# JSON's own number grammar (no spaces, underscores, "nan" or "inf", which float() would take).
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,29})", re.ASCII)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,29})(?:\.[0-9]{1,30})?(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)


def _coerce(value: Any, tp: Any) -> Any:
    """A number sent as the other JSON type, read as ``tp`` without loss; else ``_FAILED``. Never a bool."""
    if isinstance(value, bool):
        return _FAILED
    if tp is str and isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # over Python's 4,300-digit limit: not an id anyone can use
            return _FAILED
    if tp is int:
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    if tp is float and isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else _FAILED
    return _FAILED


def _lenient_value(value: Any, tp: Any, path: str) -> tuple[Any, list[str], bool]:
    """Repair one value leniently, or ``_FAILED``; with the problems found and whether it was lossy.

    Models and lists are read part by part (a nested model keeps its own raw values on its own
    ``.extra``); a number in the other JSON type is converted (``_coerce``) and named. ``lossy``
    says that the repaired value is not what was sent, so the caller keeps the raw value.
    """
    import types
    import typing

    if _is_model(tp) and isinstance(value, Mapping):
        model = structure_lenient(value, tp, f"{path}.")
        return model, list(model._invalid), False
    for union, tag, classes, fallback in _unions:
        if tp == union and isinstance(value, Mapping):
            kind = value.get(tag)
            chosen = classes.get(kind) if isinstance(kind, str) else None
            model = structure_lenient(value, chosen or fallback, f"{path}.")
            return model, list(model._invalid), False
    if tp in (str, int, float):
        coerced = _coerce(value, tp)
        if coerced is _FAILED:
            return _FAILED, [], False
        return coerced, [f"{path}: expected {_EXPECTED[tp]}, got {type(value).__name__} (read as {coerced!r})"], True
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        for option in options:
            repaired, inner, lossy = _lenient_value(value, option, path)
            if repaired is not _FAILED:
                return repaired, inner, lossy
        return _FAILED, [], False
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(tp)
        item_type = args[0] if args else Any
        items: list[Any] = []
        problems: list[str] = []
        lossy = False
        for index, item in enumerate(value):
            try:
                items.append(structure(item, item_type))
            except ValueError as exc:
                repaired, inner, item_lossy = _lenient_value(item, item_type, f"{path}[{index}]")
                if repaired is _FAILED:
                    problems.append(f"{path}[{index}]: {exc} (left out)")
                    lossy = True
                else:
                    items.append(repaired)
                    problems.extend(inner)
                    lossy = lossy or item_lossy
        return tuple(items), problems, lossy
    return _FAILED, [], False


_EXPECTED = {str: "a string", int: "an integer", float: "a number"}
