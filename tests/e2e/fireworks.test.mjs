// Fireworks completions (POST /inference/v1/completions) against a running `mynah serve` on the embedded
// stories260K model, with raw fetch(): every parameter of the Fireworks reference, every response field,
// the streaming chunk shapes, and at least one bad value per parameter. MYNAH_URL picks the server
// (default http://127.0.0.1:8080); MYNAH_API_KEY is sent as a Bearer token when the server wants one.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BASE = process.env.MYNAH_URL ?? 'http://127.0.0.1:8080';
const URL_ = `${BASE}/inference/v1/completions`;
const AUTH = process.env.MYNAH_API_KEY ? { Authorization: `Bearer ${process.env.MYNAH_API_KEY}` } : {};
const MODEL = process.env.MYNAH_MODEL || 'stories260K';
const PROMPT = 'Once upon a time';
const PROMPT_IDS = [1, 403, 407, 261, 378];  // BOS + "Once upon a time"
// The greedy continuation of PROMPT on stories260K.
const GREEDY = ', there was a little girl named Lily. She loved to play outside in the park.';
const ID = /^cmpl-[0-9a-f]+$/;

async function post(body) {
  const res = await fetch(URL_, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...AUTH },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

async function complete(body) {
  const r = await post({ model: MODEL, ...body });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const greedy = (extra = {}) => complete({ prompt: PROMPT, temperature: 0, ...extra });

// Every data event of an SSE body: parsed JSON, or the string '[DONE]'.
async function stream(body) {
  const res = await fetch(URL_, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...AUTH },
    body: JSON.stringify({ model: MODEL, stream: true, ...body }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  assert.ok(text.endsWith('\n\n'), 'every event ends with a blank line');
  const events = text.split('\n\n').filter((e) => e !== '');
  return events.map((e) => {
    assert.ok(e.startsWith('data: '), `data-only events: ${e}`);
    const data = e.slice(6);
    return data === '[DONE]' ? data : JSON.parse(data);
  });
}

async function rejects(body, param, pattern) {
  const r = await post({ model: MODEL, prompt: PROMPT, ...body });
  assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(r.json.error.type, 'invalid_request_error');
  assert.equal(r.json.error.param, param, r.text);
  if (pattern) assert.match(r.json.error.message, pattern);
  return r.json.error;
}

test('response: id, object, created, model, choices[{index, text, logprobs, finish_reason}], usage', async () => {
  const before = Math.floor(Date.now() / 1000);
  const r = await greedy();
  assert.deepEqual(Object.keys(r).sort(), ['choices', 'created', 'id', 'model', 'object', 'usage']);
  assert.match(r.id, ID);
  assert.equal(r.object, 'text_completion');
  assert.ok(r.created >= before - 1 && r.created <= Math.floor(Date.now() / 1000) + 1);
  assert.equal(r.model, MODEL);
  assert.equal(r.choices.length, 1);
  const c = r.choices[0];
  assert.deepEqual(Object.keys(c).sort(), ['finish_reason', 'index', 'logprobs', 'text']);
  assert.equal(c.index, 0);
  assert.ok(GREEDY.startsWith(c.text), c.text);
  assert.equal(c.logprobs, null);
  assert.equal(c.finish_reason, 'length');
  // max_tokens defaults to 16.
  assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 16, total_tokens: 21 });
});

test('model: required, and must be served', async () => {
  const missing = await post({ prompt: PROMPT });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.param, 'model');
  const unknown = await post({ model: 'accounts/fireworks/models/nope', prompt: PROMPT });
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error.message, new RegExp(MODEL));
});

test('prompt: string, array of strings, token ids, arrays of token ids', async () => {
  const ids = await greedy({ prompt: PROMPT_IDS, max_tokens: 8 });
  assert.equal(ids.choices[0].text, (await greedy({ max_tokens: 8 })).choices[0].text);
  assert.equal(ids.usage.prompt_tokens, 5);
  const many = await greedy({ prompt: [PROMPT, 'Lily and Ben'], max_tokens: 4 });
  assert.deepEqual(many.choices.map((c) => c.index), [0, 1]);
  assert.ok(GREEDY.startsWith(many.choices[0].text));
  assert.equal(many.usage.completion_tokens, 8);
  const manyIds = await greedy({ prompt: [PROMPT_IDS, [1, 403]], max_tokens: 2 });
  assert.equal(manyIds.choices.length, 2);
  await rejects({ prompt: [] }, 'prompt');
  await rejects({ prompt: undefined }, 'prompt', /required/);
  await rejects({ prompt: [1, 'a'] }, 'prompt');
});

test('context_length_exceeded_behavior: truncate (default) lowers max_tokens, error fails', async () => {
  const truncated = await greedy({ max_tokens: 100000 });
  assert.equal(truncated.choices[0].finish_reason, 'length');
  assert.ok(truncated.usage.completion_tokens > 16);
  const explicit = await greedy({ max_tokens: 100000, context_length_exceeded_behavior: 'truncate' });
  assert.equal(explicit.usage.total_tokens, truncated.usage.total_tokens);
  const r = await post({ model: MODEL, prompt: PROMPT, max_tokens: 100000, context_length_exceeded_behavior: 'error' });
  assert.equal(r.status, 400, r.text);
  assert.match(r.json.error.message, /5 tokens.*100000.*context/);
  await rejects({ context_length_exceeded_behavior: 'drop' }, 'context_length_exceeded_behavior', /truncate, error.*drop/);
});

test('echo: the prompt comes back before the completion, with its logprobs', async () => {
  const r = await greedy({ echo: true, max_tokens: 4 });
  assert.ok((PROMPT + GREEDY).startsWith(r.choices[0].text), r.choices[0].text);
  assert.ok(r.choices[0].text.length > PROMPT.length);
  const lp = (await greedy({ echo: true, max_tokens: 2, logprobs: 1 })).choices[0].logprobs;
  assert.equal(lp.tokens.length, 5 + 2);
  assert.equal(lp.token_logprobs[0], null);  // the first prompt token has none
  assert.equal(lp.top_logprobs[0], null);
  assert.equal(lp.text_offset.at(-2), PROMPT.length);  // the first generated token starts after the prompt
  // Every token sits at its text_offset in the returned text, the prompt's first one included (the
  // tokenizer's leading space is not part of the echoed prompt), and the sampled token's top entry matches.
  const echoed = await greedy({ prompt: `  ${PROMPT}`, echo: true, max_tokens: 2, logprobs: 1 });
  const [c] = echoed.choices;
  assert.equal(c.logprobs.tokens.join(''), c.text);
  c.logprobs.tokens.forEach((t, i) => assert.equal(c.text.slice(c.logprobs.text_offset[i], c.logprobs.text_offset[i] + t.length), t));
  c.logprobs.tokens.forEach((t, i) => assert.ok(c.logprobs.top_logprobs[i] === null || t in c.logprobs.top_logprobs[i], `${i}: ${t}`));
  const ids = await greedy({ prompt: PROMPT_IDS, echo: true, max_tokens: 1 });
  assert.ok(ids.choices[0].text.endsWith(`${PROMPT},`), ids.choices[0].text);
  await rejects({ echo: 'yes' }, 'echo', /boolean/);
});

test('frequency_penalty and presence_penalty: change repetitive output; range -2..2', async () => {
  const plain = (await greedy({ max_tokens: 60 })).choices[0].text;
  assert.notEqual((await greedy({ max_tokens: 60, frequency_penalty: 2 })).choices[0].text, plain);
  assert.notEqual((await greedy({ max_tokens: 60, presence_penalty: 2 })).choices[0].text, plain);
  assert.equal((await greedy({ max_tokens: 60, frequency_penalty: 0, presence_penalty: 0 })).choices[0].text, plain);
  await rejects({ frequency_penalty: 2.5 }, 'frequency_penalty', /-2 and 2, got 2.5/);
  await rejects({ presence_penalty: -3 }, 'presence_penalty', /got -3/);
});

test('ignore_eos: generation runs to max_tokens', async () => {
  const r = await greedy({ ignore_eos: true, max_tokens: 40 });
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 40);
  await rejects({ ignore_eos: 'true' }, 'ignore_eos', /boolean/);
});

test('images: rejected, the model is text-only', async () => {
  const e = await rejects({ images: ['data:image/jpeg;base64,/9j/4AAQ'] }, 'images', /model does not accept images/);
  assert.match(e.message, new RegExp(MODEL));
  assert.equal((await greedy({ images: [], max_tokens: 1 })).usage.completion_tokens, 1);
});

test('logprobs: tokens, token_logprobs, top_logprobs (up to logprobs+1), text_offset; 0..5', async () => {
  const r = await greedy({ logprobs: 2, max_tokens: 6 });
  const c = r.choices[0];
  const lp = c.logprobs;
  assert.deepEqual(Object.keys(lp).sort(), ['text_offset', 'token_logprobs', 'tokens', 'top_logprobs']);
  assert.equal(lp.tokens.length, 6);
  assert.equal(lp.tokens.join(''), c.text);
  let offset = 0;
  lp.tokens.forEach((t, i) => {
    assert.equal(lp.text_offset[i], offset);
    offset += [...t].length;
    assert.ok(lp.token_logprobs[i] <= 0);
    const alternatives = Object.keys(lp.top_logprobs[i]);
    assert.ok(alternatives.length >= 2 && alternatives.length <= 3, JSON.stringify(lp.top_logprobs[i]));
    assert.ok(alternatives.includes(t));  // greedy: the sampled token is the most likely
    assert.equal(lp.top_logprobs[i][t], lp.token_logprobs[i]);
  });
  const zero = (await greedy({ logprobs: 0, max_tokens: 2 })).choices[0].logprobs;
  assert.equal(zero.token_logprobs.length, 2);
  assert.deepEqual(Object.keys(zero.top_logprobs[0]), [zero.tokens[0]]);
  await rejects({ logprobs: 6 }, 'logprobs', /0 and 5, got 6/);
  await rejects({ logprobs: -1 }, 'logprobs', /got -1/);
});

test('max_tokens: generated length, default 16, must be positive', async () => {
  const r = await greedy({ max_tokens: 3 });
  assert.equal(r.usage.completion_tokens, 3);
  assert.equal(r.choices[0].text, ', there was');
  await rejects({ max_tokens: 0 }, 'max_tokens', /got 0/);
  await rejects({ max_tokens: 'ten' }, 'max_tokens', /integer/);
});

test('mirostat_target / mirostat_lr: Mirostat on when either is set', async () => {
  // A tiny target surprise keeps only the most likely token, so sampling at temperature 1 is greedy.
  const r = await complete({ prompt: PROMPT, temperature: 1, mirostat_target: 0.01, max_tokens: 12 });
  assert.equal(r.choices[0].text, (await greedy({ max_tokens: 12 })).choices[0].text);
  const lr = await complete({ prompt: PROMPT, mirostat_lr: 0.5, max_tokens: 4 });
  assert.equal(lr.usage.completion_tokens, 4);
  await complete({ prompt: PROMPT, mirostat_target: 5, mirostat_lr: 0.2, max_tokens: 4 });
  await rejects({ mirostat_lr: -0.1 }, 'mirostat_lr', /at least 0, got -0.1/);
  await rejects({ mirostat_target: 'high' }, 'mirostat_target', /number/);
});

test('n: completions per prompt, 1..128', async () => {
  const r = await greedy({ n: 3, max_tokens: 5 });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2]);
  for (const c of r.choices) assert.equal(c.text, r.choices[0].text);
  assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 15, total_tokens: 20 });
  const two = await greedy({ prompt: [PROMPT, PROMPT], n: 2, max_tokens: 1 });
  assert.deepEqual(two.choices.map((c) => c.index), [0, 1, 2, 3]);
  await rejects({ n: 129 }, 'n', /1 and 128, got 129/);
  await rejects({ n: 0 }, 'n', /got 0/);
});

test('repetition_penalty: multiplicative penalty over prompt and output; (0, 2]', async () => {
  const plain = (await greedy({ max_tokens: 60 })).choices[0].text;
  assert.notEqual((await greedy({ max_tokens: 60, repetition_penalty: 1.8 })).choices[0].text, plain);
  assert.equal((await greedy({ max_tokens: 60, repetition_penalty: 1 })).choices[0].text, plain);
  await rejects({ repetition_penalty: 0 }, 'repetition_penalty', /greater than 0, got 0/);
  await rejects({ repetition_penalty: 2.5 }, 'repetition_penalty', /2.5/);
});

// Constrained output itself is covered in response_format.test.mjs.
test('response_format: JSON mode answers JSON; an unknown type is a 400', async () => {
  const r = await complete({ prompt: PROMPT, temperature: 0, max_tokens: 200, response_format: { type: 'json_object' } });
  if (r.choices[0].finish_reason !== 'length') assert.equal(typeof JSON.parse(r.choices[0].text), 'object');
  assert.ok(r.choices[0].text.startsWith('{'), r.choices[0].text);
  await rejects({ response_format: { type: 'grammar' } }, 'response_format', /got "grammar"/);
});

test('stop: up to 4 sequences; the returned text CONTAINS the matched stop sequence', async () => {
  const r = await greedy({ stop: ['Lily'], max_tokens: 40 });
  assert.equal(r.choices[0].text, ', there was a little girl named Lily');
  assert.equal(r.choices[0].finish_reason, 'stop');
  const s = await greedy({ stop: 'little', max_tokens: 40 });
  assert.equal(s.choices[0].text, ', there was a little');
  const many = await greedy({ stop: ['zzz', '.', 'qqq', 'named'], max_tokens: 40 });
  assert.equal(many.choices[0].text, ', there was a little girl named');
  await rejects({ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /at most 4/);
  await rejects({ stop: 7 }, 'stop');
});

test('stream: data-only SSE chunks, usage in the very last chunk, then [DONE]', async () => {
  const events = await stream({ prompt: PROMPT, temperature: 0, max_tokens: 10 });
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1);
  assert.ok(chunks.length >= 2);
  const id = chunks[0].id;
  assert.match(id, ID);
  for (const [i, ch] of chunks.entries()) {
    assert.equal(ch.id, id);
    assert.equal(ch.object, 'text_completion');
    assert.equal(ch.model, MODEL);
    assert.equal(typeof ch.created, 'number');
    assert.equal(ch.choices.length, 1);
    assert.deepEqual(Object.keys(ch.choices[0]).sort(), ['finish_reason', 'index', 'logprobs', 'text']);
    assert.equal('usage' in ch, i === chunks.length - 1, 'usage only in the last chunk');
  }
  assert.equal(chunks.map((ch) => ch.choices[0].text).join(''), (await greedy({ max_tokens: 10 })).choices[0].text);
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'length');
  assert.ok(chunks.slice(0, -1).every((ch) => ch.choices[0].finish_reason === null));
  assert.deepEqual(chunks.at(-1).usage, { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 });
  await rejects({ stream: 'yes' }, 'stream', /boolean/);
});

test('stream: n, echo, logprobs and stop', async () => {
  const events = await stream({ prompt: PROMPT, temperature: 0, max_tokens: 40, n: 2, echo: true, logprobs: 1, stop: ['Lily'] });
  const chunks = events.slice(0, -1);
  for (const index of [0, 1]) {
    const mine = chunks.filter((ch) => ch.choices[0].index === index);
    assert.equal(mine.map((ch) => ch.choices[0].text).join(''), `${PROMPT}, there was a little girl named Lily`);
    assert.equal(mine.at(-1).choices[0].finish_reason, 'stop');
    const offsets = mine.flatMap((ch) => ch.choices[0].logprobs.text_offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
  }
  assert.ok(chunks.at(-1).usage);
  assert.equal(chunks.at(-1).usage.completion_tokens, 20);
});

test('temperature: 0 is greedy and deterministic; 0..2', async () => {
  const a = await greedy({ max_tokens: 20 });
  assert.ok(GREEDY.startsWith(a.choices[0].text));
  assert.equal((await complete({ prompt: PROMPT, temperature: 2, max_tokens: 3 })).usage.completion_tokens, 3);
  // Heat samples away from the greedy text (Fireworks takes no seed: 20 tokens at T=2 never all match).
  assert.notEqual((await complete({ prompt: PROMPT, temperature: 2, max_tokens: 20 })).choices[0].text, a.choices[0].text);
  await rejects({ temperature: 2.1 }, 'temperature', /0 and 2, got 2.1/);
  await rejects({ temperature: -1 }, 'temperature', /got -1/);
});

test('top_k and top_p: truncation to the most likely token is greedy', async () => {
  const g = (await greedy({ max_tokens: 12 })).choices[0].text;
  assert.equal((await complete({ prompt: PROMPT, temperature: 1, top_k: 1, max_tokens: 12 })).choices[0].text, g);
  assert.equal((await complete({ prompt: PROMPT, temperature: 1, top_p: 0.01, max_tokens: 12 })).choices[0].text, g);
  assert.equal((await complete({ prompt: PROMPT, top_k: 128, top_p: 1, max_tokens: 2 })).usage.completion_tokens, 2);
  await rejects({ top_k: 0 }, 'top_k', /1 and 128, got 0/);
  await rejects({ top_k: 129 }, 'top_k', /got 129/);
  await rejects({ top_p: 1.5 }, 'top_p', /0 and 1, got 1.5/);
});

test('user: accepted string; unknown parameters are ignored', async () => {
  assert.equal((await greedy({ user: 'user-1234', max_tokens: 1 })).usage.completion_tokens, 1);
  assert.equal((await greedy({ some_future_knob: { a: 1 }, max_tokens: 1 })).usage.completion_tokens, 1);
  await rejects({ user: 42 }, 'user', /string/);
});

test('malformed bodies get the error shape', async () => {
  const r = await post('{"model": ');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.type, 'invalid_request_error');
  assert.equal(r.json.error.code, null);
});
