"""Draft-quality bench: cases built from the seed reports, drafted with the configured model, scored.

Each case takes one corpus report's factual sentences as bullets, drafts a report with that report
left out of retrieval (leave-one-out), and prints per case and overall: fact recall, invented facts,
unused bullets, exemplar leaks and structure conformity; with --compare-repair, before and after
the repair turn.

    .venv/bin/python bench/quality.py                   # embedded model (minutes)
    .venv/bin/python bench/quality.py --fake --limit 3  # template model, seconds
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.index import default_index  # noqa: E402
from retrieval.ingest import load_corpus  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.draft import Drafter  # noqa: E402
from zongjie.export_md import export_markdown  # noqa: E402
from zongjie.facts import check_facts, extract_facts, report_ledger  # noqa: E402
from zongjie.grounding import allowed_terms  # noqa: E402
from zongjie.model import Brief, Report  # noqa: E402
from zongjie.settings import load_settings  # noqa: E402
from zongjie.vocab import ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS  # noqa: E402

MAX_BULLETS = 8
PLACEHOLDER = re.compile(r"××|X(?=[\u4e00-\u9fff%])|[xX]{2,}")


@dataclass
class Case:
    report_id: str
    brief: Brief


@dataclass
class Score:
    recall: float
    invented: int
    unused: int
    leaks: int
    structure: float
    seconds: float


def sentences_with_facts(paragraphs: list[str]) -> list[str]:
    out = []
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[。；！？])", paragraph):
            sentence = sentence.strip().rstrip("。；")
            if 8 <= len(sentence) <= 120 and any(f.kind == "number" for f in extract_facts(sentence)) \
                    and not PLACEHOLDER.search(sentence):
                out.append(sentence)
    return out


def build_cases(limit: int | None) -> list[Case]:
    """A case per corpus report that has at least 3 factual sentences in its results sections."""
    cases = []
    for report in load_corpus():
        results = [p for s in report.sections if s.role == ROLE_RESULTS
                   for sub in [s, *s.subsections] for p in sub.paragraphs]
        facts = sentences_with_facts(results)[:MAX_BULLETS]
        if len(facts) < 3:
            continue
        problems = [p for s in report.sections if s.role == ROLE_PROBLEMS for p in s.paragraphs][:1]
        lines = facts + [f"问题：{p[:60]}" for p in problems]
        year = re.search(r"20\d\d", report.title)
        period = f"{year.group(0) if year else '2023'}年上半年"
        brief = make_brief("\n".join(lines), "共青团某某县委员会", period, report.genre)
        cases.append(Case(report.id, brief))
    return cases[:limit] if limit else cases


def structure_checks(report: Report) -> list[bool]:
    return [
        bool(report.opening.text),
        [s.role for s in report.sections] == [ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS],
        len(report.sections[0].subsections) >= 1,
        all(s.text.strip() for s in report.drafting_units()),
        report.opening.text.rstrip().endswith(("如下：", "如下:")),
        all(len(s.text) >= 20 for s in report.drafting_units()),
    ]


def structure_score(report: Report) -> float:
    checks = structure_checks(report)
    return sum(checks) / len(checks)


def exemplar_leaks(report: Report, brief: Brief, index) -> int:
    """Facts of the exemplar passages (unmasked) or placeholder debris that reached the draft."""
    leaks = 0
    for section in report.drafting_units():
        text = section.text
        leaks += len(PLACEHOLDER.findall(text))
        for pid in section.exemplar_ids:
            passage = index.get(pid)
            if passage is None:
                continue
            given = {f.raw for b in brief.bullets for f in extract_facts(b.text)}
            own = {f.raw for f in extract_facts(passage.text)} - given
            leaks += sum(1 for raw in own if len(raw) >= 3 and raw in text)
    return leaks


def score(report: Report, brief: Brief, index, seconds: float) -> Score:
    allowed = allowed_terms(report) + [s.heading for s in report.all_sections()]
    ledger = report_ledger(report, brief.bullets, allowed)
    full = "\n".join(s.text for s in report.all_sections())
    wanted = [b for b in brief.bullets if any(f.kind == "number" for f in extract_facts(b.text))]
    found = check_facts(full, wanted, allowed=allowed).used_bullets
    recall = len([b for b in wanted if b.id in found]) / len(wanted) if wanted else 1.0
    return Score(recall, len(ledger.unsupported), len(ledger.unused), exemplar_leaks(report, brief, index),
                 structure_score(report), seconds)


def run(args: argparse.Namespace) -> None:
    index = default_index()
    settings = load_settings()
    if args.style:
        settings = replace(settings, style=args.style)
    if args.fake:
        from zongjie.fake_llm import TemplateChatModel

        chat, server, compact = TemplateChatModel(), None, False
    else:
        from zongjie.llm import connect

        chat, server = connect(settings)
        compact = settings.compact
    modes = [False, True] if args.compare_repair else [not args.no_repair]
    cases = build_cases(args.limit)
    print(f"{len(cases)} cases, model={'template' if args.fake else settings.model or 'embedded'}, "
          f"style={'compact' if compact else 'full'}")
    totals: dict[bool, list[Score]] = {m: [] for m in modes}
    try:
        for case in cases:
            for repair in modes:
                drafter = Drafter(chat=chat, index=index, repair=repair, compact=compact,
                                  exclude_report=case.report_id)
                started = time.monotonic()
                report = drafter.draft_report(case.brief)
                s = score(report, case.brief, index, time.monotonic() - started)
                totals[repair].append(s)
                if args.dump:
                    args.dump.mkdir(parents=True, exist_ok=True)
                    (args.dump / f"{case.report_id}-repair-{'on' if repair else 'off'}.md").write_text(
                        export_markdown(report), encoding="utf-8")
                print(f"{case.report_id:8} repair={'on ' if repair else 'off'} bullets={len(case.brief.bullets):2} "
                      f"recall={s.recall:.2f} invented={s.invented} unused={s.unused} leaks={s.leaks} "
                      f"structure={s.structure:.2f} time={s.seconds:.0f}s", flush=True)
    finally:
        if server:
            server.stop()
    for repair, scores in totals.items():
        if not scores:
            continue
        n = len(scores)
        print(f"OVERALL repair={'on ' if repair else 'off'} cases={n} "
              f"recall={sum(s.recall for s in scores) / n:.2f} "
              f"invented={sum(s.invented for s in scores)} ({sum(s.invented for s in scores) / n:.1f}/case) "
              f"unused={sum(s.unused for s in scores)} leaks={sum(s.leaks for s in scores)} "
              f"structure={sum(s.structure for s in scores) / n:.2f} "
              f"time={sum(s.seconds for s in scores):.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="template model instead of the configured one")
    parser.add_argument("--limit", type=int, default=None, help="only the first N cases")
    parser.add_argument("--style", choices=("auto", "compact", "full"), default=None)
    parser.add_argument("--no-repair", action="store_true")
    parser.add_argument("--compare-repair", action="store_true", help="draft each case without and with repair")
    parser.add_argument("--dump", type=Path, default=None, help="write each draft as Markdown into this folder")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
