"""Parse a cleaned report into title, opening and the 一、/（一）/1． section tree, with genre and roles.

Levels come from numbering and its context, not from the numbering style alone: web reports mix
styles ("一是…" then "三、" then "第五，" then "6."), so a number that continues the top-level
sequence is a top-level heading, and one that restarts at 1 inside a section is a child.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.clean import clean_page
from retrieval.corpus import CorpusReport, CorpusSection
from retrieval.tagging import genre_for_title, is_results_report, role_for_heading
from zongjie.text import ORDINALS, cn_int

_CN = ORDINALS
# Family names: dun 一、 / paren （一）(3) / arabic 1. / shi 一是 / di 第五，首先，
_MARKERS = (
    ("dun", re.compile(rf"^([{_CN}]{{1,3}})\s*[、.．]\s*(.+)$")),
    ("paren", re.compile(rf"^[（(]\s*([{_CN}]{{1,3}}|\d{{1,2}})\s*[)）]\s*[、.．]?\s*(.+)$")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(.+)$")),
    ("shi", re.compile(rf"^([{_CN}]{{1,3}})是(.+)$")),
    ("di", re.compile(rf"^(首先|其次|再次|第[{_CN}]{{1,3}})\s*[，,、：:]\s*(.+)$")),
)
_ORDINAL_WORDS = {"首先": 1, "其次": 2, "再次": 3}
# Families that number sections; the others number points inside a paragraph-level list.
_SECTION_FAMILIES = ("dun", "paren", "arabic")
_TITLE_SUFFIX = re.compile(r"(汇报|总结|计划|报告|范文|情况)）?$")
_CLOSING_START = re.compile(r"^(总之|总体来看|总的来看|总体而言|总而言之|总的来说|综上)")
_SENTENCE_END = re.compile(r"[。！？；]")
_PUNCT = re.compile(r"[，。,；;：:！!？?、]")


@dataclass(frozen=True)
class Marker:
    family: str
    number: int
    rest: str
    line: str

    @property
    def is_bare(self) -> bool:
        """A heading alone on its line, with no sentence of body text after it."""
        return not split_headline(self.rest)[1]


def read_marker(line: str) -> Marker | None:
    for family, pattern in _MARKERS:
        match = pattern.match(line)
        if not match:
            continue
        label, rest = match.group(1), match.group(2)
        if label.isdigit():
            number = int(label)
        elif label in _ORDINAL_WORDS:
            number = _ORDINAL_WORDS[label]
        else:
            number = cn_int(label.removeprefix("第"))
        if number > 0:
            return Marker(family, number, rest, line)
    return None


def split_headline(rest: str) -> tuple[str, str]:
    """（一）凝聚青年，深化…工作。一是… -> ("凝聚青年，深化…工作", "一是…")."""
    rest = rest.strip().lstrip("，,、：: ")
    match = _SENTENCE_END.search(rest)
    if not match:
        return rest.rstrip("：:，,、 "), ""
    return rest[: match.start()].rstrip("：:，,、 "), rest[match.end():].strip()


def _is_title_like(line: str) -> bool:
    return "。" not in line and len(line) <= 60 and read_marker(line) is None


def _is_title_variant(line: str) -> bool:
    """The page's second and third spelling of the title (镇团委的2023年上半年…情况汇报)."""
    return _is_title_like(line) and len(line) <= 40 and "，" not in line and bool(_TITLE_SUFFIX.search(line))


def _is_unnumbered_heading(lines: list[str], i: int) -> bool:
    """A short unpunctuated line that introduces a list numbered from 1 (掌握意识形态工作的主阵地)."""
    line = lines[i]
    if not 4 <= len(line) <= 20 or _PUNCT.search(line) or read_marker(line):
        return False
    following = [read_marker(ln) for ln in lines[i + 1 : i + 3]]
    return any(m and m.family in ("paren", "arabic") and m.number == 1 for m in following)


@dataclass
class _TreeBuilder:
    """Feeds lines one by one into opening / sections, tracking where the next one belongs."""

    has_dun: bool = False
    opening: list[str] = field(default_factory=list)
    sections: list[CorpusSection] = field(default_factory=list)
    top_family: str = ""
    last_top: int = 0
    seen_families: set[str] = field(default_factory=set)
    child_family: str = ""
    open_sections: list[CorpusSection] = field(default_factory=list)

    def add_numbered(self, marker: Marker) -> None:
        if self._starts_top(marker):
            self.open_top(marker.rest, marker.family, marker.number)
            return
        self.seen_families.add(marker.family)
        if marker.family in _SECTION_FAMILIES:
            self._open_child(marker)
        else:
            self.add_paragraph(marker.line)

    def _starts_top(self, marker: Marker) -> bool:
        if marker.family == "dun":
            return True
        if not self.sections:
            # Before the first 一、 a list item with body text is part of the opening.
            return not self.has_dun or marker.is_bare
        if marker.family in self.seen_families:
            return False
        if marker.family == self.top_family and marker.number == self.last_top + 1:
            return True
        # A bare heading in another style that carries on the top-level count (三、 … 第五，…
        # 6.); one number may be missing from a scraped page.
        return marker.is_bare and marker.number >= 2 and self.last_top < marker.number <= self.last_top + 2

    def open_top(self, rest: str, family: str = "", number: int = 0) -> None:
        headline, body = split_headline(rest)
        section = CorpusSection(heading=headline, role="", level=1)
        self.sections.append(section)
        self.open_sections = [section]
        self.top_family, self.seen_families, self.child_family = family, set(), ""
        self.last_top = number or self.last_top
        if body:
            self.add_paragraph(body)

    def _open_child(self, marker: Marker) -> None:
        if not self.child_family:
            self.child_family = marker.family
        level = 2 if marker.family == self.child_family or len(self.open_sections) < 2 else 3
        headline, body = split_headline(marker.rest)
        section = CorpusSection(heading=headline, role="", level=level)
        del self.open_sections[level - 1 :]
        self.open_sections[-1].subsections.append(section)
        self.open_sections.append(section)
        if body:
            self.add_paragraph(body)

    def add_paragraph(self, text: str) -> None:
        target = self.open_sections[-1].paragraphs if self.open_sections else self.opening
        # Scraped lists break "…；" items onto lines of their own; they are one paragraph.
        if target and target[-1].endswith(("；", ";")):
            target[-1] += text
        else:
            target.append(text)


def _split_title(lines: list[str]) -> tuple[str, list[str]]:
    if not lines or not _is_title_like(lines[0]):
        return "", lines
    title, rest = lines[0], lines[1:]
    while rest and _is_title_variant(rest[0]):
        rest = rest[1:]
    return title.removesuffix("范文"), rest


def _build_tree(lines: list[str]) -> _TreeBuilder:
    has_dun = any((m := read_marker(ln)) and m.family == "dun" for ln in lines)
    builder = _TreeBuilder(has_dun=has_dun)
    for i, line in enumerate(lines):
        marker = read_marker(line)
        if marker:
            builder.add_numbered(marker)
        elif not has_dun and _is_unnumbered_heading(lines, i):
            builder.open_top(line)
        else:
            builder.add_paragraph(line)
    return builder


def _last_leaf(section: CorpusSection) -> CorpusSection:
    return _last_leaf(section.subsections[-1]) if section.subsections else section


def _take_closing(sections: list[CorpusSection]) -> list[str]:
    """Move a trailing 总之…/总体来看… summing-up out of the last section."""
    if not sections:
        return []
    leaf = _last_leaf(sections[-1])
    starts = [i for i, p in enumerate(leaf.paragraphs) if i > 0 and _CLOSING_START.match(p)]
    if not starts:
        return []
    closing = leaf.paragraphs[starts[-1] :]
    del leaf.paragraphs[starts[-1] :]
    return closing


def _set_roles(sections: list[CorpusSection], results_report: bool) -> None:
    for top in sections:
        top.role = role_for_heading(top.heading, results_report)
        for sub in top.walk():
            sub.role = top.role


def parse_report(text: str, report_id: str, source: str = "") -> CorpusReport:
    """Parse one cleaned report (title on its first line) into a CorpusReport."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    title, body = _split_title(lines)
    tree = _build_tree(body)
    closing = _take_closing(tree.sections)
    results = is_results_report(tree.opening, [s.heading for s in tree.sections])
    _set_roles(tree.sections, results)
    return CorpusReport(
        id=report_id,
        title=title,
        genre=genre_for_title(title),
        source=source,
        opening=tree.opening,
        sections=tree.sections,
        closing=closing,
    )


_MARKDOWN_PREFIX = re.compile(r"^\s*(#{1,6}\s+|[-*+]\s+|>\s*)")


def parse_text_report(text: str, report_id: str = "user", source: str = "") -> CorpusReport:
    """Parse a user's own example (.txt/.md, or text pulled out of a .docx) with the same rules."""
    lines = [_MARKDOWN_PREFIX.sub("", ln).replace("**", "").replace("__", "") for ln in text.splitlines()]
    return parse_report(clean_page("\n".join(lines)), report_id, source)
