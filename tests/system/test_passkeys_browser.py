"""Passkeys on the account page in Chromium, with a virtual authenticator (the DevTools
protocol's WebAuthn domain: a CTAP2 platform authenticator that holds resident keys and
verifies its user), against a real server with two workers: the challenge of one request
is spent by whichever worker gets the next."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import CDPSession, Page, expect

from tests.browser import chromium
from tests.factories import PASSWORD
from tests.servers import Server, free_port, services_env

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


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def sign_in_and_add_a_passkey(page: Page, server: Server) -> None:
    page.goto(f"http://localhost:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button")
    expect(page.locator("#whoami")).to_have_text("alice")
    # A fresh session asks for no password: the confirmation forms stay out of sight.
    expect(page.locator("#passkey-reauth-form")).to_be_hidden()
    expect(page.locator("#reauth-form")).to_be_hidden()

    page.fill("#passkey-form input[name=name]", "Virtual")
    page.click("#passkey-form button")

    expect(page.locator("#message")).to_contain_text('Passkey "Virtual" added')
    expect(page.locator("#passkey-list tr")).to_have_count(1)


def test_add_a_passkey_sign_out_sign_in_with_it_alone_and_remove_it(page, server):
    cdp, authenticator = virtual_authenticator(page)

    sign_in_and_add_a_passkey(page, server)
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(held) == 1 and held[0]["isResidentCredential"] and held[0]["rpId"] == "localhost"

    page.click("#signout")
    expect(page.locator("#signin")).to_be_visible()
    page.click("#passkey-signin")  # no username, no password

    expect(page.locator("#whoami")).to_have_text("alice")
    row = page.locator("#passkey-list tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).not_to_have_text("never")
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert held[0]["signCount"] >= 1

    # The passkey's session is fresh: removing needs no password.
    row.locator("button.remove-passkey").click()
    expect(page.locator("#message")).to_have_text('Passkey "Virtual" removed.')
    expect(row).to_have_count(0)
    page.click("#signout")
    page.click("#passkey-signin")
    expect(page.locator("#message")).to_have_text("No account has this passkey.")
    events = [line["event"] for line in server.events()]
    for name in ("passkey_added", "passkey_used", "passkey_removed", "passkey_login_failed"):
        assert name in events


def other_origin() -> tuple[ThreadingHTTPServer, str]:
    """A page on another origin under the same RP ID (localhost, another port): what a
    phishing page on a sibling host would be."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>not the account page</title>")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://localhost:{httpd.server_port}/"


GET_ASSERTION = """async (options) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
    const credential = await navigator.credentials.get({ publicKey });
    return credential.toJSON();
}"""


def test_an_assertion_made_for_another_origin_is_refused(page, server):
    virtual_authenticator(page)
    sign_in_and_add_a_passkey(page, server)
    httpd, url = other_origin()
    try:
        page.goto(url)
        # The authenticator signs for the RP ID, which the other page may claim; the
        # origin it was asked from is in the signed clientDataJSON.
        options = server.request("POST", "/login/passkey/options")[1]
        credential = page.evaluate(GET_ASSERTION, options)
    finally:
        httpd.shutdown()
        httpd.server_close()

    status, body = server.request("POST", "/login/passkey", body={"credential": credential})

    assert status == 401
    assert body["error"] == "passkey_invalid"
    assert f"http://localhost:{httpd.server_port}" in body["message"]
    assert "passkey_login_failed" in [line["event"] for line in server.events()]


def test_a_session_that_is_not_fresh_adds_a_passkey_after_the_password(page, server):
    virtual_authenticator(page)
    page.goto(f"http://localhost:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button")
    expect(page.locator("#whoami")).to_have_text("alice")
    # A refresh, as the page does when the access token expires: the new one is not fresh.
    refreshed = page.evaluate(
        """async () => {
            const csrf = document.cookie.match(/(?:^|; )csrf_refresh_token=([^;]*)/)[1];
            const r = await fetch("/refresh", {method: "POST", headers: {"X-CSRF-TOKEN": csrf}});
            return r.status;
        }"""
    )
    assert refreshed == 200

    page.click("#passkey-form button")
    expect(page.locator("#passkey-reauth-form")).to_be_visible()
    page.fill("#passkey-reauth-form input[name=password]", PASSWORD)
    page.click("#passkey-reauth-form button[type=submit]")

    expect(page.locator("#message")).to_contain_text('Passkey "Passkey" added')
    expect(page.locator("#passkey-list tr")).to_have_count(1)


def test_on_an_ip_address_the_page_says_where_passkeys_work(page, server):
    page.goto(f"http://127.0.0.1:{server.port}/account")
    page.fill("#signin-form input[name=username]", "alice")
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button")

    note = page.locator("#passkey-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"open http://localhost:{server.port}/account")
    page.click("#signout")
    page.click("#passkey-signin")
    expect(page.locator("#message")).to_contain_text("Passkeys need a domain name")
