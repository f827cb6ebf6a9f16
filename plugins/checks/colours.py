"""Colour contrast of the library's brand colours (WCAG 2.x relative luminance)."""

LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#121212"
MINIMUM = 4.5  # WCAG 2.2 AA for body text


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    if len(h) != 6:
        raise ValueError(f"{colour!r} is not a colour like #0b5a6b")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_colours(colours: dict) -> list[str]:
    """Problems with LIBRARY['colours'], as sentences saying how to fix them."""
    problems = []
    pairs = [
        ("brand", LIGHT_BACKGROUND), ("accent", LIGHT_BACKGROUND),
        ("brand_dark_mode", DARK_BACKGROUND), ("accent_dark_mode", DARK_BACKGROUND),
    ]  # fmt: skip
    for key, background in pairs:
        value = colours.get(key)
        if value is None:
            problems.append(
                f"LIBRARY['colours']['{key}'] is missing. Fix: add it in pelicanconf.py."
            )
            continue
        try:
            ratio = contrast(value, background)
        except ValueError as err:
            problems.append(f"LIBRARY['colours']['{key}']: {err}. Fix: use a hex colour.")
            continue
        if ratio < MINIMUM:
            problems.append(
                f"LIBRARY['colours']['{key}'] = {value} has contrast {ratio:.2f}:1 against "
                f"{background}; text needs at least {MINIMUM}:1 to be readable. "
                f"Fix: choose a {'darker' if background == LIGHT_BACKGROUND else 'lighter'} colour."
            )
    return problems
