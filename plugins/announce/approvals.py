"""Approval before anything goes out (ANNOUNCE_APPROVERS).

An approval is a line in `content/approvals/<post file>.jsonl` holding the hash of
one channel's exact message. It counts only when git shows it was committed by an
approver (author and committer), signed when ANNOUNCE_APPROVAL_SIGNED asks for it.
Any change to what would go out changes the hash, so an edited post waits again.

The pure parts (the hash, reading the file, the verdict) take what git said as data;
`Git` asks git, with a timeout, in the repository that holds the approvals folder.
"""

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr

AWAITING = "awaiting approval"
GIT_TIMEOUT = 30  # seconds for any one git command
NOT_COMMITTED = "0" * 40  # git blame's name for a line not committed yet
TEXT_SHOWN = 80  # characters of the message kept in the line, for people reading the file

# Values in Message.extra that change what goes out (the rest are made by prepare()
# from what is hashed already: uploads, thumbnails).
EXTRA_SENT = ("subject", "photo", "fetched")


class ApprovalError(Exception):
    """Approving cannot go ahead: says what and how to fix it."""


# -- the hash: pure, but for reading the picture's bytes ------------------------------------


def file_digest(path: str) -> str:
    """sha256 of a file's bytes ("missing" when it cannot be read): a changed picture
    under the same name is a changed message."""
    if not path:
        return ""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 16), b""):
                digest.update(block)
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


_DIGESTS: dict = {}


def canonical(message) -> dict:
    """Everything in a composed message that changes what goes out: the channel, the
    text, the link, the card, the picture (its bytes, not its name) and its alt text,
    and the channel's extras (an email's subject, the picture address Meta fetches,
    Facebook's photo post). Not the notes, the length or the limit."""
    card = {k: message.card.get(k, "") for k in ("title", "uri", "description")}
    card["thumb"] = file_digest(message.card.get("thumb", ""))
    image = None
    if message.image:
        image = {"sha256": file_digest(message.image[0]), "alt": message.image[1]}
    extra = {k: message.extra[k] for k in EXTRA_SENT if message.extra.get(k)}
    # The post's picture, which a network may show from the page's own tags (Facebook's
    # link card) even where the message carries none: a new picture needs a new approval.
    extra["page_picture"] = file_digest(message.extra.get("page_picture", ""))
    return {
        "channel": message.channel,
        "text": message.text,
        "url": message.url,
        "card": card if message.card else {},
        "image": image,
        "extra": extra,
    }


def message_hash(message) -> str:
    """sha256 (hex) of the message's canonical JSON."""
    data = json.dumps(canonical(message), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# -- the approval file -------------------------------------------------------------------


def approval_path(folder: str, post) -> str:
    """content/approvals/posts/x.md.jsonl for the post posts/x.md."""
    return os.path.join(folder, *post.file.split("/")) + ".jsonl"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as git blame counts
    data: dict

    @property
    def approver(self) -> str:
        return str(self.data.get("approver") or "someone")

    @property
    def day(self) -> str:
        return str(self.data.get("time") or "")[:10] or "an unknown date"


def parse_lines(text: str) -> tuple[list[Line], list[int]]:
    """(the approvals, the numbers of lines that are not one) in a file's text."""
    lines, bad = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            bad.append(number)
            continue
        if isinstance(data, dict) and isinstance(data.get("hash"), str):
            lines.append(Line(number, data))
        else:
            bad.append(number)
    return lines, bad


def read_lines(path: str) -> tuple[list[Line], list[int]]:
    try:
        with open(path, encoding="utf-8") as f:
            return parse_lines(f.read())
    except FileNotFoundError:
        return [], []


def new_line(post, message, approver: str, now=None) -> dict:
    now = now or datetime.now(UTC)
    return {
        "post": post.file,
        "channel": message.channel,
        "hash": message_hash(message),
        "approver": approver,
        "time": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "text": " ".join(message.text.split())[:TEXT_SHOWN],
        "kind": post.kind,  # an event's reminder is a message of its own
    }


# -- deciding: pure, given what git said about each line -----------------------------------


GITHUB = "noreply@github.com"  # the committer of merges and rebases made on github.com


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str  # emails, as git has them
    committer: str


@dataclass(frozen=True)
class Signature:
    good: bool
    signer: str = ""  # the key's owner as git names it (an email for SSH keys)
    why: str = ""  # when not good: git's own words


@dataclass(frozen=True)
class Verdict:
    approved: bool
    reason: str = ""  # when not approved: why, ending with the fix


def emails(approvers) -> set[str]:
    return {parseaddr(a)[1].lower() or a.lower() for a in approvers}


def decide(
    lines,
    bad,
    post,
    channel: str,
    digest: str,
    commits: dict,
    approvers,
    signed: bool,
    signatures: dict,
    where: str,
    no_git: str = "",
) -> Verdict:
    """Whether `channel`'s message for `post` (its hash `digest`) is approved by the
    lines of the approval file `where`. `commits` maps a line number to the Commit that
    added it (None: not committed); `signatures` a commit's sha to its Signature.
    `no_git` says why nothing can be committed (the site is not in git)."""
    allowed = emails(approvers)
    kind = post.kind
    mine = [
        line
        for line in lines
        if line.data.get("post") == post.file
        and line.data.get("channel") == channel
        # a line without a kind (written by hand) is about the post, not its reminder
        and line.data.get("kind", None if kind == "reminder" else kind) == kind
    ]
    exact = [line for line in mine if line.data["hash"] == digest]
    refusals = []
    for line in exact:
        commit = commits.get(line.number)
        if no_git:
            refusals.append(f"{where}:{line.number}: approved by {line.approver} but {no_git}")
            continue
        if commit is None or commit.sha == NOT_COMMITTED:
            refusals.append(
                f"{where}:{line.number}: approved by {line.approver} but not committed, and "
                f"only a committed approval counts. Fix: commit {where} (git commit)"
            )
            continue
        # The author is who approved. The committer is an approver too, or GitHub
        # itself when a pull request is merged or rebased on github.com (its web-flow
        # identity); the signed setting is what makes either proof against a forged name.
        outsiders = [
            f"{role} {email}"
            for role, email in (("author", commit.author), ("committer", commit.committer))
            if email.lower() not in allowed | ({GITHUB} if role == "committer" else set())
        ]
        if outsiders:
            refusals.append(
                f"{where}:{line.number}: the approval was committed ({commit.sha[:10]}) by "
                f"{' and '.join(outsiders)}, not in ANNOUNCE_APPROVERS, so it does not count. "
                "Fix: an approver runs make approve"
            )
            continue
        if signed:
            signature = signatures.get(commit.sha)
            if signature is None or not signature.good:
                why = f" ({signature.why})" if signature and signature.why else ""
                refusals.append(
                    f"{where}:{line.number}: the approval commit {commit.sha[:10]} by "
                    f"{commit.author} is not signed by a key git trusts{why}, and "
                    "ANNOUNCE_APPROVAL_SIGNED requires it. Fix: the approver sets up commit "
                    "signing (git config commit.gpgsign true) and runs make approve again"
                )
                continue
            signer = parseaddr(signature.signer)[1].lower() or signature.signer.lower()
            if signer not in allowed:
                refusals.append(
                    f"{where}:{line.number}: the approval commit {commit.sha[:10]} is signed by "
                    f"{signature.signer or 'a key git cannot name'}, not in ANNOUNCE_APPROVERS, "
                    "so it does not count. Fix: an approver runs make approve with their own "
                    "signing key (and the announcing computer lists it: gpg.ssh.allowedSignersFile)"
                )
                continue
        return Verdict(True)
    if refusals:
        return Verdict(False, refusals[-1])
    if no_git and not mine:
        return Verdict(False, f"no approval yet, and {no_git}")
    if mine:
        last = mine[-1]
        return Verdict(
            False,
            f"the message changed since {last.approver} approved it on {last.day} "
            f"({where}:{last.number}): what goes out must be what was approved. "
            "Fix: approve the new text",
        )
    unreadable = f" ({where}: line {', '.join(map(str, bad))} is not an approval)" if bad else ""
    return Verdict(False, f"no approval yet{unreadable}")


def approve_command(post, channel: str = "") -> str:
    return f"make approve POST={post.source}" + (f" CHANNEL={channel}" if channel else "")


# -- git: I/O -------------------------------------------------------------------------


class Git:
    """git, run in the repository that holds `folder`, each command with a timeout.
    `root` is None when there is no repository: then nothing counts as committed."""

    def __init__(self, folder: str, timeout: float = GIT_TIMEOUT):
        self.timeout = timeout
        self.cwd = _existing(folder)
        self.blames: dict[str, dict] = {}  # file -> {line number: Commit}, per run
        self.signatures: dict[str, Signature] = {}
        found = self._run("rev-parse", "--show-toplevel", check=False)
        self.root = found.stdout.strip() if found.returncode == 0 else None

    def _run(self, *args, cwd=None, check=True):
        try:
            proc = subprocess.run(
                ["git", *args],
                cwd=cwd or self.cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                env={**os.environ, "LC_ALL": "C"},
            )
        except FileNotFoundError:
            raise ApprovalError(
                "approvals need git, and git is not installed. Fix: install git."
            ) from None
        except subprocess.TimeoutExpired:
            raise ApprovalError(
                f"git {args[0]} took more than {self.timeout:.0f} s in {cwd or self.cwd}. "
                "Fix: run it by hand to see why, then try again."
            ) from None
        if check and proc.returncode != 0:
            raise ApprovalError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc

    @property
    def missing(self) -> str:
        """Why no approval can count here, or ""."""
        if self.root:
            return ""
        return (
            f"approvals need git: {self.cwd} is not in a git repository, so no approval can "
            "be committed or checked. Fix: keep the site in git (git init, then commit it)"
        )

    def blame(self, path: str) -> dict:
        """{line number: Commit} for the file's lines (sha NOT_COMMITTED for a line not
        committed); {} for a file git does not track yet. Asked once per file per run."""
        key = os.path.abspath(path)
        if key not in self.blames:
            self.blames[key] = self._blame(key) if self.root and os.path.isfile(key) else {}
        return self.blames[key]

    def _blame(self, path):
        folder, name = os.path.split(path)
        tracked = self._run("ls-files", "--error-unmatch", "--", name, cwd=folder, check=False)
        head = self._run("rev-parse", "--verify", "-q", "HEAD", cwd=folder, check=False)
        if tracked.returncode != 0 or head.returncode != 0:
            return {}
        found = self._run("blame", "--porcelain", "--", name, cwd=folder, check=False)
        if found.returncode != 0:
            if "no such path" in found.stderr:  # added, never committed
                return {}
            raise ApprovalError(f"git blame {path} failed: {found.stderr.strip()}")
        return parse_blame(found.stdout)

    def signature(self, sha: str) -> Signature:
        if sha not in self.signatures:
            checked = self._run("verify-commit", sha, check=False)
            if checked.returncode != 0:
                lines = (checked.stderr or checked.stdout).strip().splitlines()
                why = lines[-1] if lines else "no signature"
                self.signatures[sha] = Signature(False, why=why)
            else:
                signer = self._run("log", "-1", "--format=%GS", sha).stdout.strip()
                self.signatures[sha] = Signature(True, signer=signer)
        return self.signatures[sha]

    def identity(self) -> tuple[str, str]:
        """(user.name, user.email) from git config, as a commit would record them."""
        name = self._run("config", "user.name", check=False).stdout.strip()
        email = self._run("config", "user.email", check=False).stdout.strip()
        return name, email

    def commit(self, path: str, message: str) -> str:
        """Commit just `path` (signed if the user's git config signs): the new sha."""
        folder, name = os.path.split(os.path.abspath(path))
        self._run("add", "--", name, cwd=folder)
        self._run("commit", "-q", "-m", message, "--", name, cwd=folder)
        return self._run("rev-parse", "HEAD", cwd=folder).stdout.strip()


def parse_blame(text: str) -> dict:
    """{final line number: Commit} from `git blame --porcelain`."""
    headers: dict[str, dict] = {}
    found, sha, final = {}, None, 0
    header = re.compile(r"^([0-9a-f]{40}) \d+ (\d+)(?: \d+)?$")
    for raw in text.split("\n"):
        if raw.startswith("\t"):
            if sha:
                found[final] = sha
            continue
        match = header.match(raw)
        if match:
            sha, final = match.group(1), int(match.group(2))
            headers.setdefault(sha, {})
        elif sha and " " in raw:
            key, value = raw.split(" ", 1)
            if key in ("author-mail", "committer-mail"):
                headers[sha][key] = value.strip().strip("<>")
    return {
        number: Commit(s, headers[s].get("author-mail", ""), headers[s].get("committer-mail", ""))
        for number, s in found.items()
    }


def _existing(folder: str) -> str:
    """The folder, or its nearest parent that exists (approvals may not be made yet)."""
    folder = os.path.abspath(folder)
    while not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    return folder


# -- one run's approvals ------------------------------------------------------------------


class Approvals:
    """The approvals folder and git, asked once per file per run."""

    def __init__(self, folder: str, approvers, signed: bool, git=None):
        self.folder, self.approvers, self.signed = folder, tuple(approvers), signed
        self.git = git or Git(folder)
        self.files: dict[str, tuple] = {}

    def path(self, post) -> str:
        return approval_path(self.folder, post)

    def where(self, post) -> str:
        return os.path.relpath(self.path(post)).replace(os.sep, "/")

    def verdict(self, post, message) -> Verdict:
        path = self.path(post)
        if path not in self.files:
            self.files[path] = read_lines(path)
        lines, bad = self.files[path]
        digest = message_hash(message)
        commits = self.git.blame(path) if lines else {}
        signatures = {}
        if self.signed:  # only the commits of lines approving this very message
            for line in lines:
                commit = commits.get(line.number)
                if line.data["hash"] == digest and commit and commit.sha != NOT_COMMITTED:
                    signatures[commit.sha] = self.git.signature(commit.sha)
        return decide(
            lines,
            bad,
            post,
            message.channel,
            digest,
            commits,
            self.approvers,
            self.signed,
            signatures,
            self.where(post),
            no_git=self.git.missing,
        )

    def approved_message(self, channel, post, message):
        """(the message to send, "") when approved, else (message, why it waits).

        An approver's computer rarely has the channel's keys, so `make approve` may have
        composed with the network's default limits (Mastodon: 500 characters) where this
        run read the instance's own. The message composed that way is the one to send
        when it is the one approved and fits: what goes out is exactly what was approved."""
        waiting = self.waiting(post, message)
        if not waiting:
            return message, ""
        offline = type(channel)(channel.config, channel.settings, channel.environ).compose(post)
        if offline.text != message.text and not self.waiting(post, offline):
            offline.length, offline.limit = channel.count(offline.text), channel.limit
            if offline.limit is None or offline.length <= offline.limit:
                return offline, ""
        return message, waiting

    def waiting(self, post, message) -> str:
        """ "" when approved; else why not, and the command that approves it."""
        verdict = self.verdict(post, message)
        if verdict.approved:
            return ""
        return f"{verdict.reason}. Approve: {approve_command(post, message.channel)}"
