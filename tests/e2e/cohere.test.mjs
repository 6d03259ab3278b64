// Cohere Generate (POST /v1/generate, /generate) against a running `mynah serve` on the embedded
// stories260K model, with raw fetch(): every parameter, every response field, one bad value per parameter.
// MYNAH_URL picks the server (default http://127.0.0.1:8080). Runs alone (`node --test`) or under run.mjs,
// whose keyed server (MYNAH_AUTH_URL, MYNAH_API_KEY) the auth test uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BASE = process.env.MYNAH_URL ?? 'http://127.0.0.1:8080';
// MYNAH_URL is a server without keys under the harness; a key is sent only when running against a keyed
// server by hand (MYNAH_API_KEY set, MYNAH_AUTH_URL not).
const AUTH = process.env.MYNAH_API_KEY && !process.env.MYNAH_AUTH_URL ? { Authorization: `Bearer ${process.env.MYNAH_API_KEY}` } : {};
const VERSION = { 'Cohere-Version': '2022-12-06' };
const MODEL = 'stories260K';
// The greedy continuation of "Once upon a time" on stories260K.
const GREEDY = ', there was a little girl named Lily. She loved to play outside in the park.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function post(body, { headers = VERSION, path = '/v1/generate' } = {}) {
  const res = await fetch(BASE + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...AUTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') && !text.includes('}\n{') ? JSON.parse(text) : null };
}

async function generate(body, options) {
  const r = await post(body, options);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const greedy = (extra = {}) => ({ prompt: 'Once upon a time', temperature: 0, ...extra });

test('versioned response: id, generations[{id, text}], prompt, meta', async () => {
  const r = await generate(greedy({ model: MODEL }));
  assert.match(r.id, UUID);
  assert.equal(r.prompt, 'Once upon a time');
  assert.equal(r.generations.length, 1);
  const g = r.generations[0];
  assert.match(g.id, UUID);
  assert.notEqual(g.id, r.id);
  assert.ok(GREEDY.startsWith(g.text), g.text);
  assert.ok(g.text.length > 20);
  assert.equal(g.likelihood, undefined);
  assert.equal(g.token_likelihoods, undefined);
  assert.deepEqual(r.meta.api_version, { version: '1' });
  assert.equal(r.meta.billed_units.input_tokens, 5);
  assert.equal(r.meta.billed_units.output_tokens, 20);  // max_tokens defaults to 20
});

test('no Cohere-Version header: the deprecated {"text"} shape', async () => {
  const r = await generate(greedy(), { headers: {} });
  assert.deepEqual(Object.keys(r), ['text']);
  assert.ok(GREEDY.startsWith(r.text));
  const old = await generate(greedy(), { headers: { 'Cohere-Version': '2021-01-01' } });
  assert.deepEqual(Object.keys(old), ['text']);
  const scored = await generate(greedy({ return_likelihoods: 'GENERATION', max_tokens: 3 }), { headers: {} });
  assert.equal(scored.token_likelihoods.length, 3);
  assert.equal(typeof scored.likelihood, 'number');
});

test('POST /generate is the same endpoint', async () => {
  const r = await generate(greedy({ max_tokens: 10 }), { path: '/generate' });
  assert.ok(GREEDY.startsWith(r.generations[0].text));
});

test('prompt: trailing whitespace is trimmed', async () => {
  const r = await generate(greedy({ prompt: 'Once upon a time  \n\t', max_tokens: 10 }));
  assert.equal(r.prompt, 'Once upon a time');
  assert.ok(GREEDY.startsWith(r.generations[0].text));
  assert.equal(r.meta.billed_units.input_tokens, 5);
});

test('max_tokens bounds the generation', async () => {
  const r = await generate(greedy({ max_tokens: 5, return_likelihoods: 'GENERATION' }));
  assert.equal(r.generations[0].text, ', there was a little');
  assert.equal(r.generations[0].token_likelihoods.length, 5);
  assert.equal(r.meta.billed_units.output_tokens, 5);
});

test('max_tokens 0 with return_likelihoods ALL scores the prompt only', async () => {
  const r = await generate({ prompt: 'Once upon a time', max_tokens: 0, return_likelihoods: 'ALL' });
  const g = r.generations[0];
  assert.equal(g.text, '');
  assert.equal(g.token_likelihoods.length, 5);  // BOS + 4 prompt tokens
  assert.ok(!('likelihood' in g.token_likelihoods[0]), 'the first token has no likelihood');
  const values = g.token_likelihoods.slice(1).map((t) => t.likelihood);
  assert.ok(values.every((v) => typeof v === 'number' && v <= 0));
  // SentencePiece gives the first word its dummy-prefix space.
  assert.equal(g.token_likelihoods.slice(1).map((t) => t.token).join(''), ' Once upon a time');
  assert.ok(Math.abs(g.likelihood - values.reduce((a, b) => a + b) / values.length) < 1e-6);
  assert.equal(r.meta.billed_units.output_tokens, 0);
});

test('return_likelihoods GENERATION: token likelihoods of the generated text and their mean', async () => {
  const r = await generate(greedy({ max_tokens: 12, return_likelihoods: 'GENERATION' }));
  const g = r.generations[0];
  assert.equal(g.token_likelihoods.length, 12);
  assert.equal(g.token_likelihoods.map((t) => t.token).join(''), g.text);
  const mean = g.token_likelihoods.reduce((a, t) => a + t.likelihood, 0) / 12;
  assert.ok(Math.abs(g.likelihood - mean) < 1e-6);
  assert.ok(g.likelihood < 0);
});

test('return_likelihoods ALL: prompt tokens then generated tokens', async () => {
  const r = await generate(greedy({ max_tokens: 4, return_likelihoods: 'ALL' }));
  const t = r.generations[0].token_likelihoods;
  assert.equal(t.length, 5 + 4);
  assert.ok(!('likelihood' in t[0]));
  assert.equal(t.slice(5).map((x) => x.token).join(''), r.generations[0].text);
  const scored = t.filter((x) => 'likelihood' in x);
  assert.equal(scored.length, 8);
  const mean = scored.reduce((a, x) => a + x.likelihood, 0) / scored.length;
  assert.ok(Math.abs(r.generations[0].likelihood - mean) < 1e-6);
  const none = await generate(greedy({ max_tokens: 4, return_likelihoods: 'NONE' }));
  assert.equal(none.generations[0].token_likelihoods, undefined);
});

test('temperature: 0 is greedy and repeatable; 5 samples something else', async () => {
  const a = await generate(greedy({ max_tokens: 20 }));
  const b = await generate(greedy({ max_tokens: 20 }));
  assert.equal(a.generations[0].text, b.generations[0].text);
  const hot = await generate({ prompt: 'Once upon a time', temperature: 5, p: 0, seed: 7, max_tokens: 20 });
  assert.notEqual(hot.generations[0].text, a.generations[0].text);
});

test('default sampling (temperature 0.75, p 0.75) is seeded: same seed, same text', async () => {
  const a = await generate({ prompt: 'Once upon a time', seed: 11, max_tokens: 30 });
  const b = await generate({ prompt: 'Once upon a time', seed: 11, max_tokens: 30 });
  assert.equal(a.generations[0].text, b.generations[0].text);
});

test('num_generations returns that many generations, each with id and index', async () => {
  const r = await generate({ prompt: 'Once upon a time', num_generations: 3, temperature: 2, seed: 3, max_tokens: 8, return_likelihoods: 'ALL' });
  assert.equal(r.generations.length, 3);
  assert.deepEqual(r.generations.map((g) => g.index), [0, 1, 2]);
  assert.equal(new Set(r.generations.map((g) => g.id)).size, 3);
  for (const g of r.generations) assert.equal(g.token_likelihoods.length, 5 + 8);  // each shows the prompt's scores
  assert.equal(r.meta.billed_units.output_tokens, 24);
});

test('k: k=1 keeps only the most likely token (greedy even when hot)', async () => {
  const r = await generate({ prompt: 'Once upon a time', temperature: 5, k: 1, p: 0, seed: 1, max_tokens: 15 });
  assert.ok(GREEDY.startsWith(r.generations[0].text), r.generations[0].text);
});

test('p: a tiny nucleus keeps the top token; p=0 and p=1 disable it', async () => {
  const tiny = await generate({ prompt: 'Once upon a time', temperature: 5, p: 0.01, seed: 1, max_tokens: 15 });
  assert.ok(GREEDY.startsWith(tiny.generations[0].text), tiny.generations[0].text);
  for (const p of [0, 1]) {
    const off = await generate({ prompt: 'Once upon a time', temperature: 5, p, seed: 1, max_tokens: 15 });
    assert.ok(!GREEDY.startsWith(off.generations[0].text), `p=${p}: ${off.generations[0].text}`);
  }
});

test('p acts after k: k=2 then p=0.01 is greedy', async () => {
  const r = await generate({ prompt: 'Once upon a time', temperature: 5, k: 2, p: 0.01, seed: 9, max_tokens: 15 });
  assert.ok(GREEDY.startsWith(r.generations[0].text));
});

test('presence_penalty and frequency_penalty count the prompt too', async () => {
  // Greedy picks " g" (girl) next; " g" is already in the prompt, so a penalty over prompt+generation
  // changes the very first token, which a generated-only window could not.
  const prompt = 'The girl. Once upon a time, there was a little';
  const plain = await generate({ prompt, temperature: 0, max_tokens: 1 });
  assert.equal(plain.generations[0].text, ' g');
  const presence = await generate({ prompt, temperature: 0, max_tokens: 1, presence_penalty: 1 });
  assert.notEqual(presence.generations[0].text, ' g');
  const frequency = await generate({ prompt, temperature: 0, max_tokens: 1, frequency_penalty: 1 });
  assert.notEqual(frequency.generations[0].text, ' g');
});

test('stop_sequences cut the text at the END of the first stop sequence', async () => {
  const r = await generate(greedy({ max_tokens: 40, stop_sequences: ['Lily', 'park'] }));
  assert.equal(r.generations[0].text, ', there was a little girl named Lily');
  const dot = await generate(greedy({ max_tokens: 40, stop_sequences: ['.'] }));
  assert.equal(dot.generations[0].text, ', there was a little girl named Lily.');
});

test('end_sequences cut the text at the BEGINNING of the first end sequence, which is left out', async () => {
  const r = await generate(greedy({ max_tokens: 40, end_sequences: ['Lily', 'park'] }));
  assert.equal(r.generations[0].text, ', there was a little girl named ');
  // With stop_sequences in the same request, whichever occurs first decides, with its own rule.
  const stopFirst = await generate(greedy({ max_tokens: 40, end_sequences: ['.'], stop_sequences: ['Lily'] }));
  assert.equal(stopFirst.generations[0].text, ', there was a little girl named Lily');
  const endFirst = await generate(greedy({ max_tokens: 40, end_sequences: ['named'], stop_sequences: ['.'] }));
  assert.equal(endFirst.generations[0].text, ', there was a little girl ');
  // Streaming never sends the end sequence, and reports a stop-sequence finish.
  const streamed = await post(greedy({ max_tokens: 40, stream: true, end_sequences: ['Lily'] }));
  const events = streamed.text.trim().split('\n').map((line) => JSON.parse(line));
  const end = events.pop();
  assert.equal(events.map((e) => e.text).join(''), ', there was a little girl named ');
  assert.equal(end.finish_reason, 'STOP_SEQUENCE');
  for (const body of [{ end_sequences: 'Lily' }, { end_sequences: [''] }]) {
    const bad = await post({ prompt: 'x', ...body });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.json.message, /end_sequences/);
  }
});

test('logit_bias by token id: +10 favours the token, -10 removes it', async () => {
  // Token 13 is the byte token for "\n" in the stories260K vocabulary.
  const plain = await generate(greedy({ max_tokens: 60 }));
  assert.ok(plain.generations[0].text.includes('\n'));
  const banned = await generate(greedy({ max_tokens: 60, logit_bias: { 13: -10 } }));
  assert.ok(!banned.generations[0].text.includes('\n'), JSON.stringify(banned.generations[0].text));
  const boosted = await generate(greedy({ max_tokens: 60, logit_bias: { 13: 10 } }));
  const lines = (t) => t.split('\n').length - 1;
  assert.ok(lines(boosted.generations[0].text) >= 3 * lines(plain.generations[0].text), JSON.stringify(boosted.generations[0].text));
});

test('model: the served name works; an unknown one is a 404 listing the available models', async () => {
  await generate(greedy({ model: MODEL, max_tokens: 2 }));
  const r = await post(greedy({ model: 'xlarge' }));
  assert.equal(r.status, 404);
  assert.deepEqual(Object.keys(r.json), ['message']);
  assert.ok(r.json.message.includes(MODEL), r.json.message);
});

test('stream: newline-delimited JSON, text-generation events then stream-end', async () => {
  const r = await post(greedy({ max_tokens: 40, stream: true, stop_sequences: ['park'] }), { headers: {} });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /application\/stream\+json/);
  const events = r.text.trim().split('\n').map((line) => JSON.parse(line));
  const end = events.pop();
  assert.ok(events.length > 1);
  for (const e of events) {
    assert.equal(e.event_type, 'text-generation');
    assert.equal(e.is_finished, false);
  }
  const text = events.map((e) => e.text).join('');
  assert.equal(text, ', there was a little girl named Lily. She loved to play outside in the park');
  assert.equal(end.event_type, 'stream-end');
  assert.equal(end.is_finished, true);
  assert.equal(end.finish_reason, 'STOP_SEQUENCE');
  assert.match(end.response.id, UUID);
  assert.equal(end.response.prompt, 'Once upon a time');
  assert.equal(end.response.generations[0].text, text);
  const long = await post(greedy({ max_tokens: 3, stream: true }));
  assert.equal(JSON.parse(long.text.trim().split('\n').pop()).finish_reason, 'MAX_TOKENS');
});

test('stream with num_generations: chunks carry index', async () => {
  const r = await post({ prompt: 'Once upon a time', stream: true, num_generations: 2, max_tokens: 5, seed: 4 });
  const events = r.text.trim().split('\n').map((line) => JSON.parse(line));
  const end = events.pop();
  assert.deepEqual(new Set(events.map((e) => e.index)), new Set([0, 1]));
  for (const i of [0, 1]) {
    assert.equal(events.filter((e) => e.index === i).map((e) => e.text).join(''), end.response.generations[i].text);
  }
});

test('a prompt that does not fit the context is a 400, not a truncation', async () => {
  const r = await post({ prompt: 'Once upon a time', max_tokens: 600 });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /context/);
});

const BAD = [
  [{}, 'prompt'],
  [{ prompt: 42 }, 'prompt'],
  [{ prompt: ' \n ' }, 'prompt'],
  [{ prompt: 'x', max_tokens: -1 }, 'max_tokens'],
  [{ prompt: 'x', max_tokens: 0 }, 'max_tokens'],
  [{ prompt: 'x', max_tokens: 'ten' }, 'max_tokens'],
  [{ prompt: 'x', model: 7 }, 'model'],
  [{ prompt: 'x', preset: 'my-preset' }, 'preset'],
  [{ prompt: 'x', temperature: 5.5 }, 'temperature'],
  [{ prompt: 'x', temperature: -1 }, 'temperature'],
  [{ prompt: 'x', num_generations: 6 }, 'num_generations'],
  [{ prompt: 'x', num_generations: 0 }, 'num_generations'],
  [{ prompt: 'x', k: 501 }, 'k'],
  [{ prompt: 'x', k: -1 }, 'k'],
  [{ prompt: 'x', p: 1.01 }, 'p'],
  [{ prompt: 'x', p: -0.1 }, 'p'],
  [{ prompt: 'x', frequency_penalty: 1.5 }, 'frequency_penalty'],
  [{ prompt: 'x', presence_penalty: -0.1 }, 'presence_penalty'],
  [{ prompt: 'x', stop_sequences: 'Lily' }, 'stop_sequences'],
  [{ prompt: 'x', stop_sequences: [1] }, 'stop_sequences'],
  [{ prompt: 'x', return_likelihoods: 'SOME' }, 'return_likelihoods'],
  [{ prompt: 'x', logit_bias: { 13: 11 } }, 'logit_bias'],
  [{ prompt: 'x', logit_bias: { newline: 1 } }, 'logit_bias'],
  [{ prompt: 'x', logit_bias: { 999999: 1 } }, 'logit bias'],
  [{ prompt: 'x', stream: 'yes' }, 'stream'],
  [{ prompt: 'x', seed: 'abc' }, 'seed'],
];

for (const [body, param] of BAD) {
  test(`400 for a bad ${param}: ${JSON.stringify(body)}`, async () => {
    const r = await post(body);
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(Object.keys(r.json), ['message']);
    assert.ok(r.json.message.includes(param), r.json.message);
  });
}

test('400 for the range: the message names the range and the value', async () => {
  const r = await post({ prompt: 'x', temperature: 5.5 });
  assert.equal(r.json.message, 'temperature must be between 0 and 5, got 5.5');
  const preset = await post({ prompt: 'x', preset: 'p1' });
  assert.match(preset.json.message, /presets are not supported/);
});

test('num_generations above 1 needs the Cohere-Version header', async () => {
  const r = await post({ prompt: 'x', num_generations: 2 }, { headers: {} });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /Cohere-Version/);
});

test('a malformed Cohere-Version header or body is a 400 {"message"}', async () => {
  const v = await post({ prompt: 'x' }, { headers: { 'Cohere-Version': 'latest' } });
  assert.equal(v.status, 400);
  assert.match(v.json.message, /Cohere-Version/);
  const body = await post('{"prompt": ');
  assert.equal(body.status, 400);
  assert.equal(typeof body.json.message, 'string');
});

// The harness (run.mjs) also starts a server that requires keys: MYNAH_AUTH_URL with MYNAH_API_KEY.
test('auth: Bearer key required when the server has keys; 401 as {"message"}', { skip: !process.env.MYNAH_AUTH_URL }, async () => {
  const url = `${process.env.MYNAH_AUTH_URL}/v1/generate`;
  const body = JSON.stringify(greedy({ max_tokens: 2 }));
  const headers = { 'Content-Type': 'application/json', ...VERSION };
  const denied = await fetch(url, { method: 'POST', headers, body });
  assert.equal(denied.status, 401);
  assert.deepEqual(Object.keys(await denied.json()), ['message']);
  const ok = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${process.env.MYNAH_API_KEY}` }, body });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).generations.length, 1);
});
