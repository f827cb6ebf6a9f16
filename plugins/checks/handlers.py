"""Signal handlers: where the checks meet Pelican (logging is the only I/O)."""

import logging

from pelican.contents import Article, Page

from .addresses import short_slug, unusable
from .colours import check_colours
from .content import DECORATIVE, KNOWN_METADATA_KEYS, check_images, check_metadata_keys, check_text
from .findings import Finding
from .reader import checked
from .scaffold import check_placeholders, load_scaffold
from .site import duplicate_addresses, near_names
from .source import metadata_line, read_text

logger = logging.getLogger(__name__)


def check_settings(pelican):
    for problem in check_colours(pelican.settings.get("LIBRARY", {}).get("colours", {})):
        logger.error("pelicanconf.py: %s", problem)


def drop_duplicate_addresses(generator):
    """Before categories and tags are made: two posts at one address would stop the build."""
    generator.articles, findings = duplicate_addresses(generator.articles)
    for finding in findings:
        logger.error("%s", finding)


def check_new_names(generator):
    """After every post is read: a category or tag only this post uses, close to one
    that others use (`Category: Event` beside `Events`), is probably a typo."""
    for finding in near_names([*generator.articles, *generator.drafts]):
        logger.warning("%s", finding)


def use_checked_readers(readers):
    """Every reader reads dates by the site's rule and locates its errors."""
    for ext, reader_class in readers.reader_classes.items():
        if reader_class:
            readers.reader_classes[ext] = checked(reader_class)


def check_content(instance):
    if not isinstance(instance, (Article, Page)) or not instance.source_path:
        return
    settings = instance.settings
    path = instance.source_path
    text = read_text(path)
    extra = (*settings.get("METADATA_KEYS", ()), *settings.get("PLUGIN_METADATA_KEYS", ()))
    known = KNOWN_METADATA_KEYS | {k.lower() for k in extra}
    findings = fix_addresses(instance, text)
    findings += check_metadata_keys(instance.metadata, known, text, path)
    findings += check_images(instance._content, instance.metadata, text, path, settings["PATH"])
    findings += check_text(instance._content, instance.metadata, text, path, settings["PATH"])
    findings += check_placeholders(text, path, load_scaffold())
    # ![decorative](...) marks an image that adds nothing to read: screen readers skip it.
    instance._content = instance._content.replace(f'alt="{DECORATIVE}"', 'alt=""')
    for finding in findings:
        (logger.error if finding.error else logger.warning)("%s", finding)


def fix_addresses(instance, text):
    """Give a post an address it can be written at, whatever its title or tags say."""
    path, findings = instance.source_path, []
    slug = getattr(instance, "slug", "") or ""
    if len(slug) > len(short_slug(slug)):
        instance.slug = short_slug(slug)
        findings.append(
            Finding(
                path, None,
                f"The title is too long to use whole in the page address; it was shortened "
                f"to '{instance.slug}'.",
                "Add a line 'Slug: a-short-address' to choose one.", error=False,
            )
        )  # fmt: skip
    bad_tags = unusable(getattr(instance, "tags", None))
    if bad_tags:
        instance.tags = [t for t in instance.tags if t.slug]
        for tag in bad_tags:
            findings.append(
                Finding(
                    path, metadata_line(text, "tags"),
                    f"The tag '{tag}' has no letters or digits to make an address from, "
                    "so it was left out.", "Use a word, e.g. 'celebrations'.", error=False,
                )
            )  # fmt: skip
    category = getattr(instance, "category", None)
    if category is not None and not category.slug:
        findings.append(
            Finding(
                path, metadata_line(text, "category"),
                f"The category '{category}' has no letters or digits to make an address from.",
                "Use a word, e.g. 'News'.",
            )
        )  # fmt: skip
    return findings
