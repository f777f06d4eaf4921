"""Phone numbers (lines, forwarding, reputation audits), the legacy number list and experiences."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from linq_async import (
    AsyncLinqClient,
    Experience,
    ExperienceListResponse,
    LegacyPhoneNumber,
    NotFoundError,
    PhoneNumber,
    PhoneNumberListResponse,
    PhonenumberListResponse,
    PhoneNumberUpdateResponse,
    RateLimitError,
    ReputationAudit,
    ReputationAuditStarted,
    SyncLinqClient,
    ValidationError,
)
from linq_async.resources.phonenumbers import DEPRECATED
from linq_async.testing import FakeLinqServer

from ..helpers import ScriptedAPI, Sleeps
from ..prism import ViolationRecorder
from ..wire import WireCase, check_wire

LINE = "+14155550000"  # the fake_server fixture's line
OTHER_LINE = "+14155550001"
LINE_ID = "550e8400-e29b-41d4-a716-446655440000"
FORWARD = "+15557654321"


@attrs.frozen
class DeprecatedWireCase(WireCase):
    """A case of a deprecated endpoint: both SDKs warn on each call, which these filters expect."""

    def param(self) -> Any:
        return pytest.param(
            self,
            id=self.id,
            marks=[
                pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning"),  # linq-python's warning
                pytest.mark.filterwarnings(r"ignore:phonenumbers\.list:DeprecationWarning"),  # ours
            ],
        )


LINE_JSON = {
    "id": LINE_ID,
    "phone_number": LINE,
    "forwarding_number": None,
    "line_type": "iMessage",
    "reputation": {"status": "HEALTHY", "doc_url": "https://docs.linqapp.com/x"},
}
AUDIT_JSON = {"audit_id": "aud_123", "status": "complete", "phone": LINE, "generated_at": "2026-11-22T10:00:00Z"}
AGENTPAY = {
    "experience": "agentpay",
    "display_name": "Agent Pay",
    "actions": [{"name": "request_payment", "fields": {"checkout_url": {"type": "url", "required": True}}}],
}

WIRE = [
    WireCase("phone_numbers.list", answer={"phone_numbers": [LINE_JSON]}),
    WireCase(
        "phone_numbers.update",
        (LINE_ID,),
        {"forwarding_number": FORWARD},
        answer={"id": LINE_ID, "phone_number": LINE, "forwarding_number": FORWARD},
    ),
    WireCase("phone_numbers.update", (LINE_ID,), {"forwarding_number": None}, label="clear-with-null"),
    WireCase("phone_numbers.update", (LINE_ID,), {"forwarding_number": ""}, label="clear-with-empty"),
    WireCase(
        "phone_numbers.start_reputation_audit",
        (LINE,),
        answer={"audit_id": "aud_123", "status": "pending"},
        status=202,
    ),
    WireCase("phone_numbers.get_reputation_audit", ("aud_123",), {"phone_number": LINE}, answer=AUDIT_JSON),
    WireCase(
        "phone_numbers.get_reputation_audit",
        ("a/b c?d#e%",),
        {"phone_number": LINE},
        answer=AUDIT_JSON,
        label="id-encoded",
    ),
    DeprecatedWireCase(
        "phonenumbers.list",
        answer={"phone_numbers": [{"id": LINE_ID, "phone_number": LINE, "type": None, "country_code": None}]},
    ),
    WireCase("experiences.list", answer={"experiences": [AGENTPAY]}),
    WireCase("experiences.retrieve", ("agentpay",), answer=AGENTPAY),
]


@pytest.mark.parametrize("case", [case.param() for case in WIRE])
def test_wire(case: WireCase, recorder: ScriptedAPI, official: Any) -> None:
    if not isinstance(case, DeprecatedWireCase):
        check_wire(case, recorder, official)
        return
    with pytest.warns(DeprecationWarning, match="deprecated") as caught:
        check_wire(case, recorder, official)
    assert {str(w.message) for w in caught} == {"deprecated", DEPRECATED}  # theirs, then ours


# phone_numbers.list / update -----------------------------------------------------------------


def test_list_shows_the_lines_with_ids(any_client: Any, fake_server: FakeLinqServer) -> None:
    answer = any_client.phone_numbers.list()
    assert isinstance(answer, PhoneNumberListResponse)
    [line] = answer.phone_numbers
    assert isinstance(line, PhoneNumber)
    assert (line.id, line.phone_number) == (fake_server.line_id(LINE), LINE)
    assert uuid.UUID(line.id)
    assert line.forwarding_number is None and line.line_type == "iMessage"
    assert line.reputation is not None and line.reputation.status == "HEALTHY"
    assert line.reputation.doc_url


def test_line_ids_are_stable_per_number() -> None:
    with FakeLinqServer(lines=[LINE]) as one, FakeLinqServer(lines=[LINE, OTHER_LINE]) as two:
        assert one.line_id(LINE) == two.line_id(LINE) != two.line_id(OTHER_LINE)


def test_update_sets_and_clears_the_forwarding_number(any_client: Any, fake_server: FakeLinqServer) -> None:
    line_id = fake_server.line_id(LINE)
    updated = any_client.phone_numbers.update(line_id, forwarding_number=FORWARD)
    assert isinstance(updated, PhoneNumberUpdateResponse)
    assert (updated.id, updated.phone_number, updated.forwarding_number) == (line_id, LINE, FORWARD)
    assert fake_server.forwarding_number(LINE) == FORWARD
    assert any_client.phone_numbers.list().phone_numbers[0].forwarding_number == FORWARD
    assert fake_server.requests[0].json == {"forwarding_number": FORWARD}

    assert any_client.phone_numbers.update(uuid.UUID(line_id), forwarding_number=None).forwarding_number is None
    assert fake_server.forwarding_number(LINE) is None
    any_client.phone_numbers.update(line_id, forwarding_number="")  # "" clears too: nothing changes now
    events = [e for e in fake_server.events if e["event_type"] == "phone_number.forwarding_updated"]
    assert [e["data"]["change"] for e in events] == [{"from": None, "to": FORWARD}, {"from": FORWARD, "to": None}]
    data = events[0]["data"]
    assert data["phone_number"] == LINE and data["origin"] == "api" and data["actor"] == {"type": "api"}
    assert data["summary"] and data["occurred_at"]


def test_update_of_an_unknown_line_is_404_2019(any_client: Any, fake_server: FakeLinqServer) -> None:
    with pytest.raises(NotFoundError) as info:
        any_client.phone_numbers.update(str(uuid.uuid4()), forwarding_number=FORWARD)
    assert info.value.code == 2019


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        pytest.param((LINE,), {"forwarding_number": FORWARD}, "not its number", id="number-as-id"),
        pytest.param(("../x",), {"forwarding_number": FORWARD}, "UUID", id="path-escape"),
        pytest.param((5,), {"forwarding_number": FORWARD}, "UUID", id="int-id"),
        pytest.param((LINE_ID,), {"forwarding_number": "5557654321"}, "E.164", id="no-plus"),
        pytest.param((LINE_ID,), {"forwarding_number": "a@b.co"}, "E.164", id="email"),
        pytest.param((LINE_ID,), {"forwarding_number": "+1 555 765"}, "E.164", id="spaces"),
        pytest.param((LINE_ID,), {}, "forwarding_number", id="forwarding-missing"),
    ],
)
def test_bad_updates_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, args: tuple[Any, ...], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises((ValidationError, TypeError), match=match):
        any_client.phone_numbers.update(*args, **kwargs)
    assert fake_server.requests == []


# Reputation audits -------------------------------------------------------------------------------


def test_an_audit_runs_then_completes_then_cools_down(
    any_client: Any, fake_server: FakeLinqServer, sleeps: Sleeps
) -> None:
    raw = any_client.phone_numbers.with_raw_response.start_reputation_audit(LINE)
    assert raw.status_code == 202
    started = raw.parse()
    assert isinstance(started, ReputationAuditStarted)
    assert started.status == "pending" and started.audit_id
    assert raw.url.endswith(f"/v3/phone_numbers/{LINE}/reputation_audit")  # the + stays raw in the path
    # A second start while it runs resumes it.
    assert any_client.phone_numbers.start_reputation_audit(LINE).audit_id == started.audit_id

    first = any_client.phone_numbers.get_reputation_audit(started.audit_id, phone_number=LINE)
    assert isinstance(first, ReputationAudit)
    assert (first.status, first.report, first.phone) == ("pending", None, LINE)
    done = any_client.phone_numbers.get_reputation_audit(started.audit_id, phone_number=LINE)
    assert done.status == "complete" and done.audit_id == started.audit_id and done.generated_at is not None
    report = done.report
    assert report is not None
    assert (report.severity, report.primary_driver, report.drivers) == ("HEALTHY", "", ())
    assert [item.priority for item in report.action_items] == [1]
    assert report.evidence is not None and report.evidence.unhealthy_chats == ()
    assert report.summary_markdown and LINE in report.summary_markdown

    with pytest.raises(RateLimitError) as info:
        any_client.phone_numbers.start_reputation_audit(LINE)
    assert info.value.code == 1007
    assert info.value.retry_after == 3600
    assert sleeps == []  # an hour is over max_retry_after: raised at once, never slept into
    fake_server.advance_numbers_clock(3600)
    assert any_client.phone_numbers.start_reputation_audit(LINE).audit_id != started.audit_id


def test_an_audit_of_a_critical_line_names_its_drivers(any_client: Any, fake_server: FakeLinqServer) -> None:
    fake_server.set_line(LINE, reputation="CRITICAL", status="FLAGGED")
    [event] = fake_server.events
    assert event["event_type"] == "phone_number.status_updated"
    assert {k: event["data"][k] for k in ("previous_reputation", "new_reputation", "new_status")} == {
        "previous_reputation": "HEALTHY",
        "new_reputation": "CRITICAL",
        "new_status": "FLAGGED",
    }
    assert any_client.phone_numbers.list().phone_numbers[0].reputation.status == "CRITICAL"
    fake_server.audit_pending_reads = 0
    audit_id = any_client.phone_numbers.start_reputation_audit(LINE).audit_id
    report = any_client.phone_numbers.get_reputation_audit(audit_id, phone_number=LINE).report
    assert report.severity == "CRITICAL" and report.primary_driver == "flagged"
    assert report.primary_driver == report.drivers[0].key
    assert [item.priority for item in report.action_items] == [1, 2]
    assert report.action_items[0].expected_impact == "high"


def test_an_audit_can_fail_and_is_kept_24_hours(any_client: Any, fake_server: FakeLinqServer) -> None:
    audit_id = any_client.phone_numbers.start_reputation_audit(LINE).audit_id
    fake_server.finish_reputation_audit(audit_id, error="The audit could not be completed")
    failed = any_client.phone_numbers.get_reputation_audit(audit_id, phone_number=LINE)
    assert (failed.status, failed.error, failed.report) == ("error", "The audit could not be completed", None)
    assert fake_server.reputation_audit(audit_id)["status"] == "error"
    fake_server.advance_numbers_clock(24 * 3600 + 1)
    with pytest.raises(NotFoundError):
        any_client.phone_numbers.get_reputation_audit(audit_id, phone_number=LINE)


async def test_an_audit_is_scoped_to_its_line(sleeps: Sleeps) -> None:
    async with (
        FakeLinqServer(lines=[LINE, OTHER_LINE]) as fake,
        AsyncLinqClient(fake.api_key, base_url=fake.base_url) as client,
    ):
        audit_id = (await client.phone_numbers.start_reputation_audit(LINE)).audit_id
        with pytest.raises(NotFoundError) as info:
            await client.phone_numbers.get_reputation_audit(audit_id, phone_number=OTHER_LINE)
        assert info.value.code == 2001
        other = await client.phone_numbers.start_reputation_audit(OTHER_LINE)  # lines audit independently
        assert other.audit_id != audit_id
        with pytest.raises(NotFoundError) as unknown:
            await client.phone_numbers.start_reputation_audit("+14155550002")
        assert unknown.value.code == 2019


@pytest.mark.parametrize(
    ("call", "match"),
    [
        pytest.param(lambda c: c.phone_numbers.start_reputation_audit("14155550000"), "E.164", id="no-plus"),
        pytest.param(lambda c: c.phone_numbers.start_reputation_audit("a@b.co"), "E.164", id="email"),
        pytest.param(lambda c: c.phone_numbers.start_reputation_audit(LINE_ID), "E.164", id="line-id"),
        pytest.param(lambda c: c.phone_numbers.get_reputation_audit("", phone_number=LINE), "audit_id", id="empty"),
        pytest.param(lambda c: c.phone_numbers.get_reputation_audit("..", phone_number=LINE), "audit_id", id="dots"),
        pytest.param(lambda c: c.phone_numbers.get_reputation_audit("a\nb", phone_number=LINE), "audit_id", id="nl"),
        pytest.param(lambda c: c.phone_numbers.get_reputation_audit("a", phone_number="+1"), "E.164", id="short"),
    ],
)
def test_bad_audit_arguments_are_refused_unsent(
    any_client: Any, fake_server: FakeLinqServer, call: Callable[[Any], Any], match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        call(any_client)
    assert fake_server.requests == []


def test_an_odd_audit_id_is_one_encoded_path_segment(any_client: Any, fake_server: FakeLinqServer) -> None:
    with pytest.raises(NotFoundError):
        any_client.phone_numbers.get_reputation_audit("a/b c?d#e%", phone_number=LINE)
    [seen] = fake_server.requests
    assert seen.path == f"/api/partner/v3/phone_numbers/{LINE}/reputation_audit/a/b c?d#e%"
    assert seen.query == {}


# phonenumbers.list (deprecated) --------------------------------------------------------------


def test_the_legacy_list_warns_and_still_answers(any_client: Any, fake_server: FakeLinqServer) -> None:
    with pytest.warns(DeprecationWarning, match=r"use phone_numbers\.list"):
        answer = any_client.phonenumbers.list()
    assert isinstance(answer, PhonenumberListResponse)
    [line] = answer.phone_numbers
    assert isinstance(line, LegacyPhoneNumber)
    assert (line.id, line.phone_number, line.type, line.country_code) == (fake_server.line_id(LINE), LINE, None, None)
    assert line.capabilities is not None and line.capabilities.sms and line.capabilities.mms
    with pytest.warns(DeprecationWarning, match="phonenumbers"):
        assert any_client.phonenumbers.with_raw_response.list().status_code == 200


async def test_the_warning_points_at_the_callers_line(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, {"phone_numbers": []})
    with pytest.warns(DeprecationWarning, match="phonenumbers") as caught:
        await client.phonenumbers.list()
    assert caught[0].filename == __file__


def test_the_sync_warning_points_at_the_callers_line_too(fake_server: FakeLinqServer) -> None:
    with SyncLinqClient(fake_server.api_key, base_url=fake_server.base_url) as client:
        with pytest.warns(DeprecationWarning, match="phonenumbers") as caught:
            client.phonenumbers.list()
        assert caught[0].filename == __file__


# experiences ---------------------------------------------------------------------------------


def test_experiences_are_the_documented_catalogue(any_client: Any, fake_server: FakeLinqServer) -> None:
    listed = any_client.experiences.list()
    assert isinstance(listed, ExperienceListResponse)
    assert [e.experience for e in listed.experiences] == ["agentpay", "agentcard", "link"]
    actions = {(e.experience, a.name) for e in listed.experiences for a in e.actions}
    assert actions == {
        ("agentpay", "request_payment"),
        ("agentcard", "attach_card"),
        ("agentcard", "approve_card"),
        ("link", "open"),
    }
    agentpay = any_client.experiences.retrieve("agentpay")
    assert isinstance(agentpay, Experience)
    fields = agentpay.actions[0].fields
    assert (fields["checkout_url"].type, fields["checkout_url"].required) == ("url", True)
    assert fields["title"].required is False and fields["title"].max == 60
    assert agentpay.to_dict()["actions"][0]["fields"]["checkout_url"] == {"type": "url", "required": True}


def test_an_unknown_experience_is_404_and_the_catalogue_can_change(
    any_client: Any, fake_server: FakeLinqServer
) -> None:
    with pytest.raises(NotFoundError):
        any_client.experiences.retrieve("nope")
    fake_server.set_experiences([{"experience": "tip", "display_name": "Tip", "actions": []}])
    assert [e.experience for e in any_client.experiences.list().experiences] == ["tip"]
    assert any_client.experiences.retrieve("tip").display_name == "Tip"
    with pytest.raises(ValidationError):
        fake_server.set_experiences([{"display_name": "no name"}])


@pytest.mark.parametrize("name", ["", "..", 5, "a\tb"])
def test_bad_experience_names_are_refused_unsent(any_client: Any, fake_server: FakeLinqServer, name: Any) -> None:
    with pytest.raises(ValidationError, match="experience"):
        any_client.experiences.retrieve(name)
    assert fake_server.requests == []


# Models --------------------------------------------------------------------------------------


async def test_answers_with_missing_nulled_or_new_fields_parse(client: AsyncLinqClient, api: ScriptedAPI) -> None:
    api.reply(200, {"phone_numbers": [{"id": LINE_ID, "phone_number": LINE, "reputation": None, "brand_new": 1}]})
    [line] = (await client.phone_numbers.list()).phone_numbers
    assert line.reputation is None and line.line_type is None and line.extra == {"brand_new": 1}
    api.reply(200, {"audit_id": "a", "status": "complete", "report": {"drivers": None, "severity": "AT_RISK"}})
    audit = await client.phone_numbers.get_reputation_audit("a", phone_number=LINE)
    assert audit.report is not None and audit.report.drivers == () and audit.report.severity == "AT_RISK"
    api.reply(200, {"experiences": [{"experience": "x", "actions": [{"name": "go", "fields": None}]}]})
    [experience] = (await client.experiences.list()).experiences
    assert experience.actions[0].fields == {} and experience.display_name is None
    api.reply(200, {})
    assert (await client.experiences.list()).experiences == ()
    api.reply(200, {})
    assert (await client.phone_numbers.update(LINE_ID, forwarding_number=None)).id is None


# Conformance: the legacy list is the one path here that the February 2026 spec has ------------


@pytest.mark.prism
@pytest.mark.filterwarnings(r"ignore:phonenumbers\.list:DeprecationWarning")
async def test_the_legacy_list_conforms(
    prism_client: Callable[..., AsyncLinqClient], violations: ViolationRecorder
) -> None:
    client = prism_client()
    answer = await client.phonenumbers.list()
    [line] = answer.phone_numbers
    assert line.phone_number == "+12025551234" and line.capabilities is not None
    assert line.extra == {"status": "ASSIGNED"}
    assert [s for _, _, s in violations.exchanges] == [200]
    assert violations.violations == []
