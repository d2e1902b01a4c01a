"""The controlled vocabularies an agreement (and every record) is written in.

Observation categories follow the reporting categories of the OSCE Special
Monitoring Mission to Ukraine; weapon classes follow the classes that past
ceasefire texts (e.g. the Minsk package) used for withdrawal lines. The records
module reuses these tuples by name, so an agreement term and an observation
always speak the same words. The JSON Schema (``schema.json``) repeats them and a
test keeps the two in step.
"""

from __future__ import annotations

__all__ = [
    "AGREEMENT_FORMAT",
    "EVENT_CATEGORIES",
    "JOINT",
    "LAYER_KINDS",
    "TERM_TYPES",
    "WEAPON_CLASSES",
]

#: The only accepted value of an agreement document's ``format`` field.
AGREEMENT_FORMAT = "truce-agreement/1"

#: What an observation can be (after the OSCE SMM's reporting categories).
EVENT_CATEGORIES: tuple[str, ...] = (
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
)

#: Classes of weapon a withdrawal term (or a weapon sighting) names.
WEAPON_CLASSES: tuple[str, ...] = (
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
)

#: Every term ``type`` an agreement may use, sorted. Anything else is an error.
TERM_TYPES: tuple[str, ...] = (
    "all_of",
    "any_of",
    "ceasefire",
    "energy_moratorium",
    "window",
    "withdrawal",
)

#: The kinds of geography layer, in document order; each is listed under
#: ``geography.<kind>s`` (``zones``, ``lines``, ``sites``).
LAYER_KINDS: tuple[str, ...] = ("zone", "line", "site")

#: ``held_by`` value of a site list both parties agreed on.
JOINT = "joint"
