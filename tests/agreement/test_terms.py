"""Term classes: documents in and out, periods, children, the type registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.agreement.sites import SiteListRef, SiteSelector
from truce.agreement.terms import (
    TERM_CLASSES,
    AllOf,
    AnyOf,
    Ceasefire,
    EnergyMoratorium,
    Period,
    SiteRef,
    Window,
    Withdrawal,
    ZoneRef,
    term_from_document,
)
from truce.errors import ValidationError

KYIV_WINTER = timezone(timedelta(hours=2))
START = "2025-03-18T00:00:00+02:00"
END = "2025-04-17T00:00:00+03:00"

DOCS: list[dict[str, Any]] = [
    {
        "id": "ceasefire.general",
        "version": 1,
        "type": "ceasefire",
        "title": "General ceasefire",
        "period": {"start": START, "end": END},
        "events": ["explosion", "shots"],
        "across": "contact-line",
        "zone": {"layer": "oblasts", "ids": ["UA-14"]},
    },
    {
        "id": "moratorium.energy",
        "version": 2,
        "type": "energy_moratorium",
        "description": "No strikes on energy sites.",
        "period": {"start": START},
        "sites": {"lists": ["energy-A", "energy-B"]},
        "radius_km": 7.5,
        "events": ["explosion"],
    },
    {
        "id": "withdrawal.heavy-weapons",
        "version": 1,
        "type": "withdrawal",
        "period": {"start": START, "end": END},
        "weapon_classes": ["mlrs", "tank"],
        "line": "contact-line",
        "distance_km": 15,
    },
    {
        "id": "window.repair",
        "version": 1,
        "type": "window",
        "windows": [
            {"start": "2025-03-20T08:00:00+02:00", "end": "2025-03-20T18:00:00+02:00"},
            {"start": "2025-03-21T08:00:00+02:00", "end": "2025-03-21T18:00:00+02:00"},
        ],
        "site": {"layer": "gppd", "id": "WRI1005114"},
        "radius_km": 3,
        "events": ["explosion"],
    },
    {"id": "energy.package", "version": 1, "type": "all_of", "terms": ["a", "b"]},
    {"id": "energy.either", "version": 1, "type": "any_of", "terms": ["a"]},
]


@pytest.mark.parametrize("doc", DOCS, ids=[d["type"] for d in DOCS])
def test_document_round_trip(doc: dict[str, Any]) -> None:
    term = term_from_document(doc)
    assert term.type == doc["type"]
    assert isinstance(term, TERM_CLASSES[doc["type"]])
    assert term.to_document() == doc
    assert term_from_document(term.to_document()) == term


def test_fields_are_typed() -> None:
    cease = term_from_document(DOCS[0])
    assert isinstance(cease, Ceasefire)
    assert cease.period.start == datetime(2025, 3, 18, tzinfo=KYIV_WINTER)
    assert cease.zone == ZoneRef("oblasts", ("UA-14",))
    moratorium = term_from_document(DOCS[1])
    assert isinstance(moratorium, EnergyMoratorium)
    assert moratorium.sites == SiteListRef(("energy-A", "energy-B"))
    assert moratorium.radius_km == 7.5
    assert moratorium.period.end is None
    withdrawal = term_from_document(DOCS[2])
    assert isinstance(withdrawal, Withdrawal)
    assert withdrawal.distance_km == 15.0
    assert isinstance(withdrawal.distance_km, float)
    window = term_from_document(DOCS[3])
    assert isinstance(window, Window)
    assert window.site == SiteRef("gppd", "WRI1005114")
    assert len(window.periods) == 2


def test_inline_site_selector() -> None:
    doc = dict(DOCS[1], sites={"layer": "gppd", "categories": ["Nuclear"]})
    term = term_from_document(doc)
    assert isinstance(term, EnergyMoratorium)
    assert term.sites == SiteSelector(layer="gppd", categories=("Nuclear",))
    assert term.to_document()["sites"] == {"layer": "gppd", "categories": ["Nuclear"]}


def test_integral_numbers_serialise_as_ints() -> None:
    term = term_from_document(dict(DOCS[1], radius_km=5.0))
    assert term.to_document()["radius_km"] == 5
    assert isinstance(term.to_document()["radius_km"], int)


def test_children() -> None:
    assert term_from_document(DOCS[4]).children == ("a", "b")
    assert isinstance(term_from_document(DOCS[4]), AllOf)
    assert isinstance(term_from_document(DOCS[5]), AnyOf)
    assert term_from_document(DOCS[0]).children == ()
    assert term_from_document(DOCS[4]).periods == ()


def test_unknown_type_fails_closed() -> None:
    with pytest.raises(ValidationError) as info:
        term_from_document({"id": "x", "version": 1, "type": "curfew"})
    assert info.value.field == "type"
    assert "unknown term type 'curfew'" in info.value.reason


def test_in_force_is_half_open() -> None:
    term = term_from_document(DOCS[0])
    start = datetime(2025, 3, 18, tzinfo=KYIV_WINTER)
    end = datetime(2025, 4, 17, tzinfo=timezone(timedelta(hours=3)))
    assert term.in_force(start)
    assert not term.in_force(start - timedelta(microseconds=1))
    assert term.in_force(end - timedelta(microseconds=1))
    assert not term.in_force(end)
    assert term.in_force(datetime(2025, 3, 17, 22, 0, tzinfo=UTC))


def test_in_force_needs_an_aware_time() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        term_from_document(DOCS[0]).in_force(datetime(2025, 3, 20))


def test_window_in_force_only_inside_windows() -> None:
    term = term_from_document(DOCS[3])
    assert term.in_force(datetime(2025, 3, 20, 12, tzinfo=KYIV_WINTER))
    assert not term.in_force(datetime(2025, 3, 20, 19, tzinfo=KYIV_WINTER))
    assert term.in_force(datetime(2025, 3, 21, 8, tzinfo=KYIV_WINTER))


aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2050, 1, 1),
    timezones=st.sampled_from([UTC, KYIV_WINTER, timezone(timedelta(hours=-5))]),
)


@given(aware, st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=400)), aware)
def test_period_contains(start: datetime, length: timedelta, at: datetime) -> None:
    period = Period(start, start + length)
    assert period.contains(at) == (start <= at < start + length)
    assert Period.from_document(period.to_document()) == period
    assert Period(start).contains(at) == (start <= at)
