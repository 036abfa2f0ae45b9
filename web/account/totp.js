// Second factors on the account page: the second step of a sign-in, and TOTP with its
// recovery codes (set up, turn off, new codes). Uses account.js's helpers ($, call, api,
// say, failure, formData, loadAccount), which account.js declares before this file runs.
// Everything else stays inside this block, so that no name here replaces one of another
// script's; account.js calls the two it needs through window.
"use strict";

{
  let mfaToken = null; // from POST /login's 403 mfa_required, for POST /login/mfa
  let afterReauth = null; // what to do once POST /reauthenticate has made the session fresh

  // Six digits (apps show "123 456") are a code from the app; anything else a recovery code.
  function proofBody(text) {
    const digits = text.replace(/\s/g, "");
    return /^\d{6}$/.test(digits) ? { code: digits } : { recovery_code: text.trim() };
  }

  // Every form with a "proof" field sends it as code or recovery_code (empty: neither).
  function splitProof(event) {
    const proof = event.formData.get("proof");
    event.formData.delete("proof");
    if (proof) {
      for (const [name, value] of Object.entries(proofBody(proof))) event.formData.set(name, value);
    }
  }

  // Called by account.js's sign-in with POST /login's answer: true when it asks for a
  // second factor. A code when the methods hold "totp" (and the passkey as another way when
  // they hold "passkey"); with a passkey alone no code can pass, so the page points to it.
  function secondFactorAsked(result) {
    if (result.status !== 403 || !result.data || result.data.error !== "mfa_required") {
      return false;
    }
    const methods = result.data.methods || [];
    $("signin-form").reset();
    if (!methods.includes("totp")) {
      say('This account signs in with its passkey: use "Sign in with a passkey".');
      $("passkey-signin").focus();
      return true;
    }
    mfaToken = result.data.mfa_token;
    $("signin-form").hidden = true;
    $("signin-mfa-form").hidden = false;
    $("signin-mfa-passkey").hidden = !methods.includes("passkey");
    say("");
    $("signin-mfa-form").elements.proof.focus();
    return true;
  }

  function endSecondStep() {
    mfaToken = null;
    $("signin-mfa-form").reset();
    $("signin-mfa-form").hidden = true;
    $("signin-form").hidden = false;
  }

  async function submitSecondStep(event) {
    event.preventDefault();
    const body = { ...formData(event.target), mfa_token: mfaToken, transport: "cookie" };
    const result = await call("POST", "/login/mfa", body);
    event.target.reset();
    if (result.status === 401) {
      // Used, expired (5 minutes) or spent by too many wrong codes: start again.
      endSecondStep();
      say("That took too long, or too many tries: sign in again.", true);
      return;
    }
    if (!result.ok) {
      say(failure(result), true);
      return;
    }
    endSecondStep();
    say("");
    await loadAccount();
  }

  // Called by account.js with GET /me's answer.
  function showSecondFactors(me) {
    const on = Boolean(me.mfa && me.mfa.totp);
    if (mfaToken !== null) endSecondStep(); // signed in another way (a passkey) meanwhile
    setReauthChoices({ totp: on }); // account.js
    $("totp-status").textContent = on
      ? "On: signing in asks for a code from your authenticator app."
      : "Off: signing in asks for your password only.";
    $("totp-start").hidden = on;
    $("totp-setup").hidden = true;
    $("totp-off-form").hidden = !on;
    $("totp-regenerate-form").hidden = !on;
    $("totp-reauth-form").hidden = true;
    for (const label of document.querySelectorAll("label.second-factor")) label.hidden = !on;
  }

  // True (and the "confirm it is you" form shown) when the answer asks for a fresh session.
  function notFresh(result, then) {
    if (result.status !== 401 || !result.data || result.data.error !== "fresh_token_required") {
      return false;
    }
    afterReauth = then;
    askToConfirm($("totp-reauth-form")); // account.js
    return true;
  }

  async function startSetup() {
    const result = await api("POST", "/me/mfa/totp");
    if (notFresh(result, startSetup)) return;
    if (!result.ok) {
      say(failure(result), true);
      return;
    }
    // The server's own SVG, parsed as markup (no script runs in it, and the CSP allows none).
    const parsed = new DOMParser().parseFromString(result.data.qr_svg, "text/html");
    $("totp-qr").replaceChildren(document.importNode(parsed.querySelector("svg"), true));
    $("totp-secret").textContent = result.data.secret;
    $("totp-start").hidden = true;
    $("totp-setup").hidden = false;
    say("");
  }

  function showCodes(codes) {
    const items = codes.map((code) => {
      const item = document.createElement("li");
      item.textContent = code;
      return item;
    });
    $("totp-codes-list").replaceChildren(...items);
    $("totp-codes").hidden = false;
  }

  function hideCodes() {
    $("totp-codes-list").replaceChildren();
    $("totp-codes").hidden = true;
  }

  async function confirmSetup(event) {
    event.preventDefault();
    const result = await api("POST", "/me/mfa/totp/confirm", formData(event.target));
    event.target.reset();
    if (!result.ok) {
      say(failure(result), true);
      return;
    }
    showSecondFactors({ mfa: { totp: true } });
    showCodes(result.data.recovery_codes);
    say("Two-step sign-in is on.");
  }

  // A code is accepted once: after confirming with one, the action needs the next one.
  function askForTheNextCode() {
    say("Confirmed. Now enter the next code your app shows.");
  }

  async function turnOff(event) {
    event.preventDefault();
    const result = await api("DELETE", "/me/mfa/totp", formData(event.target));
    event.target.reset();
    if (notFresh(result, askForTheNextCode)) return;
    if (!result.ok) {
      say(failure(result), true);
      return;
    }
    hideCodes();
    showSecondFactors({ mfa: { totp: false } });
    say("Two-step sign-in is off.");
  }

  async function newCodes(event) {
    event.preventDefault();
    const result = await api("POST", "/me/mfa/recovery-codes", formData(event.target));
    event.target.reset();
    if (notFresh(result, askForTheNextCode)) return;
    if (!result.ok) {
      say(failure(result), true);
      return;
    }
    showCodes(result.data.recovery_codes);
    say("New recovery codes: the old ones no longer work.");
  }

  // After account.js's POST /reauthenticate, or passkeys.js's passkey proof.
  async function reauthenticated() {
    $("totp-reauth-form").hidden = true;
    const then = afterReauth;
    afterReauth = null;
    if (then) await then();
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form")) {
      if (form.elements.proof) form.addEventListener("formdata", splitProof);
    }
    $("signin-mfa-form").addEventListener("submit", submitSecondStep);
    $("signin-mfa-cancel").addEventListener("click", () => {
      endSecondStep();
      say("");
    });
    $("totp-start").addEventListener("click", startSetup);
    $("totp-confirm-form").addEventListener("submit", confirmSetup);
    $("totp-off-form").addEventListener("submit", turnOff);
    $("totp-regenerate-form").addEventListener("submit", newCodes);
    $("totp-reauth-form").addEventListener("reauthenticated", reauthenticated);
    $("totp-codes-done").addEventListener("click", hideCodes);
  });

  window.secondFactorAsked = secondFactorAsked;
  window.showSecondFactors = showSecondFactors;
}
