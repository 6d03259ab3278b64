#!/usr/bin/env node
// End-to-end harness (CTest runs it as the `e2e` test):
//
//   node tests/e2e/run.mjs --mynah build/mynah [--log-dir DIR] [FILE.test.mjs ...]
//
// Starts three `mynah serve` processes on the embedded model, each on a free port (`--port 0`; the port is
// read from the "listening on http://HOST:PORT" log line), waits for /health, runs every
// tests/e2e/*.test.mjs (or the files given) with `node --test`, one file at a time, with the servers'
// addresses in the environment (see lib/env.mjs), then stops the servers with SIGTERM. It fails when a
// test fails, when a server exits on its own (a crash) or does not stop cleanly. Server logs go to
// --log-dir (default: a temporary directory); the tail of each is printed when something failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const FILE_TIMEOUT_MS = 180_000;

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error('usage: node tests/e2e/run.mjs --mynah PATH/TO/mynah [--log-dir DIR] [FILE.test.mjs ...]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { mynah: process.env.MYNAH_BIN || '', logDir: '', files: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--mynah') args.mynah = argv[++i];
    else if (a === '--log-dir') args.logDir = argv[++i];
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else args.files.push(path.resolve(a));
  }
  if (!args.mynah) usage('--mynah is required');
  args.mynah = path.resolve(args.mynah);
  return args;
}

function checkEnvironment(args) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 18) usage(`Node.js 18 or later is required (this is ${process.version})`);
  if (!fs.existsSync(args.mynah)) usage(`${args.mynah} does not exist: build it first (ninja -C build mynah)`);
  for (const pkg of ['openai', 'cohere-ai', 'ajv']) {
    if (!fs.existsSync(path.join(here, 'node_modules', pkg, 'package.json'))) {
      usage(`tests/e2e/node_modules/${pkg} is missing: run scripts/install-deps.sh (it runs \`npm ci\` in tests/e2e)`);
    }
  }
}

// A running `mynah serve`: resolves once its log says where it listens and /health answers 200.
class Server {
  constructor(name, mynah, extraArgs, logDir) {
    this.name = name;
    this.args = ['serve', '--host', '127.0.0.1', '--port', '0', ...extraArgs];
    this.logPath = path.join(logDir, `${name}.log`);
    this.logFd = fs.openSync(this.logPath, 'w');  // synchronous writes: the tail is complete when printed
    fs.writeSync(this.logFd, `$ ${mynah} ${this.args.join(' ')}\n`);
    this.stopping = false;
    this.exit = null;  // {code, signal} once exited
    this.proc = spawn(mynah, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.proc.on('close', (code, signal) => {  // exited, and its output is all read
        this.exit = { code, signal };
        if (!this.stopping) console.error(`run.mjs: server '${name}' exited by itself (code ${code}, signal ${signal})`);
        resolve(this.exit);
      });
      this.proc.on('error', (e) => {  // could not be started (or signalled) at all
        console.error(`run.mjs: server '${name}': ${e.message}`);
        if (this.proc.exitCode === null && this.proc.pid === undefined) {
          this.exit = { code: null, signal: null };
          resolve(this.exit);
        }
      });
    });
    let pending = '';
    this.listening = new Promise((resolve, reject) => {
      // spdlog's default logger writes to stdout; look at both streams.
      const scan = (d) => {
        if (this.logFd !== null) fs.writeSync(this.logFd, d);
        if (this.url) return;
        pending += d.toString('utf8');
        const m = /listening on (http:\/\/[^\s:]+:(\d+))/.exec(pending);
        if (m) {
          this.url = m[1];
          resolve(this.url);
        }
      };
      this.proc.stdout.on('data', scan);
      this.proc.stderr.on('data', scan);
      this.exited.then(() => reject(new Error(`server '${name}' exited before listening; see ${this.logPath}`)));
    });
    this.listening.catch(() => {});  // reported by ready()
  }

  async ready() {
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`server '${this.name}' did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS).unref());
    await Promise.race([this.listening, timeout]);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.status === 200) return this.url;
      } catch { /* not yet */ }
      if (this.exit) throw new Error(`server '${this.name}' exited; see ${this.logPath}`);
      if (Date.now() > deadline) throw new Error(`server '${this.name}': /health did not answer 200`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // SIGTERM, then wait; true when the process stopped cleanly (exit code 0) after being asked to.
  async stop() {
    if (this.exit) return false;
    this.stopping = true;
    this.proc.kill('SIGTERM');
    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); });
    const exit = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (!exit) {
      console.error(`run.mjs: server '${this.name}' did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; killing it`);
      this.proc.kill('SIGKILL');
      await this.exited;
      return false;
    }
    if (exit.code !== 0) console.error(`run.mjs: server '${this.name}' stopped with code ${exit.code}, signal ${exit.signal}`);
    return exit.code === 0;
  }

  tail(lines = 40) {
    try {
      const text = fs.readFileSync(this.logPath, 'utf8').trimEnd().split('\n');
      return text.slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

// Runs one file with `node --test` (spec reporter), echoing its output; resolves with its counts.
function runTestFile(file, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', file], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let output = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      output += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      console.error(`run.mjs: ${path.basename(file)} ran longer than ${FILE_TIMEOUT_MS} ms; killing it`);
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const counts = {};
      for (const m of output.matchAll(/^\S+ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[m[1]] = Number(m[2]);
      resolve({ file, ok: code === 0, code, signal, ms: Date.now() - started, counts });
    });
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  checkEnvironment(args);
  const logDir = args.logDir ? path.resolve(args.logDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'mynah-e2e-'));
  fs.mkdirSync(logDir, { recursive: true });
  const files = args.files.length > 0
    ? args.files
    : fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(here, f));

  const rand = () => Math.random().toString(36).slice(2, 12);
  const keys = { api: `e2e-key-${rand()}`, api2: `e2e-key2-${rand()}`, metrics: `e2e-metrics-${rand()}` };
  const limits = { maxBodyBytes: 4096, maxQueue: 1 };
  const started = Date.now();
  // -t 1 everywhere: the embedded model is tiny, and CTest runs other tests next to this one.
  const servers = {
    main: new Server('main', args.mynah, ['--parallel', '8', '-t', '1'], logDir),
    auth: new Server('auth', args.mynah, ['--api-key', keys.api, '--api-key', keys.api2, '--metrics-key', keys.metrics, '-t', '1'], logDir),
    limits: new Server('limits', args.mynah, ['--parallel', '1', '--max-queue', String(limits.maxQueue),
                                              '--max-body-bytes', String(limits.maxBodyBytes), '-t', '1'], logDir),
  };
  const all = Object.values(servers);
  let failed = false;
  const results = [];
  try {
    await Promise.all(all.map((s) => s.ready()));
    console.log(`run.mjs: servers up in ${Date.now() - started} ms: ${all.map((s) => `${s.name}=${s.url}`).join(' ')}; logs in ${logDir}`);
    const env = {
      ...process.env,
      MYNAH_BIN: args.mynah,
      MYNAH_URL: servers.main.url,
      MYNAH_MODEL: 'stories260K',
      MYNAH_MAIN_LOG: servers.main.logPath,
      MYNAH_AUTH_URL: servers.auth.url,
      MYNAH_API_KEY: keys.api,
      MYNAH_API_KEY_2: keys.api2,
      MYNAH_METRICS_KEY: keys.metrics,
      MYNAH_AUTH_LOG: servers.auth.logPath,
      MYNAH_LIMITS_URL: servers.limits.url,
      MYNAH_LIMITS_MAX_BODY_BYTES: String(limits.maxBodyBytes),
      MYNAH_LIMITS_MAX_QUEUE: String(limits.maxQueue),
    };
    for (const file of files) {
      console.log(`\n=== ${path.relative(process.cwd(), file)}`);
      const r = await runTestFile(file, env);
      results.push(r);
      if (!r.ok) failed = true;
      const crashed = all.filter((s) => s.exit);
      if (crashed.length > 0) {
        failed = true;
        console.error(`run.mjs: server(s) ${crashed.map((s) => s.name).join(', ')} died during ${path.basename(file)}`);
        break;
      }
    }
  } catch (e) {
    failed = true;
    console.error(`run.mjs: ${e.message}`);
  } finally {
    for (const s of all) {
      const crashedEarlier = s.exit !== null;
      const clean = await s.stop();
      if (crashedEarlier || !clean) {
        failed = true;
        console.error(`\n--- last lines of ${s.logPath}:\n${s.tail()}\n---`);
      }
      fs.closeSync(s.logFd);
      s.logFd = null;
    }
  }
  console.log('\nrun.mjs summary:');
  const total = {};
  for (const r of results) {
    const c = r.counts;
    for (const [k, v] of Object.entries(c)) total[k] = (total[k] || 0) + v;
    const counts = ['tests', 'pass', 'fail', 'skipped', 'todo'].map((k) => `${k} ${c[k] ?? '?'}`).join(', ');
    console.log(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${path.basename(r.file).padEnd(28)} ${(r.ms / 1000).toFixed(1).padStart(5)} s  ${counts}` +
                (r.ok ? '' : `  (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`));
  }
  console.log(`  all   ${['tests', 'pass', 'fail', 'skipped', 'todo'].map((k) => `${k} ${total[k] ?? 0}`).join(', ')}`);
  const skipped = files.length - results.length;
  if (skipped > 0) console.log(`  ${skipped} file(s) not run`);
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s; servers ${failed ? 'or tests FAILED' : 'stopped cleanly'}`);
  if (failed) {
    for (const s of all) if (s.exit === null || s.exit.code !== 0) console.error(`server '${s.name}' log: ${s.logPath}`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`run.mjs: ${e.stack || e}`);
  process.exit(1);
});
