import { $, ApiError, api, requireUser, signOut } from "/static/api.js";
import { Microphone, Streamer, captureJpeg, openDevices } from "/static/media.js";
import { PageTelemetry } from "/static/telemetry.js";
import { TypingRecorder } from "/static/typing.js";
import { AnswerOutbox } from "/static/outbox.js";
import { Recorder } from "/static/recorder.js";

const { user } = requireUser(["candidate"]);
const QUESTION_COUNT = Number(new URLSearchParams(location.search).get("questions")) || 5;
const SESSION_KEY = "interview-monitor.session";
const SPOKEN_ANSWER_WAIT_MS = 4000;
// The sentence read aloud at the check is the voice print the interview's audio is judged
// against (5-8 s of speech; the server asks for another reading if it is not good enough).
const READING_MS = 8000;
const OFFLINE = "The connection dropped. Your answers are kept on this device and will be sent when it is back.";
const typing = new TypingRecorder($("#answer"));
const state = {
  media: null, checkMic: null, streamer: null, session: null, questions: [], index: 0, shownAt: null,
  checkFrame: null, reading: null, voiceSample: null,
};

$("#who").textContent = user.full_name;
$("#signout").addEventListener("click", signOut);
$("#agree").addEventListener("change", (event) => { $("#to-check").disabled = !event.target.checked; });
$("#to-check").addEventListener("click", startCheck);
$("#start").addEventListener("click", startInterview);
$("#record-voice").addEventListener("click", recordReading);
$("#submit").addEventListener("click", submitAnswer);

function step(name) {
  const order = ["consent", "check", "interview"];
  for (const section of ["consent", "check", "interview", "done"]) $("#" + section).classList.toggle("hidden", section !== name);
  order.forEach((id, i) => {
    const node = $("#step-" + id);
    node.className = id === name ? "on" : order.indexOf(name) > i || name === "done" ? "done" : "";
  });
}

function mark(id, ok, text) {
  const node = $("#" + id);
  node.className = ok ? "ok" : ok === false ? "bad" : "";
  if (text) node.textContent = text;
  $("#start").disabled = !["check-camera", "check-face", "check-sound"].every((c) => $("#" + c).className === "ok");
}

async function startCheck() {
  step("check");
  try {
    state.media = await openDevices();
  } catch (error) {
    mark("check-camera", false, "Camera or microphone blocked");
    $("#check-error").textContent = "Allow camera and microphone access in the browser, then reload this page.";
    return;
  }
  $("#preview").srcObject = state.media;
  mark("check-camera", true, "Camera on");
  state.checkMic = new Microphone(state.media, (pcm, level) => {
    $("#level").style.width = Math.min(100, level * 400) + "%";
    if (level > 0.01) mark("check-sound", true, "Sound heard");
    if (state.reading) state.reading.push(pcm);
  });
  await state.checkMic.start();
  checkFace();
}

async function checkFace() {
  if ($("#check").classList.contains("hidden")) return;
  const video = $("#preview");
  if (video.readyState >= 2) {
    try {
      const frame = await captureJpeg(video, 0.85);
      const result = await api("/api/live/face-check", {
        method: "POST", body: frame, headers: { "Content-Type": "image/jpeg" },
      });
      mark("check-face", result.ok, result.ok ? "Face visible" : result.message);
      // The last frame with the candidate alone in view becomes the session's reference face.
      if (result.ok) state.checkFrame = frame;
    } catch (error) {
      $("#check-error").textContent = error.message;
    }
  }
  setTimeout(checkFace, 1500);
}

async function recordReading() {
  $("#record-voice").disabled = true;
  $("#voice-message").textContent = "Recording… read the sentence now.";
  state.reading = [];
  await new Promise((resolve) => setTimeout(resolve, READING_MS));
  const sample = new Blob(state.reading, { type: "application/octet-stream" });
  state.reading = null;
  try {
    const result = await api("/api/live/voice-check", {
      method: "POST", body: sample, headers: { "Content-Type": "application/octet-stream" },
    });
    mark("check-voice", result.ok, result.ok ? "Voice sample recorded" : "Voice sample: please read again");
    $("#voice-message").textContent = result.message;
    state.voiceSample = result.ok ? sample : null;
  } catch (error) {
    $("#voice-message").textContent = error.message;
  } finally {
    $("#record-voice").disabled = false;
  }
}

async function openSession() {
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  if (saved) {
    try {
      const existing = await api(`/api/interview/${saved.id}`);
      if (existing.status === "IN_PROGRESS") return { ...saved, start: existing.start_time };
    } catch (error) { if (!(error instanceof ApiError)) throw error; }
  }
  const created = await api("/api/interview/start", { method: "POST", json: { title: "Interview" } });
  return { id: created.session_id, index: 0, start: created.start_time };
}

async function startInterview() {
  $("#start").disabled = true;
  // Only a click may ask for full screen, so it is asked here, before anything is awaited.
  if (document.body.dataset.fullscreen === "true") document.documentElement.requestFullscreen().catch(() => {});
  await state.checkMic.stop();
  try {
    state.session = await openSession();
    await sendReferenceFace(state.session.id);
    if (state.voiceSample) {
      await api(`/api/interview/${state.session.id}/voice-enrolment`, {
        method: "POST", body: state.voiceSample, headers: { "Content-Type": "application/octet-stream" },
      });
    }
    state.questions = (await api(`/api/questions?limit=${QUESTION_COUNT}`));
  } catch (error) {
    $("#check-error").textContent = error instanceof ApiError ? error.message
      : "The server cannot be reached. Check your connection, then press Start again.";
    $("#start").disabled = false;
    return;
  }
  state.index = Math.min(state.session.index, state.questions.length - 1);
  $("#self").srcObject = state.media;
  $("#pip").classList.remove("hidden");
  const connection = $("#connection");
  connection.classList.remove("hidden");
  state.streamer = new Streamer(state.session.id, $("#self"), state.media, (kind, status, detail) => {
    if (status === "refused" && detail.code === 4409) return endedByInterviewer();
    connection.className = "connection " + (status === "live" ? "on" : "off");
    connection.textContent = status === "live" ? "Connected" : status === "reconnecting" ? "Reconnecting…" : "Not connected";
  });
  await state.streamer.start();
  state.telemetry = new PageTelemetry(state.session.id, {
    heartbeatMs: Number(document.body.dataset.heartbeatMs), framesSent: () => state.streamer.takeFramesSent(),
    wantFullscreen: document.body.dataset.fullscreen === "true",
  });
  state.telemetry.start();
  state.outbox = new AnswerOutbox(state.session.id, showSync);
  state.outbox.flush();
  state.recorder = new Recorder(state.session.id, state.session.start, state.media, showSync);
  state.recorder.start();
  step("interview");
  showQuestion();
}

async function sendReferenceFace(sessionId) {
  if (!state.checkFrame) return;
  try {
    await api(`/api/interview/${sessionId}/reference-face?source=system_check`, {
      method: "POST", body: state.checkFrame, headers: { "Content-Type": "image/jpeg" },
    });
  } catch (error) {
    // Without it the first stable face in the stream is the reference: not worth stopping for.
    if (!(error instanceof ApiError)) throw error;
  }
}

function showQuestion() {
  const question = state.questions[state.index];
  const last = state.index === state.questions.length - 1;
  $("#counter").textContent = `Question ${state.index + 1} of ${state.questions.length}`;
  $("#progress").style.width = `${(100 * state.index) / state.questions.length}%`;
  $("#question").textContent = question.question;
  $("#answer").value = "";
  $("#submit").textContent = last ? "Submit and finish" : "Submit answer";
  state.shownAt = new Date().toISOString();
  typing.shown();
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ id: state.session.id, index: state.index }));
}

async function submitAnswer() {
  const question = state.questions[state.index];
  $("#submit").disabled = true;
  $("#answer-error").textContent = "";
  try {
    if (!$("#answer").value.trim()) {
      // Speech is transcribed after a short pause: give the last sentence time to arrive.
      $("#answer-error").textContent = "Finishing the transcript of your spoken answer…";
      await new Promise((resolve) => setTimeout(resolve, SPOKEN_ANSWER_WAIT_MS));
      $("#answer-error").textContent = "";
    }
    await state.outbox.submit({
      question_id: question.id, answer: $("#answer").value, spoken_since: state.shownAt, cadence: typing.finish(),
    });
    if (state.index === state.questions.length - 1) await finish();
    else { state.index += 1; showQuestion(); }
  } catch (error) {
    $("#answer-error").textContent = error instanceof ApiError ? error.message : OFFLINE;
  } finally {
    $("#submit").disabled = false;
  }
}

// What is still on its way: answers kept on this device, recording segments waiting.
function showSync() {
  const answers = state.outbox ? state.outbox.waiting.length : 0;
  const segments = state.recorder ? state.recorder.waiting.length : 0;
  $("#sync-status").textContent = answers ? `${OFFLINE} (${answers} waiting)`
    : segments > 1 ? "Saving the recording…" : "";
}

async function finish() {
  $("#submit").disabled = true;
  await state.outbox.sendAll();
  await state.recorder.finish();
  await state.streamer.finish();
  await api(`/api/interview/${state.session.id}/end`, { method: "POST", json: { status: "COMPLETED" } });
  closeInterview();
}

async function endedByInterviewer() {
  if (state.ended) return;
  state.ended = true;
  await state.recorder?.finish(); // none yet if the session ended as the streams opened
  await state.streamer.finish();
  closeInterview();
  $("#done-message").textContent = "The interviewer has ended this session. Thank you for your time.";
}

function closeInterview() {
  state.ended = true;
  state.telemetry?.stop();
  sessionStorage.removeItem(SESSION_KEY);
  for (const track of state.media.getTracks()) track.stop();
  $("#pip").classList.add("hidden");
  $("#connection").classList.add("hidden");
  step("done");
}
