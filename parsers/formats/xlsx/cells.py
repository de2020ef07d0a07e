"""A spreadsheet cell as Excel shows it: number formats, text nobody can see, formulas.

What a sheet stores is not always what its clerk sees, and the clerk checks what they see:

- **Number formats.** A format's ``%`` outside quotes multiplies by 100 (``0%``: ``0.72`` →
  ``72%``); one in quotes or escaped is a letter (``0"%"``: ``72`` → ``72%``). A format
  has up to four sections (positive; negative; zero; text); an empty section shows nothing
  (``;;;`` hides every value), so such a value is read as the empty cell it looks like and
  said to be there (``hidden``).
- **Invisible text.** Text in white (or in its cell's fill colour) is not seen: a rich
  string's runs in that colour are left out, a whole cell in it is read empty, and both are
  said (``hidden``). July's rate left in white before August's is the habit.
- **Formulas** are read by ``parsers.formats.xlsx.formulas``: a workbook written by a
  library (XlsxWriter, exceljs) or saved without recalculating stores 0 or nothing as a
  formula's value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from i18n import N_

#: Why a cell's stored content is not what Excel shows (``_Shown.hidden``).
HIDDEN_BY_FORMAT = N_("its number format shows nothing")
INVISIBLE_TEXT = N_("its text is in the colour of its background")
INVISIBLE_RUN = N_("part of its text is in the colour of its background")

_WHITE = "FFFFFF"
# A theme colour index: 0 is the light background (white in every built-in theme), 1 the text.
_THEME_BACKGROUND = 0


@dataclass(frozen=True)
class _Shown:
    """A cell as Excel shows it, and whether it holds a number without a percent format.

    ``hidden``: why something stored in the cell is not shown (``None``: all of it shows);
    ``stored`` is then what was left out.
    """

    text: str
    plain_number: float | None = None
    hidden: str | None = None
    stored: str = ""


_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def _sections(number_format: str) -> list[str]:
    """The ``;``-separated sections of a number format (``;`` inside quotes kept)."""
    sections, current, quoted = [], [], False
    escaped = False
    for char in number_format:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
    sections.append("".join(current))
    return sections


def _literal(part: str) -> str:
    """The letters a part of a format writes as they are: quoted text and escaped characters."""
    out = []
    for token in re.finditer(r'"([^"]*)"|\\(.)|[_*].|\[[^\]]*\]|([^0#?.,])', part):
        quoted, escaped, bare = token.groups()
        if quoted is not None:
            out.append(quoted)
        elif escaped is not None:
            out.append(escaped)
        elif bare and bare in " -+()/:$":
            out.append(bare)
    return "".join(out)


def format_number(value: float, number_format: str) -> tuple[str, bool] | None:
    """``value`` shown with ``number_format``: (text, whether it is a percentage).

    None for a format without a percent sign or literal text (General, ``0.00``): those are
    shown as the plain number. ``("", False)`` where the format's section shows nothing.
    """
    sections = _sections(number_format or "General")
    if value < 0 and len(sections) > 1:
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    else:
        section = sections[0]
    code = _QUOTED.sub("", section)
    if not section.strip():
        return "", False
    if section.strip().lower() == "general":
        return None
    digits = re.search(r"[0#?][0#?,.]*", code)
    literal_only = _literal(section)
    scaled = "%" in code
    if not scaled and not literal_only.strip():
        return None
    if digits is None:  # only text: Excel shows the text, no number
        return _literal(section), False
    placeholder = digits.group(0)
    decimals = (
        sum(1 for c in placeholder.split(".", 1)[1] if c in "0#?") if "." in placeholder else 0
    )
    number = value * 100 if scaled else value
    start = section.find(placeholder[0]) if placeholder[0] in section else 0
    before = _literal(section[:start])
    after = _literal(section[start:].replace(placeholder, "", 1)) if placeholder in section else ""
    text = f"{before}{_rounded(number, decimals)}{'%' if scaled else ''}{after}"
    return text.strip(), scaled or "%" in after


# The parts of a date format: literals (quoted, escaped, or a character Excel writes as it
# is: CJK 年月日 among them) and the codes of the date's fields.
_DATE_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|\[[^\]]*\]|[_*].'
    r"|(?P<ampm>AM/PM|A/P)|(?P<code>y+|m+|d+|h+|s+|a{3,4}|e)|(?P<other>.)",
    re.IGNORECASE,
)
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_CHINESE_DAYS = "一二三四五六日"


def format_date(value: dt.date | dt.time, number_format: str) -> str:
    """A date or time as its cell's format shows it (``m"月"d"日"``: 7月31日); ISO (2022-07-31)
    for the General format or one with no date code."""
    section = _sections(number_format)[0]
    tokens = list(_DATE_TOKEN.finditer(section))
    codes = [t.group("code").lower() for t in tokens if t.group("code")]
    if section.strip().lower() == "general" or not codes:
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    date = value if isinstance(value, dt.date) else None
    if isinstance(value, dt.datetime):
        time_of_day: dt.time | None = value.time()
    else:
        time_of_day = value if isinstance(value, dt.time) else None
    twelve = any(t.group("ampm") for t in tokens)
    out: list[str] = []
    previous = ""
    for index, token in enumerate(tokens):
        kind = token.lastgroup
        if kind in ("quoted", "escaped", "other"):
            out.append(token.group(kind))
            continue
        if kind == "ampm":
            hour = time_of_day.hour if time_of_day else 0
            out.append(("AM" if hour < 12 else "PM") if "/" in token.group(0) else "")
            continue
        if kind != "code":
            continue
        code = token.group("code").lower()
        later = [t.group("code").lower() for t in tokens[index + 1 :] if t.group("code")]
        minutes = code[0] == "m" and (
            previous.startswith("h") or (bool(later) and later[0].startswith("s"))
        )
        out.append(_date_field(code, date, time_of_day, minutes=minutes, twelve=twelve))
        previous = code
    return "".join(out).strip()


def _date_field(
    code: str, date: dt.date | None, time: dt.time | None, *, minutes: bool, twelve: bool
) -> str:
    """One code of a date format (``yyyy``, ``m``, ``dd``, ``aaaa`` …) for ``date``/``time``."""
    first = code[0]
    if first in "hs" or minutes:
        if time is None:
            time = dt.time()
        number = {"h": time.hour, "s": time.second}.get(first, time.minute)
        if first == "h" and twelve:
            number = number % 12 or 12
        return f"{number:0{min(len(code), 2)}d}"
    if date is None:
        return ""
    if first in "ye":
        return str(date.year) if len(code) > 2 or first == "e" else f"{date.year % 100:02d}"
    if first == "m":
        if len(code) >= 4:
            return _MONTHS[date.month - 1]
        if len(code) == 3:
            return _MONTHS[date.month - 1][:3]
        return f"{date.month:0{len(code)}d}"
    if first == "a":  # aaaa: 星期一, aaa: 一 (Excel in Chinese)
        day = _CHINESE_DAYS[date.weekday()]
        return f"星期{day}" if len(code) == 4 else day
    if len(code) >= 4:
        return _DAYS[date.weekday()]
    if len(code) == 3:
        return _DAYS[date.weekday()][:3]
    return f"{date.day:0{len(code)}d}"


def _rounded(number: float, decimals: int) -> str:
    """``number`` to ``decimals`` places as Excel rounds (half away from zero: 72.5 → 73)."""
    exact = Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{exact:.{decimals}f}"


def _rgb(color) -> str | None:
    """An openpyxl colour as ``RRGGBB``; ``"THEME0"`` for the theme's background colour."""
    if color is None:
        return None
    kind = getattr(color, "type", None)
    if kind == "rgb" and isinstance(color.rgb, str):
        return color.rgb[-6:].upper()
    if kind == "theme" and color.theme == _THEME_BACKGROUND and not color.tint:
        return "THEME0"
    return None


def _fill(cell) -> str | None:
    """The colour behind a cell's text: white without a fill, its solid fill's colour, or
    None where it cannot be told (a theme or palette colour, a pattern): then no text in it
    is taken for invisible (white header text on a table style's theme fill is seen)."""
    fill = cell.fill
    pattern = getattr(fill, "patternType", None) if fill is not None else None
    if pattern is None:
        return _WHITE
    if pattern == "solid":
        rgb = _rgb(fill.fgColor)
        return _WHITE if rgb == "THEME0" else rgb
    return None


def _invisible(color, background: str | None) -> bool:
    rgb = _rgb(color)
    if rgb is None or background is None:
        return False
    if rgb == "THEME0":
        rgb = _WHITE
    return rgb == background


def _rich_text(cell, value) -> _Shown:
    """A rich string: its runs as shown, those in the background's colour left out."""
    background = _fill(cell)
    cell_font_color = cell.font.color if cell.font is not None else None
    shown_parts: list[str] = []
    hidden_parts: list[str] = []
    for block in value:
        if isinstance(block, str):
            text, color = block, cell_font_color
        else:
            text = block.text
            color = block.font.color if block.font is not None else None
            if color is None:
                color = cell_font_color
        (hidden_parts if _invisible(color, background) else shown_parts).append(text)
    text = "".join(shown_parts)
    if hidden_parts:
        reason = INVISIBLE_TEXT if not text.strip() else INVISIBLE_RUN
        return _Shown(text, hidden=reason, stored="".join(hidden_parts))
    return _Shown(text)


def shown(cell) -> _Shown:
    """The text Excel shows for a cell (its number format applied, whole numbers without .0,
    text in its background's colour left out)."""
    value = cell.value
    if value is None:
        return _Shown("")
    if isinstance(value, bool):
        return _Shown("TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        return shown_number(cell, value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _Shown(format_date(value, cell.number_format or "General"))
    if not isinstance(value, str):  # openpyxl's CellRichText
        return _rich_text(cell, value)
    if value.strip() and cell.font is not None and _invisible(cell.font.color, _fill(cell)):
        return _Shown("", hidden=INVISIBLE_TEXT, stored=value)
    return _Shown(value)


def shown_number(cell, number: float) -> _Shown:
    """``number`` as the cell would show it in place of its stored value (a formula's value
    computed again)."""
    shown_as = _number(number, cell.number_format or "General")
    if shown_as.text and cell.font is not None and _invisible(cell.font.color, _fill(cell)):
        return _Shown("", hidden=INVISIBLE_TEXT, stored=shown_as.text)
    return shown_as


def _number(value: float, number_format: str) -> _Shown:
    formatted = format_number(value, number_format)
    if formatted is not None:
        text, _percent = formatted
        if not text:
            return _Shown("", hidden=HIDDEN_BY_FORMAT, stored=_plain(value))
        return _Shown(text)
    return _Shown(_plain(value), float(value))


def _plain(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) else f"{value:.10g}"
