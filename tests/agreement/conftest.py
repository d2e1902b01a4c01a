"""Shared fixtures for the agreement tests: the shipped examples and a small valid document."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from truce.agreement import Agreement, load_agreement

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO / "truce" / "data"

_GOOD: dict[str, Any] = yaml.safe_load((HERE / "bad" / "good.yaml").read_text("utf-8"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def bad_dir() -> Path:
    return HERE / "bad"


@pytest.fixture(scope="session")
def example() -> Agreement:
    return load_agreement(DATA / "example-agreement.yaml")


@pytest.fixture(scope="session")
def example_v2() -> Agreement:
    return load_agreement(DATA / "example-agreement-v2.yaml")


@pytest.fixture
def good_doc() -> dict[str, Any]:
    """A fresh copy of tests/agreement/bad/good.yaml as parsed by PyYAML (dates as objects)."""
    return copy.deepcopy(_GOOD)
