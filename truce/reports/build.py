"""Report data: a deterministic function of the signed log, the agreement and the period.

:func:`build_report` reads nothing but the log's entries up to a checkpoint
(and the blobs its agreement records cite): the same checkpoint, period and
kind give the same data on any machine, so either party can rebuild a
published report from the published log and compare (``truce verify
report``). The data is plain JSON with every list sorted; renderers
(:mod:`truce.reports.render`) turn it into Markdown and HTML.

What goes in, for the period ``[start, end)`` (a daily report ends at the
cut-off time, 19:30 local by default, and starts 24 hours earlier):

* counts of the mission's observations by category and by region (the
  agreement's first zone layer), each with the previous period of the same
  length;
* the findings approved in the period, with certainty, attribution and the
  parties' replies so far;
* the allegation tracker: per filing party, allegations filed up to the end
  of the period and where they stood at the end;
* the protected energy sites that events of the period breach or possibly
  breach, per site list (the compliance engine, against the agreement version
  in force);
* coverage per local day and the access restrictions met ("observed where
  we could see");
* the corrections signed in the period.

Records superseded by a correction are left out of every count (their
replacements count instead). Sealed fields are never read: the log holds only
their commitments.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from truce.agreement import Agreement
from truce.compliance.evaluate import evaluate_in_force, regions
from truce.compliance.events import Events
from truce.envelopes import Envelope, canonical_json
from truce.errors import ValidationError
from truce.records import (
    AgreementVersion,
    Allegation,
    AllegationStep,
    Approval,
    Attributed,
    Correction,
    Coverage,
    Finding,
    Observation,
    Record,
    Reply,
    format_utc,
    parse_record,
)
from truce.workflow.coverage import summarise_coverage

__all__ = [
    "REPORT_FORMAT",
    "REPORT_KINDS",
    "LogSnapshot",
    "ReportData",
    "ReportSpec",
    "build_report",
    "data_sha256",
    "latest_agreement",
]

REPORT_FORMAT = "truce-report/1"
#: daily: one day to the cut-off; thematic: the energy moratorium over ``days`` days.
REPORT_KINDS = ("daily", "thematic")
_STEP_COLUMNS = ("acknowledged", "under_verification", "confirmed", "not_confirmed")
_RANK = {"no_breach": 0, "possible_breach": 1, "breach": 2}


@dataclass(frozen=True)
class LogSnapshot:
    """The log as of one checkpoint: its entries and how to read a blob."""

    origin: str
    size: int
    root: str  #: base64, as the checkpoint note has it
    entries: Iterable[bytes]
    blob: Callable[[str], bytes | None]


@dataclass(frozen=True)
class ReportSpec:
    """Which report: its kind, the local date its period ends on, the cut-off."""

    kind: str
    day: date
    cutoff: time = time(19, 30)
    days: int = 1
    language: str = "en"

    def __post_init__(self) -> None:
        if self.kind not in REPORT_KINDS:
            raise ValidationError(f"must be one of {', '.join(REPORT_KINDS)}", field="kind")
        if not 1 <= self.days <= 366:
            raise ValidationError("must be 1..366", field="days")
        if self.kind == "daily" and self.days != 1:
            raise ValidationError("a daily report covers one day", field="days")
        if self.language not in ("en", "uk", "ru"):
            raise ValidationError("must be one of en, uk, ru", field="language")

    def period(self, agreement: Agreement) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: ``days`` days up to the cut-off on ``day``, local time."""
        end = datetime.combine(self.day, self.cutoff, agreement.time_zone)
        start = datetime.combine(self.day - timedelta(days=self.days), self.cutoff, end.tzinfo)
        return start.astimezone(UTC), end.astimezone(UTC)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "day": self.day.isoformat(),
            "cutoff": self.cutoff.strftime("%H:%M"),
            "days": self.days,
            "language": self.language,
        }


@dataclass(frozen=True)
class _Entry:
    seq: int
    record_id: str
    record: Record
    payload: bytes


def data_sha256(report: Mapping[str, Any]) -> str:
    """SHA-256 of the report data's canonical JSON (RFC 8785): what a rebuild must match."""
    return hashlib.sha256(canonical_json(dict(report))).hexdigest()


class ReportData(dict[str, Any]):
    """The report data (a plain JSON dict) and, apart from it, the agreement
    version it was built against — which the HTML renderer's map draws on."""

    agreement: Agreement | None = None


def build_report(log: LogSnapshot, spec: ReportSpec) -> ReportData:
    """The report data for ``spec`` from ``log`` (see the module docstring)."""
    entries = _read(log)
    agreement = _agreement(entries, log.blob, spec)
    start, end = spec.period(agreement)
    superseded = {e.record.supersedes for e in entries if isinstance(e.record, Correction)}
    current = [e for e in entries if e.record_id not in superseded]
    used: list[_Entry] = []
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "kind": spec.kind,
        "language": spec.language,
        "spec": spec.to_dict(),
        "mission": _mission(entries),
        "title": _title(spec, agreement),
        "period": {
            "start": format_utc(start),
            "end": format_utc(end),
            "time_zone": str(agreement.time_zone),
            "label": _label(start, end, agreement),
        },
        "checkpoint": {"origin": log.origin, "size": log.size, "root": log.root},
        "agreement": {
            "id": agreement.id,
            "version": agreement.version,
            "title": agreement.title,
        },
    }
    report["counts"] = _counts(current, agreement, start, end, used)
    report["findings"] = _findings(current, start, end, used)
    report["allegations"] = _allegations(current, end)
    report["energy_sites"], report["map"] = _energy_sites(current, agreement, start, end)
    report["coverage"], report["restrictions"] = _coverage(current, agreement, start, end, used)
    report["corrections"] = _corrections(entries, start, end, used)
    report["synthetic"] = any(e.record.synthetic for e in used)
    report["summary"] = _summary(report)
    data = ReportData(report)
    data.agreement = agreement
    return data


# -- reading the log -------------------------------------------------------------


def _read(log: LogSnapshot) -> list[_Entry]:
    out: list[_Entry] = []
    for seq, entry in enumerate(log.entries):
        if seq >= log.size:
            break
        envelope = Envelope.from_json(entry)
        record = parse_record(envelope.payload)
        out.append(_Entry(seq, envelope.record_id, record, envelope.payload))
    if len(out) != log.size:
        raise ValidationError(f"the log gave {len(out)} entries, not {log.size}", field="entries")
    return out


def _agreement(
    entries: list[_Entry], blob: Callable[[str], bytes | None], spec: ReportSpec
) -> Agreement:
    """The agreement version in force at the end of the report's day (the latest
    loaded version whose ``effective`` time is not later)."""
    versions = [e.record for e in entries if isinstance(e.record, AgreementVersion)]
    if not versions:
        raise ValidationError("the log holds no agreement version", field="agreement")
    chosen: Agreement | None = None
    for record in sorted(versions, key=lambda r: (r.agreement_id, r.version)):
        agreement = Agreement.from_document(record.document, source="log", blobs=blob)
        end = datetime.combine(spec.day, spec.cutoff, agreement.time_zone)
        if agreement.effective <= end and (chosen is None or agreement.version > chosen.version):
            chosen = agreement
    if chosen is None:
        raise ValidationError(
            f"no agreement version is in force on {spec.day.isoformat()}", field="day"
        )
    return chosen


def latest_agreement(log: LogSnapshot) -> Agreement:
    """The latest agreement version the log holds (its geography read from the blobs)."""
    latest: AgreementVersion | None = None
    for entry in log.entries:
        record = parse_record(Envelope.from_json(entry).payload)
        if isinstance(record, AgreementVersion) and (
            latest is None or record.version > latest.version
        ):
            latest = record
    if latest is None:
        raise ValidationError("the log holds no agreement version", field="agreement")
    return Agreement.from_document(latest.document, source="log", blobs=log.blob)


def _mission(entries: list[_Entry]) -> str:
    return str(entries[0].record.mission) if entries else ""


def _title(spec: ReportSpec, agreement: Agreement) -> str:
    if spec.kind == "daily":
        return f"Daily report, {spec.day.isoformat()}"
    return f"Energy moratorium compliance, {spec.days} days to {spec.day.isoformat()}"


def _label(start: datetime, end: datetime, agreement: Agreement) -> str:
    tz = agreement.time_zone
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M} ({tz})"


def _within(at: datetime, start: datetime, end: datetime) -> bool:
    return start <= at < end


# -- sections ----------------------------------------------------------------------


def _counts(
    current: list[_Entry], agreement: Agreement, start: datetime, end: datetime, used: list[_Entry]
) -> dict[str, Any]:
    span = end - start
    window = [
        e
        for e in current
        if isinstance(e.record, Observation)
        and _within(e.record.time.interval()[0], start - span, end)
    ]
    events = Events.from_parsed((e.record_id, e.seq, e.record) for e in window)
    where = regions(agreement, events) if len(events) else np.array([], dtype=object)
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    now_region: Counter[str] = Counter()
    before_region: Counter[str] = Counter()
    for i, e in enumerate(window):
        assert isinstance(e.record, Observation)
        region = str(where[i]) or "outside the mapped regions"
        if e.record.time.interval()[0] >= start:
            now[e.record.category] += 1
            now_region[region] += 1
            used.append(e)
        else:
            before[e.record.category] += 1
            before_region[region] += 1
    return {
        "total": sum(now.values()),
        "previous_total": sum(before.values()),
        "by_category": _compare(now, before),
        "by_region": _compare(now_region, before_region),
    }


def _compare(now: Counter[str], before: Counter[str]) -> list[dict[str, Any]]:
    keys = sorted(set(now) | set(before), key=lambda k: (-now[k], -before[k], k))
    return [{"key": k, "count": now[k], "previous": before[k]} for k in keys]


def _findings(
    current: list[_Entry], start: datetime, end: datetime, used: list[_Entry]
) -> list[dict[str, Any]]:
    approvals: dict[str, Approval] = {}
    replies: dict[str, list[str]] = {}
    for e in current:
        r = e.record
        if isinstance(r, Approval) and r.decision == "approved" and r.signed_at < end:
            approvals.setdefault(r.finding, r)
        elif isinstance(r, Reply) and r.signed_at < end:
            replies.setdefault(r.finding, []).append(r.party)
    out = []
    for e in current:
        r = e.record
        if not isinstance(r, Finding) or e.record_id not in approvals:
            continue
        approval = approvals[e.record_id]
        if not _within(approval.signed_at, start, end):
            continue
        used.append(e)
        if isinstance(r.attribution, Attributed):
            attribution = f"attributed to {r.attribution.party}: {r.attribution.basis}"
        else:
            attribution = f"not attributed: {r.attribution.reason}"
        out.append(
            {
                "record_id": e.record_id,
                "term": f"{r.term.id}@{r.term.agreement_version}",
                "outcome": r.outcome,
                "certainty": r.certainty,
                "attribution": attribution,
                "summary": r.summary,
                "approved_at": format_utc(approval.signed_at),
                "replies": sorted(set(replies.get(e.record_id, []))),
            }
        )
    return sorted(out, key=lambda f: (f["approved_at"], f["record_id"]))


def _allegations(current: list[_Entry], end: datetime) -> list[dict[str, Any]]:
    state: dict[str, str] = {}
    party: dict[str, str] = {}
    for e in current:
        r = e.record
        if isinstance(r, Allegation) and r.signed_at < end:
            party[e.record_id] = r.party
            state.setdefault(e.record_id, "received")
        elif isinstance(r, AllegationStep) and r.signed_at < end and r.allegation in party:
            state[r.allegation] = r.state
    rows: dict[str, Counter[str]] = {}
    for rid, who in party.items():
        rows.setdefault(who, Counter())["filed"] += 1
        rows[who][state[rid]] += 1
    columns = (*_STEP_COLUMNS, "unable_to_verify")
    return [
        {"party": who, "filed": c["filed"], **{k: c[k] for k in columns}}
        for who, c in sorted(rows.items())
    ]


def _energy_sites(
    current: list[_Entry], agreement: Agreement, start: datetime, end: datetime
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The energy sites breached or possibly breached in the period, and the map
    data: the period's events (each with its worst ruling) and those sites."""
    window = [
        e
        for e in current
        if isinstance(e.record, Observation) and _within(e.record.time.interval()[0], start, end)
    ]
    if not window:
        return [], {"events": [], "sites": []}
    events = Events.from_parsed((e.record_id, e.seq, e.record) for e in window)
    results = evaluate_in_force([agreement], events)
    protected = {
        f"{s.layer}/{s.id}": s
        for lists in (agreement.protected_sites(t) for t in agreement.terms)
        for group in lists.values()
        for s in group
    }
    sites = {key: s.name or s.id for key, s in protected.items()}
    worst: dict[int, str] = {}
    found: dict[tuple[str, str, str], list[float]] = {}
    for row in results.rows():
        status = str(row["status"])
        i = int(str(row["event"]))
        if _RANK[status] > _RANK[worst.get(i, "no_breach")]:
            worst[i] = status
        feature = str(row.get("feature") or "")
        if status == "no_breach" or feature not in sites or not row.get("list_id"):
            continue
        distance = row.get("distance_m")
        key = (feature, str(row["list_id"]), status)
        found.setdefault(key, []).append(
            float(distance) if isinstance(distance, int | float) else -1.0
        )
    out = [
        {
            "site": feature,
            "name": sites[feature],
            "list": list_id,
            "status": status,
            "events": len(d),
            "nearest_m": round(min(x for x in d if x >= 0), 1) if any(x >= 0 for x in d) else None,
        }
        for (feature, list_id, status), d in found.items()
    ]
    shown: dict[str, str] = {}
    for (feature, _, status), _d in sorted(found.items()):
        mark = "breached" if status == "breach" else "possible"
        if shown.get(feature) != "breached":
            shown[feature] = mark
    categories = events.category.labels()
    points = sorted(
        (
            {
                "lon": round(float(events.lon[i]), 5),
                "lat": round(float(events.lat[i]), 5),
                "category": str(categories[i]),
                "status": worst.get(i, "no_breach"),
            }
            for i in range(len(window))
        ),
        key=lambda p: (p["lon"], p["lat"], p["category"], p["status"]),
    )
    site_points = [
        {
            "lon": round(protected[f].lon, 5),
            "lat": round(protected[f].lat, 5),
            "label": sites[f],
            "status": mark,
        }
        for f, mark in sorted(shown.items())
    ]
    data_map = {"events": points, "sites": site_points}
    return sorted(out, key=lambda s: (s["status"] != "breach", s["site"], s["list"])), data_map


def _coverage(
    current: list[_Entry], agreement: Agreement, start: datetime, end: datetime, used: list[_Entry]
) -> tuple[dict[str, Any], dict[str, Any]]:
    tz = agreement.time_zone
    first, last = start.astimezone(tz).date(), (end - timedelta(seconds=1)).astimezone(tz).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    records = [e for e in current if isinstance(e.record, Coverage)]
    summary = summarise_coverage([e.record for e in records], agreement, days=days)  # type: ignore[misc]
    data = summary.to_dict()
    shown = []
    for day in data["days"]:
        shown.append(
            {
                "date": day["date"],
                "area_share": day["area_share"],
                "sites_seen": day["sites_seen"],
                "sites_total": day["sites_total"],
                "camera_hours": day["camera_hours"],
                "patrols": day["patrols"],
            }
        )
    events = [
        ev
        for day in data["days"]
        for ev in day["restrictions"]["events"]
        if format_utc(start) <= ev["time"] < format_utc(end)
    ]
    kinds = Counter(ev["restriction"] for ev in events)
    by = Counter(ev["by"] for ev in events)
    parties = [p.id for p in agreement.parties]
    used.extend(e for e in records if _covers(e.record, start, end))
    n = len(shown)
    coverage = {
        "days": shown,
        "area_share": round(sum(d["area_share"] for d in shown) / n, 4) if n else 0.0,
        "site_share": round(
            sum(d["sites_seen"] for d in shown) / max(1, sum(d["sites_total"] for d in shown)), 4
        ),
    }
    restrictions = {
        "total": len(events),
        "by_kind": {k: kinds[k] for k in ("denied", "conditional", "delayed")},
        "by_party": {p: by[p] for p in [*parties, "unknown"]},
    }
    return coverage, restrictions


def _covers(record: Record, start: datetime, end: datetime) -> bool:
    assert isinstance(record, Coverage)
    if record.track:
        return start <= record.track[-1].t and record.track[0].t < end
    if record.intervals:
        return start <= record.intervals[-1].end and record.intervals[0].start < end
    return record.time is not None and _within(record.time.interval()[0], start, end)


def _corrections(
    entries: list[_Entry], start: datetime, end: datetime, used: list[_Entry]
) -> list[dict[str, Any]]:
    out = []
    for e in entries:
        r = e.record
        if isinstance(r, Correction) and _within(r.signed_at, start, end):
            used.append(e)
            out.append(
                {
                    "record_id": e.record_id,
                    "supersedes": r.supersedes,
                    "replacement": r.replacement,
                    "reason": r.reason,
                    "at": format_utc(r.signed_at),
                }
            )
    return sorted(out, key=lambda c: (c["at"], c["record_id"]))


def _summary(report: Mapping[str, Any]) -> list[str]:
    counts = report["counts"]
    out = [
        f"The mission recorded {counts['total']} events in the period "
        f"(previous period: {counts['previous_total']})."
    ]
    if counts["by_category"]:
        top = counts["by_category"][0]
        out.append(f"Most frequent: {top['key'].replace('_', ' ')} ({top['count']}).")
    findings = report["findings"]
    out.append(f"{len(findings)} finding(s) approved in the period.")
    breaches = [s for s in report["energy_sites"] if s["status"] == "breach"]
    possible = [s for s in report["energy_sites"] if s["status"] == "possible_breach"]
    sites = len({s["site"] for s in breaches})
    out.append(
        f"Energy sites: {sites} with events ruled a breach, "
        f"{len({s['site'] for s in possible})} with a possible breach, on at least one list."
    )
    cov = report["coverage"]
    out.append(
        f"Observed where we could see: on average {cov['area_share']:.0%} of the contact area "
        f"and {cov['site_share']:.0%} of the protected sites were in view."
    )
    out.append(f"{report['restrictions']['total']} restriction(s) of the mission's movement.")
    if report["corrections"]:
        out.append(f"{len(report['corrections'])} record(s) corrected in the period.")
    if report.get("synthetic"):
        out.append("All data in this report is SYNTHETIC: generated for demonstration.")
    return out


def dumps(report: Mapping[str, Any]) -> str:
    """The report data as JSON text: sorted keys, two-space indent, newline-terminated."""
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
