"""The controlled vocabularies of records: event categories, subtypes, weapon classes.

The categories follow the OSCE Special Monitoring Mission's reporting practice
(DESIGN §2). ``EVENT_CATEGORIES`` and ``WEAPON_CLASSES`` are also defined, with
identical contents, in :mod:`truce.agreement.vocabulary` (terms refer to them);
a test asserts that the two copies match, so change both or neither.

Only two categories have subtypes (:data:`EVENT_SUBTYPES`); for every other
category a subtype is an error, not an ignored extra.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

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

EventCategory = Literal[
    "explosion",
    "projectile_in_flight",
    "muzzle_flash",
    "illumination_flare",
    "bursts_of_fire",
    "shots",
    "weapon_sighting",
    "damage_civilian_object",
    "civilian_casualty",
    "restriction_of_movement",
    "uav_jamming",
]
#: Every event category an observation or allegation may carry.
EVENT_CATEGORIES: tuple[str, ...] = get_args(EventCategory)

WeaponClass = Literal[
    "small_arms",
    "heavy_machine_gun",
    "grenade_launcher",
    "mortar_below_120mm",
    "mortar_120mm",
    "artillery_below_100mm",
    "artillery_100mm_plus",
    "mlrs",
    "tank",
    "armoured_vehicle",
    "anti_aircraft",
    "uav",
    "missile",
]
#: Every weapon class a weapon sighting may carry.
WEAPON_CLASSES: tuple[str, ...] = get_args(WeaponClass)

#: category -> the subtypes it requires; categories not listed take no subtype.
EVENT_SUBTYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "explosion": ("impact", "outgoing", "undetermined"),
        "restriction_of_movement": ("denied", "conditional", "delayed"),
    }
)

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
