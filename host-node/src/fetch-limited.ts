// One bounded GET: a timeout that covers headers and body (AbortSignal), a size limit enforced
// while streaming (a hostile or broken endpoint cannot make us buffer more than the limit),
// and the URL rule applied to every redirect before it is followed.
import { JwksFetchError } from "./errors.js";
import { isFetchableUrl } from "./settings.js";

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

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

export async function fetchLimited(fetchFn: FetchFunction, url: string, limits: FetchLimits): Promise<FetchedDocument> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    if (!isFetchableUrl(current, limits.allowHttpLoopback)) {
      throw new JwksFetchError("insecure_url", `refusing to fetch ${current}: not https`);
    }
    let response: Response;
    try {
      response = await fetchFn(current, { signal, redirect: "manual", headers: { accept: "application/json" } });
    } catch (e) {
      throw signal.aborted
        ? new JwksFetchError("timeout", `${url}: no answer within ${limits.timeoutMs} ms`)
        : new JwksFetchError("network", `${current}: ${(e as Error).message}`);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw new JwksFetchError("http_status", `${url}: too many redirects`);
      current = new URL(location, current).toString();
      continue;
    }
    return readResponse(response, current, limits, signal);
  }
}

async function readResponse(response: Response, url: string, limits: FetchLimits, signal: AbortSignal): Promise<FetchedDocument> {
  try {
    if (!response.ok) {
      throw new JwksFetchError("http_status", `${url}: HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > limits.maxBytes) {
      throw new JwksFetchError("too_large", `${url}: ${declared} bytes is over the limit of ${limits.maxBytes}`);
    }
    const body = await readAtMost(response, limits.maxBytes, url);
    return { body, cacheControl: response.headers.get("cache-control") };
  } catch (e) {
    await response.body?.cancel().catch(() => {});
    if (e instanceof JwksFetchError) throw e;
    throw signal.aborted
      ? new JwksFetchError("timeout", `${url}: body not complete within ${limits.timeoutMs} ms`)
      : new JwksFetchError("network", `${url}: ${(e as Error).message}`);
  }
}

async function readAtMost(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new JwksFetchError("too_large", `${url}: body is over the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
