"""The verified-token cache replaces one private method of flask-jwt-extended: a canary."""

import hashlib
import inspect

from flask_jwt_extended import JWTManager, view_decorators

from auth.token_cache import HEADER_READ_DIGEST, UPSTREAM_DIGEST, TokenManager


def test_the_upstream_decode_is_the_one_the_cache_was_written_against():
    # If this fails, flask-jwt-extended changed `_decode_jwt_from_config`: read the change,
    # make auth/token_cache.py keep every check it adds, then update the digest.
    source = inspect.getsource(JWTManager._decode_jwt_from_config)

    assert hashlib.sha256(source.encode()).hexdigest() == UPSTREAM_DIGEST


def test_the_cache_overrides_only_that_method():
    overridden = {
        name
        for name, value in vars(TokenManager).items()
        if callable(value) and name in vars(JWTManager)
    }

    assert overridden == {"_decode_jwt_from_config"}


def test_the_upstream_header_read_is_the_one_the_cache_answers():
    # If this fails, flask-jwt-extended changed how a decoded token's header is read again:
    # check that `get_unverified_jwt_headers` is still called by that name after the
    # decode (auth/token_cache.py answers it for remembered tokens), then update the digest.
    source = inspect.getsource(view_decorators._decode_jwt_from_request)

    assert hashlib.sha256(source.encode()).hexdigest() == HEADER_READ_DIGEST
    assert "jwt_header = get_unverified_jwt_headers(encoded_token)" in source
