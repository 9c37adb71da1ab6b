"""Renders a report's .docx through LibreOffice (PDF) and pdftoppm (PNG) so a person can look at the
pages; prints the paths. Usage: python bench/render_docx.py [--report R.json] [--out DIR] [--dpi 60]"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zongjie.export_docx import write_docx  # noqa: E402
from zongjie.model import Report  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "export" / "sample_report.json"
TIMEOUT_S = 120


def to_pdf(docx: Path, out_dir: Path, timeout: float = TIMEOUT_S) -> Path:
    """soffice with a throwaway profile: a shared one is locked by any other running instance."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise FileNotFoundError("soffice not found (Debian: apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory(prefix="zongjie-lo-") as home:
        env = {**os.environ, "HOME": home}
        subprocess.run(
            [soffice, f"-env:UserInstallation={Path(home).as_uri()}/profile", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
            env=env, check=True, timeout=timeout, capture_output=True,
        )
    pdf = out_dir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {docx}")
    return pdf


def to_pngs(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)],
                   check=True, timeout=TIMEOUT_S, capture_output=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", type=Path, default=SAMPLE, help="a Report as JSON (Report.to_dict)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "zongjie-render")
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--inline-headlines", action="store_true")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    report = Report.from_dict(json.loads(args.report.read_text(encoding="utf-8")))
    docx = write_docx(report, args.out / "report.docx", inline_headlines=args.inline_headlines)
    pdf = to_pdf(docx, args.out)
    print(f"docx {docx}")
    print(f"pdf {pdf}")
    for png in to_pngs(pdf, args.out, args.dpi):
        print(f"png {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
