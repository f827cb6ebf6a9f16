"""Email: one message per post to a list address, over SMTP with STARTTLS or SSL."""

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from html import escape

from ..errors import NotConfigured, OutcomeUnknown
from ..smtp import SECURITY, connect, goodbye, read_server, refused
from .base import Account, Channel, Receipt


def build_email(message, post, sender, recipient, domain) -> EmailMessage:
    """Plain text and HTML parts; a Message-ID made from the post, so list software
    that sees the same message twice can tell."""
    mail = EmailMessage()
    mail["Subject"] = post.title
    mail["From"] = sender
    mail["To"] = recipient
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{message_id(post.id, message.channel)}@{domain}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(f"{message.text}\n")
    image = ""
    if message.image:
        src, alt = escape(post.image_url), escape(message.image[1])
        image = f'<p><img src="{src}" alt="{alt}" width="600"></p>'
    summary = f"<p>{escape(post.summary)}</p>" if post.summary else ""
    mail.add_alternative(
        f'<!DOCTYPE html><html lang="{escape(post.lang or "en")}"><body>'
        f"<h1>{escape(post.title)}</h1>{image}{summary}"
        f'<p><a href="{escape(post.url)}">Read the full post</a></p></body></html>',
        subtype="html",
    )
    return mail


def message_id(post_id: str, channel: str) -> str:
    return hashlib.sha256(f"{post_id}\n{channel}".encode()).hexdigest()[:24]


class EmailChannel(Channel):
    kind = "email"
    keys = ("SMTP_HOST", "FROM", "TO")
    optional_keys = ("SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_SECURITY")
    secret_keys = ("SMTP_PASSWORD",)
    can_find = False
    choices = {"SMTP_SECURITY": SECURITY}

    def template(self):
        return self.config.template or "{title}\n\n{summary}\n\nRead more: {url}"

    def compose(self, post):
        message = super().compose(post)
        message.extra["subject"] = post.title
        return message

    def validate(self):
        # The server's keys are read as the newsletter reads them (announce/smtp.py).
        server = read_server(self.environ, self.name, self.config.env_prefix, self.settings.timeout)
        self.server = server
        self.host, self.port, self.security = server.host, server.port, server.security
        self.user, self.password = server.user, server.password
        self.sender, self.recipient = self.require("FROM"), self.require("TO")
        for key, value in (("FROM", self.sender), ("TO", self.recipient)):
            if "@" not in parseaddr(value)[1]:
                raise NotConfigured(
                    f"{self.name}: {self.config.env_prefix}_{key}={value!r} is not an email "
                    "address. Fix: write it as name@example.org."
                )

    def _open(self):
        """A connection, encrypted as set and logged in."""
        return connect(self.server)

    def check(self):
        smtp = self._open()
        _quit(smtp)
        login = f"logged in as {self.user}" if self.user else "no login (a local relay)"
        return Account(
            f"{self.sender} -> {self.recipient}",
            [f"{self.host}:{self.port}, {self.security}, {login}; nothing was sent"],
        )

    def send(self, message, post, media):
        domain = self.sender.rpartition("@")[2] or "localhost"
        mail = build_email(message, post, self.sender, self.recipient, domain)
        smtp = self._open()
        try:
            smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as err:
            code, said = next(iter(err.recipients.values()))
            raise _refused(self.name, code, said, "the address") from None
        except smtplib.SMTPResponseException as err:  # sender refused, data refused
            raise _refused(self.name, err.smtp_code, err.smtp_error, "the message") from None
        except (TimeoutError, smtplib.SMTPException, OSError):
            raise OutcomeUnknown(f"{self.name}: the connection to {self.host} dropped") from None
        finally:
            _quit(smtp)
        return Receipt(mail["Message-ID"])


# The shared server code, under the names the listen plugin imports.
_quit, _refused = goodbye, refused
