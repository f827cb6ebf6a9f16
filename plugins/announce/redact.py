"""Keeping secrets out of every log line, message and exception text."""

import logging

MASK = "[redacted]"


class Redactor(logging.Filter):
    """Replaces every known secret value in text; as a logging filter, in records."""

    def __init__(self, secrets=()):
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def text(self, value) -> str:
        text = str(value)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self.text(record.getMessage())
            record.args = ()
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self.text(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True

    def install(self):
        """On the root logger and its handlers, so library loggers are covered too."""
        root = logging.getLogger()
        root.addFilter(self)
        for handler in root.handlers:
            handler.addFilter(self)
        for name in ("urllib3", "requests", "httpx", "mastodon", "atproto"):
            logging.getLogger(name).addFilter(self)
