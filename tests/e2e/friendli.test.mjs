// Friendli completions (POST /serverless/v1/completions and /dedicated/v1/completions) against a running
// `mynah serve` on the embedded stories260K model, with raw fetch(): every parameter of the Friendli
// reference, every response field, the streaming chunk shapes, and at least one bad value per parameter.
// MYNAH_URL picks the server (default http://127.0.0.1:8080); MYNAH_API_KEY is sent as a Bearer token
// when the server wants one.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BASE = process.env.MYNAH_URL ?? 'http://127.0.0.1:8080';
const SERVERLESS = `${BASE}/serverless/v1/completions`;
const DEDICATED = `${BASE}/dedicated/v1/completions`;
const AUTH = process.env.MYNAH_API_KEY ? { Authorization: `Bearer ${process.env.MYNAH_API_KEY}` } : {};
const MODEL = process.env.MYNAH_MODEL || 'stories260K';
const PROMPT = 'Once upon a time';
const PROMPT_IDS = [1, 403, 407, 261, 378];  // BOS + "Once upon a time"
const N_EMBD = 64;                           // stories260K's embedding size
// The greedy continuation of PROMPT on stories260K, and its first token ids.
const GREEDY = ', there was a little girl named Lily. She loved to play outside in the park.';
const COMMA = 432, LITTLE = 376, LILY = 317;
const ID = /^cmpl-[0-9a-f]+$/;

async function post(body, { url = SERVERLESS, headers = {} } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...AUTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

async function complete(body, options) {
  const r = await post({ model: MODEL, ...body }, options);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const greedy = (extra = {}, options) => complete({ prompt: PROMPT, temperature: 0, ...extra }, options);
const text = (r) => r.choices[0].text;

// Every data event of an SSE body: parsed JSON, or the string '[DONE]'.
async function stream(body) {
  const res = await fetch(SERVERLESS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...AUTH },
    body: JSON.stringify({ model: MODEL, stream: true, ...body }),
  });
  const raw = await res.text();
  assert.equal(res.status, 200, raw);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  return raw.split('\n\n').filter((e) => e !== '').map((e) => {
    assert.ok(e.startsWith('data: '), e);
    return e.slice(6) === '[DONE]' ? '[DONE]' : JSON.parse(e.slice(6));
  });
}

async function rejects(body, param, pattern) {
  const r = await post({ model: MODEL, prompt: PROMPT, ...body });
  assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(r.json.error.type, 'invalid_request_error');
  if (param !== undefined) assert.equal(r.json.error.param, param, r.text);
  if (pattern) assert.match(r.json.error.message, pattern);
  return r.json.error;
}

// True when some n-gram of `ids` occurs twice.
function repeatsNgram(ids, n) {
  const seen = new Set();
  for (let i = 0; i + n <= ids.length; ++i) {
    const key = ids.slice(i, i + n).join(',');
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

test('response: id, object, model, created, choices[{index, seed, text, tokens, finish_reason, logprobs}], usage', async () => {
  const r = await greedy({ max_tokens: 16 });
  assert.deepEqual(Object.keys(r).sort(), ['choices', 'created', 'id', 'model', 'object', 'usage']);
  assert.match(r.id, ID);
  assert.equal(r.object, 'text_completion');
  assert.equal(r.model, MODEL);
  assert.equal(typeof r.created, 'number');
  const c = r.choices[0];
  assert.deepEqual(Object.keys(c).sort(), ['finish_reason', 'index', 'logprobs', 'seed', 'text', 'tokens']);
  assert.equal(c.index, 0);
  assert.ok(Number.isSafeInteger(c.seed) && c.seed >= 0);
  assert.ok(GREEDY.startsWith(c.text), c.text);
  assert.equal(c.tokens.length, 16);
  assert.equal(c.tokens[0], COMMA);
  assert.equal(c.finish_reason, 'length');
  assert.equal(c.logprobs, null);
  assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 16, total_tokens: 21 });
});

test('both routes serve the same dialect; X-Friendli-Team is accepted', async () => {
  const dedicated = await greedy({ max_tokens: 8 }, { url: DEDICATED });
  assert.equal(text(dedicated), text(await greedy({ max_tokens: 8 })));
  const team = await greedy({ max_tokens: 2 }, { headers: { 'X-Friendli-Team': 'team-abc' } });
  assert.equal(team.usage.completion_tokens, 2);
});

test('model: required, and must be served', async () => {
  const missing = await post({ prompt: PROMPT });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.param, 'model');
  const unknown = await post({ model: 'meta-llama-3.1-8b-instruct', prompt: PROMPT });
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error.message, new RegExp(MODEL));
});

test('prompt or tokens: exactly one; tokens are used as given', async () => {
  const ids = await complete({ tokens: PROMPT_IDS, temperature: 0, max_tokens: 8 });
  assert.equal(text(ids), text(await greedy({ max_tokens: 8 })));
  assert.equal(ids.usage.prompt_tokens, 5);
  await rejects({ tokens: PROMPT_IDS }, 'tokens', /only one of prompt and tokens/);
  await rejects({ prompt: undefined }, 'prompt', /either prompt or tokens is required/);
  await rejects({ prompt: undefined, tokens: [] }, 'tokens', /empty/);
  await rejects({ prompt: undefined, tokens: [1, -5] }, 'tokens', /-5/);
  await rejects({ prompt: 42 }, 'prompt', /42/);
});

test('max_tokens: default fills the context; max_total_tokens counts the prompt; only one of them', async () => {
  const full = await greedy();
  assert.ok(full.usage.completion_tokens > 100, JSON.stringify(full.usage));
  assert.equal(full.choices[0].tokens.length, full.usage.completion_tokens);
  const total = await greedy({ max_total_tokens: 12 });
  assert.equal(total.usage.total_tokens, 12);
  assert.equal(total.choices[0].finish_reason, 'length');
  const over = await post({ model: MODEL, prompt: PROMPT, max_tokens: 100000 });
  assert.equal(over.status, 400, over.text);
  assert.match(over.json.error.message, /5 tokens.*100000.*context/);
  await rejects({ max_tokens: 0 }, 'max_tokens', /got 0/);
  await rejects({ max_total_tokens: -3 }, 'max_total_tokens', /got -3/);
  await rejects({ max_tokens: 4, max_total_tokens: 9 }, 'max_total_tokens', /only one of max_tokens and max_total_tokens/);
});

test('stop: phrases end generation and are EXCLUDED from the text', async () => {
  const r = await greedy({ max_tokens: 40, stop: ['Lily'] });
  assert.equal(text(r), ', there was a little girl named ');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.equal(text(await greedy({ max_tokens: 40, stop: ['zzz', 'little'] })), ', there was a ');
  await rejects({ stop: [1] }, 'stop', /strings/);
});

test('eos_token and stop_tokens: token ids that end generation', async () => {
  const eos = await greedy({ max_tokens: 30, eos_token: [LITTLE] });
  assert.equal(text(eos), ', there was a');
  assert.equal(eos.choices[0].finish_reason, 'stop');
  assert.equal(eos.choices[0].tokens.at(-1), LITTLE);
  const stop = await greedy({ max_tokens: 30, stop_tokens: [{ tokens: [LILY] }] });
  assert.equal(text(stop), ', there was a little girl named');
  assert.equal(stop.choices[0].finish_reason, 'stop');
  await rejects({ eos_token: 2 }, 'eos_token', /array/);
  await rejects({ stop_tokens: [[LILY]] }, 'stop_tokens', /tokens/);
  await rejects({ eos_token: [100000] }, undefined, /100000/);  // outside the vocabulary
});

test('min_tokens: end tokens are suppressed until reached; only one of min_tokens and min_total_tokens', async () => {
  const quick = await greedy({ max_tokens: 30, stop_tokens: [{ tokens: [COMMA] }] });
  assert.equal(quick.usage.completion_tokens, 1);
  const min = await greedy({ max_tokens: 30, stop_tokens: [{ tokens: [COMMA] }], min_tokens: 5 });
  assert.ok(min.usage.completion_tokens >= 5, JSON.stringify(min.usage));
  assert.equal(min.choices[0].tokens.at(-1), COMMA);
  await rejects({ min_tokens: -1 }, 'min_tokens', /got -1/);
  await rejects({ min_tokens: 2, min_total_tokens: 9 }, 'min_total_tokens', /only one of min_tokens and min_total_tokens/);
  await rejects({ min_tokens: 9, max_tokens: 5 }, 'min_tokens', /must not exceed max_tokens/);
});

test('min_total_tokens counts the prompt: end tokens are suppressed until prompt + output reach it', async () => {
  const total = await complete({ tokens: PROMPT_IDS, temperature: 0, max_tokens: 30, eos_token: [COMMA], min_total_tokens: 12 });
  assert.ok(total.usage.total_tokens >= 12, JSON.stringify(total.usage));
  // A text prompt too: its 5 tokens count toward the minimum, so 7 are generated before the comma may end it.
  const fromText = await greedy({ max_tokens: 30, eos_token: [COMMA], min_total_tokens: 12 });
  assert.ok(fromText.usage.total_tokens >= 12, JSON.stringify(fromText.usage));
  assert.equal(fromText.choices[0].tokens.at(-1), COMMA);
  const belowPrompt = await greedy({ max_tokens: 30, eos_token: [COMMA], min_total_tokens: 3 });
  assert.equal(belowPrompt.usage.completion_tokens, 1, 'a minimum the prompt already reaches changes nothing');
  await rejects({ min_total_tokens: -1 }, 'min_total_tokens', /got -1/);
  await rejects({ tokens: [1], prompt: undefined, min_total_tokens: 9, max_total_tokens: 5 }, 'min_total_tokens', /must not exceed/);
});

test('bad_words and bad_word_tokens: phrases never generated', async () => {
  assert.ok(text(await greedy({ max_tokens: 12 })).includes('Lily'));
  const words = await greedy({ max_tokens: 12, bad_words: ['Lily'] });
  assert.ok(!text(words).includes('Lily'), text(words));
  assert.ok(!words.choices[0].tokens.includes(LILY));
  const ids = await greedy({ max_tokens: 12, bad_word_tokens: [{ tokens: [LILY] }] });
  assert.equal(text(ids), text(words));
  // A two-token phrase bans its second token only right after its first.
  const pair = await greedy({ max_tokens: 12, bad_word_tokens: [{ tokens: [395, LILY] }] });
  assert.ok(!text(pair).includes('named Lily'), text(pair));
  await rejects({ bad_words: { Lily: 1 } }, 'bad_words', /array of strings/);
  await rejects({ bad_word_tokens: [{ tokens: ['Lily'] }] }, 'bad_word_tokens', /token ids/);
});

test('frequency_penalty, presence_penalty, repetition_penalty: change repetitive output', async () => {
  const plain = text(await greedy({ max_tokens: 60 }));
  assert.notEqual(text(await greedy({ max_tokens: 60, frequency_penalty: 2 })), plain);
  assert.notEqual(text(await greedy({ max_tokens: 60, presence_penalty: 2 })), plain);
  assert.notEqual(text(await greedy({ max_tokens: 60, repetition_penalty: 1.8 })), plain);
  assert.equal(text(await greedy({ max_tokens: 60, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 })), plain);
  await rejects({ frequency_penalty: 2.5 }, 'frequency_penalty', /-2 and 2, got 2.5/);
  await rejects({ presence_penalty: -2.5 }, 'presence_penalty', /got -2.5/);
  await rejects({ repetition_penalty: 0 }, 'repetition_penalty', /greater than 0, got 0/);
});

test('no_repeat_ngram: no n-gram occurs twice in prompt + output', async () => {
  const plain = await greedy({ max_tokens: 80 });
  assert.ok(repeatsNgram([...PROMPT_IDS, ...plain.choices[0].tokens], 2));
  const r = await greedy({ max_tokens: 80, no_repeat_ngram: 2 });
  assert.ok(!repeatsNgram([...PROMPT_IDS, ...r.choices[0].tokens], 2));
  assert.equal(text(await greedy({ max_tokens: 80, no_repeat_ngram: 1 })), text(plain));  // 1: off
  await rejects({ no_repeat_ngram: -1 }, 'no_repeat_ngram', /got -1/);
});

test('encoder_* parameters: 400, the model is decoder-only', async () => {
  await rejects({ encoder_no_repeat_ngram: 3 }, 'encoder_no_repeat_ngram', /encoder-decoder/);
  await rejects({ encoder_repetition_penalty: 1.2 }, 'encoder_repetition_penalty', /decoder-only/);
});

test('logprobs: tokens, token_logprobs, top_logprobs with logprobs items, text_offset', async () => {
  const r = await greedy({ max_tokens: 6, logprobs: 3 });
  const lp = r.choices[0].logprobs;
  assert.deepEqual(Object.keys(lp).sort(), ['text_offset', 'token_logprobs', 'tokens', 'top_logprobs']);
  assert.equal(lp.tokens.join(''), text(r));
  let offset = 0;
  lp.tokens.forEach((t, i) => {
    assert.equal(lp.text_offset[i], offset);
    offset += [...t].length;
    assert.ok(lp.token_logprobs[i] <= 0);
    assert.equal(Object.keys(lp.top_logprobs[i]).length, 3);
    assert.equal(lp.top_logprobs[i][t], lp.token_logprobs[i]);  // greedy: the chosen token is the top one
  });
  await rejects({ logprobs: -1 }, 'logprobs', /got -1/);
});

test('n and seed: one seed per completion, returned, reproducible', async () => {
  const listed = await complete({ prompt: PROMPT, n: 2, seed: [5, 6], max_tokens: 12 });
  assert.deepEqual(listed.choices.map((c) => c.index), [0, 1]);
  assert.deepEqual(listed.choices.map((c) => c.seed), [5, 6]);
  assert.notEqual(listed.choices[0].text, listed.choices[1].text);
  const again = await complete({ prompt: PROMPT, n: 2, seed: [5, 6], max_tokens: 12 });
  assert.deepEqual(again.choices.map((c) => c.text), listed.choices.map((c) => c.text));
  const one = await complete({ prompt: PROMPT, seed: 6, max_tokens: 12 });
  assert.equal(one.choices[0].seed, 6);
  assert.equal(text(one), listed.choices[1].text);
  const int = await complete({ prompt: PROMPT, n: 3, seed: 5, max_tokens: 12 });
  assert.equal(int.choices[0].seed, 5);
  assert.equal(int.choices[0].text, listed.choices[0].text);
  // Without a seed one is chosen, returned, and replays the same text.
  const random = await complete({ prompt: PROMPT, max_tokens: 12 });
  const replay = await complete({ prompt: PROMPT, max_tokens: 12, seed: random.choices[0].seed });
  assert.equal(text(replay), text(random));
  await rejects({ n: 2, seed: [1] }, 'seed', /one seed per completion \(n = 2\), got a list of 1/);
  await rejects({ seed: -1 }, 'seed', /got -1/);
  await rejects({ n: 0 }, 'n', /got 0/);
});

test('temperature, top_k, top_p, min_p: greedy limits; ranges', async () => {
  const g = text(await greedy({ max_tokens: 12 }));
  for (const extra of [{ top_k: 1 }, { top_p: 0.01 }, { min_p: 1 }]) {
    assert.equal(text(await complete({ prompt: PROMPT, temperature: 1, seed: 3, max_tokens: 12, ...extra })), g, JSON.stringify(extra));
  }
  // Temperature alone: heat samples away from the greedy text, 0 is greedy whatever the seed.
  assert.notEqual(text(await complete({ prompt: PROMPT, temperature: 2, seed: 3, max_tokens: 12 })), g);
  assert.equal(text(await complete({ prompt: PROMPT, temperature: 0, seed: 3, max_tokens: 12 })), g);
  const off = await complete({ prompt: PROMPT, seed: 3, max_tokens: 12, top_k: 0, min_p: 0, top_p: 1 });
  assert.equal(text(off), text(await complete({ prompt: PROMPT, seed: 3, max_tokens: 12 })));
  await rejects({ temperature: -0.5 }, 'temperature', /at least 0, got -0.5/);
  await rejects({ top_k: -1 }, 'top_k', /got -1/);
  await rejects({ top_p: 0 }, 'top_p', /greater than 0, got 0/);
  await rejects({ top_p: 1.1 }, 'top_p', /at most 1, got 1.1/);
  await rejects({ min_p: 1.5 }, 'min_p', /0 and 1, got 1.5/);
});

test('xtc_probability / xtc_threshold: excluding top choices changes sampled text; 0..1', async () => {
  const base = { prompt: PROMPT, temperature: 1, seed: 5, max_tokens: 20 };
  const plain = text(await complete(base));
  assert.notEqual(text(await complete({ ...base, xtc_probability: 1, xtc_threshold: 0.1 })), plain);
  assert.equal(text(await complete({ ...base, xtc_probability: 0, xtc_threshold: 0.1 })), plain);  // 0: off
  await rejects({ xtc_probability: 1.5 }, 'xtc_probability', /0 and 1, got 1.5/);
  await rejects({ xtc_threshold: -0.1 }, 'xtc_threshold', /got -0.1/);
});

test('token_index_to_replace + embedding_to_replace: input embeddings replaced at those positions', async () => {
  const plain = text(await greedy({ max_tokens: 10 }));
  const r = await greedy({ max_tokens: 10, token_index_to_replace: [1, 2, 3, 4], embedding_to_replace: Array(4 * N_EMBD).fill(3) });
  assert.notEqual(text(r), plain);
  await rejects({ token_index_to_replace: [1] }, 'embedding_to_replace', /together/);
  await rejects({ token_index_to_replace: [1, 2], embedding_to_replace: [1, 2, 3] }, 'embedding_to_replace', /3 values/);
  await rejects({ token_index_to_replace: [1], embedding_to_replace: [1, 2, 3] }, undefined, /embedding size is 64/);
  await rejects({ token_index_to_replace: [50], embedding_to_replace: Array(N_EMBD).fill(0) }, undefined, /position 50/);
});

// Constrained output itself is covered in response_format.test.mjs.
test('response_format: text is accepted, regex constrains; min_tokens is unsupported with it', async () => {
  assert.equal((await greedy({ max_tokens: 2, response_format: { type: 'text' } })).usage.completion_tokens, 2);
  assert.match(text(await greedy({ max_tokens: 20, response_format: { type: 'regex', schema: '[ab]{3}' } })), /^[ab]{3}$/);
  await rejects({ response_format: { type: 'yaml' } }, 'response_format', /got "yaml"/);
  await rejects({ response_format: { type: 'text' }, min_tokens: 3 }, 'min_tokens', /response_format/);
});

test('stream: one chunk per token with `token`, a finish chunk, [DONE]', async () => {
  const ref = await greedy({ max_tokens: 8 });
  const events = await stream({ prompt: PROMPT, temperature: 0, max_tokens: 8 });
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1);
  const id = chunks[0].id;
  assert.match(id, ID);
  for (const ch of chunks) {
    assert.equal(ch.id, id);
    assert.equal(ch.object, 'text_completion');
    assert.equal(typeof ch.created, 'number');
    assert.ok(!('usage' in ch), 'no usage without stream_options.include_usage');
  }
  const tokens = chunks.slice(0, -1);
  assert.equal(tokens.length, 8);
  for (const ch of tokens) {
    assert.deepEqual(Object.keys(ch.choices[0]).sort(), ['finish_reason', 'index', 'logprobs', 'text', 'token']);
    assert.equal(ch.choices[0].finish_reason, null);
  }
  assert.deepEqual(tokens.map((ch) => ch.choices[0].token), ref.choices[0].tokens);
  assert.equal(tokens.map((ch) => ch.choices[0].text).join(''), text(ref));
  assert.deepEqual(chunks.at(-1).choices, [{ index: 0, text: '', finish_reason: 'length', logprobs: null }]);
  await rejects({ stream: 'yes' }, 'stream', /boolean/);
});

test('stream_options.include_usage: usage as an extra chunk with choices []', async () => {
  const events = await stream({ prompt: PROMPT, temperature: 0, max_tokens: 4, n: 2, stop: ['was'], logprobs: 1,
                                stream_options: { include_usage: true } });
  assert.equal(events.at(-1), '[DONE]');
  const usage = events.at(-2);
  assert.deepEqual(usage.choices, []);
  assert.deepEqual(usage.usage, { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
  for (const index of [0, 1]) {
    const mine = events.slice(0, -2).filter((ch) => ch.choices[0].index === index);
    assert.equal(mine.map((ch) => ch.choices[0].text).join(''), ', there ');  // "was" is cut
    assert.equal(mine.at(-1).choices[0].finish_reason, 'stop');
    assert.ok(mine.slice(0, -1).every((ch) => ch.choices[0].logprobs.tokens.length === 1));
  }
  await rejects({ stream_options: { include_usage: true } }, 'stream_options', /only be used when stream is true/);
  await rejects({ stream: true, stream_options: { include_usage: 'yes' } }, 'stream_options', /include_usage/);
});

test('unknown parameters are ignored; malformed bodies get the error shape', async () => {
  assert.equal((await greedy({ max_tokens: 1, timeout_microseconds: 1e9, whatever: [1] })).usage.completion_tokens, 1);
  const r = await post('{"model": ');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.type, 'invalid_request_error');
  assert.equal(r.json.error.code, null);
});
