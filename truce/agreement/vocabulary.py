"""The controlled vocabularies an agreement (and every record) is written in.

Observation categories follow the reporting categories of the OSCE Special
Monitoring Mission to Ukraine; weapon classes follow the classes that past
ceasefire texts (e.g. the Minsk package) used for withdrawal lines. Both come
from :mod:`truce.vocabulary`, shared with the records, so an agreement term and
an observation always speak the same words. The JSON Schema (``schema.json``)
repeats them and a test keeps the two in step.
"""

from __future__ import annotations

from truce.vocabulary import EVENT_CATEGORIES, WEAPON_CLASSES

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
