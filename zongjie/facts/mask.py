"""Mask an exemplar passage: its numbers, dates, names and places become placeholders, so only its
style can reach a prompt."""
from __future__ import annotations

import re

from .extract import scan

_LATIN_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[xX]{2,}|[ｘＸ]{2,})(?![A-Za-z])|\*{1,4}|＊{1,4}|某某|_{1,4}")
# Bare 委/政府 are left alone: "按照市委部署" names no place, it points at the level above.
_PLACE_BEFORE_ORG = re.compile(
    r"(?P<suffix>街道|社区|县|市|区|镇|乡|村)(?=团委|团工委|团支部|团总支|党委|党工委|党支部|青年之家)"
    r"|(?<=共青团)[\u4e00-\u9fff]{2,4}?(?P<level>县|市|区)委")
# Characters that end a place name when walking back from its suffix: function words, common
# verbs and prepositions, and 团 (团县委 is not a place called 团).
_NAME_STOP = set("在和与及的由对向为是了将把被从自于团全我本该各其此每省市县区镇乡村等按照据合同经受请到给让使"
                 "领导联带协助至赴往、，,。；;：:（）()“”《》 \n")


def _name_char(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" and c not in _NAME_STOP


def _place_spans(text: str) -> list[tuple[int, int, str]]:
    """Place names right before an organisation (宜兴市团委 -> ××市团委): walk back from the suffix
    over up to four characters until a function word or punctuation."""
    spans = []
    for m in _PLACE_BEFORE_ORG.finditer(text):
        if m["level"]:
            spans.append((m.start(), m.start("level"), "××"))
            continue
        i = m.start()
        while i > max(0, m.start() - 4) and _name_char(text[i - 1]):
            i -= 1
        if m.start() - i >= 2:
            spans.append((i, m.start(), "××"))
    return spans


def mask_exemplar(text: str) -> str:
    """Replace an exemplar's facts with placeholders so only its style reaches the prompt.

    Numbers keep their unit (130余场次 -> X场次), dates their shape (2021年11月 -> X年X月), quoted
    names their quotes (“××”); placeholder runs (xx, **, 某某), place names before 团委/党委/团支部/
    青年之家 (up to four characters back to a function word) and the X in 共青团X县委 become ××.
    Fixed terms stay. Limits: unquoted person names, and place names elsewhere (西厦社区“家”主题),
    survive; a verb glued before a place (联合宜兴市团委) may be masked with it.
    """
    spans = [(h.start, h.end, h.mask) for h in scan(text) if h.fact is not None]
    spans += [(m.start(), m.end(), "××") for m in _LATIN_PLACEHOLDER.finditer(text)]
    spans += _place_spans(text)
    out, pos = [], 0
    for start, end, repl in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos:
            continue  # overlaps a span already replaced (facts come first at equal starts)
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)
