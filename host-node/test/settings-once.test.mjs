// Settings are read and checked once (issue #20): createAuthorizer configures its session from
// the settings the module validated (`Settings.fromEnv`, `Authorizer.createFromSettings`), never
// by handing the configuration JSON back to the module (`Authorizer.create`), which would read
// and check it, inline keys included, a second time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAuthorizer } from "../package/dist/index.js";
// The glue the package loads (the same module instance: the same URL).
import { Authorizer } from "../package/pkg/jwtgate_wasm.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";
import { tokenEvent } from "./support/events.mjs";

const ISSUER = "https://issuer.test/";
const now = Math.floor(Date.now() / 1000);

test("createAuthorizer configures from the validated settings, not from configuration JSON", async () => {
  const key = makeKey("RS256", "once-1");
  const token = signToken(key, { iss: ISSUER, aud: "api", sub: "u", exp: now + 60 });
  const saved = {
    create: Authorizer.create,
    createWithHostProvider: Authorizer.createWithHostProvider,
    createFromSettings: Authorizer.createFromSettings,
  };
  const made = [];
  const handedBack = () => {
    throw new Error("the configuration JSON was handed back to the module");
  };
  Authorizer.create = handedBack;
  Authorizer.createWithHostProvider = handedBack;
  Authorizer.createFromSettings = (settings, signatures) => {
    made.push(signatures);
    return saved.createFromSettings.call(Authorizer, settings, signatures);
  };
  try {
    for (const signatures of ["wasm", "host"]) {
      const a = await createAuthorizer({ issuer: ISSUER, audience: "api", jwks: JSON.parse(jwks(key)), signatures, log: false });
      const response = await a.authorize(tokenEvent(token));
      assert.equal(response.policyDocument.Statement[0].Effect, "Allow", signatures);
      assert.deepEqual(a.settings.config.issuers, [{ issuer: ISSUER }], "the settings document is still the host's");
    }
    // Refused settings are refused as before, naming the setting.
    await assert.rejects(createAuthorizer({ audience: "api", log: false }), { name: "ConfigurationError", message: /ISSUER/ });
  } finally {
    Object.assign(Authorizer, saved);
  }
  assert.deepEqual(made, ["wasm", "host"]);
});
