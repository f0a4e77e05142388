"""Show text that came from input (a link, a file, a cell, a sign-in) as text, never markup.

Streamlit renders markdown in ``st.markdown``, ``st.write``, ``st.caption``, ``st.info``,
``st.warning``, ``st.error``, ``st.success`` and widget labels: an image written into a
link's query string or a file's name (``![x](https://example.org/x.png)``) would be
fetched by the browser, a tracking beacon that also breaks a locked-down network. Every
such element escapes what it quotes from input with :func:`escape_markdown`; tables
(``st.dataframe``) show their cells as text already. Nothing here imports streamlit.
"""

from __future__ import annotations

import re

#: Characters that can start markup: CommonMark's (emphasis, links, images, code, headings,
#: lists, tables, HTML), ``:`` (Streamlit's ``:red[...]`` and icons, bare ``https://`` links),
#: ``=`` (underlined headings), ``$`` (formulas) and ``&`` (character references).
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape_markdown(value: object) -> str:
    r"""Return ``value`` as markdown that shows exactly its text, on one line.

    Each character that can start markup gets a backslash, so no link, image, emphasis,
    heading, list, table, HTML tag, colour directive or formula can start; line breaks
    become spaces, so the text cannot begin a block of its own.

    >>> escape_markdown("![x](https://example.org/x.png)")
    '\\!\\[x\\]\\(https\\://example\\.org/x\\.png\\)'
    >>> escape_markdown("Watford\n# Heading")
    'Watford \\# Heading'
    """
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    return _MARKUP.sub(r"\\\1", text)
