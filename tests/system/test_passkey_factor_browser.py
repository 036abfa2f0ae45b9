"""A passkey as the second factor on the account page, in Chromium with a virtual
authenticator against a real server: the password of a passkey-only account leads to the
passkey, not to a code form that could never pass; with TOTP as well both are offered; and
"confirm it is you" takes the passkey."""

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium
from tests.factories import PASSWORD, previous_step_code
from tests.servers import Server, services_env
from tests.system.test_passkeys_browser import sign_in_and_add_a_passkey, virtual_authenticator

pytestmark = pytest.mark.processes


@pytest.fixture
def server(tmp_path):
    server = Server(services_env(tmp_path, FLASK_JWT_COOKIE_SECURE="false"))
    # Browsers allow passkeys on localhost (a secure context), never on an IP address.
    server.env["PUBLIC_URL"] = f"http://localhost:{server.port}"
    with server:
        body = {"username": "alice", "password": PASSWORD}
        assert server.request("POST", "/register", body=body)[0] == 201
        yield server


@pytest.fixture
def page():
    with chromium() as browser:
        yield browser.new_page()


def password_step(page: Page, server: Server) -> None:
    page.goto(f"http://localhost:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")


def sign_out(page: Page) -> None:
    page.click("#signout")
    # Done before the next navigation, which would cancel the logout under way.
    expect(page.locator("#signin")).to_be_visible()


def make_stale(page: Page) -> None:
    """A refresh, as the page does when the access token expires: the new one is not fresh."""
    status = page.evaluate(
        """async () => {
            const csrf = document.cookie.match(/(?:^|; )csrf_refresh_token=([^;]*)/)[1];
            const r = await fetch("/refresh", {method: "POST", headers: {"X-CSRF-TOKEN": csrf}});
            return r.status;
        }"""
    )
    assert status == 200


def test_a_passkey_only_account_is_sent_from_the_password_to_its_passkey(page, server):
    virtual_authenticator(page)
    sign_in_and_add_a_passkey(page, server)
    sign_out(page)

    password_step(page, server)

    expect(page.locator("#message")).to_contain_text('use "Sign in with a passkey"')
    expect(page.locator("#signin-mfa-form")).to_be_hidden()  # no code could pass
    expect(page.locator("#passkey-signin")).to_be_focused()
    page.click("#passkey-signin")
    expect(page.locator("#whoami")).to_have_text("alice")
    events = [line["event"] for line in server.events()]
    assert "mfa_required" in events and "passkey_used" in events


def test_a_passkey_only_account_confirms_a_password_change_with_its_passkey(page, server):
    virtual_authenticator(page)
    sign_in_and_add_a_passkey(page, server)
    make_stale(page)

    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", "a brand new passphrase")
    page.click("#password-form button[type=submit]")

    form = page.locator("#reauth-form")
    expect(form).to_be_visible()
    expect(form.locator(".reauth-how")).to_have_text(
        "For this, confirm it is you with your passkey."
    )
    expect(form.locator("input[name=password]")).to_be_hidden()  # it alone cannot pass
    form.locator("button.reauth-passkey").click()

    expect(page.locator("#message")).to_contain_text("Password changed")
    expect(form).to_be_hidden()
    reauthenticated = [line for line in server.events() if line["event"] == "reauthenticated"]
    assert reauthenticated and reauthenticated[-1]["method"] == "passkey"


def test_a_passkey_confirms_adding_another_and_setting_up_totp(page, server):
    virtual_authenticator(page)
    sign_in_and_add_a_passkey(page, server)
    make_stale(page)

    page.click("#passkey-form button[type=submit]")
    form = page.locator("#passkey-reauth-form")
    expect(form).to_be_visible()
    # The authenticator holds a passkey for this account already: the browser refuses a
    # second one, after the confirmation went through.
    form.locator("button.reauth-passkey").click()
    expect(form).to_be_hidden()
    expect(page.locator("#message")).to_contain_text("already holds a passkey")

    make_stale(page)
    page.click("#totp-start")
    totp_form = page.locator("#totp-reauth-form")
    expect(totp_form).to_be_visible()
    totp_form.locator("button.reauth-passkey").click()
    expect(page.locator("#totp-qr svg")).to_be_visible()


def test_with_totp_and_a_passkey_the_sign_in_offers_both(page, server):
    virtual_authenticator(page)
    token = server.request("POST", "/login", body={"username": "alice", "password": PASSWORD})[1][
        "access_token"
    ]
    secret = server.request("POST", "/me/mfa/totp", token)[1]["secret"]
    spent = previous_step_code(secret, margin=5)
    assert server.request("POST", "/me/mfa/totp/confirm", token, {"code": spent})[0] == 200
    password_step(page, server)
    page.fill("#signin-mfa-form input[name=proof]", pyotp.TOTP(secret).now())
    page.click("#signin-mfa-form button[type=submit]")
    expect(page.locator("#whoami")).to_have_text("alice")
    page.click("#passkey-form button[type=submit]")
    expect(page.locator("#passkey-list tr")).to_have_count(1)
    sign_out(page)

    password_step(page, server)

    expect(page.locator("#signin-mfa-form")).to_be_visible()
    expect(page.locator("#signin-mfa-passkey")).to_be_visible()
    page.click("#passkey-signin")
    expect(page.locator("#whoami")).to_have_text("alice")
    # Signed in with the passkey, the code step is put away for the next sign-in.
    sign_out(page)
    expect(page.locator("#signin-form")).to_be_visible()
    expect(page.locator("#signin-mfa-form")).to_be_hidden()
