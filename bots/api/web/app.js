// StyleGenie's web chat: the same conversation as in Telegram, in a browser.
//
// Each turn is posted and read as server-sent events (progress, then the reply); the inbox
// (leads to an owner, news to a shopper) is read every few seconds and after each turn.
// The conversation as shown is kept in localStorage, so a reload shows it again.
// Plain DOM and ES modules: no framework, no build step.

import { ChatApi, Refused, load, save } from "./api.js";
import { mineNode, noticeNode, pendingNode, replyNode, settleNode } from "./render.js";

const POLL_MS = 3000;
const HISTORY_LIMIT = 60;
const HISTORY_KEY = "stylegenie.history";
const INBOX_KEY = "stylegenie.inbox";
const PROFILE_KEY = "stylegenie.profile";
const OFFLINE = "I couldn't reach StyleGenie. Check your connection and try again.";

const $ = (id) => document.getElementById(id);
const log = $("messages");
const composer = $("composer");
const messageBox = $("message");
const nameInput = $("name");
const contactInput = $("contact");

let history = load(HISTORY_KEY, []); // what the page shows, as stored entries
let inbox = load(INBOX_KEY, { after: 0, lastId: 0 }); // where the inbox was read to
const shown = new Map(); // inbox message id -> its entry on the page

const api = new ChatApi((session) => {
  history = [];
  inbox = { after: 0, lastId: 0 };
  shown.clear();
  remember();
  log.replaceChildren();
  $("chat-id").textContent = `web:${session.session_id}`;
});

// -- what the page shows -------------------------------------------------------------
function remember() {
  history = history.slice(-HISTORY_LIMIT);
  save(HISTORY_KEY, history);
  save(INBOX_KEY, inbox);
}

function append(node) {
  log.append(node);
  window.requestAnimationFrame(() => node.scrollIntoView({ block: "end" }));
}

/** Show a message and remember it (a photo's preview is not kept). */
function show(entry) {
  const node =
    entry.who === "me" ? mineNode(entry) : replyNode(entry, (choice) => press(entry, choice));
  const { preview: _, ...stored } = entry;
  history.push(stored);
  Object.assign(entry, { stored, node });
  append(node);
  remember();
  return entry;
}

function settle(entry, outcome) {
  entry.outcome = outcome;
  entry.stored.outcome = outcome;
  settleNode(entry.node, outcome);
  remember();
}

// -- turns ----------------------------------------------------------------------------
function profile() {
  const fields = {};
  if (nameInput.value.trim()) fields.name = nameInput.value.trim();
  if (contactInput.value.trim() && contactInput.checkValidity()) {
    fields.contact = contactInput.value.trim();
  }
  return fields;
}

/** One turn: progress while the engine works, then the reply (null when it failed). */
async function turn(fields, photo = null) {
  const pending = pendingNode();
  append(pending.node);
  try {
    const reply = await api.turn({ ...fields, ...profile() }, photo, pending.update);
    pending.node.remove();
    show({ who: "bot", reply });
    checkInbox();
    return reply;
  } catch (error) {
    pending.node.remove();
    append(noticeNode(error instanceof Refused ? error.message : OFFLINE));
    return null;
  }
}

async function press(entry, choice) {
  const buttons = entry.node.querySelectorAll(".choices button");
  buttons.forEach((button) => { button.disabled = true; });
  show({ who: "me", text: choice.label, pressed: true });
  const fields = { choice: choice.id };
  if (entry.inbox) fields.message_id = entry.inbox;
  const reply = await turn(fields);
  if (reply && reply.pressed_outcome) settle(entry, reply.pressed_outcome);
  else buttons.forEach((button) => { button.disabled = false; });
}

async function sendPhoto(file) {
  const caption = messageBox.value.trim();
  messageBox.value = "";
  show({ who: "me", text: caption || "📷 A photo", preview: URL.createObjectURL(file) });
  await turn({ message: caption }, file);
}

// -- the inbox: messages sent outside a turn -----------------------------------------
let reading = null;

/** Read the inbox once (a read already on its way is not repeated). */
function checkInbox() {
  reading ??= api
    .inbox(inbox.after)
    .then((page) => page && receive(page))
    .catch(() => {}) // offline for a moment: the next read catches up
    .finally(() => { reading = null; });
  return reading;
}

function receive(page) {
  for (const message of page.messages) {
    const known = shown.get(message.id);
    if (known && message.outcome) settle(known, message.outcome);
    if (!known && message.id > inbox.lastId) {
      const entry = { who: "bot", reply: message.reply, inbox: message.id };
      if (message.outcome) entry.outcome = message.outcome;
      shown.set(message.id, show(entry));
      inbox.lastId = message.id;
    }
  }
  inbox.after = page.after;
  remember();
}

async function poll() {
  if (!document.hidden) await checkInbox();
  window.setTimeout(poll, POLL_MS);
}

// -- start -----------------------------------------------------------------------------
async function start() {
  for (const stored of history.splice(0)) {
    const entry = show({ ...stored });
    if (entry.inbox) shown.set(entry.inbox, entry);
  }
  try {
    if (!api.session) await api.open();
  } catch (error) {
    append(noticeNode(error instanceof Refused ? error.message : OFFLINE));
    return;
  }
  $("chat-id").textContent = `web:${api.session.session_id}`;
  if (!history.length) await turn({ message: "/start" });
}

const saved = load(PROFILE_KEY, {});
nameInput.value = saved.name || "";
contactInput.value = saved.contact || "";
$("profile").addEventListener("input", () => {
  save(PROFILE_KEY, { name: nameInput.value, contact: contactInput.value });
});
$("profile").addEventListener("submit", (event) => event.preventDefault());

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = messageBox.value.trim();
  if (!text) return;
  messageBox.value = "";
  messageBox.style.height = "auto";
  show({ who: "me", text });
  turn({ message: text });
});
messageBox.addEventListener("input", () => {
  messageBox.style.height = "auto";
  messageBox.style.height = `${messageBox.scrollHeight}px`;
  const full = messageBox.scrollHeight > messageBox.clientHeight;
  messageBox.style.overflowY = full ? "auto" : "hidden";
});
messageBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
$("photo").addEventListener("change", (event) => {
  const [file] = event.target.files;
  event.target.value = "";
  if (file) sendPhoto(file);
});
$("new-chat").addEventListener("click", async () => {
  $("about").open = false;
  try {
    await api.open();
  } catch (error) {
    append(noticeNode(error instanceof Refused ? error.message : OFFLINE));
    return;
  }
  await turn({ message: "/start" });
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) checkInbox();
});

start().then(poll);
