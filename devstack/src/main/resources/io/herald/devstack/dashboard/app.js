// Herald's dev dashboard. Plain browser JavaScript, no build step: it calls the gateway and the WebSocket
// exactly as a web app would, and the dev stack's /api/* for what only the dev stack knows.
"use strict";

const state = { config: null, user: null, jwt: null, socket: null, lastEventId: null, logTimer: null };

const $ = (selector) => document.querySelector(selector);

// One example per built-in event type; the recipient is always the dashboard's user.
const BOB = { id: "dash-bob", displayName: "Bob" };
const KIM = { id: "dash-kim", displayName: "Kim" };
const EXAMPLES = {
  chat: { actor: { id: "dash-sam", displayName: "Sam" }, data: { message: "See you at 5", conversationId: "c-1" }, priority: "high" },
  product_like: { actor: BOB, object: { id: "p-1", kind: "product", title: "Red bike" } },
  service_like: { actor: BOB, object: { id: "s-1", kind: "service", title: "Plumbing" } },
  service_comment: { actor: BOB, object: { id: "s-1", kind: "service", title: "Plumbing" }, data: { commentId: "cm-3" } },
  recommended_product: { object: { id: "p-2", kind: "product", title: "Blue lamp" } },
  recommended_service: { object: { id: "s-2", kind: "service", title: "Gardening" } },
  real_estate: { object: { id: "h-5", kind: "listing", title: "2 rooms, Old Town" } },
  order_created: { object: { id: "o-42", kind: "order", title: "#42" } },
  order_status: { object: { id: "o-42", kind: "order", title: "#42" }, data: { status: "shipped" } },
  payment_confirmed: { object: { id: "o-42", kind: "order", title: "#42" }, data: { amount: "120.00", currency: "EUR" } },
  review_created: { actor: BOB, object: { id: "p-1", kind: "product", title: "Red bike" }, data: { stars: "5" } },
  work_assigned: { actor: { id: "dash-dispatch", displayName: "Dispatch" }, object: { id: "w-8", kind: "work", title: "Boiler repair" }, priority: "high" },
  work_response: { actor: KIM, object: { id: "w-8", kind: "work", title: "Boiler repair" }, data: { accepted: "true" } },
  technician_assigned: { actor: KIM, object: { id: "b-11", kind: "booking", title: "Boiler repair" } },
  booking_status: { actor: KIM, object: { id: "b-11", kind: "booking", title: "Boiler repair" }, data: { status: "StartJourney" } },
};

function setStatus(element, text, kind) {
  element.textContent = text;
  element.className = "status" + (kind ? " " + kind : "");
}

async function call(method, path, { body, jwt, apiKey } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (jwt) headers["Authorization"] = "Bearer " + jwt;
  if (apiKey) headers["X-Api-Key"] = apiKey;
  const response = await fetch(state.config.gatewayUrl + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = json && (json.detail || json.title);
    throw new Error(`${method} ${path}: ${response.status}${problem ? " — " + problem : ""}`);
  }
  return json;
}

function item(list, title, lines, { unread = false, limit = 50, prepend = true } = {}) {
  const li = document.createElement("li");
  if (unread) li.classList.add("unread");
  const b = document.createElement("b");
  b.textContent = title;
  li.appendChild(b);
  for (const line of lines) {
    const div = document.createElement("div");
    div.textContent = line;
    if (line.startsWith("·")) div.className = "meta";
    li.appendChild(div);
  }
  if (prepend) list.prepend(li); else list.appendChild(li);
  while (list.children.length > limit) list.lastChild.remove();
  return li;
}

async function getJwt() {
  const user = $("#user").value.trim();
  if (!user) { setStatus($("#jwt-status"), "Type a user id first.", "error"); return; }
  try {
    const answer = await call("POST", "/dev/token", { body: { userId: user } });
    state.user = user;
    state.jwt = answer.token;
    setStatus($("#jwt-status"), `JWT for ${user} (…${answer.token.slice(-8)}), valid 12 h.`, "ok");
    for (const id of ["#register-device", "#refresh-inbox", "#read-all"]) $(id).disabled = false;
    document.querySelectorAll("#publish button").forEach((b) => (b.disabled = false));
    connect();
    await Promise.all([listDevices(), refreshInbox()]);
  } catch (e) {
    setStatus($("#jwt-status"), e.message, "error");
  }
}

function connect() {
  if (state.socket) state.socket.close(1000, "new user");
  $("#live").replaceChildren();
  const socket = new WebSocket(state.config.webSocketUrl, ["herald.v1", "bearer." + state.jwt]);
  state.socket = socket;
  setStatus($("#ws-status"), "connecting…");
  socket.onopen = () => setStatus($("#ws-status"), `connected as ${state.user}`, "ok");
  socket.onclose = (event) => {
    if (state.socket === socket) setStatus($("#ws-status"), `disconnected (${event.code})`, "error");
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "notification") {
      const n = message.notification;
      item($("#live"), n.title, [n.body, `· ${n.type} · ${n.created_at}`], { unread: !n.read });
      refreshInboxUntil(n.id);
    } else if (message.type === "unread_count") {
      $("#unread").textContent = message.unread_count;
    } else if (message.type === "error") {
      item($("#live"), "error: " + message.code, [message.message]);
    }
  };
}

function token(provider) {
  const random = crypto.getRandomValues(new Uint8Array(32));
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  switch (provider) {
    case "expo": return `ExponentPushToken[dash-${hex.slice(0, 22)}]`;
    case "apns": return hex; // 64 hex characters, as APNs issues
    default: return `dash-fcm-${hex}`;
  }
}

async function registerDevice() {
  const provider = $("#provider").value;
  try {
    await call("POST", "/v1/devices", {
      jwt: state.jwt,
      body: { provider, token: token(provider), platform: provider === "apns" ? "ios" : "android", locale: "en-US" },
    });
    await listDevices();
  } catch (e) {
    setStatus($("#jwt-status"), e.message, "error");
  }
}

async function listDevices() {
  const devices = await call("GET", "/v1/devices", { jwt: state.jwt });
  const list = $("#devices");
  list.replaceChildren();
  for (const d of devices) {
    item(list, `${d.provider} · …${d.tokenSuffix}`, [`· ${d.platform}${d.active === false ? " · inactive" : ""}`], { prepend: false });
  }
}

async function publish(type) {
  const event = { type, recipients: [state.user], ...EXAMPLES[type] };
  try {
    const answer = await call("POST", "/v1/events", { apiKey: state.config.apiKey, body: event });
    setStatus($("#publish-status"), `${type} accepted: event ${answer.eventId}`, "ok");
    followLog(answer.eventId);
  } catch (e) {
    setStatus($("#publish-status"), e.message, "error");
  }
}

// A live notification can arrive before its inbox row is written (docs/websocket.md): look again a few
// times until the inbox has it.
async function refreshInboxUntil(id, attempts = 10) {
  const page = await refreshInbox();
  if (page && !page.items.some((n) => n.id === id) && attempts > 1) {
    setTimeout(() => refreshInboxUntil(id, attempts - 1), 300);
  }
}

async function refreshInbox() {
  if (!state.jwt) return null;
  try {
    const page = await call("GET", "/v1/inbox?limit=20", { jwt: state.jwt });
    $("#unread").textContent = page.unreadCount;
    const list = $("#inbox");
    list.replaceChildren();
    for (const n of page.items) {
      item(list, n.title, [n.body, `· ${n.type} · ${n.createdAt ?? n.created_at ?? ""}`], { unread: !n.read, prepend: false });
    }
    return page;
  } catch (e) {
    setStatus($("#jwt-status"), e.message, "error");
    return null;
  }
}

async function readAll() {
  await call("POST", "/v1/inbox/read-all", { jwt: state.jwt });
  await refreshInbox();
}

function followLog(eventId) {
  state.lastEventId = eventId;
  $("#log-event").textContent = `(event ${eventId})`;
  $("#delivery-log tbody").replaceChildren();
  clearInterval(state.logTimer);
  let polls = 0;
  state.logTimer = setInterval(async () => {
    if (++polls > 60 || state.lastEventId !== eventId) { clearInterval(state.logTimer); return; }
    try {
      const log = await call("GET", `/v1/events/${eventId}`, { apiKey: state.config.apiKey });
      const body = $("#delivery-log tbody");
      body.replaceChildren();
      for (const row of log.deliveries) {
        const tr = document.createElement("tr");
        for (const value of [row.userId, row.channel, row.provider ?? "", row.outcome, row.reason ?? ""]) {
          const td = document.createElement("td");
          td.textContent = value;
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
    } catch (e) {
      // 404 until token-service has routed the event: keep polling.
    }
  }, 1000);
}

async function pollEmulators() {
  try {
    const response = await fetch("api/emulators");
    const received = await response.json();
    for (const provider of ["fcm", "expo", "apns"]) {
      const list = $("#emulator-" + provider);
      list.replaceChildren();
      for (const m of received[provider]) {
        item(list, m.title || "(no title)", [m.body, `· …${m.token.slice(-10)} · ${m.receivedAt}`], { prepend: false });
      }
    }
  } catch (e) {
    // The dev stack is stopping or restarting: try again on the next tick.
  }
}

async function main() {
  state.config = await (await fetch("api/config")).json();
  $("#app-name").textContent = state.config.appName;
  for (const type of Object.keys(EXAMPLES)) {
    const button = document.createElement("button");
    button.textContent = type;
    button.dataset.type = type;
    button.disabled = true;
    button.addEventListener("click", () => publish(type));
    $("#publish").appendChild(button);
  }
  $("#get-jwt").addEventListener("click", getJwt);
  $("#register-device").addEventListener("click", registerDevice);
  $("#refresh-inbox").addEventListener("click", refreshInbox);
  $("#read-all").addEventListener("click", readAll);
  pollEmulators();
  setInterval(pollEmulators, 1000);
}

main();
