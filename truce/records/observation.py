"""``observation``: what the mission itself saw or heard.

Example payload (before signing)::

    {"type": "observation", "mission": "smm-east", "signed_at": "2025-03-20T05:00:00Z",
     "category": "explosion", "subtype": "impact", "count": 3,
     "location": {"kind": "point", "lon": 37.802, "lat": 48.012, "uncertainty_m": 500},
     "time": {"at": "2025-03-20T04:15:00Z", "precision": "minute"},
     "observed_by": {"source": "patrol", "team": "T-3"},
     "sealed": {"observed_by.monitor": "<SHA-256 commitment, lowercase hex>"}}

Rules beyond the field types: the subtype follows
:func:`~truce.records.vocabulary.subtype_problem`; a ``weapon`` is required for
``weapon_sighting`` (optional otherwise); evidence hashes are unique; a sealed
field carries its commitment under ``sealed`` and no value
(:mod:`truce.records.commitments`).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, TypeAlias, get_args

from pydantic import Field, StringConstraints, model_validator

from truce.records._model import NOT_BLANK, Problem, StrictModel, duplicates, raise_problems
from truce.records.common import Label, Location, Pseudonym, Sha256, Text, TimeSpec
from truce.records.header import RecordHeader
from truce.records.vocabulary import EventCategory, WeaponClass, subtype_problem

__all__ = [
    "OBSERVATION_SOURCES",
    "SEALABLE_PATHS",
    "Observation",
    "ObservationSource",
    "ObservedBy",
    "SealablePath",
    "Subtype",
    "Weapon",
]

#: An event subtype; which values are allowed depends on the category.
Subtype: TypeAlias = Annotated[str, StringConstraints(min_length=1, max_length=32)]

ObservationSource = Literal["patrol", "fixed_camera", "uav", "remote_sensing", "interview", "other"]
#: How the mission observed something.
OBSERVATION_SOURCES: tuple[str, ...] = get_args(ObservationSource)

SealablePath = Literal["observed_by.monitor", "observed_by.team", "description", "evidence"]
#: Fields a record may seal: signed and published only as commitments. (The
#: event's location is public; it is coarsened for public output instead.)
SEALABLE_PATHS: tuple[str, ...] = get_args(SealablePath)


class Weapon(StrictModel):
    """A weapon seen: its class (JSON key ``class``), optional type, and how many."""

    weapon_class: WeaponClass = Field(alias="class")
    type: Annotated[str, StringConstraints(min_length=1, max_length=100), NOT_BLANK] | None = None
    count: int = Field(default=1, ge=1, le=100_000)


class ObservedBy(StrictModel):
    """Who observed: the means, and optionally the team/camera/flight and a monitor pseudonym."""

    source: ObservationSource
    team: Label | None = None
    monitor: Pseudonym | None = None


class Observation(RecordHeader):
    """What the mission itself saw or heard (DESIGN §2)."""

    type: Literal["observation"] = "observation"
    category: EventCategory
    subtype: Subtype | None = None
    count: int = Field(default=1, ge=1, le=100_000)
    weapon: Weapon | None = None
    location: Location
    time: TimeSpec
    observed_by: ObservedBy
    description: Text | None = None
    evidence: tuple[Sha256, ...] = Field(default=(), max_length=100)
    sealed: dict[SealablePath, Sha256] | None = Field(default=None, max_length=len(SEALABLE_PATHS))

    @model_validator(mode="after")
    def _observation_rules(self) -> Self:
        problems: list[Problem] = []
        why = subtype_problem(self.category, self.subtype)
        if why is not None:
            problems.append((("subtype",), why))
        if self.category == "weapon_sighting" and self.weapon is None:
            problems.append((("weapon",), "required for category weapon_sighting"))
        problems.extend(duplicates("evidence", self.evidence))
        for path in self.sealed or {}:
            if _has(self, path):
                problems.append(
                    (("sealed", path), "a sealed field carries its commitment, not its value")
                )
        raise_problems("Observation", problems)
        return self


def _has(record: Observation, path: str) -> bool:
    """Whether the record has a value at a sealable ``path``."""
    if path == "evidence":
        return bool(record.evidence)
    obj: object = record
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj is not None
