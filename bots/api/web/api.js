// The web chat's side of /api/v1/chat: its session, turns read as server-sent events, and
// the inbox. The session (id + token) is kept in localStorage; a refused token opens a new
// session once.

const API = "/api/v1/chat";
const STREAM = "text/event-stream";
const SESSION_KEY = "stylegenie.session";

/** A remembered value, or `fallback` when there is none (or storage is off). */
export function load(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

/** Remember a value; a full or disabled storage only means it is not remembered. */
export function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // the chat still works without it
  }
}

/** What a failed response says, in words (the problem+json `detail`). */
async function problemOf(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || `Error ${response.status}`;
  } catch {
    return `Error ${response.status}`;
  }
}

function parseEvent(block) {
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "data") data.push(value);
  }
  return { type, data: data.join("\n") };
}

/** The reply of a turn's response, its progress events handed to `onProgress` as they come. */
async function replyOf(response, onProgress) {
  if (!(response.headers.get("content-type") || "").startsWith(STREAM)) {
    return response.json();
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let reply = null;
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value, { stream: !done }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (event.type === "progress") onProgress(JSON.parse(event.data));
      else if (event.type === "reply") reply = JSON.parse(event.data);
    }
    if (done) break;
  }
  if (!reply) throw new Error("the answer was cut off");
  return reply;
}

/** A failure the server explained (its words are for the shopper). */
export class Refused extends Error {}

/** One browser's chat: its session and the calls made in it. */
export class ChatApi {
  /** `onOpened(session)` hears of every new session (the page starts afresh then). */
  constructor(onOpened) {
    this.session = load(SESSION_KEY, null);
    this.onOpened = onOpened;
  }

  /** Open a new session (a new conversation). */
  async open() {
    const response = await fetch(`${API}/sessions`, { method: "POST" });
    if (!response.ok) throw new Refused(await problemOf(response));
    this.session = await response.json();
    save(SESSION_KEY, this.session);
    this.onOpened(this.session);
  }

  async call(path, init = {}) {
    if (!this.session) await this.open();
    for (let attempt = 0; ; attempt += 1) {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${this.session.token}`);
      const response = await fetch(path, { ...init, headers });
      if (response.status !== 401 || attempt > 0) return response;
      await this.open();
    }
  }

  /** One turn: `fields` (message or choice, name, contact), a photo File or null; the reply.
   *  Throws Refused with the server's words when it refused the turn. */
  async turn(fields, photo, onProgress) {
    const init = { method: "POST", headers: { Accept: STREAM } };
    if (photo) {
      const form = new FormData();
      form.append("photo", photo);
      const { message, ...rest } = fields;
      form.append("caption", message || "");
      for (const [name, value] of Object.entries(rest)) form.append(name, value);
      init.body = form;
    } else {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(fields);
    }
    const response = await this.call(API, init);
    if (!response.ok) throw new Refused(await problemOf(response));
    return replyOf(response, onProgress);
  }

  /** Inbox messages new or answered since `after`: `{messages, after}` (null if it failed). */
  async inbox(after) {
    if (!this.session) return null;
    const response = await this.call(`${API}/inbox?after=${after}`);
    return response.ok ? response.json() : null;
  }
}
