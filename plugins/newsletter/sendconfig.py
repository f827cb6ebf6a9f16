"""The .env keys of sending the newsletter, read and validated once, before anything
connects: a value the kit does not understand is an error saying how to fix it, never a
silent default. The mail server itself is the email channel's (EMAIL_SMTP_*, EMAIL_FROM).
"""

import hashlib
import hmac
import os
import re
import subprocess
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from announce.smtp import loopback

SERVICES = ("smtp", "listmonk")
DEFAULT_RATE = "30/minute"
UNITS = {"second": 1, "minute": 60, "hour": 3600}
UNIT_NAMES = {
    "s": "second", "sec": "second", "second": "second", "seconds": "second",
    "m": "minute", "min": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hour": "hour", "hours": "hour",
}  # fmt: skip
MIN_KEY = 16  # characters of NEWSLETTER_KEY
LISTMONK_SEND = ("draft", "now")  # or a time, HH:MM
# Every key this module reads (documented in .env.example and docs/reference.md).
KEYS = (
    "NEWSLETTER_SERVICE",
    "NEWSLETTER_TO",
    "NEWSLETTER_SUBSCRIBERS",
    "NEWSLETTER_RATE",
    "NEWSLETTER_KEY",
    "NEWSLETTER_UNSUBSCRIBE_MAILTO",
    "NEWSLETTER_UNSUBSCRIBE_URL",
    "NEWSLETTER_DKIM_SELECTOR",
    "NEWSLETTER_DKIM_DOMAIN",
    "NEWSLETTER_DKIM_PRIVATE_KEY",
    "LISTMONK_URL",
    "LISTMONK_USER",
    "LISTMONK_TOKEN",
    "LISTMONK_LIST_IDS",
    "LISTMONK_TEMPLATE_ID",
    "LISTMONK_SEND",
)
SECRET_KEYS = ("NEWSLETTER_KEY", "NEWSLETTER_DKIM_PRIVATE_KEY", "LISTMONK_TOKEN")
NEW_KEY = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


class SendError(ValueError):
    """The settings, the edition, the subscriber list or the ledger need fixing first:
    nothing is sent. The message says what and how."""


@dataclass(frozen=True)
class Rate:
    count: int  # messages per batch
    seconds: float  # a batch starts at least this long after the one before
    text: str  # as written, for messages

    def duration(self, messages: int) -> float:
        """Seconds of pauses `messages` take at this rate."""
        return max(0, -(-messages // self.count) - 1) * self.seconds


@dataclass(frozen=True)
class Dkim:
    selector: str
    domain: str
    private_key: bytes  # PEM


@dataclass(frozen=True)
class Listmonk:
    url: str  # no trailing slash
    user: str
    token: str
    list_ids: tuple[int, ...]
    template_id: int | None
    send: str  # draft, now, or HH:MM


@dataclass(frozen=True)
class SendConfig:
    service: str
    to: str  # the list address (NEWSLETTER_TO), when there is no subscriber file
    subscribers: str  # the subscriber file, resolved ("" when unset)
    rate: Rate
    key: bytes  # NEWSLETTER_KEY (b"" when unset: list address only)
    unsubscribe_mailto: str  # mailto:... ("" = from EMAIL_FROM)
    unsubscribe_url: str  # https://..., may hold {email} and {token}
    dkim: Dkim | None
    listmonk: Listmonk | None

    @property
    def set_up(self) -> bool:
        """Whether the library chose whom the newsletter goes to (else: a dry run)."""
        return self.service == "listmonk" or bool(self.to or self.subscribers)


def env(environ, key) -> str:
    return environ.get(key, "").strip()


def secrets(environ) -> list[str]:
    """Values never to be shown: ours and the mail server's password. A PEM key is
    masked line by line too, in case a library logs it folded."""
    found = [env(environ, k) for k in (*SECRET_KEYS, "EMAIL_SMTP_PASSWORD")]
    pem = env(environ, "NEWSLETTER_DKIM_PRIVATE_KEY")
    if "-----BEGIN" in pem:
        found += [line for line in pem.replace("\\n", "\n").splitlines() if "-----" not in line]
    return [s for s in found if s]


def read_send_config(environ, project: str) -> SendConfig:
    """The sending keys, validated. `project` is the site's folder (where publishconf.py
    is): relative paths in .env are read from there."""
    service = env(environ, "NEWSLETTER_SERVICE").lower() or "smtp"
    if service == "mailchimp":
        raise SendError(
            "NEWSLETTER_SERVICE=mailchimp is not supported. Fix: use smtp (your mail "
            "server, with a subscriber file) or listmonk; see docs/newsletter.md, section "
            "Sending the newsletter."
        )
    if service not in SERVICES:
        raise SendError(f"NEWSLETTER_SERVICE={service!r} is not one of {', '.join(SERVICES)}.")
    to = env(environ, "NEWSLETTER_TO")
    if to and not valid_address(parseaddr(to)[1]):
        raise SendError(
            f"NEWSLETTER_TO={to!r} is not an email address. Fix: the list's address, such "
            "as readers@lists.example.org."
        )
    subscribers = env(environ, "NEWSLETTER_SUBSCRIBERS")
    if subscribers:
        subscribers = resolve_path(subscribers, project, "NEWSLETTER_SUBSCRIBERS")
    if to and subscribers:
        raise SendError(
            "NEWSLETTER_TO and NEWSLETTER_SUBSCRIBERS are both set, so it is not clear "
            "who gets the newsletter. Fix: keep one (the list address, or the file)."
        )
    key = env(environ, "NEWSLETTER_KEY")
    if key and len(key) < MIN_KEY:
        raise SendError(
            f"NEWSLETTER_KEY is too short (at least {MIN_KEY} characters). Fix: make one "
            f"with {NEW_KEY} and keep it: a new key sends the next edition afresh."
        )
    if subscribers and not key:
        raise SendError(
            "NEWSLETTER_SUBSCRIBERS is set but NEWSLETTER_KEY is not: the newsletter ledger "
            "(committed to git) records each reader only as a keyed hash of the address, "
            f"so nobody reading the repository learns your subscribers. Fix: make a key "
            f"with {NEW_KEY}, put it in .env (and the workflow's secrets) as NEWSLETTER_KEY, "
            "and never change it while an edition is being sent."
        )
    url = env(environ, "NEWSLETTER_UNSUBSCRIBE_URL")
    if url:
        _unsubscribe_url(url, key)
    mailto = env(environ, "NEWSLETTER_UNSUBSCRIBE_MAILTO")
    if mailto:
        mailto = _mailto(mailto)
    return SendConfig(
        service=service,
        to=to,
        subscribers=subscribers,
        rate=parse_rate(env(environ, "NEWSLETTER_RATE") or DEFAULT_RATE),
        key=key.encode(),
        unsubscribe_mailto=mailto,
        unsubscribe_url=url,
        dkim=_dkim(environ, project),
        listmonk=_listmonk(environ) if service == "listmonk" else None,
    )


def parse_rate(value: str) -> Rate:
    """NEWSLETTER_RATE: "30/minute" (also second, hour; s, min, h): at most that many
    messages, then a pause until the period is over."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*([A-Za-z]+)\s*", value)
    unit = UNIT_NAMES.get(found.group(2).lower()) if found else None
    if not found or not unit or int(found.group(1)) < 1:
        raise SendError(
            f"NEWSLETTER_RATE={value!r} is not a rate. Fix: write how many messages per "
            f"second, minute or hour, such as {DEFAULT_RATE} (the default) or 500/hour, as "
            "your mail provider allows."
        )
    return Rate(int(found.group(1)), float(UNITS[unit]), f"{found.group(1)}/{unit}")


def resolve_path(value: str, project: str, key: str) -> str:
    """A file named in .env, as a path to read. The rule: a relative path is in the
    site's folder and must stay there once links are followed (a link pointing out of
    the project is refused); an absolute path (or ~/...) is where the library keeps it,
    outside git, and is taken as written. Addresses (file:, https:) are refused: the
    kit reads only files."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", value):
        raise SendError(
            f"{key}={value!r} is an address, not a file path, and is not read. Fix: write "
            "the file's path, such as subscribers.txt (in the site's folder, git-ignored) "
            "or /home/library/private/subscribers.txt."
        )
    expanded = os.path.expanduser(value)
    if os.path.isabs(expanded):
        path = expanded
    else:
        path = os.path.join(project, expanded)
        root = os.path.realpath(project)
        real = os.path.realpath(path)
        if real != root and not real.startswith(root + os.sep):
            raise SendError(
                f"{key}={value!r} leads out of the site's folder (to {real}), so it is not "
                "read: a relative path must stay in the project. Fix: write the file's "
                "absolute path in .env if it is kept elsewhere on purpose."
            )
    if not os.path.isfile(path):
        raise SendError(
            f"{key}={value!r}: there is no such file ({os.path.abspath(path)}). Fix: check "
            "the path in .env (relative paths start from the site's folder)."
        )
    return path


def not_in_git_warning(path: str, project: str) -> str | None:
    """A warning when a secret-ish file inside the project is tracked by git or not
    ignored (it would be pushed, and the list of readers with it)."""
    root = os.path.realpath(project)
    real = os.path.realpath(path)
    if not real.startswith(root + os.sep):
        return None
    rel = os.path.relpath(real, root)
    try:
        tracked = subprocess.run(["git", "ls-files", "--", rel], cwd=root, capture_output=True,
                                 text=True, timeout=30)  # fmt: skip
        ignored = subprocess.run(["git", "check-ignore", "-q", "--", rel], cwd=root,
                                 capture_output=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if tracked.returncode != 0:
        return None  # not a git repository
    if tracked.stdout.strip():
        return (
            f"{rel} is committed to git: everyone who can read the repository can read "
            f"your subscribers. Fix: git rm --cached {rel}, add it to .gitignore, commit."
        )
    if ignored.returncode == 1:
        return f"{rel} is not git-ignored, so it could be committed. Fix: add it to .gitignore."
    return None


def valid_address(address: str) -> bool:
    from .subscribers import normalise

    return normalise(address) is not None


def _mailto(value: str) -> str:
    address = value.removeprefix("mailto:").split("?", 1)[0]
    if not valid_address(address):
        raise SendError(
            f"NEWSLETTER_UNSUBSCRIBE_MAILTO={value!r} is not an email address. Fix: the "
            "address that takes unsubscribe requests, such as news@example.org."
        )
    return value if value.startswith("mailto:") else f"mailto:{value}?subject=unsubscribe"


def _unsubscribe_url(url: str, key: str):
    parts = urlsplit(url.replace("{email}", "x").replace("{token}", "x"))
    if parts.scheme != "https" or not parts.hostname:
        raise SendError(
            f"NEWSLETTER_UNSUBSCRIBE_URL={url!r} is not an https:// address: one-click "
            "unsubscribing (RFC 8058) needs https. Fix: the full https:// address of your "
            "unsubscribe page, or leave it empty for the email address only."
        )
    bad = set(re.findall(r"\{([^{}]*)\}", url)) - {"email", "token"}
    if bad:
        raise SendError(
            f"NEWSLETTER_UNSUBSCRIBE_URL uses {{{sorted(bad)[0]}}}. Fix: only {{email}} and "
            "{token} are filled in."
        )
    if "{token}" in url and not key:
        raise SendError(
            "NEWSLETTER_UNSUBSCRIBE_URL uses {token}, which is made with NEWSLETTER_KEY, "
            f"and that is not set. Fix: make a key with {NEW_KEY} and set NEWSLETTER_KEY."
        )


def _dkim(environ, project) -> Dkim | None:
    names = ("NEWSLETTER_DKIM_SELECTOR", "NEWSLETTER_DKIM_DOMAIN", "NEWSLETTER_DKIM_PRIVATE_KEY")
    values = [env(environ, k) for k in names]
    if not any(values):
        return None
    if not all(values):
        missing = [k for k, v in zip(names, values, strict=True) if not v]
        raise SendError(
            f"DKIM signing needs all three of {', '.join(names)}; {', '.join(missing)} "
            "missing. Fix: set them all (your mail provider or DNS host shows the selector "
            "and domain), or none to send unsigned."
        )
    selector, domain, key = values
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", selector):
        raise SendError(f"NEWSLETTER_DKIM_SELECTOR={selector!r} is not a DNS label, such as mail1.")
    if not re.fullmatch(r"([A-Za-z0-9-]+\.)+[A-Za-z0-9-]+", domain):
        raise SendError(f"NEWSLETTER_DKIM_DOMAIN={domain!r} is not a domain, such as example.org.")
    if "-----BEGIN" in key:
        pem = key.replace("\\n", "\n").encode()
    else:
        path = resolve_path(key, project, "NEWSLETTER_DKIM_PRIVATE_KEY")
        with open(path, "rb") as f:
            pem = f.read()
        if b"-----BEGIN" not in pem:
            raise SendError(
                "NEWSLETTER_DKIM_PRIVATE_KEY: the file is not a PEM private key (no "
                "-----BEGIN line). Fix: name the .pem file your DKIM key is in."
            )
    return Dkim(selector, domain.lower(), pem)


def _listmonk(environ) -> Listmonk:
    names = ("LISTMONK_URL", "LISTMONK_USER", "LISTMONK_TOKEN", "LISTMONK_LIST_IDS")
    missing = [k for k in names if not env(environ, k)]
    if missing:
        raise SendError(
            f"NEWSLETTER_SERVICE=listmonk needs {', '.join(missing)}. Fix: in listmonk, "
            "Admin > Users > new API user (its name and token), and the ids of the lists "
            "to send to (Lists page), in .env."
        )
    url = env(environ, "LISTMONK_URL").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SendError(
            f"LISTMONK_URL={url!r} is not a web address, such as https://lists.example.org."
        )
    if parts.scheme == "http" and not loopback(parts.hostname):
        raise SendError(
            "LISTMONK_URL starts with http://, so the token would cross the network "
            "unencrypted. Fix: use the https:// address."
        )
    ids = []
    for item in env(environ, "LISTMONK_LIST_IDS").split(","):
        if not item.strip().isdigit() or int(item) < 1:
            raise SendError(
                f"LISTMONK_LIST_IDS={env(environ, 'LISTMONK_LIST_IDS')!r}: list ids are "
                "numbers, comma-separated, such as 3 or 3,5."
            )
        ids.append(int(item))
    template = env(environ, "LISTMONK_TEMPLATE_ID")
    if template and not template.isdigit():
        raise SendError(f"LISTMONK_TEMPLATE_ID={template!r} is not a number (a template's id).")
    send = env(environ, "LISTMONK_SEND").lower() or "draft"
    if send not in LISTMONK_SEND and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", send):
        raise SendError(
            f"LISTMONK_SEND={send!r} is not draft, now or a time (HH:MM). Fix: draft "
            "(someone presses Start in listmonk), now, or the time on the edition's day."
        )
    return Listmonk(
        url,
        env(environ, "LISTMONK_USER"),
        env(environ, "LISTMONK_TOKEN"),
        tuple(ids),
        int(template) if template else None,
        send,
    )


# -- keyed hashes: who is in the ledger, and the unsubscribe token ---------------------------
LIST_ONLY = b"noticeboard-newsletter list address"  # the key with no NEWSLETTER_KEY


def recipient_id(key: bytes, address: str) -> str:
    """How the ledger knows a reader: a keyed hash of the address (HMAC-SHA256, 128
    bits), so a committed ledger names nobody."""
    digest = hmac.new(key or LIST_ONLY, b"recipient\n" + address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def key_fingerprint(key: bytes) -> str:
    """Which key made the ledger's hashes, without showing it."""
    if not key:
        return "none"
    return hmac.new(key, b"fingerprint", hashlib.sha256).hexdigest()[:12]


def unsubscribe_token(key: bytes, address: str) -> str:
    """{token} in NEWSLETTER_UNSUBSCRIBE_URL: HMAC-SHA256 of "unsubscribe\\n" + address
    with NEWSLETTER_KEY, in hex, so the library's page can check a request is genuine."""
    return hmac.new(key, b"unsubscribe\n" + address.encode(), hashlib.sha256).hexdigest()
