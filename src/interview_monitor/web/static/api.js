// Shared by every page: the signed-in user, JSON calls with the bearer token, small DOM helpers.
const KEY = "interview-monitor.auth";

export const auth = {
  load() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; }
  },
  save(token, user) { sessionStorage.setItem(KEY, JSON.stringify({ token, user })); },
  clear() { sessionStorage.removeItem(KEY); },
};

export function homeFor(user) {
  return user.role === "candidate" ? "/candidate" : "/review";
}

export function requireUser(roles) {
  const current = auth.load();
  if (!current || (roles && !roles.includes(current.user.role))) {
    location.replace("/?next=" + encodeURIComponent(location.pathname + location.search));
    throw new Error("not signed in");
  }
  return current;
}

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export async function api(path, { method = "GET", json, body, headers = {}, as = "json" } = {}) {
  const current = auth.load();
  const init = { method, headers: { ...headers } };
  if (current) init.headers.Authorization = "Bearer " + current.token;
  if (json !== undefined) { init.body = JSON.stringify(json); init.headers["Content-Type"] = "application/json"; }
  else if (body !== undefined) init.body = body;
  const response = await fetch(path, init);
  if (response.status === 401 && current) {
    auth.clear();
    location.replace("/?expired=1");
  }
  if (!response.ok) {
    let message = response.statusText;
    try {
      const detail = (await response.json()).detail;
      message = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : String(detail);
    } catch { /* not JSON */ }
    throw new ApiError(response.status, message);
  }
  if (response.status === 204) return null;
  return as === "blob" ? response.blob() : response.json();
}

export async function signIn(username, password) {
  const form = new URLSearchParams({ username, password });
  const response = await fetch("/api/auth/token", { method: "POST", body: form });
  if (!response.ok) throw new ApiError(response.status, "Wrong username or password.");
  const data = await response.json();
  auth.save(data.access_token, data.user);
  return data.user;
}

export function signOut() { auth.clear(); location.replace("/"); }

// The token goes in the first message, not the URL, so it never lands in access logs.
export function openSocket(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}${path}`);
  socket.addEventListener("open", () => socket.send(JSON.stringify({ token: auth.load().token })));
  return socket;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const $ = (selector) => document.querySelector(selector);

export function toast(message) {
  const node = el("div", { class: "toast", role: "status" }, message);
  document.body.append(node);
  setTimeout(() => node.remove(), 3500);
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "—";
}

export function offset(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function scoreBar(score, level) {
  return el("div", { class: "score" },
    el("div", { class: `bar ${level}` }, el("span", { style: `width:${Math.min(100, score)}%` })),
    el("strong", {}, Number(score).toFixed(1)));
}

export function topbar(active) {
  const { user } = auth.load();
  const links = [["Sessions", "/review"]];
  const nav = el("nav", {}, links.map(([label, href]) =>
    el("a", { href, class: active === href ? "active" : "" }, label)));
  return el("header", { class: "topbar" },
    el("a", { class: "brand", href: "/review" }, el("span", { class: "logo" }, "IM"), "Interview Monitor"),
    nav,
    el("div", { class: "who" }, el("span", {}, `${user.full_name} · ${user.role}`),
      el("button", { class: "btn small", onclick: signOut }, "Sign out")));
}
