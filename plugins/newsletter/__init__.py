"""The newsletter: a weekly (or fortnightly) email edition made from the site.

Each edition (named by its day, NEWSLETTER["day"]) holds the posts published since the
last one, the events of the coming period, the current brochure, changes to opening
hours, and the editor's intro from content/newsletters/YYYY-MM-DD.md. The build
writes every edition kept in the archive as a page (newsletters/<date>/) and the list
of them (newsletters/); a build with a public SITEURL (`make newsletter`) also writes
the current edition's email, an HTML and a plain-text part made from the same data,
to newsletter.json beside the announce plan, for `make newsletter-send`.
"""

from pelican import signals

from .generator import NewsletterGenerator
from .settings import DEFAULTS


def configure(pelican):
    """Before anything is read: the intros' folder is neither posts nor pages."""
    settings = pelican.settings
    given = settings.get("NEWSLETTER")
    folder = DEFAULTS["path"]
    if isinstance(given, dict) and isinstance(given.get("path"), str) and given["path"].strip("/ "):
        folder = given["path"].strip("/ ")
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        settings[key] = [*settings.get(key, []), folder]


def get_generators(pelican):
    return NewsletterGenerator


def register():
    # Keep content/newsletters/ out of the posts and pages.
    signals.initialized.connect(configure)
    # The editions: after the events and brochures (PLUGINS order), before static files.
    signals.get_generators.connect(get_generators)
