"""`make deploy`: copy output/ to the web server, the way DEPLOY_METHOD in .env says.

  DEPLOY_METHOD=rsync   DEPLOY_RSYNC_TARGET=user@host:/var/www/site/  (or a local folder)
  DEPLOY_METHOD=ghp     GitHub Pages: DEPLOY_GHP_REMOTE (origin), DEPLOY_GHP_BRANCH
                        (gh-pages), DEPLOY_GHP_CNAME (your own domain, optional)

Text files also get .gz and .br copies, for servers set up to send them pre-compressed.
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


def rsync(output: Path, target: str):
    if not target:
        sys.exit(
            "deploy: DEPLOY_RSYNC_TARGET is not set. Fix: add it to .env, "
            "e.g. DEPLOY_RSYNC_TARGET=user@host:/var/www/site/"
        )
    if not shutil.which("rsync"):
        sys.exit("deploy: rsync is not installed. Fix: apt-get install rsync")
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


def ghp(output: Path, remote: str, branch: str, cname: str):
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


def main(output="output"):
    load_dotenv(ROOT / ".env", override=False)
    method = os.environ.get("DEPLOY_METHOD", "").strip().lower()
    output = Path(output).resolve()
    if not method:
        print("deploy: no DEPLOY_METHOD in .env: copy output/ to your web server yourself.")
        return
    if not (output / "index.html").exists():
        sys.exit(f"deploy: {output} has no index.html. Fix: run `make build-publish` first.")
    print(f"deploy: {precompress(output)} files pre-compressed (.gz, .br)")
    if method == "rsync":
        rsync(output, os.environ.get("DEPLOY_RSYNC_TARGET", "").strip())
    elif method in ("ghp", "github-pages"):
        ghp(
            output,
            os.environ.get("DEPLOY_GHP_REMOTE", "origin").strip() or "origin",
            os.environ.get("DEPLOY_GHP_BRANCH", "gh-pages").strip() or "gh-pages",
            os.environ.get("DEPLOY_GHP_CNAME", "").strip(),
        )
    else:
        sys.exit(f"deploy: DEPLOY_METHOD={method!r} is not known. Fix: use rsync or ghp.")
    print(f"deploy: done ({method})")


if __name__ == "__main__":
    main(*sys.argv[1:2])
