"""A user's own example reports: check and parse an upload (.docx/.txt/.md) into the corpus tree,
keep it in the data dir, and add it to a private copy of the retrieval index."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.corpus import CorpusReport
from retrieval.parse import parse_text_report
from retrieval.tagging import genre_for_title
from zongjie.brief import clean_line
from zongjie.settings import data_dir
from zongjie.upload import MSG_SAVE_FAILED, ExampleError, check_is_report, read_text_safely

if TYPE_CHECKING:  # retrieval.index loads jieba and bm25s; only index() needs them
    from retrieval.index import SectionIndex

log = logging.getLogger(__name__)

_ID_PATTERN = re.compile(r"^user-[0-9a-f]{10}$")

# Reading an upload (limits, encodings, Word numbering, its messages and ExampleError) is zongjie.upload's.
__all__ = ["ExampleError", "ExampleLibrary", "parse_example", "report_id_for"]

# ---------------------------------------------------------------- parsing

def report_id_for(text: str) -> str:
    """Same wording, same id, whatever the file: a .docx re-saved by Word keeps its id."""
    normalized = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return "user-" + hashlib.sha1(normalized.encode("utf-8")).hexdigest()[:10]


def parse_example(filename: str, data: bytes) -> CorpusReport:
    """Check and parse one upload into the corpus tree; raises ExampleError with a user message."""
    text = read_text_safely(filename, data)
    # The browser may send a Windows path; NUL, newlines and bidi overrides in a name would reach
    # the page's labels and the title of the example (clean_line drops every control character).
    name = clean_line(Path(filename.replace("\\", "/")).name)
    report = parse_text_report(text, report_id_for(text), name)
    check_is_report(text, report)
    if not report.title:
        report.title = Path(name).stem
        report.genre = genre_for_title(report.title)
    return report


# ---------------------------------------------------------------- persistence

def _write_atomic(path: Path, payload: dict[str, Any]) -> None:
    """Temp file + os.replace: a crash leaves the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".example-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ExampleLibrary:
    """The user's imported examples, one corpus-format JSON per report under data_dir()/examples."""

    def __init__(self, directory: Path | None = None):
        # Not created here: listing must work (empty) where the data directory cannot exist; add()
        # creates it and turns a refusal into MSG_SAVE_FAILED.
        self.directory = Path(directory) if directory is not None else data_dir(create=False) / "examples"

    def _path(self, report_id: str) -> Path:
        if not _ID_PATTERN.match(report_id):
            # Ids come back from the UI; only our own shape may become a file name.
            raise ExampleError("找不到这份范文，请刷新页面后重试。")
        return self.directory / f"{report_id}.json"

    def add(self, filename: str, data: bytes) -> CorpusReport:
        """Parse, then save; the same content imported again replaces its earlier copy."""
        report = parse_example(filename, data)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(self._path(report.id), report.to_dict())
        except OSError:
            log.warning("could not save example %s", report.id, exc_info=True)
            raise ExampleError(MSG_SAVE_FAILED) from None
        return report

    def list(self) -> list[CorpusReport]:
        """Saved examples, oldest import first; a damaged file is skipped, not fatal."""
        if not self.directory.is_dir():
            return []
        files = [p for p in self.directory.glob("user-*.json") if _ID_PATTERN.match(p.stem)]
        reports: list[CorpusReport] = []
        for path in sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name)):
            try:
                reports.append(CorpusReport.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("skipping unreadable example file %s", path, exc_info=True)
        return reports

    def remove(self, report_id: str) -> bool:
        """Delete one example; False if it was not there."""
        path = self._path(report_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def index(self, base: SectionIndex | None = None) -> SectionIndex:
        """A copy of `base` (default: the shipped corpus index) with these examples added;
        the shared index is never changed."""
        if base is None:
            from retrieval.index import default_index

            base = default_index()
        combined = base.copy()
        mine = self.list()
        if mine:
            combined.add_reports(mine)
        return combined
