#!/bin/sh
# The official image's contract, in short: `rabbitmq-server` runs as the rabbitmq user (never root) in
# the foreground; RABBITMQ_DEFAULT_USER / _PASS / _VHOST make the first user (testcontainers sets them);
# any other command runs as given. The data volume may arrive owned by root.
# With no rabbitmq.conf mounted (a bare container, as in tests) guest may connect from outside, as in
# the official image; docker-compose.yml mounts its own rabbitmq.conf, which keeps guest out.
set -eu
if [ "${1:-}" = rabbitmq-server ] && [ "$(id -u)" = 0 ]; then
  mkdir -p /etc/rabbitmq/conf.d
  if [ ! -e /etc/rabbitmq/rabbitmq.conf ]; then
    printf 'loopback_users.guest = false\nlog.console = true\n' >/etc/rabbitmq/conf.d/10-defaults.conf
  fi
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    printf 'default_user = %s\ndefault_pass = %s\ndefault_vhost = %s\n' "$RABBITMQ_DEFAULT_USER" \
      "${RABBITMQ_DEFAULT_PASS:-}" "${RABBITMQ_DEFAULT_VHOST:-/}" >/etc/rabbitmq/conf.d/20-default-user.conf
    printf 'loopback_users = none\n' >>/etc/rabbitmq/conf.d/20-default-user.conf
    chmod 640 /etc/rabbitmq/conf.d/20-default-user.conf && chgrp rabbitmq /etc/rabbitmq/conf.d/20-default-user.conf
  fi
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env HOME=/var/lib/rabbitmq \
    /usr/lib/rabbitmq/bin/rabbitmq-server
fi
exec "$@"
