#!/usr/bin/env bash
# Starts the whole assistant on this machine: database migrated and seeded
# with demo accounts, action server, Rasa server. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
# The demo page issues app tokens for the demo accounts: laptop only.
export WEBCHAT_DEMO=${WEBCHAT_DEMO:-1}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
export CONSOLE_PORT=${CONSOLE_PORT:-5006}
export RASA_URL=${RASA_URL:-http://localhost:$RASA_PORT}
# endpoints.yml's action server: the one this script starts, whatever the
# calling shell had (no default in endpoints.yml, so a second stack on other
# ports never calls this one's).
export ACTION_SERVER_URL="http://127.0.0.1:$ACTIONS_PORT/webhook"
# Idle keep-alive connections from Rasa to the action server must outlive
# Sanic's 5 s default, or calls under load hit a closing socket.
export SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-30}
mkdir -p var/log

# Secrets are generated once per checkout into var/ (mode 600; bot/secrets.py),
# never a value in the source:
# - RASA_API_TOKEN: Rasa's HTTP API (the console, the paused-conversation action);
# - ACTION_SERVER_TOKEN: only the Rasa server may call the action server;
# - REST_CHANNEL_TOKEN: the REST channel (development and tests only);
# - WEBCHAT_TOKEN_SECRET: the web chat's app tokens and session proofs.
secret() { .venv/bin/python -m bot.secrets "$1"; }
export RASA_API_TOKEN=${RASA_API_TOKEN:-$(secret RASA_API_TOKEN)}
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(secret ACTION_SERVER_TOKEN)}
export REST_CHANNEL_TOKEN=${REST_CHANNEL_TOKEN:-$(secret REST_CHANNEL_TOKEN)}
export WEBCHAT_TOKEN_SECRET=${WEBCHAT_TOKEN_SECRET:-$(secret WEBCHAT_TOKEN_SECRET)}
DEMO_PASSWORD=$(secret CONSOLE_DEMO_PASSWORD)

.venv/bin/collectbot migrate
.venv/bin/collectbot seed-demo
# Demo console users, one per role; "already exists" on later runs is fine.
for role in agent trainer supervisor; do
  echo "$DEMO_PASSWORD" | .venv/bin/collectbot create-user "demo-$role" --role "$role" --password-stdin >/dev/null 2>&1 || true
done

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# The action server answers only the Rasa server, on the loopback address.
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --actions bot.actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
# bot.serve: `rasa run` with the API token and the CORS origins
# (COLLECTBOT_CORS_ORIGINS, default this machine's widget origin) from the
# environment, so the token never shows in `ps`.
.venv/bin/python -m bot.serve run --model bot/models --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port "$RASA_PORT" --enable-api >var/log/rasa.log 2>&1 &
pids+=($!)
# The console runs over plain HTTP on localhost only (browsers accept Secure
# cookies there); production puts it behind TLS.
.venv/bin/python -m console >var/log/console.log 2>&1 &
pids+=($!)

echo "Starting (logs in var/log/) …"
for _ in $(seq 1 180); do
  if curl -fsS "http://localhost:$RASA_PORT/" >/dev/null 2>&1 && curl -fsS "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1 \
     && curl -fsS "http://localhost:$CONSOLE_PORT/login" >/dev/null 2>&1; then
    cat <<TXT

催收助手 is running.
  Rasa server:     http://localhost:$RASA_PORT/
  Chat (REST):     curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                     -H "Authorization: Bearer \$(cat var/rest_channel_token)" \\
                     -d '{"sender": "+8613800000001", "message": "你好"}'
  Web chat:        http://localhost:$RASA_PORT/webhooks/webchat/
  Demo (tokens):   http://localhost:$RASA_PORT/webhooks/webchat/demo
  SMS outbox:      .venv/bin/collectbot outbox   (no Twilio credentials: SMS stay local)
  Action server:   http://localhost:$ACTIONS_PORT/health
  Agent console:   http://localhost:$CONSOLE_PORT/   users demo-agent, demo-trainer, demo-supervisor
                   password: $DEMO_PASSWORD   (kept in var/console_demo_password)
  Demo accounts:   .venv/bin/collectbot show-account DEMO-0001 --json  (ID last 4 in tests/fixtures/demo_accounts.csv)
Press Ctrl-C to stop.
TXT
    wait -n "${pids[@]}"
    echo "A server stopped; see var/log/." >&2
    exit 1
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see var/log/." >&2; tail -20 var/log/*.log >&2; exit 1; }; done
  sleep 1
done
echo "Timed out waiting for the servers; see var/log/." >&2
exit 1
