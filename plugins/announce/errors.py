"""What can go wrong when sending, by what it means for trying again."""


class AnnounceError(Exception):
    """Base of every announce error. Messages never contain secrets."""


class RetryableError(AnnounceError):
    """The network said "not now" (5xx, 429, connection refused): safe to try again.

    `retry_after` is the wait in seconds the server asked for, if it said.
    """

    def __init__(self, message, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryableError):
    """429 Too Many Requests."""


class ServerError(RetryableError):
    """5xx: the server failed; the post was not made."""


class TryLater(RetryableError):
    """The server said "not now" in its own words (an SMTP 4xx: greylisting)."""


class NetworkError(RetryableError):
    """The request never reached the server (refused, DNS, connect timeout)."""


class OutcomeUnknown(AnnounceError):
    """The request may have been made but no answer came (read timeout, dropped
    connection). Only a channel that can look for the post may try again."""


class LookedTooFar(AnnounceError):
    """Looking for an earlier post went further back than allowed: not sent, so that
    a post never goes out twice because we gave up looking."""


class PermanentError(AnnounceError):
    """Trying again will not help until something is fixed (see the message)."""


class Unauthorized(PermanentError):
    """401/403: the token or password in .env is wrong, expired or lacks a scope."""


class Rejected(PermanentError):
    """4xx: the network refused this post (the message says why)."""


class NotConfigured(PermanentError):
    """A channel's .env keys are missing or malformed."""


class NotSendable(PermanentError):
    """Found before sending: the post cannot go out as it is (too long, an image the
    network does not take). Nothing was sent; the message says how to fix the post."""
