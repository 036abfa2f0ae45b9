"""Two-step sign-in on the account page, in Chromium against a real server: set TOTP up
from the QR code's secret, sign in with a code, with a recovery code, and turn it off.
Codes come from the secret the page shows, through pyotp, as an authenticator app's."""

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium
from tests.factories import PASSWORD, previous_step_code
from tests.servers import Server, services_env

pytestmark = pytest.mark.processes


@pytest.fixture
def server(tmp_path):
    env = services_env(tmp_path, FLASK_JWT_COOKIE_SECURE="false")
    with Server(env) as server:
        body = {"username": "alice", "password": PASSWORD}
        assert server.request("POST", "/register", body=body)[0] == 201
        yield server


@pytest.fixture
def page():
    with chromium() as browser:
        yield browser.new_page()


def code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def login(server: Server) -> dict:
    return server.request("POST", "/login", body={"username": "alice", "password": PASSWORD})[1]


def turn_on(server: Server) -> tuple[str, list[str], str]:
    """TOTP on through the API, confirmed with the previous step's code: the secret, the
    recovery codes and the code spent."""
    token = login(server)["access_token"]
    secret = server.request("POST", "/me/mfa/totp", token)[1]["secret"]
    spent = previous_step_code(secret, margin=5)
    status, body = server.request("POST", "/me/mfa/totp/confirm", token, {"code": spent})
    assert status == 200
    return secret, body["recovery_codes"], spent


def password_step(page: Page, server: Server) -> None:
    page.goto(f"http://localhost:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")


def second_step(page: Page, proof: str) -> None:
    expect(page.locator("#signin-mfa-form")).to_be_visible()
    page.fill("#signin-mfa-form input[name=proof]", proof)
    page.click("#signin-mfa-form button[type=submit]")
    expect(page.locator("#whoami")).to_have_text("alice")


def sign_out(page: Page) -> None:
    page.click("#signout")
    expect(page.locator("#signin")).to_be_visible()


def test_set_up_sign_in_with_a_code_and_a_recovery_code_then_turn_off(page, server):
    password_step(page, server)
    expect(page.locator("#whoami")).to_have_text("alice")
    expect(page.locator("#totp-status")).to_contain_text("Off")
    expect(page.locator("#totp-off-form")).to_be_hidden()

    page.click("#totp-start")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#totp-confirm-form input[name=code]", previous_step_code(secret, margin=10))
    page.click("#totp-confirm-form button")

    expect(page.locator("#message")).to_have_text("Two-step sign-in is on.")
    codes = page.locator("#totp-codes-list li")
    expect(codes).to_have_count(10)
    recovery = codes.nth(0).inner_text()
    page.click("#totp-codes-done")
    expect(page.locator("#totp-codes")).to_be_hidden()

    sign_out(page)
    password_step(page, server)
    expect(page.locator("#account")).to_be_hidden()  # no session before the code
    second_step(page, code(secret))

    sign_out(page)
    password_step(page, server)
    second_step(page, recovery)

    page.fill("#totp-off-form input[name=proof]", code(secret, 1))
    page.click("#totp-off-form button")
    expect(page.locator("#message")).to_have_text("Two-step sign-in is off.")
    sign_out(page)
    password_step(page, server)
    expect(page.locator("#whoami")).to_have_text("alice")


def refresh_in_the_page(page: Page) -> None:
    """A refresh, as the page does when the access token expires: the new one is not fresh."""
    status = page.evaluate(
        """async () => {
            const csrf = document.cookie.match(/(?:^|; )csrf_refresh_token=([^;]*)/)[1];
            const r = await fetch("/refresh", {method: "POST", headers: {"X-CSRF-TOKEN": csrf}});
            return r.status;
        }"""
    )
    assert status == 200


def test_a_wrong_code_says_so_and_cancel_goes_back(page, server):
    _, _, spent = turn_on(server)

    password_step(page, server)
    page.fill("#signin-mfa-form input[name=proof]", spent)
    page.click("#signin-mfa-form button[type=submit]")

    expect(page.locator("#message")).to_have_text("The code is wrong, or was used already.")
    page.click("#signin-mfa-cancel")
    expect(page.locator("#signin-form")).to_be_visible()
    expect(page.locator("#signin-mfa-form")).to_be_hidden()


def test_a_session_that_is_not_fresh_confirms_with_the_password_and_a_code(page, server):
    secret, _, _ = turn_on(server)
    password_step(page, server)
    second_step(page, code(secret))
    refresh_in_the_page(page)

    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", "a brand new passphrase")
    page.click("#password-form button")
    expect(page.locator("#reauth-form input[name=proof]")).to_be_visible()
    page.fill("#reauth-form input[name=password]", PASSWORD)
    page.fill("#reauth-form input[name=proof]", code(secret, 1))
    page.click("#reauth-form button[type=submit]")

    expect(page.locator("#message")).to_contain_text("Password changed")


def test_new_recovery_codes_from_a_session_that_is_not_fresh(page, server):
    secret, old_codes, _ = turn_on(server)
    password_step(page, server)
    second_step(page, old_codes[0])  # a recovery code: the steps stay for what follows
    refresh_in_the_page(page)

    page.fill("#totp-regenerate-form input[name=code]", code(secret))
    page.click("#totp-regenerate-form button")
    expect(page.locator("#totp-reauth-form")).to_be_visible()
    page.fill("#totp-reauth-form input[name=password]", PASSWORD)
    page.fill("#totp-reauth-form input[name=proof]", code(secret))
    page.click("#totp-reauth-form button[type=submit]")
    expect(page.locator("#message")).to_have_text(
        "Confirmed. Now enter the next code your app shows."
    )
    page.fill("#totp-regenerate-form input[name=code]", code(secret, 1))
    page.click("#totp-regenerate-form button")

    expect(page.locator("#message")).to_contain_text("New recovery codes")
    new_codes = page.locator("#totp-codes-list li").all_inner_texts()
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    body = {"mfa_token": login(server)["mfa_token"], "recovery_code": old_codes[1]}
    assert server.request("POST", "/login/mfa", body=body)[0] == 400


def test_setting_up_from_a_session_that_is_not_fresh_asks_the_password_first(page, server):
    password_step(page, server)
    expect(page.locator("#whoami")).to_have_text("alice")
    refresh_in_the_page(page)

    page.click("#totp-start")
    expect(page.locator("#totp-reauth-form")).to_be_visible()
    expect(page.locator("#totp-reauth-form input[name=proof]")).to_be_hidden()  # TOTP is off
    page.fill("#totp-reauth-form input[name=password]", PASSWORD)
    page.click("#totp-reauth-form button[type=submit]")

    expect(page.locator("#totp-qr svg")).to_be_visible()
    expect(page.locator("#totp-reauth-form")).to_be_hidden()
