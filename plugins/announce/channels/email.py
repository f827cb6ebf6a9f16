"""Email: one message per post to a list address, over SMTP with STARTTLS or SSL."""

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from html import escape

from ..errors import NetworkError, NotConfigured, OutcomeUnknown, Rejected, TryLater, Unauthorized
from .base import Account, Channel, Receipt, loopback


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
    choices = {"SMTP_SECURITY": ("starttls", "ssl", "none")}

    def template(self):
        return self.config.template or "{title}\n\n{summary}\n\nRead more: {url}"

    def compose(self, post):
        message = super().compose(post)
        message.extra["subject"] = post.title
        return message

    def validate(self):
        env, prefix = self.config.env, self.config.env_prefix
        self.host = self.require("SMTP_HOST")
        self.security = self.choice("SMTP_SECURITY", "starttls")
        port = env(self.environ, "SMTP_PORT") or ("465" if self.security == "ssl" else "587")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise NotConfigured(
                f"{self.name}: {prefix}_SMTP_PORT={port!r} is not a port number. Fix: 587 for "
                "starttls, 465 for ssl, as your mail provider says."
            )
        self.port = int(port)
        self.sender = self.require("FROM")
        # The newsletter (plugins/newsletter) uses this server without EMAIL_TO.
        self.recipient = self.require("TO") if "TO" in self.keys else env(self.environ, "TO")
        for key, value in (("FROM", self.sender), ("TO", self.recipient)):
            if value and "@" not in parseaddr(value)[1]:
                raise NotConfigured(
                    f"{self.name}: {prefix}_{key}={value!r} is not an email address. "
                    "Fix: write it as name@example.org."
                )
        self.user = env(self.environ, "SMTP_USER")
        self.password = env(self.environ, "SMTP_PASSWORD")
        if self.security == "none" and (self.user or self.password) and not loopback(self.host):
            raise NotConfigured(
                f"{self.name}: {prefix}_SMTP_SECURITY=none would send the password to "
                f"{self.host} unencrypted, so nothing is sent. Fix: set it to starttls (port "
                "587) or ssl (port 465); none is only for a relay on this computer."
            )

    def _open(self):
        """A connection, encrypted as set and logged in."""
        host, port = self.host, self.port
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(host, port, timeout=self.settings.timeout, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=self.settings.timeout)
        except (OSError, smtplib.SMTPException) as err:
            raise NetworkError(
                f"{self.name}: could not reach {host}:{port} ({type(err).__name__})"
            ) from None
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password)
        except smtplib.SMTPAuthenticationError:
            smtp.close()
            raise Unauthorized(
                f"{self.name}: the mail server refused the login. Fix: check "
                f"{self.config.env_prefix}_SMTP_USER and _SMTP_PASSWORD in .env."
            ) from None
        except smtplib.SMTPNotSupportedError:
            smtp.close()
            raise Rejected(
                f"{self.name}: {host} does not offer STARTTLS (or a login after it). Fix: set "
                f"{self.config.env_prefix}_SMTP_SECURITY=ssl (port 465), or ask your provider."
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as err:
            smtp.close()
            raise NetworkError(f"{self.name}: {host} dropped the connection ({err})") from None
        return smtp

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


def _quit(smtp):
    try:
        smtp.quit()  # the message was accepted (or not) already: a failed goodbye
    except (OSError, smtplib.SMTPException):  # changes nothing
        smtp.close()


def _refused(name, code, said, what):
    """SMTP 4xx means "not now" (greylisting, a full queue): pending, tried again next
    run. 5xx means never: failed, with what the server said."""
    said = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    if 400 <= code < 500:
        return TryLater(f"{name}: the mail server said try later ({code} {said[:80]})")
    return Rejected(f"{name}: the mail server refused {what} ({code} {said[:80]})")
