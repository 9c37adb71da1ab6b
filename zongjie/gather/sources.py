"""The texts gather works on: uploaded files read with upload.py's safety checks (size, zip bomb,
encoding, old or encrypted Word) but not its report checks, and pasted text. A bad file gets its own
Chinese message and the others are still read."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import UserError
from ..provenance import file_label
from ..text import HAN_RE
from ..upload import read_text_safely

MAX_FILES = 200
PASTE_LABEL = "粘贴的素材"
MSG_NO_TEXT = "没有读出文字（文件是空的，或只有图片），已跳过。"
MSG_NO_CHINESE = "没有读出中文内容，已跳过。"
MSG_TOO_MANY = f"一次最多整理 {MAX_FILES} 个文件，超出的文件未读取，请分批整理。"


@dataclass(frozen=True)
class Source:
    """One file's (or the paste's) text; `label` is how provenance names it (《label》第N段)."""

    label: str
    text: str


@dataclass(frozen=True)
class FileProblem:
    filename: str
    message: str

    def __str__(self) -> str:
        return f"{self.filename}：{self.message}"


def read_sources(files: Iterable[tuple[str, bytes]], pasted: str = "") -> tuple[list[Source], list[FileProblem]]:
    """Every readable file (at most MAX_FILES) and the pasted text, with a problem per file that is not."""
    sources: list[Source] = []
    problems: list[FileProblem] = []
    labels: set[str] = set()
    for count, (filename, data) in enumerate(files, start=1):
        if count > MAX_FILES:
            problems.append(FileProblem(filename, MSG_TOO_MANY))
            break
        if not data:
            problems.append(FileProblem(filename, MSG_NO_TEXT))
            continue
        try:
            text = read_text_safely(filename, data)
        except UserError as exc:
            problems.append(FileProblem(filename, str(exc)))
            continue
        if not text.strip():
            problems.append(FileProblem(filename, MSG_NO_TEXT))
            continue
        if not HAN_RE.search(text):
            problems.append(FileProblem(filename, MSG_NO_CHINESE))
            continue
        sources.append(Source(_unique(file_label(filename), labels), text))
    if pasted.strip():
        sources.append(Source(_unique(PASTE_LABEL, labels), pasted))
    return sources, problems


def _unique(label: str, taken: set[str]) -> str:
    """Two files called 工作信息.docx (from two folders) must not share a provenance label."""
    name, n = label, 1
    while name in taken:
        n += 1
        name = f"{label}（{n}）"
    taken.add(name)
    return name
