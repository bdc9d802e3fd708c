// The command table (every `touchline RESOURCE VERB`, its options and usage text), `touchline
// help` and `health`, and RunCli, which finds the command and checks its options. The commands
// themselves live by resource: squads.cc, events.cc, complaints.cc, flags.cc, flag_watch.cc,
// readiness.cc, exposure.cc, protocols.cc, assessments.cc (and screening), audit.cc, export.cc, seed_run.cc; calling and paging
// in calls.h, formatting in format.h and table.h.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/app.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "touchline/v1/access.grpc.pb.h"

namespace touchline::cli {

namespace {

int Health(Ctx& ctx) {
  auto stub = grpc::health::v1::Health::NewStub(ctx.channel());
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(ctx.args.Get("service").value_or(""));
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext c;
  ctx.Prepare(&c);
  auto st = stub->Check(&c, req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    ctx.out << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
  }
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitServerError;
}

int WhoAmI(Ctx& ctx) {
  auto stub = v1::AccessService::NewStub(ctx.channel());
  v1::GetCallerResponse resp;
  grpc::ClientContext c;
  ctx.Prepare(&c);
  auto st = stub->GetCaller(&c, v1::GetCallerRequest(), &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    ctx.out << resp.user() << " (" << Short(resp.role()) << ")\n";
  }
  return kExitOk;
}

int Help(Ctx& ctx) {
  const auto& pos = ctx.args.positional;
  ctx.out << UsageText(pos.size() > 1 ? pos[1] : "", pos.size() > 2 ? pos[2] : "");
  return kExitOk;
}

// The closest of `candidates` to a mistyped `word` (edit distance with transpositions, at most
// 2 and less than half the word), or "".
std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates) {
  auto distance = [](absl::string_view a, absl::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.size()][b.size()];
  };
  std::string best;
  size_t best_d = 3;
  for (const std::string& c : candidates) {
    const size_t dist = distance(word, c);
    if (dist < best_d && dist * 2 < std::max<size_t>(word.size(), 2)) {
      best = c;
      best_d = dist;
    }
  }
  // A prefix ("squ" for "squads") is a suggestion too.
  if (best.empty() && word.size() >= 3) {
    for (const std::string& c : candidates) {
      if (absl::StartsWith(c, word)) return c;
    }
  }
  return best;
}

std::string Suggestion(absl::string_view word, const std::vector<std::string>& candidates, absl::string_view prefix = "") {
  const std::string best = DidYouMean(word, candidates);
  return best.empty() ? "" : absl::StrCat("; did you mean \"", prefix, best, "\"?");
}

// `touchline completion bash|zsh`: a completion script made from the command table.
std::string CompletionScript(bool zsh) {
  std::vector<std::string> resources;
  std::string verbs_case, options_case;
  std::string global;
  for (const std::string& g : GlobalOptionNames()) {
    absl::StrAppend(&global, global.empty() ? "" : " ", "--", g, IsBooleanOption(g) ? "" : "=");
  }
  absl::StrAppend(&global, " -o");
  std::map<std::string, std::vector<std::string>> verbs;
  for (const Command& c : Commands()) {
    if (std::find(resources.begin(), resources.end(), c.resource) == resources.end()) resources.push_back(c.resource);
    if (!c.verb.empty()) verbs[c.resource].push_back(c.verb);
    std::string opts;
    for (const std::string& o : c.options) absl::StrAppend(&opts, opts.empty() ? "" : " ", "--", o, IsBooleanOption(o) ? "" : "=");
    absl::StrAppend(&options_case, "    \"", c.resource, " ", c.verb, "\"", c.verb.empty() ? "*" : "", ") opts=\"$opts ", opts,
                    "\" ;;\n");
  }
  for (const auto& [r, v] : verbs) absl::StrAppend(&verbs_case, "    ", r, ") words=\"", absl::StrJoin(v, " "), "\" ;;\n");
  std::string script = zsh ? "#compdef touchline\n# zsh completion for touchline: source <(touchline completion zsh)\n"
                             "autoload -U +X bashcompinit && bashcompinit\n"
                           : "# bash completion for touchline: source <(touchline completion bash)\n";
  absl::StrAppend(&script, R"(_touchline() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local i w res="" verb="" words opts
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case $w in
      -o) ((i++)); continue ;;
      -*) continue ;;
    esac
    if [[ -z $res ]]; then res=$w; elif [[ -z $verb ]]; then verb=$w; fi
  done
  if [[ $prev == -o || $cur == --output=* ]]; then
    COMPREPLY=($(compgen -W "table wide json yaml" -- "${cur#--output=}")); return
  fi
  if [[ $cur == -* ]]; then
    opts=")", global, R"("
    case "$res $verb" in
)", options_case, R"(    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
    return
  fi
  if [[ -z $res ]]; then
    COMPREPLY=($(compgen -W ")", absl::StrJoin(resources, " "), R"(" -- "$cur")); return
  fi
  if [[ -z $verb ]]; then
    case $res in
)", verbs_case, R"(    *) words="" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F _touchline touchline
)");
  return script;
}

int Completion(Ctx& ctx) {
  ctx.out << CompletionScript(ctx.command->verb == "zsh");
  return kExitOk;
}

const std::vector<std::string> kPage = {"page-size", "page-token"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"squads", "create", "--name=NAME", "Create a squad.", {"name"}, SquadsCreate},
      {"squads", "get", "--id=ID", "Show a squad.", {"id"}, SquadsGet},
      {"squads", "list", "[--page-size=N --page-token=T]", "List squads.", kPage, SquadsList},
      {"squads", "update", "--id=ID --name=NAME", "Rename a squad.", {"id", "name"}, SquadsUpdate},

      {"players", "create",
       "--squad=ID --name=NAME --group=forward|back [--position=NAME] [--external-id=X]",
       "Add a player to a squad.", {"squad", "name", "group", "position", "external-id"}, PlayersCreate},
      {"players", "get", "--id=ID", "Show a player.", {"id"}, PlayersGet},
      {"players", "list", "[--squad=ID] [--include-archived] [--page-size=N --page-token=T]",
       "List players (active only unless --include-archived).", With({"squad", "include-archived"}, kPage),
       PlayersList},
      {"players", "update", "--id=ID [--name=NAME] [--group=forward|back] [--position=NAME] [--external-id=X]",
       "Change a player's details (only the fields given).", {"id", "name", "group", "position", "external-id"},
       PlayersUpdate},
      {"players", "archive", "--id=ID", "Archive a player who has left.", {"id"}, PlayersArchive},

      {"events", "record",
       "--player=ID --kind=KIND [--at=TIME] [--session=LABEL] [--awkward] [--source=manual|video|wearable] "
       "[--note=TEXT] [--key=IDEMPOTENCY-KEY]",
       "Record one contact event (a random idempotency key is generated unless --key is given; --at defaults "
       "to now). KIND: tackle-made, tackle-received, collision, ruck, maul, scrum, lineout-lift, "
       "lineout-landing, fall, carry, off-field-lifting.",
       {"player", "kind", "at", "session", "awkward", "source", "note", "key"}, EventsRecord},
      {"events", "import", "--file=PATH|-",
       "Import contact events from CSV (one stream). Columns: player_id,kind,occurred_at,awkward,source,"
       "session_label,idempotency_key,note (a header row is optional; missing keys are derived from the row). "
       "Every row is sent; the rows not stored are listed with their ROW in the file (a header is row 1), the "
       "server's INDEX of the event, and why (exit 1 if any). Running it again is safe: stored rows come back "
       "as duplicates.",
       {"file"}, EventsImport},
      {"events", "get", "--id=ID", "Show a contact event.", {"id"}, EventsGet},
      {"events", "list", "--player=ID|--squad=ID [--from=TIME] [--to=TIME] [--kind=KIND,...] [--page-size=N]",
       "List contact events, oldest first.", With({"player", "squad", "from", "to", "kind"}, kPage), EventsList},

      {"complaints", "create",
       "--player=ID --side=left|right|both --onset=TIME --onset-kind=gradual|acute "
       "[--mechanism=sprinting|kicking|contact|lifting|unknown] [--pain=0-10] [--ache] [--tightness] [--spasm] "
       "[--sleep-disturbance] [--inflexibility] [--weakness] [--osiics=CODE] [--bamic=2b|none] [--disc-herniation] "
       "[--history=TEXT] [--pelvic-rotation] [--piriformis-spasm] [--lumbar-stiffness] [--thoracic-stiffness] "
       "[--nerve-tension] [--findings=TEXT] [--resolved=TIME]",
       "Record a hamstring complaint; a past injury entered today takes --resolved (its return to full "
       "participation) and raises no flag that held only before it was entered.",
       With({"player", "resolved"}, ComplaintOptionNames()), ComplaintsCreate},
      {"complaints", "get", "--id=ID", "Show a complaint with its check-ins.", {"id", "complaint"}, ComplaintsGet},
      {"complaints", "list", "--player=ID|--squad=ID [--open-only] [--page-size=N]",
       "List complaints by onset.", With({"player", "squad", "open-only"}, kPage), ComplaintsList},
      {"complaints", "update", "--id=ID [any option of 'complaints create'; booleans as --ache=false] [--reason=TEXT]",
       "Amend a complaint; the update mask is built from the options given.",
       With({"id", "complaint", "reason"}, ComplaintOptionNames()), ComplaintsUpdate},
      {"complaints", "check-in",
       "--complaint=ID --pain=0-10 [--at=TIME] [--ache] [--tightness] [--spasm] [--sleep-disturbance] "
       "[--inflexibility] [--weakness] [--note=TEXT]",
       "Add a symptom check-in (--at defaults to now).",
       With({"complaint", "id", "at", "note"}, SymptomOptionNames()), ComplaintsCheckIn},
      {"complaints", "resolve", "--complaint=ID [--at=TIME] [--reason=TEXT]",
       "Record return to full participation (--at defaults to now).", {"complaint", "id", "at", "reason"},
       ComplaintsResolve},
      {"complaints", "reopen", "--complaint=ID --reason=TEXT", "Reopen a resolved complaint.",
       {"complaint", "id", "reason"}, ComplaintsReopen},
      {"complaints", "history", "--complaint=ID [--page-size=N]", "Show the amendment history of a complaint.",
       With({"complaint", "id"}, kPage), ComplaintsHistory},

      {"flags", "list",
       "--squad=ID|--player=ID [--as-of=TIME] "
       "[--kind=persistent,recurrent,exacerbation,suspected-pelvic-origin,window-closing]",
       "List flags active at an instant (default now).", With({"squad", "player", "as-of", "kind"}, kPage),
       FlagsList},
      {"flags", "watch", "[--squad=ID] [--after=SEQUENCE | --from-start] [--max-events=N]",
       "Print flag changes (raised, changed, cleared, acknowledged) as they happen, from now (--from-start "
       "replays every change recorded, --after those after a sequence seen); reconnects with backoff and "
       "resumes from the last sequence seen. Runs until stopped (or N changes).",
       {"squad", "after", "from-start", "max-events"}, FlagsWatch},
      {"flags", "windows", "--squad=ID|--player=ID [--as-of=TIME] [--page-size=N]",
       "The six-week queue: open gradual-onset complaints with no anti-spasm work yet, by days left to day "
       "42 (flagged window-closing from day 28, again from day 35).",
       With({"squad", "player", "as-of"}, kPage), FlagsWindows},
      {"flags", "ack", "--player=ID --kind=KIND --complaint=ID [--note=TEXT]",
       "Acknowledge a flag holding now (who from --user, when from the server).",
       {"player", "kind", "complaint", "note"}, FlagsAck},

      {"readiness", "get", "--squad=ID [--at=TIME]", "Who can train at a session (default now).", {"squad", "at"},
       ReadinessGet},
      {"readiness", "watch", "--squad=ID [--at=TIME] [--max-boards=N]",
       "The live board: printed at once and again whenever it changes (a complaint, override, stage, "
       "or time passing). Runs until stopped (or N boards).",
       {"squad", "at", "max-boards"}, ReadinessWatch},
      {"readiness", "override",
       "--player=ID --availability=available|modified|unavailable --reason=TEXT --until=TIME [--from=TIME]",
       "Override a player's availability until a time.", {"player", "availability", "reason", "until", "from"},
       ReadinessOverride},
      {"readiness", "overrides", "--player=ID [--page-size=N]", "List a player's overrides, newest first.",
       With({"player"}, kPage), ReadinessOverrides},
      {"readiness", "clear", "--id=ID", "End an override early.", {"id"}, ReadinessClear},

      {"sessions", "record",
       "--squad=ID --kind=match|training --players=PLAYER[:MIN[:FULL:CONTROLLED:SET_PIECE]],... [--at=TIME] "
       "[--duration=MIN] [--title=TEXT] [--key=KEY]",
       "Record a session and each player's minutes (default: the whole session; 80-min match, 90-min training). "
       "Training may give contact drill minutes by World Rugby category.",
       {"squad", "kind", "players", "at", "duration", "title", "key"}, SessionsRecord},
      {"sessions", "get", "--id=ID", "Show a session with each player's minutes.", {"id"}, SessionsGet},
      {"sessions", "list", "--squad=ID [--from=TIME] [--to=TIME] [--kind=match|training] [--page-size=N]",
       "List a squad's sessions by start time.", With({"squad", "from", "to", "kind"}, kPage), SessionsList},
      {"rates", "", "--squad=ID --from=TIME [--to=TIME]",
       "Hamstring complaint incidence and burden per 1000 player-hours, match/training x forwards/backs.",
       {"squad", "from", "to"}, InjuryRatesCommand},
      {"outcomes", "", "--squad=ID --from=TIME [--to=TIME]",
       "Outcomes by protocol (plugin and version) and anti-spasm start (by/after day 42, never): complaints, "
       "recurrences within 12 months, median days lost.",
       {"squad", "from", "to"}, OutcomesCommand},
      {"load", "", "--squad=ID [--player=ID] [--from=TIME] [--to=TIME]",
       "Contact load per player and ISO week (default the last 28 days) against the World Rugby guidance.",
       {"squad", "player", "from", "to"}, ContactLoadCommand},

      {"protocols", "assign", "--player=ID|--squad=ID [--session=LABEL] [--kind=training|match|recovery|gym] [--at=TIME]",
       "Assign PRE/POST protocols from the loaded plugins for a session (default now).",
       {"player", "squad", "session", "kind", "at"}, ProtocolsAssign},
      {"protocols", "list", "--player=ID [--page-size=N]", "List a player's assignments, newest first, with adherence.",
       With({"player"}, kPage), ProtocolsList},
      {"protocols", "adherence",
       "--assignment=ID|--prescription=ID --status=done|partly|not-done [--pain=0-10] [--note=TEXT]",
       "Record adherence (appended; the latest report counts).",
       {"assignment", "prescription", "status", "pain", "note"}, ProtocolsAdherence},
      {"protocols", "plugins", "", "List loaded and refused protocol plugins.", {}, ProtocolsPlugins},
      {"assessments", "record",
       "--player=ID --kind=KIND [--at=TIME] [--baseline] [--complaint=ID] [--note=TEXT] [--left=V] [--right=V] "
       "[--symptoms=LEGS] [--sensitised-symptoms=LEGS] [--sensitiser-changes=LEGS] [--knee-angle=DEG] "
       "[--rotation=none|left|right] [--lumbar-cm=CM]",
       "Record an objective assessment (--at defaults to now; --baseline marks a reference later tests are "
       "compared with). KIND and what --left/--right take: slump, straight-leg-raise: ANGLE[/SENSITISED_ANGLE] "
       "in degrees, with --symptoms, --sensitised-symptoms and --sensitiser-changes naming the legs "
       "(left,right); nordic, isometric-strength: newtons (isometric needs --knee-angle); askling-h-test: "
       "HIP_FLEXION[/APPREHENSION_MM]; pelvic-screen: --rotation and the piriformis tone "
       "(normal|raised|spasm); spinal-mobility: thoracic rotation in degrees and --lumbar-cm (modified "
       "Schober). Shows asymmetry, the change from the baseline and the findings.",
       With({"player", "kind"}, AssessmentOptionNames()), AssessmentsRecord},
      {"assessments", "amend", "--id=ID --reason=TEXT [the options of 'assessments record', the whole corrected test]",
       "Correct an assessment: the correction is a new assessment; the old one is kept, superseded.",
       With({"id", "reason", "kind"}, AssessmentOptionNames()), AssessmentsAmend},
      {"assessments", "get", "--id=ID", "Show an assessment with its analysis.", {"id"}, AssessmentsGet},
      {"assessments", "list", "--player=ID|--squad=ID [--kind=KIND,...] [--include-superseded] [--page-size=N]",
       "List assessments, oldest first, with asymmetry, change from baseline and findings.",
       With({"player", "squad", "kind", "include-superseded"}, kPage), AssessmentsList},

      {"screening", "list", "--squad=ID|--player=ID [--overdue] [--from=TIME] [--as-of=TIME] [--page-size=N]",
       "Pelvic screens owed: every awkward tackle, scrum, lineout landing or fall opens a task for its player, "
       "due within a week (the server's --pelvic_screen_due_days) and closed by a pelvic screen recorded at or "
       "after it (assessments record --kind=pelvic-screen). Open and overdue tasks; --from lists every task "
       "opened since, closed ones included.",
       With({"squad", "player", "overdue", "from", "as-of"}, kPage), ScreeningList},

      {"rtp", "create",
       "--complaint=ID [--participation=TIME] [--sport=TIME] [--performance=TIME] [--note=TEXT]",
       "Make an open complaint's return-to-play plan (Ardern et al. 2016: return to participation, to "
       "sport, to performance), with the stages' planned dates.",
       {"complaint", "participation", "sport", "performance", "note"}, RtpCreate},
      {"rtp", "get", "--plan=ID|--complaint=ID",
       "Show a plan: its stages (planned, reached, unmet criteria) and criteria with their evidence.",
       {"plan", "complaint"}, RtpGet},
      {"rtp", "date", "--plan=ID --stage=STAGE --at=TIME [--reason=TEXT]",
       "Set or move a stage's planned date (the earlier one is kept). STAGE: participation, sport, "
       "performance.",
       {"plan", "stage", "at", "reason"}, RtpDate},
      {"rtp", "add-criterion",
       "--plan=ID --stage=STAGE --text=TEXT [--check=eccentric-asymmetry|h-test-apprehension] [--threshold=N]",
       "Add a criterion to a stage not yet reached. With --check the server checks it against the "
       "assessment cited when it is marked: Nordic asymmetry at most N% (default 10), H-test "
       "apprehension at most N mm on the complaint's leg (default 0).",
       {"plan", "stage", "text", "check", "threshold"}, RtpAddCriterion},
      {"rtp", "amend-criterion",
       "--id=ID --reason=TEXT (--stage=STAGE --text=TEXT [--check=CHECK] [--threshold=N] | --withdraw)",
       "Correct or withdraw a criterion: a new criterion amending it; the old one is kept.",
       {"id", "reason", "stage", "text", "check", "threshold", "withdraw"}, RtpAmendCriterion},
      {"rtp", "mark", "--criterion=ID --evidence=TEXT [--assessment=ID] [--retract]",
       "Mark a criterion met with its evidence (a checked criterion needs --assessment), or retract "
       "an earlier mark.",
       {"criterion", "evidence", "assessment", "retract"}, RtpMark},
      {"rtp", "reach", "--plan=ID --stage=STAGE [--at=TIME] [--note=TEXT]",
       "Record the next stage reached (its criteria all met); readiness follows from --at (default "
       "now).",
       {"plan", "stage", "at", "note"}, RtpReach},

      {"audit", "list",
       "[--player=ID] [--by=USER] [--method=/touchline.v1.S/M] [--outcome=CODE] [--from=TIME] [--to=TIME]",
       "List audit events (who read or wrote medical data), newest first; admins only.",
       With({"player", "by", "method", "outcome", "from", "to"}, kPage), AuditList},

      {"export", "",
       "[--squad=ID] [--from=TIME] [--to=TIME] [--kinds=contact-event,complaint,session] [--cursor=C] "
       "[--cursor-file=PATH] [--batch-size=N] [--retries=5] [--file=PATH [--resume|--force]]",
       "Export records for analysis as JSON lines on stdout, one record per line (contact events "
       "filtered on their time, complaints on their onset; every squad unless --squad). The cursor "
       "after the last record written is saved in --cursor-file (and read from it when --cursor is "
       "not given) and printed on stderr: run the same command again to get only what is new. --file "
       "writes the records to PATH instead, and refuses an existing PATH unless --resume (append what "
       "is new since the cursor) or --force (overwrite, from the start or --cursor).",
       {"squad", "from", "to", "kinds", "cursor", "cursor-file", "batch-size", "retries", "file", "resume", "force"},
       ExportRecords},
      {"whoami", "", "", "Show the user and role of the token in use (AccessService.GetCaller).", {}, WhoAmI},
      {"health", "", "[--service=NAME]", "Check the server's health (grpc.health.v1); prints SERVING.",
       {"service"}, Health},
      {"seed", "", "[--players=50] [--seed=42] [--now=TIME] [--name=\"First XV\"]",
       "Load a deterministic synthetic squad, a season of contact events and complaints.",
       {"players", "seed", "now", "name"}, RunSeed},
      {"completion", "bash", "", "Print a bash completion script: source <(touchline completion bash).", {},
       Completion},
      {"completion", "zsh", "", "Print a zsh completion script: source <(touchline completion zsh).", {},
       Completion},
      {"help", "", "[RESOURCE [VERB]]", "Show usage.", {}, Help},
  };
  return *commands;
}

std::string UsageText(absl::string_view resource, absl::string_view verb) {
  std::string out;
  auto line = [&](const Command& c) {
    absl::StrAppend(&out, "  touchline ", c.resource, c.verb.empty() ? "" : " ", c.verb, " ", c.synopsis, "\n      ",
                    c.summary, "\n");
  };
  bool any = false;
  if (!resource.empty()) {
    for (const auto& c : Commands()) {
      if (c.resource == resource && (verb.empty() || c.verb == verb)) {
        if (!any) out += "Usage:\n";
        line(c);
        any = true;
      }
    }
  }
  if (!any) {
    out += "touchline: command-line client for the Touchline server.\n\nUsage: touchline [GLOBAL OPTIONS] "
           "RESOURCE VERB [--option=value ...]\n\nCommands:\n";
    for (const auto& c : Commands()) line(c);
  }
  out +=
      "\nGlobal options (before or after the command):\n"
      "  --server=HOST:PORT  server address (default $TOUCHLINE_SERVER, else 127.0.0.1:50051)\n"
      "  --user=NAME         informational; the server records the user of the token\n"
      "  --token=TOKEN       bearer token (default $TOUCHLINE_TOKEN, else the token file)\n"
      "  --token-file=PATH   default $TOUCHLINE_TOKEN_FILE, else ./touchline.db.token (written by the\n"
      "                      server on first start)\n"
      "  --tls-ca=PEM        connect with TLS, trusting this CA (deploy/certs.sh makes one)\n"
      "  --tls-cert=PEM --tls-key=PEM  client certificate for mutual TLS\n"
      "  -o, --output=FORMAT table (default), wide (full text in tables), json (the protobuf JSON\n"
      "                      mapping) or yaml\n"
      "  --json              the same as -o json\n"
      "  --timeout=SECONDS   call deadline (default 30)\n"
      "  --request-id=ID     the id a write is sent with (default: a fresh UUID, reused when the CLI\n"
      "                      retries an unreachable server); repeat a write whose outcome you did not\n"
      "                      learn with the id the error printed, and it is stored at most once\n"
      "  --help              show usage\n"
      "Options take --key=value or --key value. TIME is RFC 3339 (2026-11-21T15:10:00Z), a date\n"
      "(2026-11-21, midnight UTC), now, or relative to now (-3d, +2h, -90m). List commands print every\n"
      "page unless --page-token is given. Exit status: 0 ok, 1 server error, 2 usage error.\n";
  return out;
}

int RunCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, const Environment& env) {
  auto parsed = ParseArgs(argv, env);
  if (!parsed.ok()) {
    err << "touchline: " << parsed.status().message() << "\nRun 'touchline help' for usage.\n";
    return kExitUsage;
  }
  const Args& args = *parsed;
  Ctx ctx(args, out, err, absl::Now());
  const auto& pos = args.positional;
  if (pos.empty()) {
    if (args.global.help) {
      out << UsageText();
      return kExitOk;
    }
    err << UsageText();
    return kExitUsage;
  }
  const std::string& resource = pos[0];
  bool known_resource = false;
  for (const auto& c : Commands()) known_resource = known_resource || c.resource == resource;
  if (!known_resource) {
    std::vector<std::string> resources;
    for (const auto& c : Commands()) resources.push_back(c.resource);
    return ctx.Usage(absl::StrCat("unknown command \"", resource, "\"", Suggestion(resource, resources)));
  }
  const Command* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (c.resource != resource) continue;
    if (c.verb.empty() || (pos.size() > 1 && c.verb == pos[1])) {
      cmd = &c;
      break;
    }
  }
  if (cmd == nullptr) {
    if (args.global.help) {
      out << UsageText(resource);
      return kExitOk;
    }
    std::vector<std::string> verbs;
    for (const auto& c : Commands()) {
      if (c.resource == resource) verbs.push_back(c.verb);
    }
    err << "touchline: "
        << (pos.size() > 1 ? absl::StrCat("unknown verb \"", pos[1], "\" for ", resource, Suggestion(pos[1], verbs))
                           : absl::StrCat("missing verb for ", resource))
        << "\n"
        << UsageText(resource);
    return kExitUsage;
  }
  ctx.command = cmd;
  if (args.global.help) {
    out << UsageText(cmd->resource, cmd->verb);
    return kExitOk;
  }
  size_t used = cmd->verb.empty() ? 1 : 2;
  if (cmd->resource != "help" && pos.size() > used) {
    return ctx.Usage(absl::StrCat("unexpected argument \"", pos[used], "\""));
  }
  std::set<std::string, std::less<>> allowed(cmd->options.begin(), cmd->options.end());
  auto unknown = args.UnknownOptions(allowed);
  if (!unknown.empty()) {
    std::vector<std::string> names = cmd->options;
    names.insert(names.end(), GlobalOptionNames().begin(), GlobalOptionNames().end());
    return ctx.Usage(absl::StrCat("unknown option --", unknown[0], Suggestion(unknown[0], names, "--")));
  }
  return cmd->handler(ctx);
}

}  // namespace touchline::cli
