"""The inbox by email (LISTEN_EMAIL_TO), through the email channel's SMTP settings:
one message a run, and only when something is new, so staff are never flooded."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from announce.channels.email import EmailChannel, _quit
from announce.errors import AnnounceError


def compose(entries, summary: str, page: str, sender: str, to: str, site: str) -> EmailMessage:
    new = [e for e in entries if e.new]
    asks = sum(1 for e in new if e.question and not e.answered)
    mail = EmailMessage()
    mail["Subject"] = (f"{site or 'The library'}: {len(new)} new repl"
                       f"{'y' if len(new) == 1 else 'ies'} and mentions"
                       f"{f', {asks} asking something' if asks else ''}")  # fmt: skip
    mail["From"], mail["To"] = sender, to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    lines = [f"{summary}.", ""]
    for entry in sorted(new, key=lambda e: (not e.question, e.created)):
        flag = "QUESTION " if entry.question and not entry.answered else ""
        about = f" (on “{entry.about}”)" if entry.about else " (a mention)"
        lines += [f"{flag}{entry.author or 'Someone'} on {entry.network}{about}:",
                  entry.text or "(open it on the network to read it)", entry.url, ""]  # fmt: skip
    mail.set_content("\n".join(lines))
    mail.add_alternative(page, subtype="html")
    return mail


def send(config, environ, mail: EmailMessage) -> str | None:
    """Send through the first email channel with its keys in .env; the problem, or None."""
    found = [c for c in config.channels
             if c.type == "email" and EmailChannel.configured(c, environ)]  # fmt: skip
    if not found:
        return ("LISTEN_EMAIL_TO is set, but no email channel has its keys in .env, so the "
                "inbox was not emailed. Fix: set EMAIL_SMTP_HOST, EMAIL_FROM and EMAIL_TO "
                "(see .env.example), or empty LISTEN_EMAIL_TO.")  # fmt: skip
    channel = EmailChannel(found[0], config, environ)
    try:
        channel.validate()
        mail.replace_header("From", channel.sender)
        smtp = channel._open()
        try:
            smtp.send_message(mail)
        finally:
            _quit(smtp)
    except AnnounceError as err:
        return f"the inbox was not emailed: {err}"
    except (OSError, smtplib.SMTPException) as err:
        return f"the inbox was not emailed: the mail server said {err}"
    return None
