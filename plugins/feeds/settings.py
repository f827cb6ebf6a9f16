"""The feeds plugin's settings, read once per build with documented defaults."""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

# Public addresses: subscribers' readers remember them, so they never change.
DEFAULTS = {
    "all_atom": "feeds/all.atom.xml",
    "all_rss": "feeds/all.rss.xml",
    "all_json": "feeds/all.json",
    "category_atom": "feeds/category/{slug}.atom.xml",
    "category_rss": "feeds/category/{slug}.rss.xml",
    "tag_atom": "feeds/tag/{slug}.atom.xml",
    # The CSS stylesheet that makes a feed opened in a browser readable (browsers are
    # dropping XSLT, so no XSL). Its address in a feed is relative to the feed, or
    # from SITEURL when the site has one: never a local address.
    "stylesheet": "feeds/feed.css",
    # The "Subscribe" page listing every feed.
    "subscribe_url": "subscribe/",
    "subscribe_save_as": "subscribe/index.html",
    # The authority in entry ids (tag:AUTHORITY,DATE:NAME). Defaults to SITEURL's
    # host; pin it here before moving the site to a new domain, or every entry
    # becomes "new" to subscribers.
    "id_authority": None,
    # Feeds need absolute links even in local builds, which have no SITEURL.
    "dev_siteurl": "http://127.0.0.1:8000",
}

# Pelican's own feed settings. The plugin switches them off so nothing is written twice.
PELICAN_FEED_SETTINGS = (
    "FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM", "FEED_ALL_RSS", "CATEGORY_FEED_ATOM",
    "CATEGORY_FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS", "TAG_FEED_ATOM",
    "TAG_FEED_RSS", "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS",
)  # fmt: skip


@dataclass(frozen=True)
class FeedSettings:
    paths: dict
    siteurl: str
    id_authority: str
    max_items: int
    sitename: str
    tagline: str
    language: str
    author: str
    logo: str | None
    icon: str | None
    content_path: str
    public: bool  # SITEURL is set: addresses for browsers come from it, else relative

    def url(self, path: str) -> str:
        return f"{self.siteurl}/{path.lstrip('/')}"


# Front-matter keys this plugin reads (so the checks plugin knows they are not typos).
METADATA_KEYS = ("feed-id",)


def configure(pelican):
    """On `initialized`: FEEDS checked (once), Pelican's built-in feeds off, so each
    feed is written once."""
    settings = pelican.settings
    validate(settings.get("FEEDS") or {})
    settings["PLUGIN_METADATA_KEYS"] = (*settings.get("PLUGIN_METADATA_KEYS", ()), *METADATA_KEYS)
    for key in PELICAN_FEED_SETTINGS:
        if pelican.settings.get(key):
            logger.debug("feeds: switching off Pelican's %s", key)
        pelican.settings[key] = None


def validate(configured) -> None:
    """Log each unknown FEEDS key or value as an error (the build goes on with the
    default). Called once per build, on `initialized`."""
    for key, value in configured.items():
        if key not in DEFAULTS:
            logger.error(
                "pelicanconf.py: feeds: unknown FEEDS key %r. Fix: use one of %s.",
                key,
                ", ".join(sorted(DEFAULTS)),
            )
        elif key == "stylesheet" and not str(value).endswith(".css"):
            logger.error(
                "pelicanconf.py: feeds: FEEDS['stylesheet'] = %r is not a .css file "
                "(browsers are dropping XSLT). Fix: remove it to use %r, or name a .css path.",
                value,
                DEFAULTS["stylesheet"],
            )


def _valid(key, value) -> bool:
    return key in DEFAULTS and (key != "stylesheet" or str(value).endswith(".css"))


def read_settings(settings) -> FeedSettings:
    configured = settings.get("FEEDS") or {}
    merged = {**DEFAULTS, **{k: v for k, v in configured.items() if _valid(k, v)}}
    siteurl = (settings.get("SITEURL") or "").rstrip("/")
    public = siteurl.startswith(("http://", "https://"))
    if not public:
        siteurl = merged["dev_siteurl"].rstrip("/")
    library = settings.get("LIBRARY") or {}
    return FeedSettings(
        paths=merged,
        siteurl=siteurl,
        id_authority=merged["id_authority"] or urlsplit(siteurl).hostname or "localhost",
        max_items=int(settings.get("FEED_MAX_ITEMS") or 20),
        sitename=settings.get("SITENAME", ""),
        tagline=library.get("tagline") or settings.get("SITESUBTITLE") or settings["SITENAME"],
        language=settings.get("DEFAULT_LANG", "en"),
        author=settings.get("AUTHOR") or settings.get("SITENAME", ""),
        logo=library.get("default_image"),
        icon=library.get("logo"),
        content_path=settings["PATH"],
        public=public,
    )
