import { $, auth, homeFor, signIn } from "/static/api.js";

const params = new URLSearchParams(location.search);

function go(user) {
  const next = params.get("next");
  const allowed = next && next.startsWith("/") && !next.startsWith("//") &&
    (user.role === "candidate" ? next.startsWith("/candidate") : next.startsWith("/review"));
  location.replace(allowed ? next : homeFor(user));
}

const current = auth.load();
if (current) go(current.user);
if (params.get("expired")) $("#error").textContent = "Your session expired: sign in again.";

$("#signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("#error").textContent = "";
  try {
    go(await signIn($("#username").value.trim(), $("#password").value));
  } catch (error) {
    $("#error").textContent = error.message;
  }
});
$("#submit").disabled = false;
