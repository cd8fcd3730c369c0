"""OCR of page images with RapidOCR (PP-OCRv4 Chinese detection and recognition; the models ship inside the
`rapidocr-onnxruntime` wheel, so nothing is downloaded). Optional: `pip install 'kb[ocr]'`.
"""
from __future__ import annotations

from functools import lru_cache

from kb.readers.encoding import ReadError
from kb.readers.layout import Box

INSTALL_HINT = "install kb[ocr] (pip install 'kb[ocr]')"
# Pages are rendered at this resolution for OCR: 12 pt body text is then ~33 px high, near the 48 px the
# recognition model reads, without making detection slower than it needs to be.
OCR_DPI = 200
MIN_SCORE = 0.5


def ocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def require_ocr(what: str) -> None:
    """Raise ReadError saying what to install when OCR is needed for `what` and not installed."""
    if not ocr_available():
        raise ReadError(f"{what}: {INSTALL_HINT}")


def ocr_boxes(image, scale: float = 1.0) -> list[Box]:
    """Text boxes of one page image (a PIL image or an RGB array); coordinates divided by `scale`."""
    import numpy as np

    array = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)
    # Pages are upright: the angle classifier only costs time.
    result, _ = _engine()(array, use_cls=False)
    boxes = []
    for points, text, score in result or []:
        if float(score) < MIN_SCORE or not text.strip():
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append(Box(min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale, text))
    return boxes
