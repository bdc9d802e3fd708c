// The app shell: who is signed in (AccessService.GetCaller), which pages their role has, and hash
// routing (#/board, #/flags, #/player/4 ...) so the server serves one index.html and nothing else.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { access, clearToken, onUnauthenticated, Role, token } from "./api";
import { AnalyticsPage } from "./pages/analytics";
import { AuditPage } from "./pages/audit";
import { BoardPage } from "./pages/board";
import { FlagsPage } from "./pages/flags";
import { PlayerPage } from "./pages/player";
import { SignInPage } from "./pages/signin";
import { Loading } from "./ui";
import "./style.css";

export type Caller = { user: string; role: Role };

type Page = { path: string; title: string; roles: Role[] };
// Which role sees which page. The server decides what each call may return; this only keeps
// people from pages they cannot use, and keeps a coach's browser from calling clinical methods.
export const PAGES: Page[] = [
  { path: "board", title: "Readiness", roles: [Role.COACH, Role.PHYSIO, Role.ADMIN] },
  { path: "flags", title: "Flags", roles: [Role.PHYSIO, Role.ADMIN] },
  { path: "analytics", title: "Analytics", roles: [Role.ANALYST, Role.PHYSIO, Role.ADMIN] },
  { path: "audit", title: "Audit log", roles: [Role.ADMIN] },
];
const HOME: Record<number, string> = {
  [Role.COACH]: "board",
  [Role.PHYSIO]: "flags",
  [Role.ANALYST]: "analytics",
  [Role.ADMIN]: "flags",
};
const ROLE_NAMES: Record<number, string> = {
  [Role.COACH]: "coach",
  [Role.PHYSIO]: "physio",
  [Role.ANALYST]: "analyst",
  [Role.ADMIN]: "admin",
};

export function canSee(role: Role, path: string): boolean {
  if (path === "player") return role === Role.PHYSIO || role === Role.ADMIN;
  return PAGES.some((p) => p.path === path && p.roles.includes(role));
}

function resolvePage(role: Role, wanted: string | undefined): string {
  return wanted && wanted !== "signin" && canSee(role, wanted) ? wanted : HOME[role] ?? "board";
}

function route(): string[] {
  return window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
}

export function go(path: string): void {
  window.location.hash = `#/${path}`;
}

function App() {
  const [caller, setCaller] = useState<Caller | null>(null);
  const [checking, setChecking] = useState(token() !== "");
  const [parts, setParts] = useState(route());

  useEffect(() => {
    const onHash = () => setParts(route());
    window.addEventListener("hashchange", onHash);
    onUnauthenticated(() => signOut("Your session ended (the token was revoked or is no longer valid). Sign in again."));
    if (token()) {
      access
        .getCaller({})
        .then((r) => setCaller({ user: r.user, role: r.role }))
        .catch(() => clearToken())
        .finally(() => setChecking(false));
    }
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const [notice, setNotice] = useState("");
  function signOut(message = "") {
    clearToken();
    setCaller(null);
    setNotice(message);
    go("signin");
  }

  const page = caller ? resolvePage(caller.role, parts[0]) : "";
  useEffect(() => {
    if (caller && route()[0] !== page) go(page);
  }, [caller, page]);

  if (checking) return <Loading what="your session" />;
  if (!caller) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(c) => {
          setNotice("");
          setCaller(c);
          const wanted = route()[0];
          if (!wanted || wanted === "signin" || !canSee(c.role, wanted)) go(HOME[c.role] ?? "board");
        }}
      />
    );
  }

  const arg = parts[1];
  let body;
  switch (page) {
    case "board":
      body = <BoardPage caller={caller} />;
      break;
    case "flags":
      body = <FlagsPage />;
      break;
    case "player":
      body = <PlayerPage key={arg} playerId={BigInt(/^\d+$/.test(arg ?? "") ? arg : "0")} />;
      break;
    case "analytics":
      body = <AnalyticsPage caller={caller} />;
      break;
    case "audit":
      body = <AuditPage />;
      break;
    default:
      body = <p>Not found.</p>;
  }
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Touchline</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.filter((p) => p.roles.includes(caller.role)).map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={page === p.path ? "page" : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span class="who-user">{caller.user}</span> <span class="who-role">{ROLE_NAMES[caller.role] ?? "?"}</span>
        </span>
        <button type="button" class="link-button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
