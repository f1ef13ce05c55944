"""A certified OpenID provider for the tests: the `oidc-provider` npm package
(tests/support/oidc_provider/, installed by `make e2e-tools` with `npm ci`), started by Node on a
free port of 127.0.0.1 with the portal's client registered, and `sign_in`, which goes through its
login page as a browser would (without JavaScript: forms and redirects) up to the moment it sends
the browser back to the portal."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx

from .servers import free_port, wait_until_listening

FOLDER = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "cong-cchc"
CLIENT_SECRET = "bi-mat-cua-cong-cchc-dung-cho-thu-nghiem"


def provider_available() -> bool:
    return shutil.which("node") is not None and (FOLDER / "node_modules" / "oidc-provider").is_dir()


@dataclass
class Provider:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, base_url: str) -> dict:
        """The portal's settings for this provider, the portal served at `base_url`."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "BASE_URL": base_url}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_provider(root: Path, base_urls: list[str], code_ttl: int = 60) -> Provider:
    """The provider, with the portal's client allowed back to each of `base_urls`."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    client = {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{base}/login/oidc/callback" for base in base_urls],
        "post_logout_redirect_uris": [f"{base}/login" for base in base_urls],
    }
    environment = os.environ | {"PORT": str(port), "CLIENTS": json.dumps([client]),
                                "CODE_TTL": str(code_ttl)}
    log = root / "oidc-provider.log"
    with log.open("w") as out:
        process = subprocess.Popen(["node", str(FOLDER / "server.js")], cwd=FOLDER,
                                   env=environment, stdout=out, stderr=subprocess.STDOUT)
    provider = Provider(port, process, log)
    wait_until_listening(process, port, log, "oidc-provider", provider.stop, 30)
    return provider


FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def sign_in(authorize_url: str, login: str, back_to: str,
            browser: httpx.Client | None = None) -> str:
    """Follow the provider from its authorization URL through its login page, signing in as
    `login`, until it redirects to a URL starting with `back_to` (the portal's callback), which
    is returned. `browser` keeps the provider's cookies between calls (its own session)."""
    browser = browser or httpx.Client(timeout=10)
    response = browser.get(authorize_url)
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["Location"])
            if location.startswith(back_to):
                return location
            response = browser.get(location)
            continue
        found = FORM.search(response.text)
        assert found, response.text[:2000]
        action, body = urljoin(str(response.url), unescape(found.group(1))), found.group(2)
        data = {name: unescape(value) for name, value in HIDDEN.findall(body)}
        if 'name="login"' in body:
            data |= {"login": login, "password": "bat-ky-mat-khau"}
        response = browser.post(action, data=data)
    raise AssertionError("the provider never sent the browser back")
