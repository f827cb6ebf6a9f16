"""schema.org Event for an event page (rich results). Pure."""

from .model import STATUSES

OFFLINE = "https://schema.org/OfflineEventAttendanceMode"
ONLINE = "https://schema.org/OnlineEventAttendanceMode"


def event_jsonld(event, start, end, *, title, description, url, image, branches, currency):
    """`start`/`end`: the occurrence to describe (the next one, for a repeating event)."""
    address = branches.get(event.branch, "")
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
    offer = {
        "@type": "Offer",
        "price": _amount(event),
        "priceCurrency": currency,
        "availability": "https://schema.org/InStock",
        "url": event.booking_url or url,
    }
    data["offers"] = offer
    if event.audiences:
        data["audience"] = {"@type": "Audience", "audienceType": ", ".join(event.audiences)}
    return data


def _amount(event) -> str:
    if event.free:
        return "0"
    digits = "".join(c for c in event.price if c.isdigit() or c == ".")
    return digits or "0"
