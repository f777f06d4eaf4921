"""Capability checks (can this handle get iMessage or RCS?) and the line smart number assignment picks."""

from __future__ import annotations

import attrs

from .._convert import Model

__all__ = ["AvailableNumberRetrieveResponse", "HandleCheckResponse"]

# Known values of HandleCheckResponse.reason; the field stays `str`.
CHECK_REASONS = ("not_supported",)


@attrs.frozen(kw_only=True)
class HandleCheckResponse(Model):
    """Whether ``address`` can be reached over the service checked.

    ``reason`` says why not (``"not_supported"``: the check ran and the recipient cannot get it);
    ``selected_service`` is the service a message would use right now (``"SMS"`` for a phone
    without RCS, say), absent when it cannot be told.
    """

    available: bool
    address: str | None = None
    reason: str | None = None
    selected_service: str | None = None


@attrs.frozen(kw_only=True)
class AvailableNumberRetrieveResponse(Model):
    """The line to send from (not reserved: pass it as ``from_`` when creating the chat) and its vCard link."""

    phone_number: str
    vcf_url: str | None = None
