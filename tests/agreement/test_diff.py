"""Diffs between versions, party site-list comparison, and successor checks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from truce.agreement import Agreement, Change, check_successor, diff, diff_site_lists
from truce.errors import NotFound, ValidationError


def test_example_v1_to_v2(example: Agreement, example_v2: Agreement) -> None:
    result = diff(example, example_v2)
    assert (result.agreement_id, result.old_version, result.new_version) == (
        "ua-energy-ceasefire",
        1,
        2,
    )
    paths = [(c.path, c.kind) for c in result.changes]
    assert paths == [
        ("effective", "changed"),
        ("version", "changed"),
        ("terms[moratorium.energy].description", "changed"),
        ("terms[moratorium.energy].period.end", "changed"),
        ("terms[moratorium.energy].radius_km", "changed"),
        ("terms[moratorium.energy].version", "changed"),
        ("site_lists[energy-B].exclude", "changed"),
        ("site_lists[energy-B].sites[WRI1005101]", "added"),
    ]
    by_path = {c.path: c for c in result.changes}
    assert (
        by_path["terms[moratorium.energy].radius_km"].old,
        by_path["terms[moratorium.energy].radius_km"].new,
    ) == (5, 10)
    assert by_path["terms[moratorium.energy].period.end"].new == "2025-05-17T00:00:00+03:00"
    added = by_path["site_lists[energy-B].sites[WRI1005101]"]
    assert added == Change(
        "site_lists[energy-B].sites[WRI1005101]",
        "added",
        None,
        "Zaporizhia power station [WRI1005101]",
    )
    assert json.loads(json.dumps([c.to_dict() for c in result.changes]))[4] == {
        "path": "terms[moratorium.energy].radius_km",
        "kind": "changed",
        "old": 5,
        "new": 10,
    }


def test_summary_lines(example: Agreement, example_v2: Agreement) -> None:
    lines = diff(example, example_v2).summary_lines()
    assert lines[0] == "ua-energy-ceasefire: version 1 -> 2"
    assert "terms[moratorium.energy].radius_km: 5 -> 10" in lines
    assert lines[-1] == (
        "site list energy-B: +1 site (Zaporizhia power station [WRI1005101]), -0 sites"
    )
    assert all("\n" not in line for line in lines)


def test_diff_is_deterministic_and_reversible(example: Agreement, example_v2: Agreement) -> None:
    forward = diff(example, example_v2)
    assert forward == diff(example, example_v2)
    backward = diff(example_v2, example)
    assert len(backward) == len(forward)
    kinds = {c.path: c.kind for c in backward.changes}
    assert kinds["site_lists[energy-B].sites[WRI1005101]"] == "removed"


def test_no_changes(example: Agreement) -> None:
    result = diff(example, example)
    assert not result
    assert result.summary_lines() == ["ua-energy-ceasefire: version 1 -> 1"]


def _variant(example: Agreement, edit: Any) -> Agreement:
    doc = copy.deepcopy(example.to_document())
    edit(doc)
    return Agreement.from_document(doc)


def test_parties_terms_and_metadata(example: Agreement) -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["version"] = 3
        doc["parties"][1]["name"] = "Party B (renamed)"
        doc["terms"] = [t for t in doc["terms"] if t["id"] != "withdrawal.heavy-weapons"]
        doc["terms"].append(
            {
                "id": "ceasefire.local",
                "version": 1,
                "type": "ceasefire",
                "period": {"start": "2025-03-18T00:00:00+02:00"},
                "events": ["shots"],
                "zone": {"layer": "oblasts", "ids": ["UA-14"]},
            }
        )
        del doc["signed"]

    result = diff(example, _variant(example, edit))
    found = {c.path: (c.kind, c.old, c.new) for c in result.changes}
    assert found["parties[B].name"] == ("changed", "Party B", "Party B (renamed)")
    assert found["signed"] == ("removed", "2025-03-11", None)
    assert found["terms[withdrawal.heavy-weapons]"][0] == "removed"
    assert found["terms[ceasefire.local]"][0] == "added"
    assert "signed: removed (was 2025-03-11)" in result.summary_lines()


def test_layer_feature_changes(example: Agreement) -> None:
    def edit(doc: dict[str, Any]) -> None:
        sites = doc["geography"]["sites"][0]["source"]["inline"]["features"]
        removed = sites.pop(0)  # Bolgrad
        assert removed["properties"]["name"] == "Bolgrad"
        sites[0]["geometry"]["coordinates"] = [24.7, 49.2]  # Burshtyn moves
        new = copy.deepcopy(sites[1])
        new["properties"].update(gppd_idnr="NEW0000001", name="New plant")
        sites.append(new)
        doc["geography"]["lines"][0]["synthetic"] = False

    result = diff(example, _variant(example, edit))
    found = {c.path: c.kind for c in result.changes}
    assert found["layers[gppd].features[WKS0062408]"] == "removed"
    assert found["layers[gppd].features[WRI1005097].geometry"] == "changed"
    assert found["layers[gppd].features[NEW0000001]"] == "added"
    assert found["layers[contact-line].synthetic"] == "changed"
    assert "layer gppd: +1 features, -1, ~1 changed" in result.summary_lines()
    energy_a = [c for c in result.changes if c.path.startswith("site_lists[energy-A].sites[")]
    assert [(c.kind, c.path) for c in energy_a] == [
        ("added", "site_lists[energy-A].sites[NEW0000001]"),
        ("removed", "site_lists[energy-A].sites[WKS0062408]"),
    ]


def test_diff_site_lists(example: Agreement) -> None:
    comparison = diff_site_lists(example, "energy-A", "energy-B")
    assert (comparison.list_a, comparison.list_b) == ("energy-A", "energy-B")
    assert len(comparison.only_in_a) == 30
    assert comparison.only_in_b == ()
    assert len(comparison.in_both) == 34
    assert {s.category for s in comparison.only_in_a} == {"Solar", "Coal"}
    coal = sorted(s.id for s in comparison.only_in_a if s.category == "Coal")
    assert coal == ["WRI1005101", "WRI1005103", "WRI1005104"]
    ids = [s.id for s in comparison.only_in_a]
    assert ids == sorted(ids)
    assert not comparison.identical
    lines = comparison.summary_lines()
    assert lines[0].startswith("only in energy-A: 30 sites (")
    assert lines[1] == "only in energy-B: 0 sites"
    assert lines[2] == "in both: 34 sites"
    reverse = diff_site_lists(example, example.site_list("energy-B"), "energy-A")
    assert reverse.only_in_b == comparison.only_in_a
    assert diff_site_lists(example, "energy-B", "energy-B").identical
    with pytest.raises(NotFound):
        diff_site_lists(example, "energy-A", "energy-Z")


def test_check_successor(example: Agreement, example_v2: Agreement) -> None:
    check_successor(example, example_v2)
    with pytest.raises(ValidationError) as info:
        check_successor(example_v2, example)
    assert info.value.field == "version"
    assert "never edits an old one" in info.value.reason
    with pytest.raises(ValidationError, match="must be greater"):
        check_successor(example, example)


def test_check_successor_needs_term_version_bumps(example: Agreement) -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["version"] = 2
        doc["terms"][2]["distance_km"] = 20  # changed, version left at 1

    with pytest.raises(ValidationError) as info:
        check_successor(example, _variant(example, edit))
    assert info.value.field == "terms[2].version"
    assert "withdrawal.heavy-weapons changed" in info.value.reason

    def lower(doc: dict[str, Any]) -> None:
        doc["version"] = 2
        doc["terms"][0]["version"] = 5

    newer = _variant(example, lower)
    check_successor(example, newer)

    def back(doc: dict[str, Any]) -> None:
        doc["version"] = 3
        doc["terms"][0]["version"] = 4

    with pytest.raises(ValidationError, match="went down"):
        check_successor(newer, _variant(newer, back))


def test_check_successor_same_agreement(example: Agreement) -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["id"] = "another-agreement"
        doc["version"] = 2

    with pytest.raises(ValidationError) as info:
        check_successor(example, _variant(example, edit))
    assert info.value.field == "id"
