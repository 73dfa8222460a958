"""The figures drawn by code carry Spanish labels on the Spanish pages.

Every text a figure shows goes through :func:`chainrule_site.figures.tr`, which
looks it up in :data:`chainrule_site.figures.es.SPANISH` while the Spanish
figures are drawn.  The figures are drawn afresh into an empty cache (never
read from ``.cache/``), once per language, and kept for inspection.
"""

from __future__ import annotations

import re

import pytest

from chainrule_site import cache, figures
from chainrule_site.figures import es

LANGUAGES = ("en", "es")


class RecordingDict(dict):
    """A dict that remembers every key looked up with ``[]`` (as :func:`~chainrule_site.figures.tr` does)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.looked_up: set[str] = set()

    def __getitem__(self, key):
        self.looked_up.add(key)
        return super().__getitem__(key)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """SVG text and Figure object of every figure in both languages, and the Spanish entries looked up."""
    spanish = RecordingDict(es.SPANISH)
    kept: dict[str, dict] = {language: {} for language in LANGUAGES}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "CACHE", tmp_path_factory.mktemp("figure-cache"))
        patch.setattr(es, "SPANISH", spanish)
        for name, make in list(figures.load_all().items()):

            def keep(make=make, name=name):
                fig = make()
                kept[figures._language][name] = fig  # the language render_all is drawing in
                return fig

            patch.setitem(figures.FIGURES, name, keep)
        svg = {language: figures.render_all(language) for language in LANGUAGES}
    return {"svg": svg, "figures": kept, "looked_up": spanish.looked_up}


def test_every_figure_is_drawn_in_both_languages(drawn):
    # render_all("es") would have raised KeyError on a tr() text without an entry
    names = set(figures.load_all())
    assert names, "no figure is registered"
    for language in LANGUAGES:
        assert set(drawn["figures"][language]) == names, f"not every figure was drawn afresh in {language!r}"
        assert set(drawn["svg"][language]) == names
        assert all(text.lstrip().startswith("<?xml") and "<svg" in text for text in drawn["svg"][language].values())


def test_every_spanish_entry_is_used(drawn):
    unused = sorted(set(es.SPANISH) - drawn["looked_up"])
    assert not unused, f"entries of chainrule_site/figures/es.py that no figure asks for: {unused}"


def test_the_spanish_svg_of_each_figure_differs_from_the_english_one(drawn):
    same = [name for name, text in drawn["svg"]["en"].items() if drawn["svg"]["es"][name] == text]
    assert not same, f"figures drawn identically in English and Spanish: {same}"


def _texts(fig) -> list[str]:
    """Every non-empty text a reader sees in ``fig``: titles, axis labels, tick labels, legend entries, annotations."""
    import matplotlib.text

    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]


#: Texts that are the same in both languages without going through tr(): dtype names.
_NEUTRAL_WORDS = re.compile(r"\bfloat(?:32|64)\b")


def _language_neutral(text: str) -> bool:
    """No words once formulas ``$...$`` and dtype names are removed (numbers, maths, ``N = 512``...)."""
    words = _NEUTRAL_WORDS.sub("", re.sub(r"\$[^$]*\$", "", text))
    return not re.search(r"[A-Za-z]{2,}", words)


def test_no_english_text_is_left_in_a_spanish_figure(drawn):
    # a text that skipped tr() shows the same words in both languages; texts that are the
    # same on purpose (names such as "PyTorch CPU") are entries of SPANISH that map to themselves
    kept_as_is = {english for english, spanish in es.SPANISH.items() if english == spanish}
    for name, english_fig in drawn["figures"]["en"].items():
        english = set(_texts(english_fig))
        spanish = _texts(drawn["figures"]["es"][name])
        assert len(spanish) > 2, f"{name}: found only {spanish} (texts not collected?)"
        left = [t for t in spanish if t in english and not _language_neutral(t) and t not in kept_as_is]
        assert not left, f"{name}: English texts not passed through tr(): {left}"


def test_the_english_texts_are_the_keys(drawn):
    # in English tr() is the identity: each English figure shows the keys themselves
    shown = {text for fig in drawn["figures"]["en"].values() for text in _texts(fig)}
    plain_keys = {key for key in es.SPANISH if "{" not in key}
    assert plain_keys <= shown, sorted(plain_keys - shown)


def test_a_text_missing_from_spanish_raises_a_key_error_naming_it(monkeypatch):
    monkeypatch.setattr(figures, "_language", "es")
    assert figures.tr("step $h$") == es.SPANISH["step $h$"]
    with pytest.raises(KeyError, match=r"'an untranslated label'.*figures/es\.py"):
        figures.tr("an untranslated label")
    monkeypatch.setattr(figures, "_language", "en")
    assert figures.tr("an untranslated label") == "an untranslated label"


def test_render_all_names_the_missing_text_in_the_spanish_build(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "CACHE", tmp_path)
    monkeypatch.setattr(es, "SPANISH", {k: v for k, v in es.SPANISH.items() if k != "step $h$"})
    monkeypatch.setattr(figures, "FIGURES", {name: make for name, make in figures.load_all().items()
                                             if name == "central-difference-precision"})
    monkeypatch.setattr(figures, "load_all", lambda: figures.FIGURES)
    with pytest.raises(KeyError, match=re.escape(repr("step $h$"))):
        figures.render_all("es")
    assert figures._language == "en", "render_all left the Spanish language set after the error"


def test_templates_keep_their_fields_and_formulas():
    for english, spanish in es.SPANISH.items():
        assert re.findall(r"\{\w*\}", english) == re.findall(r"\{\w*\}", spanish), english
        assert re.findall(r"\$[^$]*\$", english) == re.findall(r"\$[^$]*\$", spanish), english
