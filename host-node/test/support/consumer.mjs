// A project that installed the package as published: `npm pack` of host-node/package, then
// `npm install` of that tarball into a new folder (offline: the package has no dependencies).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../../package/", import.meta.url));

function run(command, args, options) {
  return new Promise((resolve, reject) =>
    execFile(command, args, { timeout: 120_000, maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

/** `npm pack --dry-run --json`: what the registry would get ({ files: [{ path, size }], size, ... }). */
export async function packListing() {
  const [listing] = JSON.parse(await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: packageDir }));
  return listing;
}

/**
 * A new folder with `package.json` (`type` as given) and the packed package installed in its
 * node_modules. Returns { dir, close }; `close` removes the folder.
 */
export async function installedPackage({ type = "commonjs" } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "jwtgate-consumer-"));
  const [{ filename }] = JSON.parse(await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: packageDir }));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type }, null, 2));
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", `./${filename}`], { cwd: dir });
  return { dir, close: () => rm(dir, { recursive: true, force: true }) };
}
