"""A mission's settings: what ``truce.toml`` in the mission directory holds."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from truce.errors import NotFound, ValidationError

__all__ = ["SETTINGS_FILE", "MissionSettings"]

SETTINGS_FILE = "truce.toml"
_SETTINGS_FIELDS = ("id", "name", "store", "admin_key", "log_origin", "log_key", "publish_dir")
_OPTIONAL_SETTINGS = {"log_origin", "log_key", "publish_dir"}


@dataclass(frozen=True)
class MissionSettings:
    """What ``truce.toml`` holds."""

    id: str
    name: str
    store: str
    admin_key: str
    #: The log's origin line in every checkpoint (and the name of its note key).
    log_origin: str = ""
    #: The checkpoint-signing key (a C2SP note signer key), path or ``env:VAR``.
    log_key: str = "keys/log.key"
    #: Where integration publishes the log (C2SP tlog-tiles), relative to the
    #: mission directory or absolute; "" publishes only on demand.
    publish_dir: str = "public/log"

    def __post_init__(self) -> None:
        if not self.log_origin:
            object.__setattr__(self, "log_origin", f"truce/{self.id}")

    def to_toml(self) -> str:
        lines = ["# Truce mission settings", "[mission]"]
        for key in _SETTINGS_FIELDS:
            lines.append(f"{key} = {json.dumps(getattr(self, key), ensure_ascii=False)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def read(cls, directory: Path) -> MissionSettings:
        path = directory / SETTINGS_FILE
        try:
            with path.open("rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError:
            raise NotFound(
                "mission", str(directory), hint="create one with `truce init DIR` or pass --mission"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(str(exc), source=str(path)) from None
        section = doc.get("mission")
        if not isinstance(section, dict):
            raise ValidationError("missing [mission] table", field="mission", source=str(path))
        values = {}
        for key in _SETTINGS_FIELDS:
            value = section.get(key)
            if value is None and key in _OPTIONAL_SETTINGS:
                continue  # defaults
            if not isinstance(value, str) or (not value and key != "publish_dir"):
                raise ValidationError(
                    "missing or not a string", field=f"mission.{key}", source=str(path)
                )
            values[key] = value
        return cls(**values)
