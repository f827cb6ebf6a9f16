"""The README's set-up, .env.example and .gitignore stay honest.

That every setting, .env key, make target, front-matter field and output address is
documented (and every documented one exists) is tests/test_reference.py's job, against
docs/reference.md, the one place they are all listed.
"""

import re
import sys

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_same():
    assert "make serve" in README and "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_secrets_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored and "!.env.example" in ignored


def test_every_channel_key_is_in_env_example():
    sys.path.insert(0, str(ROOT / "plugins"))
    from announce.channels import TYPES
    from announce.config import DEFAULTS, read_config

    example = (ROOT / ".env.example").read_text()
    for channel in read_config(DEFAULTS, environ={}).channels:
        for key in TYPES[channel.type].env_keys(channel):
            assert f"\n{key}=" in example, f".env.example does not list {key}"
