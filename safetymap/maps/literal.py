"""Keep rendered map markup as text: input never runs as a template on the server.

branca (under folium) renders each map element with Jinja, then wraps the *output* in a
new ``Element``, whose constructor compiles that output as a Jinja template and renders
it again when the page is written. Any text from an input that reaches a map (a place's
label, a service's name in a tooltip, an organisation's name) therefore runs as a
template: ``{{ 7*7 }}`` became ``49``, and Jinja can reach Python from there, so a file
could run code on the server. Text from an input is data, never markup.

:func:`install` replaces ``MacroElement.render`` (branca 0.8; folium's layers, tooltips,
markers and our own elements all go through it) with the same steps, except that each
rendered part is added as :class:`LiteralText`, kept as it is. Installed when
:mod:`safetymap.maps` is imported. Not rendering the output twice also saves the compile
of a megabyte of GeoJSON on each large map (about 0.13 s).

folium's own double rendering is used only by ``GeoJson`` styles whose values are
elements (fill patterns); the product draws none.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement


class LiteralText(Element):
    """Markup already rendered: written out as it is, never read as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "LiteralText"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        """Return the markup unchanged."""
        return self.text


def _render_macro(self: MacroElement, **kwargs: Any) -> None:
    """Render a macro element as branca does, its parts kept as :class:`LiteralText`."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("A map element can only be rendered inside a Figure.")
    module = self._template.module.__dict__
    for part, container in (("header", figure.header), ("html", figure.html),
                             ("script", figure.script)):
        macro = module.get(part)
        if macro is not None:
            container.add_child(LiteralText(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


#: branca's own ``MacroElement.render``, kept for the test that shows the attack it allowed.
BRANCA_RENDER = MacroElement.render


def install() -> None:
    """Make every map element render its parts as :class:`LiteralText` (idempotent)."""
    MacroElement.render = _render_macro  # type: ignore[method-assign]


def installed() -> bool:
    """Return whether :func:`install` is in effect."""
    return MacroElement.render is _render_macro
