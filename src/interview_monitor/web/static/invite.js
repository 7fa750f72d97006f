// An invitation link (/invite/<token>) signs the candidate in once, then opens their interview.
import { $, auth } from "/static/api.js";

const token = decodeURIComponent(location.pathname.split("/").pop());
// The link works once: keep the token out of the history so a reload cannot reuse it.
history.replaceState(null, "", "/");

try {
  const response = await fetch("/api/invitations/accept", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail.map((d) => d.msg).join("; "));
  auth.save(body.access_token, body.user);
  location.replace("/candidate");
} catch (error) {
  $("#invite-status").textContent = "";
  $("#error").textContent = error instanceof TypeError
    ? "The server cannot be reached. Check your connection and open the link again." : error.message;
}
