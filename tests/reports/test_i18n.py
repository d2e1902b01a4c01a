"""Report labels in English, Ukrainian and Russian: complete, current, in the right script."""

from __future__ import annotations

import gettext
import io
import re
from importlib import resources
from typing import Any

import pytest
from babel.core import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from truce.errors import ValidationError
from truce.reports.i18n import LANGUAGES, extract_pot, labels_for
from truce.reports.render import LABELS, render_html, render_markdown

TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
LOCALE = resources.files("truce.reports").joinpath("locale")

CYRILLIC = re.compile("[\u0400-\u04ff]")
#: Letters of one language's alphabet that the other's does not have.
NOT_IN = {"uk": set("ыэъёЫЭЪЁ"), "ru": set("іїєґІЇЄҐ")}
LATIN_WORD = re.compile(r"[A-Za-z]+")
MIXED_WORD = re.compile(r"\w*(?:[A-Za-z]\w*[\u0400-\u04ff]|[\u0400-\u04ff]\w*[A-Za-z])\w*")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}")
#: Characters Markdown or HTML would treat as syntax (render.py escapes them).
MARKUP = set("\\`*_[]<>|~&#")


def final(text: str) -> str:
    """The sentence punctuation ``text`` ends with, if any."""
    return text[-1] if text[-1] in ".:;!?" else ""


def po_text(language: str) -> str:
    return LOCALE.joinpath(language, "LC_MESSAGES", "truce.po").read_text(encoding="utf-8")


def catalogue(language: str) -> Catalog:
    return read_po(io.StringIO(po_text(language)), abort_invalid=True)


def translations(language: str) -> list[tuple[str, str]]:
    labels = labels_for(language)
    return [(msgid, labels(msgid)) for msgid in LABELS]


# --------------------------------------------------------------------------- API


def test_english_is_the_identity() -> None:
    labels = labels_for("en")
    assert labels("Findings") == "Findings"
    assert [labels(m) for m in LABELS] == list(LABELS)


def test_ukrainian_and_russian_findings() -> None:
    assert labels_for("uk")("Findings") == "Висновки"
    assert labels_for("ru")("Findings") == "Выводы"
    assert labels_for("uk")("Allegation tracker") != labels_for("ru")("Allegation tracker")


@pytest.mark.parametrize("language", ["de", "", "UK", "uk-UA", "english", "en_GB", None, 7])
def test_unknown_language_is_a_validation_error(language: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        labels_for(language)
    assert caught.value.field == "language"
    assert "uk" in caught.value.reason


def test_translators_are_cached_per_language() -> None:
    assert labels_for("uk") is labels_for("uk")
    assert labels_for("uk") is not labels_for("ru")


@pytest.mark.parametrize("language", LANGUAGES)
@given(text=st.text(max_size=40).filter(lambda t: t not in LABELS))
def test_text_that_is_not_a_label_passes_through(language: str, text: str) -> None:
    assert labels_for(language)(text) == text


# --------------------------------------------------------------------------- completeness


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_label_is_translated(language: str) -> None:
    """A missing, empty or fuzzy entry falls back to English, so it shows here."""
    untranslated = [msgid for msgid, text in translations(language) if not text or text == msgid]
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_holds_exactly_the_labels(language: str) -> None:
    cat = catalogue(language)
    ids = [m.id for m in cat if m.id]
    assert ids == list(LABELS)  # no missing, extra or reordered entries
    assert [m.id for m in cat.obsolete.values()] == []
    assert [m.id for m in cat if m.id and m.fuzzy] == []
    assert all(isinstance(m.string, str) and m.string.strip() for m in cat if m.id)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_header(language: str) -> None:
    cat = catalogue(language)
    assert cat.locale == Locale.parse(language)
    assert not cat.fuzzy
    assert cat.num_plurals == 3
    assert cat.plural_expr == (
        "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"
    )
    text = po_text(language)
    assert f'"Language: {language}\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_gives_the_same_labels(language: str) -> None:
    """The .po is a valid gettext catalogue: compiled to .mo, the stdlib agrees."""
    cat = catalogue(language)
    cat.add(("one", "many"), ("form 0", "form 1", "form 2"))  # to see the Plural-Forms rule
    mo = io.BytesIO()
    write_mo(mo, cat)
    mo.seek(0)
    stdlib = gettext.GNUTranslations(mo)
    labels = labels_for(language)
    assert [stdlib.gettext(m) for m in LABELS] == [labels(m) for m in LABELS]
    # The East Slavic rule: 1, 21 | 2-4, 22 | 0, 5-20, 111.
    forms = {n: stdlib.ngettext("one", "many", n)[-1] for n in (1, 21, 2, 4, 22, 0, 5, 11, 111)}
    assert forms == {1: "0", 21: "0", 2: "1", 4: "1", 22: "1", 0: "2", 5: "2", 11: "2", 111: "2"}


# --------------------------------------------------------------------------- template


def test_template_is_current() -> None:
    """Regenerate with extract_pot() (see truce.reports.i18n) when LABELS changes."""
    pot = LOCALE.joinpath("truce.pot").read_text(encoding="utf-8")
    assert pot == extract_pot()


def test_template_lists_the_labels_with_empty_translations() -> None:
    text = extract_pot()
    assert text == extract_pot()
    assert "Creation-Date" not in text and "Generated-By" not in text
    assert text.endswith('msgstr ""\n') and "\r" not in text
    cat = read_po(io.StringIO(text), abort_invalid=True)
    assert [m.id for m in cat if m.id] == list(LABELS)
    assert all(m.string == "" for m in cat if m.id)
    assert all([f for f, _ in m.locations] == ["truce/reports/render.py"] for m in cat if m.id)


# --------------------------------------------------------------------------- quality


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_are_in_the_right_script(language: str) -> None:
    for msgid, text in translations(language):
        assert CYRILLIC.search(text), (msgid, text)
        assert not NOT_IN[language] & set(text), (msgid, text)
        assert not MIXED_WORD.search(text), (msgid, text)  # e.g. a Latin "o" in a Cyrillic word
        # Latin words only where the English has them (abbreviations such as UTC).
        assert set(LATIN_WORD.findall(text)) <= set(LATIN_WORD.findall(msgid)), (msgid, text)


def test_ukrainian_uses_the_typographic_apostrophe() -> None:
    texts = [text for _, text in translations("uk")]
    assert not any("'" in t for t in texts)
    assert any("’" in t for t in texts)  # об’єкт


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_punctuation_and_placeholders(language: str) -> None:
    for msgid, text in translations(language):
        assert text == text.strip() and "  " not in text, (msgid, text)
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid))
        for mark in (":", ";"):
            assert text.count(mark) == msgid.count(mark), (msgid, mark, text)
        # A dash may be added (Slavic copula: "Цей звіт — ..."), never dropped.
        assert text.count("—") >= msgid.count("—"), (msgid, text)
        assert final(text) == final(msgid), (msgid, text)
        assert not MARKUP & (set(text) - set(msgid)), (msgid, text)


@pytest.mark.parametrize("language", TRANSLATED)
def test_distinct_labels_stay_distinct(language: str) -> None:
    """Two different English labels never collapse into one translation."""
    seen: dict[str, str] = {}
    for msgid, text in translations(language):
        assert seen.setdefault(text.casefold(), msgid) == msgid, (seen[text.casefold()], msgid)


# --------------------------------------------------------------------------- rendering


def report() -> dict[str, Any]:
    return {
        "format": "truce-report/1",
        "kind": "daily",
        "title": "Daily report",
        "language": "uk",
        "synthetic": True,
        "period": {"start": "2025-04-09T16:30:00Z", "end": "2025-04-10T16:30:00Z", "label": "P"},
        "checkpoint": {"origin": "truce/demo", "size": 3, "root": "cm9vdA=="},
        "agreement": {"id": "energy", "version": 1},
        "findings": [],
        "corrections": [],
    }


def test_rendered_report_uses_the_catalogue() -> None:
    md = render_markdown(report(), labels=labels_for("uk"))
    assert "## Висновки\n\nУ звітному періоді відсутні.\n" in md
    assert "## Виправлення\n" in md
    assert "СИНТЕТИЧНІ ДАНІ" in md and "Findings" not in md
    html = render_html({**report(), "language": "ru"}, labels=labels_for("ru"))
    assert "Выводы" in html and "В отчетном периоде отсутствуют." in html
    assert render_markdown(report(), labels=labels_for("en")) == render_markdown(report())
