"""Noticeboard settings for working on your own computer (`make html`, `make serve`).

Production settings live in publishconf.py, which imports everything here first.
Edit the "Your library" block to rebrand; the rest rarely needs changing.
"""

from pathlib import Path

# =============================================================================
# Your library: everything that identifies the library lives in this block.
# Rebranding the site means editing these values only.
# =============================================================================
SITENAME = "Riverside Libraries"
LIBRARY = {
    # One short sentence shown under the name and used as the home page description.
    "tagline": "News, events and help from your local libraries in Riverside.",
    # Logo: a file under content/ (SVG or PNG), shown beside the name.
    "logo": "images/logo.svg",
    # Used when a post has no image of its own (Open Graph / social cards). PNG or JPEG.
    "default_image": "images/riverside-central.jpg",
    "default_image_alt": (
        "The front of Riverside Central Library, a brick building with tall windows."
    ),
    # Postal address, one line per item.
    "address": ["Riverside Central Library", "1 Mill Lane", "Riverside", "RV1 2AB"],
    # Opening hours: (days, hours) pairs, shown in the footer and on the Visit us page.
    "opening_hours": [
        ("Monday to Friday", "9am to 7pm"),
        ("Saturday", "9am to 5pm"),
        ("Sunday", "Closed"),
    ],
    # Every branch, with its address: events name one in Location:, and event pages
    # give search engines the address (street, locality and postcode; "country" and
    # "region" too where a branch's differ from the library's).
    "branches": {
        "Riverside Central Library": {
            "street": "1 Mill Lane",
            "locality": "Riverside",
            "postcode": "RV1 2AB",
        },
        "Northfield Library": {
            "street": "14 North Road",
            "locality": "Riverside",
            "postcode": "RV3 4CD",
        },
        "Westbrook Library": {
            "street": "Westbrook Parade",
            "locality": "Riverside",
            "postcode": "RV5 6EF",
        },
        "Eastgate Library": {
            "street": "2 Gate Street",
            "locality": "Riverside",
            "postcode": "RV2 8GH",
        },
    },
    # Each branch's own opening hours, for the home page's "Open today" (leave this out
    # when every branch keeps the hours above).
    "branch_hours": {
        "Riverside Central Library": [
            ("Monday to Friday", "9am to 7pm"),
            ("Saturday", "9am to 5pm"),
            ("Sunday", "Closed"),
        ],
        "Northfield Library": [
            ("Monday, Wednesday and Friday", "10am to 5pm"),
            ("Saturday", "10am to 1pm"),
            ("Tuesday, Thursday and Sunday", "Closed"),
        ],
        "Westbrook Library": [("Monday to Saturday", "10am to 4pm"), ("Sunday", "Closed")],
        "Eastgate Library": [
            ("Tuesday to Saturday", "9.30am to 5pm"),
            ("Sunday and Monday", "Closed"),
        ],
    },
    # The country, as a two-letter ISO 3166 code, for the addresses above.
    "country": "GB",
    "phone": "01234 567890",
    "email": "libraries@riverside.example",
    # The library's own social accounts: shown in the footer. Leave a list empty to hide it.
    "social": [
        {"name": "Mastodon", "url": "https://mastodon.example/@riversidelibraries"},
        {"name": "Bluesky", "url": "https://bsky.app/profile/riversidelibraries.example"},
        {"name": "Facebook", "url": "https://www.facebook.com/riversidelibraries.example"},
    ],
    # Brand colours. "brand" is used for the header, links and buttons on a light
    # background and must keep 4.5:1 contrast with white; "brand_dark_mode" is the same
    # role in dark mode and must keep 4.5:1 contrast with #121212. The build warns if not.
    "colours": {
        "brand": "#0b5a6b",
        "brand_dark_mode": "#7fd3e3",
        "accent": "#8a3b12",
        "accent_dark_mode": "#ffb38a",
    },
}
AUTHOR = "Riverside Libraries"  # used when a post names no author
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"
LOCALE = ("en_GB.UTF-8", "C.UTF-8", "")
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# =============================================================================
# Where things are
# =============================================================================
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
EXTRA_PATH_METADATA = {}
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "checks",
    "incremental",  # renders only the pages that changed; tidies the output folder
    "parallel",  # converts Markdown on every core before Pelican reads the posts
    "feeds",
    "announce",
    "listen",  # LISTEN_SHOW_REPLIES: each post's public replies under it (off by default)
    "events",
    "brochures",
    "home",  # the home page's blocks: what's on, today's hours, search, brochure, news
    "newsletter",  # the weekly email edition and its archive pages (after events, brochures)
    "sitemaps",  # sitemap.xml for search engines: every page that may be indexed
    "search",  # Pagefind: the site's own search, made after every build
    "images",  # marks pictures for image-process; social cards
    "pelican.plugins.image_process",  # pelican-image-process: WebP sizes in srcset
]

# Responsive images (pelican-image-process): every local picture in a post is offered
# in three WebP widths; the browser picks the one that fits the screen.
IMAGE_PROCESS = {
    "content": {
        "type": "responsive-image",
        "sizes": "(min-width: 44rem) 42rem, 100vw",
        "srcset": [
            ("480w", ["scale_in 480 2000 False"], "webp"),
            ("960w", ["scale_in 960 4000 False"], "webp"),
            ("1600w", ["scale_in 1600 6000 False"], "webp"),
        ],
        "default": "960w",
    },
}
IMAGE_PROCESS_DIR = "derivatives"
# Front-matter keys your own additions use, so the checks don't report them as typos.
METADATA_KEYS = []

# Local work: links are relative, so the site opens from any folder or port.
SITEURL = ""
RELATIVE_URLS = True
# The output folder is kept between builds and tidied after each one (plugins/
# incremental): pages whose content did not change are not rendered again, and a
# deleted post, tag or picture never lingers. publishconf.py starts from empty.
DELETE_OUTPUT_DIRECTORY = False

# =============================================================================
# Publishing rules
# =============================================================================
# A post dated in the future stays unpublished until a build on or after its date.
WITH_FUTURE_DATES = False
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SUMMARY_MAX_LENGTH = 40
SUMMARY_END_SUFFIX = "…"

# Stable, readable addresses. A post's address includes its year so that next
# year's "Summer Reading Challenge" never collides with this year's.
ARTICLE_URL = "news/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "news/{date:%Y}/{slug}/index.html"
# Drafts and scheduled posts are never written to the site.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
CATEGORIES_URL = "category/"
CATEGORIES_SAVE_AS = "category/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tag/"
TAGS_SAVE_AS = "tag/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
AUTHORS_URL = "author/"
AUTHORS_SAVE_AS = "author/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives"]
# Every post, newest first, is the News list; the home page (home.html) is the front door.
INDEX_URL = "news/"
INDEX_SAVE_AS = "news/index.html"
# The category of this name links to the News list too: one name, one place.
NEWS_CATEGORY = "News"

# Feeds: written by plugins/feeds (Pelican's own feed settings are switched off).
# Their addresses are public and stable; see FEEDS in docs/reference.md to change them.
FEED_MAX_ITEMS = 20
FEEDS = {}
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Templates escape every value unless marked |safe (post bodies are), so a title
# with "<" or "&" never breaks a page.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

# =============================================================================
# Markdown
# =============================================================================
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},  # tables, footnotes, attribute lists...
        "markdown.extensions.smarty": {},
        "markdown.extensions.toc": {"anchorlink": False, "permalink": False},
    },
    "output_format": "html5",
}

# =============================================================================
# Speed: Pelican's content cache. Checksums (not file times) decide what changed,
# so a fresh git checkout, which resets every file time, still reuses the cache.
# The reader-level cache keeps plugins' checks running on every build.
# =============================================================================
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = str(Path(__file__).parent / ".cache" / "pelican")
READ_WORKERS = None  # processes converting Markdown (plugins/parallel); None: every core
READ_PARALLEL_MIN = 64  # fewer new posts than this are read one by one
INCREMENTAL = True  # render only pages whose content changed (plugins/incremental)

# =============================================================================
# Announcing new posts (plugins/announce). Local builds never plan or send;
# publishconf.py turns planning on. Every ANNOUNCE_* setting and its default is in
# docs/reference.md; channel keys (tokens, passwords) go in .env, never here.
# =============================================================================
ANNOUNCE_MAX_PER_RUN = 3
ANNOUNCE_SINCE = None  # e.g. "2026-11-01": on the very first run, announce posts from this date
ANNOUNCE_MAX_AGE = 14  # days: an older post is not news and is never announced (None: no limit)
ANNOUNCE_HASHTAGS = {}  # e.g. {"Riverside Central": "RiversideLibraries"}

# =============================================================================
# Events (plugins/events): a post with Event-Start: is an event.
# =============================================================================
EVENTS_URL = "events/"
EVENTS_CALENDAR = "events.ics"  # the site-wide calendar to subscribe to
EVENTS_AUDIENCES = ["everyone", "adults", "teens", "children", "families", "under fives"]
EVENTS_HORIZON_DAYS = 92  # how far ahead repeating events are listed
EVENTS_CURRENCY = "GBP"
EVENTS_NOW = None  # preview the events pages as of another moment, e.g. "2026-12-01T09:00"

# =============================================================================
# The home page (plugins/home): its blocks, in this order. Leave a name out to hide
# its block: whats_on (events in the next HOME_WHATS_ON_DAYS days; none, no block),
# hours (today's opening hours), search, brochure (the current one), news.
# =============================================================================
HOME_BLOCKS = ["whats_on", "hours", "search", "brochure", "news"]
HOME_WHATS_ON_DAYS = 7
HOME_NEWS = 4  # the latest posts shown, with their pictures, before "More news"

# =============================================================================
# Brochures (plugins/brochures): content/brochures/*.md, read online and as a PDF.
# =============================================================================
BROCHURES_URL = "brochures/"
BROCHURES_PAGE_SIZE = "A5"  # or "A4"
BROCHURES_PDF_VARIANT = "pdf/ua-1"  # a tagged PDF for screen readers; "" for a plain PDF
BROCHURES_LARGE_PRINT_SIZE = 18  # large print text, in points: 16 to 28 (RNIB clear print)

# =============================================================================
# The newsletter (plugins/newsletter): an email edition each week (or fortnight) made
# from the site, and an archive of editions at newsletters/. `make newsletter` builds
# the current edition; an intro for it goes in content/newsletters/YYYY-MM-DD.md.
# Every key and its default is in docs/reference.md; leave a key out to keep its default.
# =============================================================================
NEWSLETTER = {
    "day": "monday",  # the day of the week each edition goes out
    "period": "weekly",  # or "fortnightly" (then add "first": "YYYY-MM-DD", an edition's date)
    # In this order; leave one out to hide it: the editor's intro, the posts since the
    # last edition, the events of the coming week, the current brochure, opening hours.
    "sections": ["intro", "posts", "events", "brochure", "hours"],
    "subject": "This week at {sitename}",  # {sitename} and {date} are filled in
    "intro": "",  # Markdown, for an edition with no content/newsletters/<date>.md
    "empty_text": None,  # a week with no news sends nothing; or text to send instead
    "archive": 12,  # past editions kept on the site
}

# =============================================================================
# Search engines: sitemap.xml (plugins/sitemaps) and robots.txt (a template page).
# Pages marked noindex (404.html, search/) are never listed; "exclude" leaves out more,
# by regular expressions on the address, e.g. ["^tag/"].
# =============================================================================
SITEMAP = {"exclude": []}
TEMPLATE_PAGES = {
    "robots.txt": "robots.txt",
    "search.html": "search/index.html",
    "home.html": "index.html",
}
SEARCH_ENABLED = True  # plugins/search: run Pagefind after every build
# A bigger site is indexed in parts of at most this many pages (Pagefind's memory), and
# after an edit only the parts whose pages changed are indexed again: small parts keep
# local rebuilds quick. publishconf.py uses bigger ones (fewer files per search).
SEARCH_SHARD_PAGES = 250

# =============================================================================
# Sharing: plain links under each post (no scripts, nothing loads until clicked).
# {url} and {title} are filled in, URL-encoded.
# =============================================================================
SHARE_LINKS = [
    ("Mastodon", "https://mastodonshare.com/?text={title}&url={url}"),
    ("Bluesky", "https://bsky.app/intent/compose?text={title}%20{url}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("Email", "mailto:?subject={title}&body={url}"),
]
