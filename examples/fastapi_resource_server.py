"""A FastAPI service that trusts the Flask API's access tokens without sharing a secret.

It verifies signatures with the public keys the API publishes at
/.well-known/jwks.json (PyJWT's PyJWKClient caches them and refetches on an unknown `kid`,
so a key rotation needs nothing from this side). A signature cannot tell that a session
was revoked, so when INTROSPECTION_CLIENT_ID/SECRET are set every request also asks the
API's POST /introspect (RFC 7662) whether the token is still active. Without them a
revoked token is accepted here until it expires (15 minutes at most): the price of
verifying on one's own.

    AUTH_API_URL=http://127.0.0.1:5000 uvicorn examples.fastapi_resource_server:app --port 8001

The API must sign with a public-key algorithm: JWT_ALGORITHM=RS256, ES256 or EdDSA.
"""

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

AUTH_API_URL = os.getenv("AUTH_API_URL", "http://127.0.0.1:5000").rstrip("/")
CLIENT_ID = os.getenv("INTROSPECTION_CLIENT_ID")
CLIENT_SECRET = os.getenv("INTROSPECTION_CLIENT_SECRET")
# Only public-key algorithms: an HS256 token "signed" with a public key must never pass.
ALGORITHMS = {"RS256", "ES256", "EdDSA"}

jwks = jwt.PyJWKClient(f"{AUTH_API_URL}/.well-known/jwks.json", lifespan=300)
bearer = HTTPBearer(auto_error=False)
app = FastAPI(title="Resource server for the Flask JWT Auth API")


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, detail=reason, headers={"WWW-Authenticate": "Bearer"})


def _unavailable(reason: str) -> HTTPException:
    # Our fault or the API's, never the caller's: a 401 would tell a client with a good
    # token to log in again, and a 500 would hide what an operator has to fix.
    return HTTPException(503, detail=reason, headers={"Retry-After": "5"})


def _still_active(token: str) -> bool:
    credential = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    request = urllib.request.Request(
        f"{AUTH_API_URL}/introspect",
        data=urllib.parse.urlencode({"token": token}).encode(),
        headers={"Authorization": f"Basic {credential}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return bool(json.load(response).get("active"))
    except urllib.error.HTTPError as error:
        if error.code == 401:
            raise _unavailable(
                "The auth API refused this service's introspection credential: "
                "check INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET."
            ) from None
        raise _unavailable(f"The auth API's introspection answered {error.code}.") from None
    except (OSError, ValueError):
        raise _unavailable(f"The auth API at {AUTH_API_URL} cannot be reached.") from None


def access_claims(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    if credentials is None:
        raise _unauthorized("Missing bearer token.")
    token = credentials.credentials
    try:
        signing_key = jwks.get_signing_key_from_jwt(token)  # by the token's kid
    except jwt.PyJWKClientConnectionError:
        raise _unavailable(f"The auth API at {AUTH_API_URL} cannot be reached.") from None
    except jwt.PyJWTError as error:
        raise _unauthorized(f"Invalid token: {error}") from None
    try:
        if signing_key.algorithm_name not in ALGORITHMS:
            raise _unauthorized("Unexpected key type.")
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=[signing_key.algorithm_name],  # the key's, never the token's
            options={"require": ["exp", "iat", "sub", "jti", "sid"]},
        )
    except jwt.PyJWTError as error:
        raise _unauthorized(f"Invalid token: {error}") from None
    if claims.get("type") != "access":
        raise _unauthorized("An access token is required.")
    if CLIENT_ID and CLIENT_SECRET and not _still_active(token):
        raise _unauthorized("Token has been revoked.")
    return claims


@app.get("/protected")
def protected(claims: Annotated[dict[str, Any], Depends(access_claims)]) -> dict[str, Any]:
    """Answers only callers holding a valid, unrevoked access token of the Flask API."""
    return {"message": f"Hello, user {claims['sub']}.", "sub": claims["sub"], "sid": claims["sid"]}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
