"""The agreement as machine-checkable data: loading, schema, geography, policies.

An agreement is a versioned YAML document (format ``truce-agreement/1``, see
``docs/agreement.md``): two parties, a time zone, geography (zones, lines,
protected sites), site lists held by each party, and terms that compose and
fail closed. Example::

    from truce.agreement import load_agreement, diff
    from truce.mission import example_agreement_path

    a = load_agreement(example_agreement_path())
    a.term("moratorium.energy").radius_km           # 5.0
    {k: len(v) for k, v in a.protected_sites("moratorium.energy").items()}
    # {'energy-A': 64, 'energy-B': 34}
"""

from __future__ import annotations

from truce.agreement.diff import (
    AgreementDiff,
    Change,
    SiteListComparison,
    check_successor,
    diff,
    diff_site_lists,
)
from truce.agreement.geography import Feature, Layer, LayerKind, Site
from truce.agreement.model import Agreement, EvidentiaryStandard, Layers, Party, load_agreement
from truce.agreement.policy import Status, combine_all, combine_any, evaluate
from truce.agreement.sites import SiteList, SiteListRef, SiteSelection, SiteSelector
from truce.agreement.terms import (
    TERM_CLASSES,
    AllOf,
    AnyOf,
    Ceasefire,
    Composite,
    EnergyMoratorium,
    Period,
    SiteRef,
    Term,
    Window,
    Withdrawal,
    ZoneRef,
)
from truce.agreement.vocabulary import EVENT_CATEGORIES, TERM_TYPES, WEAPON_CLASSES

__all__ = [
    "EVENT_CATEGORIES",
    "TERM_CLASSES",
    "TERM_TYPES",
    "WEAPON_CLASSES",
    "Agreement",
    "AgreementDiff",
    "AllOf",
    "AnyOf",
    "Ceasefire",
    "Change",
    "Composite",
    "EnergyMoratorium",
    "EvidentiaryStandard",
    "Feature",
    "Layer",
    "LayerKind",
    "Layers",
    "Party",
    "Period",
    "Site",
    "SiteList",
    "SiteListComparison",
    "SiteListRef",
    "SiteRef",
    "SiteSelection",
    "SiteSelector",
    "Status",
    "Term",
    "Window",
    "Withdrawal",
    "ZoneRef",
    "check_successor",
    "combine_all",
    "combine_any",
    "diff",
    "diff_site_lists",
    "evaluate",
    "load_agreement",
]
