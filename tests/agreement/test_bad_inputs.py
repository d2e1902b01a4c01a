"""The bad-input suite: each file under bad/ has one defect, reported with its exact field."""

from __future__ import annotations

from pathlib import Path

import pytest

from truce.agreement import load_agreement
from truce.errors import ValidationError

CASES = [
    ("malformed.yaml", "", "YAML syntax error at line 12, column 1"),
    (
        "unknown_term_type.yaml",
        "terms[0].type",
        "unknown term type 'curfew' "
        "(known: all_of, any_of, ceasefire, energy_moratorium, window, withdrawal)",
    ),
    (
        "empty_all_of.yaml",
        "terms[3].terms",
        "empty all_of: a composite term must list at least one term (terms fail closed)",
    ),
    ("radius_zero.yaml", "terms[1].radius_km", "0 is less than or equal to the minimum of 0"),
    (
        "coordinates_out_of_range.yaml",
        "geography.lines[0].source.inline.features[0].geometry.coordinates",
        "position (190.0, 48.5) is out of range",
    ),
    (
        "self_intersecting_zone.yaml",
        "geography.zones[0].source.inline.features[0].geometry",
        "invalid polygon: Self-intersection",
    ),
    (
        "dangling_reference.yaml",
        "terms[2].line",
        "unknown line layer 'front-line' (line layers: contact-line)",
    ),
    ("duplicate_key.yaml", "terms[1].radius_km", "duplicate key 'radius_km'"),
    ("naive_datetime.yaml", "effective", "needs a UTC offset"),
    ("missing_file.yaml", "geography.sites[0].source.path", "cannot read 'no-such-file.geojson'"),
    (
        "composite_cycle.yaml",
        "terms[4].terms[1]",
        "cycle in composite terms: energy.package -> energy.either -> energy.package",
    ),
]


def test_the_baseline_is_valid(bad_dir: Path) -> None:
    agreement = load_agreement(bad_dir / "good.yaml")
    assert agreement.id == "bad-example"


@pytest.mark.parametrize(("name", "field", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_file(bad_dir: Path, name: str, field: str, fragment: str) -> None:
    path = bad_dir / name
    with pytest.raises(ValidationError) as info:
        load_agreement(path)
    err = info.value
    assert err.field == field
    assert fragment in err.reason
    assert err.source == str(path)
    assert str(err).startswith(f"{path}: ")
    assert err.to_dict()["error"]["code"] == "validation_error"


def test_every_bad_file_is_covered(bad_dir: Path) -> None:
    files = {p.name for p in bad_dir.glob("*.yaml")} - {"good.yaml"}
    assert files == {c[0] for c in CASES}


def test_error_message_format(bad_dir: Path) -> None:
    with pytest.raises(ValidationError) as info:
        load_agreement(bad_dir / "radius_zero.yaml")
    assert str(info.value) == (
        f"{bad_dir / 'radius_zero.yaml'}: terms[1].radius_km: "
        "0 is less than or equal to the minimum of 0"
    )
