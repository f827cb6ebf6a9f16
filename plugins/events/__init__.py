"""Events: a post with Event-Start is an event. Upcoming and past pages, per-audience
and per-branch pages, calendar files (icalendar), an events feed and Event JSON-LD."""

from blinker import signal
from feeds.selection import collect
from pelican import signals

from .generator import EventsGenerator
from .handlers import configure, read_event


def get_generators(pelican):
    return EventsGenerator


def next_change(pelican, generators=()):
    """For plugins/incremental: when the events pages will need building again."""
    found = [g.next_change() for g in generators if isinstance(g, EventsGenerator)]
    return min((t for t in found if t is not None), default=None)


def events_feed(feeds_generator):
    """The events feed, through the feeds plugin: a feed is a selection of content."""
    site = feeds_generator.site
    events = [a for a in feeds_generator.context.get("articles", []) if getattr(a, "event", None)]
    if not events:
        return []
    url = feeds_generator.settings.get("EVENTS_URL", "events/")
    return [
        feeds_generator.feed(
            "events",
            f"{site.sitename}: events",
            f"Events at {site.sitename}.",
            site.url(url),
            {"atom": "feeds/events.atom.xml", "rss": "feeds/events.rss.xml"},
            events,
        )
    ]


def register():
    # Event keys become known front matter; date filters for the templates.
    signals.initialized.connect(configure)
    # Every post, fresh or from the cache: read and check its event.
    signals.content_object_init.connect(read_event)
    # The events pages and calendar files.
    signals.get_generators.connect(get_generators)
    # The events feed, written by the feeds plugin.
    collect.connect(events_feed)
    # A build with nothing changed stops early (plugins/incremental) only until then.
    signal("incremental_valid_until").connect(next_change)
