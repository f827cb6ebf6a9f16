"""Where events meet Pelican: read and check each post's event, and its extras."""

import logging
from zoneinfo import ZoneInfo

from checks.dates import site_date_order
from checks.findings import Finding
from checks.source import metadata_line, read_text
from feeds.entries import entry_id
from feeds.settings import read_settings as feed_settings
from feeds.text import plain
from pelican.contents import Article
from pelican.utils import (
    strip_toc_elements_from_html,
    truncate_html_paragraphs,
    truncate_html_words,
)

from .display import FILTERS
from .jsonld import branch_problems, event_jsonld, postal_address
from .parse import EVENT_KEYS, EventError, is_event, parse_event

logger = logging.getLogger(__name__)

DEFAULT_AUDIENCES = ("everyone", "adults", "teens", "children", "families", "under fives")


def configure(pelican):
    """On `initialized`: event keys are known front matter, date filters for templates."""
    settings = pelican.settings
    settings["PLUGIN_METADATA_KEYS"] = (*settings.get("PLUGIN_METADATA_KEYS", ()), *EVENT_KEYS)
    settings["JINJA_FILTERS"] = {**settings.get("JINJA_FILTERS", {}), **FILTERS}
    for is_error, message in branch_problems(settings.get("LIBRARY") or {}):
        (logger.error if is_error else logger.warning)("events: %s", message)


def read_event(instance):
    """On `content_object_init`: attach `article.event`, or log where it is wrong."""
    if not isinstance(instance, Article) or not is_event(instance.metadata):
        return
    settings = instance.settings
    tz = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    audiences = [a.lower() for a in settings.get("EVENTS_AUDIENCES", DEFAULT_AUDIENCES)]
    try:
        event = parse_event(instance.metadata, tz, audiences, site_date_order(settings))
    except EventError as err:
        line = metadata_line(read_text(instance.source_path), err.key)
        logger.error("%s", Finding(instance.source_path, line, err.problem, err.fix))
        return
    branches = (settings.get("LIBRARY") or {}).get("branches") or {}
    if branches and event.branch not in branches and not event.online:
        line = metadata_line(read_text(instance.source_path), "location")
        logger.warning(
            "%s",
            Finding(
                instance.source_path,
                line,
                f"'{event.branch}' is not one of LIBRARY['branches'].",
                "Check the spelling, or add the branch and its address in pelicanconf.py.",
                error=False,
            ),
        )
    instance.event = event
    instance.event_summary = summary_text(instance)
    instance.event_uid = entry_id(instance, feed_settings(settings).id_authority)


def summary_text(instance) -> str:
    """The post's summary as plain text, made as Pelican makes `summary`, but not
    through it: Pelican remembers a post's summary and text by site address, and made
    now, before the site's files are known, they would keep `{static}` links unresolved
    in every page later written with that address (a publish build's)."""
    settings = instance.settings
    if "summary" in instance.metadata:
        return plain(instance.metadata["summary"])
    html = instance._content or ""
    if settings.get("SUMMARY_MAX_PARAGRAPHS") is not None:
        html = truncate_html_paragraphs(html, settings["SUMMARY_MAX_PARAGRAPHS"])
    if settings.get("SUMMARY_MAX_LENGTH") is not None:
        html = truncate_html_words(
            html, settings["SUMMARY_MAX_LENGTH"], settings["SUMMARY_END_SUFFIX"]
        )
    return plain(strip_toc_elements_from_html(html))


def event_json(article, siteurl, settings):
    """The JSON-LD for an event page (called from the theme through `event_data`)."""
    event = article.event
    library = settings.get("LIBRARY") or {}
    start, end = (getattr(article, "event_next", None) or [(event.start, event.end)])[0]
    image = article.metadata.get("image") or library.get("default_image") or ""
    image = image.replace("{static}", "").lstrip("/")
    branch = (library.get("branches") or {}).get(event.branch)
    return event_jsonld(
        event,
        start,
        end,
        title=article.title,
        description=article.event_summary,
        url=f"{siteurl}/{article.url}",
        image=f"{siteurl}/{image}" if image else "",
        address=postal_address(branch, library.get("country") or ""),
        organizer={"@type": "Organization", "name": settings["SITENAME"], "url": f"{siteurl}/"},
        valid_from=article.date,
        currency=settings.get("EVENTS_CURRENCY", "GBP"),
    )
