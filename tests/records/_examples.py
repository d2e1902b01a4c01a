"""Valid example payloads of every record type, and helpers to break them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from truce.errors import ValidationError
from truce.records import parse_record

H1 = "a" * 64
H2 = "b" * 64
H3 = "c" * 64
KEY1 = "0123456789abcdef0123456789abcdef"
KEY2 = "fedcba9876543210fedcba9876543210"
PUB = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # 32 bytes, canonical base64

#: Marker: remove the key at this path.
DELETE = object()


def _with(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = base | extra
    return {k: v for k, v in out.items() if v is not DELETE}


def header(**extra: Any) -> dict[str, Any]:
    return {"mission": "smm-east", "signed_at": "2025-03-20T05:00:00Z", **extra}


def point(lon: float = 37.802, lat: float = 48.012, unc: float = 500) -> dict[str, Any]:
    return {"kind": "point", "lon": lon, "lat": lat, "uncertainty_m": unc}


def bearing() -> dict[str, Any]:
    return {
        "kind": "bearing",
        "observer": point(37.7, 48.0, 10),
        "direction": "NE",
        "distance_band": "3-5km",
    }


def observation(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="observation",
            category="explosion",
            subtype="impact",
            count=3,
            location=point(),
            time={"at": "2025-03-20T04:15:00Z", "precision": "minute"},
            observed_by={"source": "patrol", "team": "T-3"},
            description="three impacts north of the bridge",
            evidence=[H1],
            sealed={"observed_by.monitor": H2},
        ),
        extra,
    )


def patrol_track(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="coverage",
            kind="patrol_track",
            team="T-3",
            track=[
                {"lon": 37.70, "lat": 48.00, "t": "2025-03-20T03:00:00Z"},
                {"lon": 37.72, "lat": 48.01, "t": "2025-03-20T03:30:00Z"},
                {"lon": 37.75, "lat": 48.02, "t": "2025-03-20T04:30:00Z"},
            ],
        ),
        extra,
    )


def camera_uptime(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="coverage",
            kind="camera_uptime",
            camera="CAM-12",
            location=point(37.9, 48.1, 5),
            view_radius_m=4000,
            intervals=[
                {"start": "2025-03-19T00:00:00Z", "end": "2025-03-19T12:00:00Z"},
                {"start": "2025-03-19T12:00:00Z", "end": "2025-03-20T00:00:00Z"},
            ],
        ),
        extra,
    )


def denied_access(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="coverage",
            kind="denied_access",
            team="T-3",
            location=point(37.8, 48.05, 50),
            time={"at": "2025-03-20T02:10:00Z"},
            restriction="denied",
            by="B",
            reason="checkpoint commander cited mines on the road",
        ),
        extra,
    )


def allegation(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="allegation",
            party="A",
            against="B",
            reference="A-2025-0311",
            claim={
                "category": "explosion",
                "subtype": "impact",
                "location": point(33.37, 47.51, 1000),
                "time": {"start": "2025-03-20T01:00:00Z", "end": "2025-03-20T02:00:00Z"},
                "facility": {"layer": "gppd", "id": "UKR0001234", "name": "Example TPP"},
                "term": {"id": "moratorium.energy", "agreement_version": 2},
                "casualties": 0,
                "description": "artillery strike on the thermal power plant",
            },
            evidence=[H1, H2],
            statement="On 20 March at about 01:30 ...",
        ),
        extra,
    )


def finding(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="finding",
            finding_id="F-2025-007",
            allegations=[H1],
            observations=[H2, H3],
            term={"id": "ceasefire.general", "agreement_version": 1},
            certainty="probable",
            outcome="breach",
            attribution={"status": "attributed", "party": "B", "basis": "crater analysis"},
            summary="Impacts consistent with fire from the east.",
        ),
        extra,
    )


def correction(**extra: Any) -> dict[str, Any]:
    return _with(
        header(type="correction", supersedes=H1, reason="wrong grid square", replacement=H2),
        extra,
    )


def evidence(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="evidence",
            sha256=H1,
            media_type="image/jpeg",
            size=2_345_678,
            captured_at="2025-03-20T04:16:00Z",
            action="captured",
            holder="m-107",
            original=True,
            description="photo of crater, facing north",
        ),
        extra,
    )


def correspondence(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="correspondence",
            from_party="A",
            to_party="B",
            subject="Repair window at the substation",
            body="We request a local ceasefire for the repair crew on 22 March, 08:00-16:00.",
            thread=H2,
            in_reply_to=H3,
            language="en-GB",
        ),
        extra,
    )


def key_enrol(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="key",
            action="enrol",
            keyid=KEY1,
            public_key=PUB,
            role="party",
            principal="party-a.liaison",
            party="A",
        ),
        extra,
    )


def agreement(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="agreement",
            agreement_id="energy-moratorium",
            version=2,
            document={
                "id": "energy-moratorium",
                "version": 2,
                "parties": ["A", "B"],
                "terms": [{"id": "moratorium.energy", "radius_km": 1.5, "note": None}],
            },
        ),
        extra,
    )


#: One valid payload per record type (and coverage kind).
def allegation_step(**extra: Any) -> dict[str, Any]:
    return _with(
        header(type="allegation_step", allegation=H1, state="not_confirmed", reason="no_access"),
        extra,
    )


def verification_task(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="verification_task",
            allegation=H1,
            task="evidence_request",
            detail="Send the original photos.",
            due="2025-03-27T00:00:00Z",
        ),
        extra,
    )


def approval(**extra: Any) -> dict[str, Any]:
    return _with(
        header(type="approval", finding=H1, decision="approved", reply_window_days=7), extra
    )


def reply(**extra: Any) -> dict[str, Any]:
    return _with(
        header(type="reply", finding=H1, party="B", body="We deny it.", language="en"), extra
    )


def correspondence_opener(**extra: Any) -> dict[str, Any]:
    return correspondence(
        **({"thread": DELETE, "in_reply_to": DELETE, "content": "public"} | extra)
    )


BOX = "QUJD" * 20  # base64 of 60 bytes: shaped like a sealed box


def sealed_correspondence(**extra: Any) -> dict[str, Any]:
    sealed = [{"keyid": KEY1, "box": BOX}, {"keyid": KEY2, "box": BOX}]
    return correspondence_opener(
        **({"body": DELETE, "sealed_body": sealed, "content": "parties"} | extra)
    )


def acknowledgement(**extra: Any) -> dict[str, Any]:
    return _with(header(type="acknowledgement", message=H1, party="B"), extra)


def link(**extra: Any) -> dict[str, Any]:
    return _with(
        header(type="link", allegation=H1, observation=H2, reason="Same impact, 1.2 km apart."),
        extra,
    )


def access(**extra: Any) -> dict[str, Any]:
    return _with(header(type="access", party="A", reader=KEY1, action="read", items=[H1]), extra)


def release(**extra: Any) -> dict[str, Any]:
    return _with(
        header(
            type="release",
            report=H3,
            title="Daily report 2025-03-20",
            media_type="text/html",
            size=1234,
            release_at="2025-03-20T17:30:00Z",
            parties=["A", "B"],
        ),
        extra,
    )


def disclosure(**extra: Any) -> dict[str, Any]:
    return _with(
        header(type="disclosure", record=H1, path="observed_by.monitor", to="Inquiry", reason="r"),
        extra,
    )


VALID = {
    "observation": observation,
    "patrol_track": patrol_track,
    "camera_uptime": camera_uptime,
    "denied_access": denied_access,
    "allegation": allegation,
    "finding": finding,
    "correction": correction,
    "evidence": evidence,
    "correspondence": correspondence,
    "key": key_enrol,
    "agreement": agreement,
    "allegation_step": allegation_step,
    "verification_task": verification_task,
    "approval": approval,
    "reply": reply,
    "correspondence_opener": correspondence_opener,
    "sealed_correspondence": sealed_correspondence,
    "acknowledgement": acknowledgement,
    "link": link,
    "access": access,
    "release": release,
    "disclosure": disclosure,
}


def _split(path: str) -> list[str | int]:
    out: list[str | int] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            out.append(int(part[1:-1]))
        elif part:
            out.append(part)
    return out


def changed(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``payload`` with ``path`` (``claim.time.at``, ``track[1].t``) set/deleted."""
    out = copy.deepcopy(payload)
    *parents, last = _split(path)
    node: Any = out
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return out


def reject(payload: dict[str, Any]) -> ValidationError:
    """Parse ``payload`` (as JSON bytes) and return the ValidationError it must raise."""
    with pytest.raises(ValidationError) as info:
        parse_record(json.dumps(payload).encode())
    return info.value


def assert_rejected(payload: dict[str, Any], field: str, reason: str = "") -> None:
    """``payload`` is rejected with an error at ``field`` whose reason contains ``reason``."""
    err = reject(payload)
    fields = {e.field: e.reason for e in err.errors}
    assert field in fields, f"no error at {field!r}; got {fields}"
    assert reason.lower() in fields[field].lower(), fields[field]


def round_trip(payload: dict[str, Any]) -> None:
    """The round-trip property: payload dict -> record -> JSON -> the same record, same dict."""
    from truce.records import to_payload_dict

    record = parse_record(payload)
    out = to_payload_dict(record)
    again = parse_record(json.dumps(out))
    assert again == record
    assert to_payload_dict(again) == out
    assert json.loads(json.dumps(out)) == out
