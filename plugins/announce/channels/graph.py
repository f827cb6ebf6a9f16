"""A thin client for Meta's Graph APIs (a Facebook Page, Instagram, Threads): only the
documented endpoints the channels call, and the Graph's errors as the announcer's.

Errors: https://developers.facebook.com/docs/graph-api/guides/error-handling
Rate limits: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
"""

import json
import logging
import time

import requests

from ..errors import (
    AnnounceError,
    NetworkError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    ServerError,
    Unauthorized,
)

# Error codes (error-handling page): 190 the token is invalid or expired; 10 and
# 200-299 a permission is missing; 4, 17, 32, 613 and 80001-80014 (business use case)
# are rate limits; 1 and 2 a temporary problem on Meta's side; 368 blocked as abusive;
# 506 a duplicate post.
TOKEN = 190
PERMISSION = {10, *range(200, 300)}
RATE_LIMITS = {4, 17, 32, 613, *range(80001, 80015)}
TEMPORARY = {1, 2, -1, -2}  # -1, -2: Instagram's "try again" (its error-codes table)
# Instagram's daily publishing limit: code 9, subcode 2207042 (error-codes table).
PUBLISHING_LIMIT = 9
DAY = 24 * 3600.0
BLOCKED = 368
DUPLICATE = 506
PAGE_CAP = 20  # pages of a paged edge read at most (pages(): listening)
UNKNOWN_WAIT = 3600.0  # a rate limit whose wait the headers do not say: the next run

logger = logging.getLogger(__name__)


class Duplicate(Rejected):
    """Meta refused the post as a copy of one the account just made (code 506)."""


class Graph:
    """`get(path, **params)` and `post(path, **params)` against `base_url` with the
    token. `fix_token` and `fix_permission` say how to fix those errors."""

    def __init__(self, name, base_url, token, timeout, fix_token, fix_permission):
        self.name, self.base_url = name, base_url.rstrip("/")
        self.token, self.timeout = token, timeout
        self.fix_token, self.fix_permission = fix_token, fix_permission
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "Noticeboard announce"

    def get(self, path, **params) -> dict:
        return self._request("GET", path, params)

    def post(self, path, **params) -> dict:
        return self._request("POST", path, params)

    def pages(self, path, max_pages=PAGE_CAP, **params):
        """Every item of a paged edge, page after page: the next page is asked for with
        `paging.cursors.after` while the answer has `paging.next`
        (https://developers.facebook.com/docs/graph-api/results), at most `max_pages`."""
        for _ in range(max_pages):
            found = self.get(path, **params)
            yield from found.get("data") or []
            paging = found.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not (paging.get("next") and after):
                return
            params = {**params, "after": after}
        logger.warning("%s: read only the first %d pages of %s", self.name, max_pages, path)

    def _request(self, method, path, params) -> dict:
        # The token goes in the query of a GET and the form body of a POST (both
        # documented); it is a secret, so no message below ever includes the URL.
        params = {k: v for k, v in params.items() if v is not None}
        params["access_token"] = self.token
        url = f"{self.base_url}/{path.lstrip('/')}"
        where = "params" if method == "GET" else "data"
        try:
            response = self.session.request(
                method, url, timeout=self.timeout, allow_redirects=False, **{where: params}
            )
        except requests.ConnectionError as err:
            if method == "GET" or _never_sent(err):
                raise NetworkError(f"{self.name}: could not reach {self._host()}") from None
            raise OutcomeUnknown(f"{self.name}: the connection dropped before an answer") from None
        except requests.Timeout:
            if method == "GET":
                raise NetworkError(f"{self.name}: no answer in {self.timeout:g} s") from None
            raise OutcomeUnknown(f"{self.name}: no answer in {self.timeout:g} s") from None
        return self._answer(response)

    def _host(self):
        return self.base_url.split("//", 1)[-1].split("/", 1)[0]

    def _answer(self, response) -> dict:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code < 400 and not error:
            if not isinstance(body, dict):
                raise ServerError(f"{self.name}: the answer was not JSON ({response.status_code})")
            return body
        raise self.error(response, error if isinstance(error, dict) else {})

    def error(self, response, error) -> AnnounceError:
        status = response.status_code
        code = _int(error.get("code"))
        subcode = _int(error.get("error_subcode"))
        text = " ".join(
            str(error.get("error_user_msg") or error.get("message") or f"HTTP {status}").split()
        )
        said = f"{self.name}: {text} (code {code}{f', subcode {subcode}' if subcode else ''})"
        if code in RATE_LIMITS or status == 429:
            return RateLimited(f"{said}: rate limited", retry_after=rate_wait(response.headers))
        if code == PUBLISHING_LIMIT:
            return RateLimited(f"{said}: the account's posts for today are used up", DAY)
        if code == TOKEN or status == 401:
            return Unauthorized(f"{said}. Fix: {self.fix_token}")
        if code in PERMISSION or status == 403:
            return Unauthorized(f"{said}. Fix: {self.fix_permission}")
        if code in TEMPORARY or error.get("is_transient") or status >= 500:
            return ServerError(said, retry_after=_retry_after(response.headers))
        if code == BLOCKED:
            return Rejected(
                f"{said}. Meta blocked the post as possibly abusive. Fix: look at the "
                "account's notifications, then `make announce-retry`."
            )
        if code == DUPLICATE:
            return Duplicate(said)
        return Rejected(said)


def rate_wait(headers) -> float:
    """Seconds until the rate limit lifts, as the usage headers estimate it (minutes in
    `estimated_time_to_regain_access`), else Retry-After, else an hour."""
    waits = []
    for name in ("X-Business-Use-Case-Usage", "X-Ad-Account-Usage", "X-App-Usage"):
        try:
            usage = json.loads(headers.get(name) or "null")
        except ValueError:
            continue
        waits += [minutes * 60.0 for minutes in _regain(usage) if minutes]
    if waits:
        return max(waits)
    retry = _retry_after(headers)
    return retry if retry is not None else UNKNOWN_WAIT


def _regain(usage):
    if isinstance(usage, dict):
        if "estimated_time_to_regain_access" in usage:
            yield _int(usage["estimated_time_to_regain_access"])
        for value in usage.values():
            if isinstance(value, dict | list):
                yield from _regain(value)
    elif isinstance(usage, list):
        for item in usage:
            yield from _regain(item)


def _retry_after(headers):
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None


def _never_sent(err) -> bool:
    text = str(err).lower()
    return isinstance(err, requests.ConnectTimeout) or "refused" in text or "resolve" in text


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def wait_for_container(read, name, deadline_s=60.0, interval=1.0, sleep=time.sleep):
    """Poll a container (Instagram, Threads) until Meta has fetched and checked its
    media: `read()` returns (status, detail). Returns the final status."""
    deadline = time.monotonic() + deadline_s
    while True:
        status, detail = read()
        if status != "IN_PROGRESS":
            return status, detail
        if time.monotonic() > deadline:
            raise ServerError(f"{name}: Meta is still processing the picture")
        sleep(interval)
