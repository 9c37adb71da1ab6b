"""素材整理 at work: pseudo-简报 built from the shipped reports, gathered back into bullets.

    .venv/bin/python bench/gather.py [--files 50] [--seed 0]

Each file takes 2–5 runs of consecutive sentences from one cleaned report (corpus/NNN.txt, headings and
title left out) as its paragraphs, wrapped in a 简报's furniture: title, 第N期 line, 编印 line with a date,
a news title, 来源/编辑/审核 lines, a date line, page numbers, a phone number. About one paragraph in six
is also reported in a second file, reworded the way a second 简报 would (近日，… / 据悉，… / …，反响热烈).
One file in five is a .docx. Ground truth: every number and date (zongjie.facts) of the content sentences.

  recall     share of those facts found verbatim in a bullet whose provenance names their file and
             paragraph (a duplicate merged away still counts: its place is on the bullet it merged into)
  precision  share of the numbers and dates in the bullets that are content facts of a paragraph the
             bullet names (not furniture: dates, 期号, page numbers, phone numbers)
  dedup      planted repeats, statements merged, and merges that joined different paragraphs' facts
  traceable  bullets every number of which occurs verbatim in the first paragraph they name
  time       gather_files on all files (reading included), one run
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from retrieval.parse import read_marker  # noqa: E402
from zongjie.facts import extract_facts  # noqa: E402
from zongjie.gather import gather_files, traceable  # noqa: E402
from zongjie.gather.split import paragraphs  # noqa: E402
from zongjie.provenance import file_label  # noqa: E402
from zongjie.text import sentences  # noqa: E402

CORPUS = Path(ROOT) / "corpus"
REWORD = (lambda s: "近日，" + s, lambda s: "据悉，" + s, lambda s: s.rstrip("。") + "，反响热烈。",
          lambda s: "日前，" + s.rstrip("。") + "，取得了良好效果。")


def content_runs(rng: random.Random) -> list[list[str]]:
    """Runs of 1–3 consecutive body sentences from every report (headings and the title left out)."""
    runs = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()][1:]
        for line in lines:
            if read_marker(line) is not None and len(line) < 30:
                continue
            body = [s.strip() for s in sentences(line) if len(s.strip()) >= 8]
            i = 0
            while i < len(body):
                n = rng.randint(1, 3)
                runs.append(body[i:i + n])
                i += n
    return runs


def furniture(rng: random.Random, n: int) -> tuple[list[str], list[str]]:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    head = ["共青团某某县委工作简报" if n % 2 else "工作信息", f"2023年第{n}期（总第{100 + n}期）",
            f"共青团某某县委员会办公室编　　2023年{month}月{day}日", "团县委扎实推进各项重点工作"]
    foot = [f"来源：团县委　编辑：张三　发布时间：2023-{month:02d}-{day:02d} 09:{n % 60:02d}", "审核：李四",
            f"2023年{month}月{day}日", f"第1页 共{rng.randint(2, 4)}页", "联系电话：0571-8765" + f"{n:04d}", "（完）"]
    return head, foot


def build(files: int, seed: int, copies: list[tuple[str, str]] | None = None
          ) -> tuple[list[tuple[str, bytes]], dict[tuple[str, int], str]]:
    """The files (name, bytes) and the content paragraphs' text by (file label, paragraph number);
    `copies` receives each planted repeat as (original text, reworded text)."""
    copies = [] if copies is None else copies
    rng = random.Random(seed)
    runs = content_runs(rng)
    rng.shuffle(runs)
    bodies: list[list[str]] = []
    for _ in range(files):
        take, runs = runs[: rng.randint(2, 5)], runs[5:]
        bodies.append(["".join(run) for run in take])
    for i, body in enumerate(bodies):  # the same item reported again in another file, reworded
        for text in list(body):
            if rng.random() < 1 / 6:
                other = bodies[(i + rng.randint(1, files - 1)) % files]
                copy = rng.choice(REWORD)(text)
                other.insert(rng.randint(0, len(other)), copy)
                copies.append((text, copy))
    out, truth = [], {}
    for n, body in enumerate(bodies, start=1):
        head, foot = furniture(rng, n)
        lines = head + body + foot
        name = f"{n:02d}-{'简报' if n % 2 else '工作信息'}{n}月" + (".docx" if n % 5 == 0 else ".txt")
        out.append((name, docx_bytes(lines) if name.endswith(".docx") else "\n".join(lines).encode("utf-8")))
        for number, paragraph in paragraphs("\n".join(lines)):
            if paragraph in body:
                truth[(file_label(name), number)] = paragraph
    return out, truth


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def facts(text: str) -> list[str]:
    return [f.raw for f in extract_facts(text) if f.kind in ("number", "date")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    copies: list[tuple[str, str]] = []
    files, truth = build(args.files, args.seed, copies)
    started = time.perf_counter()
    result = gather_files(files)
    seconds = time.perf_counter() - started
    texts = {(p.file, p.paragraph): "" for c in result.candidates for p in c.places}
    for name, data in files:
        raw = data.decode("utf-8") if name.endswith(".txt") else None
        if raw is None:
            from zongjie.upload import read_text_safely

            raw = read_text_safely(name, data)
        for number, paragraph in paragraphs(raw):
            if (file_label(name), number) in texts:
                texts[(file_label(name), number)] = paragraph
    wanted = [(place, raw) for place, text in truth.items() for raw in facts(text)]
    found = sum(any(place in c.places_key and raw in c.text for c in result.candidates) for place, raw in wanted)
    proposed = good = 0
    for c in result.candidates:
        for raw in facts(c.text):
            proposed += 1
            good += any(raw in facts(truth.get(key, "")) for key in c.places_key)
    # The first place backs every figure of the text; a merged duplicate's places follow it.
    trace = sum(traceable(c.text, texts.get(c.places_key[0], "")) for c in result.candidates)
    bad_merges = sum(len({truth.get(k) is None for k in c.places_key}) > 1 for c in result.candidates)
    where: dict[str, list[tuple[str, int]]] = {}
    for place, text in truth.items():
        where.setdefault(text, []).append(place)
    # A planted repeat is caught when one bullet names both its place and the original's.
    planted = [(where[a], where[b]) for a, b in copies if facts(a) and a in where and b in where]
    caught = sum(any(any(p in c.places_key for p in pa) and any(p in c.places_key for p in pb)
                     for c in result.candidates) for pa, pb in planted)
    recall = found / len(wanted) if wanted else 0.0
    precision = good / proposed if proposed else 0.0
    print(f"素材整理 bench: {len(files)} files ({sum(n.endswith('.docx') for n in [f for f, _ in files])} .docx), "
          f"{len(truth)} content paragraphs, {len(wanted)} facts, seed {args.seed}")
    print(f"  recall     {recall:.3f}  ({found}/{len(wanted)} facts found in a bullet naming their paragraph)")
    print(f"  precision  {precision:.3f}  ({good}/{proposed} numbers/dates in bullets are content facts)")
    print(f"  bullets    {len(result.candidates)} from {result.found} statements; problems: {len(result.problems)}")
    print(f"  dedup      {caught}/{len(planted)} planted repeats (with figures) merged with their original; "
          f"{result.merged} statements merged in all (rate {result.dedup_rate:.3f}); "
          f"merges of content with furniture: {bad_merges}")
    print(f"  traceable  {trace}/{len(result.candidates)} bullets: every number occurs in the first paragraph "
          "they name")
    print(f"  time       {seconds:.2f} s for {len(files)} files ({seconds / len(files) * 1000:.0f} ms a file)")
    return 0 if recall >= 0.95 and precision >= 0.9 and trace == len(result.candidates) else 1


if __name__ == "__main__":
    raise SystemExit(main())
