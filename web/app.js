// app.js -- the lookup page: asks /api/v1/lookup and says what it found
// in plain words; sends removal requests to /api/v1/requests.
"use strict";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// "2026-12-01T14:03:00Z" -> "2026-12-01 14:03 UTC"
function when(iso) {
  return iso.slice(0, 10) + " " + iso.slice(11, 16) + " UTC";
}

// How long before `now`: "2 hours ago", "just now".
function ago(iso, now) {
  let s = Math.max(0, (Date.parse(now) - Date.parse(iso)) / 1000);
  const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [name, len] of units) {
    if (s >= len) {
      const n = Math.floor(s / len);
      return n + " " + name + (n === 1 ? "" : "s") + " ago";
    }
  }
  return "just now";
}

function plural(n, one, many) {
  return n + " " + (n === 1 ? one : many);
}

// One zone's sentence from the datasets that list the item in it.
function zoneText(zone, byName, now) {
  if (!zone.listed) return "Not listed in " + zone.zone + ".";
  const ds = zone.datasets.map((n) => byName[n]).filter(Boolean);
  let since = null, until = null, trap = null;
  for (const d of ds) {
    if (d.since && (!since || d.since < since)) since = d.since;
    if (d.until && (!until || d.until > until)) until = d.until;
    if (d.trap && d.listed) trap = d.trap;
  }
  let s = "Listed in " + zone.zone;
  if (since) s += " since " + when(since);
  if (trap) {
    s += ": " + plural(trap.hits, "spam-trap hit", "spam-trap hits");
    if (trap.last_hit) s += ", last one " + ago(trap.last_hit, now);
  }
  if (until) s += (trap ? "; " : ": ") + "ends " + when(until);
  return s + ".";
}

function showResult(data) {
  const box = document.getElementById("result");
  box.replaceChildren();
  const byName = {};
  for (const d of data.datasets) byName[d.dataset] = d;
  const listed = data.zones.filter((z) => z.listed).length;
  box.append(el("p", "summary", listed
    ? data.query + " is listed in " + plural(listed, "zone", "zones") + "."
    : data.query + " is not listed in any of our zones."));
  for (const z of data.zones) {
    const card = el("div", "zone " + (z.listed ? "listed" : "clean"));
    card.append(el("div", "what", zoneText(z, byName, data.now)));
    const txts = [...new Set(z.answers.map((a) => a.txt).filter(Boolean))];
    for (const t of txts) card.append(el("p", "why", "Reason given: " + t));
    const codes = [...new Set(z.answers.map((a) => a.a))]
      .filter((a) => z.codes && z.codes[a]);
    for (const a of codes) {
      card.append(el("p", "why", "Return code " + a + ": " + z.codes[a]));
    }
    for (const n of z.datasets) {
      const r = byName[n] && byName[n].trap && byName[n].trap.rdns;
      if (r) card.append(el("p", "why", "Reverse DNS: " + (r.name
        ? r.name + (r.status === "confirmed" ? " (forward-confirmed)"
                                             : " (does not resolve back)")
        : r.status)));
    }
    box.append(card);
  }
  // Trap hits below the listing threshold are worth a word too.
  for (const d of data.datasets) {
    if (!d.listed && d.trap) {
      box.append(el("p", "why", "Not listed, but our spam traps saw " +
        plural(d.trap.hits, "hit", "hits") + " from it, the last one " +
        ago(d.trap.last_hit, data.now) + "."));
    }
  }
  box.hidden = false;
  const removal = document.getElementById("removal");
  removal.hidden = !data.listed;
  document.getElementById("r-item").value = data.query;
  document.getElementById("request-result").hidden = true;
}

function showError(box, msg) {
  box.replaceChildren(el("p", "error", msg));
  box.hidden = false;
}

async function call(url, opts) {
  const res = await fetch(url, opts);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new Error(body && body.error ? body.error
                               : "the server answered " + res.status);
  return body;
}

async function lookup(ev) {
  ev.preventDefault();
  const q = document.getElementById("q").value.trim();
  const box = document.getElementById("result");
  if (!q) return;
  try {
    showResult(await call("/api/v1/lookup/" + encodeURIComponent(q)));
  } catch (e) {
    document.getElementById("removal").hidden = true;
    showError(box, "Cannot look that up: " + e.message);
  }
}

async function request(ev) {
  ev.preventDefault();
  const out = document.getElementById("request-result");
  const body = { item: document.getElementById("r-item").value.trim(),
                 message: document.getElementById("r-message").value.trim() };
  const contact = document.getElementById("r-contact").value.trim();
  if (contact) body.contact = contact;
  try {
    const r = await call("/api/v1/requests", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    out.className = "ok";
    out.textContent = r.status === "delisted"
      ? "Done: " + r.item + " was removed from " + r.delisted.join(", ") +
        " at once (request #" + r.id + ")."
      : "Thank you: request #" + r.id + " for " + r.item +
        " was recorded, and the operator will review it.";
  } catch (e) {
    out.className = "error";
    out.textContent = "The request was not sent: " + e.message;
  }
  out.hidden = false;
  out.scrollIntoView({ block: "nearest" });
}

document.getElementById("lookup").addEventListener("submit", lookup);
document.getElementById("request").addEventListener("submit", request);
const start = new URLSearchParams(location.search).get("q");
if (start) {
  document.getElementById("q").value = start;
  lookup(new Event("submit"));
}
