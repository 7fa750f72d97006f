// The session page's review work: the outcome, notes (on the session or an incident), the
// audit trail, and the HTML report opened from a blob (the report needs the bearer token).
import { $, api, el, formatTime, offset, toast } from "/static/api.js";

export const OUTCOMES = { cleared: "Cleared", needs_follow_up: "Needs follow-up", confirmed: "Confirmed" };
const ACTIONS = { viewed: "viewed", dismissed: "dismissed a flag", restored: "undid a dismissal", ended: "ended the session",
  exported: "exported", noted: "added a note", outcome_set: "set the outcome" };

export function renderReview(review, { sessionId, start, reload }) {
  const at = (iso) => offset((new Date(iso) - new Date(start)) / 1000);
  const current = review.outcome;
  $("#outcome-now").textContent = current
    ? `${OUTCOMES[current.outcome]}: set by ${current.set_by_name}, ${formatTime(current.created_at)}` : "No outcome yet.";
  if (current) $("#outcome").value = current.outcome;

  const incidents = new Map(review.incidents.map((i) => [i.ref, i]));
  const target = $("#note-on");
  const chosen = target.value;
  target.replaceChildren(el("option", { value: "" }, "The session"),
    ...review.incidents.map((i) => el("option", { value: i.ref }, `Incident at ${at(i.start)}: ${i.cause}`)));
  if (incidents.has(chosen)) target.value = chosen;
  $("#notes").replaceChildren(...(review.notes.length ? review.notes.map((n) => {
    const incident = n.incident_ref ? incidents.get(n.incident_ref) : null;
    return el("li", {}, el("div", { class: "muted small" }, `${n.author_name} · ${formatTime(n.created_at)} · on ` +
      (incident ? `the incident at ${at(incident.start)} (${incident.cause})` : n.incident_ref ? `incident ${n.incident_ref}` : "the session")),
      el("p", {}, n.body));
  }) : [el("li", { class: "muted" }, "No notes yet.")]));

  $("#audit").replaceChildren(...(review.audit.length ? review.audit.map((a) => el("tr", {},
    el("td", {}, formatTime(a.created_at)), el("td", {}, a.actor_name), el("td", {}, ACTIONS[a.action] || a.action),
    el("td", { class: "muted" }, a.detail || "—"))) : [el("tr", {}, el("td", { colspan: 4, class: "empty" }, "Nothing recorded yet."))]));

  $("#outcome-form").onsubmit = async (event) => {
    event.preventDefault();
    await api(`/api/review/${sessionId}/outcome`, { method: "PUT", json: { outcome: $("#outcome").value } });
    toast("Outcome saved.");
    reload();
  };
  $("#note-form").onsubmit = async (event) => {
    event.preventDefault();
    $("#note-error").textContent = "";
    try {
      await api(`/api/review/${sessionId}/notes`, { method: "POST", json: { body: $("#note-body").value, incident_ref: target.value || null } });
      $("#note-body").value = "";
      toast("Note added.");
      reload();
    } catch (error) { $("#note-error").textContent = error.message; }
  };
}

// Choose the incident a note is about (the flag list's selection).
export function noteOn(incidentRef) {
  if ([...$("#note-on").options].some((o) => o.value === incidentRef)) $("#note-on").value = incidentRef;
}

export async function openHtmlReport(sessionId) {
  // Opened before the fetch: a window opened after an await counts as a pop-up.
  const tab = window.open("", "_blank");
  const blob = await api(`/api/interview/${sessionId}/report?format=html`, { as: "blob" });
  const url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
  if (tab) tab.location.href = url; else location.href = url;
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
