"""Intake's workflow checks: the lifecycle, four eyes and reply rules, against the log.

:class:`truce.intake.gate.Gate` calls :func:`check_workflow` for the workflow
record types; the rules themselves are in :mod:`truce.workflow`. The records a
rule needs (an allegation's steps, a finding's approvals and replies) are read
through :class:`truce.workflow.Related`: the store's subject index plus the
records earlier in the same batch, less those a correction supersedes.
"""

from __future__ import annotations

from datetime import datetime

from truce.agreement.book import AgreementBook
from truce.errors import AuthError, Conflict, ValidationError
from truce.records import (
    Acknowledgement,
    AllegationStep,
    Approval,
    Attributed,
    Correspondence,
    Disclosure,
    Finding,
    Link,
    Observation,
    Record,
    Reply,
    VerificationTask,
)
from truce.store import KeyState
from truce.workflow import (
    Linked,
    Related,
    check_approval,
    check_reply,
    check_step,
    check_task,
    finding_state,
)
from truce.workflow.correspondence import check_acknowledgement, check_message

__all__ = ["check_workflow"]


def check_workflow(
    record: Record,
    signer: KeyState,
    related: Related,
    now: datetime,
    agreements: AgreementBook,
) -> None:
    """Raise unless ``record`` (signed by ``signer``) is a legal workflow step now."""
    if isinstance(record, AllegationStep):
        related.target(record.allegation, "allegation", "payload.allegation")
        check_step(record.allegation, related.steps(record.allegation), record)
        if record.finding is not None:
            draft = related.target(record.finding, "finding", "payload.finding")
            assert isinstance(draft.record, Finding)
            if record.allegation not in draft.record.allegations:
                raise ValidationError(
                    f"finding {record.finding[:12]} does not cite this allegation",
                    field="payload.finding",
                )
            state = finding_state(draft, related.about(record.finding, {"approval"}))
            if record.state == "confirmed" and state.status != "approved":
                raise ValidationError(
                    f"finding {record.finding[:12]} is {state.status}: an allegation is "
                    "confirmed only by an approved finding",
                    field="payload.finding",
                )
    elif isinstance(record, VerificationTask):
        related.target(record.allegation, "allegation", "payload.allegation")
        check_task(record.allegation, related.steps(record.allegation))
    elif isinstance(record, Approval):
        draft = related.target(record.finding, "finding", "payload.finding")
        me = Linked("", record, signer.keyid, signer.principal, -1)
        check_approval(draft, related.about(record.finding, {"approval"}), me)
    elif isinstance(record, Reply):
        if signer.party != record.party:
            raise AuthError(
                f"a key of party {signer.party} cannot reply for party {record.party}",
                keyid=signer.keyid,
            )
        draft = related.target(record.finding, "finding", "payload.finding")
        approvals = related.about(record.finding, {"approval"})
        replies = related.about(record.finding, {"reply"})
        check_reply(draft, approvals, replies, record, now)
    elif isinstance(record, Correspondence):
        opener = None
        if record.thread is not None:
            opener = related.target(record.thread, "correspondence", "payload.thread")
        earlier = None
        if record.in_reply_to is not None:
            earlier = related.target(record.in_reply_to, "correspondence", "payload.in_reply_to")
        check_message(record, opener, earlier, related.key)
    elif isinstance(record, Acknowledgement):
        message = related.target(record.message, "correspondence", "payload.message")
        check_acknowledgement(
            record, message, related.about(record.message, {"acknowledgement"}), signer
        )
    elif isinstance(record, Disclosure):
        target = related.target(record.record, "observation", "payload.record")
        assert isinstance(target.record, Observation)
        if record.path not in (target.record.sealed or {}):
            raise ValidationError(
                f"record {record.record[:12]} seals no field {record.path}", field="payload.path"
            )
    elif isinstance(record, Link):
        related.target(record.allegation, "allegation", "payload.allegation")
        related.target(record.observation, "observation", "payload.observation")
        for earlier_link in related.about(record.allegation, {"link"}):
            assert isinstance(earlier_link.record, Link)
            if earlier_link.record.observation == record.observation:
                raise Conflict(
                    f"observation {record.observation[:12]} is already linked to allegation "
                    f"{record.allegation[:12]} (withdraw that link with a correction first)",
                    existing={"link": earlier_link.record_id},
                )
    elif isinstance(record, Finding) and isinstance(record.attribution, Attributed):
        version = record.term.agreement_version
        stated = [
            a.evidentiary_standard
            for aid in agreements.ids()
            if (a := agreements.get(aid, version)) is not None
        ]
        if not any(stated):
            raise ValidationError(
                f"agreement version {version} states no evidentiary standard: a finding "
                "cannot attribute an act (use not_attributed and say why)",
                field="payload.attribution",
            )
        if record.certainty != "confirmed":
            raise ValidationError(
                f"attribution needs certainty confirmed under the agreement's evidentiary "
                f"standard, not {record.certainty} (use not_attributed and say why)",
                field="payload.attribution",
            )
