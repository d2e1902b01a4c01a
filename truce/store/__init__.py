"""Storage: the contract every driver meets, and :func:`open_store` to open one by URL.

The store keeps the log (records with their log entries, numbered by ``seq``),
the key table and meta settings; :mod:`truce.store.contract` documents every
guarantee. Drivers are native to their engine: :mod:`truce.store.sqlite` is
the default; PostgreSQL comes later, as one more entry in ``_DRIVERS``.

Store URLs:

- ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: the path
  is what follows the third slash, as in SQLAlchemy;
- a plain file-system path ending in ``.db``;
- ``postgresql://...``: refused for now (no PostgreSQL driver in this version).

Example::

    >>> from truce.store import open_store
    >>> with open_store("sqlite:///mission/truce.db", create=True) as store:  # doctest: +SKIP
    ...     store.size()
    0
"""

from __future__ import annotations

import re
from collections.abc import Callable

from truce.errors import ValidationError
from truce.store.contract import Assessment, KeyState, NewRecord, Store, StoredRecord
from truce.store.sqlite import SqliteStore

__all__ = ["Assessment", "KeyState", "NewRecord", "Store", "StoredRecord", "open_store"]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")

#: Opens a store: (the whole URL, what follows ``scheme://``, create) -> Store.
_Opener = Callable[[str, str, bool], Store]


def _open_sqlite(url: str, rest: str, create: bool) -> Store:
    if not rest.startswith("/"):
        raise ValidationError(
            f"{url!r}: an sqlite URL has no host; use sqlite:///relative/path.db "
            "or sqlite:////absolute/path.db",
            field="store",
        )
    path = rest[1:]
    if not path:
        raise ValidationError(f"{url!r}: the sqlite URL names no file", field="store")
    return SqliteStore(path, create=create)


def _postgresql_unavailable(url: str, rest: str, create: bool) -> Store:
    raise ValidationError(
        "the PostgreSQL driver is not available in this version; "
        "use sqlite:///path.db or a path ending in .db",
        field="store",
    )


_DRIVERS: dict[str, _Opener] = {
    "sqlite": _open_sqlite,
    "postgresql": _postgresql_unavailable,
    "postgres": _postgresql_unavailable,
}


def open_store(url: str, *, create: bool = False) -> Store:
    """Open the store at ``url`` (see the module docstring for the forms).

    Guarantees the returned store is open at the newest layout this Truce
    knows. ``create=False`` on a missing file raises NotFound("store", path);
    an unknown URL form raises ValidationError(field="store"); a file that is
    not a Truce store, or has a newer layout, raises StorageError.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValidationError(f"a store URL is a non-empty string, got {url!r:.80}", field="store")
    match = _SCHEME.match(url)
    if match is not None:
        scheme = match.group(1).lower().split("+", 1)[0]
        opener = _DRIVERS.get(scheme)
        if opener is None:
            known = ", ".join(f"{name}://" for name in sorted(_DRIVERS))
            raise ValidationError(
                f"unknown store URL scheme {match.group(1)!r} in {url!r} (known: {known})",
                field="store",
            )
        return opener(url, url[match.end() :], create)
    if url.endswith(".db"):
        return SqliteStore(url, create=create)
    raise ValidationError(
        f"{url!r} is not a store URL: use sqlite:///path.db, a path ending in .db, "
        "or postgresql://...",
        field="store",
    )
