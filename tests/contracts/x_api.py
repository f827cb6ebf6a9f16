"""The X API v2 endpoints the announcer uses, as X documents them, for tests.

- POST /2/tweets (https://docs.x.com/x-api/posts/create-post)
- POST /2/media/upload (https://docs.x.com/x-api/media/upload-media) and
  POST /2/media/metadata (https://docs.x.com/x-api/media/create-media-metadata)
- GET /2/users/me (https://docs.x.com/x-api/users/get-my-user)
- GET /2/users/:id/tweets (https://docs.x.com/x-api/users/get-posts)

Every call needs OAuth 1.0a user context: the Authorization header is checked for the
app's consumer key and the account's token, and its HMAC-SHA1 signature is verified over
the address the request really reached
(https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/creating-a-signature).
Errors use X's problem bodies (https://docs.x.com/x-api/fundamentals/response-codes-and-errors),
every answer carries the rate-limit headers (https://docs.x.com/x-api/fundamentals/rate-limits).
"""

import base64
import hashlib
import hmac
import itertools
import re
import unicodedata
import urllib.parse
from datetime import UTC, datetime
from urllib.parse import quote

import regex
from oauthlib.oauth1.rfc5849 import signature

from .base import ContractServer, Reply

PROBLEMS = "https://api.x.com/2/problems/"
WINDOW = 15 * 60
# Per-user limits per 15 minutes: https://docs.x.com/x-api/fundamentals/rate-limits
LIMITS = {
    ("POST", "/2/tweets"): 100,
    ("POST", "/2/media/upload"): 500,
    ("POST", "/2/media/metadata"): 500,
    ("GET", "/2/users/me"): 75,
    ("GET", "/2/users/:id/tweets"): 900,
}
# media_type of a simple upload: https://docs.x.com/x-api/media/upload-media
MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp", "image/bmp", "image/pjpeg", "image/tiff"}
MAGIC = {"image/jpeg": b"\xff\xd8", "image/png": b"\x89PNG", "image/webp": b"RIFF"}
IMAGE_BYTES = 5 * 1024 * 1024  # https://docs.x.com/x-api/media/quickstart/best-practices
MEDIA_EXPIRES = 86400  # expires_after_secs as X answers it for an image
ALT_MAX = 1000  # https://docs.x.com/x-api/media/create-media-metadata


def weighted_length(text: str) -> int:
    """X's count, written again from https://docs.x.com/fundamentals/counting-characters
    and twitter-text's config/v3.json (not the announcer's code): NFC, links 23, an emoji
    2, code points in the light ranges 1, all others 2."""
    light = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
    text = unicodedata.normalize("NFC", text)
    links = re.findall(r"https?://\S+", text)
    total = 23 * len(links)
    for cluster in regex.findall(r"\X", re.sub(r"https?://\S+", "", text)):
        if regex.search(r"\p{Extended_Pictographic}|\p{RI}", cluster):
            total += 2
        else:
            total += sum(1 if any(a <= ord(c) <= b for a, b in light) else 2 for c in cluster)
    return total


class XApi(ContractServer):
    consumer_key, consumer_secret = "app-key-riverside-4f1c", "app-secret-riverside-9a7e20"
    token, token_secret = "1500000000000000001-access-token-c3d9", "access-secret-riverside-77b1"
    user_id, username, name = "1500000000000000001", "RiversideLibs", "Riverside Libraries"

    def clear(self):
        self.posts = []  # newest last
        self.media = {}  # id -> {"time", "type", "size", "alt"}
        self.ids = itertools.count(1800000000000000000)
        self.expired = False
        self.permissions = {"read", "write"}
        self.enrolled, self.credits = True, True
        self.calls = {}  # (method, route) -> [window start, count]

    # ---- test controls ------------------------------------------------------------------

    def expire_token(self):
        self.expired = True

    def remove_permission(self, name):
        """ "write": the app is Read only, so its tokens cannot post."""
        self.permissions.discard(name)

    def unenrol(self):
        """An app on no paid plan: X answers 403 client-not-enrolled."""
        self.enrolled = False

    def spend_credits(self):
        """A pay-per-use app with no credits left: X answers 402."""
        self.credits = False

    def published(self):
        return [
            {
                "id": p["id"],
                "text": p["text"],
                "sent_text": p["sent_text"],
                "link": p["entities"]["urls"][0]["expanded_url"] if p["entities"]["urls"] else "",
                "image": p["media"][0]["id"] if p["media"] else "",
                "alt": p["media"][0]["alt"] if p["media"] else "",
                "time": p["created_at"],
            }
            for p in reversed(self.posts)
        ]

    def add_post(self, text, when=None):
        """A post made some other way (by hand, another tool), `when` a datetime."""
        with self.lock:
            return self._store(text, [], when)

    # ---- the API --------------------------------------------------------------------------

    def handle(self, request):
        route = re.sub(r"^/2/users/\d+/tweets$", "/2/users/:id/tweets", request.path)
        key = (request.method, route)
        if key not in LIMITS:
            return self.problem(404, "Not Found Error", "resource-not-found", "No such endpoint.")
        refused = self._authorise(request, route)
        if refused:
            return refused
        limited = self._count(key)
        if limited:
            return limited
        with self.lock:
            if route == "/2/users/me":
                reply = self._me(request)
            elif route == "/2/users/:id/tweets":
                reply = self._timeline(request)
            elif route == "/2/tweets":
                reply = self._create(request)
            elif route == "/2/media/upload":
                reply = self._upload(request)
            else:
                reply = self._metadata(request)
        reply.headers.update(self._rate_headers(key))
        reply.headers["x-access-level"] = "read-write" if "write" in self.permissions else "read"
        return reply

    def _me(self, request):
        return Reply(
            200, {"data": {"id": self.user_id, "name": self.name, "username": self.username}}
        )

    def _timeline(self, request):
        """Newest first, at most max_results (5-100, default 10), from start_time on,
        the next page by pagination_token (https://docs.x.com/x-api/users/get-posts,
        https://docs.x.com/x-api/fundamentals/pagination)."""
        if request.path.split("/")[3] != self.user_id:
            return self.problem(401, "Unauthorized", None, "Unauthorized")
        try:
            size = int(request.query.get("max_results", 10))
            assert 5 <= size <= 100
            since = request.query.get("start_time")
            if since:
                since = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (ValueError, AssertionError):
            return self.invalid("max_results must be 5-100 and start_time YYYY-MM-DDTHH:mm:ssZ")
        fields = set(filter(None, request.query.get("tweet.fields", "").split(",")))
        posts = [p for p in reversed(self.posts) if not since or _time(p) >= since]
        start = int(request.query.get("pagination_token") or 0)
        page = posts[start : start + size]
        data = []
        for post in page:
            item = {"id": post["id"], "text": post["text"], "edit_history_tweet_ids": [post["id"]]}
            if "created_at" in fields:
                item["created_at"] = post["created_at"]
            if "entities" in fields and post["entities"]["urls"]:
                item["entities"] = post["entities"]
            data.append(item)
        meta = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        if start + size < len(posts):
            meta["next_token"] = str(start + size)
        return Reply(200, {"data": data, "meta": meta} if data else {"meta": meta})

    def _create(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text", "")
        ids = (body.get("media") or {}).get("media_ids") or []
        if not text and not ids:
            return self.invalid("text or media is required")
        if weighted_length(text) > 280:
            return self.invalid("Your Tweet text is too long.")
        for media_id in ids:
            media = self.media.get(str(media_id))
            if not media or self.now() - media["time"] > MEDIA_EXPIRES:
                return self.invalid("Your media IDs are invalid.")
        if any(p["sent_text"] == text for p in self.posts):
            # The answer X gives a text the account already posted (403, about:blank).
            return self.problem(
                403,
                "Forbidden",
                None,
                "You are not allowed to create a Tweet with duplicate content.",
            )
        post = self._store(text, [str(i) for i in ids])
        return Reply(
            201,
            {
                "data": {
                    "id": post["id"],
                    "text": post["text"],
                    "edit_history_tweet_ids": [post["id"]],
                }
            },
        )

    def _store(self, text, media_ids, when=None):
        """A post as X keeps it: every link shortened to t.co in the text, the address in
        entities.urls (https://docs.x.com/x-api/fundamentals/data-dictionary/reference)."""
        post_id = str(next(self.ids))
        urls, shown = [], text
        for n, match in enumerate(re.finditer(r"https?://\S+", text)):
            short = f"https://t.co/{post_id[-6:]}{n}"
            shown = shown.replace(match.group(0), short, 1)
            urls.append(
                {
                    "url": short,
                    "expanded_url": match.group(0),
                    "display_url": match.group(0).split("://", 1)[1][:26],
                }
            )
        for url in urls:
            url["start"] = shown.index(url["url"])
            url["end"] = url["start"] + len(url["url"])
        when = when or datetime.fromtimestamp(self.now(), UTC)
        post = {
            "id": post_id,
            "text": shown,
            "sent_text": text,
            "entities": {"urls": urls},
            "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "media": [{"id": i, "alt": self.media[i]["alt"]} for i in media_ids],
        }
        self.posts.append(post)
        self.posts.sort(key=_time)
        return post

    def _upload(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("media_category") != "tweet_image":
            return self.invalid("media_category must be one of tweet_image, dm_image, subtitles")
        mime = body.get("media_type", "image/jpeg")
        try:
            data = base64.b64decode(body.get("media", ""), validate=True)
        except ValueError:
            return self.invalid("media must be the file, base64-encoded")
        if mime not in MEDIA_TYPES or not data.startswith(MAGIC.get(mime, b"")) or not data:
            return self.invalid(f"media is not a valid {mime}")
        if len(data) > IMAGE_BYTES:
            return self.invalid("File size exceeds 5242880 bytes.")
        media_id = str(next(self.ids))
        self.media[media_id] = {"time": self.now(), "type": mime, "size": len(data), "alt": ""}
        return Reply(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": MEDIA_EXPIRES,
                }
            },
        )

    def _metadata(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        media = self.media.get(str(body.get("id")))
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if media is None:
            return self.invalid("id is not an uploaded media id")
        if not isinstance(alt, str) or len(alt) > ALT_MAX:
            return self.invalid(f"alt_text.text must be at most {ALT_MAX} characters")
        media["alt"] = alt
        return Reply(
            200, {"data": {"id": body["id"], "associated_metadata": {"alt_text": {"text": alt}}}}
        )

    # ---- authorisation, limits, errors -------------------------------------------------

    def _authorise(self, request, route):
        header = request.header("Authorization", "")
        params = dict(signature.collect_parameters(headers={"Authorization": header}))
        query = urllib.parse.urlencode(request.query)
        if (
            not header.startswith("OAuth ")
            or params.get("oauth_consumer_key") != self.consumer_key
            or params.get("oauth_token") != self.token
            or params.get("oauth_signature_method") != "HMAC-SHA1"
            or not self._signed(request, header, query)
            or self.expired
        ):
            return self.problem(401, "Unauthorized", None, "Unauthorized")
        if not self.enrolled:
            # https://docs.x.com/x-api/fundamentals/response-codes-and-errors: client-forbidden
            reply = self.problem(
                403,
                "Client Forbidden",
                "client-forbidden",
                "When authenticating requests to the Twitter API v2 endpoints, you must use "
                "keys and tokens from a Twitter developer App that is attached to a Project.",
            )
            reply.body.update(
                reason="client-not-enrolled", required_enrollment="Appropriate Level of API Access"
            )
            return reply
        writes = request.method == "POST"
        if writes and not self.credits:
            # Pay-per-use with no credits left (https://docs.x.com/x-api/getting-started/pricing);
            # the body's wording is not documented: this is its shape.
            return self.problem(
                402,
                "CreditsDepleted",
                "credits",
                "Your enrolled account does not have any credits.",
            )
        if writes and "write" not in self.permissions:
            return self.problem(
                403,
                "Forbidden",
                "oauth1-permissions",
                "Your client app is not configured with the appropriate oauth1 app "
                "permissions for this endpoint.",
            )
        return None

    def _signed(self, request, header, query):
        """The HMAC-SHA1 signature of the request as received: its method, this server's
        own address and path, the query and oauth_* parameters (a JSON body is not signed)."""
        params = signature.collect_parameters(
            uri_query=query, headers={"Authorization": header}, with_realm=False
        )
        base = signature.signature_base_string(
            request.method,
            signature.base_string_uri(self.url + request.path),
            signature.normalize_parameters(params),
        )
        key = f"{quote(self.consumer_secret, safe='')}&{quote(self.token_secret, safe='')}"
        digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        expected = base64.b64encode(digest).decode()
        given = dict(
            signature.collect_parameters(
                headers={"Authorization": header}, exclude_oauth_signature=False
            )
        ).get("oauth_signature")
        return given == expected

    def _count(self, key):
        with self.lock:
            start, used = self.calls.get(key, (self.now(), 0))
            if self.now() - start >= WINDOW:
                start, used = self.now(), 0
            self.calls[key] = (start, used + 1)
        if used + 1 > LIMITS[key]:
            return self.error_reply(429, {"headers": self._rate_headers(key)})
        return None

    def _rate_headers(self, key):
        start, used = self.calls.get(key, (self.now(), 0))
        return {
            "x-rate-limit-limit": str(LIMITS[key]),
            "x-rate-limit-remaining": str(max(0, LIMITS[key] - used)),
            "x-rate-limit-reset": str(int(start + WINDOW)),
        }

    def problem(self, status, title, kind, detail):
        return Reply(
            status,
            {
                "title": title,
                "detail": detail,
                "type": PROBLEMS + kind if kind else "about:blank",
                "status": status,
            },
        )

    def invalid(self, message):
        reply = self.problem(
            400,
            "Invalid Request",
            "invalid-request",
            "One or more parameters to your request was invalid.",
        )
        reply.body["errors"] = [{"message": message}]
        return reply

    def error_reply(self, status, effect):
        if status == 429:
            # https://docs.x.com/x-api/fundamentals/rate-limits: "Handling rate limits"
            body = {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
                "errors": [{"code": 88, "message": "Rate limit exceeded"}],
            }
            headers = {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(self.now()) + 1),
            }
        elif status >= 500:
            body = {
                "title": "Internal Server Error",
                "detail": "Internal Server Error",
                "type": "about:blank",
                "status": status,
            }
            headers = {}
        else:
            body = self.problem(status, "Forbidden" if status == 403 else "Error", None, "").body
            headers = {}
        body.update(effect.get("error") or {})
        return Reply(status, body, {**headers, **(effect.get("headers") or {})})


def _time(post):
    return datetime.strptime(post["created_at"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
