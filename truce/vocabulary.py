"""The shared vocabulary of events: categories, their subtypes, weapon classes.

One definition for the records (what a monitor or party reports) and the
agreement (what a term covers). The categories follow the OSCE Special
Monitoring Mission's reporting practice (DESIGN §2). Only two categories have
subtypes (:data:`EVENT_SUBTYPES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

__all__ = ["EVENT_CATEGORIES", "EVENT_SUBTYPES", "WEAPON_CLASSES", "EventCategory", "WeaponClass"]

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
