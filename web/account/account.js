// The account page: the cookie transport (httpOnly token cookies, X-CSRF-TOKEN from the
// csrf_* cookies), no token ever in reach of a script. Served with a CSP that forbids
// inline script, so every handler is attached here.
"use strict";

const $ = (id) => document.getElementById(id);

function cookie(name) {
  const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
  return match ? decodeURIComponent(match[1]) : null;
}

function say(text, isError = false) {
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "info";
  box.hidden = !text;
}

function failure(result) {
  const data = result.data || {};
  // Validation errors name the rule that failed, field by field.
  const details = Object.values((data.errors && data.errors.json) || {}).flat();
  const message = data.message || `The request failed (${result.status}).`;
  return details.length ? `${message} ${details.join(" ")}` : message;
}

async function call(method, path, body, csrfCookie = "csrf_access_token") {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const csrf = method === "GET" ? null : cookie(csrfCookie);
  if (csrf) headers["X-CSRF-TOKEN"] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, data };
}

// An expired access token is renewed once with the refresh cookie, then the call retried.
async function api(method, path, body) {
  let result = await call(method, path, body);
  if (result.status === 401 && result.data && result.data.error === "token_expired") {
    const renewed = await call("POST", "/refresh", undefined, "csrf_refresh_token");
    if (renewed.ok) result = await call(method, path, body);
  }
  return result;
}

function show(view) {
  for (const section of ["signin", "account", "reset", "verify"]) {
    $(section).hidden = section !== view;
  }
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function loadAccount() {
  const me = await api("GET", "/me");
  if (!me.ok) {
    show("signin");
    return;
  }
  $("whoami").textContent = me.data.username;
  $("email").textContent = me.data.email
    ? `(${me.data.email}${me.data.email_verified ? "" : ", not verified"})`
    : "";
  show("account");
  showSecondFactors(me.data); // totp.js
  setReauthChoices(me.data.mfa || {});
  await loadSessions();
}

async function loadSessions() {
  const result = await api("GET", "/sessions");
  const body = $("sessions");
  body.replaceChildren();
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  for (const session of result.data) {
    const row = document.createElement("tr");
    row.dataset.session = session.id;
    if (session.current) row.className = "current";
    const device = session.user_agent || "unknown device";
    const cells = [
      session.current ? `${device} (this device)` : device,
      session.ip || "",
      new Date(session.last_used_at).toLocaleString(),
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const action = document.createElement("td");
    const end = document.createElement("button");
    end.type = "button";
    end.className = "secondary end-session";
    end.textContent = session.current ? "Sign out" : "End";
    end.addEventListener("click", () => endSession(session));
    action.append(end);
    row.append(action);
    body.append(row);
  }
}

async function endSession(session) {
  const result = session.current
    ? await api("POST", "/logout")
    : await api("DELETE", `/sessions/${encodeURIComponent(session.id)}`);
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  say(session.current ? "Signed out." : "The session was ended.");
  if (session.current) show("signin");
  else await loadSessions();
}

async function signIn(event) {
  event.preventDefault();
  const result = await call("POST", "/login", { ...formData(event.target), transport: "cookie" });
  if (secondFactorAsked(result)) return; // totp.js: the code, then POST /login/mfa
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  event.target.reset();
  say("");
  await loadAccount();
}

async function signOut(everywhere) {
  const result = await api("POST", everywhere ? "/logout/all" : "/logout");
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  say(everywhere ? "Signed out everywhere." : "Signed out.");
  show("signin");
}

// What the "confirm it is you" forms ask for: the password (and a code with TOTP on), or a
// passkey (passkeys.js), which is both factors. An account whose second factor is a passkey
// alone cannot pass with the password, so only the passkey is offered to it.
const factors = { totp: false, passkeys: 0 };

function setReauthChoices(known) {
  Object.assign(factors, known);
  const passkeyOnly = factors.passkeys > 0 && !factors.totp;
  let how = "For this, confirm it is you: enter your password again.";
  if (passkeyOnly) how = "For this, confirm it is you with your passkey.";
  else if (factors.passkeys > 0) {
    how = "For this, confirm it is you: your password and a code from your app, or a passkey.";
  } else if (factors.totp) how = "For this, confirm it is you: your password and a code from your app.";
  for (const form of document.querySelectorAll("form.reauth")) {
    form.querySelector(".reauth-how").textContent = how;
    for (const part of form.querySelectorAll(".reauth-password")) part.hidden = passkeyOnly;
    form.elements.password.required = !passkeyOnly;
    form.querySelector(".reauth-passkey").hidden = factors.passkeys === 0;
  }
}

// Shown when an action answers fresh_token_required.
function askToConfirm(form) {
  form.hidden = false;
  say("Confirm it is you to continue.");
  const first = form.querySelector(".reauth-password:not([hidden]) input, .reauth-passkey:not([hidden])");
  if (first) first.focus();
}

// A password change needs a fresh session: when it is not, ask for the password again
// (POST /reauthenticate), then retry once.
let pendingChange = null;

async function changePassword(event) {
  event.preventDefault();
  pendingChange = formData(event.target);
  await submitChange();
}

async function submitChange() {
  const result = await api("POST", "/me/password", pendingChange);
  if (result.status === 401 && result.data && result.data.error === "fresh_token_required") {
    askToConfirm($("reauth-form"));
    return;
  }
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  pendingChange = null;
  $("password-form").reset();
  say("Password changed; your other sessions were signed out.");
  await loadSessions();
}

// Every "confirm it is you" form posts the password here; on success it gets a
// "reauthenticated" event, as passkeys.js sends it after a passkey's proof.
async function reauthenticate(event) {
  event.preventDefault();
  const form = event.target;
  const result = await api("POST", "/reauthenticate", formData(form));
  form.reset();
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  form.dispatchEvent(new CustomEvent("reauthenticated"));
}

async function resetPassword(event) {
  event.preventDefault();
  const token = new URLSearchParams(location.search).get("token") || "";
  const result = await call("POST", "/password/reset", { token, ...formData(event.target) });
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  say(`${result.data.message} You can sign in with the new password.`);
  show("signin");
  history.replaceState(null, "", "/account");
}

async function verifyEmail() {
  show("verify");
  const token = new URLSearchParams(location.search).get("token") || "";
  const result = await call("POST", "/email/verify", { token });
  say(result.ok ? `Verified: ${result.data.email}.` : failure(result), !result.ok);
  history.replaceState(null, "", "/account");
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", signIn);
  $("password-form").addEventListener("submit", changePassword);
  for (const form of document.querySelectorAll("form.reauth")) {
    form.addEventListener("submit", reauthenticate);
  }
  $("reauth-form").addEventListener("reauthenticated", async () => {
    $("reauth-form").hidden = true;
    await submitChange();
  });
  $("reset-form").addEventListener("submit", resetPassword);
  $("signout").addEventListener("click", () => signOut(false));
  $("signout-all").addEventListener("click", () => signOut(true));
  if (location.pathname === "/account/reset-password") show("reset");
  else if (location.pathname === "/account/verify-email") verifyEmail();
  else loadAccount();
});
