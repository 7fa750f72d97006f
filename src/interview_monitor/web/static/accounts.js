// The admin's accounts card: list, create, deactivate or reactivate, reset a password, delete.
import { $, api, el, toast } from "/static/api.js";

async function act(label, call) {
  try { await call(); toast(label); } catch (error) { toast(error.message); }
  await loadUsers();
}

function actions(user, me) {
  const path = `/api/users/${user.id}`;
  if (user.id === me.id) return el("span", { class: "muted small" }, "you");
  const reset = el("form", { class: "reset hidden", "data-user": user.id, onsubmit: (event) => {
    event.preventDefault();
    const password = event.target.querySelector("input").value;
    act(`Password of ${user.username} reset.`, () => api(`${path}/password`, { method: "PUT", json: { password } }));
  } },
  el("label", { for: `reset-${user.id}` }, `New password for ${user.username}`),
  el("input", { id: `reset-${user.id}`, type: "password", minlength: 8, required: true, autocomplete: "new-password" }),
  el("button", { class: "btn small primary", type: "submit" }, "Set password"));
  return el("div", { class: "account-actions" },
    el("button", { type: "button", class: "btn small", "data-action": "active", onclick: () =>
      act(`${user.username} ${user.is_active ? "deactivated" : "reactivated"}.`,
        () => api(`${path}/active`, { method: "PUT", json: { is_active: !user.is_active } })) },
      user.is_active ? "Deactivate" : "Reactivate"),
    el("button", { type: "button", class: "btn small", "data-action": "reset", "aria-expanded": "false", onclick: (event) => {
      const open = reset.classList.toggle("hidden") === false;
      event.target.setAttribute("aria-expanded", String(open));
      if (open) reset.querySelector("input").focus();
    } }, "Reset password"),
    el("button", { type: "button", class: "btn small danger", "data-action": "delete", onclick: () => {
      if (!confirm(`Delete ${user.username} and all of their sessions? This cannot be undone.`)) return;
      act(`${user.username} deleted.`, () => api(path, { method: "DELETE" }));
    } }, "Delete"),
    reset);
}

let me = null;

async function loadUsers() {
  const users = await api("/api/users");
  $("#users").replaceChildren(...users.map((u) => el("tr", { "data-user": u.id, class: u.is_active ? "" : "inactive" },
    el("td", {}, u.full_name, el("div", { class: "muted small" }, u.email)), el("td", { class: "col-username" }, u.username),
    el("td", {}, el("span", { class: "badge" }, u.role), u.is_active ? null : el("span", { class: "badge" }, "inactive")),
    el("td", {}, actions(u, me)))));
}

export function renderAccounts(user) {
  me = user;
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
