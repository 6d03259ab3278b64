#!/usr/bin/env node
// Load benchmark for a running `mynah serve` (or any OpenAI-compatible /v1/completions server): closed-
// loop streaming clients, reporting what vLLM's benchmark_serving reports: request and output-token
// throughput, TTFT, TPOT and ITL percentiles. Node 18+, no dependencies (node:http + an SSE parser).
//
//   node bench/load/load_bench.mjs --url http://127.0.0.1:8080 [--scenario load|prefix|interference] [options]
//
// Scenarios (see --help and the README's "Load benchmark" section):
//   load          N concurrent streams per level (--concurrency 1,4,16), each a closed loop of requests
//                 with --prompt-tokens random token ids and exactly --output-tokens generated tokens
//                 (EOS banned through logit_bias), for --duration seconds or --requests per level.
//   prefix        A --prefix-tokens prompt sent once, then resent --repeats times with a different
//                 --suffix-tokens suffix each time: TTFT of the first send against the resends.
//   interference  --concurrency streams decode while one --long-prompt-tokens prompt is prefilled: the
//                 streams' p99 inter-token latency during that prefill against their median.
import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const HELP = `usage: node bench/load/load_bench.mjs --url URL [options]

  --url URL                 server base URL (default http://127.0.0.1:8080)
  --model NAME              model field of the requests (default: the first of GET /v1/models)
  --api-key KEY             sent as Authorization: Bearer KEY
  --scenario NAME           load (default) | prefix | interference | all
  --concurrency LIST        streams per level, comma-separated (default 1,4,16; interference: first value)
  --prompt-tokens N         prompt length in tokens (default 128)
  --output-tokens N         generated tokens per request (default 128)
  --duration S              load: seconds each level keeps starting requests (default 60)
  --requests N              load: requests per level instead of --duration
  --requests-per-stream N   load: N x streams requests per level instead of --duration
  --warmup N                requests sent before measuring (default 1)
  --prefix-tokens N         prefix: shared prefix length (default 1024)
  --suffix-tokens N         prefix: suffix length (default 16)
  --repeats N               prefix: resends after the first send (default 5)
  --long-prompt-tokens N    interference: the long prompt's length (default 2048)
  --eos-id ID               token banned so every request generates --output-tokens (default 2; -1: none)
  --bos-id ID               first token of every prompt (default 1; -1: none)
  --token-range A,B         prompts are random token ids in [A, B) (default 100,500: valid in any llama vocab)
  --seed N                  seed for the prompts' token ids (default: random)
  --json                    print the results as JSON instead of tables
  --json-out FILE           also write the results as JSON to FILE
  --timeout S               per-request timeout (default 600)
`;

function parseArgs(argv) {
  const o = {
    url: 'http://127.0.0.1:8080', model: '', apiKey: '', scenario: 'load', concurrency: [1, 4, 16], promptTokens: 128,
    outputTokens: 128, duration: 60, requests: 0, requestsPerStream: 0, warmup: 1, prefixTokens: 1024, suffixTokens: 16, repeats: 5,
    longPromptTokens: 2048, eosId: 2, bosId: 1, tokenRange: [100, 500], seed: Math.floor(Math.random() * 2 ** 31), json: false, jsonOut: '',
    timeout: 600,
  };
  const num = (v, name) => {
    const x = Number(v);
    if (!Number.isFinite(x)) fail(`${name} expects a number, got ${v}`);
    return x;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--url': o.url = next().replace(/\/+$/, ''); break;
      case '--model': o.model = next(); break;
      case '--api-key': o.apiKey = next(); break;
      case '--scenario': o.scenario = next(); break;
      case '--concurrency': o.concurrency = next().split(',').map((x) => num(x, a)); break;
      case '--prompt-tokens': o.promptTokens = num(next(), a); break;
      case '--output-tokens': o.outputTokens = num(next(), a); break;
      case '--duration': o.duration = num(next(), a); break;
      case '--requests': o.requests = num(next(), a); break;
      case '--requests-per-stream': o.requestsPerStream = num(next(), a); break;
      case '--warmup': o.warmup = num(next(), a); break;
      case '--prefix-tokens': o.prefixTokens = num(next(), a); break;
      case '--suffix-tokens': o.suffixTokens = num(next(), a); break;
      case '--repeats': o.repeats = num(next(), a); break;
      case '--long-prompt-tokens': o.longPromptTokens = num(next(), a); break;
      case '--eos-id': o.eosId = num(next(), a); break;
      case '--bos-id': o.bosId = num(next(), a); break;
      case '--token-range': o.tokenRange = next().split(',').map((x) => num(x, a)); break;
      case '--seed': o.seed = num(next(), a); break;
      case '--json': o.json = true; break;
      case '--json-out': o.jsonOut = next(); break;
      case '--timeout': o.timeout = num(next(), a); break;
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0); break;
      default: fail(`unknown option ${a}`);
    }
  }
  if (!['load', 'prefix', 'interference', 'all'].includes(o.scenario)) fail(`unknown scenario ${o.scenario}`);
  if (o.concurrency.some((c) => !Number.isInteger(c) || c < 1)) fail('--concurrency expects positive integers');
  return o;
}

function fail(message) {
  process.stderr.write(`load_bench: ${message}\n`);
  process.exit(2);
}

const log = (msg) => process.stderr.write(`${msg}\n`);

// mulberry32: a small seeded PRNG so that a --seed reproduces the prompts.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Prompts {
  constructor(o) {
    this.o = o;
    this.random = rng(o.seed);
  }

  tokens(n) {
    const [lo, hi] = this.o.tokenRange;
    return Array.from({ length: n }, () => lo + Math.floor(this.random() * (hi - lo)));
  }

  // A prompt of exactly n tokens, BOS included.
  make(n) {
    return this.o.bosId >= 0 ? [this.o.bosId, ...this.tokens(n - 1)] : this.tokens(n);
  }
}

// node:http rather than fetch(): undici's fetch aborts a body after 300 s without bytes, and a stream
// stalled behind a long prefill on a slow machine is exactly what the interference scenario measures.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

// POSTs `body` and calls onEvent(data, now) for every server-sent event's data as its bytes arrive;
// resolves {status, text} (text only for non-2xx answers).
function postSse(o, path, body, onEvent) {
  return new Promise((resolve, reject) => {
    const url = new URL(`${o.url}${path}`);
    const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
    const req = http.request(url, { method: 'POST', headers, agent, timeout: o.timeout * 1000 }, (res) => {
      const decoder = new TextDecoder();
      let buffer = '';
      let data = [];
      let text = '';
      res.on('data', (bytes) => {
        const now = performance.now();
        const chunk = decoder.decode(bytes, { stream: true });
        if (res.statusCode !== 200) { text += chunk; return; }
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (data.length > 0) onEvent(data.join('\n'), now);
            data = [];
          } else if (line.startsWith('data:')) {
            data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
          }
        }
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within --timeout ${o.timeout} s`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// One streaming completion. Returns {ok, error, start, ttft, e2e, chunkTimes (absolute ms), outputTokens,
// promptTokens}; times are performance.now() milliseconds. onToken(now) is called as each chunk arrives.
async function streamCompletion(o, prompt, maxTokens, onToken = () => {}) {
  const body = {
    model: o.model, prompt, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true },
  };
  if (o.eosId >= 0) body.logit_bias = { [o.eosId]: -100 };
  const r = { ok: false, error: '', start: performance.now(), ttft: NaN, e2e: NaN, chunkTimes: [], outputTokens: 0, promptTokens: 0 };
  let done = false;
  try {
    const res = await postSse(o, '/v1/completions', body, (data, now) => {
      if (data === '[DONE]') { done = true; return; }
      const chunk = JSON.parse(data);
      if (chunk.error) { r.error = chunk.error.message; return; }
      if (chunk.usage) {
        r.outputTokens = chunk.usage.completion_tokens;
        r.promptTokens = chunk.usage.prompt_tokens;
      }
      if (chunk.choices?.length > 0 && chunk.choices[0].text !== '') {
        r.chunkTimes.push(now);
        onToken(now);
      }
    });
    const end = performance.now();
    if (res.status !== 200) { r.error = `HTTP ${res.status}: ${res.text.slice(0, 300)}`; return r; }
    if (r.error) return r;
    if (!done) { r.error = 'the stream ended without [DONE]'; return r; }
    if (r.chunkTimes.length === 0) { r.error = 'no token arrived'; return r; }
    r.ttft = r.chunkTimes[0] - r.start;
    r.e2e = end - r.start;
    r.ok = true;
  } catch (e) {
    r.error = e.message;
  }
  return r;
}

// Percentile with linear interpolation (numpy's default), of an unsorted array.
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const x = (p / 100) * (s.length - 1);
  const lo = Math.floor(x);
  const hi = Math.ceil(x);
  return s[lo] + (s[hi] - s[lo]) * (x - lo);
}
const mean = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const stats = (v) => ({ mean: mean(v), p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), max: v.length ? Math.max(...v) : NaN });
const itls = (r) => r.chunkTimes.slice(1).map((t, i) => t - r.chunkTimes[i]);

async function resolveModel(o) {
  if (o.model) return;
  const headers = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  const res = await fetch(`${o.url}/v1/models`, { headers });
  if (!res.ok) fail(`GET ${o.url}/v1/models answered ${res.status}`);
  const json = await res.json();
  o.model = json.data?.[0]?.id;
  if (!o.model) fail('the server lists no model; pass --model');
}

async function scrapeMetric(o, name) {
  try {
    const res = await fetch(`${o.url}/metrics`);
    if (!res.ok) return NaN;
    let sum = NaN;
    for (const line of (await res.text()).split('\n')) {
      const m = /^([a-zA-Z0-9_:]+)(\{[^}]*\})? (\S+)/.exec(line);
      if (m && m[1] === name) sum = (Number.isNaN(sum) ? 0 : sum) + Number(m[3]);
    }
    return sum;
  } catch {
    return NaN;
  }
}

async function warmup(o, prompts) {
  for (let i = 0; i < o.warmup; ++i) {
    const r = await streamCompletion(o, prompts.make(o.promptTokens), Math.min(8, o.outputTokens));
    if (!r.ok) fail(`warm-up request failed: ${r.error}`);
  }
}

// --- scenario: load -----------------------------------------------------------------------------------

async function runLevel(o, prompts, concurrency) {
  const results = [];
  const started = performance.now();
  const deadline = started + o.duration * 1000;
  let issued = 0;
  const quota = o.requestsPerStream > 0 ? o.requestsPerStream * concurrency : o.requests;
  const more = () => (quota > 0 ? issued < quota : performance.now() < deadline);
  const worker = async () => {
    while (more()) {
      issued += 1;
      results.push(await streamCompletion(o, prompts.make(o.promptTokens), o.outputTokens));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - started) / 1000;
  const ok = results.filter((r) => r.ok);
  const out = ok.reduce((s, r) => s + r.outputTokens, 0);
  const input = ok.reduce((s, r) => s + r.promptTokens, 0);
  const tpot = ok.filter((r) => r.outputTokens > 1).map((r) => (r.e2e - r.ttft) / (r.outputTokens - 1));
  return {
    concurrency,
    completed: ok.length,
    failed: results.length - ok.length,
    errors: [...new Set(results.filter((r) => !r.ok).map((r) => r.error))].slice(0, 3),
    duration_s: wall,
    total_input_tokens: input,
    total_output_tokens: out,
    request_throughput: ok.length / wall,
    output_throughput: out / wall,
    total_token_throughput: (input + out) / wall,
    ttft_ms: stats(ok.map((r) => r.ttft)),
    tpot_ms: stats(tpot),
    itl_ms: stats(ok.flatMap(itls)),
    e2e_ms: stats(ok.map((r) => r.e2e)),
  };
}

async function scenarioLoad(o, prompts) {
  const levels = [];
  for (const c of o.concurrency) {
    const quota = o.requestsPerStream > 0 ? o.requestsPerStream * c : o.requests;
    log(`load: ${c} stream(s), ${quota > 0 ? `${quota} requests` : `${o.duration} s`}, ` +
        `${o.promptTokens}-token prompts, ${o.outputTokens} output tokens ...`);
    const level = await runLevel(o, prompts, c);
    levels.push(level);
    log(`  ${level.completed} requests, ${level.output_throughput.toFixed(2)} output tok/s` +
        (level.failed ? `, ${level.failed} FAILED: ${level.errors.join(' | ')}` : ''));
  }
  const base = levels[0].output_throughput;
  for (const l of levels) l.speedup_vs_first = l.output_throughput / base;
  return { scenario: 'load', prompt_tokens: o.promptTokens, output_tokens: o.outputTokens, levels };
}

function tableLoad(r) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows = [
    ['streams', 'requests', 'failed', 'duration s', 'req/s', 'output tok/s', 'speedup', 'TTFT p50 / p90 / p99 ms',
     'TPOT p50 / p90 / p99 ms', 'ITL p50 / p90 / p99 ms'],
  ];
  for (const l of r.levels) {
    rows.push([String(l.concurrency), String(l.completed), String(l.failed), f(l.duration_s), f(l.request_throughput, 3),
               f(l.output_throughput, 2), `${f(l.speedup_vs_first, 2)}x`,
               `${f(l.ttft_ms.p50, 0)} / ${f(l.ttft_ms.p90, 0)} / ${f(l.ttft_ms.p99, 0)}`,
               `${f(l.tpot_ms.p50)} / ${f(l.tpot_ms.p90)} / ${f(l.tpot_ms.p99)}`,
               `${f(l.itl_ms.p50)} / ${f(l.itl_ms.p90)} / ${f(l.itl_ms.p99)}`]);
  }
  return `Closed-loop load, ${r.prompt_tokens}-token prompts, ${r.output_tokens} output tokens\n\n${markdown(rows)}`;
}

// --- scenario: prefix ---------------------------------------------------------------------------------

async function scenarioPrefix(o, prompts) {
  const prefix = prompts.make(o.prefixTokens);
  const sends = [];
  const hitsBefore = await scrapeMetric(o, 'mynah_prefix_cache_hit_tokens_total');
  log(`prefix: a ${o.prefixTokens}-token prefix, then ${o.repeats} resends with new ${o.suffixTokens}-token suffixes ...`);
  for (let i = 0; i <= o.repeats; ++i) {
    const r = await streamCompletion(o, [...prefix, ...prompts.tokens(o.suffixTokens)], 1);
    if (!r.ok) fail(`prefix scenario request ${i} failed: ${r.error}`);
    sends.push({ send: i, ttft_ms: r.ttft, prompt_tokens: r.promptTokens });
    log(`  send ${i}: TTFT ${r.ttft.toFixed(1)} ms`);
  }
  const hitsAfter = await scrapeMetric(o, 'mynah_prefix_cache_hit_tokens_total');
  const first = sends[0].ttft_ms;
  const later = sends.slice(1).map((s) => s.ttft_ms);
  const result = {
    scenario: 'prefix', prefix_tokens: o.prefixTokens, suffix_tokens: o.suffixTokens, sends,
    ttft_first_ms: first, ttft_resend_p50_ms: percentile(later, 50), ttft_resend_max_ms: Math.max(...later),
    speedup: first / percentile(later, 50),
    prefix_cache_hit_tokens: hitsAfter - hitsBefore,
  };
  result.target = { description: 'TTFT of a resend at least 10x lower than the first send', met: result.speedup >= 10 };
  return result;
}

function tablePrefix(r) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows = [['send', 'prompt tokens', 'TTFT ms']];
  for (const s of r.sends) rows.push([s.send === 0 ? '0 (cold)' : String(s.send), String(s.prompt_tokens), f(s.ttft_ms)]);
  return `Shared-prefix resend: ${r.prefix_tokens}-token prefix + ${r.suffix_tokens}-token suffix\n\n${markdown(rows)}\n\n` +
    `first ${f(r.ttft_first_ms)} ms, resends p50 ${f(r.ttft_resend_p50_ms)} ms: ${f(r.speedup, 1)}x lower ` +
    `(target >= 10x: ${r.target.met ? 'met' : 'NOT met'}); prefix-cache hit tokens +${f(r.prefix_cache_hit_tokens, 0)}`;
}

// --- scenario: interference ---------------------------------------------------------------------------

async function scenarioInterference(o, prompts) {
  const streams = o.concurrency[0] > 1 ? o.concurrency[0] : 4;
  log(`interference: ${streams} streams (${o.promptTokens}-token prompts) decode while one ${o.longPromptTokens}-token prompt is prefilled ...`);
  const samples = [];  // {t (end of the interval), start, itl}
  let liveTokens = 0;     // tokens the streams have received so far, counted as they arrive
  let stop = false;
  let failure = '';
  const background = async () => {
    while (!stop) {
      const r = await streamCompletion(o, prompts.make(o.promptTokens), o.outputTokens, () => { liveTokens += 1; });
      if (!r.ok) {
        failure = r.error;
        stop = true;
        return;
      }
      r.chunkTimes.slice(1).forEach((t, i) => samples.push({ t, start: r.chunkTimes[i], itl: t - r.chunkTimes[i] }));
    }
  };
  const workers = Array.from({ length: streams }, background);
  // Steady state first: every stream decoding, a quarter of their output produced (and at least 5 s).
  const baselineFrom = performance.now();
  const enough = Math.max(8, Math.floor(o.outputTokens / 4)) * streams;
  while (!failure && (performance.now() - baselineFrom < 5000 || liveTokens < enough)) await new Promise((r) => setTimeout(r, 50));
  if (failure) fail(`a background stream failed: ${failure}`);
  const longStart = performance.now();
  const long = await streamCompletion(o, prompts.make(o.longPromptTokens), 1);
  const longFirst = long.ok ? long.start + long.ttft : performance.now();
  // A little steady state after the prefill too.
  await new Promise((r) => setTimeout(r, 2000));
  stop = true;
  await Promise.all(workers);
  if (failure) fail(`a background stream failed: ${failure}`);
  if (!long.ok) fail(`the long prompt failed: ${long.error}`);
  const baseline = samples.filter((s) => s.t < longStart).map((s) => s.itl);
  const during = samples.filter((s) => s.t > longStart && s.start < longFirst).map((s) => s.itl);
  const all = samples.map((s) => s.itl);
  const result = {
    scenario: 'interference', streams, prompt_tokens: o.promptTokens, long_prompt_tokens: o.longPromptTokens,
    long_prompt_ttft_ms: long.ttft,
    itl_baseline_ms: stats(baseline), itl_during_prefill_ms: stats(during), itl_all_ms: stats(all),
    samples: { baseline: baseline.length, during_prefill: during.length },
  };
  // The streams' own median: their steady state before the long prompt arrived.
  result.ratio_p99_during_to_median = result.itl_during_prefill_ms.p99 / result.itl_baseline_ms.p50;
  result.target = { description: 'p99 ITL while the long prompt is prefilled under 3x the median ITL', met: result.ratio_p99_during_to_median < 3 };
  return result;
}

function tableInterference(r) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows = [['ITL of the streams', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
  const row = (name, s, n) => rows.push([name, String(n), f(s.p50), f(s.p90), f(s.p99), f(s.max)]);
  row('before the long prompt', r.itl_baseline_ms, r.samples.baseline);
  row('during its prefill', r.itl_during_prefill_ms, r.samples.during_prefill);
  row('whole run', r.itl_all_ms, r.samples.baseline + r.samples.during_prefill);
  return `Long-prefill interference: ${r.streams} streams, one ${r.long_prompt_tokens}-token prompt ` +
    `(its TTFT ${f(r.long_prompt_ttft_ms, 0)} ms)\n\n${markdown(rows)}\n\n` +
    `p99 ITL during the prefill / median ITL before it = ${f(r.ratio_p99_during_to_median, 2)} (target < 3: ${r.target.met ? 'met' : 'NOT met'})`;
}

// --- output -------------------------------------------------------------------------------------------

function markdown(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w, c) => (c === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`,
          ...rows.slice(1).map(line)].join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  await resolveModel(o);
  const prompts = new Prompts(o);
  const run = { url: o.url, model: o.model, seed: o.seed, started: new Date().toISOString(), results: [] };
  log(`load_bench: ${o.url}, model ${o.model}, seed ${o.seed}`);
  await warmup(o, prompts);
  const scenarios = o.scenario === 'all' ? ['load', 'prefix', 'interference'] : [o.scenario];
  for (const s of scenarios) {
    if (s === 'load') run.results.push(await scenarioLoad(o, prompts));
    if (s === 'prefix') run.results.push(await scenarioPrefix(o, prompts));
    if (s === 'interference') run.results.push(await scenarioInterference(o, prompts));
  }
  if (o.jsonOut) fs.writeFileSync(o.jsonOut, `${JSON.stringify(run, null, 2)}\n`);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nServer ${o.url}, model ${o.model}\n`);
  for (const r of run.results) {
    const table = r.scenario === 'load' ? tableLoad(r) : r.scenario === 'prefix' ? tablePrefix(r) : tableInterference(r);
    process.stdout.write(`\n${table}\n`);
  }
}

main().catch((e) => fail(e.stack || String(e)));
