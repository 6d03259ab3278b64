// POST /v1/completions sampling knobs driven by the official `openai` npm SDK: each request changes one
// parameter and the output moves the way OpenAI's reference says (penalties over generated tokens only,
// temperature, top_p, seed, logit_bias, the sampled token among top_logprobs). openai_sdk.test.mjs holds
// the response shapes, streaming, echo, stop and errors.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

import OpenAI from 'openai';

import { EOS, main } from './lib/env.mjs';

// Node 18's SDK transport needs a fresh connection per request (see openai_sdk.test.mjs).
const nodeMajor = Number(process.versions.node.split('.')[0]);
const transport = nodeMajor < 20 ? { httpAgent: new http.Agent({ keepAlive: false }) } : {};
const client = new OpenAI({ baseURL: `${main.url}/v1`, apiKey: 'sk-unused', maxRetries: 0, timeout: 60_000, ...transport });
const model = main.model;
const PROMPT = 'Once upon a time';

const greedy = (extra = {}) => client.completions.create({ model, prompt: PROMPT, max_tokens: 16, temperature: 0, ...extra });

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

// Rejects with the SDK's error for `status`, naming `param`.
async function expectApiError(promise, { status, param }) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof OpenAI.APIError, `expected OpenAI.APIError, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.status, status, err.message);
  if (param !== undefined) assert.equal(err.param, param, err.message);
  return err;
}

test('logprobs: the sampled token joins its top_logprobs (up to logprobs+1 entries) even when it is not among the top', async () => {
  // Hot sampling picks tokens outside the single most likely one; each still appears in its own top dict.
  const res = await client.completions.create({ model, prompt: PROMPT, max_tokens: 24, temperature: 2, seed: 7, logprobs: 1 });
  const lp = res.choices[0].logprobs;
  let outside = 0;
  lp.tokens.forEach((t, i) => {
    const top = lp.top_logprobs[i];
    assert.ok(t in top, `top_logprobs[${i}] lacks the sampled ${JSON.stringify(t)}`);
    assert.equal(top[t], lp.token_logprobs[i]);
    assert.ok(Object.keys(top).length <= 2);
    if (Object.keys(top).length === 2) ++outside;
  });
  assert.ok(outside > 0, 'at T=2 some sampled token is not the most likely one');
});

test('presence_penalty and frequency_penalty count generated tokens only, and change repetitive output', async () => {
  const plain = (await greedy({ max_tokens: 60 })).choices[0].text;
  assert.notEqual((await greedy({ max_tokens: 60, presence_penalty: 2 })).choices[0].text, plain);
  assert.notEqual((await greedy({ max_tokens: 60, frequency_penalty: 2 })).choices[0].text, plain);
  assert.equal((await greedy({ max_tokens: 60, presence_penalty: 0, frequency_penalty: 0 })).choices[0].text, plain);
  // " g" (girl) follows this prompt and already occurs in it: a penalty over generated tokens leaves it.
  const prompt = 'The girl. Once upon a time, there was a little';
  const first = (extra) => greedy({ prompt, max_tokens: 1, ...extra }).then((r) => r.choices[0].text);
  assert.equal(await first({}), ' g');
  assert.equal(await first({ presence_penalty: 2, frequency_penalty: 2 }), ' g');
});

test('temperature and top_p: 0 is greedy, heat samples elsewhere, a tiny top_p keeps the top token', async () => {
  const g = (await greedy({ max_tokens: 20 })).choices[0].text;
  const hot = await client.completions.create({ model, prompt: PROMPT, max_tokens: 20, temperature: 2, seed: 5 });
  assert.notEqual(hot.choices[0].text, g);
  const nucleus = await client.completions.create({ model, prompt: PROMPT, max_tokens: 20, temperature: 2, top_p: 0.01, seed: 5 });
  assert.equal(nucleus.choices[0].text, g);
});

test('seed: the same seed reproduces a sampled completion, streaming or not', async () => {
  const req = { model, prompt: PROMPT, max_tokens: 24, temperature: 1, top_p: 1, seed: 1234 };
  const a = await client.completions.create(req);
  const b = await client.completions.create(req);
  assert.equal(b.choices[0].text, a.choices[0].text);
  const streamed = await collect(await client.completions.create({ ...req, stream: true }));
  assert.equal(streamed.map((ch) => ch.choices[0].text).join(''), a.choices[0].text);
  const others = await Promise.all([1, 2, 3].map((seed) => client.completions.create({ ...req, temperature: 1.5, seed })));
  const distinct = new Set(others.map((r) => r.choices[0].text));
  assert.ok(distinct.size >= 2, 'different seeds sample different texts');
});

test('logit_bias: +100 forces a token, -100 bans it', async () => {
  const forced = await greedy({ max_tokens: 5, logprobs: 0, logit_bias: { 300: 100 } });
  const pieces = forced.choices[0].logprobs.tokens;
  assert.equal(pieces.length, 5);
  assert.equal(new Set(pieces).size, 1, `every token is token 300: ${JSON.stringify(pieces)}`);
  // -100 bans: find the id of the greedy first token by banning halves of the 512-token vocabulary,
  // then check that forcing that id gives the same piece.
  const first1 = async (bias) => (await greedy({ max_tokens: 1, logprobs: 0, logit_bias: bias })).choices[0].logprobs.tokens[0];
  const ban = (from, to) => Object.fromEntries(Array.from({ length: to - from }, (_, k) => [from + k, -100]));
  const first = await first1({});
  let lo = 0;
  let hi = 512;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((await first1(ban(lo, mid))) !== first) hi = mid;
    else lo = mid;
  }
  assert.notEqual(await first1(ban(lo, lo + 1)), first, `banning token ${lo} changes the first token`);
  assert.equal(await first1({ [lo]: 100 }), first);
  await expectApiError(greedy({ logit_bias: { 300: 101 } }), { status: 400, param: 'logit_bias' });
  await expectApiError(greedy({ logit_bias: { 'not-a-token': 1 } }), { status: 400, param: 'logit_bias' });
});
