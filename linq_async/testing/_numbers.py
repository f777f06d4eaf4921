"""The fake's numbers area: lines (forwarding, reputation, audits), blocked handles, contact cards, experiences.

Time-based rules (the contact-card budget, the audit cooldown, audit retention) read this area's
clock, which tests move with ``advance_numbers_clock`` instead of sleeping. An audit is pending
for ``audit_pending_reads`` reads, then reads as complete: deterministic, and a poll loop still
sees it run.
"""

from __future__ import annotations

import copy
import math
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
from aiohttp import web

from .. import _validate
from .._errors import ValidationError
from ..resources.blocked_handles import blockable_handle
from ._core import TRACE, FakeBase, Refused, route, timestamp

__all__ = ["EXPERIENCES", "NUMBER_RULES", "NumbersArea"]

# rule -> (HTTP status, Linq code, message). 2006, 2012, 2014, 2019 and 2026 are documented for these
# cases; 1007 is Linq's rate-limit code; 5007 is the documented code for an image Linq cannot fetch.
# No code is documented for an unknown audit or experience: 2001's page reads "Resource not found".
NUMBER_RULES: dict[str, tuple[int, int, str]] = {
    "number_not_found": (404, 2019, "Phone number not found"),
    "invalid_number": (400, 1002, "Phone number must be in E.164 format"),
    "audit_not_found": (404, 2001, "Reputation audit not found"),
    "audit_cooldown": (429, 1007, "A reputation audit finished recently for this line; try again later"),
    "handle_blocked": (403, 2026, "This handle is blocked"),
    "invalid_blocked_handle": (
        400,
        1005,
        "Invalid parameter value: handle must be an E.164 phone number, an email, a short code or a sender ID",
    ),
    "contact_card_exists": (409, 2014, "A contact card already exists for this phone number"),
    "contact_card_not_found": (404, 2012, "Contact card not found"),
    "contact_card_rate_limited": (429, 1007, "Contact card rate limit exceeded: 3 changes per 10 minutes"),
    "invalid_image_url": (400, 5007, "Failed to download image from the provided URL"),
    "experience_not_found": (404, 2001, "Experience not found"),
}

REPUTATION_DOC = "https://docs.linqapp.com/guides/phone-numbers/phone-reputation/#{anchor}"
REPUTATIONS = ("HEALTHY", "AT_RISK", "CRITICAL")
LINE_TYPES = ("iMessage", "RCS")
AUDIT_RETENTION = 24 * 3600.0
_LINE_IDS = uuid.UUID("8f2c7d1e-2b4a-4c55-9a0e-3d6b1f4e5a77")  # namespace of the fake's line ids


def _field(kind: str, *, required: bool = False, max_length: int | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"type": kind, "required": required}
    if max_length is not None:
        field["max"] = max_length
    return field


# The experiences and actions the SDK documents; field lengths are the fake's own choice.
EXPERIENCES: tuple[dict[str, Any], ...] = (
    {
        "experience": "agentpay",
        "display_name": "Agent Pay",
        "actions": [
            {
                "name": "request_payment",
                "summary": "A payment request the customer pays in the app; it turns into Paid once settled.",
                "fields": {
                    "checkout_url": _field("url", required=True),
                    "title": _field("string", max_length=60),
                    "note": _field("string", max_length=140),
                },
            }
        ],
    },
    {
        "experience": "agentcard",
        "display_name": "Agent Card",
        "actions": [
            {
                "name": "attach_card",
                "summary": "A prompt to add a card to the customer's wallet.",
                "fields": {"title": _field("string", max_length=60), "note": _field("string", max_length=140)},
            },
            {
                "name": "approve_card",
                "summary": "A passkey approval of a virtual card.",
                "fields": {"title": _field("string", max_length=60), "note": _field("string", max_length=140)},
            },
        ],
    },
    {
        "experience": "link",
        "display_name": "Link",
        "actions": [
            {
                "name": "open",
                "summary": "A card that opens a URL you give.",
                "fields": {"url": _field("url", required=True), "title": _field("string", max_length=60)},
            }
        ],
    },
)


@attrs.define
class _Line:
    id: str
    number: str
    line_type: str = "iMessage"
    reputation: str = "HEALTHY"
    status: str = "ACTIVE"
    forwarding_number: str | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone_number": self.number,
            "forwarding_number": self.forwarding_number,
            "line_type": self.line_type,
            "reputation": {
                "status": self.reputation,
                "doc_url": REPUTATION_DOC.format(anchor=self.reputation.lower().replace("_", "-")),
            },
        }

    def legacy(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone_number": self.number,
            "capabilities": {"sms": True, "mms": True, "voice": False},  # as the spec's example
            "country_code": None,
            "type": None,
        }


@attrs.define
class _Audit:
    id: str
    line: str
    reads_left: int
    status: str = "pending"
    finished_at: float | None = None
    generated_at: str | None = None
    report: dict[str, Any] | None = None
    error: str | None = None

    def wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {"audit_id": self.id, "status": self.status, "phone": self.line}
        if self.generated_at is not None:
            data["generated_at"] = self.generated_at
        if self.report is not None:
            data["report"] = copy.deepcopy(self.report)
        if self.error is not None:
            data["error"] = self.error
        return data


def _report(line: _Line) -> dict[str, Any]:
    """A report that follows the line's reputation; the markdown renders the structured fields."""
    if line.reputation == "HEALTHY":
        drivers: list[dict[str, Any]] = []
        items = [
            {
                "priority": 1,
                "title": "Keep your current sending habits",
                "detail": "Nothing needs attention on this line.",
                "expected_impact": "low",
            }
        ]
    else:
        critical = line.reputation == "CRITICAL"
        drivers = [
            {
                "key": "flagged" if critical else "volume_spike",
                "metric": "restricted by carriers" if critical else "daily volume 4x the line's norm",
                "summary": "The line may not be delivering."
                if critical
                else "Daily volume jumped well above normal with few replies.",
            },
            {
                "key": "new_conversation_rate",
                "metric": "180 new conversations yesterday",
                "summary": "Many brand-new conversations were opened in one day.",
            },
        ]
        items = [
            {
                "priority": 1,
                "title": "Pause outbound on this line" if critical else "Slow the send pace",
                "detail": "Move traffic to a healthy line until this one recovers."
                if critical
                else "Spread sends over the day and open fewer new conversations at once.",
                "expected_impact": "high",
            },
            {
                "priority": 2,
                "title": "Open fewer new conversations",
                "detail": "Favour replies in existing chats over first messages.",
                "expected_impact": "medium",
            },
        ]
    primary = drivers[0]["key"] if drivers else ""
    lines = [f"# Reputation of {line.number}: {line.reputation}", ""]
    lines += [f"- {d['key']}: {d['summary']} ({d['metric']})" for d in drivers] or ["- no driver"]
    lines += ["", *(f"{i['priority']}. {i['title']}: {i['detail']}" for i in items)]
    return {
        "severity": line.reputation,
        "primary_driver": primary,
        "drivers": drivers,
        "action_items": items,
        "evidence": {"opt_out_chats": [], "unhealthy_chats": []},
        "summary_markdown": "\n".join(lines),
    }


def _account_event(summary: str, **fields: Any) -> dict[str, Any]:
    """The data of an account event caused by an API call."""
    return {"actor": {"type": "api"}, "occurred_at": timestamp(), "origin": "api", "summary": summary, **fields}


class NumbersArea(FakeBase):
    """Lines, blocked handles, contact cards and experiences.

    Set up with ``set_line``, ``add_contact_card``, ``set_experiences``; read with ``line_id``,
    ``forwarding_number``, ``reputation_audit``, ``is_blocked``, ``contact_card``. Settings:
    ``audit_pending_reads`` (reads that see an audit pending; 1), ``audit_cooldown`` (seconds
    after an audit finishes before another may start; 3600) and ``contact_card_budget`` (calls,
    seconds; (3, 600)).
    """

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = NUMBER_RULES

    def _setup_numbers(self) -> None:
        self._lines = {
            number: _Line(str(uuid.uuid5(_LINE_IDS, number)), number) for number in dict.fromkeys(self.lines)
        }
        self._audits: dict[str, _Audit] = {}
        self._blocked: dict[str, dict[str, Any]] = {}
        self._contact_cards: dict[str, dict[str, Any]] = {}
        self._card_calls: dict[str, list[float]] = {}
        self._experiences = [copy.deepcopy(e) for e in EXPERIENCES]
        self._numbers_offset = 0.0
        self.audit_pending_reads = 1
        self.audit_cooldown = 3600.0
        self.contact_card_budget = (3, 600.0)

    # Helpers, for tests -----------------------------------------------------------------------

    def advance_numbers_clock(self, seconds: float) -> None:
        """Move this area's clock forward: the contact-card budget, audit cooldowns and retention."""
        with self._lock:
            self._numbers_offset += _validate.positive_seconds(seconds, name="seconds")

    def _now(self) -> float:
        return time.monotonic() + self._numbers_offset

    def _line(self, phone_number: str) -> _Line:
        line = self._lines.get(phone_number)
        if line is None:
            raise ValidationError(f"{phone_number!r} is not one of the fake's lines {tuple(self._lines)}")
        return line

    def line_id(self, phone_number: str) -> str:
        """The id of one of the fake's lines (what ``phone_numbers.update`` takes); stable per number."""
        with self._lock:
            return self._line(phone_number).id

    def forwarding_number(self, phone_number: str) -> str | None:
        """Where a line forwards inbound calls, or None."""
        with self._lock:
            return self._line(phone_number).forwarding_number

    def set_line(
        self,
        phone_number: str,
        *,
        reputation: str | None = None,
        status: str | None = None,
        line_type: str | None = None,
    ) -> None:
        """Change a line as Linq would: its ``reputation``, its ``status`` (``ACTIVE``/``FLAGGED``), its type.

        A reputation or status change raises ``phone_number.status_updated``.
        """
        if reputation is not None and reputation not in REPUTATIONS:
            raise ValidationError(f"reputation must be one of {REPUTATIONS}, got {reputation!r}")
        if status is not None and status not in ("ACTIVE", "FLAGGED"):
            raise ValidationError(f"status must be 'ACTIVE' or 'FLAGGED', got {status!r}")
        if line_type is not None and line_type not in LINE_TYPES:
            raise ValidationError(f"line_type must be one of {LINE_TYPES}, got {line_type!r}")
        with self._lock:
            line = self._line(phone_number)
            before = (line.reputation, line.status)
            line.reputation = reputation or line.reputation
            line.status = status or line.status
            line.line_type = line_type or line.line_type
            changed = (line.reputation, line.status) != before
            data = {
                "changed_at": timestamp(),
                "phone_number": line.number,
                "previous_reputation": before[0],
                "new_reputation": line.reputation,
                "previous_status": before[1],
                "new_status": line.status,
            }
        if changed:
            self._emit(None, "phone_number.status_updated", data)

    def reputation_audit(self, audit_id: str) -> dict[str, Any]:
        """An audit as ``get_reputation_audit`` would answer it now (reading it here does not count as a poll)."""
        with self._lock:
            audit = self._audits.get(audit_id)
            if audit is None:
                raise ValidationError(f"the fake server has no reputation audit {audit_id!r}")
            return audit.wire()

    def finish_reputation_audit(self, audit_id: str, *, error: str | None = None) -> None:
        """Finish a pending audit now: complete with its report, or with ``status`` ``error`` and ``error``."""
        with self._lock:
            audit = self._audits.get(audit_id)
            if audit is None or audit.status != "pending":
                raise ValidationError(f"the fake server has no pending reputation audit {audit_id!r}")
            self._finish(audit, error)

    def _finish(self, audit: _Audit, error: str | None = None) -> None:
        audit.finished_at = self._now()
        if error is None:
            audit.status, audit.generated_at = "complete", timestamp()
            audit.report = _report(self._lines[audit.line])
        else:
            audit.status, audit.error = "error", error

    def is_blocked(self, handle: str) -> bool:
        """Whether ``handle`` is on the block list (emails compare case-insensitively)."""
        with self._lock:
            return _normalised(handle) in self._blocked

    def contact_card(self, phone_number: str) -> dict[str, Any] | None:
        """A line's contact card as the API returns it, or None."""
        with self._lock:
            card = self._contact_cards.get(phone_number)
            return None if card is None else _card_wire(phone_number, card)

    def add_contact_card(
        self,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        image_url: str | None = None,
        is_active: bool = True,
    ) -> None:
        """Give a line a contact card, as if set up earlier (no event, no rate-limit budget spent)."""
        with self._lock:
            self._line(phone_number)
            self._contact_cards[phone_number] = {
                "id": str(uuid.uuid4()),
                "first_name": first_name,
                "last_name": last_name,
                "image_url": image_url,
                "is_active": is_active,
            }

    def set_experiences(self, experiences: Iterable[Mapping[str, Any]]) -> None:
        """Replace the catalogue ``experiences.list`` answers (the default is ``EXPERIENCES``)."""
        chosen = [copy.deepcopy(dict(e)) for e in experiences]
        for item in chosen:
            if not isinstance(item.get("experience"), str) or not item["experience"]:
                raise ValidationError("each experience needs an 'experience' name")
        with self._lock:
            self._experiences = chosen

    # Hooks the other areas call ---------------------------------------------------------------

    def _check_recipient(self, handle: str) -> None:
        super()._check_recipient(handle)
        with self._lock:
            if _normalised(handle) in self._blocked:
                raise Refused("handle_blocked")

    def _has_contact_card(self, line: str) -> bool:
        """Whether ``line`` has an active contact card (sharing one needs it)."""
        with self._lock:
            card = self._contact_cards.get(line)
            return card is not None and bool(card["is_active"])

    # Phone numbers ----------------------------------------------------------------------------

    @route("GET", "/phone_numbers")
    async def _list_phone_numbers(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response({"phone_numbers": [line.wire() for line in self._lines.values()]})

    @route("GET", "/phonenumbers")
    async def _list_phonenumbers(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response({"phone_numbers": [line.legacy() for line in self._lines.values()]})

    @route("PUT", "/phone_numbers/{phone_number_id}")
    async def _update_phone_number(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        if "forwarding_number" not in data:
            raise Refused("missing_field")
        wanted = data["forwarding_number"]
        if wanted == "":
            wanted = None
        if wanted is not None and not _is_e164(wanted):
            raise Refused("invalid_number")
        with self._lock:
            line = next((x for x in self._lines.values() if x.id == request.match_info["phone_number_id"]), None)
            if line is None:  # an E.164 number instead of the id lands here too, as documented
                raise Refused("number_not_found")
            before, line.forwarding_number = line.forwarding_number, wanted
            body = {"id": line.id, "phone_number": line.number, "forwarding_number": line.forwarding_number}
        if before != wanted:
            summary = f"Call forwarding of {line.number} " + (f"set to {wanted}" if wanted else "cleared")
            change = {"from": before, "to": wanted}
            self._emit(
                request,
                "phone_number.forwarding_updated",
                _account_event(summary, phone_number=line.number, change=change),
            )
        return web.json_response(body)

    def _line_in_path(self, request: web.Request) -> _Line:
        number = request.match_info["phone_number"]
        if not _is_e164(number):
            raise Refused("invalid_number")
        line = self._lines.get(number)
        if line is None:
            raise Refused("number_not_found")
        return line

    @route("POST", "/phone_numbers/{phone_number}/reputation_audit")
    async def _start_audit(self, request: web.Request) -> web.Response:
        with self._lock:
            line = self._line_in_path(request)
            audits = [a for a in self._audits.values() if a.line == line.number]
            running = next((a for a in audits if a.status == "pending"), None)
            if running is None:
                finished = [a.finished_at for a in audits if a.finished_at is not None]
                wait = max(finished, default=-math.inf) + self.audit_cooldown - self._now()
                if wait > 0:
                    status, code, message = self.rule_errors["audit_cooldown"]
                    return self._error_response(status, code, message, request[TRACE], math.ceil(wait))
                running = _Audit(f"aud_{uuid.uuid4().hex}", line.number, self.audit_pending_reads)
                self._audits[running.id] = running
            return web.json_response({"audit_id": running.id, "status": running.status}, status=202)

    @route("GET", "/phone_numbers/{phone_number}/reputation_audit/{audit_id}")
    async def _get_audit(self, request: web.Request) -> web.Response:
        with self._lock:
            line = self._line_in_path(request)
            audit = self._audits.get(request.match_info["audit_id"])
            if audit is None or audit.line != line.number:
                raise Refused("audit_not_found")
            if audit.finished_at is not None and self._now() - audit.finished_at > AUDIT_RETENTION:
                raise Refused("audit_not_found")
            if audit.status == "pending":
                if audit.reads_left > 0:
                    audit.reads_left -= 1
                else:
                    self._finish(audit)
            return web.json_response(audit.wire())

    # Blocked handles --------------------------------------------------------------------------

    def _blockable(self, data: Mapping[str, Any]) -> str:
        handle = data.get("handle")
        if handle is None or handle == "":
            raise Refused("missing_field")
        try:
            return _normalised(blockable_handle(handle))
        except ValidationError:
            raise Refused("invalid_blocked_handle") from None

    @route("POST", "/blocked_handles")
    async def _block(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        handle = self._blockable(data)
        reason = data.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise Refused("invalid_body")
        with self._lock:
            entry = self._blocked.get(handle)
            if entry is not None:  # idempotent: the existing entry
                return web.json_response({"blocked_handle": dict(entry)})
            entry = {"handle": handle, "blocked_at": timestamp()}
            if reason is not None:
                entry["reason"] = reason
            self._blocked[handle] = entry
            return web.json_response({"blocked_handle": dict(entry)}, status=201)

    @route("GET", "/blocked_handles")
    async def _list_blocked(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response({"blocked_handles": [dict(e) for e in reversed(self._blocked.values())]})

    @route("DELETE", "/blocked_handles")
    async def _unblock(self, request: web.Request) -> web.Response:
        handle = self._blockable(self._json(await request.read()))
        with self._lock:
            self._blocked.pop(handle, None)  # unblocking a handle not blocked changes nothing
        return web.Response(status=204)

    # Contact cards ----------------------------------------------------------------------------

    def _spend_card_call(self, request: web.Request, line: str) -> web.Response | None:
        """Count one create/update against the line's budget, or answer the 429 that refuses it."""
        limit, window = self.contact_card_budget
        now = self._now()
        calls = [t for t in self._card_calls.get(line, ()) if now - t < window]
        self._card_calls[line] = calls
        if len(calls) >= limit:
            status, code, message = self.rule_errors["contact_card_rate_limited"]
            return self._error_response(status, code, message, request[TRACE], math.ceil(calls[0] + window - now))
        calls.append(now)
        return None

    @staticmethod
    def _card_fields(data: Mapping[str, Any]) -> dict[str, Any]:
        fields = {k: data[k] for k in ("first_name", "last_name", "image_url") if k in data}
        if any(not isinstance(v, str) for v in fields.values()):
            raise Refused("invalid_body")
        if "first_name" in fields and not fields["first_name"].strip():
            raise Refused("missing_field")
        url = fields.get("image_url")
        if url is not None:
            try:
                _validate.https_url(url, "image_url")
            except ValidationError:
                raise Refused("invalid_image_url") from None
        return fields

    def _card_line(self, number: object, *, creating: bool) -> str:
        if number is None or number == "":
            raise Refused("missing_field")
        if not _is_e164(number):
            raise Refused("invalid_number")
        assert isinstance(number, str)
        if number not in self._lines:
            raise Refused("not_your_number" if creating else "contact_card_not_found")
        return number

    @route("POST", "/contact_card")
    async def _create_card(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        line = self._card_line(data.get("phone_number"), creating=True)
        fields = self._card_fields(data)
        if "first_name" not in fields:
            raise Refused("missing_field")
        with self._lock:
            if line in self._contact_cards:
                raise Refused("contact_card_exists")
            limited = self._spend_card_call(request, line)
            if limited is not None:
                return limited
            card = {"id": str(uuid.uuid4()), "last_name": None, "image_url": None, **fields, "is_active": True}
            self._contact_cards[line] = card
            body = _card_wire(line, card)
        shown = {k: card[k] for k in ("id", "first_name", "last_name", "image_url") if card[k] is not None}
        event = _account_event(f"Contact card of {line} created", contact_card=shown, phone_number=line)
        self._emit(request, "contact_card.created", event)
        return web.json_response(body, status=201)

    @route("PATCH", "/contact_card")
    async def _update_contact_card(self, request: web.Request) -> web.Response:
        line = self._card_line(request.query.get("phone_number"), creating=False)
        fields = self._card_fields(self._json(await request.read()))
        with self._lock:
            card = self._contact_cards.get(line)
            if card is None:
                raise Refused("contact_card_not_found")
            limited = self._spend_card_call(request, line)
            if limited is not None:
                return limited
            change = {k: {"from": card[k], "to": v} for k, v in fields.items() if card[k] != v}
            card.update(fields)
            card["is_active"] = True
            body = _card_wire(line, card)
        if change:
            shown = {k: card[k] for k in ("id", "first_name", "last_name", "image_url") if card[k] is not None}
            event = _account_event(
                f"Contact card of {line} updated", contact_card=shown, phone_number=line, change=change
            )
            self._emit(request, "contact_card.updated", event)
        return web.json_response(body)

    @route("GET", "/contact_card")
    async def _get_cards(self, request: web.Request) -> web.Response:
        number = request.query.get("phone_number")
        with self._lock:
            if number is None:
                cards = [_card_wire(line, card) for line, card in self._contact_cards.items()]
            else:
                line = self._card_line(number, creating=False)
                card = self._contact_cards.get(line)
                if card is None:
                    raise Refused("contact_card_not_found")
                cards = [_card_wire(line, card)]
        return web.json_response({"contact_cards": cards})

    # Experiences ------------------------------------------------------------------------------

    @route("GET", "/experiences")
    async def _list_experiences(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response({"experiences": copy.deepcopy(self._experiences)})

    @route("GET", "/experiences/{experience}")
    async def _get_experience(self, request: web.Request) -> web.Response:
        name = request.match_info["experience"]
        with self._lock:
            found = next((e for e in self._experiences if e["experience"] == name), None)
            if found is None:
                raise Refused("experience_not_found")
            return web.json_response(copy.deepcopy(found))


def _is_e164(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith("+"):
        return False
    try:
        _validate.handle(value)
    except ValidationError:
        return False
    return True


def _normalised(handle: str) -> str:
    """A handle as the block list keys it: emails lower-cased, everything else as given."""
    return handle.lower() if "@" in handle else handle


def _card_wire(line: str, card: Mapping[str, Any]) -> dict[str, Any]:
    data = {"phone_number": line, "first_name": card["first_name"], "is_active": card["is_active"]}
    for optional in ("last_name", "image_url"):
        if card[optional] is not None:
            data[optional] = card[optional]
    return data
