// POST /v1/completions driven by the official `openai` npm SDK (v4, completions.create), as a team's
// existing client code would: pointed at Mynah with baseURL and nothing else changed.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

import OpenAI from 'openai';

import { auth, BOS, EOS, main } from './lib/env.mjs';

// On Node 18 the SDK's transport (node-fetch 2) fails short chunked responses that arrive at once on a
// keep-alive socket with a false "Premature close" (reproduced against a plain node:http server too; see
// node-fetch issues 1576 and 1767). There, use a fresh connection per request; Node 20+ keeps the SDK's
// default keep-alive agent. server.test.mjs covers keep-alive itself.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const transport = nodeMajor < 20 ? { httpAgent: new http.Agent({ keepAlive: false }) } : {};
const sdk = (options) => new OpenAI({ maxRetries: 0, timeout: 60_000, ...transport, ...options });
const client = sdk({ baseURL: `${main.url}/v1`, apiKey: 'sk-unused' });
const model = main.model;
const PROMPT = 'Once upon a time';

const greedy = (extra = {}) => client.completions.create({ model, prompt: PROMPT, max_tokens: 16, temperature: 0, ...extra });

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

// Rejects with the SDK's error class for `status`, carrying the OpenAI error shape; returns the error.
async function expectApiError(promise, { status, param, match }) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected an HTTP ${status} error, the call succeeded`);
  assert.ok(err instanceof OpenAI.APIError, `expected OpenAI.APIError, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.status, status, err.message);
  assert.equal(typeof err.error?.message, 'string', 'the body is {"error": {"message", "type", "param", "code"}}');
  assert.ok('type' in err.error && 'param' in err.error && 'code' in err.error, JSON.stringify(err.error));
  if (param !== undefined) assert.equal(err.param, param, `param of ${JSON.stringify(err.error)}`);
  if (match) assert.match(err.error.message, match);
  return err;
}

test('models.list names the served model', async () => {
  const page = await client.models.list();
  const ids = page.data.map((m) => m.id);
  assert.deepEqual(ids, [model]);
  assert.equal(page.data[0].object, 'model');
});

test('non-streaming completion: text_completion object, choices and usage', async () => {
  const res = await greedy();
  assert.equal(res.object, 'text_completion');
  assert.match(res.id, /^cmpl-/);
  assert.equal(res.model, model);
  assert.ok(Number.isInteger(res.created) && res.created > 1.6e9, `created ${res.created}`);
  assert.equal(res.choices.length, 1);
  const [c] = res.choices;
  assert.equal(c.index, 0);
  assert.equal(typeof c.text, 'string');
  assert.ok(c.text.length > 0);
  assert.equal(c.logprobs, null);
  assert.ok(['stop', 'length'].includes(c.finish_reason), c.finish_reason);
  const u = res.usage;
  assert.ok(u.prompt_tokens >= 4, `prompt_tokens ${u.prompt_tokens}`);
  assert.ok(u.completion_tokens >= 1 && u.completion_tokens <= 16);
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
  if (c.finish_reason === 'length') assert.equal(u.completion_tokens, 16);
});

test('max_tokens defaults to 16; greedy decoding is deterministic', async () => {
  const a = await client.completions.create({ model, prompt: PROMPT, temperature: 0, logit_bias: { [EOS]: -100 } });
  assert.equal(a.usage.completion_tokens, 16);
  assert.equal(a.choices[0].finish_reason, 'length');
  const b = await client.completions.create({ model, prompt: PROMPT, temperature: 0, logit_bias: { [EOS]: -100 } });
  assert.equal(b.choices[0].text, a.choices[0].text);
});

test('an unknown model is a NotFoundError (404) naming the served models', async () => {
  const err = await expectApiError(client.completions.create({ model: 'no-such-model', prompt: PROMPT, max_tokens: 1 }),
                                   { status: 404, param: 'model' });
  assert.ok(err instanceof OpenAI.NotFoundError);
  assert.match(err.error.message, new RegExp(model));
});

test('streaming: chunks concatenate to the non-streaming text; the last carries finish_reason', async () => {
  const whole = await greedy({ max_tokens: 24 });
  const stream = await greedy({ max_tokens: 24, stream: true });
  const chunks = await collect(stream);
  assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
  const ids = new Set(chunks.map((c) => c.id));
  assert.equal(ids.size, 1, 'every chunk has the same id');
  let text = '';
  const finishes = [];
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'text_completion');
    assert.equal(chunk.model, model);
    assert.equal(chunk.choices.length, 1);
    assert.equal(chunk.choices[0].index, 0);
    assert.ok(!('usage' in chunk) || chunk.usage === null, 'no usage without stream_options.include_usage');
    text += chunk.choices[0].text;
    if (chunk.choices[0].finish_reason !== null) finishes.push(chunk.choices[0].finish_reason);
  }
  assert.equal(text, whole.choices[0].text);
  assert.deepEqual(finishes, [whole.choices[0].finish_reason]);
  assert.notEqual(chunks.at(-1).choices[0].finish_reason, null);
});

test('streaming with stream_options.include_usage: a final choices-less chunk holds usage', async () => {
  const whole = await greedy({ max_tokens: 12 });
  const chunks = await collect(await greedy({ max_tokens: 12, stream: true, stream_options: { include_usage: true } }));
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, whole.usage);
  for (const chunk of chunks.slice(0, -1)) {
    assert.equal(chunk.usage, null, 'usage is null on every other chunk');
    assert.equal(chunk.choices.length, 1);
  }
  assert.equal(chunks.slice(0, -1).map((c) => c.choices[0].text).join(''), whole.choices[0].text);
});

test('stream_options without stream is a 400 naming stream_options', async () => {
  await expectApiError(greedy({ stream_options: { include_usage: true } }), { status: 400, param: 'stream_options' });
});

test('n > 1: n choices indexed 0..n-1, usage counts every continuation', async () => {
  const res = await client.completions.create({ model, prompt: PROMPT, max_tokens: 10, n: 3, temperature: 1, seed: 7 });
  assert.deepEqual(res.choices.map((c) => c.index), [0, 1, 2]);
  for (const c of res.choices) assert.ok(['stop', 'length'].includes(c.finish_reason));
  assert.ok(res.usage.completion_tokens >= 3 && res.usage.completion_tokens <= 30);
  // The prompt is counted once, not per continuation.
  const one = await greedy({ max_tokens: 1 });
  assert.equal(res.usage.prompt_tokens, one.usage.prompt_tokens);
});

test('n > 1 streaming: every index streams its own text and finishes exactly once', async () => {
  const n = 3;
  const chunks = await collect(await client.completions.create({
    model, prompt: PROMPT, max_tokens: 8, n, temperature: 0, stream: true, stream_options: { include_usage: true },
  }));
  const texts = Array(n).fill('');
  const finished = Array(n).fill(0);
  for (const chunk of chunks.slice(0, -1)) {
    const [c] = chunk.choices;
    assert.ok(c.index >= 0 && c.index < n, `index ${c.index}`);
    assert.equal(finished[c.index], 0, `index ${c.index} streams after its finish_reason`);
    texts[c.index] += c.text;
    if (c.finish_reason !== null) finished[c.index] += 1;
  }
  assert.deepEqual(finished, Array(n).fill(1));
  // Greedy continuations of one prompt are identical, and equal the non-streaming n = 1 answer.
  const single = await greedy({ max_tokens: 8 });
  assert.deepEqual(texts, Array(n).fill(single.choices[0].text));
  assert.equal(chunks.at(-1).usage.completion_tokens, n * single.usage.completion_tokens);
});

test('prompt arrays: strings and token-id arrays, choices ordered prompt-major', async () => {
  const prompts = ['Once upon a time', 'The little dog'];
  const res = await client.completions.create({ model, prompt: prompts, max_tokens: 6, n: 2, temperature: 0 });
  assert.equal(res.choices.length, 4);
  assert.deepEqual(res.choices.map((c) => c.index), [0, 1, 2, 3]);
  for (const [i, p] of prompts.entries()) {
    const alone = await client.completions.create({ model, prompt: p, max_tokens: 6, temperature: 0 });
    assert.equal(res.choices[2 * i].text, alone.choices[0].text, `prompt ${i}`);
    assert.equal(res.choices[2 * i + 1].text, alone.choices[0].text, `prompt ${i}`);
  }
  const tokens = await client.completions.create({ model, prompt: [BOS, 300, 301], max_tokens: 4, temperature: 0 });
  assert.equal(tokens.usage.prompt_tokens, 3);
  const batch = await client.completions.create({ model, prompt: [[BOS, 300, 301], [BOS, 400]], max_tokens: 4, temperature: 0 });
  assert.equal(batch.choices.length, 2);
  assert.equal(batch.choices[0].text, tokens.choices[0].text);
});

test('logprobs: tokens, token_logprobs, top_logprobs and text_offset line up with the text', async () => {
  const res = await greedy({ max_tokens: 12, logprobs: 3, logit_bias: { [EOS]: -100 } });
  const [c] = res.choices;
  const lp = c.logprobs;
  assert.ok(lp, 'logprobs object');
  assert.equal(lp.tokens.length, res.usage.completion_tokens);
  assert.equal(lp.token_logprobs.length, lp.tokens.length);
  assert.equal(lp.top_logprobs.length, lp.tokens.length);
  assert.equal(lp.text_offset.length, lp.tokens.length);
  assert.equal(lp.tokens.join(''), c.text);
  for (let i = 0; i < lp.tokens.length; ++i) {
    assert.equal(c.text.slice(lp.text_offset[i], lp.text_offset[i] + lp.tokens[i].length), lp.tokens[i], `text_offset[${i}]`);
    const p = lp.token_logprobs[i];
    assert.ok(typeof p === 'number' && p <= 0, `token_logprobs[${i}] = ${p}`);
    const top = lp.top_logprobs[i];
    const values = Object.values(top);
    assert.ok(values.length >= 1 && values.length <= 3, `top_logprobs[${i}] has ${values.length} entries`);
    for (const v of values) assert.ok(v <= 0);
    // Greedy: the chosen token is the most likely one (the EOS bias changes no other token).
    assert.ok(Math.abs(Math.max(...values) - p) < 1e-4, `token ${i}: chosen ${p}, best alternative ${Math.max(...values)}`);
  }
});

test('logprobs 0 returns the chosen tokens only; logprobs 6 is a 400', async () => {
  const res = await greedy({ max_tokens: 4, logprobs: 0 });
  assert.equal(res.choices[0].logprobs.tokens.length, res.usage.completion_tokens);
  assert.equal(res.choices[0].logprobs.token_logprobs.length, res.usage.completion_tokens);
  // "The API will always return the logprob of the sampled token": logprobs 0 gives exactly that entry.
  const lp = res.choices[0].logprobs;
  lp.tokens.forEach((t, i) => assert.deepEqual(lp.top_logprobs[i], { [t]: lp.token_logprobs[i] }));
  await expectApiError(greedy({ logprobs: 6 }), { status: 400, param: 'logprobs', match: /logprobs/ });
});

test('echo: the prompt precedes the completion, in text and in logprobs', async () => {
  const plain = await greedy({ max_tokens: 5 });
  const res = await greedy({ max_tokens: 5, echo: true, logprobs: 1 });
  const [c] = res.choices;
  assert.equal(c.text, PROMPT + plain.choices[0].text);
  const lp = c.logprobs;
  assert.equal(lp.tokens.length, res.usage.prompt_tokens + res.usage.completion_tokens);
  assert.equal(lp.token_logprobs[0], null, 'the first prompt token has no logprob');
  assert.equal(lp.top_logprobs[0], null);
  for (const p of lp.token_logprobs.slice(1)) assert.ok(typeof p === 'number' && p <= 0);
  assert.equal(lp.text_offset[0], 0);
  for (let i = 1; i < lp.text_offset.length; ++i) assert.ok(lp.text_offset[i] >= lp.text_offset[i - 1]);
});

test('echo of a string prompt: text_offset indexes the returned text', async () => {
  // Leading and doubled spaces: the tokenizer's own leading space must not shift any offset.
  for (const prompt of [PROMPT, '  Once  upon a time']) {
    const res = await greedy({ prompt, max_tokens: 5, echo: true, logprobs: 1 });
    const [c] = res.choices;
    const lp = c.logprobs;
    assert.ok(c.text.startsWith(prompt));
    assert.equal(lp.tokens.join(''), c.text);
    for (let i = 0; i < lp.tokens.length; ++i) {
      assert.equal(c.text.slice(lp.text_offset[i], lp.text_offset[i] + lp.tokens[i].length), lp.tokens[i], `text_offset[${i}]`);
    }
    // Streaming gives the same offsets.
    const chunks = await collect(await greedy({ prompt, max_tokens: 5, echo: true, logprobs: 1, stream: true }));
    assert.deepEqual(chunks.flatMap((ch) => ch.choices[0].logprobs.text_offset), lp.text_offset);
    assert.equal(chunks.map((ch) => ch.choices[0].text).join(''), c.text);
  }
});

test('echo with max_tokens 0 scores the prompt without generating', async () => {
  const res = await greedy({ max_tokens: 0, echo: true, logprobs: 0 });
  const [c] = res.choices;
  assert.equal(c.text, PROMPT);
  assert.equal(res.usage.completion_tokens, 0);
  assert.equal(res.usage.total_tokens, res.usage.prompt_tokens);
  assert.equal(c.logprobs.tokens.length, res.usage.prompt_tokens);
  assert.equal(c.logprobs.token_logprobs[0], null);
  assert.ok(c.logprobs.token_logprobs.slice(1).every((p) => typeof p === 'number' && p <= 0));
  assert.equal(c.finish_reason, 'length');
  // Streaming: the echoed prompt still arrives, then usage.
  const chunks = await collect(await greedy({ max_tokens: 0, echo: true, stream: true, stream_options: { include_usage: true } }));
  assert.equal(chunks.slice(0, -1).map((ch) => ch.choices[0].text).join(''), PROMPT);
  assert.equal(chunks.at(-1).usage.completion_tokens, 0);
});

test('stop: the text ends before the first stop string, which is not returned', async () => {
  const free = await greedy({ max_tokens: 48, logit_bias: { [EOS]: -100 } });
  const text = free.choices[0].text;
  // A stop string taken from the middle of the free-running text.
  const at = text.indexOf(' ', 8);
  assert.ok(at > 0, `no space after position 8 in ${JSON.stringify(text)}`);
  const stop = text.slice(at, at + 4);
  const expected = text.slice(0, text.indexOf(stop));
  const res = await greedy({ max_tokens: 48, logit_bias: { [EOS]: -100 }, stop });
  assert.equal(res.choices[0].text, expected);
  assert.equal(res.choices[0].finish_reason, 'stop');
  const list = await greedy({ max_tokens: 48, logit_bias: { [EOS]: -100 }, stop: ['zzzz', stop, 'qqqq'] });
  assert.equal(list.choices[0].text, expected);
  // Streaming never leaks the stop string or a prefix of it.
  const chunks = await collect(await greedy({ max_tokens: 48, logit_bias: { [EOS]: -100 }, stop, stream: true }));
  assert.equal(chunks.map((ch) => ch.choices[0].text).join(''), expected);
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  await expectApiError(greedy({ stop: ['a', 'b', 'c', 'd', 'e'] }), { status: 400, param: 'stop' });
});

test('best_of: returns the n candidates with the highest mean token logprob', async () => {
  const base = { model, prompt: PROMPT, max_tokens: 10, temperature: 1.2, seed: 99 };
  // best_of candidates are the n = best_of continuations of the same seed.
  const candidates = await client.completions.create({ ...base, n: 4, logprobs: 0 });
  const mean = (c) => c.logprobs.token_logprobs.reduce((s, x) => s + x, 0) / c.logprobs.token_logprobs.length;
  const ranked = [...candidates.choices].sort((x, y) => mean(y) - mean(x));
  const best1 = await client.completions.create({ ...base, best_of: 4, n: 1 });
  assert.equal(best1.choices.length, 1);
  assert.equal(best1.choices[0].index, 0);
  assert.equal(best1.choices[0].text, ranked[0].text);
  assert.equal(best1.usage.completion_tokens, candidates.usage.completion_tokens, 'usage counts every candidate');
  const best2 = await client.completions.create({ ...base, best_of: 4, n: 2 });
  assert.deepEqual(best2.choices.map((c) => c.text), ranked.slice(0, 2).map((c) => c.text));
  await expectApiError(client.completions.create({ ...base, best_of: 1, n: 2 }), { status: 400, param: 'best_of' });
  await expectApiError(client.completions.create({ ...base, best_of: 2, stream: true }), { status: 400, param: 'best_of' });
});

test('user is accepted; penalties outside -2..2 are a 400', async () => {
  const res = await greedy({ max_tokens: 24, presence_penalty: 1.5, frequency_penalty: 1.5, user: 'e2e' });
  assert.equal(res.choices.length, 1);
  await expectApiError(greedy({ presence_penalty: 2.5 }), { status: 400, param: 'presence_penalty' });
  await expectApiError(greedy({ frequency_penalty: -3 }), { status: 400, param: 'frequency_penalty' });
});

test('invalid parameters surface as APIError with status, param and a precise message', async () => {
  const cases = [
    [{ temperature: 2.5 }, 'temperature', /temperature must be between 0 and 2, got 2\.5/],
    [{ top_p: 1.5 }, 'top_p', /top_p/],
    [{ max_tokens: -1 }, 'max_tokens', /max_tokens/],
    [{ n: 0 }, 'n', /n must be/],
    [{ n: 129 }, 'n', /n must be/],
    [{ best_of: 21 }, 'best_of', /best_of/],
    [{ suffix: 'the end' }, 'suffix', /suffix/],
    [{ echo: 'yes' }, 'echo', /echo must be a boolean/],
    [{ seed: 'abc' }, 'seed', /seed/],
    [{ user: 42 }, 'user', /user/],
    [{ stop: 7 }, 'stop', /stop/],
    [{ prompt: [] }, 'prompt', /prompt/],
    [{ prompt: [['a']] }, 'prompt', /prompt/],
  ];
  for (const [extra, param, match] of cases) {
    const err = await expectApiError(greedy(extra), { status: 400, param, match });
    assert.ok(err instanceof OpenAI.BadRequestError, `${JSON.stringify(extra)} -> ${err.constructor.name}`);
    assert.equal(err.type, 'invalid_request_error');
  }
});

test('a prompt longer than the context is a 400 that states the lengths', async () => {
  const long = 'Once upon a time there was a dog. '.repeat(80);
  const err = await expectApiError(client.completions.create({ model, prompt: long, max_tokens: 4 }), { status: 400 });
  assert.match(err.error.message, /\d+/);
  assert.match(err.error.message, /context/i);
});

test('API keys: a wrong key is an AuthenticationError (401), a right one works', async () => {
  const wrong = sdk({ baseURL: `${auth.url}/v1`, apiKey: 'sk-wrong' });
  const err = await expectApiError(wrong.completions.create({ model, prompt: PROMPT, max_tokens: 2 }), { status: 401 });
  assert.ok(err instanceof OpenAI.AuthenticationError);
  assert.ok(!err.error.message.includes(auth.apiKey), 'the error does not echo a key');
  for (const key of [auth.apiKey, auth.apiKey2]) {
    const right = sdk({ baseURL: `${auth.url}/v1`, apiKey: key });
    const res = await right.completions.create({ model, prompt: PROMPT, max_tokens: 2, temperature: 0 });
    assert.equal(res.choices.length, 1);
    const chunks = await collect(await right.completions.create({ model, prompt: PROMPT, max_tokens: 2, stream: true }));
    assert.ok(chunks.length >= 1);
  }
  // A key that is a prefix or extension of the real one does not pass.
  for (const key of [auth.apiKey.slice(0, -1), `${auth.apiKey}x`]) {
    const near = sdk({ baseURL: `${auth.url}/v1`, apiKey: key });
    await expectApiError(near.completions.create({ model, prompt: PROMPT, max_tokens: 1 }), { status: 401 });
  }
});
