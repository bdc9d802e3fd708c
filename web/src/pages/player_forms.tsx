// The physio's forms on a player page. Every write goes through the generated clients with a
// request id (safe to retry); the server validates, and its field violations (google.rpc.BadRequest,
// proto field paths such as "complaint.onset_time") are shown beside their fields. The browser's
// own validation is off (noValidate) so that the server's rules are the ones shown.
import { useState } from "preact/hooks";
import { complaints as complaintsApi, readiness, requestId } from "../api";
import { enumOptions, fromLocalInput, localInputValue } from "../format";
import { type Complaint, MechanismSchema, OnsetKindSchema, SideSchema } from "../gen/touchline/v1/complaint_pb";
import { AvailabilitySchema } from "../gen/touchline/v1/readiness_pb";
import type { Player } from "../gen/touchline/v1/squad_pb";
import { Checkbox, Field, FormStatus, idleForm, submit, type FormState } from "../ui";
import { complaintTitle } from "./player";

const inputValue = (e: Event) => (e.currentTarget as HTMLInputElement).value;

function EnumSelect({ attrs, desc, value, onChange, placeholder }: { attrs: object; desc: Parameters<typeof enumOptions>[0]; value: number; onChange: (v: number) => void; placeholder: string }) {
  return (
    <select {...attrs} value={String(value)} onChange={(e) => onChange(Number((e.currentTarget as HTMLSelectElement).value))}>
      <option value="0">{placeholder}</option>
      {enumOptions(desc).map((o) => (
        <option key={o.value} value={String(o.value)}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

type SymptomState = { pain: string; ache: boolean; tightness: boolean; spasm: boolean; sleepDisturbance: boolean; inflexibility: boolean; weaknessAgainstQuadriceps: boolean };
const noSymptoms: SymptomState = { pain: "0", ache: false, tightness: false, spasm: false, sleepDisturbance: false, inflexibility: false, weaknessAgainstQuadriceps: false };

function symptomsOf(s: SymptomState) {
  return { ...s, pain: Number.parseInt(s.pain, 10) };
}

function SymptomFields({ prefix, s, set, state }: { prefix: string; s: SymptomState; set: (s: SymptomState) => void; state: FormState }) {
  const flag = (k: keyof SymptomState, label: string) => <Checkbox label={label} checked={s[k] as boolean} onChange={(v) => set({ ...s, [k]: v })} />;
  return (
    <fieldset>
      <legend>Symptoms</legend>
      <Field label="Pain (0-10)" path={`${prefix}.symptoms.pain`} violations={state.violations}>
        {(a) => <input {...a} type="number" inputMode="numeric" min={0} max={10} step={1} value={s.pain} onInput={(e) => set({ ...s, pain: inputValue(e) })} />}
      </Field>
      <div class="checks">
        {flag("ache", "Ache")}
        {flag("tightness", "Tightness")}
        {flag("spasm", "Spasm")}
        {flag("sleepDisturbance", "Disturbs sleep")}
        {flag("inflexibility", "Inflexible")}
        {flag("weaknessAgainstQuadriceps", "Weak against quadriceps")}
      </div>
    </fieldset>
  );
}

export function ComplaintForm({ player, onSaved }: { player: Player; onSaved: () => void }) {
  const [state, setState] = useState<FormState>(idleForm);
  const [side, setSide] = useState(0);
  const [onset, setOnset] = useState(() => localInputValue(new Date()));
  const [onsetKind, setOnsetKind] = useState(0);
  const [mechanism, setMechanism] = useState(0);
  const [symptoms, setSymptoms] = useState<SymptomState>(noSymptoms);
  const [osiics, setOsiics] = useState("");
  const [findings, setFindings] = useState({ pelvicRotation: false, piriformisSpasm: false, lumbarStiffness: false, thoracicStiffness: false, sciaticNerveTension: false, notes: "" });
  const [history, setHistory] = useState({ lumbarDiscHerniation: false, notes: "" });
  const known = ["complaint.side", "complaint.onset_time", "complaint.onset_kind", "complaint.mechanism", "complaint.symptoms.pain", "complaint.osiics_code", "complaint.findings.notes", "complaint.history.notes"];
  const finding = (k: keyof typeof findings, label: string) => <Checkbox label={label} checked={findings[k] as boolean} onChange={(v) => setFindings({ ...findings, [k]: v })} />;

  return (
    <form
      class="card form"
      id="complaint-form"
      aria-labelledby="complaint-form-h"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await submit(setState, known, async () => {
          const r = await complaintsApi.createComplaint({
            complaint: {
              playerId: player.id,
              side,
              onsetTime: fromLocalInput(onset),
              onsetKind,
              mechanism,
              symptoms: symptomsOf(symptoms),
              osiicsCode: osiics.trim(),
              findings,
              history,
            },
            requestId: requestId(),
          });
          return `Recorded complaint ${r.complaint?.id}.`;
        });
        if (ok) {
          setSymptoms(noSymptoms);
          onSaved();
        }
      }}
    >
      <h2 id="complaint-form-h">Record a complaint</h2>
      <div class="row">
        <Field label="Side" path="complaint.side" violations={state.violations}>
          {(a) => <EnumSelect attrs={a} desc={SideSchema} value={side} onChange={setSide} placeholder="Choose a side" />}
        </Field>
        <Field label="Onset" path="complaint.onset_time" violations={state.violations} hint="When the symptoms began.">
          {(a) => <input {...a} type="datetime-local" value={onset} onInput={(e) => setOnset(inputValue(e))} />}
        </Field>
        <Field label="Onset kind" path="complaint.onset_kind" violations={state.violations}>
          {(a) => <EnumSelect attrs={a} desc={OnsetKindSchema} value={onsetKind} onChange={setOnsetKind} placeholder="Gradual or acute?" />}
        </Field>
        <Field label="Mechanism" path="complaint.mechanism" violations={state.violations}>
          {(a) => <EnumSelect attrs={a} desc={MechanismSchema} value={mechanism} onChange={setMechanism} placeholder="Not known" />}
        </Field>
      </div>
      <SymptomFields prefix="complaint" s={symptoms} set={setSymptoms} state={state} />
      <fieldset>
        <legend>Examination</legend>
        <div class="checks">
          {finding("pelvicRotation", "Pelvic rotation")}
          {finding("piriformisSpasm", "Piriformis spasm")}
          {finding("lumbarStiffness", "Lumbar stiffness")}
          {finding("thoracicStiffness", "Thoracic stiffness")}
          {finding("sciaticNerveTension", "Sciatic nerve tension")}
        </div>
        <Field label="Findings notes" path="complaint.findings.notes" violations={state.violations}>
          {(a) => <textarea {...a} rows={2} value={findings.notes} onInput={(e) => setFindings({ ...findings, notes: inputValue(e) })} />}
        </Field>
        <Field label="OSIICS code (optional)" path="complaint.osiics_code" violations={state.violations} hint="e.g. TM1 strain, TMW back-referred tightness.">
          {(a) => <input {...a} type="text" autoCapitalize="characters" value={osiics} onInput={(e) => setOsiics(inputValue(e))} />}
        </Field>
      </fieldset>
      <fieldset>
        <legend>History</legend>
        <Checkbox label="Lumbar disc herniation" checked={history.lumbarDiscHerniation} onChange={(v) => setHistory({ ...history, lumbarDiscHerniation: v })} />
        <Field label="History notes" path="complaint.history.notes" violations={state.violations}>
          {(a) => <textarea {...a} rows={2} value={history.notes} onInput={(e) => setHistory({ ...history, notes: inputValue(e) })} />}
        </Field>
      </fieldset>
      <button type="submit" class="primary" disabled={state.busy}>
        Record complaint
      </button>
      <FormStatus state={state} />
    </form>
  );
}

function ComplaintSelect({ id, complaints, value, onChange, attrs }: { id?: string; complaints: Complaint[]; value: string; onChange: (v: string) => void; attrs: object }) {
  return (
    <select id={id} {...attrs} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
      {complaints.map((c) => (
        <option key={String(c.id)} value={String(c.id)}>
          {complaintTitle(c)}
        </option>
      ))}
    </select>
  );
}

export function CheckInForm({ complaints, onSaved }: { complaints: Complaint[]; onSaved: () => void }) {
  const [state, setState] = useState<FormState>(idleForm);
  const [complaintId, setComplaintId] = useState(String(complaints[complaints.length - 1].id));
  const [at, setAt] = useState(() => localInputValue(new Date()));
  const [symptoms, setSymptoms] = useState<SymptomState>(noSymptoms);
  const [note, setNote] = useState("");
  const known = ["complaint_id", "check_in.check_time", "check_in.symptoms.pain", "check_in.note"];
  return (
    <form
      class="card form"
      id="checkin-form"
      aria-labelledby="checkin-form-h"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await submit(setState, known, async () => {
          await complaintsApi.createCheckIn({
            complaintId: BigInt(complaintId),
            checkIn: { checkTime: fromLocalInput(at), symptoms: symptomsOf(symptoms), note },
            requestId: requestId(),
          });
          return "Check-in recorded.";
        });
        if (ok) {
          setNote("");
          onSaved();
        }
      }}
    >
      <h2 id="checkin-form-h">Record a check-in</h2>
      <div class="row">
        <Field label="Complaint" path="complaint_id" violations={state.violations}>
          {(a) => <ComplaintSelect attrs={a} complaints={complaints} value={complaintId} onChange={setComplaintId} />}
        </Field>
        <Field label="Checked at" path="check_in.check_time" violations={state.violations}>
          {(a) => <input {...a} type="datetime-local" value={at} onInput={(e) => setAt(inputValue(e))} />}
        </Field>
      </div>
      <SymptomFields prefix="check_in" s={symptoms} set={setSymptoms} state={state} />
      <Field label="Note" path="check_in.note" violations={state.violations}>
        {(a) => <textarea {...a} rows={2} value={note} onInput={(e) => setNote(inputValue(e))} />}
      </Field>
      <button type="submit" class="primary" disabled={state.busy}>
        Record check-in
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function ResolveForm({ complaints, onSaved }: { complaints: Complaint[]; onSaved: () => void }) {
  const [state, setState] = useState<FormState>(idleForm);
  const [complaintId, setComplaintId] = useState(String(complaints[0].id));
  const [at, setAt] = useState(() => localInputValue(new Date()));
  const [reason, setReason] = useState("");
  const known = ["complaint_id", "resolve_time", "reason"];
  return (
    <form
      class="card form"
      id="resolve-form"
      aria-labelledby="resolve-form-h"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await submit(setState, known, async () => {
          await complaintsApi.resolveComplaint({ complaintId: BigInt(complaintId), resolveTime: fromLocalInput(at), reason, requestId: requestId() });
          return "Return to full participation recorded.";
        });
        if (ok) onSaved();
      }}
    >
      <h2 id="resolve-form-h">Record a resolution</h2>
      <div class="row">
        <Field label="Complaint" path="complaint_id" violations={state.violations}>
          {(a) => <ComplaintSelect attrs={a} complaints={complaints} value={complaintId} onChange={setComplaintId} />}
        </Field>
        <Field label="Return to full participation" path="resolve_time" violations={state.violations}>
          {(a) => <input {...a} type="datetime-local" value={at} onInput={(e) => setAt(inputValue(e))} />}
        </Field>
      </div>
      <Field label="Note" path="reason" violations={state.violations}>
        {(a) => <textarea {...a} rows={2} value={reason} onInput={(e) => setReason(inputValue(e))} />}
      </Field>
      <button type="submit" class="primary" disabled={state.busy}>
        Record resolution
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function OverrideForm({ player, onSaved }: { player: Player; onSaved: () => void }) {
  const [state, setState] = useState<FormState>(idleForm);
  const [availability, setAvailability] = useState(0);
  const [reason, setReason] = useState("");
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState(() => localInputValue(new Date(Date.now() + 24 * 3600 * 1000)));
  const known = ["readiness_override.availability", "readiness_override.reason", "readiness_override.start_time", "readiness_override.expire_time"];
  return (
    <form
      class="card form"
      id="override-form"
      aria-labelledby="override-form-h"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await submit(setState, known, async () => {
          await readiness.createReadinessOverride({
            readinessOverride: { playerId: player.id, availability, reason, startTime: fromLocalInput(from), expireTime: fromLocalInput(until) },
            requestId: requestId(),
          });
          return "Override set.";
        });
        if (ok) {
          setReason("");
          onSaved();
        }
      }}
    >
      <h2 id="override-form-h">Override availability</h2>
      <div class="row">
        <Field label="Availability" path="readiness_override.availability" violations={state.violations}>
          {(a) => <EnumSelect attrs={a} desc={AvailabilitySchema} value={availability} onChange={setAvailability} placeholder="Choose" />}
        </Field>
        <Field label="From (optional)" path="readiness_override.start_time" violations={state.violations} hint="Empty: now.">
          {(a) => <input {...a} type="datetime-local" value={from} onInput={(e) => setFrom(inputValue(e))} />}
        </Field>
        <Field label="Until" path="readiness_override.expire_time" violations={state.violations}>
          {(a) => <input {...a} type="datetime-local" value={until} onInput={(e) => setUntil(inputValue(e))} />}
        </Field>
      </div>
      <Field label="Reason" path="readiness_override.reason" violations={state.violations} hint="Coaches do not see it.">
        {(a) => <textarea {...a} rows={2} value={reason} onInput={(e) => setReason(inputValue(e))} />}
      </Field>
      <button type="submit" class="primary" disabled={state.busy}>
        Set override
      </button>
      <FormStatus state={state} />
    </form>
  );
}
