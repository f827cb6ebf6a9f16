"""One reader's copy of the edition, as bytes ready for SMTP: pure (the time is given).

multipart/alternative, the plain text first and the HTML second (a client shows the
last part it can), both UTF-8 in quoted-printable so no server has to convert them (which
would break a DKIM signature); To names that one reader; a Message-ID made from the
edition and a keyed hash of the address (the same edition and address give the same id,
and the id shows nobody's address); List-Id; List-Unsubscribe with a mailto address and,
when the library has one, its https page, plus List-Unsubscribe-Post for one-click
unsubscribing (RFC 8058) then only.
"""

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import quote

from .parts import fill_unsubscribe
from .sendconfig import Dkim, SendConfig, recipient_id, unsubscribe_token

# What the DKIM signature covers: the headers a reader and a mail client act on.
SIGNED = (
    "From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
    "List-Unsubscribe-Post", "MIME-Version", "Content-Type",
)  # fmt: skip


POLICY = policy.SMTP.clone(refold_source="none")  # CRLF; raw headers kept as written


class DkimError(ValueError):
    """The DKIM key cannot sign (not a private key dkimpy reads)."""


@dataclass(frozen=True)
class Sender:
    """What is the same in every copy: who sends, and the list."""

    from_: str  # EMAIL_FROM, as written ("Riverside Libraries <news@...>")
    domain: str  # of the From address: Message-IDs and List-Id
    list_name: str  # the List-Id's display name

    @property
    def address(self) -> str:
        return parseaddr(self.from_)[1]


def sender(email_from: str, sitename: str) -> Sender:
    domain = parseaddr(email_from)[1].rpartition("@")[2].lower() or "localhost"
    return Sender(email_from, domain, f"{sitename or domain} newsletter")


def message_id(edition: str, rid: str, domain: str) -> str:
    """<newsletter-2026-12-07.3f9a...@example.org>: stable for an edition and a reader."""
    return f"<newsletter-{edition}.{rid[:20]}@{domain}>"


def list_id(who: Sender) -> str:
    return f"{_phrase(who.list_name)} <newsletter.{who.domain}>"


def unsubscribe_ways(config: SendConfig, who: Sender, address: str) -> tuple[str, str]:
    """(the mailto: address that takes unsubscribe requests, the reader's own https
    page or ""): in List-Unsubscribe and in the footer of the reader's copy."""
    mailto = config.unsubscribe_mailto or f"mailto:{who.address}?subject=unsubscribe"
    url = ""
    if config.unsubscribe_url:
        url = config.unsubscribe_url.replace("{email}", quote(address, safe="@"))
        if "{token}" in url:
            url = url.replace("{token}", unsubscribe_token(config.key, address))
    return mailto, url


def unsubscribe(config: SendConfig, who: Sender, address: str) -> tuple[list[str], bool]:
    """(List-Unsubscribe's addresses, whether one-click applies). The https page first:
    mail providers offer its one-click button; the mailto address always, for the rest."""
    mailto, url = unsubscribe_ways(config, who, address)
    return ([f"<{url}>"] if url else []) + [f"<{mailto}>"], bool(url)


def build(edition, recipient, config: SendConfig, who: Sender, when: datetime) -> EmailMessage:
    """The message for one reader (`recipient`: subscribers.Recipient). Headers are
    written as they go out (set_raw): the email package would otherwise fold a long
    unsubscribe address into encoded words no mail client follows."""
    mail = EmailMessage(policy=POLICY)
    name, address = parseaddr(who.from_)
    mail.set_raw("From", formataddr((name, address), charset="utf-8"))
    mail.set_raw("To", formataddr((recipient.name, recipient.address), charset="utf-8"))
    mail.set_raw("Subject", _text(edition.subject, "Subject"))
    mail.set_raw("Date", format_datetime(when))
    rid = recipient_id(config.key, recipient.address)
    mail.set_raw("Message-ID", message_id(edition.date.isoformat(), rid, who.domain))
    mail.set_raw("List-Id", list_id(who))
    links, one_click = unsubscribe(config, who, recipient.address)
    mail.set_raw("List-Unsubscribe", ",\r\n ".join(links))
    if one_click:
        mail.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    html, text = fill_unsubscribe(
        edition.html, edition.text, *unsubscribe_ways(config, who, recipient.address)
    )
    text = text if text.endswith("\n") else text + "\n"
    mail.set_content(text, charset="utf-8", cte="quoted-printable")
    mail.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return mail


def _text(value: str, name: str) -> str:
    """A header's text, folded, in encoded words when it is not ASCII."""
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name=name).encode(linesep="\r\n")


def _phrase(value: str) -> str:
    if value.isascii():
        return '"' + value.replace("\\", "").replace('"', "'") + '"'
    return Header(value, "utf-8").encode(linesep="\r\n")


def to_bytes(mail: EmailMessage, dkim: Dkim | None = None) -> bytes:
    """The message as SMTP sends it (CRLF), signed when a DKIM key is set."""
    data = mail.as_bytes(policy=POLICY)
    if dkim is None:
        return data
    return sign(data, dkim) + data


def sign(data: bytes, key: Dkim) -> bytes:
    """The DKIM-Signature header for `data` (rsa-sha256, relaxed/relaxed), covering
    SIGNED where present."""
    import dkim  # dkimpy: only needed when signing

    present = {line.split(b":", 1)[0].strip().lower() for line in _headers(data)}
    wanted = [h.lower().encode() for h in SIGNED if h.lower().encode() in present]
    try:
        return dkim.sign(
            data,
            key.selector.encode(),
            key.domain.encode(),
            key.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=wanted,
        )
    except Exception as err:  # dkimpy raises many kinds for a key it cannot read
        raise DkimError(
            f"NEWSLETTER_DKIM_PRIVATE_KEY cannot sign ({type(err).__name__}). Fix: give "
            "the RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN "
            "PRIVATE KEY-----), as your mail provider or DNS host made it."
        ) from None


def _headers(data: bytes):
    head = data.split(b"\r\n\r\n", 1)[0]
    return [line for line in head.split(b"\r\n") if line and line[:1] not in (b" ", b"\t")]
