"""Response and request models: frozen attrs classes, structured by the one converter in ``_convert``.

Every model keeps the fields it does not know on ``.extra`` and turns back into wire JSON with
``.to_dict()``. Values the server controls (statuses, services) are plain strings, so a new value
never breaks parsing.
"""

from __future__ import annotations

import attrs

from ._convert import Model

__all__ = ["Model", "ParticipantAddResponse", "ParticipantRemoveResponse"]


@attrs.frozen(kw_only=True)
class ParticipantAddResponse(Model):
    """The 202 answer to adding a participant: the change is queued, confirmed later by webhook."""

    message: str | None = None
    status: str | None = None
    trace_id: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantRemoveResponse(Model):
    """The 202 answer to removing a participant: the change is queued, confirmed later by webhook."""

    message: str | None = None
    status: str | None = None
    trace_id: str | None = None
