from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Coverage, PointLocation, parse_record

from ._examples import (
    DELETE,
    assert_rejected,
    bearing,
    camera_uptime,
    changed,
    denied_access,
    patrol_track,
    round_trip,
)
from ._strategies import coverages


def test_valid_examples() -> None:
    track = parse_record(patrol_track())
    assert isinstance(track, Coverage)
    assert track.kind == "patrol_track"
    assert track.track is not None
    assert len(track.track) == 3
    camera = parse_record(camera_uptime())
    assert isinstance(camera, Coverage)
    assert isinstance(camera.location, PointLocation)
    assert camera.intervals is not None
    assert camera.intervals[1].start == camera.intervals[0].end  # touching is fine
    denied = parse_record(denied_access(by="unknown", location=bearing()))
    assert isinstance(denied, Coverage)
    assert denied.by == "unknown"
    assert parse_record(denied_access(by=DELETE)).by is None  # type: ignore[union-attr]


def _many_points(n: int) -> list[dict[str, Any]]:
    return [{"lon": 37.0, "lat": 48.0, "t": "2025-03-20T03:00:00Z"}] * n


@pytest.mark.parametrize(
    ("make", "path", "value", "field", "reason"),
    [
        (patrol_track, "kind", "satellite_pass", "kind", "input should be"),
        (patrol_track, "track", DELETE, "track", "required for kind patrol_track"),
        (patrol_track, "team", DELETE, "team", "required for kind patrol_track"),
        (patrol_track, "camera", "CAM-1", "camera", "not allowed for kind patrol_track"),
        (patrol_track, "reason", "x", "reason", "not allowed"),
        (patrol_track, "track", _many_points(1), "track", "at least 2"),
        (patrol_track, "track", _many_points(5001), "track", "at most 5000"),
        (patrol_track, "track[2].t", "2025-03-20T03:29:59Z", "track[2].t", "earlier"),
        (patrol_track, "track[1].lon", 181, "track[1].lon", "less than or equal"),
        (patrol_track, "track[1].t", "2025-03-20T03:30:00", "track[1].t", "timezone"),
        (patrol_track, "track[0].alt", 100, "track[0].alt", "extra"),
        (camera_uptime, "view_radius_m", 0, "view_radius_m", "greater than 0"),
        (camera_uptime, "view_radius_m", 50_001, "view_radius_m", "less than or equal"),
        (camera_uptime, "intervals", [], "intervals", "at least 1"),
        (camera_uptime, "intervals", DELETE, "intervals", "required"),
        (camera_uptime, "camera", DELETE, "camera", "required"),
        (camera_uptime, "camera", "c" * 129, "camera", "at most 128"),
        (camera_uptime, "team", "T-1", "team", "not allowed"),
        (camera_uptime, "location", bearing(), "location.kind", "must be a point"),
        (
            camera_uptime,
            "intervals[1].start",
            "2025-03-19T11:59:59Z",
            "intervals[1].start",
            "previous interval",
        ),
        (
            camera_uptime,
            "intervals[0].end",
            "2025-03-19T00:00:00Z",
            "intervals[0].end",
            "after start",
        ),
        (camera_uptime, "location.lat", -90.5, "location.lat", "greater than"),
        (denied_access, "restriction", "refused", "restriction", "input should be"),
        (denied_access, "restriction", DELETE, "restriction", "required"),
        (denied_access, "by", "b", "by", "pattern"),
        (denied_access, "by", "UNKNOWN_PARTY_NAME_TOO_LONG", "by", "pattern"),
        (denied_access, "reason", DELETE, "reason", "required"),
        (denied_access, "time", DELETE, "time", "required"),
        (denied_access, "time", {"at": "2025-03-20T02:10:00Z", "end": "x"}, "time.end", ""),
        (denied_access, "track", _many_points(2), "track", "not allowed"),
        (denied_access, "location", {"kind": "point", "lat": 1}, "location.lon", "required"),
    ],
)
def test_coverage_constraints(make: Any, path: str, value: Any, field: str, reason: str) -> None:
    assert_rejected(changed(make(), path, value), field, reason)


@given(coverages())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
