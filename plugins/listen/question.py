"""Whether a reply asks the library something, so questions come first in the inbox."""

import re

# Words a reader uses to ask a library something, as whole words (a phrase counts as
# its words in order). LISTEN_QUESTION_WORDS adds more.
WORDS = (
    "when", "where", "how", "what time", "can i", "could i", "can you", "could you",
    "do you", "does the", "is the", "is there", "are you", "are there", "will there",
    "open", "opening", "closed", "closing", "book", "booking", "renew", "reserve",
    "borrow", "join", "sign up", "wheelchair", "accessible", "parking", "cost", "free",
)  # fmt: skip


def pattern(extra=()) -> re.Pattern:
    words = sorted({w.lower().strip() for w in (*WORDS, *extra) if w.strip()}, key=len)
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in reversed(words))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


_DEFAULT = pattern()


def is_question(text: str, words: re.Pattern = _DEFAULT) -> bool:
    """A question mark (any script's), or one of the asking words."""
    if any(mark in text for mark in "?？¿؟"):
        return True
    return bool(words.search(text))
