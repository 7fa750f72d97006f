import { $, api, el, formatTime, offset, requireUser, openSocket, toast, topbar } from "/static/api.js";
import { kindsOf, renderIncidents } from "/static/incidents.js";
import { noteOn, openHtmlReport, renderReview } from "/static/review-work.js";
import { Player } from "/static/player.js";

requireUser(["interviewer", "admin"]);
const sessionId = Number(location.pathname.split("/").pop());
const KIND_PATH = { object_detection_events: "object-detection", face_pose_events: "face-pose", audio_transcripts: "audio-transcript", answer_matches: "answer-match", browser_events: "browser", answer_cadence: "answer-cadence" };
const LEVEL_LINES = document.body.dataset.levelStarts.split(",").map(Number); // from the server
const view = { report: null, selected: null, incident: null, snapshots: new Map(), live: {} };
$("#topbar").replaceWith(topbar("/review"));
const player = new Player($("#player"), sessionId);
const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function secondsFromStart(iso) {
  return (new Date(iso) - new Date(view.report.start_time)) / 1000;
}

function drawPlot(report) {
  const plot = $("#plot");
  const [W, H, L, B, T] = [640, 200, 34, 22, 10];
  const start = new Date(report.start_time).getTime();
  const points = report.risk_history.map((p) => [new Date(p.at).getTime(), p.total_risk_score]);
  const endTime = report.end_time ? new Date(report.end_time).getTime() : Date.now();
  const end = Math.max(endTime, ...points.map((p) => p[0]), start + 60000);
  const x = (t) => L + ((t - start) / (end - start)) * (W - L - 8);
  // A click on the plot plays the recording from that moment.
  plot.onclick = (event) => {
    const box = plot.getBoundingClientRect();
    const t = start + (((event.clientX - box.left) / box.width) * W - L) / (W - L - 8) * (end - start);
    player.seek(Math.max(0, (t - start) / 1000), true);
  };
  const y = (v) => T + (1 - v / 100) * (H - T - B);
  const nodes = [];
  for (const v of [0, ...LEVEL_LINES, 100]) {
    nodes.push(svg("line", { x1: L, x2: W - 8, y1: y(v), y2: y(v), class: v ? "grid-line" : "axis" }));
    nodes.push(svg("text", { x: 4, y: y(v) + 4 }, String(v)));
  }
  for (const fraction of [0, 0.5, 1]) {
    const t = start + fraction * (end - start);
    nodes.push(svg("text", { x: Math.min(x(t), W - 40), y: H - 4 }, offset((t - start) / 1000)));
  }
  let path = `M ${x(start)} ${y(0)}`;
  let last = 0;
  for (const [t, v] of points) { path += ` H ${x(t)} V ${y(v)}`; last = v; }
  path += ` H ${x(end)}`;
  nodes.push(svg("path", { d: `${path} V ${y(0)} Z`, class: "area" }));
  nodes.push(svg("path", { d: path, class: "line" }));
  nodes.push(svg("title", {}, `Current score ${last.toFixed(1)}`));
  plot.replaceChildren(...nodes);
}

function render(report) {
  view.report = report;
  const { candidate, risk } = report;
  document.title = `${candidate.full_name} · Interview Monitor`;
  $("#candidate").textContent = candidate.full_name;
  $("#meta").textContent = `${candidate.email} · session #${report.session_id} · started ${formatTime(report.start_time)}` +
    (report.end_time ? ` · ended ${formatTime(report.end_time)}` : "") + ` · ${report.status.replace("_", " ").toLowerCase()}`;
  $("#end").classList.toggle("hidden", report.status !== "IN_PROGRESS");
  $("#score").textContent = risk.total_risk_score.toFixed(1);
  $("#score").className = `value ${risk.risk_level}`;
  $("#level").replaceChildren(el("span", { class: `badge ${risk.risk_level}` }, `${risk.risk_level} risk`));
  $("#contributions").replaceChildren(...(risk.contributions.length ? risk.contributions.map((c) =>
    el("div", { class: "contrib" }, el("strong", {}, `+${c.points.toFixed(1)} · ${c.label}`),
      el("div", { class: "muted small" }, c.explanation))) : [el("p", { class: "muted" }, "Nothing raised the score.")]));
  drawPlot(report);
  renderKindFilter(report.review.incidents);
  renderTimeline();
  renderReview(report.review, { sessionId, start: report.start_time, reload: load });
  const sessionEnd = report.end_time ? secondsFromStart(report.end_time) : (Date.now() - new Date(report.start_time)) / 1000;
  const parts = report.review.incidents.flatMap((incident) => incident.parts);
  player.load().then(() => player.mark(parts.map((part) =>
    ({ at: secondsFromStart(part.start), label: part.label, onclick: () => showDetail(part.ref) })), sessionEnd))
    .catch((e) => toast(e.message));
  renderAnswers(report.answer_evaluations);
  $("#transcripts").replaceChildren(...(report.transcripts.length ? report.transcripts.map((t) =>
    el("div", { class: "transcript" }, el("span", { class: "muted small" }, offset(secondsFromStart(t.start_timestamp)) + "  "),
      t.is_voice_mismatch ? el("span", { class: "badge HIGH" }, "someone else answering") : null,
      t.is_multiple_speakers ? el("span", { class: "badge MEDIUM" }, "other voices") : null, " ", t.text_content))
    : [el("p", { class: "muted" }, "No speech transcribed yet.")]));
  renderLive();
}

function renderKindFilter(incidents) {
  const select = $("#kind");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, "Every kind"),
    ...kindsOf(incidents).map(([kind, label]) => el("option", { value: kind }, label)));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
}

// A span when the candidate's stream was cut off: nothing was watched or recorded then.
function dropEntry(drop) {
  const seconds = ((drop.ended_at ? new Date(drop.ended_at) : new Date(view.report.end_time || Date.now())) - new Date(drop.started_at)) / 1000;
  return el("li", { class: "drop" }, el("span", { class: "when" }, offset(secondsFromStart(drop.started_at))),
    el("div", {}, el("div", { class: "what" }, `${drop.kind === "video" ? "Camera" : "Microphone"} stream dropped`),
      el("div", { class: "detail" }, drop.ended_at ? `for ${seconds.toFixed(0)} s` : "not back yet")));
}

function renderTimeline() {
  const { incidents } = view.report.review;
  const flags = incidents.reduce((n, i) => n + i.parts.length, 0);
  const shown = renderIncidents($("#timeline"), incidents, { start: view.report.start_time, kind: $("#kind").value,
    selected: view.selected, onSelect: (ref, incident) => showDetail(ref, incident) });
  $("#timeline").append(...(view.report.stream_drops || []).map(dropEntry));
  $("#flag-count").textContent = `${flags} flag${flags === 1 ? "" : "s"} in ${incidents.length} incident${incidents.length === 1 ? "" : "s"}` +
    (shown < incidents.length ? ` · ${shown} shown` : "");
}

async function snapshotUrl(url) {
  if (!view.snapshots.has(url)) view.snapshots.set(url, URL.createObjectURL(await api(url, { as: "blob" })));
  return view.snapshots.get(url);
}

async function showDetail(ref, incident) {
  view.selected = ref;
  if (incident) { view.incident = incident; noteOn(incident); }
  const flag = view.report.timeline.find((f) => f.ref === ref);
  renderTimeline();
  $(`#timeline [data-ref="${ref}"]`)?.focus();
  player.seek(secondsFromStart(flag.at)).catch((e) => toast(e.message));
  const image = el("img", { class: "snapshot", alt: "Evidence snapshot" });
  const rows = [["What", flag.label], ["When", `${offset(secondsFromStart(flag.at))} into the interview`],
    ["Duration", flag.duration_ms ? `${(flag.duration_ms / 1000).toFixed(1)} s` : "—"],
    ["Confidence", flag.confidence !== null && flag.confidence !== undefined ? `${flag.confidence.toFixed(1)}%` : "—"],
    ["Source", flag.source]];
  if (flag.text) rows.push([flag.table === "audio_transcripts" ? "Said" : "Details", flag.text]);
  const review = flag.dismissed
    ? el("div", {}, el("p", { class: "muted", id: "dismissal" }, `Dismissed by ${flag.dismissed.by_name} ${formatTime(flag.dismissed.at)}` +
        (flag.dismissed.reason ? `: ${flag.dismissed.reason}` : " (no reason given)")),
      el("button", { type: "button", class: "btn", id: "restore", onclick: () => flagAction(flag, "restore") }, "Undo dismissal"))
    : el("form", { id: "dismiss-form", onsubmit: (event) => { event.preventDefault(); flagAction(flag, "dismiss", $("#dismiss-reason").value); } },
      el("label", { for: "dismiss-reason" }, "Why is this flag not a concern? (kept with the report)"),
      el("input", { id: "dismiss-reason", maxlength: 2000 }),
      el("button", { type: "submit", class: "btn danger", style: "margin-top:.6rem" }, "Dismiss flag"));
  $("#detail").replaceChildren(el("h2", {}, "Flag detail"),
    flag.snapshot_url ? image : el("p", { class: "muted" }, "No snapshot for this flag."),
    el("dl", { class: "kv", style: "margin:1rem 0" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])), review);
  if (flag.snapshot_url) image.src = await snapshotUrl(flag.snapshot_url);
}

async function flagAction(flag, action, reason) {
  const path = `/api/interview/${sessionId}/flags/${KIND_PATH[flag.table]}/${flag.id}/${action}`;
  await api(path, { method: "POST", json: action === "dismiss" ? { reason } : undefined });
  toast(action === "dismiss" ? "Flag dismissed; the score was recomputed." : "Dismissal undone; the flag counts again.");
  await load();
  showDetail(flag.ref);
}

function renderAnswers(answers) {
  $("#answers").replaceChildren(...(answers.length ? answers.map((a) => {
    const score = a.ai_relevance_score ?? 0;
    const level = score >= 60 ? "LOW" : score >= 30 ? "MEDIUM" : "HIGH"; // colour: a good answer is green
    return el("div", { class: "answer" }, el("strong", {}, a.question_text || a.question_id),
      el("blockquote", {}, a.candidate_answer || "(no answer)"),
      el("div", { class: "score" }, el("div", { class: `bar ${level}` }, el("span", { style: `width:${score}%` })),
        el("strong", {}, `${score.toFixed(0)} / 100 relevance`)),
      el("p", { class: "muted small" }, a.ai_feedback || ""),
      a.cadence ? el("p", { class: "small cadence" }, cadenceText(a.cadence)) : null);
  }) : [el("p", { class: "muted" }, "No answers yet.")]));
}

function cadenceText(c) {
  const delay = c.first_key_ms !== null ? `first key after ${(c.first_key_ms / 1000).toFixed(1)} s` :
    c.first_speech_ms !== null ? `first speech after ${(c.first_speech_ms / 1000).toFixed(1)} s` : "no input";
  return [`How it arrived: ${c.verdict.replaceAll("_", " ")}`, delay, `${c.typed_chars} typed, ${c.bulk_chars} pasted or at once`,
    c.cps_bursts_p95 !== null ? `bursts up to ${c.cps_bursts_p95} characters/s` : null, `${c.pauses} pauses`].filter(Boolean).join(" · ");
}

function renderLive() {
  const streams = Object.entries(view.live || {});
  const connected = streams.some(([, s]) => s.connected);
  // A stream seen once and now gone, in a session still running: the candidate dropped.
  const dropped = view.report && view.report.status === "IN_PROGRESS" ? streams.filter(([, s]) => !s.connected) : [];
  $("#live-badge").replaceChildren(connected ? el("span", { class: "badge live" }, "Live") : "",
    ...dropped.map(([kind]) => el("span", { class: "badge HIGH", role: "status" }, `${kind === "video" ? "Camera" : "Microphone"} stream dropped`)));
  $("#live-counts").textContent = streams.map(([k, s]) =>
    `${k}: ${s.processed} processed${s.skipped ? `, ${s.skipped} skipped` : ""}`).join(" · ");
}

async function load() {
  render(await api(`/api/interview/${sessionId}/report`));
}

let reloadTimer = null;
function watch() {
  const socket = openSocket(`/ws/review/${sessionId}`);
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.live) { view.live = message.live; renderLive(); }
    if (["flags", "answer", "hello", "browser", "drop"].includes(message.type)) {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => load().catch((e) => toast(e.message)), 150);
    }
  };
  socket.onclose = (event) => { if (![4401, 4403, 4404].includes(event.code)) setTimeout(watch, 3000); };
}

$("#kind").addEventListener("change", renderTimeline);
$("#html-report").addEventListener("click", () => openHtmlReport(sessionId).catch((e) => toast(e.message)));
$("#pdf").addEventListener("click", async () => {
  const blob = await api(`/api/interview/${sessionId}/report?format=pdf`, { as: "blob" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `interview-${sessionId}-report.pdf` });
  document.body.append(link);
  link.click();
  link.remove();
});
$("#end").addEventListener("click", async () => {
  if (!confirm("End this session now? The candidate's stream will be closed.")) return;
  await api(`/api/interview/${sessionId}/end`, { method: "POST", json: { status: "TERMINATED" } });
  toast("Session ended.");
  load();
});

load().catch((e) => { $("#candidate").textContent = e.message; });
api(`/api/review/${sessionId}/views`, { method: "POST" }).catch((e) => toast(e.message));
watch();
