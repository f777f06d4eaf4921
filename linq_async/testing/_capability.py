"""The fake's capability checks and smart number assignment, with per-handle answers tests can set.

By default every handle can get iMessage and every phone number RCS; ``set_capability`` changes
that per handle, ``set_rcs_fault`` makes RCS checks from a line fail the way the API documents
(503 with 4004, 4009 or 4010), ``set_line_type`` makes a line an RCS (Android) line. Number
assignment picks, among the lines not excluded and of the asked type, the line of an existing chat
with exactly the recipients ``to`` names, else the least recently suggested one.
"""

from __future__ import annotations

import secrets
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar

from aiohttp import web

from .. import _validate
from .._errors import ValidationError
from ._core import FakeBase, Refused, route

__all__ = ["CAPABILITY_RULES", "CapabilityArea"]

CAPABILITY_RULES: dict[str, tuple[int, int, str]] = {
    "invalid_address": (400, 1005, "Invalid parameter value: address must be an E.164 phone number or an email"),
    "rcs_email_address": (400, 1005, "Invalid parameter value: RCS has no email addressing; give an E.164 number"),
    "rcs_not_enabled": (503, 4004, "RCS is not enabled for this line"),
    "rcs_no_account": (503, 4009, "This line has no RCS account"),
    "rcs_check_failed": (503, 4010, "The RCS capability check could not run"),
    "invalid_line_filter": (400, 1005, "Invalid parameter value: exclude_from must hold E.164 phone numbers"),
    "invalid_recipient_filter": (400, 1005, "Invalid parameter value: to must hold E.164 phone numbers or emails"),
    "invalid_line_type": (400, 1005, "Invalid parameter value: type must be RCS or iMessage"),
    "every_line_excluded": (400, 1005, "Every one of your available lines is excluded"),
    # No code is documented for "no line of this type" (503); 4004 is the documented 503 code.
    "no_line_of_type": (503, 4004, "No available line of this type"),
}

RCS_FAULTS = {4004: "rcs_not_enabled", 4009: "rcs_no_account", 4010: "rcs_check_failed"}
LINE_TYPES = ("iMessage", "RCS")


def _values(request: web.Request, key: str) -> list[str]:
    # linq-python joins a list with commas in one key; the docs tell callers to repeat the key.
    return [item for value in request.query.getall(key, []) for item in value.split(",")]


class CapabilityArea(FakeBase):
    """Capability checks and ``available_number``. Set answers with ``set_capability``, ``set_rcs_fault``."""

    RULES: ClassVar[Mapping[str, tuple[int, int, str]]] = CAPABILITY_RULES

    def _setup_capability(self) -> None:
        self._reach: dict[str, dict[str, bool]] = {}
        self._rcs_faults: dict[str | None, int] = {}
        self._line_types: dict[str, str] = {}
        self._suggested: dict[str, int] = {}
        self._suggestions = 0
        self._vcards: dict[str, tuple[str, list[str]]] = {}

    # State, for tests -----------------------------------------------------------------------------

    def set_capability(self, handle: str, *, imessage: bool | None = None, rcs: bool | None = None) -> None:
        """Set whether ``handle`` can get iMessage and/or RCS (left out: unchanged)."""
        handle = _validate.handle(handle)
        with self._lock:
            reach = self._reach.setdefault(handle, {})
            if imessage is not None:
                reach["iMessage"] = bool(imessage)
            if rcs is not None:
                if rcs and "@" in handle:
                    raise ValidationError("an email address cannot get RCS")
                reach["RCS"] = bool(rcs)

    def set_rcs_fault(self, code: int | None, *, line: str | None = None) -> None:
        """Make RCS checks from ``line`` (default: any) answer 503 with ``code`` (4004, 4009, 4010; None clears)."""
        if code is not None and code not in RCS_FAULTS:
            raise ValidationError(f"code must be one of {sorted(RCS_FAULTS)} or None, got {code!r}")
        with self._lock:
            if code is None:
                self._rcs_faults.pop(line, None)
            else:
                self._rcs_faults[line] = code

    def set_line_type(self, line: str, line_type: str) -> None:
        """Make one of the fake's lines an ``"iMessage"`` line (the default) or an ``"RCS"`` (Android) line."""
        if line not in self.lines:
            raise ValidationError(f"{line!r} is not one of the fake's lines {self.lines}")
        if line_type not in LINE_TYPES:
            raise ValidationError(f"line_type must be one of {LINE_TYPES}, got {line_type!r}")
        with self._lock:
            self._line_types[line] = line_type

    def vcard(self, vcf_url: str) -> str:
        """The vCard behind a ``vcf_url`` the fake answered with: the chosen line first, then the backups."""
        token = urllib.parse.urlsplit(vcf_url).path.rsplit("/", 1)[-1].removesuffix(".vcf")
        with self._lock:
            found = self._vcards.get(token)
        if found is None:
            raise ValidationError(f"the fake server made no vCard {vcf_url!r}")
        primary, backups = found
        lines = ["BEGIN:VCARD", "VERSION:3.0", "FN:Linq", f"TEL;TYPE=CELL,PREF:{primary}"]
        lines += [f"TEL;TYPE=CELL:{backup}" for backup in backups]
        return "\r\n".join([*lines, "END:VCARD", ""])

    def _can(self, handle: str, service: str) -> bool:
        default = service == "iMessage" or "@" not in handle
        return self._reach.get(handle, {}).get(service, default)

    # Capability checks --------------------------------------------------------------------------

    def _check_request(self, data: Mapping[str, Any]) -> tuple[str, str]:
        address, line = data.get("address"), data.get("from")
        if address is None or address == "":
            raise Refused("missing_field")
        if not isinstance(address, str):
            raise Refused("invalid_address")
        try:
            _validate.handle(address)
        except ValidationError:
            raise Refused("invalid_address") from None
        if line is None:
            return address, self.lines[0]  # "a line from your pool"
        if not isinstance(line, str) or line not in self.lines:
            raise Refused("not_your_number")
        return address, line

    @staticmethod
    def _answer(address: str, available: bool, selected: str | None) -> web.Response:
        body: dict[str, Any] = {"address": address, "available": available}
        if not available:
            body["reason"] = "not_supported"
        if selected is not None:
            body["selected_service"] = selected
        return web.json_response(body)

    @route("POST", "/capability/check_imessage")
    async def _check_imessage(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        with self._lock:
            address, _ = self._check_request(data)
            available = self._can(address, "iMessage")
            if available:
                selected: str | None = "iMessage"
            elif "@" in address:
                selected = None  # an email has no other service
            else:
                selected = "RCS" if self._can(address, "RCS") else "SMS"
        return self._answer(address, available, selected)

    @route("POST", "/capability/check_rcs")
    async def _check_rcs(self, request: web.Request) -> web.Response:
        data = self._json(await request.read())
        address = data.get("address")
        if isinstance(address, str) and "@" in address:
            raise Refused("rcs_email_address")
        with self._lock:
            address, line = self._check_request(data)
            fault = self._rcs_faults.get(line, self._rcs_faults.get(None))
            if fault is not None:
                raise Refused(RCS_FAULTS[fault])
            available = self._can(address, "RCS")
        return self._answer(address, available, "RCS" if available else "SMS")

    # Smart number assignment ----------------------------------------------------------------------

    def _sticky_line(self, candidates: list[str], to: list[str]) -> str | None:
        """The line of an existing chat with exactly these recipients, if the chats area has one."""
        wanted = set(to)
        for chat in getattr(self, "_chats", {}).values():
            if chat.line in candidates and {m.handle for m in chat.active if not m.is_me} == wanted:
                return str(chat.line)
        return None

    @route("GET", "/available_number")
    async def _available_number(self, request: web.Request) -> web.Response:
        excluded = _values(request, "exclude_from")
        to = _values(request, "to")
        wanted = request.query.get("type")
        for number in excluded:
            try:
                if not _validate.handle(number).startswith("+"):
                    raise ValidationError(number)
            except ValidationError:
                raise Refused("invalid_line_filter") from None
        for handle in to:
            try:
                _validate.handle(handle)
            except ValidationError:
                raise Refused("invalid_recipient_filter") from None
        if wanted is not None and wanted.lower() not in ("rcs", "imessage"):
            raise Refused("invalid_line_type")
        with self._lock:
            candidates = [line for line in self.lines if line not in excluded]
            if not candidates:
                raise Refused("every_line_excluded")
            if wanted is not None:
                candidates = [c for c in candidates if self._line_types.get(c, "iMessage").lower() == wanted.lower()]
                if not candidates:
                    raise Refused("no_line_of_type")
            chosen = self._sticky_line(candidates, to) if to else None
            if chosen is None:
                chosen = min(candidates, key=lambda line: self._suggested.get(line, -1))
            self._suggestions += 1
            self._suggested[chosen] = self._suggestions
            token = secrets.token_hex(12)
            self._vcards[token] = (chosen, [c for c in candidates if c != chosen])
        return web.json_response(
            {"phone_number": chosen, "vcf_url": f"https://cdn.linqapp.com/vcards/{token}.vcf?expires=900"}
        )
