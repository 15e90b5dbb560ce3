// One request the module asked for, performed within its bounds: a timeout that covers headers
// and body (AbortSignal), and a size limit enforced while streaming (a hostile or broken
// endpoint cannot make us buffer more than the limit). No redirect is followed here and no
// status is judged: the module does both (core/src/key_cache.rs), the same in every host.

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** One GET's answer as `fetchOnce` reads it. */
export interface HttpReply {
  status: number;
  header(name: string): string | null;
  /** The body in chunks (read once). */
  chunks(): AsyncIterable<Uint8Array>;
  /** Stop reading and let the connection go. */
  discard(): Promise<void>;
}

/** A GET without following redirects, aborted by `signal`. */
export type HttpGet = (url: string, signal: AbortSignal) => Promise<HttpReply>;

/** Reads a key set file of the deployment, at most `maxBytes` (Node only). */
export type FileRead = (path: string, maxBytes: number) => Promise<Uint8Array>;

/** GETs through a WHATWG `fetch` (the runtime's own, or one the caller gives). */
export function getWithFetch(fetchFn: FetchFunction): HttpGet {
  return async (url, signal) => {
    const response = await fetchFn(url, { signal, redirect: "manual", headers: { accept: "application/json" } });
    return {
      status: response.status,
      header: (name) => response.headers.get(name),
      chunks: () => streamChunks(response.body),
      discard: async () => {
        await response.body?.cancel().catch(() => {});
      },
    };
  };
}

async function* streamChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** A request from the module's `nextFetch` (wasm/ABI.md, "Keys"). */
export interface FetchRequest {
  id: number;
  kind: "discovery" | "jwks" | "file";
  url: string;
  timeout_ms: number;
  max_bytes: number;
}

/** What a request got, as the module's `fetched` reads it. */
export type ReplyDocument =
  | { id: number; status: number; location: string | null; cache_control: string | null }
  | { id: number; failure: "network" | "timeout" | "too_large"; detail: string };

export class TooLarge extends Error {}

/** Perform `request`: its reply document and body. Never throws. */
export async function fetchOnce(get: HttpGet, readFile: FileRead | undefined, request: FetchRequest): Promise<[ReplyDocument, Uint8Array]> {
  const { id, url, timeout_ms: timeoutMs, max_bytes: maxBytes } = request;
  const failed = (failure: "network" | "timeout" | "too_large", detail: string): [ReplyDocument, Uint8Array] => [{ id, failure, detail }, new Uint8Array(0)];
  if (request.kind === "file") {
    if (readFile === undefined) return failed("network", `${url}: key set files cannot be read in this runtime`);
    try {
      return [{ id, status: 200, location: null, cache_control: null }, await readFile(url, maxBytes)];
    } catch (e) {
      return e instanceof TooLarge ? failed("too_large", `${url}: over ${maxBytes} bytes`) : failed("network", `${url}: ${(e as Error).message}`);
    }
  }
  const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
  let reply: HttpReply;
  try {
    reply = await get(url, signal);
  } catch (e) {
    return signal.aborted ? failed("timeout", `${url}: no answer within ${timeoutMs} ms`) : failed("network", `${url}: ${(e as Error).message}`);
  }
  // From here on, a reply that is not what `HttpGet` promises (a caller's `fetch` answering
  // without headers) is a failed request like any other.
  const discard = async (): Promise<void> => {
    try {
      await reply.discard();
    } catch {
      // Nothing left to release.
    }
  };
  try {
    const answer = { id, status: reply.status, location: reply.header("location"), cache_control: reply.header("cache-control") };
    // A declared length over the cap fails at once, not at the timeout.
    const declared = Number(reply.header("content-length") ?? "0");
    if (declared > maxBytes) {
      await discard();
      return failed("too_large", `${url}: ${declared} bytes is over the limit of ${maxBytes}`);
    }
    // A redirect's body is never read.
    if (reply.status >= 300 && reply.status < 400) {
      await discard();
      return [answer, new Uint8Array(0)];
    }
    return [answer, await readAtMost(reply, maxBytes)];
  } catch (e) {
    await discard();
    if (e instanceof TooLarge) return failed("too_large", `${url}: body is over the limit of ${maxBytes} bytes`);
    return signal.aborted ? failed("timeout", `${url}: body not complete within ${timeoutMs} ms`) : failed("network", `${url}: ${(e as Error).message}`);
  }
}

async function readAtMost(reply: HttpReply, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of reply.chunks()) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new TooLarge();
    chunks.push(chunk);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
