"""Password storage, enumeration, password policy and throttling (OWASP ASVS, NIST 800-63B)."""

import statistics
import time

import pytest
from sqlalchemy import select

from config import Config
from extensions import db
from models import User
from tests.conftest import build_app, make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user


def stored_hash(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.username == username))


def rounds_of(password_hash: str) -> int:
    return int(password_hash.split("$")[2])


def test_the_default_is_600000_rounds_of_pbkdf2_sha256():
    app = make_app(PASSWORD_HASH_ROUNDS=Config.PASSWORD_HASH_ROUNDS)

    app.test_client().post("/register", json={"username": "alice", "password": PASSWORD})

    password_hash = stored_hash(app, "alice")
    assert password_hash.startswith("$pbkdf2-sha256$")
    assert rounds_of(password_hash) == 600_000


def test_a_hash_below_the_configured_rounds_is_upgraded_at_login(tmp_path):
    database = f"sqlite:///{tmp_path}/app.db"
    make_user(make_app(SQLALCHEMY_DATABASE_URI=database, PASSWORD_HASH_ROUNDS=1000), "alice")
    stronger = build_app(SQLALCHEMY_DATABASE_URI=database, PASSWORD_HASH_ROUNDS=2000)
    before = stored_hash(stronger, "alice")

    login(stronger.test_client(), "alice")

    after = stored_hash(stronger, "alice")
    assert (rounds_of(before), rounds_of(after)) == (1000, 2000)
    login(stronger.test_client(), "alice")  # the upgraded hash still verifies


def test_wrong_password_and_unknown_user_take_the_same_time():
    app = make_app(PASSWORD_HASH_ROUNDS=Config.PASSWORD_HASH_ROUNDS)
    make_user(app, "alice")
    client = app.test_client()
    client.post("/login", json={"username": "nobody", "password": "warm up the dummy"})

    def seconds(username: str) -> float:
        start = time.perf_counter()
        response = client.post("/login", json={"username": username, "password": "wrong pw!"})
        assert response.status_code == 401
        return time.perf_counter() - start

    # Interleaved, so that load from elsewhere on the machine falls on both alike.
    known, unknown = [], []
    for _ in range(7):
        known.append(seconds("alice"))
        unknown.append(seconds("nobody"))

    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.5 < ratio < 2, (known, unknown)


def test_unicode_passwords_are_nfkc_normalised(client):
    fullwidth = "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ"
    client.post("/register", json={"username": "alice", "password": fullwidth})

    login(client, "alice", "correct horse battery")


def test_long_passwords_are_kept_whole(client):
    long = "x" * 900 + "the end"
    client.post("/register", json={"username": "alice", "password": long})

    assert_error(client.post("/login", json={"username": "alice", "password": "x" * 900}), 401)
    login(client, "alice", long)


def test_a_password_that_nfkc_makes_too_long_is_refused_not_crashed(client):
    expanding = "\ufdfa" * 300  # each character is 18 after NFKC: past passlib's 4,096 bytes

    assert_error(client.post("/register", json={"username": "a", "password": expanding}), 422)
    response = client.post("/login", json={"username": "a", "password": expanding})
    assert_error(response, 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "at least 8"),
        ("1234567", "at least 8"),
        ("password", "common"),
        ("Password1", "common"),
        ("iloveyou", "common"),
        ("qwertyuiop", "common"),
        ("alice-the-user", "username"),
        ("ALICE-THE-USER", "username"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, password, reason):
    body = {"username": "alice-the-user", "password": password}

    response = assert_error(client.post("/register", json=body), 422)

    assert reason in " ".join(response["errors"]["json"]["password"]).lower()


def test_the_minimum_length_is_configurable():
    client = make_app(PASSWORD_MIN_LENGTH=20).test_client()

    short = client.post("/register", json={"username": "bob", "password": "seventeen chars!!"})

    assert "at least 20" in " ".join(short.json["errors"]["json"]["password"])


def test_no_composition_rules(client):
    response = client.post(
        "/register", json={"username": "bob", "password": "all lower case words"}
    )

    assert response.status_code == 201


@pytest.fixture
def throttled():
    app = make_app(RATELIMIT_ENABLED=True)
    make_user(app, "alice")
    return app


def test_a_guesser_is_stopped_with_429_and_retry_after_whatever_the_forwarded_for(throttled):
    client = throttled.test_client()
    statuses = []
    for n in range(12):
        response = client.post(
            "/login",
            json={"username": "ALICE", "password": f"guess number {n}"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
        statuses.append(response.status_code)

    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    body = assert_error(response, 429)
    assert "retry" in body["message"].lower()
    assert int(response.headers["Retry-After"]) > 0
    # Even the right password waits: the account is locked for the window, not guessed.
    assert (
        client.post("/login", json={"username": "alice", "password": PASSWORD}).status_code == 429
    )


def test_a_person_who_mistypes_twice_never_notices(throttled):
    client = throttled.test_client()
    for _ in range(2):
        client.post("/login", json={"username": "alice", "password": "typo typo typo"})

    tokens = login(client, "alice")

    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200


def test_one_account_under_attack_does_not_lock_out_another(throttled):
    make_user(throttled, "bob")
    client = throttled.test_client()
    for n in range(11):
        client.post("/login", json={"username": "alice", "password": f"guess {n}"})

    login(client, "bob")


def test_registration_is_throttled_per_address(throttled):
    client = throttled.test_client()
    statuses = [
        client.post("/register", json={"username": f"user{n}", "password": PASSWORD}).status_code
        for n in range(11)
    ]

    assert statuses == [201] * 10 + [429]


def test_forwarded_for_is_trusted_behind_the_configured_proxies():
    app = make_app(
        RATELIMIT_ENABLED=True, PROXY_COUNT=1, RATELIMIT_REGISTER_PER_ADDRESS="2 per minute"
    )
    client = app.test_client()

    def register(n: int, address: str) -> int:
        body = {"username": f"user{n}", "password": PASSWORD}
        return client.post("/register", json=body, headers={"X-Forwarded-For": address}).status_code

    assert [register(n, "198.51.100.1") for n in range(3)] == [201, 201, 429]
    assert register(3, "198.51.100.2") == 201


def test_the_docs_page_allows_only_its_own_scripts_and_no_framing(client):
    response = client.get("/swagger-ui")

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'none'"
    sources = policy["script-src"].split()
    assert sources[0] == "'self'" and all(s.startswith("'sha256-") for s in sources[1:])
    assert len(sources) >= 2  # the page's one inline script, by its hash
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/login", "/nowhere"])
def test_every_answer_forbids_framing(client, path):
    response = client.get(path)

    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Content-Security-Policy") == ["frame-ancestors 'none'"]
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_a_view_that_chose_its_policy_or_caching_keeps_it_once(client):
    docs = client.get("/swagger-ui")
    keys = client.get("/.well-known/jwks.json")

    assert len(docs.headers.getlist("Content-Security-Policy")) == 1
    assert docs.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert keys.headers.getlist("Cache-Control") == ["public, max-age=300"]
    for response in (docs, keys):
        assert response.headers.getlist("X-Frame-Options") == ["DENY"]
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
