"""Security events (login, refresh, reuse detected, logout...): one log line each, counted."""

import logging
from typing import Any

from flask import has_request_context, request

from web import metrics

log = logging.getLogger("audit")


def event(name: str, user_id: int | None, sid: str | None, **extra: Any) -> None:
    """One line for one security event, with who (user id), which session (sid) and from
    where (the client address). Callers never pass a token, password, hash or secret."""
    client = request.remote_addr if has_request_context() else None
    # The message repeats the fields for LOG_FORMAT=text; JSON keeps them apart as well.
    log.info(
        f"{name} user_id={user_id} sid={sid}",
        extra={"event": name, "user_id": user_id, "sid": sid, "client": client, **extra},
    )
    metrics.count_event(name)
