// ganfactor studio: the page. Plain JS, no build step; talks to the JSON API of StudioServer.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  info: null,
  width: 256, height: 256, scale: 2,
  boxes: [],            // [x0, y0, x1, y1] in image pixels
  dragging: null,
  job: null,            // the running job's id
  directions: [],
  selected: null,       // direction id the export, "local" and "condition" act on
  strengths: {},        // direction id -> slider value
  editSeq: 0,
  editBusy: false, editPending: null,
};

function showError(msg) {
  const e = $("error");
  if (!msg) { e.hidden = true; e.textContent = ""; return; }
  e.hidden = false; e.textContent = msg;
}

async function api(method, path, body, raw) {
  const opts = { method, headers: {} };
  if (raw !== undefined) { opts.body = raw; opts.headers["Content-Type"] = "application/octet-stream"; }
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { error: "HTTP " + r.status }; }
  if (!r.ok) { const err = new Error(data && data.error ? data.error : "HTTP " + r.status); err.status = r.status; throw err; }
  return data;
}

// ---- the region ----

function regionSpec() {
  if ($("part").value) return { part: $("part").value };
  if ($("preset").value) return { preset: $("preset").value };
  if (state.boxes.length) return { boxes: state.boxes.map((b) => b.map((v) => Math.round(v))) };
  return null;
}

function describeRegion() {
  const r = regionSpec();
  let t = "no region";
  if (r && r.part) t = "part mask " + r.part;
  else if (r && r.preset) t = "preset " + r.preset;
  else if (r) t = r.boxes.length + " box(es): " + r.boxes.map((b) => "[" + b.join(", ") + "]").join(" ");
  $("region-text").textContent = t;
  $("region-text").dataset.boxes = state.boxes.length;
}

function drawBoxes() {
  const c = $("draw"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  g.lineWidth = 2;
  g.strokeStyle = "#00e5ff";
  const all = state.dragging ? state.boxes.concat([state.dragging]) : state.boxes;
  for (const b of all) {
    const [x0, y0, x1, y1] = b;
    g.strokeRect(x0 * state.scale, y0 * state.scale, (x1 - x0) * state.scale, (y1 - y0) * state.scale);
  }
}

function imagePoint(ev) {
  const r = $("draw").getBoundingClientRect();
  const x = (ev.clientX - r.left) / r.width * state.width, y = (ev.clientY - r.top) / r.height * state.height;
  return [Math.max(0, Math.min(state.width, x)), Math.max(0, Math.min(state.height, y))];
}

function setupDrawing() {
  const c = $("draw");
  let start = null;
  c.addEventListener("mousedown", (ev) => { start = imagePoint(ev); state.dragging = [start[0], start[1], start[0], start[1]]; ev.preventDefault(); });
  c.addEventListener("mousemove", (ev) => {
    if (!start) return;
    const p = imagePoint(ev);
    state.dragging = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])];
    drawBoxes();
  });
  const finish = (ev) => {
    if (!start) return;
    const p = imagePoint(ev);
    const b = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])];
    start = null; state.dragging = null;
    if (b[2] - b[0] >= 2 && b[3] - b[1] >= 2) {
      state.boxes.push(b);
      $("preset").value = ""; $("part").value = "";
    }
    drawBoxes(); describeRegion();
  };
  c.addEventListener("mouseup", finish);
  c.addEventListener("mouseleave", (ev) => { if (start) finish(ev); });
  $("clear-boxes").addEventListener("click", () => { state.boxes = []; $("preset").value = ""; $("part").value = ""; drawBoxes(); describeRegion(); });
  $("preset").addEventListener("change", () => { if ($("preset").value) { state.boxes = []; $("part").value = ""; } drawBoxes(); describeRegion(); });
  $("part").addEventListener("change", () => { if ($("part").value) { state.boxes = []; $("preset").value = ""; } drawBoxes(); describeRegion(); });
}

// ---- the image ----

function sizeStage() {
  const w = state.width * state.scale, h = state.height * state.scale;
  for (const id of ["img", "overlay-img"]) { $(id).style.width = w + "px"; $(id).style.height = h + "px"; }
  $("draw").width = w; $("draw").height = h;
  $("draw").style.width = w + "px"; $("draw").style.height = h + "px";
  drawBoxes();
}

async function loadImage() {
  showError(null);
  const body = { space: $("space").value };
  const path = $("latents-path").value.trim();
  const file = $("latents-file").files[0];
  if (file) {
    const up = await api("POST", "/api/upload?name=" + encodeURIComponent(file.name), undefined, await file.arrayBuffer());
    body.upload = up.upload; body.row = Number($("latents-row").value);
  } else if (path) {
    body.path = path; body.row = Number($("latents-row").value);
  } else {
    body.seed = Number($("seed").value);
    body.psi = Number($("psi").value);
    body.truncation_layers = Number($("trunc").value);
  }
  const r = await api("POST", "/api/image", body);
  $("img").src = r.image;
  $("overlay-img").src = "data:,";
  $("overlay-img").style.visibility = "hidden";
  state.strengths = {};
  renderDirections();
  document.body.dataset.imageSeq = Number(document.body.dataset.imageSeq || 0) + 1;
}

// ---- discovery and jobs ----

function setBusy(text) { $("busy").textContent = text || ""; }

async function discover() {
  showError(null);
  const body = Object.assign({ method: $("method").value, k: Number($("k").value), chunk: Number($("chunk").value) },
    settingsOf($("method").value));
  const region = regionSpec();
  if (region) body.region = region;
  let job;
  try {
    job = await api("POST", "/api/discover", body);
  } catch (e) {
    showError(e.message);
    return;
  }
  await follow(job, (result) => {
    state.directions = state.directions.filter((d) => d.kind !== "discovered").concat(result.directions);
    state.selected = result.directions.length ? result.directions[0].id : state.selected;
    renderDirections();
  });
}

async function follow(job, onDone) {
  state.job = job.id;
  $("cancel").disabled = false; $("discover").disabled = true;
  setBusy(job.kind + " running");
  try {
    for (;;) {
      const j = await api("GET", "/api/job/" + job.id);
      $("progress").value = j.fraction;
      const t = j.state === "running" ? (j.label + ": " + j.done + "/" + j.total) : j.state + (j.message ? ": " + j.message : "")
        + " (" + j.seconds.toFixed(2) + " s)";
      $("progress-text").textContent = t;
      $("progress-text").dataset.state = j.state;
      $("progress-text").dataset.done = j.done;
      if (j.state !== "running") {
        if (j.state === "done") { $("progress").value = 1; onDone(j.result); }
        else if (j.state === "failed") showError(j.message);
        break;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  } catch (e) {
    showError(e.message);
  } finally {
    state.job = null;
    $("cancel").disabled = true; $("discover").disabled = false;
    setBusy("");
  }
}

async function cancelJob() {
  if (state.job === null) return;
  try { await api("POST", "/api/job/" + state.job + "/cancel"); } catch (e) { showError(e.message); }
}

// a closed tab stops the work at once (the server's heartbeat timeout is the fallback)
window.addEventListener("pagehide", () => {
  if (state.job !== null) navigator.sendBeacon("/api/job/" + state.job + "/cancel?reason=closed");
});

// ---- directions and sliders ----

function fmt(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "string") return v;
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : v.toPrecision(4);
}

function renderDirections() {
  const box = $("directions");
  box.innerHTML = "";
  if (!state.directions.length) { box.innerHTML = '<div class="small">none yet: discover, or load a boundary</div>'; return; }
  const lo = Number($("smin").value), hi = Number($("smax").value);
  for (const d of state.directions) {
    const row = document.createElement("div");
    row.className = "direction" + (d.id === state.selected ? " selected" : "");
    row.dataset.id = d.id;
    const v = state.strengths[d.id] || 0;
    row.innerHTML = '<input type="radio" name="sel" title="select for export, local, condition">'
      + '<input type="checkbox" class="cond" title="a condition for \'Condition selected on ticked\'">'
      + '<span class="label"></span><span class="eig small"></span>'
      + '<input type="range" class="slider">'
      + '<span class="value"></span>';
    row.querySelector(".label").textContent = d.label + " (" + d.kind + ")";
    row.querySelector(".eig").textContent = d.eigenvalue === null ? "" : "λ " + fmt(d.eigenvalue);
    const s = row.querySelector(".slider");
    s.min = lo; s.max = hi; s.step = (hi - lo) / 200; s.value = v;
    row.querySelector(".value").textContent = Number(v).toFixed(2);
    row.querySelector('input[type=radio]').checked = d.id === state.selected;
    row.querySelector('input[type=radio]').addEventListener("change", () => { state.selected = d.id; renderDirections(); });
    s.addEventListener("input", () => {
      state.strengths[d.id] = Number(s.value);
      row.querySelector(".value").textContent = Number(s.value).toFixed(2);
      state.selected = d.id;
      for (const r of document.querySelectorAll(".direction")) r.classList.toggle("selected", Number(r.dataset.id) === d.id);
      for (const r of document.querySelectorAll('.direction input[type=radio]')) r.checked = Number(r.parentNode.dataset.id) === d.id;
      requestEdit(d.id, Number(s.value));
    });
    box.appendChild(row);
  }
}

function layersSpec() {
  const a = Number($("layer-start").value), b = Number($("layer-end").value);
  return a + "-" + b;
}

// one render in flight; a newer slider position replaces any waiting one
function requestEdit(id, strength) {
  state.editPending = { id, strength };
  if (!state.editBusy) pumpEdits();
}

async function pumpEdits() {
  state.editBusy = true;
  while (state.editPending) {
    const { id, strength } = state.editPending;
    state.editPending = null;
    const body = { direction: id, strength, layers: layersSpec() };
    const region = regionSpec();
    if (region) body.region = region;
    try {
      const r = await api("POST", "/api/edit", body);
      $("img").src = r.image;
      $("overlay-img").src = r.overlay;
      $("overlay-img").style.visibility = $("show-overlay").checked ? "visible" : "hidden";
      $("ratio").textContent = r.ratio === undefined ? "–" : fmt(r.ratio);
      $("mse-in").textContent = r.mse_inside === undefined ? "–" : fmt(r.mse_inside);
      $("mse-out").textContent = r.mse_outside === undefined ? "–" : fmt(r.mse_outside);
      $("edit-ms").textContent = r.ms.toFixed(0);
      showError(null);
    } catch (e) {
      showError(e.message);
    }
    state.editSeq++;
    document.body.dataset.editSeq = state.editSeq;
  }
  state.editBusy = false;
}

// ---- boundaries, conditioning, local projection ----

async function loadBoundary() {
  showError(null);
  const file = $("boundary-file").files[0];
  const path = $("boundary-path").value.trim();
  const body = {};
  try {
    if (file) {
      const up = await api("POST", "/api/upload?name=" + encodeURIComponent(file.name), undefined, await file.arrayBuffer());
      body.upload = up.upload; body.name = file.name;
    } else body.path = path;
    const d = await api("POST", "/api/boundary", body);
    state.directions.push(d);
    state.selected = d.id;
    renderDirections();
  } catch (e) { showError(e.message); }
}

async function condition() {
  showError(null);
  const conds = [...document.querySelectorAll(".direction")].filter((r) => r.querySelector(".cond").checked).map((r) => Number(r.dataset.id));
  try {
    const d = await api("POST", "/api/condition", { primal: state.selected, conditions: conds });
    state.directions.push(d); state.selected = d.id; renderDirections();
  } catch (e) { showError(e.message); }
}

async function localize() {
  showError(null);
  const region = regionSpec();
  let job;
  // the null space's settings are LowRankGAN's (its RPCA), from its fields of the form
  const body = Object.assign({ direction: state.selected, region }, settingsOf("lowrankgan"));
  delete body.k;
  try { job = await api("POST", "/api/localize", body); }
  catch (e) { showError(e.message); return; }
  await follow(job, (result) => {
    state.directions = state.directions.concat(result.directions);
    state.selected = result.directions[0].id;
    renderDirections();
  });
}

// ---- export ----

async function exportSelected() {
  showError(null);
  if (state.selected === null) { showError("select a direction first"); return; }
  const body = {
    folder: $("export-folder").value.trim(), direction: state.selected, strength: state.strengths[state.selected] || 0,
    min: Number($("smin").value), max: Number($("smax").value), steps: 7, layers: layersSpec(),
  };
  const region = regionSpec();
  if (region) body.region = region;
  try {
    const r = await api("POST", "/api/export", body);
    $("export-result").textContent = "wrote " + r.folder + ": " + r.files.join(", ");
    $("export-result").dataset.folder = r.folder;
  } catch (e) { showError(e.message); }
}

// ---- start ----

// ---- method settings: the form comes from the registry (info.methods); only the fields set are sent ----

function buildMethodForm(methods) {
  const box = $("method-settings");
  for (const m of methods) {
    $("method").add(new Option(m.name + (m.regional ? " (region)" : " (global baseline)"), m.name));
    const group = document.createElement("span");
    group.className = "method-settings"; group.dataset.method = m.name;
    for (const s of m.settings) {
      if (s.name === "k") continue;   // the common top k field
      const label = document.createElement("label");
      label.title = s.help;
      label.append(s.name + " ");
      let input;
      if (s.kind === "choice" || s.kind === "flag") {
        input = document.createElement("select");
        input.add(new Option("default (" + s.default + ")", ""));
        for (const c of s.choices) input.add(new Option(c, c));
      } else {
        input = document.createElement("input");
        input.type = "text"; input.size = 8; input.placeholder = s.default;
      }
      input.id = "set-" + m.name + "-" + s.name;
      input.dataset.setting = s.name;
      label.append(input);
      group.append(label);
    }
    box.append(group);
  }
}

/** The settings of method m the user set (empty fields keep the registry's default). */
function settingsOf(m) {
  const out = {};
  for (const e of document.querySelectorAll('.method-settings[data-method="' + m + '"] [data-setting]'))
    if (e.value.trim() !== "") out[e.dataset.setting] = e.value.trim();
  return out;
}

function methodControls() {
  const m = $("method").value;
  for (const e of document.querySelectorAll(".method-settings")) e.style.display = e.dataset.method === m ? "" : "none";
}

async function start() {
  const info = await api("GET", "/api/info");
  state.info = info;
  state.height = info.image[1]; state.width = info.image[2];
  state.scale = Math.max(0.25, Math.min(2, 512 / Math.max(state.width, state.height)));
  $("model").textContent = info.model + " · d = " + info.latent_dim + " · " + info.num_layers + " layers · " + info.device;
  for (const p of info.presets) $("preset").add(new Option(p, p));
  for (const p of info.reference_presets) $("preset").add(new Option(p, p));
  for (const p of info.parts) $("part").add(new Option(p, p));
  if (!info.parts.length) $("part-label").style.display = "none";
  $("trunc").value = info.num_layers; $("trunc").max = info.num_layers;
  buildMethodForm(info.methods);
  $("layer-end").value = info.num_layers - 1; $("layer-end").max = info.num_layers - 1; $("layer-start").max = info.num_layers - 1;
  sizeStage();
  setupDrawing();
  describeRegion();
  methodControls();
  $("method").addEventListener("change", methodControls);
  $("load-image").addEventListener("click", () => loadImage().catch((e) => showError(e.message)));
  $("discover").addEventListener("click", discover);
  $("cancel").addEventListener("click", cancelJob);
  $("load-boundary").addEventListener("click", loadBoundary);
  $("condition").addEventListener("click", condition);
  $("localize").addEventListener("click", localize);
  $("export").addEventListener("click", exportSelected);
  $("smin").addEventListener("change", renderDirections);
  $("smax").addEventListener("change", renderDirections);
  $("show-overlay").addEventListener("change", () => { $("overlay-img").style.visibility = $("show-overlay").checked ? "visible" : "hidden"; });
  await loadImage();
  document.body.dataset.ready = "true";
}

start().catch((e) => showError(e.message));
