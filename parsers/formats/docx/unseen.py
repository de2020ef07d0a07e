"""Text a Word body holds that is not what the report says: taken out before the walk.

A clerk reusing last month's file keeps the old value beside the new one and formats it away:

- hidden (Font > Hidden, ``w:vanish``): Word neither shows nor prints it;
- struck through (``w:strike``, ``w:dstrike``): shown crossed out, the habit for "this value
  is replaced" (``90%`` struck before ``63%``).

Either can be set on the run itself or through its character style (``w:rStyle``) or its
paragraph's style (``w:pStyle``), with ``w:basedOn`` chains, so the styles part is read for
them; a property set on the run wins over its styles (``<w:strike w:val="0"/>`` undoes a
struck style). The text of both is not read, and each row that had some is named.

Two more kinds are never content and go without a word: the prompt a content control shows
while it is empty (``w:showingPlcHdr``: ``单击或点击此处输入文字。``), and the pronunciation
guide above characters (``w:ruby``'s ``w:rt``, pinyin over a name).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from parsers.formats.docx.revisions import RowPlaces

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _PPR, _R, _RPR, _T = f"{_W}p", f"{_W}pPr", f"{_W}r", f"{_W}rPr", f"{_W}t"
_STYLE, _STYLE_ID, _BASED_ON = f"{_W}style", f"{_W}styleId", f"{_W}basedOn"
_R_STYLE, _P_STYLE, _VAL = f"{_W}rStyle", f"{_W}pStyle", f"{_W}val"
_SDT, _SDT_PR, _SDT_CONTENT = f"{_W}sdt", f"{_W}sdtPr", f"{_W}sdtContent"
_PLACEHOLDER_SHOWN, _RUBY_TEXT = f"{_W}showingPlcHdr", f"{_W}rt"
_VANISH, _STRIKE, _DSTRIKE = f"{_W}vanish", f"{_W}strike", f"{_W}dstrike"
#: The run properties that make a run's text not the value, by the kind of issue they give.
_KINDS = {"hidden": (_VANISH,), "struck": (_STRIKE, _DSTRIKE)}
_PROPERTIES = (_VANISH, _STRIKE, _DSTRIKE)
_PROPERTY_NAMES = (b"vanish", b"strike")  # dstrike ends with strike
_OFF = ("0", "false", "off")
# A basedOn chain longer than this is a loop in a damaged file.
_MAX_CHAIN = 20


@dataclass(frozen=True)
class Unseen:
    """Text taken out of one table row (or paragraph): ``hidden`` or ``struck``; the table's
    and the row's 1-based place in the document (None outside the tables)."""

    kind: str
    table: int | None
    row: int | None
    text: str


class Styles:
    """The run properties of ``_PROPERTIES`` each style sets, itself or through ``w:basedOn``."""

    def __init__(self, styles_xml: bytes | None) -> None:
        self.own: dict[str, dict[str, bool]] = {}
        self.parent: dict[str, str] = {}
        if not styles_xml or not _may_set_properties(styles_xml):
            return
        try:
            root = etree.fromstring(styles_xml, etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            return  # no styles read: direct formatting still counts
        for style in root.iter(_STYLE):
            style_id = style.get(_STYLE_ID)
            if not style_id:
                continue
            rpr = style.find(_RPR)
            self.own[style_id] = _set_properties(rpr) if rpr is not None else {}
            based_on = style.find(_BASED_ON)
            if based_on is not None and based_on.get(_VAL):
                self.parent[style_id] = based_on.get(_VAL, "")

    def value(self, style_id: str | None, prop: str) -> bool | None:
        """Whether the style (or one it is based on) sets ``prop`` on or off; None: neither."""
        for _step in range(_MAX_CHAIN):
            if style_id is None:
                return None
            own = self.own.get(style_id, {})
            if prop in own:
                return own[prop]
            style_id = self.parent.get(style_id)
        return None

    @property
    def any(self) -> bool:
        return any(any(props.values()) for props in self.own.values())


def _may_set_properties(xml: bytes) -> bool:
    """False only when the part cannot set any of ``_PROPERTIES``: it is written in an
    encoding where ASCII is itself (it begins with ``<``, after a UTF-8 byte-order mark)
    and no element name of them occurs in its bytes. An element's name cannot be escaped,
    so then parsing it would find none; the styles of most reports are like this, and
    parsing them was a third of reading the file."""
    start = xml[3:] if xml.startswith(b"\xef\xbb\xbf") else xml
    if not start.lstrip(b" \t\r\n").startswith(b"<") or b"\x00" in start[:64]:
        return True  # UTF-16 or another encoding: read it to know
    return any(name in xml for name in _PROPERTY_NAMES)


def _set_properties(rpr) -> dict[str, bool]:
    return {
        child.tag: child.get(_VAL, "true") not in _OFF for child in rpr if child.tag in _PROPERTIES
    }


def _style_of(element, holder: str, tag: str) -> str | None:
    props = element.find(holder)
    style = props.find(tag) if props is not None else None
    return style.get(_VAL) if style is not None else None


def _kind(run, styles: Styles) -> str | None:
    """``hidden``, ``struck`` or None for one run: its own properties first, then its
    character style, then its paragraph's style."""
    rpr = run.find(_RPR)
    own = _set_properties(rpr) if rpr is not None else {}
    p = run.getparent()
    while p is not None and p.tag != _P:
        p = p.getparent()
    char_style = _style_of(run, _RPR, _R_STYLE)
    para_style = _style_of(p, _PPR, _P_STYLE) if p is not None else None
    for kind, props in _KINDS.items():
        for prop in props:
            value = own.get(prop)
            if value is None:
                value = styles.value(char_style, prop)
            if value is None:
                value = styles.value(para_style, prop)
            if value:
                return kind
    return None


def _run_text(run) -> str:
    return "".join(t.text or "" for t in run.iter(_T))


def _remove(element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def drop_prompts(body) -> None:
    """Take out what is never content: an empty content control's prompt, ruby guides."""
    for sdt in list(body.iter(_SDT)):
        sdt_pr = sdt.find(_SDT_PR)
        content = sdt.find(_SDT_CONTENT)
        if sdt_pr is None or content is None or sdt_pr.find(_PLACEHOLDER_SHOWN) is None:
            continue
        for run in list(content.iter(_R)):
            _remove(run)
    for guide in list(body.iter(_RUBY_TEXT)):
        _remove(guide)


def drop_unseen_text(body, styles_xml: bytes | None = None) -> list[Unseen]:
    """Take out the runs formatted hidden or struck through (see the module), and say for
    each row or paragraph what was taken out, in document order."""
    styles = Styles(styles_xml)
    if styles.any:
        candidates = list(body.iter(_R))
    else:
        # From the (rare) marks to their runs: a document has hundreds of runs.
        candidates = [
            run
            for mark in body.iter(*_PROPERTIES)
            if (rpr := mark.getparent()).tag == _RPR
            and (run := rpr.getparent()) is not None
            and run.tag == _R
        ]
    taken: list[tuple[str, object]] = []
    seen: set[int] = set()
    for run in candidates:
        if id(run) in seen:
            continue
        seen.add(id(run))
        kind = _kind(run, styles)
        if kind is not None:
            taken.append((kind, run))
    if not taken:
        return []
    place_of = RowPlaces(body)
    places: dict[tuple[str, int | None, int | None], list[str]] = {}
    for kind, run in taken:
        text = _run_text(run)
        place = place_of(run)
        _remove(run)
        if text.strip():
            places.setdefault((kind, *place), []).append(text)
    return [
        Unseen(kind, table, row, "".join(texts)) for (kind, table, row), texts in places.items()
    ]
