"""Deterministic SVG out of matplotlib: the fixed style and the output of every figure.

Reports are rebuilt from the signed log and compared byte for byte, so figure
bytes must not depend on time, machine, random state or installed fonts.
:func:`style` applies matplotlib's built-in defaults (a user's ``matplotlibrc``
is ignored) plus :data:`RC`:

* a constant ``svg.hashsalt`` — clip-path and marker ids are hashes of their
  content instead of random;
* ``svg.fonttype = "none"`` — text stays ``<text>``, no glyph outlines;
* the ``DejaVu Sans`` bundled with matplotlib for layout (its metrics size
  legends and labels), named in the SVG as ``'DejaVu Sans', sans-serif``;
* mathtext off (a ``$`` in a label is a dollar sign), no usetex, no locale,
  no offset notation, fixed path simplification and 72 dpi.

rcParams are global, so :func:`style` also holds a lock: figures are drawn one
at a time. A glyph DejaVu Sans lacks (an emoji in a party's text) is measured
as DejaVu's "missing glyph" box, the same everywhere, and written as text for
the reader's fonts to show; matplotlib's warning about it is silenced.

:func:`finish` saves with no date, creator, format or type metadata and
returns one ``<svg>`` element, no XML prolog:

* every ``id`` (and each ``#id`` / ``url(#id)`` reference) carries a prefix
  derived from the figure's own bytes, so figures inlined in one HTML page
  never clash; the writer's default ``<style>`` rule is scoped to the root;
* the root gets ``role="img"``, an id and a ``<title>``.

The same matplotlib version gives the same bytes; another version may not (its
SVG writer changes), so a rebuild needs the version the report was built with.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib.style
from matplotlib.figure import Figure

from truce.errors import ValidationError

__all__ = ["RC", "clean", "finish", "style", "text"]

#: The fixed style on top of matplotlib's defaults (see the module docstring).
RC: dict[str, Any] = {
    "svg.hashsalt": "truce-figures/1",
    "svg.fonttype": "none",
    "svg.id": None,
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8.0,
    "text.usetex": False,
    "text.parse_math": False,
    "path.simplify": True,
    "path.simplify_threshold": 1 / 9,
    "path.snap": True,
    "axes.formatter.useoffset": False,
    "axes.formatter.use_locale": False,
    "axes.unicode_minus": True,
    "figure.dpi": 72.0,
    "savefig.dpi": 72.0,
}
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}
_LOCK = threading.Lock()
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"<[^>]*>")  # the writer escapes '>' inside attribute values
_ID_REF = re.compile(r'(\sid="|xlink:href="#|url\(#)([^")]+)')


@contextmanager
def style() -> Iterator[None]:
    """matplotlib's built-in defaults plus :data:`RC`, one figure at a time."""
    with _LOCK, warnings.catch_warnings(), matplotlib.style.context(["default", RC]):
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        yield


def finish(fig: Figure, title: str) -> str:
    """``fig`` as one self-contained ``<svg>`` element titled ``title``, ending in a
    newline (call inside :func:`style`)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_METADATA)
    raw = buffer.getvalue()
    svg = raw[raw.index("<svg") :]
    prefix = "f" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:8] + "-"
    svg = _TAG.sub(lambda tag: _ID_REF.sub(lambda r: f"{r[1]}{prefix}{r[2]}", tag[0]), svg)
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{prefix}svg *{{', 1)
    end = svg.index(">")
    head = f'{svg[:end]} id="{prefix}svg" role="img" aria-labelledby="{prefix}title">'
    name = f'\n <title id="{prefix}title">{html.escape(clean(title), quote=False)}</title>'
    return head + name + svg[end + 1 :].rstrip("\n") + "\n"


def text(value: object, field: str) -> str:
    """``value`` if it is a string XML can carry; ValidationError naming ``field`` if not."""
    if not isinstance(value, str):
        raise ValidationError(f"expected a string, got {type(value).__name__}", field=field)
    if _CONTROL.search(value):
        raise ValidationError("contains a control character or lone surrogate", field=field)
    return value


def clean(value: str) -> str:
    """Text from a trusted source (the agreement, a translation) with the characters
    XML cannot carry replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", value)
