// `tsc --noEmit`: the sources and the published .d.ts files as a TypeScript user sees them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const hostNode = fileURLToPath(new URL("..", import.meta.url));

test("tsc --noEmit: sources and the public types compile", async () => {
  const result = await new Promise((resolve) =>
    execFile(`${hostNode}node_modules/.bin/tsc`, ["--noEmit", "-p", "tsconfig.check.json"], { cwd: hostNode, timeout: 120_000 }, (e, stdout, stderr) =>
      resolve({ e, output: stdout + stderr }),
    ),
  );
  assert.equal(result.e, null, result.output);
});
