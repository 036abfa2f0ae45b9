"""The account page in Chromium, over the cookie transport, against a real server and a
real SMTP server; and a cross-site form that must not change anything."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium
from tests.factories import PASSWORD
from tests.mailbox import Mailbox, token_in
from tests.servers import Server, free_port, services_env
from tests.system.test_recovery_processes import wait_for_mail

pytestmark = pytest.mark.processes

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture
def server(tmp_path, mailbox):
    env = services_env(tmp_path, MAIL_URL=mailbox.url, FLASK_JWT_COOKIE_SECURE="false")
    server = Server(env)
    # The links in messages must lead back to this server, by the name the browser uses.
    server.env["PUBLIC_URL"] = f"http://localhost:{server.port}"
    with server:
        body = {"username": "alice", "password": PASSWORD, "email": "alice@example.com"}
        assert server.request("POST", "/register", body=body)[0] == 201
        yield server


@pytest.fixture
def page():
    with chromium() as browser:
        yield browser.new_page()


def sign_in(page: Page, server: Server, password: str = PASSWORD) -> None:
    page.goto(f"http://localhost:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", password)
    page.click("#signin-form button")
    expect(page.locator("#whoami")).to_have_text("alice")


def test_sign_in_end_another_session_change_the_password_and_sign_out(page, server):
    other = server.request("POST", "/login", body={"username": "alice", "password": PASSWORD})[1]

    sign_in(page, server)

    rows = page.locator("#sessions tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#sessions tr.current")).to_contain_text("(this device)")
    page.locator("#sessions tr:not(.current) button.end-session").click()
    expect(page.locator("#message")).to_have_text("The session was ended.")
    expect(rows).to_have_count(1)
    assert server.request("GET", "/me", other["access_token"])[0] == 401

    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", NEW_PASSWORD)
    page.click("#password-form button")
    expect(page.locator("#message")).to_contain_text("Password changed")

    page.click("#signout")
    expect(page.locator("#signin")).to_be_visible()
    page.reload()
    expect(page.locator("#signin")).to_be_visible()  # the cookies are gone
    sign_in(page, server, NEW_PASSWORD)


def test_a_reset_link_from_a_real_message_sets_a_new_password(page, server, mailbox):
    assert server.request("POST", "/password/forgot", body={"username": "alice"})[0] == 202
    message = wait_for_mail(mailbox, "alice@example.com", 2)[1]
    link = f"http://localhost:{server.port}/account/reset-password?token={token_in(message)}"

    page.goto(link)
    page.fill("#reset-form input[name=new_password]", NEW_PASSWORD)
    page.click("#reset-form button")

    expect(page.locator("#message")).to_contain_text("every session was signed out")
    sign_in(page, server, NEW_PASSWORD)


def test_the_verification_link_confirms_the_address(page, server, mailbox):
    message = wait_for_mail(mailbox, "alice@example.com", 1)[0]

    page.goto(f"http://localhost:{server.port}/account/verify-email?token={token_in(message)}")

    expect(page.locator("#message")).to_have_text("Verified: alice@example.com.")


def test_an_error_shows_the_api_message(page, server):
    page.goto(f"http://localhost:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", "not the password")
    page.click("#signin-form button")

    expect(page.locator("#message")).to_have_text("Invalid credentials.")


def attacker_site(target: str) -> tuple[ThreadingHTTPServer, str]:
    """A page of another site whose form posts to the API as soon as it loads."""
    html = (
        f'<form id="f" method="post" action="{target}/logout/all">'
        '<input name="x" value="1"></form>'
        '<script>document.getElementById("f").submit()</script>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}/"


def test_a_cross_site_form_post_is_refused(page, server):
    sign_in(page, server)
    httpd, url = attacker_site(f"http://localhost:{server.port}")
    try:
        with page.expect_response(lambda r: r.url.endswith("/logout/all")) as answer:
            page.goto(url)
        assert answer.value.status == 401
    finally:
        httpd.shutdown()
        httpd.server_close()

    page.goto(f"http://localhost:{server.port}/account")
    expect(page.locator("#whoami")).to_have_text("alice")  # still signed in


def test_a_session_that_is_not_fresh_changes_the_password_after_confirming_it(page, server):
    sign_in(page, server)
    # A refresh, as the page does when the access token expires: the new one is not fresh.
    refreshed = page.evaluate(
        """async () => {
            const csrf = document.cookie.match(/(?:^|; )csrf_refresh_token=([^;]*)/)[1];
            const r = await fetch("/refresh", {method: "POST", headers: {"X-CSRF-TOKEN": csrf}});
            return r.status;
        }"""
    )
    assert refreshed == 200

    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", NEW_PASSWORD)
    page.click("#password-form button")
    expect(page.locator("#reauth-form")).to_be_visible()
    page.fill("#reauth-form input[name=password]", PASSWORD)
    page.click("#reauth-form button[type=submit]")

    expect(page.locator("#message")).to_contain_text("Password changed")
    status, _ = server.request(
        "POST", "/login", body={"username": "alice", "password": NEW_PASSWORD}
    )
    assert status == 200
