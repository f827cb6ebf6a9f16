"""The Publish workflow and scripts/push_ledger.py: the ledger reaches the repository,
merged with what others pushed meanwhile, and each step sees only its own secrets."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
SCRIPT = ROOT / "scripts" / "push_ledger.py"
LEDGER = "content/announce-ledger.jsonl"
HEADER = '{"noticeboard_announce_ledger": 1}\n'
CHANNEL_SECRETS = (
    "MASTODON_API_BASE_URL MASTODON_ACCESS_TOKEN MASTODON_VISIBILITY BLUESKY_HANDLE "
    "BLUESKY_APP_PASSWORD BLUESKY_SERVICE WEBHOOK_URL WEBHOOK_PRESET EMAIL_SMTP_HOST "
    "EMAIL_SMTP_PORT EMAIL_SMTP_USER EMAIL_SMTP_PASSWORD EMAIL_SMTP_SECURITY EMAIL_FROM "
    "EMAIL_TO FACEBOOK_PAGE_ID FACEBOOK_PAGE_TOKEN FACEBOOK_GRAPH_URL INSTAGRAM_USER_ID "
    "INSTAGRAM_TOKEN INSTAGRAM_GRAPH_URL THREADS_USER_ID THREADS_TOKEN THREADS_GRAPH_URL "
    "X_API_KEY X_API_SECRET X_ACCESS_TOKEN X_ACCESS_SECRET X_API_URL"
).split()


def run(cmd, cwd, env, check=True):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        pytest.fail(f"{cmd} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


class Repos:
    """A bare "origin" and two clones of it, A and B, with git isolated from the
    developer's own configuration."""

    def __init__(self, tmp: Path):
        home = tmp / "home"
        home.mkdir()
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
        }
        for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL"):
            self.env.pop(key, None)
        self.origin = tmp / "origin.git"
        self.git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", str(self.origin))
        seed = self.clone(tmp, "seed")
        shutil.copy(ROOT / ".gitattributes", seed / ".gitattributes")
        (seed / "content").mkdir()
        (seed / LEDGER).write_text(HEADER)
        (seed / "notes.txt").write_text("opening hours: 9 to 5\n")
        self.commit(seed, "Start")
        self.git(seed, "push", "--quiet", "origin", "HEAD:main")
        self.a, self.b = self.clone(tmp, "a"), self.clone(tmp, "b")

    def git(self, cwd, *args, check=True):
        return run(["git", *args], cwd, self.env, check)

    def clone(self, tmp, name):
        self.git(tmp, "clone", "--quiet", str(self.origin), name)
        path = tmp / name
        self.git(path, "config", "user.name", f"Clone {name}")
        self.git(path, "config", "user.email", f"{name}@example.org")
        return path

    def commit(self, clone, message):
        self.git(clone, "add", "--all")
        self.git(clone, "commit", "--quiet", "-m", message)

    def append(self, clone, line):
        with open(clone / LEDGER, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def push_ledger(self, clone, *args):
        cmd = [sys.executable, str(SCRIPT), "--attempts", "2", *args]
        return run(cmd, clone, self.env, check=False)

    def origin_file(self, path):
        return self.git(self.origin, "show", f"main:{path}").stdout


@pytest.fixture
def repos(tmp_path):
    return Repos(tmp_path)


def test_ledger_lines_from_both_clones_are_merged(repos):
    b_line, a_line = '{"post": "b-side", "channel": "email"}', '{"post": "a-side", "channel": "x"}'
    repos.append(repos.b, b_line)
    (repos.b / "notes.txt").write_text("opening hours: 10 to 4\n")
    repos.commit(repos.b, "B announces")
    repos.git(repos.b, "push", "--quiet", "origin", "HEAD:main")

    repos.append(repos.a, a_line)
    proc = repos.push_ledger(repos.a)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pushed to origin/main" in proc.stdout
    ledger = repos.origin_file(LEDGER)
    assert ledger.startswith(HEADER), ledger
    assert a_line in ledger.splitlines() and b_line in ledger.splitlines(), ledger
    assert "<<<<<<<" not in ledger and ">>>>>>>" not in ledger and "=======" not in ledger
    assert repos.origin_file("notes.txt") == "opening hours: 10 to 4\n"
    log = repos.git(repos.origin, "log", "--format=%s", "main").stdout
    assert "Announce ledger: record what was sent" in log


def test_the_listen_state_is_committed_and_merged_with_the_ledger(repos):
    state = "content/listen-state.jsonl"
    b_line, a_line = '{"t": "2", "gone": "mastodon:2"}', '{"t": "1", "answered": "mastodon:1"}'
    (repos.b / state).write_text(b_line + "\n")
    repos.commit(repos.b, "B listens")
    repos.git(repos.b, "push", "--quiet", "origin", "HEAD:main")
    (repos.a / state).write_text(a_line + "\n")
    repos.append(repos.a, '{"post": "a-side", "channel": "x"}')

    proc = repos.push_ledger(repos.a, "--also", state)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(repos.origin_file(state).splitlines()) == {a_line, b_line}
    assert '{"post": "a-side", "channel": "x"}' in repos.origin_file(LEDGER)


def test_deleted_old_ledger_is_committed_too(repos):
    old = repos.a / "content" / "announce-ledger.json"
    old.write_text("{}\n")
    repos.commit(repos.a, "Old ledger")
    repos.git(repos.a, "push", "--quiet", "origin", "HEAD:main")
    old.unlink()
    repos.append(repos.a, '{"post": "migrated"}')

    proc = repos.push_ledger(repos.a)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = repos.git(repos.origin, "ls-tree", "-r", "--name-only", "main").stdout.split()
    assert "content/announce-ledger.json" not in files
    assert '{"post": "migrated"}' in repos.origin_file(LEDGER)


def test_nothing_to_commit(repos):
    before = repos.git(repos.origin, "rev-parse", "main").stdout
    proc = repos.push_ledger(repos.a)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "announce ledger: nothing new to commit" in proc.stdout
    assert repos.git(repos.origin, "rev-parse", "main").stdout == before


def test_conflict_in_another_file_fails_loudly(repos):
    (repos.b / "notes.txt").write_text("opening hours: 10 to 4\n")
    repos.commit(repos.b, "B's hours")
    repos.git(repos.b, "push", "--quiet", "origin", "HEAD:main")
    (repos.a / "notes.txt").write_text("opening hours: 8 to 6\n")
    repos.commit(repos.a, "A's hours")
    repos.append(repos.a, '{"post": "a-side"}')

    proc = repos.push_ledger(repos.a)

    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "ledger was NOT pushed" in output
    assert "would not know these posts were sent" in output
    assert "git pull && git push" in output
    assert '{"post": "a-side"}' in proc.stderr  # the lines to add by hand
    merge_head = repos.git(repos.a, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False)
    assert merge_head.returncode != 0, "a merge was left in progress"
    assert repos.git(repos.a, "status", "--porcelain").stdout == ""
    assert '{"post": "a-side"}' not in repos.origin_file(LEDGER)


# The workflow file


@pytest.fixture(scope="module")
def steps():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def runs(step, command):
    """The step runs `command` (whole words: `make deploy` is not `make deploy-check`)."""
    return re.search(rf"(?<![\w-]){re.escape(command)}(?![\w-])", step.get("run", "")) is not None


def secret_names(env):
    return {key for key, value in (env or {}).items() if "secrets." in str(value)}


def test_no_secret_is_written_into_a_script(steps):
    for step in steps:
        assert "${{ secrets." not in step.get("run", ""), step.get("name")


def test_channel_secrets_reach_the_announce_and_listen_steps_only(steps):
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (announce,) = [step for step in steps if runs(step, "make announce")]
    assert set(CHANNEL_SECRETS) <= set(announce["env"])
    for key in CHANNEL_SECRETS:
        assert announce["env"][key] == f"${{{{ secrets.{key} }}}}"
    # Listening reads: no key of a channel it cannot read (webhooks, X), and a failure
    # never stops publishing.
    (listen,) = [step for step in steps if runs(step, "make listen")]
    keys = {k for k in CHANNEL_SECRETS if k in listen["env"]}
    assert keys and not {k for k in keys if k.startswith(("WEBHOOK_", "X_"))}
    assert "MASTODON_ACCESS_TOKEN" in keys and "THREADS_TOKEN" in keys
    assert listen["continue-on-error"] is True
    # The newsletter sends over the email channel's mail server: those keys only.
    (newsletter,) = [step for step in steps if runs(step, "make newsletter-send")]
    keys = {k for k in CHANNEL_SECRETS if k in newsletter["env"]}
    assert keys == {k for k in CHANNEL_SECRETS if k.startswith("EMAIL_") and k != "EMAIL_TO"}
    others = [step for step in steps if step not in (announce, listen, newsletter)]
    others += [workflow, *workflow["jobs"].values()]  # workflow- and job-level env
    for holder in others:
        env = holder.get("env") or {}
        leaked = [k for k in CHANNEL_SECRETS if k in env or f"secrets.{k}" in str(env)]
        assert not leaked, (holder.get("name"), leaked)


def test_build_step_gets_no_channel_or_deploy_secret(steps):
    (build,) = [step for step in steps if runs(step, "make build-publish")]
    assert secret_names(build.get("env")) == {"SITEURL"}


def test_steps_run_separately_and_the_ledger_is_pushed_after_announcing(steps):
    order = ["make deploy-check", "make check", "make build-publish", "make deploy",
             "make announce"]  # fmt: skip
    index = {cmd: next(i for i, s in enumerate(steps) if runs(s, cmd)) for cmd in order}
    assert [index[c] for c in order] == sorted(index.values())
    (push,) = [step for step in steps if runs(step, "scripts/push_ledger.py")]
    assert steps.index(push) > index["make announce"]
    assert "--also content/listen-state.jsonl" in push["run"]
    # The replies shown under posts are read before the build that shows them.
    listen = next(i for i, s in enumerate(steps) if runs(s, "make listen"))
    assert index["make check"] < listen < index["make build-publish"]
    announce = steps[index["make announce"]]
    assert "always()" in push["if"] and f"steps.{announce['id']}.outcome" in push["if"]


def test_no_step_after_the_deploy_can_read_the_deploy_key(steps):
    (write,) = [s for s in steps if "id_deploy" in s.get("run", "") and ">" in s["run"]]
    (forget,) = [s for s in steps if "rm -f ~/.ssh/id_deploy" in s.get("run", "")]
    deploy = next(i for i, s in enumerate(steps) if runs(s, "make deploy"))
    assert steps.index(write) < deploy < steps.index(forget)
    assert forget["if"] == "always()"
    for step in steps[steps.index(forget) + 1 :]:
        assert "DEPLOY_SSH_KEY" not in str(step), step.get("name")


def test_announcing_trusts_the_approvers_keys_from_the_repository(steps):
    (trust,) = [step for step in steps if "allowedSignersFile" in step.get("run", "")]
    assert ".github/allowed_signers" in trust["run"] and "env" not in trust
    announce = next(i for i, s in enumerate(steps) if runs(s, "make announce"))
    assert steps.index(trust) < announce


# The pull-request preview: what would be announced, shown to the reviewer; nothing sent

PREVIEW = ROOT / ".github" / "workflows" / "preview.yml"
sys.path.insert(0, str(ROOT / "scripts"))


def triggers(workflow):
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True


@pytest.fixture(scope="module")
def preview():
    return yaml.safe_load(PREVIEW.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def preview_steps(preview):
    return [step for job in preview["jobs"].values() for step in job["steps"]]


def test_preview_runs_on_pull_requests_that_touch_content(preview):
    assert triggers(preview) == {"pull_request": {"paths": ["content/**"]}}


def test_publishing_never_runs_for_a_pull_request():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert not {"pull_request", "pull_request_target"} & set(triggers(workflow))


def test_preview_has_no_secrets_and_only_reads(preview):
    everything = json.dumps(preview)  # every value, at every level, without the comments
    assert "secrets." not in everything and "secrets[" not in everything
    assert "GITHUB_TOKEN" not in everything and "github.token" not in everything
    assert preview["permissions"] == {"contents": "read"}
    for job in preview["jobs"].values():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}
        assert "secrets" not in job
        checkout = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")]
        assert checkout and all(s["with"]["persist-credentials"] is False for s in checkout)


def test_preview_never_announces_publishes_or_deploys(preview_steps):
    never = ("make announce", "make publish", "make deploy", "make deploy-check",
             "make announce-retry", "make announce-reconcile", "push_ledger.py",
             "git push")  # fmt: skip
    for step in preview_steps:
        for command in never:
            assert not runs(step, command), (step.get("name"), command)
        assert "announce send" not in step.get("run", "")
        assert step.get("uses", "").split("@")[0] in (
            "",
            "actions/checkout",
            "actions/setup-python",
        )


def test_preview_builds_with_a_placeholder_address_then_writes_the_summary(preview, preview_steps):
    (job,) = preview["jobs"].values()
    siteurl = job["env"]["SITEURL"]
    assert "vars.SITEURL" in siteurl and "'https://" in siteurl  # a variable, or a placeholder
    order = [
        next(i for i, s in enumerate(preview_steps) if runs(s, "make build-publish")),
        next(i for i, s in enumerate(preview_steps) if "announce-preview" in s.get("run", "")),
        next(i for i, s in enumerate(preview_steps) if "GITHUB_STEP_SUMMARY" in s.get("run", "")),
    ]
    assert order == sorted(order)
    made, written = preview_steps[order[1]], preview_steps[order[2]]
    assert re.search(r"make (-[-\w]+ )*announce-preview", made["run"])
    assert "pipefail" in made["run"]  # a preview that fails fails the check
    assert "preview_summary.py" in written["run"] and '>> "$GITHUB_STEP_SUMMARY"' in written["run"]
    assert written["if"] == "always()"


PREVIEW_TEXT = """== mastodon (mastodon): not configured, dry run ==
-- Talk held: waiting, held until 2030-01-22 09:00 +00:00 (Announce-At)
-- Rhyme Time returns (content/posts/rhyme.md)
  text, 120 of 500 characters:
    Rhyme Time returns to Northfield
    Type ```code``` here, and ````more````

== webhook (webhook): not configured, dry run ==
Nothing to send.
"""


def test_preview_summary_puts_each_channel_in_a_fence_nothing_can_break():
    from preview_summary import summary

    text = summary(PREVIEW_TEXT, "https://your-library.invalid")
    assert "Nothing is sent from a pull request." in text
    assert "`https://your-library.invalid`" in text
    mastodon = text.split("### mastodon (mastodon): not configured, dry run\n\n")[1]
    assert mastodon.startswith("`````text\n-- Talk held: waiting, held until 2030-01-22")
    assert "    Type ```code``` here, and ````more````\n`````\n" in mastodon
    assert (
        "### webhook (webhook): not configured, dry run\n\n```text\nNothing to send.\n```" in text
    )


def test_preview_summary_says_when_there_is_no_preview(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "preview_summary.py"), str(tmp_path / "none.txt")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0
    assert "The preview could not be made: the build or the preview step failed." in proc.stdout
