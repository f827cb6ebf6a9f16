"""docs/reference.md is written by hand and tested against the code, both ways.

What the code reads is found by reading the code itself (Python's `ast` over plugins/,
scripts/ and the settings files; the theme's Jinja tags), never from a list kept here:

- settings: every UPPER_CASE string the plugins use as a key (`settings.get("X")`,
  `settings["X"]`, `"X" in settings`, `.setdefault("X")`, the keys of a `DEFAULTS`
  dict), every UPPER_CASE name with an underscore anywhere in the plugins (however it
  is read: `count(s, "HOME_NEWS")`, a tuple looped over), every setting the theme's
  templates name, and every name pelicanconf.py and publishconf.py assign;
- the keys of dict settings: `DEFAULTS` dicts with lower-case keys (FEEDS, NEWSLETTER,
  SITEMAP), `library.get("x")` / `LIBRARY.x`, a channel's options;
- .env keys: .env.example, every UPPER_CASE string the code uses (os.environ.get,
  env(environ, "X")), and each announce channel's keys (prefix + its `keys`);
- make targets: the Makefile's `target: ... ## help` lines;
- front matter: the checks plugin's known keys, every plugin's PLUGIN_METADATA_KEYS,
  and every `metadata.get("x")` in the plugins and the theme.

A test fails when the code reads something the reference does not list, and when the
reference lists something the code no longer reads. The few UPPER_CASE strings that are
not settings (RRULE parts, ledger states, image modes) are listed in NOT_SETTINGS below,
each with why.
"""

import ast
import functools
import importlib
import re
import sys
from pathlib import Path

from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))

DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference.md"
PLUGINS = ROOT / "plugins"
UPPER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
WITH_UNDERSCORE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")

# UPPER_CASE strings in the plugins that are neither settings nor .env keys.
NOT_SETTINGS = {
    # iCalendar (RFC 5545) repeat rules and statuses
    "FREQ", "BYDAY", "COUNT", "UNTIL", "INTERVAL", "WKST", "DAILY", "WEEKLY", "MONTHLY",
    "CANCELLED", "CONFIRMED", "TENTATIVE", "PUBLISH", "GREGORIAN",
    # ledger and network states
    "CLAIMED", "SENT", "FAILED", "PENDING", "SKIPPED", "UNKNOWN", "FINISHED", "ERROR",
    "EXPIRED", "IN_PROGRESS", "PUBLISHED", "NOT_HUSHED", "UNHUSHED",
    # HTTP methods, SQL, git, SMTP, image and file formats
    "POST", "HEAD", "BEGIN", "COMMIT", "DESC", "MERGE_HEAD", "FROM", "RGBA", "JPEG",
    "WEBP", "EPUB", "HTML", "TEXT", "IMAGE", "PAGE", "EMAIL", "MCID", "AEIOU",
    # the environment of a git subprocess (announce/approvals.py)
    "LC_ALL",
}  # fmt: skip

# Each DEFAULTS dict with lower-case keys is the keys of one dict setting.
DICT_DEFAULTS = {
    "feeds/settings.py": "FEEDS",
    "newsletter/settings.py": "NEWSLETTER",
    "sitemaps/__init__.py": "SITEMAP",
}


# -- reading the reference ---------------------------------------------------------------


@functools.cache
def sections() -> dict[str, str]:
    """The reference's `## ` sections, by heading."""
    text = REFERENCE.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def section(start: str) -> str:
    found = [body for head, body in sections().items() if head.startswith(start)]
    assert found, f"docs/reference.md has no section '## {start}...'"
    return "\n".join(found)


def rows(text: str) -> list[list[str]]:
    """Every table row's cells (header and separator rows left out)."""
    found = []
    for line in text.splitlines():
        if not line.startswith("|") or re.fullmatch(r"\|[\s:|-]+\|?", line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        found.append(cells)
    return [r for r in found if r and "`" in r[0]]


def first_cells(text: str) -> list[tuple[str, list[str]]]:
    """(each backticked name in a row's first cell, that row), for every row."""
    return [(name, row) for row in rows(text) for name in re.findall(r"`([^`]+)`", row[0])]


def documented_settings() -> dict[str, list[str]]:
    """`NAME` and `NAME["key"]` rows of the Settings section: name -> its row."""
    return {name: row for name, row in first_cells(section("Settings"))}


def documented_names() -> dict[str, list[str]]:
    """Settings named in the Settings section or the Output addresses table (ARTICLE_URL...)."""
    return {**addresses(), **documented_settings()}


# -- reading the code --------------------------------------------------------------------


@functools.cache
def modules() -> dict[str, ast.Module]:
    return {
        p.relative_to(PLUGINS).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(PLUGINS.rglob("*.py"))
    }


def _string(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyed(tree) -> set[str]:
    """Strings used as a key: x.get("K"), x.setdefault("K"), x.pop("K"), x["K"], "K" in x."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "setdefault", "pop") and node.args:
                found.add(_string(node.args[0]))
        elif isinstance(node, ast.Subscript):
            found.add(_string(node.slice))
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
            found.add(_string(node.left))
    return found - {None}


def _defaults(tree) -> dict[str, object]:
    """The module-level dict assigned to DEFAULTS, evaluated where it is a literal."""
    for node in tree.body:
        named = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DEFAULTS" for t in node.targets
        )
        if named and isinstance(node.value, ast.Dict):
            pairs = zip(node.value.keys, node.value.values, strict=True)
            return {_string(k): _literal(v) for k, v in pairs}
    return {}


NO_LITERAL = object()


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return NO_LITERAL


def _all_strings(tree) -> set[str]:
    return {s for node in ast.walk(tree) if (s := _string(node)) is not None}


@functools.cache
def code_settings() -> dict[str, set[str]]:
    """Every setting the plugins read: name -> the plugins reading it."""
    found: dict[str, set[str]] = {}
    for path, tree in modules().items():
        plugin = path.split("/")[0]
        names = {k for k in _keyed(tree) if UPPER.fullmatch(k) and len(k) > 3}  # not PDF's "S"
        names |= {k for k in _defaults(tree) if k and UPPER.fullmatch(k)}
        names |= {s for s in _all_strings(tree) if WITH_UNDERSCORE.fullmatch(s)}
        for name in names:
            found.setdefault(name, set()).add(plugin)
    for name in theme_settings():
        found.setdefault(name, set()).add("theme")
    return found


@functools.cache
def theme_settings() -> set[str]:
    """Settings the theme's templates name inside {{ }} and {% %}."""
    found = set()
    for path in (ROOT / "theme" / "templates").rglob("*"):
        if path.is_file():
            for tag in re.findall(r"\{[{%](.*?)[}%]\}", path.read_text(encoding="utf-8"), re.S):
                tag = re.sub(r"(['\"]).*?\1", "", tag)  # not words inside strings
                found |= set(re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b", tag))
    return found


def settings_file_names(name: str) -> set[str]:
    tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Name) and t.id.isupper():
                    found.add(t.id)
    return found


def channel_types():
    from announce.channels import TYPES

    return TYPES


def channel_env_keys() -> dict[str, tuple[type, str]]:
    """Each default channel's .env keys: key -> (channel class, suffix)."""
    from announce.config import DEFAULTS, read_config

    found = {}
    for channel in read_config(DEFAULTS, environ={}).channels:
        kind = channel_types()[channel.type]
        for suffix in (*kind.keys, *kind.optional_keys):
            found[f"{channel.env_prefix}_{suffix}"] = (kind, suffix)
    return found


def channel_suffixes() -> set[str]:
    return {s for kind in channel_types().values() for s in (*kind.keys, *kind.optional_keys)}


@functools.cache
def code_strings() -> set[str]:
    """Every string in the plugins, the scripts and publishconf.py."""
    found = set()
    for tree in modules().values():
        found |= _all_strings(tree)
    for path in [*(ROOT / "scripts").glob("*.py"), ROOT / "publishconf.py"]:
        found |= _all_strings(ast.parse(path.read_text(encoding="utf-8")))
    return found


def env_example_keys() -> list[str]:
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)


def documented_env() -> dict[str, list[str]]:
    return {name: row for name, row in first_cells(section(".env keys"))}


def workflow_secrets() -> set[str]:
    found = set()
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        found |= set(re.findall(r"\b(?:secrets|vars)\.([A-Z][A-Z0-9_]*)", path.read_text()))
    return found


# -- settings -----------------------------------------------------------------------------


def test_every_setting_the_code_reads_is_documented():
    documented = {n for n in documented_names() if UPPER.fullmatch(n)}
    env = set(env_example_keys()) | set(channel_env_keys()) | set(documented_env())
    missing = {
        name: sorted(plugins)
        for name, plugins in code_settings().items()
        if name not in documented | env | NOT_SETTINGS | channel_suffixes()
    }
    assert not missing, (
        f"Read by the code but not in docs/reference.md's Settings (or .env keys): {missing}. "
        "Document it there, or, if it is not a setting at all, add it to NOT_SETTINGS in "
        "tests/test_reference.py with why."
    )


def test_every_name_the_settings_files_assign_is_documented():
    documented = documented_names()
    for name in ("pelicanconf.py", "publishconf.py"):
        missing = settings_file_names(name) - set(documented)
        assert not missing, f"{name} sets {sorted(missing)}, not in docs/reference.md"


def test_every_documented_setting_exists():
    known = set(code_settings()) | settings_file_names("pelicanconf.py")
    known |= settings_file_names("publishconf.py")
    stale = [n for n in documented_names() if UPPER.fullmatch(n) and n not in known]
    assert not stale, f"docs/reference.md documents settings nothing reads or sets: {stale}"


def test_the_read_by_column_names_the_plugins_that_read_each_setting():
    plugins = {p.name for p in PLUGINS.iterdir() if (p / "__init__.py").exists()}
    for name, row in [*documented_settings().items(), *addresses().items()]:
        readers = code_settings().get(name, set()) & (plugins | {"theme"})
        cell = row[-1]
        for reader in readers:
            assert reader in cell, f"{name}: read by {reader}, not said in its last column"


def module_of(path: str):
    """plugins/feeds/settings.py -> the module feeds.settings."""
    name = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return importlib.import_module(name)


def code_defaults() -> dict[str, set[str]]:
    """The kit's own settings' defaults: the DEFAULTS dicts (their values, imported) and
    `settings.get("X", default)`, as reprs; Pelican's own settings left out (their
    defaults are Pelican's)."""
    from pelican.settings import DEFAULT_CONFIG

    env = set(env_example_keys()) | {"TZ_NAME"}
    found: dict[str, set[str]] = {}
    for path, tree in modules().items():
        if _defaults(tree):
            for key, value in module_of(path).DEFAULTS.items():
                name = f'{DICT_DEFAULTS[path]}["{key}"]' if path in DICT_DEFAULTS else key
                found.setdefault(name, set()).add(repr(value))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get" and len(node.args) == 2
                and (name := _string(node.args[0])) and WITH_UNDERSCORE.fullmatch(name)
                and name not in env and name not in DEFAULT_CONFIG
            ):  # fmt: skip
                value = _literal(node.args[1])
                if value is NO_LITERAL and isinstance(node.args[1], ast.Name):
                    value = getattr(module_of(path), node.args[1].id, NO_LITERAL)
                if value is not NO_LITERAL:
                    found.setdefault(name, set()).add(repr(value))
    return found


def test_documented_defaults_are_the_code_defaults():
    """A setting's default column starts with its default as a Python literal, where the
    code has one (a DEFAULTS dict, or `settings.get("X", default)`); every place the code
    reads a setting must agree on it."""
    documented = documented_settings()
    checked = 0
    for name, values in sorted(code_defaults().items()):
        if name in ("PLUGIN_METADATA_KEYS", "METADATA_KEYS"):
            continue  # lists the plugins add to, each starting from "nothing yet"
        assert len(values) == 1, f"{name}: the code has different defaults: {sorted(values)}"
        if name not in documented:
            continue  # test_every_setting_the_code_reads_is_documented says so
        code = ast.literal_eval(next(iter(values)))
        if len(repr(code)) > 60:
            continue  # too long for a table cell: said in words
        said = re.findall(r"`([^`]+)`", documented[name][1])
        assert said, f"{name}: its default column has no `value`; the code's is {code!r}"
        assert _equal(said[0], code), f"{name}: documented default {said[0]}, code {code!r}"
        checked += 1
    assert checked > 40


def _equal(text, value) -> bool:
    try:
        return ast.literal_eval(text) == value and type(ast.literal_eval(text)) is type(value)
    except (ValueError, SyntaxError):
        return False


def test_every_key_of_dict_settings_is_documented_and_exists():
    documented = {n for n in documented_settings() if "[" in n}
    expected = set()
    for path, setting in DICT_DEFAULTS.items():
        keys = _defaults(modules()[path])
        assert keys, f"plugins/{path} has no DEFAULTS dict any more"
        expected |= {f'{setting}["{k}"]' for k in keys}
    for path, tree in modules().items():
        keys = _defaults(tree)
        if any(k and k.islower() for k in keys):
            assert path in DICT_DEFAULTS, (
                f"plugins/{path} has a DEFAULTS dict of lower-case keys: add it to "
                "DICT_DEFAULTS in tests/test_reference.py with the setting they belong to"
            )
    expected |= {f'LIBRARY["{k}"]' for k in library_keys()}
    expected |= {f'LIBRARY["colours"]["{k}"]' for k in colour_keys()}
    from announce.config import CHANNEL_OPTIONS
    from events.jsonld import ADDRESS_KEYS

    expected |= {f'LIBRARY["branches"][name]["{k}"]' for k in ADDRESS_KEYS}
    expected |= {f'ANNOUNCE_CHANNELS[name]["{k}"]' for k in CHANNEL_OPTIONS}
    missing = sorted(expected - documented)
    stale = sorted(documented - expected)
    assert not missing, f"Keys the code reads, not in docs/reference.md: {missing}"
    assert not stale, f"Keys docs/reference.md lists that the code does not read: {stale}"


def key_read(node):
    """(receiver, key) of `x.get(key, ...)` or `x[key]`; None for any other node."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get":
            return node.func.value, node.args[0] if node.args else None
    elif isinstance(node, ast.Subscript):
        return node.value, node.slice
    return None


def library_keys() -> dict[str, set[str]]:
    """LIBRARY's keys, with who reads each: `library.get("x")`, `library["x"]` and
    `settings.get("LIBRARY", {}).get("x")` in the plugins, `LIBRARY.x` in the theme."""
    found: dict[str, set[str]] = {}
    for path, tree in modules().items():
        for node in ast.walk(tree):
            if not (read := key_read(node)):
                continue
            receiver, key = read
            named = isinstance(receiver, ast.Name) and receiver.id == "library"
            # settings.get("LIBRARY", {}).get("colours")
            called = isinstance(receiver, ast.Call) and receiver.args
            if _string(key) and (named or called and _string(receiver.args[0]) == "LIBRARY"):
                found.setdefault(_string(key), set()).add(path.split("/")[0])
    for path in (ROOT / "theme" / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for key in re.findall(r"\bLIBRARY(?:\.|\[[\"'])([a-z_]+)", text):
            found.setdefault(key, set()).add("theme")
    return found


def test_the_read_by_column_names_who_reads_each_library_key():
    documented = documented_settings()
    for key, readers in library_keys().items():
        cell = documented[f'LIBRARY["{key}"]'][-1]
        for reader in readers:
            assert reader in cell, f'LIBRARY["{key}"]: read by {reader}, not said'


def colour_keys() -> set[str]:
    found = set()
    for path in (ROOT / "theme" / "templates").rglob("*.html"):
        found |= set(re.findall(r"\bLIBRARY\.colours\.([a-z_]+)", path.read_text()))
    from checks import colours

    source = Path(colours.__file__).read_text()
    found |= set(re.findall(r'\("([a-z_]+)", (?:LIGHT|DARK)_BACKGROUND\)', source))
    return found


def test_every_channel_type_home_block_and_newsletter_section_is_named():
    from announce.config import CHANNEL_TYPES
    from home import BLOCKS
    from newsletter.settings import SECTIONS

    text = section("Settings")
    channels = documented_settings()["ANNOUNCE_CHANNELS"]
    for kind in CHANNEL_TYPES:
        assert f"`{kind}`" in " ".join(channels), f"ANNOUNCE_CHANNELS: type {kind} not named"
    for name in (*BLOCKS, *SECTIONS):
        assert f"`{name}`" in text, f"{name} (a home block or newsletter section) not named"


# -- .env keys -----------------------------------------------------------------------------


def test_every_env_key_is_documented_both_ways():
    documented = documented_env()
    expected = set(env_example_keys()) | set(channel_env_keys()) | workflow_secrets()
    missing = sorted(expected - set(documented))
    assert not missing, f".env keys (or workflow secrets) not in docs/reference.md: {missing}"
    # A documented key is read by the code (as a string, or a channel's prefix + key), or
    # is a secret a workflow uses.
    known = code_strings() | set(channel_env_keys()) | workflow_secrets()
    stale = sorted(k for k in documented if k not in known)
    assert not stale, f"docs/reference.md lists .env keys nothing reads: {stale}"


def test_every_env_key_the_code_reads_is_in_the_reference():
    """An UPPER_CASE string read from the environment in scripts/ or publishconf.py."""
    found = set()
    for path in [*(ROOT / "scripts").glob("*.py"), ROOT / "publishconf.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and (name := _string(node.args[0])):
                func = ast.unparse(node.func)
                if re.search(r"(environ\.get|getenv|^get|^env)$", func) and UPPER.fullmatch(name):
                    found.add(name)
    missing = sorted(found - set(documented_env()))
    assert not missing, f"Read from the environment, not in docs/reference.md: {missing}"


def test_secrets_are_marked_secret():
    from newsletter.sendconfig import SECRET_KEYS

    secret = set(SECRET_KEYS)
    for key, (kind, suffix) in channel_env_keys().items():
        if suffix in kind.secret_keys:
            secret.add(key)
    for key, row in documented_env().items():
        said = row[2].lower()
        assert said.startswith(("yes", "no")), f"{key}: the secret column says {row[2]!r}"
        if key in secret:
            assert said.startswith("yes"), f"{key} is a secret in the code, not in the docs"


# -- make targets ---------------------------------------------------------------------------


def make_targets() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text()
    return dict(re.findall(r"^([a-z][a-z0-9-]*):[^\n]*?## (.*)$", text, re.M))


def test_every_make_target_is_documented_both_ways():
    targets = make_targets()
    assert len(targets) > 20
    documented = {
        re.sub(r"^make ", "", name).split()[0]: row
        for name, row in first_cells(section("Make targets"))
    }
    assert not set(targets) - set(documented), sorted(set(targets) - set(documented))
    assert not set(documented) - set(targets), sorted(set(documented) - set(targets))
    for name, row in documented.items():
        assert len(row) >= 3 and row[2], f"make {name}: no 'success looks like' column"


def test_every_phony_target_has_help():
    text = (ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split())
    assert phony == set(make_targets()), phony ^ set(make_targets())


# -- front matter ----------------------------------------------------------------------------


def front_matter_keys() -> set[str]:
    from checks.content import KNOWN_METADATA_KEYS

    found = set(KNOWN_METADATA_KEYS)
    for path, tree in modules().items():
        for node in ast.walk(tree):
            # settings["PLUGIN_METADATA_KEYS"] = (*settings.get(...), *NAMES)
            if (
                isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)
                and _string(node.targets[0].slice) == "PLUGIN_METADATA_KEYS"
            ):  # fmt: skip
                module = module_of(path)
                for star in ast.walk(node.value):
                    if isinstance(star, ast.Starred) and isinstance(star.value, ast.Name):
                        found |= set(getattr(module, star.value.id))
            # metadata.get("x"), metadata["x"]
            if not (read := key_read(node)):
                continue
            receiver, key = read
            if ast.unparse(receiver).endswith("metadata") and _string(key):
                found.add(_string(key))
    for path in (ROOT / "theme" / "templates").rglob("*.html"):
        found |= set(re.findall(r"metadata\.get\([\"']([a-z-]+)", path.read_text()))
    return found


def test_every_front_matter_field_is_documented_both_ways():
    documented = {name.lower() for name, _ in first_cells(section("Front matter"))}
    expected = front_matter_keys()
    assert {"title", "event-start", "cover", "announce-at", "subject"} <= expected
    assert not expected - documented, f"Not documented: {sorted(expected - documented)}"
    assert not documented - expected, f"Not read by anything: {sorted(documented - expected)}"


def test_front_matter_rows_say_required_and_give_an_example():
    for name, row in first_cells(section("Front matter")):
        assert len(row) >= 4, f"{name}: a row needs field | required | what | example"
        assert row[1], f"{name}: say whether it is required"
        assert "`" in row[3], f"{name}: no example"


# -- output addresses ------------------------------------------------------------------------


def addresses() -> dict[str, list[str]]:
    return {name: row for name, row in first_cells(section("Output addresses"))}


def test_every_address_setting_is_listed_with_its_value():
    import runpy

    settings = runpy.run_path(str(ROOT / "pelicanconf.py"))
    from brochures import DEFAULTS as BROCHURES
    from feeds.settings import DEFAULTS as FEEDS

    values = {**BROCHURES, **settings}
    table = " ".join(" ".join(row) for row in addresses().values())
    for name, value in values.items():
        if re.fullmatch(r"[A-Z_]+_(URL|SAVE_AS)", name) and name != "SITEURL":
            assert name in addresses(), f"{name} is not in the Output addresses table"
            if value:
                assert f"`{value}`" in " ".join(addresses()[name]), f"{name}: {value!r}"
    for key, value in FEEDS.items():
        if isinstance(value, str) and "/" in value and key != "dev_siteurl":
            assert f"`{value}`" in table, f"FEEDS[{key!r}] = {value!r} is not listed"
    for page in settings["TEMPLATE_PAGES"].values():
        assert f"`{page}`" in table, f"TEMPLATE_PAGES writes {page}: not listed"


def test_every_fixed_output_path_in_the_plugins_is_listed():
    from announce.public_image import FOLDER
    from search.parts import OUTPUT
    from sitemaps import SAVE_AS

    table = section("Output addresses")
    fixed = {SAVE_AS, FOLDER, OUTPUT, "event.ics"}
    fixed |= {s for s in code_strings() if re.fullmatch(r"feeds/[a-z./{}]+\.(xml|json)", s)}
    for path in fixed:
        assert path in table, f"{path} (written by a plugin) is not in Output addresses"


# -- the architecture page ---------------------------------------------------------------


def test_the_architecture_diagram_has_a_text_equivalent():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert "```mermaid" in text
    assert re.search(r"^#+ .*(text|words).*$", text, re.M | re.I), "no text version heading"
    for plugin in (p.name for p in PLUGINS.iterdir() if (p / "__init__.py").exists()):
        assert f"`{plugin}`" in text, f"docs/architecture.md does not describe {plugin}"
