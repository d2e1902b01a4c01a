"""The Agreement: loading the example, lookups, sites, time, and the document round trip."""

from __future__ import annotations

import copy
import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import rfc8785
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truce.agreement import (
    Agreement,
    EnergyMoratorium,
    Party,
    SiteListRef,
    SiteSelector,
    Window,
    load_agreement,
)
from truce.agreement._document import normalise
from truce.agreement.vocabulary import EVENT_CATEGORIES
from truce.errors import NotFound, ValidationError

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GOOD: dict[str, Any] = yaml.safe_load((HERE / "bad" / "good.yaml").read_text("utf-8"))
KYIV_WINTER = timezone(timedelta(hours=2))


# -- the shipped example --------------------------------------------------------------


def test_example_metadata(example: Agreement) -> None:
    assert example.id == "ua-energy-ceasefire"
    assert example.version == 1
    assert example.example is True
    assert "not a real agreement" in example.title
    assert example.time_zone.key == "Europe/Kyiv"
    assert example.effective == datetime(2025, 3, 18, tzinfo=KYIV_WINTER)
    assert example.signed == date(2025, 3, 11)
    assert example.parties == (Party("A", "Party A"), Party("B", "Party B"))
    assert example.evidentiary_standard is not None
    assert "two" in example.evidentiary_standard.attribution
    assert [t.id for t in example.terms] == [
        "ceasefire.general",
        "moratorium.energy",
        "withdrawal.heavy-weapons",
        "window.repair.znpp",
        "energy.package",
    ]


def test_example_geography(example: Agreement) -> None:
    oblasts = example.layer("oblasts")
    assert oblasts.kind == "zone"
    assert len(oblasts.features) == 27
    assert oblasts.feature("UA-14").name == "Donetsk Oblast"
    assert oblasts.attribution is not None
    assert "OpenStreetMap" in oblasts.attribution
    line = example.layer("contact-line")
    assert line.kind == "line"
    assert line.synthetic is True
    [feature] = line.features
    assert feature.properties["synthetic"] is True
    assert 15 <= len(feature.geometry.coords) <= 30
    gppd = example.layer("gppd")
    assert len(gppd.features) == 64
    assert gppd.categories() == ("Coal", "Gas", "Hydro", "Nuclear", "Solar")
    assert [layer.id for layer in example.layers] == ["oblasts", "contact-line", "gppd"]
    assert "gppd" in example.layers
    assert len(example.layers) == 3
    with pytest.raises(NotFound):
        example.layer("roads")


def test_example_contact_line_runs_through_the_front(example: Agreement) -> None:
    geom = example.layer("contact-line").features[0].geometry
    oblasts = {f.id: f.geometry for f in example.layer("oblasts").features}
    for iso in ("UA-63", "UA-14", "UA-23", "UA-65"):  # Kharkiv, Donetsk, Zaporizhzhia, Kherson
        assert geom.intersects(oblasts[iso]), iso
    assert not geom.intersects(oblasts["UA-46"])  # Lviv


def test_example_site_lists_differ_per_party(example: Agreement) -> None:
    protected = example.protected_sites("moratorium.energy")
    assert list(protected) == ["energy-A", "energy-B"]
    assert len(protected["energy-A"]) == 64
    assert len(protected["energy-B"]) == 34
    b_ids = {s.id for s in protected["energy-B"]}
    assert {"WRI1005101", "WRI1005104", "WRI1005103"}.isdisjoint(b_ids)
    assert "WRI1005114" in b_ids
    assert len(example.sites_in("energy-agreed")) == 37
    assert example.site_list("energy-B").held_by == "B"
    with pytest.raises(NotFound):
        example.site_list("energy-C")


def test_sites_in_accepts_every_form(example: Agreement) -> None:
    site_list = example.site_list("energy-A")
    assert example.sites_in(site_list) == example.sites_in("energy-A")
    nuclear = example.sites_in(SiteSelector(layer="gppd", categories=("Nuclear",)))
    assert sorted(s.name or "" for s in nuclear) == [
        "Khmelnytska",
        "Rivne (Rouno)",
        "South Ukraine",
        "Zaporozhye",
    ]
    union = example.sites_in(SiteListRef(("energy-B", "energy-A")))
    assert len(union) == 64
    assert len({s.id for s in union}) == 64


def test_protected_sites_of_other_terms(example: Agreement) -> None:
    window = example.term("window.repair.znpp")
    assert isinstance(window, Window)
    [site] = example.protected_sites(window)["window.repair.znpp"]
    assert (site.name, site.category) == ("Zaporozhye", "Nuclear")
    assert example.protected_sites("ceasefire.general") == {}


def test_term_lookup(example: Agreement) -> None:
    term = example.term("moratorium.energy")
    assert isinstance(term, EnergyMoratorium)
    assert term.radius_km == 5
    with pytest.raises(NotFound):
        example.term("curfew.general")
    assert [t.id for t in example.children("energy.package")] == [
        "moratorium.energy",
        "window.repair.znpp",
    ]
    assert example.children("ceasefire.general") == ()
    assert example.party("B").name == "Party B"
    with pytest.raises(NotFound):
        example.party("C")


def test_in_force(example: Agreement) -> None:
    repair_time = datetime(2025, 3, 20, 12, tzinfo=KYIV_WINTER)
    assert example.in_force("energy.package", repair_time)
    assert {t.id for t in example.terms_in_force(repair_time)} == {
        "ceasefire.general",
        "moratorium.energy",
        "window.repair.znpp",
        "energy.package",
    }
    before = datetime(2025, 3, 17, 23, 59, tzinfo=KYIV_WINTER)
    assert example.terms_in_force(before) == ()
    after = datetime(2025, 4, 17, tzinfo=timezone(timedelta(hours=3)))
    assert example.terms_in_force(after) == ()


def test_example_loads_fast() -> None:
    load_agreement(REPO / "truce" / "data" / "example-agreement.yaml")  # warm caches
    start = time.perf_counter()
    load_agreement(REPO / "truce" / "data" / "example-agreement.yaml")
    assert time.perf_counter() - start < 1.0


def test_examples_symlink_loads_the_same(example: Agreement) -> None:
    via_link = load_agreement(REPO / "examples" / "agreement.yaml")
    assert via_link.to_document() == example.to_document()


# -- the document -----------------------------------------------------------------------


def _walk_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _walk_keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _walk_keys(v)}
    return set()


def test_to_document_is_self_contained_json(example: Agreement) -> None:
    doc = example.to_document()
    assert "path" not in _walk_keys(doc)
    zones = doc["geography"]["zones"][0]["source"]["inline"]
    assert zones["type"] == "FeatureCollection"
    assert len(zones["features"]) == 27
    assert doc["effective"] == "2025-03-18T00:00:00+02:00"
    assert doc["signed"] == "2025-03-11"
    assert doc["example"] is True
    json.dumps(doc, allow_nan=False)
    rfc8785.dumps(doc)


def test_to_document_round_trip_and_determinism(example: Agreement) -> None:
    doc = example.to_document()
    again = Agreement.from_document(doc, source="db")
    assert again.to_document() == doc
    assert json.dumps(again.to_document()) == json.dumps(doc)
    assert rfc8785.dumps(again.to_document()) == rfc8785.dumps(doc)


def test_log_document_moves_geography_into_blobs(example: Agreement) -> None:
    doc, blobs = example.to_log_document()
    assert len(rfc8785.dumps(doc)) < 47 * 1024  # a log entry stays under 64 KiB
    refs = [layer["source"]["blob"] for kind in doc["geography"].values() for layer in kind]
    assert {r["sha256"] for r in refs} == set(blobs) and len(refs) == 3
    for ref in refs:
        assert blobs[ref["sha256"]].sha256 == ref["sha256"]
        assert len(blobs[ref["sha256"]].data) == ref["size"]
    again = Agreement.from_document(doc, source="db", blobs=lambda h: blobs[h].data)
    assert again.to_document() == example.to_document()
    # Deterministic, and a fresh copy each time.
    doc["terms"].clear()
    assert example.to_log_document()[0] == again.to_log_document()[0]
    assert len(example.to_log_document()[0]["terms"]) == 5


def test_log_document_needs_its_blobs(example: Agreement) -> None:
    doc, blobs = example.to_log_document()
    with pytest.raises(ValidationError) as info:
        Agreement.from_document(doc, source="payload.document")
    assert info.value.field == "geography.zones[0].source.blob"
    assert "not available" in info.value.reason
    sha = doc["geography"]["sites"][0]["source"]["blob"]["sha256"]
    forged = {**{k: b.data for k, b in blobs.items()}, sha: blobs[sha].data.replace(b"9", b"8")}
    with pytest.raises(ValidationError) as info:
        Agreement.from_document(doc, source="payload.document", blobs=forged.get)
    assert info.value.field == "geography.sites[0].source.blob"
    # A blob that hashes right but is not GeoJSON is named as such.
    junk = b"not json"
    doc["geography"]["lines"][0]["source"]["blob"] = {
        "sha256": hashlib.sha256(junk).hexdigest(),
        "size": len(junk),
    }
    lookup = {hashlib.sha256(junk).hexdigest(): junk, **{k: b.data for k, b in blobs.items()}}
    with pytest.raises(ValidationError) as info:
        Agreement.from_document(doc, blobs=lookup.get)
    assert info.value.field == "geography.lines[0].source.blob"
    assert "not valid JSON" in info.value.reason


def test_to_document_returns_a_fresh_copy(example: Agreement) -> None:
    doc = example.to_document()
    doc["terms"].clear()
    doc["geography"]["sites"][0]["source"]["inline"]["features"].clear()
    assert len(example.to_document()["terms"]) == 5
    assert len(example.layer("gppd").features) == 64


def test_inline_input_comes_back_unchanged(good_doc: dict[str, Any]) -> None:
    expected = normalise(good_doc, source=None)
    assert Agreement.from_document(good_doc).to_document() == expected


def test_from_document_with_paths(data_dir: Path) -> None:
    doc = yaml.safe_load((data_dir / "example-agreement.yaml").read_text("utf-8"))
    with pytest.raises(ValidationError) as info:
        Agreement.from_document(doc, source="db")
    assert info.value.field == "geography.zones[0].source.path"
    assert info.value.source == "db"
    resolved = Agreement.from_document(doc, base_dir=data_dir)
    assert len(resolved.layer("oblasts").features) == 27


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        load_agreement(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", "utf-8")
    with pytest.raises(ValidationError, match="top level must be a mapping"):
        load_agreement(tmp_path / "list.yaml")
    (tmp_path / "latin1.yaml").write_bytes(b"title: caf\xe9\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        load_agreement(tmp_path / "latin1.yaml")
    with pytest.raises(ValidationError) as info:
        load_agreement(str(tmp_path / "list.yaml"))
    assert info.value.source == str(tmp_path / "list.yaml")


def test_relative_paths_follow_the_file(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "geo").mkdir()
    for name in ("ukraine_power_plants.geojson", "ukraine_adm1.geojson"):
        (tmp_path / "geo" / name).write_bytes((data_dir / name).read_bytes())
    text = (data_dir / "example-agreement.yaml").read_text("utf-8")
    text = text.replace("path: ukraine_", "path: geo/ukraine_")
    (tmp_path / "a.yaml").write_text(text, "utf-8")
    moved = load_agreement(tmp_path / "a.yaml")
    assert len(moved.layer("gppd").features) == 64

    absolute = text.replace("path: geo/ukraine_adm1", f"path: {tmp_path}/geo/ukraine_adm1")
    (tmp_path / "b.yaml").write_text(absolute, "utf-8")
    with pytest.raises(ValidationError) as info:
        load_agreement(tmp_path / "b.yaml")
    assert info.value.field == "geography.zones[0].source.path"
    assert "must be relative" in info.value.reason

    (tmp_path / "c.yaml").write_text(text.replace("path: geo/ukraine_adm1", "path: ../x"), "utf-8")
    with pytest.raises(ValidationError, match=r"cannot read '\.\./x\.geojson'"):
        load_agreement(tmp_path / "c.yaml")


# -- property-based round trip ---------------------------------------------------------

offsets = st.sampled_from([UTC, KYIV_WINTER, timezone(timedelta(hours=3, minutes=30))])
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=offsets
)
positions = st.tuples(
    st.floats(-180, 180, allow_nan=False, allow_subnormal=False),
    st.floats(-90, 90, allow_nan=False, allow_subnormal=False),
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(GOOD)
    doc["title"] = draw(st.text(min_size=1, max_size=60))
    if draw(st.booleans()):
        doc["example"] = draw(st.booleans())
    if draw(st.booleans()):
        doc["description"] = draw(st.text(min_size=1, max_size=40))
    if draw(st.booleans()):
        doc["signed"] = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
    doc["effective"] = draw(instants)
    doc["version"] = draw(st.integers(1, 10**6))
    start = draw(instants)
    for term in doc["terms"]:
        if "period" in term:
            term["period"] = {"start": start}
            if draw(st.booleans()):
                term["period"]["end"] = start + draw(
                    st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=900))
                )
        term["version"] = draw(st.integers(1, 50))
    doc["terms"][0]["events"] = draw(
        st.lists(st.sampled_from(EVENT_CATEGORIES), min_size=1, max_size=4, unique=True)
    )
    doc["terms"][1]["radius_km"] = draw(
        st.one_of(st.integers(1, 100), st.floats(0.001, 100, allow_nan=False))
    )
    doc["terms"][2]["distance_km"] = draw(st.floats(0.5, 200, allow_nan=False))
    doc["site_lists"][0]["categories"] = draw(
        st.lists(st.sampled_from(["Hydro", "Coal"]), min_size=1, unique=True)
    )
    points = draw(st.lists(positions, min_size=2, max_size=12, unique=True))
    line = doc["geography"]["lines"][0]["source"]["inline"]["features"][0]
    line["geometry"]["coordinates"] = [list(p) for p in points]
    if draw(st.booleans()):
        line["properties"]["note"] = draw(st.text(max_size=10))
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_document_round_trip(doc: dict[str, Any]) -> None:
    agreement = Agreement.from_document(doc)
    out = agreement.to_document()
    assert Agreement.from_document(out).to_document() == out
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert out["effective"] == doc["effective"].isoformat()
    assert agreement.effective == doc["effective"]
    assert agreement.term("moratorium.energy").to_document()["radius_km"] == pytest.approx(
        doc["terms"][1]["radius_km"]
    )


def test_the_documented_example_loads(tmp_path: Path, data_dir: Path) -> None:
    text = (REPO / "docs" / "agreement.md").read_text("utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    for name in ("ukraine_adm1.geojson", "ukraine_power_plants.geojson"):
        (tmp_path / name).write_bytes((data_dir / name).read_bytes())
    (tmp_path / "doc.yaml").write_text(block, "utf-8")
    documented = load_agreement(tmp_path / "doc.yaml")
    assert [t.type for t in documented.terms] == [
        "ceasefire",
        "energy_moratorium",
        "withdrawal",
        "window",
        "all_of",
    ]
    assert documented.layer("contact-line").synthetic
