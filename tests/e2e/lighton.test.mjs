// LightOn Muse Create (POST /muse/v1/create, model in X-Model) against a running `mynah serve` on the
// embedded stories260K model, with raw fetch(): every parameter, every response field, one bad value
// per parameter. MYNAH_URL picks the server (default http://127.0.0.1:8080). Runs alone (`node --test`) or
// under run.mjs, whose keyed server (MYNAH_AUTH_URL, MYNAH_API_KEY) the auth test uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BASE = process.env.MYNAH_URL ?? 'http://127.0.0.1:8080';
// MYNAH_URL is a server without keys under the harness; a key is sent only when running against a keyed
// server by hand (MYNAH_API_KEY set, MYNAH_AUTH_URL not).
const AUTH = process.env.MYNAH_API_KEY && !process.env.MYNAH_AUTH_URL ? { 'X-API-KEY': process.env.MYNAH_API_KEY } : {};
const MODEL = 'stories260K';
const COST_TYPE = `${MODEL}@default`;
// The greedy continuation of "Once upon a time" on stories260K.
const GREEDY = ', there was a little girl named Lily. She loved to play outside in the park.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function post(body, { model = MODEL } = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', ...AUTH };
  if (model !== null) headers['X-Model'] = model;
  const res = await fetch(`${BASE}/muse/v1/create`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

async function create(body, options) {
  const r = await post(body, options);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const once = (params = {}) => ({ text: 'Once upon a time', params: { mode: 'greedy', ...params } });
const first = (r) => r.outputs[0][0].completions[0];

test('response shape: request_id, outputs[[{input_text, completions}]], score, execution_metadata, costs', async () => {
  const r = await create(once({ n_tokens: 20 }));
  assert.deepEqual(Object.keys(r).sort(), ['costs', 'outputs', 'request_id']);
  assert.match(r.request_id, UUID);
  assert.equal(r.outputs.length, 1);
  assert.ok(Array.isArray(r.outputs[0]));
  assert.equal(r.outputs[0].length, 1);
  assert.equal(r.outputs[0][0].input_text, 'Once upon a time');
  assert.equal(r.outputs[0][0].completions.length, 1);
  const c = first(r);
  assert.ok(GREEDY.startsWith(c.output_text), c.output_text);
  assert.ok(c.score.logprob < 0);
  assert.ok(Math.abs(c.score.normalized_logprob - c.score.logprob / 20) < 1e-9);
  assert.equal(c.score.token_logprobs, null);
  assert.deepEqual(c.execution_metadata.cost, {
    tokens_used: 25, tokens_input: 5, tokens_generated: 20, cost_type: COST_TYPE, batch_size: 1,
  });
  assert.equal(c.execution_metadata.finish_reason, 'length');
  assert.deepEqual(r.costs, {
    [COST_TYPE]: { total_tokens_used: 25, total_tokens_input: 5, total_tokens_generated: 20, batch_size: 1 },
  });
});

test('defaults: nucleus mode, n_tokens 20, one completion, seeded', async () => {
  const r = await create({ text: 'Once upon a time', params: { seed: 5 } });
  assert.equal(first(r).execution_metadata.cost.tokens_generated, 20);
  assert.equal(r.outputs[0][0].completions.length, 1);
  const again = await create({ text: 'Once upon a time', params: { seed: 5 } });
  assert.equal(first(again).output_text, first(r).output_text);
  const bare = await create({ text: 'Once upon a time' });  // no params at all
  assert.equal(first(bare).execution_metadata.cost.tokens_generated, 20);
});

test('text as an array: one output per input, batch_size and costs over the batch', async () => {
  const r = await create({ text: ['Once upon a time', 'Lily'], params: { mode: 'greedy', n_tokens: 8 } });
  assert.equal(r.outputs.length, 2);
  assert.equal(r.outputs[0][0].input_text, 'Once upon a time');
  assert.equal(r.outputs[1][0].input_text, 'Lily');
  assert.equal(first(r).output_text, ', there was a little girl');
  const inputs = r.outputs.map((o) => o[0].completions[0].execution_metadata.cost.tokens_input);
  for (const o of r.outputs) assert.equal(o[0].completions[0].execution_metadata.cost.batch_size, 2);
  assert.deepEqual(r.costs[COST_TYPE], {
    total_tokens_used: inputs[0] + inputs[1] + 16, total_tokens_input: inputs[0] + inputs[1], total_tokens_generated: 16, batch_size: 2,
  });
});

test('n_tokens sets the generated length', async () => {
  const r = await create(once({ n_tokens: 5 }));
  assert.equal(first(r).output_text, ', there was a little');
  assert.equal(first(r).execution_metadata.cost.tokens_generated, 5);
});

test('n_completions: that many completions, all billed', async () => {
  const r = await create({ text: 'Once upon a time', params: { n_completions: 3, n_tokens: 8, seed: 2, temperature: 1.5 } });
  assert.equal(r.outputs[0][0].completions.length, 3);
  assert.equal(r.costs[COST_TYPE].total_tokens_generated, 24);
  assert.equal(r.costs[COST_TYPE].total_tokens_input, 5);
});

test('best_of: returns the completion with the highest summed log-likelihood, bills all', async () => {
  const params = { n_completions: 4, n_tokens: 10, seed: 21, temperature: 1.5 };
  const all = await create({ text: 'Once upon a time', params });
  const best = await create({ text: 'Once upon a time', params: { ...params, best_of: 1 } });
  assert.equal(best.outputs[0][0].completions.length, 1);
  const sums = all.outputs[0][0].completions.map((c) => c.score.logprob);
  const winner = all.outputs[0][0].completions[sums.indexOf(Math.max(...sums))];
  assert.equal(first(best).output_text, winner.output_text);
  assert.equal(best.costs[COST_TYPE].total_tokens_generated, all.costs[COST_TYPE].total_tokens_generated);
  const two = await create({ text: 'Once upon a time', params: { ...params, best_of: 2 } });
  const kept = two.outputs[0][0].completions.map((c) => c.score.logprob);
  assert.deepEqual(kept, [...sums].sort((a, b) => b - a).slice(0, 2));
});

test('mode greedy ignores temperature; nucleus with temperature 0 is greedy', async () => {
  const hot = await create(once({ temperature: 5, n_tokens: 15 }));
  assert.ok(GREEDY.startsWith(first(hot).output_text));
  const zero = await create({ text: 'Once upon a time', params: { mode: 'nucleus', temperature: 0, n_tokens: 15 } });
  assert.ok(GREEDY.startsWith(first(zero).output_text));
});

test('temperature changes nucleus sampling', async () => {
  const cold = await create({ text: 'Once upon a time', params: { temperature: 0.01, seed: 3, n_tokens: 15 } });
  assert.ok(GREEDY.startsWith(first(cold).output_text));
  const hot = await create({ text: 'Once upon a time', params: { temperature: 5, p: 1, seed: 3, n_tokens: 15 } });
  assert.ok(!GREEDY.startsWith(first(hot).output_text));
});

test('p: a tiny nucleus keeps only the top token', async () => {
  const r = await create({ text: 'Once upon a time', params: { mode: 'nucleus', p: 0.01, temperature: 5, seed: 8, n_tokens: 15 } });
  assert.ok(GREEDY.startsWith(first(r).output_text));
});

test('k: topk with k=1 is greedy; k is ignored in nucleus mode', async () => {
  const r = await create({ text: 'Once upon a time', params: { mode: 'topk', k: 1, temperature: 5, seed: 8, n_tokens: 15 } });
  assert.ok(GREEDY.startsWith(first(r).output_text));
  const wide = await create({ text: 'Once upon a time', params: { mode: 'topk', k: 400, temperature: 5, seed: 8, n_tokens: 15 } });
  assert.ok(!GREEDY.startsWith(first(wide).output_text));
  const nucleus = await create({ text: 'Once upon a time', params: { mode: 'nucleus', k: 1, p: 1, temperature: 5, seed: 8, n_tokens: 15 } });
  assert.ok(!GREEDY.startsWith(first(nucleus).output_text));
});

test('biases: -100 forbids a word, a positive bias makes it appear', async () => {
  const plain = await create(once({ n_tokens: 20 }));
  assert.ok(first(plain).output_text.includes('Lily'));
  const banned = await create(once({ n_tokens: 20, biases: { Lily: -100 } }));
  assert.ok(!first(banned).output_text.includes('Lily'), first(banned).output_text);
  const boosted = await create(once({ n_tokens: 5, biases: { Lily: 15 } }));
  assert.ok(first(boosted).output_text.includes('Lily'), first(boosted).output_text);
});

test('presence_penalty and frequency_penalty count the prompt too', async () => {
  const text = 'The girl. Once upon a time, there was a little';
  const plain = await create({ text, params: { mode: 'greedy', n_tokens: 1 } });
  assert.equal(first(plain).output_text, ' g');
  const presence = await create({ text, params: { mode: 'greedy', n_tokens: 1, presence_penalty: 1 } });
  assert.notEqual(first(presence).output_text, ' g');
  const frequency = await create({ text, params: { mode: 'greedy', n_tokens: 1, frequency_penalty: 1 } });
  assert.notEqual(first(frequency).output_text, ' g');
});

test('stop_words end generation and are left out of the text', async () => {
  const r = await create(once({ n_tokens: 40, stop_words: ['Lily', 'park'] }));
  assert.equal(first(r).output_text, ', there was a little girl named ');
  assert.equal(first(r).execution_metadata.finish_reason, 'stop');
});

test('concat_prompt prepends the input text', async () => {
  const r = await create(once({ n_tokens: 5, concat_prompt: true }));
  assert.equal(first(r).output_text, 'Once upon a time, there was a little');
});

test('return_logprobs: one {"<token>": logprob} object per generated token', async () => {
  const r = await create(once({ n_tokens: 6, return_logprobs: true }));
  const c = first(r);
  assert.equal(c.score.token_logprobs.length, 6);
  for (const t of c.score.token_logprobs) {
    assert.equal(Object.keys(t).length, 1);
    assert.ok(Object.values(t)[0] <= 0);
  }
  assert.equal(c.score.token_logprobs.map((t) => Object.keys(t)[0]).join(''), c.output_text);
  const sum = c.score.token_logprobs.reduce((a, t) => a + Object.values(t)[0], 0);
  assert.ok(Math.abs(c.score.logprob - sum) < 1e-5);
  assert.ok(Math.abs(c.score.normalized_logprob - sum / 6) < 1e-5);
});

test('seed: same seed, same completion; another seed, another one', async () => {
  const body = (seed) => ({ text: 'Once upon a time', params: { seed, temperature: 2, p: 1, n_tokens: 15 } });
  const a = await create(body(100));
  const b = await create(body(100));
  const c = await create(body(101));
  assert.equal(first(a).output_text, first(b).output_text);
  assert.notEqual(first(a).output_text, first(c).output_text);
});

test('a prompt longer than the context is truncated from the left', async () => {
  const text = 'Once upon a time, there was a little girl named Lily. '.repeat(60);
  const r = await create({ text, params: { mode: 'greedy', n_tokens: 12 } });
  const cost = first(r).execution_metadata.cost;
  assert.equal(cost.tokens_generated, 12);
  assert.equal(cost.tokens_input + cost.tokens_generated, 512);  // stories260K's context
  assert.equal(r.outputs[0][0].input_text, text);
});

test('X-Model: absent picks the default; unknown is a 404 naming the available models', async () => {
  const r = await create(once({ n_tokens: 3 }), { model: null });
  assert.equal(first(r).execution_metadata.cost.cost_type, COST_TYPE);
  const bad = await post(once(), { model: 'orion-fr' });
  assert.equal(bad.status, 404);
  assert.equal(typeof bad.json.error, 'string');
  assert.ok(bad.json.detail.includes(MODEL), bad.json.detail);
});

test('unknown parameters are ignored', async () => {
  const r = await create({ text: 'Once upon a time', extra: 1, params: { mode: 'greedy', n_tokens: 3, unknown_knob: true } });
  assert.equal(first(r).output_text, ', there was');
});

const BAD = [
  [{}, 'text'],
  [{ text: 42 }, 'text'],
  [{ text: [] }, 'text'],
  [{ text: ['ok', 3] }, 'text'],
  [{ text: 'x', params: 'greedy' }, 'params'],
  [{ text: 'x', params: { mode: 'beam' } }, 'mode'],
  [{ text: 'x', params: { n_tokens: 0 } }, 'n_tokens'],
  [{ text: 'x', params: { n_tokens: 512 } }, 'n_tokens'],
  [{ text: 'x', params: { n_completions: 0 } }, 'n_completions'],
  [{ text: 'x', params: { n_completions: 2, best_of: 2 } }, 'best_of'],
  [{ text: 'x', params: { best_of: 'all' } }, 'best_of'],
  [{ text: 'x', params: { temperature: -1 } }, 'temperature'],
  [{ text: 'x', params: { p: 1.5 } }, 'p'],
  [{ text: 'x', params: { k: 0 } }, 'k'],
  [{ text: 'x', params: { biases: { Lily: 200 } } }, 'biases'],
  [{ text: 'x', params: { biases: ['Lily'] } }, 'biases'],
  [{ text: 'x', params: { presence_penalty: 2 } }, 'presence_penalty'],
  [{ text: 'x', params: { frequency_penalty: -0.5 } }, 'frequency_penalty'],
  [{ text: 'x', params: { stop_words: 'Lily' } }, 'stop_words'],
  [{ text: 'x', params: { concat_prompt: 'yes' } }, 'concat_prompt'],
  [{ text: 'x', params: { return_logprobs: 1 } }, 'return_logprobs'],
  [{ text: 'x', params: { seed: 'abc' } }, 'seed'],
  [{ text: 'x', params: { skill: 'summarization' } }, 'skill'],
];

for (const [body, param] of BAD) {
  test(`400 for a bad ${param}: ${JSON.stringify(body)}`, async () => {
    const r = await post(body);
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['detail', 'error']);
    assert.ok(r.json.detail.includes(param), r.json.detail);
  });
}

test('400 messages name the range and the value', async () => {
  const r = await post({ text: 'x', params: { n_tokens: 0 } });
  assert.equal(r.json.detail, 'n_tokens must be between 1 and 511, got 0');
  const best = await post({ text: 'x', params: { n_completions: 3, best_of: 3 } });
  assert.equal(best.json.detail, 'best_of must be smaller than n_completions (3), got 3');
  const body = await post('{"text": ');
  assert.equal(body.status, 400);
  assert.equal(typeof body.json.detail, 'string');
});

// The harness (run.mjs) also starts a server that requires keys: MYNAH_AUTH_URL with MYNAH_API_KEY.
test('auth: X-API-KEY required when the server has keys; 401 as {"error", "detail"}', { skip: !process.env.MYNAH_AUTH_URL }, async () => {
  const url = `${process.env.MYNAH_AUTH_URL}/muse/v1/create`;
  const body = JSON.stringify(once({ n_tokens: 2 }));
  const headers = { 'Content-Type': 'application/json', 'X-Model': MODEL };
  const denied = await fetch(url, { method: 'POST', headers, body });
  assert.equal(denied.status, 401);
  assert.deepEqual(Object.keys(await denied.json()).sort(), ['detail', 'error']);
  const bearer = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${process.env.MYNAH_API_KEY}` }, body });
  assert.equal(bearer.status, 401);  // LightOn takes its key in X-API-KEY only
  const ok = await fetch(url, { method: 'POST', headers: { ...headers, 'X-API-KEY': process.env.MYNAH_API_KEY }, body });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).outputs.length, 1);
});
