"""Gunicorn settings for serving the portal in production: ``make serve``, or
``gunicorn -c gunicorn.conf.py wsgi:app``. Every value can be changed from the environment
(docs/operations.md lists them); gunicorn's own ``GUNICORN_CMD_ARGS`` also works.

Workers and threads come from the CPU count: a page spends most of its time in Python
(templates, ORM) and a little waiting on PostgreSQL, so one process per core plus one,
each with a few threads to cover the waits. ``WEB_THREADS=1`` gives plain sync workers
(what the benchmarks use, so their figures compare with a hello-world app served the
same way).
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


_cores = multiprocessing.cpu_count()

wsgi_app = "wsgi:app"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", _cores + 1)
threads = _int("WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is killed and logged; uploads are read and checked
# within the request (large files are imported by a background job), so 60 s is generous.
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection from the load balancer stays open.
# Longer than the load balancer's idle timeout (60 s on most): otherwise the balancer sends a
# request down a connection gunicorn has just closed and the person gets an error (a 502,
# or a reset connection). Idle connections cost a gthread worker nothing but a socket.
keepalive = _int("WEB_KEEPALIVE", 75)
# Restart a worker after this many requests (with jitter, so they do not all restart at
# once) to bound slow memory growth; 0, the default, never. A restart closes the worker's
# idle keep-alive connections, and a request sent down one at that moment fails (the load
# test saw 3 in 3,800): set it only if a worker's memory is seen to grow.
max_requests = _int("WEB_MAX_REQUESTS", 0)
max_requests_jitter = _int("WEB_MAX_REQUESTS_JITTER", 200)

# Addresses of the load balancers whose X-Forwarded-Proto gunicorn believes (for
# wsgi.url_scheme). The application's own ProxyFix (TRUSTED_PROXY_COUNT) decides which
# X-Forwarded-For hop is the client; set both when a balancer is in front.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to standard output/error for the platform to collect. The access log is the
# Apache/NCSA "combined" format with the time taken in microseconds appended (%(D)s).
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# Each worker builds its own app (and so its own database pool): nothing is shared across
# the fork, so no connection is ever used by two processes.
preload_app = False
# /dev/shm keeps the worker heartbeat off a slow disk (containers mount /tmp on overlayfs).
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's own advice for its heartbeat files
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# No control socket: it defaults to one path per user (~/.gunicorn/gunicorn.ctl), so a
# second gunicorn on the machine (a benchmark's yardstick app, a blue/green switch) would
# take it over. Nothing here uses it; signals (HUP, TERM, TTIN/TTOU) do the same jobs.
control_socket_disable = True
