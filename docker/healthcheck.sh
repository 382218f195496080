#!/bin/bash
# Docker HEALTHCHECK of an xcsct node: GET /healthz/live on the node's own HTTP port, read from
# XCSCT__HTTP__URL (the image has no curl). Exit 0 when the node answers 200, 1 otherwise.
set -u
url=${XCSCT__HTTP__URL:-http://127.0.0.1:5080}
hostport=${url#*://}
hostport=${hostport%%/*}
case "$hostport" in
  \[*\]:*) host=${hostport%]:*}; host=${host#\[}; port=${hostport##*]:} ;;
  *:*) host=${hostport%:*}; port=${hostport##*:} ;;
  *) host=$hostport; port=80 ;;
esac
case "$host" in
  0.0.0.0 | '*' | + | :: | localhost) host=127.0.0.1 ;;
esac
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET /healthz/live HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
read -r -t 4 status <&3 || exit 1
case "$status" in
  HTTP/1.?\ 200*) exit 0 ;;
  *) echo "xcsct /healthz/live: ${status:-no answer}" >&2; exit 1 ;;
esac
