"""Announce settings (pelicanconf/publishconf) and channel keys (.env), read once."""

import os
from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url}\n\n{hashtags}"

# Every setting the plugin reads, with its default. All are documented in the README.
DEFAULTS = {
    "ANNOUNCE_ENABLED": False,  # publishconf.py turns planning on; local builds never plan
    "ANNOUNCE_LEDGER": "content/announce-ledger.json",  # committed: what was sent where
    "ANNOUNCE_STATE_DIR": ".announce",  # git-ignored: the plan and Bluesky sessions
    "ANNOUNCE_SINCE": None,  # first run: announce posts dated on/after this (YYYY-MM-DD)
    "ANNOUNCE_MAX_PER_RUN": 3,  # posts per channel per run, oldest first
    "ANNOUNCE_CHECK_LIVE": None,  # check each post's URL answers 200 first; None: when deploying
    "ANNOUNCE_LIVE_TIMEOUT": 120,  # seconds to wait for a post to go live
    "ANNOUNCE_RETRIES": 3,  # attempts per post and channel in one run
    "ANNOUNCE_RETRY_DELAY": 2.0,  # seconds before the 2nd attempt, doubling after
    "ANNOUNCE_MAX_WAIT": 60,  # longest wait honoured (Retry-After); longer: next run
    "ANNOUNCE_TIMEOUT": 20,  # seconds per network request
    "ANNOUNCE_HASHTAGS": {},  # tag -> hashtag ("Rhyme Time": "RhymeTime"); None drops a tag
    "ANNOUNCE_CHANNELS": {
        "mastodon": {"type": "mastodon"},
        "bluesky": {"type": "bluesky"},
        "webhook": {"type": "webhook"},
        "email": {"type": "email"},
    },
}

# Keys of a channel entry in ANNOUNCE_CHANNELS.
CHANNEL_OPTIONS = {"type", "env", "categories", "tags", "template", "visibility", "preset"}


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    type: str
    env_prefix: str  # MASTODON -> MASTODON_ACCESS_TOKEN ...
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    template: str | None = None
    options: dict = field(default_factory=dict)

    def env(self, environ, key, default=""):
        return environ.get(f"{self.env_prefix}_{key}", default).strip()

    def routes(self, post) -> bool:
        """Whether this channel announces `post` (a children's account: some categories)."""
        if self.categories and post.category not in self.categories:
            return False
        return not self.tags or bool(set(self.tags) & set(post.tags))


@dataclass(frozen=True)
class Config:
    ledger: str
    state_dir: str
    since: datetime | None
    max_per_run: int
    check_live: bool
    live_timeout: float
    retries: int
    retry_delay: float
    max_wait: float
    timeout: float
    hashtags: dict
    channels: tuple[ChannelConfig, ...]

    @property
    def plan_path(self) -> str:
        return os.path.join(self.state_dir, "plan.json")


class SettingsError(ValueError):
    pass


def read_config(settings: dict, environ=None) -> Config:
    environ = os.environ if environ is None else environ
    get = {k: settings.get(k, v) for k, v in DEFAULTS.items()}
    channels = []
    for name, entry in (get["ANNOUNCE_CHANNELS"] or {}).items():
        unknown = set(entry) - CHANNEL_OPTIONS
        if unknown:
            raise SettingsError(
                f"ANNOUNCE_CHANNELS['{name}'] has unknown keys {sorted(unknown)}. "
                f"Fix: use only {sorted(CHANNEL_OPTIONS)}."
            )
        kind = entry.get("type", name)
        if kind not in ("mastodon", "bluesky", "webhook", "email"):
            raise SettingsError(
                f"ANNOUNCE_CHANNELS['{name}']: type {kind!r} is not one of "
                "mastodon, bluesky, webhook, email."
            )
        channels.append(
            ChannelConfig(
                name=name,
                type=kind,
                env_prefix=entry.get("env", name.upper().replace("-", "_")),
                categories=tuple(entry.get("categories", ())),
                tags=tuple(entry.get("tags", ())),
                template=entry.get("template"),
                options={k: v for k, v in entry.items() if k in ("visibility", "preset")},
            )
        )
    since = get["ANNOUNCE_SINCE"]
    if isinstance(since, str):
        try:
            since = datetime.fromisoformat(since)
        except ValueError:
            raise SettingsError(
                f"ANNOUNCE_SINCE = {since!r} is not a date. Fix: write it as YYYY-MM-DD."
            ) from None
    check_live = get["ANNOUNCE_CHECK_LIVE"]
    if check_live is None:
        check_live = bool(environ.get("DEPLOY_METHOD", "").strip())
    return Config(
        ledger=get["ANNOUNCE_LEDGER"],
        state_dir=get["ANNOUNCE_STATE_DIR"],
        since=since,
        max_per_run=int(get["ANNOUNCE_MAX_PER_RUN"]),
        check_live=bool(check_live),
        live_timeout=float(get["ANNOUNCE_LIVE_TIMEOUT"]),
        retries=max(1, int(get["ANNOUNCE_RETRIES"])),
        retry_delay=float(get["ANNOUNCE_RETRY_DELAY"]),
        max_wait=float(get["ANNOUNCE_MAX_WAIT"]),
        timeout=float(get["ANNOUNCE_TIMEOUT"]),
        hashtags=dict(get["ANNOUNCE_HASHTAGS"] or {}),
        channels=tuple(channels),
    )
