"""The controlled vocabularies of records: event categories, subtypes, weapon classes.

The event categories, subtypes and weapon classes are defined once, in
:mod:`truce.vocabulary`, shared with the agreement's terms; they are re-exported
here.

Only two categories have subtypes (:data:`EVENT_SUBTYPES`); for every other
category a subtype is an error, not an ignored extra.
"""

from __future__ import annotations

from typing import Literal, get_args

from truce.vocabulary import (
    EVENT_CATEGORIES,
    EVENT_SUBTYPES,
    WEAPON_CLASSES,
    EventCategory,
    WeaponClass,
)

__all__ = [
    "COMPASS_POINTS",
    "DISTANCE_BANDS",
    "EVENT_CATEGORIES",
    "EVENT_SUBTYPES",
    "WEAPON_CLASSES",
    "CompassPoint",
    "DistanceBand",
    "EventCategory",
    "WeaponClass",
    "subtype_problem",
]

CompassPoint = Literal[
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
]  # fmt: skip
#: The 16 compass points, clockwise from north; point ``i`` is at ``22.5 * i`` degrees.
COMPASS_POINTS: tuple[str, ...] = get_args(CompassPoint)

DistanceBand = Literal["0-1km", "1-3km", "3-5km", "5-10km", "10-20km", ">20km"]
#: Distance bands of a bearing location, nearest first.
DISTANCE_BANDS: tuple[str, ...] = get_args(DistanceBand)


def subtype_problem(category: str, subtype: str | None) -> str | None:
    """Why ``subtype`` is wrong for ``category``, or None when the pair is valid.

    Guarantees: a category listed in :data:`EVENT_SUBTYPES` needs one of its
    subtypes; any other category must have no subtype.
    """
    allowed = EVENT_SUBTYPES.get(category)
    if allowed is None:
        if subtype is None:
            return None
        return f"category {category} takes no subtype"
    if subtype in allowed:
        return None
    wanted = ", ".join(allowed)
    if subtype is None:
        return f"required for category {category} (one of: {wanted})"
    return f"{subtype!r} is not a subtype of {category} (one of: {wanted})"
