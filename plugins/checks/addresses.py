"""Addresses every post can have: slugs short enough for any file system, no empty slugs."""

MAX_SLUG = 80  # characters; file systems allow 255 bytes per name


def short_slug(slug: str, limit: int = MAX_SLUG) -> str:
    """`slug` cut to at most `limit` characters, at a hyphen where there is one."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    return (cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut).strip("-")


def unusable(terms) -> list:
    """Tags or categories whose name has no letter or digit to make an address from."""
    return [t for t in terms or () if not t.slug]
