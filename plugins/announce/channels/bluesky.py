"""Bluesky, with the atproto SDK: link and hashtag facets, an external link card with
a thumbnail uploaded once, the session reused between runs, and a record key derived
from the post so that sending twice can only ever make one post."""

import hashlib
import os
import re
from datetime import UTC, datetime, timedelta

import httpx
from atproto import Client, client_utils, models
from atproto import exceptions as at
from atproto_client.models.blob_ref import BlobRef, IpldLink
from atproto_client.request import Request

from ..errors import NetworkError, OutcomeUnknown, RateLimited, Rejected, ServerError, Unauthorized
from ..images import thumbnail
from ..text import URL, graphemes
from .base import Account, AccountPosts, Channel, Receipt

HASHTAG = re.compile(r"(?<!\w)#(\w+)")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
BLOB_KEPT = timedelta(minutes=30)  # a PDS may drop an upload no record uses


class BlueskyChannel(Channel):
    kind = "bluesky"
    keys = ("HANDLE", "APP_PASSWORD")
    optional_keys = ("SERVICE",)
    secret_keys = ("APP_PASSWORD",)
    limit = 300  # graphemes; the text must also stay under 3,000 bytes
    can_find = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = None
        self.did = None
        self.own_posts = AccountPosts(self._page)

    def validate(self):
        self.service = self.address("SERVICE", "https://bsky.social")
        self.require("HANDLE")

    def count(self, text):
        # 300 graphemes and 3,000 bytes: count whichever is nearer its limit.
        return max(graphemes(text), -(-len(text.encode("utf-8")) * 300 // 3000))

    @property
    def session_file(self):
        return os.path.join(self.settings.state_dir, f"bluesky-{self.name}.session")

    def connect(self):
        self.client = Client(base_url=self.service, request=Request(timeout=self.settings.timeout))
        self.client.on_session_change(self._save_session)
        saved = _read(self.session_file)
        try:
            if saved:
                try:
                    self._call(self.client.login, session_string=saved, fetch_bsky_profile=False)
                except Unauthorized:
                    saved = None  # expired: log in again below
            if not saved:
                self._call(
                    self.client.login,
                    self.require("HANDLE"),
                    self.require("APP_PASSWORD"),
                    fetch_bsky_profile=False,
                )
        except Unauthorized:
            raise Unauthorized(
                f"{self.name}: Bluesky refused the handle or app password. Fix: create an app "
                "password in Bluesky's settings and put it in "
                f"{self.config.env_prefix}_APP_PASSWORD."
            ) from None
        self.did = self.client._session.did

    def check(self):
        handle = self.client._session.handle
        return Account(f"@{handle} ({self.did}) on {self.service}", ["logged in; nothing was sent"])

    def _save_session(self, _event, session):
        os.makedirs(self.settings.state_dir, exist_ok=True)
        fd = os.open(self.session_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(session.export())

    def prepare(self, message, post):
        super().prepare(message, post)
        if message.card.get("thumb"):
            data = thumbnail(message.card["thumb"], post.source)
            message.extra["thumb"] = (data, hashlib.sha256(data).hexdigest()[:16])

    def send(self, message, post, media):
        text = client_utils.TextBuilder()
        for kind, value in tokens(message.text):
            if kind == "link":
                text.link(value, value)
            elif kind == "tag":
                text.tag(value, value[1:])
            else:
                text.text(value)
        rkey = record_key(post.id, self.name, post.date)
        thumb = self._thumb(message, media) if "thumb" in message.extra else None
        reused = thumb is not None and not media.fresh
        try:
            created = self._create(text, message.card, thumb, post, rkey)
        except Rejected:
            existing = self._get(rkey)  # made by an earlier attempt: exactly one post
            if existing:
                return existing
            if not reused:
                raise
            # The thumbnail kept from an earlier run has gone: upload it again, once.
            thumb = self._thumb(message, media, reuse=False)
            created = self._create(text, message.card, thumb, post, rkey)
        return Receipt(created.uri, web_url(self.client, created.uri))

    def _create(self, text, card, thumb, post, rkey):
        embed = models.AppBskyEmbedExternal.Main(
            external=models.AppBskyEmbedExternal.External(
                uri=card["uri"],
                title=card.get("title", ""),
                description=card.get("description", ""),
                thumb=thumb,
            )
        )
        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(),
            text=text.build_text(),
            facets=text.build_facets(),
            embed=embed,
            langs=[post.lang or "en"],
        )
        return self._call(self.client.app.bsky.feed.post.create, self.did, record, rkey=rkey)

    def _thumb(self, message, media, reuse=True):
        """The card's thumbnail blob: the one uploaded for this post before, if it is
        the same picture and recent, else a new upload (remembered at once)."""
        data, key = message.extra["thumb"]
        if reuse and media.get("cid") and media.reusable(key, BLOB_KEPT):
            link = IpldLink(link=media["cid"])
            return BlobRef(mime_type=media["mime"], size=media["size"], ref=link)
        blob = self._call(self.client.upload_blob, data).blob
        media.keep(key, cid=str(blob.cid), mime=blob.mime_type, size=blob.size)
        return blob

    def find(self, post):
        existing = self._get(record_key(post.id, self.name, post.date))
        if existing:
            return existing
        return self.own_posts.find(post, datetime.fromisoformat(post.date))

    def _page(self, cursor):
        response = self._call(
            self.client.com.atproto.repo.list_records,
            models.ComAtprotoRepoListRecords.Params(
                repo=self.did, collection="app.bsky.feed.post", limit=100, cursor=cursor
            ),
        )
        items = []
        for rec in response.records:
            rkey = rec.uri.rsplit("/", 1)[-1]
            receipt = Receipt(rec.uri, web_url(self.client, rec.uri))
            items.append((tid_time(rkey), _urls_of(rec.value), receipt))
        return items, response.cursor

    def _get(self, rkey):
        try:
            rec = self._call(
                self.client.com.atproto.repo.get_record,
                models.ComAtprotoRepoGetRecord.Params(
                    repo=self.did, collection="app.bsky.feed.post", rkey=rkey
                ),
            )
        except Rejected:
            return None  # RecordNotFound
        return Receipt(rec.uri, web_url(self.client, rec.uri))

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except at.UnauthorizedError:
            raise Unauthorized(f"{self.name}: not authorised (401)") from None
        except at.RateLimitExceededError as err:
            raise RateLimited(f"{self.name}: rate limited (429)", _retry_after(err)) from None
        except at.BadRequestError as err:
            raise Rejected(f"{self.name}: Bluesky refused it ({err})") from None
        except at.InvokeTimeoutError:
            raise OutcomeUnknown(f"{self.name}: no answer in {self.settings.timeout:g} s") from None
        except at.NetworkError as err:
            if err.response is not None:  # 409, 413, 502
                raise ServerError(f"{self.name}: server error ({err})") from None
            cause = err.__cause__
            if isinstance(cause, httpx.ConnectError):
                raise NetworkError(f"{self.name}: could not reach {self.service}") from None
            raise OutcomeUnknown(
                f"{self.name}: the connection dropped ({type(cause).__name__})"
            ) from None
        except at.RequestException as err:
            status = err.response.status_code if err.response is not None else 0
            if status >= 500:
                raise ServerError(f"{self.name}: server error ({err})") from None
            raise Rejected(f"{self.name}: Bluesky refused it ({err})") from None


def tokens(text: str):
    """("text" | "link" | "tag", value) pieces of `text`, for facets."""
    pattern = re.compile(f"({URL.pattern})|({HASHTAG.pattern})", re.IGNORECASE)
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            yield "text", text[position : match.start()]
        yield ("link" if match.group(1) else "tag"), match.group(0)
        position = match.end()
    if position < len(text):
        yield "text", text[position:]


def record_key(post_id: str, channel: str, date: str) -> str:
    """A TID made from the post's date and id: the same post always gets the same key."""
    digest = int.from_bytes(hashlib.sha256(f"{post_id}\n{channel}".encode()).digest()[:4], "big")
    micros = int(datetime.fromisoformat(date).timestamp()) * 1_000_000 + digest % 1_000_000
    value = (micros << 10) | (digest >> 22 & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def tid_time(rkey: str) -> datetime | None:
    """When a record key made as a TID says its record was made (our keys: the post's
    date), so listing the account's posts newest first can stop at a date."""
    if len(rkey) != 13 or any(c not in TID_ALPHABET for c in rkey):
        return None
    value = 0
    for c in rkey:
        value = value * 32 + TID_ALPHABET.index(c)
    try:
        return datetime.fromtimestamp((value >> 10) / 1_000_000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def web_url(client, uri: str) -> str:
    handle = client._session.handle if client._session else ""
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _urls_of(record) -> str:
    parts = [getattr(record, "text", "") or ""]
    embed = getattr(record, "embed", None)
    external = getattr(embed, "external", None)
    if external is not None:
        parts.append(external.uri)
    for facet in getattr(record, "facets", None) or []:
        parts += [getattr(f, "uri", "") or "" for f in facet.features]
    return " ".join(parts)


def _retry_after(err):
    headers = getattr(err.response, "headers", None) or {}
    for key in ("retry-after", "ratelimit-reset"):
        if key in headers:
            try:
                value = float(headers[key])
            except ValueError:
                continue
            return value if key == "retry-after" else max(0.0, value - datetime.now().timestamp())
    return None


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip() or None
    except OSError:
        return None
