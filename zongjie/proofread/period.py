"""The last day a report period covers, which decides which 提法 are current."""
from __future__ import annotations

import calendar
import re
from datetime import date

from ..text import cn_digits, cn_int

_FULLWIDTH = str.maketrans("０１２３４５６７８９－～", "0123456789-~")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_date(period: str) -> date | None:
    """The last day a report period covers: "2023年上半年" → 2023-06-30, "2023年" → 2023-12-31.

    A 提法 is judged by the end of the period because that is when the report is written.
    """
    s = period.translate(_FULLWIDTH)
    s = re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: cn_digits(m.group()), s)
    years = list(re.finditer(r"(?<!\d)(\d{4})(?!\d)", s))
    if not years:
        return None
    year = int(years[-1].group(1))
    if not 1900 <= year <= 2200:
        return None
    rest = s[years[-1].end():]
    if "学年" in rest:
        return date(year, 8, 31)
    if "上半年" in rest:
        return date(year, 6, 30)
    if "下半年" in rest:
        return date(year, 12, 31)
    quarter = re.search(r"([1-4一二三四])季度", rest)
    if quarter:
        return _month_end(year, 3 * cn_int(quarter.group(1)))
    months = re.findall(r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月", rest)
    if months:
        return _month_end(year, cn_int(months[-1].lstrip("0")))
    return date(year, 12, 31)
