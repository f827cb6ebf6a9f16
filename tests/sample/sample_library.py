"""The sample library's identity, frozen for the kit's tests.

This is the "Your library" block of pelicanconf.py as the kit ships it. A library edits
its own block; the tests keep building the sample site with these values, so `make test`
checks the kit, whatever the library has made of its settings and content.
"""

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
