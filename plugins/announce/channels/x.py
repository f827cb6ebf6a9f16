"""X (formerly Twitter), with tweepy's v2 Client and OAuth 1.0a user keys: 280 weighted
characters, an image with alt text uploaded once, and a look at the account's own
recent posts before every send (X has no idempotency key).

API reference: https://docs.x.com/x-api/posts/create-post,
https://docs.x.com/x-api/media/upload-media, https://docs.x.com/x-api/media/create-media-metadata,
https://docs.x.com/x-api/users/get-posts, https://docs.x.com/x-api/users/get-my-user."""

import base64
import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta

import requests
import tweepy

from ..errors import (
    AnnounceError,
    NetworkError,
    NotSendable,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    ServerError,
    Unauthorized,
)
from ..images import upload
from ..text import x_counter
from .base import CLOCK_SKEW, Account, AccountPosts, Channel, Receipt, moment

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.x.com"
TWEEPY_HOST = "https://api.twitter.com"  # hard-coded in tweepy.client.BaseClient.request
# Images X takes by simple upload, and their size: https://docs.x.com/x-api/media/upload-media
# (media_type) and https://docs.x.com/x-api/media/quickstart/best-practices ("Image: 5 MB").
# A GIF goes through the chunked flow (tweet_gif), so a GIF is sent as a JPEG instead.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
IMAGE_BYTES = 5_000_000
ALT_MAX = 1000  # https://docs.x.com/x-api/media/create-media-metadata: alt_text.text
MEDIA_KEPT = timedelta(hours=24)  # the upload answer's expires_after_secs, when it says none
MEDIA_MARGIN = timedelta(hours=1)  # reuse an upload only while it has time to spare
PLANS = "https://docs.x.com/x-api/getting-started/pricing"


class Duplicate(Exception):
    """X refused the text as a duplicate of a post already on the account."""


class Rebased(requests.Session):
    """The session tweepy's Client sends through. tweepy writes every address as
    https://api.twitter.com/...: this sends it to X_API_URL instead, and with the
    announcer's timeout (tweepy sets none). The address is changed before requests signs
    the request (OAuth 1.0a signs the full address), so the signature is of the address
    actually used: https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/creating-a-signature"""

    def __init__(self, base_url, timeout):
        super().__init__()
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class XChannel(Channel):
    kind = "x"
    keys = ("API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_SECRET")
    optional_keys = ("API_URL",)
    secret_keys = keys
    limit = 280  # weighted: https://docs.x.com/fundamentals/counting-characters
    can_find = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = None
        self.user_id = self.username = None
        self.counter = x_counter()

    def validate(self):
        self.base_url = self.address("API_URL", DEFAULT_URL)

    def count(self, text):
        return self.counter(text)

    def _client(self):
        if self.client is None:
            self.client = tweepy.Client(
                consumer_key=self.require("API_KEY"),
                consumer_secret=self.require("API_SECRET"),
                access_token=self.require("ACCESS_TOKEN"),
                access_token_secret=self.require("ACCESS_SECRET"),
                return_type=dict,
                wait_on_rate_limit=False,  # we own waiting, bounded by ANNOUNCE_MAX_WAIT
            )
            self.client.session = Rebased(self.base_url, self.settings.timeout)
        return self.client

    def connect(self):
        self._me()

    def _me(self):
        """The account the keys post as (GET /2/users/me): the raw answer, for its headers."""
        response = self._call(
            self._client().request,
            "GET",
            "/2/users/me",
            params={"user.fields": "username,name"},
            user_auth=True,
        )
        data = response.json()["data"]
        self.user_id, self.username = data["id"], data["username"]
        return response, data

    def check(self) -> Account:
        response, data = self._me()
        account = Account(f"@{self.username}")
        account.facts.append(f"{data.get('name') or self.username} (user id {self.user_id})")
        headers = response.headers
        if "x-rate-limit-remaining" in headers:
            account.facts.append(
                f"users/me: {headers['x-rate-limit-remaining']} of "
                f"{headers.get('x-rate-limit-limit', '?')} requests left in this window"
            )
        account.facts.append(
            f"posting needs a paid or pay-per-use X API plan with credits ({PLANS}); "
            "a check cannot tell without posting"
        )
        # Every OAuth 1.0a answer says the token's permission (read, read-write, ...):
        # https://developer.x.com/en/docs/apps/app-permissions
        level = headers.get("x-access-level", "")
        if level and "write" not in level:
            account.missing.append(
                f"the access token can only read ({level}). Fix: {WRITE_FIX.format(p=self.prefix)}"
            )
        return account

    @property
    def prefix(self):
        return self.config.env_prefix

    # -- composing and local checks ---------------------------------------------------
    def prepare(self, message, post):
        super().prepare(message, post)
        if not message.image:
            return
        alt = message.image[1]
        if len(alt) > ALT_MAX:
            raise NotSendable(
                f"{post.source}: the Image-Alt: text is {len(alt)} characters; X takes at "
                f"most {ALT_MAX}. Fix: shorten the Image-Alt: line (say what the picture "
                "shows; longer detail belongs in the post)."
            )
        data, mime = upload(message.image[0], post.source, IMAGE_TYPES, IMAGE_BYTES)
        key = hashlib.sha256(data + alt.encode()).hexdigest()[:16]
        message.extra["upload"] = (data, mime, key)

    # -- sending ------------------------------------------------------------------------
    def send(self, message, post, media):
        if self.user_id is None:
            self.connect()
        media_ids = [self._media(message, media)] if message.image else []
        try:
            tweet = self._tweet(message, media_ids)
        except Duplicate:
            return self._already_posted(post)
        except Rejected:
            if not media_ids or media.fresh:
                raise
            # The upload kept from an earlier run has expired: upload it again, once.
            media_ids = [self._media(message, media, reuse=False)]
            try:
                tweet = self._tweet(message, media_ids)
            except Duplicate:
                return self._already_posted(post)
        return self._receipt(tweet["data"]["id"])

    def _tweet(self, message, media_ids):
        return self._call(
            self._client().create_tweet,
            text=message.text,
            media_ids=media_ids or None,
            user_auth=True,
            writes=True,
        )

    def _already_posted(self, post):
        """X refuses a text the account has just posted: it went out (an earlier run,
        another computer). Which post it is, the account's timeline says."""
        found = self.find(post)
        if found:
            return found
        raise Rejected(
            f"{self.name}: X refused the text as a duplicate of a post already on the "
            "account, but no recent post there links to this one. Fix: look at the account; "
            "if it is not there, change the Announce-Text: and run `make announce-retry`."
        )

    def _receipt(self, tweet_id):
        return Receipt(str(tweet_id), f"https://x.com/{self.username}/status/{tweet_id}")

    def _media(self, message, media, reuse=True) -> str:
        """The image's media id: the one uploaded for this post before (same picture and
        alt text, not yet expired), else a new upload with its alt text, remembered."""
        data, mime, key = message.extra["upload"]
        kept = timedelta(seconds=int(media.get("expires") or MEDIA_KEPT.total_seconds()))
        if reuse and media.get("id") and media.reusable(key, kept - MEDIA_MARGIN):
            return media["id"]
        client = self._client()
        # https://docs.x.com/x-api/media/upload-media: one image, base64, tweet_image.
        uploaded = self._call(
            client.request,
            "POST",
            "/2/media/upload",
            json={
                "media": base64.b64encode(data).decode(),
                "media_category": "tweet_image",
                "media_type": mime,
            },
            user_auth=True,
        ).json()["data"]
        media_id = str(uploaded["id"])
        # https://docs.x.com/x-api/media/create-media-metadata: the alt text.
        self._call(
            client.request,
            "POST",
            "/2/media/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": message.image[1]}}},
            user_auth=True,
        )
        expires = int(uploaded.get("expires_after_secs") or MEDIA_KEPT.total_seconds())
        media.keep(key, id=media_id, expires=expires)
        return media_id

    # -- looking for an earlier post ------------------------------------------------------
    def find(self, post):
        if self.user_id is None:
            self.connect()
        since = datetime.fromisoformat(post.date)
        return AccountPosts(lambda cursor: self._page(cursor, since)).find(post, since)

    def _page(self, cursor, since):
        """One page of the account's own posts since `since` (GET /2/users/:id/tweets,
        https://docs.x.com/x-api/users/get-posts). X shortens every link to t.co in the
        text: the address it stands for is in entities.urls[].expanded_url."""
        answer = self._call(
            self._client().get_users_tweets,
            self.user_id,
            start_time=(since - CLOCK_SKEW).astimezone(UTC),
            tweet_fields=["created_at", "entities"],
            exclude=["replies", "retweets"],
            max_results=100,
            pagination_token=cursor,
            user_auth=True,
        )
        items = []
        for tweet in answer.get("data") or []:
            urls = (tweet.get("entities") or {}).get("urls") or []
            links = " ".join(u.get(k) or "" for u in urls for k in ("expanded_url", "unwound_url"))
            text = f"{tweet.get('text', '')} {links}"
            items.append((moment(tweet.get("created_at")), text, self._receipt(tweet["id"])))
        return items, (answer.get("meta") or {}).get("next_token")

    # -- errors ---------------------------------------------------------------------------
    def _call(self, fn, *args, writes=False, **kwargs):
        """tweepy's and requests' errors as the announcer's. `writes`: the call makes
        the post, so a lost answer may mean it was made."""
        try:
            return fn(*args, **kwargs)
        except tweepy.TooManyRequests as err:
            # x-rate-limit-reset: the window's end, in epoch seconds:
            # https://docs.x.com/x-api/fundamentals/rate-limits
            reset = err.reset_time
            wait = max(0.0, reset - time.time()) if reset else None
            raise RateLimited(f"{self.name}: rate limited (429)", retry_after=wait) from None
        except tweepy.Unauthorized:
            raise Unauthorized(
                f"{self.name}: X refused the keys (401). Fix: {WRITE_FIX.format(p=self.prefix)}"
            ) from None
        except tweepy.TwitterServerError as err:
            raise ServerError(f"{self.name}: server error ({err.response.status_code})") from None
        except tweepy.HTTPException as err:
            raise self._refused(err) from None
        except requests.ConnectionError as err:
            refused = "refused" in str(err).lower() or isinstance(err, requests.ConnectTimeout)
            if writes and not refused:
                raise OutcomeUnknown(f"{self.name}: the connection dropped") from None
            raise NetworkError(f"{self.name}: could not reach X ({_reason(err)})") from None
        except requests.Timeout:
            if writes:
                raise OutcomeUnknown(
                    f"{self.name}: no answer in {self.settings.timeout:g} s"
                ) from None
            raise NetworkError(f"{self.name}: X did not answer in time") from None
        except tweepy.TweepyException as err:
            raise AnnounceError(f"{self.name}: {type(err).__name__}: {err}") from None

    def _refused(self, err) -> Exception:
        """A 4xx, by what X says in its problem body (https://docs.x.com/x-api/fundamentals/
        response-codes-and-errors: type, title, detail, and for enrolment `reason`)."""
        status = err.response.status_code
        problem = _problem(err.response)
        words = " ".join(str(problem.get(k, "")) for k in ("type", "title", "detail", "reason"))
        detail = problem.get("detail") or problem.get("title") or err.response.reason
        if status == 403 and "duplicate content" in words.lower():
            return Duplicate(detail)
        if status == 402 or "client-not-enrolled" in words or "client-forbidden" in words:
            return Unauthorized(
                f"{self.name}: X will not take posts from this app ({status}: {detail}). "
                "Posting through the X API needs a paid or pay-per-use plan with credits. "
                f"Fix: in the X Developer Console, put the app in a Project and buy credits "
                f"({PLANS})."
            )
        if status == 403 and "oauth1-permissions" in words:
            return Unauthorized(
                f"{self.name}: the access token cannot post (403: {detail}). "
                f"Fix: {WRITE_FIX.format(p=self.prefix)}"
            )
        if status == 403:
            return Rejected(f"{self.name}: X refused the post (403: {detail})")
        return Rejected(f"{self.name}: X refused the post ({status}: {detail})")


WRITE_FIX = (
    "in the X Developer Console set the app's permissions to Read and write, then "
    "regenerate the Access Token and Secret and put them in {p}_ACCESS_TOKEN and "
    "{p}_ACCESS_SECRET in .env (a token keeps the permissions it was made with)."
)


def _problem(response) -> dict:
    """X's problem body: the top level, or the first of `errors`."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    if not body.get("detail") and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, dict):
            return {**body, **first, "detail": first.get("detail") or first.get("message")}
    return body


def _reason(err):
    text = str(err)
    return "connection refused" if "refused" in text.lower() else type(err).__name__
