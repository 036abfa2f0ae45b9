#!/usr/bin/env bash
# A walk through the API with curl alone: register, log in, call a protected endpoint,
# refresh, list sessions, log out, and watch the revoked token be refused.
#
#   bash examples/curl/walkthrough.sh [BASE_URL]      (default http://127.0.0.1:5000)
#
# USERNAME and PASSWORD may be set; by default a new user is made for each run.
set -euo pipefail

BASE=${1:-${BASE_URL:-http://127.0.0.1:5000}}
USERNAME=${USERNAME:-walker-$RANDOM$RANDOM}
PASSWORD=${PASSWORD:-correct horse battery staple}
JSON='Content-Type: application/json'

step() { printf '\n== %s\n' "$*"; }

# call METHOD PATH [curl args...]: prints the status line and the body, keeps both.
call() {
  local method=$1 path=$2
  shift 2
  BODY=$(curl -sS -X "$method" "$BASE$path" -w '\n%{http_code}' "$@")
  STATUS=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
  printf '%s %s -> %s\n%s\n' "$method" "$path" "$STATUS" "$BODY"
}

# field NAME: a string field of the last JSON body (python3 or jq if present, else sed).
field() {
  if command -v python3 >/dev/null; then
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$BODY" "$1"
  elif command -v jq >/dev/null; then
    jq -r ".$1" <<<"$BODY"
  else
    sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$BODY"
  fi
}

expect() {
  if [ "$STATUS" != "$1" ]; then
    echo "expected $1, got $STATUS" >&2
    exit 1
  fi
}

step "1. Register $USERNAME"
call POST /register -H "$JSON" -d "{\"username\": \"$USERNAME\", \"password\": \"$PASSWORD\"}"
expect 201

step "2. Log in: an access token (15 minutes) and a refresh token (30 days)"
call POST /login -H "$JSON" -d "{\"username\": \"$USERNAME\", \"password\": \"$PASSWORD\"}"
expect 200
ACCESS=$(field access_token)
REFRESH=$(field refresh_token)

step "3. Call a protected endpoint with the access token"
call GET /me -H "Authorization: Bearer $ACCESS"
expect 200

step "4. Refresh: the refresh token is spent for a new pair"
call POST /refresh -H "Authorization: Bearer $REFRESH"
expect 200
NEW_ACCESS=$(field access_token)

step "5. List the sessions (one per login; 'current' is this one)"
call GET /sessions -H "Authorization: Bearer $NEW_ACCESS"
expect 200

step "6. Log out: this login's access and refresh tokens are revoked"
call POST /logout -H "Authorization: Bearer $NEW_ACCESS"
expect 200

step "7. The revoked access token is refused"
call GET /me -H "Authorization: Bearer $NEW_ACCESS"
expect 401

step "8. So is the old refresh token"
call POST /refresh -H "Authorization: Bearer $REFRESH"
expect 401

printf '\nDone: the revoked token was refused (401 token_revoked).\n'
