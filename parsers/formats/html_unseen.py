"""What a web page keeps in its table but does not show as the value: hidden and struck text.

A page made from last month's keeps the old value beside the new one, hidden or struck out,
as Word's "save as web page" writes it and as site editors do:

- hidden: the ``hidden`` attribute, ``display: none``, ``visibility: hidden`` or
  ``collapse``, Word's ``mso-hide: all``; a browser neither shows nor prints it;
- struck: ``<del>``, ``<s>``, ``<strike>``, ``text-decoration: line-through``.

A style counts where it is written on the element (``style="…"``) or in a ``<style>`` rule
whose selector is a class, a tag with a class, or a tag (``.old``, ``span.old``, ``del``);
other selectors (descendants, ids, attributes) are not matched. The text of both is not
read; the table reader names each row it was taken from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HIDDEN, STRUCK = "hidden", "struck"
_STRUCK_TAGS = frozenset(("del", "s", "strike"))
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)", re.IGNORECASE)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?(?:\.([\w-]+))?$", re.IGNORECASE)
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def declarations_kind(declarations: str) -> str | None:
    """``hidden``, ``struck`` or None for a CSS declaration block (``display:none; …``)."""
    found: str | None = None
    for name, value in _DECLARATION.findall(declarations):
        name, value = name.lower(), value.strip().lower()
        value = value.replace("!important", "").strip()
        if (
            (name == "display" and value == "none")
            or (name == "visibility" and value in ("hidden", "collapse"))
            or (name == "mso-hide" and value == "all")
        ):
            return HIDDEN
        if name in ("text-decoration", "text-decoration-line") and "line-through" in value:
            found = STRUCK
    return found


@dataclass(frozen=True)
class _Rule:
    tag: str | None
    cls: str | None
    kind: str


class PageStyles:
    """The page's ``<style>`` rules that hide or strike, by simple selector."""

    def __init__(self, root) -> None:
        self.rules: list[_Rule] = []
        for style in root.iter("style"):
            css = _COMMENT.sub("", "".join(style.itertext()))
            for selectors, declarations in _RULE.findall(css):
                kind = declarations_kind(declarations)
                if kind is None:
                    continue
                for selector in selectors.split(","):
                    match = _SIMPLE_SELECTOR.match(selector.strip())
                    if match and (match.group(1) or match.group(2)):
                        tag = match.group(1).lower() if match.group(1) else None
                        self.rules.append(_Rule(tag, match.group(2), kind))

    def kind(self, element) -> str | None:
        """Whether an element is hidden, struck or neither, by itself (not its ancestors)."""
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None:
            return None
        if element.get("hidden") is not None:
            return HIDDEN
        inline = declarations_kind(element.get("style") or "")
        if inline == HIDDEN:
            return HIDDEN
        found = STRUCK if inline == STRUCK or tag in _STRUCK_TAGS else None
        if self.rules:
            classes = (element.get("class") or "").split()
            for rule in self.rules:
                if (rule.tag is None or rule.tag == tag) and (
                    rule.cls is None or rule.cls in classes
                ):
                    if rule.kind == HIDDEN:
                        return HIDDEN
                    found = STRUCK
        return found
