"""Which content goes in which feed. Other plugins add feeds through `collect`.

A plugin with its own content (events, brochures) adds a feed in a few lines:

    from feeds.selection import collect, Feed

    def event_feeds(generator):
        return [generator.feed("events", "What's on", "Upcoming events",
                               "events/", {"atom": "feeds/events.atom.xml"}, events)]

    collect.connect(event_feeds)
"""

from blinker import signal

from .render import Feed

# Sent with the feeds generator once every generator's context is ready; receivers
# return a list of Feed objects (made with generator.feed(...)).
collect = signal("noticeboard-feeds-collect")

__all__ = ["Feed", "collect", "site_feeds"]


def site_feeds(generator, articles, categories, tags):
    """All posts; each category (Atom and RSS); each tag (Atom)."""
    paths, site = generator.site.paths, generator.site
    # Pelican's lists are newest first when posts are ordered by date (the default).
    presorted = generator.settings.get("ARTICLE_ORDER_BY") == "reversed-date"
    feeds = [
        generator.feed(
            "all", f"{site.sitename}: news", site.tagline, site.siteurl + "/",
            {"atom": paths["all_atom"], "rss": paths["all_rss"], "json": paths["all_json"]},
            articles, presorted,
        )
    ]  # fmt: skip
    for category, posts in categories:
        feeds.append(
            generator.feed(
                f"category:{category.slug}", f"{site.sitename}: {category}",
                f"News from {site.sitename} in {category}.", site.url(category.url),
                {f: paths[f"category_{f}"].format(slug=category.slug) for f in ("atom", "rss")},
                posts, presorted,
            )
        )  # fmt: skip
    for tag, posts in tags:
        feeds.append(
            generator.feed(
                f"tag:{tag.slug}", f"{site.sitename}: posts tagged {tag}",
                f"News from {site.sitename} tagged {tag}.", site.url(tag.url),
                {"atom": paths["tag_atom"].format(slug=tag.slug)}, posts, presorted,
            )
        )  # fmt: skip
    return feeds
