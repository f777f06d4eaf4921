"""Experiences: native cards in Linq's iMessage app, their actions and the fields each action takes."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._convert import Model

__all__ = [
    "Experience",
    "ExperienceAction",
    "ExperienceActionFields",
    "ExperienceListResponse",
    "ExperienceRetrieveResponse",
]

# Known field types; ``cents`` is an integer amount of money in cents. The field stays `str`.
FIELD_TYPES = ("string", "cents", "int", "url")


@attrs.frozen(kw_only=True)
class ExperienceActionFields(Model):
    """What one param of an action takes: its ``type``, whether it is ``required``, a ``max`` length."""

    type: str | None = None
    required: bool | None = None
    max: int | None = None


@attrs.frozen(kw_only=True)
class ExperienceAction(Model):
    """An action you may invoke on an experience; ``fields`` is keyed by the exact param name."""

    name: str | None = None
    summary: str | None = None
    fields: Mapping[str, ExperienceActionFields] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Experience(Model):
    """An experience enabled on your account: ``experience`` is the name to invoke it by."""

    experience: str | None = None
    display_name: str | None = None
    actions: tuple[ExperienceAction, ...] = ()


@attrs.frozen(kw_only=True)
class ExperienceRetrieveResponse(Experience):
    """One experience, with its actions and their fields."""


@attrs.frozen(kw_only=True)
class ExperienceListResponse(Model):
    """Every experience enabled on your account (not paginated)."""

    experiences: tuple[Experience, ...] = ()
