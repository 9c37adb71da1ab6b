"""Where a gathered bullet came from, written as a marker at the end of its line in the bullets box:
“开展主题团日活动30场〔来自《3月工作信息》第2段〕”. The marker travels with the line through edits, saves,
two-tab merges and the CLI's bullets file, and is stripped before the fact check or a prompt sees it."""
from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE, LEAD = "〔", "〕", "来自"
_NAME_FORBIDDEN = re.compile(r"[《》〔〕\n\r]")
_PLACE = r"《[^《》〔〕\n]{1,80}》第\d{1,4}段"
_MARKER = re.compile(rf"\s*{OPEN}{LEAD}((?:{_PLACE})(?:[；;]{_PLACE})*){CLOSE}\s*$")
_ONE = re.compile(r"《([^《》〔〕\n]{1,80})》第(\d{1,4})段")


@dataclass(frozen=True)
class Place:
    """One paragraph of one source file (paragraphs counted from 1, blank lines not counted)."""

    file: str
    paragraph: int

    def __str__(self) -> str:
        return f"《{self.file}》第{self.paragraph}段"


def file_label(filename: str) -> str:
    """The name a place shows: the file's name without folder and extension, never breaking the marker."""
    name = re.split(r"[\\/]", filename)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return _NAME_FORBIDDEN.sub("", stem).strip()[:80] or "素材"


def source_text(places: list[Place]) -> str:
    """"《3月工作信息》第2段；《4月简报》第1段": what Bullet.source holds."""
    return "；".join(str(p) for p in places)


def with_marker(text: str, places: list[Place]) -> str:
    """The bullet line with its provenance marker; the line alone when there is none."""
    return f"{text}{OPEN}{LEAD}{source_text(places)}{CLOSE}" if places else text


def split_marker(line: str) -> tuple[str, str]:
    """The line without a trailing provenance marker, and the marker's source text ("" without one)."""
    m = _MARKER.search(line)
    if not m:
        return line, ""
    return line[: m.start()].rstrip(), m.group(1).replace(";", "；")


def places(source: str) -> list[Place]:
    return [Place(name, int(n)) for name, n in _ONE.findall(source)]
