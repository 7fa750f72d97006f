import { $, api, el, formatTime, requireUser, scoreBar, openSocket, toast, topbar } from "/static/api.js";

const { user } = requireUser(["interviewer", "admin"]);
const view = { sort: "start_time", order: "desc", live: {} };
$("#topbar").replaceWith(topbar("/review"));

const STATUS_LABEL = { IN_PROGRESS: "In progress", COMPLETED: "Completed", TERMINATED: "Terminated", ABANDONED: "Abandoned" };

function isLive(sessionId) {
  const streams = view.live[sessionId] || {};
  return Object.values(streams).some((s) => s.connected);
}

async function loadSessions() {
  const params = new URLSearchParams({ sort: view.sort, order: view.order, limit: "100" });
  if ($("#q").value.trim()) params.set("q", $("#q").value.trim());
  if ($("#status").value) params.set("status", $("#status").value);
  if ($("#risk").value) params.set("risk_level", $("#risk").value);
  const page = await api("/api/interviews?" + params);
  const live = page.items.filter((s) => isLive(s.session_id)).length;
  $("#summary").textContent = `${page.total} session${page.total === 1 ? "" : "s"} · ${live} streaming now`;
  const rows = page.items.map((s) => el("tr", { class: "link", "data-session": s.session_id,
    onclick: () => { location.href = `/review/${s.session_id}`; } },
    el("td", {}, el("strong", {}, s.full_name), el("div", { class: "muted small" }, s.email)),
    el("td", {}, isLive(s.session_id) ? el("span", { class: "badge live" }, "Live") :
      el("span", { class: "badge" }, STATUS_LABEL[s.status] || s.status)),
    el("td", {}, formatTime(s.start_time)),
    el("td", {}, scoreBar(s.total_risk_score, s.risk_level)),
    el("td", {}, el("span", { class: `badge ${s.risk_level}` }, s.risk_level))));
  $("#sessions").replaceChildren(...(rows.length ? rows :
    [el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No sessions match these filters."))]));
  for (const th of document.querySelectorAll("th.sortable")) {
    th.classList.toggle("sorted", th.dataset.sort === view.sort);
    th.classList.toggle("asc", th.dataset.sort === view.sort && view.order === "asc");
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
  th.addEventListener("click", () => {
    view.order = view.sort === th.dataset.sort && view.order === "desc" ? "asc" : "desc";
    view.sort = th.dataset.sort;
    loadSessions();
  });
}
$("#q").addEventListener("input", reloadSoon);
$("#status").addEventListener("change", loadSessions);
$("#risk").addEventListener("change", loadSessions);
$("#filters").addEventListener("reset", () => setTimeout(loadSessions));

async function loadUsers() {
  const users = await api("/api/users");
  $("#users").replaceChildren(...users.map((u) => el("tr", {},
    el("td", {}, u.full_name), el("td", {}, u.username), el("td", {}, el("span", { class: "badge" }, u.role)),
    el("td", { class: "muted" }, u.email))));
}

if (user.role === "admin") {
  $("#accounts").classList.remove("hidden");
  loadUsers();
  $("#new-user").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("#nu-error").textContent = "";
    try {
      const created = await api("/api/users", { method: "POST", json: {
        full_name: $("#nu-name").value.trim(), username: $("#nu-username").value.trim(),
        email: $("#nu-email").value.trim(), role: $("#nu-role").value, password: $("#nu-password").value,
      } });
      event.target.reset();
      toast(`Account ${created.username} created.`);
      loadUsers();
    } catch (error) {
      $("#nu-error").textContent = error.message;
    }
  });
}

loadSessions().catch((e) => toast(e.message));
watchAll();
