"""User and model text shown as text (issue 16.6): Streamlit renders labels, captions and st.markdown as
Markdown, so `![](http://host/x.png)` in a title, a bullet or model output would make the browser fetch
from any host, `$x^2$` and `:red[…]` would render, and a leading `**` would start a list."""
from __future__ import annotations

import html
import re

# Everything Markdown, Streamlit's colour/icon directives (:red[…], :material/…:) and KaTeX give meaning.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!$:|<>~=^])")


def md(text: str) -> str:
    """`text` for a Markdown context (a widget label, st.caption, st.markdown): every special character
    backslash-escaped, line breaks kept as spaces (a label is one line)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split("\n")))


def tag(text: str) -> str:
    """`text` for the inside of an HTML element written with unsafe_allow_html: escaped, with `$` as an
    entity (KaTeX reads it even inside HTML) and no line break (a blank line would end the HTML block
    and let Markdown parse the rest)."""
    return html.escape(" ".join(str(text).split()), quote=True).replace("$", "&#36;")


def block(inner_html: str) -> str:
    """An HTML block Markdown leaves alone: one line starting with a block-level tag."""
    return f"<div>{inner_html}</div>"
