// The one way the app talks to the server: Connect clients generated from proto/ (src/gen, made by
// `buf generate`), a transport to the page's own origin, and the bearer token of this browser
// session. No request shape is written by hand.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb";
import { AccessService } from "./gen/touchline/v1/access_pb";
import { AuditService, Role } from "./gen/touchline/v1/audit_pb";
import { ComplaintService } from "./gen/touchline/v1/complaint_pb";
import { ContactEventService } from "./gen/touchline/v1/contact_event_pb";
import { ExposureService } from "./gen/touchline/v1/exposure_pb";
import { FlagService } from "./gen/touchline/v1/flag_pb";
import { ProtocolService } from "./gen/touchline/v1/protocol_pb";
import { ReadinessService } from "./gen/touchline/v1/readiness_pb";
import { PlayerService, SquadService } from "./gen/touchline/v1/squad_pb";

const TOKEN_KEY = "touchline.token";

// The token lives in sessionStorage: gone when the tab closes, never in a cookie (so no CSRF),
// never in the URL.
export function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}
export function setToken(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value);
}
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

const bearer: Interceptor = (next) => async (req) => {
  const t = token();
  if (t) req.header.set("Authorization", `Bearer ${t}`);
  return next(req);
};

let unauthenticated: () => void = () => {};
// Called when the server answers UNAUTHENTICATED (revoked or expired token): back to sign-in.
export function onUnauthenticated(handler: () => void): void {
  unauthenticated = handler;
}
const signOutOnUnauthenticated: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (e) {
    if (e instanceof ConnectError && e.code === Code.Unauthenticated && req.service.typeName !== AccessService.typeName) {
      unauthenticated();
    }
    throw e;
  }
};

// JSON on the wire (the protobuf JSON mapping): the browser's network panel shows what was sent.
export const transport = createConnectTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: false,
  interceptors: [signOutOnUnauthenticated, bearer],
});

function client<T extends DescService>(service: T): Client<T> {
  return createClient(service, transport);
}

export const access = client(AccessService);
export const audit = client(AuditService);
export const complaints = client(ComplaintService);
export const contactEvents = client(ContactEventService);
export const exposure = client(ExposureService);
export const flags = client(FlagService);
export const protocols = client(ProtocolService);
export const readiness = client(ReadinessService);
export const players = client(PlayerService);
export const squads = client(SquadService);

export { Role };

// The server's field violations (google.rpc.BadRequest) by proto field path, e.g.
// "complaint.onset_time" -> "is in the future (...)".
export function fieldViolations(err: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!(err instanceof ConnectError)) return out;
  for (const detail of err.findDetails(BadRequestSchema)) {
    for (const v of detail.fieldViolations) {
      const prev = out.get(v.field);
      out.set(v.field, prev ? `${prev}; ${v.description}` : v.description);
    }
  }
  return out;
}

// A message for a person: the server's words without the "[invalid_argument]" prefix.
export function errorText(err: unknown): string {
  if (err instanceof ConnectError) {
    switch (err.code) {
      case Code.PermissionDenied:
        return "Your role may not do this.";
      case Code.Unauthenticated:
        return "The token is not valid (unknown, revoked or mistyped).";
      case Code.Unavailable:
        return "The server cannot be reached; try again.";
      default:
        return err.rawMessage;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
}

// A fresh request id (AIP-155) so that a retried write never records twice.
export function requestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
