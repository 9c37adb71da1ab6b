"""Plain text of an uploaded report (.docx/.txt/.md), read defensively: size and zip-bomb limits, old
or macro Word files named, the text encoding detected (and mojibake refused), Word's automatic
numbering (一、 （一） 1.) put back in front of the paragraphs it numbers."""
from __future__ import annotations

import io
import logging
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from retrieval.corpus import CorpusReport
from retrieval.parse import read_marker
from zongjie.errors import UserError
from zongjie.text import cn_index

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
# A .docx is a zip: the upload limit says nothing about what it inflates to.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 2000
# Below this size a high ratio is harmless (an empty styles part compresses 200:1).
_RATIO_CHECK_FROM = 1024 * 1024
MIN_HAN_CHARS = 200
MIN_PARAGRAPHS = 3
# Of Han characters plus Latin letters, at least this share must be Han.
MIN_HAN_SHARE = 0.6

TEXT_SUFFIXES = (".txt", ".md")
DOCX_SUFFIX = ".docx"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .doc (and .xls …)
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

MSG_WRONG_TYPE = "只支持 .docx、.txt、.md 文件，请转换格式后再上传。"
MSG_OLD_DOC = "这是旧版 Word（.doc）文件，请在 Word 中另存为 .docx 后上传。"
MSG_EMPTY = "文件是空的，请选择一份写好的总结或汇报。"
MSG_TOO_BIG = f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，请删去图片或拆分后再上传。"
MSG_CORRUPT_DOCX = "无法读取该 Word 文件，文件可能已损坏，请在 Word 中打开后另存为 .docx 再上传。"
MSG_ZIP_BOMB = "这个 Word 文件解压后过大或结构异常，无法导入，请另存为新文件后再上传。"
MSG_BINARY = "文件里不是纯文本，请把内容另存为 .txt 后再上传。"
MSG_ENCODING = "无法识别文件的文字编码，请另存为 UTF-8 编码的 .txt 后再上传。"
MSG_TOO_LONG = f"文件超过 {MAX_TEXT_CHARS // 10000} 万字，请只保留一份总结或汇报后再上传。"
MSG_NOT_CHINESE = "这份文件主要不是中文，请上传中文的工作总结或汇报。"
MSG_TOO_SHORT = f"内容太短（不足 {MIN_HAN_CHARS} 字），请上传一份完整的工作总结或汇报。"
MSG_NOT_REPORT = "这份文件看起来不是工作总结或汇报（没有识别出“一、”这样的标题），请上传一份完整的总结或汇报。"
MSG_MACRO = "这是启用宏的 Word 文件（.docm），为安全起见不能导入，请在 Word 中另存为 .docx 后上传。"
MSG_TEMPLATE = "这是 Word 模板文件（.dotx），请在 Word 中用它新建文档并另存为 .docx 后上传。"
MSG_SAVE_FAILED = "范文保存失败，请检查磁盘空间或数据目录的权限后重试。"
MSG_ENCRYPTED = "这个 Word 文件设置了打开密码（已加密），无法读取。请在 Word 中取消密码后另存为 .docx 再上传。"


class ExampleError(UserError, ValueError):
    """An upload that cannot become an example; str() is a Chinese sentence for the user."""


# ---------------------------------------------------------------- text extraction

def extract_text(filename: str, data: bytes) -> str:
    """Plain text of an upload, one paragraph a line; the file type comes from its extension."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".doc":
        raise ExampleError(MSG_OLD_DOC)
    if suffix in (".docm", ".dotm"):
        raise ExampleError(MSG_MACRO)
    if suffix == ".dotx":
        raise ExampleError(MSG_TEMPLATE)
    if suffix == DOCX_SUFFIX:
        text = _docx_text(data)
    elif suffix in TEXT_SUFFIXES:
        text = _decode_text(data)
    else:
        raise ExampleError(MSG_WRONG_TYPE)
    if len(text) > MAX_TEXT_CHARS:
        raise ExampleError(MSG_TOO_LONG)
    return text


# Byte-order marks, longest first: a UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Legacy encodings tried after UTF-8, most likely first. GB18030 decodes almost any byte string,
# so whatever it yields is checked for being Chinese at all (see _looks_chinese) before it counts.
_LEGACY = ("gb18030", "big5")
# About 80 % of the Han characters of a real report are among the 500 most frequent ones (measured over
# the corpus: 76–83 %; a traditional-Chinese report 55 %); Shift-JIS, EUC-JP, EUC-KR or Big5 bytes read
# as GB18030 give 0–16 %, even where every character is a common one on its own.
MIN_FREQUENT_SHARE = 0.35
_SAMPLE_HAN = 4000  # enough characters for the statistic
COMMON_HAN_PATH = Path(__file__).parent / "data" / "common_han.txt"


@lru_cache(maxsize=1)
def _frequent_han() -> frozenset[str]:
    lines = COMMON_HAN_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line.strip() for line in lines if not line.startswith("#")))


def _looks_chinese(text: str) -> bool:
    """False for mojibake: Han characters, but hardly any of the frequent ones. Texts with hardly
    any Han characters pass here and are judged by the Chinese-share and length checks later."""
    han = _HAN.findall(text)[:_SAMPLE_HAN]
    if len(han) < 20:
        return True
    frequent = _frequent_han()
    return sum(ch in frequent for ch in han) >= MIN_FREQUENT_SHARE * len(han)


def _decode_text(data: bytes) -> str:
    text = _decode_with_bom(data)
    if text is not None:
        return text
    if data.startswith(_OLE_MAGIC) or data.startswith(b"PK\x03\x04"):
        raise ExampleError(MSG_BINARY)
    if b"\x00" in data:
        return _decode_wide(data)
    try:
        return data.decode("utf-8-sig")  # strict UTF-8 almost never matches text in another encoding
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data)


def _decode_with_bom(data: bytes) -> str | None:
    """Text that announces its encoding with a byte-order mark; None without one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise ExampleError(MSG_ENCODING) from None
            if "\x00" in text or not _looks_chinese(text):
                raise ExampleError(MSG_ENCODING)
            return text
    return None


def _decode_wide(data: bytes) -> str:
    """Without a BOM, NUL bytes are either UTF-16/32 (every ASCII character carries them) or a
    binary file: only a strict decode that reads as Chinese makes it text."""
    for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _HAN.search(text) and _looks_chinese(text):
            return text
    raise ExampleError(MSG_BINARY)


def _decode_legacy(data: bytes) -> str:
    """GB18030 or Big5 when it reads as Chinese; a few stray bytes (a cut-off last character) are
    tolerable, mostly garbage is not."""
    for encoding in _LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_chinese(text):
            return text
    text = data.decode("gb18030", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 100) or not _looks_chinese(text.replace("\ufffd", "")):
        raise ExampleError(MSG_ENCODING)
    return text.replace("\ufffd", "")


# A password-protected .docx is no zip: Word wraps it in an OLE compound file whose directory names
# these streams (UTF-16-LE), so it is named for what it is rather than called an old .doc.
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


def _check_zip(data: bytes) -> None:
    """Reject what is not a Word zip, or would inflate far beyond its size, before anything is read."""
    if data.startswith(_OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise ExampleError(MSG_ENCRYPTED)
        raise ExampleError(MSG_OLD_DOC)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ExampleError(MSG_CORRUPT_DOCX) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ExampleError(MSG_ZIP_BOMB)
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise ExampleError(MSG_ZIP_BOMB)
    for m in members:
        if m.file_size >= _RATIO_CHECK_FROM and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
            raise ExampleError(MSG_ZIP_BOMB)
    # zipfile reads at most the declared file_size of a member, so these sizes bound the work below.
    if "word/document.xml" not in {m.filename for m in members}:
        raise ExampleError(MSG_CORRUPT_DOCX)
    _check_content_type(archive_bytes=data)


# Main-part content types Word writes for what python-docx refuses as "not a Word file"; named, so
# a renamed .docm is not called damaged.
_MACRO_TYPES = (b"ms-word.document.macroEnabled", b"ms-word.template.macroEnabled")
_TEMPLATE_TYPE = b"wordprocessingml.template.main"


def _check_content_type(archive_bytes: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
            types = archive.read("[Content_Types].xml")  # its size is bounded by _check_zip's checks
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return  # python-docx's own error (MSG_CORRUPT_DOCX) then says the rest
    if any(t in types for t in _MACRO_TYPES):
        raise ExampleError(MSG_MACRO)
    if _TEMPLATE_TYPE in types:
        raise ExampleError(MSG_TEMPLATE)


def _docx_text(data: bytes) -> str:
    _check_zip(data)
    import docx  # python-docx is only needed for Word uploads

    try:
        document = docx.Document(io.BytesIO(data))
        lines = _docx_lines(document)
    except Exception:  # noqa: BLE001 -- python-docx/lxml raise many types on a damaged file
        log.info("unreadable .docx upload", exc_info=True)
        raise ExampleError(MSG_CORRUPT_DOCX) from None
    return "\n".join(lines)


def _docx_lines(document: Any) -> list[str]:
    numbering = _Numbering(document)
    lines: list[str] = []
    _collect(document.iter_inner_content(), numbering, lines, seen_cells=set())
    return lines


def _collect(blocks: Any, numbering: _Numbering, lines: list[str], seen_cells: set[Any]) -> None:
    """Paragraphs and table cells in document order; a merged cell is visited once."""
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    # Keep the element itself, not id(): lxml proxies die and their ids get reused.
                    if cell._tc in seen_cells:
                        continue
                    seen_cells.add(cell._tc)
                    _collect(cell.iter_inner_content(), numbering, lines, seen_cells)
            continue
        text = block.text.strip()
        if not text:
            continue
        label = numbering.label(block)
        # Word's automatic numbering is not part of the text, yet the parser needs the 一、 to see a heading.
        if label and read_marker(text) is None:
            text = label + text
        lines.append(text)


_FORMATS = {
    "chineseCounting": "cn", "chineseCountingThousand": "cn", "chineseLegalSimplified": "cn",
    "ideographTraditional": "gan", "japaneseCounting": "cn", "taiwaneseCounting": "cn",
    "taiwaneseCountingThousand": "cn", "ideographLegalTraditional": "cn",
}
_GAN = "甲乙丙丁戊己庚辛壬癸"


def _format_number(value: int, fmt: str) -> str:
    kind = _FORMATS.get(fmt, fmt)
    if kind == "cn" and 0 < value < 100:
        return cn_index(value)
    if kind == "gan" and 0 < value <= len(_GAN):
        return _GAN[value - 1]
    if kind == "decimalFullWidth":
        return str(value).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    if kind in ("lowerLetter", "upperLetter") and 0 < value <= 26:
        letter = chr(ord("a") + value - 1)
        return letter.upper() if kind == "upperLetter" else letter
    return str(value)


class _Numbering:
    """Renders Word's automatic list numbers (numbering.xml) the way Word shows them: 一、 （一） 1."""

    def __init__(self, document: Any):
        from docx.oxml.ns import qn

        self._qn = qn
        self._counters: dict[str, list[int]] = {}
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: nothing is auto-numbered
        try:
            self._read_levels(root)
        except (AttributeError, ValueError, TypeError):
            self._levels = {}

    def _read_levels(self, root: Any) -> None:
        qn = self._qn
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val")) if ref is not None else None)
            if definition is None:
                continue
            for lvl in definition.findall(qn("w:lvl")):
                self._levels[(num.get(qn("w:numId")), int(lvl.get(qn("w:ilvl"), "0")))] = (
                    self._val(lvl, "w:numFmt", "decimal"),
                    self._val(lvl, "w:lvlText", ""),
                    int(self._val(lvl, "w:start", "1") or 1),
                )

    def _val(self, element: Any, tag: str, default: str) -> str:
        child = element.find(self._qn(tag))
        return child.get(self._qn("w:val"), default) if child is not None else default

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        """numId and level from the paragraph, or else from its style chain (heading styles)."""
        qn = self._qn
        num_id, ilvl = None, None
        elements = [paragraph._p.pPr]
        style = paragraph.style
        while style is not None and len(elements) < 10:
            elements.append(style.element.pPr)
            style = style.base_style
        for ppr in elements:
            pr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if pr is None:
                continue
            if num_id is None and pr.find(qn("w:numId")) is not None:
                num_id = pr.find(qn("w:numId")).get(qn("w:val"))
            if ilvl is None and pr.find(qn("w:ilvl")) is not None:
                ilvl = int(pr.find(qn("w:ilvl")).get(qn("w:val"), "0"))
        if num_id is None or num_id == "0":  # numId 0 switches numbering off
            return None
        return num_id, ilvl or 0

    def label(self, paragraph: Any) -> str:
        """The number Word shows before this paragraph, or "" (bullets, no list, odd numbering)."""
        if not self._levels:
            return ""
        try:
            return self._label(paragraph)
        except (AttributeError, ValueError, TypeError, IndexError):
            # Numbering is a nicety: an odd list definition must not make a readable file "corrupt".
            return ""

    def _label(self, paragraph: Any) -> str:
        pr = self._num_pr(paragraph)
        if pr is None or pr not in self._levels:
            return ""
        num_id, ilvl = pr
        fmt, text, start = self._levels[pr]
        counters = self._counters.setdefault(num_id, [0] * 9)
        if ilvl >= len(counters):
            return ""
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        counters[ilvl + 1 :] = [0] * (len(counters) - ilvl - 1)
        if fmt in ("bullet", "none"):
            return ""

        def render(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _, level_start = self._levels.get((num_id, level), ("decimal", "", 1))
            return _format_number(counters[level] or level_start, level_fmt)

        return re.sub(r"%([1-9])", render, text)


def read_text_safely(filename: str, data: bytes) -> str:
    """The text of any uploaded .docx/.txt/.md with every safety check (size, zip bomb, encoding, old or
    macro Word) and none of the report checks: what gather reads (a 简报, a news item) need not be a
    full report. Raises ExampleError (a UserError) with the Chinese reason."""
    check_size(data)
    return extract_text(filename, data)


def check_size(data: bytes) -> None:
    if not data:
        raise ExampleError(MSG_EMPTY)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ExampleError(MSG_TOO_BIG)


def check_is_report(text: str, report: CorpusReport) -> None:
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han < MIN_HAN_SHARE * (han + latin):
        raise ExampleError(MSG_NOT_CHINESE)
    if han < MIN_HAN_CHARS:
        raise ExampleError(MSG_TOO_SHORT)
    paragraphs = len(report.opening) + len(report.closing)
    if not report.sections and paragraphs < MIN_PARAGRAPHS:
        raise ExampleError(MSG_NOT_REPORT)
