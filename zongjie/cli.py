"""Command line: `python -m zongjie draft bullets.txt --unit … --period … --genre … -o report.docx`."""
from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from .brief import brief_warnings, input_findings, make_brief
from .errors import UserError
from .events import DraftListener
from .local_model import LocalModelError, assemble_model
from .settings import disable_tracing
from .vocab import GENRES

# The CLI's Markdown ends with this (an HTML comment, invisible when rendered): a .md that does not is
# the user's own, and is not overwritten without --force.
GENERATED_MARK = "<!-- 由 zongjie 生成；再次运行会覆盖本文件 -->"


class OutputError(UserError, ValueError):
    """An output path the CLI must not or cannot write; the message is a Chinese sentence."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zongjie", description="起草工作总结、情况汇报")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draft", help="根据要点文件起草报告")
    d.add_argument("bullets", type=Path, help="要点文本文件，每行一条（UTF-8）")
    d.add_argument("--unit", required=True, help="单位名称")
    d.add_argument("--period", required=True, help="时段，如 2023年上半年")
    d.add_argument("--genre", default=GENRES[0], choices=GENRES, help="文种")
    d.add_argument("--title", default="", help="标题（默认按单位、时段、文种生成）")
    d.add_argument("--date", default="", help="落款日期，如 2023年7月10日")
    d.add_argument("--length", type=int, default=None, metavar="字数",
                   help="目标字数，如 3000（约数，±15%%；默认按要点条数取常见篇幅）")
    d.add_argument("-o", "--output", type=Path, default=Path("report.docx"), help="输出 .docx（同名 .md 一并写出）")
    d.add_argument("--force", action="store_true", help="同名 .md 已存在且不是 zongjie 写出的文件时也覆盖")
    d.add_argument("--fake", action="store_true", help="不调用模型，用确定性模板（演示与测试用）")
    d.add_argument("--no-examples", action="store_true", help="不检索范文")
    d.add_argument("--inline-headlines", action="store_true", help="小标题与正文同段（（一）标题。正文……）")
    d.add_argument("--style", choices=("auto", "compact", "full"), default=None,
                   help="起草方式：compact 逐条扩写（适合内置小模型），full 整节生成并参照范文；默认 auto")
    g = sub.add_parser("gather", help="从工作信息、简报等素材中整理出要点（不调用模型）")
    g.add_argument("files", type=Path, nargs="+", help=".docx/.txt/.md 素材文件，可多个")
    g.add_argument("-o", "--output", type=Path, default=None, help="写出的要点文件（默认打印到屏幕）")
    g.add_argument("--no-source", action="store_true", help="要点行末不附〔来自《…》第N段〕")
    pc = sub.add_parser("plancheck", help="对照上期报告的下一步工作打算，逐项查看本期要点是否落实")
    pc.add_argument("last_report", type=Path, help="上期报告（.docx/.txt/.md）")
    pc.add_argument("bullets", type=Path, help="本期要点文件，每行一条（UTF-8）")
    sub.add_parser("prepare-model", help="拼装并校验内置模型文件，编译并自检本机的 llama.cpp 运行时")
    doc = sub.add_parser("doctor", help="检查内置模型：CPU 特性、llama.cpp 编译参数、模型文件、一次计时生成")
    doc.add_argument("--no-generate", action="store_true", help="不做生成测试")
    from .cli_team import add_commands

    add_commands(sub)  # user, audit, team-check (team mode)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("ZONGJIE_LOG", "WARNING"))
    disable_tracing()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "prepare-model":
            return prepare_command()
        if args.command == "gather":
            return gather_command(args)
        if args.command == "plancheck":
            return plancheck_command(args)
        if args.command == "doctor":
            from .doctor import report

            return 0 if report(generate=not args.no_generate) else 1
        if args.command in ("user", "audit", "team-check"):
            from .cli_team import run

            return run(args)
        return draft_command(args)
    except (UserError, LocalModelError, OSError, UnicodeDecodeError) as exc:
        print(f"错误：{_message(exc)}", file=sys.stderr)
        return 2


def gather_command(args: argparse.Namespace) -> int:
    """素材 → bullets: one per line (问题：/计划： where the role guess says so), each ending with its
    provenance unless --no-source (draft reads the marker and keeps it out of the text). A bad file is
    named and skipped; only when no file at all could be read is the exit status nonzero."""
    from .gather import MAX_FILES, gather_files

    if args.output is not None and any(_same_file(args.output, f) for f in args.files):
        raise OutputError(f"输出文件 {args.output} 是素材文件之一，写出会覆盖它。请用 -o 换一个文件名。")
    if args.output is not None and args.output.is_dir():
        raise OutputError(f"输出位置 {args.output} 是一个文件夹，请用 -o 指定一个文件名。")
    files, unreadable = [], []
    for path in args.files[: MAX_FILES + 1]:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            unreadable.append(f"{path.name}：无法读取（{_reason(exc)}）")
    result = gather_files(files)
    for problem in [*unreadable, *map(str, result.problems)]:
        print(f"未读取 {problem}", file=sys.stderr)
    if not result.sources:
        print("错误：没有读出任何素材，未写出要点。", file=sys.stderr)
        return 1
    lines = [c.line(marker=not args.no_source) for c in result.candidates]
    text = "\n".join(lines) + ("\n" if lines else "")
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    for n, c in enumerate(result.candidates, start=1):
        print(f"{n:3d}. [{c.role}] 来自{c.source}", file=sys.stderr)
    print(f"读取 {result.sources} 份素材，找到 {result.found} 条事实，合并重复 {result.merged} 条，"
          f"得到要点 {len(lines)} 条" + (f"，已写入 {args.output}" if args.output else "") + "。", file=sys.stderr)
    return 0


def plancheck_command(args: argparse.Namespace) -> int:
    """The table of last period's plan items against this period's bullets; nonzero when the report
    has no plan part to check against."""
    from .brief import parse_bullets
    from .plancheck import check_plans, plan_items, summary_line
    from .upload import read_text_safely

    items = plan_items(read_text_safely(args.last_report.name, args.last_report.read_bytes()))
    if not items:
        print("错误：上期报告中没有找到“下一步工作打算”或“下半年工作计划”部分。", file=sys.stderr)
        return 1
    matches = check_plans(items, parse_bullets(args.bullets.read_text(encoding="utf-8")))
    for n, m in enumerate(matches, start=1):
        found = f"  ← {m.bullet.id} {m.bullet.text}" if m.bullet else ""
        print(f"{n:2d}. [{m.status}] {m.item.label}{found}")
    print(summary_line(matches) + "（请逐项核对后再写入报告）", file=sys.stderr)
    return 0


def prepare_command() -> int:
    """Setup's last step: the model file, then a llama.cpp runtime proven on this CPU."""
    from .llama_setup import prepare_runtime

    print(assemble_model())
    binary, result = prepare_runtime(progress=lambda msg: print(msg, file=sys.stderr))
    print(f"内置模型自检通过：{binary}（解码 {result.predicted_per_second:.1f} token/s）", file=sys.stderr)
    return 0


def _message(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "要点文件不是 UTF-8 文本，请另存为 UTF-8 后重试。"
    if isinstance(exc, OSError) and not isinstance(exc, (UserError, LocalModelError)):
        return f"无法读写文件：{getattr(exc, 'filename', '') or exc}"
    return str(exc)


def draft_command(args: argparse.Namespace) -> int:
    from .export_docx import export_docx
    from .export_md import export_markdown
    from .runtime import runtime

    # Before anything slow: drafting takes minutes, and its result would be lost (or would destroy
    # the bullets file) if the outputs turned out to be unwritable only afterwards.
    docx_path, md_path = check_outputs(args.bullets, args.output, force=args.force)
    bullets_text = args.bullets.read_text(encoding="utf-8")
    brief = make_brief(bullets_text, args.unit, args.period, args.genre, args.title)
    if args.length is not None:
        if not 300 <= args.length <= 20000:
            raise OutputError("目标字数应在 300 到 20000 之间，例如 --length 3000。")
        brief.target_chars = args.length
    # Placeholders and typos first, by line of the file: the draft copies the bullets' words as they are.
    for finding in input_findings(bullets_text):
        print(f"提示：{finding.message}", file=sys.stderr)
    for warning in brief_warnings(brief):
        print(f"提示：{warning}", file=sys.stderr)
    notices: list[str] = []
    rt = runtime(fake=args.fake, style=args.style, notices=notices)
    for notice in notices:
        print(f"提示：{notice}", file=sys.stderr)
    progress = Progress()
    try:
        if rt.starts_server:
            print("正在启动内置模型并预热提示词缓存…", file=sys.stderr)
        drafter = rt.drafter(None if args.no_examples else _index())
        report = drafter.draft_report(brief, listener=progress, concurrency=rt.concurrency)
    finally:
        rt.close()
    report.date = args.date
    docx_path.write_bytes(export_docx(report, inline_headlines=args.inline_headlines))
    md_path.write_text(export_markdown(report) + "\n" + GENERATED_MARK + "\n", encoding="utf-8")
    issues = [i for s in report.all_sections() for i in s.issues]
    print(f"已写出 {docx_path} 和 {md_path}，用时 {time.monotonic() - progress.started:.1f} 秒"
          f"（模型调用 {drafter.stats['calls']} 次，其中核对后重写 {drafter.stats['repairs']} 次）。", file=sys.stderr)
    for issue in issues:
        print(f"  注意［{issue.kind}］{issue.section_key}：{issue.text}", file=sys.stderr)
    return 0


def check_outputs(source: Path, output: Path, *, force: bool = False) -> tuple[Path, Path]:
    """The .docx and .md paths to write, after making sure that writing them destroys nothing and
    will work: neither is the bullets file, the .md is not someone else's, both can be created.
    Raises OutputError with a Chinese message otherwise. Creates missing parent folders."""
    if output.suffix.lower() != ".docx":
        raise OutputError(f"输出文件应以 .docx 结尾（同名 .md 一并写出），例如 -o 报告.docx；现为 {output}。")
    md_path = output.with_suffix(".md")
    for path in (output, md_path):
        if _same_file(path, source):
            raise OutputError(f"输出文件 {path} 就是要点文件本身，写出会覆盖您的要点。请用 -o 换一个输出文件名。")
        if path.is_dir():
            raise OutputError(f"输出位置 {path} 是一个文件夹，请用 -o 指定一个文件名。")
    if md_path.exists() and not force and not _written_by_us(md_path):
        raise OutputError(f"{md_path} 已存在，且不是 zongjie 写出的文件，为免覆盖未起草。"
                          "请用 -o 换一个输出文件名，或加 --force 覆盖它。")
    folder = output.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".zongjie-probe-")
        os.close(fd)
        os.unlink(probe)
        for path in (output, md_path):
            if path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_APPEND))  # writable, and left untouched
    except OSError as exc:
        raise OutputError(f"无法写入输出位置 {output}：{_reason(exc)}。请用 -o 换一个可写的位置。") from exc
    return output, md_path


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)  # hard links and symlinks too
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _written_by_us(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 400))
            return GENERATED_MARK.encode("utf-8") in fh.read()
    except OSError:
        return False


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有写入权限"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "路径中有一段是文件而不是文件夹"
    if exc.errno == errno.ENOSPC:
        return "磁盘空间已满"
    if exc.errno == errno.EROFS:
        return "磁盘是只读的"
    return exc.strerror or type(exc).__name__


class Progress(DraftListener):
    """One line on stderr per section started or repaired, with the seconds since the start."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def _say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", file=sys.stderr)

    def section_started(self, key: str, heading: str) -> None:
        self._say(f"起草 {key} {heading}")

    def repairing(self, key: str) -> None:
        self._say(f"核对事实后重写 {key}")


def _index():
    from retrieval.index import default_index

    return default_index()
