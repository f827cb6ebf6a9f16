"""Mastodon, with Mastodon.py: limits read from the instance, image with alt text,
an Idempotency-Key per post and channel, and a look back at recent posts."""

import hashlib
import time

from mastodon import Mastodon
from mastodon import errors as m

from ..errors import NetworkError, RateLimited, Rejected, ServerError, Unauthorized
from ..text import mastodon_counter
from .base import Channel, Receipt


class MastodonChannel(Channel):
    kind = "mastodon"
    keys = ("API_BASE_URL", "ACCESS_TOKEN")
    optional_keys = ("VISIBILITY",)
    secret_keys = ("ACCESS_TOKEN",)
    limit = 500  # until the instance says otherwise
    can_find = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_length = 23
        self.limit_note = " (500 assumed: the instance was not contacted)"
        self.client = None
        self.account_id = None

    def count(self, text):
        return mastodon_counter(self.url_length)(text)

    def connect(self):
        self.client = Mastodon(
            access_token=self.require("ACCESS_TOKEN"),
            api_base_url=self.require("API_BASE_URL"),
            request_timeout=self.settings.timeout,
            ratelimit_method="throw",  # we own waiting, bounded by ANNOUNCE_MAX_WAIT
            version_check_mode="none",
        )
        # instance() recurses forever when the server is unreachable (Mastodon.py 2.3.3):
        # ask for v2 (Mastodon 4+) directly, and v1 only where there is no v2.
        try:
            instance = self._call(self.client.instance_v2)
        except Rejected:
            instance = self._call(self.client.instance_v1)
        statuses = _get(_get(instance, "configuration") or {}, "statuses") or {}
        self.limit = int(_get(statuses, "max_characters") or 500)
        self.url_length = int(_get(statuses, "characters_reserved_per_url") or 23)
        self.limit_note = ""
        self.account_id = _get(self._call(self.client.account_verify_credentials), "id")

    def send(self, message, post):
        media_ids = []
        if message.image:
            path, alt = message.image
            media = self._call(self.client.media_post, path, description=alt, synchronous=True)
            media_ids.append(_get(media, "id"))
        status = self._call(
            self.client.status_post,
            message.text,
            media_ids=media_ids or None,
            visibility=self.config.options.get("visibility")
            or self.config.env(self.environ, "VISIBILITY")
            or "public",
            language=(post.lang or "").split("-")[0] or None,
            idempotency_key=idempotency_key(post.id, self.name),
        )
        return Receipt(str(_get(status, "id")), str(_get(status, "url") or ""))

    def find(self, post):
        statuses = self._call(self.client.account_statuses, self.account_id, limit=40)
        for status in statuses or []:
            if post.url in (_get(status, "content") or ""):
                return Receipt(str(_get(status, "id")), str(_get(status, "url") or ""))
        return None

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


def idempotency_key(post_id: str, channel: str) -> str:
    return hashlib.sha256(f"{post_id}\n{channel}".encode()).hexdigest()[:32]


def _get(obj, key):
    if obj is None:
        return None
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _status(err):
    args = getattr(err, "args", ())
    return args[1] if len(args) > 1 else "?"


def _reason(err):
    args = [a for a in getattr(err, "args", ()) if isinstance(a, str)]
    return args[-1] if args else type(err).__name__
