"""Who gets the newsletter: the list address, or the subscriber file (one address per
line, kept out of git). Bad lines are reported with file:line and skipped; the same
address twice is sent once."""

import re
from dataclasses import dataclass, field
from email.utils import getaddresses

# The local part as RFC 5322 writes it unquoted (dot-atom), ASCII only: a non-ASCII
# local part needs SMTPUTF8, which many servers lack.
LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class Recipient:
    address: str  # normalised: the local part as written, the domain in lower case
    name: str  # a display name written with it ("Ann Smith <ann@...>"), or ""
    where: str  # subscribers.txt:12, or "the list address (NEWSLETTER_TO)"


@dataclass
class Readers:
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # file:line: what, skipped
    notes: list[str] = field(default_factory=list)  # duplicates: sent once


def normalise(address: str) -> str | None:
    """`address` with its domain in lower case (and in ASCII, for an internationalised
    domain), or None if it is not an address mail can be sent to."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or len(local) > 64 or not LOCAL.fullmatch(local):
        return None
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253 or not all(LABEL.fullmatch(x) for x in labels):
        return None
    if labels[-1].isdigit():  # an IP address, not a domain
        return None
    return f"{local}@{domain}"


def list_address(value: str, key: str) -> Readers:
    name, address = getaddresses([value])[0]
    return Readers([Recipient(normalise(address) or address, name, f"the list address ({key})")])


def read(path: str, shown: str) -> Readers:
    """The subscriber file at `path` (`shown` names it in messages): one address per
    line, "Name <address>" allowed; blank lines and # comments ignored."""
    found, seen, folded = Readers(), {}, {}
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        lines = f.read().splitlines()
    for number, raw in enumerate(lines, start=1):
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        where = f"{shown}:{number}"
        parsed = getaddresses([line])
        name, address = parsed[0] if len(parsed) == 1 else ("", "")
        normal = normalise(address) if address and "," not in line else None
        if normal is None:
            found.problems.append(f"{where}: {_why(line)}: skipped")
            continue
        if normal in seen:
            found.notes.append(f"{where}: the same address as line {seen[normal]}: sent once")
            continue
        seen[normal] = number
        lower = normal.lower()
        if lower in folded:
            found.notes.append(
                f"{where}: the same address as line {folded[lower]} but for capital letters; "
                "both are kept (most providers treat them as one: remove one if so)"
            )
        folded.setdefault(lower, number)
        found.recipients.append(Recipient(normal, name, where))
    return found


def _why(line: str) -> str:
    """Why a line is not an address, without repeating it (it may be someone's)."""
    if "," in line or line.count("@") > 1:
        return "more than one address on the line (write one per line)"
    if "@" not in line:
        return "not an email address (no @)"
    if any(ord(c) > 127 for c in line.rpartition("@")[0]):
        return "an address with non-ASCII letters before the @ (not supported by many servers)"
    return "not a valid email address"
