"""Your phone numbers (lines): forwarding, reputation and reputation audits; the legacy number list."""

from __future__ import annotations

import datetime as dt

import attrs

from .._convert import Model

__all__ = [
    "LegacyPhoneNumber",
    "PhoneNumber",
    "PhoneNumberCapabilities",
    "PhoneNumberListResponse",
    "PhoneNumberReputation",
    "PhoneNumberUpdateResponse",
    "PhonenumberListResponse",
    "ReputationActionItem",
    "ReputationAudit",
    "ReputationAuditStarted",
    "ReputationDriver",
    "ReputationEvidence",
    "ReputationOptOutChat",
    "ReputationReport",
    "ReputationUnhealthyChat",
]

# Known values of server-controlled fields, for reference and comparisons; fields stay `str`.
REPUTATION_STATUSES = ("HEALTHY", "AT_RISK", "CRITICAL")
LINE_TYPES = ("iMessage", "RCS")
AUDIT_STATUSES = ("pending", "complete", "error")
DRIVER_KEYS = (
    "low_engagement",
    "overall_conversation_health",
    "volume_spike",
    "new_conversation_rate",
    "opt_out_handling",
    "flagged",
    "other",
)


@attrs.frozen(kw_only=True)
class PhoneNumberReputation(Model):
    """A line's reputation (beta): ``HEALTHY``, ``AT_RISK`` or ``CRITICAL``, with a link to the guide."""

    status: str | None = None
    doc_url: str | None = None


@attrs.frozen(kw_only=True)
class PhoneNumber(Model):
    """One of your lines: ``id`` (for ``phone_numbers.update``) and the E.164 ``phone_number``."""

    id: str
    phone_number: str
    reputation: PhoneNumberReputation | None = None
    forwarding_number: str | None = None
    line_type: str | None = None


@attrs.frozen(kw_only=True)
class PhoneNumberListResponse(Model):
    """Every line assigned to your partner account (not paginated)."""

    phone_numbers: tuple[PhoneNumber, ...] = ()


@attrs.frozen(kw_only=True)
class PhoneNumberUpdateResponse(Model):
    """A line after its forwarding number changed; ``forwarding_number`` is None once cleared."""

    id: str | None = None
    phone_number: str | None = None
    forwarding_number: str | None = None


@attrs.frozen(kw_only=True)
class ReputationAuditStarted(Model):
    """The 202 answer to starting an audit: the id to poll (a running audit's, if one was running)."""

    audit_id: str
    status: str | None = None


@attrs.frozen(kw_only=True)
class ReputationActionItem(Model):
    """One thing to do about a line's reputation; ``priority`` 1 comes first."""

    title: str | None = None
    detail: str | None = None
    expected_impact: str | None = None
    priority: int | None = None


@attrs.frozen(kw_only=True)
class ReputationDriver(Model):
    """One cause of a line's reputation, ``key`` naming it (``volume_spike``, ``flagged``, ...)."""

    key: str | None = None
    metric: str | None = None
    summary: str | None = None


@attrs.frozen(kw_only=True)
class ReputationOptOutChat(Model):
    """A chat whose recipient asked to stop, with the sends that followed the request."""

    chat_id: str | None = None
    messages_after_stop: int | None = None


@attrs.frozen(kw_only=True)
class ReputationUnhealthyChat(Model):
    """A chat trending unhealthy: its health ``status`` and the driver keys behind it."""

    chat_id: str | None = None
    driver_keys: tuple[str, ...] = ()
    status: str | None = None


@attrs.frozen(kw_only=True)
class ReputationEvidence(Model):
    """The chats behind a report, worst first (at most 15 unhealthy ones)."""

    opt_out_chats: tuple[ReputationOptOutChat, ...] = ()
    unhealthy_chats: tuple[ReputationUnhealthyChat, ...] = ()


@attrs.frozen(kw_only=True)
class ReputationReport(Model):
    """A finished audit's findings; the structured fields win over ``summary_markdown``."""

    severity: str | None = None
    primary_driver: str | None = None
    drivers: tuple[ReputationDriver, ...] = ()
    action_items: tuple[ReputationActionItem, ...] = ()
    evidence: ReputationEvidence | None = None
    summary_markdown: str | None = None


@attrs.frozen(kw_only=True)
class ReputationAudit(Model):
    """An audit as polled: ``status`` ``pending``, ``complete`` (with ``report``) or ``error`` (with ``error``)."""

    status: str
    audit_id: str | None = None
    phone: str | None = None
    generated_at: dt.datetime | None = None
    report: ReputationReport | None = None
    error: str | None = None


@attrs.frozen(kw_only=True)
class PhoneNumberCapabilities(Model):
    """What a line supports, as the legacy list reports it."""

    sms: bool | None = None
    mms: bool | None = None
    voice: bool | None = None


@attrs.frozen(kw_only=True)
class LegacyPhoneNumber(Model):
    """A line as the deprecated ``GET /v3/phonenumbers`` lists it (``type``, ``country_code``: always None)."""

    id: str
    phone_number: str
    capabilities: PhoneNumberCapabilities | None = None
    country_code: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class PhonenumberListResponse(Model):
    """The deprecated line list; ``PhoneNumberListResponse`` (``phone_numbers.list``) replaces it."""

    phone_numbers: tuple[LegacyPhoneNumber, ...] = ()
