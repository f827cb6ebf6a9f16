"""Before sending, each planned post's file is read again with Pelican's own readers:
a plan made by an earlier build never announces a post that is now a draft, hidden,
scheduled for later, opted out, moved or deleted."""

import os
from datetime import UTC, datetime

from pelican.contents import Article, Page
from pelican.readers import Readers

from .plan import wants_announcing
from .schedule import ScheduleError, announce_at


class Recheck:
    """`why_not(post)`: None while the post may be announced, else the reason."""

    def __init__(self, settings: dict, now: datetime | None = None):
        self.settings = settings
        self.root = os.path.realpath(settings["PATH"])
        self.now = now or datetime.now(UTC)
        self.readers = None
        self.seen = {}  # post id -> reason (one read per post and run)

    def why_not(self, post) -> str | None:
        if post.id not in self.seen:
            self.seen[post.id] = self._why_not(post)
        return self.seen[post.id]

    def _why_not(self, post) -> str | None:
        path = os.path.realpath(os.path.join(self.root, *post.file.split("/")))
        if not post.file or not path.startswith(self.root + os.sep):
            return f"{post.source} is not in the content folder"
        if not os.path.isfile(path):
            return f"{post.source} no longer exists (deleted or renamed since the build)"
        if self.readers is None:
            self.readers = Readers(self.settings)
        kind = Page if post.kind == "brochure" else Article
        try:
            content = self.readers.read_file(
                base_path=self.root, path=post.file, content_class=kind, context={}
            )
        except Exception as err:  # noqa: BLE001 - whatever is wrong, it is not sent
            return f"{post.source} cannot be read now ({type(err).__name__}: {err})"
        status = getattr(content, "status", "published")
        if status != "published":
            said = "scheduled for later" if status == "draft" and self._future(content) else status
            return f"{post.source} is now {said}, not published"
        if not wants_announcing(content):
            return f"{post.source} now says Announce: no"
        date = getattr(content, "date", None)
        if post.kind != "reminder" and date is not None and date.isoformat() != post.date:
            return (
                f"{post.source}: its Date: changed since the build. Run `make publish` (or "
                "`make build-publish`) again to plan it afresh"
            )
        try:
            held = announce_at(content)
        except ScheduleError as err:
            return f"{post.source}: {err.problem} Fix: {err.fix}"
        if (held.isoformat() if held else "") != post.announce_at:
            return (
                f"{post.source}: its Announce-At: changed since the build. Run `make publish` "
                "(or `make build-publish`) again to plan it afresh"
            )
        return None

    def _future(self, content) -> bool:
        date = getattr(content, "date", None)
        if date is None:
            return False
        return (date if date.tzinfo else date.replace(tzinfo=UTC)) > self.now
