"""The real servers the announce tests run on 127.0.0.1, as pytest fixtures (a plugin
named in conftest.py), each reset to an empty account for every test."""

import pytest
from announce_helpers import Workspace
from contracts.meta import FacebookGraph, InstagramGraph, ThreadsGraph
from contracts.x_api import XApi
from servers import BskyNetwork, MastodonMock, Pds, Recorder, SmtpServer


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path)


@pytest.fixture
def webhook():
    server = Recorder()
    yield server
    server.close()


@pytest.fixture(scope="session")
def mastodon_server(tmp_path_factory):
    server = MastodonMock(tmp_path_factory.mktemp("mastodon"))
    yield server
    server.close()


@pytest.fixture
def mastodon(mastodon_server):
    """A fresh account state for each test (statuses deleted, faults cleared)."""
    mastodon_server.clear_faults()
    for token in (mastodon_server.token, *mastodon_server.tokens.values()):
        while statuses := mastodon_server.statuses(token):
            for status in statuses:
                mastodon_server.api("DELETE", f"/api/v1/statuses/{status['id']}", token=token)
    return mastodon_server


@pytest.fixture
def smtp_server(tmp_path):
    server = SmtpServer(tmp_path)
    yield server
    server.close()


@pytest.fixture(scope="session")
def pds_server(tmp_path_factory):
    server = Pds(tmp_path_factory.mktemp("pds"))
    yield server
    server.close()


@pytest.fixture
def pds(pds_server):
    for record in pds_server.xrpc(
        "com.atproto.repo.listRecords",
        query=f"?repo={pds_server.did}&collection=app.bsky.feed.post&limit=100",
    )["records"]:
        rkey = record["uri"].rsplit("/", 1)[1]
        pds_server.xrpc_auth(
            "com.atproto.repo.deleteRecord",
            {"repo": pds_server.did, "collection": "app.bsky.feed.post", "rkey": rkey},
        )
    return pds_server


def x_env(server, url=None):
    return {
        "X_API_KEY": server.consumer_key,
        "X_API_SECRET": server.consumer_secret,
        "X_ACCESS_TOKEN": server.token,
        "X_ACCESS_SECRET": server.token_secret,
        "X_API_URL": url or server.url,
    }


def webhook_env(server, preset="json"):
    return {"WEBHOOK_URL": server.url + "/hook/secret-token-abc123", "WEBHOOK_PRESET": preset}


def mastodon_env(server, url=None):
    return {"MASTODON_API_BASE_URL": url or server.url, "MASTODON_ACCESS_TOKEN": server.token}


def bluesky_env(server, url=None):
    return {
        "BLUESKY_HANDLE": server.handle,
        "BLUESKY_APP_PASSWORD": server.password,
        "BLUESKY_SERVICE": url or server.url,
    }


# ---- contract servers (tests/contracts/), started once, fresh for every test -------------


@pytest.fixture(scope="session")
def contract_servers():
    started = {}
    yield started
    for server in started.values():
        server.close()


def _fresh(started, kind):
    """The contract server of `kind`, with an empty account, valid keys and no faults."""
    server = started.get(kind) or started.setdefault(kind, kind())
    server.resume()  # a test that paused it leaves it listening for the next
    server.reset()
    yield server
    server.resume()
    assert not server.crashes, "the contract server itself failed:\n" + "\n".join(server.crashes)


@pytest.fixture
def facebook(contract_servers):
    yield from _fresh(contract_servers, FacebookGraph)


@pytest.fixture
def instagram(contract_servers):
    yield from _fresh(contract_servers, InstagramGraph)


@pytest.fixture
def threads(contract_servers):
    yield from _fresh(contract_servers, ThreadsGraph)


@pytest.fixture
def x(contract_servers):
    yield from _fresh(contract_servers, XApi)


def facebook_env(server, url=None):
    return {
        "FACEBOOK_PAGE_ID": server.PAGE_ID,
        "FACEBOOK_PAGE_TOKEN": server.token,
        "FACEBOOK_GRAPH_URL": url or server.url,
    }


def instagram_env(server, url=None):
    return {
        "INSTAGRAM_USER_ID": server.USER_ID,
        "INSTAGRAM_TOKEN": server.token,
        "INSTAGRAM_GRAPH_URL": url or server.url,
    }


def threads_env(server, url=None):
    return {
        "THREADS_USER_ID": server.USER_ID,
        "THREADS_TOKEN": server.token,
        "THREADS_GRAPH_URL": url or server.url,
    }


# ---- a whole Bluesky network with an AppView (the listen tests) -----------------------------


@pytest.fixture(scope="session")
def bsky_network(tmp_path_factory):
    """PLC, PDS, AppView and Ozone (@atproto/dev-env) on a private PostgreSQL, started
    once; each test makes its own accounts (`bsky_network.account("ann")`)."""
    network = BskyNetwork(tmp_path_factory.mktemp("bsky-network"))
    yield network
    network.close()
