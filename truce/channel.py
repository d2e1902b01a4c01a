"""The parties' channel through the mission, and parity of what they read.

A mixin of :class:`truce.mission.Mission` (like :mod:`truce.casework`):

* **correspondence** (:mod:`truce.workflow.correspondence`): a party opens a
  thread choosing who may read its content (``public``, ``mission``,
  ``parties``), writes and answers in it, sets deadlines, acknowledges
  receipt; bodies of non-public threads are sealed to the readers' keys
  (:mod:`truce.sealing`), so the log — which is public — carries only boxes;
* **releases**: an approver releases a report to the parties at one instant;
  neither may read it before, both may after;
* **access log**: every read a party makes through the facade (a record, a
  history, its notifications, a thread, a report) is logged as an ``access``
  record signed with the mission's key, and both parties may read that log —
  each sees what the other read, and when.

Example::

    opened = mission.correspond(party_a, "A", "B", "Repair window", "We ask ...",
                                content="parties", reply_by=deadline)
    mission.acknowledge(opened.record_id, party_b, party="B")
    mission.thread(opened.record_id, Reader("party", "B", party_b.keyid), signer=party_b)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from truce.errors import AuthError, NotFound, ValidationError
from truce.intake.gate import Receipt
from truce.keys import Signer
from truce.records import Access, Correspondence, Release, format_utc, parse_record
from truce.roles import check_may
from truce.sealing import seal, unseal
from truce.store import KeyState, Store, StoredRecord
from truce.workflow import Linked, Related
from truce.workflow.correspondence import ThreadState, thread_state
from truce.workflow.visibility import MISSION_ROLES, Reader

__all__ = ["Channel"]


class Channel:
    """Correspondence threads, report releases and the parties' access log."""

    store: Store
    clock: Callable[[], datetime]

    # Provided by Mission.
    new_record: Callable[..., dict[str, Any]]
    submit_record: Callable[[Mapping[str, Any], Signer], Receipt]
    submit: Callable[..., list[Receipt]]
    sign: Callable[..., Any]
    admin_signer: Callable[[], Signer]
    keys: Callable[[], list[KeyState]]
    _signer_of: Callable[[str], KeyState]

    # -- correspondence ----------------------------------------------------------

    def correspond(
        self,
        signer: Signer,
        from_party: str,
        to_party: str,
        subject: str,
        body: str,
        *,
        thread: str | None = None,
        in_reply_to: str | None = None,
        content: str | None = None,
        reply_by: datetime | None = None,
        language: str | None = None,
        entropy: bytes | None = None,
    ) -> Receipt:
        """Write to the other party: open a thread (give ``content``) or write in
        ``thread``. A non-public body is sealed to the keys that may read it
        (``entropy``: reproducible boxes, for demos — see :func:`truce.sealing.seal`)."""
        record: dict[str, Any] = {"from_party": from_party, "to_party": to_party}
        record["subject"] = subject
        rule = content
        if thread is not None:
            if content is not None:
                raise ValidationError(
                    "a thread's content rule is set by its first message", field="content"
                )
            opener = self._message(thread, "thread")
            if opener.thread is not None:
                raise ValidationError(
                    f"message {thread[:12]} is a reply, not a thread", field="thread"
                )
            rule = opener.content
            record["thread"] = self.store.resolve(thread).record_id
        else:
            record["content"] = content
        if in_reply_to is not None:
            record["in_reply_to"] = self.store.resolve(in_reply_to).record_id
        if rule == "public" or rule is None:
            record["body"] = body
        else:
            readers = self._readers(rule, (from_party, to_party))
            record["sealed_body"] = seal(body, readers, entropy=entropy)
        if reply_by is not None:
            record["reply_by"] = format_utc(reply_by)
        if language is not None:
            record["language"] = language
        return self.submit_record(self.new_record("correspondence", record), signer)

    def acknowledge(self, message: str, signer: Signer, *, party: str) -> Receipt:
        """``party`` (the addressee) confirms it received ``message``."""
        record = {"message": self._message_id(message), "party": party}
        return self.submit_record(self.new_record("acknowledgement", record), signer)

    def threads(self, *, reader: Reader) -> list[dict[str, Any]]:
        """Every thread ``reader`` may see, with its metadata (newest activity last)."""
        check_may(reader.role, "correspondence.read")
        out = []
        for stored in self.store.scan(kinds=["correspondence"]):
            record = parse_record(stored.payload)
            assert isinstance(record, Correspondence)
            if record.thread is None and self._may_read_thread(reader, record):
                out.append(self._thread(stored).summary())
        return sorted(out, key=lambda t: (t["last_at"], t["thread"]))

    def thread(self, ref: str, reader: Reader, *, signer: Signer | None = None) -> dict[str, Any]:
        """A thread's messages as ``reader`` may see them.

        The mission always reads the metadata; a body is shown when it is
        public, when the mission reads a ``mission`` thread (with its admin
        key), or when a party gives its own key (``signer``) to open a box
        sealed to it. A party's read is logged (:meth:`accesses`)."""
        check_may(reader.role, "correspondence.read")
        opener = self._message(ref, "thread")
        if opener.thread is not None:
            raise ValidationError(f"message {ref[:12]} is a reply, not a thread", field="thread")
        if not self._may_read_thread(reader, opener):
            raise AuthError(f"{_who(reader)} may not read thread {ref[:12]}")
        if signer is not None and reader.keyid not in (None, signer.keyid):
            raise AuthError("the key given is not the reader's key", keyid=signer.keyid)
        state = self._thread(self.store.resolve(ref))
        opening = signer
        if opening is None and reader.role in MISSION_ROLES and state.content == "mission":
            opening = self.admin_signer()
        messages = [m.to_dict(body=_body(m.record, opening)) for m in state.messages]
        self._log_access(reader, "thread", [m["record_id"] for m in messages])
        return {**state.summary(), "items": messages}

    # -- releases ----------------------------------------------------------------

    def release_report(
        self,
        data: bytes,
        title: str,
        signer: Signer,
        *,
        release_at: datetime,
        parties: Sequence[str],
        media_type: str = "text/html",
    ) -> Receipt:
        """Release a report (its bytes) to ``parties`` at one instant, ``release_at``."""
        sha = hashlib.sha256(data).hexdigest()
        record = self.new_record(
            "release",
            {
                "report": sha,
                "title": title,
                "media_type": media_type,
                "size": len(data),
                "release_at": format_utc(release_at),
                "parties": list(parties),
            },
        )
        return self.submit([self.sign(record, signer)], blobs={sha: data})[0]

    def releases(self, *, reader: Reader) -> list[dict[str, Any]]:
        """The reports released to ``reader`` (every release, for the mission),
        each with its one release instant and whether it is out yet."""
        check_may(reader.role, "report.read")
        now = self.clock()
        out = []
        for stored in self.store.scan(kinds=["release"]):
            record = parse_record(stored.payload)
            assert isinstance(record, Release)
            if reader.role == "party" and reader.party not in record.parties:
                continue
            out.append(
                {
                    "release": stored.record_id,
                    "report": record.report,
                    "title": record.title,
                    "media_type": record.media_type,
                    "size": record.size,
                    "release_at": format_utc(record.release_at),
                    "parties": list(record.parties),
                    "released": now >= record.release_at,
                    "synthetic": record.synthetic,
                }
            )
        return out

    def report(self, sha256: str, reader: Reader) -> bytes:
        """A released report's bytes; a party may read it only from its release
        instant on (the same for every party), and the read is logged."""
        check_may(reader.role, "report.read")
        rows = [
            r
            for r in self.releases(reader=reader)
            if r["report"] == sha256 or r["release"] == sha256
        ]
        if not rows:
            raise NotFound(
                "report", sha256, hint=f"releases list the reports released to {_who(reader)}"
            )
        row = rows[0]
        if reader.role not in MISSION_ROLES and not row["released"]:
            raise AuthError(f"report {row['report'][:12]} is released at {row['release_at']}")
        data = self.store.get_blob(row["report"])
        if data is None:
            raise NotFound("report in the store", row["report"])
        self._log_access(reader, "report", [row["report"]])
        return data

    def unreleased_reports(self) -> set[str]:
        """SHA-256 of every report whose release instant has not come yet: the
        published log holds their release records, not yet their bytes."""
        now = self.clock()
        held: set[str] = set()
        for stored in self.store.scan(kinds=["release"]):
            record = parse_record(stored.payload)
            assert isinstance(record, Release)
            if record.release_at > now:
                held.add(record.report)
        return held

    # -- the access log ------------------------------------------------------------

    def accesses(self, *, reader: Reader, party: str | None = None) -> list[dict[str, Any]]:
        """The parties' logged reads (of ``party`` only, if given), in log order.
        Both parties read the whole log: each sees what the other read."""
        check_may(reader.role, "access.read")
        out = []
        for stored in self.store.scan(kinds=["access"]):
            record = parse_record(stored.payload)
            assert isinstance(record, Access)
            if party is not None and record.party != party:
                continue
            out.append(
                {
                    "seq": stored.seq,
                    "at": format_utc(record.signed_at),
                    "party": record.party,
                    "reader": record.reader,
                    "action": record.action,
                    "items": list(record.items),
                }
            )
        return out

    def _log_access(self, reader: Reader, action: str, items: Sequence[str]) -> None:
        """Log a party's read with the mission's key (nothing for the mission's own)."""
        if reader.role != "party" or reader.party is None:
            return
        body: dict[str, Any] = {"party": reader.party, "action": action, "items": list(items)}
        if reader.keyid is not None:
            body["reader"] = reader.keyid
        self.submit_record(self.new_record("access", body), self.admin_signer())

    # -- helpers -------------------------------------------------------------------

    def _message_id(self, ref: str) -> str:
        try:
            return self.store.resolve(ref).record_id
        except NotFound:
            raise ValidationError(f"no message {ref}", field="message") from None

    def _message(self, ref: str, field: str) -> Correspondence:
        try:
            stored = self.store.resolve(ref)
        except NotFound:
            raise ValidationError(f"no message {ref}", field=field) from None
        record = parse_record(stored.payload)
        if not isinstance(record, Correspondence):
            raise ValidationError(f"record {ref[:12]} is a {stored.kind}", field=field)
        return record

    def _readers(self, rule: str, parties: Sequence[str]) -> list[tuple[str, bytes]]:
        """The active keys a ``rule`` thread between ``parties`` is sealed to."""
        keys = self._sealing_keys(rule, parties)
        for i, party in enumerate(parties):
            if not any(k.party == party for k in keys):
                raise ValidationError(
                    f"party {party} has no active key to seal the body to",
                    field="from_party" if i == 0 else "to_party",
                )
        if rule == "mission" and not any(k.role == "admin" for k in keys):
            raise ValidationError("the mission has no active admin key", field="content")
        return [(k.keyid, k.public_key) for k in keys]

    def _sealing_keys(self, rule: str, parties: Sequence[str]) -> list[KeyState]:
        return [
            k
            for k in self.keys()
            if k.status == "active"
            and (
                (k.role == "party" and k.party in parties)
                or (k.role == "admin" and rule == "mission")
            )
        ]

    def _thread(self, opener: StoredRecord) -> ThreadState:
        related = Related(self.store, self._signer_of)
        replies = related.about(opener.record_id, {"correspondence"})
        ids = [opener.record_id, *(r.record_id for r in replies)]
        acks: list[Linked] = [a for i in ids for a in related.about(i, {"acknowledgement"})]
        return thread_state(related.linked(opener), replies, acks, self.clock())

    def _may_read_thread(self, reader: Reader, opener: Correspondence) -> bool:
        if reader.role in MISSION_ROLES:
            return True
        if reader.role == "party":
            return reader.party in (opener.from_party, opener.to_party)
        return opener.content == "public"


def _body(record: Correspondence, signer: Signer | None) -> str | None:
    if record.body is not None:
        return record.body
    if signer is None or record.sealed_body is None:
        return None
    if all(s.keyid != signer.keyid for s in record.sealed_body):
        return None
    return unseal([s.model_dump() for s in record.sealed_body], signer)


def _who(reader: Reader) -> str:
    return f"party {reader.party}" if reader.role == "party" else f"a {reader.role}"
