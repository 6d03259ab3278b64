// Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html) from a fetch()
// response body: yields {event, data, id} per dispatched event; data lines are joined with "\n".
export async function* sseEvents(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { event: 'message', data: [], id: undefined };
  const flushLine = function* (line) {
    if (line === '') {
      if (event.data.length > 0) yield { event: event.event, data: event.data.join('\n'), id: event.id };
      event = { event: 'message', data: [], id: undefined };
      return;
    }
    if (line.startsWith(':')) return;  // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') event.data.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let m;
    while ((m = /\r\n|\r|\n/.exec(buffer)) !== null) {
      // A lone "\r" at the end of the buffer may be the first half of "\r\n": wait for more bytes.
      if (m[0] === '\r' && m.index === buffer.length - 1) break;
      const line = buffer.slice(0, m.index);
      buffer = buffer.slice(m.index + m[0].length);
      yield* flushLine(line);
    }
  }
  buffer += decoder.decode();
  if (buffer !== '') yield* flushLine(buffer);
  yield* flushLine('');
}

// POSTs a streaming request and collects it: {status, headers, chunks (parsed JSON of every data
// event before [DONE]), done (saw [DONE]), events (raw)}. A non-2xx answer is returned with `json`.
export async function collectStream(url, body, { headers = {}, signal, onChunk } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) {
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json, chunks: [], events: [], done: false };
  }
  const out = { status: res.status, headers: res.headers, chunks: [], events: [], done: false };
  for await (const ev of sseEvents(res.body)) {
    out.events.push(ev);
    if (ev.data === '[DONE]') { out.done = true; continue; }
    const chunk = JSON.parse(ev.data);
    out.chunks.push(chunk);
    if (onChunk) onChunk(chunk, out);
  }
  return out;
}
