// One bounded GET: a timeout that covers headers and body (AbortSignal), a size limit enforced
// while streaming (a hostile or broken endpoint cannot make us buffer more than the limit),
// and the URL rule applied to every redirect before it is followed.
import { JwksFetchError } from "./errors.js";
import { isFetchableUrl } from "./settings.js";

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** One GET's answer as `fetchLimited` reads it. */
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

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  allowHttpLoopback: boolean;
}

export interface FetchedDocument {
  body: Uint8Array;
  cacheControl: string | null;
}

/** Redirects are followed by hand so every hop is checked before it is contacted. */
const MAX_REDIRECTS = 3;

export async function fetchLimited(get: HttpGet, url: string, limits: FetchLimits): Promise<FetchedDocument> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    if (!isFetchableUrl(current, limits.allowHttpLoopback)) {
      throw new JwksFetchError("insecure_url", `refusing to fetch ${current}: not https`);
    }
    let reply: HttpReply;
    try {
      reply = await get(current, signal);
    } catch (e) {
      throw signal.aborted
        ? new JwksFetchError("timeout", `${url}: no answer within ${limits.timeoutMs} ms`)
        : new JwksFetchError("network", `${current}: ${(e as Error).message}`);
    }
    const location = reply.header("location");
    if (reply.status >= 300 && reply.status < 400 && location) {
      await reply.discard();
      if (hop >= MAX_REDIRECTS) throw new JwksFetchError("http_status", `${url}: too many redirects`);
      current = new URL(location, current).toString();
      continue;
    }
    return readReply(reply, current, limits, signal);
  }
}

async function readReply(reply: HttpReply, url: string, limits: FetchLimits, signal: AbortSignal): Promise<FetchedDocument> {
  try {
    if (reply.status < 200 || reply.status > 299) {
      throw new JwksFetchError("http_status", `${url}: HTTP ${reply.status}`);
    }
    const declared = Number(reply.header("content-length") ?? "0");
    if (declared > limits.maxBytes) {
      throw new JwksFetchError("too_large", `${url}: ${declared} bytes is over the limit of ${limits.maxBytes}`);
    }
    const body = await readAtMost(reply, limits.maxBytes, url);
    return { body, cacheControl: reply.header("cache-control") };
  } catch (e) {
    await reply.discard();
    if (e instanceof JwksFetchError) throw e;
    throw signal.aborted
      ? new JwksFetchError("timeout", `${url}: body not complete within ${limits.timeoutMs} ms`)
      : new JwksFetchError("network", `${url}: ${(e as Error).message}`);
  }
}

async function readAtMost(reply: HttpReply, maxBytes: number, url: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of reply.chunks()) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new JwksFetchError("too_large", `${url}: body is over the limit of ${maxBytes} bytes`);
    }
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
