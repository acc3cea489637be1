#!/usr/bin/env bash
# The closed loop over HTTP: a department and its chain, an inspection, a finding
# attributed from the chain, its rectification to the end, a referral and a sanction
# changed on appeal, a clue from the 12345 hotline, a bulletin, the read side.
# Needs `make run` (or LEDGER_URL pointing at a running service).
set -euo pipefail
base=${LEDGER_URL:-http://127.0.0.1:8080}
# The first admin token `make run` wrote, unless LEDGER_TOKEN names another.
token=${LEDGER_TOKEN:-$(cat "${LEDGER_DATA_DIR:-var}/admin-token")}
auth="Authorization: Bearer $token"
run=${RUN:-$(date +%s%N)}  # makes codes and external ids unique per run
post() { curl -sf -H 'Content-Type: application/json' -H "$auth" -d "$2" "$base$1"; }
get() { curl -sf -H "$auth" "$base$1"; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
id() { field id; }

city=$(post /v1/units '{"name":"无锡市人民政府","kind":"government","level":"municipal"}' | id)
bureau=$(post /v1/units "{\"name\":\"无锡市司法局\",\"kind\":\"department\",\"level\":\"municipal\",
  \"parent_id\":\"$city\"}" | id)
office=$(post /v1/units "{\"name\":\"无锡市委依法治市办\",\"kind\":\"inspection_body\",
  \"level\":\"municipal\",\"parent_id\":\"$city\"}" | id)
discipline=$(post /v1/units "{\"name\":\"无锡市纪委监委\",\"kind\":\"discipline_body\",
  \"level\":\"municipal\",\"parent_id\":\"$city\"}" | id)
personnel=$(post /v1/units "{\"name\":\"无锡市委组织部\",\"kind\":\"personnel_department\",
  \"level\":\"municipal\",\"parent_id\":\"$city\"}" | id)
head=$(post /v1/persons '{"name":"钱局长"}' | id)
deputy=$(post /v1/persons '{"name":"孙副局长"}' | id)
inspector=$(post /v1/persons '{"name":"周督察"}' | id)
head_post=$(post /v1/assignments "{\"unit_id\":\"$bureau\",\"person_id\":\"$head\",
  \"role\":\"principal\",\"principal_title\":\"unit_head\",\"title\":\"局长\",
  \"effective_from\":\"2021-01-01\"}" | id)
post /v1/assignments "{\"unit_id\":\"$bureau\",\"person_id\":\"$deputy\",\"role\":\"leader\",
  \"title\":\"副局长\",\"portfolio\":[\"law_enforcement\"],\"reports_to\":\"$head_post\",
  \"effective_from\":\"2021-01-01\"}" >/dev/null

# The inspection: planned, started, evidence by site visit.
inspection=$(post /v1/inspections "{\"title\":\"2024年度法治政府建设督察\",\"year\":2024,
  \"organizer_unit_id\":\"$office\",\"target_unit_ids\":[\"$bureau\"],\"team\":[\"$inspector\"],
  \"topics\":[\"law_enforcement\"],\"starts_on\":\"2024-05-06\",\"ends_on\":\"2024-05-20\"}" | id)
post "/v1/inspections/$inspection/start" '{"started_on":"2024-05-06"}' >/dev/null
post "/v1/inspections/$inspection/evidence" "{\"method\":\"site_visit\",
  \"summary\":\"实地查看行政执法窗口，执法记录不全\",\"unit_id\":\"$bureau\",
  \"collected_on\":\"2024-05-08\"}" >/dev/null

# Two findings: attributed at once to the head (principal) and the deputy (leadership).
finding=$(post /v1/findings "{\"unit_id\":\"$bureau\",\"inspection_id\":\"$inspection\",
  \"category\":\"law_enforcement\",\"severity\":\"high\",
  \"description\":\"行政执法“三项制度”落实不到位\",\"found_on\":\"2024-05-10\",
  \"deadline\":\"2024-08-31\"}" | id)
referred=$(post /v1/findings "{\"unit_id\":\"$bureau\",\"inspection_id\":\"$inspection\",
  \"category\":\"law_enforcement\",\"severity\":\"critical\",
  \"description\":\"违法实施行政强制，造成不良影响\",\"found_on\":\"2024-05-12\",
  \"deadline\":\"2024-07-31\"}" | id)

# The loop of the first: plan, progress reported complete, verified, closed rectified.
post "/v1/findings/$finding/rectification-plan" "{\"measures\":\"补全执法记录，开展专项培训\",
  \"owner_person_id\":\"$deputy\",\"planned_on\":\"2024-05-20\"}" >/dev/null
post "/v1/findings/$finding/progress" '{"reported_on":"2024-07-15","summary":"执法记录已补全",
  "evidence":[{"ref":"锡司发〔2024〕15号"}],"complete":true}' >/dev/null
post "/v1/findings/$finding/verify" '{"verified_on":"2024-07-25"}' >/dev/null
post "/v1/findings/$finding/close" '{"outcome":"rectified","closed_on":"2024-07-26"}' >/dev/null

# The second is referred; a case against the deputy; a sanction modified on appeal.
post "/v1/findings/$referred/refer" "{\"to_unit_id\":\"$discipline\",\"reason\":\"涉嫌失职\",
  \"referred_on\":\"2024-06-01\"}" >/dev/null
case=$(post /v1/accountability-cases "{\"person_id\":\"$deputy\",\"finding_ids\":[\"$referred\"],
  \"handling_unit_id\":\"$discipline\",\"opened_on\":\"2024-06-05\"}" | id)
sanction=$(post "/v1/accountability-cases/$case/sanctions" '{"kind":"government_sanction",
  "decided_on":"2024-07-01","basis":"锡纪〔2024〕8号"}' | field sanction_id)
post "/v1/accountability-cases/$case/appeal" "{\"sanction_id\":\"$sanction\",
  \"appealed_on\":\"2024-07-05\",\"reason\":\"本人提出申诉\"}" >/dev/null
post "/v1/accountability-cases/$case/sanctions/$sanction/modify" '{"kind":"admonishment_talk",
  "decided_on":"2024-07-20","reason":"复核后改为诫勉谈话"}' >/dev/null
post "/v1/accountability-cases/$case/close" '{"closed_on":"2024-07-25"}' >/dev/null
post "/v1/findings/$referred/close" '{"outcome":"referred","closed_on":"2024-07-26"}' >/dev/null

# A clue from the 12345 hotline, delivered twice (one clue), dismissed.
clue='{"source":"hotline_12345","external_id":"12345-'$run'","summary":"市民反映执法人员未出示证件",
  "received_at":"2024-04-02T09:30:00+08:00"}'
clue_id=$(post /v1/clues "$clue" | id)
test "$(post /v1/clues "$clue" | id)" = "$clue_id"
post "/v1/clues/$clue_id/triage" '{"outcome":"dismissed","reason":"经核实已在督察中发现"}' >/dev/null

# Results circulated to the discipline body and the personnel department.
post /v1/bulletins "{\"kind\":\"brief\",\"title\":\"督察简报第1期\",\"inspection_id\":\"$inspection\",
  \"finding_ids\":[\"$finding\",\"$referred\"],\"recipient_unit_ids\":[\"$discipline\",\"$personnel\"],
  \"issued_on\":\"2024-06-02\"}" >/dev/null
last=$(post "/v1/inspections/$inspection/feedback" '{"fed_back_on":"2024-05-30",
  "summary":"反馈督察意见"}' | field position)

# The read side: the finding's loop, the open-loop report, the deputy's evaluation reference.
get "/v1/findings/$finding?min_position=$last"; echo
get "/v1/reports/open-loop?unit_id=$city&min_position=$last"; echo
get "/v1/persons/$deputy/evaluation-reference?from=2024-01-01&to=2024-12-31&min_position=$last"
echo
