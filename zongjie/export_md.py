"""Exports a Report as Markdown, and holds the reading order and text clean-up that the .docx
export shares (so both exports always show the same numbering and the same text)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from zongjie.model import Report, Section, numbered_heading
from zongjie.text import xml_safe

# Indentation is the layout's job; a model or a paste often adds its own 全角 spaces.
_INDENT = " \t\u3000"
# A line starting like this would turn into a Markdown heading, quote, list or rule.
_MD_BLOCK_START = re.compile(r"^([#>+*=-]|\d+[.)])")


@dataclass(frozen=True)
class Block:
    """One headed part of the report in reading order; level 0 is the opening, which has no heading."""

    level: int
    heading: str
    paragraphs: tuple[str, ...]


def clean_lines(text: str) -> list[str]:
    """One entry per non-blank line, without leading/trailing indentation."""
    lines = (line.strip(_INDENT) for line in xml_safe(text).split("\n"))
    return [line for line in lines if line]


def one_line(text: str) -> str:
    """Headlines and titles fragments must stay on one line."""
    return "".join(clean_lines(text))


def section_paragraphs(section: Section) -> tuple[str, ...]:
    return tuple(line for p in section.paragraphs for line in clean_lines(p.text))


def blocks(report: Report) -> list[Block]:
    """Opening first, then every section depth-first with its 一、/（一）/1． label."""
    out = [Block(0, "", section_paragraphs(report.opening))]
    out.extend(_section_blocks(report.sections, depth=1))
    return out


def _section_blocks(sections: list[Section], depth: int) -> list[Block]:
    out: list[Block] = []
    for i, sec in enumerate(sections, start=1):
        # Depth, not the stored level, decides the label: a subsection built with the
        # dataclass default level=1 must still print as （一）, not as a second 一、.
        label = numbered_heading(replace(sec, heading=one_line(sec.heading), level=min(depth, 3)), i)
        out.append(Block(min(depth, 3), label, section_paragraphs(sec)))
        out.extend(_section_blocks(sec.subsections, depth + 1))
    return out


def title_lines(report: Report) -> list[str]:
    """A title may be broken into lines on purpose (公文 titles are set as a trapezoid)."""
    return clean_lines(report.title)


def signature_lines(report: Report) -> list[str]:
    """落款: unit then date, each only if present."""
    return [line for line in (one_line(report.unit), one_line(report.date)) if line]


def _md_escape(line: str) -> str:
    match = _MD_BLOCK_START.match(line)
    if not match:
        return line
    cut = len(match.group(0)) - 1  # escape the character that makes it a block marker
    return line[:cut] + "\\" + line[cut:]


def export_markdown(report: Report) -> str:
    title = one_line(report.title)
    parts: list[str] = [f"# {title}"] if title else []
    for block in blocks(report):
        if block.level:
            parts.append("#" * (block.level + 1) + " " + block.heading)
        parts.extend(_md_escape(p) for p in block.paragraphs)
    parts.extend(signature_lines(report))
    return "\n\n".join(parts) + "\n"
