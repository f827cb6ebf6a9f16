"""`make listen` and `make report`.

python -m listen listen [--settings publishconf.py]
python -m listen report [--from 2026-10-01] [--to 2026-12-31] [--access-log FILE ...]

Exit codes: 0 read (and written); 1 some channel could not be read (the rest were);
2 the settings or ledger need fixing first; 75 another listen run is in progress.
"""

import argparse
import logging
import os
import sys
from datetime import UTC, datetime

from announce.channels import TYPES
from announce.config import SettingsError as AnnounceSettingsError
from announce.config import read_config as read_announce_config
from announce.ledger import Ledger, LedgerError
from announce.lock import Busy, run_lock
from announce.redact import Redactor
from pelican.settings import read_settings

from . import inbox, mail, replies
from .config import SettingsError, read_config
from .listen import listen, load_texts, remember
from .state import State

logger = logging.getLogger("listen")
BUSY = 75


def main(argv=None, environ=None, now=None) -> int:
    parser = argparse.ArgumentParser(prog="listen", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["listen", "report"])
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--from", dest="start", help="report: the first day, 2026-10-01")
    parser.add_argument("--to", dest="end", help="report: the last day, 2026-12-31")
    parser.add_argument("--access-log", action="append", default=[],
                        help="report: the web server's access log (common, combined)")  # fmt: skip
    unattended = "listen: run by the Publish workflow (what is new is recorded once emailed)"
    parser.add_argument("--unattended", action="store_true", help=unattended)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not every request's address
    environ = os.environ if environ is None else environ
    now = now or datetime.now(UTC)
    try:
        settings = read_settings(args.settings)  # publishconf.py reads .env
        config = read_announce_config(settings, environ)
        listen_config = read_config(settings)
        channels = [TYPES[c.type] for c in config.channels]
        secrets = (s for kind, c in zip(channels, config.channels, strict=True)
                   for s in kind.secrets(c, environ))  # fmt: skip
        redactor = Redactor(secrets)
        redactor.install()
        ledger = Ledger.load(config.ledger, config.state_dir, write=False)
        if args.command == "report":
            from .reporting import report

            return report(settings, config, listen_config, ledger, args, now)
        with run_lock(config.state_dir, "make listen", name="listen"):
            return run(settings, config, listen_config, ledger, environ, now, redactor,
                       args.unattended)  # fmt: skip
    except Busy as err:
        logger.error("listen: %s", err)
        return BUSY
    except (SettingsError, AnnounceSettingsError, LedgerError, ValueError) as err:
        logger.error("listen: %s", err)
        return 2


def run(settings, config, listen_config, ledger, environ, now, redactor, unattended=False):
    """Read, write the inbox (and email it), then record what was seen: a run that
    stops before that records nothing. `unattended` (the Publish workflow): no one
    reads an inbox page made there, so what is new is recorded only once emailed."""
    state = State.load(listen_config.state)
    texts_path = os.path.join(config.state_dir, "listen-texts.json")
    heard = listen(config, listen_config, ledger, environ, now, state, load_texts(texts_path))
    heard.problems = [redactor.text(problem) for problem in heard.problems]
    texts = remember(texts_path, heard, state, now, listen_config.days)
    shown = replies.path_of(config.state_dir)
    replies.save(shown, replies.conversations(heard.threads, replies.load(shown), now))
    found = inbox.entries(state, texts, ledger, heard.new, now, listen_config.days)
    page = os.path.join(config.state_dir, "inbox.html")
    site = settings.get("SITENAME", "")
    html = inbox.render(found, heard.problems, site, now, settings.get("TIMEZONE", "UTC"))
    with open(page, "w", encoding="utf-8") as f:
        f.write(html)
    delivered = not unattended or not heard.new
    if listen_config.email_to and heard.new:
        message = mail.compose(found, inbox.summary(found, heard.problems), html, "",
                               listen_config.email_to, site)  # fmt: skip
        problem = mail.send(config, environ, message)
        if problem:
            heard.problems.append(redactor.text(problem))
        else:
            delivered = True
            logger.info("listen: the inbox was emailed to %s", listen_config.email_to)
    if delivered:
        state.save()
    else:
        state.save(only=("counts",))
        logger.info("listen: no one reads an inbox made here and it was not emailed, so "
                    "what is new stays new for the next `make listen` (set LISTEN_EMAIL_TO "
                    "to have it emailed).")  # fmt: skip
    for problem in heard.problems:
        logger.warning("listen: %s", problem)
    logger.info("listen: %s.\nlisten: the inbox is %s", inbox.summary(found, heard.problems),
                os.path.abspath(page))  # fmt: skip
    return 1 if heard.problems else 0
