"""Geography of an agreement: zone, line and site layers of GeoJSON features.

A layer comes from a GeoJSON file (``source.path``, relative to the agreement
file), from GeoJSON written in the agreement (``source.inline``) — a
FeatureCollection, a single Feature or a bare Geometry — or from a blob
referenced by SHA-256 (``source.blob``, see :mod:`truce.blobs`): the form an
agreement version takes in the log, whose entries must stay small. Every feature is parsed
with shapely 2 and checked with shapely's vectorised functions: coordinates are
finite and within lon [-180, 180], lat [-90, 90]; zones are valid (Multi)Polygons,
lines (Multi)LineStrings with at least two distinct points per part, sites
Points; nothing is empty; feature ids are present and unique in the layer.

Feature ids: when the layer names a ``feature_id`` property, each feature's id
is that property; otherwise it is the Feature's GeoJSON ``id`` member. A bare
Geometry is one feature whose id is the layer id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
import shapely.geometry
from numpy.typing import NDArray
from shapely.errors import ShapelyError

from truce.agreement._document import PathPart, format_path, join_path
from truce.blobs import BlobLookup, resolve_blob
from truce.envelopes import canonical_json
from truce.errors import NotFound, ValidationError

__all__ = [
    "MAX_GEOJSON_BYTES",
    "Feature",
    "Layer",
    "LayerKind",
    "Site",
    "load_layer",
]

LayerKind = Literal["zone", "line", "site"]

#: Largest GeoJSON file a layer may load.
MAX_GEOJSON_BYTES = 64 * 1024 * 1024

_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
)
# shapely.get_type_id codes allowed per layer kind.
_ALLOWED_TYPE_IDS: Mapping[LayerKind, tuple[int, ...]] = {
    "zone": (3, 6),
    "line": (1, 5),
    "site": (0,),
}
_KIND_WANTS: Mapping[LayerKind, str] = {
    "zone": "Polygon or MultiPolygon",
    "line": "LineString or MultiLineString",
    "site": "Point",
}


@dataclass(frozen=True, kw_only=True)
class Feature:
    """One feature of a layer: id, display name, GeoJSON properties, shapely geometry."""

    id: str
    name: str | None
    properties: Mapping[str, Any] = field(hash=False)
    geometry: Any
    #: The feature as written into :meth:`Layer.to_document` (plain JSON).
    geojson: Mapping[str, Any] = field(compare=False, hash=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Site:
    """A protected site: a point feature of a ``sites`` layer."""

    layer: str
    id: str
    name: str | None
    category: str | None
    lon: float
    lat: float

    @property
    def label(self) -> str:
        """``name [id]`` (or just the id), for reports and diffs."""
        return f"{self.name} [{self.id}]" if self.name else self.id


@dataclass(frozen=True, kw_only=True)
class Layer:
    """A named set of features of one kind (zone, line or site)."""

    id: str
    kind: LayerKind
    features: tuple[Feature, ...]
    feature_id: str | None = None
    feature_name: str | None = None
    category: str | None = None
    synthetic: bool = False
    title: str | None = None
    description: str | None = None
    attribution: str | None = None
    _by_id: Mapping[str, Feature] = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {f.id: f for f in self.features})

    @property
    def ids(self) -> tuple[str, ...]:
        """Feature ids in document order."""
        return tuple(f.id for f in self.features)

    def __contains__(self, feature_id: object) -> bool:
        return feature_id in self._by_id

    def feature(self, feature_id: str) -> Feature:
        """The feature with this id; NotFound if the layer has none."""
        try:
            return self._by_id[feature_id]
        except KeyError:
            raise NotFound("feature", f"{self.id}/{feature_id}") from None

    def geometries(self) -> NDArray[np.object_]:
        """The features' shapely geometries as a 1-d object array (document order)."""
        out = np.empty(len(self.features), dtype=object)
        out[:] = [f.geometry for f in self.features]
        return out

    def categories(self) -> tuple[str, ...]:
        """Sorted distinct site categories (empty unless a ``category`` property is set)."""
        if self.category is None:
            return ()
        return tuple(sorted({str(f.properties[self.category]) for f in self.features}))

    def sites(self) -> tuple[Site, ...]:
        """Every feature of a sites layer as a :class:`Site`, in document order."""
        if self.kind != "site":
            raise ValidationError(f"layer {self.id!r} is a {self.kind} layer, not a sites layer")
        geoms = self.geometries()
        xs = shapely.get_x(geoms)
        ys = shapely.get_y(geoms)
        return tuple(
            Site(
                layer=self.id,
                id=f.id,
                name=f.name,
                category=None if self.category is None else str(f.properties[self.category]),
                lon=float(x),
                lat=float(y),
            )
            for f, x, y in zip(self.features, xs, ys, strict=True)
        )

    def feature_collection(self) -> dict[str, Any]:
        """The features as a fresh GeoJSON FeatureCollection (plain JSON)."""
        return {"type": "FeatureCollection", "features": [dict(f.geojson) for f in self.features]}

    def geojson_bytes(self) -> bytes:
        """:meth:`feature_collection` as canonical JSON (RFC 8785): the layer's blob."""
        return canonical_json(self.feature_collection())

    def to_document(self, *, blob: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The layer as plain JSON: features inline as a FeatureCollection, or,
        given ``blob`` (the reference of :meth:`geojson_bytes`), as that reference."""
        doc: dict[str, Any] = {"id": self.id}
        for key in ("title", "description", "attribution"):
            value = getattr(self, key)
            if value is not None:
                doc[key] = value
        if self.synthetic:
            doc["synthetic"] = True
        doc["source"] = (
            {"inline": self.feature_collection()} if blob is None else {"blob": dict(blob)}
        )
        for key in ("feature_id", "feature_name", "category"):
            value = getattr(self, key)
            if value is not None:
                doc[key] = value
        return doc


def load_layer(
    spec: Mapping[str, Any],
    kind: LayerKind,
    *,
    field: str,
    source: str | None,
    base_dir: Path | None,
    blobs: BlobLookup | None = None,
) -> Layer:
    """Build and validate one layer from its (schema-checked) document entry.

    ``field`` is the entry's path (``geography.zones[0]``). Errors inside inline
    GeoJSON name the exact path (``...source.inline.features[3].geometry``);
    errors inside a file name ``...source.path`` and give the path inside the
    file in the reason. Guarantees a layer with at least one feature, unique
    non-empty string ids and geometries of the layer's kind.
    """
    src = spec["source"]
    if "path" in src:
        path_field = join_path(field, "source", "path")
        geojson = _read_geojson(src["path"], base_dir, field=path_field, source=source)
    elif "blob" in src:
        path_field = join_path(field, "source", "blob")
        data = resolve_blob(src["blob"], blobs, field=path_field, source=source)
        geojson = _parse_geojson(data, f"blob {src['blob']['sha256']}", path_field, source)
    else:
        path_field = ""
        geojson = src["inline"]
    try:
        return _build_layer(spec, kind, geojson)
    except ValidationError as exc:
        if path_field:
            where = f"{exc.field}: " if exc.field else ""
            name = src["path"] if "path" in src else f"blob {src['blob']['sha256']}"
            raise ValidationError(
                f"{name}: {where}{exc.reason}", field=path_field, source=source
            ) from None
        raise exc.prefixed(join_path(field, "source", "inline"), source=source) from None


def _read_geojson(path: str, base_dir: Path | None, *, field: str, source: str | None) -> Any:
    if base_dir is None:
        raise ValidationError(
            "a 'path' source needs the agreement file's directory; a document given "
            "directly (e.g. from the database) must carry its geography 'inline'",
            field=field,
            source=source,
        )
    if Path(path).is_absolute() or Path(path).drive:
        raise ValidationError(
            f"{path!r}: a source path must be relative to the agreement file",
            field=field,
            source=source,
        )
    full = base_dir / path
    try:
        size = os.stat(full).st_size
        if size > MAX_GEOJSON_BYTES:
            raise ValidationError(
                f"{path}: larger than {MAX_GEOJSON_BYTES // (1024 * 1024)} MiB",
                field=field,
                source=source,
            )
        raw = full.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"cannot read {path!r}: {exc.strerror or exc}", field=field, source=source
        ) from None
    return _parse_geojson(raw, path, field, source)


def _parse_geojson(raw: bytes, name: str, field: str, source: str | None) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ValidationError(
            f"{name}: not valid JSON: {exc}", field=field, source=source
        ) from None
    except RecursionError:
        raise ValidationError(
            f"{name}: JSON nested too deeply", field=field, source=source
        ) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


@dataclass
class _Raw:
    """One feature before geometry checks, with its path inside the source."""

    path: tuple[PathPart, ...]
    gpath: tuple[PathPart, ...]
    fid: Any
    properties: dict[str, Any]
    geometry: Mapping[str, Any]
    member_id: Any = None
    has_member_id: bool = False


def _fail(path: Sequence[PathPart], reason: str) -> ValidationError:
    return ValidationError(reason, field=format_path(path))


def _collect(spec: Mapping[str, Any], geojson: Any) -> list[_Raw]:
    if not isinstance(geojson, Mapping):
        raise _fail((), "GeoJSON must be an object (FeatureCollection, Feature or Geometry)")
    gtype = geojson.get("type")
    if gtype == "FeatureCollection":
        features = geojson.get("features")
        if not isinstance(features, list):
            raise _fail(("features",), "a FeatureCollection needs a 'features' array")
        if not features:
            raise _fail(("features",), "the layer has no features")
        return [_raw_feature(spec, item, ("features", i)) for i, item in enumerate(features)]
    if gtype == "Feature":
        return [_raw_feature(spec, geojson, ())]
    if gtype in _GEOMETRY_TYPES:
        return [_Raw(path=(), gpath=(), fid=spec["id"], properties={}, geometry=geojson)]
    raise _fail(
        ("type",),
        f"unsupported GeoJSON type {gtype!r} (FeatureCollection, Feature or one of "
        f"{', '.join(_GEOMETRY_TYPES)})",
    )


def _raw_feature(spec: Mapping[str, Any], item: Any, path: tuple[PathPart, ...]) -> _Raw:
    if not isinstance(item, Mapping) or item.get("type") != "Feature":
        raise _fail(path, "expected a GeoJSON Feature object")
    props = item.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, Mapping):
        raise _fail((*path, "properties"), "properties must be an object or null")
    geometry = item.get("geometry")
    if not isinstance(geometry, Mapping):
        raise _fail((*path, "geometry"), "a feature needs a geometry object")
    id_property = spec.get("feature_id")
    if id_property is not None:
        fid_path: tuple[PathPart, ...] = (*path, "properties", id_property)
        fid = props.get(id_property)
    else:
        fid_path = (*path, "id")
        fid = item.get("id")
    if not isinstance(fid, str) or not fid:
        raise _fail(fid_path, "feature id missing (a non-empty string is required)")
    return _Raw(
        path=path,
        gpath=(*path, "geometry"),
        fid=fid,
        properties=dict(props),
        geometry=geometry,
        member_id=item.get("id"),
        has_member_id="id" in item,
    )


def _build_layer(spec: Mapping[str, Any], kind: LayerKind, geojson: Any) -> Layer:
    raws = _collect(spec, geojson)
    seen: dict[str, int] = {}
    for index, raw in enumerate(raws):
        if raw.fid in seen:
            where = _id_path(spec, raw)
            raise _fail(where, f"duplicate feature id {raw.fid!r} (also feature {seen[raw.fid]})")
        seen[raw.fid] = index
    names = [_text_property(spec, raw, "feature_name") for raw in raws]
    for raw in raws:
        _text_property(spec, raw, "category", required=kind == "site")
    geoms = _parse_geometries(raws)
    _check_geometries(raws, geoms, kind)
    features = tuple(
        Feature(
            id=raw.fid,
            name=name,
            properties=raw.properties,
            geometry=geom,
            geojson=_feature_document(spec, raw),
        )
        for raw, name, geom in zip(raws, names, geoms, strict=True)
    )
    return Layer(
        id=spec["id"],
        kind=kind,
        features=features,
        feature_id=spec.get("feature_id"),
        feature_name=spec.get("feature_name"),
        category=spec.get("category"),
        synthetic=bool(spec.get("synthetic", False)),
        title=spec.get("title"),
        description=spec.get("description"),
        attribution=spec.get("attribution"),
    )


def _id_path(spec: Mapping[str, Any], raw: _Raw) -> tuple[PathPart, ...]:
    key = spec.get("feature_id")
    return (*raw.path, "properties", key) if key is not None else (*raw.path, "id")


def _text_property(
    spec: Mapping[str, Any], raw: _Raw, option: str, *, required: bool = False
) -> str | None:
    key = spec.get(option)
    if key is None:
        return None
    value = raw.properties.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise _fail(
            (*raw.path, "properties", key),
            f"the {option} property {key!r} must be a non-empty string",
        )
    return value


def _feature_document(spec: Mapping[str, Any], raw: _Raw) -> dict[str, Any]:
    """The feature as plain GeoJSON, such that loading it again yields the same id."""
    props = dict(raw.properties)
    doc: dict[str, Any] = {"type": "Feature"}
    id_property = spec.get("feature_id")
    if raw.has_member_id:
        doc["id"] = raw.member_id
    elif id_property is None:
        doc["id"] = raw.fid
    if id_property is not None and id_property not in props:
        props[id_property] = raw.fid
    doc["properties"] = props
    doc["geometry"] = {"type": raw.geometry["type"], "coordinates": raw.geometry["coordinates"]}
    return doc


def _parse_geometries(raws: Sequence[_Raw]) -> list[Any]:
    geoms: list[Any] = []
    for raw in raws:
        gpath = raw.gpath
        gtype = raw.geometry.get("type")
        if gtype not in _GEOMETRY_TYPES:
            raise _fail(
                (*gpath, "type"),
                f"unsupported geometry type {gtype!r} (one of {', '.join(_GEOMETRY_TYPES)})",
            )
        coords = raw.geometry.get("coordinates")
        if not isinstance(coords, list):
            raise _fail((*gpath, "coordinates"), "coordinates must be an array")
        _check_rings_closed(gtype, coords, gpath)
        try:
            geom = shapely.geometry.shape({"type": gtype, "coordinates": coords})
        except (ValueError, TypeError, IndexError, KeyError, AttributeError, ShapelyError) as exc:
            raise _fail((*gpath, "coordinates"), f"malformed {gtype} coordinates: {exc}") from None
        geoms.append(geom)
    return geoms


def _check_rings_closed(gtype: str, coords: list[Any], gpath: tuple[PathPart, ...]) -> None:
    """GeoJSON (RFC 7946) rings are closed; shapely would silently close them."""
    if gtype == "Polygon":
        polygons: list[Any] = [coords]
    elif gtype == "MultiPolygon":
        polygons = coords
    else:
        return
    for polygon in polygons:
        if not isinstance(polygon, list):
            continue
        for ring in polygon:
            if isinstance(ring, list) and len(ring) >= 2 and ring[0] != ring[-1]:
                raise _fail(
                    (*gpath, "coordinates"),
                    "polygon ring is not closed (its first and last positions differ)",
                )


def _check_geometries(raws: Sequence[_Raw], geoms: list[Any], kind: LayerKind) -> None:
    """Vectorised checks over all geometries of a layer; first failing feature wins."""
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    paths = [raw.gpath for raw in raws]

    type_ids = shapely.get_type_id(arr)
    wrong = ~np.isin(type_ids, _ALLOWED_TYPE_IDS[kind])
    if wrong.any():
        i = int(np.argmax(wrong))
        raise _fail(
            (*paths[i], "type"),
            f"a {kind}s layer needs {_KIND_WANTS[kind]} geometries, got {arr[i].geom_type}",
        )
    empty = shapely.is_empty(arr)
    if empty.any():
        i = int(np.argmax(empty))
        raise _fail((*paths[i], "coordinates"), "empty geometry")

    coords, owner = shapely.get_coordinates(arr, return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    bad = ~np.isfinite(coords).all(axis=1) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if bad.any():
        j = int(np.argmax(bad))
        i = int(owner[j])
        raise _fail(
            (*paths[i], "coordinates"),
            f"position ({float(lon[j])!r}, {float(lat[j])!r}) is out of range: longitude "
            "must be within [-180, 180] and latitude within [-90, 90] (WGS84, [lon, lat] order)",
        )
    if kind == "zone":
        valid = shapely.is_valid(arr)
        if not valid.all():
            i = int(np.argmin(valid))
            reason = shapely.is_valid_reason(arr[i])
            raise _fail((*paths[i],), f"invalid polygon: {reason}")
    if kind == "line":
        parts, part_owner = shapely.get_parts(arr, return_index=True)
        pcoords, pindex = shapely.get_coordinates(parts, return_index=True)
        first = np.searchsorted(pindex, np.arange(len(parts)))
        differs = (pcoords != pcoords[first[pindex]]).any(axis=1)
        flat = np.bincount(pindex, weights=differs, minlength=len(parts)) == 0
        if flat.any():
            i = int(part_owner[int(np.argmax(flat))])
            raise _fail((*paths[i], "coordinates"), "a line needs at least 2 distinct points")
