"""The mail server set in .env (EMAIL_SMTP_*): read and checked, then a connection,
encrypted as set and logged in. Shared by the email channel (one message per post) and
the newsletter (plugins/newsletter), so both follow the same rules: a password never
crosses the network unencrypted, and no message ever contains it.

Outside the channels package on purpose: importing a channel imports them all (the
Bluesky SDK alone takes two seconds), which the newsletter does not need.
"""

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass

from .errors import NetworkError, NotConfigured, Rejected, TryLater, Unauthorized

SECURITY = ("starttls", "ssl", "none")


def loopback(host: str) -> bool:
    """Whether `host` is this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class MailServer:
    name: str  # who uses it, for messages: "email", "newsletter"
    prefix: str  # of its .env keys: EMAIL -> EMAIL_SMTP_HOST
    host: str
    port: int
    security: str  # starttls, ssl or none
    user: str
    password: str
    timeout: float


def read_server(environ, name: str, prefix: str, timeout: float) -> MailServer:
    """{prefix}_SMTP_HOST, _PORT, _SECURITY, _USER and _PASSWORD, checked before any
    connection; NotConfigured says what to fix."""

    def env(key):
        return environ.get(f"{prefix}_{key}", "").strip()

    host = env("SMTP_HOST")
    if not host:
        raise NotConfigured(
            f"{name}: {prefix}_SMTP_HOST is not set. Fix: add it to .env (see .env.example)."
        )
    security = env("SMTP_SECURITY").lower() or "starttls"
    if security not in SECURITY:
        raise NotConfigured(
            f"{name}: {prefix}_SMTP_SECURITY={security!r} is not one of "
            f"{', '.join(SECURITY)}. Fix: correct it in .env."
        )
    port = env("SMTP_PORT") or ("465" if security == "ssl" else "587")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise NotConfigured(
            f"{name}: {prefix}_SMTP_PORT={port!r} is not a port number. Fix: 587 for "
            "starttls, 465 for ssl, as your mail provider says."
        )
    user, password = env("SMTP_USER"), env("SMTP_PASSWORD")
    if security == "none" and (user or password) and not loopback(host):
        raise NotConfigured(
            f"{name}: {prefix}_SMTP_SECURITY=none would send the password to "
            f"{host} unencrypted, so nothing is sent. Fix: set it to starttls (port "
            "587) or ssl (port 465); none is only for a relay on this computer."
        )
    return MailServer(name, prefix, host, int(port), security, user, password, timeout)


def connect(server: MailServer) -> smtplib.SMTP:
    """A connection, encrypted as set and logged in."""
    host, port, name = server.host, server.port, server.name
    context = ssl.create_default_context()
    try:
        if server.security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=server.timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=server.timeout)
    except (OSError, smtplib.SMTPException) as err:
        why = type(err).__name__
        raise NetworkError(f"{name}: could not reach {host}:{port} ({why})") from None
    try:
        if server.security == "starttls":
            smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, server.password)
    except smtplib.SMTPAuthenticationError:
        smtp.close()
        raise Unauthorized(
            f"{name}: the mail server refused the login. Fix: check "
            f"{server.prefix}_SMTP_USER and _SMTP_PASSWORD in .env."
        ) from None
    except smtplib.SMTPNotSupportedError:
        smtp.close()
        raise Rejected(
            f"{name}: {host} does not offer STARTTLS (or a login after it). Fix: set "
            f"{server.prefix}_SMTP_SECURITY=ssl (port 465), or ask your provider."
        ) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as err:
        smtp.close()
        raise NetworkError(f"{name}: {host} dropped the connection ({err})") from None
    return smtp


def goodbye(smtp):
    """Quit; the messages were accepted (or not) already, so a failed goodbye changes
    nothing."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def refused(name, code, said, what):
    """SMTP 4xx means "not now" (greylisting, a full queue): pending, tried again next
    run. 5xx means never: failed, with what the server said."""
    said = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    if 400 <= code < 500:
        return TryLater(f"{name}: the mail server said try later ({code} {said[:80]})")
    return Rejected(f"{name}: the mail server refused {what} ({code} {said[:80]})")
