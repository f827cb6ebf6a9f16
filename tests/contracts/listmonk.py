"""listmonk's campaign API as its documentation describes it, for the newsletter tests.

- Auth and answers: https://listmonk.app/docs/apis/apis/ — BasicAuth, or the header
  "Authorization: token api_user:token"; a success is {"data": ...}, a failure
  {"message": "..."} with the 4xx/5xx status ("403: Session expired or invalidate").
- Campaigns: https://listmonk.app/docs/apis/campaigns/
  GET /api/campaigns (query, order_by, order, page, per_page; answer data.results,
  query, total, page, per_page), POST /api/campaigns (name, subject, lists, type and
  content_type required; a new campaign is a draft; send_at must be in the future, as
  the source's validateCampaignFields checks), PUT /api/campaigns/{id}/status with the
  transitions its "Note" lists: only a draft can be scheduled, only a paused or draft
  campaign can start (running), only a running one can be paused or cancelled, only a
  scheduled one can go back to draft.
"""

import base64
import itertools
import re
from datetime import UTC, datetime

from .base import ContractServer, Reply

TYPES = ("regular", "optin")
CONTENT_TYPES = ("richtext", "html", "markdown", "plain")
# "Note" under PUT /api/campaigns/{campaign_id}/status: new status -> from which.
TRANSITIONS = {
    "scheduled": {"draft"},
    "running": {"paused", "draft"},
    "paused": {"running"},
    "cancelled": {"running"},
    "draft": {"scheduled"},
}


class Listmonk(ContractServer):
    def __init__(self, user="noticeboard-api", token="lm-token-5b1d9e0c7f3a"):
        self.user, self.token = user, token
        super().__init__()

    def clear(self):
        self.campaigns = {}  # id -> campaign
        self.lists = {1: "Newsletter", 2: "Events and activities"}
        self.ids = itertools.count(1)

    def error_reply(self, status, effect):
        message = (effect.get("error") or {}).get("message", "Something unexpected went wrong")
        return Reply(status, {"message": message}, effect.get("headers", {}))

    def _authorised(self, request) -> bool:
        header = request.header("authorization", "")
        if header.startswith("token "):
            return header[6:] == f"{self.user}:{self.token}"
        if header.startswith("Basic "):
            given = base64.b64decode(header[6:]).decode("utf-8", "replace")
            return given == f"{self.user}:{self.token}"
        return False

    def handle(self, request):
        if not self._authorised(request):
            return Reply(403, {"message": "Invalid session"})
        path, method = request.path, request.method
        if path == "/api/campaigns" and method == "GET":
            return self._list(request)
        if path == "/api/campaigns" and method == "POST":
            return self._create(request.json if isinstance(request.json, dict) else {})
        found = re.fullmatch(r"/api/campaigns/(\d+)/status", path)
        if found and method == "PUT":
            return self._status(int(found.group(1)), request.json or {})
        found = re.fullmatch(r"/api/campaigns/(\d+)", path)
        if found and method == "GET":
            campaign = self.campaigns.get(int(found.group(1)))
            if not campaign:
                return Reply(404, {"message": "Campaign not found."})
            return Reply(200, {"data": campaign})
        return Reply(405 if path.startswith("/api/campaigns") else 404, {"message": "Not found"})

    def _list(self, request):
        query = request.query.get("query", "").strip().lower()
        found = [
            c for c in self.campaigns.values()
            if not query or query in c["name"].lower() or query in c["subject"].lower()
        ]  # fmt: skip
        if request.query.get("order", "").upper() == "DESC":
            found.reverse()
        per_page = request.query.get("per_page", "20")
        limit = len(found) if per_page == "all" else int(per_page)
        results = [dict(c) for c in found[:limit]]
        if request.query.get("no_body") == "true":
            for c in results:
                c["body"] = ""
        data = {"results": results, "query": query, "total": len(found), "page": 1,
                "per_page": limit}  # fmt: skip
        return Reply(200, {"data": data})

    def _create(self, body):
        # POST /api/campaigns's parameter table, required ones first.
        name, subject = body.get("name"), body.get("subject")
        if not isinstance(name, str) or not name.strip():
            return Reply(400, {"message": "invalid length for name"})
        if not isinstance(subject, str) or not subject.strip():
            return Reply(400, {"message": "invalid length for subject"})
        lists = body.get("lists")
        if not isinstance(lists, list) or not lists:
            return Reply(400, {"message": "invalid list IDs"})
        kind = body.get("type") or "regular"
        content = body.get("content_type") or "richtext"
        if kind not in TYPES or content not in CONTENT_TYPES:
            return Reply(400, {"message": "invalid type or content_type"})
        send_at = body.get("send_at")
        if send_at:
            try:
                when = datetime.fromisoformat(send_at)
            except ValueError:
                return Reply(400, {"message": "invalid send_at"})
            if when.tzinfo is None or when <= datetime.now(UTC):
                return Reply(400, {"message": "send_at date should be in the future"})
        now = datetime.now(UTC).isoformat()
        number = next(self.ids)
        campaign = {
            "id": number, "created_at": now, "updated_at": now, "views": 0, "clicks": 0,
            "lists": [{"id": i, "name": self.lists.get(i, "")} for i in lists],
            "started_at": None, "to_send": 0, "sent": 0, "uuid": f"uuid-{number}",
            "type": kind, "name": name, "subject": subject,
            "from_email": body.get("from_email") or "listmonk <noreply@listmonk.example>",
            "body": body.get("body", ""), "altbody": body.get("altbody"), "send_at": send_at,
            "status": "draft", "content_type": content, "tags": body.get("tags") or [],
            "template_id": body.get("template_id") or 1,
            "messenger": body.get("messenger") or "email",
        }  # fmt: skip
        self.campaigns[number] = campaign
        return Reply(200, {"data": campaign})

    def _status(self, number, body):
        campaign = self.campaigns.get(number)
        if not campaign:
            return Reply(404, {"message": "Campaign not found."})
        wanted = body.get("status")
        if wanted not in TRANSITIONS or campaign["status"] not in TRANSITIONS[wanted]:
            return Reply(400, {"message": f"can't change status from {campaign['status']}"})
        if wanted == "scheduled" and not campaign["send_at"]:
            return Reply(400, {"message": "send_at date should be set to schedule"})
        campaign["status"] = wanted
        if wanted == "running":
            campaign["started_at"] = datetime.now(UTC).isoformat()
        return Reply(200, {"data": campaign})
