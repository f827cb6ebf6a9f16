"""Deploying never replaces what is not the site: a real rsync into folders next to other
things, a real git repository for GitHub Pages, and rsync missing from PATH."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NO_DEPLOY, ROOT, SAMPLE_PUBLISH_SETTINGS, SAMPLE_SETTINGS, run_deploy

PY = sys.executable
MARKER = ".noticeboard-site"

pytestmark = pytest.mark.skipif(not shutil.which("rsync"), reason="rsync is not installed")


def rsync_to(target):
    return {"DEPLOY_METHOD": "rsync", "DEPLOY_RSYNC_TARGET": str(target)}


@pytest.fixture
def site(tmp_path):
    """A built site, as far as deploying cares."""
    output = tmp_path / "output"
    (output / "news").mkdir(parents=True)
    (output / "index.html").write_text("<h1>Riverside Libraries</h1>\n" * 40)
    (output / "news" / "index.html").write_text("<p>News</p>\n")
    return output


@pytest.fixture
def server(tmp_path):
    """/var/www with another library's site, and a home folder with an SSH key."""
    www = tmp_path / "www"
    (www / "other-site").mkdir(parents=True)
    (www / "other-site" / "index.html").write_text("another site")
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "authorized_keys").write_text("ssh-ed25519 AAAA... admin\n")
    (home / "notes.txt").write_text("mine")
    return www, home


def files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


@pytest.mark.parametrize("where", ["one level too high", "home folder"])
def test_rsync_refuses_a_folder_that_is_not_the_sites_own(site, server, where):
    www, home = server
    target = www if where == "one level too high" else home
    before = files(www.parent)
    proc = run_deploy(site, rsync_to(f"{target}/"))
    assert proc.returncode != 0, proc.stdout
    message = proc.stderr
    assert f"DEPLOY_RSYNC_TARGET={target}/ already holds" in message
    assert ("other-site" if target == www else ".ssh, notes.txt") in message
    assert f"no {MARKER} file" in message and "Deploying would delete everything" in message
    assert "Fix: point DEPLOY_RSYNC_TARGET at the site's own folder" in message
    assert f"touch {target}/{MARKER}" in message
    # Nothing was touched: the other site and the key are there, byte for byte.
    assert files(www.parent) == before
    assert (home / ".ssh" / "authorized_keys").read_text().startswith("ssh-ed25519")
    assert not (site / MARKER).exists()  # refused before anything was written


def test_rsync_deploys_into_a_new_folder_then_again_into_the_marked_one(site, server):
    www, home = server
    target = www / "library"
    first = run_deploy(site, rsync_to(f"{target}/"))
    assert first.returncode == 0, first.stderr
    assert (target / "index.html").read_bytes() == (site / "index.html").read_bytes()
    assert (target / MARKER).is_file() and "Noticeboard" in (target / MARKER).read_text()
    # The next deploy goes into the marked folder: --delete removes what the site no
    # longer has, and never the marker.
    (site / "news" / "index.html").unlink()
    (target / "stale.html").write_text("old")
    second = run_deploy(site, rsync_to(target))  # with or without the trailing slash
    assert second.returncode == 0, second.stderr
    assert (target / MARKER).is_file()
    assert not (target / "stale.html").exists() and not (target / "news" / "index.html").exists()
    assert (target / "index.html.gz").exists()
    assert (www / "other-site" / "index.html").read_text() == "another site"
    assert (home / ".ssh" / "authorized_keys").exists()


def test_rsync_deploys_into_an_empty_folder_and_one_marked_by_hand(site, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_deploy(site, rsync_to(empty)).returncode == 0
    assert (empty / MARKER).is_file()
    old = tmp_path / "old-site"
    old.mkdir()
    (old / "old.html").write_text("the old site")
    refused = run_deploy(site, rsync_to(old))
    assert refused.returncode != 0 and (old / "old.html").exists()
    (old / MARKER).touch()  # the fix the message gives
    again = run_deploy(site, rsync_to(old))
    assert again.returncode == 0, again.stderr
    assert not (old / "old.html").exists() and (old / "index.html").exists()


FAKE_SSH = """#!/bin/sh
# A stand-in for ssh (no SSH server here): drop -l user and the host, run the command.
while [ "$1" = "-l" ]; do shift 2; done
shift
exec sh -c "$*"
"""


def test_a_remote_target_is_looked_at_through_rsync_like_the_deploy(site, server, tmp_path):
    """user@host:/path goes through rsync's remote shell, as over SSH."""
    www, home = server
    fake = tmp_path / "fake-ssh"
    fake.write_text(FAKE_SSH)
    fake.chmod(0o755)
    shell = {"RSYNC_RSH": str(fake)}
    refused = run_deploy(site, {**rsync_to(f"admin@server:{home}/"), **shell})
    assert refused.returncode != 0 and "already holds" in refused.stderr
    assert f"ssh admin@server touch {home}/{MARKER}" in refused.stderr
    assert (home / ".ssh" / "authorized_keys").exists()
    ok = run_deploy(site, {**rsync_to(f"admin@server:{www}/library/"), **shell})
    assert ok.returncode == 0, ok.stderr
    assert (www / "library" / MARKER).is_file() and (www / "library" / "index.html").is_file()
    again = run_deploy(site, {**rsync_to(f"admin@server:{www}/library"), **shell})
    assert again.returncode == 0, again.stderr


def test_rsync_to_a_file_or_an_unreadable_address_is_refused(site, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    proc = run_deploy(site, rsync_to(a_file))
    assert proc.returncode != 0
    assert "cannot look inside" in proc.stderr and "Not a directory" in proc.stderr
    assert a_file.read_text() == "x"


def test_deploy_check_looks_without_deploying(site, server, tmp_path):
    www, _ = server
    refused = run_deploy(site, rsync_to(www), "--check")
    assert refused.returncode != 0 and "already holds" in refused.stderr
    new = www / "library"
    ready = run_deploy(site, rsync_to(new), "--check")
    assert ready.returncode == 0 and "ready to deploy (rsync)" in ready.stdout
    assert not new.exists() and not (site / MARKER).exists()


# -- GitHub Pages --------------------------------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e",
}  # fmt: skip


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout.strip()  # fmt: skip


@pytest.fixture
def repo(tmp_path):
    """The library's checkout: the kit's files on main, a work branch, and a remote."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-q", "-b", "main", str(bare))
    work = tmp_path / "checkout"
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "pelicanconf.py").write_text('SITENAME = "Riverside Libraries"\n')
    git(work, "add", "pelicanconf.py")
    git(work, "commit", "-q", "-m", "The site")
    git(work, "branch", "spring-posts")
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main", "spring-posts")
    git(work, "remote", "set-head", "origin", "main")
    git(work, "checkout", "-q", "spring-posts")
    return work, bare


@pytest.mark.parametrize(
    ("branch", "why"),
    [
        ("spring-posts", "is the branch checked out here"),
        ("main", "is the default branch of origin"),
    ],
)
def test_ghp_refuses_the_branch_the_site_is_on(site, repo, branch, why):
    work, bare = repo
    before = git(bare, "rev-parse", "main")
    proc = run_deploy(site, {"DEPLOY_METHOD": "ghp", "DEPLOY_GHP_BRANCH": branch, **GIT_ENV},
                  cwd=work)  # fmt: skip
    assert proc.returncode != 0, proc.stdout
    assert f"DEPLOY_GHP_BRANCH={branch} {why}" in proc.stderr
    assert "Fix: remove DEPLOY_GHP_BRANCH from .env (the default is gh-pages)" in proc.stderr
    assert git(bare, "rev-parse", "main") == before
    assert git(bare, "show", "main:pelicanconf.py").startswith("SITENAME")
    assert git(work, "show", "spring-posts:pelicanconf.py").startswith("SITENAME")


def test_ghp_refuses_any_branch_with_the_kits_files(site, repo):
    work, bare = repo
    git(work, "branch", "old-main", "main")
    proc = run_deploy(site, {"DEPLOY_METHOD": "ghp", "DEPLOY_GHP_BRANCH": "old-main", **GIT_ENV},
                  cwd=work)  # fmt: skip
    assert proc.returncode != 0
    assert "has the kit's own files (pelicanconf.py in refs/heads/old-main)" in proc.stderr


def test_ghp_deploys_to_its_own_branch(site, repo):
    work, bare = repo
    env = {"DEPLOY_METHOD": "ghp", **GIT_ENV}
    assert run_deploy(site, env, "--check", cwd=work).returncode == 0
    proc = run_deploy(site, env, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "index.html" in git(bare, "ls-tree", "--name-only", "gh-pages").split()
    # Deploying again to gh-pages (now holding the site, not the kit) is still allowed.
    assert run_deploy(site, env, cwd=work).returncode == 0
    assert git(bare, "show", "main:pelicanconf.py").startswith("SITENAME")


# -- rsync is needed, and looked for before building -------------------------------------


def path_without_rsync(tmp_path) -> str:
    """A PATH with every program of this one but rsync."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            link, real = bin_dir / name, os.path.join(folder, name)
            if name != "rsync" and not link.exists() and os.access(real, os.X_OK):
                link.symlink_to(real)
    return str(bin_dir)


def test_deploy_without_rsync_says_how_to_install_it(site, tmp_path):
    path = path_without_rsync(tmp_path)
    proc = run_deploy(site, rsync_to(tmp_path / "www"), "--check", path=path)
    assert proc.returncode != 0
    assert "rsync is not installed, and DEPLOY_METHOD=rsync needs it" in proc.stderr
    assert "apt-get install rsync" in proc.stderr


def test_make_publish_looks_for_rsync_before_building(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    path = path_without_rsync(tmp_path)
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    out = tmp_path / "out"
    env = {**os.environ, **NO_DEPLOY}
    proc = subprocess.run(
        ["make", "--no-print-directory", "publish", f"INPUTDIR={content}", f"OUTPUTDIR={out}",
         f"SETTINGS={SAMPLE_SETTINGS}", f"PUBLISHCONF={SAMPLE_PUBLISH_SETTINGS}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**env, **rsync_to(tmp_path / "www"), "PATH": path,
             "SITEURL": "https://www.riverside-libraries.example"},
    )  # fmt: skip
    assert proc.returncode != 0
    assert "rsync is not installed" in proc.stderr
    # Stopped before the check and the build: nothing was built.
    assert not out.exists()
    assert "-m checks" not in proc.stdout and "build-publish" not in proc.stdout
