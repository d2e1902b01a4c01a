"""The one exception tree of Truce.

Every error that crosses a module boundary is one of these. Foreign exceptions
(``sqlite3``, ``yaml``, ``nacl``, ``pydantic``, ``jsonschema``, ``OSError``) are
translated where they are raised, so callers — the CLI, the HTTP API, tests —
only ever see this tree::

    Error                       base; .diagnostics() -> human-readable text
    ├── ValidationError         bad input: names the field (and file) and the reason
    ├── AuthError               bad/unknown/revoked key or signature, role not allowed
    ├── NotFound                no such record, key, mission or agreement version
    ├── Conflict                duplicate submission, state that forbids the change
    ├── StorageError            the store failed or has an unknown layout
    │   └── Pushback            temporarily overloaded; retry after ``retry_after`` s
    └── VerificationError       a proof, checkpoint or commitment does not verify
        └── InconsistentLog     two checkpoints that cannot both be true (split view)

Every error carries a short ``message``; :meth:`Error.diagnostics` adds the
details (field, file, reason, hint) on separate lines, for a terminal or a log.
:meth:`Error.to_dict` gives the one JSON error shape the API and ``--json`` use.
Raising any of these changes nothing: callers rely on that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AuthError",
    "Conflict",
    "Error",
    "FieldError",
    "InconsistentLog",
    "NotFound",
    "Pushback",
    "StorageError",
    "ValidationError",
    "VerificationError",
]


class Error(Exception):
    """Base of every Truce error."""

    #: Stable machine-readable code, used in the JSON error shape.
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def details(self) -> dict[str, Any]:
        """Extra structured details for the JSON shape (subclasses extend)."""
        return {}

    def located(self, where: str) -> Error:
        """Prefix the message with where the error happened (e.g. ``envelope [3]``)."""
        if where:
            self.message = f"{where}: {self.message}"
            self.args = (self.message,)
        return self

    def diagnostics(self) -> str:
        """Multi-line explanation: the message, then details, then a hint."""
        lines = [f"{type(self).__name__}: {self.message}"]
        for key, value in self.details().items():
            if value in (None, [], {}):
                continue
            if isinstance(value, list):
                lines.append(f"  {key}:")
                lines.extend(f"    - {item}" for item in value)
            else:
                lines.append(f"  {key}: {value}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape: ``{"error": {"code", "message", ...}}``."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body.update({k: v for k, v in self.details().items() if v not in (None, [], {})})
        if self.hint:
            body["hint"] = self.hint
        return {"error": body}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: where (``terms[2].radius_km``) and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field or '(root)'}: {self.reason}"


class ValidationError(Error):
    """Bad input. Names the file (if any), the field path and the reason.

    ``field`` is a path such as ``terms[2].radius_km``; ``source`` is the file
    or stream the input came from. Several problems may be reported at once in
    ``errors``; ``field``/``reason`` then describe the first.
    """

    code = "validation_error"

    def __init__(
        self,
        reason: str,
        *,
        field: str = "",
        source: str | None = None,
        errors: Sequence[FieldError] = (),
        hint: str | None = None,
    ) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors) or (FieldError(field, reason),)
        first = self.errors[0]
        self.field = first.field
        self.reason = first.reason
        self.source = source
        where = f"{source}: " if source else ""
        loc = f"{first.field}: " if first.field else ""
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{where}{loc}{first.reason}{more}", hint=hint)

    def details(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "field": self.field,
            "reason": self.reason,
            "errors": [str(e) for e in self.errors] if len(self.errors) > 1 else [],
        }

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if len(self.errors) > 1:
            out["error"]["errors"] = [{"field": e.field, "reason": e.reason} for e in self.errors]
        return out

    def prefixed(self, prefix: str, *, source: str | None = None) -> ValidationError:
        """The same errors with every field path under ``prefix``."""

        def join(path: str) -> str:
            if not prefix:
                return path
            if not path:
                return prefix
            return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"

        return ValidationError(
            self.reason,
            source=source or self.source,
            errors=[FieldError(join(e.field), e.reason) for e in self.errors],
            hint=self.hint,
        )


class AuthError(Error):
    """Who is asking may not do this: unknown, revoked or wrong key; bad signature; role."""

    code = "auth_error"

    def __init__(self, message: str, *, keyid: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.keyid = keyid

    def details(self) -> dict[str, Any]:
        return {"keyid": self.keyid}


class NotFound(Error):
    """The thing asked for does not exist."""

    code = "not_found"

    def __init__(self, what: str, ident: str, *, hint: str | None = None) -> None:
        super().__init__(f"no {what} {ident!r}", hint=hint)
        self.what = what
        self.ident = ident

    def details(self) -> dict[str, Any]:
        return {"what": self.what, "id": self.ident}


class Conflict(Error):
    """The request clashes with what is already there (e.g. a duplicate submission)."""

    code = "conflict"

    def __init__(
        self, message: str, *, existing: Mapping[str, Any] | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.existing = dict(existing or {})

    def details(self) -> dict[str, Any]:
        return {"existing": self.existing}


class StorageError(Error):
    """The store failed, is corrupt, or has a layout this version cannot open."""

    code = "storage_error"


class Pushback(StorageError):
    """The store is busy; the caller should retry after ``retry_after`` seconds."""

    code = "pushback"

    def __init__(self, message: str, *, retry_after: float = 1.0, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.retry_after = retry_after

    def details(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class VerificationError(Error):
    """Something that should verify does not: a proof, a checkpoint, a commitment."""

    code = "verification_error"


class InconsistentLog(VerificationError):
    """Two checkpoints of one log that cannot both be honest: proof of a split view.

    Carries both checkpoints (as their note text) and the consistency proof that
    fails, so the evidence can be handed to anyone.
    """

    code = "inconsistent_log"

    def __init__(
        self,
        message: str,
        *,
        old_checkpoint: str,
        new_checkpoint: str,
        proof: Sequence[str] = (),
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.old_checkpoint = old_checkpoint
        self.new_checkpoint = new_checkpoint
        self.proof = list(proof)

    def details(self) -> dict[str, Any]:
        return {
            "old_checkpoint": self.old_checkpoint,
            "new_checkpoint": self.new_checkpoint,
            "proof": self.proof,
        }
