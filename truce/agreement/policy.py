"""Composition semantics: how composite terms combine their children's rulings.

A ruling on one event against one term is a :class:`Status`, ordered
``breach > possible_breach > no_breach``. An event complies with an
:class:`~truce.agreement.terms.AllOf` only if it complies with every child, so
the composite takes the *worst* child status; it complies with an
:class:`~truce.agreement.terms.AnyOf` if it complies with at least one child,
so the composite takes the *best*. Both fail closed: an empty set of children
is an error, never a silent ``no_breach``.

Per-term evaluators plug in through :func:`evaluate`: the caller supplies a
function that rules on one leaf term; composites are resolved here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum

from truce.agreement.terms import AllOf, AnyOf, Composite, Term
from truce.errors import ValidationError

__all__ = ["COMBINERS", "LeafEvaluator", "Status", "combine_all", "combine_any", "evaluate"]


class Status(Enum):
    """A ruling on one event against one term, ordered breach > possible > none."""

    NO_BREACH = "no_breach"
    POSSIBLE_BREACH = "possible_breach"
    BREACH = "breach"

    @property
    def rank(self) -> int:
        """0 for no_breach, 1 for possible_breach, 2 for breach."""
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return self.rank >= other.rank


_RANK = {Status.NO_BREACH: 0, Status.POSSIBLE_BREACH: 1, Status.BREACH: 2}


def _checked(statuses: Sequence[Status], what: str) -> Sequence[Status]:
    if len(statuses) == 0:
        raise ValidationError(
            f"empty {what}: a composite term must combine at least one status (terms fail closed)",
            field="terms",
        )
    for i, status in enumerate(statuses):
        if not isinstance(status, Status):
            raise ValidationError(f"not a Status: {status!r}", field=f"terms[{i}]")
    return statuses


def combine_all(statuses: Sequence[Status]) -> Status:
    """AllOf: the worst (highest) child status. ValidationError if ``statuses`` is empty."""
    return max(_checked(statuses, "all_of"))


def combine_any(statuses: Sequence[Status]) -> Status:
    """AnyOf: the best (lowest) child status. ValidationError if ``statuses`` is empty."""
    return min(_checked(statuses, "any_of"))


#: Composite term type -> how it combines its children's statuses.
COMBINERS: Mapping[str, Callable[[Sequence[Status]], Status]] = {
    AllOf.type: combine_all,
    AnyOf.type: combine_any,
}

#: Rules on one leaf (non-composite) term, e.g. for one event.
LeafEvaluator = Callable[[Term], Status]


def evaluate(term: Term, *, resolve: Callable[[str], Term], leaf: LeafEvaluator) -> Status:
    """The status of ``term``: composites combine their children, leaves ask ``leaf``.

    ``resolve`` maps a child id to its term (``Agreement.term``). A composite
    type without a combiner raises ValidationError (fail closed); so does a
    cycle, should one reach this far (loading already rejects them).
    """

    def walk(node: Term, trail: tuple[str, ...]) -> Status:
        if node.id in trail:
            cycle = " -> ".join((*trail, node.id))
            raise ValidationError(f"cycle in composite terms: {cycle}", field="terms")
        if not isinstance(node, Composite):
            return leaf(node)
        combine = COMBINERS.get(node.type)
        if combine is None:
            raise ValidationError(
                f"no combination rule for composite term type {node.type!r}", field="type"
            )
        return combine([walk(resolve(child), (*trail, node.id)) for child in node.children])

    return walk(term, ())
