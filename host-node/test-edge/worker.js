// A Cloudflare Worker using the jwtgate package. The .wasm is a module of the worker (workerd
// compiles it at load time; a worker may not compile code from bytes at run time).
import wasm from "./jwtgate_wasm_bg.wasm";
import { createAuthorizer, verifyWithKeys } from "jwtgate";

let authorizer; // one per isolate: keys cached across requests, as in a warm Lambda

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const body = await request.json();
    const settings = { issuer: env.ISSUER, audience: env.AUDIENCE, algorithms: ["RS256", "ES256", "EdDSA"], wasm };
    if (url.pathname === "/verify-with-keys") {
      return Response.json(await verifyWithKeys(body.token, body.jwks, body.now, settings));
    }
    if (url.pathname === "/authorize") {
      authorizer ??= await createAuthorizer({
        ...settings,
        jwksUri: env.JWKS_URI,
        jwksAllowHttpLoopback: true,
        log: false,
      });
      return Response.json(await authorizer.decide(body.event));
    }
    return new Response("not found", { status: 404 });
  },
};
