/** Worker-thread side of the compute pool: runs heavy jobs off the service's event loop. */
import { parentPort } from "node:worker_threads";
import { asXmarginError, XmarginError } from "../../core/errors.js";
import type { ComputeJob, ComputeReply } from "./computeProtocol.js";
import { runComputeJob } from "./runComputeJob.js";

if (!parentPort) throw new XmarginError("computeWorker.js must run in a worker thread", { code: "UNSUPPORTED" });
const port = parentPort;

port.on("message", (msg: { id: number; job: ComputeJob }) => {
  let reply: ComputeReply;
  try {
    reply = { id: msg.id, ok: true, result: runComputeJob(msg.job) };
  } catch (err) {
    reply = { id: msg.id, ok: false, error: asXmarginError(err).toJSON() };
  }
  port.postMessage(reply);
});
