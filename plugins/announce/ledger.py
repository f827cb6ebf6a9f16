"""The announce ledger: what was announced where, kept with the site's content.

A human-readable JSON file, committed to git, so a fresh checkout (or the scheduled
CI job) knows what was sent. Every change is written atomically (a temporary file,
fsync, rename), so a crash leaves the old or the new ledger, never half of one.

    {"version": 1, "posts": {"<post id>": {"title": ..., "url": ...,
       "channels": {"mastodon": {"state": "sent", "time": ..., "remote_id": ...,
                                  "remote_url": ...}}}}}
"""

import json
import os
import tempfile
from datetime import UTC, datetime

# A claim is written before sending and replaced by the result right after.
CLAIMED, SENT, FAILED, PENDING, SKIPPED, UNKNOWN = (
    "claimed",
    "sent",
    "failed",
    "pending",
    "skipped",
    "unknown",
)
DONE = {SENT, SKIPPED, UNKNOWN}  # never sent again automatically


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Ledger:
    def __init__(self, path: str, data: dict | None = None):
        self.path = path
        self.data = data or {"version": 1, "posts": {}}
        self.existed = data is not None

    @classmethod
    def load(cls, path: str) -> "Ledger":
        try:
            with open(path, encoding="utf-8") as f:
                return cls(path, json.load(f))
        except FileNotFoundError:
            return cls(path)
        except json.JSONDecodeError as err:
            raise ValueError(
                f"{path}:{err.lineno}: the announce ledger is not valid JSON ({err.msg}). "
                "Fix: restore it from git (git checkout -- " + path + ")."
            ) from None

    def entry(self, post_id: str, channel: str) -> dict | None:
        return self.data["posts"].get(post_id, {}).get("channels", {}).get(channel)

    def state(self, post_id: str, channel: str) -> str | None:
        entry = self.entry(post_id, channel)
        return entry["state"] if entry else None

    def channel_used(self, channel: str) -> bool:
        return any(channel in p.get("channels", {}) for p in self.data["posts"].values())

    def record(self, post, channel: str, state: str, save=True, **details):
        posts = self.data["posts"]
        item = posts.setdefault(post.id, {"title": post.title, "url": post.url, "channels": {}})
        item["title"], item["url"] = post.title, post.url
        entry = {"state": state, "time": now()}
        entry.update({k: v for k, v in details.items() if v not in (None, "")})
        item["channels"][channel] = entry
        if save:
            self.save()

    def save(self):
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".ledger-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.data, f, indent=2, sort_keys=True, ensure_ascii=False)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.existed = True
