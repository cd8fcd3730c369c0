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
    except Image.DecompressionBombError:
        raise ReadError(f"image too large to read: {image_size(data)} pixels, over the "
                        f"{Image.MAX_IMAGE_PIXELS * 2 / 1e6:.0f} million pixels of any page scan "
                        "(a decompression bomb)") from None
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


def image_size(data: bytes) -> str:
    """"W×H" as the image's header states it, without decoding it (Pillow refuses the open itself)."""
    from PIL import Image

    saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(io.BytesIO(data)) as im:
            return f"{im.width}×{im.height}"
    except Exception:  # noqa: BLE001 - only for the message
        return "too many"
    finally:
        Image.MAX_IMAGE_PIXELS = saved
