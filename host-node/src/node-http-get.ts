// GETs through `node:http`/`node:https`: Node's default for the JWKS and discovery fetches.
// The first `fetch` in a Node 20 process loads and compiles undici, about 25 ms before the first
// byte (a `new Response` alone costs as much); `node:http` is already loaded, so a cold start
// reaches its first decision that much sooner. Same rules: no redirect followed here
// (`fetchLimited` checks each hop), the signal aborts headers and body alike.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { HttpGet, HttpReply } from "./fetch-limited.js";

export const nodeHttpGet: HttpGet = (url, signal) =>
  new Promise<HttpReply>((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(target, { method: "GET", signal, headers: { accept: "application/json" } }, (res) => resolve(reply(res)));
    req.on("error", reject);
    req.end();
  });

function reply(res: IncomingMessage): HttpReply {
  return {
    status: res.statusCode ?? 0,
    header(name) {
      const value = res.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
    chunks: () => res,
    discard: async () => {
      res.destroy();
    },
  };
}
