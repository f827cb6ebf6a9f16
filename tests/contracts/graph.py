"""What the three Meta Graph APIs (Facebook Pages, Instagram, Threads) share: tokens and
permissions, the error body, rate-limit headers, `fields=` parsing, cursor pagination and
fetching an image the way Meta does (from a public URL). Each API's own rules live in
meta.py, one class each.
"""

import base64
import io
import json
import re
import urllib.parse
from pathlib import Path

import requests
from PIL import Image

from .base import ContractServer, Reply

# https://developers.facebook.com/docs/graph-api/guides/error-handling
# "Error Responses": {"error": {"message", "type", "code", "error_subcode", "error_user_title",
# "error_user_msg", "fbtrace_id"}}.
ERROR_DOC = "https://developers.facebook.com/docs/graph-api/guides/error-handling"
# https://developers.facebook.com/docs/graph-api/overview/rate-limiting: codes 4 (app),
# 17 (user), 32 (Pages), 613 (custom) and the X-App-Usage / X-Business-Use-Case-Usage headers.
RATE_LIMIT_CODES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
VERSION = re.compile(r"^/v\d+\.\d+(?=/|$)")


class GraphError(Exception):
    """An error answer in the Graph shape; raised inside a handler."""

    def __init__(self, code, message, subcode=None, status=400, type_="OAuthException", **extra):
        super().__init__(message)
        self.status, self.headers = status, extra.pop("headers", {})
        self.error = {"message": message, "type": type_, "code": code}
        if subcode is not None:
            self.error["error_subcode"] = subcode
        self.error.update(extra)


def split_fields(spec: str) -> dict:
    """`id,message,attachments{unshimmed_url,url}` -> {"id": None, "message": None,
    "attachments": {"unshimmed_url": None, "url": None}} (nested fields in braces, as in
    https://developers.facebook.com/docs/graph-api/guides/field-expansion)."""
    fields, depth, start = {}, 0, 0
    parts = []
    for i, ch in enumerate(spec + ","):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(spec[start:i].strip())
            start = i + 1
    for part in filter(None, parts):
        if "{" in part:
            name, inner = part.split("{", 1)
            fields[name.strip()] = split_fields(inner.rsplit("}", 1)[0])
        else:
            fields[part] = None
    return fields


def modifiers(name: str) -> tuple[str, dict]:
    """`reactions.summary(total_count).limit(0)` -> ("reactions", {"summary": "total_count",
    "limit": "0"}): an edge asked for inside `fields=` with its parameters as modifiers
    (https://developers.facebook.com/docs/graph-api/guides/field-expansion)."""
    base, *rest = re.findall(r"[^.()]+(?:\([^)]*\))?", name)
    mods = {}
    for part in rest:
        key, _, arg = part.partition("(")
        mods[key] = arg.rstrip(")")
    return base, mods


def insights_reply(node_id, values: dict, titles=None) -> dict:
    """The insights answer shape shared by the Page, Threads and Instagram media
    insights: {"data": [{"name", "period": "lifetime", "values": [{"value"}], "title",
    "description", "id": "<node>/insights/<name>/lifetime"}]}."""
    titles = titles or {}
    return {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value}],
                "title": titles.get(name, name.replace("_", " ").capitalize()),
                "description": f"Lifetime: {titles.get(name, name)}",
                "id": f"{node_id}/insights/{name}/lifetime",
            }
            for name, value in values.items()
        ]
    }


def wanted_metrics(request, known) -> list:
    """`metric=` as a list; a missing or unknown metric is error 100 (invalid parameter,
    as https://developers.facebook.com/docs/graph-api/guides/error-handling lists it)."""
    names = [m.strip() for m in request.params.get("metric", "").split(",") if m.strip()]
    if not names:
        raise GraphError(100, "(#100) The parameter metric is required")
    for name in names:
        if name not in known:
            raise GraphError(
                100, f"(#100) The value must be a valid insights metric: {name} is not one of "
                f"{', '.join(sorted(known))}",
            )  # fmt: skip
    return names


class GraphServer(ContractServer):
    """Plumbing of a Graph-style API. Subclasses set `PERMISSIONS` (what `.token` grants),
    `PREFIX` (for ids and tokens) and implement `route(request, segments)`."""

    PERMISSIONS: tuple = ()
    TOKEN: str = "token"
    NAME = "graph"

    def __init__(self):
        self.sites = {}  # siteurl -> folder, see serve_site
        super().__init__()

    # ---- state --------------------------------------------------------------------------

    def clear(self):
        self.token = self.TOKEN
        self.permissions = set(self.PERMISSIONS)
        self.token_error = None  # (subcode, message) once expired/invalidated
        self.throttled = None  # (code, until) while rate-limited
        self.usage = 1  # percent reported in the usage headers
        self.next_id = 1
        self.fbtrace = 0

    def new_id(self, prefix=""):
        value = f"{prefix}{self.next_id:06d}"
        self.next_id += 1
        return value

    def expire_token(self, subcode=463):
        """190 with subcode 463 (expired), 460 (password changed) or 467 (invalid), as
        https://developers.facebook.com/docs/graph-api/guides/error-handling lists them."""
        messages = {
            463: "Error validating access token: Session has expired on Tuesday, 10-Feb-26 "
            "10:00:00 PST. The current time is Wednesday, 11-Feb-26 10:00:00 PST.",
            460: "Error validating access token: The session has been invalidated because the "
            "user changed their password or Facebook has changed the session for security "
            "reasons.",
            467: "Error validating access token: The access token is invalid.",
        }
        self.token_error = (subcode, messages[subcode])

    def remove_permission(self, name):
        self.permissions.discard(name)

    def throttle(self, code=4, seconds=300):
        """Answer every call with rate-limit error `code` for `seconds` (server clock)."""
        self.throttled = (code, self.now() + seconds)

    def serve_site(self, siteurl, folder):
        """URLs under `siteurl` are read from `folder`, as if fetched from the live site."""
        self.sites[siteurl.rstrip("/") + "/"] = Path(folder)

    # ---- answers ------------------------------------------------------------------------

    def trace(self):
        self.fbtrace += 1
        return f"A{self.NAME[:2].upper()}trace{self.fbtrace:05d}"

    def usage_headers(self, regain_minutes=0):
        """https://developers.facebook.com/docs/graph-api/overview/rate-limiting: X-App-Usage
        {call_count, total_cputime, total_time} in percent; X-Business-Use-Case-Usage
        {business-id: [{type, call_count, total_cputime, total_time,
        estimated_time_to_regain_access (minutes)}]}."""
        pct = 100 if regain_minutes else self.usage
        app = {"call_count": pct, "total_cputime": max(1, pct // 2), "total_time": pct}
        buc = {
            self.business_id(): [
                {
                    "type": self.BUC_TYPE,
                    "call_count": pct,
                    "total_cputime": max(1, pct // 2),
                    "total_time": pct,
                    "estimated_time_to_regain_access": regain_minutes,
                }
            ]
        }
        return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(buc)}

    BUC_TYPE = "pages"

    def business_id(self):
        return "1000000000"

    def graph_error(self, status, error, headers=None):
        body = {"type": "OAuthException", **error, "fbtrace_id": self.trace()}
        all_headers = dict(headers or {})
        code = body.get("code")
        if code in RATE_LIMIT_CODES and not any(
            k.lower() in ("x-app-usage", "x-business-use-case-usage") for k in all_headers
        ):
            all_headers.update(self.usage_headers(regain_minutes=5))
        if code == 190:
            # Graph names the failed token check in WWW-Authenticate, as OAuth 2 does.
            all_headers.setdefault(
                "WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{body["message"]}"'
            )
        return Reply(status, {"error": body}, all_headers)

    def error_reply(self, status, effect):
        if "error" in effect:
            error = {"message": "An error occurred", "code": 1, **effect["error"]}
        elif status == 429:
            error = {"message": RATE_LIMIT_CODES[4], "code": 4, "is_transient": True}
        else:
            # Codes 1 and 2: "temporary issue due to downtime. Wait and retry" (ERROR_DOC).
            error = {
                "message": "An unexpected error has occurred. Please retry your request later.",
                "code": 2,
                "is_transient": True,
            }
        return self.graph_error(status, error, effect.get("headers"))

    # ---- request plumbing ---------------------------------------------------------------

    def access_token(self, request):
        """access_token as a parameter, or `Authorization: Bearer|OAuth <token>`
        (https://developers.facebook.com/docs/facebook-login/guides/access-tokens)."""
        header = request.header("Authorization", "")
        match = re.match(r"(?i)(bearer|oauth)\s+(\S+)", header)
        return request.params.get("access_token") or (match and match.group(2))

    def check_token(self, request):
        token = self.access_token(request)
        if not token:
            # Code 104 is what Graph answers when no token is sent at all.
            raise GraphError(104, "An access token is required to request this resource.")
        if token != self.token:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_error:
            subcode, message = self.token_error
            raise GraphError(190, message, subcode)

    def require(self, code, *permissions, message=None):
        """Code 10 (permission denied) or 200-299 (permission missing) per ERROR_DOC."""
        missing = [p for p in permissions if p not in self.permissions]
        if missing:
            raise GraphError(
                code, message or f"(#{code}) This endpoint requires the '{missing[0]}' permission."
            )

    def handle(self, request):
        path = VERSION.sub("", request.path) or "/"
        segments = [urllib.parse.unquote(s) for s in path.strip("/").split("/") if s]
        try:
            with self.lock:
                if self.throttled and self.now() < self.throttled[1]:
                    code, until = self.throttled
                    minutes = max(1, int((until - self.now() + 59) // 60))
                    raise GraphError(
                        code,
                        RATE_LIMIT_CODES[code],
                        is_transient=True,
                        headers=self.usage_headers(regain_minutes=minutes),
                    )
                reply = self.route(request, segments)
                reply.headers = {**self.usage_headers(), **reply.headers}
                return reply
        except GraphError as e:
            return self.graph_error(e.status, e.error, e.headers)

    def route(self, request, segments) -> Reply:
        raise NotImplementedError

    def unsupported(self, request, segments):
        """Graph's answer for an id or edge that does not exist (ERROR_DOC code 100)."""
        obj = segments[0] if segments else ""
        raise GraphError(
            100,
            f"Unsupported {request.method.lower()} request. Object with ID '{obj}' does not "
            "exist, cannot be loaded due to missing permissions, or does not support this "
            "operation.",
            33,
            type_="GraphMethodException",
        )

    def pick(self, node: dict, fields: dict, node_type: str, default=("id",)):
        """Only the fields asked for (default `id`), and always the node's `id` as Graph
        does (e.g. the IG container sample {"status_code": "FINISHED", "id": ...}); an
        unknown field is Graph error 100."""
        wanted = dict(fields or dict.fromkeys(default))
        if "id" in node:
            wanted.setdefault("id", None)
        out = {}
        for name, sub in wanted.items():
            if name not in node:
                raise GraphError(
                    100, f"(#100) Tried accessing nonexisting field ({name}) on node type "
                    f"({node_type})"
                )  # fmt: skip
            value = node[name]
            if value is None:
                continue
            if sub and isinstance(value, dict) and isinstance(value.get("data"), list):
                value = {"data": [{k: v for k, v in d.items() if k in sub} for d in value["data"]]}
            out[name] = value
        return out

    def page_of(self, request, items, render=dict, limit_default=25, limit_max=100):
        """Cursor pagination: {"data": [...], "paging": {"cursors": {"before", "after"},
        "next", "previous"}} (https://developers.facebook.com/docs/graph-api/results).
        `items` carry their "id" (the cursor); `render` makes each one's answer."""
        try:
            limit = min(int(request.params.get("limit", limit_default)), limit_max)
        except ValueError as e:
            raise GraphError(100, "(#100) Param limit must be a number") from e
        ids = [item["id"] for item in items]
        start = 0
        if after := request.params.get("after"):
            cursor = self.decode_cursor(after)
            start = ids.index(cursor) + 1 if cursor in ids else len(ids)
        elif before := request.params.get("before"):
            cursor = self.decode_cursor(before)
            end = ids.index(cursor) if cursor in ids else 0
            start = max(0, end - limit)
        chunk = items[start : start + limit]
        body = {"data": [render(item) for item in chunk]}
        if chunk:
            cursors = {
                "before": self.encode_cursor(chunk[0]["id"]),
                "after": self.encode_cursor(chunk[-1]["id"]),
            }
            body["paging"] = {"cursors": cursors}
            base = f"{self.url}{request.path}"
            keep = {k: v for k, v in request.query.items() if k not in ("after", "before")}
            if start + limit < len(items):
                query = urllib.parse.urlencode({**keep, "after": cursors["after"]})
                body["paging"]["next"] = f"{base}?{query}"
            if start > 0:
                query = urllib.parse.urlencode({**keep, "before": cursors["before"]})
                body["paging"]["previous"] = f"{base}?{query}"
        return body

    @staticmethod
    def encode_cursor(item_id):
        return base64.urlsafe_b64encode(item_id.encode()).decode().rstrip("=")

    @staticmethod
    def decode_cursor(cursor):
        try:
            return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        except ValueError as e:
            raise GraphError(100, "(#100) Invalid cursor") from e

    @staticmethod
    def unix_param(request, name):
        value = request.params.get(name)
        if value in (None, ""):
            return None
        try:
            return float(value)
        except ValueError as e:
            raise GraphError(100, f"(#100) Param {name} must be a unix timestamp") from e

    # ---- images, fetched by Meta from a public URL --------------------------------------

    def fetch(self, url):
        """The bytes behind `url`, or None when Meta could not download it: under a served
        site read from its folder; on 127.0.0.1 really fetched; anything else unreachable."""
        for siteurl, folder in self.sites.items():
            if url.startswith(siteurl):
                rel = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
                rel = rel[len(urllib.parse.urlsplit(siteurl).path) :]
                path = (folder / rel).resolve()
                if folder.resolve() in path.parents and path.is_file():
                    return path.read_bytes()
                return None
        host = urllib.parse.urlsplit(url).hostname
        if host in ("127.0.0.1", "localhost"):
            try:
                r = requests.get(url, timeout=5)
            except requests.RequestException:
                return None
            return r.content if r.status_code == 200 else None
        return None


def inspect_image(data: bytes):
    """(format, width, height) of image bytes, or None if Pillow cannot read them."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.format, im.width, im.height
    except Exception:
        return None
