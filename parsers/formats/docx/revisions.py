"""A Word body as "accept all changes" would leave it, and as one copy of each alternative.

Tracked changes stay in the file when a clerk sends it with tracking on: the old text sits
next to the new one, and a reader that takes every ``w:t`` loads both (a rate dragged away
from a cell still reads in its old cell; a name dragged inside a cell reads twice). So
before the tables are walked, ``accept_all_changes`` edits the tree the way Word's "Accept
All" does:

- moved-away text (``w:moveFrom``, and anything between ``w:moveFromRangeStart`` and its
  ``w:moveFromRangeEnd``) and deleted text (``w:del``) go; moved-to and inserted text
  (``w:moveTo``, ``w:ins``) stay as ordinary text;
- a table row whose deletion is tracked (``w:trPr/w:del``) and a deleted cell
  (``w:tcPr/w:cellDel``) go;
- a paragraph whose mark was deleted (``w:pPr/w:rPr/w:del``, or moved away) runs on into the
  next paragraph, as the two become one when the mark goes;
- the old formatting kept by a tracked formatting change (``w:tcPrChange`` …) goes: it can
  hold an old ``w:vMerge`` or ``w:gridSpan`` that is no longer the table's.

Word writes a text box (and other drawings) twice, a modern copy in ``mc:Choice`` and a VML
copy in ``mc:Fallback``; ``drop_fallbacks`` keeps the choice only, so that the box's text is
read once (text formatted hidden or struck through goes in ``unseen``). A file without any of
this is not touched.
"""

from __future__ import annotations

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _PPR, _RPR, _TR, _TRPR, _TC, _TCPR = (
    f"{_W}p",
    f"{_W}pPr",
    f"{_W}rPr",
    f"{_W}tr",
    f"{_W}trPr",
    f"{_W}tc",
    f"{_W}tcPr",
)
_DEL, _MOVE_FROM, _CELL_DEL = f"{_W}del", f"{_W}moveFrom", f"{_W}cellDel"
_R, _TBL = f"{_W}r", f"{_W}tbl"
_MOVE_FROM_START, _MOVE_FROM_END = f"{_W}moveFromRangeStart", f"{_W}moveFromRangeEnd"
_ID = f"{_W}id"
#: Elements that keep the formatting as it was before a tracked formatting change.
_OLD_PROPERTIES = tuple(
    f"{_W}{name}"
    for name in (
        "rPrChange",
        "pPrChange",
        "tcPrChange",
        "trPrChange",
        "tblPrChange",
        "tblPrExChange",
        "tblGridChange",
        "sectPrChange",
        "numberingChange",
    )
)
_REVISIONS = (_DEL, _MOVE_FROM, _CELL_DEL, _MOVE_FROM_START, *_OLD_PROPERTIES)
_ALTERNATE, _CHOICE, _FALLBACK = (
    f"{_MC}AlternateContent",
    f"{_MC}Choice",
    f"{_MC}Fallback",
)


def _remove(element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def has_revisions(body) -> bool:
    """Whether the body holds a tracked deletion, move or formatting change."""
    return next(body.iter(*_REVISIONS), None) is not None


def _mark_removed(p) -> bool:
    """Whether a paragraph's mark is deleted or moved away (it joins the next paragraph)."""
    ppr = p.find(_PPR)
    rpr = ppr.find(_RPR) if ppr is not None else None
    return rpr is not None and (rpr.find(_DEL) is not None or rpr.find(_MOVE_FROM) is not None)


#: Marks that sit between paragraphs without being content (bookmarks, comment ranges …).
_MARKERS = tuple(
    f"{_W}{name}"
    for name in (
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentRangeEnd",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "permStart",
        "permEnd",
        "proofErr",
    )
)


def _next_paragraph(p):
    """The paragraph right after ``p`` (markers passed over), or None."""
    following = p.getnext()
    while following is not None and following.tag in _MARKERS:
        following = following.getnext()
    return following if following is not None and following.tag == _P else None


def _join_paragraphs(body) -> None:
    """Each paragraph whose mark is gone takes in the paragraph after it, as Word does."""
    for p in list(body.iter(_P)):
        if p.getparent() is None:
            continue
        while _mark_removed(p):
            following = _next_paragraph(p)
            if following is None:
                break  # the last paragraph of a cell or before a table keeps its mark
            # The joined paragraph keeps the mark, and so the properties, of the second.
            ppr = p.find(_PPR)
            if ppr is not None:
                p.remove(ppr)
            for child in list(following):
                if child.tag == _PPR:
                    p.insert(0, child)
                else:
                    p.append(child)
            _remove(following)


def _moved_away_ranges(body) -> list:
    """The runs that stand between a ``w:moveFromRangeStart`` and its end, in any element.

    A start without an end (a damaged file) is passed over: it would take all that follows."""
    ends = {element.get(_ID, "") for element in body.iter(_MOVE_FROM_END)}
    open_ids: set[str] = set()
    inside: list = []
    for element in body.iter():
        tag = element.tag
        if tag == _MOVE_FROM_START and element.get(_ID, "") in ends:
            open_ids.add(element.get(_ID, ""))
        elif tag == _MOVE_FROM_END:
            open_ids.discard(element.get(_ID, ""))
        elif open_ids and tag == _R:
            inside.append(element)
    return inside


#: The tracked changes that change what a table or paragraph says.
_CONTENT_CHANGES = (
    _DEL,
    f"{_W}ins",
    _MOVE_FROM,
    f"{_W}moveTo",
    _CELL_DEL,
    f"{_W}cellIns",
    f"{_W}tcPrChange",
)


class RowPlaces:
    """``(table, row)`` of the table row an element is in, 1-based in document order (a
    nested table counts as a table of its own); ``(None, None)`` outside the tables."""

    def __init__(self, body) -> None:
        self.tables = {tbl: n for n, tbl in enumerate(body.iter(_TBL), start=1)}
        self.rows: dict = {}

    def __call__(self, element) -> tuple[int | None, int | None]:
        tr = _nearest(element, _TR)
        if tr is None:
            return (None, None)
        tbl = _nearest(tr, _TBL)
        if tbl not in self.rows:
            rows = [r for r in tbl.iter(_TR) if _nearest(r, _TBL) is tbl]
            self.rows[tbl] = {r: n for n, r in enumerate(rows, start=1)}
        return (self.tables[tbl], self.rows[tbl][tr])


def changed_places(body) -> list[tuple[int | None, int | None]]:
    """Where the body has tracked changes of content: ``(table, row)``, 1-based as Word shows
    them with the changes, or ``(None, None)`` for paragraphs outside the tables."""
    place_of = RowPlaces(body)
    places: list[tuple[int | None, int | None]] = []
    for change in body.iter(*_CONTENT_CHANGES):
        place = place_of(change)
        if place not in places:
            places.append(place)
    return places


def accept_all_changes(body) -> list[tuple[int | None, int | None]]:
    """Edit ``body`` in place to what Word's "Accept All Changes" leaves (see the module);
    the places of the changes accepted (``changed_places``), for telling the clerk."""
    places = changed_places(body)
    if not has_revisions(body):
        return places
    for old in list(body.iter(*_OLD_PROPERTIES)):
        _remove(old)
    for tr in list(body.iter(_TR)):
        trpr = tr.find(_TRPR)
        if trpr is not None and trpr.find(_DEL) is not None:
            _remove(tr)
    for tc in list(body.iter(_TC)):
        tcpr = tc.find(_TCPR)
        if tcpr is not None and tcpr.find(_CELL_DEL) is not None:
            _remove(tc)
    for run in _moved_away_ranges(body):
        _remove(run)
    _join_paragraphs(body)
    for element in list(body.iter(_DEL, _MOVE_FROM)):
        # Inside w:rPr or w:trPr these mark a paragraph mark or a row (handled above); a
        # w:del or w:moveFrom anywhere else wraps content that is gone.
        parent = element.getparent()
        if parent is not None and parent.tag not in (_RPR, _TRPR):
            _remove(element)
    return places


def drop_fallbacks(body) -> None:
    """Keep one copy of each ``mc:AlternateContent``: its first choice, else its fallback."""
    for alternate in list(body.iter(_ALTERNATE)):
        if alternate.find(_CHOICE) is None:
            continue
        for fallback in alternate.findall(_FALLBACK):
            # Emptied first: lxml moves a removed subtree to a document of its own node by
            # node, and a fallback holds a copy of the whole box (0.8 s for a table in one).
            fallback.clear()
            alternate.remove(fallback)


def _nearest(element, tag: str):
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent
