"""Turn the scraped seed pages into corpus/: one parsed JSON and one cleaned .txt per report.

Run: python -m retrieval.ingest [SEEDS_DIR] [CORPUS_DIR]   (defaults: ../shared/seeds, corpus/)
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from retrieval.clean import clean_page, split_reports
from retrieval.corpus import DEFAULT_CORPUS_DIR, REPO_ROOT, CorpusReport, load_corpus, write_report
from retrieval.parse import parse_report, parse_text_report

__all__ = [
    "clean_page", "split_reports", "parse_report", "parse_text_report", "load_corpus",
    "ingest_file", "ingest_dir", "DEFAULT_SEEDS_DIR",
]

DEFAULT_SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
# Only files named like our report ids are ours to replace; README.md and anything else stays.
_GENERATED = re.compile(r"^\d{3}(-\d{2})?\.(json|txt)$")


def _report_id(seed: Path, index: int, count: int) -> str:
    """000_73c2….txt -> "000"; the 4th report of a multi-report page 002_… -> "002-04"."""
    stem = seed.name.split("_", 1)[0]
    return f"{stem}-{index + 1:02d}" if count > 1 else stem


def ingest_file(seed: Path) -> list[tuple[CorpusReport, str]]:
    """Each report of one seed page, with the cleaned text it was parsed from."""
    texts = split_reports(seed.read_text(encoding="utf-8"))
    return [(parse_report(t, _report_id(seed, i, len(texts)), seed.name), t) for i, t in enumerate(texts)]


def ingest_dir(seeds: Path, out: Path) -> list[CorpusReport]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if _GENERATED.match(old.name):
            old.unlink()
    reports: list[CorpusReport] = []
    for seed in sorted(seeds.glob("*.txt")):
        for report, text in ingest_file(seed):
            write_report(report, out)
            (out / f"{report.id}.txt").write_text(text + "\n", encoding="utf-8")
            reports.append(report)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="?", type=Path, default=DEFAULT_SEEDS_DIR)
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_CORPUS_DIR)
    args = parser.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"找不到范文目录：{args.seeds}", file=sys.stderr)
        return 2
    reports = ingest_dir(args.seeds, args.out)
    sections = sum(len(r.all_sections()) for r in reports)
    top = sum(len(r.sections) for r in reports)
    print(f"{len(reports)} reports, {top} top-level sections, {sections} sections in all -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
