"""Strip web-page boilerplate from a scraped 范文 page and split multi-report pages into reports."""
from __future__ import annotations

import re

from zongjie.text import HALF_TO_FULL

# A line matching one of these is site furniture wherever it appears.
_DROP_LINE = re.compile(
    r"^(当前位置|发布时间|更新时间|会员上传|下面是小编|推荐度|文档为docx格式|将本信息的Word|点击下载)"
    r"|访问手机版|本站经过数据分析整理|Copyright|版权所有|备案号|ICP备"
    r"|^\d+$|^\S+\.docx$|^\S{0,12}网\s*\|$"
)
# Once the body has started, everything from one of these lines on is the page footer.
_TAIL_START = re.compile(r"^(推荐访问|推荐阅读|相关推荐|本文标题|链接地址|版权声明|更多关于.*请关注本站)")
# The "十篇" pages mark each report with a line like 2021意识形态工作情况总结十篇3.
_MULTI_MARKER = re.compile(r"^(?P<title>\S{2,40}?)(?P<count>[二三四五六七八九十]+)篇(?P<n>\d{1,2})$")

_CJK = r"\u3400-\u9fff\u201c\u201d\u3001-\u303f\uff00-\uffef"


def _is_body_line(line: str) -> bool:
    """Report prose, as opposed to page headers: a sentence, or too long to be a title."""
    return "。" in line or len(line) > 60


def _full_width(line: str) -> str:
    """Half-width punctuation next to Chinese becomes full-width, as a 公文 writes it."""
    # The scrape lost non-GBK symbols to "?": · between words (三?八妇女节) and ㎡ after a number.
    line = re.sub(r"(?<=[\u4e00-\u9fff])\?(?=[\u4e00-\u9fff“])", "·", line)
    line = re.sub(r"(?<=\d)\?(?=[,，。；;]|$)", "平方米", line)
    for half, full in HALF_TO_FULL.items():
        line = re.sub(rf"(?<=[{_CJK}])\s*{re.escape(half)}\s*|\s*{re.escape(half)}(?=[{_CJK}])", full, line)
    line = re.sub(r"\(([^()]*)\)", r"（\1）", line)
    return line


def clean_page(raw: str) -> str:
    """Report text without the site's headers, footers and duplicated titles: one paragraph a line."""
    out: list[str] = []
    seen_header: set[str] = set()
    in_body = False
    for raw_line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.strip().strip("\u3000\ufeff").strip()
        if not line or _DROP_LINE.search(line):
            continue
        if in_body and _TAIL_START.search(line):
            break
        if not in_body and _TAIL_START.search(line):
            continue
        line = _full_width(line)
        in_body = in_body or _is_body_line(line)
        if not in_body:
            # Pages repeat their title two or three times above the text.
            if line in seen_header:
                continue
            seen_header.add(line)
        out.append(line)
    return "\n".join(out)


def split_reports(raw: str) -> list[str]:
    """Cleaned text of each report on the page; a "十篇" page gives ten, each led by its own title line."""
    lines = clean_page(raw).split("\n")
    chunks: list[list[str]] = []
    for line in lines:
        match = _MULTI_MARKER.match(line)
        if match:
            chunks.append([f"{match['title']}（{match['count']}篇之{match['n']}）"])
        elif chunks:
            chunks[-1].append(line)
    if not chunks:
        return ["\n".join(lines)] if any(lines) else []
    return ["\n".join(chunk) for chunk in chunks]
