"""Human baseline for the issue-14 draft measures: bench/metrics.py run over the human reports in corpus/.

For each report (corpus/<id>.txt for the text as published, corpus/<id>.json for its parsed parts) it
prints repeat_share, half-width punctuation and ASCII spaces next to Chinese (on the .txt), instruction
echoes (leave-one-out: the report itself is not counted as ordinary prose), the part lengths in
ideographs (whole, 一 做法和成效 with its share, 二 问题, 三 打算, the "一是" items) and the proxy bullet
count; then the median and max of each column, and the length calibration refitted (see
bench.metrics.length_ranges).

    .venv/bin/python bench/human_baseline.py            # about a second
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.metrics import (  # noqa: E402
    LENGTH_ELASTICITY,
    REFERENCE_BULLETS,
    ascii_spaces,
    calibrate_length,
    halfwidth_punct,
    instruction_echoes,
    length_ranges,
    part_lengths,
    proxy_bullets,
    repeat_share,
)

COLUMNS = ("repeat", "half", "space", "echo", "total", "一", "一%", "二", "三", "items", "item_med", "proxy")


def report_paragraphs(report: dict) -> list[str]:
    def walk(section: dict) -> list[str]:
        return list(section["paragraphs"]) + [p for sub in section["subsections"] for p in walk(sub)]

    return [*report["opening"], *(p for s in report["sections"] for p in walk(s)), *report["closing"]]


def measure(corpus: Path, prompts: Path) -> list[tuple[str, str, dict[str, float]]]:
    ids = sorted(p.stem for p in corpus.glob("*.json"))
    texts = {i: (corpus / f"{i}.txt").read_text(encoding="utf-8") for i in ids}
    rows = []
    for rid in ids:
        report = json.loads((corpus / f"{rid}.json").read_text(encoding="utf-8"))
        text = texts[rid]
        parts = part_lengths(report)
        others = [t for i, t in texts.items() if i != rid]
        row = {
            "repeat": repeat_share(text),
            "half": halfwidth_punct(text),
            "space": ascii_spaces(text),
            "echo": len(instruction_echoes(text, prompts, ordinary=others)),
            "total": parts.total,
            "一": parts.results,
            "一%": 100 * parts.results_share,
            "二": parts.problems,
            "三": parts.plans,
            "items": len(parts.items),
            "item_med": statistics.median(parts.items) if parts.items else 0,
            "proxy": proxy_bullets(report_paragraphs(report)),
        }
        rows.append((rid, report["genre"], row))
    return rows


def _cell(name: str, value: float) -> str:
    if name == "repeat":
        return f"{value:7.3f}"
    if name == "一%":
        return f"{value:7.0f}"
    return f"{value:7.0f}" if value == int(value) else f"{value:7.1f}"


def print_table(rows: list[tuple[str, str, dict[str, float]]]) -> None:
    print(f"{'report':8} {'genre':16} " + " ".join(f"{c:>7}" for c in COLUMNS))
    for rid, genre, row in rows:
        print(f"{rid:8} {genre[:8]:16} " + " ".join(_cell(c, row[c]) for c in COLUMNS))
    for label, fn in (("median", statistics.median), ("max", max)):
        print(f"{label:8} {'':16} " + " ".join(_cell(c, fn([r[c] for _, _, r in rows])) for c in COLUMNS))


def print_notes(rows: list[tuple[str, str, dict[str, float]]]) -> None:
    structured = [r for _, _, r in rows if r["二"] or r["三"]]
    print(f"\nreports with a 问题 or 打算 part: {len(structured)} of {len(rows)}")
    for name in ("total", "一%", "二", "三", "item_med"):
        values = [r[name] for r in structured if r[name]]
        if values:
            print(f"  {name:8} median {statistics.median(values):7.0f}  range {min(values):.0f}–{max(values):.0f}"
                  f"  (n={len(values)})")
    fitted = [(rid, genre, r) for rid, genre, r in rows if r["proxy"] >= 5]
    inside = []
    for rid, genre, r in fitted:
        lo, hi = length_ranges(int(r["proxy"]), genre).total
        inside.append(f"{rid} {r['total']:.0f} in {lo}–{hi}" + ("" if lo <= r["total"] <= hi else " ✗"))
    print(f"\nwhole report against length_ranges(proxy): {sum('✗' not in s for s in inside)} of {len(inside)} inside")
    print("  " + "; ".join(inside))
    points = [(int(r["proxy"]), int(r["total"])) for _, _, r in fitted]
    elasticity, reference = calibrate_length(points)
    print(f"\nlength calibration over {len(points)} reports with ≥5 fact sentences: elasticity {elasticity:.2f}, "
          f"reference bullets {reference:.1f} (bench.metrics uses {LENGTH_ELASTICITY}, {REFERENCE_BULLETS})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--prompts", type=Path, default=ROOT / "prompts")
    args = parser.parse_args(argv)
    rows = measure(args.corpus, args.prompts)
    if not rows:
        print(f"no corpus reports in {args.corpus}")
        return 1
    print("repeat/half/space/echo on corpus/<id>.txt; lengths in ideographs from corpus/<id>.json "
          "(一 = 做法和成效, 二 = 问题, 三 = 打算; items = \"一是\" items of part 一; proxy = fact sentences)\n")
    print_table(rows)
    print_notes(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
