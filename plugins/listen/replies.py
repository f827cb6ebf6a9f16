"""The public replies shown under a post on the site (LISTEN_SHOW_REPLIES), off by
default. `make listen` writes what it read to `.announce/replies.json`; the build only
reads that file (no request to any network, no avatar, no script), so the page is
plain HTML and a reply deleted on the network is gone from the next build after the
next `make listen`.

Only public replies are shown: none the network hid or removed, none with a moderation
label, none in LISTEN_HIDDEN (one reply link per line: a person asked for it to go),
and nothing under a reply that is not shown.
"""

import json
import os
import re
import tempfile
from collections import Counter
from datetime import datetime, timedelta

from .networks.base import Item

VERSION = 1
KEEP_UNREAD = timedelta(hours=48)  # a network that cannot be read: its replies stay this long
NAMES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "facebook": "Facebook",
         "threads": "Threads", "instagram": "Instagram"}  # fmt: skip


def path_of(state_dir: str) -> str:
    return os.path.join(state_dir, "replies.json")


def shown(item: Item) -> bool:
    return item.public and not item.hidden and not item.labels


def threaded(items: list[Item], root: str) -> list[tuple[Item, int]]:
    """The replies to show, each with its depth (0: answers the post), each after what
    it answers, oldest first at each level. A reply whose parent is not shown is left
    out with everything under it."""
    kept = [item for item in items if shown(item)]
    children: dict[str, list[Item]] = {}
    for item in kept:
        children.setdefault(item.parent, []).append(item)
    order = []

    def walk(parent, depth):
        for item in sorted(children.get(parent, []), key=lambda i: i.created):
            order.append((item, depth))
            walk(item.id, depth + 1)

    walk(root, 0)  # every reader names the announced post as a top reply's parent
    return order


def conversations(threads, previous: dict, now: datetime) -> dict:
    """{post path: {channel: {"network", "url", "read", "replies": [...]}}} for every
    thread read this run. A thread that could not be read keeps what a run saw for up
    to KEEP_UNREAD: after that, a reply deleted meanwhile could still be shown, so none
    is."""
    posts: dict[str, dict] = {}
    for thread in threads:
        path = thread.path
        if not path:
            continue
        if thread.items is None:
            kept = previous.get(path, {}).get(thread.channel)
            if kept and _read_since(kept, now - KEEP_UNREAD):
                posts.setdefault(path, {})[thread.channel] = kept
            continue
        replies = [
            {
                "id": item.id,
                "author": item.author,
                "text": item.text,
                "created": item.created.isoformat(),
                "url": item.url,
                "depth": depth,
                "by_library": item.by_library,
            }  # fmt: skip
            for item, depth in threaded(thread.items, thread.remote_id)
        ]
        if replies:
            network = next(item.network for item in thread.items)
            posts.setdefault(path, {})[thread.channel] = {
                "network": network,
                "url": thread.remote_url,
                "replies": replies,
            }
    return posts


def _read_since(entry: dict, moment: datetime) -> bool:
    try:
        return datetime.fromisoformat(entry["read"]) >= moment
    except (KeyError, TypeError, ValueError):
        return False


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return {}
    posts = data.get("posts")
    return posts if isinstance(posts, dict) else {}


def save(path: str, posts: dict):
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"version": VERSION, "posts": posts}, f, ensure_ascii=False, sort_keys=True)
    os.replace(tmp, path)


def hidden_links(path: str) -> set[str]:
    """LISTEN_HIDDEN: a reply's link (or its id) per line; # starts a comment."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return set()
    return {re.sub(r"(^|\s)#.*$", "", line).strip() for line in lines} - {""}


def asked_to_hide(reply: dict, hidden: set[str], urls: Counter) -> bool:
    """Whether a line of LISTEN_HIDDEN names this reply: its id; its link, when no other
    reply has the same one (an Instagram comment's link is its post's); or, for Bluesky,
    any bsky.app link to the same post (the link has the author's handle, which can
    change: the post's own key cannot)."""
    if reply.get("id") in hidden:
        return True
    if reply.get("url") in hidden and urls[reply.get("url")] == 1:
        return True
    rkey = _bsky_rkey(reply.get("id", ""))
    return bool(rkey) and any(_link_rkey(line) == rkey for line in hidden)


def _bsky_rkey(at_uri: str) -> str:
    match = re.fullmatch(r"at://[^/]+/app\.bsky\.feed\.post/([^/]+)", at_uri)
    return match.group(1) if match else ""


def _link_rkey(line: str) -> str:
    match = re.fullmatch(r"https://bsky\.app/profile/[^/]+/post/([^/?#]+)/?", line)
    return match.group(1) if match else ""


def for_page(entry: dict, hidden: set[str]) -> list[dict]:
    """One post's conversations, ready for the template: per network, its replies
    (the hidden ones, and all under them, left out)."""
    shown_groups = []
    for channel in sorted(entry):
        group = entry[channel]
        replies, cut_below = [], None
        urls = Counter(reply.get("url") for reply in group.get("replies", []))
        for reply in group.get("replies", []):
            if cut_below is not None and reply["depth"] > cut_below:
                continue
            cut_below = None
            if asked_to_hide(reply, hidden, urls):
                cut_below = reply["depth"]
                continue
            replies.append({**reply, "created": datetime.fromisoformat(reply["created"])})
        if replies:
            network = group.get("network", "")
            shown_groups.append({"network": NAMES.get(network, network),
                                 "url": group.get("url", ""), "replies": replies})  # fmt: skip
    return shown_groups
