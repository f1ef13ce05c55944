"""Clients of the portal under test, as its users' browsers: `PortalClient` (Flask's test client
carrying the session and its CSRF token), `login_as(app)` (clients logged in as demo accounts),
`Browser` (the same over real HTTP, for a portal served by gunicorn) and PASSWORD, the demo
accounts' password."""

from __future__ import annotations

import io
import re

import httpx

PASSWORD = "mat-khau-demo-2023"


class PortalClient:
    """Flask's test client as a user's browser: it carries the session and its CSRF token."""

    def __init__(self, client):
        self.client = client
        self._token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            html = self.client.get("/login").get_data(as_text=True)
            if 'name="csrf-token"' not in html:  # logged in: /login redirects
                # home: a redirect, but for an account awaiting its rights, which sees only there
                html = self.client.get("/").get_data(as_text=True)
            if 'name="csrf-token"' not in html:
                html = self.client.get("/account/password").get_data(as_text=True)
            self._token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        return self._token

    def get(self, url: str, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url: str, data: dict | None = None, htmx: bool = False, csrf: bool = True,
             **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token())
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def upload(self, item_id: int, content: bytes, name: str, htmx: bool = True):
        """Attach a file to an item through the upload form."""
        return self.post(f"/items/{item_id}/files", {"file": (io.BytesIO(content), name)},
                         htmx=htmx, content_type="multipart/form-data")

    def login(self, username: str, password: str = PASSWORD):
        response = self.post("/login", {"username": username, "password": password})
        self._token = None  # the session is new after login
        return response


def login_as(app):
    def make(username: str) -> PortalClient:
        client = PortalClient(app.test_client())
        response = client.login(username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return make


def client_at(app, address: str) -> PortalClient:
    """A browser on a given machine (REMOTE_ADDR) of the office network."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return PortalClient(client)


class Browser:
    def __init__(self, port: int):
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        self.token = ""

    def try_login(self, username: str, password: str) -> httpx.Response:
        page = self.http.get("/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self.http.post("/login", data={"username": username, "password": password,
                                              "csrf_token": token})

    def login(self, username: str) -> None:
        response = self.try_login(username, PASSWORD)
        assert response.status_code == 303, response.text
        page = self.http.get("/account/password").text
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
