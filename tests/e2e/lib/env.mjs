// The servers under test, as tests/e2e/run.mjs started them (it exports these variables):
//   main    MYNAH_URL, MYNAH_MODEL                       default options (--parallel 8)
//   auth    MYNAH_AUTH_URL, MYNAH_API_KEY, MYNAH_API_KEY_2, MYNAH_METRICS_KEY, MYNAH_AUTH_LOG
//   limits  MYNAH_LIMITS_URL, MYNAH_LIMITS_MAX_BODY_BYTES, MYNAH_LIMITS_MAX_QUEUE (--parallel 1)
function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the e2e tests through tests/e2e/run.mjs --mynah build/mynah (or ctest -R e2e)`);
  }
  return value;
}

export const main = {
  url: required('MYNAH_URL'),
  model: process.env.MYNAH_MODEL || 'stories260K',
  log: process.env.MYNAH_MAIN_LOG || '',
};

export const auth = {
  url: required('MYNAH_AUTH_URL'),
  apiKey: required('MYNAH_API_KEY'),
  apiKey2: required('MYNAH_API_KEY_2'),
  metricsKey: required('MYNAH_METRICS_KEY'),
  log: process.env.MYNAH_AUTH_LOG || '',
};

export const limits = {
  url: required('MYNAH_LIMITS_URL'),
  maxBodyBytes: Number(required('MYNAH_LIMITS_MAX_BODY_BYTES')),
  maxQueue: Number(required('MYNAH_LIMITS_MAX_QUEUE')),
};

// Token ids of the embedded stories260K model (llama2.c's 512-token SentencePiece vocabulary).
export const BOS = 1;
export const EOS = 2;
