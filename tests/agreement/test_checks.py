"""Semantic checks: unique ids, references, periods, holders, composites and cycles."""

from __future__ import annotations

from typing import Any

import pytest

from truce.agreement import Agreement
from truce.agreement._checks import check_composites
from truce.agreement.terms import term_from_document
from truce.errors import ValidationError


def _error(doc: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Agreement.from_document(doc, source="t.yaml")
    assert info.value.source == "t.yaml"
    return info.value


def test_good_document_loads(good_doc: dict[str, Any]) -> None:
    assert Agreement.from_document(good_doc).id == "bad-example"


def test_duplicate_term_id(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][2]["id"] = "ceasefire.general"
    err = _error(good_doc)
    assert err.field == "terms[2].id"
    assert err.reason == "duplicate term id 'ceasefire.general' (first at terms[0].id)"


def test_layer_ids_are_unique_across_kinds(good_doc: dict[str, Any]) -> None:
    good_doc["geography"]["sites"][0]["id"] = "area"
    err = _error(good_doc)
    assert err.field == "geography.sites[0].id"
    assert "duplicate layer id 'area'" in err.reason


def test_duplicate_party_and_site_list(good_doc: dict[str, Any]) -> None:
    good_doc["parties"][1]["id"] = "A"
    good_doc["site_lists"].append(dict(good_doc["site_lists"][0]))
    err = _error(good_doc)
    assert err.field == "parties[1].id"
    assert {e.field for e in err.errors} == {"parties[1].id", "site_lists[1].id"}


def test_unknown_time_zone(good_doc: dict[str, Any]) -> None:
    good_doc["time_zone"] = "Europe/Atlantis"
    err = _error(good_doc)
    assert err.field == "time_zone"
    assert "unknown IANA time zone 'Europe/Atlantis'" in err.reason


def test_held_by_must_be_a_party(good_doc: dict[str, Any]) -> None:
    good_doc["site_lists"][0]["held_by"] = "C"
    err = _error(good_doc)
    assert err.field == "site_lists[0].held_by"
    assert err.reason == "unknown party 'C' (parties: A, B; or 'joint')"


def test_site_list_layer_must_be_a_sites_layer(good_doc: dict[str, Any]) -> None:
    good_doc["site_lists"][0]["layer"] = "area"
    err = _error(good_doc)
    assert err.field == "site_lists[0].layer"
    assert err.reason == "layer 'area' is a zone layer, not a site layer"


def test_site_list_ids_and_categories_must_exist(good_doc: dict[str, Any]) -> None:
    good_doc["site_lists"][0]["exclude"] = ["P9"]
    good_doc["site_lists"][0]["categories"] = ["Hydro", "Wind"]
    err = _error(good_doc)
    assert {(e.field, e.reason) for e in err.errors} == {
        (
            "site_lists[0].categories[1]",
            "no site in layer 'plants' has category 'Wind' (categories: Coal, Hydro)",
        ),
        ("site_lists[0].exclude[0]", "no site 'P9' in layer 'plants'"),
    }


def test_empty_site_list(good_doc: dict[str, Any]) -> None:
    good_doc["site_lists"][0]["exclude"] = ["P1", "P2"]
    err = _error(good_doc)
    assert err.field == "site_lists[0]"
    assert "selects no sites" in err.reason


def test_across_must_be_a_line_layer(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][0]["across"] = "area"
    err = _error(good_doc)
    assert (err.field, err.reason) == (
        "terms[0].across",
        "layer 'area' is a zone layer, not a line layer",
    )


def test_zone_restriction(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][0]["zone"] = {"layer": "area", "ids": ["Z1", "Z7"]}
    err = _error(good_doc)
    assert (err.field, err.reason) == ("terms[0].zone.ids[1]", "no zone 'Z7' in layer 'area'")
    good_doc["terms"][0]["zone"] = {"layer": "oblasts", "ids": ["Z1"]}
    err = _error(good_doc)
    assert err.field == "terms[0].zone.layer"
    assert err.reason == "unknown zone layer 'oblasts' (zone layers: area)"


def test_period_must_end_after_start(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][0]["period"]["end"] = "2025-03-18T00:00:00+02:00"
    err = _error(good_doc)
    assert err.field == "terms[0].period.end"
    assert "must be after start" in err.reason
    good_doc["terms"][0]["period"]["end"] = "2025-03-17T23:00:00+01:00"
    assert _error(good_doc).field == "terms[0].period.end"


def test_moratorium_references(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][1]["sites"] = {"lists": ["energy-A", "energy-C"]}
    err = _error(good_doc)
    assert (err.field, err.reason) == (
        "terms[1].sites.lists[1]",
        "unknown site list 'energy-C' (lists: energy-A)",
    )
    good_doc["terms"][1]["sites"] = {"list": "energy-C"}
    assert _error(good_doc).field == "terms[1].sites.list"
    good_doc["terms"][1]["sites"] = {"layer": "plants", "include": ["P3"]}
    err = _error(good_doc)
    assert (err.field, err.reason) == (
        "terms[1].sites.include[0]",
        "no site 'P3' in layer 'plants'",
    )
    good_doc["terms"][1]["sites"] = {"layer": "contact-line", "include": ["P1"]}
    assert _error(good_doc).field == "terms[1].sites.layer"


def _window(**place: Any) -> dict[str, Any]:
    return {
        "id": "window.repair",
        "version": 1,
        "type": "window",
        "windows": [
            {"start": "2025-03-20T08:00:00+02:00", "end": "2025-03-20T18:00:00+02:00"},
            {"start": "2025-03-21T18:00:00+02:00", "end": "2025-03-21T08:00:00+02:00"},
        ],
        "events": ["explosion"],
        **place,
    }


def test_window_references(good_doc: dict[str, Any]) -> None:
    good_doc["terms"].append(_window(site={"layer": "plants", "id": "P8"}, radius_km=3))
    err = _error(good_doc)
    assert {e.field for e in err.errors} == {"terms[4].windows[1].end", "terms[4].site.id"}
    good_doc["terms"][4] = _window(zone={"layer": "plants", "ids": ["P1"]})
    good_doc["terms"][4]["windows"].pop()
    err = _error(good_doc)
    assert (err.field, err.reason) == (
        "terms[4].zone.layer",
        "layer 'plants' is a site layer, not a zone layer",
    )


def test_composite_children_must_exist(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][3]["terms"] = ["moratorium.energy", "window.missing"]
    err = _error(good_doc)
    assert err.field == "terms[3].terms[1]"
    assert err.reason.startswith("unknown term 'window.missing' (terms: ")


def test_self_reference(good_doc: dict[str, Any]) -> None:
    good_doc["terms"][3]["terms"] = ["energy.package"]
    err = _error(good_doc)
    assert (err.field, err.reason) == ("terms[3].terms[0]", "a term cannot contain itself")


def _composite(term_id: str, kind: str, *children: str) -> Any:
    return term_from_document({"id": term_id, "version": 1, "type": kind, "terms": list(children)})


def test_cycles_are_found() -> None:
    terms = [
        _composite("a", "all_of", "b"),
        _composite("b", "any_of", "c", "d"),
        _composite("c", "all_of", "a"),
        _composite("d", "all_of", "b"),
    ]
    [problem] = check_composites(terms)
    assert problem.field == "terms[2].terms[0]"
    assert problem.reason == "cycle in composite terms: a -> b -> c -> a"


def test_diamonds_are_not_cycles() -> None:
    leaf = term_from_document(
        {
            "id": "leaf",
            "version": 1,
            "type": "ceasefire",
            "period": {"start": "2025-03-18T00:00:00+02:00"},
            "events": ["explosion"],
        }
    )
    terms = [
        _composite("top", "all_of", "left", "right"),
        _composite("left", "any_of", "leaf"),
        _composite("right", "any_of", "leaf"),
        leaf,
    ]
    assert check_composites(terms) == []


def test_long_chains_do_not_recurse() -> None:
    n = 5000
    terms = [_composite(f"t{i}", "all_of", f"t{i + 1}") for i in range(n)]
    terms.append(_composite(f"t{n}", "all_of", "t0"))
    [problem] = check_composites(terms)
    assert problem.reason.startswith("cycle in composite terms: t0 -> t1 -> ")
