// Passkeys on the account page: add one, remove one, and sign in with one alone. Uses
// account.js's helpers ($, say, failure, call, api, loadAccount), loaded before it. The
// options and credentials travel in WebAuthn's JSON forms, converted by the browser itself
// (PublicKeyCredential.parse*OptionsFromJSON and toJSON: Chrome 129, Firefox 119, Safari 18).
"use strict";

// Browsers refuse passkeys on an IP address, and use them only where the page's host is
// the server's RP ID or under it: say what to open instead of failing obscurely.
function passkeyObstacle(rpId) {
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
    return "This browser cannot use passkeys here; try a current Chrome, Firefox or Safari.";
  }
  const host = location.hostname;
  if (/^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("[")) {
    const port = location.port ? `:${location.port}` : "";
    return `Passkeys need a domain name, not an IP address: open http://localhost${port}/account ` +
      "(the server's PUBLIC_URL must be that address too).";
  }
  if (rpId && host !== rpId && !host.endsWith(`.${rpId}`)) {
    return `This server's passkeys belong to ${rpId}: open the account page there (PUBLIC_URL).`;
  }
  return null;
}

function webauthnFailure(error) {
  if (error.name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
  if (error.name === "InvalidStateError") return "This authenticator already holds a passkey for your account.";
  if (error.name === "SecurityError") return passkeyObstacle(null) || `Passkeys are not allowed here: ${error.message}`;
  return `The passkey request failed: ${error.message}`;
}

// An action that needs a fresh session: on fresh_token_required, ask to confirm it is you
// (the password, or a passkey), then run it again.
let pendingPasskeyAction = null;

async function whenFresh(action) {
  const result = await action();
  if (result.status === 401 && result.data && result.data.error === "fresh_token_required") {
    pendingPasskeyAction = action;
    askToConfirm($("passkey-reauth-form"));
    return null;
  }
  return result;
}

async function afterConfirmation() {
  $("passkey-reauth-form").hidden = true;
  const action = pendingPasskeyAction;
  pendingPasskeyAction = null;
  if (action) await action();
}

// The authenticator's answer to the request options an /options call gave, as JSON; or
// null when there is none (the reason is shown already).
async function assertionFor(options) {
  if (!options.ok) {
    say(failure(options), true);
    return null;
  }
  const obstacle = passkeyObstacle(options.data.rpId);
  if (obstacle) {
    say(obstacle, true);
    return null;
  }
  try {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.data);
    return (await navigator.credentials.get({ publicKey })).toJSON();
  } catch (error) {
    say(webauthnFailure(error), true);
    return null;
  }
}

// "Confirm with a passkey" on any "confirm it is you" form: POST /reauthenticate/passkey
// makes this session fresh, then the form gets the "reauthenticated" event, as after the
// password.
async function reauthenticateWithPasskey(form) {
  const credential = await assertionFor(await api("POST", "/reauthenticate/passkey/options"));
  if (!credential) return;
  const result = await api("POST", "/reauthenticate/passkey", { credential });
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  form.reset();
  say("");
  form.dispatchEvent(new CustomEvent("reauthenticated"));
}

async function loadPasskeys() {
  const obstacle = passkeyObstacle(null);
  $("passkey-note").textContent = obstacle || "";
  $("passkey-note").hidden = !obstacle;
  const result = await api("GET", "/me/passkeys");
  const body = $("passkey-list");
  body.replaceChildren();
  if (!result.ok) return;
  setReauthChoices({ passkeys: result.data.filter((passkey) => !passkey.locked).length });
  for (const passkey of result.data) {
    const row = document.createElement("tr");
    row.dataset.passkey = passkey.id;
    const cells = [
      passkey.locked ? `${passkey.name} (locked: its counter went backwards)` : passkey.name,
      new Date(passkey.created_at).toLocaleString(),
      passkey.last_used_at ? new Date(passkey.last_used_at).toLocaleString() : "never",
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const action = document.createElement("td");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary remove-passkey";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => whenFresh(() => removePasskey(passkey)));
    action.append(remove);
    row.append(action);
    body.append(row);
  }
}

async function removePasskey(passkey) {
  const result = await api("DELETE", `/me/passkeys/${encodeURIComponent(passkey.id)}`);
  if (result.ok) {
    say(`Passkey "${passkey.name}" removed.`);
    await loadPasskeys();
  } else if (result.data?.error !== "fresh_token_required") {
    say(failure(result), true);
  }
  return result;
}

async function addPasskey(name) {
  const options = await api("POST", "/me/passkeys/options");
  if (!options.ok) {
    if (options.data?.error !== "fresh_token_required") say(failure(options), true);
    return options;
  }
  const obstacle = passkeyObstacle(options.data.rp.id);
  if (obstacle) {
    say(obstacle, true);
    return options;
  }
  let credential;
  try {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.data);
    credential = await navigator.credentials.create({ publicKey });
  } catch (error) {
    say(webauthnFailure(error), true);
    return options;
  }
  const body = { credential: credential.toJSON() };
  if (name) body.name = name;
  const added = await api("POST", "/me/passkeys", body);
  if (!added.ok) {
    say(failure(added), true);
    return added;
  }
  $("passkey-form").reset();
  say(`Passkey "${added.data.name}" added: you can sign in with it alone.`);
  await loadPasskeys();
  return added;
}

async function signInWithPasskey() {
  const credential = await assertionFor(await call("POST", "/login/passkey/options"));
  if (!credential) return;
  const result = await call("POST", "/login/passkey", {
    credential,
    transport: "cookie",
  });
  if (!result.ok) {
    say(failure(result), true);
    return;
  }
  say("");
  await loadAccount();
}

document.addEventListener("DOMContentLoaded", () => {
  $("passkey-signin").addEventListener("click", signInWithPasskey);
  $("passkey-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = new FormData(event.target).get("name").trim();
    whenFresh(() => addPasskey(name));
  });
  $("passkey-reauth-form").addEventListener("reauthenticated", afterConfirmation);
  for (const form of document.querySelectorAll("form.reauth")) {
    form.querySelector(".reauth-passkey").addEventListener("click", () => reauthenticateWithPasskey(form));
  }
  // account.js shows the account section once signed in: list the passkeys then, so that
  // it needs to know nothing of them.
  new MutationObserver(() => {
    if (!$("account").hidden) loadPasskeys();
  }).observe($("account"), { attributes: true, attributeFilter: ["hidden"] });
});
