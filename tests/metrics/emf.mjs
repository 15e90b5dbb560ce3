// A reader of CloudWatch Embedded Metric Format (EMF) log lines, as CloudWatch Logs reads them
// (the specification: "Specification: Embedded metric format", Amazon CloudWatch User Guide):
// it checks each line's `_aws` metadata against the specification's rules and sums every
// metric's values per namespace, metric and dimension values, as CloudWatch would store them.
//   import { readEmf } from "./emf.mjs";
//   const { metrics, errors, records } = readEmf(lines);   // lines: objects or JSON text
//   metrics.get('jwtgate|decisions|outcome=unauthorized,reason=bad_signature')  -> { sum, count }

/** Units CloudWatch accepts (the specification's list). */
export const UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
  "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
  "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]);

const NAMESPACE = /^[A-Za-z0-9 ._#:/-]{1,255}$/;
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const only = (object, allowed) => Object.keys(object).filter((k) => !allowed.includes(k));

/**
 * Read `lines`. A line without `_aws` is a plain log line (not a record). A line with `_aws`
 * that breaks a rule is an error (CloudWatch drops its metrics) and adds nothing to `metrics`.
 */
export function readEmf(lines) {
  const metrics = new Map();
  const errors = [];
  let records = 0;
  for (const [index, raw] of lines.entries()) {
    let line;
    try {
      line = typeof raw === "string" ? JSON.parse(raw) : raw;
    } catch {
      errors.push(`line ${index}: not JSON`);
      continue;
    }
    if (!isObject(line) || !("_aws" in line)) continue;
    const problems = check(line);
    if (problems.length > 0) {
      errors.push(...problems.map((p) => `line ${index}: ${p}`));
      continue;
    }
    records += 1;
    for (const directive of line._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dimensions = set.map((name) => `${name}=${line[name]}`).join(",");
        for (const { Name } of directive.Metrics) {
          const key = `${directive.Namespace}|${Name}|${dimensions}`;
          const values = Array.isArray(line[Name]) ? line[Name] : [line[Name]];
          const entry = metrics.get(key) ?? { sum: 0, count: 0, values: [] };
          for (const v of values) {
            entry.sum += v;
            entry.count += 1;
            entry.values.push(v);
          }
          metrics.set(key, entry);
        }
      }
    }
  }
  return { metrics, errors, records };
}

/** The rules a line with `_aws` breaks (none: a valid record). */
export function check(line) {
  const p = [];
  const aws = line._aws;
  const seen = new Set();
  if (!isObject(aws)) return ["_aws is not an object"];
  if (!Number.isInteger(aws.Timestamp) || aws.Timestamp < 0) p.push("_aws.Timestamp is not a whole number of milliseconds since the epoch");
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...p, "_aws.CloudWatchMetrics is not an array"];
  for (const [i, d] of aws.CloudWatchMetrics.entries()) {
    const at = `CloudWatchMetrics[${i}]`;
    if (!isObject(d)) {
      p.push(`${at} is not an object`);
      continue;
    }
    const extra = only(d, ["Namespace", "Dimensions", "Metrics"]);
    if (extra.length > 0) p.push(`${at} has members the specification does not define: ${extra.join(", ")}`);
    if (typeof d.Namespace !== "string" || !NAMESPACE.test(d.Namespace) || d.Namespace.startsWith("AWS/")) p.push(`${at}.Namespace ${JSON.stringify(d.Namespace)} is not a namespace`);
    if (!Array.isArray(d.Dimensions)) p.push(`${at}.Dimensions is not an array`);
    else
      for (const [j, set] of d.Dimensions.entries()) {
        if (!Array.isArray(set)) {
          p.push(`${at}.Dimensions[${j}] is not an array`);
          continue;
        }
        if (set.length > 30) p.push(`${at}.Dimensions[${j}] has more than 30 dimensions`);
        if (new Set(set).size !== set.length) p.push(`${at}.Dimensions[${j}] names a dimension twice`);
        for (const name of set) {
          // A dimension's value is a member of the line, a string (else the record is dropped).
          if (typeof name !== "string") p.push(`${at}.Dimensions[${j}] holds a non-string`);
          else if (typeof line[name] !== "string") p.push(`dimension ${name} is ${JSON.stringify(line[name])}, not a string member of the line`);
          else if (line[name].length === 0 || line[name].length > 1024) p.push(`dimension ${name}'s value is empty or over 1024 characters`);
        }
      }
    if (!Array.isArray(d.Metrics) || d.Metrics.length === 0 || d.Metrics.length > 100) p.push(`${at}.Metrics is not an array of 1 to 100 metrics`);
    else
      for (const [j, m] of d.Metrics.entries()) {
        if (!isObject(m) || typeof m.Name !== "string" || m.Name.length === 0 || m.Name.length > 1024) {
          p.push(`${at}.Metrics[${j}] has no Name`);
          continue;
        }
        const extraM = only(m, ["Name", "Unit", "StorageResolution"]);
        if (extraM.length > 0) p.push(`${at}.Metrics[${j}] has members the specification does not define: ${extraM.join(", ")}`);
        if (m.Unit !== undefined && !UNITS.has(m.Unit)) p.push(`${at}.Metrics[${j}].Unit ${JSON.stringify(m.Unit)} is not a CloudWatch unit`);
        if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60) p.push(`${at}.Metrics[${j}].StorageResolution is not 1 or 60`);
        // The same metric under the same dimensions twice in one line would count it twice.
        for (const set of Array.isArray(d.Dimensions) ? d.Dimensions : []) {
          const key = `${d.Namespace}|${m.Name}|${Array.isArray(set) ? [...set].sort().join(",") : ""}`;
          if (seen.has(key)) p.push(`metric ${m.Name} by [${set}] is named twice`);
          seen.add(key);
        }
        const v = line[m.Name];
        const values = Array.isArray(v) ? v : [v];
        if (values.length === 0 || values.length > 100 || !values.every((x) => typeof x === "number" && Number.isFinite(x))) {
          p.push(`metric ${m.Name} is ${JSON.stringify(v)}, not a number (or up to 100 numbers) at the line's top level`);
        }
      }
  }
  return p;
}
