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
import tempfile
from datetime import datetime

from .networks.base import Item

VERSION = 1
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


def conversations(threads, previous: dict) -> dict:
    """{post path: {channel: {"network", "url", "replies": [...]}}} for every thread
    read this run; a thread that could not be read keeps what the last run saw."""
    posts: dict[str, dict] = {}
    for thread in threads:
        path = thread.path
        if not path:
            continue
        if thread.items is None:
            kept = previous.get(path, {}).get(thread.channel)
            if kept:
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
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def for_page(entry: dict, hidden: set[str]) -> list[dict]:
    """One post's conversations, ready for the template: per network, its replies
    (the hidden ones, and all under them, left out)."""
    shown_groups = []
    for channel in sorted(entry):
        group = entry[channel]
        replies, cut_below = [], None
        for reply in group.get("replies", []):
            if cut_below is not None and reply["depth"] > cut_below:
                continue
            cut_below = None
            if reply.get("url") in hidden or reply.get("id") in hidden:
                cut_below = reply["depth"]
                continue
            replies.append({**reply, "created": datetime.fromisoformat(reply["created"])})
        if replies:
            network = group.get("network", "")
            shown_groups.append({"network": NAMES.get(network, network),
                                 "url": group.get("url", ""), "replies": replies})  # fmt: skip
    return shown_groups
