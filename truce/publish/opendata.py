"""Open data exports of the signed log: CSV, GeoJSON, ACLED- and UCDP-GED-style CSV.

Like the reports (:mod:`truce.reports.build`), every export is a function of
the log's records only, so anyone holding the published log can rebuild it
byte for byte. Records superseded by a :class:`~truce.records.Correction` are
left out (their replacements are exported instead). Sealed fields never
appear: the log holds only their commitments, which our own formats list as
``sealed_commitments`` (``path=hex;...``). Monitor pseudonyms and team labels
(``observed_by.monitor``/``.team``) are never written, even when the record
carries them in clear; neither is free-text ``description``, nor the
observer's position of a bearing location (its estimated point is exported).

Exports stream: rows are written as they are read, so memory does not grow
with the number of rows. Finding corrections first takes one pass over
``records``; the export itself is a second pass, so ``records`` must be
re-iterable (a sequence, or :class:`LogRecords`) unless ``superseded`` is given.

Formats (:data:`EXPORT_FORMATS`): ``csv`` (:data:`CSV_COLUMNS`), ``geojson``
(an RFC 7946 FeatureCollection of Points, ``[lon, lat]`` rounded to 6
decimals, properties as the CSV without lon/lat), ``acled``
(:data:`ACLED_COLUMNS`) and ``ucdp`` (:data:`UCDP_COLUMNS`, the 49 GED columns
in GED order). Each returns a :class:`LossReport`: how many rows lost what.

Mapping to ACLED (codebook: acleddata.com/knowledge-base/codebook; precision
codes as quoted in the mapme.biodiversity docs, ``calc_fatalities_acled``)::

    category / subtype            disorder_type / event_type / sub_event_type
    explosion (any subtype)       Political violence / Explosions/Remote violence /
    projectile_in_flight            Shelling/artillery/missile attack
      ... with weapon class uav     ... / Air/drone strike
    muzzle_flash                  Political violence / Battles / Armed clash
      ... indirect-fire weapon      ... / Shelling/artillery/missile attack
    bursts_of_fire, shots         Political violence / Battles / Armed clash
    illumination_flare, weapon_sighting, damage_civilian_object,
    civilian_casualty, restriction_of_movement, uav_jamming
                                  Strategic developments / Strategic developments / Other

    time: local calendar days the interval touches: 1 -> time_precision 1 (that
    date); up to 8 -> 2; more -> 3; event_date is then the interval's midpoint.
    location radius: <= 1 km -> geo_precision 1; <= 10 km -> 2; more -> 3.

Mapping to UCDP GED (codebook: ucdp.uu.se/downloads, GED codebook; codes as
quoted in the mapme.biodiversity docs, ``calc_fatalities_ucdp``): only acts of
violence are rows (explosion, projectile_in_flight, muzzle_flash,
bursts_of_fire, shots, damage_civilian_object, civilian_casualty); GED holds
organised violence only. ``date_prec``: 1 day -> 1, <= 6 days -> 2, <= 8 -> 3
(a week), <= 32 -> 4 (a month), more -> 5. ``where_prec`` from the radius:
<= 1 km -> 1, <= 25 km -> 2, <= 50 km -> 3 (ADM2 scale), <= 150 km -> 4 (ADM1
scale), more -> 5. ``id`` is the first 52 bits of the record id (stable),
``relid`` the record id; ``priogrid_gid`` follows PRIO-GRID's 0.5° numbering.

Neither format has actors for mission observations (attribution is made only
in findings), a synthetic flag (``SYNTHETIC`` starts ACLED ``notes`` and UCDP
``source_article``), place names or second-level regions: the loss report
counts each.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TextIO

from truce.envelopes import Envelope
from truce.errors import StorageError, ValidationError
from truce.records import (
    Approval,
    Attributed,
    BearingLocation,
    Correction,
    Finding,
    Observation,
    Record,
    format_utc,
    parse_record,
)
from truce.vocabulary import EVENT_CATEGORIES

__all__ = [
    "ACLED_COLUMNS",
    "CSV_COLUMNS",
    "EXPORT_FORMATS",
    "FINDING_COLUMNS",
    "FINDING_FORMATS",
    "UCDP_COLUMNS",
    "LogRecords",
    "LossReport",
    "published_events",
    "write_export",
    "write_findings",
]

EXPORT_FORMATS = ("csv", "geojson", "acled", "ucdp")
FINDING_FORMATS = ("csv", "geojson")

CSV_COLUMNS = (
    "record_id", "mission", "signed_at", "category", "subtype", "count",
    "weapon_class", "weapon_type", "weapon_count", "lon", "lat", "uncertainty_m",
    "location_kind", "admin1", "time_start", "time_end", "precision", "source",
    "evidence", "synthetic", "sealed_commitments",
)  # fmt: skip
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
    "event_type", "sub_event_type", "actor1", "actor2", "interaction", "country",
    "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "timestamp", "iso",
)  # fmt: skip
#: The 49 columns of UCDP GED, in GED order (as in shared/data/ucdp_ged_ukraine_sample.csv).
UCDP_COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id",
    "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
    "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description",
    "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid",
    "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
    "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
FINDING_COLUMNS = (
    "record_id", "finding_id", "mission", "signed_at", "term_id", "agreement_version",
    "outcome", "certainty", "attribution_status", "attributed_party", "attribution_text",
    "summary", "observations", "allegations", "synthetic",
)  # fmt: skip

_HEX64 = re.compile(r"[0-9a-f]{64}")
_NO_ACTORS = "the mission does not attribute observations (attribution is made only in findings)"
_UCDP_IDS = (
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "gwnoa", "gwnob",
)  # fmt: skip

# -- ACLED event types ------------------------------------------------------------

_ACLED_TYPE = tuple[str, str, str]
_SHELLING: _ACLED_TYPE = (
    "Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"
)  # fmt: skip
_DRONE: _ACLED_TYPE = ("Political violence", "Explosions/Remote violence", "Air/drone strike")
_CLASH: _ACLED_TYPE = ("Political violence", "Battles", "Armed clash")
_OTHER: _ACLED_TYPE = ("Strategic developments", "Strategic developments", "Other")
_FIRE_SEEN = "coded Armed clash: fire was seen or heard, an exchange between armed groups was not"
#: category -> (ACLED type, what the coding loses or assumes; None when nothing).
_ACLED: dict[str, tuple[_ACLED_TYPE, str | None]] = {
    "explosion": (_SHELLING, None),
    "projectile_in_flight": (_SHELLING, "a projectile in flight: no impact was observed"),
    "muzzle_flash": (_CLASH, _FIRE_SEEN),
    "bursts_of_fire": (_CLASH, _FIRE_SEEN),
    "shots": (_CLASH, _FIRE_SEEN),
    "illumination_flare": (_OTHER, "not an act of violence: coded Strategic developments/Other"),
    "weapon_sighting": (_OTHER, "no ACLED event type: coded Strategic developments/Other"),
    "damage_civilian_object": (
        _OTHER,
        "damage seen after the fact, cause and time not established: coded Other",
    ),
    "civilian_casualty": (
        _OTHER,
        "cause and perpetrator not established by the observation: coded Other",
    ),
    "restriction_of_movement": (_OTHER, "a restriction of the mission: coded Other"),
    "uav_jamming": (_OTHER, "interference with the mission's UAV: coded Other"),
}
_SUBTYPE_LOSS = {
    "outgoing": "outgoing fire: the coordinates are the firing position, not the target",
    "undetermined": "an undetermined explosion coded as shelling: its cause was not established",
}
_INDIRECT = frozenset(
    {"mortar_below_120mm", "mortar_120mm", "artillery_below_100mm", "artillery_100mm_plus",
     "mlrs", "missile", "tank"}
)  # fmt: skip
_FIRING = frozenset({"explosion", "projectile_in_flight", "muzzle_flash"})
#: Categories that are acts of violence: the only UCDP GED rows.
_VIOLENT = frozenset(
    {"explosion", "projectile_in_flight", "muzzle_flash", "bursts_of_fire", "shots",
     "damage_civilian_object", "civilian_casualty"}
)  # fmt: skip
#: Upper radius (m) -> code; larger radii get the next code.
_ACLED_GEO = ((1_000.0, 1), (10_000.0, 2))
_UCDP_WHERE = ((1_000.0, 1), (25_000.0, 2), (50_000.0, 3), (150_000.0, 4))
assert set(_ACLED) == set(EVENT_CATEGORIES), "every category needs an ACLED mapping"


@dataclass
class LossReport:
    """What an export could not carry: rows that lost a field, per (field, reason).

    ``rows`` is the number of rows written; ``counts`` maps ``(field, reason)``
    to the number of rows concerned (a row left out counts under ``category``).
    """

    format: str
    rows: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, name: str, reason: str, n: int = 1) -> None:
        """Count ``n`` more rows losing ``name`` for ``reason``."""
        key = (name, reason)
        self.counts[key] = self.counts.get(key, 0) + n

    def to_dict(self) -> dict[str, Any]:
        """``{"format", "rows", "losses": [{"field", "reason", "count"}]}``, losses sorted."""
        return {
            "format": self.format,
            "rows": self.rows,
            "losses": [
                {"field": f, "reason": r, "count": n} for (f, r), n in sorted(self.counts.items())
            ],
        }

    def lines(self) -> list[str]:
        """The report as text lines: the row count, then one line per loss, sorted."""
        out = [f"{self.format}: {self.rows} row(s) exported"]
        out.extend(f"  {f}: {r} ({n} row(s))" for (f, r), n in sorted(self.counts.items()))
        return out


@dataclass(frozen=True)
class LogRecords:
    """``(record_id, record)`` for each log entry, re-read from ``entries()`` on each pass.

    Guarantees: entries are parsed with :meth:`Envelope.from_json` and
    :func:`parse_record`; with ``size`` at most ``size`` entries are read and
    fewer is a :class:`ValidationError` (e.g. a one-shot iterable read twice).
    """

    entries: Callable[[], Iterable[bytes]]
    size: int | None = None

    def __iter__(self) -> Iterator[tuple[str, Record]]:
        read = 0
        for entry in self.entries():
            if self.size is not None and read >= self.size:
                break
            try:
                envelope = Envelope.from_json(entry)
                record = parse_record(envelope.payload)
            except ValidationError as exc:
                raise exc.located(f"entry [{read}]") from None
            read += 1
            yield envelope.record_id, record
        if self.size is not None and read != self.size:
            raise ValidationError(f"the log gave {read} entries, not {self.size}", field="entries")


def published_events(
    records: Iterable[tuple[str, Record]], *, superseded: Collection[str] | None = None
) -> Iterator[tuple[str, Observation]]:
    """The current observations of ``records`` (log order), as ``(record_id, observation)``.

    Guarantees: an observation that a correction supersedes is left out. Without
    ``superseded`` the corrections are found by a first pass over ``records``,
    which must then be re-iterable (else ValidationError, raised here, before
    anything is read twice). Record ids must be 64 lowercase hex characters.
    """
    gone = _superseded(records) if superseded is None else superseded
    return _current(records, gone)


def write_export(
    fmt: str,
    records: Iterable[tuple[str, Record]],
    out: TextIO,
    *,
    region: Callable[[float, float], str] | None = None,
    country: str = "Ukraine",
    iso: int = 804,
    gwno: int = 369,
    world_region: str = "Europe",
    time_zone: tzinfo = UTC,
    superseded: Collection[str] | None = None,
) -> LossReport:
    """Write the published observations of ``records`` to ``out`` in ``fmt``.

    Guarantees: the same records and arguments give the same text (``\\n``
    line ends); rows stream (memory does not grow with the row count); no
    monitor pseudonym, team, free-text description or sealed value is written.
    ``region(lon, lat)`` names the first-level region (ACLED ``admin1``, UCDP
    ``adm_1``, our ``admin1``); ``iso`` is the ISO 3166-1 numeric code, ``gwno``
    the Gleditsch-Ward code (UCDP ``country_id``), ``time_zone`` the zone of
    ACLED/UCDP dates. Raises ValidationError for an unknown format, bad records
    or text ``out`` cannot encode (the output is then incomplete), StorageError
    if ``out`` fails.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"must be one of {', '.join(EXPORT_FORMATS)}", field="format")
    events = published_events(records, superseded=superseded)
    report = LossReport(fmt)
    place = _Place(country, iso, gwno, world_region, time_zone, region)
    try:
        if fmt == "geojson":
            features = (_point_feature(_properties(rid, o, place, report)) for rid, o in events)
            _geojson(out, features, report)
            return report
        writer = _CsvRows(out)
        columns = {"csv": CSV_COLUMNS, "acled": ACLED_COLUMNS, "ucdp": UCDP_COLUMNS}[fmt]
        writer.writerow(columns)
        for rid, obs in events:
            if fmt == "csv":
                props = _properties(rid, obs, place, report)  # in CSV_COLUMNS order
                row = [v if type(v) is str else _cell(v) for v in props.values()]
            elif fmt == "acled":
                row = _acled(_Event.of(rid, obs, place), place, report)
            else:
                found = _ucdp(rid, obs, place, report)
                if found is None:
                    continue
                row = found
            writer.writerow(row)
            report.rows += 1
    except OSError as exc:
        raise StorageError(f"cannot write the {fmt} export: {exc}") from None
    except UnicodeError as exc:
        raise ValidationError(f"text the output cannot encode: {exc}", field="records") from None
    return report


def write_findings(
    fmt: str,
    records: Iterable[tuple[str, Record]],
    out: TextIO,
    approved: Collection[str] | None = None,
) -> LossReport:
    """Write the approved, current findings of ``records`` (log order) to ``out``.

    ``approved`` is the set of approved finding ids; None takes them from the
    log's ``approval`` records (decision ``approved``, not superseded). CSV
    columns: :data:`FINDING_COLUMNS`; GeoJSON: one Feature per finding whose
    geometry is the MultiPoint of its cited observations (each as corrected;
    withdrawn ones left out) or null. The findings are held in memory (there
    are few); observations are streamed. GeoJSON reads ``records`` twice.
    """
    if fmt not in FINDING_FORMATS:
        raise ValidationError(f"must be one of {', '.join(FINDING_FORMATS)}", field="format")
    if fmt == "geojson":
        _reiterable(records)
    gone: dict[str, str | None] = {}
    approvals: dict[str, str] = {}  # approval record id -> finding id
    findings: list[tuple[str, Finding]] = []
    for i, (rid, record) in enumerate(records):
        _check_id(rid, i)
        if isinstance(record, Correction):
            gone[record.supersedes] = record.replacement
        elif isinstance(record, Approval) and record.decision == "approved":
            approvals[rid] = record.finding
        elif isinstance(record, Finding):
            findings.append((rid, record))
    if approved is None:
        approved = {f for a, f in approvals.items() if a not in gone}
    chosen = [(rid, f) for rid, f in findings if rid in approved and rid not in gone]
    report = LossReport(f"findings-{fmt}")
    try:
        if fmt == "csv":
            writer = _CsvRows(out)
            writer.writerow(FINDING_COLUMNS)
            for rid, finding in chosen:
                props = _finding_properties(rid, finding)
                writer.writerow([_cell(props[c]) for c in FINDING_COLUMNS])
                report.rows += 1
            return report
        wanted = {o: _resolve(o, gone) for _, f in chosen for o in f.observations}
        points = _points(records, {r for r in wanted.values() if r is not None})
        _geojson(out, _finding_features(chosen, wanted, points, report), report)
    except OSError as exc:
        raise StorageError(f"cannot write the findings {fmt} export: {exc}") from None
    except UnicodeError as exc:
        raise ValidationError(f"text the output cannot encode: {exc}", field="records") from None
    return report


# -- passes over the records --------------------------------------------------------


def _check_id(rid: str, i: int) -> None:
    if not _HEX64.fullmatch(rid):
        raise ValidationError(
            "must be a record id: 64 lowercase hex characters", field=f"records[{i}].record_id"
        )


def _reiterable(records: Iterable[tuple[str, Record]]) -> None:
    if iter(records) is records:
        raise ValidationError(
            "a one-shot iterator cannot be read twice",
            field="records",
            hint="pass a sequence or LogRecords, or the superseded record ids",
        )


def _superseded(records: Iterable[tuple[str, Record]]) -> set[str]:
    _reiterable(records)
    return {r.supersedes for _, r in records if isinstance(r, Correction)}


def _current(
    records: Iterable[tuple[str, Record]], gone: Collection[str]
) -> Iterator[tuple[str, Observation]]:
    for i, (rid, record) in enumerate(records):
        _check_id(rid, i)
        if isinstance(record, Observation) and rid not in gone:
            yield rid, record


def _resolve(rid: str, gone: dict[str, str | None]) -> str | None:
    """The current version of record ``rid``: itself, its replacement, or None (withdrawn)."""
    seen: set[str] = set()
    current: str | None = rid
    while current is not None and current in gone and current not in seen:
        seen.add(current)
        current = gone[current]
    return None if current in seen else current


def _points(
    records: Iterable[tuple[str, Record]], wanted: set[str]
) -> dict[str, tuple[float, float, str]]:
    found: dict[str, tuple[float, float, str]] = {}
    for rid, record in records:
        if rid in wanted and isinstance(record, Observation):
            lon, lat, _, kind = _where(record)
            found[rid] = (lon, lat, kind)
    return found


# -- one observation ------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    country: str
    iso: int
    gwno: int
    world_region: str
    time_zone: tzinfo
    region: Callable[[float, float], str] | None

    def admin1(self, lon: float, lat: float, report: LossReport, name: str) -> str:
        if self.region is None:
            report.add(name, "no region lookup was given")
            return ""
        found = self.region(lon, lat)
        if not found:
            report.add(name, "outside the mapped regions")
        return found


def _utc(value: datetime) -> str:
    """:func:`format_utc` for a record's datetimes, which are already in UTC (faster)."""
    if value.tzinfo is None or value.utcoffset():
        return format_utc(value)
    return value.replace(tzinfo=None).isoformat() + "Z"


def _where(obs: Observation) -> tuple[float, float, float, str]:
    """``(lon, lat, uncertainty_m, kind)``: lon/lat rounded to 6 decimals, radius to 0.1 m."""
    loc = obs.location
    point = loc.estimate() if isinstance(loc, BearingLocation) else loc
    # + 0.0 turns -0.0 into 0.0, so that CSV and GeoJSON agree
    return (
        round(point.lon, 6) + 0.0,
        round(point.lat, 6) + 0.0,
        round(point.uncertainty_m, 1),
        loc.kind,
    )


@dataclass(frozen=True)
class _Event:
    """An observation with its point and its local first and last calendar days."""

    rid: str
    obs: Observation
    lon: float
    lat: float
    radius: float
    kind: str
    start: datetime
    end: datetime
    first: date
    last: date

    @classmethod
    def of(cls, rid: str, obs: Observation, place: _Place) -> _Event:
        lon, lat, radius, kind = _where(obs)
        start, end = obs.time.interval()
        tz = place.time_zone
        first = start.astimezone(tz).date()
        last = (end - timedelta(microseconds=1)).astimezone(tz).date()
        return cls(rid, obs, lon, lat, radius, kind, start, end, first, last)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def what(self) -> str:
        o = self.obs
        text = o.category + (f"/{o.subtype}" if o.subtype else "") + f" x{o.count}"
        if o.weapon is not None:
            kind = f" {o.weapon.type}" if o.weapon.type else ""
            text += f", weapon {o.weapon.weapon_class}{kind} x{o.weapon.count}"
        precision = f" ({o.time.precision})" if o.time.precision else ""
        when = f"{_utc(self.start)}/{_utc(self.end)}{precision}"
        return f"{text}; {when}; radius {_num(self.radius)} m"


def _withheld(obs: Observation, report: LossReport) -> None:
    """Count what no format carries: identities, free text, the observer's position."""
    if obs.observed_by.monitor is not None:
        report.add("observed_by.monitor", "never exported: monitor identities stay in the mission")
    if obs.observed_by.team is not None:
        report.add("observed_by.team", "never exported: monitor teams stay in the mission")
    if obs.description is not None:
        report.add("description", "free text is not exported (it is in the signed record)")
    if obs.note is not None:
        report.add("note", "free text is not exported (it is in the signed record)")
    if isinstance(obs.location, BearingLocation):
        report.add("location", "a bearing is exported as its estimated point, not the observer's")


def _properties(rid: str, obs: Observation, place: _Place, report: LossReport) -> dict[str, Any]:
    """Our own columns, typed (the GeoJSON properties; CSV cells via :func:`_cell`)."""
    _withheld(obs, report)
    lon, lat, radius, kind = _where(obs)
    start, end = obs.time.interval()
    weapon = obs.weapon
    return {
        "record_id": rid,
        "mission": obs.mission,
        "signed_at": _utc(obs.signed_at),
        "category": obs.category,
        "subtype": obs.subtype,
        "count": obs.count,
        "weapon_class": weapon.weapon_class if weapon else None,
        "weapon_type": weapon.type if weapon else None,
        "weapon_count": weapon.count if weapon else None,
        "lon": lon,
        "lat": lat,
        "uncertainty_m": radius,
        "location_kind": kind,
        "admin1": place.admin1(lon, lat, report, "admin1") if place.region else None,
        "time_start": _utc(start),
        "time_end": _utc(end),
        "precision": obs.time.precision,
        "source": obs.observed_by.source,
        "evidence": ";".join(obs.evidence) or None,
        "synthetic": obs.synthetic,
        "sealed_commitments": ";".join(f"{p}={h}" for p, h in sorted((obs.sealed or {}).items()))
        or None,
    }


def _num(x: float) -> str:
    """``x`` in fixed notation with at most 6 decimals, no trailing zeros (``48.012``, ``500``)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _CsvRows:
    r"""CSV rows ending in ``\n``; a field holding ``\r`` or ``\n`` is quoted (RFC 4180).

    ``csv.writer`` quotes only the characters of its line terminator, so a lone
    ``\r`` would break the row with ``lineterminator="\n"``; such rows go
    through a ``\r\n`` writer instead, whose terminator is then replaced.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.plain = csv.writer(out, lineterminator="\n")
        self.buffer = io.StringIO()
        self.quoting = csv.writer(self.buffer, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        cells = list(row)
        if not any(isinstance(c, str) and "\r" in c for c in cells):
            self.plain.writerow(cells)
            return
        self.buffer.seek(0)
        self.buffer.truncate()
        self.quoting.writerow(cells)
        self.out.write(self.buffer.getvalue()[:-2] + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _geojson(out: TextIO, features: Iterable[dict[str, Any]], report: LossReport) -> None:
    """A FeatureCollection, written one feature per line as ``features`` yields them."""
    out.write('{"type":"FeatureCollection","features":[')
    sep = "\n"
    for feature in features:
        out.write(sep)
        out.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
        sep = ",\n"
        report.rows += 1
    out.write("\n]}\n")


def _point_feature(props: dict[str, Any]) -> dict[str, Any]:
    coordinates = [props.pop("lon"), props.pop("lat")]
    return {
        "type": "Feature",
        "id": props["record_id"],
        "geometry": {"type": "Point", "coordinates": coordinates},
        "properties": props,
    }


# -- ACLED ------------------------------------------------------------------------------


def _acled_type(obs: Observation, report: LossReport) -> _ACLED_TYPE:
    coded, why = _ACLED[obs.category]
    weapon = obs.weapon.weapon_class if obs.weapon else None
    if obs.category in _FIRING and weapon == "uav":
        coded, why = _DRONE, None
    elif obs.category == "muzzle_flash" and weapon in _INDIRECT:
        coded, why = _SHELLING, "a muzzle flash: the coordinates are the firing position"
    if why is not None:
        report.add("category", f"{obs.category}: {why}")
    if obs.subtype in _SUBTYPE_LOSS and obs.category == "explosion":
        report.add("subtype", _SUBTYPE_LOSS[obs.subtype])
    return coded


def _acled(ev: _Event, place: _Place, report: LossReport) -> list[Any]:
    obs = ev.obs
    _withheld(obs, report)
    disorder, event_type, sub_event = _acled_type(obs, report)
    if ev.days == 1:
        precision, day = 1, ev.first
    else:
        precision = 2 if ev.days <= 8 else 3
        day = (ev.start + (ev.end - ev.start) / 2).astimezone(place.time_zone).date()
        if ev.days > 32:
            report.add("time", "longer than a month: time_precision 3 understates it")
    report.add("time", "ACLED keeps a date and a precision class (the interval is in notes)")
    geo = _code(ev.radius, _ACLED_GEO)
    report.add("uncertainty_m", "coarsened to geo_precision 1-3 (the radius is in notes)")
    for name in ("actor1", "actor2", "interaction"):
        report.add(name, _NO_ACTORS)
    report.add("admin2", "no second-level regions in the mission's geography")
    report.add("location", "no gazetteer: the coordinates have no place name")
    fatalities: int | str = 0
    if obs.category == "civilian_casualty":
        fatalities = ""
        report.add("fatalities", "the casualty count does not tell killed from injured")
    if obs.count > 1:
        report.add("count", "ACLED has one row per event: the count is in notes")
    if obs.weapon is not None:
        report.add("weapon", "no ACLED column: the weapon is in notes")
    if obs.evidence:
        report.add("evidence", "no ACLED column: evidence hashes are in the signed record")
    if obs.sealed:
        report.add("sealed", "no ACLED column: commitments are in the signed record")
    mark = ""
    if obs.synthetic:
        mark = "SYNTHETIC. "
        report.add("synthetic", "no ACLED column: notes start with SYNTHETIC")
    notes = f"{mark}Mission observation ({obs.observed_by.source}): {ev.what()}. Record {ev.rid}."
    return [
        ev.rid, day.isoformat(), day.year, precision, disorder, event_type, sub_event,
        "", "", "", place.country, place.admin1(ev.lon, ev.lat, report, "admin1"), "", "",
        _num(ev.lat), _num(ev.lon), geo, f"{obs.mission} ({obs.observed_by.source})", "Other",
        notes, fatalities, int(obs.signed_at.timestamp()), place.iso,
    ]  # fmt: skip


def _code(radius: float, table: tuple[tuple[float, int], ...]) -> int:
    for limit, code in table:
        if radius <= limit:
            return code
    return table[-1][1] + 1


# -- UCDP GED ---------------------------------------------------------------------------


def _ucdp(rid: str, obs: Observation, place: _Place, report: LossReport) -> list[Any] | None:
    if obs.category not in _VIOLENT:
        report.add("category", f"{obs.category}: not an act of violence, left out of UCDP GED")
        return None
    ev = _Event.of(rid, obs, place)
    _withheld(obs, report)
    days = ev.days
    date_prec = 1 if days == 1 else 2 if days <= 6 else 3 if days <= 8 else 4 if days <= 32 else 5
    if days > 367:
        report.add("time", "longer than a year: date_prec 5 understates it")
    report.add("time", "UCDP keeps dates only (the interval is in source_headline)")
    report.add("uncertainty_m", "coarsened to where_prec (the radius is in source_headline)")
    report.add("category", "UCDP GED has no event type: category is in source_headline")
    for name in ("type_of_violence", "side_a, side_b, gwnoa, gwnob, conflict and dyad ids"):
        report.add(name, _NO_ACTORS)
    report.add("active_year, code_status", "UCDP's own coding steps do not apply")
    report.add("where_coordinates", "no gazetteer: the coordinates have no place name")
    report.add("adm_2", "no second-level regions in the mission's geography")
    if obs.category == "civilian_casualty":
        deaths: list[int | str] = [""] * 7
        report.add(
            "best, high, low, deaths_*", "the casualty count does not tell killed from injured"
        )
    else:
        deaths = [0] * 7
        report.add("best", "UCDP GED holds lethal events; this observation reports no deaths (0)")
    if obs.count > 1:
        report.add("count", "one row per observation: the count is in source_headline")
    if obs.weapon is not None:
        report.add("weapon", "no UCDP column: the weapon is in source_headline")
    if obs.evidence:
        report.add("evidence", "no UCDP column: evidence hashes are in the signed record")
    if obs.sealed:
        report.add("sealed", "no UCDP column: commitments are in the signed record")
    mark = ""
    if obs.synthetic:
        mark = "SYNTHETIC; "
        report.add("synthetic", "no UCDP column: source_article starts with SYNTHETIC")
    described = "point estimated from a compass bearing and a distance band"
    row: list[Any] = [
        int(rid[:13], 16), rid, ev.first.year, "", "", "", *[""] * 12, 1,
        f"{mark}Truce signed record {rid}", obs.mission, obs.signed_at.date().isoformat(),
        ev.what(), obs.observed_by.source, _code(ev.radius, _UCDP_WHERE), "",
        described if ev.kind == "bearing" else "",
        place.admin1(ev.lon, ev.lat, report, "adm_1"), "", _num(ev.lat), _num(ev.lon),
        f"POINT ({_num(ev.lon)} {_num(ev.lat)})", _priogrid(ev.lon, ev.lat), place.country,
        place.gwno, place.world_region, 1, date_prec, ev.first.isoformat(), ev.last.isoformat(),
        *deaths, "", "",
    ]  # fmt: skip
    return row


def _priogrid(lon: float, lat: float) -> int:
    """PRIO-GRID cell id: 0.5° cells numbered row by row from (-180, -90), 720 per row."""
    row = min(359, math.floor((lat + 90) / 0.5))
    col = min(719, math.floor((lon + 180) / 0.5))
    return row * 720 + col + 1


# -- findings -----------------------------------------------------------------------------


def _finding_properties(rid: str, finding: Finding) -> dict[str, Any]:
    a = finding.attribution
    return {
        "record_id": rid,
        "finding_id": finding.finding_id,
        "mission": finding.mission,
        "signed_at": _utc(finding.signed_at),
        "term_id": finding.term.id,
        "agreement_version": finding.term.agreement_version,
        "outcome": finding.outcome,
        "certainty": finding.certainty,
        "attribution_status": a.status,
        "attributed_party": a.party if isinstance(a, Attributed) else None,
        "attribution_text": a.basis if isinstance(a, Attributed) else a.reason,
        "summary": finding.summary,
        "observations": ";".join(finding.observations) or None,
        "allegations": ";".join(finding.allegations) or None,
        "synthetic": finding.synthetic,
    }


def _finding_features(
    chosen: list[tuple[str, Finding]],
    wanted: dict[str, str | None],
    points: dict[str, tuple[float, float, str]],
    report: LossReport,
) -> Iterator[dict[str, Any]]:
    for rid, finding in chosen:
        coordinates: list[list[float]] = []
        for cited in finding.observations:
            current = wanted[cited]
            if current is None:
                report.add("observations", "a cited observation was withdrawn: not in the geometry")
                continue
            if current != cited:
                report.add(
                    "observations", "a cited observation was corrected: its replacement is used"
                )
            if current not in points:
                report.add(
                    "observations", "a cited observation is not in the log or not an observation"
                )
                continue
            lon, lat, kind = points[current]
            if kind == "bearing":
                report.add("observations", "a bearing is shown as its estimated point")
            if [lon, lat] not in coordinates:
                coordinates.append([lon, lat])
        if not coordinates:
            report.add("geometry", "no cited observation to place: geometry null")
        geometry = {"type": "MultiPoint", "coordinates": coordinates} if coordinates else None
        yield {
            "type": "Feature",
            "id": rid,
            "geometry": geometry,
            "properties": _finding_properties(rid, finding),
        }
