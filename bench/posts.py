"""A seeded generator of realistic library news posts, for benchmarks.

python bench/posts.py N FOLDER    # writes FOLDER/posts/*.md and FOLDER/images/
"""

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

CATEGORIES = ["News", "Events", "Reading groups", "Digital help", "Children and families",
              "Local history", "Health and wellbeing", "Learning"]  # fmt: skip
BRANCHES = ["Riverside Central", "Northfield", "Westbrook", "Eastgate", "Southmead", "Hillcrest"]
TOPICS = ["story time", "Rhyme Time", "author talk", "book club", "coding club", "family history",
          "job club", "Lego club", "knit and natter", "poetry", "comics", "large print",
          "eBooks", "audiobooks", "homework help", "chess", "crafts", "film night", "gardening",
          "digital skills", "online safety", "volunteering", "exhibition", "music", "dementia",
          "autism friendly", "teens", "under fives", "schools", "summer reading"]  # fmt: skip
AUTHORS = ["Priya Shah", "Tom Okafor", "Grace Lindqvist", "Ahmed Nasser", "Ruth Ellison",
           "Sam Kowalski"]  # fmt: skip
WORDS = (
    "library readers books community free booking session staff volunteers children "
    "families adults welcome local history digital help join everyone weekly monthly "
    "borrow return reserve catalogue collection space room event talk group meet "
    "accessible step-free hearing loop quiet study computers Wi-Fi printing council "
    "service partners celebrate season programme new open"
).split()
IMAGES = ["story-time.jpg", "reading-group.jpg", "digital-help.jpg", "summer-reading.jpg"]
ALTS = {"story-time.jpg": "A librarian reads a picture book to children on a rug.",
        "reading-group.jpg": "Books and mugs of tea on a round table.",
        "digital-help.jpg": "A laptop and a phone on a wooden desk.",
        "summer-reading.jpg": "A pile of colourful books on grass under the sun."}  # fmt: skip


def sentence(rng, n=None):
    words = [rng.choice(WORDS) for _ in range(n or rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def post(rng, i, start):
    topic, branch = rng.choice(TOPICS), rng.choice(BRANCHES)
    title = f"{topic.capitalize()} at {branch}: {sentence(rng, 4)[:-1].lower()} ({i})"
    date = start + timedelta(minutes=rng.randint(0, 10 * 365 * 24 * 60))
    tags = sorted({rng.choice(TOPICS), topic, branch})
    image = rng.choice(IMAGES)
    lines = [
        f"Title: {title}",
        f"Date: {date:%Y-%m-%d %H:%M} +00:00",
        f"Category: {rng.choice(CATEGORIES)}",
        f"Tags: {', '.join(tags)}",
        f"Authors: {rng.choice(AUTHORS)}",
        f"Summary: {sentence(rng, 20)}",
    ]
    if rng.random() < 0.5:
        lines += [f"Image: images/{image}", f"Image-Alt: {ALTS[image]}"]
    body = ["", paragraph(rng), "", f"## {sentence(rng, 4)[:-1]}", "", paragraph(rng), ""]
    body += [f"- {sentence(rng, 6)}" for _ in range(rng.randint(3, 6))] + [""]
    body += [f"![{ALTS[image]}]({{static}}/images/{image})", "", paragraph(rng), ""]
    if rng.random() < 0.3:
        body += ["| Day | Time | Place |", "|-----|------|-------|"]
        body += [f"| {d} | {rng.randint(9, 17)}:00 | {branch} |" for d in ("Mon", "Wed", "Sat")]
        body += [""]
    body += [
        f"Find out more at [our {topic} page](https://example.org/{i}) or ask at the desk.",
        "",
    ]
    body += ["### Good to know", "", paragraph(rng), ""]
    return f"{date:%Y-%m-%d}-post-{i:05d}.md", "\n".join(lines + body)


def picture(path: Path, seed: int):
    """A 1600x1067 photo-like JPEG of its own (the bench never needs the sample content)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.effect_noise((1600, 1067), 60).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(40):
        x, y = rng.randrange(1600), rng.randrange(1067)
        r = rng.randrange(40, 400)
        colour = tuple(rng.randrange(256) for _ in range(3)) + (150,)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    image.filter(ImageFilter.GaussianBlur(2)).save(path, "JPEG", quality=85)


def generate(n: int, folder: Path, seed: int = 2026) -> Path:
    rng = random.Random(seed)
    (folder / "posts").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    for number, image in enumerate(IMAGES):
        picture(folder / "images" / image, seed + number)
    start = datetime(2015, 1, 1)
    for i in range(n):
        name, text = post(rng, i, start)
        (folder / "posts" / name).write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
