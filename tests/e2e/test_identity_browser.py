"""The province's central login in Chromium: the button on the login page, the certified OpenID
provider's own login page (the `oidc-provider` npm package, tests/support/identity.py), and back
in the portal on the person's work; logging out of the portal, then out of the provider
through the link the portal offers; an identity without an account told whom to ask."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..support.browser import serve
from ..support.identity import provider_available, start_provider
from ..support.marks import require
from ..support.servers import free_port

BUTTON = "Đăng nhập bằng tài khoản dùng chung"


@pytest.fixture(scope="module")
def provider_and_portal(tmp_path_factory):
    require(provider_available(), "node or the OpenID provider of tests/support/oidc_provider "
            "is missing (make e2e-tools)")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    provider = start_provider(tmp_path_factory.mktemp("oidc"), [base_url])
    try:
        with serve(tmp_path_factory, port=port, **provider.settings(base_url)) as server:
            yield provider, server
    finally:
        provider.stop()


@pytest.fixture(autouse=True)
def nothing_from_elsewhere(page):
    """The provider's development login page imports a web font from the internet, which this
    machine cannot reach: such a request is refused at once, so that the page settles instead of
    waiting on it (its Sign-in button was once not stable within the click's 5 s)."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())


def sign_in_at_provider(page, provider, login: str) -> None:
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("mat-khau-o-may-chu-xac-thuc")
    page.get_by_role("button", name="Sign-in").click()


def test_a_ward_logs_in_with_the_provinces_login_and_out_of_both(page, provider_and_portal,
                                                                 browser_log):
    provider, server = provider_and_portal
    page.goto(f"{server.url}/login")
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_provider(page, provider, "phuong1")
    # Back in the portal, on the work of Phường 1's head.
    expect(page).to_have_url(f"{server.url}/my-work")
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    expect(page.locator(".who")).to_contain_text("Phường 1")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(f"{server.url}/login")
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    page.get_by_role("link", name="Đăng xuất khỏi tài khoản dùng chung").click()
    # The provider asks to confirm its own logout, then sends the browser back to the portal.
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/session/end"))
    page.get_by_role("button", name=re.compile("sign me out", re.I)).click()
    expect(page).to_have_url(re.compile(re.escape(server.url) + "/login"))
    # Logged out there too: the button leads to the provider's login page again.
    page.get_by_role("link", name=BUTTON).click()
    expect(page.locator('input[name="login"]')).to_be_visible()
    assert browser_log.page_errors == []


def test_an_identity_without_an_account_is_told_whom_to_ask(page, provider_and_portal):
    provider, server = provider_and_portal
    page.goto(f"{server.url}/login")
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_provider(page, provider, "canbo.moi")
    expect(page).to_have_url(re.compile(re.escape(server.url) + "/login/oidc/callback"))
    expect(page.get_by_role("alert")).to_contain_text("chưa có tài khoản trên cổng")
    expect(page.get_by_role("alert")).to_contain_text(server.app.config["ACCOUNT_CONTACT"])
