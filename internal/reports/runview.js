"use strict";
// Draws the space-time diagram of one run from the data Go embedded in the
// page (see runview.go): lanes per node, time flowing down, time-scaled with
// idle stretches compressed (or one row per event), spans for intervals,
// and the events a finding names highlighted.
(function () {
  const D = JSON.parse(document.getElementById("run-data").textContent);
  const F = 7, N = D.ev.length / F;
  const T = new Float64Array(N);
  for (let i = 0, acc = 0; i < N; i++) { acc += D.ev[i * F]; T[i] = acc; }
  const kindOf = (i) => D.ev[i * F + 1], nodeOf = (i) => D.ev[i * F + 2], peerOf = (i) => D.ev[i * F + 3];
  const idOf = (i) => D.ev[i * F + 4], strOf = (i) => D.ev[i * F + 5], dropOf = (i) => D.ev[i * F + 6];
  const KIND = ["start", "send", "deliver", "drop", "timer", "crash", "restart", "pause", "resume", "fault", "observe"];
  const DROP = ["", "lost", "partitioned", "partitioned in flight", "receiver down", "no such node"];
  const K = { start: 0, send: 1, deliver: 2, drop: 3, timer: 4, crash: 5, restart: 6, pause: 7, resume: 8, fault: 9, observe: 10 };
  const name = (id) => (id >= 0 && id < D.names.length ? D.names[id] : "node(" + id + ")");
  const payload = (i) => (strOf(i) < 0 ? "<nil>" : D.strs[strOf(i)]);
  const fmtTime = (ns) => {
    const s = Math.floor(ns / 1e9), r = Math.round(ns - s * 1e9);
    return String(s).padStart(4, " ") + "." + String(r).padStart(9, "0");
  };
  const secs = (ns) => fmtTime(ns).trim() + "s";
  // line is the canonical trace line of event i, as sim.Trace.Format writes it.
  function line(i) {
    const k = kindOf(i);
    let s = fmtTime(T[i]) + " " + KIND[k] + " ";
    switch (k) {
      case K.send: case K.deliver: case K.drop:
        s += name(nodeOf(i)) + "->" + name(peerOf(i)) + " m" + idOf(i);
        if (dropOf(i) !== 0) s += " (" + DROP[dropOf(i)] + ")";
        return s + " " + payload(i);
      case K.timer: return s + name(nodeOf(i)) + " t" + idOf(i) + " " + payload(i);
      case K.observe: return s + name(nodeOf(i)) + " " + payload(i);
      case K.fault: return s + payload(i);
      case K.restart: return s + name(nodeOf(i)) + " incarnation " + idOf(i);
      case K.pause: return s + name(nodeOf(i)) + " for " + payload(i);
      default: return s + name(nodeOf(i));
    }
  }
  window.faultlineTraceLine = line; // the browser test compares it with Go's

  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const lower = (t) => { let a = 0, b = N; while (a < b) { const m = (a + b) >> 1; if (T[m] < t) a = m + 1; else b = m; } return a; };
  const upper = (t) => { let a = 0, b = N; while (a < b) { const m = (a + b) >> 1; if (T[m] <= t) a = m + 1; else b = m; } return a; };

  const state = { from: 0, to: D.end, mode: D.mode, hl: new Set(), finding: -1 };
  const svg = document.getElementById("diagram");
  const caption = document.getElementById("caption");
  const lanesDiv = document.getElementById("lanes");
  const TOP = 30, LEFT = 96, GAP = 44, GAPH = 26, CH = 6.6;
  let layout = null;

  // shorten drops trailing key=value tokens, then trailing tokens, but
  // keeps the first three (kind, subject, decision or verdict), so a label
  // never loses the word that matters; the whole line is on hover.
  function shorten(s, max) {
    if (s.length <= max) return s;
    let toks = s.split(" ");
    const long = () => toks.length > 3 && toks.join(" ").length > max;
    while (long() && toks[toks.length - 1].includes("=")) toks.pop();
    // A service@server token names where, not what: it goes before the key.
    for (let i = toks.length - 1; i > 0 && long(); i--) if (toks[i].includes("@") && !toks[i].includes("=")) toks.splice(i, 1);
    while (long()) toks.pop();
    const out = toks.join(" ");
    return out.length < s.length ? out + " …" : out;
  }

  function render() {
    const W = Math.max(640, document.documentElement.clientWidth - 40);
    const nl = D.names.length;
    const LW = Math.max(130, Math.min(260, Math.floor((W - LEFT - 20) / (nl + 0.9))));
    const X = (l) => LEFT + l * LW + LW / 2;
    const i0 = lower(state.from), i1 = upper(state.to);
    let n = i1 - i0;
    const rows = state.mode === "rows";
    const ROWCAP = 5000;
    const last = rows ? Math.min(i1, i0 + ROWCAP) : i1;
    const dense = !rows && n > 2500;
    const hidden = (i) => dense && !state.hl.has(i) && (kindOf(i) === K.send || kindOf(i) === K.timer || kindOf(i) === K.resume);
    // Vertical positions.
    const Y = new Float64Array(Math.max(0, last - i0));
    let gaps = [], tailGap = null, y = 0;
    const avail = Math.floor(window.innerHeight - (document.getElementById("wrap").getBoundingClientRect().top + window.scrollY) - 40);
    const H = dense ? 3200 : Math.max(320, Math.min(1000, avail));
    const span = Math.max(1, state.to - state.from);
    const minStep = rows ? 16 : Math.min(4, (0.4 * H) / Math.max(1, n));
    // Time-scaled: pixels per nanosecond chosen so the window fits H; a
    // gap longer than GAP pixels becomes a GAPH band marked idle. Gaps and
    // minimum steps are fixed costs, so the scale is refined a few times.
    let px = H / span;
    for (let pass = 0; pass < 4; pass++) {
      gaps = []; tailGap = null; y = TOP + 10;
      let prevT = state.from, fixed = 0, scaled = 0;
      for (let i = i0; i < last; i++) {
        let step = rows ? (i === i0 ? 0 : 16) : (T[i] - prevT) * px;
        if (!rows && step > GAP) { gaps.push({ y: y, dt: T[i] - prevT }); step = GAPH; fixed += GAPH; }
        else if (!rows && i > i0 && step < minStep) { step = minStep; fixed += minStep; }
        else scaled += step;
        y += step; Y[i - i0] = y; prevT = T[i];
      }
      if (!rows && (state.to - prevT) * px > GAP) { tailGap = { y: y, dt: state.to - prevT }; y += GAPH; fixed += GAPH; }
      else if (!rows) { y += (state.to - prevT) * px; scaled += (state.to - prevT) * px; }
      if (rows || y - TOP <= H * 1.05 || scaled <= 0 || fixed >= H) break;
      px *= Math.max(0.05, (H - fixed) / scaled);
    }
    const bottom = y + 24;
    const height = bottom + 10;
    const width = Math.max(W, LEFT + (nl + 0.9) * LW);
    layout = { i0: i0, last: last, Y: Y, X: X, LW: LW };
    const yOf = (t) => { // spans: interpolate between drawn events
      if (last <= i0) return TOP;
      if (t <= T[i0]) return t < state.from ? TOP : Y[0];
      if (t > T[last - 1]) return t > state.to ? bottom : Y[last - 1 - i0];
      const k = lower(t);
      if (T[k] === t || k === i0) return Y[k - i0];
      const a = k - 1, f = (t - T[a]) / (T[k] - T[a]);
      return Y[a - i0] + f * (Y[k - i0] - Y[a - i0]);
    };
    // Label placement: a grid of 2 px rows per column between lane centres;
    // highlighted labels go first and always, then spans, then the rest by
    // importance where they fit.
    const cols = nl + 1, rowsN = Math.ceil(height / 2) + 2;
    const occ = []; for (let c = 0; c < cols; c++) occ.push(new Uint8Array(rowsN));
    const colOf = (x) => Math.max(0, Math.min(cols - 1, Math.floor((x - LEFT + LW / 2) / LW)));
    function fits(x, y, w) {
      const r0 = Math.max(0, Math.floor((y - 10) / 2)), r1 = Math.min(rowsN - 1, Math.ceil((y + 3) / 2));
      for (let c = colOf(x); c <= colOf(x + w); c++) for (let r = r0; r <= r1; r++) if (occ[c][r]) return false;
      return true;
    }
    function take(x, y, w) {
      const r0 = Math.max(0, Math.floor((y - 10) / 2)), r1 = Math.min(rowsN - 1, Math.ceil((y + 3) / 2));
      for (let c = colOf(x); c <= colOf(x + w); c++) for (let r = r0; r <= r1; r++) occ[c][r] = 1;
    }
    const labels = []; // {x,y,text,cls,prio,full,ev}
    const out = [];
    out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#0969da"/></marker></defs>');
    // Background spans (down, partitioned) go under everything; bars go
    // over the message lines, so that a long span and its label stay
    // readable where many messages cross it.
    const bars = [];
    const spanOff = { down: 0, partition: 0, clock: -60, pause: -30, uncertain: -15, blocked: -15, belief: -15, holder: -15, lease: -45 };
    const SW = 13;
    D.spans.forEach((s, si) => {
      if (s.to < state.from || s.from > state.to) return;
      const y0 = Math.max(TOP, yOf(s.from)), y1 = Math.min(bottom, yOf(s.to));
      const h = Math.max(2, y1 - y0);
      const title = esc(s.label + ": " + secs(s.from) + " to " + (s.open ? "the end (" + secs(s.to) + ")" : secs(s.to)));
      const lanes = s.lane < 0 ? [...Array(nl).keys()] : [s.lane];
      for (const l of lanes) {
        const x = X(l);
        if (s.cls === "down" || s.cls === "partition") {
          out.push('<rect class="span ' + s.cls + '" data-span="' + si + '" x="' + (x - LW / 2 + 3) + '" y="' + y0 + '" width="' + (LW - 6) + '" height="' + h + '"><title>' + title + "</title></rect>");
        } else {
          bars.push('<rect class="span ' + s.cls + '" data-span="' + si + '" x="' + (x + spanOff[s.cls]) + '" y="' + y0 + '" width="' + SW + '" height="' + h + '" rx="2"><title>' + title + "</title></rect>");
        }
        // A long span carries its label along itself, rotated, beside
        // the bar, where event labels do not go; a short one gets a
        // horizontal label where it fits.
        const text = s.label + (s.open ? " …to the end" : "");
        const wide = s.cls === "down" || s.cls === "partition";
        const bx = wide ? x - LW / 2 + 16 : x + spanOff[s.cls] + 3;
        if (y1 - y0 > text.length * 6.1 + 12) {
          (wide ? out : bars).push('<text class="sl ' + s.cls + (wide ? "" : " inbar") + '" transform="rotate(90 ' + bx + " " + (y0 + 4) + ')" x="' + bx + '" y="' + (y0 + 4) + '">' + esc(text) + "<title>" + title + "</title></text>");
        } else {
          labels.push({ x: x + 8, y: Math.max(y0 + 11, TOP + 11), text: text, cls: "sl " + s.cls, prio: s.cls === "blocked" || s.cls === "belief" ? 0.5 : 1.5, full: false, title: title });
        }
      }
    });
    for (const g of gaps.concat(tailGap ? [tailGap] : [])) {
      out.push('<rect class="gap" x="' + (LEFT - 4) + '" y="' + (g.y + 3) + '" width="' + (width - LEFT) + '" height="' + (GAPH - 6) + '"/>');
      out.push('<text class="gapt" x="4" y="' + (g.y + GAPH / 2 + 4) + '">⋯ ' + esc((g.dt / 1e6).toFixed(g.dt < 1e7 ? 2 : 0)) + " ms idle</text>");
    }
    for (let l = 0; l < nl; l++) out.push('<line class="lane" x1="' + X(l) + '" y1="' + TOP + '" x2="' + X(l) + '" y2="' + bottom + '"/>');
    // Events.
    const sendY = new Map();
    let lastTick = -1e9, drawn = 0;
    for (let i = i0; i < last; i++) {
      const k = kindOf(i), yy = Y[i - i0], x = X(nodeOf(i));
      if (k === K.send) sendY.set(idOf(i), yy);
      if (yy - lastTick >= 64) { out.push('<text class="tick" x="4" y="' + (yy + 4) + '">' + esc(secs(T[i])) + "</text>"); lastTick = yy; }
      if (hidden(i)) continue;
      drawn++;
      const hl = state.hl.has(i);
      const t = "<title>" + esc(line(i)) + "</title>";
      const g = '<g class="ev k-' + KIND[k] + (hl ? " hl" : "") + '" data-i="' + i + '">';
      let mark = "", lx = x + 7, text = null, prio = 3;
      switch (k) {
        case K.send:
          if (dropOf(i) === 0) mark = '<circle cx="' + x + '" cy="' + yy + '" r="2.2" fill="#0969da"/>';
          break;
        case K.deliver: {
          const sy = sendY.has(idOf(i)) ? sendY.get(idOf(i)) : TOP;
          const xp = X(peerOf(i));
          mark = '<line x1="' + x + '" y1="' + sy + '" x2="' + xp + '" y2="' + yy + '" stroke="#0969da" marker-end="url(#arrow)"/>';
          lx = xp + 7; text = payload(i); prio = 2;
          break;
        }
        case K.drop: {
          let xc = x;
          const p = peerOf(i), why = dropOf(i);
          if (sendY.has(idOf(i)) && why !== 1 && why !== 2 && p >= 0 && p < nl) {
            xc = X(p);
            mark = '<line x1="' + x + '" y1="' + sendY.get(idOf(i)) + '" x2="' + xc + '" y2="' + yy + '" stroke="#cf222e" stroke-dasharray="4 3"/>';
          }
          mark += '<text class="x" x="' + xc + '" y="' + (yy + 4) + '" text-anchor="middle">✕</text>';
          lx = xc + 7; text = "✕ " + payload(i); prio = 3;
          break;
        }
        case K.timer: mark = '<circle cx="' + x + '" cy="' + yy + '" r="3" fill="#fff" stroke="#6e7781"/>'; break;
        case K.crash: mark = '<rect x="' + (x - 12) + '" y="' + (yy - 3) + '" width="24" height="6" fill="#cf222e"/>'; text = "crash"; prio = 1; break;
        case K.restart: case K.start:
          mark = '<rect x="' + (x - 12) + '" y="' + (yy - 3) + '" width="24" height="6" fill="#1a7f37"/>';
          if (k === K.restart) { text = "restart"; prio = 1; }
          break;
        case K.pause: case K.resume:
          mark = '<rect x="' + (x - 12) + '" y="' + (yy - 3) + '" width="24" height="6" fill="#9a6700"/>'; text = KIND[k]; prio = 1; break;
        case K.fault:
          mark = '<line x1="' + LEFT + '" y1="' + yy + '" x2="' + (width - 10) + '" y2="' + yy + '" stroke="#cf222e" stroke-width="0.7"/>';
          lx = X(0) + 7; text = "⚡ " + payload(i); prio = 1;
          break;
        case K.observe:
          mark = '<circle cx="' + x + '" cy="' + yy + '" r="3.5" fill="#8250df"/>'; text = payload(i); prio = 1;
          break;
      }
      if (hl) mark = '<circle class="halo" cx="' + (k === K.deliver || k === K.drop ? lx - 7 : x) + '" cy="' + yy + '" r="9"/>' + mark;
      out.push(g + t + mark + "</g>");
      if (text !== null) labels.push({ x: lx, y: yy + 4, text: text, cls: "lb k-" + KIND[k], prio: hl ? 0 : prio, full: hl, ev: i });
    }
    // Bars go over ordinary labels (whose full text is on hover) and
    // under highlighted ones.
    const hlOut = [];
    labels.sort((a, b) => a.prio - b.prio || a.y - b.y);
    const maxChars = Math.floor((LW * 2 - 14) / CH);
    for (const L of labels) {
      if (dense && L.prio >= 2) continue;
      let s = L.full ? L.text : shorten(L.text, maxChars);
      const w = s.length * CH;
      if (L.full) {
        // A highlighted label is never shortened nor dropped: it moves
        // left to stay on the page and down past other highlighted ones.
        L.x = Math.max(LEFT, Math.min(L.x, width - w - 4));
        for (let k = 0; k < 6 && !fits(L.x, L.y, w); k++) L.y += 14;
      } else if (!fits(L.x, L.y, w) || L.x + w > width) {
        s = shorten(L.text, Math.floor((LW - 14) / CH));
        if (!fits(L.x, L.y, s.length * CH) || L.x + s.length * CH > width) continue;
      }
      take(L.x, L.y, s.length * CH);
      const hl = L.prio === 0 && L.ev !== undefined;
      const dst = hl ? hlOut : out;
      dst.push('<rect class="' + (hl ? "hlbg" : "lbg") + '" x="' + (L.x - 2) + '" y="' + (L.y - 11) + '" width="' + (s.length * CH + 4) + '" height="15" rx="3"/>');
      const title = L.ev !== undefined ? "<title>" + esc(line(L.ev)) + "</title>" : L.title ? "<title>" + L.title + "</title>" : "";
      dst.push('<text class="' + L.cls + (hl ? " hlt" : "") + '" x="' + L.x + '" y="' + L.y + '"' + (L.ev !== undefined ? ' data-i="' + L.ev + '"' : "") + ">" + esc(s) + title + "</text>");
    }
    out.push(...bars, ...hlOut);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.innerHTML = out.join("");
    lanesDiv.style.width = width + "px";
    lanesDiv.innerHTML = D.names.map((nm, l) => '<span style="left:' + (X(l) - LW / 2) + "px;width:" + LW + 'px">' + esc(nm) + "</span>").join("");
    let cap = "Window " + secs(state.from) + " to " + secs(state.to) + ": " + n.toLocaleString("en") + " of " + N.toLocaleString("en") + " trace events";
    if (rows && i1 - i0 > ROWCAP) cap += " (one row per event: the first " + ROWCAP.toLocaleString("en") + " drawn; narrow the window)";
    if (dense) cap += " (" + drawn.toLocaleString("en") + " drawn: sends, timers and resumes hidden at this density, some labels too; click to zoom in)";
    cap += rows ? ". One row per event." : ". Time-scaled; idle stretches compressed (grey bands).";
    if (state.all) cap += " Opened on finding " + (state.finding + 1) + "; highlighted: the events every finding names.";
    else if (state.finding >= 0) cap += " Highlighted: the events finding " + (state.finding + 1) + " names.";
    caption.textContent = cap;
    document.querySelectorAll("#findings tr.finding").forEach((tr) => tr.classList.toggle("current", Number(tr.dataset.f) === state.finding));
  }

  function show(f, scroll) {
    const fd = D.findings[f];
    state.finding = f; state.all = false;
    state.from = fd.from; state.to = fd.to;
    state.hl = new Set(fd.events);
    render();
    if (scroll) {
      const el = svg.querySelector(".hl");
      if (el) el.scrollIntoView({ block: "center" });
    }
  }
  function whole() { state.all = false; state.from = 0; state.to = D.end; state.finding = -1; render(); }
  function zoom(f, centre) {
    const c = centre === undefined ? (state.from + state.to) / 2 : centre;
    const half = Math.max(1e5, ((state.to - state.from) * f) / 2);
    state.from = Math.max(0, Math.round(c - half)); state.to = Math.min(D.end, Math.round(c + half));
    render();
  }
  document.querySelectorAll("[data-show]").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); show(Number(a.dataset.show), true); }));
  document.getElementById("whole").addEventListener("click", whole);
  document.getElementById("zoomout").addEventListener("click", () => zoom(4));
  document.getElementById("mode").addEventListener("click", () => { state.mode = state.mode === "rows" ? "time" : "rows"; render(); });
  document.getElementById("prev").addEventListener("click", () => { if (D.findings.length) show((state.finding - 1 + D.findings.length) % D.findings.length, true); });
  document.getElementById("next").addEventListener("click", () => { if (D.findings.length) show((state.finding + 1) % D.findings.length, true); });
  svg.addEventListener("click", (e) => {
    if (state.mode === "rows" || !layout || layout.last <= layout.i0 || e.target.closest(".ev")) return;
    const y = e.clientY - svg.getBoundingClientRect().top;
    let k = 0; while (k < layout.Y.length - 1 && layout.Y[k] < y) k++;
    zoom(1 / 8, T[layout.i0 + k]);
  });
  window.addEventListener("resize", render);
  if (D.from > 0 || D.to > 0) { state.from = D.from; state.to = D.to > 0 ? D.to : D.end; render(); }
  else if (D.focus >= 0) {
    show(D.focus, false);
    // Opening view: every finding's events, so that a stale write named by
    // another checker in the same window is marked too.
    D.findings.forEach((f) => f.events.forEach((i) => state.hl.add(i)));
    state.all = true;
    render();
  }
  else whole();
  const first = svg.querySelector(".hl");
  if (first) {
    const r = first.getBoundingClientRect();
    if (r.bottom > window.innerHeight) first.scrollIntoView({ block: "center" });
  }
  document.body.dataset.ready = "1";
})();
