"""`make deploy`: copy output/ to the web server, the way DEPLOY_METHOD in .env says.

  DEPLOY_METHOD=rsync   DEPLOY_RSYNC_TARGET=user@host:/var/www/site/  (or a local folder)
  DEPLOY_METHOD=ghp     GitHub Pages: DEPLOY_GHP_REMOTE (origin), DEPLOY_GHP_BRANCH
                        (gh-pages), DEPLOY_GHP_CNAME (your own domain, optional)

Text files also get .gz and .br copies, for servers set up to send them pre-compressed.

Both methods replace everything at the target, so both refuse a target that is not the
site's own: rsync deploys only into a folder that is empty, does not exist yet, or has the
marker file (.noticeboard-site) an earlier deploy put there; GitHub Pages never replaces
the branch checked out here, the remote's default branch, or a branch with the kit's own
files. `deploy.py --check` makes these checks (and that rsync is installed) without
deploying: `make publish` runs it before building.
"""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import brotli
from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
# Written into every rsync deploy: a folder that has it holds a Noticeboard site.
MARKER = ".noticeboard-site"
MARKER_TEXT = (
    "This folder is a Noticeboard site. Each `make deploy` replaces everything in it\n"
    "(rsync --delete), and deploys only into a folder that has this file or is empty.\n"
)
# Files only the kit's own branch has: a GitHub Pages branch with them is the wrong one.
KIT_FILES = ("pelicanconf.py", "publishconf.py", "scripts/deploy.py")
SHOWN = 5  # entries of a refused folder named in the message
COMPRESS = {".html", ".css", ".js", ".xml", ".json", ".txt", ".svg", ".ics", ".xsl", ".map"}
MIN_SIZE = 512  # bytes: smaller files gain nothing


def precompress(folder: Path) -> int:
    """Write name.gz and name.br beside every text file worth compressing."""
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix not in COMPRESS or not path.is_file() or path.stat().st_size < MIN_SIZE:
            continue
        data = path.read_bytes()
        with (
            open(f"{path}.gz", "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
        ):  # mtime=0: the same input gives the same bytes
            gz.write(data)
        Path(f"{path}.br").write_bytes(brotli.compress(data, quality=11))
        count += 1
    return count


class Refused(Exception):
    """Deploying cannot or must not go ahead; the message says why and how to fix it."""


def check_rsync(target: str):
    """rsync is installed and the target is the site's own folder. Raises Refused."""
    if not target:
        raise Refused(
            "DEPLOY_RSYNC_TARGET is not set. Fix: add it to .env, "
            "e.g. DEPLOY_RSYNC_TARGET=user@host:/var/www/site/"
        )
    if not shutil.which("rsync"):
        raise Refused(
            "rsync is not installed, and DEPLOY_METHOD=rsync needs it. Fix: install it "
            "(apt-get install rsync, or your system's package manager), or change "
            "DEPLOY_METHOD in .env."
        )
    found = target_entries(target)
    if found is None or not found or MARKER in found:
        return
    shown = ", ".join(sorted(found)[:SHOWN]) + (", ..." if len(found) > SHOWN else "")
    folder = target.rstrip("/")
    raise Refused(
        f"DEPLOY_RSYNC_TARGET={target} already holds {len(found)} file(s) or folder(s) "
        f"({shown}) and no {MARKER} file, so it is not a folder an earlier deploy made. "
        "Deploying would delete everything in it that is not part of the site. "
        "Fix: point DEPLOY_RSYNC_TARGET at the site's own folder (an empty or new one, e.g. "
        f"{folder}/library-site/). If you are sure this folder holds only the old copy of "
        f"this site, create the marker by hand: {_touch(folder)}"
    )


def target_entries(target: str) -> set[str] | None:
    """The names in the target folder (local or user@host:), None if it does not exist.
    Asked of rsync itself, so a server is looked at exactly as the deploy will see it."""
    proc = subprocess.run(
        ["rsync", "--list-only", target.rstrip("/") + "/"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if proc.returncode != 0:
        if "No such file or directory" in proc.stderr:
            return None
        raise Refused(
            f"cannot look inside DEPLOY_RSYNC_TARGET={target}: "
            f"{' '.join(proc.stderr.split()) or f'rsync exit code {proc.returncode}'}. "
            "Fix: check the address, that you can log in there (ssh), and that it is a folder."
        )
    names = set()
    for line in proc.stdout.splitlines():
        parts = line.split(None, 4)
        if len(parts) == 5:
            name = parts[4].split(" -> ")[0] if parts[0].startswith("l") else parts[4]
            if name != ".":
                names.add(name)
    return names


def _touch(folder: str) -> str:
    host, colon, path = folder.partition(":")
    if colon and "/" not in host:
        return f"ssh {host} touch {path or '.'}/{MARKER}"
    return f"touch {folder}/{MARKER}"


def rsync(output: Path, target: str):
    """Make the target match output/ (after check_rsync). The marker goes into the site,
    so that every deploy leaves it at the target and --delete keeps it."""
    (output / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    cmd = [
        "rsync",
        "--recursive",
        "--links",
        "--times",
        "--compress",
        "--delete",
        "--checksum",
        "--human-readable",
        "--stats",
        f"{output}/",
        target,
    ]
    subprocess.run(cmd, check=True)


def check_ghp(remote: str, branch: str, repo: Path):
    """The branch is not one the kit's own files are on. Raises Refused."""
    fix = (
        "Fix: remove DEPLOY_GHP_BRANCH from .env (the default is gh-pages) or set it to a "
        "branch of its own, e.g. DEPLOY_GHP_BRANCH=gh-pages, and choose that branch in "
        "GitHub's Settings > Pages."
    )
    if _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD") == branch:
        raise Refused(
            f"DEPLOY_GHP_BRANCH={branch} is the branch checked out here, with the site's own "
            f"files: publishing would replace them with the built site. {fix}"
        )
    default = _git(repo, "symbolic-ref", "--quiet", "--short", f"refs/remotes/{remote}/HEAD")
    if default and default.removeprefix(f"{remote}/") == branch:
        raise Refused(
            f"DEPLOY_GHP_BRANCH={branch} is the default branch of {remote}: publishing would "
            f"replace it with the built site. {fix}"
        )
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
        for name in KIT_FILES:
            if _git(repo, "cat-file", "-e", f"{ref}:{name}") is not None:
                raise Refused(
                    f"DEPLOY_GHP_BRANCH={branch} has the kit's own files ({name} in {ref}): "
                    f"publishing would replace them with the built site. {fix}"
                )


def _git(repo: Path, *args) -> str | None:
    """git's output, or None if git says no (or is not there)."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def ghp(output: Path, remote: str, branch: str, cname: str):
    """Force-push output/ to the branch (after check_ghp)."""
    ghp_import = Path(sys.executable).parent / "ghp-import"
    cmd = [
        str(ghp_import),
        "--no-jekyll",
        "--push",
        "--force",
        "--remote",
        remote,
        "--branch",
        branch,
        "--message",
        "Publish the site",
    ]
    if cname:
        cmd += ["--cname", cname]
    subprocess.run([*cmd, str(output)], check=True)


def settings() -> dict:
    """The deploy settings from .env (or the environment, which wins), read once."""
    load_dotenv(ROOT / ".env", override=False)
    get = os.environ.get
    method = get("DEPLOY_METHOD", "").strip().lower()
    if method == "github-pages":
        method = "ghp"
    if method not in ("", "rsync", "ghp"):
        raise Refused(f"DEPLOY_METHOD={method!r} is not known. Fix: use rsync or ghp.")
    return {
        "method": method,
        "target": get("DEPLOY_RSYNC_TARGET", "").strip(),
        "remote": get("DEPLOY_GHP_REMOTE", "origin").strip() or "origin",
        "branch": get("DEPLOY_GHP_BRANCH", "gh-pages").strip() or "gh-pages",
        "cname": get("DEPLOY_GHP_CNAME", "").strip(),
    }


def check(config: dict):
    """Everything deploying needs that can be known before building."""
    if config["method"] == "rsync":
        check_rsync(config["target"])
    elif config["method"] == "ghp":
        check_ghp(config["remote"], config["branch"], Path.cwd())


def deploy(config: dict, output: Path):
    if not config["method"]:
        print("deploy: no DEPLOY_METHOD in .env: copy output/ to your web server yourself.")
        return
    if not (output / "index.html").exists():
        raise Refused(f"{output} has no index.html. Fix: run `make build-publish` first.")
    check(config)  # before touching output/: nothing is written for a refused deploy
    print(f"deploy: {precompress(output)} files pre-compressed (.gz, .br)")
    if config["method"] == "rsync":
        rsync(output, config["target"])
    else:
        ghp(output, config["remote"], config["branch"], config["cname"])
    print(f"deploy: done ({config['method']})")


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    only_check = "--check" in args
    output = Path(next((a for a in args if not a.startswith("--")), "output")).resolve()
    try:
        config = settings()
        if only_check:
            check(config)
            if config["method"]:
                print(f"deploy: ready to deploy ({config['method']})")
        else:
            deploy(config, output)
    except Refused as err:
        sys.exit(f"deploy: {err}")


if __name__ == "__main__":
    main()
