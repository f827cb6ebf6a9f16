"""Signal handlers: where the checks meet Pelican (logging is the only I/O)."""

import logging
import os

from pelican.contents import Article, Page
from pelican.utils import slugify

from .addresses import address_problems, short_slug, unusable
from .colours import check_colours
from .content import (
    DECORATIVE,
    KNOWN_METADATA_KEYS,
    PICTURE_KEYS,
    check_embeds,
    check_file_urls,
    check_images,
    check_metadata_keys,
    check_static_links,
    check_template,
    check_text,
    usable_picture,
)
from .files import inside
from .findings import ContentError, Finding
from .reader import checked
from .scaffold import check_placeholders, load_scaffold
from .site import addresses_taken, duplicate_addresses, near_names
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


def drop_duplicate_pages(generator):
    """After the pages are read: a page at a post's address, or at another page's, would
    overwrite it (or stop the build); keep the first, report the other."""
    taken = addresses_taken(generator.settings)
    for name in ("articles", "hidden_articles"):
        duplicate_addresses(generator.context.get(name) or [], taken)
    for name in ("pages", "hidden_pages"):
        kept, findings = duplicate_addresses(getattr(generator, name), taken)
        getattr(generator, name)[:] = kept  # the context holds the same list
        for finding in findings:
            logger.error("%s", finding)


def only_files_inside(generator):
    """On `generator_init`: every generator lists its files with `get_files` (posts,
    pages, brochures, pictures); leave out any whose real path is outside the content
    folder, such as a link to /etc/passwd, so it is never read or copied."""
    listed, reported = generator.get_files, set()

    def get_files(paths, exclude=None, extensions=None):
        files = listed(paths, exclude=exclude, extensions=extensions)
        outside = {f for f in files if not inside(os.path.join(generator.path, f), generator.path)}
        # A linked folder (images/etc -> /etc) is reported once, not file by file.
        for link in sorted({outermost_link(f, generator.path) for f in outside} - reported):
            full = os.path.join(generator.path, link)
            logger.error("%s", outside_finding(full, os.path.realpath(full)))
            reported.add(link)
        return files - outside

    generator.get_files = get_files


def outermost_link(name, root):
    """The first folder of `name` (relative to `root`) that leads outside `root`, or
    `name` itself."""
    parts = name.split(os.sep)
    for end in range(1, len(parts)):
        if not inside(os.path.join(root, *parts[:end]), root):
            return os.path.join(*parts[:end])
    return name


def drop_outside_static(generator):
    """On `static_generator_finalized`: a {static} link can name a file outside the
    content folder (`{static}/../../etc/passwd`); it is not copied."""
    keep = []
    for static in generator.staticfiles:
        full = os.path.join(generator.path, static.source_path)
        if inside(full, generator.path):
            keep.append(static)
            continue
        # check_content reported the post that links it, with its line.
        generator.context["static_content"].pop(static.source_path, None)
        logger.debug("checks: not copying %s, outside the content folder", static.source_path)
    generator.staticfiles[:] = keep  # the context holds the same list


def outside_finding(path, target):
    return Finding(
        path, None,
        f"This is outside the content folder (it is {target}), so it was left out of the site.",
        "Put the file itself in content/ (not a link to it), or remove what names it.",
    )  # fmt: skip


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
    findings = check_metadata_keys(instance.metadata, known, text, path)
    # Written elsewhere, it could overwrite another page; with no template, it stops the
    # build: leave the post out (Pelican skips a file whose reading fails).
    unbuildable = address_problems(instance.metadata, text, path, _slugify(settings))
    unbuildable += check_template(
        instance.metadata.get("template"), theme_templates(settings), text, path
    )
    if unbuildable:
        for finding in findings + unbuildable:
            logger.error("%s", finding)
        raise ContentError(unbuildable[0])
    findings += fix_addresses(instance, text)
    findings += check_images(instance._content, instance.metadata, text, path, settings["PATH"])
    findings += check_text(instance._content, instance.metadata, text, path, settings["PATH"])
    findings += check_placeholders(text, path, load_scaffold())
    findings += check_file_urls(text, path)
    findings += check_embeds(instance._content, text, path)
    links = instance._get_intrasite_link_regex()  # Pelican's own: the links it will copy
    findings += check_static_links(instance._content, text, path, settings["PATH"], links)
    # A picture that is not in content/ never reaches the page, feeds, cards or announcements.
    for key in PICTURE_KEYS:
        value = instance.metadata.get(key)
        if value and not usable_picture(value, path, settings["PATH"]):
            del instance.metadata[key]
            instance.__dict__.pop(key, None)
    # ![decorative](...) marks an image that adds nothing to read: screen readers skip it.
    instance._content = instance._content.replace(f'alt="{DECORATIVE}"', 'alt=""')
    for finding in findings:
        (logger.error if finding.error else logger.warning)("%s", finding)


def theme_templates(settings) -> set[str]:
    """The names a `Template:` line can use: the theme's templates and overrides."""
    theme = os.path.join(settings["THEME"], "templates")
    return {
        name.removesuffix(".html")
        for folder in (*settings.get("THEME_TEMPLATES_OVERRIDES", ()), theme)
        if os.path.isdir(folder)
        for name in os.listdir(folder)
        if name.endswith(".html")
    }


def _slugify(settings):
    subs = settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
    return lambda value: slugify(value, regex_subs=subs)


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
