// The review page: one image at a time, rated with the keyboard; every write carries the page token.
"use strict";
const app = document.getElementById("app");
const planId = app.dataset.plan;
const token = document.querySelector('meta[name="stablenew-token"]').content;
const $ = (id) => document.getElementById(id);
let all = [], shown = [], index = 0, undoStack = [], filters = {}, pair = null, comparing = false;

function say(text) { $("message").textContent = text || ""; }

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: {"Content-Type": "application/json", "X-StableNew-Token": token},
    body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) { say(data.error || ("error " + response.status)); throw new Error(data.error); }
  say("");
  return data;
}

async function load(keepPath) {
  const response = await fetch("/api/plan/" + encodeURIComponent(planId));
  const data = await response.json();
  if (!response.ok) { say(data.error); return; }
  all = data.images;
  $("progress").textContent = data.rated + " / " + data.total + " rated";
  showRecommendation(data.recommendation);
  buildFilters();
  applyFilters(keepPath);
}

function buildFilters() {
  if ($("filters").childElementCount) return;
  const axes = {};
  for (const image of all) for (const [k, v] of Object.entries(image.values)) (axes[k] ||= new Set()).add(JSON.stringify(v));
  for (const [axis, values] of Object.entries(axes)) {
    const select = document.createElement("select");
    select.dataset.axis = axis;
    select.add(new Option(axis + ": all", ""));
    for (const v of values) select.add(new Option(axis + " = " + JSON.parse(v), v));
    select.addEventListener("change", () => { filters[axis] = select.value; applyFilters(); select.blur(); });
    $("filters").append(" · ", select);
  }
}

function applyFilters(keepPath) {
  const current = keepPath || (shown[index] && shown[index].path);
  const unratedOnly = $("only-unrated").checked;
  shown = all.filter((image) => (!unratedOnly || !image.stars) && Object.entries(filters).every(
    ([axis, value]) => !value || JSON.stringify(image.values[axis]) === value));
  const found = shown.findIndex((image) => image.path === current);
  index = found >= 0 ? found : Math.min(index, Math.max(shown.length - 1, 0));
  render();
}

function describe(values) { return Object.entries(values).map(([k, v]) => k + " = " + v).join(", "); }

function render() {
  const image = shown[index];
  $("main-image").src = image ? image.url : "";
  $("main-image").dataset.path = image ? image.path : "";
  $("main-image").alt = image ? "step " + image.step + ": " + describe(image.values) : "no image";
  const meta = $("meta");
  meta.replaceChildren();
  if (image) {
    const rows = {step: image.step, ...image.values, prompt: image.prompt, "negative prompt": image.negative_prompt,
                  seed: image.seed, ...image.settings, stars: image.stars ? image.stars + "★ (already rated)" : "not rated",
                  tags: (image.tags || []).join(", ")};
    for (const [k, v] of Object.entries(rows)) {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = k; dd.textContent = v === undefined || v === null ? "" : String(v);
      dd.dataset.field = k; meta.append(dt, dd);
    }
  }
  for (const button of document.querySelectorAll(".star")) button.classList.toggle("on", !!image && Number(button.dataset.stars) <= (image.stars || 0));
  const strip = $("strip");
  strip.replaceChildren(...shown.map((item, i) => {
    const thumb = document.createElement("img");
    thumb.src = item.url; thumb.loading = "lazy"; thumb.title = "step " + item.step + ": " + describe(item.values);
    thumb.className = (i === index ? "current " : "") + (item.stars ? "rated" : "");
    thumb.addEventListener("click", () => { index = i; render(); });
    return thumb;
  }));
}

function showRecommendation(rec) {
  $("verdict").textContent = rec.verdict + (rec.expected_stars != null ? " — expected " + rec.expected_stars + "★" : "");
  const pick = $("pick"); pick.replaceChildren();
  for (const [k, v] of Object.entries(rec.pick || {})) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = k; dd.textContent = String(v); pick.append(dt, dd);
  }
  $("missing").replaceChildren(...(rec.missing || []).map((m) => { const li = document.createElement("li"); li.textContent = m; return li; }));
}

async function rate(stars, tags) {
  const image = shown[index];
  if (!image) return;
  await post("/api/rate", {image: image.path, stars, tags: tags || image.tags || []});
  undoStack.push(image.path);
  await load();  // stay on whatever is shown now: the person may have moved on meanwhile
}

async function undo() {
  const path = undoStack.pop();
  if (!path) { say("nothing to undo"); return; }
  await post("/api/undo", {image: path});
  await load(path);
}

function move(step) { if (shown.length) { index = (index + step + shown.length) % shown.length; render(); } }

function nextUnrated() {
  for (let k = 1; k <= shown.length; k++) {
    const i = (index + k) % shown.length;
    if (!shown[i].stars) { index = i; render(); return; }
  }
  say("every image shown is rated");
}

function askTag() {
  const image = shown[index];
  if (!image || !image.stars) { say("rate the image first, then tag it"); return; }
  const input = $("tag-input"); input.hidden = false; input.value = ""; input.focus();
}

async function loadPair() {
  const response = await fetch("/api/plan/" + encodeURIComponent(planId) + "/pair");
  pair = (await response.json()).pair;
  if (!pair) { say("no pair left to compare"); return; }
  for (const side of ["a", "b"]) {
    $("pair-" + side).src = pair[side].url; $("pair-" + side).dataset.path = pair[side].path;
    $("pair-" + side + "-values").textContent = describe(pair[side].values);
  }
}

async function prefer(outcome) {
  if (!pair) return;
  await post("/api/prefer", {image_a: pair.a.path, image_b: pair.b.path, outcome});
  await loadPair();
  await load();
}

function toggleCompare() {
  comparing = !comparing;
  $("compare").hidden = !comparing; $("single").hidden = comparing;
  if (comparing) loadPair();
}

document.addEventListener("keydown", (event) => {
  if (event.target === $("tag-input")) {
    if (event.key === "Enter") { const tag = $("tag-input").value.trim(); $("tag-input").hidden = true;
      const image = shown[index]; if (tag && image) rate(image.stars, [...(image.tags || []), tag]); }
    if (event.key === "Escape") $("tag-input").hidden = true;
    return;
  }
  if (event.target.tagName === "SELECT" || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  if (comparing) {
    if (key === "a" || key === "b") prefer(key);
    else if (key === "=") prefer("tie");
    else if (key === "c") toggleCompare();
    return;
  }
  if (key >= "1" && key <= "5") rate(Number(key));
  else if (key === "ArrowRight") move(1);
  else if (key === "ArrowLeft") move(-1);
  else if (key === "u") nextUnrated();
  else if (key === "t") { event.preventDefault(); askTag(); }
  else if (key === "z") undo();
  else if (key === "c") toggleCompare();
  else return;
  event.preventDefault();
});
for (const button of document.querySelectorAll(".star")) button.addEventListener("click", () => rate(Number(button.dataset.stars)));
for (const button of document.querySelectorAll("[data-outcome]")) button.addEventListener("click", () => prefer(button.dataset.outcome));
$("undo").addEventListener("click", undo);
$("tag").addEventListener("click", askTag);
$("compare-toggle").addEventListener("click", toggleCompare);
$("only-unrated").addEventListener("change", () => applyFilters());
load();
