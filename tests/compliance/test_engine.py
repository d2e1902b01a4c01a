"""The compliance run over a mission's log: incremental, full, stored, shown, summarised."""

from __future__ import annotations

import json

from pyproj import Geod

from tests.conftest import Actors, allegation, observation
from truce.mission import Mission, example_agreement_path

GEOD = Geod(ellps="WGS84")
DNIPRO_HPP2 = (35.0897, 47.8675)  # WRI1005120, on both lists


def strike(
    distance_m: float, at: str = "2025-03-25T10:00:00Z", unc: float = 100
) -> dict[str, object]:
    lon, lat, _ = GEOD.fwd(*DNIPRO_HPP2, 45.0, distance_m)
    return observation(
        location={"kind": "point", "lon": float(lon), "lat": float(lat), "uncertainty_m": unc},
        time={"at": at, "precision": "minute"},
        signed_at="2025-03-25T11:00:00Z",
    )


def submit(m: Mission, actors: Actors, *bodies: dict[str, object]) -> list[str]:
    signed = [m.submit_record(m.new_record("observation", b), actors.monitor) for b in bodies]
    return [r.record_id for r in signed]


def stored(m: Mission) -> list[tuple[object, ...]]:
    return [
        (a["record_id"], a["term"], a["list"], a["status"], json.dumps(a["explanation"]))
        for a in m.assessments()
    ]


def test_run_store_show_and_filter(mission: Mission, actors: Actors) -> None:
    near_id, far_id = submit(mission, actors, strike(3000), strike(8000))
    report = mission.compliance_run()
    assert report.full and report.events == 2
    breaches = mission.assessments(term_id="moratorium.energy", status="breach")
    assert {a["record_id"] for a in breaches} == {near_id}
    assert {a["list"] for a in breaches} == {"energy-A", "energy-B"}
    explanation = breaches[0]["explanation"]
    assert abs(explanation["distance_m"] - 3000) <= 1
    assert explanation["feature"] == "gppd/WRI1005120"
    assert explanation["limit_m"] == 5000
    assert breaches[0]["agreement"] == "ua-energy-ceasefire@1"
    assert breaches[0]["day"] == "2025-03-25"  # local date in Kyiv
    assert "Zapor" in breaches[0]["region"]
    far = mission.assessments(record=far_id, term_id="moratorium.energy")
    assert {a["status"] for a in far} == {"no_breach"}
    shown = mission.show(near_id).to_dict()["compliance"]
    assert {(c["term"], c["status"]) for c in shown} >= {("moratorium.energy", "breach")}


def test_incremental_runs_agree_with_a_full_run(mission: Mission, actors: Actors) -> None:
    submit(mission, actors, strike(1000), strike(4900, unc=300))
    first = mission.compliance_run()
    assert first.full
    again = mission.compliance_run()
    assert (again.full, again.events) == (False, 0)
    submit(mission, actors, strike(2000, at="2025-03-10T10:00:00Z"))
    mission.submit_record(mission.new_record("allegation", allegation()), actors.party_a)
    step = mission.compliance_run()
    assert (step.full, step.events) == (False, 2)
    incremental = stored(mission)
    assert mission.compliance_run(full=True).events == 4
    assert stored(mission) == incremental


def test_a_new_agreement_version_reevaluates_everything(mission: Mission, actors: Actors) -> None:
    (rid,) = submit(mission, actors, strike(7000, at="2025-04-05T10:00:00Z"))
    mission.compliance_run()
    (before,) = mission.assessments(record=rid, term_id="moratorium.energy", list_id="energy-A")
    assert (before["agreement"], before["status"]) == ("ua-energy-ceasefire@1", "no_breach")
    mission.load_agreement(example_agreement_path().with_name("example-agreement-v2.yaml"))
    report = mission.compliance_run()
    assert report.full
    (after,) = mission.assessments(record=rid, term_id="moratorium.energy", list_id="energy-A")
    # In force on 5 April: version 2, whose buffer is 10 km.
    assert (after["agreement"], after["status"]) == ("ua-energy-ceasefire@2", "breach")


def test_summaries(mission: Mission, actors: Actors) -> None:
    submit(mission, actors, strike(1000), strike(1000, at="2025-03-26T10:00:00Z"), strike(9000))
    mission.compliance_run()
    by_term = mission.compliance_summary("term", term_id="moratorium.energy")
    assert {(r["list"], r["breach"], r["no_breach"]) for r in by_term} == {
        ("energy-A", 2, 1),
        ("energy-B", 2, 1),
    }
    by_day = mission.compliance_summary("day", term_id="moratorium.energy")
    assert {r["day"] for r in by_day} == {"2025-03-25", "2025-03-26"}
    by_region = mission.compliance_summary("region")
    assert all(r["region"] for r in by_region)
