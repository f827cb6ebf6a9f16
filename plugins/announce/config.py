"""Announce settings (pelicanconf/publishconf) and channel keys (.env), read and
validated once: an unknown key or value is an error that says how to fix it."""

import difflib
import os
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url}\n\n{hashtags}"
TEMPLATE_FIELDS = {"title", "summary", "url", "hashtags"}
CHANNEL_TYPES = ("mastodon", "bluesky", "webhook", "email", "facebook", "instagram", "threads", "x")

# Every setting the plugin reads, with its default. All are documented in docs/reference.md.
DEFAULTS = {
    "ANNOUNCE_ENABLED": False,  # publishconf.py turns planning on; local builds never plan
    "ANNOUNCE_LEDGER": "content/announce-ledger.jsonl",  # committed: what was sent where
    "ANNOUNCE_STATE_DIR": ".announce",  # git-ignored: the plan, lock, journal, sessions
    "ANNOUNCE_SINCE": None,  # the very first run: announce posts dated on/after this
    "ANNOUNCE_MAX_AGE": 14,  # days: an older post is not news and is never announced
    "ANNOUNCE_MAX_PER_RUN": 3,  # posts per channel per run, oldest first
    "ANNOUNCE_CHECK_LIVE": None,  # check each post's URL answers 200 first; None: when deploying
    "ANNOUNCE_LIVE_TIMEOUT": 120,  # seconds to wait for a post to go live
    "ANNOUNCE_RETRIES": 3,  # attempts per post and channel in one run
    "ANNOUNCE_RETRY_DELAY": 2.0,  # seconds before the 2nd attempt, doubling after
    "ANNOUNCE_MAX_WAIT": 60,  # longest wait honoured (Retry-After); longer: next run
    "ANNOUNCE_TIMEOUT": 20,  # seconds per network request
    "ANNOUNCE_HASHTAGS": {},  # tag -> hashtag ("Rhyme Time": "RhymeTime"); None drops a tag
    "ANNOUNCE_APPROVERS": [],  # emails whose committed approval lets a message go; [] = off
    "ANNOUNCE_APPROVAL_SIGNED": False,  # an approval counts only from a signed commit
    "ANNOUNCE_APPROVALS": "content/approvals",  # one JSON Lines file per post (commit it)
    "ANNOUNCE_CHANNELS": {
        "mastodon": {"type": "mastodon"},
        "bluesky": {"type": "bluesky"},
        "webhook": {"type": "webhook"},
        "email": {"type": "email"},
        "facebook": {"type": "facebook"},
        "instagram": {"type": "instagram"},
        "threads": {"type": "threads"},
        "x": {"type": "x"},
    },
}

# Keys of a channel entry in ANNOUNCE_CHANNELS, and the values the fixed ones take.
CHANNEL_OPTIONS = {
    "type",
    "env",
    "categories",
    "tags",
    "template",
    "visibility",
    "preset",
    "since",
    "post_as",
    "link",
}
VISIBILITIES = ("public", "unlisted", "private")
PRESETS = ("discord", "slack", "teams", "json")
POST_AS = ("link", "photo")  # facebook: a link post (card from the page) or a photo post
LINK_AS = ("address", "bio")  # instagram: the short address as text, or "link in bio"


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    type: str
    env_prefix: str  # MASTODON -> MASTODON_ACCESS_TOKEN ...
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    template: str | None = None
    since: datetime | None = None  # announce from this date, whenever the channel was added
    options: dict = field(default_factory=dict)  # visibility, preset

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
    max_age: timedelta | None
    max_per_run: int
    check_live: bool
    live_timeout: float
    retries: int
    retry_delay: float
    max_wait: float
    timeout: float
    hashtags: dict
    channels: tuple[ChannelConfig, ...]
    approvers: tuple[str, ...] = ()  # emails; empty: approval is off
    approval_signed: bool = False
    approvals: str = "content/approvals"

    @property
    def plan_path(self) -> str:
        return os.path.join(self.state_dir, "plan.json")

    def too_old(self, date: datetime, now: datetime) -> bool:
        return self.max_age is not None and date < now - self.max_age


class SettingsError(ValueError):
    pass


def read_config(settings: dict, environ=None) -> Config:
    """The announce settings, validated. Raises SettingsError naming the setting and
    the fix; never falls back to a default for a value it does not understand."""
    environ = os.environ if environ is None else environ
    _no_unknown_settings(settings)
    get = {k: settings.get(k, v) for k, v in DEFAULTS.items()}
    channels = tuple(_channel(n, e) for n, e in _mapping("ANNOUNCE_CHANNELS", get).items())
    check_live = get["ANNOUNCE_CHECK_LIVE"]
    if check_live is None:
        check_live = bool(environ.get("DEPLOY_METHOD", "").strip())
    elif not isinstance(check_live, bool):
        raise SettingsError(_bad("ANNOUNCE_CHECK_LIVE", check_live, "True, False or None"))
    max_age = get["ANNOUNCE_MAX_AGE"]
    hashtags = _mapping("ANNOUNCE_HASHTAGS", get)
    for tag, value in hashtags.items():
        if value is not None and not isinstance(value, str):
            raise SettingsError(_bad(f"ANNOUNCE_HASHTAGS[{tag!r}]", value, "a word, or None"))
    signed = get["ANNOUNCE_APPROVAL_SIGNED"]
    if not isinstance(signed, bool):
        raise SettingsError(_bad("ANNOUNCE_APPROVAL_SIGNED", signed, "True or False"))
    return Config(
        ledger=_text("ANNOUNCE_LEDGER", get),
        state_dir=_text("ANNOUNCE_STATE_DIR", get),
        since=parse_date("ANNOUNCE_SINCE", get["ANNOUNCE_SINCE"]),
        max_age=None if max_age is None else timedelta(days=_number("ANNOUNCE_MAX_AGE", get, 1)),
        max_per_run=int(_number("ANNOUNCE_MAX_PER_RUN", get, 1, whole=True)),
        check_live=check_live,
        live_timeout=_number("ANNOUNCE_LIVE_TIMEOUT", get, 0),
        retries=int(_number("ANNOUNCE_RETRIES", get, 1, whole=True)),
        retry_delay=_number("ANNOUNCE_RETRY_DELAY", get, 0),
        max_wait=_number("ANNOUNCE_MAX_WAIT", get, 0),
        timeout=_number("ANNOUNCE_TIMEOUT", get, 0.1),
        hashtags=dict(hashtags),
        channels=channels,
        approvers=_approvers(get["ANNOUNCE_APPROVERS"]),
        approval_signed=signed,
        approvals=_text("ANNOUNCE_APPROVALS", get),
    )


def _approvers(value) -> tuple[str, ...]:
    """ANNOUNCE_APPROVERS: a list of email addresses (git's user.email of each person
    who may approve), or "Name <email>"; stored as the emails."""
    example = 'a list of emails, such as ["comms@council.example"], or [] for no approval step'
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise SettingsError(_bad("ANNOUNCE_APPROVERS", value, example))
    found = []
    for item in value:
        email = parseaddr(item)[1] if isinstance(item, str) else ""
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            raise SettingsError(
                f"ANNOUNCE_APPROVERS: {item!r} is not an email address. Fix: write each "
                "approver as the email their git commits carry (git config user.email), "
                'such as "comms@council.example".'
            )
        found.append(email.lower())
    return tuple(found)


def parse_date(name: str, value) -> datetime | None:
    """A date setting as an aware datetime (midnight UTC for a plain date)."""
    if value is None or isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SettingsError(_bad(name, value, "a date written YYYY-MM-DD")) from None
    else:
        raise SettingsError(_bad(name, value, "a date written YYYY-MM-DD, or None"))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _channel(name, entry) -> ChannelConfig:
    where = f"ANNOUNCE_CHANNELS[{name!r}]"
    if not isinstance(entry, dict):
        raise SettingsError(f'{where} must be a dict such as {{"type": "mastodon"}}.')
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", str(name)):
        raise SettingsError(
            f"{where}: a channel name is letters, digits, - and _, starting with a letter. "
            "Fix: rename it, e.g. 'kids-mastodon'."
        )
    unknown = set(entry) - CHANNEL_OPTIONS
    if unknown:
        raise SettingsError(
            f"{where} has unknown keys {sorted(unknown)}. Fix: use only {sorted(CHANNEL_OPTIONS)}."
        )
    kind = entry.get("type", name)
    if kind not in CHANNEL_TYPES:
        raise SettingsError(f"{where}: type {kind!r} is not one of {', '.join(CHANNEL_TYPES)}.")
    options = {}
    for key, allowed in (
        ("visibility", VISIBILITIES),
        ("preset", PRESETS),
        ("post_as", POST_AS),
        ("link", LINK_AS),
    ):
        if key in entry:
            if entry[key] not in allowed:
                raise SettingsError(_bad(f"{where}['{key}']", entry[key], " or ".join(allowed)))
            options[key] = entry[key]
    template = entry.get("template")
    if template is not None:
        check_template(template, f"{where}['template']")
    for key in ("categories", "tags"):
        value = entry.get(key, ())
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise SettingsError(_bad(f"{where}['{key}']", value, 'a list such as ["Events"]'))
    return ChannelConfig(
        name=name,
        type=kind,
        env_prefix=entry.get("env", name.upper().replace("-", "_")),
        categories=tuple(entry.get("categories", ())),
        tags=tuple(entry.get("tags", ())),
        template=template,
        since=parse_date(f"{where}['since']", entry.get("since")),
        options=options,
    )


def check_template(template, where):
    if not isinstance(template, str):
        raise SettingsError(_bad(where, template, "text such as '{title}\\n\\n{url}'"))
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as err:
        raise SettingsError(
            f"{where}: {err}. Fix: write {{ and }} only around field names."
        ) from None
    unknown = names - TEMPLATE_FIELDS
    if unknown:
        raise SettingsError(
            f"{where} uses {', '.join('{' + n + '}' for n in sorted(unknown))}. "
            f"Fix: use only {{title}}, {{summary}}, {{url}} and {{hashtags}}."
        )


def _no_unknown_settings(settings):
    for key in settings:
        if key.startswith("ANNOUNCE_") and key not in DEFAULTS:
            guess = difflib.get_close_matches(key, DEFAULTS, n=1, cutoff=0.7)
            hint = (
                f"did you mean {guess[0]}?"
                if guess
                else "see the Announcing settings in docs/reference.md."
            )
            raise SettingsError(f"{key} is not an announce setting. Fix: {hint}")


def _mapping(name, get) -> dict:
    value = get[name]
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SettingsError(_bad(name, value, "a dict"))
    return value


def _text(name, get) -> str:
    value = get[name]
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(_bad(name, value, "a path"))
    return value


def _number(name, get, minimum, whole=False) -> float:
    value = get[name]
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < minimum or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise SettingsError(_bad(name, value, f"{kind} of at least {minimum}"))
    return float(value)


def _bad(name, value, expected) -> str:
    return f"{name} = {value!r} is not valid. Fix: set it to {expected}."
