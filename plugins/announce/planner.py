"""The publish build's planning step, as a Pelican generator (it runs after every
generator's context is ready, and only writes when ANNOUNCE_ENABLED is on)."""

import logging
import time
from datetime import datetime

from feeds.settings import read_settings as feed_settings
from pelican.generators import Generator

from .config import read_config
from .ledger import Ledger
from .plan import make_post, select, write_plan

logger = logging.getLogger(__name__)


class AnnouncePlanGenerator(Generator):
    def generate_output(self, writer):
        if not self.settings.get("ANNOUNCE_ENABLED"):
            return  # local builds never plan or send
        started = time.perf_counter()
        config = read_config(self.settings)
        siteurl = self.settings["SITEURL"].rstrip("/")
        authority = feed_settings(self.settings).id_authority  # posts keep their feed ids

        def make(article):
            return make_post(article, siteurl, self.settings["PATH"], authority)

        ledger = Ledger.load(config.ledger)
        channels = [c.name for c in config.channels]
        now = self.settings.get("EVENTS_NOW")
        now = datetime.fromisoformat(now) if now else None  # a preview as of another moment
        content = [*self.context.get("articles", []), *self.context.get("brochures", [])]
        posts = select(content, ledger, channels, authority, make, now)
        write_plan(config.plan_path, posts, siteurl)
        logger.info(
            "announce: planned %d post(s) in %.2f s (%s); send with `make announce`",
            len(posts),
            time.perf_counter() - started,
            config.plan_path,
        )
