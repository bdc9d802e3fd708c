// The command handlers, by the file that implements them; the command table that names them is
// Commands() in commands.cc (RunSeed is declared in context.h).
#pragma once

#include "client/cli/context.h"

namespace touchline::cli {

// squads.cc: squads and players.
int SquadsCreate(Ctx& ctx);
int SquadsGet(Ctx& ctx);
int SquadsList(Ctx& ctx);
int SquadsUpdate(Ctx& ctx);
int PlayersCreate(Ctx& ctx);
int PlayersGet(Ctx& ctx);
int PlayersList(Ctx& ctx);
int PlayersUpdate(Ctx& ctx);
int PlayersArchive(Ctx& ctx);

// events.cc: contact events.
int EventsRecord(Ctx& ctx);
int EventsImport(Ctx& ctx);
int EventsGet(Ctx& ctx);
int EventsList(Ctx& ctx);

// complaints.cc.
int ComplaintsCreate(Ctx& ctx);
int ComplaintsGet(Ctx& ctx);
int ComplaintsList(Ctx& ctx);
int ComplaintsUpdate(Ctx& ctx);
int ComplaintsCheckIn(Ctx& ctx);
int ComplaintsResolve(Ctx& ctx);
int ComplaintsReopen(Ctx& ctx);
int ComplaintsHistory(Ctx& ctx);

// flags.cc: list, acknowledge, the six-week queue; flag_watch.cc: watch.
int FlagsList(Ctx& ctx);
int FlagsAck(Ctx& ctx);
int FlagsWindows(Ctx& ctx);
int FlagsWatch(Ctx& ctx);

// readiness.cc: the board and overrides.
int ReadinessGet(Ctx& ctx);
int ReadinessWatch(Ctx& ctx);
int ReadinessOverride(Ctx& ctx);
int ReadinessOverrides(Ctx& ctx);
int ReadinessClear(Ctx& ctx);

// exposure.cc: sessions, injury rates, weekly contact load.
int SessionsRecord(Ctx& ctx);
int SessionsGet(Ctx& ctx);
int SessionsList(Ctx& ctx);
int InjuryRatesCommand(Ctx& ctx);
int ContactLoadCommand(Ctx& ctx);

// protocols.cc.
int ProtocolsAssign(Ctx& ctx);
int ProtocolsList(Ctx& ctx);
int ProtocolsAdherence(Ctx& ctx);
int ProtocolsPlugins(Ctx& ctx);

// outcomes.cc: outcomes by protocol and anti-spasm start (issue 19 item 8).
int OutcomesCommand(Ctx& ctx);

// assessments.cc: objective assessments (issue 19).
int AssessmentsRecord(Ctx& ctx);
int AssessmentsAmend(Ctx& ctx);
int AssessmentsGet(Ctx& ctx);
int AssessmentsList(Ctx& ctx);
int ScreeningList(Ctx& ctx);
// The options of `assessments record` after --player and --kind (also those of `amend`).
const std::vector<std::string>& AssessmentOptionNames();

// return_to_play.cc: return-to-play plans (issue 19 item 5).
int RtpCreate(Ctx& ctx);
int RtpGet(Ctx& ctx);
int RtpDate(Ctx& ctx);
int RtpAddCriterion(Ctx& ctx);
int RtpAmendCriterion(Ctx& ctx);
int RtpMark(Ctx& ctx);
int RtpReach(Ctx& ctx);

// audit.cc (admins).
int AuditList(Ctx& ctx);

// export.cc.
int ExportRecords(Ctx& ctx);

}  // namespace touchline::cli
