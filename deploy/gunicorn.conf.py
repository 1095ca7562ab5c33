"""gunicorn settings shared by every service's web process.

Workers scale with the CPUs this process may use (a container's CPU quota
included); database engines and broker connections are opened after the fork
(never shared across processes); on SIGTERM a worker finishes its in-flight
requests within the graceful timeout before exiting.
"""
import math
import os


def available_cpus() -> int:
    """CPUs this container may use: its cgroup quota when set, else the CPUs it may run on."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        with open("/sys/fs/cgroup/cpu.max") as limits:  # cgroup v2
            quota, period = limits.read().split()
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


# Compose passes its WEB_CONCURRENCY as DEALER_WEB_CONCURRENCY: gunicorn itself reads WEB_CONCURRENCY when it
# is imported and fails on an empty value, which is what compose gives for "size by the CPUs".
workers = int(os.environ.get("WEB_CONCURRENCY") or os.environ.get("DEALER_WEB_CONCURRENCY") or 2 * available_cpus() + 1)
worker_class = "sync"
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
timeout = 30
keepalive = 5
accesslog = None  # the app writes its own access line in JSON, without query strings
errorlog = "-"
# gunicorn's own lines (and its access log, if turned on with --access-logfile) with phones and ID
# numbers masked, query strings and tracebacks included.
logger_class = "shared.gunicorn_logging.MaskingLogger"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
preload_app = False  # each worker builds the app, and so its connections, after the fork
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat off the overlay disk


def post_fork(server, worker):  # noqa: ANN001, ARG001 - gunicorn's hook signature
    """A forked worker must not reuse its parent's database connections."""
    from shared.db import dispose_engines

    dispose_engines()


def child_exit(server, worker):  # noqa: ANN001, ARG001
    """Let Prometheus forget the metrics files of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
