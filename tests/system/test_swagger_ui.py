"""Swagger UI in a real browser: register, log in, Authorize, then call protected
operations, all by clicking through the page the app serves (no CDN, no internet)."""

import json

import pytest
from playwright.sync_api import Page

from tests.browser import chromium
from tests.factories import PASSWORD
from tests.servers import Server, services_env

pytestmark = pytest.mark.processes


@pytest.fixture
def server(tmp_path):
    with Server(services_env(tmp_path)) as server:
        yield server


@pytest.fixture
def page():
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1280, "height": 2000})


def execute(page: Page, operation: str, body: dict | None = None) -> tuple[int, str]:
    """Open an operation, Try it out, fill its body, Execute; the status and body shown."""
    block = page.locator(f"#{operation}")
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    if body is not None:
        block.locator("textarea.body-param__text").fill(json.dumps(body))
    block.locator("button.execute").click()
    live = block.locator(".live-responses-table .response")
    live.first.wait_for(timeout=20_000)
    status = int(live.locator(".response-col_status").first.inner_text().strip())
    shown = live.locator(".response-col_description pre").first.inner_text()
    return status, shown


def authorize(page: Page, **tokens: str) -> None:
    """Paste each token in its scheme's slot of the Authorize dialog."""
    page.click("button.authorize")
    for scheme, token in tokens.items():
        container = page.locator(".auth-container", has_text=scheme)
        container.locator("input").fill(token)
        container.locator("button.authorize").click()
    page.locator(".auth-btn-wrapper button.btn-done").first.click()


def test_the_authorization_survives_a_reload_and_refresh_can_be_tried(server, page, tmp_path):
    body = {"username": "reloader", "password": PASSWORD}
    server.request("POST", "/register", body=body)
    tokens = server.request("POST", "/login", body=body)[1]
    try:
        page.goto(f"http://127.0.0.1:{server.port}/swagger-ui")
        page.wait_for_selector("#operations-auth-post_register", timeout=20_000)
        assert "Authorize" in page.inner_text(".info")  # the introduction says how
        authorize(page, bearerAuth=tokens["access_token"], refreshAuth=tokens["refresh_token"])

        page.reload()
        page.wait_for_selector("#operations-auth-post_register", timeout=20_000)
        status, shown = execute(page, "operations-users-get_me")
        assert status == 200 and json.loads(shown)["username"] == "reloader"
        status, shown = execute(page, "operations-auth-post_refresh")
        assert status == 200 and json.loads(shown)["token_type"] == "Bearer"
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)  # for the post-mortem
        raise


def test_a_person_registers_logs_in_authorizes_and_calls_the_api(server, page, tmp_path):
    # The page's Content-Security-Policy must not block anything the page itself needs.
    blocked: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    try:
        page.goto(f"http://127.0.0.1:{server.port}/swagger-ui")
        page.wait_for_selector("#operations-auth-post_register", timeout=20_000)
        assert "Flask JWT Auth API" in page.inner_text(".info .title")
        assert "1.0.0" in page.inner_text(".info .title")

        status, _ = execute(
            page,
            "operations-auth-post_register",
            {"username": "swagger-user", "password": PASSWORD},
        )
        assert status == 201
        status, shown = execute(
            page, "operations-auth-post_login", {"username": "swagger-user", "password": PASSWORD}
        )
        assert status == 200
        access_token = json.loads(shown)["access_token"]

        authorize(page, bearerAuth=access_token)

        status, shown = execute(page, "operations-users-get_me")
        assert status == 200
        assert json.loads(shown)["username"] == "swagger-user"
        status, shown = execute(page, "operations-stores-post_store", {"name": "From the browser"})
        assert status == 201
        assert json.loads(shown)["name"] == "From the browser"
        status, shown = execute(page, "operations-stores-get_store")
        assert status == 200
        assert [store["name"] for store in json.loads(shown)] == ["From the browser"]
        assert blocked == []
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)  # for the post-mortem
        raise
