#!/usr/bin/env bash
# Make sure the RabbitMQ the tests use answers on 127.0.0.1:5672: start it if it is
# installed but stopped, install it (Debian package) if it is missing and we are root.
# Skipped when AMQP_URL points elsewhere: then that broker is the caller's business.
set -euo pipefail

url="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672//}"
case "$url" in
  *@127.0.0.1:5672*|*@localhost:5672*) ;;
  *) exit 0 ;;
esac

answers() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

answers && exit 0
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "RabbitMQ is not installed; install rabbitmq-server or set AMQP_URL" >&2
    exit 0
  fi
  echo "Installing RabbitMQ (Debian package rabbitmq-server)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi
echo "Starting RabbitMQ..."
rabbitmq-server -detached >/dev/null 2>&1 || true
for _ in $(seq 1 60); do
  answers && exit 0
  sleep 1
done
echo "RabbitMQ did not answer on 127.0.0.1:5672 within 60 s" >&2
exit 1
