import { $, api, el, formatTime, offset, requireUser, scoreBar, openSocket, toast, topbar } from "/static/api.js";
import { renderAccounts } from "/static/accounts.js";

const { user } = requireUser(["interviewer", "admin"]);
const view = { sort: "start_time", order: "desc", live: {} };
$("#topbar").replaceWith(topbar("/review"));

const STATUS_LABEL = { IN_PROGRESS: "In progress", COMPLETED: "Completed", TERMINATED: "Terminated", ABANDONED: "Abandoned" };

function isLive(sessionId) {
  const streams = view.live[sessionId] || {};
  return Object.values(streams).some((s) => s.connected);
}

function listParams() {
  const params = new URLSearchParams({ sort: view.sort, order: view.order, limit: "100" });
  if ($("#q").value.trim()) params.set("q", $("#q").value.trim());
  if ($("#status").value) params.set("status", $("#status").value);
  if ($("#risk").value) params.set("risk_level", $("#risk").value);
  return params;
}

function flagCell(count) {
  if (!count) return el("td", { class: "col-flags muted" }, "—");
  return el("td", { class: "col-flags" }, `${count.incidents} incident${count.incidents === 1 ? "" : "s"}`,
    el("div", { class: "muted small" }, `${count.flags} flag${count.flags === 1 ? "" : "s"} · ${offset(count.flagged_s)} flagged`),
    count.outcome ? el("span", { class: "badge" }, count.outcome.replaceAll("_", " ")) : null);
}

async function loadSessions() {
  const page = await api("/api/interviews?" + listParams());
  const ids = page.items.map((s) => s.session_id);
  const counts = new Map(ids.length ? (await api("/api/review/counts?" +
    new URLSearchParams(ids.map((id) => ["session_id", id])))).map((c) => [c.session_id, c]) : []);
  const live = page.items.filter((s) => isLive(s.session_id)).length;
  $("#summary").textContent = `${page.total} session${page.total === 1 ? "" : "s"} · ${live} streaming now`;
  // The row is clickable with the mouse; the keyboard reaches it through the link in its first
  // cell (Enter follows a link; Space is added, as for the page's buttons).
  const rows = page.items.map((s) => el("tr", { class: "link", "data-session": s.session_id,
    onclick: () => { location.href = `/review/${s.session_id}`; } },
    el("td", {}, el("a", { href: `/review/${s.session_id}`, class: "row-link",
      onkeydown: (event) => { if (event.key === " ") { event.preventDefault(); location.href = `/review/${s.session_id}`; } } },
      el("strong", {}, s.full_name)), el("div", { class: "muted small" }, s.email)),
    el("td", {}, isLive(s.session_id) ? el("span", { class: "badge live" }, "Live") :
      el("span", { class: "badge" }, STATUS_LABEL[s.status] || s.status)),
    el("td", { class: "col-started" }, formatTime(s.start_time)),
    el("td", {}, scoreBar(s.total_risk_score, s.risk_level), el("span", { class: `badge ${s.risk_level}` }, s.risk_level)),
    flagCell(counts.get(s.session_id))));
  $("#sessions").replaceChildren(...(rows.length ? rows :
    [el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No sessions match these filters."))]));
  for (const th of document.querySelectorAll("th.sortable")) {
    const sorted = th.dataset.sort === view.sort;
    th.classList.toggle("sorted", sorted);
    th.classList.toggle("asc", sorted && view.order === "asc");
    if (sorted) th.setAttribute("aria-sort", view.order === "asc" ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadSessions().catch((e) => toast(e.message)), 300);
}

function watchAll() {
  const socket = openSocket("/ws/review");
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "hello") view.live = message.live || {};
    if (message.type === "status") view.live[message.session_id] = message.live;
    reloadSoon();
  };
  socket.onclose = (event) => { if (event.code !== 4401 && event.code !== 4403) setTimeout(watchAll, 3000); };
}

for (const th of document.querySelectorAll("th.sortable")) {
  th.querySelector("button").addEventListener("click", () => {
    view.order = view.sort === th.dataset.sort && view.order === "desc" ? "asc" : "desc";
    view.sort = th.dataset.sort;
    loadSessions();
  });
}
$("#q").addEventListener("input", reloadSoon);
$("#status").addEventListener("change", loadSessions);
$("#risk").addEventListener("change", loadSessions);
$("#filters").addEventListener("reset", () => setTimeout(loadSessions));

$("#export-csv").addEventListener("click", async () => {
  const blob = await api("/api/review/sessions.csv?" + listParams(), { as: "blob" });
  const link = el("a", { href: URL.createObjectURL(blob), download: "sessions.csv" });
  document.body.append(link);
  link.click();
  link.remove();
});

if (user.role === "admin") renderAccounts(user);

loadSessions().catch((e) => toast(e.message));
watchAll();
