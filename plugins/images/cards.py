"""Social cards: a 1200x630 picture with the library's colours, name and the post's
title, for posts that have no picture of their own. Pure Pillow, no I/O but the file."""

import functools
import hashlib
import os
import textwrap

import PIL
from PIL import Image, ImageDraw, ImageFont

SIZE = (1200, 630)
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _font(size, bold=True):
    path = FONTS[0] if bold else FONTS[1]
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default(size)


def card_key(title: str, sitename: str, colours: dict) -> str:
    """Everything the card shows: the title, the library's name and colours, and how it
    is drawn (this file: the size, layout and default colours; the fonts' bytes; Pillow)."""
    data = "\n".join([title, sitename, colours.get("brand", ""), colours.get("accent", ""),
                      _drawing()])  # fmt: skip
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@functools.cache
def _drawing() -> str:
    h = hashlib.sha256(f"pillow {PIL.__version__}".encode())
    for path in (__file__, *FONTS):
        try:
            with open(path, "rb") as f:
                h.update(f"\0{path}\0".encode() + hashlib.file_digest(f, "sha256").digest())
        except OSError:
            h.update(f"\0{path} missing".encode())  # Pillow's own font is drawn instead
    return h.hexdigest()


def draw_card(path: str, title: str, sitename: str, colours: dict):
    """Write the card for `title` to `path` (JPEG)."""
    brand = colours.get("brand", "#0b5a6b")
    image = Image.new("RGB", SIZE, brand)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, SIZE[1] - 24, SIZE[0], SIZE[1]], fill=colours.get("accent", "#8a3b12"))
    draw.text((72, 64), sitename, font=_font(40), fill="white")
    size = 72 if len(title) < 50 else 58
    lines = textwrap.wrap(title, width=28 if size == 72 else 36)[:4]
    y = 170
    for line in lines:
        draw.text((72, y), line, font=_font(size), fill="white")
        y += int(size * 1.25)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image.save(path, "JPEG", quality=85)  # 5x quicker to write than an optimised PNG
