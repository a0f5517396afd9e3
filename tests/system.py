"""System parts a test needs beyond Python packages: a test whose part is missing skips with the
reason and the install line (`bash .ci/test` installs them as root), never fails."""

from __future__ import annotations

import shutil

import pytest

TESSERACT_MISSING = ("tesseract is not installed (OCR of images and scanned PDFs): "
                     "apt-get install tesseract-ocr tesseract-ocr-eng, or run bash .ci/test as root")

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason=TESSERACT_MISSING)
