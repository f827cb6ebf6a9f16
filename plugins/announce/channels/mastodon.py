"""Mastodon (and servers that speak its API), with Mastodon.py: limits read from the
instance when it says them, an image with alt text uploaded once, an Idempotency-Key
per post and channel, and a look at the account's own posts before every send."""

import hashlib
import io
import logging
import time
from datetime import datetime, timedelta

from mastodon import Mastodon
from mastodon import errors as m

from ..config import VISIBILITIES
from ..errors import AnnounceError, NetworkError, RateLimited, Rejected, ServerError, Unauthorized
from ..images import upload
from ..text import mastodon_counter
from .base import Account, AccountPosts, Channel, Receipt, moment

logger = logging.getLogger(__name__)

# Until the instance says otherwise (Mastodon 4's defaults).
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
IMAGE_BYTES = 16 * 1024 * 1024
MEDIA_KEPT = timedelta(hours=12)  # Mastodon deletes unattached uploads after a day
MEDIA_WAIT = 60  # seconds to wait for the instance to process an upload


class MastodonChannel(Channel):
    kind = "mastodon"
    keys = ("API_BASE_URL", "ACCESS_TOKEN")
    optional_keys = ("VISIBILITY",)
    secret_keys = ("ACCESS_TOKEN",)
    limit = 500  # until the instance says otherwise
    can_find = True
    choices = {"VISIBILITY": VISIBILITIES}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_length = 23
        self.image_types, self.image_bytes = IMAGE_TYPES, IMAGE_BYTES
        self.limit_note = " (500 assumed: the instance was not contacted)"
        self.client = None
        self.account_id = None
        self.own_posts = AccountPosts(self._page)

    def validate(self):
        self.base_url = self.address("API_BASE_URL")
        self.visibility = self.config.options.get("visibility") or self.choice(
            "VISIBILITY", "public"
        )

    def count(self, text):
        return mastodon_counter(self.url_length)(text)

    def connect(self):
        self.client = Mastodon(
            access_token=self.require("ACCESS_TOKEN"),
            api_base_url=self.base_url,
            request_timeout=self.settings.timeout,
            ratelimit_method="throw",  # we own waiting, bounded by ANNOUNCE_MAX_WAIT
            # The API we speak (so media go to /api/v2/media): Mastodon.py never asks
            # the server for its version, which other servers (GoToSocial, Akkoma...)
            # answer in ways it cannot parse.
            mastodon_version="4.0.0",
            version_check_mode="created",
        )
        self.me = self._call(self.client.account_verify_credentials)
        self.account_id = _get(self.me, "id")
        self._read_limits()

    def check(self):
        host = self.base_url.split("//", 1)[-1].rstrip("/")
        return Account(
            f"@{_get(self.me, 'acct')} on {host}",
            [f"{self.limit} characters a post, links count {self.url_length}{self.limit_note}",
             f"posts are {self.visibility}"],
        )  # fmt: skip

    def _read_limits(self):
        """The instance's limits, where it says them. A server that does not (no
        /api/v2/instance, another shape) keeps Mastodon's defaults: a failed probe
        never stops a post."""
        instance = None
        for probe in (self.client.instance_v2, self.client.instance_v1):
            try:
                instance = self._call(probe)
                break
            except (Unauthorized, RateLimited):
                raise
            except Exception as err:  # noqa: BLE001 - any answer we cannot use
                reason = err
        if instance is None:
            logger.warning(
                "announce: %s: the server does not describe its limits (%s); using "
                "Mastodon's defaults (500 characters, links count 23)",
                self.name,
                reason,
            )
            self.limit_note = " (500 assumed: the server does not say its limit)"
            return
        configuration = _get(instance, "configuration") or {}
        statuses = _get(configuration, "statuses") or {}
        media = _get(configuration, "media_attachments") or {}
        self.limit = _int(_get(statuses, "max_characters") or _get(instance, "max_toot_chars"), 500)
        self.url_length = _int(_get(statuses, "characters_reserved_per_url"), 23)
        types = _get(media, "supported_mime_types")
        if types:
            self.image_types = IMAGE_TYPES & set(types) or IMAGE_TYPES
        self.image_bytes = _int(_get(media, "image_size_limit"), IMAGE_BYTES)
        self.limit_note = ""

    def prepare(self, message, post):
        super().prepare(message, post)
        if message.image:
            data, mime = upload(message.image[0], post.source, self.image_types, self.image_bytes)
            message.extra["upload"] = (data, mime, hashlib.sha256(data).hexdigest()[:16])

    def send(self, message, post, media):
        media_ids = []
        if message.image:
            media_ids = [self._media(message, media)]
        try:
            status = self._status(message, post, media_ids)
        except Rejected:
            if not media_ids or media.fresh:
                raise
            # The upload kept from an earlier run has gone: upload it again, once.
            media_ids = [self._media(message, media, reuse=False)]
            status = self._status(message, post, media_ids)
        return Receipt(str(_get(status, "id")), str(_get(status, "url") or ""))

    def _status(self, message, post, media_ids):
        return self._call(
            self.client.status_post,
            message.text,
            media_ids=media_ids or None,
            visibility=self.visibility,
            language=(post.lang or "").split("-")[0] or None,
            idempotency_key=idempotency_key(post.id, self.name),
        )

    def _media(self, message, media, reuse=True) -> str:
        """The image's media id: the one uploaded for this post before, if it is the
        same picture and recent enough, else a new upload (remembered at once)."""
        data, mime, key = message.extra["upload"]
        if reuse and media.get("id") and media.reusable(key, MEDIA_KEPT):
            return media["id"]
        uploaded = self._call(
            self.client.media_post,
            io.BytesIO(data),
            mime_type=mime,
            description=message.image[1],
            file_name="image" + {"image/png": ".png", "image/gif": ".gif"}.get(mime, ".jpg"),
        )
        media_id = str(_get(uploaded, "id"))
        media.keep(key, id=media_id)
        self._processed(uploaded)
        return media_id

    def _processed(self, uploaded):
        """Wait until the instance has processed the upload (it answers 202 with no
        url while it works), at most MEDIA_WAIT seconds."""
        deadline = time.monotonic() + MEDIA_WAIT
        while _get(uploaded, "url") is None:
            if time.monotonic() > deadline:
                raise ServerError(f"{self.name}: the instance is still processing the image")
            time.sleep(1)
            uploaded = self._call(self.client.media, _get(uploaded, "id"))

    def find(self, post):
        return self.own_posts.find(post, datetime.fromisoformat(post.date))

    def _page(self, cursor):
        statuses = self._call(
            self.client.account_statuses,
            self.account_id,
            limit=40,
            max_id=cursor,
            exclude_reblogs=True,
        )
        items = []
        for status in statuses or []:
            card = _get(status, "card") or {}
            text = f"{_get(status, 'content') or ''} {_get(card, 'url') or ''}"
            receipt = Receipt(str(_get(status, "id")), str(_get(status, "url") or ""))
            items.append((moment(_get(status, "created_at")), text, receipt))
        return items, (items[-1][2].remote_id if items else None)

    def _call(self, fn, *args, **kwargs):
        """Mastodon.py's errors, as the announcer's (it retries none itself)."""
        try:
            return fn(*args, **kwargs)
        except m.MastodonRatelimitError:
            reset = getattr(self.client, "ratelimit_reset", None)
            wait = max(0.0, reset - time.time()) if reset else None
            raise RateLimited(f"{self.name}: rate limited (429)", retry_after=wait) from None
        except m.MastodonUnauthorizedError:
            raise Unauthorized(
                f"{self.name}: the instance refused the access token (401). Fix: create a new "
                f"token with the write:statuses and write:media scopes and put it in "
                f"{self.config.env_prefix}_ACCESS_TOKEN in .env."
            ) from None
        except m.MastodonServerError as err:
            raise ServerError(f"{self.name}: server error ({_status(err)})") from None
        except m.MastodonNetworkError as err:
            raise NetworkError(
                f"{self.name}: could not reach the instance ({_reason(err)})"
            ) from None
        except m.MastodonAPIError as err:
            raise Rejected(
                f"{self.name}: the instance refused the post ({_status(err)}: {_reason(err)})"
            ) from None
        except m.MastodonError as err:
            raise AnnounceError(f"{self.name}: {type(err).__name__}: {_reason(err)}") from None


def idempotency_key(post_id: str, channel: str) -> str:
    return hashlib.sha256(f"{post_id}\n{channel}".encode()).hexdigest()[:32]


def _get(obj, key):
    if obj is None:
        return None
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _int(value, default) -> int:
    try:
        return int(value) if value else default
    except (TypeError, ValueError):
        return default


def _status(err):
    args = getattr(err, "args", ())
    return args[1] if len(args) > 1 else "?"


def _reason(err):
    args = [a for a in getattr(err, "args", ()) if isinstance(a, str)]
    return args[-1] if args else type(err).__name__
