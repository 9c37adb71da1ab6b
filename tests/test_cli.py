import docx
import pytest

from zongjie.cli import main


def test_cli_writes_docx_and_markdown(tmp_path, bullets_text):
    src = tmp_path / "bullets.txt"
    src.write_text(bullets_text, encoding="utf-8")
    out = tmp_path / "out" / "report.docx"
    code = main(["draft", str(src), "--unit", "共青团某某区委员会", "--period", "2023年上半年",
                 "--genre", "工作总结", "--date", "2023年7月10日", "-o", str(out), "--fake"])
    assert code == 0
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert md.startswith("# 共青团某某区委员会2023年上半年工作总结")
    assert "## 一、主要做法和成效" in md and "4560名" in md and "2023年7月10日" in md
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "一、主要做法和成效" in text and "（一）" in text and "8.6万人次" in text


def test_cli_empty_input_is_a_clear_error(tmp_path, capsys):
    src = tmp_path / "empty.txt"
    src.write_text("\n\n", encoding="utf-8")
    code = main(["draft", str(src), "--unit", "团委", "--period", "2023年", "--fake", "-o", str(tmp_path / "x.docx")])
    assert code == 2
    assert "请先输入工作要点" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


def test_cli_non_utf8_file(tmp_path, capsys):
    src = tmp_path / "gbk.txt"
    src.write_bytes("开展活动30场".encode("gbk"))
    assert main(["draft", str(src), "--unit", "团委", "--period", "2023年", "--fake"]) == 2
    assert "UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("concurrency", [1, 4])
def test_cli_drafts_sections_concurrently_against_a_remote_endpoint(tmp_path, bullets_text, monkeypatch, concurrency):
    """ZONGJIE_CONCURRENCY reaches the CLI's drafter (it used to be ignored there): against a remote
    endpoint that many sections are in flight at once, and the report is the same."""
    from bench.speed_remote import grounded_answer
    from bench.stub_server import StubServer, ok

    src = tmp_path / "bullets.txt"
    src.write_text(bullets_text, encoding="utf-8")
    out = tmp_path / f"report{concurrency}.docx"
    with StubServer(ok(grounded_answer), latency_per_token=0.005) as stub:
        for name, value in (("BASE_URL", stub.url), ("API_KEY", "test-key"), ("STYLE", "full"),
                            ("CONCURRENCY", str(concurrency))):
            monkeypatch.setenv(f"ZONGJIE_{name}", value)
        code = main(["draft", str(src), "--unit", "共青团某某区委员会", "--period", "2023年上半年",
                     "--no-examples", "-o", str(out)])
        peak, calls = stub.max_in_flight, len(stub.chat_requests)
    assert code == 0
    assert calls == 8, "one call per section, no repairs"
    assert peak == 1 if concurrency == 1 else 2 <= peak <= concurrency, peak
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "4560名" in md and "## 三、下一步工作打算" in md


def test_cli_reports_placeholders_and_typos_in_the_bullets_before_drafting(tmp_path, capsys):
    """Issue 14 item 6: 党的XX大 and 掯实 are named with their line before any section is drafted, and the
    draft does not turn them into something else."""
    src = tmp_path / "bullets.txt"
    src.write_text("组织学习党的XX大精神宣讲12场\n问题：\n掯实工作责任不够到位\n", encoding="utf-8")
    out = tmp_path / "report.docx"
    code = main(["draft", str(src), "--unit", "共青团某某区委员会", "--period", "2023年上半年", "--fake",
                 "-o", str(out)])
    assert code == 0
    err = capsys.readouterr().err
    assert "提示：第1行要点含占位符“XX”，请先补全。" in err
    assert "提示：第3行要点疑有错别字“掯实”，应为“压实”，请先改正。" in err
    assert "某某" not in err, "the unit field's 某某 is a legitimate example name"
    assert err.index("第1行要点") < err.index("起草 "), "reported before drafting"
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "切实工作责任" not in md and "压实工作责任不够" not in md


def test_cli_target_length_reaches_the_brief_and_is_checked(tmp_path, monkeypatch, capsys):
    """Issue 14: --length sets the target (约N字); an absurd one is refused before drafting."""
    from zongjie import cli

    bullets = tmp_path / "b.txt"
    bullets.write_text("开展主题团日活动30场\n发展团员35名\n", encoding="utf-8")
    out = tmp_path / "r.docx"
    assert cli.main(["draft", str(bullets), "--unit", "共青团某某区委员会", "--period", "2024年上半年",
                     "--fake", "--length", "50", "-o", str(out)]) == 2
    assert "目标字数应在" in capsys.readouterr().err and not out.exists()
    seen = []
    real = cli.make_brief

    def spy(*a, **k):
        brief = real(*a, **k)
        seen.append(brief)
        return brief

    monkeypatch.setattr(cli, "make_brief", spy)
    assert cli.main(["draft", str(bullets), "--unit", "共青团某某区委员会", "--period", "2024年上半年",
                     "--fake", "--length", "1500", "-o", str(out)]) == 0
    assert seen[0].target_chars == 1500 and out.exists()
