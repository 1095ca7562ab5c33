#!/bin/sh
# Starts RabbitMQ with the committed definitions, the broker user filled in from the environment.
# The definitions declare the exchanges and queues exactly as the services do (see
# build_definitions.py); the user and password come from .env, never from git.
set -eu
: "${RABBITMQ_USER:?set RABBITMQ_USER in .env}"
: "${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD in .env}"
case "$RABBITMQ_USER$RABBITMQ_PASSWORD" in
  *[!A-Za-z0-9_.-]*) echo "RABBITMQ_USER and RABBITMQ_PASSWORD: letters, digits, '_', '.', '-' only" >&2; exit 64 ;;
esac
[ "$RABBITMQ_USER" = guest ] && { echo "RABBITMQ_USER must not be guest" >&2; exit 64; }
out=/tmp/dealer-definitions.json
umask 077
sed -e "s/__RABBITMQ_USER__/$RABBITMQ_USER/g" -e "s/__RABBITMQ_PASSWORD__/$RABBITMQ_PASSWORD/g" \
  /etc/rabbitmq/dealer/definitions.json > "$out"
if [ "$(id -u)" = 0 ]; then chown rabbitmq:rabbitmq "$out"; fi
exec docker-entrypoint.sh rabbitmq-server
