// Server-level behaviour of `mynah serve`, independent of any one dialect: built-in routes, /metrics,
// routing errors, limits, malformed input, keep-alive, disconnects and concurrency.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';

import { auth, EOS, limits, main } from './lib/env.mjs';
import { postJson, rawExchange, request, sleep, waitFor } from './lib/http.mjs';
import { parsePrometheus, sampleValue, scrape } from './lib/metrics.mjs';
import { collectStream, sseEvents } from './lib/sse.mjs';

const model = main.model;
const completions = (base) => `${base}/v1/completions`;

function assertOpenAiError(res, status) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') || '', /application\/json/);
  assert.equal(typeof res.json?.error?.message, 'string', res.text);
  assert.ok(res.json.error.message.length > 0);
}

// Waits until the engine holds no sequence and no KV block (other tests' requests included).
async function waitIdle(base, what) {
  return waitFor(async () => {
    const m = await scrape(base);
    const idle = sampleValue(m, 'mynah_kv_blocks_used') === 0 && sampleValue(m, 'mynah_requests_running') === 0 &&
                 sampleValue(m, 'mynah_requests_waiting') === 0;
    return idle ? m : false;
  }, { timeoutMs: 15000, message: what });
}

// A request that would generate for a long time: EOS banned, max_tokens filling the context.
const longBody = (extra = {}) => ({ model, prompt: 'Once upon a time', max_tokens: 480, temperature: 0, logit_bias: { [EOS]: -100 }, ...extra });

test('GET /health answers 200 {"status":"ok"}, also on the key-protected server without a key', async () => {
  for (const base of [main.url, auth.url, limits.url]) {
    const res = await request(`${base}/health`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /application\/json/);
    assert.deepEqual(res.json, { status: 'ok' });
  }
});

test('GET /v1/models has the OpenAI list shape', async () => {
  const res = await request(`${main.url}/v1/models`);
  assert.equal(res.status, 200);
  assert.equal(res.json.object, 'list');
  assert.ok(Array.isArray(res.json.data));
  assert.deepEqual(res.json.data.map((m) => m.id), [model]);
  for (const m of res.json.data) {
    assert.equal(m.object, 'model');
    assert.equal(typeof m.created, 'number');
    assert.equal(typeof m.owned_by, 'string');
  }
});

test('GET /metrics is Prometheus text with mynah_ families', async () => {
  const res = await request(`${main.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const m = parsePrometheus(res.text);
  assert.ok(m.samples.length > 0);
  for (const s of m.samples) {
    assert.match(s.name, /^mynah_/, `sample ${s.name}`);
    assert.equal(s.labels.model, model, `${s.name} carries the model label`);
    assert.ok(!Number.isNaN(s.value), `${s.name} value`);
  }
  const expected = {
    mynah_requests_running: 'gauge', mynah_requests_waiting: 'gauge', mynah_kv_blocks_used: 'gauge', mynah_kv_blocks_total: 'gauge',
    mynah_prompt_tokens_total: 'counter', mynah_generation_tokens_total: 'counter', mynah_prefix_cache_hit_tokens_total: 'counter',
    mynah_preemptions_total: 'counter', mynah_requests_total: 'counter',
    mynah_time_to_first_token_seconds: 'histogram', mynah_inter_token_latency_seconds: 'histogram',
    mynah_e2e_request_latency_seconds: 'histogram', mynah_queue_time_seconds: 'histogram',
  };
  for (const [family, type] of Object.entries(expected)) {
    assert.equal(m.types.get(family), type, `# TYPE ${family}`);
    assert.ok(m.help.get(family), `# HELP ${family}`);
  }
  assert.ok(sampleValue(m, 'mynah_kv_blocks_total') > 0);
  for (const reason of ['stop', 'length', 'cancelled', 'error']) {
    assert.notEqual(sampleValue(m, 'mynah_requests_total', { finish_reason: reason }), undefined, `mynah_requests_total{finish_reason="${reason}"}`);
  }
  // Histograms: cumulative buckets in increasing `le`, +Inf equal to _count.
  for (const [family, type] of m.types) {
    if (type !== 'histogram') continue;
    const buckets = m.samples.filter((s) => s.name === `${family}_bucket`);
    assert.ok(buckets.length >= 2, family);
    for (let i = 1; i < buckets.length; ++i) {
      assert.ok(Number(buckets[i].labels.le.replace('+Inf', 'Infinity')) > Number(buckets[i - 1].labels.le), `${family} le order`);
      assert.ok(buckets[i].value >= buckets[i - 1].value, `${family} buckets are cumulative`);
    }
    assert.equal(buckets.at(-1).labels.le, '+Inf');
    assert.equal(buckets.at(-1).value, sampleValue(m, `${family}_count`));
    assert.notEqual(sampleValue(m, `${family}_sum`), undefined);
  }
  // Each family's samples sit right under its own HELP/TYPE lines.
  let current = null;
  for (const line of res.text.split('\n')) {
    const t = /^# TYPE (\S+)/.exec(line);
    if (t) { current = t[1]; continue; }
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z0-9_:]+/.exec(line)[0];
    assert.ok(name === current || name.startsWith(`${current}_`), `${name} appears under # TYPE ${current}`);
  }
});

test('counters move after a request', async () => {
  const before = await scrape(main.url);
  // A prompt no other test sends, so the prefix cache cannot serve it.
  const prompt = `Metrics probe ${Date.now()} said the fox`;
  const res = await postJson(completions(main.url), { model, prompt, max_tokens: 6, temperature: 0, logit_bias: { [EOS]: -100 } });
  assert.equal(res.status, 200, res.text);
  const after = await waitFor(async () => {
    const m = await scrape(main.url);
    const done = sampleValue(m, 'mynah_requests_total', { finish_reason: 'length' }) >
                 sampleValue(before, 'mynah_requests_total', { finish_reason: 'length' });
    return done ? m : false;
  }, { message: 'mynah_requests_total{finish_reason="length"} to grow' });
  const delta = (name, labels) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
  assert.ok(delta('mynah_generation_tokens_total') >= 6, `generation tokens +${delta('mynah_generation_tokens_total')}`);
  assert.ok(delta('mynah_prompt_tokens_total') + delta('mynah_prefix_cache_hit_tokens_total') >= res.json.usage.prompt_tokens);
  assert.ok(delta('mynah_time_to_first_token_seconds_count') >= 1);
  assert.ok(delta('mynah_e2e_request_latency_seconds_count') >= 1);
  assert.ok(delta('mynah_inter_token_latency_seconds_count') >= 5);
  assert.ok(delta('mynah_e2e_request_latency_seconds_sum') > 0);
});

test('/metrics requires the metrics key when --metrics-key is set', async () => {
  const none = await request(`${auth.url}/metrics`);
  assert.equal(none.status, 401);
  const apiKey = await request(`${auth.url}/metrics`, { headers: { authorization: `Bearer ${auth.apiKey}` } });
  assert.equal(apiKey.status, 401, 'an API key is not the metrics key');
  const ok = await request(`${auth.url}/metrics`, { headers: { authorization: `Bearer ${auth.metricsKey}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /^# HELP mynah_/m);
});

test('generation routes require a key on the key-protected server: 401 in the OpenAI shape', async () => {
  const body = { model, prompt: 'Hi', max_tokens: 1 };
  for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: auth.apiKey }, { authorization: `Basic ${auth.apiKey}` },
                         { authorization: 'Bearer ' }]) {
    const res = await postJson(completions(auth.url), body, { headers });
    assertOpenAiError(res, 401);
  }
  const ok = await postJson(completions(auth.url), body, { headers: { authorization: `Bearer ${auth.apiKey}` } });
  assert.equal(ok.status, 200, ok.text);
  // /v1/models stays as open as /health.
  assert.equal((await request(`${auth.url}/v1/models`)).status, 200);
});

test('the API keys never reach the log', async () => {
  await postJson(completions(auth.url), { model, prompt: 'Hi', max_tokens: 1 }, { headers: { authorization: `Bearer ${auth.apiKey}` } });
  await postJson(completions(auth.url), { model, prompt: 'Hi', max_tokens: 1 }, { headers: { authorization: 'Bearer wrong-key-e2e' } });
  if (!auth.log) return;
  const log = await waitFor(() => {
    const text = fs.readFileSync(auth.log, 'utf8');
    return /POST \/v1\/completions 401/.test(text) ? text : false;
  }, { message: 'the access log line of the 401' });
  // The command line is the harness's first line of the file; the server's own output follows it.
  const serverOutput = log.split('\n').slice(1).join('\n');
  for (const secret of [auth.apiKey, auth.apiKey2, auth.metricsKey, 'wrong-key-e2e']) {
    assert.ok(!serverOutput.includes(secret), `the log contains ${secret}`);
  }
});

test('access log: one line per request with method, route, status, token counts and duration', async () => {
  if (!main.log) return;
  const res = await postJson(completions(main.url), { model, prompt: 'Access log probe', max_tokens: 3, temperature: 0, logit_bias: { [EOS]: -100 } });
  assert.equal(res.status, 200);
  const { prompt_tokens: p, completion_tokens: c } = res.json.usage;
  const re = new RegExp(`POST /v1/completions 200 prompt_tokens=${p} completion_tokens=${c} [0-9.]+ ?ms`);
  await waitFor(() => re.test(fs.readFileSync(main.log, 'utf8')), { message: `a log line matching ${re}` });
});

test('unknown routes are 404 with a JSON error', async () => {
  for (const [method, path] of [['GET', '/nope'], ['POST', '/v1/nonexistent'], ['GET', '/v1'], ['GET', '/v1/models/extra']]) {
    const res = await request(`${main.url}${path}`, { method, body: method === 'POST' ? {} : undefined });
    assertOpenAiError(res, 404);
  }
  // The query string does not change routing.
  assert.equal((await request(`${main.url}/health?verbose=1`)).status, 200);
});

test('a known route with the wrong method is 405 with an Allow header', async () => {
  for (const [method, path, allow] of [['POST', '/health', 'GET'], ['DELETE', '/v1/models', 'GET'], ['PUT', '/metrics', 'GET']]) {
    const res = await request(`${main.url}${path}`, { method, body: method === 'DELETE' ? undefined : {} });
    assertOpenAiError(res, 405);
    assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
  }
  const get = await request(completions(main.url));
  assertOpenAiError(get, 405);
  assert.match(get.json.error.message, /POST/);
});

test('405 on a dialect route carries an Allow header too, in the dialect\'s error shape', async () => {
  const get = await request(completions(main.url));
  assertOpenAiError(get, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  for (const path of ['/v1/generate', '/muse/v1/create', '/inference/v1/completions', '/serverless/v1/completions']) {
    const res = await request(`${main.url}${path}`);
    assert.equal(res.status, 405, path);
    assert.equal(res.headers.get('allow'), 'POST', path);
  }
});

test('a body over --max-body-bytes is 413 with a precise message, never a dropped connection', async () => {
  const prompt = 'x'.repeat(limits.maxBodyBytes + 100);
  const res = await postJson(completions(limits.url), { model, prompt, max_tokens: 1 });
  assertOpenAiError(res, 413);
  assert.match(res.json.error.message, new RegExp(String(limits.maxBodyBytes)));
  assert.equal(res.headers.get('connection'), 'close', 'the unread rest of the body makes the connection unusable');
  // Just under the limit is fine (and the server is still up).
  const small = await postJson(completions(limits.url), { model, prompt: 'y'.repeat(limits.maxBodyBytes - 200), max_tokens: 1 });
  assert.notEqual(small.status, 413, small.text);
  // A body announced by Content-Length alone is refused before it is sent.
  const raw = await rawExchange(limits.url,
    `POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${limits.maxBodyBytes * 10}\r\n\r\n{`);
  assert.match(raw.data, /^HTTP\/1\.1 413 /);
  assert.equal((await request(`${limits.url}/health`)).status, 200);
});

test('malformed JSON and non-object bodies are 400, and the connection stays usable', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const body of ['{"prompt": ', 'not json', '[]', '"a string"', '', '{"prompt": "x",}']) {
      const res = await nodeRequest(agent, completions(main.url), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, `${JSON.stringify(body)} -> ${res.status} ${res.body}`);
      const json = JSON.parse(res.body);
      assert.match(json.error.message, /JSON|object|prompt/);
    }
    const ok = await nodeRequest(agent, `${main.url}/health`);
    assert.equal(ok.status, 200);
    assert.equal(ok.reusedSocket, true, 'the connection survives 400s');
  } finally {
    agent.destroy();
  }
});

test('malformed HTTP closes that connection only', async () => {
  for (const junk of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'POST /v1/completions HTTP/1.1\r\nContent-Length: nope\r\n\r\n',
                      '\x00\x01\x02\x03\r\n\r\n']) {
    const res = await rawExchange(main.url, junk);
    assert.ok(res.closed, `the server closes the connection after ${JSON.stringify(junk)}`);
    assert.ok(res.data === '' || /^HTTP\/1\.1 4\d\d /.test(res.data), `answer to ${JSON.stringify(junk)}: ${res.data.slice(0, 80)}`);
  }
  assert.equal((await request(`${main.url}/health`)).status, 200);
});

// node:http request returning {status, headers, body, reusedSocket, localPort}.
function nodeRequest(agent, url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({
        status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString('utf8'),
        reusedSocket: req.reusedSocket, localPort: req.socket.localPort,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test('keep-alive: one connection serves plain, generation, error and streaming requests in turn', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const json = { 'content-type': 'application/json' };
    const sequence = [
      () => nodeRequest(agent, `${main.url}/health`),
      () => nodeRequest(agent, completions(main.url), { method: 'POST', headers: json, body: JSON.stringify({ model, prompt: 'Hi', max_tokens: 3 }) }),
      () => nodeRequest(agent, completions(main.url), { method: 'POST', headers: json, body: JSON.stringify({ model, prompt: 'Hi', stream: true, max_tokens: 3 }) }),
      () => nodeRequest(agent, completions(main.url), { method: 'POST', headers: json, body: JSON.stringify({ model, prompt: 'Hi', temperature: 9 }) }),
      () => nodeRequest(agent, `${main.url}/v1/models`),
      () => nodeRequest(agent, `${main.url}/nope`),
      () => nodeRequest(agent, completions(main.url), { method: 'POST', headers: json, body: JSON.stringify({ model, prompt: 'Hi', stream: true, max_tokens: 2 }) }),
      () => nodeRequest(agent, `${main.url}/metrics`),
    ];
    const results = [];
    for (const send of sequence) results.push(await send());
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 400, 200, 404, 200, 200]);
    assert.ok(results[2].body.trimEnd().endsWith('data: [DONE]'), results[2].body);
    assert.equal(results[0].reusedSocket, false);
    for (const r of results.slice(1)) assert.equal(r.reusedSocket, true);
    assert.equal(new Set(results.map((r) => r.localPort)).size, 1, 'one TCP connection');
  } finally {
    agent.destroy();
  }
});

test('pipelined requests are answered in order', async () => {
  const body = JSON.stringify({ model, prompt: 'Hi', max_tokens: 2, temperature: 0 });
  const reqs = [
    'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
    `POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    'GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  ];
  const res = await rawExchange(main.url, reqs.join(''), { idleMs: 5000 });
  const statuses = [...res.data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  assert.deepEqual(statuses, [200, 200, 200], res.data.slice(0, 400));
  assert.ok(res.data.indexOf('"status":"ok"') < res.data.indexOf('text_completion'));
  assert.ok(res.data.indexOf('text_completion') < res.data.indexOf('"object":"list"'));
  assert.ok(res.closed, 'Connection: close is honoured');
});

test('streaming responses are SSE with chunked encoding and no caching', async () => {
  const res = await fetch(completions(main.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, prompt: 'Hi', max_tokens: 4, stream: true }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  const events = [];
  for await (const ev of sseEvents(res.body)) events.push(ev);
  assert.equal(events.at(-1).data, '[DONE]');
  for (const ev of events.slice(0, -1)) assert.equal(JSON.parse(ev.data).object, 'text_completion');
});

test('tokens stream as they are produced, not all at the end', async () => {
  const arrivals = [];
  const started = Date.now();
  const out = await collectStream(completions(main.url), longBody({ max_tokens: 300, stream: true }), {
    onChunk: () => arrivals.push(Date.now() - started),
  });
  assert.equal(out.status, 200);
  assert.ok(out.done);
  assert.ok(arrivals.length >= 300);
  const total = arrivals.at(-1);
  // The first token arrives well before the last one.
  assert.ok(arrivals[0] < total / 2, `first chunk at ${arrivals[0]} ms, last at ${total} ms`);
});

test('a client that disconnects mid-stream cancels its request and frees its KV blocks', async () => {
  await waitIdle(main.url, 'the main server to be idle before the disconnect test');
  const before = await scrape(main.url);
  const controller = new AbortController();
  const res = await fetch(completions(main.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, signal: controller.signal,
    body: JSON.stringify(longBody({ n: 4, stream: true })),
  });
  assert.equal(res.status, 200);
  let seen = 0;
  try {
    for await (const ev of sseEvents(res.body)) {
      assert.notEqual(ev.data, '[DONE]');
      if (++seen === 3) controller.abort();
    }
  } catch (e) {
    assert.equal(e.name, 'AbortError', e.message);
  }
  // While it ran, it held blocks; after the disconnect they all come back.
  const after = await waitIdle(main.url, 'mynah_kv_blocks_used and mynah_requests_running to return to 0 after the disconnect');
  const generated = sampleValue(after, 'mynah_generation_tokens_total') - sampleValue(before, 'mynah_generation_tokens_total');
  assert.ok(generated < 4 * 480, `the engine stopped early: ${generated} of ${4 * 480} tokens generated`);
  const cancelled = (m) => sampleValue(m, 'mynah_requests_total', { finish_reason: 'cancelled' });
  assert.equal(cancelled(after) - cancelled(before), 4, 'the four sequences are counted as cancelled');
});

test('a client that disconnects while waiting for a non-streaming answer cancels it too', async () => {
  await waitIdle(main.url, 'the main server to be idle');
  const before = await scrape(main.url);
  const controller = new AbortController();
  const pending = fetch(completions(main.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, signal: controller.signal, body: JSON.stringify(longBody({ n: 4 })),
  });
  await waitFor(async () => sampleValue(await scrape(main.url), 'mynah_kv_blocks_used') > 0, { message: 'the request to start' });
  controller.abort();
  await assert.rejects(pending, { name: 'AbortError' });
  const after = await waitIdle(main.url, 'the KV blocks to be freed after the disconnect');
  const generated = sampleValue(after, 'mynah_generation_tokens_total') - sampleValue(before, 'mynah_generation_tokens_total');
  assert.ok(generated < 4 * 480, `the engine stopped early: ${generated} of ${4 * 480} tokens generated`);
});

test('many concurrent streaming clients all complete, with the outputs they get alone', async () => {
  const prompts = Array.from({ length: 6 }, (_, i) => `Story ${i}: once upon a time a ${['cat', 'dog', 'bird', 'fish', 'frog', 'bear'][i]}`);
  const body = (prompt) => ({ model, prompt, max_tokens: 32, temperature: 0, logit_bias: { [EOS]: -100 }, stream: true });
  const alone = [];
  for (const p of prompts) {
    const r = await collectStream(completions(main.url), body(p));
    alone.push(r.chunks.map((c) => c.choices[0].text).join(''));
  }
  // 30 streams on --parallel 8: most wait in the queue, every one finishes.
  const clients = Array.from({ length: 30 }, (_, i) => prompts[i % prompts.length]);
  const results = await Promise.all(clients.map((p) => collectStream(completions(main.url), body(p))));
  for (const [i, r] of results.entries()) {
    assert.equal(r.status, 200, `client ${i}: ${r.text}`);
    assert.ok(r.done, `client ${i} got [DONE]`);
    assert.equal(r.chunks.at(-1).choices[0].finish_reason, 'length');
    assert.equal(r.chunks.map((c) => c.choices[0].text).join(''), alone[i % prompts.length], `client ${i} matches its solo run`);
  }
  await waitIdle(main.url, 'the engine to drain');
});

test('hundreds of idle connections do not block other clients', async () => {
  const { hostname, port } = new URL(main.url);
  const sockets = await Promise.all(Array.from({ length: 200 }, () => new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => resolve(s));
    s.on('error', reject);
  })));
  try {
    // Half of them are slow: a partial request line, never finished.
    sockets.slice(0, 100).forEach((s) => s.write('POST /v1/completions HTTP/1.1\r\nHost: x\r\n'));
    const started = Date.now();
    const res = await postJson(completions(main.url), { model, prompt: 'Hi', max_tokens: 4 });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 10000, `answered in ${Date.now() - started} ms, not after the idle ones timed out`);
  } finally {
    sockets.forEach((s) => s.destroy());
  }
});

test('a full queue is refused with 429 and Retry-After, in the dialect error shape', async () => {
  // limits server: --parallel 1 --max-queue 1. One request runs, one waits, the rest are refused.
  const controllers = [];
  const attempts = [];
  for (let i = 0; i < 4; ++i) {
    const c = new AbortController();
    controllers.push(c);
    attempts.push(fetch(completions(limits.url), {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: c.signal, body: JSON.stringify(longBody({ stream: true })),
    }));
    await sleep(30);
  }
  const responses = await Promise.all(attempts);
  const statuses = responses.map((r) => r.status);
  try {
    assert.ok(statuses.filter((s) => s === 429).length >= 1, `statuses ${statuses}`);
    assert.ok(statuses.filter((s) => s === 200).length >= 1, `statuses ${statuses}`);
    for (const r of responses.filter((x) => x.status === 429)) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
      const json = await r.json();
      assert.match(json.error.message, /queue/);
    }
  } finally {
    controllers.forEach((c) => c.abort());
    await Promise.allSettled(responses.map((r) => r.body?.cancel()));
  }
  await waitIdle(limits.url, 'the limits server to drain after the aborts');
  // And it serves again.
  const ok = await postJson(completions(limits.url), { model, prompt: 'Hi', max_tokens: 2 });
  assert.equal(ok.status, 200, ok.text);
});
