"""Site selection: categories, include, exclude; party lists; list references."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.agreement.geography import Layer, load_layer
from truce.agreement.sites import SiteList, SiteListRef, SiteSelector, selection_from_document
from truce.errors import ValidationError

FUELS = ("Coal", "Gas", "Hydro", "Nuclear", "Solar")


def _plants(n: int = 10) -> Layer:
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"P{i}", "name": f"Plant {i}", "fuel": FUELS[i % len(FUELS)]},
            "geometry": {"type": "Point", "coordinates": [30 + i / 10, 48]},
        }
        for i in range(n)
    ]
    spec = {
        "id": "plants",
        "source": {"inline": {"type": "FeatureCollection", "features": features}},
        "feature_id": "id",
        "feature_name": "name",
        "category": "fuel",
    }
    return load_layer(spec, "site", field="g", source=None, base_dir=None)


PLANTS = _plants()


def test_resolve_by_category_include_exclude() -> None:
    sel = SiteSelector(layer="plants", categories=("Coal",), include=("P1",), exclude=("P5",))
    assert [s.id for s in sel.resolve(PLANTS)] == ["P0", "P1"]
    assert sel.problems(PLANTS) == []


def test_resolve_keeps_layer_order() -> None:
    sel = SiteSelector(layer="plants", include=("P7", "P2"))
    assert [s.id for s in sel.resolve(PLANTS)] == ["P2", "P7"]


def test_resolve_needs_the_right_layer() -> None:
    with pytest.raises(ValidationError, match="selector is for sites layer 'other'"):
        SiteSelector(layer="other", include=("P1",)).resolve(PLANTS)


def test_problems() -> None:
    sel = SiteSelector(
        layer="plants", categories=("Coal", "Wind"), include=("P1", "X"), exclude=("P1", "Y")
    )
    problems = {(p.field, p.reason) for p in sel.problems(PLANTS)}
    assert (
        "categories[1]",
        "no site in layer 'plants' has category 'Wind' "
        "(categories: Coal, Gas, Hydro, Nuclear, Solar)",
    ) in problems
    assert ("include[1]", "no site 'X' in layer 'plants'") in problems
    assert ("exclude[1]", "no site 'Y' in layer 'plants'") in problems
    assert ("exclude[0]", "site 'P1' is both included and excluded") in problems


def test_empty_selection_is_a_problem() -> None:
    sel = SiteSelector(layer="plants", include=("P0",), exclude=("P5",), categories=())
    assert sel.problems(PLANTS) == []
    sel = SiteSelector(layer="plants", categories=("Coal",), exclude=("P0", "P5"))
    [problem] = sel.problems(PLANTS)
    assert problem.field == ""
    assert "selects no sites" in problem.reason


def test_categories_need_a_category_property() -> None:
    spec: dict[str, Any] = {
        "id": "plain",
        "source": {"inline": {"type": "Point", "coordinates": [30, 48]}},
    }
    layer = load_layer(spec, "site", field="g", source=None, base_dir=None)
    [problem] = SiteSelector(layer="plain", categories=("Coal",)).problems(layer)
    assert problem.field == "categories"
    assert "no category property" in problem.reason


def test_site_list_document_round_trip() -> None:
    doc = {
        "id": "energy-B",
        "title": "B's list",
        "held_by": "B",
        "layer": "plants",
        "categories": ["Coal", "Hydro"],
        "exclude": ["P0"],
    }
    site_list = SiteList.from_document(doc)
    assert site_list.to_document() == doc
    assert site_list.selector == SiteSelector(
        layer="plants", categories=("Coal", "Hydro"), exclude=("P0",)
    )


def test_selection_from_document() -> None:
    assert selection_from_document({"list": "a"}) == SiteListRef(("a",))
    assert selection_from_document({"lists": ["a", "b"]}) == SiteListRef(("a", "b"))
    assert selection_from_document({"layer": "plants", "include": ["P1"]}) == SiteSelector(
        layer="plants", include=("P1",)
    )
    assert SiteListRef(("a",)).to_document() == {"list": "a"}
    assert SiteListRef(("a", "b")).to_document() == {"lists": ["a", "b"]}


ids = st.sets(st.sampled_from([f"P{i}" for i in range(10)]))


@given(st.sets(st.sampled_from(FUELS)), ids, ids)
def test_resolve_is_categories_plus_include_minus_exclude(
    categories: set[str], include: set[str], exclude: set[str]
) -> None:
    sel = SiteSelector(
        layer="plants",
        categories=tuple(sorted(categories)),
        include=tuple(sorted(include)),
        exclude=tuple(sorted(exclude)),
    )
    got = {s.id for s in sel.resolve(PLANTS)}
    by_category = {s.id for s in PLANTS.sites() if s.category in categories}
    assert got == (by_category | include) - exclude
    assert SiteSelector.from_document(sel.to_document()) == sel
