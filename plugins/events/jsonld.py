"""schema.org Event for an event page (rich results). Pure."""

from .model import STATUSES

OFFLINE = "https://schema.org/OfflineEventAttendanceMode"
ONLINE = "https://schema.org/OnlineEventAttendanceMode"

# LIBRARY["branches"][name] as a dict: these keys, as schema.org PostalAddress names them.
ADDRESS_KEYS = {
    "street": "streetAddress",
    "locality": "addressLocality",
    "region": "addressRegion",
    "postcode": "postalCode",
    "country": "addressCountry",
}
REQUIRED_ADDRESS_KEYS = ("street", "locality", "postcode")


def postal_address(value, country: str = "") -> dict | None:
    """A branch's address (LIBRARY["branches"][name]) as a schema.org PostalAddress.

    A dict gives each part; a plain string (the older form) can only be the street.
    `country` (LIBRARY["country"]) is used when the branch does not name its own."""
    if not value:
        return None
    if isinstance(value, str):
        parts = {"street": value}
    else:
        parts = {k: str(v).strip() for k, v in value.items() if k in ADDRESS_KEYS and v}
    parts.setdefault("country", country)
    address = {"@type": "PostalAddress"}
    address.update({ADDRESS_KEYS[k]: v for k, v in parts.items() if v})
    return address


def branch_problems(library) -> list[tuple[bool, str]]:
    """(is_error, message) for each problem in LIBRARY["branches"]: checked once a build."""
    problems = []
    for name, value in (library.get("branches") or {}).items():
        where = f"pelicanconf.py: LIBRARY['branches'][{name!r}]"
        if isinstance(value, str):
            problems.append((False, (
                f"{where} is a single line, so search engines get it as the street only. "
                'Fix: write it as {"street": ..., "locality": ..., "postcode": ...}.'
            )))  # fmt: skip
            continue
        if not isinstance(value, dict):
            problems.append((True, f"{where} is not an address. Fix: write it as a dict."))
            continue
        for key in value:
            if key not in ADDRESS_KEYS:
                problems.append((True, (
                    f"{where}: unknown key {key!r}. Fix: use one of {', '.join(ADDRESS_KEYS)}."
                )))  # fmt: skip
        for key in REQUIRED_ADDRESS_KEYS:
            if not value.get(key):
                problems.append((True, f"{where} has no {key!r}. Fix: add it."))
    return problems


def event_jsonld(
    event, start, end, *, title, description, url, image, address, organizer, valid_from,
    currency,
):  # fmt: skip
    """`start`/`end`: the occurrence to describe (the next one, for a repeating event).
    `address`: the branch's PostalAddress (postal_address), or None; `organizer`: the
    library, a schema.org Organization; `valid_from`: when booking opened (the post's
    date); `image`: the post's picture, or the library's default one."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": title,
        "description": description,
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "eventStatus": f"https://schema.org/{STATUSES[event.status]}",
        "eventAttendanceMode": ONLINE if event.online else OFFLINE,
        "url": url,
    }
    if event.online:
        data["location"] = {"@type": "VirtualLocation", "url": event.booking_url or url}
    else:
        data["location"] = {
            "@type": "Place",
            "name": event.location,
            "address": address or event.branch,
        }
    if image:
        data["image"] = [image]
    data["organizer"] = organizer
    if event.performer:
        data["performer"] = {"@type": "Person", "name": event.performer}
    data["offers"] = {
        "@type": "Offer",
        "price": _amount(event),
        "priceCurrency": currency,
        "availability": "https://schema.org/InStock",
        "url": event.booking_url or url,
        "validFrom": valid_from.isoformat(),
    }
    if event.audiences:
        data["audience"] = {"@type": "Audience", "audienceType": ", ".join(event.audiences)}
    return data


def _amount(event) -> str:
    if event.free:
        return "0"
    digits = "".join(c for c in event.price if c.isdigit() or c == ".")
    return digits or "0"
