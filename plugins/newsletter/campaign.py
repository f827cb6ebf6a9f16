"""listmonk: the edition as a listmonk campaign, made once per edition through its API,
for a library whose subscribers live in listmonk (NEWSLETTER_SERVICE=listmonk).

listmonk's documentation, which this follows (and the contract server in the tests):
- Auth and responses: https://listmonk.app/docs/apis/apis/ ("Authorization: token
  api_user:token"; success is {"data": ...}; failure {"message": ...} with a 4xx/5xx).
- Campaigns: https://listmonk.app/docs/apis/campaigns/
  GET /api/campaigns (query, per_page, order_by, order; results in data.results),
  POST /api/campaigns (name, subject, lists, from_email, type "regular", content_type
  "html", body, altbody, send_at, template_id, tags; a new campaign is a draft),
  PUT /api/campaigns/{id}/status ("running" starts a draft; "scheduled" needs a
  send_at, and only a draft can be scheduled).

Exactly once: listmonk can be asked, so unlike SMTP every run first looks for the
edition's campaign by its name (noticeboard-newsletter-2026-12-07) before making one,
and a lost answer is never a second campaign. The ledger line names the campaign.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import requests
from announce.errors import (
    NetworkError,
    OutcomeUnknown,
    PermanentError,
    RateLimited,
    Rejected,
    RetryableError,
    ServerError,
    Unauthorized,
)

from . import ledger as states
from .parts import fill_unsubscribe

logger = logging.getLogger(__name__)

TARGET = "listmonk"  # the ledger's `to` for a campaign
TAGS = ["noticeboard", "newsletter"]


def campaign_name(edition: str) -> str:
    return f"noticeboard-newsletter-{edition}"


@dataclass
class CampaignOutcome:
    state: str  # sent (the campaign is made, and started if asked), pending, failed
    detail: str
    campaign: int | None = None


class ListmonkClient:
    def __init__(self, config, timeout: float, session=None):
        self.config, self.timeout = config, timeout
        self.session = session or requests.Session()
        # apis.md, "Authorization token example"
        self.session.headers["Authorization"] = f"token {config.user}:{config.token}"

    def call(self, method: str, path: str, *, json=None, params=None):
        url = f"{self.config.url}{path}"
        try:
            response = self.session.request(
                method, url, json=json, params=params, timeout=self.timeout
            )
        except requests.ConnectTimeout:
            raise NetworkError(f"listmonk: could not reach {self.config.url} (timeout)") from None
        except requests.ConnectionError as err:
            if method == "GET" or "Connection refused" in str(err):
                raise NetworkError(f"listmonk: could not reach {self.config.url}") from None
            raise OutcomeUnknown(f"listmonk: the connection to {self.config.url} dropped") from None
        except requests.Timeout:
            raise OutcomeUnknown(f"listmonk: {self.config.url} did not answer in time") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = body.get("message", "") if isinstance(body, dict) else ""
        status = response.status_code
        said = f"{status} {str(message)[:120]}".strip()
        # apis.md, "Common HTTP error codes"
        if status in (401, 403):
            raise Unauthorized(
                f"listmonk refused the API user ({said}). Fix: check LISTMONK_USER and "
                "LISTMONK_TOKEN, and that the user's role may manage campaigns (and the lists)."
            )
        if status == 429:
            raise RateLimited(f"listmonk: too many requests ({said})")
        if status >= 500:
            raise ServerError(f"listmonk: the server failed ({said})")
        if status >= 400:
            raise Rejected(f"listmonk refused {method} {path} ({said})")
        if not isinstance(body, dict) or "data" not in body:
            raise ServerError(f"listmonk: {method} {path} answered without data ({status})")
        return body["data"]

    def find(self, name: str) -> dict | None:
        """The campaign called `name`, if there is one (campaigns.md, GET /api/campaigns:
        `query` searches names and subjects, so the name is compared exactly here)."""
        params = {"query": name, "order_by": "created_at", "order": "DESC",
                  "per_page": 100, "no_body": "true"}  # fmt: skip
        data = self.call("GET", "/api/campaigns", params=params)
        results = data.get("results") or [] if isinstance(data, dict) else []
        return next((c for c in results if isinstance(c, dict) and c.get("name") == name), None)

    def create(self, payload: dict) -> dict:
        return self.call("POST", "/api/campaigns", json=payload)

    def set_status(self, campaign: int, status: str) -> dict:
        return self.call("PUT", f"/api/campaigns/{campaign}/status", json={"status": status})


def payload(edition, config, email_from: str, send_at: datetime | None) -> dict:
    """POST /api/campaigns's body (campaigns.md): the edition as an HTML campaign, its
    text as the alternative part. Each reader's footer has listmonk's own unsubscribe
    page (the template expression {{ UnsubscribeURL }}, templating.md)."""
    address = parseaddr(email_from)[1]
    mailto = f"mailto:{address}?subject=unsubscribe" if address else ""
    html, text = fill_unsubscribe(
        literal(edition.html), literal(edition.text), mailto, "{{ UnsubscribeURL }}"
    )
    body = {
        "name": campaign_name(edition.date.isoformat()),
        "subject": edition.subject,
        "lists": list(config.list_ids),
        "type": "regular",
        "content_type": "html",
        "body": html,
        "altbody": text,
        "messenger": "email",
        "tags": TAGS,
    }
    if email_from:
        body["from_email"] = email_from
    if config.template_id:
        body["template_id"] = config.template_id
    if send_at:
        body["send_at"] = send_at.isoformat(timespec="seconds")
    return body


def literal(text: str) -> str:
    """`text` as listmonk shows it: a campaign body is a Go template (campaigns.go,
    validateCampaignFields compiles it), so a "{{" of the edition's own is written as
    the template's way of printing "{{"."""
    return text.replace("{{", '{{ "{{" }}')


def start_time(config, edition, timezone: str, now: datetime) -> datetime | None:
    """LISTMONK_SEND=HH:MM: that time on the edition's day, in the site's time zone;
    None when it has passed (then it starts at once) or for draft and now."""
    if ":" not in config.send:
        return None
    hour, minute = (int(x) for x in config.send.split(":"))
    when = datetime.combine(edition.date, time(hour, minute), ZoneInfo(timezone))
    return when if when > now else None


def send_campaign(client, ledger, edition, config, email_from, timezone, now) -> CampaignOutcome:
    """Make the edition's campaign once, and start or schedule it as LISTMONK_SEND says."""
    name = edition.date.isoformat()
    status = ledger.status(name, TARGET)
    if status.state == states.SENT:
        number = status.line.get("campaign")
        return CampaignOutcome(states.SENT, f"made by an earlier run (campaign {number})", number)
    details = {"via": "listmonk", "lists": list(config.list_ids)}
    try:
        found = client.find(campaign_name(name))  # before every attempt: never two
    except (RetryableError, OutcomeUnknown) as err:
        return CampaignOutcome(states.PENDING, f"could not look for it first: {err}")
    except PermanentError as err:
        return CampaignOutcome(states.FAILED, str(err))
    send_at = start_time(config, edition, timezone, now)
    if found is None:
        claim = uuid.uuid4().hex[:12]
        ledger.record(name, TARGET, states.CLAIMED, claim=claim, **details)
        try:
            found = client.create(payload(edition, config, email_from, send_at))
        except (RetryableError, OutcomeUnknown) as err:  # the next run looks first
            ledger.record(name, TARGET, states.PENDING, claim=claim, reason=str(err), **details)
            return CampaignOutcome(states.PENDING, str(err))
        except PermanentError as err:
            ledger.record(name, TARGET, states.FAILED, claim=claim, reason=str(err), **details)
            return CampaignOutcome(states.FAILED, str(err))
        note = "made"
    else:
        claim, note = None, "found, made by an earlier run"
    number = found.get("id")
    wanted = {"draft": None, "now": "running"}.get(
        config.send, "scheduled" if send_at else "running"
    )
    current = found.get("status")
    if wanted and current == "draft":
        try:
            found = client.set_status(number, wanted)
        except (RetryableError, OutcomeUnknown, PermanentError) as err:
            reason = f"campaign {number} is made but could not be set {wanted}: {err}"
            ledger.record(name, TARGET, states.PENDING, claim=claim, campaign=number,
                          reason=reason, **details)  # fmt: skip
            state = states.FAILED if isinstance(err, Unauthorized) else states.PENDING
            return CampaignOutcome(state, reason, number)
    final = found.get("status", current)
    ledger.record(name, TARGET, states.SENT, claim=claim, campaign=number, status=final, **details)
    what = {"draft": "a draft: press Start in listmonk to send it", "running": "sending now",
            "scheduled": f"scheduled for {found.get('send_at') or send_at}"}  # fmt: skip
    return CampaignOutcome(
        states.SENT, f"{note}: campaign {number}, {what.get(final, final)}", number
    )
