"""The README documents every setting a library edits and every .env key."""

import re
import runpy

from conftest import ROOT, SAMPLE_SETTINGS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_library_setting_is_documented():
    library = runpy.run_path(str(SAMPLE_SETTINGS))["LIBRARY"]
    for key in library:
        assert f'LIBRARY["{key}"]' in README, f'README does not document LIBRARY["{key}"]'


def test_every_env_key_is_documented():
    keys = re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    assert keys
    for key in keys:
        assert f"`{key}`" in README, f"README does not document the .env key {key}"


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_same():
    assert "make serve" in README and "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_secrets_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored and "!.env.example" in ignored


def test_every_feeds_setting_is_documented():
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    from feeds.settings import DEFAULTS

    for key in DEFAULTS:
        assert f"`{key}`" in README, f"README does not document FEEDS['{key}']"
    assert "`FEED_MAX_ITEMS`" in README


def test_every_announce_setting_is_documented():
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    from announce.config import DEFAULTS

    for key in DEFAULTS:
        assert f"`{key}`" in README, f"README does not document {key}"


def test_every_channel_key_is_in_env_example_and_readme():
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    from announce.channels import TYPES
    from announce.config import DEFAULTS, read_config

    example = (ROOT / ".env.example").read_text()
    for channel in read_config(DEFAULTS, environ={}).channels:
        for key in TYPES[channel.type].env_keys(channel):
            assert f"\n{key}=" in example, f".env.example does not list {key}"
            assert key in README, f"README does not document {key}"


def test_every_events_setting_is_documented():
    settings = runpy.run_path(str(SAMPLE_SETTINGS))
    keys = [k for k in settings if k.startswith("EVENTS_")]
    assert len(keys) >= 5
    for key in keys:
        assert f"`{key}`" in README, f"README does not document {key}"


def test_every_brochures_setting_is_documented():
    settings = runpy.run_path(str(SAMPLE_SETTINGS))
    keys = [k for k in settings if k.startswith("BROCHURES_")]
    assert len(keys) >= 3
    for key in keys:
        assert f"`{key}`" in README, f"README does not document {key}"


def test_speed_settings_are_documented():
    settings = runpy.run_path(str(SAMPLE_SETTINGS))
    keys = ("READ_WORKERS", "READ_PARALLEL_MIN", "INCREMENTAL", "SEARCH_ENABLED",
            "SEARCH_SHARD_PAGES", "IMAGE_PROCESS")  # fmt: skip
    for key in keys:
        assert key in settings and f"`{key}`" in README, key
