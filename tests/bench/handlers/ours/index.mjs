// Our drop-in (host-node/sample/index.ts), bundled the same way as the original: the package's
// ready Lambda handler, configured from the environment. The .wasm is copied beside the bundle.
import { createLambdaHandler } from "../../../../host-node/package/dist/index.js";

const authorize = createLambdaHandler();

export const handler = async (event) => authorize(event);
