"""Signed record types: the JSON payloads people and devices sign.

A record is a JSON object with a ``type`` (observation, coverage, allegation,
finding, correction, evidence, correspondence, key, agreement, and the
workflow's allegation_step, verification_task, approval, reply, link,
acknowledgement, access, release and disclosure), a common
header (``mission``, ``signed_at``, ``synthetic``, ``source``, ``note``) and a
strictly validated body: unknown fields, NaN, naive times and over-long
strings or lists are all rejected, with the JSON path of each problem.

Example::

    >>> from truce.records import parse_record, to_payload_dict, summary
    >>> r = parse_record(b'''{"type": "observation", "mission": "smm-east",
    ...   "signed_at": "2025-03-20T06:00:00+01:00", "category": "explosion",
    ...   "subtype": "impact", "count": 3,
    ...   "location": {"kind": "point", "lon": 37.802, "lat": 48.012, "uncertainty_m": 500},
    ...   "time": {"at": "2025-03-20T04:15:00Z"}, "observed_by": {"source": "patrol"}}''')
    >>> to_payload_dict(r)["signed_at"]
    '2025-03-20T05:00:00Z'
    >>> summary(r)
    'explosion/impact ×3 at 48.012N 37.802E ±500 m, 2025-03-20 04:15Z (patrol)'
"""

from __future__ import annotations

from truce.records.access import ACCESS_ACTIONS, Access, Release
from truce.records.agreement import AgreementVersion
from truce.records.allegation import Allegation, Claim, Facility
from truce.records.approval import Approval
from truce.records.codec import RECORD_TYPES, Record, loc_to_path, parse_record, to_payload_dict
from truce.records.common import (
    BearingLocation,
    Location,
    PointLocation,
    TermRef,
    TimeInterval,
    TimeSpec,
    format_utc,
)
from truce.records.correction import Correction
from truce.records.correspondence import (
    CONTENT_RULES,
    Acknowledgement,
    Correspondence,
    SealedFor,
)
from truce.records.coverage import Coverage, TrackPoint
from truce.records.disclosure import Disclosure
from truce.records.evidence import Evidence
from truce.records.finding import Attributed, Finding, NotAttributed
from truce.records.header import RecordHeader
from truce.records.index import event_time, sealed_paths, subject, summary
from truce.records.key import KeyEvent
from truce.records.link import Link
from truce.records.observation import SEALABLE_PATHS, Observation, ObservedBy, Weapon
from truce.records.reply import Reply
from truce.records.timecheck import DEFAULT_SKEW, check_not_future, future_times, times_to_check
from truce.records.verification import (
    OUTCOME_REASONS,
    OUTCOMES,
    STEP_STATES,
    TASK_KINDS,
    AllegationStep,
    VerificationTask,
)
from truce.records.vocabulary import EVENT_CATEGORIES, EVENT_SUBTYPES, WEAPON_CLASSES

__all__ = [
    "ACCESS_ACTIONS",
    "CONTENT_RULES",
    "DEFAULT_SKEW",
    "EVENT_CATEGORIES",
    "EVENT_SUBTYPES",
    "OUTCOMES",
    "OUTCOME_REASONS",
    "RECORD_TYPES",
    "SEALABLE_PATHS",
    "STEP_STATES",
    "TASK_KINDS",
    "WEAPON_CLASSES",
    "Access",
    "Acknowledgement",
    "AgreementVersion",
    "Allegation",
    "AllegationStep",
    "Approval",
    "Attributed",
    "BearingLocation",
    "Claim",
    "Correction",
    "Correspondence",
    "Coverage",
    "Disclosure",
    "Evidence",
    "Facility",
    "Finding",
    "KeyEvent",
    "Link",
    "Location",
    "NotAttributed",
    "Observation",
    "ObservedBy",
    "PointLocation",
    "Record",
    "RecordHeader",
    "Release",
    "Reply",
    "SealedFor",
    "TermRef",
    "TimeInterval",
    "TimeSpec",
    "TrackPoint",
    "VerificationTask",
    "Weapon",
    "check_not_future",
    "event_time",
    "format_utc",
    "future_times",
    "loc_to_path",
    "parse_record",
    "sealed_paths",
    "subject",
    "summary",
    "times_to_check",
    "to_payload_dict",
]
