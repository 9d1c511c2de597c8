/* contractcalc web calculator: the Replay tab.
 *
 * Upload or paste candles (ccxt JSON rows or CSV), describe an isolated position, and
 * POST /api/replay answers how it ended: stop, target, liquidation or still open. The
 * candlestick chart (the vendored uPlot) marks the entry, stop, target, liquidation
 * price and the exit. The page computes nothing: every figure is the API's.
 * Registered with the page through window.contractcalc.addTab (static/app.js).
 */
"use strict";

(function () {
  const cc = window.contractcalc;
  if (!cc || !cc.addTab) return;
  const { el, post, label, formatValue, formatNumber, debounce } = cc.page;
  const state = cc.state;

  /** Largest file read into the page: the API's body cap for /api/replay. */
  const MAX_FILE_BYTES = 8 * 1024 * 1024;
  const RESULT_KEYS = ["exit_reason", "exit_time", "exit_price", "pnl", "fees", "funding", "net_pnl", "bars_held",
    "liquidation_price"];
  const NUMBER_FIELDS = [
    ["entry", "Entry price", "Default: the first candle's open."],
    ["quantity", "Quantity", "Linear size in base units (or contracts)."],
    ["contracts", "Contracts", "Number of contracts (inverse: of contract size USD)."],
    ["contract_size", "Contract size", "Per contract; default the preset's for the symbol."],
    ["leverage", "Leverage", "The isolated margin is the value at entry / leverage."],
    ["wallet_balance", "Isolated margin", "Default: the initial margin."],
    ["maintenance_margin_rate", "Maintenance margin rate", "Leave empty to use the header's tier table."],
    ["maintenance_amount", "Maintenance amount", "Binance cum, Bybit MM deduction (default 0)."],
    ["max_leverage", "Max leverage", "Hyperliquid only: MMR = 1 / (2 × max leverage)."],
    ["stop", "Stop price", "Triggers on the last-price candles."],
    ["target", "Target price", "Take profit."],
    ["fee_rate", "Fee rate", "At entry and at a stop/target exit; default the preset's taker rate."],
  ];
  const COLORS = { entry: "#5f6b7d", stop: "#d23c3c", target: "#16915a", liquidation: "#8e1b9c", exit: "#2f6fde",
    up: "#16915a", down: "#d23c3c" };

  const view = { inputs: {}, side: "long", request: null, plot: null, last: null };
  /** Prices on the chart: 8 significant digits (the table has them all). */
  const SHORT = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 8 });

  // ---------------------------------------------------------------- parsing

  /** Rows from pasted text: JSON rows as they are, or CSV with a header naming the columns. */
  function parseRows(text, columns, what) {
    const trimmed = text.trim();
    if (!trimmed) return null;
    if (trimmed.startsWith("[")) {
      let rows;
      try { rows = JSON.parse(trimmed); } catch (error) { throw new Error(`${what}: not valid JSON (${error.message})`); }
      if (!Array.isArray(rows)) throw new Error(`${what}: JSON must be a list of rows`);
      return rows;
    }
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim());
    const header = lines[0].split(",").map((name) => name.trim().toLowerCase());
    const at = columns.map((name) => header.indexOf(name));
    const missing = columns.filter((name, i) => at[i] < 0 && name !== "volume");
    if (missing.length) throw new Error(`${what}: the CSV header must name ${columns.join(",")} (missing ${missing.join(", ")})`);
    const used = at.filter((i) => i >= 0);
    return lines.slice(1).map((line) => {
      const cells = line.split(",");
      // numbers as numbers; anything else as typed, so the API names the row and the value
      return used.map((i) => (cells[i] === undefined ? null : (Number.isFinite(Number(cells[i])) && cells[i].trim() !== ""
        ? Number(cells[i]) : cells[i].trim())));
    }).map((row) => row.filter((v) => v !== null));
  }

  // ------------------------------------------------------------------ form

  function fileInput(area, what) {
    const input = el("input", { type: "file", accept: ".json,.csv,.txt,application/json,text/csv",
      "aria-label": `Upload ${what}` });
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (!file) return;
      if (file.size > MAX_FILE_BYTES) {
        view.error.textContent = `${what}: the file has ${file.size.toLocaleString()} bytes; at most ${MAX_FILE_BYTES.toLocaleString()} are sent`;
        return;
      }
      const reader = new FileReader();
      reader.onload = () => { area.value = String(reader.result); schedule(); };
      reader.readAsText(file);
    });
    return input;
  }

  function textArea(id, placeholder, rows) {
    const area = el("textarea", { id, rows: String(rows), spellcheck: "false", placeholder, class: "replay-rows" });
    area.addEventListener("input", () => schedule());
    return area;
  }

  function numberField(name, text, hint) {
    const id = `replay-${name.replace(/_/g, "-")}`;
    const input = el("input", { type: "text", id, inputmode: "decimal", autocomplete: "off", spellcheck: "false",
      "data-field": name });
    input.addEventListener("input", () => schedule());
    view.inputs[name] = input;
    const error = el("span", { class: "error", id: `${id}-error` });
    return el("div", { class: "field", "data-field": name }, el("label", { for: id }, text), input,
      el("span", { class: "hint" }, hint), error);
  }

  function sideControl() {
    const buttons = ["long", "short"].map((side) => el("button", { type: "button", role: "radio", "data-value": side,
      "aria-checked": String(side === view.side), onclick: () => {
        view.side = side;
        for (const b of buttons) b.setAttribute("aria-checked", String(b.dataset.value === side));
        schedule();
      } }, side === "long" ? "Long" : "Short"));
    return el("div", { class: "field" }, el("span", { class: "field-label" }, "Side"),
      el("span", { class: "seg", role: "radiogroup", "aria-label": "Side", id: "replay-side" }, buttons));
  }

  function intrabarControl() {
    const select = el("select", { id: "replay-intrabar" },
      ["pessimistic", "optimistic", "nearest-first"].map((p) => el("option", { value: p }, p)));
    select.addEventListener("change", () => schedule());
    view.intrabar = select;
    return el("div", { class: "field" }, el("label", { for: "replay-intrabar" }, "Stop and target in one candle"), select,
      el("span", { class: "hint" }, "pessimistic: the stop; optimistic: the target; nearest-first: nearer the open."));
  }

  function build(panel) {
    const calc = state.calculators.get("replay");
    const example = calc ? calc.example : {};
    view.candles = textArea("replay-candles", "[[timestamp_ms, open, high, low, close, volume], …]  or  CSV: timestamp,open,high,low,close", 8);
    view.candles.value = JSON.stringify(example.candles || []).replace(/\],\[/g, "],\n[");
    view.marks = textArea("replay-mark-candles", "Mark-price candles, same timestamps (optional)", 4);
    view.funding = textArea("replay-funding", "[[timestamp_ms, rate], …]  or  CSV: timestamp,rate (optional)", 3);
    view.error = el("p", { class: "error replay-error", id: "replay-error", role: "alert" });
    const candlesCard = el("div", { class: "card replay-candles" },
      el("h2", {}, "Candles"),
      el("p", { class: "hint" }, "ccxt rows [timestamp_ms, open, high, low, close, volume] as JSON, or CSV with a header " +
        "timestamp,open,high,low,close[,volume]. The position opens at the first candle."),
      el("div", { class: "replay-upload" }, fileInput(view.candles, "candles")), view.candles,
      el("details", { class: "replay-more" }, el("summary", {}, "Mark candles and funding (optional)"),
        el("label", { for: "replay-mark-candles" }, "Mark candles: liquidation and the funding value use them"),
        el("div", { class: "replay-upload" }, fileInput(view.marks, "mark candles")), view.marks,
        el("label", { for: "replay-funding" }, "Funding rates: paid at each time after the open, up to the exit candle"),
        el("div", { class: "replay-upload" }, fileInput(view.funding, "funding")), view.funding));
    const fields = NUMBER_FIELDS.map(([name, text, hint]) => numberField(name, text, hint));
    const positionCard = el("div", { class: "card replay-position" }, el("h2", {}, "Position (isolated)"),
      el("p", { class: "hint" }, "The header's exchange preset gives the liquidation model and fees; its tier table (or the rate below) the maintenance margin."),
      el("div", { class: "fields" }, sideControl(), ...fields, intrabarControl()));
    for (const [name, value] of Object.entries(example)) {
      if (view.inputs[name] && name !== "maintenance_margin_rate") view.inputs[name].value = String(value);
    }
    view.results = el("table", { class: "results", id: "replay-results" });
    view.chartBox = el("div", { class: "chart replay-chart", id: "replay-chart" });
    view.chartNote = el("p", { class: "chart-empty", id: "replay-chart-note" });
    const resultsCard = el("div", { class: "card replay-out" }, el("h2", {}, "How it ended"), view.error,
      el("div", { class: "results-box" }, view.results), view.chartNote, view.chartBox);
    panel.append(el("p", { class: "intro" }, "Replay a position through real candles: the stop and target trigger on the " +
      "last price, liquidation at the exchange's liquidation price on the mark price, funding at each funding time."),
    el("div", { class: "replay-grid" }, candlesCard, positionCard), resultsCard);
  }

  // ---------------------------------------------------------------- compute

  function body() {
    const out = { side: view.side, intrabar: view.intrabar.value };
    const g = state.global;
    if (g.exchange) out.exchange = g.exchange;
    if (g.symbol) out.symbol = g.symbol;
    for (const [name, input] of Object.entries(view.inputs)) if (input.value.trim()) out[name] = input.value.trim();
    // a rate typed here replaces the header's tier table (the API takes one or the other)
    if (g.tiers && !out.maintenance_margin_rate && !out.max_leverage) out.tiers = g.tiers;
    out.candles = parseRows(view.candles.value, ["timestamp", "open", "high", "low", "close", "volume"], "candles") || [];
    const marks = parseRows(view.marks.value, ["timestamp", "open", "high", "low", "close", "volume"], "mark candles");
    if (marks) out.mark_candles = marks;
    const funding = parseRows(view.funding.value, ["timestamp", "rate"], "funding");
    if (funding) out.funding = funding;
    return out;
  }

  const schedule = debounce(() => compute(), 250);

  async function compute() {
    if (view.request) view.request.abort();
    const controller = new AbortController();
    view.request = controller;
    for (const node of document.querySelectorAll("#panel-replay .field .error")) node.textContent = "";
    let request;
    try {
      request = body();
    } catch (error) {
      show(null, error.message);
      return;
    }
    try {
      const data = await post("/api/replay", request, controller.signal);
      if (controller.signal.aborted) return;
      show({ request, data }, "");
    } catch (error) {
      if (error.name === "AbortError") return;
      show(null, error.message);
    }
  }

  function show(result, message) {
    view.error.textContent = message;
    const box = view.results.parentElement;
    box.classList.toggle("stale", Boolean(message));
    if (message) {
      // a field's own error under it, as on the other tabs
      const match = /^'([a-z_]+)'/.exec(message);
      const node = match && document.getElementById(`replay-${match[1].replace(/_/g, "-")}-error`);
      if (node) node.textContent = message;
      return;
    }
    view.last = result;
    const { data } = result;
    view.results.replaceChildren(...RESULT_KEYS.map((key) => {
      let text = formatValue(key, data[key]).text;
      if (key === "exit_time") text = new Date(data[key]).toISOString().replace("T", " ").replace(".000Z", " UTC");
      const sign = ["pnl", "net_pnl"].includes(key) && typeof data[key] === "number"
        ? (data[key] > 0 ? " profit" : data[key] < 0 ? " loss" : "") : "";
      return el("tr", { "data-key": key }, el("th", { title: key }, label(key)),
        el("td", { class: `value${sign}`, "data-value": String(data[key]) }, text));
    }));
    draw();
  }

  // ------------------------------------------------------------------ chart

  function levels(request, data) {
    const rows = request.candles;
    const entry = request.entry !== undefined ? Number(request.entry) : Number(rows[0][1]);
    return [
      { key: "entry", label: "entry", value: entry },
      { key: "stop", label: "stop", value: request.stop !== undefined ? Number(request.stop) : null, dash: true },
      { key: "target", label: "target", value: request.target !== undefined ? Number(request.target) : null, dash: true },
      { key: "liquidation", label: "liquidation", value: data.liquidation_price },
    ].filter((m) => typeof m.value === "number" && Number.isFinite(m.value));
  }

  function draw() {
    if (view.plot) { view.plot.destroy(); view.plot = null; }
    view.chartBox.replaceChildren();
    if (!view.last) return;
    const { request, data } = view.last;
    const rows = request.candles;
    const xs = rows.map((r) => r[0] / 1000);
    const cols = [1, 2, 3, 4].map((i) => rows.map((r) => r[i]));
    const marks = levels(request, data);
    const prices = [...cols[1], ...cols[2], ...marks.map((m) => m.value)];
    let lo = Math.min(...prices);
    let hi = Math.max(...prices);
    const pad = (hi - lo || hi || 1) * 0.06;
    lo -= pad;
    hi += pad;
    view.chartNote.textContent = `${rows.length.toLocaleString()} candles; exit: ${data.exit_reason} at ` +
      `${formatNumber(data.exit_price)} after ${data.bars_held.toLocaleString()} of them.`;
    const width = Math.max(260, view.chartBox.clientWidth || 640);
    const step = xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) : 60;
    const opts = {
      width, height: 340,
      padding: [12, 12, 0, 8],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      // half a candle's spacing beyond the first and last candle, so neither is cut in half
      scales: { x: { time: true, range: (u, min, max) => [min - step / 2, max + step / 2] }, y: { range: () => [lo, hi] } },
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),  // the times the table shows (UTC)
      axes: [
        { stroke: "#5f6b7d", grid: { stroke: "rgba(127,140,160,0.18)" } },
        { stroke: "#5f6b7d", grid: { stroke: "rgba(127,140,160,0.18)" }, size: 70,
          values: (u, ticks) => ticks.map(formatNumber) },
      ],
      series: [
        { label: "time" },
        ...["open", "high", "low", "close"].map((name) => ({ label: name, stroke: "rgba(0,0,0,0)", width: 0,
          points: { show: false }, paths: () => null, value: (u, v) => (v == null ? "—" : formatNumber(v)) })),
      ],
      hooks: { draw: [(u) => { drawCandles(u, cols); drawLevels(u, marks); drawExit(u, data); }] },
    };
    view.plot = new uPlot(opts, [xs, ...cols], view.chartBox);
    view.chartBox.dataset.candles = String(rows.length);
    view.chartBox.dataset.marks = [...marks.map((m) => m.key), "exit"].join(",");
    view.chartBox.dataset.exit = `${data.exit_reason}@${data.exit_price}`;
  }

  function drawCandles(u, [open, high, low, close]) {
    const ctx = u.ctx;
    const [first, last] = u.series[0].idxs || [0, open.length - 1];
    const count = Math.max(1, last - first + 1);
    const ratio = devicePixelRatio || 1;
    const body = Math.max(1 * ratio, Math.min(14 * ratio, (u.bbox.width / count) * 0.65));
    ctx.save();
    for (let i = first; i <= last; i += 1) {
      const x = u.valToPos(u.data[0][i], "x", true);
      const up = close[i] >= open[i];
      ctx.strokeStyle = ctx.fillStyle = up ? COLORS.up : COLORS.down;
      ctx.lineWidth = Math.max(1, ratio);
      ctx.beginPath();
      ctx.moveTo(x, u.valToPos(high[i], "y", true));
      ctx.lineTo(x, u.valToPos(low[i], "y", true));
      ctx.stroke();
      const top = u.valToPos(Math.max(open[i], close[i]), "y", true);
      const bottom = u.valToPos(Math.min(open[i], close[i]), "y", true);
      ctx.fillRect(x - body / 2, top, body, Math.max(1, bottom - top));
    }
    ctx.restore();
  }

  function drawLevels(u, marks) {
    const ctx = u.ctx;
    const ratio = devicePixelRatio || 1;
    const { left, width } = u.bbox;
    ctx.save();
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = "bottom";
    ctx.textAlign = "right";
    const taken = [];
    for (const mark of [...marks].sort((a, b) => b.value - a.value)) {
      const y = u.valToPos(mark.value, "y", true);
      ctx.strokeStyle = ctx.fillStyle = COLORS[mark.key];
      ctx.lineWidth = 1.5 * ratio;
      ctx.setLineDash(mark.dash ? [5 * ratio, 4 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      // labels just above their line at the right end, pushed down where two levels are close
      let labelY = y - 2 * ratio;
      while (taken.some((t) => Math.abs(t - labelY) < 13 * ratio)) labelY += 13 * ratio;
      taken.push(labelY);
      ctx.fillText(`${mark.label} ${SHORT.format(mark.value)}`, left + width - 4 * ratio, labelY);
    }
    ctx.restore();
  }

  function drawExit(u, data) {
    const ctx = u.ctx;
    const ratio = devicePixelRatio || 1;
    const x = u.valToPos(data.exit_time / 1000, "x", true);
    const y = u.valToPos(data.exit_price, "y", true);
    const { top, height } = u.bbox;
    ctx.save();
    ctx.strokeStyle = ctx.fillStyle = COLORS.exit;
    ctx.lineWidth = 1.5 * ratio;
    ctx.setLineDash([2 * ratio, 3 * ratio]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.arc(x, y, 5 * ratio, 0, 2 * Math.PI);
    ctx.fill();
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = "bottom";
    const text = `exit (${data.exit_reason}) ${SHORT.format(data.exit_price)}`;
    const w = ctx.measureText(text).width;
    ctx.fillText(text, Math.min(x + 8 * ratio, u.bbox.left + u.bbox.width - w), Math.max(top + 12 * ratio, y - 8 * ratio));
    ctx.restore();
  }

  cc.addTab({
    id: "replay",
    label: "Replay",
    build(panel) {
      build(panel);
      window.addEventListener("resize", debounce(() => { if (state.tab === "replay") draw(); }, 150));
    },
    show() { if (view.last) draw(); else schedule(); },
    onGlobals() { schedule(); },
  });
})();
