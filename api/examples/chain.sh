#!/usr/bin/env bash
# Register a unit, a person and a principal assignment; read the chain. Needs `make run`.
set -euo pipefail
base=${LEDGER_URL:-http://127.0.0.1:8080}
# The first admin token `make run` wrote, unless LEDGER_TOKEN names another.
token=${LEDGER_TOKEN:-$(cat "${LEDGER_DATA_DIR:-var}/admin-token")}
auth="Authorization: Bearer $token"
post() { curl -sf -H 'Content-Type: application/json' -H "$auth" -d "$2" "$base$1"; }
id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

unit=$(post /v1/units '{"name":"南京市人民政府","kind":"government","level":"municipal"}' | id)
person=$(post /v1/persons '{"name":"李华"}' | id)
post /v1/assignments "{\"unit_id\":\"$unit\",\"person_id\":\"$person\",\"role\":\"principal\",
  \"principal_title\":\"government_head\",\"title\":\"市长\",\"effective_from\":\"2021-03-01\",
  \"basis\":\"宁委〔2021〕12号\"}"
echo
curl -sf -H "$auth" "$base/v1/units/$unit/chain?valid_at=2022-06-01&min_position=3"
echo
