"""Run the compliance evaluation over a mission's log and keep the assessments.

Incremental by default: the events recorded since the last run (meta
``compliance_seq``) are evaluated and their assessments added. When the
agreement versions differ from those of the last run (a new version was
loaded; meta ``compliance_basis``) — or on request — everything is evaluated
again and the stored assessments replaced, because each event must be judged
against the version in force when it happened. Assessments are derived data:
running again from scratch gives the same rows.

Each stored assessment carries its explanation as JSON (the measured distance
and the limit, the uncertainty used, the site/line/zone concerned, the time
status and offset, the agreement version), the event's local day (in the
agreement's time zone) and its region (the feature of the agreement's first
zone layer it lies in, e.g. an oblast), for the summary tables.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from truce.agreement import Agreement
from truce.agreement.book import AgreementBook
from truce.compliance.evaluate import STATUS_NAMES, Results, evaluate_in_force, regions
from truce.compliance.events import EVENT_KINDS, Events
from truce.errors import ValidationError
from truce.store import Assessment, Store

__all__ = ["BATCH", "RunReport", "run", "summarise"]

#: Events evaluated per batch (bounded memory; progress is reported per batch).
BATCH = 50_000
_BASIS = "compliance_basis"
_SEQ = "compliance_seq"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunReport:
    """What a run did: ``full`` re-evaluation or not, from which seq, how much."""

    full: bool
    since_seq: int
    evaluated_to: int
    events: int
    assessments: int
    statuses: dict[str, int]


def _basis(book: AgreementBook) -> str:
    return ",".join(f"{v.agreement_id}@{v.version}" for v in book.versions())


def run(
    store: Store,
    book: AgreementBook,
    *,
    since: int | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> RunReport:
    """Evaluate the events not yet assessed (or all of them) and store the assessments.

    ``since`` re-evaluates the records from that seq on; ``full`` (or a change
    of agreement versions since the last run) re-evaluates everything. The
    stored assessments of the records evaluated are replaced in one transaction.
    """
    size = store.size()
    basis = _basis(book)
    last = store.get_meta(_SEQ)
    changed = store.get_meta(_BASIS) != basis
    if since is not None and (type(since) is not int or since < 0):
        raise ValidationError("must be a seq >= 0", field="since")
    start = 0 if full or changed or last is None else int(last)
    if since is not None:
        start = min(start, since)
    versions = [book.get(v.agreement_id, v.version) for v in book.versions()]
    chain = [a for a in versions if a is not None]
    events = Events.from_records(store.scan(kinds=list(EVENT_KINDS), since_seq=start))
    rows: list[Assessment] = []
    statuses: Counter[str] = Counter()
    total = len(events)
    for lo in range(0, total, BATCH):
        batch = events.take(np.arange(lo, min(lo + BATCH, total)))
        results = evaluate_in_force(chain, batch)
        rows.extend(_assessments(batch, results, chain))
        counts = np.bincount(results.status, minlength=len(STATUS_NAMES))
        statuses.update({n: int(c) for n, c in zip(STATUS_NAMES, counts, strict=True) if c})
        if progress:
            progress(min(lo + BATCH, total), total)
    store.replace_assessments(rows, since_seq=start, evaluated_to=size)
    store.set_meta(_BASIS, basis, overwrite=True)
    return RunReport(start == 0, start, size, total, len(rows), dict(statuses))


def _assessments(events: Events, results: Results, chain: Sequence[Agreement]) -> list[Assessment]:
    if not len(results):
        return []
    latest = {a.id: a for a in sorted(chain, key=lambda a: a.version)}
    where = {agreement_id: regions(a, events) for agreement_id, a in latest.items()}
    out: list[Assessment] = []
    for row in results.rows():
        i = int(row.pop("event"))  # type: ignore[call-overload]
        agreement = latest[str(row["agreement_id"])]
        day = datetime.fromtimestamp(float(events.start[i]), UTC).astimezone(agreement.time_zone)
        explanation = {k: v for k, v in row.items() if v is not None}
        out.append(
            Assessment(
                record_id=str(events.record_id[i]),
                seq=int(events.seq[i]),
                agreement_id=str(row["agreement_id"]),
                version=int(row["version"]),  # type: ignore[call-overload]
                term_id=str(row["term_id"]),
                list_id=str(row["list_id"] or ""),
                status=str(row["status"]),
                event_day=day.date().isoformat(),
                region=str(where[str(row["agreement_id"])][i]),
                explanation=json.dumps(explanation, sort_keys=True, separators=(",", ":")),
            )
        )
    return out


def summarise(rows: Sequence[Assessment], by: str) -> list[dict[str, object]]:
    """Counts of each status per term and list, and per ``by`` (``term``, ``day`` or ``region``)."""
    keys: dict[str, Callable[[Assessment], str]] = {
        "term": lambda a: "",
        "day": lambda a: a.event_day,
        "region": lambda a: a.region,
    }
    if by not in keys:
        raise ValidationError("must be one of term, day, region", field="by")
    key = keys[by]
    table: dict[tuple[str, str, str], Counter[str]] = {}
    for a in rows:
        table.setdefault((a.term_id, a.list_id, key(a)), Counter())[a.status] += 1
    out: list[dict[str, object]] = []
    for (term, list_id, group), counts in sorted(table.items()):
        row: dict[str, object] = {"term": term, "list": list_id or None}
        if by != "term":
            row[by] = group
        row.update({s: counts.get(s, 0) for s in reversed(STATUS_NAMES)})
        out.append(row)
    return out
