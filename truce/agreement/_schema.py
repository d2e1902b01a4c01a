"""JSON Schema validation of agreement documents, with readable errors.

The schema (``schema.json``, draft 2020-12) is package data, loaded once with
:mod:`importlib.resources`. Errors are translated into
:class:`truce.errors.ValidationError` whose field is a path such as
``terms[2].radius_km``: a missing field points at the field itself, an unknown
field at the unknown key, and keywords annotated with ``x-message`` in the
schema (unknown term type, empty composite, ...) get that message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match, relevance

from truce.agreement._document import PathPart, format_path, parse_date, parse_datetime
from truce.errors import FieldError, ValidationError

__all__ = ["MAX_REPORTED", "agreement_schema", "validate_document"]

#: How many schema problems one ValidationError lists at most.
MAX_REPORTED = 20


@cache
def agreement_schema() -> Mapping[str, Any]:
    """The agreement JSON Schema (draft 2020-12) as shipped in the package."""
    text = resources.files("truce.agreement").joinpath("schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _datetime(value: object) -> bool:
        if isinstance(value, str):
            parse_datetime(value)
        return True

    @checker.checks("date", raises=ValueError)
    def _date(value: object) -> bool:
        if isinstance(value, str):
            parse_date(value)
        return True

    return checker


@cache
def _validator() -> Draft202012Validator:
    # The shipped schema is checked against the metaschema by the test suite;
    # doing it here would cost a third of a second on every first load.
    return Draft202012Validator(agreement_schema(), format_checker=_format_checker())


def validate_document(doc: Any, *, source: str | None) -> None:
    """Raise ValidationError unless ``doc`` (plain JSON) satisfies the schema.

    The first reported problem is jsonschema's best match; up to
    :data:`MAX_REPORTED` further problems (one per field) follow in ``errors``.
    """
    errors = list(_validator().iter_errors(doc))
    if not errors:
        return
    best = best_match(errors) or errors[0]
    first = _translate(best)
    seen = {first.field}
    problems = [first]
    for error in sorted(errors, key=relevance, reverse=True):
        problem = _translate(_leaf(error))
        if problem.field not in seen and len(problems) < MAX_REPORTED:
            seen.add(problem.field)
            problems.append(problem)
    raise ValidationError(first.reason, field=first.field, source=source, errors=problems)


def _leaf(error: SchemaError) -> SchemaError:
    """The same descent into ``oneOf``/``anyOf`` context that best_match makes."""
    return best_match([error]) or error


def _translate(error: SchemaError) -> FieldError:
    """One jsonschema error -> (field path, reason)."""
    chain: list[SchemaError] = []
    node: SchemaError | None = error
    while node is not None:
        chain.append(node)
        node = node.parent if isinstance(node.parent, SchemaError) else None
    for candidate in chain:
        message = _x_message(candidate)
        if message is not None:
            return FieldError(_path(candidate), message)
    return _standard(error)


def _x_message(error: SchemaError) -> str | None:
    schema = error.schema
    if not isinstance(schema, Mapping):
        return None
    messages = schema.get("x-message")
    if not isinstance(messages, Mapping) or not isinstance(error.validator, str):
        return None
    template = messages.get(error.validator)
    if not isinstance(template, str):
        return None
    allowed = error.validator_value
    allowed_text = (
        ", ".join(sorted(str(v) for v in allowed)) if isinstance(allowed, list) else str(allowed)
    )
    return template.format(instance=error.instance, allowed=allowed_text)


def _path(error: SchemaError) -> str:
    parts: list[PathPart] = [p for p in error.absolute_path if isinstance(p, str | int)]
    return format_path(parts)


def _standard(error: SchemaError) -> FieldError:
    path = _path(error)
    instance = error.instance
    value = error.validator_value
    if error.validator == "required" and isinstance(instance, Mapping) and isinstance(value, list):
        missing = [k for k in value if k not in instance]
        if missing:
            return FieldError(_join(path, missing[0]), "required field is missing")
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        extra = sorted(k for k in instance if k not in allowed)
        if extra:
            known = ", ".join(sorted(allowed))
            return FieldError(_join(path, extra[0]), f"unknown field (allowed here: {known})")
    if (
        error.validator == "dependentRequired"
        and isinstance(instance, Mapping)
        and isinstance(value, Mapping)
    ):
        for key, needs in value.items():
            if key in instance:
                for need in needs:
                    if need not in instance:
                        return FieldError(_join(path, need), f"required when {key!r} is given")
    if error.validator == "format" and error.cause is not None:
        return FieldError(path, str(error.cause))
    return FieldError(path, error.message)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
