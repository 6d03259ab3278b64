// POST /v1/generate (Cohere Generate, ../shared/seeds/002_*.txt) driven by the official `cohere-ai` npm
// SDK, pinned at 8.1.0: the last release line whose CohereClient still has generate(). The SDK sends
// no Cohere-Version header of its own; clients that want the versioned {"generations": [...]} envelope
// set it in the client's headers, as here. The SDK also adds `"stream": false` to every body.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Cohere, CohereClient, CohereError } from 'cohere-ai';

import { auth, main } from './lib/env.mjs';
import { postJson } from './lib/http.mjs';

const VERSION = '2022-12-06';
const PROMPT = 'Once upon a time';
const model = main.model;
const versioned = new CohereClient({ token: 'unused', baseUrl: main.url, headers: { 'Cohere-Version': VERSION }, maxRetries: 0 });
const legacy = new CohereClient({ token: 'unused', baseUrl: main.url, maxRetries: 0 });

// Until the Cohere dialect is registered the route answers the router's generic 404; skip then, and
// only then (any other answer, including a 404 from the dialect itself, runs the tests).
const probe = await postJson(`${main.url}/v1/generate`, { prompt: PROMPT, max_tokens: 1 }, { headers: { 'Cohere-Version': VERSION } });
const skip = probe.status === 404 && /no route/.test(probe.text)
  ? `POST /v1/generate is not routed yet (404 "${probe.json?.error?.message ?? probe.text}"): the Cohere dialect has not landed`
  : false;

const greedy = (extra = {}, client = versioned) => client.generate({ prompt: PROMPT, maxTokens: 12, temperature: 0, ...extra });

// Rejects with the SDK's CohereError subclass for `status`; the body is Cohere's {"message": "..."}.
async function expectCohereError(promise, status, match) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected an HTTP ${status} error, the call succeeded`);
  assert.ok(err instanceof CohereError, `expected CohereError, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.statusCode, status, `${err.message} ${JSON.stringify(err.body)}`);
  assert.equal(typeof err.body?.message, 'string', `Cohere error body ${JSON.stringify(err.body)}`);
  if (match) assert.match(err.body.message, match);
  return err;
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

test('generate() with Cohere-Version returns {"generations": [{text}]}', { skip }, async () => {
  const res = await greedy();
  assert.ok(Array.isArray(res.generations), JSON.stringify(res));
  assert.equal(res.generations.length, 1);
  assert.equal(typeof res.generations[0].text, 'string');
  assert.ok(res.generations[0].text.length > 0);
  assert.equal(res.generations[0].likelihood, undefined, 'no likelihoods unless asked for');
  assert.equal(res.generations[0].tokenLikelihoods, undefined);
  // Greedy is deterministic; 2021-11-08 itself is a versioned date.
  const again = await greedy({}, new CohereClient({ token: 'x', baseUrl: main.url, headers: { 'Cohere-Version': '2021-11-08' }, maxRetries: 0 }));
  assert.equal(again.generations[0].text, res.generations[0].text);
});

test('without Cohere-Version the deprecated {"text": ...} shape comes back', { skip }, async () => {
  const res = await greedy({}, legacy);
  const versionedRes = await greedy();
  assert.equal(typeof res.text, 'string', JSON.stringify(res));
  assert.equal(res.generations, undefined);
  assert.equal(res.text, versionedRes.generations[0].text);
});

test('numGenerations returns that many generations', { skip }, async () => {
  const res = await versioned.generate({ prompt: PROMPT, maxTokens: 8, temperature: 1, numGenerations: 3 });
  assert.equal(res.generations.length, 3);
  for (const g of res.generations) assert.equal(typeof g.text, 'string');
  await expectCohereError(versioned.generate({ prompt: PROMPT, numGenerations: 6 }), 400, /num_generations/);
  await expectCohereError(versioned.generate({ prompt: PROMPT, numGenerations: 0 }), 400, /num_generations/);
});

test('maxTokens defaults to 20', { skip }, async () => {
  const byDefault = await versioned.generate({ prompt: PROMPT, temperature: 0, returnLikelihoods: 'GENERATION' });
  const twenty = await versioned.generate({ prompt: PROMPT, temperature: 0, returnLikelihoods: 'GENERATION', maxTokens: 20 });
  assert.equal(byDefault.generations[0].text, twenty.generations[0].text);
  assert.ok(byDefault.generations[0].tokenLikelihoods.length <= 20);
});

test('returnLikelihoods GENERATION: average log-likelihood and per-token likelihoods', { skip }, async () => {
  const res = await greedy({ returnLikelihoods: 'GENERATION' });
  const [g] = res.generations;
  assert.equal(typeof g.likelihood, 'number');
  assert.ok(Array.isArray(g.tokenLikelihoods) && g.tokenLikelihoods.length > 0, JSON.stringify(g));
  for (const t of g.tokenLikelihoods) {
    assert.equal(typeof t.token, 'string');
    assert.ok(typeof t.likelihood === 'number' && t.likelihood <= 0, JSON.stringify(t));
  }
  assert.equal(g.tokenLikelihoods.map((t) => t.token).join(''), g.text);
  assert.ok(Math.abs(g.likelihood - mean(g.tokenLikelihoods.map((t) => t.likelihood))) < 1e-4, 'likelihood is the mean');
  const none = await greedy({ returnLikelihoods: 'NONE' });
  assert.equal(none.generations[0].likelihood, undefined);
  assert.equal(none.generations[0].text, g.text);
});

test('returnLikelihoods ALL with maxTokens 0 scores the prompt; the first token has no likelihood', { skip }, async () => {
  const res = await versioned.generate({ prompt: PROMPT, maxTokens: 0, returnLikelihoods: 'ALL' });
  const [g] = res.generations;
  assert.ok(g.tokenLikelihoods.length >= 4, JSON.stringify(g));
  assert.equal(g.tokenLikelihoods[0].likelihood, undefined, 'the first token has no likelihood key');
  const rest = g.tokenLikelihoods.slice(1).map((t) => t.likelihood);
  for (const l of rest) assert.ok(typeof l === 'number' && l <= 0);
  assert.ok(Math.abs(g.likelihood - mean(rest)) < 1e-4, 'likelihood is the mean of the likelihoods that exist');
  // With generation: the prompt's tokens come first, then the generated ones.
  const all = await greedy({ returnLikelihoods: 'ALL' });
  const gen = await greedy({ returnLikelihoods: 'GENERATION' });
  const allTokens = all.generations[0].tokenLikelihoods;
  assert.equal(allTokens.length, g.tokenLikelihoods.length + gen.generations[0].tokenLikelihoods.length);
  assert.deepEqual(allTokens.slice(g.tokenLikelihoods.length).map((t) => t.token), gen.generations[0].tokenLikelihoods.map((t) => t.token));
});

test('maxTokens 0 is allowed only with returnLikelihoods ALL', { skip }, async () => {
  await expectCohereError(versioned.generate({ prompt: PROMPT, maxTokens: 0 }), 400, /max_tokens/);
  await expectCohereError(versioned.generate({ prompt: PROMPT, maxTokens: 0, returnLikelihoods: 'GENERATION' }), 400, /max_tokens/);
});

test('stopSequences cut the text at the end of the stop sequence, which is kept', { skip }, async () => {
  const free = (await greedy({ maxTokens: 40, logit_bias: { 2: -10 } })).generations[0].text;
  const at = free.indexOf(' ', 6);
  assert.ok(at > 0, `no space after position 6 in ${JSON.stringify(free)}`);
  const stop = free.slice(at, at + 4);
  const expected = free.slice(0, free.indexOf(stop) + stop.length);
  const res = await greedy({ maxTokens: 40, logit_bias: { 2: -10 }, stopSequences: ['qqqq', stop] });
  assert.equal(res.generations[0].text, expected);
});

test('endSequences cut the text at the beginning of the end sequence, which is left out', { skip }, async () => {
  // The SDK documents endSequences: "cut at the beginning of the earliest occurrence of an end sequence.
  // The sequence will be excluded from the text."
  const free = (await greedy({ maxTokens: 40 })).generations[0].text;
  const at = free.indexOf(' ', 6);
  assert.ok(at > 0, `no space after position 6 in ${JSON.stringify(free)}`);
  const end = free.slice(at, at + 4);
  const res = await greedy({ maxTokens: 40, endSequences: ['qqqq', end] });
  assert.equal(res.generations[0].text, free.slice(0, free.indexOf(end)));
});

test('trailing whitespace of the prompt is trimmed', { skip }, async () => {
  const plain = await greedy({ returnLikelihoods: 'ALL' });
  const padded = await versioned.generate({ prompt: `${PROMPT}  \n\t `, maxTokens: 12, temperature: 0, returnLikelihoods: 'ALL' });
  assert.equal(padded.generations[0].text, plain.generations[0].text);
  assert.deepEqual(padded.generations[0].tokenLikelihoods, plain.generations[0].tokenLikelihoods);
});

test('sampling knobs within their documented ranges are accepted', { skip }, async () => {
  for (const extra of [
    { temperature: 5 }, { temperature: 0.75, k: 500 }, { k: 0, p: 0 }, { p: 1 }, { p: 0.3, k: 10 },
    { frequencyPenalty: 1, presencePenalty: 1 }, { frequencyPenalty: 0, presencePenalty: 0 },
    { logit_bias: { 300: 10, 301: -10 } }, { model },
  ]) {
    const res = await versioned.generate({ prompt: PROMPT, maxTokens: 4, ...extra });
    assert.equal(res.generations.length, 1, JSON.stringify(extra));
  }
});

test('out-of-range values are a 400 {"message"} naming the parameter', { skip }, async () => {
  const cases = [
    [{ temperature: 5.5 }, /temperature/], [{ temperature: -0.1 }, /temperature/],
    [{ k: 501 }, /\bk\b/], [{ k: -1 }, /\bk\b/],
    [{ p: 1.5 }, /\bp\b/], [{ p: -0.5 }, /\bp\b/],
    [{ frequencyPenalty: 1.5 }, /frequency_penalty/], [{ presencePenalty: -0.1 }, /presence_penalty/],
    [{ maxTokens: -1 }, /max_tokens/],
    [{ returnLikelihoods: 'SOME' }, /return_likelihoods/],
    [{ logit_bias: { 300: 11 } }, /logit_bias/], [{ logit_bias: { 300: -10.5 } }, /logit_bias/],
    [{ preset: 'my-preset' }, /preset/],
  ];
  for (const [extra, match] of cases) {
    const err = await expectCohereError(versioned.generate({ prompt: PROMPT, maxTokens: 2, ...extra }), 400, match);
    assert.ok(err instanceof Cohere.BadRequestError, `${JSON.stringify(extra)} -> ${err.constructor.name}`);
  }
  const missing = await postJson(`${main.url}/v1/generate`, { max_tokens: 2 }, { headers: { 'Cohere-Version': VERSION } });
  assert.equal(missing.status, 400);
  assert.match(missing.json.message, /prompt/);
});

test('an unknown model is a 404 naming the served ones', { skip }, async () => {
  const err = await expectCohereError(versioned.generate({ prompt: PROMPT, model: 'command-xlarge' }), 404, new RegExp(model));
  assert.ok(err instanceof Cohere.NotFoundError);
});

test('a prompt longer than the context is a 400', { skip }, async () => {
  await expectCohereError(versioned.generate({ prompt: 'Once upon a time there was a dog. '.repeat(80), maxTokens: 4 }), 400);
});

test('/generate is the same route', { skip }, async () => {
  const a = await postJson(`${main.url}/generate`, { prompt: PROMPT, max_tokens: 6, temperature: 0 }, { headers: { 'Cohere-Version': VERSION } });
  assert.equal(a.status, 200, a.text);
  const b = await greedy({ maxTokens: 6 });
  assert.equal(a.json.generations[0].text, b.generations[0].text);
});

test('API keys: a wrong token is UnauthorizedError (401), a right one works', { skip }, async () => {
  const wrong = new CohereClient({ token: 'wrong', baseUrl: auth.url, headers: { 'Cohere-Version': VERSION }, maxRetries: 0 });
  const err = await expectCohereError(wrong.generate({ prompt: PROMPT, maxTokens: 2 }), 401);
  assert.ok(err instanceof Cohere.UnauthorizedError);
  const right = new CohereClient({ token: auth.apiKey, baseUrl: auth.url, headers: { 'Cohere-Version': VERSION }, maxRetries: 0 });
  const res = await right.generate({ prompt: PROMPT, maxTokens: 2 });
  assert.equal(res.generations.length, 1);
});
