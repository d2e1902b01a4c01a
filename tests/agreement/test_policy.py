"""Composition semantics: ordering, AllOf worst / AnyOf best, fail closed, evaluate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.agreement import Agreement
from truce.agreement.policy import COMBINERS, Status, combine_all, combine_any, evaluate
from truce.agreement.terms import AllOf, AnyOf, Composite, Term, term_from_document
from truce.errors import ValidationError

B, P, N = Status.BREACH, Status.POSSIBLE_BREACH, Status.NO_BREACH


def test_values_and_order() -> None:
    assert [s.value for s in (B, P, N)] == ["breach", "possible_breach", "no_breach"]
    assert B > P > N
    assert N < P < B
    assert B >= P
    assert N <= P
    assert not P <= N
    assert sorted([B, N, P]) == [N, P, B]
    assert Status("possible_breach") is P


def test_comparison_with_other_types_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = B < "breach"  # type: ignore[operator]  # deliberately wrong type


def test_all_of_takes_the_worst() -> None:
    assert combine_all([N, N]) is N
    assert combine_all([N, P]) is P
    assert combine_all([P, B, N]) is B


def test_any_of_takes_the_best() -> None:
    assert combine_any([B, B]) is B
    assert combine_any([B, P]) is P
    assert combine_any([P, B, N]) is N


@pytest.mark.parametrize("combine", [combine_all, combine_any])
def test_empty_fails_closed(combine: object) -> None:
    assert callable(combine)
    with pytest.raises(ValidationError, match="fail closed"):
        combine([])


def test_non_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a Status"):
        combine_all([N, "breach"])  # type: ignore[list-item]  # deliberately wrong type


statuses = st.lists(st.sampled_from(list(Status)), min_size=1, max_size=10)


@given(statuses)
def test_combinators_are_extremes(values: list[Status]) -> None:
    assert combine_all(values) == max(values, key=lambda s: s.rank)
    assert combine_any(values) == min(values, key=lambda s: s.rank)
    assert combine_all(values) >= combine_any(values)
    assert combine_all(list(reversed(values))) == combine_all(values)
    assert combine_all([combine_all(values)]) == combine_all(values)


@given(statuses, statuses)
def test_all_of_is_associative(a: list[Status], b: list[Status]) -> None:
    assert combine_all([combine_all(a), combine_all(b)]) == combine_all(a + b)
    assert combine_any([combine_any(a), combine_any(b)]) == combine_any(a + b)


def test_registry() -> None:
    assert {"all_of": combine_all, "any_of": combine_any} == COMBINERS


def test_evaluate_the_example_package(example: Agreement) -> None:
    package = example.term("energy.package")
    rulings = {"moratorium.energy": B, "window.repair.znpp": N}

    def leaf(term: Term) -> Status:
        return rulings[term.id]

    assert evaluate(package, resolve=example.term, leaf=leaf) is B
    rulings["moratorium.energy"] = P
    assert evaluate(package, resolve=example.term, leaf=leaf) is P
    rulings["moratorium.energy"] = N
    assert evaluate(package, resolve=example.term, leaf=leaf) is N
    assert evaluate(example.term("moratorium.energy"), resolve=example.term, leaf=leaf) is N


def _leaf_term(term_id: str) -> Term:
    return term_from_document(
        {
            "id": term_id,
            "version": 1,
            "type": "ceasefire",
            "period": {"start": "2025-03-18T00:00:00+02:00"},
            "events": ["explosion"],
        }
    )


def test_evaluate_nested_composites() -> None:
    top = AllOf(id="top", version=1, terms=("x", "either"))
    either = AnyOf(id="either", version=1, terms=("y", "z"))
    table: dict[str, Term] = {t.id: t for t in (top, either, *map(_leaf_term, "xyz"))}
    leaves = {"x": N, "y": B, "z": P}
    asked: list[str] = []

    def leaf(term: Term) -> Status:
        assert not isinstance(term, Composite)
        asked.append(term.id)
        return leaves[term.id]

    assert evaluate(top, resolve=table.__getitem__, leaf=leaf) is P
    assert sorted(asked) == ["x", "y", "z"]
    leaves["z"] = B
    assert evaluate(top, resolve=table.__getitem__, leaf=leaf) is B
    leaves["x"], leaves["y"], leaves["z"] = N, N, B
    assert evaluate(top, resolve=table.__getitem__, leaf=leaf) is N


def test_evaluate_fails_closed() -> None:
    cycle = AllOf(id="a", version=1, terms=("a",))
    with pytest.raises(ValidationError, match="cycle"):
        evaluate(cycle, resolve=lambda _id: cycle, leaf=lambda _t: N)
    empty = AnyOf(id="e", version=1, terms=())
    with pytest.raises(ValidationError, match="empty any_of"):
        evaluate(empty, resolve=lambda _id: empty, leaf=lambda _t: N)
    unknown = Composite(id="c", version=1, terms=("x",))
    with pytest.raises(ValidationError, match="no combination rule"):
        evaluate(unknown, resolve=lambda _id: unknown, leaf=lambda _t: N)
