"""Webhooks: a JSON POST, with presets for Discord, Slack and Microsoft Teams. No
announcement can ping a whole channel: mentions are switched off or escaped."""

import requests

from ..config import PRESETS
from ..errors import NetworkError, OutcomeUnknown, RateLimited, Rejected, ServerError, Unauthorized
from .base import Account, Channel, Receipt

LIMITS = {"discord": 2000, "slack": 3000, "teams": 20000, "json": None}


def slack_text(text: str) -> str:
    """Slack reads &, < and > as control characters (`<!channel>` pings everyone): send
    them as entities, and only them.
    https://api.slack.com/reference/surfaces/formatting#escaping"""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(preset: str, message, post) -> dict:
    """The request body each service expects."""
    card = message.card
    if preset == "discord":
        # allowed_mentions with no types: @everyone, @here, <@id> and <@&role> ping no one.
        # https://discord.com/developers/docs/resources/message#allowed-mentions-object
        embed = {
            "title": card["title"][:256],
            "url": post.url,
            "description": card["description"][:4096],
        }
        if message.image:
            embed["image"] = {"url": post.image_url}
        return {"content": message.text, "embeds": [embed], "allowed_mentions": {"parse": []}}
    if preset == "slack":
        return {"text": slack_text(message.text), "unfurl_links": True}
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
    choices = {"PRESET": PRESETS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preset = self.config.env(self.environ, "PRESET").lower()
        self.preset = self.config.options.get("preset") or (preset if preset in LIMITS else "json")
        self.limit = LIMITS[self.preset]

    def validate(self):
        self.preset = self.config.options.get("preset") or self.choice("PRESET", "json")
        self.limit = LIMITS[self.preset]
        self.url = self.address("URL")

    def template(self):
        return self.config.template or "{title}\n\n{summary}\n\n{url}"

    def check(self):
        # A webhook has no way to look without posting: say what is set.
        host = self.url.split("//", 1)[-1].split("/", 1)[0]
        return Account(
            f"a {self.preset} webhook on {host}",
            ["a webhook cannot be checked without posting: `make announce-preview` shows "
             "what it would get"],
        )  # fmt: skip

    def send(self, message, post, media):
        url = self.url
        if self.preset == "discord":
            url += ("&" if "?" in url else "?") + "wait=true"  # answers with the message id
        try:
            response = requests.post(
                url,
                json=payload(self.preset, message, post),
                timeout=self.settings.timeout,
                headers={"User-Agent": "Noticeboard announce"},
                allow_redirects=False,  # a moved webhook is a setting to fix, not to follow
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
        if status >= 300:
            raise Rejected(
                f"{self.name}: the webhook refused the post ({status}). Fix: check "
                f"{self.config.env_prefix}_URL and {self.config.env_prefix}_PRESET in .env."
            )
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
