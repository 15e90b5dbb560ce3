// The authorizer's code: the Rust Lambda's zip (`make lambda-zip`), or the npm package with a
// handler file.
import * as fs from "node:fs";
import * as path from "node:path";
import { AssetHashType, DockerImage } from "aws-cdk-lib/core";
import * as lambda from "aws-cdk-lib/aws-lambda";

export type Architecture = "x86_64" | "arm64";

/** The repository this package is part of (lib/ is deploy/cdk/lib). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Where `make lambda-zip` writes each architecture's zip, from the repository's root. */
export const RUST_ZIPS: Readonly<Record<Architecture, string>> = {
  x86_64: "target/lambda/bootstrap/bootstrap.zip",
  arm64: "target/lambda-arm64/bootstrap/bootstrap.zip",
};

/**
 * The Rust flavour's code: `given` (a zip holding `bootstrap`, or a directory holding it), else
 * the repository's build output for `architecture`.
 */
export function rustCode(architecture: Architecture, given?: string): lambda.Code {
  const location = given !== undefined ? path.resolve(given) : path.join(REPO_ROOT, RUST_ZIPS[architecture]);
  const build = `make lambda-zip${architecture === "arm64" ? " ARCH=arm64" : ""}`;
  if (!fs.existsSync(location)) {
    throw new Error(`jwtgate: the Rust authorizer's code ${location} does not exist: build it with \`${build}\`, or pass rustCode`);
  }
  if (fs.statSync(location).isDirectory() && !fs.existsSync(path.join(location, "bootstrap"))) {
    throw new Error(`jwtgate: ${location} holds no \`bootstrap\` executable`);
  }
  return lambda.Code.fromAsset(location);
}

/** The Node flavour's handler file, beside node_modules/jwtgate in the function's code. */
export const NODE_HANDLER_FILE = "index.mjs";
export const NODE_HANDLER = [
  "// The jwtgate authorizer, configured from the function's environment (README \"Configuration\").",
  'import { createLambdaHandler } from "jwtgate";',
  "export const handler = createLambdaHandler();",
  "",
].join("\n");

/**
 * The built npm package `jwtgate`: `given`, else the one installed beside this package, else
 * the repository's build output (host-node/package, `make node-package`).
 */
export function nodePackageDir(given?: string): string {
  const candidates: string[] = [];
  if (given !== undefined) {
    candidates.push(path.resolve(given));
  } else {
    try {
      candidates.push(path.dirname(require.resolve("jwtgate/package.json")));
    } catch {
      // Not installed: the repository's build.
    }
    candidates.push(path.join(REPO_ROOT, "host-node", "package"));
  }
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, "dist", "index.js")) && fs.existsSync(path.join(dir, "pkg", "jwtgate_wasm_bg.wasm"))) {
      const name = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name;
      if (name === "jwtgate") return dir;
    }
  }
  throw new Error(`jwtgate: no built npm package jwtgate (dist/ and pkg/) in ${candidates.join(" or ")}: \`make node-package\`, or pass nodePackage`);
}

/** The Node flavour's code: the handler file and node_modules/jwtgate (package.json and the
 * package's `files`, as npm would install it), copied at synth. */
export function nodeCode(packageDir: string): lambda.Code {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { files?: string[] };
  const files = ["package.json", ...(manifest.files ?? ["dist", "pkg"])].filter((f) => fs.existsSync(path.join(packageDir, f)));
  return lambda.Code.fromAsset(packageDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local bundling below always succeeds.
      image: DockerImage.fromRegistry("scratch"),
      local: {
        tryBundle(outputDir: string): boolean {
          const target = path.join(outputDir, "node_modules", "jwtgate");
          fs.mkdirSync(target, { recursive: true });
          for (const file of files) {
            fs.cpSync(path.join(packageDir, file), path.join(target, file), { recursive: true });
          }
          fs.writeFileSync(path.join(outputDir, NODE_HANDLER_FILE), NODE_HANDLER);
          return true;
        },
      },
    },
  });
}
