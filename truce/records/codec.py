"""Parse signed record payloads and serialise records back: the one entry point.

``parse_record`` runs for every submission, so it is one call into
pydantic-core: a ``TypeAdapter`` over the discriminated union :data:`Record`
(tag ``type``), built once at import. Every pydantic error is translated into
a :class:`~truce.errors.ValidationError` whose ``errors`` name the JSON path of
each bad field (``claim.location.lat``, ``track[3].t``) and say why; the tags
pydantic inserts for discriminated unions (``observation``, ``point``...) are
not part of the path.

Round trip: for every record ``r``,
``parse_record(json.dumps(to_payload_dict(r))) == r``.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeAlias

from pydantic import BaseModel, Field, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_core import ValidationError as PydanticValidationError

from truce.errors import FieldError, ValidationError
from truce.records.access import Access, Release
from truce.records.agreement import AgreementVersion
from truce.records.allegation import Allegation
from truce.records.approval import Approval
from truce.records.common import format_utc
from truce.records.correction import Correction
from truce.records.correspondence import Acknowledgement, Correspondence
from truce.records.coverage import Coverage
from truce.records.disclosure import Disclosure
from truce.records.evidence import Evidence
from truce.records.finding import Finding
from truce.records.header import RecordHeader
from truce.records.key import KeyEvent
from truce.records.link import Link
from truce.records.observation import Observation
from truce.records.reply import Reply
from truce.records.verification import AllegationStep, VerificationTask

__all__ = [
    "RECORD_TYPES",
    "Record",
    "loc_to_path",
    "parse_record",
    "to_payload_dict",
]

#: Any record; the JSON key ``type`` tells which.
Record: TypeAlias = Annotated[
    Observation
    | Coverage
    | Allegation
    | Finding
    | Correction
    | Evidence
    | Correspondence
    | KeyEvent
    | AgreementVersion
    | AllegationStep
    | VerificationTask
    | Approval
    | Reply
    | Link
    | Acknowledgement
    | Access
    | Release
    | Disclosure,
    Field(discriminator="type"),
]

#: ``type`` value -> record model class.
RECORD_TYPES: Mapping[str, type[RecordHeader]] = types.MappingProxyType(
    {
        "observation": Observation,
        "coverage": Coverage,
        "allegation": Allegation,
        "finding": Finding,
        "correction": Correction,
        "evidence": Evidence,
        "correspondence": Correspondence,
        "key": KeyEvent,
        "agreement": AgreementVersion,
        "allegation_step": AllegationStep,
        "verification_task": VerificationTask,
        "approval": Approval,
        "reply": Reply,
        "link": Link,
        "acknowledgement": Acknowledgement,
        "access": Access,
        "release": Release,
        "disclosure": Disclosure,
    }
)

_ADAPTER: TypeAdapter[Record] = TypeAdapter(Record)
_KNOWN_TYPES = ", ".join(RECORD_TYPES)


# -- union tags in error locations -------------------------------------------


def _discriminated(tp: Any, discriminator: str | None) -> tuple[set[str], list[type[BaseModel]]]:
    """Tags of the discriminated unions in ``tp`` (one level), and the models it holds."""
    tags: set[str] = set()
    models: list[type[BaseModel]] = []
    origin = typing.get_origin(tp)
    if origin is Annotated:
        inner, *meta = typing.get_args(tp)
        found = next(
            (m.discriminator for m in meta if isinstance(m, FieldInfo) and m.discriminator),
            None,
        )
        return _discriminated(inner, found if isinstance(found, str) else discriminator)
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(tp):
            if discriminator and isinstance(member, type) and issubclass(member, BaseModel):
                tag_info = member.model_fields[discriminator]
                tags.update(str(t) for t in typing.get_args(tag_info.annotation))
            sub_tags, sub_models = _discriminated(member, None)
            tags |= sub_tags
            models += sub_models
        return tags, models
    if origin in (tuple, list):
        for arg in typing.get_args(tp):
            if arg is not Ellipsis:
                sub_tags, sub_models = _discriminated(arg, None)
                tags |= sub_tags
                models += sub_models
        return tags, models
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        models.append(tp)
    return tags, models


def _union_tags(roots: Sequence[type[BaseModel]]) -> dict[str, frozenset[str]]:
    """JSON field name -> tags of the discriminated union it holds, over all nested models."""
    out: dict[str, set[str]] = {}
    seen: set[type[BaseModel]] = set()
    todo = list(roots)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            disc = info.discriminator if isinstance(info.discriminator, str) else None
            tags, nested = _discriminated(info.annotation, disc)
            if tags:
                out.setdefault(info.alias or name, set()).update(tags)
            todo.extend(nested)
    return {k: frozenset(v) for k, v in out.items()}


#: JSON field name -> the union tags pydantic puts after it in an error location.
_UNION_TAGS = _union_tags(list(RECORD_TYPES.values()))


def loc_to_path(loc: Sequence[str | int], *, record_tag: bool = True) -> str:
    """The JSON path of a pydantic error location, without discriminated-union tags.

    ``('observation', 'location', 'point', 'lat')`` -> ``location.lat``;
    ``('coverage', 'track', 3, 't')`` -> ``track[3].t``; a bad mapping key
    ``('sealed', 'x', '[key]')`` -> ``sealed.x``. With ``record_tag``
    (errors from :data:`Record`) the leading record type is dropped; a tag is
    dropped after any field that holds a discriminated union.
    """
    items = list(loc)
    if record_tag and items and isinstance(items[0], str) and items[0] in RECORD_TYPES:
        items = items[1:]
    path = ""
    previous: str | int | None = None
    for item in items:
        if isinstance(item, int):
            path += f"[{item}]"
        elif isinstance(previous, str) and item in _UNION_TAGS.get(previous, ()):
            pass  # the union tag pydantic inserts: not a JSON key
        elif item == "[key]":
            pass  # pydantic's marker for an error in a mapping's key, not a JSON key
        else:
            path += f".{item}" if path else item
        previous = item
    return path


# -- errors ------------------------------------------------------------------


def _field_error(error: ErrorDetails) -> FieldError:
    kind = error["type"]
    loc = error["loc"]
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        return FieldError("", f"not valid JSON: {ctx.get('error', error['msg'])}")
    if not loc:
        if kind == "union_tag_invalid":
            return FieldError(
                "type", f"unknown record type {ctx.get('tag')!r}; known types: {_KNOWN_TYPES}"
            )
        if kind == "union_tag_not_found":
            return FieldError("type", f"missing record type; known types: {_KNOWN_TYPES}")
        if kind in ("dict_type", "model_type", "model_attributes_type"):
            return FieldError("", "a record must be a JSON object")
    path = loc_to_path(loc)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = str(ctx.get("discriminator", "")).strip("'")
        last = next((x for x in reversed(loc) if isinstance(x, str)), "")
        expected = ", ".join(sorted(_UNION_TAGS.get(last, ())))
        path = f"{path}.{disc}" if path else disc
        if kind == "union_tag_invalid":
            return FieldError(
                path, f"unknown {disc} {ctx.get('tag')!r}; expected one of: {expected}"
            )
        return FieldError(path, f"required; expected one of: {expected}")
    return FieldError(path, error["msg"])


def _translate(exc: PydanticValidationError, source: str | None) -> ValidationError:
    errors = [_field_error(e) for e in exc.errors(include_url=False, include_input=False)]
    return ValidationError(errors[0].reason, source=source, errors=errors)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return format_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON-representable")


# -- public ------------------------------------------------------------------


def parse_record(
    payload: bytes | bytearray | str | Mapping[str, Any], *, source: str | None = None
) -> Record:
    """Validate a record payload (JSON bytes/text, or a mapping of JSON values).

    Guarantees: returns a frozen, fully validated record of the type named by
    ``type``, with every datetime in UTC; otherwise raises
    :class:`~truce.errors.ValidationError` listing every problem as a
    :class:`~truce.errors.FieldError` (JSON path, pydantic's reason). Invalid
    JSON is reported at field ``""``; a missing or unknown ``type`` at field
    ``type`` with the known types. A mapping is validated exactly as its JSON
    text would be (aware ``datetime`` values are accepted and sent as UTC text).
    Deterministic: never reads the clock.
    """
    if isinstance(payload, Mapping):
        try:
            data: bytes | bytearray | str = json.dumps(
                dict(payload), ensure_ascii=False, allow_nan=False, default=_json_default
            )
        except (TypeError, ValueError, ValidationError) as exc:
            raise ValidationError(f"not JSON-representable: {exc}", source=source) from None
    elif isinstance(payload, bytes | bytearray | str):
        data = payload
    else:
        raise ValidationError(
            f"a record payload is JSON bytes, text or a mapping, not {type(payload).__name__}",
            source=source,
        )
    try:
        return _ADAPTER.validate_json(data)
    except PydanticValidationError as exc:
        raise _translate(exc, source) from None


def to_payload_dict(record: RecordHeader) -> dict[str, Any]:
    """The JSON-ready dict of ``record``: the input a signer canonicalises.

    Guarantees: JSON aliases (``class``), no ``None`` values (absent fields are
    omitted), datetimes as UTC ``...Z`` strings; parsing its JSON gives back an
    equal record, and doing so again gives the same dict.
    """
    return record.model_dump(mode="json", by_alias=True, exclude_none=True)
