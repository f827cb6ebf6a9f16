"""Listen settings (pelicanconf/publishconf), read and validated once: an unknown
LISTEN_* setting or value is an error that says how to fix it, never a default."""

import difflib
from dataclasses import dataclass
from email.utils import parseaddr

# Every setting, with its default. All are documented in docs/reference.md ("Listening").
DEFAULTS = {
    "LISTEN_STATE": "content/listen-state.jsonl",  # committed, merged like the ledger
    "LISTEN_DAYS": 30,  # read the replies to each post for this many days after announcing it
    "LISTEN_QUESTION_WORDS": [],  # more words that make a reply a question ("library card")
    "LISTEN_EMAIL_TO": "",  # also email the inbox here when something is new (email channel's SMTP)
    "LISTEN_SHOW_REPLIES": False,  # show each post's public replies under it on the site
    "LISTEN_HIDDEN": "content/replies-hidden.txt",  # replies never shown: one link per line
}
READABLE = ("mastodon", "bluesky", "facebook", "threads", "instagram")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    state: str
    days: int
    question_words: tuple[str, ...]
    email_to: str
    show_replies: bool
    hidden: str


def read_config(settings: dict) -> Config:
    for key in settings:
        if key.startswith("LISTEN_") and key not in DEFAULTS:
            near = difflib.get_close_matches(key, DEFAULTS, n=1)
            hint = f" Did you mean {near[0]}?" if near else ""
            raise SettingsError(
                f"{key} is not a listen setting.{hint} Fix: correct or remove it in "
                "pelicanconf.py (docs/reference.md, section Listening, lists them)."
            )
    get = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    days = get["LISTEN_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise SettingsError(_bad("LISTEN_DAYS", days, "a whole number of days from 1 to 366"))
    words = get["LISTEN_QUESTION_WORDS"]
    if isinstance(words, str) or not all(isinstance(w, str) and w.strip() for w in words):
        raise SettingsError(_bad("LISTEN_QUESTION_WORDS", words, 'a list of words, ["renew"]'))
    email = get["LISTEN_EMAIL_TO"]
    if not isinstance(email, str) or (email.strip() and "@" not in parseaddr(email)[1]):
        raise SettingsError(_bad("LISTEN_EMAIL_TO", email, 'an email address, or ""'))
    show = get["LISTEN_SHOW_REPLIES"]
    if not isinstance(show, bool):
        raise SettingsError(_bad("LISTEN_SHOW_REPLIES", show, "True or False"))
    for name in ("LISTEN_STATE", "LISTEN_HIDDEN"):
        if not isinstance(get[name], str) or not get[name].strip():
            raise SettingsError(_bad(name, get[name], "a file path"))
    return Config(
        state=get["LISTEN_STATE"],
        days=days,
        question_words=tuple(words),
        email_to=email.strip(),
        show_replies=show,
        hidden=get["LISTEN_HIDDEN"],
    )


def _bad(key, value, wanted) -> str:
    return f"{key} = {value!r} is not {wanted}. Fix: correct it in pelicanconf.py."
