// A player's medical page (physio, admin): flags with reasons, the pain chart from check-ins, the
// complaint timeline with contact events around each onset (awkward ones marked), the amendment
// history, assigned protocols as exercise cards with full dosage and adherence, and the forms to
// record a complaint, a check-in, a resolution and an override.
import { useEffect, useState } from "preact/hooks";
import { complaints as complaintsApi, contactEvents, flags as flagsApi, players as playersApi, protocols, readiness } from "../api";
import { LineChart, type Series } from "../charts";
import { DAY_MS, enumLabel, fmtDate, fmtDateTime, toDate } from "../format";
import { AmendmentActionSchema, type Amendment, type Complaint, MechanismSchema, OnsetKindSchema, SeverityClassSchema, SideSchema, type Symptoms } from "../gen/touchline/v1/complaint_pb";
import { ContactKindSchema, type ContactEvent } from "../gen/touchline/v1/contact_event_pb";
import type { Flag } from "../gen/touchline/v1/flag_pb";
import { AdherenceSchema, ContractionSchema, DayPartSchema, ExerciseCategorySchema, PhaseSchema, type Prescription } from "../gen/touchline/plugin/v1/plugin_pb";
import type { AssignedPrescription, ProtocolAssignment } from "../gen/touchline/v1/protocol_pb";
import { AvailabilitySchema, type ReadinessOverride } from "../gen/touchline/v1/readiness_pb";
import type { Player } from "../gen/touchline/v1/squad_pb";
import { ErrorNotice, Loading, Section } from "../ui";
import { flagTitle } from "./flags";
import { CheckInForm, ComplaintForm, OverrideForm, ResolveForm } from "./player_forms";

// Contact events this long before an onset are shown with it (the server's default
// --pelvic_window_days is 14).
const AROUND_ONSET_DAYS = 14;

type Record = {
  player: Player;
  complaints: Complaint[];
  amendments: Map<bigint, Amendment[]>;
  flags: Flag[];
  events: ContactEvent[];
  assignments: ProtocolAssignment[];
  overrides: ReadinessOverride[];
};

export function PlayerPage({ playerId }: { playerId: bigint }) {
  const [rec, setRec] = useState<Record | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [p, c, f, a, o] = await Promise.all([
          playersApi.getPlayer({ id: playerId }),
          complaintsApi.listComplaints({ playerId, pageSize: 1000 }),
          flagsApi.listFlags({ playerId, pageSize: 1000 }),
          protocols.listAssignments({ playerId, pageSize: 5 }),
          readiness.listReadinessOverrides({ playerId, pageSize: 10 }),
        ]);
        const onsets = c.complaints.map((x) => toDate(x.onsetTime)?.getTime() ?? 0).filter((x) => x > 0);
        const events = onsets.length
          ? (
              await contactEvents.listContactEvents({
                playerId,
                startTime: { seconds: BigInt(Math.floor((Math.min(...onsets) - AROUND_ONSET_DAYS * DAY_MS) / 1000)), nanos: 0 },
                endTime: { seconds: BigInt(Math.floor((Math.max(...onsets) + DAY_MS) / 1000)), nanos: 0 },
                pageSize: 1000,
              })
            ).contactEvents
          : [];
        const amendments = new Map<bigint, Amendment[]>();
        await Promise.all(
          c.complaints.map(async (x) => amendments.set(x.id, (await complaintsApi.listAmendments({ complaintId: x.id, pageSize: 1000 })).amendments)),
        );
        if (!cancelled) {
          setRec({ player: p.player!, complaints: c.complaints, amendments, flags: f.flags, events, assignments: a.assignments, overrides: o.readinessOverrides });
          setError(null);
        }
      } catch (e) {
        if (!cancelled) setError(e);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [playerId, version]);

  if (error && !rec) return <ErrorNotice error={error} />;
  if (!rec) return <Loading what="the player's record" />;
  const { player } = rec;
  const open = rec.complaints.filter((c) => c.open);
  return (
    <div class="player-page">
      <h1>{player.name}</h1>
      <p class="muted">
        {player.positionName || "position not set"} · player {String(player.id)}
        {player.archived && " · archived"}
      </p>
      <ErrorNotice error={error} />
      <nav class="jump" aria-label="On this page">
        <a href={`#/player/${player.id}`} onClick={(e) => jump(e, "flags")}>Flags</a>
        <a href={`#/player/${player.id}`} onClick={(e) => jump(e, "pain")}>Pain</a>
        <a href={`#/player/${player.id}`} onClick={(e) => jump(e, "timeline")}>Complaints</a>
        <a href={`#/player/${player.id}`} onClick={(e) => jump(e, "protocols")}>Protocols</a>
        <a href={`#/player/${player.id}`} onClick={(e) => jump(e, "record")}>Record</a>
      </nav>
      <div class="player-grid">
        <Section title="Flags" id="flags">
          {rec.flags.length === 0 ? (
            <p class="muted">No active flags.</p>
          ) : (
            <ul class="plain">
              {rec.flags.map((f) => (
                <li key={f.key} class="flag-line">
                  <strong>{flagTitle(f)}</strong>: {f.reason}
                  {f.acknowledgement && <span class="muted"> (acknowledged by {f.acknowledgement.acknowledgedBy})</span>}
                </li>
              ))}
            </ul>
          )}
          {rec.overrides.length > 0 && (
            <>
              <h3>Overrides</h3>
              <ul class="plain">
                {rec.overrides.map((o) => (
                  <li key={String(o.id)}>
                    {enumLabel(AvailabilitySchema, o.availability)} from {fmtDateTime(o.startTime)} until {fmtDateTime(o.expireTime)} by {o.setBy}
                    {o.clearTime && ` (cleared ${fmtDateTime(o.clearTime)})`}: {o.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Section>
        <Section title="Pain over time" id="pain">
          <PainChart complaints={rec.complaints} />
        </Section>
      </div>
      <Section title="Complaints" id="timeline">
        {rec.complaints.length === 0 && <p class="muted">No complaints recorded.</p>}
        <ol class="timeline">
          {[...rec.complaints].reverse().map((c) => (
            <ComplaintCard key={String(c.id)} c={c} events={rec.events} amendments={rec.amendments.get(c.id) ?? []} />
          ))}
        </ol>
      </Section>
      <Section title="Protocols" id="protocols">
        {rec.assignments.length === 0 ? <p class="muted">No protocols assigned.</p> : <Assignments assignments={rec.assignments} />}
      </Section>
      <div id="record" class="forms">
        <ComplaintForm player={player} onSaved={reload} />
        {open.length > 0 && <CheckInForm complaints={open} onSaved={reload} />}
        {open.length > 0 && <ResolveForm complaints={open} onSaved={reload} />}
        <OverrideForm player={player} onSaved={reload} />
      </div>
    </div>
  );
}

function jump(e: Event, id: string) {
  e.preventDefault();
  const el = document.getElementById(id);
  el?.scrollIntoView();
  el?.querySelector<HTMLElement>("h2")?.setAttribute("tabindex", "-1");
  el?.querySelector<HTMLElement>("h2")?.focus();
}

export function complaintTitle(c: Complaint): string {
  return `Complaint ${c.id}: ${enumLabel(SideSchema, c.side)} ${enumLabel(OnsetKindSchema, c.onsetKind)}`.trim();
}

function PainChart({ complaints }: { complaints: Complaint[] }) {
  const series: Series[] = complaints
    .map((c, i) => {
      const pts = [];
      const onset = toDate(c.onsetTime);
      if (onset && c.symptoms) pts.push({ x: onset.getTime(), y: c.symptoms.pain, label: `Complaint ${c.id} onset ${fmtDate(onset)}: pain ${c.symptoms.pain}` });
      for (const ci of c.checkIns) {
        const d = toDate(ci.checkTime);
        if (d && ci.symptoms) pts.push({ x: d.getTime(), y: ci.symptoms.pain, label: `Complaint ${c.id} check-in ${fmtDate(d)}: pain ${ci.symptoms.pain}` });
      }
      return { name: `Complaint ${c.id} (${enumLabel(SideSchema, c.side)})`, points: pts.sort((a, b) => a.x - b.x), cls: `s${i % 6}` };
    })
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return <p class="muted">No pain scores recorded.</p>;
  const markers = complaints.flatMap((c) => {
    const r = toDate(c.resolveTime);
    return r ? [{ x: r.getTime(), label: `#${c.id} resolved`, cls: "resolved" }] : [];
  });
  return (
    <LineChart
      title="Pain over time"
      desc={`Pain (0-10) at onset and at each check-in, ${series.length} complaint(s).`}
      series={series}
      yMin={0}
      yMax={10}
      yLabel="pain 0-10"
      xFormat={(x) => fmtDate(new Date(x))}
      markers={markers}
    />
  );
}

function symptomWords(s: Symptoms | undefined): string {
  if (!s) return "";
  const words = [
    s.ache && "ache",
    s.tightness && "tightness",
    s.spasm && "spasm",
    s.sleepDisturbance && "sleep disturbance",
    s.inflexibility && "inflexibility",
    s.weaknessAgainstQuadriceps && "weak against quadriceps",
  ].filter(Boolean);
  return [`pain ${s.pain}/10`, ...words].join(", ");
}

function ComplaintCard({ c, events, amendments }: { c: Complaint; events: ContactEvent[]; amendments: Amendment[] }) {
  const onset = toDate(c.onsetTime);
  const cited = new Set(c.pelvicOriginEventIds.map(String));
  const around = onset
    ? events.filter((e) => {
        const t = toDate(e.occurTime)?.getTime() ?? 0;
        return t <= onset.getTime() && t >= onset.getTime() - AROUND_ONSET_DAYS * DAY_MS;
      })
    : [];
  const f = c.findings;
  const findings = f
    ? [
        f.pelvicRotation && "pelvic rotation",
        f.piriformisSpasm && "piriformis spasm",
        f.lumbarStiffness && "lumbar stiffness",
        f.thoracicStiffness && "thoracic stiffness",
        f.sciaticNerveTension && "sciatic nerve tension",
      ].filter(Boolean)
    : [];
  return (
    <li class={`card complaint ${c.open ? "complaint-open" : "complaint-resolved"}`} data-complaint={String(c.id)}>
      <h3>
        {complaintTitle(c)} <span class={`pill ${c.open ? "pill-warn" : "pill-none"}`}>{c.open ? "open" : "resolved"}</span>
      </h3>
      <dl class="facts">
        <dt>Onset</dt>
        <dd>
          {fmtDateTime(c.onsetTime)} · {enumLabel(MechanismSchema, c.mechanism) || "mechanism unknown"}
        </dd>
        <dt>Symptoms</dt>
        <dd>{symptomWords(c.symptoms)}</dd>
        {c.osiicsCode && (
          <>
            <dt>OSIICS</dt>
            <dd>{c.osiicsCode}</dd>
          </>
        )}
        {c.bamic && (
          <>
            <dt>BAMIC</dt>
            <dd>
              {c.bamic.grade}
              {["", "a", "b", "c"][c.bamic.site] ?? ""}
            </dd>
          </>
        )}
        {findings.length > 0 && (
          <>
            <dt>Findings</dt>
            <dd>{findings.join(", ")}</dd>
          </>
        )}
        {f?.notes && (
          <>
            <dt>Findings notes</dt>
            <dd>{f.notes}</dd>
          </>
        )}
        {(c.history?.lumbarDiscHerniation || c.history?.notes) && (
          <>
            <dt>History</dt>
            <dd>{[c.history?.lumbarDiscHerniation && "lumbar disc herniation", c.history?.notes].filter(Boolean).join("; ")}</dd>
          </>
        )}
        {c.suspectedPelvicOrigin && (
          <>
            <dt>Pelvic origin</dt>
            <dd>suspected (contact events {c.pelvicOriginEventIds.map(String).join(", ")})</dd>
          </>
        )}
        {c.nerveInvolvement?.involved && (
          <>
            <dt>Nerve involved</dt>
            <dd>{c.nerveInvolvement.details.join("; ") || "yes"}</dd>
          </>
        )}
        {c.subsequentReason && (
          <>
            <dt>Subsequent</dt>
            <dd>{c.subsequentReason}</dd>
          </>
        )}
        {c.resolveTime && (
          <>
            <dt>Resolved</dt>
            <dd>
              {fmtDateTime(c.resolveTime)} · {c.timeLossDays} days lost ({enumLabel(SeverityClassSchema, c.severityClass)})
            </dd>
          </>
        )}
      </dl>
      <h4>Contact events in the {AROUND_ONSET_DAYS} days before onset</h4>
      {around.length === 0 ? (
        <p class="muted">None recorded.</p>
      ) : (
        <>
          <p>
            {around.length} contact event(s); {around.filter((e) => e.awkward).length} awkward or high-impact
            {cited.size > 0 && `, ${cited.size} cited for the suspected pelvic origin`}.
          </p>
          <EventList events={around.filter((e) => e.awkward || cited.has(String(e.id)))} cited={cited} />
          <details>
            <summary>All {around.length} events</summary>
            <EventList events={around} cited={cited} />
          </details>
        </>
      )}
      <h4>Check-ins</h4>
      {c.checkIns.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="checkins">
          {c.checkIns.map((ci) => (
            <li key={String(ci.id)}>
              {fmtDateTime(ci.checkTime)}: {symptomWords(ci.symptoms)}
              {ci.note && ` — ${ci.note}`} <span class="muted">({ci.recordedBy})</span>
            </li>
          ))}
        </ul>
      )}
      <details class="amendments">
        <summary>Amendment history ({amendments.length})</summary>
        <ol>
          {amendments.map((a) => (
            <li key={String(a.id)}>
              {fmtDateTime(a.amendTime)} · {enumLabel(AmendmentActionSchema, a.action)} by {a.amendedBy}
              {a.reason && ` — ${a.reason}`}
              {a.changes.length > 0 && (
                <ul>
                  {a.changes.map((ch, i) => (
                    <li key={i}>
                      <code>{ch.field}</code>: {ch.oldValue || "(unset)"} → {ch.newValue || "(unset)"}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

function EventList({ events, cited }: { events: ContactEvent[]; cited: Set<string> }) {
  return (
    <ul class="events">
      {events.map((e) => (
        <li key={String(e.id)} class={e.awkward ? "event event-awkward" : "event"}>
          {fmtDateTime(e.occurTime)} · {enumLabel(ContactKindSchema, e.kind)}
          {e.sessionLabel && ` · ${e.sessionLabel}`}
          {e.awkward && <strong class="tag tag-bad">awkward</strong>}
          {cited.has(String(e.id)) && <strong class="tag">cited for pelvic origin</strong>}
          {e.note && <span class="muted"> — {e.note}</span>}
        </li>
      ))}
    </ul>
  );
}

function Assignments({ assignments }: { assignments: ProtocolAssignment[] }) {
  const [newest, ...older] = assignments;
  return (
    <>
      <AssignmentView a={newest} />
      {older.length > 0 && (
        <details>
          <summary>Earlier assignments ({older.length})</summary>
          {older.map((a) => (
            <AssignmentView key={String(a.id)} a={a} />
          ))}
        </details>
      )}
    </>
  );
}

function AssignmentView({ a }: { a: ProtocolAssignment }) {
  return (
    <div class="assignment" data-assignment={String(a.id)}>
      <h3>
        Assignment {String(a.id)}: {a.sessionLabel || "session"} on {fmtDateTime(a.sessionTime)}
      </h3>
      <p class="muted">
        Assigned by {a.assignedBy} on {fmtDateTime(a.assignTime)}
      </p>
      {(["pre", "post"] as const).map((when) =>
        a[when].length ? (
          <div key={when}>
            <h4>{when === "pre" ? "PRE — before the session" : "POST — after the session"}</h4>
            <ul class="exercises">
              {a[when].map((p) => (
                <ExerciseCard key={String(p.id)} ap={p} />
              ))}
            </ul>
          </div>
        ) : null,
      )}
      {a.withheld.length > 0 && (
        <div class="withheld">
          <h4>Withheld as unsafe</h4>
          <ul>
            {a.withheld.map((w, i) => (
              <li key={i}>
                {w.prescription?.exercise}: {w.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {a.failures.length > 0 && (
        <p class="notice notice-error">
          Plugins that could not answer: {a.failures.map((f) => `${f.pluginName} (${f.message})`).join("; ")}
        </p>
      )}
    </div>
  );
}

export function dosage(p: Prescription): string {
  const parts: string[] = [];
  if (p.sets) {
    let s = `${p.sets} set${p.sets === 1 ? "" : "s"}`;
    if (p.reps) s += ` × ${p.reps} reps`;
    if (p.holdSeconds) s += `${p.reps ? "," : " ×"} ${p.holdSeconds} s hold`;
    if (p.eachSide) s += ", each leg";
    parts.push(s);
  }
  if (p.effortPercent) parts.push(`at ${p.effortPercent}% effort`);
  const side = enumLabel(SideSchema, p.side);
  if (side && !p.eachSide) parts.push(`${side} leg`);
  const fr = p.frequency;
  if (fr) {
    const f: string[] = [];
    if (fr.timesPerDay) f.push(`${fr.timesPerDay}× a day`);
    if (fr.timesPerWeek) f.push(`${fr.timesPerWeek}× a week`);
    if (fr.dayParts.length) f.push(fr.dayParts.map((d) => enumLabel(DayPartSchema, d)).join("/"));
    if (f.length) parts.push(f.join(", "));
  }
  return parts.join(" · ");
}

function ExerciseCard({ ap }: { ap: AssignedPrescription }) {
  const p = ap.prescription;
  if (!p) return null;
  const last = ap.adherenceRecords[ap.adherenceRecords.length - 1];
  return (
    <li class="card exercise" data-prescription={String(ap.id)}>
      <h5>{p.exercise}</h5>
      <p class="dose">{dosage(p)}</p>
      <dl class="facts">
        {p.instructions && (
          <>
            <dt>How</dt>
            <dd>{p.instructions}</dd>
          </>
        )}
        <dt>Protocol</dt>
        <dd>
          {p.protocol} ({p.pluginName} {p.pluginVersion}){p.phase ? ` · ${enumLabel(PhaseSchema, p.phase)}` : ""}
          {p.stage && ` · ${p.stage}`}
          {p.category ? ` · ${enumLabel(ExerciseCategorySchema, p.category)}` : ""}
          {p.contraction ? ` · ${enumLabel(ContractionSchema, p.contraction)}` : ""}
        </dd>
        {p.painCeiling > 0 && (
          <>
            <dt>Stop if</dt>
            <dd>pain above {p.painCeiling}/10</dd>
          </>
        )}
        {p.progressionCriteria && (
          <>
            <dt>Progress when</dt>
            <dd>{p.progressionCriteria}</dd>
          </>
        )}
        {p.reason && (
          <>
            <dt>Why</dt>
            <dd>{p.reason}</dd>
          </>
        )}
        {p.notes.length > 0 && (
          <>
            <dt>Notes</dt>
            <dd>{p.notes.join(" ")}</dd>
          </>
        )}
        <dt>Adherence</dt>
        <dd class="adherence">
          {last ? (
            <>
              <span class={`pill pill-${last.adherence === 1 ? "ok" : last.adherence === 2 ? "warn" : "bad"}`}>{enumLabel(AdherenceSchema, last.adherence)}</span> pain {last.pain}/10
              {last.note && ` — ${last.note}`} <span class="muted">({last.recordedBy}, {fmtDateTime(last.recordTime)}; {ap.adherenceRecords.length} report(s))</span>
            </>
          ) : (
            <span class="muted">not reported yet</span>
          )}
        </dd>
      </dl>
    </li>
  );
}
