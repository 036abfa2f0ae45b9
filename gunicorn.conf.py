"""gunicorn settings for `make run` and production (`gunicorn -c gunicorn.conf.py ...`)."""

import os

bind = f"{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '5000')}"
workers = int(os.getenv("WEB_CONCURRENCY", "2"))
# Sync workers: the app is CPU-bound (hashing, signatures) and each request is short.
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 2
# Several instances on one host would fight over one control socket.
control_socket_disable = True
accesslog = "-"
# The request line without its query string (%(U)s is the path alone); no headers at all,
# so neither an Authorization header nor a token in a URL reaches the log.
access_log_format = '%(h)s [%(p)s] "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
