"""The speed benchmarks still run: each script at a tiny size, its printed figures parsed and sanity-checked."""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

NUMBER = r"([0-9]+(?:\.[0-9]+)?)"


def figure(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no figure matching {pattern!r} in:\n{text}"
    value = float(match.group(1))
    assert math.isfinite(value) and value >= 0
    return value


def test_retrieval_scale_small(capsys):
    import retrieval_scale

    assert retrieval_scale.main(["--reports", "50", "--queries", "30", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "50 synthetic reports" in out
    passages = figure(r"\): " + NUMBER + r" passages", out)
    assert passages > 50 * 3
    index_s = figure(r"SectionIndex\(\.\.\.\) " + NUMBER + " s", out)
    tokenise_s = figure(r"tokenise \(jieba\) " + NUMBER + " s", out)
    bm25_s = figure(r"bm25s index " + NUMBER + " s", out)
    assert 0 < index_s < 60 and tokenise_s + bm25_s <= index_s + 0.01
    row = re.search(r"\ball\s+(\d+)\s+" + r"\s+".join([NUMBER] * 4), out)
    assert row, out
    n, p50, p95, p99, worst = int(row.group(1)), *map(float, row.groups()[1:])
    assert n == 30 and 0 < p50 <= p95 <= p99 <= worst < 1000
    assert figure(r"peak RSS " + NUMBER + " MiB", out) > 10
    assert "nproc" in out and "Python 3." in out


def test_synthetic_corpus_is_deterministic_and_consistent():
    import retrieval_scale

    from retrieval.corpus import load_corpus
    from zongjie.vocab import GENRES

    seeds = load_corpus()
    a = retrieval_scale.synthesize(seeds, 20, seed=3)
    b = retrieval_scale.synthesize(seeds, 20, seed=3)
    assert [r.to_dict() for r in a] == [r.to_dict() for r in b]
    assert len({r.id for r in a}) == 20
    seed_roles = {(s.heading, s.role) for r in seeds for s in r.all_sections()}
    for report in a:
        assert report.genre in GENRES and report.sections
        # every heading keeps the role it had in the seed corpus
        assert {(s.heading, s.role) for s in report.all_sections()} <= seed_roles


@pytest.mark.browser
def test_first_paint_single_run(capsys):
    import first_paint

    assert first_paint.main(["--runs", "1", "--skip-model"]) == 0
    out = capsys.readouterr().out
    health = figure(r"start → health OK\s+" + NUMBER, out)
    paint = figure(r"start → first paint\s+" + NUMBER, out)
    reload = figure(r"warm reload → paint\s+" + NUMBER, out)
    assert 0 < health < paint < 60 and 0 < reload < 60
    assert "skipped: --skip-model given" in out


def test_speed_local_reads_prefill_per_call_from_llama_server_timing_lines():
    sys.path.insert(0, str(BENCH.parent))
    from bench.speed_local import prefill_per_call

    log = ("slot print_timing: id  0 | task 3 | prompt eval time =     400.00 ms /    15 tokens (...)\n"
           "slot print_timing: id  1 | task 4 | prompt eval time =     600.00 ms /    41 tokens (...)\n"
           "slot print_timing: id  1 | task 9 | prompt eval time =    9000.00 ms /   869 tokens (...)\n")
    assert prefill_per_call(log) == (3, 0.6, 41)
    assert prefill_per_call("no timing lines here") == (0, 0.0, 0.0)


def test_speed_local_sums_the_servers_decode_time_not_its_prefill_or_total():
    sys.path.insert(0, str(BENCH.parent))
    from bench.speed_local import server_decode_seconds

    log = ("slot print_timing: id  0 | task 3 | prompt eval time =     442.39 ms /    15 tokens (...)\n"
           "slot print_timing: id  0 | task 3 |        eval time =    3526.23 ms /    55 tokens (...)\n"
           "slot print_timing: id  0 | task 3 |       total time =    3968.62 ms /    70 tokens\n"
           "slot print_timing: id  0 | task 4 |        eval time =    1473.77 ms /    20 tokens (...)\n")
    assert server_decode_seconds(log) == pytest.approx(5.0)
    assert server_decode_seconds("no timing lines here") == 0.0
