// The session page's flag list: incidents (flags grouped by time and cause on the server),
// each a button, with its parts listed as buttons that open the flag detail.
import { el, offset } from "/static/api.js";

const DOT = {
  phone: "object", other_object: "object", extra_person: "object",
  multiple_speakers: "speech", spoken_cue: "speech", voice_mismatch: "speech",
};

function seconds(s) { return `${s.toFixed(1)} s`; }

// The kinds present in the session, for the kind filter.
export function kindsOf(incidents) {
  const labels = new Map();
  for (const incident of incidents) for (const part of incident.parts) labels.set(part.kind, part.label);
  return [...labels].sort((a, b) => a[1].localeCompare(b[1]));
}

export function renderIncidents(list, incidents, { start, kind, selected, onSelect }) {
  const shown = incidents.filter((i) => !kind || i.kinds.includes(kind));
  const at = (iso) => offset((new Date(iso) - new Date(start)) / 1000);
  list.replaceChildren(...(shown.length ? shown.map((incident) => {
    const parts = incident.parts.filter((p) => !kind || p.kind === kind || incident.parts.length > 1);
    return el("li", { class: ["incident", incident.dismissed ? "dismissed" : ""].join(" "), "data-incident": incident.ref },
      el("button", { type: "button", class: "incident-head", "aria-pressed": String(selected === incident.ref),
        "aria-label": `${incident.cause} at ${at(incident.start)}, ${incident.parts.length} flag${incident.parts.length === 1 ? "" : "s"}${incident.dismissed ? ", dismissed" : ""}`,
        onclick: () => onSelect(incident.parts[0].ref, incident.ref) },
        el("span", { class: "when" }, at(incident.start)),
        el("span", {}, el("span", { class: "what" }, incident.cause),
          el("span", { class: "detail" }, `${incident.parts.length} flag${incident.parts.length === 1 ? "" : "s"} · ${seconds(incident.duration_s)}`)),
        incident.dismissed ? el("span", { class: "badge" }, "dismissed") : null),
      el("ul", { class: "parts" }, parts.map((part) => el("li", {},
        el("button", { type: "button", class: ["part", selected === part.ref ? "selected" : "", part.dismissed ? "dismissed" : ""].join(" "),
          "data-ref": part.ref, "aria-pressed": String(selected === part.ref), onclick: () => onSelect(part.ref, incident.ref) },
          el("span", { class: `kind-dot ${DOT[part.kind] || ""}`, "aria-hidden": "true" }),
          `${part.label} · ${at(part.start)}${part.duration_s ? ` · ${seconds(part.duration_s)}` : ""}`,
          part.dismissed ? " (dismissed)" : "")))));
  }) : [el("li", { class: "empty" }, kind ? "No incident of this kind." : "No flags: nothing suspicious was detected.")]));
  return shown.length;
}
