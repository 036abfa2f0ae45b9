"""What a token must look like before its signature is even checked.

flask-jwt-extended hands its decode key loader the token's unverified header and claims,
exactly the bytes the signature then covers: a token that passes these checks and then
its signature check was signed as it is. (flask-jwt-extended would later fill in a
missing `type`, `fresh` or `jti`; checking here sees the claims as signed.)
"""

from typing import Any

from flask_jwt_extended.exceptions import JWTDecodeError

# Without these a token is refused as invalid: each one is needed by some later check.
REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "sid", "type")
# Anything else in a header (jwk, jku, x5u, x5c, crit...) asks the verifier to trust
# material the token brings along (RFC 8725 §3.10): refused outright.
ALLOWED_HEADERS = frozenset({"alg", "typ", "kid"})
# RFC 7519 §2 NumericDate: seconds since the epoch, a JSON number (never a string), and
# one that a datetime can hold.
_NUMERIC_DATES = ("exp", "iat", "nbf")
_MAX_NUMERIC_DATE = 253402300799  # 9999-12-31T23:59:59Z


def verify_shape(header: dict[str, Any], claims: dict[str, Any]) -> None:
    """Raise JWTDecodeError (a 401 invalid_token) unless the header and claims are ours."""
    unexpected = set(header) - ALLOWED_HEADERS
    if unexpected:
        raise JWTDecodeError(f"Unexpected header: {sorted(unexpected)[0]}.")
    if not isinstance(header.get("kid", ""), str):
        raise JWTDecodeError("Invalid key id.")
    missing = [claim for claim in REQUIRED_CLAIMS if claim not in claims]
    if missing:
        raise JWTDecodeError(f"Missing claim: {missing[0]}.")
    for name in _NUMERIC_DATES:
        if name in claims and not _is_numeric_date(claims[name]):
            raise JWTDecodeError(f"Invalid claim: {name} must be a NumericDate.")
    sub = claims["sub"]
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 10):
        raise JWTDecodeError("Invalid subject.")
    if not isinstance(claims["sid"], str) or not isinstance(claims["jti"], str):
        raise JWTDecodeError("Invalid session or token id.")
    if len(claims["sid"]) > 36 or len(claims["jti"]) > 36:
        raise JWTDecodeError("Invalid session or token id.")
    if claims["type"] not in ("access", "refresh"):
        raise JWTDecodeError("Invalid token type.")
    if not isinstance(claims.get("fresh", False), bool | int | float):
        raise JWTDecodeError("Invalid claim: fresh.")


def _is_numeric_date(value: Any) -> bool:
    # bool is an int in Python, and not a NumericDate.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 <= value <= _MAX_NUMERIC_DATE
    )
