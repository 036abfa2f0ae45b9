"""Logging: one dictConfig for every entry point, JSON lines (or text) on standard error."""

import logging
import logging.config
from typing import Any

from flask import Flask, g, has_request_context

# JSON escaping (python-json-logger) is what keeps a "\n" or "\0" sent in a path or a
# username inside its field: no value can start a line of its own.
FORMATTERS: dict[str, dict[str, Any]] = {
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        "datefmt": "%Y-%m-%dT%H:%M:%S%z",
    },
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
}


class RequestId(logging.Filter):
    """Stamps every record made during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def configure(app: Flask) -> None:
    """Replace whatever logging set-up the process had with the app's: one stream
    handler on standard error at LOG_LEVEL, in LOG_FORMAT (`json` or `text`)."""
    logging.config.dictConfig(
        {
            "version": 1,
            # The server's own loggers (gunicorn.error: start, stop, worker deaths) keep
            # their handlers; everything else, the app's and the libraries', comes here.
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestId}},
            "formatters": {"main": FORMATTERS[app.config["LOG_FORMAT"]]},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "main",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": app.config["LOG_LEVEL"], "handlers": ["stderr"]},
        }
    )
    # Flask's app.logger adds its own handler only when none is configured: none needed.
    app.logger.handlers.clear()
