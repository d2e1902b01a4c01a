"""Geography layers: GeoJSON forms, feature ids, geometry checks, file sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.agreement.geography import Layer, LayerKind, load_layer
from truce.errors import NotFound, ValidationError

SQUARE = [[[30, 48], [31, 48], [31, 49], [30, 49], [30, 48]]]
BOWTIE = [[[30, 48], [31, 49], [31, 48], [30, 49], [30, 48]]]


def _fc(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(fid: str | None, gtype: str, coords: Any, **props: Any) -> dict[str, Any]:
    properties = dict(props)
    if fid is not None:
        properties["id"] = fid
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": gtype, "coordinates": coords},
    }


def _layer(kind: LayerKind, inline: Any, *, base_dir: Path | None = None, **spec: Any) -> Layer:
    full = {"id": "layer", "source": {"inline": inline}, **spec}
    return load_layer(full, kind, field="geography.x[0]", source="t.yaml", base_dir=base_dir)


def _error(kind: LayerKind, inline: Any, **spec: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        _layer(kind, inline, **spec)
    assert info.value.source == "t.yaml"
    return info.value


def test_feature_collection_zone_layer() -> None:
    layer = _layer(
        "zone",
        _fc(_feature("Z1", "Polygon", SQUARE, name="Square")),
        feature_id="id",
        feature_name="name",
    )
    assert layer.ids == ("Z1",)
    feature = layer.feature("Z1")
    assert feature.name == "Square"
    assert feature.geometry.geom_type == "Polygon"
    assert feature.geometry.area == pytest.approx(1.0)
    assert "Z1" in layer
    with pytest.raises(NotFound):
        layer.feature("Z2")


def test_feature_id_from_geojson_id_member() -> None:
    feature = _feature(None, "Point", [30, 48])
    feature["id"] = "P9"
    layer = _layer("site", _fc(feature))
    assert layer.ids == ("P9",)
    assert layer.to_document()["source"]["inline"]["features"][0]["id"] == "P9"


def test_single_feature_source() -> None:
    layer = _layer("line", _feature("L1", "LineString", [[30, 48], [31, 48]]), feature_id="id")
    assert layer.ids == ("L1",)


def test_bare_geometry_is_one_feature_named_after_the_layer() -> None:
    layer = _layer("line", {"type": "LineString", "coordinates": [[30, 48], [31, 48]]})
    assert layer.ids == ("layer",)
    doc = layer.to_document()
    feature = doc["source"]["inline"]["features"][0]
    assert feature["id"] == "layer"
    again = _layer("line", doc["source"]["inline"])
    assert again.ids == ("layer",)
    with_property = _layer(
        "line", {"type": "LineString", "coordinates": [[30, 48], [31, 48]]}, feature_id="fid"
    )
    inline = with_property.to_document()["source"]["inline"]
    assert inline["features"][0]["properties"] == {"fid": "layer"}
    assert _layer("line", inline, feature_id="fid").ids == ("layer",)


def test_site_layer_sites_and_categories() -> None:
    layer = _layer(
        "site",
        _fc(
            _feature("P1", "Point", [30.5, 48.7], name="One", fuel="Hydro"),
            _feature("P2", "Point", [30.6, 48.2], name="Two", fuel="Coal"),
        ),
        feature_id="id",
        feature_name="name",
        category="fuel",
    )
    sites = layer.sites()
    assert [(s.id, s.name, s.category, s.lon, s.lat) for s in sites] == [
        ("P1", "One", "Hydro", 30.5, 48.7),
        ("P2", "Two", "Coal", 30.6, 48.2),
    ]
    assert sites[0].label == "One [P1]"
    assert layer.categories() == ("Coal", "Hydro")
    geoms = layer.geometries()
    assert isinstance(geoms, np.ndarray)
    assert geoms.shape == (2,)


def test_sites_of_a_non_site_layer_is_an_error() -> None:
    layer = _layer("zone", _fc(_feature("Z1", "Polygon", SQUARE)), feature_id="id")
    with pytest.raises(ValidationError, match="not a sites layer"):
        layer.sites()
    assert layer.categories() == ()


@pytest.mark.parametrize(
    ("kind", "gtype", "coords", "field", "fragment"),
    [
        ("zone", "Point", [30, 48], "features[0].geometry.type", "needs Polygon or MultiPolygon"),
        ("site", "LineString", [[30, 48], [31, 48]], "features[0].geometry.type", "needs Point"),
        ("line", "Polygon", SQUARE, "features[0].geometry.type", "LineString or MultiLineString"),
        ("zone", "Polygon", BOWTIE, "features[0].geometry", "Self-intersection"),
        (
            "zone",
            "Polygon",
            [[[30, 48], [31, 48], [31, 49], [30, 49]]],
            "features[0].geometry.coordinates",
            "ring is not closed",
        ),
        (
            "line",
            "LineString",
            [[30, 48], [30, 48]],
            "features[0].geometry.coordinates",
            "2 distinct",
        ),
        ("line", "LineString", [[30, 48]], "features[0].geometry.coordinates", "malformed"),
        ("site", "Point", [30, 95], "features[0].geometry.coordinates", "out of range"),
        ("site", "Point", [-181, 45], "features[0].geometry.coordinates", "out of range"),
        ("site", "Point", [], "features[0].geometry.coordinates", "empty geometry"),
        ("site", "Point", ["a", "b"], "features[0].geometry.coordinates", "malformed"),
        ("site", "Point", 5, "features[0].geometry.coordinates", "must be an array"),
        ("site", "GeometryCollection", [], "features[0].geometry.type", "unsupported geometry"),
    ],
)
def test_geometry_checks(
    kind: LayerKind, gtype: str, coords: Any, field: str, fragment: str
) -> None:
    err = _error(kind, _fc(_feature("F1", gtype, coords)), feature_id="id")
    assert err.field == f"geography.x[0].source.inline.{field}"
    assert fragment in err.reason


def test_first_bad_feature_is_named() -> None:
    features = [_feature(f"P{i}", "Point", [30 + i / 10, 48]) for i in range(5)]
    features[3]["geometry"]["coordinates"] = [30, -91]
    err = _error("site", _fc(*features), feature_id="id")
    assert err.field == "geography.x[0].source.inline.features[3].geometry.coordinates"


def test_multilinestring_with_a_degenerate_part() -> None:
    coords = [[[30, 48], [31, 48]], [[32, 48], [32, 48]]]
    err = _error("line", _fc(_feature("L1", "MultiLineString", coords)), feature_id="id")
    assert "2 distinct points" in err.reason


def test_multipolygon_zone() -> None:
    coords = [SQUARE, [[[32, 48], [33, 48], [33, 49], [32, 49], [32, 48]]]]
    layer = _layer("zone", _fc(_feature("Z1", "MultiPolygon", coords)), feature_id="id")
    assert layer.feature("Z1").geometry.area == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("inline", "field", "fragment"),
    [
        ([], "", "must be an object"),
        ({"type": "Topology"}, "type", "unsupported GeoJSON type"),
        ({"type": "FeatureCollection"}, "features", "needs a 'features' array"),
        ({"type": "FeatureCollection", "features": []}, "features", "no features"),
        (
            {"type": "FeatureCollection", "features": [1]},
            "features[0]",
            "expected a GeoJSON Feature",
        ),
        (
            {"type": "Feature", "properties": {"id": "x"}, "geometry": None},
            "geometry",
            "needs a geometry",
        ),
        (
            {"type": "Feature", "properties": [], "geometry": None},
            "properties",
            "object or null",
        ),
    ],
)
def test_geojson_structure(inline: Any, field: str, fragment: str) -> None:
    err = _error("site", inline, feature_id="id")
    prefix = "geography.x[0].source.inline"
    assert err.field == (f"{prefix}.{field}" if field else prefix)
    assert fragment in err.reason


def test_feature_ids_present_and_unique() -> None:
    err = _error("site", _fc(_feature(None, "Point", [30, 48])), feature_id="id")
    assert err.field == "geography.x[0].source.inline.features[0].properties.id"
    assert "feature id missing" in err.reason
    err = _error(
        "site",
        _fc(_feature("P1", "Point", [30, 48]), _feature("P1", "Point", [31, 48])),
        feature_id="id",
    )
    assert err.field == "geography.x[0].source.inline.features[1].properties.id"
    assert "duplicate feature id 'P1'" in err.reason
    err = _error("site", _fc(_feature(None, "Point", [30, 48])))
    assert err.field == "geography.x[0].source.inline.features[0].id"


def test_site_category_is_required_when_configured() -> None:
    err = _error("site", _fc(_feature("P1", "Point", [30, 48])), feature_id="id", category="fuel")
    assert err.field == "geography.x[0].source.inline.features[0].properties.fuel"


def test_feature_name_must_be_text() -> None:
    err = _error(
        "site", _fc(_feature("P1", "Point", [30, 48], name=7)), feature_id="id", feature_name="name"
    )
    assert "must be a non-empty string" in err.reason
    layer = _layer(
        "site", _fc(_feature("P1", "Point", [30, 48])), feature_id="id", feature_name="name"
    )
    assert layer.feature("P1").name is None


def _from_path(tmp_path: Path, name: str, base_dir: Path | None) -> Layer:
    spec = {"id": "layer", "source": {"path": name}, "feature_id": "id"}
    return load_layer(spec, "site", field="geography.sites[0]", source="t.yaml", base_dir=base_dir)


def test_path_source(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.geojson").write_text(
        json.dumps(_fc(_feature("P1", "Point", [30, 48]))), "utf-8"
    )
    layer = _from_path(tmp_path, "sub/p.geojson", tmp_path)
    assert layer.ids == ("P1",)
    assert "path" not in layer.to_document()["source"]


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (None, "missing.geojson", "cannot read 'missing.geojson'"),
        ("{not json", "p.geojson", "not valid JSON"),
        ('{"type": "Point", "coordinates": [NaN, 1]}', "p.geojson", "NaN is not allowed"),
        (json.dumps(_fc(_feature("P1", "Point", [30, 99]))), "p.geojson", "out of range"),
    ],
)
def test_path_source_errors(tmp_path: Path, content: str | None, name: str, fragment: str) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, "utf-8")
    with pytest.raises(ValidationError) as info:
        _from_path(tmp_path, name, tmp_path)
    assert info.value.field == "geography.sites[0].source.path"
    assert fragment in info.value.reason


def test_error_inside_a_file_names_the_feature(tmp_path: Path) -> None:
    (tmp_path / "p.geojson").write_text(
        json.dumps(_fc(_feature("P1", "Point", [30, 48]), _feature("P2", "Point", [30, 99]))),
        "utf-8",
    )
    with pytest.raises(ValidationError) as info:
        _from_path(tmp_path, "p.geojson", tmp_path)
    assert info.value.reason.startswith("p.geojson: features[1].geometry.coordinates: position")


def test_path_needs_a_base_dir_and_must_be_relative(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must carry its geography 'inline'"):
        _from_path(tmp_path, "p.geojson", None)
    with pytest.raises(ValidationError, match="must be relative"):
        _from_path(tmp_path, str(tmp_path / "p.geojson"), tmp_path)


lons = st.floats(-180, 180, allow_nan=False)
lats = st.floats(-90, 90, allow_nan=False)


@given(st.lists(st.tuples(lons, lats), min_size=1, max_size=20))
def test_site_positions_round_trip(points: list[tuple[float, float]]) -> None:
    fc = _fc(*(_feature(f"P{i}", "Point", [x, y]) for i, (x, y) in enumerate(points)))
    layer = _layer("site", fc, feature_id="id")
    assert [(s.lon, s.lat) for s in layer.sites()] == points
    again = _layer("site", layer.to_document()["source"]["inline"], feature_id="id")
    assert again.to_document() == layer.to_document()


@given(
    st.one_of(
        st.tuples(st.floats(180.0001, 1e6), lats),
        st.tuples(st.floats(-1e6, -180.0001), lats),
        st.tuples(lons, st.floats(90.0001, 1e6)),
        st.tuples(lons, st.floats(-1e6, -90.0001)),
    )
)
def test_out_of_range_positions_are_rejected(point: tuple[float, float]) -> None:
    fc = _fc(_feature("P0", "Point", list(point)))
    with pytest.raises(ValidationError, match="out of range"):
        _layer("site", fc, feature_id="id")
