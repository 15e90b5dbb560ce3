// Small loopback servers for failure cases: a JWKS with a chosen Cache-Control, one that never
// answers, one that streams without end. Each returns its URL and a counter, and closes cleanly.
import { createServer } from "node:http";

export async function serve(handler) {
  const sockets = new Set();
  const server = createServer(handler);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  };
}

/** Serves `body()` at every path with `headers`, counting requests. */
export async function serveJwks(body, headers = {}) {
  const counter = { requests: 0 };
  const server = await serve((_req, res) => {
    counter.requests += 1;
    res.writeHead(200, { "content-type": "application/json", ...headers });
    res.end(typeof body === "function" ? body() : body);
  });
  return { ...server, counter };
}

/** Accepts requests and never answers (for timeouts). */
export const serveSilence = () => serve(() => {});

/** Streams JSON-looking bytes without end (for the size limit); stops when the client leaves. */
export const serveEndless = () =>
  serve((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"keys":[');
    const timer = setInterval(() => res.write("x".repeat(16 * 1024)), 1);
    res.on("close", () => clearInterval(timer));
  });
