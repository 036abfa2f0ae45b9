"""What clients and operators rely on beside the API itself: token lifetimes in the
answer, liveness and readiness, the first page, request ids and the metrics' guard."""

from tests.factories import PASSWORD, bearer

METRICS_TOKEN = "metrics-token-that-is-long-enough-0123456789"


def test_token_responses_say_the_type_and_both_lifetimes_in_seconds(client, user_id):
    body = {"username": "alice", "password": PASSWORD}

    login = client.post("/login", json=body).json
    refreshed = client.post("/refresh", headers=bearer(login["refresh_token"])).json

    for answer in (login, refreshed):
        assert answer["token_type"] == "Bearer"
        assert answer["expires_in"] == 900 and answer["refresh_expires_in"] == 30 * 86400
        assert set(answer) == {
            "access_token", "refresh_token", "token_type", "expires_in", "refresh_expires_in"
        }  # fmt: skip


def test_liveness_and_readiness_answer_apart(client):
    assert client.get("/health/live").json == {"status": "ok"}
    assert client.get("/health/ready").json == {"status": "ok"}
    assert client.get("/health").json == {"status": "ok"}


def test_the_first_page_links_to_the_docs_the_document_and_health(client):
    answer = client.get("/").json

    for link in ("docs", "openapi", "health"):
        assert client.get(answer[link]).status_code == 200


def test_a_request_id_is_echoed_or_made(client):
    given = client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    made = client.get("/health/live")
    forged = client.get("/health/live", headers={"X-Request-ID": "a\tb"})

    assert given.headers["X-Request-ID"] == "abc-123"
    assert len(made.headers["X-Request-ID"]) == 32
    assert forged.headers["X-Request-ID"] not in ("a\tb", made.headers["X-Request-ID"])


def test_metrics_need_the_token_or_an_allowed_address():
    from tests.conftest import build_app

    app = build_app(METRICS_TOKEN=METRICS_TOKEN)
    client = app.test_client()

    refused = client.get("/metrics")
    wrong = client.get("/metrics", headers=bearer("x" * 44))
    allowed = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    by_address = build_app(METRICS_ALLOWED_ADDRESSES=["127.0.0.0/8"]).test_client().get("/metrics")

    assert refused.status_code == 401 and refused.json["code"] == 401
    assert wrong.status_code == 401
    assert allowed.status_code == 200 and "http_requests_total" in allowed.get_data(as_text=True)
    assert by_address.status_code == 200


def test_a_login_moves_the_login_counter(client, user_id):
    from tests.conftest import build_app

    def logins(metrics_client) -> float:
        text = metrics_client.get("/metrics", headers=bearer(METRICS_TOKEN)).get_data(True)
        for line in text.splitlines():
            if line.startswith('auth_events_total{event="login"}'):
                return float(line.split()[-1])
        return 0.0

    reader = build_app(METRICS_TOKEN=METRICS_TOKEN).test_client()  # same process, same counters
    before = logins(reader)
    client.post("/login", json={"username": "alice", "password": PASSWORD})

    assert logins(reader) == before + 1


def test_a_throttled_request_is_a_security_event(caplog):
    from tests.conftest import make_app

    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER_PER_ADDRESS="1 per minute")
    client = client.test_client()
    caplog.set_level("INFO")

    client.post("/register", json={"username": "first", "password": PASSWORD})
    throttled = client.post("/register", json={"username": "second", "password": PASSWORD})

    events = [getattr(record, "event", None) for record in caplog.records]
    assert throttled.status_code == 429
    assert events.count("throttled") == 1 and events.count("register") == 1


def test_a_method_http_does_not_define_is_counted_as_other():
    # Any method name a client invents would otherwise be a time series of its own.
    from tests.conftest import build_app

    app = build_app(METRICS_TOKEN=METRICS_TOKEN)
    client = app.test_client()

    answered = client.open("/nowhere", method="BREW")
    client.open("/nowhere", method="BREW2")
    client.get("/nowhere")
    text = client.get("/metrics", headers=bearer(METRICS_TOKEN)).get_data(as_text=True)

    assert answered.status_code == 404 and answered.json["code"] == 404
    assert 'method="_OTHER"' in text and 'method="GET",status="404"' in text
    assert "BREW" not in text
