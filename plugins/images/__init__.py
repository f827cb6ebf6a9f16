"""Images: responsive images through pelican-image-process (every local picture in a
post gets WebP sizes in srcset, width and height, and lazy loading), and a social card
for posts without a picture, used in Open Graph tags and announcements."""

import logging
import os
import re
import shutil

from checks.content import picture_size
from checks.files import find_file
from checks.findings import display_path
from pelican import signals
from pelican.contents import Article, Page
from pelican.generators import Generator

from . import derivatives
from .cards import card_key, draw_card

logger = logging.getLogger(__name__)

CLASS = "image-process-content"
RASTER = re.compile(r"\.(jpe?g|png|webp)$", re.IGNORECASE)
IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
# An image-process class written by hand (<img class="image-process-content" ...>).
MARKED = re.compile(r"(?<=[\s\"])image-process-[\w-]+")


def prepare_images(instance):
    """On `content_object_init`: mark each local picture for image-process, give it its
    width and height (so the page does not jump as it loads) and load it lazily.
    Only a picture written {static}/... whose file is in content/ is marked: for any
    other, image-process would look for a file that is not there and stop the build
    (the checks plugin reports it)."""
    if not isinstance(instance, (Article, Page)) or not instance._content:
        return
    root = instance.settings["PATH"]

    def mark(match):
        attrs = match.group(1)
        src = re.search(r'src="([^"]+)"', attrs)
        found = src and find_file(src.group(1), instance.source_path, root)
        if not (found and found.exists and found.linked):
            return f"<img{MARKED.sub('', attrs)}>"
        if not RASTER.search(found.path):
            return match.group(0)
        size = picture_size(found.path)
        if size and "width=" not in attrs:
            attrs += f' width="{size[0]}" height="{size[1]}"'
        if "image-process-" not in attrs:
            attrs = (
                f' class="{CLASS}"' + attrs
                if "class=" not in attrs
                else attrs.replace('class="', f'class="{CLASS} ', 1)
            )
        if "loading=" not in attrs:
            attrs += ' loading="lazy" decoding="async"'
        return f"<img{attrs}>"

    instance._content = IMG.sub(mark, instance._content)
    # The post's own picture (Image:, a brochure's Cover:) at the top of its page:
    # its size too, so the page does not jump when it arrives. The checks plugin has
    # already removed one that is not a file in content/.
    instance.picture_sizes = {}
    for key in ("image", "cover"):
        src = instance.metadata.get(key)
        found = src and find_file(str(src), instance.source_path, root, from_root=True)
        if found and found.exists and RASTER.search(found.path):
            size = picture_size(found.path)
            if size:
                instance.picture_sizes[key] = size


class CardsGenerator(Generator):
    """Cards are drawn once (kept in the cache by what they show, cards.card_key) and
    copied out; a card no post uses any more is removed from the cache."""

    # Set on posts by generate_context (the preview runs it again after an edit).
    sets_on_posts = ("social_card", "social_card_file", "social_card_alt")

    def generate_context(self):
        library = self.settings.get("LIBRARY") or {}
        colours = library.get("colours") or {}
        sitename = self.settings.get("SITENAME", "")
        cache = os.path.join(self.settings["CACHE_PATH"], "cards")
        self.cards = []
        for article in self.context.get("articles", []):
            if article.metadata.get("image"):
                continue
            key = card_key(article.title, sitename, colours)
            path = os.path.join(cache, f"{key}.jpg")
            if not os.path.exists(path):
                draw_card(path, article.title, sitename, colours)
            article.social_card = f"images/cards/{article.slug}-{key[:8]}.jpg"
            article.social_card_file = path
            article.social_card_alt = f"{sitename}: {article.title}"
            self.cards.append(article)
        # Every post is seen each build (only the writing is incremental), so a card
        # not used now belongs to a changed title or a deleted post.
        used = {os.path.basename(article.social_card_file) for article in self.cards}
        if os.path.isdir(cache):
            for entry in os.scandir(cache):
                if entry.name not in used and entry.name.endswith(".jpg"):
                    os.remove(entry.path)

    def files_of(self, post) -> list[str]:
        """The files in the output made for one post (the preview removes them when
        the post moves to a new address)."""
        card = getattr(post, "social_card", None)
        return [card] if card else []

    def generate_output(self, writer):
        for article in self.cards:
            target = os.path.join(self.output_path, article.social_card)
            if _copied(article.social_card_file, target):
                os.utime(target)  # kept: it belongs to this build (plugins/incremental)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(article.social_card_file, target)


def _copied(source: str, target: str) -> bool:
    """Whether `target` was copied from `source` as it is now (cards are drawn once,
    by their inputs: a redrawn card is newer than its copy)."""
    try:
        a, b = os.stat(source), os.stat(target)
    except OSError:
        return False
    return a.st_size == b.st_size and b.st_mtime_ns >= a.st_mtime_ns


def get_generators(pelican):
    return CardsGenerator


PICTURE_FAILED = (
    "%s: error: Could not make the smaller sizes of %s (%s). Fix: check that the picture "
    "opens in an image viewer and is linked as {static}/images/name.jpg."
)
# A whole <img> tag, quoted attributes and all (an alt text may hold a ">").
IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)


def only_pages_with_pictures(pelican):
    """On `initialized` (every plugin registered): image-process parses every written
    page whole; give it only the pictures it rewrites instead (most pages have none)."""
    from pelican.plugins.image_process import image_process

    harvest = image_process.harvest_images
    if not any(r is harvest for r in signals.content_written.receivers_for(object())):
        return  # image-process is not in PLUGINS
    one_tag = alone_in_tag(pelican.settings.get("IMAGE_PROCESS") or {})
    # Each size of a picture made once, kept in CACHE_PATH by its bytes (derivatives.py).
    if derivatives.install(image_process):
        signals.finalized.connect(tidy_derivatives)

    def harvest_marked(path, context):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "image-process-" not in text:
            return
        if not one_tag:
            try:
                harvest(path, context)  # a <picture> derivative: it needs the whole page
            except Exception as err:  # noqa: BLE001 - one picture never stops the build
                logger.error(PICTURE_FAILED, display_path(path), "its pictures", err)
            return
        image_process.set_default_settings(context)

        def one(match):
            tag = match.group(0)
            if "image-process-" not in tag:
                return tag
            if tag in rewritten:  # the same picture on another page (a list, a tag page)
                return rewritten[tag]
            try:
                rewritten[tag] = image_process.harvest_images_in_fragment(tag, context)
                return rewritten[tag]
            except Exception as err:  # noqa: BLE001 - one picture never stops the build
                logger.error(PICTURE_FAILED, display_path(path), tag, err)
                return tag

        done = IMG_TAG.sub(one, text)
        if done != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(done)

    # A tag's rewrite depends only on the tag (its src: image-process's paths never
    # depend on the page) and the settings: each is parsed and rewritten once a build,
    # its sizes then already in the output. Forgotten after each build (`make serve`).
    rewritten = {}
    signals.content_written.disconnect(harvest)
    signals.content_written.connect(harvest_marked, weak=False)
    signals.finalized.connect(lambda _pelican: rewritten.clear(), weak=False)


def tidy_derivatives(pelican):
    """On `finalized`: say what the picture cache did; forget sizes long unused."""
    removed = derivatives.sweep(pelican.settings["CACHE_PATH"])
    logger.info("images: %d picture sizes made, %d copied from the cache, %d old ones removed",
                derivatives.counts["made"], derivatives.counts["copied"], removed)  # fmt: skip
    derivatives.counts.update(made=0, copied=0)


def alone_in_tag(derivatives) -> bool:
    """Whether every derivative rewrites only the <img> itself (a list of operations,
    or a responsive image's srcset), so each marked tag can be processed on its own:
    parsing a whole page with BeautifulSoup cost more than the rest of a post's build."""
    return all(
        isinstance(d, (list, tuple))
        or (isinstance(d, dict) and d.get("type") in ("image", "responsive-image"))
        for d in derivatives.values()
    )


def register():
    # Every post and page: mark pictures for pelican-image-process, load them lazily.
    signals.content_object_init.connect(prepare_images)
    # Social cards for posts without a picture.
    signals.get_generators.connect(get_generators)
    # Spare image-process from parsing the pages that have no pictures for it.
    signals.initialized.connect(only_pages_with_pictures)
