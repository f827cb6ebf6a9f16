"""Images for link cards: a JPEG under the network's size limit."""

import io

from PIL import Image, ImageOps

MAX_BYTES = 1_000_000  # Bluesky's blob limit for a card thumbnail


def thumbnail(path: str, max_bytes: int = MAX_BYTES, max_side: int = 2000) -> bytes:
    """`path` as JPEG bytes under `max_bytes`, shrinking size and quality as needed."""
    with Image.open(path) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    side, quality = max_side, 85
    while True:
        copy = image.copy()
        copy.thumbnail((side, side))
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=quality, optimize=True)
        data = buffer.getvalue()
        if len(data) <= max_bytes or side <= 200:
            return data
        side, quality = int(side * 0.75), max(60, quality - 5)
