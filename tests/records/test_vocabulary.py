from __future__ import annotations

import pytest

from truce.records.vocabulary import (
    COMPASS_POINTS,
    DISTANCE_BANDS,
    EVENT_CATEGORIES,
    EVENT_SUBTYPES,
    WEAPON_CLASSES,
    subtype_problem,
)


def test_categories_follow_the_design_vocabulary() -> None:
    assert len(set(EVENT_CATEGORIES)) == len(EVENT_CATEGORIES) == 11
    for name in ("explosion", "weapon_sighting", "restriction_of_movement", "uav_jamming"):
        assert name in EVENT_CATEGORIES
    assert len(set(WEAPON_CLASSES)) == len(WEAPON_CLASSES)
    assert set(EVENT_SUBTYPES) <= set(EVENT_CATEGORIES)
    assert EVENT_SUBTYPES["explosion"] == ("impact", "outgoing", "undetermined")
    assert EVENT_SUBTYPES["restriction_of_movement"] == ("denied", "conditional", "delayed")


def test_compass_points_clockwise_from_north() -> None:
    assert len(COMPASS_POINTS) == 16
    assert COMPASS_POINTS[0] == "N"
    assert COMPASS_POINTS[4] == "E"
    assert COMPASS_POINTS[8] == "S"
    assert COMPASS_POINTS[12] == "W"
    assert DISTANCE_BANDS == ("0-1km", "1-3km", "3-5km", "5-10km", "10-20km", ">20km")


@pytest.mark.parametrize(
    ("category", "subtype", "problem"),
    [
        ("explosion", "impact", None),
        ("explosion", "undetermined", None),
        ("restriction_of_movement", "delayed", None),
        ("muzzle_flash", None, None),
        ("explosion", None, "required"),
        ("explosion", "denied", "not a subtype"),
        ("restriction_of_movement", "impact", "not a subtype"),
        ("muzzle_flash", "impact", "takes no subtype"),
    ],
)
def test_subtype_rules(category: str, subtype: str | None, problem: str | None) -> None:
    why = subtype_problem(category, subtype)
    if problem is None:
        assert why is None
    else:
        assert why is not None
        assert problem in why


def test_same_tuples_as_the_agreement_vocabulary() -> None:
    import truce.agreement.vocabulary as other

    assert tuple(other.EVENT_CATEGORIES) == EVENT_CATEGORIES
    assert tuple(other.WEAPON_CLASSES) == WEAPON_CLASSES
