// The audit log (admin): who read or wrote which player's data, when, through which method, with
// what outcome; filterable by player, user, method, outcome and time, newest first, paged.
import { useEffect, useState } from "preact/hooks";
import { audit } from "../api";
import { enumLabel, fmtDateTime, fromLocalInput } from "../format";
import { RoleSchema, type AuditEvent } from "../gen/touchline/v1/audit_pb";
import { ErrorNotice, Field, Loading, type Violations } from "../ui";
import { fieldViolations } from "../api";

type Filter = { player: string; user: string; method: string; outcome: string; from: string; to: string };
const empty: Filter = { player: "", user: "", method: "", outcome: "", from: "", to: "" };
const OUTCOMES = ["OK", "OPENED", "PERMISSION_DENIED", "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "UNAUTHENTICATED", "UNAVAILABLE", "CANCELLED"];

export function AuditPage() {
  const [draft, setDraft] = useState<Filter>(empty);
  const [filter, setFilter] = useState<Filter>(empty);
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [violations, setViolations] = useState<Violations>(new Map());

  async function load(f: Filter, pageToken: string) {
    try {
      const r = await audit.listAuditEvents({
        playerId: /^\d+$/.test(f.player) ? BigInt(f.player) : 0n,
        user: f.user.trim(),
        method: f.method.trim(),
        outcome: f.outcome,
        startTime: fromLocalInput(f.from),
        endTime: fromLocalInput(f.to),
        pageSize: 100,
        pageToken,
      });
      setEvents((prev) => (pageToken && prev ? [...prev, ...r.auditEvents] : r.auditEvents));
      setNext(r.nextPageToken);
      setError(null);
      setViolations(new Map());
    } catch (e) {
      setError(e);
      setViolations(fieldViolations(e));
      if (!pageToken) setEvents([]);
    }
  }

  useEffect(() => {
    setEvents(null);
    load(filter, "");
  }, [filter]);

  const text = (k: keyof Filter, label: string, path: string, type = "text") => (
    <Field label={label} path={path} violations={violations}>
      {(a) => <input {...a} type={type} value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value })} />}
    </Field>
  );

  return (
    <div>
      <h1>Audit log</h1>
      <form
        class="card toolbar filters"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft });
        }}
      >
        {text("player", "Player id", "player_id", "text")}
        {text("user", "User", "user")}
        {text("method", "Method", "method")}
        <Field label="Outcome" path="outcome" violations={violations}>
          {(a) => (
            <select {...a} value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">any</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text("from", "From", "start_time", "datetime-local")}
        {text("to", "Before", "end_time", "datetime-local")}
        <div class="buttons">
          <button type="submit" class="primary">
            Filter
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(empty);
              setFilter(empty);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      {!events && <Loading what="the audit log" />}
      {events && events.length === 0 && !error && <p>No events match.</p>}
      {events && events.length > 0 && (
        <div class="table-wrap">
          <table class="data audit">
            <caption class="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Method</th>
                <th scope="col">Players</th>
                <th scope="col">Squad</th>
                <th scope="col">Outcome</th>
                <th scope="col">Records</th>
              </tr>
            </thead>
            <tbody>
              {events.map((ev) => (
                <tr key={String(ev.id)} class={ev.outcome === "OK" || ev.outcome === "OPENED" ? "" : "row-bad"}>
                  <td>{String(ev.id)}</td>
                  <td>{fmtDateTime(ev.eventTime)}</td>
                  <td>{ev.user}</td>
                  <td>{enumLabel(RoleSchema, ev.role)}</td>
                  <td>
                    <code>{ev.method.replace(/^\/touchline\.v1\./, "")}</code>
                  </td>
                  <td>{ev.playerIds.map(String).join(", ")}</td>
                  <td>{ev.squadId ? String(ev.squadId) : ""}</td>
                  <td>{ev.outcome}</td>
                  <td>{ev.recordsSent ? String(ev.recordsSent) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => load(filter, next)}>
          Load more
        </button>
      )}
    </div>
  );
}
