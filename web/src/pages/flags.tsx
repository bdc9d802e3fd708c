// The physio's flag queue: every active flag of a squad, most urgent first, with the days left to
// the six-week line of the complaint it is about, and acknowledgement. It refreshes itself on
// every flag change (FlagService.WatchFlags from now), or every 5 s where the stream is not served.
import { Code } from "@connectrpc/connect";
import { useEffect, useMemo, useState } from "preact/hooks";
import { complaints as complaintsApi, flags as flagsApi, isCode, players as playersApi, requestId } from "../api";
import { DAY_MS, daysBetween, enumLabel, fmtDateTime, plural, toDate } from "../format";
import type { Complaint } from "../gen/touchline/v1/complaint_pb";
import { FlagKind, FlagKindSchema, RecurrenceTimingSchema, type Flag } from "../gen/touchline/v1/flag_pb";
import type { Player } from "../gen/touchline/v1/squad_pb";
import { ErrorNotice, Field, FormStatus, idleForm, Loading, submit, type FormState } from "../ui";
import { SquadPicker, useSquadChoice } from "../squad_choice";

const SIX_WEEKS_DAYS = 42;

// Within the same acknowledgement state and days left: the kinds that ask for action soonest first.
const KIND_RANK: Record<number, number> = {
  [FlagKind.EXACERBATION]: 0,
  [FlagKind.WINDOW_CLOSING]: 1,
  [FlagKind.SUSPECTED_PELVIC_ORIGIN]: 2,
  [FlagKind.RECURRENT]: 3,
  [FlagKind.PERSISTENT]: 4,
};

type Row = { flag: Flag; player?: Player; complaint?: Complaint; daysLeft?: number };

// Most urgent first: unacknowledged before acknowledged; then complaints with time left before
// the six-week line (fewest days first) before those already past it; then by kind.
export function urgency(a: Row, b: Row): number {
  const ackA = a.flag.acknowledgement ? 1 : 0;
  const ackB = b.flag.acknowledgement ? 1 : 0;
  if (ackA !== ackB) return ackA - ackB;
  const dl = (r: Row) => (r.daysLeft === undefined ? 1e6 : r.daysLeft < 0 ? 1e5 - r.daysLeft : r.daysLeft);
  if (dl(a) !== dl(b)) return dl(a) - dl(b);
  return (KIND_RANK[a.flag.kind] ?? 9) - (KIND_RANK[b.flag.kind] ?? 9);
}

export function sixWeekText(daysLeft: number | undefined): string {
  if (daysLeft === undefined) return "";
  if (daysLeft > 0) return `${plural(daysLeft, "day")} to the six-week line`;
  if (daysLeft === 0) return "six-week line today";
  return `${plural(-daysLeft, "day")} past the six-week line`;
}

export function FlagsPage() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const choice = useSquadChoice(setError);
  const { squadId } = choice;
  const [version, setVersion] = useState(0); // bumped by every flag change seen
  const [live, setLive] = useState("");

  // Follow flag changes; each one reloads the queue (coalesced).
  useEffect(() => {
    if (squadId === 0n) return;
    const ctl = new AbortController();
    (async () => {
      let backoff = 500;
      while (!ctl.signal.aborted) {
        let received = false;
        try {
          const stream = flagsApi.watchFlags({ squadId, fromNow: true }, { signal: ctl.signal, onHeader: () => setLive("Live") });
          for await (const _ of stream) {
            void _;
            received = true;
            setVersion((v) => v + 1);
            backoff = 500;
          }
        } catch (e) {
          if (ctl.signal.aborted) return;
          // Not served here (or refused before it started): poll instead.
          if (isCode(e, Code.Unimplemented) || !received) break;
        }
        setLive("Reconnecting…");
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 8000);
      }
      setLive("Refreshing every 5 s");
      while (!ctl.signal.aborted) {
        await new Promise((r) => setTimeout(r, 5000));
        setVersion((v) => v + 1);
      }
    })();
    return () => ctl.abort();
  }, [squadId]);

  useEffect(() => {
    if (squadId === 0n) return;
    let cancelled = false;
    const t = setTimeout(async () => {
      try {
        const [f, p, c] = await Promise.all([
          flagsApi.listFlags({ squadId, pageSize: 1000 }),
          playersApi.listPlayers({ squadId, pageSize: 1000 }),
          complaintsApi.listComplaints({ squadId, openOnly: false, pageSize: 1000 }),
        ]);
        if (cancelled) return;
        const byPlayer = new Map(p.players.map((x) => [x.id, x]));
        const byComplaint = new Map(c.complaints.map((x) => [x.id, x]));
        const now = toDate(f.asOf) ?? new Date();
        const out = f.flags.map((flag) => {
          const complaint = byComplaint.get(flag.complaintIds[0] ?? 0n);
          const onset = toDate(complaint?.onsetTime);
          // Whole days left to onset + 42 days (0 on the last day), as ListClosingWindows counts.
          const daysLeft = onset && complaint?.open ? daysBetween(now, new Date(onset.getTime() + SIX_WEEKS_DAYS * DAY_MS)) : undefined;
          return { flag, player: byPlayer.get(flag.playerId), complaint, daysLeft };
        });
        out.sort(urgency);
        setRows(out);
        setError(null);
      } catch (e) {
        if (!cancelled) setError(e);
      }
    }, version === 0 ? 0 : 150);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [squadId, version]);

  const open = useMemo(() => (rows ?? []).filter((r) => !r.flag.acknowledgement).length, [rows]);

  return (
    <div>
      <h1>Flag queue</h1>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <SquadPicker id="flags-squad" choice={choice} />
      </form>
      <p class="live" role="status" aria-live="polite">
        {live}
        {rows && ` · ${plural(rows.length, "active flag")}, ${open} not acknowledged`}
      </p>
      <p class="muted">Most urgent first: not yet acknowledged, then fewest days to the six-week line (day 42 from onset).</p>
      <ErrorNotice error={error} />
      {!rows && !error && <Loading what="flags" />}
      {rows && rows.length === 0 && <p>No active flags.</p>}
      {rows && (
        <ol class="flag-list">
          {rows.map((r) => (
            <FlagCard key={r.flag.key || `${r.flag.playerId}-${r.flag.kind}`} row={r} onAcknowledged={() => setVersion((v) => v + 1)} />
          ))}
        </ol>
      )}
    </div>
  );
}

export function flagTitle(flag: Flag): string {
  let t = enumLabel(FlagKindSchema, flag.kind);
  if (flag.kind === FlagKind.RECURRENT && flag.recurrenceTiming) t += ` (${enumLabel(RecurrenceTimingSchema, flag.recurrenceTiming)})`;
  if (flag.kind === FlagKind.WINDOW_CLOSING && flag.windowAlertDay) t += ` (day ${flag.windowAlertDay})`;
  if (flag.episode > 1) t += `, episode ${flag.episode}`;
  return t;
}

function FlagCard({ row, onAcknowledged }: { row: Row; onAcknowledged: () => void }) {
  const { flag, player, daysLeft } = row;
  const [note, setNote] = useState("");
  const [state, setState] = useState<FormState>(idleForm);
  const ack = flag.acknowledgement;
  const urgent = !ack && daysLeft !== undefined && daysLeft >= 0 && daysLeft <= 14;
  return (
    <li class={`card flag flag-${FlagKind[flag.kind]?.toLowerCase()}${ack ? " flag-acked" : ""}${urgent ? " flag-urgent" : ""}`} data-flag={flag.key}>
      <div class="flag-head">
        <h2 class="flag-kind">{flagTitle(flag)}</h2>
        <a href={`#/player/${flag.playerId}`} class="flag-player">
          {player?.name ?? `Player ${flag.playerId}`}
        </a>
        {daysLeft !== undefined && <span class={`days-left${daysLeft < 0 ? " past" : ""}`}>{sixWeekText(daysLeft)}</span>}
      </div>
      <p class="flag-reason">{flag.reason}</p>
      <p class="muted">
        Since {fmtDateTime(flag.beginTime)} · complaint {flag.complaintIds.map(String).join(", ")}
      </p>
      {ack ? (
        <p class="ack">
          Acknowledged by {ack.acknowledgedBy} on {fmtDateTime(ack.acknowledgeTime)}
          {ack.note && `: ${ack.note}`}
        </p>
      ) : (
        <form
          class="ack-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await submit(setState, ["note"], async () => {
              await flagsApi.acknowledgeFlag({ playerId: flag.playerId, kind: flag.kind, complaintId: flag.complaintIds[0] ?? 0n, note, requestId: requestId() });
              return "Acknowledged.";
            });
            if (ok) onAcknowledged();
          }}
        >
          <Field label="Note (optional)" path="note" violations={state.violations}>
            {(a) => <input {...a} type="text" value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} />}
          </Field>
          <button type="submit" disabled={state.busy}>
            Acknowledge
          </button>
          <FormStatus state={state} />
        </form>
      )}
    </li>
  );
}
