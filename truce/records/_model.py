"""Private base of every record model: one strict config and located rule errors.

Cross-field rules (a model validator that looks at several fields) must still
name the field they are about. :func:`raise_problems` raises a pydantic
``ValidationError`` whose errors carry a ``loc`` relative to the model being
validated; pydantic-core merges them into the outer error with the full path,
so ``parse_record`` reports ``claim.subtype`` rather than ``claim``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core import ValidationError as PydanticValidationError

__all__ = ["NOT_BLANK", "Loc", "Problem", "StrictModel", "duplicates", "raise_problems"]

#: A location relative to the model being validated, e.g. ``("track", 3, "t")``.
Loc = tuple[str | int, ...]
#: One broken rule: where, and why.
Problem = tuple[Loc, str]


class StrictModel(BaseModel):
    """Frozen, strict, no unknown fields, no NaN/inf: the config of every record part.

    ``strict`` keeps one spelling per value (``3`` not ``"3"``, ``true`` not
    ``"yes"``), so a parsed record serialises back to the payload that was signed.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        str_strip_whitespace=False,
        allow_inf_nan=False,
    )


def raise_problems(title: str, problems: Sequence[Problem]) -> None:
    """Raise one pydantic ValidationError carrying every problem, if there is any."""
    if not problems:
        return
    details: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError("record_rule", "{reason}", {"reason": reason}),
            "loc": loc,
            "input": None,
        }
        for loc, reason in problems
    ]
    raise PydanticValidationError.from_exception_data(title, details)


def duplicates(field: str, values: Sequence[object]) -> list[Problem]:
    """One problem per repeated value of the list ``field`` (at its index)."""
    if len(values) < 2:
        return []
    seen: set[object] = set()
    out: list[Problem] = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(((field, i), f"duplicate of an earlier item: {value!r}"))
        seen.add(value)
    return out


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty or blank")
    return value


#: ``Annotated`` metadata: the string must contain a character that is not whitespace.
NOT_BLANK = AfterValidator(_not_blank)
