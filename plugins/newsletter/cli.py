"""`make newsletter-send` and `make newsletter-retry`.

python -m newsletter send [--settings publishconf.py] [--dry-run]
python -m newsletter retry [--settings publishconf.py] [--edition 2026-12-07]

`send` sends the current edition (newsletter.json, written by the build beside the
announce plan) to each reader once: over SMTP to the list address (NEWSLETTER_TO) or to
everyone in the subscriber file (NEWSLETTER_SUBSCRIBERS), or as a listmonk campaign
(NEWSLETTER_SERVICE=listmonk). Nothing goes before the edition's date. `--dry-run`, and
any run while the newsletter is not set up in .env, shows who would get it (a count)
and the headers, and sends nothing. `retry` lets the next `send` send again the copies
that were interrupted (unknown) or refused (failed).

Exit codes: 0 done (or nothing to do yet); 1 something is pending, failed or unknown (the
summary says what); 2 the settings, the edition, the subscriber list or the ledger need
fixing first; 75 another newsletter run is in progress (nothing was done).
"""

import argparse
import logging
import os
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from announce.config import SettingsError, read_config
from announce.errors import AnnounceError, NotConfigured
from announce.lock import Busy, run_lock
from announce.redact import Redactor
from pelican.settings import read_settings

from . import ledger as states
from . import subscribers
from .campaign import TARGET, ListmonkClient, campaign_name, send_campaign
from .delivery import Delivery, check_key, smtp_configured, smtp_server, triage
from .handoff import edition_path, previous_path, read
from .ledger import Ledger, ledger_path
from .message import DkimError, build, sender, to_bytes
from .sendconfig import SendError, read_send_config, secrets

logger = logging.getLogger("newsletter")
BUSY = 75  # EX_TEMPFAIL: try again later
PLACEHOLDER = subscribers.Recipient("reader@example.invalid", "", "an example reader")
SHOWN = ("From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
         "List-Unsubscribe-Post", "MIME-Version", "Content-Type")  # fmt: skip


def main(argv=None, environ=None) -> int:
    parser = argparse.ArgumentParser(prog="newsletter", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["send", "retry"])
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--dry-run", action="store_true", help="send: show, send nothing")
    parser.add_argument("--edition", help="retry: the edition's date (default: the current one)")
    minutes = "send: start no batch after this many minutes (the rest go next run)"
    parser.add_argument("--max-minutes", type=float, help=minutes)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    environ = os.environ if environ is None else environ
    redactor = Redactor(secrets(environ))
    redactor.install()
    try:
        settings = read_settings(args.settings)  # publishconf.py reads .env
        redactor.secrets = Redactor(secrets(environ)).secrets  # with the keys .env added
        announce = read_config(settings, environ)
        project = os.path.dirname(os.path.abspath(args.settings))
        config = read_send_config(environ, project)
        run = Run(settings, announce, config, environ, project, redactor)
        if args.command == "retry":
            with run_lock(announce.state_dir, "make newsletter-retry", name="newsletter"):
                return run.retry(args.edition)
        return run.send(dry_run=args.dry_run, max_minutes=args.max_minutes)
    except Busy as err:
        logger.error("newsletter: %s", err)
        return BUSY
    except (SettingsError, SendError, DkimError, NotConfigured) as err:
        logger.error("newsletter: %s", redactor.text(err))
        return 2


class Run:
    def __init__(self, settings, announce, config, environ, project, redactor):
        self.settings, self.announce, self.config = settings, announce, config
        self.environ, self.project, self.redactor = environ, project, redactor
        self.timezone = settings.get("TIMEZONE") or "UTC"
        self.now = datetime.now(UTC)
        self.today = self.now.astimezone(ZoneInfo(self.timezone)).date()
        self.edition_file = edition_path(announce.state_dir)
        self.ledger_file = ledger_path(announce.ledger)
        self.email_from = environ.get("EMAIL_FROM", "").strip()
        self.who = sender(self.email_from, settings.get("SITENAME", ""))
        self._readers = None

    def say(self, text=""):
        print(self.redactor.text(text))

    # -- send ----------------------------------------------------------------------------
    def send(self, dry_run=False, max_minutes=None) -> int:
        config = self.config
        why_dry = "" if not dry_run else "A dry run (DRY_RUN=1)"
        if not config.set_up:
            why_dry = (
                "The newsletter is not set up in .env (NEWSLETTER_TO, NEWSLETTER_SUBSCRIBERS "
                "or NEWSLETTER_SERVICE=listmonk), so this is a dry run"
            )
            if not os.path.exists(self.edition_file):
                self.say(f"{why_dry}, and there is no edition yet ({self.edition_file}).")
                return 0
        smtp = config.service == "smtp"
        if smtp and config.set_up and not smtp_configured(self.environ) and not why_dry:
            raise SendError(
                "the newsletter goes by email, but the mail server is not set: EMAIL_SMTP_HOST "
                "and EMAIL_FROM (with EMAIL_SMTP_USER and EMAIL_SMTP_PASSWORD) in .env."
            )
        edition = read(self.edition_file, self.settings["SITEURL"], self.today)
        late = self.unfinished(edition)
        codes = [self.send_edition(late, why_dry, max_minutes, late=True)] if late else []
        return max([*codes, self.send_edition(edition, why_dry, max_minutes)])

    def unfinished(self, current):
        """The edition before `current`, if its day came while the newsletter was running
        (the ledger began before it) and its sending did not finish (the workflow failed
        that day, or stopped half-way): finished now, before the next edition's day.
        Never on an edition day: the new edition takes its place."""
        path = previous_path(self.announce.state_dir)
        if current.date <= self.today or not os.path.exists(path):
            return None
        try:
            edition = read(path, self.settings["SITEURL"], self.today, max_age=timedelta(days=14))
            ledger = Ledger.load(self.ledger_file, self.announce.state_dir, write=False)
        except SendError as err:
            logger.warning("newsletter: the edition before is not finished: %s", err)
            return None
        if edition.empty or edition.date >= current.date or ledger.header is None:
            return None
        began = datetime.fromisoformat(ledger.header["t"])
        day = datetime.combine(edition.date, datetime.min.time(), ZoneInfo(self.timezone))
        name = edition.date.isoformat()
        if not ledger.readers(name) and began >= day:
            return None  # the newsletter began after that day: it was never due
        if self.config.service == "listmonk":
            return None if ledger.status(name, TARGET).state == states.SENT else edition
        found = triage(ledger, name, self.readers().recipients, self.config.key)
        return edition if found.todo else None

    def send_edition(self, edition, why_dry, max_minutes, late=False) -> int:
        """Send one edition (`late`: the one before, finished after its day)."""
        config = self.config
        smtp = config.service == "smtp"
        title = f'The edition of {edition.date.isoformat()}, "{edition.subject}"'
        if late:
            title += " (its day's run did not finish it: finished now)"
        if edition.empty:
            self.say(f"{title} has no news, so nothing is sent.")
            return 0
        early = edition.date > self.today
        if early and not why_dry:
            self.say(
                f"{title} goes out on {edition.date.isoformat()} (today is "
                f"{self.today.isoformat()} in {self.timezone}): nothing is sent yet."
            )
            return 0
        readers = self.readers() if smtp else subscribers.Readers()
        if smtp:
            to_bytes(build(edition, PLACEHOLDER, config, self.who, self.now), config.dkim)
        if why_dry:
            return self.dry_run(why_dry, title, edition, readers, early)
        with run_lock(self.announce.state_dir, "make newsletter-send", name="newsletter"):
            ledger = Ledger.load(self.ledger_file, self.announce.state_dir)
            if not smtp:
                return self.listmonk(ledger, edition, title)
            check_key(ledger, edition.date.isoformat(), config.key)
            server = smtp_server(self.announce, self.environ)
            delivery = Delivery(server, ledger, edition, config, self.who, max_minutes=max_minutes)
            report = delivery.run(readers.recipients)
        self.summary(title, readers, report)
        return 0 if report.ok else 1

    def readers(self) -> subscribers.Readers:
        """Who gets it, read (and its problems said) once a run."""
        if self._readers is None:
            self._readers = self._read_readers()
        return self._readers

    def _read_readers(self) -> subscribers.Readers:
        config = self.config
        if config.subscribers:
            path = config.subscribers
            inside = os.path.realpath(path).startswith(os.path.realpath(self.project) + os.sep)
            shown = os.path.relpath(path, self.project) if inside else path
            found = subscribers.read(path, shown)
            from .sendconfig import not_in_git_warning

            warning = not_in_git_warning(path, self.project)
            if warning:
                logger.warning("newsletter: warning: %s", warning)
            for line in found.problems:
                logger.warning("newsletter: %s", line)
            for line in found.notes:
                logger.info("newsletter: %s", line)
            if not found.recipients:
                raise SendError(
                    f"{shown} has no addresses to send to. Fix: one address per line "
                    "(lines starting with # are comments)."
                )
            return found
        if config.to:
            return subscribers.list_address(config.to, "NEWSLETTER_TO")
        return subscribers.Readers([PLACEHOLDER])

    def summary(self, title, readers, report):
        source = self._source(readers)
        self.say(f"{title}, to {len(readers.recipients)} reader(s) {source}:")
        counts = [f"{report.count(states.SENT)} sent now"]
        if report.already:
            counts.append(f"{report.already} sent before")
        for state in (states.FAILED, states.PENDING, states.UNKNOWN):
            if report.count(state):
                counts.append(f"{report.count(state)} {state}")
        if report.not_tried:
            counts.append(f"{report.not_tried} not tried yet (the next run sends them)")
        self.say("  " + ", ".join(counts))
        if readers.problems:
            self.say(f"  {len(readers.problems)} line(s) of the subscriber file skipped (above)")
        for outcome in report.outcomes:
            if outcome.state != states.SENT:
                self.say(f"  {outcome.where}: {outcome.state}: {outcome.detail}")
        if report.stopped:
            self.say(f"  Stopped: {report.stopped}")
        if report.stuck:
            self.say(
                f"  {len(report.stuck)} copy(ies) not sent again by themselves (unknown: may "
                "have gone out; failed: refused). `make newsletter-retry` sends them again:"
            )
            for outcome in report.stuck:
                self.say(f"  {outcome.where}: {outcome.state}: {outcome.detail}")

    def _source(self, readers) -> str:
        if self.config.subscribers:
            shown = readers.recipients[0].where.rsplit(":", 1)[0] if readers.recipients else ""
            return f"in {shown}"
        return "at the list address (NEWSLETTER_TO)"

    def dry_run(self, why, title, edition, readers, early) -> int:
        config = self.config
        self.say(f"{why}: nothing is sent.\n")
        self.say(f"{title}\n  {edition.url}")
        if early:
            self.say(f"  It goes out on {edition.date.isoformat()} (today is {self.today}).")
        try:
            ledger = Ledger.load(self.ledger_file, self.announce.state_dir, write=False)
        except SendError as err:
            self.say(f"\nSending is stopped until this is fixed:\n  {err}")
            ledger = Ledger(self.ledger_file)
        name = edition.date.isoformat()
        if config.service == "listmonk":
            return self._dry_listmonk(ledger, edition)
        if config.set_up:
            found = triage(ledger, name, readers.recipients, config.key)
            stuck = len(found.stuck) + len(found.interrupted)
            self.say(
                f"\nReaders: {len(readers.recipients)} {self._source(readers)}; "
                f"{len(found.todo)} would get it now, {found.already} got it before"
                + (f", {stuck} wait for `make newsletter-retry`" if stuck else "")
            )
            if readers.problems:
                self.say(f"  {len(readers.problems)} line(s) of the subscriber file skipped")
            batches = -(-len(found.todo) // config.rate.count)
            minutes = config.rate.duration(len(found.todo)) / 60
            self.say(
                f"  At {config.rate.text} (NEWSLETTER_RATE): {batches} batch(es), about "
                f"{minutes:.0f} min of pauses."
            )
            try:
                smtp_server(self.announce, self.environ)
            except NotConfigured as err:
                self.say(f"  The mail server is not ready: {err}")
        mail = build(edition, PLACEHOLDER, config, self.who, self.now)
        data = to_bytes(mail, config.dkim)
        self.say(f"\nHeaders of each copy (shown for {PLACEHOLDER.address}):")
        if config.dkim:
            self.say(
                f"  DKIM-Signature: d={config.dkim.domain}; s={config.dkim.selector} (the key "
                "signs)"
            )
        for key in SHOWN:
            if mail[key] is not None:
                self.say(f"  {key}: {' '.join(str(mail[key]).split())}")
        self.say(
            f"Parts: text/plain ({len(edition.text)} characters), then text/html "
            f"({len(edition.html)} characters); {len(data)} bytes in all."
        )
        return 0

    def _dry_listmonk(self, ledger, edition) -> int:
        config = self.config.listmonk
        name = edition.date.isoformat()
        status = ledger.status(name, TARGET)
        self.say(
            f"\nlistmonk ({config.url}): campaign {campaign_name(name)} to list(s) "
            f"{', '.join(map(str, config.list_ids))}, then {config.send} (LISTMONK_SEND)."
        )
        if status.state == states.SENT:
            self.say(f"  Already made (campaign {status.line.get('campaign')}).")
            return 0
        try:
            client = ListmonkClient(config, self.announce.timeout)
            found = client.find(campaign_name(name))
        except AnnounceError as err:
            self.say(f"  Could not look at listmonk: {err}")
            return 0
        if found:
            self.say(
                f"  listmonk already has it (campaign {found.get('id')}, {found.get('status')})."
            )
        else:
            self.say("  listmonk does not have it yet: a send would make it.")
        return 0

    def listmonk(self, ledger, edition, title) -> int:
        client = ListmonkClient(self.config.listmonk, self.announce.timeout)
        outcome = send_campaign(client, ledger, edition, self.config.listmonk, self.email_from,
                                self.timezone, self.now)  # fmt: skip
        self.say(f"{title}, as a listmonk campaign: {outcome.state}: {outcome.detail}")
        return 0 if outcome.state == states.SENT else 1

    # -- retry ---------------------------------------------------------------------------
    def retry(self, edition=None) -> int:
        if edition:
            try:
                name = date.fromisoformat(edition).isoformat()
            except ValueError:
                raise SendError(f"--edition {edition!r} is not a date (YYYY-MM-DD).") from None
        else:
            name = read(self.edition_file, self.settings["SITEURL"], self.today).date.isoformat()
        ledger = Ledger.load(self.ledger_file, self.announce.state_dir)
        again = [
            to for to, state in ledger.readers(name).items()
            if state in states.STUCK or state == states.CLAIMED
        ]  # fmt: skip
        for to in again:
            ledger.retry(name, to)
        if again:
            self.say(
                f"The edition of {name} will be sent again to {len(again)} reader(s) whose "
                "copy was interrupted or refused, by the next `make newsletter-send`."
            )
        else:
            self.say(f"The edition of {name}: nothing to send again.")
        return 0
