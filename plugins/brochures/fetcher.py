"""The PDF's URL fetcher: WeasyPrint reads only files of the site itself.

WeasyPrint fetches every picture, stylesheet and `<a rel="attachment">` of a brochure
and puts them in the PDF; with its default fetcher, `file:///proc/self/environ` would
put the build's environment (every channel token) in the published PDF. This one
serves only files inside the given folders, symlinks resolved, and `data:` addresses;
everything else (other files, other websites) is refused and listed in `refused`.
"""

from urllib.parse import urlsplit
from urllib.request import url2pathname

from checks.files import inside_any
from weasyprint.urls import URLFetcher


class SiteFilesFetcher(URLFetcher):
    """`report(url)` is called once for each address refused, as soon as it is asked for
    (before WeasyPrint's own message, which a `--fatal errors` build stops at)."""

    def __init__(self, roots, report=None, **kwargs):
        super().__init__(allowed_protocols=["file", "data"], **kwargs)
        self.roots = list(roots)
        self.report = report
        self.refused = []  # the addresses asked for and refused, in order

    def fetch(self, url, headers=None):
        if not self.allows(url):
            if url not in self.refused:
                self.refused.append(url)
                if self.report:
                    self.report(url)
            raise ValueError(f"Refused: {url} is not a file of the site")
        return super().fetch(url, headers)

    def allows(self, url) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        return inside_any(url2pathname(parts.path), self.roots)  # as urllib opens it
