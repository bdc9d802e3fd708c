// Words for enum values and instants, from the generated descriptors (no hand-kept name tables).
import type { DescEnum } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";

// "SIDE_LEFT" of enum Side -> "left"; UNSPECIFIED -> "".
export function enumLabel(desc: DescEnum, value: number): string {
  const v = desc.value[value];
  if (!v || value === 0) return "";
  return v.localName.replace(/\$$/, "").replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
}

// Every value but UNSPECIFIED, for <select> options.
export function enumOptions(desc: DescEnum): { value: number; label: string }[] {
  return desc.values.filter((v) => v.number !== 0).map((v) => ({ value: v.number, label: enumLabel(desc, v.number) }));
}

export function toDate(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

export function fmtDateTime(ts: Timestamp | Date | undefined): string {
  const d = ts instanceof Date ? ts : toDate(ts);
  return d ? dateTime.format(d) : "";
}
export function fmtDate(ts: Timestamp | Date | undefined): string {
  const d = ts instanceof Date ? ts : toDate(ts);
  return d ? dateOnly.format(d) : "";
}
export function fmtTime(d: Date): string {
  return timeOnly.format(d);
}

// <input type="datetime-local"> value (local time, minutes) <-> Timestamp.
export function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(value: string): Timestamp | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : timestampFromDate(d);
}

export const DAY_MS = 24 * 3600 * 1000;

export function daysBetween(a: Date, b: Date): number {
  return Math.floor((b.getTime() - a.getTime()) / DAY_MS);
}

export function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}
