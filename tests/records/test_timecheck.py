from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.errors import ValidationError
from truce.records import check_not_future, future_times, parse_record, times_to_check

from ._examples import VALID, allegation, camera_uptime, evidence, observation, patrol_track

NOW = datetime(2025, 3, 20, 5, 0, tzinfo=UTC)


def _times(payload: dict[str, object]) -> dict[str, datetime]:
    return dict(times_to_check(parse_record(payload)))


def test_times_to_check_per_type() -> None:
    assert _times(observation()) == {
        "signed_at": NOW,
        "time.at": datetime(2025, 3, 20, 4, 15, tzinfo=UTC),
    }
    assert set(_times(allegation())) == {"signed_at", "claim.time.start", "claim.time.end"}
    assert _times(patrol_track()) == {
        "signed_at": NOW,
        "track[2].t": datetime(2025, 3, 20, 4, 30, tzinfo=UTC),
    }
    assert set(_times(camera_uptime())) == {"signed_at", "intervals[1].end"}
    assert set(_times(VALID["denied_access"]())) == {"signed_at", "time.at"}
    assert set(_times(evidence())) == {"signed_at", "captured_at"}
    for kind in ("finding", "correction", "correspondence", "key", "agreement"):
        assert list(_times(VALID[kind]())) == ["signed_at"]


def test_future_times_with_skew() -> None:
    record = parse_record(observation(time={"at": "2025-03-20T05:10:00Z"}))
    assert future_times(record, NOW) != []
    (problem,) = future_times(record, NOW)
    assert problem.field == "time.at"
    assert "2025-03-20T05:10:00Z is in the future" in problem.reason
    assert future_times(record, NOW, timedelta(minutes=10)) == []
    assert future_times(record, NOW + timedelta(minutes=5)) == []


def test_future_signed_at() -> None:
    record = parse_record(evidence(signed_at="2025-03-20T06:00:00+00:00"))
    assert [e.field for e in future_times(record, NOW)] == ["signed_at"]


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2)))
def test_check_not_future_boundary(delta: timedelta) -> None:
    skew = timedelta(minutes=5)
    dt = NOW + delta
    if delta <= skew:
        check_not_future(dt, NOW, skew, field="signed_at")
    else:
        with pytest.raises(ValidationError) as info:
            check_not_future(dt, NOW, skew, field="signed_at")
        assert info.value.field == "signed_at"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        check_not_future(NOW, datetime(2025, 3, 20))
    assert info.value.field == "now"
    with pytest.raises(ValidationError):
        check_not_future(datetime(2025, 3, 20), NOW, field="x")
    with pytest.raises(ValidationError):
        future_times(parse_record(observation()), datetime(2025, 3, 20))
