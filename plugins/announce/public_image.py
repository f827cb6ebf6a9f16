"""The picture Meta fetches: Facebook photo posts, Instagram and Threads take an image
only by its public address, so the publish build writes a copy every one of them
accepts into the site (deployed with it) and the plan carries its address.

Instagram's rules are the strictest and the copy meets them: JPEG, at most 8 MB,
width 320 to 1440 pixels, aspect ratio from 4:5 to 1.91:1. A picture outside that
ratio is padded, never cropped or stretched, so nothing in it is lost or distorted.
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#image-specifications
"""

import hashlib
import io
import os

from PIL import Image, ImageOps

FOLDER = "images/announce"  # in the output folder
NARROWEST, WIDEST = 4 / 5, 1.91
MAX_WIDTH, MIN_WIDTH = 1440, 320
MAX_BYTES = 8 * 1024 * 1024
VERSION = b"1"  # change when fit() changes, so the address changes with the picture


def fit(image: Image.Image) -> Image.Image:
    """`image` as RGB within 4:5 to 1.91:1 and 320 to 1440 pixels wide, padded with
    its own average colour where its shape is outside that range. Pure."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # A transparent logo or poster: on white, as a page shows it, not on black.
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    image = image.convert("RGB")
    # Shrink first, so that a huge panorama is never padded at full size: at most
    # 1440 wide, and no taller than a 4:5 picture 1440 wide.
    image.thumbnail((MAX_WIDTH, round(MAX_WIDTH / NARROWEST)), Image.Resampling.LANCZOS)
    width, height = image.size
    ratio = width / height
    if ratio < NARROWEST:  # too tall: pad the sides
        canvas = (round(height * NARROWEST + 0.5), height)
    elif ratio > WIDEST:  # too wide: pad above and below
        canvas = (width, round(width / WIDEST + 0.5))
    else:
        canvas = (width, height)
    if canvas != (width, height):
        colour = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
        padded = Image.new("RGB", canvas, colour)
        padded.paste(image, ((canvas[0] - width) // 2, (canvas[1] - height) // 2))
        image = padded
    scale = min(1.0, MAX_WIDTH / image.width) if image.width > MAX_WIDTH else 1.0
    if image.width < MIN_WIDTH:
        scale = MIN_WIDTH / image.width
    if scale != 1.0:
        size = (round(image.width * scale), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def jpeg(image: Image.Image) -> bytes:
    quality = 88
    while True:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        data = buffer.getvalue()
        if len(data) <= MAX_BYTES or quality <= 50:
            return data
        quality -= 10


def publish(source: str, output_path: str, siteurl: str) -> tuple[str, str]:
    """Write the fitted copy of the picture at `source` into the output folder once:
    (its address on the site, its file). ("", "") if it cannot be read."""
    try:
        with open(source, "rb") as f:
            original = f.read()
        digest = hashlib.sha256(VERSION + original).hexdigest()[:16]
        name = f"{FOLDER}/{digest}.jpg"
        target = os.path.join(output_path, *name.split("/"))
        if not os.path.exists(target):
            with Image.open(io.BytesIO(original)) as image:
                data = jpeg(fit(image))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = f"{target}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        else:
            os.utime(target)  # written by this build: the output's pruning keeps it
        return f"{siteurl}/{name}", target
    except (OSError, ValueError, Image.DecompressionBombError):
        return "", ""
