"""The JSON Schema and the translation of its errors into field paths and reasons."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from truce.agreement._document import normalise
from truce.agreement._schema import MAX_REPORTED, agreement_schema, validate_document
from truce.errors import ValidationError


def _doc(good_doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = normalise(good_doc, source=None)
    return out


def _error(doc: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_document(doc, source="t.yaml")
    assert info.value.source == "t.yaml"
    return info.value


def test_schema_is_valid_draft_2020_12() -> None:
    schema = agreement_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def test_closed_objects_everywhere() -> None:
    # The term schema only dispatches on "type" (if/then) to closed per-type schemas.
    closed = [o for o in _objects(agreement_schema()) if "allOf" not in o]
    assert len(closed) > 15
    assert all(o.get("additionalProperties") is False for o in closed)


def test_good_document_passes(good_doc: dict[str, Any]) -> None:
    validate_document(_doc(good_doc), source="t.yaml")


def test_unknown_top_level_field(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["colour"] = "blue"
    err = _error(doc)
    assert err.field == "colour"
    assert err.reason.startswith("unknown field (allowed here:")


def test_unknown_term_field(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][1]["radius"] = 5
    err = _error(doc)
    assert err.field == "terms[1].radius"
    assert "radius_km" in err.reason


def test_missing_required_field_points_at_the_field(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    del doc["terms"][2]["distance_km"]
    err = _error(doc)
    assert (err.field, err.reason) == ("terms[2].distance_km", "required field is missing")


def test_unknown_term_type(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][2]["type"] = "curfew"
    err = _error(doc)
    assert err.field == "terms[2].type"
    assert err.reason == (
        "unknown term type 'curfew' "
        "(known: all_of, any_of, ceasefire, energy_moratorium, window, withdrawal)"
    )


def test_term_fields_are_checked_per_type(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][0]["radius_km"] = 5  # a ceasefire has no radius
    err = _error(doc)
    assert err.field == "terms[0].radius_km"
    assert "unknown field" in err.reason


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(0, "less than or equal to the minimum of 0"), (101, "greater than the maximum of 100")],
)
def test_radius_range(good_doc: dict[str, Any], value: float, fragment: str) -> None:
    doc = _doc(good_doc)
    doc["terms"][1]["radius_km"] = value
    err = _error(doc)
    assert err.field == "terms[1].radius_km"
    assert fragment in err.reason


def test_distance_range(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][2]["distance_km"] = 200.5
    assert _error(doc).field == "terms[2].distance_km"


def test_unknown_event_category(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][0]["events"] = ["explosion", "shelling"]
    err = _error(doc)
    assert err.field == "terms[0].events[1]"
    assert err.reason.startswith("unknown event category 'shelling' (known: ")


def test_unknown_weapon_class(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][2]["weapon_classes"] = ["howitzer"]
    err = _error(doc)
    assert err.field == "terms[2].weapon_classes[0]"
    assert "unknown weapon class 'howitzer'" in err.reason


def test_naive_datetime_needs_offset(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][0]["period"]["end"] = "2025-04-17T00:00:00"
    err = _error(doc)
    assert err.field == "terms[0].period.end"
    assert "needs a UTC offset" in err.reason


def test_bad_date(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["signed"] = "2025-13-01"
    err = _error(doc)
    assert err.field == "signed"
    assert "not a valid date" in err.reason


def test_parties_exactly_two(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["parties"].append({"id": "C", "name": "Party C"})
    assert _error(doc).field == "parties"


def test_bad_ids(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["parties"][0]["id"] = "a"
    err = _error(doc)
    assert err.field == "parties[0].id"
    assert "not a valid party id" in err.reason
    doc = _doc(good_doc)
    doc["terms"][0]["id"] = "Ceasefire"
    assert "not a valid term id" in _error(doc).reason
    doc = _doc(good_doc)
    doc["id"] = "X"
    assert _error(doc).field == "id"


def test_format_must_be_exact(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["format"] = "truce-agreement/2"
    assert _error(doc).field == "format"


def test_window_needs_exactly_one_place(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    window = {
        "id": "window.repair",
        "version": 1,
        "type": "window",
        "windows": [{"start": "2025-03-20T08:00:00+02:00", "end": "2025-03-20T18:00:00+02:00"}],
        "events": ["explosion"],
    }
    doc["terms"].append(window)
    err = _error(doc)
    assert err.field == "terms[4]"
    assert err.reason == "a window applies at exactly one place: give either 'site' or 'zone'"
    window["site"] = {"layer": "plants", "id": "P1"}
    window["zone"] = {"layer": "area", "ids": ["Z1"]}
    window["radius_km"] = 1
    assert "exactly one place" in _error(doc).reason
    del window["zone"]
    del window["radius_km"]
    err = _error(doc)
    assert (err.field, err.reason) == ("terms[4].radius_km", "required when 'site' is given")


def test_site_selection_forms(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][1]["sites"] = {"layer": "plants"}
    err = _error(doc)
    assert err.field == "terms[1].sites"
    assert err.reason.startswith("give exactly one of 'list'")
    doc["terms"][1]["sites"] = {"list": "energy-A", "lists": ["energy-A"]}
    assert _error(doc).reason.startswith("give exactly one of 'list'")
    doc["terms"][1]["sites"] = {"lists": ["energy-A"], "categories": ["Coal"]}
    err = _error(doc)
    assert (err.field, err.reason) == (
        "terms[1].sites.layer",
        "required when 'categories' is given",
    )


def test_site_list_needs_a_selection(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    del doc["site_lists"][0]["categories"]
    err = _error(doc)
    assert err.field == "site_lists[0]"
    assert "needs 'categories' and/or 'include'" in err.reason


def test_held_by(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["site_lists"][0]["held_by"] = "party a"
    err = _error(doc)
    assert err.field == "site_lists[0].held_by"
    assert err.reason == "held_by must be a party id or 'joint', got 'party a'"


def test_source_is_path_or_inline(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["geography"]["zones"][0]["source"]["path"] = "x.geojson"
    err = _error(doc)
    assert err.field == "geography.zones[0].source"
    assert "not several" in err.reason
    doc["geography"]["zones"][0]["source"] = {}
    assert "as 'path'" in _error(doc).reason


def test_composite_must_not_be_empty(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][3]["type"] = "any_of"
    doc["terms"][3]["terms"] = []
    err = _error(doc)
    assert err.field == "terms[3].terms"
    assert err.reason.startswith("empty any_of: a composite term must list at least one term")


def test_several_problems_are_listed(good_doc: dict[str, Any]) -> None:
    doc = _doc(good_doc)
    doc["terms"][1]["radius_km"] = 0
    doc["terms"][2]["distance_km"] = -1
    doc["title"] = ""
    err = _error(doc)
    assert err.field == "title"
    fields = {e.field for e in err.errors}
    assert {"title", "terms[1].radius_km", "terms[2].distance_km"} <= fields
    assert len(err.errors) <= MAX_REPORTED
    assert "(and 2 more)" in err.message


def test_top_level_must_be_an_object() -> None:
    err = _error([])  # type: ignore[arg-type]  # deliberately wrong input
    assert err.field == ""
