"""Commit the announce ledger and push it, for the scheduled Publish workflow.

  python scripts/push_ledger.py [--ledger content/announce-ledger.jsonl]
                                [--also content/listen-state.jsonl]
                                [--remote origin] [--branch main] [--attempts 5]

The ledger is how the next run knows which posts were already announced, so it must
reach the repository. When someone pushed meanwhile, the push is rejected: the script
fetches, merges (never rebases; .gitattributes gives the ledger git's union merge, so
both sides' lines are kept) and pushes again, waiting a little longer each time.
Anything it cannot settle alone (a conflict in another file, a push that keeps failing)
stops it with a message saying the ledger was NOT pushed and what to do by hand.
The commit uses the git identity already configured (the workflow sets one).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

MESSAGE = "Announce ledger: record what was sent"


class GitError(Exception):
    """A git command failed; its output has been printed already."""


def git(*args: str, check=True, quiet=False) -> subprocess.CompletedProcess:
    """Run git, print its output when it fails (unless `quiet`: a question whose answer
    is the exit code), raise GitError if `check`."""
    proc = subprocess.run(["git", *args], capture_output=True, text=True)
    if proc.returncode != 0 and not quiet:
        print(
            f"announce ledger: `git {' '.join(args)}` failed (exit {proc.returncode}):",
            file=sys.stderr,
        )
        for text in (proc.stdout, proc.stderr):
            if text.strip():
                print("  " + text.strip().replace("\n", "\n  "), file=sys.stderr)
        if check:
            raise GitError(args[0])
    return proc


def ledger_paths(ledger: Path) -> list[str]:
    """The ledger and the old .json ledger beside it, the ones git can add: on disk, or
    tracked (a deleted file is staged as a deletion)."""
    return [
        p for path in dict.fromkeys([ledger, ledger.with_suffix(".json")]) for p in present(path)
    ]


def present(path: Path) -> list[str]:
    """[path] if git can add it (on disk, or tracked: a deletion), else []."""
    return [str(path)] if path.exists() or git("ls-files", "--", str(path)).stdout.strip() else []


def commit(paths: list[str]) -> str | None:
    """Stage and commit the ledger files: the new commit, or None when nothing is new."""
    if not paths:
        return None
    git("add", "--all", "--", *paths)
    if git("diff", "--cached", "--quiet", "--", *paths, check=False, quiet=True).returncode == 0:
        return None
    git("commit", "--quiet", "-m", MESSAGE, "--", *paths)
    return git("rev-parse", "HEAD").stdout.strip()


def merging() -> bool:
    return git("rev-parse", "-q", "--verify", "MERGE_HEAD", check=False, quiet=True).returncode == 0


def merge_remote(remote: str, branch: str) -> bool:
    """Fetch and merge what others pushed; False (merge aborted) on a conflict."""
    git("fetch", "--quiet", remote, branch)
    if git("merge", "--no-edit", f"{remote}/{branch}", check=False).returncode == 0:
        return True
    if merging():
        git("merge", "--abort", check=False)
    return False


def push(remote: str, branch: str, attempts: int) -> str | None:
    """Push, merging and retrying when rejected. None when pushed, else why not."""
    for attempt in range(1, attempts + 1):
        try:
            if attempt > 1:
                wait = 2 ** (attempt - 2)  # 1 s, 2 s, 4 s...
                print(
                    f"announce ledger: push rejected; merging and retrying in {wait} s", flush=True
                )
                time.sleep(wait)
                if not merge_remote(remote, branch):
                    return f"merging {remote}/{branch} failed, see above (merge aborted)"
            if git("push", "--quiet", remote, f"HEAD:refs/heads/{branch}", check=False).returncode:
                continue
            return None
        except GitError as err:
            if attempt == attempts:
                return f"`git {err}` failed"
    return f"the push failed {attempts} times"


def added_lines(commit: str, ledger: Path) -> list[str]:
    """The ledger lines `commit` added, for adding them by hand."""
    proc = git("diff", "--unified=0", f"{commit}~1", commit, "--", str(ledger), check=False)
    return [
        line[1:]
        for line in proc.stdout.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]


def fail(reason: str, args, commit: str | None = None):
    """Say loudly that the ledger was not pushed, and what to do; exit 1."""
    ledger, where = args.ledger, f"{args.remote}/{args.branch}"
    lines = added_lines(commit, ledger) if commit else []
    bar = "!" * 78
    print(
        f"\n{bar}\n"
        f"announce ledger: the ledger was NOT pushed: {reason}.\n"
        f"The posts this run announced were sent, but {where} does not say so: the next\n"
        "run would not know these posts were sent and would announce them again.\n"
        "Fix it before the next run:\n"
        "  on the computer that ran this: pull, resolve, push by hand: git pull && git push\n"
        f"  on CI (the runner is gone): add the lines printed below to {ledger},\n"
        "  commit and push.\n"
        f"{bar}",
        file=sys.stderr,
    )
    for line in lines:
        print(line, file=sys.stderr)
    sys.exit(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", default="content/announce-ledger.jsonl", type=Path)
    also = "another append-only file to commit with it (the listen state)"
    parser.add_argument("--also", action="append", default=[], type=Path, help=also)
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--attempts", default=5, type=int)
    args = parser.parse_args(argv)
    try:
        committed = commit(
            ledger_paths(args.ledger) + [p for a in args.also for p in ledger_paths(a)]
        )
    except GitError as err:
        fail(f"`git {err}` failed before pushing", args)
    if not committed:
        print("announce ledger: nothing new to commit")
        return
    reason = push(args.remote, args.branch, max(1, args.attempts))
    if reason:
        fail(reason, args, committed)
    print(f"announce ledger: pushed to {args.remote}/{args.branch}")


if __name__ == "__main__":
    main()
