"""Vendored reference data: byte-identical to shared/data and attributed in the README."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENDORED = REPO / "truce" / "data"
SHARED = REPO / ".." / "shared" / "data"
FILES = (
    "ukraine_adm1.geojson",
    "ukraine_outline.geojson",
    "ukraine_power_plants.geojson",
    "ucdp_ged_ukraine_sample.csv",
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", FILES)
def test_vendored_file_is_byte_identical_to_shared(name: str) -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present next to the repository")
    assert _sha256(VENDORED / name) == _sha256(SHARED / name)


def test_every_vendored_file_is_listed_in_the_readme() -> None:
    readme = (VENDORED / "README.md").read_text("utf-8")
    shipped = sorted(p.name for p in VENDORED.iterdir() if p.is_file() and p.name != "README.md")
    assert set(FILES) <= set(shipped)
    missing = [name for name in shipped if f"`{name}`" not in readme]
    assert missing == []


def _bullets(text: str, label: str) -> list[str]:
    """Every '- **Label:** ...' bullet (with its continuation lines), whitespace-normalised."""
    pattern = re.compile(rf"^- \*\*{label}:\*\*.*?(?=^- \*\*|^#|^---|\Z)", re.M | re.S)
    return [" ".join(m.group(0).split()) for m in pattern.finditer(text)]


def test_licence_and_attribution_text_travels_verbatim() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present next to the repository")
    ours = (VENDORED / "README.md").read_text("utf-8")
    theirs = (SHARED / "README.md").read_text("utf-8")
    wanted = _bullets(theirs, "Licence") + _bullets(theirs, "Attribution")
    wanted += _bullets(theirs, "Source, licence, attribution")
    assert len(wanted) >= 7
    flat = " ".join(ours.split())
    for bullet in wanted:
        assert bullet in flat


def test_readme_names_both_licences() -> None:
    readme = (VENDORED / "README.md").read_text("utf-8")
    assert "Open Database License (ODbL) 1.0" in readme
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0)" in readme
    assert "© OpenStreetMap" in readme


def test_examples_symlink_points_at_the_packaged_example() -> None:
    link = REPO / "examples" / "agreement.yaml"
    assert link.is_symlink()
    assert Path(link.readlink()) == Path("../truce/data/example-agreement.yaml")
    assert link.resolve() == (VENDORED / "example-agreement.yaml").resolve()
