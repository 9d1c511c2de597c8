/* contractcalc web calculator: the Risk tab.
 *
 * The chance that the price touches the liquidation price within a horizon, and which of the stop
 * and the target it touches first (POST /api/risk, as `contractcalc risk --json`), with a chart of
 * those chances against the horizon from 1 hour to 30 days (closed form, one request per point).
 * The liquidation price is typed, or computed by the API from the header's exchange preset (and
 * its tier table) with the entry, quantity and leverage. The page computes nothing itself.
 * Registered with the page through window.contractcalc.addTab (static/app.js).
 */
"use strict";

(function () {
  const cc = window.contractcalc;
  if (!cc || !cc.addTab) return;
  const { el, post, label, formatValue, debounce } = cc.page;
  const state = cc.state;

  const RESULT_KEYS = ["liquidation_price", "liquidation_probability", "stop_probability", "target_probability",
    "neither_probability", "volatility", "horizon_years", "standard_error"];
  /** The chart's horizons: 1 hour to 30 days. */
  const HORIZONS = ["1h", "2h", "4h", "8h", "12h", "1d", "2d", "3d", "5d", "7d", "10d", "14d", "21d", "30d"];
  const HOURS = { h: 1, d: 24 };
  /** The horizon axis's ticks, in hours: 1 h, 6 h, 1 d, 3 d, 7 d, 14 d, 30 d. */
  const TICKS = [1, 6, 24, 72, 168, 336, 720];
  const COLORS = { liquidation: "#8e1b9c", stop: "#d23c3c", target: "#16915a" };

  const FIELDS = [
    ["volatility", "Volatility", "Annual, as a fraction (0.8 = 80 %) or 80%.", "0.8"],
    ["horizon", "Horizon", "A duration: 90m, 24h, 7d, 1w.", "24h"],
    ["price", "Price now", "Default: the entry price.", "10000"],
    ["liquidation_price", "Liquidation price", "Leave empty to compute it from the position below and the header's exchange.", "9850"],
    ["stop", "Stop price", "Optional.", "9900"],
    ["target", "Target price", "Optional.", "10300"],
    ["drift", "Drift", "Annual drift of the price (default 0: no trend).", ""],
    ["monitoring", "Monitoring", "continuous, or the interval a bot checks at (e.g. 1h).", "continuous"],
  ];
  const POSITION = [
    ["entry", "Entry price", "With the header's exchange: the liquidation price's position.", "10000"],
    ["quantity", "Quantity", "Linear size in base units (or contracts below).", "1"],
    ["contracts", "Contracts", "Number of contracts.", ""],
    ["leverage", "Leverage", "Isolated margin = value at entry / leverage.", "50"],
    ["maintenance_margin_rate", "Maintenance margin rate", "Leave empty to use the header's tier table.", ""],
  ];

  const view = { inputs: {}, side: "long", method: "closed-form", request: null, plot: null, curve: null };

  function numberField(name, text, hint, value) {
    const id = `risk-${name.replace(/_/g, "-")}`;
    const input = el("input", { type: "text", id, inputmode: "decimal", autocomplete: "off", spellcheck: "false",
      "data-field": name });
    input.value = value;
    input.addEventListener("input", () => schedule());
    view.inputs[name] = input;
    return el("div", { class: "field", "data-field": name }, el("label", { for: id }, text), input,
      el("span", { class: "hint" }, hint), el("span", { class: "error", id: `${id}-error` }));
  }

  function segmented(id, name, choices, current, onPick) {
    const buttons = choices.map(([value, text]) => el("button", { type: "button", role: "radio", "data-value": value,
      "aria-checked": String(value === current), onclick: () => {
        for (const b of buttons) b.setAttribute("aria-checked", String(b.dataset.value === value));
        onPick(value);
        schedule();
      } }, text));
    return el("div", { class: "field" }, el("span", { class: "field-label" }, name),
      el("span", { class: "seg", role: "radiogroup", "aria-label": name, id }, buttons));
  }

  function build(panel) {
    const fields = FIELDS.map((f) => numberField(...f));
    const position = POSITION.map((f) => numberField(...f));
    view.error = el("p", { class: "error risk-error", id: "risk-error", role: "alert" });
    view.results = el("table", { class: "results", id: "risk-results" });
    view.chartBox = el("div", { class: "chart risk-chart", id: "risk-chart" });
    view.chartNote = el("p", { class: "chart-empty", id: "risk-chart-note" });
    const inputs = el("div", { class: "card risk-inputs" }, el("h2", {}, "Price and barriers"),
      el("div", { class: "fields" },
        segmented("risk-side", "Side", [["long", "Long"], ["short", "Short"]], view.side, (v) => { view.side = v; }),
        ...fields,
        segmented("risk-method", "Method", [["closed-form", "Closed form"], ["monte-carlo", "Monte Carlo"]],
          view.method, (v) => { view.method = v; }),
        numberField("paths", "Paths", "Monte Carlo paths (default 100,000).", ""),
        numberField("seed", "Seed", "Monte Carlo seed, for the same answer again.", "1")),
      el("details", { class: "risk-more" }, el("summary", {}, "Liquidation price from a position"),
        el("p", { class: "hint" }, "With the header's exchange preset (and its tier table, or the rate)."),
        el("div", { class: "fields" }, ...position)));
    const out = el("div", { class: "card risk-out" }, el("h2", {}, "Chances within the horizon"), view.error,
      el("div", { class: "results-box" }, view.results), view.chartNote, view.chartBox);
    panel.append(el("p", { class: "intro" }, "How likely is the price to reach your liquidation price, stop or " +
      "target within a horizon? Geometric Brownian motion at the volatility you give: the chart shows how the " +
      "chance grows from 1 hour to 30 days."), inputs, out);
  }

  /** The request body: the typed fields; the liquidation flags only without a typed liquidation price. */
  function body() {
    const out = { side: view.side, method: view.method };
    for (const [name, input] of Object.entries(view.inputs)) {
      const value = input.value.trim();
      if (value && !["entry", "quantity", "contracts", "leverage", "maintenance_margin_rate", "paths", "seed"].includes(name)) {
        out[name] = value;
      }
    }
    if (view.method === "monte-carlo") {
      for (const name of ["paths", "seed"]) if (view.inputs[name].value.trim()) out[name] = view.inputs[name].value.trim();
    }
    const entry = view.inputs.entry.value.trim();
    if (!out.liquidation_price && state.global.exchange) {
      out.exchange = state.global.exchange;
      if (state.global.symbol) out.symbol = state.global.symbol;
      for (const name of ["entry", "quantity", "contracts", "leverage", "maintenance_margin_rate"]) {
        if (view.inputs[name].value.trim()) out[name] = view.inputs[name].value.trim();
      }
      if (state.global.tiers && !out.maintenance_margin_rate) out.tiers = state.global.tiers;
    }
    if (!out.price && entry) out.price = entry;
    if (out.monitoring === "continuous") delete out.monitoring;
    return out;
  }

  const schedule = debounce(() => compute(), 300);

  async function compute() {
    if (view.request) view.request.abort();
    const controller = new AbortController();
    view.request = controller;
    for (const node of document.querySelectorAll("#panel-risk .field .error")) node.textContent = "";
    const request = body();
    try {
      const data = await post("/api/risk", request, controller.signal);
      if (controller.signal.aborted) return;
      show(data, "");
      await curve(request, controller.signal);
    } catch (error) {
      if (error.name === "AbortError") return;
      show(null, error.message);
    }
  }

  function show(data, message) {
    view.error.textContent = message;
    view.results.parentElement.classList.toggle("stale", Boolean(message));
    if (message) {
      const match = /^'([a-z_]+)'/.exec(message);
      const node = match && document.getElementById(`risk-${match[1].replace(/_/g, "-")}-error`);
      if (node) node.textContent = message;
      return;
    }
    view.results.replaceChildren(...RESULT_KEYS.map((key) => {
      const value = data[key];
      let text = formatValue(key, value).text;
      if (key.endsWith("_probability") && typeof value === "number") text = `${(value * 100).toFixed(2)} %`;
      return el("tr", { "data-key": key }, el("th", { title: key }, label(key)),  // the schema's labels (one copy, from /api/calculators)
        el("td", { class: "value", "data-value": String(value) }, text));
    }));
  }

  /** The chances at each horizon of :data:`HORIZONS` (closed form), one request after the other. */
  async function curve(request, signal) {
    const base = { ...request, method: "closed-form" };
    delete base.paths;
    delete base.seed;
    const rows = [];
    for (const horizon of HORIZONS) {
      const data = await post("/api/risk", { ...base, horizon }, signal);
      if (signal.aborted) return;
      rows.push(data);
    }
    view.curve = rows;
    draw();
  }

  function hours(horizon) {
    return Number(horizon.slice(0, -1)) * HOURS[horizon.slice(-1)];
  }

  function draw() {
    if (view.plot) { view.plot.destroy(); view.plot = null; }
    view.chartBox.replaceChildren();
    const rows = view.curve;
    if (!rows) return;
    const xs = HORIZONS.map(hours);
    const series = [
      ["liquidation", "liquidation_probability", "liquidation"],
      ["stop", "stop_probability", "stop (first)"],
      ["target", "target_probability", "target (first)"],
    ].filter(([, key]) => rows.some((r) => typeof r[key] === "number"));
    view.chartNote.textContent = series.length
      ? "Chance of each within the horizon (closed form), 1 hour to 30 days."
      : "Give a liquidation price, a stop or a target.";
    const width = Math.max(260, view.chartBox.clientWidth || 640);
    const opts = {
      width, height: 300,
      padding: [12, 12, 0, 8],
      legend: { live: true },
      scales: { x: { time: false, distr: 3, log: 10 }, y: { range: () => [0, 1] } },
      axes: [
        { stroke: "#5f6b7d", grid: { stroke: "rgba(127,140,160,0.18)" }, splits: () => TICKS,
          filter: (u, splits) => splits,  // every tick of TICKS (a log axis otherwise thins them)
          values: (u, ticks) => ticks.map((h) => (h == null ? "" : h >= 24 ? `${+(h / 24).toFixed(1)} d` : `${h} h`)) },
        { stroke: "#5f6b7d", grid: { stroke: "rgba(127,140,160,0.18)" }, size: 56,
          values: (u, ticks) => ticks.map((p) => `${Math.round(p * 100)} %`) },
      ],
      series: [
        { label: "horizon", value: (u, h) => (h == null ? "—" : h >= 24 ? `${+(h / 24).toFixed(2)} d` : `${h} h`) },
        ...series.map(([color, , name]) => ({ label: name, stroke: COLORS[color], width: 2,
          value: (u, p) => (p == null ? "—" : `${(p * 100).toFixed(2)} %`) })),
      ],
    };
    const data = [xs, ...series.map(([, key]) => rows.map((r) => (typeof r[key] === "number" ? r[key] : null)))];
    view.plot = new uPlot(opts, data, view.chartBox);
    view.chartBox.dataset.series = series.map(([color]) => color).join(",");
    view.chartBox.dataset.points = String(xs.length);
  }

  cc.addTab({
    id: "risk",
    label: "Risk",
    build,
    show: () => { if (!view.curve) schedule(); else draw(); },
    onGlobals: () => schedule(),
  });
})();
