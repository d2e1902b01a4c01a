"""Correspondence threads between the parties: the rules and a thread's state.

Rules (checked at intake, :func:`check_message` and :func:`check_acknowledgement`):

* a reply names its thread — the thread's first message — and is between the
  same two parties, in either direction; ``in_reply_to``, if given, is a
  message of the same thread;
* a reply's body is plain in a ``public`` thread and sealed otherwise;
* a sealed body is sealed to active keys only: at least one key of each of
  the two parties, plus an admin key of the mission in a ``mission`` thread,
  and to no one else — so the log itself shows who can read a message;
* only the addressee acknowledges receipt of a message, once.

State (:func:`thread_state`): the messages in log order; for each, who
acknowledged it and when; the deadline it set (``reply_by``) and whether it
was met — answered by the addressee in the same thread before the deadline —
or is overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from truce.errors import AuthError, Conflict, ValidationError
from truce.records import Acknowledgement, Correspondence, format_utc
from truce.store import KeyState
from truce.workflow.linked import Linked

__all__ = [
    "MessageState",
    "ThreadState",
    "check_acknowledgement",
    "check_message",
    "thread_state",
]


def check_message(
    record: Correspondence,
    opener: Linked | None,
    in_reply_to: Linked | None,
    key: Callable[[str], KeyState | None],
) -> None:
    """Raise unless ``record`` fits its thread (``opener``, the thread's first
    message, None when ``record`` opens the thread) and its sealed body is sealed
    to the right keys."""
    content = record.content
    if opener is not None:
        first = opener.record
        assert isinstance(first, Correspondence)
        if first.thread is not None:
            raise ValidationError(
                f"message {opener.record_id[:12]} is a reply, not the first message of a thread",
                field="payload.thread",
            )
        if {first.from_party, first.to_party} != {record.from_party, record.to_party}:
            raise ValidationError(
                f"thread {opener.record_id[:12]} is between {first.from_party} and "
                f"{first.to_party}, not {record.from_party} and {record.to_party}",
                field="payload.to_party",
            )
        content = first.content
        if (content == "public") != (record.body is not None):
            wants = "a plain body" if content == "public" else "a sealed_body"
            raise ValidationError(
                f"thread {opener.record_id[:12]} is {content}: a reply needs {wants}",
                field="payload.body" if record.body is not None else "payload.sealed_body",
            )
    if in_reply_to is not None:
        earlier = in_reply_to.record
        assert isinstance(earlier, Correspondence)
        thread = earlier.thread or in_reply_to.record_id
        if thread != record.thread:
            raise ValidationError(
                f"message {in_reply_to.record_id[:12]} is not in thread "
                f"{(record.thread or '')[:12]}",
                field="payload.in_reply_to",
            )
    if record.sealed_body is not None:
        _check_recipients(record, content, key)


def _check_recipients(
    record: Correspondence, content: str | None, key: Callable[[str], KeyState | None]
) -> None:
    assert record.sealed_body is not None
    audience = {record.from_party, record.to_party}
    reached: set[str] = set()
    for i, item in enumerate(record.sealed_body):
        field = f"payload.sealed_body[{i}].keyid"
        state = key(item.keyid)
        if state is None or state.status != "active":
            raise ValidationError(f"key {item.keyid} is not an active key", field=field)
        if state.role == "party" and state.party in audience:
            reached.add(state.party)
        elif state.role == "admin" and content == "mission":
            reached.add("mission")
        else:
            who = f"party {state.party}" if state.role == "party" else f"a {state.role}"
            raise ValidationError(
                f"key {item.keyid} belongs to {who}, who may not read a {content} thread",
                field=field,
            )
    wanted = audience | ({"mission"} if content == "mission" else set())
    if missing := sorted(wanted - reached):
        raise ValidationError(
            f"the body is not sealed to any key of {', '.join(missing)}",
            field="payload.sealed_body",
        )


def check_acknowledgement(
    record: Acknowledgement, message: Linked, earlier: Sequence[Linked], signer: KeyState
) -> None:
    """Raise unless ``record`` is the addressee's first acknowledgement of ``message``."""
    sent = message.record
    assert isinstance(sent, Correspondence)
    if signer.party != record.party:
        raise AuthError(
            f"a key of party {signer.party} cannot acknowledge for party {record.party}",
            keyid=signer.keyid,
        )
    if sent.to_party != record.party:
        raise ValidationError(
            f"message {message.record_id[:12]} is addressed to {sent.to_party}, not {record.party}",
            field="payload.party",
        )
    for ack in earlier:
        assert isinstance(ack.record, Acknowledgement)
        if ack.record.party == record.party:
            raise Conflict(
                f"party {record.party} already acknowledged message {message.record_id[:12]}",
                existing={"acknowledgement": ack.record_id},
            )


@dataclass(frozen=True)
class MessageState:
    """One message of a thread, with its receipt and its deadline."""

    record_id: str
    record: Correspondence
    sent_at: datetime
    acknowledged_at: datetime | None
    answered_at: datetime | None  #: the addressee's first later message in the thread
    overdue: bool  #: a deadline passed without an answer

    def to_dict(self, *, body: str | None) -> dict[str, Any]:
        """JSON-ready; ``body`` is the text as the reader may see it (None: withheld)."""
        r = self.record
        return {
            "record_id": self.record_id,
            "from": r.from_party,
            "to": r.to_party,
            "subject": r.subject,
            "sent_at": format_utc(self.sent_at),
            "in_reply_to": r.in_reply_to,
            "sealed_to": [s.keyid for s in r.sealed_body] if r.sealed_body else None,
            "body": body,
            "reply_by": format_utc(r.reply_by) if r.reply_by else None,
            "acknowledged_at": _utc(self.acknowledged_at),
            "answered_at": _utc(self.answered_at),
            "overdue": self.overdue,
            "synthetic": r.synthetic,
        }


@dataclass(frozen=True)
class ThreadState:
    """A thread: who, what content rule, its messages in log order."""

    thread_id: str
    parties: tuple[str, str]
    content: str
    subject: str
    messages: tuple[MessageState, ...]

    @property
    def awaiting(self) -> list[MessageState]:
        """Messages with a deadline not yet answered (overdue or not)."""
        return [m for m in self.messages if m.record.reply_by and m.answered_at is None]

    def summary(self) -> dict[str, Any]:
        """The thread's metadata, which the mission may always read."""
        last = self.messages[-1]
        return {
            "thread": self.thread_id,
            "parties": list(self.parties),
            "content": self.content,
            "subject": self.subject,
            "messages": len(self.messages),
            "last_at": format_utc(last.sent_at),
            "unacknowledged": sum(1 for m in self.messages if m.acknowledged_at is None),
            "awaiting_reply": [
                {
                    "message": m.record_id,
                    "from": m.record.to_party,
                    "reply_by": _utc(m.record.reply_by),
                    "overdue": m.overdue,
                }
                for m in self.awaiting
            ],
        }


def thread_state(
    opener: Linked, replies: Sequence[Linked], acks: Sequence[Linked], now: datetime
) -> ThreadState:
    """The state of the thread ``opener`` starts, given its later messages and
    the acknowledgements of any of its messages (each in log order)."""
    first = opener.record
    assert isinstance(first, Correspondence) and first.content is not None
    messages = [opener, *sorted(replies, key=lambda x: x.seq)]
    acked: dict[str, datetime] = {}
    for ack in acks:
        assert isinstance(ack.record, Acknowledgement)
        acked.setdefault(ack.record.message, ack.signed_at)
    states = []
    for i, item in enumerate(messages):
        msg = item.record
        assert isinstance(msg, Correspondence)
        answer = next(
            (
                later.signed_at
                for later in messages[i + 1 :]
                if isinstance(later.record, Correspondence)
                and later.record.from_party == msg.to_party
            ),
            None,
        )
        deadline = msg.reply_by
        overdue = deadline is not None and (
            (answer is None and now > deadline) or (answer is not None and answer > deadline)
        )
        states.append(
            MessageState(
                item.record_id, msg, msg.signed_at, acked.get(item.record_id), answer, overdue
            )
        )
    return ThreadState(
        opener.record_id,
        (first.from_party, first.to_party),
        first.content,
        first.subject,
        tuple(states),
    )


def _utc(at: datetime | None) -> str | None:
    return format_utc(at) if at is not None else None
