// Sign in with a bearer token (issued on the server host with --add_token_user/--add_token_role).
// The token is checked with AccessService.GetCaller and kept in sessionStorage for this tab only.
import { useState } from "preact/hooks";
import { access, clearToken, errorText, setToken } from "../api";
import type { Caller } from "../main";

export function SignInPage({ onSignedIn, notice }: { onSignedIn: (c: Caller) => void; notice: string }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function signIn(e: Event) {
    e.preventDefault();
    const t = value.trim();
    if (!t) {
      setError("Enter your access token.");
      return;
    }
    setBusy(true);
    setError("");
    setToken(t);
    try {
      const r = await access.getCaller({});
      onSignedIn({ user: r.user, role: r.role });
    } catch (err) {
      clearToken();
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin" id="main">
      <h1>Touchline</h1>
      <p class="muted">Hamstring care and readiness for the squad's staff.</p>
      {notice && (
        <p class="notice notice-info" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={signIn} class="card" aria-describedby="signin-help" noValidate>
        <div class={error ? "field field-invalid" : "field"}>
          <label for="token">Access token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? "token-error" : undefined}
            autoFocus
          />
          {error && (
            <p class="field-error" id="token-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p id="signin-help" class="field-hint">
          Your token starts with <code>tl_</code>; your administrator issues it. It is kept only in this browser tab
          and forgotten when the tab closes.
        </p>
      </form>
    </main>
  );
}
