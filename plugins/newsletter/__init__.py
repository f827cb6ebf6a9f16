"""Newsletter: the weekly email made from the site, and sending it once per reader.

Sending (`make newsletter-send`, `python -m newsletter send`) reads the edition the
build wrote (newsletter.json beside the announce plan); see the README.
"""


def register():
    pass
