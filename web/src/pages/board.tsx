// The readiness board: a squad's availability for a session, live. It follows
// ReadinessService.WatchSquadReadiness (a whole board per message, within a second of a change);
// where the server does not offer the stream it polls GetSquadReadiness every 1.5 s instead. A
// coach receives only what the server lets a coach see (availability, non-clinical reasons,
// coach-safe PRE/POST labels); this page calls nothing else for a coach.
import { Code } from "@connectrpc/connect";
import { useEffect, useMemo, useState } from "preact/hooks";
import { isCode, readiness, Role } from "../api";
import type { Caller } from "../main";
import { fmtDateTime, fmtTime, fromLocalInput, localInputValue } from "../format";
import { Availability, ReadinessReasonCode, type GetSquadReadinessResponse, type PlayerReadiness } from "../gen/touchline/v1/readiness_pb";
import { AvailabilityPill, ErrorNotice, Loading } from "../ui";
import { SquadPicker, useSquadChoice } from "../squad_choice";

type Mode = "connecting" | "live" | "polling" | "reconnecting";

const POLL_MS = 1500;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

export function BoardPage({ caller }: { caller: Caller }) {
  const [at, setAt] = useState(""); // "" = now, moving with the clock
  const [board, setBoard] = useState<GetSquadReadinessResponse | null>(null);
  const [mode, setMode] = useState<Mode>("connecting");
  const [updated, setUpdated] = useState<Date | null>(null);
  const [error, setError] = useState<unknown>(null);
  const choice = useSquadChoice(setError);
  const { squadList, squadId } = choice;
  const [filter, setFilter] = useState("");
  const clinical = caller.role === Role.PHYSIO || caller.role === Role.ADMIN;

  useEffect(() => {
    if (squadId === 0n) return;
    const ctl = new AbortController();
    const signal = ctl.signal;
    const sessionTime = fromLocalInput(at);
    setBoard(null);
    setError(null);
    setMode("connecting");
    const show = (b: GetSquadReadinessResponse | undefined) => {
      if (!b) return;
      setBoard(b);
      setUpdated(new Date());
    };
    (async () => {
      let backoff = 500;
      while (!signal.aborted) {
        let received = false;
        try {
          for await (const m of readiness.watchSquadReadiness({ squadId, sessionTime }, { signal })) {
            received = true;
            setMode("live");
            backoff = 500;
            show(m.board);
          }
        } catch (e) {
          if (signal.aborted) return;
          // No stream here (not served, or refused before its first board): poll.
          if (isCode(e, Code.Unimplemented) || (!received && !isCode(e, Code.PermissionDenied) && !isCode(e, Code.NotFound) && !isCode(e, Code.InvalidArgument) && !isCode(e, Code.Unauthenticated))) break;
          if (isCode(e, Code.PermissionDenied) || isCode(e, Code.NotFound) || isCode(e, Code.InvalidArgument) || isCode(e, Code.Unauthenticated)) {
            setError(e);
            return;
          }
        }
        setMode("reconnecting");
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 8000);
      }
      setMode("polling");
      while (!signal.aborted) {
        try {
          show(await readiness.getSquadReadiness({ squadId, sessionTime }, { signal }));
          setError(null);
        } catch (e) {
          if (signal.aborted) return;
          setError(e);
        }
        await sleep(POLL_MS, signal);
      }
    })();
    return () => ctl.abort();
  }, [squadId, at]);

  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const players = (board?.players ?? []).filter((p) => !needle || p.playerName.toLowerCase().includes(needle));
    return [Availability.UNAVAILABLE, Availability.MODIFIED, Availability.AVAILABLE].map((a) => ({
      availability: a,
      players: players.filter((p) => p.availability === a),
    }));
  }, [board, filter]);

  return (
    <div class="board">
      <h1>Readiness</h1>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <SquadPicker id="board-squad" choice={choice} />
        <div class="field">
          <label for="board-at">Session time</label>
          <input id="board-at" type="datetime-local" value={at} onChange={(e) => setAt((e.currentTarget as HTMLInputElement).value)} aria-describedby="board-at-hint" />
          <p class="field-hint" id="board-at-hint">
            Empty: now.
          </p>
        </div>
        {at && (
          <button type="button" onClick={() => setAt("")}>
            Now
          </button>
        )}
        {!at && (
          <button type="button" onClick={() => setAt(localInputValue(new Date(Date.now() + 2 * 3600 * 1000)))}>
            In 2 hours
          </button>
        )}
        <div class="field">
          <label for="board-find">Find player</label>
          <input id="board-find" type="search" value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </form>
      <p class={`live live-${mode}`} role="status" aria-live="polite" data-mode={mode}>
        {mode === "live" ? "Live" : mode === "polling" ? "Refreshing every 1.5 s" : mode === "reconnecting" ? "Reconnecting…" : "Connecting…"}
        {updated && <span> · updated {fmtTime(updated)}</span>}
        {board?.sessionTime && <span> · session {fmtDateTime(board.sessionTime)}</span>}
      </p>
      <ErrorNotice error={error} />
      {squadList && squadList.length === 0 && <p>No squads yet.</p>}
      {!board && !error && squadList?.length !== 0 && <Loading what="the board" />}
      {board && (
        <>
          <ul class="counts" aria-label="Counts">
            <li class="count count-ok">
              <span class="count-n" data-count="available">{board.availableCount}</span> available
            </li>
            <li class="count count-warn">
              <span class="count-n" data-count="modified">{board.modifiedCount}</span> modified
            </li>
            <li class="count count-bad">
              <span class="count-n" data-count="unavailable">{board.unavailableCount}</span> unavailable
            </li>
          </ul>
          {groups.map((g) =>
            g.players.length === 0 ? null : (
              <section key={g.availability} class="board-group" aria-label={`${availabilityHeading(g.availability)} (${g.players.length})`}>
                <h2>
                  {availabilityHeading(g.availability)} <span class="muted">({g.players.length})</span>
                </h2>
                <ul class="players">
                  {g.players.map((p) => (
                    <PlayerRow key={String(p.playerId)} p={p} clinical={clinical} />
                  ))}
                </ul>
              </section>
            ),
          )}
        </>
      )}
    </div>
  );
}

function availabilityHeading(a: Availability): string {
  return a === Availability.UNAVAILABLE ? "Unavailable" : a === Availability.MODIFIED ? "Modified training" : "Available";
}

// "PRE: Hip activation routine; Core stability routine | POST: Mobility routine" -> labelled chips.
function protocolChips(summary: string): { when: string; what: string }[] {
  return summary
    .split("|")
    .map((part) => part.trim())
    .filter(Boolean)
    .flatMap((part) => {
      const m = /^(PRE|POST):\s*(.*)$/.exec(part);
      if (!m) return [{ when: "", what: part }];
      return m[2].split(";").map((what) => ({ when: m[1], what: what.trim() })).filter((c) => c.what);
    });
}

function PlayerRow({ p, clinical }: { p: PlayerReadiness; clinical: boolean }) {
  const chips = protocolChips(p.coachProtocolSummary);
  const reasons = p.reasons.filter((r) => r.code !== ReadinessReasonCode.OVERRIDE || !p.override);
  return (
    <li class={`player player-${Availability[p.availability]?.toLowerCase()}`} data-player={String(p.playerId)}>
      <div class="player-head">
        {clinical ? (
          <a class="player-name" href={`#/player/${p.playerId}`}>
            {p.playerName}
          </a>
        ) : (
          <span class="player-name">{p.playerName}</span>
        )}
        <span class="muted player-pos">{p.positionGroup}</span>
        <AvailabilityPill value={p.availability} />
      </div>
      {reasons.length > 0 && (
        <ul class="reasons">
          {reasons.map((r, i) => (
            <li key={i}>{r.text || "Medical reason"}</li>
          ))}
        </ul>
      )}
      {p.override && (
        <p class="override">
          Override by {p.override.setBy || "the medical staff"}: <AvailabilityPill value={p.override.availability} /> until {fmtDateTime(p.override.expireTime)}
          {p.override.reason && <span class="override-reason"> — {p.override.reason}</span>}
        </p>
      )}
      {chips.length > 0 && (
        <ul class="chips" aria-label="Exercise routines">
          {chips.map((c, i) => (
            <li key={i} class={`chip chip-${c.when.toLowerCase() || "any"}`}>
              {c.when && <abbr title={c.when === "PRE" ? "before the session" : "after the session"}>{c.when}</abbr>} {c.what}
            </li>
          ))}
        </ul>
      )}
      {clinical && p.protocolSummary && <p class="protocol-detail muted">{p.protocolSummary}</p>}
    </li>
  );
}
