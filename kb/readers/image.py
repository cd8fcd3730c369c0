"""Images (.png, .jpg, .tif ...) -> text by OCR; a multi-page TIFF is one page per frame."""
from __future__ import annotations

import io

from kb.readers.encoding import ReadError
from kb.readers.layout import PageLayout, assemble
from kb.readers.ocr import ocr_boxes
from kb.readers.result import Extracted


def read_image(data: bytes, suffix: str = ".png") -> Extracted:
    """An image's text by OCR (kb.readers.READERS checks that OCR is installed first)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ReadError(f"not a readable image ({exc})") from None
    pages = []
    for frame in ImageSequence.Iterator(image):
        frame = frame.convert("L")
        pages.append(PageLayout(height=frame.height, boxes=ocr_boxes(frame)))
    text, page_starts = assemble(pages)
    if not text.strip():
        raise ReadError("OCR found no text in the image")
    return Extracted(text=text, source_type="image", pages=len(pages), ocr=True, page_starts=page_starts)
