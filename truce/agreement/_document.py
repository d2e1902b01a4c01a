"""Plain-JSON documents: field paths, normalisation and time values.

Everything an agreement is built from passes through :func:`normalise` first,
whether it came from YAML (which yields ``date``/``datetime`` objects and may
hold sets, bytes or non-string keys) or from a caller's mapping. Afterwards the
document holds only ``str``, ``int``, finite ``float``, ``bool``, ``None``,
``list`` and ``dict`` with string keys, and every date or datetime is an
ISO-8601 string.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from truce.errors import ValidationError

__all__ = [
    "MAX_DEPTH",
    "PathPart",
    "format_path",
    "join_path",
    "normalise",
    "parse_date",
    "parse_datetime",
]

PathPart = str | int

#: Deepest nesting accepted anywhere in a document (GeoJSON needs about 8).
MAX_DEPTH = 64

_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(?P<tz>Z|[+-]\d{2}:\d{2})?$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_path(parts: Iterable[PathPart]) -> str:
    """``["terms", 2, "radius_km"]`` -> ``"terms[2].radius_km"`` (``""`` for the root)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def join_path(prefix: str, *parts: PathPart) -> str:
    """Extend an already formatted path: ``join_path("terms[2]", "period", "end")``."""
    tail = format_path(parts)
    if not prefix:
        return tail
    if not tail:
        return prefix
    return f"{prefix}{tail}" if tail.startswith("[") else f"{prefix}.{tail}"


def parse_datetime(value: str) -> datetime:
    """Parse an ISO-8601 date-time that carries a UTC offset.

    Guarantees an aware :class:`datetime` whose ``isoformat()`` keeps the offset
    as written (``Z`` becomes ``+00:00``). Raises :class:`ValueError` with the
    reason (e.g. ``needs a UTC offset``) otherwise.
    """
    match = _DATETIME_RE.match(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not an ISO-8601 date-time (expected e.g. 2025-03-18T00:00:00+02:00)"
        )
    if match.group("tz") is None:
        raise ValueError(
            f"{value!r} needs a UTC offset (e.g. {value.replace(' ', 'T')}+02:00); "
            "a time without one is ambiguous"
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date-time: {exc}") from None


def parse_date(value: str) -> date:
    """Parse an ISO-8601 calendar date (``2025-03-11``); ValueError otherwise."""
    if _DATE_RE.match(value) is None:
        raise ValueError(f"{value!r} is not an ISO-8601 date (expected e.g. 2025-03-11)")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date: {exc}") from None


def normalise(
    value: Any,
    *,
    source: str | None,
    opaque: Callable[[Sequence[PathPart]], bool] = lambda _path: False,
) -> Any:
    """Return a plain-JSON copy of ``value``, or raise ValidationError naming the field.

    ``date``/``datetime`` objects become ISO-8601 strings (a naive datetime keeps
    no offset and is rejected later by the schema, with the reason). Floats must
    be finite; mapping keys must be strings; nesting is limited to
    :data:`MAX_DEPTH`. Subtrees for which ``opaque(path)`` is true (large inline
    GeoJSON) are checked and copied in one pass by the C JSON codec instead.
    """
    path: list[PathPart] = []

    def fail(reason: str) -> ValidationError:
        return ValidationError(reason, field=format_path(path), source=source)

    def walk(node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise fail(f"nested more than {MAX_DEPTH} levels deep")
        if node is None or isinstance(node, bool | str):
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            if not math.isfinite(node):
                raise fail(f"numbers must be finite, got {node!r}")
            return float(node)
        if isinstance(node, datetime):
            return node.isoformat()
        if isinstance(node, date):
            return node.isoformat()
        if isinstance(node, Mapping):
            if path and opaque(path):
                return _copy_json(node, fail)
            out: dict[str, Any] = {}
            for key, item in node.items():
                if not isinstance(key, str):
                    raise fail(f"mapping keys must be strings, got {key!r}")
                path.append(key)
                out[key] = walk(item, depth + 1)
                path.pop()
            return out
        if isinstance(node, list | tuple):
            items: list[Any] = []
            for index, item in enumerate(node):
                path.append(index)
                items.append(walk(item, depth + 1))
                path.pop()
            return items
        raise fail(f"unsupported value of type {type(node).__name__} (plain JSON values only)")

    return walk(value, 0)


def _copy_json(node: Mapping[str, Any], fail: Callable[[str], ValidationError]) -> Any:
    try:
        return json.loads(json.dumps(node, allow_nan=False, ensure_ascii=False))
    except ValueError:
        raise fail("numbers must be finite (NaN and infinity are not JSON)") from None
    except (TypeError, RecursionError) as exc:
        raise fail(f"must be plain JSON: {exc}") from None
