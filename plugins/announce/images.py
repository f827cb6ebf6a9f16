"""Images for the networks: checked and converted before a post is claimed, so a
picture a network cannot take never leaves a post half-sent."""

import io
import os

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import NotSendable

MAX_BYTES = 1_000_000  # Bluesky's blob limit for a card thumbnail
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def open_image(path: str, source: str) -> Image.Image:
    """The picture at `path`, or NotSendable saying why it cannot be posted."""
    name = os.path.basename(path)
    try:
        image = Image.open(path)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as err:
        kind = "an SVG drawing" if name.lower().endswith(".svg") else "not a picture we can read"
        raise NotSendable(
            f"{source}: the picture {name} is {kind} ({type(err).__name__}); social networks "
            "take JPEG, PNG, GIF or WebP. Fix: save it as a JPEG or PNG and point Image: at "
            "that file."
        ) from None
    return image


def thumbnail(path: str, source: str = "", max_bytes: int = MAX_BYTES, max_side=2000) -> bytes:
    """`path` as JPEG bytes under `max_bytes`, shrinking size and quality as needed."""
    with open_image(path, source or path) as original:
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


def upload(path: str, source: str, accepted: set[str], max_bytes: int) -> tuple[bytes, str]:
    """(bytes, MIME type) to upload: the file itself when the network takes its type and
    size, else a JPEG made from it that fits."""
    with open_image(path, source) as image:
        mime = FORMATS.get(image.format or "")
    size = os.path.getsize(path)
    if mime in accepted and size <= max_bytes:
        with open(path, "rb") as f:
            return f.read(), mime
    return thumbnail(path, source, max_bytes), "image/jpeg"
