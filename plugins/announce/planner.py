"""The publish build's planning step, as a Pelican generator (it runs after every
generator's context is ready, and only writes when ANNOUNCE_ENABLED is on)."""

import logging
import time
from datetime import UTC, datetime

from feeds.settings import read_settings as feed_settings
from pelican.generators import Generator

from .config import SettingsError, read_config
from .ledger import Ledger, LedgerError
from .plan import Plan, Site, select, write_plan

logger = logging.getLogger(__name__)


class AnnouncePlanGenerator(Generator):
    def generate_output(self, writer):
        if not self.settings.get("ANNOUNCE_ENABLED"):
            return  # local builds never plan or send
        started = time.perf_counter()
        try:
            config = read_config(self.settings)
        except SettingsError as err:  # `--fatal errors` stops the publish build here
            logger.error("pelicanconf.py: announce: %s", err)
            return
        site = Site(self.settings["SITEURL"].rstrip("/"), self.settings["PATH"], self.output_path)
        try:
            ledger = Ledger.load(config.ledger, config.state_dir, write=False)
        except LedgerError as err:
            # The site still goes live; `make announce` stops and says how to fix it.
            logger.warning("announce: %s", err)
            ledger = None
        # Posts keep the ids the ledger first knew them by, whatever SITEURL is now.
        authority = (ledger and ledger.authority) or feed_settings(self.settings).id_authority
        moment = self.settings.get("EVENTS_NOW")  # a preview as of another moment
        moment = datetime.fromisoformat(moment).astimezone(UTC) if moment else datetime.now(UTC)
        content = [*self.context.get("articles", []), *self.context.get("brochures", [])]
        posts, old = select(content, ledger, config, site, authority, moment)
        write_plan(config.plan_path, Plan(site.siteurl, authority, posts, old))
        logger.info(
            "announce: planned %d post(s) in %.2f s (%s); send with `make announce`",
            len(posts),
            time.perf_counter() - started,
            config.plan_path,
        )
