// Reads a Chrome trace-event JSON file with Chrome DevTools' own trace
// engine (npm @paulirish/trace_engine, the Performance panel's parser) and
// prints what it understood, as JSON, for TestChromeTraceReadByDevToolsTraceEngine.
// Usage: node trace_engine_check.mjs TRACE.json (with NODE_PATH or a
// node_modules holding @paulirish/trace_engine above the working directory).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "x.js"));
const Trace = await import(require.resolve("@paulirish/trace_engine"));
// The engine expects a browser; this is all of the DOM it touches.
globalThis.DOMRect = class DOMRect { constructor(x = 0, y = 0, w = 0, h = 0) { Object.assign(this, { x, y, width: w, height: h }); } };

const json = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const model = Trace.TraceModel.Model.createWithAllHandlers();
await model.parse(json.traceEvents);
const p = model.parsedTrace();
const d = p.data || p;
const threads = {};
for (const proc of d.Renderer.processes.values()) {
  for (const th of proc.threads.values()) threads[th.name] = th.entries.length;
}
const warnings = [...(d.Warnings.perWarning || new Map()).keys()];
console.log(JSON.stringify({ threads, flows: d.Flows.flows.length, warnings, min: d.Meta.traceBounds.min, max: d.Meta.traceBounds.max }));
