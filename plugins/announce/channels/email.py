"""Email: one message per post to a list address, over SMTP with STARTTLS or SSL."""

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from html import escape

from ..errors import NetworkError, OutcomeUnknown, Rejected, ServerError, Unauthorized
from .base import Channel, Receipt


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

    def template(self):
        return self.config.template or "{title}\n\n{summary}\n\nRead more: {url}"

    def compose(self, post):
        message = super().compose(post)
        message.extra["subject"] = post.title
        return message

    def send(self, message, post):
        env = self.config.env
        host, security = (
            self.require("SMTP_HOST"),
            (env(self.environ, "SMTP_SECURITY") or "starttls").lower(),
        )
        port = int(env(self.environ, "SMTP_PORT") or (465 if security == "ssl" else 587))
        sender, recipient = self.require("FROM"), self.require("TO")
        mail = build_email(
            message, post, sender, recipient, sender.rpartition("@")[2] or "localhost"
        )
        context = ssl.create_default_context()
        try:
            if security == "ssl":
                smtp = smtplib.SMTP_SSL(host, port, timeout=self.settings.timeout, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=self.settings.timeout)
        except (OSError, smtplib.SMTPException) as err:
            raise NetworkError(
                f"{self.name}: could not reach {host}:{port} ({type(err).__name__})"
            ) from None
        try:
            with smtp:
                if security == "starttls":
                    smtp.starttls(context=context)
                user = env(self.environ, "SMTP_USER")
                if user:
                    smtp.login(user, env(self.environ, "SMTP_PASSWORD"))
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError:
            raise Unauthorized(
                f"{self.name}: the mail server refused the login. Fix: check "
                f"{self.config.env_prefix}_SMTP_USER and _SMTP_PASSWORD in .env."
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise Rejected(
                f"{self.name}: {host} does not offer STARTTLS. Fix: set "
                f"{self.config.env_prefix}_SMTP_SECURITY=ssl (port 465), or ask your provider."
            ) from None
        except smtplib.SMTPResponseException as err:
            kind = ServerError if 400 <= err.smtp_code < 500 else Rejected
            raise kind(f"{self.name}: the mail server said {err.smtp_code}") from None
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError):
            raise OutcomeUnknown(f"{self.name}: the connection to {host} dropped") from None
        return Receipt(mail["Message-ID"])
