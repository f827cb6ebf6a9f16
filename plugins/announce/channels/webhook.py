"""Webhooks: a JSON POST, with presets for Discord, Slack and Microsoft Teams."""

import requests

from ..errors import NetworkError, OutcomeUnknown, RateLimited, Rejected, ServerError, Unauthorized
from .base import Channel, Receipt

LIMITS = {"discord": 2000, "slack": 3000, "teams": 20000, "json": None}


def payload(preset: str, message, post) -> dict:
    """The request body each service expects."""
    card = message.card
    if preset == "discord":
        embed = {
            "title": card["title"][:256],
            "url": post.url,
            "description": card["description"][:4096],
        }
        if message.image:
            embed["image"] = {"url": post.image_url}
        return {"content": message.text, "embeds": [embed], "allowed_mentions": {"parse": []}}
    if preset == "slack":
        return {"text": message.text, "unfurl_links": True}
    if preset == "teams":
        body = [
            {
                "type": "TextBlock",
                "text": card["title"],
                "weight": "Bolder",
                "wrap": True,
                "size": "Medium",
            },
            {"type": "TextBlock", "text": card["description"], "wrap": True},
        ]
        if message.image:
            body.append({"type": "Image", "url": post.image_url, "altText": message.image[1]})
        content = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": "Read the post", "url": post.url}],
        }
        return {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}
            ],
        }
    return {
        "id": post.id,
        "url": post.url,
        "title": post.title,
        "summary": post.summary,
        "text": message.text,
        "category": post.category,
        "tags": list(post.tags),
        "image": post.image_url if message.image else None,
        "image_alt": message.image[1] if message.image else None,
        "date": post.date,
    }


class WebhookChannel(Channel):
    kind = "webhook"
    keys = ("URL",)
    optional_keys = ("PRESET",)
    secret_keys = ("URL",)  # a webhook URL is a password: anyone with it can post
    can_find = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preset = (
            self.config.options.get("preset") or self.config.env(self.environ, "PRESET") or "json"
        ).lower()
        if self.preset not in LIMITS:
            self.preset = "json"
        self.limit = LIMITS[self.preset]

    def template(self):
        return self.config.template or "{title}\n\n{summary}\n\n{url}"

    def send(self, message, post):
        url = self.require("URL")
        if self.preset == "discord":
            url += ("&" if "?" in url else "?") + "wait=true"  # answers with the message id
        try:
            response = requests.post(
                url,
                json=payload(self.preset, message, post),
                timeout=self.settings.timeout,
                headers={"User-Agent": "Noticeboard announce"},
            )
        except requests.ConnectionError as err:
            if isinstance(err, requests.ConnectTimeout) or "refused" in str(err).lower():
                raise NetworkError(f"{self.name}: could not reach the webhook") from None
            raise OutcomeUnknown(f"{self.name}: the connection dropped") from None
        except requests.Timeout:
            raise OutcomeUnknown(f"{self.name}: no answer in {self.settings.timeout:g} s") from None
        status = response.status_code
        if status == 429:
            raise RateLimited(f"{self.name}: rate limited (429)", _retry_after(response))
        if status >= 500:
            raise ServerError(f"{self.name}: server error ({status})")
        if status in (401, 403, 404):
            raise Unauthorized(
                f"{self.name}: the webhook refused the request ({status}). Fix: check "
                f"{self.config.env_prefix}_URL in .env (the webhook may have been deleted)."
            )
        if status >= 400:
            raise Rejected(f"{self.name}: the webhook refused the post ({status})")
        remote_id = ""
        if "json" in response.headers.get("content-type", ""):
            try:
                remote_id = str(response.json().get("id", ""))
            except (ValueError, AttributeError):
                remote_id = ""
        return Receipt(remote_id or f"HTTP {status}")


def _retry_after(response):
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
