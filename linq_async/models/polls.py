"""iMessage polls: what ``chats.polls.create`` and ``messages.poll.add_options`` take, and what every poll call returns.

A poll is a message of its own (its id is the poll's id) with options and no title; ask the
question in a text message beside it. Options are only ever added, never edited or removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._convert import Model
from .._errors import ValidationError
from .._rules import RuleError
from .common import ChatHandle, Reaction

__all__ = ["Poll", "PollEnvelope", "PollInput", "PollOption", "PollOptionInput", "PollVoter"]

MIN_POLL_OPTIONS = 2  # a poll is created with 2 options or more; each later add brings 1 or more


def check_poll_options(options: object, *, minimum: int = MIN_POLL_OPTIONS, name: str = "options") -> None:
    """Check a list of wire options (``[{"text": ...}, ...]``) against the documented rules, or ``RuleError``.

    The client and the fake server share it: a list, at least ``minimum`` options, each an object
    whose ``text`` is a string that is not blank.
    """
    if not isinstance(options, (list, tuple)):
        raise RuleError(f"{name} must be a list of options, got {type(options).__name__}", rule="invalid_body")
    for i, option in enumerate(options):
        text = option.get("text") if isinstance(option, Mapping) else None
        if not isinstance(text, str) or not text.strip():
            shown = repr(text) if len(repr(text)) <= 40 else repr(text)[:37] + "..."
            raise RuleError(f"{name}[{i}] needs a text that is not blank, got {shown}", rule="poll_option_text")
    if len(options) < minimum:
        needed = f"a poll needs at least {minimum} options" if minimum > 1 else "give at least one option"
        raise RuleError(f"{name}: {needed}, got {len(options)}", rule="poll_too_few_options")


@attrs.frozen(kw_only=True)
class PollOptionInput(Model):
    """One option to send: its ``text`` (not blank)."""

    text: str


def _as_options(
    options: Iterable[PollOptionInput | Mapping[str, Any] | str],
) -> tuple[PollOptionInput | Mapping[str, Any], ...]:
    if isinstance(options, (str, bytes, Mapping)) or not isinstance(options, Iterable):
        raise ValidationError(f"poll options must be a list of options, got {type(options).__name__}")
    return tuple(PollOptionInput(text=option) if isinstance(option, str) else option for option in options)


@attrs.frozen(kw_only=True)
class PollInput(Model):
    """A poll to create: two ``options`` or more (``PollOptionInput``, dicts or plain strings).

    ``idempotency_key`` makes a resend harmless; one is generated when left out.
    """

    options: tuple[PollOptionInput | Mapping[str, Any], ...] = attrs.field(converter=_as_options)
    idempotency_key: str | None = None


@attrs.frozen(kw_only=True)
class PollVoter(Model):
    """A participant who picked an option, and when."""

    handle: str
    voted_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class PollOption(Model):
    """An option of a poll: ``option_id`` (what ``messages.poll.vote`` takes), ``text`` and its ``voters``.

    ``creator_handle`` is whoever added the option. On a zero-day-retention line ``text`` is empty.
    """

    option_id: str
    text: str = ""
    voters: tuple[PollVoter, ...] = ()
    can_be_edited: bool | None = None
    creator_handle: ChatHandle | None = None

    @property
    def vote_count(self) -> int:
        """How many participants picked this option."""
        return len(self.voters)


@attrs.frozen(kw_only=True)
class Poll(Model):
    """A poll's options, in order, and ``total_voters``: the distinct participants who voted at all."""

    options: tuple[PollOption, ...] = ()
    total_voters: int | None = None


@attrs.frozen(kw_only=True)
class PollEnvelope(Model):
    """The answer of every poll call: the poll message (``message_id``, ``chat_id``) and the poll's current state.

    ``reactions`` are the tapbacks and stickers on the poll itself.
    """

    message_id: str
    poll: Poll
    chat_id: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    reactions: tuple[Reaction, ...] = ()
