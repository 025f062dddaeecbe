// brochure edit: the form, the preview beside it, saving and building. Plain JavaScript, no library.
// The data is content.yaml's as the server sends it: mappings as objects, list items as {o: index in
// the file, v: value}, so that the server can keep each item's comments where it moves.
"use strict";

const $ = (sel) => document.querySelector(sel);
const S = {
  data: null, version: null, file: "content.yaml", only: "brochure", outputs: [],
  timer: null, seq: 0, shown: 0, inflight: 0, valid: true, changed: false, conflict: false, lastInput: 0,
  idle() { return S.timer === null && S.inflight === 0; },
};
const DEBOUNCE_MS = 400;
window.brochureEditor = S;          // what the tests and the benchmark read: S.shown, S.timing

// -- the data -------------------------------------------------------------------------------------
function at(path) {
  let v = S.data;
  for (const k of path) v = Array.isArray(v) ? v[k].v : (v == null ? undefined : v[k]);
  return v;
}
function put(path, value, order) {
  const parent = at(path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) { parent[last].v = value; return; }
  if (last in parent || !order) { parent[last] = value; return; }
  // a key the file did not have: placed among the others in the form's order
  const entries = Object.entries(parent);
  const rank = (k) => { const i = order.indexOf(k); return i < 0 ? order.length : i; };
  let pos = entries.findIndex(([k]) => rank(k) > rank(last));
  if (pos < 0) pos = entries.length;
  entries.splice(pos, 0, [last, value]);
  for (const k of Object.keys(parent)) delete parent[k];
  for (const [k, v] of entries) parent[k] = v;
}
function drop(path) {
  const parent = at(path.slice(0, -1));
  delete parent[path[path.length - 1]];
}
const key = (path) => path.join(".");

// -- building the form --------------------------------------------------------------------------
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
}

function field(path, label, opts = {}) {
  const value = at(path);
  const input = opts.area ? el("textarea", { rows: opts.rows || 4 }) : el("input", { type: "text" });
  input.value = value == null ? "" : String(value);
  input.dataset.path = key(path);
  input.addEventListener("input", () => {
    if (opts.paragraph && input.value.includes("\n")) { split(path, input.value); return; }
    if (opts.optional && input.value === "") drop(path);
    else put(path, input.value, opts.order);
    changed();
  });
  return el("div", { class: "field", "data-field": key(path) }, el("label", {}, label), input,
            opts.hint ? el("div", { class: "hint" }, opts.hint) : null);
}

function choice(path, label, options, opts = {}) {
  const value = at(path);
  const select = el("select", {});
  if (opts.optional) select.append(el("option", { value: "" }, "（无 none）"));
  for (const o of options) select.append(el("option", { value: o }, o));
  select.value = value == null ? "" : String(value);
  select.dataset.path = key(path);
  select.addEventListener("change", () => {
    if (opts.optional && select.value === "") drop(path);
    else put(path, opts.number ? Number(select.value) : select.value, opts.order);
    changed();
  });
  return el("div", { class: "field", "data-field": key(path) }, el("label", {}, label), select);
}

function list(path, label, item, fresh, opts = {}) {
  let items = at(path);
  const box = el("fieldset", { "data-field": key(path) }, el("legend", {}, label));
  if (!Array.isArray(items)) items = [];
  items.forEach((_, i) => {
    const tools = el("div", { class: "tools" },
      el("button", { type: "button", title: "上移 move up", onclick: () => move(path, i, -1) }, "↑"),
      el("button", { type: "button", title: "下移 move down", onclick: () => move(path, i, +1) }, "↓"),
      el("button", { type: "button", title: "删除 remove", class: "remove", onclick: () => removeItem(path, i) }, "✕ 删除 remove"));
    box.append(el("div", { class: "item " + (opts.kind || ""), "data-field": key([...path, i]) }, item([...path, i], i), tools));
  });
  box.append(el("button", { type: "button", class: "add", "data-add": key(path),
    onclick: () => { addItem(path, fresh(), opts.order); } }, "＋ " + (opts.addLabel || "添加 add")));
  return box;
}
function split(path, value) {
  // Enter (or pasted lines) in a paragraph starts the next paragraph, as in a word processor
  const parts = value.split(/\n+/);
  const list = at(path.slice(0, -1)), i = path[path.length - 1];
  list[i].v = parts[0];
  list.splice(i + 1, 0, ...parts.slice(1).map((v) => ({ o: null, v })));
  render(); changed();
  const next = document.querySelector(`[data-path="${key([...path.slice(0, -1), i + parts.length - 1])}"]`);
  if (next) { next.focus(); next.setSelectionRange(0, 0); }
}
function move(path, i, d) {
  const items = at(path), j = i + d;
  if (j < 0 || j >= items.length) return;
  [items[i], items[j]] = [items[j], items[i]];
  render(); changed();
}
function removeItem(path, i) { at(path).splice(i, 1); render(); changed(); }
function addItem(path, value, order) {
  if (!Array.isArray(at(path))) put(path, [], order);
  at(path).push({ o: null, v: value });
  render(); changed();
  const last = document.querySelector(`[data-field="${key([...path, at(path).length - 1])}"] input, ` +
                                      `[data-field="${key([...path, at(path).length - 1])}"] textarea`);
  if (last) last.focus();
}

const photoIds = () => Object.keys(S.data.photos || {});
const TOP = ["document", "masthead", "honours", "lead", "sections", "photos", "figures", "settings", "posters"];
const DOC = ["title", "author", "publisher", "date", "language", "online_url", "call_to_action", "address", "contact"];
const LEAD = ["kicker", "headline", "byline", "photo", "preface_title", "preface"];
const SECTION = ["letter", "headline", "summary", "photos", "paragraphs"];
const HONOURS = ["title", "note", "orientation", "items"];
const PHOTO = ["file", "caption", "credit", "span", "position", "fit", "focus", "aspect"];
const POSTER = ["name", "size", "shows", "hero", "distance", "scan_distance", "foot", "press", "margin"];
const PARTS = ["title", "hero", "figures", "honours", "summaries", "qr"];
const SIZES = ["A0", "A1", "A2", "A3", "A4", "A0-landscape", "A1-landscape", "A2-landscape", "A3-landscape", "rollup", "board"];

function render() {
  const form = $("#form");
  const top = form.scrollTop;
  form.replaceChildren(
    documentPart(), mastheadPart(), leadPart(), sectionsPart(), photosPart(), honoursPart(), figuresPart(), postersPart());
  form.scrollTop = top;
  showMessages(S.messages || []);
}

function documentPart() {
  const o = { order: DOC };
  return el("fieldset", { "data-field": "document" }, el("legend", {}, "文件 Document"),
    field(["document", "title"], "标题 title", o), field(["document", "author"], "作者 author", o),
    field(["document", "publisher"], "出版单位 publisher", o), field(["document", "date"], "日期 date", o),
    field(["document", "online_url"], "二维码网址 QR code address", o),
    field(["document", "call_to_action"], "二维码旁的话 words beside the QR code", { ...o, optional: true }),
    field(["document", "address"], "地址 address (封底 back cover)", { ...o, optional: true }),
    field(["document", "contact"], "联系方式 contact (封底 back cover)", { ...o, optional: true }));
}
function mastheadPart() {
  return el("fieldset", { "data-field": "masthead" }, el("legend", {}, "报头 Masthead"),
    field(["masthead", "slogan"], "口号 slogan"), field(["masthead", "title"], "报头 title"));
}
function leadPart() {
  const o = { order: LEAD };
  return el("fieldset", { "data-field": "lead" }, el("legend", {}, "头版 Front page"),
    field(["lead", "kicker"], "眉题 kicker", { ...o, optional: true }),
    field(["lead", "headline"], "主标题 headline", o), field(["lead", "byline"], "署名 byline", o),
    choice(["lead", "photo"], "头版照片 photo", photoIds(), { ...o, optional: true }),
    field(["lead", "preface_title"], "前言标题 preface title", { ...o, optional: true }),
    list(["lead", "preface"], "前言 Preface", (p, i) => field(p, `第 ${i + 1} 段 paragraph ${i + 1}`, { area: true, paragraph: true }),
         () => "", { addLabel: "添加段落 add a paragraph", order: LEAD }));
}
function sectionsPart() {
  return list(["sections"], "正文各节 Sections", (p) => {
    const o = { order: SECTION };
    return el("div", {},
      field([...p, "letter"], "字母 letter", o), field([...p, "headline"], "标题 headline", o),
      field([...p, "summary"], "提要 summary (海报 posters)", { ...o, optional: true, area: true, rows: 2 }),
      sectionPhotos(p),
      list([...p, "paragraphs"], "段落 Paragraphs", (q, i) => field(q, `第 ${i + 1} 段 paragraph ${i + 1}`, { area: true, paragraph: true }),
           () => "", { addLabel: "添加段落 add a paragraph", order: SECTION }));
  }, () => ({ letter: nextLetter(), headline: "", paragraphs: [{ o: null, v: "" }] }),
  { kind: "section", addLabel: "添加一节 add a section" });
}
function nextLetter() {
  const used = (S.data.sections || []).map((s) => s.v.letter);
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZ") if (!used.includes(c)) return c;
  return "";
}
function sectionPhotos(p) {
  const path = [...p, "photos"];
  const ids = Array.isArray(at(path)) ? at(path) : [];
  const chips = el("div", { class: "chips" });
  ids.forEach((it, i) => chips.append(el("span", { class: "chip", "data-field": key([...path, i]) }, String(it.v), " ",
    el("button", { type: "button", title: "不在本节用这张照片 remove from this section",
                   onclick: () => removeItem(path, i) }, "✕"))));
  const pick = el("select", { onchange: (e) => { if (e.target.value) addItem(path, e.target.value, SECTION); } },
                  el("option", { value: "" }, "加入已有照片… add a photo already listed…"),
                  ...photoIds().filter((id) => !ids.some((it) => it.v === id)).map((id) => el("option", { value: id }, id)));
  return el("div", { class: "field", "data-field": key(path) }, el("label", {}, "照片 photos"), chips, pick,
            uploader((id) => addItem(path, id, SECTION)));
}
function uploader(then) {
  const msg = el("div", { class: "upload-msg" });
  const input = el("input", { type: "file", accept: "image/jpeg,image/png,image/tiff", class: "upload" });
  input.addEventListener("change", async () => {
    if (!input.files.length) return;
    msg.replaceChildren(el("div", { class: "msg note" }, "正在检查照片… checking the photo…"));
    const body = new FormData();
    body.append("photo", input.files[0]);
    const r = await fetch("api/upload", { method: "POST", body });
    const got = await r.json();
    if (!got.ok) { msg.replaceChildren(el("div", { class: "msg error" }, `${got.zh}\n${got.en}`)); return; }
    let id = got.id, n = 2;
    while (photoIds().includes(id)) id = `${got.id}-${n++}`;
    if (!S.data.photos) put(["photos"], {}, TOP);
    put(["photos", id], { file: got.file, caption: "", credit: "" });
    then(id);
    const caption = document.querySelector(`[data-path="${key(["photos", id, "caption"])}"]`);
    if (caption) { caption.scrollIntoView({ block: "center" }); caption.focus(); }
  });
  return el("div", { class: "field" }, el("label", {}, "添加新照片（JPEG、PNG、TIFF）add a new photo"), input, msg);
}
function photosPart() {
  const box = el("fieldset", { "data-field": "photos" }, el("legend", {}, "照片 Photos"));
  for (const id of photoIds()) {
    const o = { order: PHOTO };
    box.append(el("div", { class: "item", "data-field": key(["photos", id]) }, el("strong", {}, id),
      field(["photos", id, "file"], "文件 file (images/…)", o),
      field(["photos", id, "caption"], "图说 caption", o), field(["photos", id, "credit"], "摄影 credit", o),
      choice(["photos", id, "span"], "栏宽 columns", ["1", "2", "3"], { ...o, optional: true, number: true }),
      choice(["photos", id, "position"], "位置 position", ["top", "bottom", "inline"], { ...o, optional: true }),
      el("div", { class: "tools" }, el("button", { type: "button", class: "remove", onclick: () => removePhoto(id) },
                                       "✕ 删除这张照片 remove this photo"))));
  }
  box.append(uploader(() => render()));
  return box;
}
function removePhoto(id) {
  drop(["photos", id]);
  for (const s of S.data.sections || []) if (Array.isArray(s.v.photos)) s.v.photos = s.v.photos.filter((it) => it.v !== id);
  if (S.data.lead && S.data.lead.photo === id) delete S.data.lead.photo;
  for (const p of S.data.posters || []) if (p.v.hero === id) delete p.v.hero;
  render(); changed();
}
function honoursPart() {
  const o = { order: HONOURS };
  return el("fieldset", { "data-field": "honours" }, el("legend", {}, "荣誉榜 Honours"),
    field(["honours", "title"], "标题 title", o), field(["honours", "note"], "注 note", { ...o, optional: true }),
    choice(["honours", "orientation"], "排法 orientation", ["horizontal", "vertical"], { ...o, optional: true }),
    list(["honours", "items"], "各项 items", (p, i) => field(p, `第 ${i + 1} 项 item ${i + 1}`), () => "",
         { addLabel: "添加一项 add an honour", order: HONOURS }));
}
function figuresPart() {
  const o = { order: ["value", "unit", "label", "source"] };
  return list(["figures"], "数字 Figures（海报与封底 posters and back page）", (p) => el("div", {},
    field([...p, "value"], "数字 value", o), field([...p, "unit"], "单位 unit", { ...o, optional: true }),
    field([...p, "label"], "说明 label", o),
    field([...p, "source"], "出处：从正文逐字复制的句子 source, copied word for word from a paragraph", { ...o, area: true, rows: 2 })),
  () => ({ value: "", unit: "", label: "", source: "" }), { addLabel: "添加数字 add a figure", order: TOP });
}
function postersPart() {
  return list(["posters"], "海报 Posters", (p) => {
    const o = { order: POSTER };
    return el("div", {}, field([...p, "name"], "名称（文件名，英文）name (becomes the file name)", o),
      choice([...p, "size"], "尺寸 size", SIZES.includes(String(at([...p, "size"]))) ? SIZES : [...SIZES, String(at([...p, "size"]))], o),
      choice([...p, "hero"], "主图 hero photo", photoIds(), { ...o, optional: true }), shows(p));
  }, () => ({ name: posterName(), size: "A2" }), { addLabel: "添加海报 add a poster", order: TOP });
}
function posterName() {
  const used = (S.data.posters || []).map((p) => String(p.v.name));
  let name = "a2", n = 2;
  while (used.includes(name)) name = `a2-${n++}`;
  return name;
}
function shows(p) {
  const path = [...p, "shows"];
  const current = Array.isArray(at(path)) ? at(path) : null;
  const box = el("div", { class: "field chips", "data-field": key(path) }, el("label", {}, "印出 shows"));
  for (const part of PARTS) {
    const on = current ? current.some((it) => it.v === part) : true;
    const cb = el("input", { type: "checkbox" });
    cb.checked = on;
    cb.addEventListener("change", () => {
      const old = Array.isArray(at(path)) ? at(path) : PARTS.map((v) => ({ o: null, v }));
      const wanted = PARTS.filter((x) => (x === part ? cb.checked : old.some((it) => it.v === x)));
      put(path, wanted.map((v) => old.find((it) => it.v === v) || { o: null, v }), POSTER);
      changed();
    });
    box.append(el("label", { class: "chip" }, cb, part));
  }
  return box;
}

// -- messages at their fields ----------------------------------------------------------------------
function showMessages(messages) {
  document.querySelectorAll("#form .msg.at").forEach((m) => m.remove());
  document.querySelectorAll("#form .has-error").forEach((f) => f.classList.remove("has-error"));
  const loose = [];
  for (const m of messages) {
    const target = m.path ? fieldFor(m.path) : null;
    const box = el("div", { class: `msg at ${m.level}`, "data-for": m.path ? key(m.path) : "" },
                   `${m.line ? S.file + ":" + m.line + ":" + (m.column || 1) + "  " : ""}${m.zh}\n${m.en}`);
    if (target) {
      target.append(box);
      if (m.level === "error" || m.level === "build") target.classList.add("has-error");
    } else loose.push(m);
  }
  return loose;
}
function fieldFor(path) {
  for (let n = path.length; n > 0; n--) {
    const f = document.querySelector(`#form [data-field="${CSS.escape(key(path.slice(0, n)))}"]`);
    if (f) return f;
  }
  return null;
}
function showNotes(list) {
  const notes = $("#notes");
  notes.replaceChildren(...list.map((m) => el("div", { class: `msg ${m.level}` }, `${m.zh}\n${m.en}`)));
}

// -- preview ------------------------------------------------------------------------------------------
function changed() {
  S.lastInput = performance.now();
  S.changed = true;
  setStatus("正在更新预览… updating the preview…");
  clearTimeout(S.timer);
  S.timer = setTimeout(() => { S.timer = null; refresh(); }, DEBOUNCE_MS);
}

async function refresh() {
  S.inflight++;
  try { await preview(); } finally { S.inflight--; }
}

async function preview() {
  const seq = ++S.seq;
  const started = S.lastInput;
  const r = await fetch("api/preview", { method: "POST", headers: { "Content-Type": "application/json" },
                                         body: JSON.stringify({ data: S.data, only: S.only }) });
  const got = await r.json();
  if (got.stale || seq !== S.seq) return;
  S.valid = got.valid;
  S.changed = got.changed;
  S.messages = got.messages.concat(got.notes ? got.notes.filter((m) => m.path) : []);
  const loose = showMessages(S.messages);
  showNotes(loose.concat(got.notes ? got.notes.filter((m) => !m.path) : []));
  if (got.conflict) offerConflict();
  if (got.valid) {
    setOutputs(got.outputs);
    await showPages(got.pages);
    $("#pages").classList.remove("stale");
  } else {
    $("#pages").classList.add("stale");
  }
  S.server = got.seconds;
  S.timing = Math.round(performance.now() - started);
  S.shown = seq;
  $("#timing").textContent = `${S.timing} ms`;
  updateStatus();
}

function setOutputs(outputs) {
  if (JSON.stringify(outputs) === JSON.stringify(S.outputs)) return;
  S.outputs = outputs;
  const sel = $("#only");
  sel.replaceChildren(...outputs.map((o) => el("option", { value: o }, o === "brochure" ? "宣传册 brochure" : `海报 poster ${o}`)));
  if (!outputs.includes(S.only)) S.only = "brochure";
  sel.value = S.only;
}

function showPages(pages) {
  const box = $("#pages");
  const loads = [];
  pages.forEach((p, i) => {
    let page = box.children[i];
    if (!page || page.dataset.key !== p.key) {
      // a page whose image changed (the others keep theirs: not drawn again)
      const img = el("img", { alt: `第 ${i + 1} 页 page ${i + 1}`, width: p.width, height: p.height });
      loads.push(new Promise((ok) => { img.onload = ok; img.onerror = ok; }));
      img.src = `page/${p.key}.png`;
      const fresh = el("div", { class: "page", "data-key": p.key, "data-page": i + 1, style: `width:${p.width}px` }, img);
      if (page) box.replaceChild(fresh, page); else box.append(fresh);
      page = fresh;
    }
    page.querySelectorAll(".hit").forEach((h) => h.remove());
    for (const b of p.boxes) {
      page.append(el("div", { class: "hit", "data-path": "", "data-target": key(b.path), title: key(b.path),
        style: `left:${b.x * 100}%;top:${b.y * 100}%;width:${b.w * 100}%;height:${b.h * 100}%`,
        onclick: () => goTo(b.path) }));
    }
  });
  while (box.children.length > pages.length) box.lastChild.remove();
  return Promise.all(loads);
}

function goTo(path) {
  const f = fieldFor(path);
  if (!f) return;
  f.scrollIntoView({ block: "center" });
  const input = f.querySelector("textarea, input, select");
  if (input) input.focus({ preventScroll: true });
  f.classList.remove("flash"); void f.offsetWidth; f.classList.add("flash");
}

// -- saving, the file on disk, building --------------------------------------------------------------
function setStatus(text, bad) { const s = $("#status"); s.textContent = text; s.classList.toggle("bad", !!bad); }
function updateStatus() {
  $("#save").disabled = !(S.valid && S.changed);
  if (!S.valid) setStatus("有错误，未保存：请按字段旁的提示修改 / errors: not saved — see the notes at the fields", true);
  else if (S.changed) setStatus("有未保存的修改 / unsaved changes");
  else setStatus("已保存 / saved");
}

function take(state) {
  S.data = state.data; S.version = state.version; S.file = state.file; S.messages = state.messages || [];
  S.changed = false; S.valid = true;
  $("#file").textContent = state.file;
  setOutputs(state.outputs);
  render();
}

async function save(force) {
  clearTimeout(S.timer);
  S.timer = null;
  const r = await fetch("api/save", { method: "POST", headers: { "Content-Type": "application/json" },
                                      body: JSON.stringify({ data: S.data, version: S.version, force: !!force }) });
  const got = await r.json();
  if (r.status === 409) { offerConflict(got.disk); return false; }
  if (!got.saved) { S.valid = false; S.messages = got.messages; showMessages(got.messages); updateStatus(); return false; }
  take(got);
  hideConflict();
  setStatus("已保存 / saved");
  await refresh();
  return true;
}

async function offerConflict(text) {
  if (text === undefined) {
    const r = await fetch("api/disk");
    if (!(await r.json()).conflict) return;
  }
  S.conflict = true;
  $("#conflict").hidden = false;
  if (text !== undefined) $("#disk-text").textContent = text;
}
function hideConflict() { S.conflict = false; $("#conflict").hidden = true; }

async function build() {
  if (S.changed && !(await save(false))) return;
  const out = $("#build-result");
  out.hidden = false;
  out.replaceChildren(el("div", { class: "msg note" }, "正在生成… building…"));
  const got = await (await fetch("api/build", { method: "POST" })).json();
  if (!got.ok) {
    out.replaceChildren(el("div", { class: "msg error" }, `${got.where ? got.where + ": " : ""}${got.error.zh}\n${got.error.en}`));
    return;
  }
  out.replaceChildren(el("strong", {}, `已生成到 built into ${got.out}/`), ...got.files.map((f) => el("div", { class: "file" },
    el("span", { class: f.preflight ? "ok" : "fail" }, f.preflight ? "✔ 印前检查通过 preflight passed" : "✘ 印前检查未通过 preflight failed"),
    ` ${f.path}（${f.pages} 页 pages${f.unchanged ? "，与上次相同 unchanged" : ""}）`,
    f.summary ? el("details", {}, el("summary", {}, "印前检查报告 preflight report"), el("pre", {}, f.summary)) : null,
    ...f.warnings.map((w) => el("div", { class: "msg warning" }, w)))));
}

async function watchDisk() {
  try {
    const got = await (await fetch("api/disk")).json();
    if (got.conflict && !S.conflict) offerConflict(undefined);
  } catch (e) { /* the server stopped: nothing to watch */ }
}

async function start() {
  const state = await (await fetch("api/state")).json();
  take(state);
  $("#save").addEventListener("click", () => save(false));
  $("#build").addEventListener("click", build);
  $("#keep-mine").addEventListener("click", () => save(true));
  $("#take-disk").addEventListener("click", async () => {
    take(await (await fetch("api/reload", { method: "POST" })).json());
    hideConflict();
    refresh();
  });
  $("#only").addEventListener("change", (e) => { S.only = e.target.value; $("#pages").replaceChildren(); refresh(); });
  setInterval(watchDisk, 1500);
  window.addEventListener("beforeunload", (e) => { if (S.changed) { e.preventDefault(); e.returnValue = ""; } });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); if (S.valid) save(false); }
  });
  await refresh();
}
start();
