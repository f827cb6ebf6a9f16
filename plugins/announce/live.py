"""Is the post live yet? Mastodon fetches the link card the moment a status is posted."""

import time

import requests


def wait_until_live(url, timeout, interval=5.0, request_timeout=10, sleep=time.sleep):
    """True once `url` answers 200, polling for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = requests.get(url, timeout=request_timeout, allow_redirects=True)
            if response.status_code == 200:
                return True
        except requests.RequestException:
            pass
        if time.monotonic() + interval > deadline:
            return False
        sleep(interval)
