"""The account page for browsers: sign in (with a password, a second factor or a passkey),
sessions, sign out, password change, second factors (web/account/totp.js), passkeys
(web/account/passkeys.js), and the landing pages of the recovery links. Static files
shipped with the app (no CDN, no build step), under a Content-Security-Policy that allows
no inline script and no other origin."""

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

import web

ASSETS = Path(web.__file__).resolve().parent / "account"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

blp = Blueprint("account_page", __name__)


@blp.get("/account")
@blp.get("/account/reset-password")
@blp.get("/account/verify-email")
def page() -> Response:
    """One page; its script shows the part the path asks for."""
    return send_from_directory(ASSETS, "index.html", max_age=0)


@blp.get("/account/static/<any('account.js', 'account.css', 'passkeys.js', 'totp.js'):filename>")
def asset(filename: str) -> Response:
    return send_from_directory(ASSETS, filename, max_age=300)


@blp.after_request
def _page_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    # The recovery links carry their token in the query string: never in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype == "text/html":  # the recovery pages' addresses carry a token
        response.headers["Cache-Control"] = "no-store"
    return response
