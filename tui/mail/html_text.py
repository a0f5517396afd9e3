"""HTML to text, keeping what a human would see apart from what is hidden from them.

Hostile mail hides instructions for the model in HTML a reader never sees (display:none, zero-size
or white-on-white text, comments). `html_to_text` returns the visible text and the hidden text
separately, so the hidden part can be flagged instead of silently read as the message.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_OPEN_TAGS = 256  # past this, unclosed tags are compacted, keeping end-tag search short

_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source",
         "track", "wbr", "param"}
_BLOCK = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "section", "article", "header", "footer", "ul", "ol", "hr", "pre", "center", "dd", "dt",
          "form", "address", "body", "html", "main", "nav", "aside", "figure"}
_WHITE = {"white", "#fff", "#ffffff", "rgb(255,255,255)", "rgba(255,255,255,1)", "#fefefe",
          "hsl(0,0%,100%)"}
_ZERO = re.compile(r"^0+(\.0*)?(px|pt|em|rem|%)?$")


def _style(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in value.split(";"):
        key, sep, val = decl.partition(":")
        if sep:
            out[key.strip().lower()] = val.replace("!important", "").strip().lower().replace(" ", "")
    return out


class _HtmlText(HTMLParser):
    """Visible text vs text hidden from a human (display:none, zero size, white on default, comments)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, hidden, skip, has_background)
        self.stack: list[tuple[str, bool, bool, bool]] = []
        self.open: dict[str, int] = {}  # tag name -> how many are on the stack: skips hopeless searches
        self.visible: list[str] = []
        self.hidden: list[str] = []

    def _state(self) -> tuple[bool, bool, bool]:
        if self.stack:
            _, hidden, skip, bg = self.stack[-1]
            return hidden, skip, bg
        return False, False, False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden, skip, bg = self._state()
        if tag in _BLOCK and not skip:
            (self.hidden if hidden else self.visible).append("\n")
        if tag in _VOID:
            return
        if len(self.stack) >= MAX_OPEN_TAGS:
            self._compact()
        if not attrs:  # the common case, kept cheap
            self._push((tag, hidden, skip or tag in _SKIP, bg))
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        style = _style(a.get("style", ""))
        back = style.get("background-color") or style.get("background") or a.get("bgcolor", "")
        if back and back.replace(" ", "") not in _WHITE:
            bg = True
        color = style.get("color") or (a.get("color", "").lower().replace(" ", "") if tag == "font" else "")
        if (
            "hidden" in a
            or style.get("display") == "none"
            or style.get("visibility") == "hidden"
            or style.get("opacity") in ("0", "0.0", "0%")
            or _ZERO.match(style.get("font-size", "x")) is not None
            or _ZERO.match(style.get("max-height", "x")) is not None and style.get("overflow") == "hidden"
            or (color in _WHITE and not bg)
        ):
            hidden = True
        self._push((tag, hidden, skip or tag in _SKIP, bg))

    def _compact(self) -> None:
        """Drop old open tags that add no state. State only ever turns on down the stack (hidden,
        skip, background), so keeping each first change plus the newest tags loses nothing
        that decides visibility, even against thousands of unclosed tags."""
        keep, last = [], None
        for entry in self.stack[: -MAX_OPEN_TAGS // 2]:
            if entry[1:] != last:
                keep.append(entry)
                last = entry[1:]
        self.stack = keep + self.stack[-MAX_OPEN_TAGS // 2:]
        self.open = {}
        for entry in self.stack:
            self.open[entry[0]] = self.open.get(entry[0], 0) + 1

    def _push(self, entry: tuple[str, bool, bool, bool]) -> None:
        self.stack.append(entry)
        self.open[entry[0]] = self.open.get(entry[0], 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if self.open.get(tag):  # stray end tags (common in mail) close nothing
            i = len(self.stack) - 1
            while self.stack[i][0] != tag:
                i -= 1
            closed_hidden = self.stack[i][1]
            for entry in self.stack[i:]:
                self.open[entry[0]] -= 1
            del self.stack[i:]
            if closed_hidden and not self._state()[0]:
                self.hidden.append("\n")  # one hidden run ends: keep runs apart
        if tag in _BLOCK:
            hidden, skip, _ = self._state()
            if not skip:
                (self.hidden if hidden else self.visible).append("\n")

    def handle_data(self, data: str) -> None:
        hidden, skip, _ = self._state()
        if skip:
            return
        (self.hidden if hidden else self.visible).append(data)

    def handle_comment(self, data: str) -> None:
        text = data.strip()
        if text and not text.startswith("[if") and not text.startswith("<![endif") and text != "[endif]":
            self.hidden.append("\n" + text + "\n")


def _tidy(chunks: list[str]) -> str:
    lines = (" ".join(line.split()) for line in "".join(chunks).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> tuple[str, str]:
    """(visible text, hidden text) of an HTML document. Never raises."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass  # keep whatever was read before the failure
    return _tidy(parser.visible), _tidy(parser.hidden)
