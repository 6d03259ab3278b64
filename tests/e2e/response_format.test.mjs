// response_format (JSON mode, JSON Schema, regex) through the Fireworks, Friendli and OpenAI routes, on
// the embedded stories260K model, which knows nothing of JSON: whatever it samples, every response
// whose finish_reason is not "length" must parse and validate (ajv, a validator independent of the
// server's grammar compiler), with no whitespace outside strings. Bad shapes and schemas the server
// cannot enforce are 400s, never unconstrained text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';

import { main } from './lib/env.mjs';
import { postJson } from './lib/http.mjs';

const ROUTES = {
  fireworks: `${main.url}/inference/v1/completions`,
  friendli: `${main.url}/serverless/v1/completions`,
  friendliDedicated: `${main.url}/dedicated/v1/completions`,
  openai: `${main.url}/v1/completions`,
};
const PROMPT = 'Once upon a time';
const MAX_TOKENS = 200;  // the model knows no JSON: leave room for it to close what it opens

const SCHEMAS = {
  person: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 12 },
      age: { type: 'integer', minimum: 0, maximum: 120 },
      mood: { enum: ['happy', 'sad', 'calm'] },
      tags: { type: 'array', items: { type: 'string', maxLength: 8 }, maxItems: 3 },
    },
    required: ['name', 'age', 'mood'],
    additionalProperties: false,
  },
  path: {
    $defs: {
      point: {
        type: 'object',
        properties: { x: { type: 'integer', minimum: -9, maximum: 9 }, y: { type: 'integer', minimum: -9, maximum: 9 } },
        required: ['x', 'y'],
        additionalProperties: false,
      },
    },
    type: 'object',
    properties: {
      kind: { const: 'path' },
      points: { type: 'array', items: { $ref: '#/$defs/point' }, minItems: 1, maxItems: 3 },
      closed: { type: 'boolean' },
    },
    required: ['kind', 'points', 'closed'],
    additionalProperties: false,
  },
  mixedList: {
    type: 'array',
    items: { anyOf: [{ type: 'integer', minimum: 0, maximum: 99 }, { type: 'string', pattern: '^[a-z]{1,5}$' }, { type: 'null' }] },
    minItems: 2,
    maxItems: 4,
  },
  score: {
    type: 'object',
    properties: {
      label: { type: 'string', enum: ['spam', 'ham'] },
      score: { type: 'number', minimum: 0, maximum: 1 },
      note: { type: ['string', 'null'], maxLength: 10 },
    },
    required: ['label', 'score'],
    additionalProperties: false,
  },
};

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([name, s]) => [name, ajv.compile(s)]));
const anyObject = ajv.compile({ type: 'object' });

async function complete(url, body) {
  const r = await postJson(url, { model: main.model, prompt: PROMPT, max_tokens: MAX_TOKENS, ...body });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// Whitespace only inside strings: the server's compact separators leave no room for runaway whitespace.
function whitespaceOnlyInStrings(text) {
  let inString = false, escaped = false;
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (/\s/.test(c)) return false;
  }
  return true;
}

// Checks every choice; returns how many finished other than by length (so callers can insist the
// validation actually ran).
function checkChoices(choices, validate, where) {
  let finished = 0;
  for (const c of choices) {
    if (c.finish_reason === 'length') continue;
    assert.equal(c.finish_reason, 'stop', `${where}: ${JSON.stringify(c)}`);
    ++finished;
    let value;
    assert.doesNotThrow(() => { value = JSON.parse(c.text); }, `${where}: not JSON: ${c.text}`);
    assert.ok(validate(value), `${where}: ${c.text} fails the schema: ${ajv.errorsText(validate.errors)}`);
    assert.ok(whitespaceOnlyInStrings(c.text), `${where}: whitespace outside strings: ${JSON.stringify(c.text)}`);
  }
  return finished;
}

// A response cut by max_tokens must still be a prefix of valid JSON. V8 (Node 20) reports a truncated
// document as "Unexpected end of JSON input" or as an error at the position just past the text.
function isJsonPrefix(text) {
  try {
    JSON.parse(text);
    return true;
  } catch (e) {
    if (/end of JSON input/.test(e.message)) return true;
    const m = /at position (\d+)/.exec(e.message);
    return m !== null && Number(m[1]) >= text.length && !/after JSON/.test(e.message);
  }
}

test('json_object: every response is a JSON object or, cut by length, a prefix of one (Fireworks, Friendli)', async () => {
  // Left alone the model writes one endless string key, so these are mostly cut by max_tokens.
  for (const [route, extra] of [['fireworks', {}], ['friendli', { seed: 5 }], ['friendliDedicated', { seed: 9 }]]) {
    const r = await complete(ROUTES[route], { response_format: { type: 'json_object' }, temperature: 1, n: 4, ...extra });
    assert.equal(r.choices.length, 4);
    checkChoices(r.choices, anyObject, `${route} json_object`);
    for (const c of r.choices) assert.ok(c.text.startsWith('{') && isJsonPrefix(c.text), `${route}: ${c.text}`);
  }
});

// stories260K's tokens holding '"' (37, 313 ' "', 436 '."') and '}' (128). Biased up, the model tries to
// close strings and objects, often where that would break the JSON: the server must keep it valid,
// and now responses finish, so the parse check really runs.
const CLOSERS = { 37: 6, 313: 6, 436: 6, 128: 10 };

test('json_object (OpenAI, logit_bias toward quotes and braces): finished responses parse', async () => {
  const r = await complete(ROUTES.openai, { response_format: { type: 'json_object' }, temperature: 1, n: 8, seed: 3, logit_bias: CLOSERS });
  const finished = checkChoices(r.choices, anyObject, 'openai json_object');
  for (const c of r.choices) assert.ok(isJsonPrefix(c.text), c.text);
  assert.ok(finished >= 4, `only ${finished} of 8 responses finished: ${JSON.stringify(r.choices.map((c) => c.text))}`);
});

for (const [name, schema] of Object.entries(SCHEMAS)) {
  test(`schema "${name}": every finished response validates, on every route and request shape`, async () => {
    const shapes = [
      ['fireworks', { response_format: { type: 'json_object', schema } }],
      ['fireworks', { response_format: { type: 'json_schema', json_schema: { name, schema, strict: true } } }],
      ['friendli', { seed: 21, response_format: { type: 'json_schema', json_schema: { name, schema } } }],
      ['friendli', { seed: 22, response_format: { type: 'json_object', schema: JSON.stringify(schema) } }],
      ['friendliDedicated', { seed: 23, response_format: { type: 'json_object', schema } }],
      ['openai', { seed: 24, response_format: { type: 'json_schema', json_schema: { name, schema, strict: true } } }],
    ];
    let finished = 0;
    for (const [route, body] of shapes) {
      const r = await complete(ROUTES[route], { temperature: 1, n: 3, ...body });
      finished += checkChoices(r.choices, validators[name], `${route} ${name} ${JSON.stringify(body.response_format).slice(0, 60)}`);
    }
    assert.ok(finished >= 3, `only ${finished} of 18 responses finished within ${MAX_TOKENS} tokens`);
  });
}

test('greedy: the constrained output is deterministic and validates', async () => {
  const body = { temperature: 0, response_format: { type: 'json_object', schema: SCHEMAS.person } };
  const a = await complete(ROUTES.fireworks, body);
  const b = await complete(ROUTES.fireworks, body);
  assert.equal(a.choices[0].text, b.choices[0].text);
  assert.equal(checkChoices(a.choices, validators.person, 'greedy'), 1, JSON.stringify(a.choices[0]));
  assert.ok(a.choices[0].text.startsWith('{"name":'), `properties come in definition order: ${a.choices[0].text}`);
});

test('streaming: the streamed pieces join into a valid document (Fireworks and Friendli)', async () => {
  for (const [route, extra] of [['fireworks', {}], ['friendli', { seed: 4 }]]) {
    const res = await fetch(ROUTES[route], {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ model: main.model, prompt: PROMPT, max_tokens: MAX_TOKENS, stream: true, temperature: 0.7,
                             response_format: { type: 'json_object', schema: SCHEMAS.score }, ...extra }),
    });
    const raw = await res.text();
    assert.equal(res.status, 200, raw);
    let text = '', finish = null;
    for (const e of raw.split('\n\n')) {
      if (!e.startsWith('data: ') || e === 'data: [DONE]') continue;
      const chunk = JSON.parse(e.slice(6));
      for (const c of chunk.choices ?? []) {
        text += c.text ?? '';
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    assert.ok(finish, `${route}: the stream carried a finish_reason`);
    if (finish !== 'length') checkChoices([{ text, finish_reason: finish }], validators.score, `${route} stream`);
  }
});

test('regex (Friendli): the whole output matches the pattern', async () => {
  const r = await complete(ROUTES.friendli, { seed: 8, n: 4, temperature: 1, response_format: { type: 'regex', schema: '(yes|no), [0-9]{2}!' } });
  for (const c of r.choices) {
    assert.equal(c.finish_reason, 'stop', JSON.stringify(c));  // nothing may follow "!": the server ends it
    assert.match(c.text, /^(yes|no), [0-9]{2}!$/);
  }
});

test('text: {"type": "text"} constrains nothing', async () => {
  const free = await complete(ROUTES.fireworks, { temperature: 0, max_tokens: 12 });
  const text = await complete(ROUTES.fireworks, { temperature: 0, max_tokens: 12, response_format: { type: 'text' } });
  assert.equal(text.choices[0].text, free.choices[0].text);
  assert.equal(free.choices[0].text.startsWith(', there'), true);
});

async function rejects(url, body, param, pattern) {
  const r = await postJson(url, { model: main.model, prompt: PROMPT, max_tokens: 8, ...body });
  assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(r.json.error.type, 'invalid_request_error');
  assert.equal(r.json.error.param, param, r.text);
  assert.match(r.json.error.message, pattern);
}

test('400: malformed response_format shapes name the parameter', async () => {
  for (const url of [ROUTES.fireworks, ROUTES.friendli, ROUTES.openai]) {
    await rejects(url, { response_format: 'json' }, 'response_format', /response_format must be an object/);
    await rejects(url, { response_format: { type: 'xml' } }, 'response_format', /response_format\.type must be one of .*got "xml"/);
    await rejects(url, { response_format: { type: 'json_schema' } }, 'response_format', /response_format\.json_schema must be an object/);
    await rejects(url, { response_format: { type: 'json_schema', json_schema: { name: 'x' } } }, 'response_format',
                  /json_schema\.schema is required/);
  }
  await rejects(ROUTES.fireworks, { response_format: { type: 'json_object', schema: 7 } }, 'response_format', /must be a JSON Schema/);
  await rejects(ROUTES.fireworks, { response_format: { type: 'regex', schema: 'a+' } }, 'response_format', /got "regex"/);
  await rejects(ROUTES.openai, { response_format: { type: 'json_object', schema: {} } }, 'response_format', /not accepted with type json_object/);
  await rejects(ROUTES.friendli, { response_format: { type: 'regex' } }, 'response_format', /regular expression/);
  await rejects(ROUTES.friendli, { response_format: { type: 'json_object', schema: '{oops' } }, 'response_format', /string of JSON text/);
});

test('400 (Friendli): min_tokens is unsupported together with response_format', async () => {
  await rejects(ROUTES.friendli, { min_tokens: 2, response_format: { type: 'json_object' } }, 'min_tokens', /response_format/);
  await rejects(ROUTES.friendliDedicated, { min_total_tokens: 9, response_format: { type: 'regex', schema: 'a' } }, 'min_total_tokens',
                /response_format/);
});

test('400: schemas the server cannot enforce exactly fail with the compiler\'s message, never unconstrained text', async () => {
  const cases = [
    [{ type: 'integer', multipleOf: 3 }, /response_format.*multipleOf/],
    [{ type: 'object', properties: { a: { dependentRequired: {} } } }, /response_format.*\/properties\/a/],
    [{ type: 'string', enum: [1] }, /response_format/],
  ];
  for (const [schema, pattern] of cases) {
    for (const [url, response_format] of [
      [ROUTES.fireworks, { type: 'json_object', schema }],
      [ROUTES.friendli, { type: 'json_schema', json_schema: { schema } }],
      [ROUTES.openai, { type: 'json_schema', json_schema: { name: 'x', schema } }],
    ]) {
      const r = await postJson(url, { model: main.model, prompt: PROMPT, max_tokens: 8, response_format });
      assert.equal(r.status, 400, `${url} ${JSON.stringify(schema)} -> ${r.status} ${r.text}`);
      assert.equal(r.json.error.type, 'invalid_request_error');
      assert.equal(r.json.error.param, 'response_format', r.text);
      assert.match(r.json.error.message, pattern);
    }
  }
  await rejects(ROUTES.friendli, { response_format: { type: 'regex', schema: '(a' } }, 'response_format', /response_format/);
});
