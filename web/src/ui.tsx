// Small shared pieces: form fields that show the server's field violation beside them, status
// pills, error and loading notices.
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { errorText, fieldViolations } from "./api";
import { Availability } from "./gen/touchline/v1/readiness_pb";

// Violations of one form: field path -> message. Paths are the request's proto field paths.
export type Violations = Map<string, string>;

let nextId = 0;
function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

type FieldProps = {
  label: string;
  // The request field path the server names in a violation, e.g. "complaint.onset_time".
  path: string;
  violations: Violations;
  hint?: string;
  children: (attrs: {
    id: string;
    name: string;
    "aria-invalid": "true" | undefined;
    "aria-describedby": string | undefined;
  }) => JSX.Element;
};

// <label> + control + hint + the server's message for that field (aria-describedby).
export function Field({ label, path, violations, hint, children }: FieldProps) {
  const id = useId("f");
  const message = violations.get(path);
  const described = [hint ? `${id}-hint` : "", message ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={message ? "field field-invalid" : "field"}>
      <label for={id}>{label}</label>
      {children({ id, name: path, "aria-invalid": message ? "true" : undefined, "aria-describedby": described || undefined })}
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {message && (
        <p class="field-error" id={`${id}-error`} data-field={path}>
          {message}
        </p>
      )}
    </div>
  );
}

export function Checkbox({ label, checked, onChange, name }: { label: string; checked: boolean; onChange: (v: boolean) => void; name?: string }) {
  const id = useId("c");
  return (
    <div class="check">
      <input type="checkbox" id={id} name={name} checked={checked} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

// The outcome of submitting a form: violations for the fields, a message for the rest.
export type FormState = { busy: boolean; violations: Violations; error: string; done: string };
export const idleForm: FormState = { busy: false, violations: new Map(), error: "", done: "" };

// Runs a write; field violations go beside their fields, violations the form has no field for and
// other errors into the form's alert.
export async function submit(
  set: (s: FormState) => void,
  knownPaths: string[],
  action: () => Promise<string>,
): Promise<boolean> {
  set({ ...idleForm, busy: true });
  try {
    const done = await action();
    set({ ...idleForm, done });
    return true;
  } catch (e) {
    const violations = fieldViolations(e);
    const unplaced = [...violations].filter(([p]) => !knownPaths.includes(p));
    const error = violations.size === 0 ? errorText(e) : unplaced.length ? unplaced.map(([p, m]) => `${p}: ${m}`).join("; ") : "Please correct the fields marked below.";
    set({ busy: false, violations, error, done: "" });
    return false;
  }
}

export function FormStatus({ state }: { state: FormState }) {
  return (
    <div class="form-status" aria-live="polite">
      {state.error && (
        <p class="notice notice-error" role="alert">
          {state.error}
        </p>
      )}
      {state.done && <p class="notice notice-ok">{state.done}</p>}
    </div>
  );
}

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="notice notice-error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

const availabilityWords: Record<number, string> = {
  [Availability.AVAILABLE]: "Available",
  [Availability.MODIFIED]: "Modified",
  [Availability.UNAVAILABLE]: "Unavailable",
};
export function availabilityWord(a: Availability): string {
  return availabilityWords[a] ?? "Unknown";
}
export function AvailabilityPill({ value }: { value: Availability }) {
  const cls = value === Availability.AVAILABLE ? "ok" : value === Availability.MODIFIED ? "warn" : value === Availability.UNAVAILABLE ? "bad" : "none";
  return <span class={`pill pill-${cls}`}>{availabilityWord(value)}</span>;
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={id ? `${id}-h` : undefined} id={id}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {children}
    </section>
  );
}
