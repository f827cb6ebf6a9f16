"""`make announce-review`: one local page showing every post the plan would announce,
as each network will show it, for whoever approves what goes out under the library's
name. Written to the state folder (never in output/, never deployed); no JavaScript,
no request to anywhere: pictures are small thumbnails inside the page.

`collect` works out the rows (nothing is sent, nothing connects); `render` turns rows
into the page; `write` puts it in place at once."""

import base64
import io
import os
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import ledger as states
from .errors import NotSendable
from .send import triage

# Statuses, as the page and the summary say them.
AWAITING = "awaiting approval"
APPROVED = "approved"
READY = "goes out next run"  # approval not required
LATER = "waiting for a later run"  # over ANNOUNCE_MAX_PER_RUN
CANNOT = "cannot be sent"
SENT = "already sent"
NOT_HERE = "not announced here"
NO_APPROVAL_NEEDED = "approval not required"

THUMB_SIZE = (600, 600)  # pixels at most: enough to judge the picture, small in the page

# How each network counts a message against its limit, for the length line.
COUNTING = {
    "mastodon": "characters as Mastodon counts them (every link counts as 23)",
    "bluesky": "characters as Bluesky counts them (graphemes, within 3,000 bytes)",
    "x": "characters as X counts them (weighted: every link counts as 23, "
    "many symbols and emoji as 2)",
    "threads": "characters as Threads counts them (an emoji counts as its bytes)",
    "instagram": "characters in the caption",
    "facebook": "characters",
    "webhook": "characters",
    "email": "characters",
}
# Networks that draw a link's card from the page's own tags (its picture included).
PAGE_CARDS = {"facebook", "mastodon", "threads", "x"}
NETWORK = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "x": "X",
    "threads": "Threads",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "webhook": "Webhook",
    "email": "Email",
}

Approval = Callable  # (post, channel, message) -> (approved: bool, reason: str)


def approval_not_required(post, channel, message) -> tuple[bool, str]:
    """ANNOUNCE_APPROVERS is empty: every message goes out without approval."""
    return True, NO_APPROVAL_NEEDED


def checked_approval(approvals) -> Approval:
    """The approvals committed in git (approvals.Approvals), as the sender checks them."""

    def approval(post, channel, message) -> tuple[bool, str]:
        _, waiting = approvals.approved_message(channel, post, message)
        return (not waiting, waiting or "approved")

    return approval


@dataclass
class Entry:
    """One post on one channel: what it would post and where it stands."""

    post: object  # post.Post
    channel: object  # channels.base.Channel
    message: object | None  # channels.base.Message, None when nothing would be posted
    status: str
    reasons: list[str] = field(default_factory=list)


def collect(plan, ledger, channels, config, now, approval: Approval) -> list[Entry]:
    """Every post of the plan on every channel, composed and checked locally (no
    connection): what it would post, its status and why."""
    entries = []
    for channel in channels:
        found = triage(plan.posts, ledger, channel, config, now, not ledger.exists)
        todo = {post.id: status for post, status in found.todo}
        skipped = {post.id: reason for post, reason in found.records}
        slots = config.max_per_run
        for post in plan.posts:
            if post.id in todo:
                entry = _todo(post, channel, todo[post.id], approval)
                if entry.status in (APPROVED, READY):
                    if slots:
                        slots -= 1
                    else:
                        entry.status = LATER
                        entry.reasons.append(
                            f"at most {config.max_per_run} posts a run on each channel "
                            "(ANNOUNCE_MAX_PER_RUN): the oldest go first"
                        )
                entries.append(entry)
                continue
            status = ledger.status(post.ids, channel.name)
            if status.state == states.SENT:
                where = status.line.get("remote_url") or status.line.get("remote_id") or ""
                entries.append(Entry(post, channel, None, SENT, [where] if where else []))
            elif status.state == states.UNKNOWN:
                why = "a send was interrupted and may have gone out: check the account"
                entries.append(Entry(post, channel, None, NOT_HERE, [why]))
            elif status.state == states.SKIPPED:
                why = status.line.get("reason") or "skipped"
                entries.append(Entry(post, channel, None, NOT_HERE, [why]))
            elif post.id in skipped:  # not routed here, or too late
                entries.append(Entry(post, channel, None, NOT_HERE, [skipped[post.id]]))
            elif datetime.fromisoformat(post.date) < found.start:
                why = f"dated before the channel began ({found.start:%Y-%m-%d %H:%M})"
                entries.append(Entry(post, channel, None, NOT_HERE, [why]))
            else:  # triage leaves out only what is too old besides
                why = f"older than {config.max_age.days} days: not news (ANNOUNCE_MAX_AGE)"
                entries.append(Entry(post, channel, None, NOT_HERE, [why]))
    return entries


def _todo(post, channel, status, approval) -> Entry:
    message = channel.compose(post)
    reasons = []
    if status.state == states.FAILED:
        reasons.append(f"the last try failed: {status.line.get('reason', '')}".rstrip(": "))
    elif status.state == states.PENDING:
        reasons.append(f"tried before: {status.line.get('reason', '')}".rstrip(": "))
    elif status.state == states.CLAIMED:
        reasons.append("a send was interrupted: the account is looked at before sending")
    try:
        channel.prepare(message, post)
    except NotSendable as err:
        return Entry(post, channel, message, CANNOT, [str(err), *reasons])
    approved, why = approval(post, channel, message)
    if not approved:
        return Entry(post, channel, message, AWAITING, [why, *reasons])
    if why == NO_APPROVAL_NEEDED:
        return Entry(post, channel, message, READY, [why, *reasons])
    return Entry(post, channel, message, APPROVED, [why, *reasons])


# -- the page --------------------------------------------------------------------------


def approve_command(source: str, channel: str | None = None) -> str:
    command = f"make approve POST={shlex.quote(source)}"
    return f"{command} CHANNEL={shlex.quote(channel)}" if channel else command


def thumbnail(path: str) -> str | None:
    """The picture at `path` as a small JPEG data: URI (None if it cannot be read)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail(THUMB_SIZE)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=75)
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def summary(entries) -> tuple[int, int]:
    """(posts with something to review, messages awaiting approval)."""
    posts = {e.post.id for e in entries if e.message is not None}
    return len(posts), sum(e.status == AWAITING for e in entries)


def render(entries, made: datetime, plan_path: str = "") -> str:
    """The review page: one HTML document, every value escaped."""
    thumbs = {}

    def thumb(path):
        if path and path not in thumbs:
            thumbs[path] = thumbnail(path)
        return thumbs.get(path)

    posts, order = {}, []
    for entry in entries:
        if entry.post.id not in posts:
            posts[entry.post.id] = []
            order.append(entry.post)
        posts[entry.post.id].append(entry)
    reviewed, passed = [], []
    for number, post in enumerate(order, 1):
        rows = posts[post.id]
        views = [_view(e, thumb) for e in rows]
        item = {"post": post, "anchor": f"post-{number}", "channels": views,
                "date": _date(post.date), "host": urlsplit(post.url).netloc,
                "approve_all": approve_command(post.source),
                "awaiting": sum(e.status == AWAITING for e in rows)}  # fmt: skip
        (reviewed if any(e.message is not None for e in rows) else passed).append(item)
    count, awaiting = summary(entries)
    environment = Environment(
        loader=FileSystemLoader(os.path.join(os.path.dirname(__file__), "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("review.html").render(
        posts=reviewed,
        others=passed,
        count=count,
        awaiting=awaiting,
        made=f"{made:%Y-%m-%d %H:%M %Z}".strip(),
        plan_path=plan_path,
        AWAITING=AWAITING,
    )


def _view(entry, thumb) -> dict:
    channel, message, post = entry.channel, entry.message, entry.post
    view = {"entry": entry, "name": channel.name, "kind": channel.kind,
            "network": NETWORK.get(channel.kind, channel.kind),
            "approve": approve_command(post.source, channel.name)}  # fmt: skip
    if message is None:
        return view
    image = message.image[0] if message.image else ""
    card = dict(message.card)
    if channel.kind in PAGE_CARDS and not card.get("thumb"):
        card["thumb"] = post.image_path  # the network shows the page's own picture
    warnings = list(message.notes)
    fetched = message.extra.get("fetched")
    if fetched:
        warnings.append(
            f"{view['network']} fetches the picture itself from {fetched}: it must be on "
            "the live site before this is sent."
        )
    if image and not thumb(image):
        warnings.append(f"the picture {os.path.basename(image)} could not be shown here.")
    if channel.kind in ("webhook", "email"):
        show = "plain"
    elif channel.kind == "instagram":
        show = "square"
    elif image and channel.kind != "bluesky":  # Bluesky: the card, with the picture in it
        show = "picture"
    else:
        show = "card"  # the network draws it from the page's own tags
    over = message.limit is not None and message.length > message.limit
    view["caption"] = _caption(channel, show, "photo" in message.extra)
    view.update(
        message=message,
        text=message.text,
        image=thumb(image),
        alt=post.image_alt,
        card=card,
        card_image=thumb(card.get("thumb", "")),
        card_host=urlsplit(card.get("uri", "")).netloc,
        show=show,
        photo="photo" in message.extra,
        subject=message.extra.get("subject", ""),
        counting=COUNTING.get(channel.kind, "characters") + getattr(channel, "limit_note", ""),
        over=over,
        warnings=warnings,
    )
    return view


def _caption(channel, show, photo) -> str:
    network = NETWORK.get(channel.kind, channel.kind)
    if channel.kind == "email":
        return "The email, as its plain text part reads"
    if channel.kind == "webhook":
        preset = getattr(channel, "preset", "json")
        return f"The text the webhook sends ({preset})"
    if channel.kind == "facebook":
        kind = "photo post" if photo else "link post: Facebook draws the card from the page"
        return f"As it would appear on Facebook, as a {kind}"
    if show == "card" and channel.kind in PAGE_CARDS:
        return f"As it would appear on {network}, with the card it draws from the page"
    return f"As it would appear on {network}"


def _date(value: str) -> str:
    try:
        return f"{datetime.fromisoformat(value):%A %-d %B %Y, %H:%M}"
    except ValueError:
        return value


def write(path: str, page: str):
    """Write the page at once: a reader never sees half of it."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".review-", suffix=".html", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
