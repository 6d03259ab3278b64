// Small HTTP helpers over fetch() and raw sockets.
import net from 'node:net';

export async function request(url, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = { method, headers: { ...headers }, signal };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    if (!Object.keys(init.headers).some((h) => h.toLowerCase() === 'content-type')) init.headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const postJson = (url, body, options = {}) => request(url, { ...options, method: 'POST', body });

// Writes `bytes` on a fresh TCP connection and returns everything the server sends until it closes the
// connection (or `idleMs` pass without data). Resolves {data, closed}.
export function rawExchange(baseUrl, bytes, { idleMs = 3000 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const parts = [];
    let timer;
    const finish = (closed) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts).toString('latin1'), closed });
    };
    const arm = () => { clearTimeout(timer); timer = setTimeout(() => finish(false), idleMs); };
    socket.on('connect', () => { socket.write(bytes); arm(); });
    socket.on('data', (d) => { parts.push(d); arm(); });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? finish(true) : reject(e)));
  });
}

// Polls `probe` until it returns a truthy value; throws with `message` (and the last value) on timeout.
export async function waitFor(probe, { timeoutMs = 10000, intervalMs = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
