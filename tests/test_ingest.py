"""Corpus ingestion: boilerplate stripping, report splitting, the section tree, genres and roles."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.corpus import CorpusReport
from retrieval.ingest import (
    DEFAULT_SEEDS_DIR,
    clean_page,
    ingest_dir,
    ingest_file,
    load_corpus,
    parse_report,
    parse_text_report,
    split_reports,
)
from retrieval.parse import read_marker, split_headline
from zongjie.vocab import GENRES, ROLE_OTHER, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS, ROLES

FIXTURES = Path(__file__).parent / "fixtures" / "retrieval"
CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"
needs_seeds = pytest.mark.skipif(not DEFAULT_SEEDS_DIR.is_dir(), reason="seed pages not present")

BOILERPLATE = (
    "当前位置", "发布时间", "更新时间", "来源：", "会员上传", "访问手机版", "推荐访问", "推荐阅读",
    "推荐度", "本文标题", "链接地址", "版权声明", "点击下载", "Word文档", "docx", "Copyright",
    "备案号", "版权所有", "本站经过数据分析整理", "仅供参考", "请关注本站", "下面是小编", "http",
)
SEED_REPORTS = {"000": 1, "001": 1, "002": 10, "003": 1, "004": 1}
R, P, L, OTHER = ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS, ROLE_OTHER
# report id -> [(top-level heading, role, number of subsections)]
EXPECTED_TREES = {
    "000": [("意识形态工作推进情况", R, 0), ("存在的问题及原因", P, 0), ("20××年意识形态工作计划", L, 3)],
    "001": [("2023年上半年主要做法与成效", R, 4), ("存在问题", P, 0), ("下一步工作打算", L, 0)],
    "002-01": [("推进思想政治工作", R, 6)],
    "002-02": [("工作总体情况", R, 3), ("工作亮点", R, 0), ("存在的问题及下步打算", P, 0)],
    "002-04": [
        ("加强组织领导，落实意识形态工作", R, 0), ("强化理论学习，确保理论武装到位", R, 0),
        ("抓好舆论引导，传播凝聚正能量", R, 0), ("弘扬社会文明，践行核心价值观", R, 0),
        ("立足当前抓谋划，助推工作上台阶", L, 5),
    ],
    "002-08": [
        ("学校各级干部对意识形态工作的重视程度与首都高校意识形态领域面临的严峻形势不适应", P, 0),
        ("学校意识形态工作体制机制与新形势下的任务要求不适应", P, 0),
        ("学校意识形态工作队伍的理论水平和工作本事与青年学生的需求不适应", P, 0),
        ("传统工作方法与日益发展变化的网络新媒体不适应", P, 0),
        ("掌握意识形态工作的主阵地", OTHER, 2), ("畅通意识形态工作的主渠道", OTHER, 3),
        ("依靠意识形态工作的主力军", OTHER, 3),
    ],
    "002-09": [("主要做法及取得的成效", R, 0), ("存在的问题", P, 0), ("下一步工作打算", L, 0)],
    "003": [
        ("以加强政治建设为统领，带动全团进一步强化“四个意识”，坚定“四个自信”，做到“两个维护”", R, 0),
        ("把党史学习教育作为总体规划，继续深化对青少年的思想引导", R, 0),
        ("立足“十四五”开局，组织动员广大团员青年在新时代建功立业，在新征程上奋进", R, 0),
        ("主动作为，积极拓展新时期共青团工作的空间和领域", R, 0),
        ("坚持不懈抓基层，夯实党的青年工作的基层基础", R, 0),
        ("适应国家治理体系和治理能力现代化的要求，全面深化共青团改革", R, 0),
        ("弘扬自我革命精神，扎实推进全面从严治团", R, 0),
    ],
    "004": [("主要做法和成效", R, 4), ("存在问题", P, 0), ("下半年工作计划", L, 7)],
}
EXPECTED_TOP_COUNTS = {"002-03": 4, "002-05": 4, "002-06": 5, "002-07": 4, "002-10": 3}


@pytest.fixture(scope="module")
def seed_reports() -> dict[str, CorpusReport]:
    if not DEFAULT_SEEDS_DIR.is_dir():
        pytest.skip("seed pages not present")
    reports = [r for seed in sorted(DEFAULT_SEEDS_DIR.glob("*.txt")) for r, _ in ingest_file(seed)]
    return {r.id: r for r in reports}


@pytest.fixture(scope="module")
def corpus() -> dict[str, CorpusReport]:
    return {r.id: r for r in load_corpus()}


def _tree(report: CorpusReport) -> list[tuple[str, str, int]]:
    return [(s.heading, s.role, len(s.subsections)) for s in report.sections]


def _all_text(report: CorpusReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False)


# --- small pure pieces -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line, family, number",
    [
        ("一、主要做法和成效", "dun", 1),
        ("（三）注重舆论引导", "paren", 3),
        ("(3)党委维护网络思想安全。以…", "paren", 3),
        ("6.坚持不懈抓基层", "arabic", 6),
        ("二是阵地作用未能完全发挥", "shi", 2),
        ("第五，主动作为", "di", 5),
        ("其次，加强网络素养教育", "di", 2),
    ],
)
def test_read_marker(line, family, number):
    marker = read_marker(line)
    assert (marker.family, marker.number) == (family, number)


@pytest.mark.parametrize("line", ["2022年是全面建设社会主义现代化国家的重要一年。", "25.3万人次参与",
                                  "一年来，共青团…"])
def test_read_marker_ignores_prose(line):
    assert read_marker(line) is None


def test_split_headline_separates_body_on_same_line():
    assert split_headline("凝聚青年，紧扣时代主题，深化引领工作。一是常态化学习。二是…") == (
        "凝聚青年，紧扣时代主题，深化引领工作",
        "一是常态化学习。二是…",
    )
    assert split_headline("强化组织领导，落实意识形态“主心骨”") == ("强化组织领导，落实意识形态“主心骨”", "")


# --- boilerplate -------------------------------------------------------------------------------

def test_clean_page_strips_every_kind_of_boilerplate():
    raw = (FIXTURES / "boilerplate_page.txt").read_text(encoding="utf-8")
    text = clean_page(raw)
    for bad in BOILERPLATE:
        assert bad not in text, bad
    lines = text.split("\n")
    assert lines[0] == "某团委2023年工作总结"
    assert lines.count("某团委2023年工作总结") == 1
    assert lines[1].startswith("今年以来，某团委")  # half-width comma made full-width
    assert "（一）" in text and "推荐2名优秀团员" in text  # body text that merely says 推荐 survives
    assert lines[-1] == "继续做好青年工作。"


@needs_seeds
@pytest.mark.parametrize("prefix, count", sorted(SEED_REPORTS.items()))
def test_each_seed_splits_into_known_number_of_reports(prefix, count):
    seed = next(DEFAULT_SEEDS_DIR.glob(f"{prefix}_*.txt"))
    raw = seed.read_text(encoding="utf-8")
    texts = split_reports(raw)
    assert len(texts) == count
    for text in texts:
        for bad in BOILERPLATE:
            assert bad not in text, (seed.name, bad)
    assert split_reports(clean_page(raw)) == texts  # cleaning is idempotent


def test_seed_reports_total(seed_reports):
    assert len(seed_reports) == 14
    assert sorted(seed_reports)[:3] == ["000", "001", "002-01"]
    assert "002-10" in seed_reports


# --- the tree ----------------------------------------------------------------------------------

@pytest.mark.parametrize("report_id", sorted(EXPECTED_TREES))
def test_top_level_sections_roles_and_subsections(seed_reports, report_id):
    assert _tree(seed_reports[report_id]) == EXPECTED_TREES[report_id]


@pytest.mark.parametrize("report_id, count", sorted(EXPECTED_TOP_COUNTS.items()))
def test_top_level_counts(seed_reports, report_id, count):
    assert len(seed_reports[report_id].sections) == count


def test_titles_and_genres(seed_reports):
    titles = {rid: (r.title, r.genre) for rid, r in seed_reports.items()}
    assert titles["000"] == ("共青团委意识形态工作总结", GENRES[1])  # site suffix 范文 dropped
    assert titles["001"] == ("2024年镇团委上半年意识形态工作情况汇报", GENRES[1])
    assert titles["002-07"] == ("2021意识形态工作情况总结（十篇之7）", GENRES[1])
    assert titles["003"] == ("团委新媒体工作情况（院团委新媒体中心个人工作总结）", GENRES[0])
    assert titles["004"] == ("区团委2023年上半年工作总结及下半年工作计划", GENRES[2])
    assert sum(g == GENRES[1] for _, g in titles.values()) == 12


def test_openings(seed_reports):
    assert [len(seed_reports[i].opening) for i in ("000", "001", "002-09", "003", "004")] == [1, 1, 0, 2, 1]
    # The page's extra title spellings are not part of the opening.
    assert seed_reports["001"].opening[0].startswith("今年来，*镇团委")


def test_heading_with_body_on_same_line_is_split(seed_reports):
    first = seed_reports["004"].sections[0].subsections[0]
    assert first.heading == "凝聚青年，紧扣时代主题，深化青少年思想政治引领和价值引领工作"
    assert first.level == 2 and first.role == ROLE_RESULTS
    assert first.paragraphs[0].startswith("一是常态化学习")
    plan = seed_reports["004"].sections[2].subsections[0]
    assert (plan.heading, plan.role) == ("从严治团", ROLE_PLANS)
    assert plan.paragraphs[0].startswith("完善机关团干部学习制度")


def test_mixed_paren_numbering_and_promoted_parent(seed_reports):
    subs = seed_reports["002-01"].sections[0].subsections
    assert [s.heading for s in subs][2] == "党委维护网络思想安全"  # written (3)
    assert [s.heading for s in subs][5] == "落实市委思想政治工作纳入干部考核"  # written (6)
    assert all(s.level == 2 and len(s.paragraphs) == 1 for s in subs)


def test_semicolon_list_lines_join_into_one_paragraph(seed_reports):
    problems = seed_reports["001"].sections[1]
    assert len(problems.paragraphs) == 1
    assert problems.paragraphs[0].startswith("一是") and "二是" in problems.paragraphs[0]
    assert "三是宣传力度仍显薄弱" in problems.paragraphs[0]


def test_list_items_inside_a_section_stay_paragraphs(seed_reports):
    theory = seed_reports["002-04"].sections[1]
    assert len(theory.paragraphs) == 4 and theory.subsections == []
    assert [p[:2] for p in theory.paragraphs[1:]] == ["一是", "二是", "三是"]


def test_unnumbered_headings_take_numbered_children(seed_reports):
    channel = seed_reports["002-08"].sections[5]
    assert [s.heading for s in channel.subsections] == [
        "学校领导班子在意识形态工作上要高度一致",
        "学校各部门在意识形态工作上要明确任务",
        "意识形态工作运行上要构成闭环",
    ]
    assert [len(s.paragraphs) for s in channel.subsections] == [4, 3, 4]


def test_closing_paragraphs_leave_the_last_section(seed_reports):
    assert [p[:4] for p in seed_reports["002-03"].closing] == ["总体来看"]
    assert [p[:2] for p in seed_reports["002-06"].closing] == ["总之"]
    assert seed_reports["004"].closing == []


def test_no_boilerplate_in_any_parsed_report(seed_reports):
    for report in seed_reports.values():
        text = _all_text(report)
        for bad in BOILERPLATE:
            assert bad not in text, (report.id, bad)


def test_roles_are_valid_and_children_inherit(seed_reports):
    for report in seed_reports.values():
        for top in report.sections:
            assert top.role in ROLES
            assert all(s.role == top.role for s in top.walk())


# --- the committed corpus ----------------------------------------------------------------------

def test_committed_corpus_counts(corpus):
    assert len(corpus) == 14
    assert sum(len(r.sections) for r in corpus.values()) == 55
    assert sum(len(r.all_sections()) for r in corpus.values()) == 98
    assert all((CORPUS_DIR / f"{rid}.txt").is_file() for rid in corpus)


@needs_seeds
def test_committed_corpus_is_what_ingest_produces(tmp_path):
    ingest_dir(DEFAULT_SEEDS_DIR, tmp_path)
    (tmp_path / "README.md").write_text("kept", encoding="utf-8")
    ingest_dir(DEFAULT_SEEDS_DIR, tmp_path)  # a rerun replaces reports and keeps other files
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "kept"
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.*") if p.name != "README.md"}
    committed = {p.name: p.read_text(encoding="utf-8") for p in CORPUS_DIR.glob("*.*") if p.name != "README.md"}
    assert fresh == committed, "corpus/ is stale: run python -m retrieval.ingest"


# --- a user's own example ----------------------------------------------------------------------

def test_parse_text_report_markdown_levels():
    report = parse_text_report((FIXTURES / "user_example.md").read_text(encoding="utf-8"), "mine")
    assert report.id == "mine" and report.title == "某街道团工委2024年工作总结"
    assert report.genre == GENRES[0]
    assert report.opening == ["2024年，街道团工委围绕中心、服务大局，各项工作取得新进展。"]
    assert _tree(report) == [("主要工作成效", R, 2), ("存在的不足", P, 0), ("2025年工作打算", L, 0)]
    first = report.sections[0].subsections[0]
    assert (first.heading, first.level) == ("强化思想引领", 2)
    assert [(s.heading, s.level) for s in first.subsections] == [("开展青年大学习", 3), ("举办主题团日", 3)]
    assert first.subsections[0].paragraphs == ["全年组织学习48期，参学青年1.2万人次。"]
    assert report.sections[0].subsections[1].heading == "服务青年成长"  # written (二) half-width


def test_parse_report_without_headings_keeps_all_text_as_opening():
    report = parse_report("某团委工作总结\n今年以来，我们做了很多工作。\n明年继续努力。", "plain")
    assert report.title == "某团委工作总结"
    assert report.opening == ["今年以来，我们做了很多工作。", "明年继续努力。"]
    assert report.sections == []
