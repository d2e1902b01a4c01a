"""What storage indexes and lists show of a record: event time, subject, summary.

These are pure functions of a validated record; they never read the clock.
"""

from __future__ import annotations

from datetime import datetime

from truce.records.access import Access, Release
from truce.records.agreement import AgreementVersion
from truce.records.allegation import Allegation
from truce.records.approval import Approval
from truce.records.common import BearingLocation, Location, TimeSpec
from truce.records.correction import Correction
from truce.records.correspondence import Acknowledgement, Correspondence
from truce.records.coverage import Coverage
from truce.records.disclosure import Disclosure
from truce.records.evidence import Evidence
from truce.records.finding import Attributed, Finding
from truce.records.header import RecordHeader
from truce.records.key import KeyEvent
from truce.records.link import Link
from truce.records.observation import Observation
from truce.records.reply import Reply
from truce.records.verification import AllegationStep, VerificationTask

__all__ = ["SUMMARY_MAX", "event_time", "sealed_paths", "subject", "summary"]

#: Longest summary line.
SUMMARY_MAX = 120


def event_time(record: RecordHeader) -> datetime | None:
    """When the recorded event happened (UTC), for the storage index.

    Guarantees: observation and allegation -> start of their time interval;
    coverage -> first track point, first uptime interval start, or start of
    the denied-access time; evidence -> ``captured_at``; others -> None.
    """
    if isinstance(record, Observation):
        return record.time.interval()[0]
    if isinstance(record, Allegation):
        return record.claim.time.interval()[0]
    if isinstance(record, Coverage):
        if record.track:
            return record.track[0].t
        if record.intervals:
            return record.intervals[0].start
        if record.time is not None:
            return record.time.interval()[0]
        return None
    if isinstance(record, Evidence):
        return record.captured_at
    return None


def subject(record: RecordHeader) -> str | None:
    """The thing a record is about, for the storage index.

    Guarantees: key -> ``keyid``; agreement -> ``agreement_id@version``;
    correction -> the superseded record id; finding -> its first allegation,
    else its first observation; correspondence -> its ``thread`` (None for a
    thread's first message); acknowledgement -> the message; allegation_step,
    verification_task, link -> the allegation; approval, reply -> the
    finding; release -> the report's SHA-256; disclosure -> the record whose
    field it reveals; others -> None.
    """
    if isinstance(record, KeyEvent):
        return record.keyid
    if isinstance(record, AgreementVersion):
        return f"{record.agreement_id}@{record.version}"
    if isinstance(record, Correction):
        return record.supersedes
    if isinstance(record, Finding):
        refs = record.allegations or record.observations
        return refs[0] if refs else None
    if isinstance(record, Correspondence):
        return record.thread
    if isinstance(record, Acknowledgement):
        return record.message
    if isinstance(record, AllegationStep | VerificationTask | Link):
        return record.allegation
    if isinstance(record, Release):
        return record.report
    if isinstance(record, Disclosure):
        return record.record
    if isinstance(record, Approval | Reply):
        return record.finding
    return None


def sealed_paths(record: RecordHeader) -> tuple[str, ...]:
    """Field paths the record seals (carries only as commitments; observations only)."""
    if isinstance(record, Observation):
        return tuple(sorted(record.sealed or {}))
    return ()


# -- summary -----------------------------------------------------------------


def _deg(value: float, pos: str, neg: str) -> str:
    return f"{abs(value):.3f}{pos if value >= 0 else neg}"


def _place(loc: Location) -> str:
    if isinstance(loc, BearingLocation):
        obs = loc.observer
        return (
            f"{loc.direction} {loc.distance_band} of "
            f"{_deg(obs.lat, 'N', 'S')} {_deg(obs.lon, 'E', 'W')}"
        )
    text = f"{_deg(loc.lat, 'N', 'S')} {_deg(loc.lon, 'E', 'W')}"
    if loc.uncertainty_m >= 10_000:
        text += f" ±{loc.uncertainty_m / 1000:.0f} km"
    elif loc.uncertainty_m > 0:
        text += f" ±{loc.uncertainty_m:.0f} m"
    return text


def _when(spec: TimeSpec) -> str:
    if spec.at is not None:
        at = spec.at
        precision = spec.precision or "minute"
        if precision == "second":
            return at.strftime("%Y-%m-%d %H:%M:%SZ")
        if precision in ("minute", "hour"):
            text = at.strftime("%Y-%m-%d %H:%MZ")
            return text if precision == "minute" else f"{text} (±1 h)"
        if precision == "day":
            return at.strftime("%Y-%m-%d")
        return f"{precision} from {at.strftime('%Y-%m-%d')}"
    start, end = spec.interval()
    tail = "%H:%MZ" if start.date() == end.date() else "%Y-%m-%d %H:%MZ"
    return f"{start.strftime('%Y-%m-%d %H:%M')}–{end.strftime(tail)}"


def _what(category: str, subtype: str | None) -> str:
    return f"{category}/{subtype}" if subtype else category


def _observation(r: Observation) -> str:
    head = _what(r.category, r.subtype)
    if r.weapon is not None:
        head += f" {r.weapon.weapon_class}"
        if r.weapon.type:
            head += f" {r.weapon.type}"
        if r.weapon.count != 1:
            head += f" ({r.weapon.count})"
    if r.count != 1:
        head += f" ×{r.count}"
    place = _place(r.location)
    return f"{head} at {place}, {_when(r.time)} ({r.observed_by.source})"


def _coverage(r: Coverage) -> str:
    if r.kind == "patrol_track" and r.track:
        first, last = r.track[0].t, r.track[-1].t
        return (
            f"patrol_track {r.team}: {len(r.track)} points, "
            f"{first.strftime('%Y-%m-%d %H:%MZ')}–{last.strftime('%Y-%m-%d %H:%MZ')}"
        )
    if r.kind == "camera_uptime" and r.intervals and r.location is not None:
        return (
            f"camera_uptime {r.camera} at {_place(r.location)}: "
            f"{len(r.intervals)} interval(s) from "
            f"{r.intervals[0].start.strftime('%Y-%m-%d %H:%MZ')}"
        )
    by = f" by {r.by}" if r.by else ""
    place = _place(r.location) if r.location is not None else "?"
    when = _when(r.time) if r.time is not None else "?"
    return f"access {r.restriction}{by}: team {r.team} at {place}, {when}"


def _finding(r: Finding) -> str:
    if isinstance(r.attribution, Attributed):
        who = f"attributed to {r.attribution.party}"
    else:
        who = "not attributed"
    return (
        f"finding {r.outcome} ({r.certainty}) of {r.term.id} v{r.term.agreement_version}, "
        f"{who}; {len(r.allegations)} allegation(s), {len(r.observations)} observation(s)"
    )


def _body(record: RecordHeader) -> str:
    if isinstance(record, Observation):
        return _observation(record)
    if isinstance(record, Coverage):
        return _coverage(record)
    if isinstance(record, Allegation):
        c = record.claim
        term = f" [{c.term.id}]" if c.term else ""
        return (
            f"{record.party} against {record.against}: {_what(c.category, c.subtype)} "
            f"at {_place(c.location)}, {_when(c.time)}{term}"
        )
    if isinstance(record, Finding):
        return _finding(record)
    if isinstance(record, Correction):
        then = f"replaced by {record.replacement[:12]}" if record.replacement else "withdrawn"
        return f"correction: {record.supersedes[:12]} {then}: {record.reason}"
    if isinstance(record, Evidence):
        kind = "original" if record.original else "copy"
        return (
            f"evidence {record.action} {record.sha256[:12]} {record.media_type} "
            f"{record.size} B ({kind})"
        )
    if isinstance(record, Correspondence):
        sealed = "" if record.body is not None else " [sealed]"
        return f"{record.from_party} → {record.to_party}: {record.subject}{sealed}"
    if isinstance(record, Acknowledgement):
        return f"{record.party} acknowledges message {record.message[:12]}"
    if isinstance(record, Link):
        return f"link allegation {record.allegation[:12]} ↔ observation {record.observation[:12]}"
    if isinstance(record, Access):
        return f"party {record.party} {record.action}: {len(record.items)} item(s)"
    if isinstance(record, Disclosure):
        return f"disclosure of {record.path} of {record.record[:12]} to {record.to}"
    if isinstance(record, Release):
        return f"release of {record.title!r} to {', '.join(record.parties)} at " + (
            record.release_at.strftime("%Y-%m-%d %H:%MZ")
        )
    if isinstance(record, KeyEvent):
        who = f" {record.role} {record.principal}" if record.role else ""
        return f"key {record.action} {record.keyid}{who}"
    if isinstance(record, AgreementVersion):
        return f"agreement {record.agreement_id} version {record.version}"
    if isinstance(record, AllegationStep):
        why = f" ({record.reason})" if record.reason else ""
        return f"allegation {record.allegation[:12]} {record.state}{why}"
    if isinstance(record, VerificationTask):
        return f"task {record.task} for allegation {record.allegation[:12]}: {record.detail}"
    if isinstance(record, Approval):
        window = f", reply within {record.reply_window_days} d" if record.reply_window_days else ""
        return f"finding {record.finding[:12]} {record.decision}{window}"
    if isinstance(record, Reply):
        return f"reply of {record.party} to finding {record.finding[:12]}"
    return type(record).__name__


def summary(record: RecordHeader) -> str:
    """One line of at most :data:`SUMMARY_MAX` characters describing ``record``.

    Guarantees: no line breaks; synthetic records start with ``[synthetic]``;
    monitor pseudonyms and team ids are never shown. Example:
    ``explosion/impact ×3 at 48.012N 37.802E ±500 m, 2025-03-20 04:15Z (patrol)``.
    """
    text = _body(record)
    if record.synthetic:
        text = f"[synthetic] {text}"
    text = " ".join(text.split())
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1] + "…"
    return text
