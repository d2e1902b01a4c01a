"""Open data exports: our CSV/GeoJSON, ACLED- and UCDP-GED-style CSV, loss reports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from truce.envelopes import sign_payload
from truce.errors import StorageError, ValidationError
from truce.keys import Signer
from truce.publish.opendata import (
    _ACLED,
    _VIOLENT,
    ACLED_COLUMNS,
    CSV_COLUMNS,
    EXPORT_FORMATS,
    FINDING_COLUMNS,
    UCDP_COLUMNS,
    LogRecords,
    LossReport,
    published_events,
    write_export,
    write_findings,
)
from truce.records import BearingLocation, Observation, Record, parse_record
from truce.vocabulary import EVENT_CATEGORIES

from ..records._strategies import observations

UCDP_SAMPLE = Path(truce.__file__).parent / "data" / "ucdp_ged_ukraine_sample.csv"
KYIV = timezone(timedelta(hours=2))
MONITOR, TEAM, DESCRIPTION = "monitor-zz9", "TEAM-QX-77", "a secret-ish text about Zyx"
NOTE = "a note naming Qwv"


def rid(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def obs(**extra: Any) -> Observation:
    payload: dict[str, Any] = {
        "type": "observation",
        "mission": "smm-east",
        "signed_at": "2025-03-20T05:00:00Z",
        "category": "explosion",
        "subtype": "impact",
        "count": 1,
        "location": {"kind": "point", "lon": 37.802, "lat": 48.012, "uncertainty_m": 500},
        "time": {"at": "2025-03-20T04:15:00Z", "precision": "minute"},
        "observed_by": {"source": "patrol"},
    }
    payload.update(extra)
    record = parse_record({k: v for k, v in payload.items() if v is not None})
    assert isinstance(record, Observation)
    return record


def record(kind: str, **body: Any) -> Record:
    return parse_record(
        {"type": kind, "mission": "smm-east", "signed_at": "2025-03-21T08:00:00Z"} | body
    )


def export(fmt: str, records: list[tuple[str, Record]], **kw: Any) -> tuple[str, LossReport]:
    out = io.StringIO()
    report = write_export(fmt, records, out, **kw)
    return out.getvalue(), report


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- our CSV and GeoJSON ------------------------------------------------------------


def _expected(o: Observation) -> dict[str, str]:
    point = o.location.estimate() if isinstance(o.location, BearingLocation) else o.location
    start, end = o.time.interval()
    w = o.weapon
    return {
        "category": o.category,
        "subtype": o.subtype or "",
        "count": str(o.count),
        "weapon_class": w.weapon_class if w else "",
        "weapon_type": (w.type or "") if w else "",
        "weapon_count": str(w.count) if w else "",
        "location_kind": o.location.kind,
        "time_start": start.isoformat().replace("+00:00", "Z"),
        "time_end": end.isoformat().replace("+00:00", "Z"),
        "precision": o.time.precision or "",
        "source": o.observed_by.source,
        "evidence": ";".join(o.evidence),
        "synthetic": "true" if o.synthetic else "false",
        "sealed_commitments": ";".join(f"{k}={v}" for k, v in sorted((o.sealed or {}).items())),
        "mission": o.mission,
        "_lon": repr(round(point.lon, 6)),
        "_lat": repr(round(point.lat, 6)),
        "_unc": repr(round(point.uncertainty_m, 1)),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(observations(), min_size=1, max_size=4))
def test_our_csv_reads_back_as_the_records(payloads: list[dict[str, Any]]) -> None:
    records = [(rid(i), parse_record(p)) for i, p in enumerate(payloads)]
    text, report = export("csv", records)
    got = rows(text)
    assert text.split("\n", 1)[0].split(",") == list(CSV_COLUMNS)
    assert text.count("\r") == sum(v.count("\r") for r in got for v in r.values())  # data only
    assert [r["record_id"] for r in got] == [r for r, _ in records] and report.rows == len(got)
    for row, (_, o) in zip(got, records, strict=True):
        assert isinstance(o, Observation)
        want = _expected(o)
        assert float(row["lon"]) == float(want.pop("_lon"))
        assert float(row["lat"]) == float(want.pop("_lat"))
        assert repr(float(row["uncertainty_m"])) == want.pop("_unc")
        assert {k: row[k] for k in want} == want
        assert row["admin1"] == ""  # no region lookup given


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(observations(), min_size=0, max_size=4))
def test_geojson_is_an_rfc7946_feature_collection(payloads: list[dict[str, Any]]) -> None:
    records = [(rid(i), parse_record(p)) for i, p in enumerate(payloads)]
    text, report = export("geojson", records)
    doc = json.loads(text)
    assert set(doc) == {"type", "features"} and doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == len(records) == report.rows
    csv_rows = rows(export("csv", records)[0])
    for feature, row in zip(doc["features"], csv_rows, strict=True):
        assert set(feature) == {"type", "id", "geometry", "properties"}
        assert feature["type"] == "Feature" and feature["id"] == row["record_id"]
        geometry = feature["geometry"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (lon, lat) == (float(row["lon"]), float(row["lat"]))
        assert round(lon, 6) == lon and round(lat, 6) == lat
        props = feature["properties"]
        assert set(props) == set(CSV_COLUMNS) - {"lon", "lat"}
        assert props["synthetic"] is (row["synthetic"] == "true")
        assert props["count"] == int(row["count"])


def test_geojson_of_nothing_is_an_empty_collection() -> None:
    text, report = export("geojson", [])
    assert json.loads(text) == {"type": "FeatureCollection", "features": []}
    assert report.rows == 0 and text.endswith("\n")


def test_the_same_records_give_the_same_bytes() -> None:
    records = _mixed()
    for fmt in EXPORT_FORMATS:
        first = export(fmt, records, region=lambda lon, lat: "Donetsk Oblast")
        again = export(fmt, list(records), region=lambda lon, lat: "Donetsk Oblast")
        assert first[0] == again[0] and first[1] == again[1], fmt


def _mixed() -> list[tuple[str, Record]]:
    return [
        (rid(1), obs()),
        (rid(2), obs(category="bursts_of_fire", subtype=None, count=40)),
        (
            rid(3),
            obs(category="weapon_sighting", subtype=None, weapon={"class": "tank", "count": 2}),
        ),
        (
            rid(4),
            obs(category="civilian_casualty", subtype=None, synthetic=True, source="synthetic"),
        ),
        (rid(5), obs(time={"at": "2025-03-17T00:00:00Z", "precision": "week"})),
    ]


# -- ACLED ----------------------------------------------------------------------------


def test_acled_header_and_a_hand_checked_row() -> None:
    o = obs(count=3, weapon={"class": "mortar_120mm"}, evidence=["ab" * 32])
    text, report = export(
        "acled", [(rid(1), o)], region=lambda lon, lat: f"R{lon:.0f},{lat:.0f}", time_zone=KYIV
    )
    assert text.splitlines()[0] == ",".join(ACLED_COLUMNS)
    assert ACLED_COLUMNS == (
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
        "event_type", "sub_event_type", "actor1", "actor2", "interaction", "country",
        "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
        "source", "source_scale", "notes", "fatalities", "timestamp", "iso",
    )  # fmt: skip
    [row] = rows(text)
    notes = row.pop("notes")
    assert row == {
        "event_id_cnty": rid(1),
        "event_date": "2025-03-20",
        "year": "2025",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "",
        "actor2": "",
        "interaction": "",
        "country": "Ukraine",
        "admin1": "R38,48",
        "admin2": "",
        "location": "",
        "latitude": "48.012",
        "longitude": "37.802",
        "geo_precision": "1",
        "source": "smm-east (patrol)",
        "source_scale": "Other",
        "fatalities": "0",
        "timestamp": "1742446800",  # 2025-03-20T05:00:00Z
        "iso": "804",
    }
    assert notes == (
        "Mission observation (patrol): explosion/impact x3, weapon mortar_120mm x1; "
        "2025-03-20T04:15:00Z/2025-03-20T04:16:00Z (minute); radius 500 m. "
        f"Record {rid(1)}."
    )
    assert report.counts[("count", "ACLED has one row per event: the count is in notes")] == 1
    assert report.counts[("weapon", "no ACLED column: the weapon is in notes")] == 1
    assert ("synthetic", "no ACLED column: notes start with SYNTHETIC") not in report.counts


SHELLING = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
CLASH = ("Battles", "Armed clash")
OTHER = ("Strategic developments", "Other")


@pytest.mark.parametrize(
    ("extra", "coded"),
    [
        ({}, SHELLING),
        ({"subtype": "outgoing"}, SHELLING),
        ({"weapon": {"class": "uav"}}, ("Explosions/Remote violence", "Air/drone strike")),
        ({"category": "projectile_in_flight", "subtype": None}, SHELLING),
        ({"category": "bursts_of_fire", "subtype": None}, CLASH),
        ({"category": "shots", "subtype": None}, CLASH),
        ({"category": "muzzle_flash", "subtype": None}, CLASH),
        ({"category": "muzzle_flash", "subtype": None, "weapon": {"class": "mlrs"}}, SHELLING),
        ({"category": "illumination_flare", "subtype": None}, OTHER),
        ({"category": "restriction_of_movement", "subtype": "denied"}, OTHER),
        ({"category": "uav_jamming", "subtype": None}, OTHER),
        ({"category": "civilian_casualty", "subtype": None}, OTHER),
    ],
)
def test_acled_event_types(extra: dict[str, Any], coded: tuple[str, str]) -> None:
    [row] = rows(export("acled", [(rid(1), obs(**extra))])[0])
    assert (row["event_type"], row["sub_event_type"]) == coded
    political = coded[0] != "Strategic developments"
    assert row["disorder_type"] == ("Political violence" if political else "Strategic developments")
    assert row["fatalities"] == ("" if extra.get("category") == "civilian_casualty" else "0")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(observations(), max_size=4))
def test_acled_and_ucdp_rows_are_well_formed(payloads: list[dict[str, Any]]) -> None:
    records = [(rid(i), parse_record(p)) for i, p in enumerate(payloads)]
    observed = [o for _, o in records if isinstance(o, Observation)]
    text, report = export("acled", records, time_zone=KYIV)
    got = rows(text)
    assert len(got) == len(records) == report.rows
    for row, o in zip(got, observed, strict=True):
        assert row["time_precision"] in {"1", "2", "3"} and row["geo_precision"] in {"1", "2", "3"}
        assert row["event_date"][:4] == row["year"] and row["notes"].endswith(
            f"{row['event_id_cnty']}."
        )
        assert row["notes"].startswith("SYNTHETIC") is o.synthetic
    text, report = export("ucdp", records)
    got = rows(text)
    violent = [o for o in observed if o.category in _VIOLENT]
    assert len(got) == len(violent) == report.rows
    left_out = sum(n for (f, r), n in report.counts.items() if "left out" in r)
    assert left_out == len(records) - len(violent)
    for row in got:
        assert row["where_prec"] in set("12345") and row["date_prec"] in set("12345")
        assert row["date_start"] <= row["date_end"] and row["year"] == row["date_start"][:4]


def test_every_category_has_an_acled_mapping() -> None:
    assert set(_ACLED) == set(EVENT_CATEGORIES)


def _at(at: str, precision: str) -> dict[str, Any]:
    return {"at": f"2025-03-{at}:00Z", "precision": precision}


def _span(start: str, end: str) -> dict[str, Any]:
    return {"start": f"2025-{start}T00:00:00Z", "end": f"2025-{end}T00:00:00Z"}


@pytest.mark.parametrize(
    ("time", "precision", "day", "ucdp_prec", "ucdp_days"),
    [
        (_at("20T04:15", "minute"), "1", "2025-03-20", "1", ("2025-03-20", "2025-03-20")),
        (_at("20T21:30", "hour"), "1", "2025-03-20", "1", ("2025-03-20", "2025-03-20")),
        (_at("20T21:30", "hour") | {"_zone": KYIV}, "2", "2025-03-21", "2",
         ("2025-03-20", "2025-03-21")),
        (_at("20T00:00", "day"), "1", "2025-03-20", "1", ("2025-03-20", "2025-03-20")),
        (_at("17T00:00", "week"), "2", "2025-03-20", "3", ("2025-03-17", "2025-03-23")),
        (_span("03-17", "03-20"), "2", "2025-03-18", "2", ("2025-03-17", "2025-03-19")),
        (_at("01T00:00", "month"), "3", "2025-03-16", "4", ("2025-03-01", "2025-03-31")),
        (_span("01-01", "06-01"), "3", "2025-03-17", "5", ("2025-01-01", "2025-05-31")),
    ],
)  # fmt: skip
def test_time_precision(
    time: dict[str, Any], precision: str, day: str, ucdp_prec: str, ucdp_days: tuple[str, str]
) -> None:
    zone = time.pop("_zone", UTC)
    records: list[tuple[str, Record]] = [(rid(1), obs(time=time))]
    [acled] = rows(export("acled", records, time_zone=zone)[0])
    assert (acled["time_precision"], acled["event_date"]) == (precision, day)
    assert acled["year"] == day[:4]
    [ucdp] = rows(export("ucdp", records, time_zone=zone)[0])
    assert (ucdp["date_prec"], (ucdp["date_start"], ucdp["date_end"])) == (ucdp_prec, ucdp_days)


@pytest.mark.parametrize(
    ("radius", "acled", "ucdp"),
    [(0, "1", "1"), (1000, "1", "1"), (1000.5, "2", "2"), (10_000, "2", "2"), (10_001, "3", "2"),
     (25_001, "3", "3"), (50_001, "3", "4"), (150_001, "3", "5"), (500_000, "3", "5")],
)  # fmt: skip
def test_location_precision(radius: float, acled: str, ucdp: str) -> None:
    location = {"kind": "point", "lon": 37.8, "lat": 48.0, "uncertainty_m": radius}
    records: list[tuple[str, Record]] = [(rid(1), obs(location=location))]
    assert rows(export("acled", records)[0])[0]["geo_precision"] == acled
    assert rows(export("ucdp", records)[0])[0]["where_prec"] == ucdp


# -- UCDP GED -------------------------------------------------------------------------


def test_ucdp_header_is_the_ged_header() -> None:
    with UCDP_SAMPLE.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert list(UCDP_COLUMNS) == header and len(header) == 49
    text, _ = export("ucdp", [])
    assert text == ",".join(header) + "\n"


def test_ucdp_hand_checked_row() -> None:
    o = obs(signed_at="2025-03-21T05:00:00Z")
    text, report = export("ucdp", [(rid(7), o)], region=lambda lon, lat: "Donetsk Oblast")
    [row] = rows(text)
    headline = row.pop("source_headline")
    expected = dict.fromkeys(UCDP_COLUMNS, "")
    expected.update(
        id=str(int(rid(7)[:13], 16)), relid=rid(7), year="2025", number_of_sources="1",
        source_article=f"Truce signed record {rid(7)}", source_office="smm-east",
        source_date="2025-03-21", source_original="patrol", where_prec="1",
        adm_1="Donetsk Oblast", latitude="48.012", longitude="37.802",
        geom_wkt="POINT (37.802 48.012)", priogrid_gid=str(276 * 720 + 436),
        country="Ukraine", country_id="369", region="Europe", event_clarity="1",
        date_prec="1", date_start="2025-03-20", date_end="2025-03-20",
        deaths_a="0", deaths_b="0", deaths_civilians="0", deaths_unknown="0",
        best="0", high="0", low="0",
    )  # fmt: skip
    del expected["source_headline"]
    assert row == expected
    assert headline.startswith("explosion/impact x1; 2025-03-20T04:15:00Z/")
    assert report.rows == 1


def test_priogrid_cells_match_the_ucdp_sample() -> None:
    with UCDP_SAMPLE.open(encoding="utf-8") as f:
        sample = list(csv.DictReader(f))
    location = {"kind": "point", "uncertainty_m": 0}
    records: list[tuple[str, Record]] = [
        (
            rid(i),
            obs(location=location | {"lon": float(r["longitude"]), "lat": float(r["latitude"])}),
        )
        for i, r in enumerate(sample)
    ]
    got = rows(export("ucdp", records)[0])
    assert [r["priogrid_gid"] for r in got] == [r["priogrid_gid"] for r in sample]


def test_ucdp_leaves_out_what_is_not_violence() -> None:
    records: list[tuple[str, Record]] = [
        (rid(1), obs()),
        (rid(2), obs(category="restriction_of_movement", subtype="delayed")),
        (rid(3), obs(category="illumination_flare", subtype=None)),
        (rid(4), obs(category="weapon_sighting", subtype=None, weapon={"class": "tank"})),
        (rid(5), obs(category="uav_jamming", subtype=None)),
        (rid(6), obs(category="civilian_casualty", subtype=None, count=2)),
    ]
    text, report = export("ucdp", records)
    got = rows(text)
    assert [r["relid"] for r in got] == [rid(1), rid(6)] and report.rows == 2
    left_out = {k: n for k, n in report.counts.items() if "left out" in k[1]}
    assert sum(left_out.values()) == 4
    assert [got[1][c] for c in ("best", "high", "low", "deaths_civilians")] == ["", "", "", ""]


# -- what never leaves the mission, what must always be said ---------------------------


def test_identities_free_text_and_observer_positions_are_never_exported() -> None:
    observer = {"kind": "point", "lon": 37.654321, "lat": 48.123457, "uncertainty_m": 5}
    bearing = {"kind": "bearing", "observer": observer, "direction": "NE", "distance_band": "3-5km"}
    records: list[tuple[str, Record]] = [
        (rid(1), obs(observed_by={"source": "patrol", "team": TEAM, "monitor": MONITOR},
                     description=DESCRIPTION, location=bearing, note=NOTE)),
        (rid(2), obs(observed_by={"source": "uav", "team": TEAM},
                     sealed={"observed_by.monitor": "cd" * 32})),
    ]  # fmt: skip
    for fmt in EXPORT_FORMATS:
        text, report = export(fmt, records)
        for secret in (MONITOR, TEAM, DESCRIPTION, NOTE, "37.654321", "48.123457"):
            assert secret not in text, (fmt, secret)
        team = [n for (f, _), n in report.counts.items() if f == "observed_by.team"]
        monitor = [n for (f, _), n in report.counts.items() if f == "observed_by.monitor"]
        assert team == [2] and monitor == [1], fmt
    doc = json.loads(export("geojson", records)[0])
    assert (
        doc["features"][1]["properties"]["sealed_commitments"] == "observed_by.monitor=" + "cd" * 32
    )


def test_synthetic_records_are_marked_in_every_format() -> None:
    records: list[tuple[str, Record]] = [
        (rid(1), obs(synthetic=True, source="synthetic")),
        (rid(2), obs()),
    ]
    assert [r["synthetic"] for r in rows(export("csv", records)[0])] == ["true", "false"]
    doc = json.loads(export("geojson", records)[0])
    assert [f["properties"]["synthetic"] for f in doc["features"]] == [True, False]
    acled, report = export("acled", records)
    assert [r["notes"].startswith("SYNTHETIC") for r in rows(acled)] == [True, False]
    assert report.counts[("synthetic", "no ACLED column: notes start with SYNTHETIC")] == 1
    ucdp, report = export("ucdp", records)
    assert [r["source_article"].startswith("SYNTHETIC") for r in rows(ucdp)] == [True, False]
    assert report.counts[("synthetic", "no UCDP column: source_article starts with SYNTHETIC")] == 1


def test_loss_report_counts() -> None:
    records = _mixed()
    _, report = export("acled", records)
    n = len(records)
    assert report.rows == n
    for name in ("actor1", "actor2", "interaction"):
        assert [v for (f, _), v in report.counts.items() if f == name] == [n]
    assert report.counts[("admin1", "no region lookup was given")] == n
    assert (
        report.counts[("fatalities", "the casualty count does not tell killed from injured")] == 1
    )
    assert report.counts[("count", "ACLED has one row per event: the count is in notes")] == 1
    clash = [v for (f, r), v in report.counts.items() if f == "category" and "bursts_of_fire" in r]
    assert clash == [1]
    outside = export("acled", records, region=lambda lon, lat: "")[1]
    assert outside.counts[("admin1", "outside the mapped regions")] == n
    inside = export("acled", records, region=lambda lon, lat: "X")[1]
    assert not [k for k in inside.counts if k[0] == "admin1"]
    data = report.to_dict()
    assert data["format"] == "acled" and data["rows"] == n
    assert data["losses"] == sorted(data["losses"], key=lambda x: (x["field"], x["reason"]))
    assert sum(x["count"] for x in data["losses"]) == sum(report.counts.values())
    lines = report.lines()
    assert lines[0] == f"acled: {n} row(s) exported" and len(lines) == 1 + len(report.counts)
    assert export("csv", records)[1].counts == {}


# -- corrections and the records given --------------------------------------------------


def _corrected() -> list[tuple[str, Record]]:
    return [
        (rid(1), obs()),
        (rid(2), obs(count=2)),
        (rid(3), obs(count=5)),
        (rid(9), obs(count=9)),
        (rid(4), record("correction", supersedes=rid(1), reason="wrong place")),
        (rid(5), record("correction", supersedes=rid(2), replacement=rid(3), reason="count")),
    ]


def test_superseded_observations_are_left_out() -> None:
    records = _corrected()
    assert [r for r, _ in published_events(records)] == [rid(3), rid(9)]
    for fmt in EXPORT_FORMATS:
        text, report = export(fmt, records)
        assert report.rows == 2, fmt
        assert rid(1) not in text and rid(2) not in text and rid(3) in text, fmt


def test_records_must_be_readable_twice_unless_superseded_is_given() -> None:
    records = _corrected()
    with pytest.raises(ValidationError, match="one-shot") as caught:
        write_export("csv", iter(records), io.StringIO())
    assert caught.value.field == "records"
    out = io.StringIO()
    report = write_export("csv", iter(records), out, superseded={rid(1), rid(2)})
    assert report.rows == 2 and rid(1) not in out.getvalue()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        write_export("shapefile", [], io.StringIO())
    assert caught.value.field == "format"
    with pytest.raises(ValidationError) as caught:
        write_export("csv", [("not-an-id", obs())], io.StringIO())
    assert caught.value.field == "records[0].record_id"
    with pytest.raises(ValidationError):
        write_findings("acled", [], io.StringIO())


class _Broken(io.StringIO):
    def write(self, s: str) -> int:
        raise OSError("disk full")


def test_a_failing_sink_is_a_storage_error() -> None:
    for fmt in EXPORT_FORMATS:
        with pytest.raises(StorageError, match="disk full"):
            write_export(fmt, [(rid(1), obs())], _Broken())


def test_text_the_sink_cannot_encode_is_a_validation_error() -> None:
    records: list[tuple[str, Record]] = [(rid(1), obs(weapon={"class": "mlrs", "type": "БМ-21"}))]
    for fmt in ("csv", "acled", "geojson"):
        sink = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
        with pytest.raises(ValidationError, match="cannot encode"):
            write_export(fmt, records, sink)


def test_log_records_reads_signed_entries() -> None:
    signer = Signer.from_seed("monitor-01", b"m".ljust(32, b"\0"))
    payloads = [
        {"type": "observation", "mission": "smm-east", "signed_at": "2025-03-20T05:00:00Z",
         "category": "shots", "location": {"kind": "point", "lon": 37.5, "lat": 48.5},
         "time": {"at": "2025-03-20T04:00:00Z"}, "observed_by": {"source": "patrol"}},
    ]  # fmt: skip
    envelopes = [sign_payload(p, signer) for p in payloads]
    entries = [e.to_json() for e in envelopes]
    log = LogRecords(lambda: entries, size=1)
    assert [r for r, _ in log] == [envelopes[0].record_id]
    text, report = export("csv", list(log))
    assert report.rows == 1 and envelopes[0].record_id in text
    assert write_export("acled", log, io.StringIO()).rows == 1  # read twice
    with pytest.raises(ValidationError, match="1 entries, not 2"):
        list(LogRecords(lambda: entries, size=2))
    with pytest.raises(ValidationError, match=r"entry \[0\]"):
        list(LogRecords(lambda: [b"{}"]))


# -- findings ------------------------------------------------------------------------------


def _finding(cites: list[str], **extra: Any) -> Record:
    body = {
        "observations": cites,
        "term": {"id": "ceasefire.general", "agreement_version": 1},
        "certainty": "probable",
        "outcome": "breach",
        "attribution": {"status": "not_attributed", "reason": "standard not met"},
        "summary": "Shelling across the line",
    }
    return record("finding", **(body | extra))


def _with_findings() -> list[tuple[str, Record]]:
    far = {"kind": "point", "lon": 38.1, "lat": 48.3, "uncertainty_m": 10}
    attributed = {"status": "attributed", "party": "B", "basis": "crater analysis"}
    return [
        *_corrected(),
        (rid(10), obs(location=far)),
        (rid(20), _finding([rid(1), rid(2), rid(10)])),
        (rid(21), _finding([], allegations=["ef" * 32], attribution=attributed)),
        (rid(22), _finding([rid(9)])),  # never approved
        (rid(23), _finding([rid(9)])),  # approved, then withdrawn
        (rid(30), record("approval", finding=rid(20), decision="approved", reply_window_days=7)),
        (rid(31), record("approval", finding=rid(21), decision="approved", reply_window_days=7)),
        (rid(32), record("approval", finding=rid(22), decision="returned", reason="more")),
        (rid(33), record("approval", finding=rid(23), decision="approved", reply_window_days=7)),
        (rid(34), record("correction", supersedes=rid(23), reason="withdrawn")),
    ]


def test_approved_findings_as_csv() -> None:
    out = io.StringIO()
    report = write_findings("csv", iter(_with_findings()), out)  # CSV reads once
    got = rows(out.getvalue())
    assert out.getvalue().splitlines()[0] == ",".join(FINDING_COLUMNS)
    assert [r["record_id"] for r in got] == [rid(20), rid(21)] and report.rows == 2
    first, second = got
    assert first["observations"] == ";".join([rid(1), rid(2), rid(10)])
    assert (first["term_id"], first["agreement_version"], first["outcome"]) == (
        "ceasefire.general", "1", "breach"
    )  # fmt: skip
    assert (first["attribution_status"], first["attributed_party"]) == ("not_attributed", "")
    assert first["attribution_text"] == "standard not met" and first["synthetic"] == "false"
    assert (second["attributed_party"], second["attribution_text"]) == ("B", "crater analysis")
    out = io.StringIO()
    write_findings("csv", _with_findings(), out, approved={rid(22)})
    assert [r["record_id"] for r in rows(out.getvalue())] == [rid(22)]


def test_approved_findings_as_geojson() -> None:
    out = io.StringIO()
    report = write_findings("geojson", _with_findings(), out)
    doc = json.loads(out.getvalue())
    assert doc["type"] == "FeatureCollection" and report.rows == 2
    first, second = doc["features"]
    # rid(1) withdrawn: left out; rid(2) replaced by rid(3) (same point as rid(1)); rid(10)
    assert first["geometry"] == {
        "type": "MultiPoint",
        "coordinates": [[37.802, 48.012], [38.1, 48.3]],
    }
    assert first["properties"]["summary"] == "Shelling across the line"
    assert second["geometry"] is None
    assert report.counts == {
        ("observations", "a cited observation was withdrawn: not in the geometry"): 1,
        ("observations", "a cited observation was corrected: its replacement is used"): 1,
        ("geometry", "no cited observation to place: geometry null"): 1,
    }
    with pytest.raises(ValidationError, match="one-shot"):
        write_findings("geojson", iter(_with_findings()), io.StringIO())


# -- bounded memory -----------------------------------------------------------------------


class _Counting(io.TextIOBase):
    """A sink that keeps nothing but the number of characters written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


class _Many:
    """``n`` observations (a few objects, many ids), re-iterable, never in a list."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.templates = [obs(), *(r for _, r in _mixed()[1:])]

    def __iter__(self) -> Iterator[tuple[str, Record]]:
        templates = self.templates
        for i in range(self.n):
            yield f"{i:064x}", templates[i % len(templates)]


def _peak(fmt: str, n: int) -> int:
    sink = _Counting()
    tracemalloc.start()
    try:
        report = write_export(fmt, _Many(n), sink)  # type: ignore[arg-type]  # a TextIO stand-in
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rows == (n if fmt != "ucdp" else n * 4 // 5) and sink.chars > report.rows * 100
    return peak


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_a_large_export_runs_in_bounded_memory(fmt: str) -> None:
    # Six times the rows, (almost) the same peak: nothing is kept per row. Under
    # tracemalloc a row costs ~0.2 ms here, so the test stays at thousands of rows;
    # 64 KiB of slack over 2,500 more rows is ~26 bytes a row, less than any kept
    # object (a record id string alone is ~100 bytes).
    small, large = _peak(fmt, 500), _peak(fmt, 3_000)
    assert large - small < 64 * 2**10, f"{fmt}: peak grew from {small} to {large} bytes"
    assert large < 20 * 2**20
