"""A synthetic 30-day monitoring scenario on real geography — for demos and tests only.

Everything generated here is **synthetic**: every record carries
``"synthetic": true`` and ``"source": "synthetic"``, and every page or report
that shows it says so. The *places* are real (oblast boundaries and Global
Power Plant Database sites shipped in ``truce/data``); the contact line of the
example agreement is itself synthetic; the events never happened.

What the scenario holds, deterministic for a given seed:

* a few thousand mission observations from patrols, fixed cameras and UAVs,
  near the contact line, following a ceasefire that holds, frays, and holds
  again; a few weapon sightings inside the withdrawal zone;
* coverage: one patrol track per team per day, camera uptime with outages,
  and some denied or delayed access;
* a few dozen party allegations of strikes on real energy sites: some that a
  mission observation matches, some with no matching observation, and pairs
  where each party accuses the other of the same strike;
* evidence references (SHA-256 of generated files), and one monitor's
  correction. The casework on top — verification, findings, replies,
  correspondence — is :mod:`truce.demo_cases`, done through the facade.

:func:`generate` is pure: it returns the records and who signs each one; the
demo signs and stores them through :class:`~truce.mission.Mission`.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pyproj import Geod
from shapely.geometry import LineString

from truce.agreement import Agreement

__all__ = ["Actor", "Scenario", "ScenarioConfig", "SyntheticFile", "correction_for", "generate"]

_GEOD = Geod(ellps="WGS84")
_SYN = {"synthetic": True, "source": "synthetic"}
_COMPASS = (
    "N",
    "NNE",
    "NE",
    "ENE",
    "E",
    "ESE",
    "SE",
    "SSE",
    "S",
    "SSW",
    "SW",
    "WSW",
    "W",
    "WNW",
    "NW",
    "NNW",
)

# Observation mix, after the shape of OSCE SMM daily reports (weights, not data).
_CATEGORIES: tuple[tuple[str, float], ...] = (
    ("explosion", 0.42),
    ("bursts_of_fire", 0.16),
    ("shots", 0.10),
    ("projectile_in_flight", 0.05),
    ("muzzle_flash", 0.05),
    ("illumination_flare", 0.04),
    ("weapon_sighting", 0.08),
    ("damage_civilian_object", 0.03),
    ("restriction_of_movement", 0.02),
    ("uav_jamming", 0.05),
)
_HEAVY = ("artillery_100mm_plus", "mlrs", "tank", "mortar_120mm")


@dataclass(frozen=True)
class ScenarioConfig:
    seed: int = 7
    days: int = 30
    teams: int = 6
    monitors_per_team: int = 2
    cameras: int = 8
    observations_per_day: int = 140
    energy_allegations: int = 36


@dataclass(frozen=True)
class Actor:
    """Who signs: a pseudonym, a role and (for parties) the party id."""

    principal: str
    role: str
    party: str | None = None


@dataclass(frozen=True)
class SyntheticFile:
    """A generated evidence file (its bytes are stored beside the mission)."""

    sha256: str
    media_type: str
    content: bytes


@dataclass
class Scenario:
    actors: list[Actor]
    records: list[tuple[dict[str, Any], str]]  # (record body incl. type/signed_at, principal)
    files: list[SyntheticFile] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class _Builder:
    def __init__(self, agreement: Agreement, config: ScenarioConfig) -> None:
        self.a = agreement
        self.c = config
        self.rng = random.Random(config.seed)
        self.start = agreement.effective.astimezone(UTC)
        self.line = self._contact_line()
        self.records: list[tuple[dict[str, Any], str]] = []
        self.files: list[SyntheticFile] = []
        self.teams = [f"team-{i + 1:02d}" for i in range(config.teams)]
        self.monitors = {
            t: [
                f"monitor-{i * config.monitors_per_team + j + 1:02d}"
                for j in range(config.monitors_per_team)
            ]
            for i, t in enumerate(self.teams)
        }
        self.cameras = [self._camera(i) for i in range(config.cameras)]
        self.notes: dict[str, int] = {}

    # -- geography ------------------------------------------------------------

    def _contact_line(self) -> LineString:
        for layer in self.a.layers.lines:
            for feature in layer.features:
                if feature.geometry.geom_type == "LineString":
                    return LineString(feature.geometry)
        raise ValueError("the scenario needs an agreement with a contact line")

    def _near_line(self, max_km: float, *, side: int | None = None) -> tuple[float, float, float]:
        """A point within ``max_km`` of the contact line: (lon, lat, signed offset km)."""
        frac = self.rng.random()
        p = self.line.interpolate(frac, normalized=True)
        q = self.line.interpolate(min(frac + 0.001, 1.0), normalized=True)
        if q.equals(p):
            q = self.line.interpolate(max(frac - 0.001, 0.0), normalized=True)
            p, q = q, p
        az, _, _ = _GEOD.inv(p.x, p.y, q.x, q.y)
        offset = self.rng.triangular(0.2, max_km, 2.0)
        s = side if side is not None else self.rng.choice((-1, 1))
        lon, lat, _ = _GEOD.fwd(p.x, p.y, az + 90 * s, offset * 1000)
        return round(lon, 5), round(lat, 5), s * offset

    def _camera(self, i: int) -> dict[str, Any]:
        lon, lat, _ = self._near_line(8.0)
        return {"camera": f"camera-{i + 1:02d}", "lon": lon, "lat": lat}

    # -- time -----------------------------------------------------------------

    def _intensity(self, day: int) -> float:
        """Share of the pre-ceasefire level: drops, frays mid-month, steadies."""
        if day < 3:
            return 0.35
        if day < 12:
            return 0.6
        if day < 20:
            return 1.0
        return 0.5

    def _event_time(self, day: int) -> datetime:
        # Most fire is reported at dusk and at night (local), as in SMM reports.
        hour = self.rng.choice((18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 10, 14))
        return self.start + timedelta(days=day, hours=hour, minutes=self.rng.randrange(60))

    # -- records --------------------------------------------------------------

    def _callsign(self, principal: str) -> str:
        """A monitor's call sign in the field (sealed in the records it signs): not
        the key's principal, so the key registry does not give it away."""
        digest = hashlib.sha256(f"{self.c.seed}/{principal}".encode()).hexdigest()
        return f"cs-{digest[:6]}"

    def add(self, body: dict[str, Any], signer: str) -> dict[str, Any]:
        body = {**body, **_SYN}
        self.records.append((body, signer))
        return body

    def observation(self, day: int) -> None:
        cats = [c for c, _ in _CATEGORIES]
        weights = [w for _, w in _CATEGORIES]
        category = self.rng.choices(cats, weights)[0]
        team = self.rng.choice(self.teams)
        at = self._event_time(day)
        source = self.rng.choices(("patrol", "fixed_camera", "uav"), (0.6, 0.3, 0.1))[0]
        body: dict[str, Any] = {"type": "observation", "category": category}
        count = 1
        if category == "explosion":
            body["subtype"] = self.rng.choices(
                ("impact", "outgoing", "undetermined"), (0.4, 0.3, 0.3)
            )[0]
            count = self.rng.choice((1, 1, 2, 3, 5, 8, 12, 20))
        elif category in ("bursts_of_fire", "shots"):
            count = self.rng.choice((1, 2, 4, 10, 30))
        elif category == "restriction_of_movement":
            body["subtype"] = self.rng.choice(("denied", "conditional", "delayed"))
        elif category == "weapon_sighting":
            # Some heavy weapons inside the 15 km withdrawal zone, some beyond it.
            lon, lat, _ = self._near_line(30.0)
            body["weapon"] = {"class": self.rng.choice(_HEAVY), "count": self.rng.randint(1, 6)}
            source = "uav" if self.rng.random() < 0.5 else "patrol"
        body["count"] = count
        if category != "weapon_sighting":
            lon, lat, _ = self._near_line(12.0)
        observed_by: dict[str, Any] = {"source": source}
        if source == "fixed_camera":
            cam = self.rng.choice(self.cameras)
            observed_by["team"] = cam["camera"]
            body["location"] = {
                "kind": "bearing",
                "observer": {
                    "kind": "point",
                    "lon": cam["lon"],
                    "lat": cam["lat"],
                    "uncertainty_m": 10,
                },
                "direction": self.rng.choice(_COMPASS),
                "distance_band": self.rng.choice(("1-3km", "3-5km", "5-10km")),
            }
            signer = self.rng.choice(self.monitors[self.teams[0]])
        else:
            observed_by["team"] = team
            signer = self.rng.choice(self.monitors[team])
            observed_by["monitor"] = self._callsign(signer)
            if category in ("explosion", "bursts_of_fire", "shots") and self.rng.random() < 0.35:
                olon, olat, _ = self._near_line(6.0)
                body["location"] = {
                    "kind": "bearing",
                    "observer": {"kind": "point", "lon": olon, "lat": olat, "uncertainty_m": 25},
                    "direction": self.rng.choice(_COMPASS),
                    "distance_band": self.rng.choice(("1-3km", "3-5km", "5-10km", "10-20km")),
                }
            else:
                unc = self.rng.choice((50, 100, 250, 500, 1000, 2000))
                body["location"] = {"kind": "point", "lon": lon, "lat": lat, "uncertainty_m": unc}
        body["time"] = {"at": _iso(at), "precision": "minute"}
        body["observed_by"] = observed_by
        body["sealed"] = ["observed_by.monitor"] if "monitor" in observed_by else []
        if not body["sealed"]:
            del body["sealed"]
        body["signed_at"] = _iso(at + timedelta(minutes=self.rng.randint(5, 180)))
        self.add(body, signer)

    def coverage(self, day: int) -> None:
        for team in self.teams:
            t0 = self.start + timedelta(days=day, hours=8, minutes=self.rng.randrange(60))
            points: list[dict[str, Any]] = []
            for k in range(12):
                lon, lat, _ = self._near_line(15.0)
                if points:  # a vehicle patrol: a few km per 25-minute leg, not a jump
                    lon = round(points[-1]["lon"] + (lon - points[-1]["lon"]) * 0.02, 5)
                    lat = round(points[-1]["lat"] + (lat - points[-1]["lat"]) * 0.02, 5)
                points.append({"lon": lon, "lat": lat, "t": _iso(t0 + timedelta(minutes=25 * k))})
            end = t0 + timedelta(minutes=25 * 11)
            self.add(
                {
                    "type": "coverage",
                    "kind": "patrol_track",
                    "team": team,
                    "track": points,
                    "signed_at": _iso(end + timedelta(minutes=30)),
                },
                self.monitors[team][0],
            )
        day_start = self.start + timedelta(days=day)
        for cam in self.cameras:
            intervals = []
            if self.rng.random() < 0.15:  # an outage: power or jamming
                cut = day_start + timedelta(hours=self.rng.randint(2, 20))
                back = cut + timedelta(hours=self.rng.randint(1, 3))
                intervals = [(day_start, cut), (back, day_start + timedelta(days=1))]
            else:
                intervals = [(day_start, day_start + timedelta(days=1))]
            self.add(
                {
                    "type": "coverage",
                    "kind": "camera_uptime",
                    "camera": cam["camera"],
                    "location": {
                        "kind": "point",
                        "lon": cam["lon"],
                        "lat": cam["lat"],
                        "uncertainty_m": 10,
                    },
                    "view_radius_m": 8000,
                    "intervals": [{"start": _iso(s), "end": _iso(e)} for s, e in intervals],
                    "signed_at": _iso(day_start + timedelta(days=1, minutes=20)),
                },
                self.monitors[self.teams[0]][0],
            )
        if self.rng.random() < 0.4:
            team = self.rng.choice(self.teams)
            lon, lat, _ = self._near_line(10.0)
            at = day_start + timedelta(hours=self.rng.randint(8, 16))
            self.add(
                {
                    "type": "coverage",
                    "kind": "denied_access",
                    "team": team,
                    "location": {"kind": "point", "lon": lon, "lat": lat, "uncertainty_m": 100},
                    "time": {"at": _iso(at), "precision": "minute"},
                    "restriction": self.rng.choice(("denied", "conditional", "delayed")),
                    "by": self.rng.choice(("A", "B", "unknown")),
                    "reason": "checkpoint staff cited the security situation",
                    "signed_at": _iso(at + timedelta(hours=1)),
                },
                self.monitors[team][0],
            )

    def evidence_file(self, what: str, holder: str, at: datetime) -> str:
        content = json.dumps(
            {
                "synthetic": True,
                "source": "synthetic",
                "what": what,
                "holder": holder,
                "at": _iso(at),
                "nonce": self.rng.getrandbits(64),
            },
            sort_keys=True,
        ).encode()
        sha = hashlib.sha256(content).hexdigest()
        self.files.append(SyntheticFile(sha, "application/json", content))
        return sha

    def energy_allegations(self) -> None:
        """Allegations of strikes on real energy sites, some matched, some contradicting."""
        term = self.a.term("moratorium.energy")
        lists = self.a.protected_sites(term)
        sites = sorted(
            {s.id: s for group in lists.values() for s in group}.values(), key=lambda s: s.id
        )
        parties = [p.id for p in self.a.parties]
        n = self.c.energy_allegations
        matched = contradicted = unmatched = 0
        for i in range(n):
            site = self.rng.choice(sites)
            day = self.rng.randrange(1, self.c.days - 1) if self.c.days > 2 else 0
            at = self._event_time(day)
            accuser = parties[i % 2]
            accused = parties[(i + 1) % 2]
            mode = ("matched", "unmatched", "contradicted")[i % 3]
            ev_at = at + timedelta(hours=1)
            evidence = self.evidence_file(
                f"photo of damage at {site.name}", f"{accuser}-press-office", ev_at
            )
            claim: dict[str, Any] = {
                "category": "explosion",
                "subtype": "impact",
                "location": {
                    "kind": "point",
                    "lon": round(site.lon, 5),
                    "lat": round(site.lat, 5),
                    "uncertainty_m": 1000,
                },
                "time": {"at": _iso(at.replace(minute=0)), "precision": "hour"},
                "facility": {"layer": site.layer, "id": site.id, "name": site.name},
                "term": {"id": term.id, "agreement_version": self.a.version},
                "description": f"Strike on {site.name} ({site.category}) by party {accused}.",
            }
            filer = f"party-{accuser.lower()}-office"
            filed_at = at + timedelta(hours=self.rng.randint(2, 20))
            self.add(
                {
                    "type": "evidence",
                    "sha256": evidence,
                    "media_type": "application/json",
                    "size": len(self.files[-1].content),
                    "captured_at": _iso(ev_at),
                    "action": "captured",
                    "holder": f"{accuser}-press-office",
                    "original": True,
                    "signed_at": _iso(filed_at - timedelta(minutes=5)),
                },
                filer,
            )
            self.add(
                {
                    "type": "allegation",
                    "party": accuser,
                    "against": accused,
                    "reference": f"{accuser}-{2025}-{i + 1:03d}",
                    "claim": claim,
                    "evidence": [evidence],
                    "statement": f"Party {accuser} states that party {accused} struck {site.name} "
                    f"on {at.date().isoformat()}, in breach of the energy moratorium.",
                    "signed_at": _iso(filed_at),
                },
                filer,
            )
            if mode == "matched":
                # A mission patrol confirms an impact within a few km of the site.
                dist = self.rng.uniform(200, 3500)
                lon, lat, _ = _GEOD.fwd(site.lon, site.lat, self.rng.uniform(0, 360), dist)
                team = self.rng.choice(self.teams)
                monitor = self.rng.choice(self.monitors[team])
                seen = at + timedelta(minutes=self.rng.randint(-40, 40))
                self.add(
                    {
                        "type": "observation",
                        "category": "explosion",
                        "subtype": "impact",
                        "count": self.rng.randint(1, 4),
                        "location": {
                            "kind": "point",
                            "lon": round(lon, 5),
                            "lat": round(lat, 5),
                            "uncertainty_m": 500,
                        },
                        "time": {"at": _iso(seen), "precision": "minute"},
                        "observed_by": {
                            "source": self.rng.choice(("patrol", "uav")),
                            "team": team,
                            "monitor": self._callsign(monitor),
                        },
                        "description": f"Impact near {site.name}; smoke seen from the site.",
                        "sealed": ["observed_by.monitor"],
                        "signed_at": _iso(seen + timedelta(hours=2)),
                    },
                    monitor,
                )
                matched += 1
            elif mode == "contradicted":
                # The accused party files the mirror-image claim about the same strike.
                counter = dict(claim)
                counter["description"] = f"Strike on {site.name} staged by party {accuser}."
                other = f"party-{accused.lower()}-office"
                self.add(
                    {
                        "type": "allegation",
                        "party": accused,
                        "against": accuser,
                        "reference": f"{accused}-{2025}-{i + 1:03d}c",
                        "claim": counter,
                        "statement": f"Party {accused} rejects the claim and states "
                        f"that party {accuser} "
                        f"itself shelled {site.name}.",
                        "signed_at": _iso(filed_at + timedelta(hours=3)),
                    },
                    other,
                )
                contradicted += 1
            else:
                unmatched += 1
        self.notes.update(
            energy_allegations_matched=matched,
            energy_allegations_contradicted=contradicted,
            energy_allegations_unmatched=unmatched,
        )

    def build(self) -> Scenario:
        for day in range(self.c.days):
            self.coverage(day)
            n = round(
                self.c.observations_per_day * self._intensity(day) * self.rng.uniform(0.8, 1.2)
            )
            for _ in range(n):
                self.observation(day)
        self.energy_allegations()
        # Chronological order of signing, stable for ties.
        order = sorted(range(len(self.records)), key=lambda i: (self.records[i][0]["signed_at"], i))
        records = [self.records[i] for i in order]
        actors = [Actor(m, "monitor") for t in self.teams for m in self.monitors[t]]
        actors += [Actor(f"party-{p.id.lower()}-office", "party", p.id) for p in self.a.parties]
        actors.append(Actor("analyst-01", "analyst"))
        actors.append(Actor("approver-01", "approver"))
        self.notes["observations"] = sum(1 for r, _ in records if r["type"] == "observation")
        return Scenario(actors=actors, records=records, files=self.files, notes=self.notes)


def generate(agreement: Agreement, config: ScenarioConfig | None = None) -> Scenario:
    """Generate the synthetic scenario (pure, deterministic for ``config.seed``)."""
    return _Builder(agreement, config or ScenarioConfig()).build()


def correction_for(record: dict[str, Any], *, signed_at: str) -> tuple[dict[str, Any], str]:
    """A corrected copy of an observation (count fixed) and the reason, for the demo."""
    fixed = {k: v for k, v in record.items() if k not in ("signed_at",)}
    fixed["count"] = int(record.get("count", 1)) + 1
    fixed["signed_at"] = signed_at
    return fixed, "count miscounted in the field; recounted from the camera recording"
