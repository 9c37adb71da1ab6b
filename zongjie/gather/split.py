"""A source text as numbered paragraphs, with the page furniture of 简报, 工作信息 and news items
(dates, 标题, 来源/编辑/审核 lines, issue numbers, page numbers) recognised so it never becomes a bullet."""
from __future__ import annotations

import re
import unicodedata

# Labels of a news page's or a 简报's furniture: "来源：团县委  编辑：张三", "责任编辑：李四", "（供稿：…）".
_LABELS = (r"来源|信息来源|文章来源|稿件来源|编辑|责任编辑|主编|编审|审核|审签|审校|审稿|校对|初审|复审|终审|供稿|撰稿|"
           r"作者|通讯员|记者|摄影|摄像|图片|图文|文字|文/图|图/文|发布时间|发布日期|发布者|发布人|时间|日期|浏览次数|"
           r"浏览量|阅读量|阅读|点击数|点击量|字号|分享到|分享|打印|关闭|附件|联系人|联系电话|电话|传真|邮箱|地址|"
           r"抄送|抄报|报送|报|送|发送|主送|签发|印发|承办|拟稿|核稿|关键词|标签")
_LABEL_LINE = re.compile(rf"^[（(【\[]?\s*(?:{_LABELS})\s*[:：]")
_LABEL_ANYWHERE = re.compile(rf"(?:^|\s|[（(【\[])(?:{_LABELS})\s*[:：]")
_FURNITURE = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十]+\s*页(?:\s*[,，/]?\s*共\s*[0-9０-９]+\s*页)?|共\s*[0-9０-９]+\s*页|[-—－]\s*[0-9０-９]+\s*[-—－]|[0-9０-９]{1,3}"
    r"|[（(]?\s*完\s*[）)]?|[-—－]*\s*(?:完|END|end)\s*[-—－]*|返回顶部|返回列表|打印本页|关闭窗口|【打印】.*|"
    r"【关闭】.*"
    r"|上一篇.*|下一篇.*|扫一扫.*|相关阅读.*|相关链接.*|推荐阅读.*|版权所有.*|Copyright.*|©.*|内部资料.*|注意保存.*)$")
# 简报 headers: "工作简报", "第5期", "2023年第5期（总第32期）", "共青团某某县委员会编  2023年3月15日".
_ISSUE = re.compile(r"第\s*[0-9０-９一二三四五六七八九十]+\s*期")
_DATE = re.compile(r"(?:[0-9０-９]{4}|[〇零一二三四五六七八九]{4})\s*[年./\-]\s*(?:[0-9０-９]{1,2}|"
                   r"[一二三四五六七八九十]{1,3})"
                   r"(?:\s*[月./\-]\s*(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*日?)?|"
                   r"(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?:[0-9０-９]{1,2}|"
                   r"[一二三四五六七八九十]{1,3})\s*日"
                   r"|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?|星期[一二三四五六日天]|周[一二三四五六日]")
_SENTENCE_PUNCT = re.compile(r"[，,。；;！!？?]")
_DIGIT = re.compile(r"[0-9０-９]")
_HEADER_WORDS = re.compile(r"简报|专报|快报|通讯|动态|信息|要闻|快讯|编印|主办|委员会|办公室|编$|印$|^关于")
MAX_TITLE_CHARS = 40


def clean(line: str) -> str:
    """Control characters dropped, odd whitespace folded (as the bullets box does)."""
    line = "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", line).strip()


def paragraphs(text: str) -> list[tuple[int, str]]:
    """The non-empty paragraphs (lines) of a text, numbered from 1 as a reader counts them in the file."""
    lines = (clean(raw) for raw in re.split(r"\r\n|[\n\r\u2028\u2029]", text))
    return list(enumerate((line for line in lines if line), start=1))


def is_boilerplate(line: str) -> bool:
    """Furniture rather than content: dates alone, labels (来源：/编辑：), issue and page numbers, titles."""
    if _FURNITURE.match(line) or _LABEL_LINE.match(line):
        return True
    short = len(line) <= 80 and not re.search(r"[。！？]", line)
    if short and _LABEL_ANYWHERE.search(line):
        return True  # "2023-03-15  来源：团县委  作者：张三"
    without_dates = _DATE.sub("", line)
    if not re.search(r"[\u4e00-\u9fffA-Za-z]", without_dates):
        return True  # a date (and time) only
    if _ISSUE.search(line) and not _SENTENCE_PUNCT.search(line):
        return True  # 第5期 / 2023年第5期（总第32期）
    if _SENTENCE_PUNCT.search(line) or len(line) > MAX_TITLE_CHARS:
        return False
    if _HEADER_WORDS.search(without_dates):
        return True  # "共青团某某县委员会编  2023年3月15日", "工作简报"
    # A title or heading states no figure of its own ("团县委开展学雷锋志愿服务活动", "一、工作开展情况");
    # a short line with a figure or a date is a list-style fact ("发展新团员35名", "3月5日召开团干部会议").
    return not _DIGIT.search(line)
