// Prometheus text exposition format (0.0.4) parsing for the /metrics tests.
import { request } from './http.mjs';

// -> {samples: [{name, labels, value}], types: Map(family -> type), help: Map(family -> text)}
export function parsePrometheus(text) {
  const samples = [];
  const types = new Map();
  const help = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue;
      (m[1] === 'TYPE' ? types : help).set(m[2], m[3]);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
      let l;
      while ((l = re.exec(m[3])) !== null) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    const raw = m[4];
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types, help };
}

// Sum of the samples called `name` whose labels include every label in `labels`.
export function sampleValue(parsed, name, labels = {}) {
  let sum = 0;
  let found = false;
  for (const s of parsed.samples) {
    if (s.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    sum += s.value;
    found = true;
  }
  return found ? sum : undefined;
}

export async function scrape(baseUrl, headers = {}) {
  const res = await request(`${baseUrl}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text}`);
  return parsePrometheus(res.text);
}
