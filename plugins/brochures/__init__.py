"""Brochures: Markdown brochures read on a phone (sections as pages, no JavaScript
needed) and printed as a tagged PDF made with WeasyPrint, with a large-print edition."""

from feeds.selection import collect
from pelican import signals

from .generator import BrochuresGenerator

METADATA_KEYS = ("cover", "cover-alt", "season", "events-from", "events-to")
DEFAULTS = {
    "BROCHURE_PATHS": ["brochures"],
    "BROCHURE_URL": "brochures/{slug}/",
    "BROCHURE_SAVE_AS": "brochures/{slug}/index.html",
    "BROCHURE_LANG_URL": "brochures/{slug}-{lang}/",
    "BROCHURE_LANG_SAVE_AS": "brochures/{slug}-{lang}/index.html",
    "BROCHURES_URL": "brochures/",
    "BROCHURES_PAGE_SIZE": "A5",
    "BROCHURES_PDF_VARIANT": "pdf/ua-1",
    "BROCHURES_LARGE_PRINT_SIZE": 18,
}


def configure(pelican):
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    settings["PLUGIN_METADATA_KEYS"] = (*settings.get("PLUGIN_METADATA_KEYS", ()), *METADATA_KEYS)
    # Brochures are not pages or posts: keep Pelican's own generators out of their folder.
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        settings[key] = [*settings.get(key, []), *settings["BROCHURE_PATHS"]]


def get_generators(pelican):
    return BrochuresGenerator


def brochures_feed(feeds_generator):
    brochures = feeds_generator.context.get("brochures") or []
    dated = [b for b in brochures if getattr(b, "date", None)]
    if not dated:
        return []
    site = feeds_generator.site
    url = feeds_generator.settings.get("BROCHURES_URL", "brochures/")
    return [
        feeds_generator.feed(
            "brochures",
            f"{site.sitename}: brochures",
            f"Brochures from {site.sitename}.",
            site.url(url),
            {"atom": "feeds/brochures.atom.xml", "rss": "feeds/brochures.rss.xml"},
            dated,
        )
    ]


def register():
    # Settings defaults and known front matter, before anything is read.
    signals.initialized.connect(configure)
    # Reading, the PDF and the reading view.
    signals.get_generators.connect(get_generators)
    # The brochures feed, written by the feeds plugin.
    collect.connect(brochures_feed)
