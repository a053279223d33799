// The daemon's read-only web view: draws /state.json (io.jsanlock.daemon.web.StateJson) and
// fetches it again every two seconds. Text goes in with textContent only (names are untrusted bytes).
"use strict";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// A bar filled to value/max, with marks at the given fractions; cls picks the colour.
function bar(value, max, cls, marks, title) {
  const b = el("span", {class: "bar", title: title});
  const fill = el("span", {class: "fill " + cls});
  fill.style.width = Math.max(0, Math.min(100, 100 * value / max)) + "%";
  b.append(fill);
  for (const m of marks || []) {
    const k = el("span", {class: "mark"});
    k.style.left = Math.min(99, 100 * m) + "%";
    b.append(k);
  }
  return b;
}

// Renewal time (read + write) of the last renewals, against the warning share of io_timeout.
function sparkline(renewals, ioTimeout, warnPercent) {
  const w = 240, h = 40, ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("class", "spark");
  const ms = renewals.map(r => r.readMs + r.writeMs);
  const warnMs = ioTimeout * 1000 * warnPercent / 100;
  const top = Math.max(warnMs * 1.2, ...ms, 1);
  const y = v => (h - 2 - (h - 4) * v / top).toFixed(1);
  const warn = document.createElementNS(ns, "line");
  warn.setAttribute("x1", 0); warn.setAttribute("x2", w); warn.setAttribute("y1", y(warnMs)); warn.setAttribute("y2", y(warnMs));
  warn.setAttribute("stroke", "#e0a400"); warn.setAttribute("stroke-dasharray", "4 3");
  svg.append(warn);
  if (ms.length > 0) {
    const step = ms.length > 1 ? w / (ms.length - 1) : 0;
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", ms.map((v, i) => (i * step).toFixed(1) + "," + y(v)).join(" "));
    line.setAttribute("fill", "none"); line.setAttribute("stroke", "#2a6fb0"); line.setAttribute("stroke-width", "1.5");
    svg.append(line);
  }
  const t = document.createElementNS(ns, "title");
  t.textContent = "renewal time (read+write) of the last " + ms.length + " renewals; dashed: " + warnPercent + "% of io_timeout";
  svg.append(t);
  return svg;
}

function ageClass(age, warnAt, failAt) {
  return age < 0 ? "bad" : age >= failAt ? "bad" : age >= warnAt ? "warn" : "ok";
}

function lockspace(ls, warnPercent) {
  const s = el("section", {class: "ls", "data-lockspace": ls.name});
  s.append(el("h2", {}, "lockspace " + ls.name));
  s.append(el("div", {class: "meta"}, "host_id " + ls.hostId + " generation " + ls.generation + " · io_timeout " +
      ls.ioTimeout + " s · " + ls.state));
  const t = el("table", {});
  if (ls.headroom !== undefined) {
    const max = ls.failAt;
    const cls = ls.headroom <= max - ls.warnAt ? "bad" : ls.headroom <= max / 2 ? "warn" : "ok";
    t.append(el("tr", {}, el("th", {}, "headroom"),
        el("td", {class: "num headroom"}, ls.headroom + " s of " + max + " s"),
        el("td", {}, bar(ls.headroom, max, cls, [], ls.headroom + " s of " + max + " s left before holders are killed"))));
    const worst = Math.max(ls.readFraction, ls.writeFraction);
    t.append(el("tr", {}, el("th", {}, "last renewal"),
        el("td", {class: "num"}, "read " + Math.round(100 * ls.readFraction) + "% · write " +
            Math.round(100 * ls.writeFraction) + "% of io_timeout"),
        el("td", {}, bar(worst, 1, worst * 100 > warnPercent ? "warn" : "ok", [warnPercent / 100],
            "warning above " + warnPercent + "%"))));
    t.append(el("tr", {}, el("th", {}, "renewals"),
        el("td", {class: "num"}, ls.slowRenewals + " slow · " + ls.failedRenewals + " failed"),
        el("td", {}, sparkline(ls.renewals, ls.ioTimeout, warnPercent))));
  }
  s.append(t);

  s.append(el("h3", {}, "hosts"));
  const hosts = el("table", {class: "hosts"},
      el("tr", {}, ...["host_id", "name", "generation", "state", "renewal age", ""].map(x => el("th", {}, x))));
  for (const h of ls.hosts) {
    hosts.append(el("tr", {"data-host-id": h.hostId},
        el("td", {class: "num"}, h.hostId + (h.self ? " (this host)" : "")),
        el("td", {}, h.name),
        el("td", {class: "num"}, h.generation),
        el("td", {class: "state-" + h.state}, h.state),
        el("td", {class: "num"}, h.age < 0 ? "never seen" : h.age + " s"),
        // full at 8N + 25%: the marks at 6N and 8N stay readable whatever W adds before "dead"
        el("td", {}, bar(Math.max(h.age, 0), h.failAt * 1.25, ageClass(h.age, h.warnAt, h.failAt),
            [h.warnAt / (h.failAt * 1.25), 0.8],
            "marks at 6·io_timeout (" + h.warnAt + " s) and 8·io_timeout (" + h.failAt + " s); dead at " + h.deadAt + " s"))));
  }
  s.append(hosts);

  s.append(el("h3", {}, "resources held here"));
  const res = el("table", {class: "resources"},
      el("tr", {}, ...["resource", "owner host_id", "generation", "lver", "mode"].map(x => el("th", {}, x))));
  for (const r of ls.resources) {
    res.append(el("tr", {"data-resource": r.name}, el("td", {}, r.name), el("td", {class: "num"}, r.owner),
        el("td", {class: "num"}, r.generation), el("td", {class: "num"}, r.lver), el("td", {}, r.mode)));
  }
  if (ls.resources.length === 0) res.append(el("tr", {}, el("td", {colspan: 5}, "none")));
  s.append(res);
  return s;
}

function render(st) {
  document.getElementById("host").textContent = st.host;
  document.getElementById("meta").textContent = st.lockspaces.length + " lockspace(s) · " + st.connections +
      " client connection(s) · watchdog " + (st.watchdog ? "on" : "off") + " · renewal warning above " + st.warnPercent + "%";
  const box = document.getElementById("lockspaces");
  box.replaceChildren(...st.lockspaces.map(ls => lockspace(ls, st.warnPercent)));
  const body = document.querySelector("#holders tbody");
  body.replaceChildren(...st.holders.map(h => el("tr", {"data-pid": h.pid}, el("td", {class: "num"}, h.pid),
      el("td", {}, h.name), el("td", {}, h.command), el("td", {}, h.leases.join(" ")))));
  document.body.setAttribute("data-rendered", "1");
}

async function refresh() {
  try {
    const r = await fetch("state.json", {cache: "no-store"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
    document.getElementById("error").textContent = "";
  } catch (e) {
    document.getElementById("error").textContent = "cannot reach the daemon: " + e.message;
  }
}

refresh();
setInterval(refresh, 2000);
