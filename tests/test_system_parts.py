"""The README's test command on a machine without the system parts: as a user it prints the exact
apt-get line and stops; the tests of a missing part skip with the reason instead of failing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def path_without(tmp_path: Path, *missing: str, uid: int | None = None) -> str:
    """A PATH holding every program of this machine but `missing` (and an `id -u` saying `uid`)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        for entry in Path(folder).iterdir() if Path(folder).is_dir() else ():
            target = bin_dir / entry.name
            if entry.name not in missing and not target.exists():
                target.symlink_to(entry)
    if uid is not None:
        (bin_dir / "id").unlink(missing_ok=True)
        (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
        (bin_dir / "id").chmod(0o755)
    return str(bin_dir)


def test_not_root_it_prints_the_apt_get_line_and_stops(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": path_without(tmp_path, "tesseract", uid=1000)}
    done = subprocess.run(["bash", str(ROOT / ".ci" / "test"), "--no-ray"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "apt-get update && apt-get install -y tesseract-ocr tesseract-ocr-eng" in done.stderr
    assert done.stdout == "", "nothing installed, no test run"


def test_ocr_tests_skip_with_the_reason_when_tesseract_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": path_without(tmp_path, "tesseract")}
    files = ["tests/test_extract.py", "tests/test_extract_model.py", "tests/test_extract_app.py"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *files],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " failed" not in done.stdout and " skipped" in done.stdout
    assert "tesseract is not installed" in done.stdout and "apt-get install tesseract-ocr" in done.stdout
