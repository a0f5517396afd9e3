"""The CPU-bound tools of the format agents, run in a process pool so the event loop (and the
dashboard drawing on it) never waits on a PDF parse or an OCR pass.

Functions here run in worker processes: top level, plain arguments, plain results
(`(text, error)` tuples), and every failure caught and turned into a reason string.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import signal
import subprocess
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import Executor, ProcessPoolExecutor

MAX_PAGES = 50
MAX_PIXELS = 40_000_000  # one image, after decoding: a decompression bomb is refused, not decoded
MAX_SCAN_IMAGES = 10  # images OCR'd from one scanned PDF
MAX_TEXT_CHARS = 200_000
OCR_TIMEOUT_S = 60.0
PDF_TIMEOUT_S = 60.0  # one PDF's parse in a worker


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


WORKER_NICENESS = 10


def _lower_priority() -> None:
    """Workers (and the tesseract they start) yield the CPU to the dashboard: OCR may use every
    core, but a key press still gets drawn at once."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass


def make_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """One worker per core, at a lower priority. `spawn`: the parent may be a threaded Textual
    app, where fork is unsafe."""
    return ProcessPoolExecutor(max_workers=workers or cores(), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_lower_priority)


def stop_pool(executor: Executor) -> None:
    """Shut the pool down without waiting for the work in hand: its workers are killed, so quitting
    never waits on an OCR pass (`shutdown` cannot do that before Python 3.14's `kill_workers`)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.kill()
        except (OSError, ValueError):  # already gone, or closed
            pass


def warm_up(_: object = None) -> int:
    """Imported once per worker before timing starts (bench), so start-up is not counted as work."""
    import PIL.Image  # noqa: F401
    import pypdf  # noqa: F401

    return os.getpid()


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Overtime(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise `_Overtime` in this (worker) process after `seconds`. A hostile PDF can keep a pure
    Python parser busy for ever; cancelling the await does not stop the worker, so without this
    a few such files would hold every worker, and the pool's shutdown would wait on them."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only (a worker's calls run there)
        return

    def overtime(_signum: int, _frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_pdf(data: bytes, max_pages: int = MAX_PAGES,
             timeout_s: float = PDF_TIMEOUT_S) -> tuple[str, list[bytes], int, str | None]:
    """(text of the text layer, embedded images when there is no text layer, pages, error)."""
    try:
        with _time_limit(timeout_s):
            return _read_pdf(data, max_pages)
    except _Overtime:
        return "", [], 0, f"PDF read timed out after {timeout_s:g}s"
    except Exception as exc:  # pypdf raises many kinds on damaged files; each is one failed record
        return "", [], 0, f"corrupt PDF ({_short(exc)})"


def _read_pdf(data: bytes, max_pages: int) -> tuple[str, list[bytes], int, str | None]:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not the operator's business
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        return "", [], 0, "encrypted PDF"
    pages = len(reader.pages)
    chunks: list[str] = []
    for page in reader.pages[:max_pages]:
        chunks.append(page.extract_text() or "")
        if sum(map(len, chunks)) > MAX_TEXT_CHARS:
            break
    text = "\n".join(chunks)[:MAX_TEXT_CHARS]
    if len(text.strip()) >= 20:
        return text, [], pages, None
    images: list[bytes] = []
    for page in reader.pages[:max_pages]:
        for image in page.images:
            images.append(image.data)
            if len(images) >= MAX_SCAN_IMAGES:
                return text, images, pages, None
    return text, images, pages, None


def ocr_image(data: bytes, timeout_s: float = OCR_TIMEOUT_S, max_pixels: int = MAX_PIXELS) -> tuple[str, str | None]:
    """(text, error): Pillow checks and normalises the image, the `tesseract` binary reads it."""
    try:
        from PIL import Image, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow refuses bigger ones before decoding
        try:
            with warnings.catch_warnings():  # its bomb warning would print over the dashboard: the check below says it
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                return "", f"image too large: {image.width}x{image.height} pixels (limit {max_pixels:,})"
            image.load()
        except UnidentifiedImageError:
            return "", "not an image: the bytes are in no image format Pillow knows"
        except Image.DecompressionBombError as exc:
            return "", f"image too large ({_short(exc)})"
        except (OSError, SyntaxError, ValueError) as exc:
            return "", f"damaged image ({_short(exc)})"
        png = io.BytesIO()
        image.convert("L").save(png, "PNG")
    except Exception as exc:
        return "", f"image not readable ({_short(exc)})"
    binary = shutil.which("tesseract")
    if binary is None:
        return "", "OCR unavailable: tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per worker: the pool spreads the load
    try:
        done = subprocess.run([binary, "stdin", "stdout", "--psm", "6", "-l", "eng"], input=png.getvalue(),
                              capture_output=True, timeout=timeout_s, env=env, check=False)
    except subprocess.TimeoutExpired:
        return "", f"OCR timed out after {timeout_s:g}s"
    except OSError as exc:
        return "", f"OCR could not start ({_short(exc)})"
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return "", f"OCR failed ({reason[0][:160]})"
    return done.stdout.decode("utf-8", "replace")[:MAX_TEXT_CHARS], None
