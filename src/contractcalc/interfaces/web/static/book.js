/* contractcalc web calculator: the Book tab (book stress).
 *
 * Upload or paste a book of positions (CSV or JSON rows, the columns of `contractcalc stress
 * --positions`) and its cross wallets, choose the shocks, and POST /api/stress answers, as
 * `contractcalc stress --json`: for every move of all marks, the accounts and positions liquidated,
 * their notional and the shortfall. The chart shows the accounts and the notional liquidated against
 * the move (down and up); the table lists the accounts nearest to liquidation with the exact move
 * that liquidates each. The page computes nothing: every figure is the API's.
 * Registered with the page through window.contractcalc.addTab (static/app.js).
 */
"use strict";

(function () {
  const cc = window.contractcalc;
  if (!cc || !cc.addTab) return;
  const { el, post, label, formatNumber, debounce } = cc.page;
  const state = cc.state;

  /** Largest file read into the page: the API's body cap for /api/stress. */
  const MAX_FILE_BYTES = 1024 * 1024;
  const COLORS = { accounts: "#d23c3c", notional: "#2f6fde", zero: "#5f6b7d" };
  const NEAREST_KEYS = ["account", "positions", "liquidation_move_down", "liquidation_move_up", "margin_balance",
    "maintenance_margin", "margin_ratio"];
  const NEAREST_LABELS = { account: "Account", positions: "Positions", liquidation_move_down: "Move down",
    liquidation_move_up: "Move up", margin_balance: "Margin balance", maintenance_margin: "Maintenance margin",
    margin_ratio: "Margin ratio" };

  const view = { request: null, plot: null, last: null };

  // ---------------------------------------------------------------- parsing

  /** Row objects from pasted text: a JSON list of objects, or CSV with a header naming the columns. */
  function parseRows(text, what) {
    const trimmed = text.trim();
    if (!trimmed) return null;
    if (trimmed.startsWith("[")) {
      let rows;
      try { rows = JSON.parse(trimmed); } catch (error) { throw new Error(`${what}: not valid JSON (${error.message})`); }
      if (!Array.isArray(rows)) throw new Error(`${what}: JSON must be a list of row objects`);
      return rows;
    }
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim());
    const header = lines[0].split(",").map((name) => name.trim());
    return lines.slice(1).map((line) => {
      const cells = line.split(",");
      const row = {};
      header.forEach((name, i) => {
        const cell = (cells[i] || "").trim();
        if (cell === "") return;  // an empty cell is a missing value
        // numbers as numbers; anything else as typed, so the API names the row and the value
        row[name] = Number.isFinite(Number(cell)) ? Number(cell) : cell;
      });
      return row;
    });
  }

  function toCSV(rows) {
    const names = [];
    for (const row of rows) for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key);
    return [names.join(","), ...rows.map((row) => names.map((n) => (row[n] === undefined ? "" : row[n])).join(","))]
      .join("\n");
  }

  // ------------------------------------------------------------------ form

  function fileInput(area, what) {
    const input = el("input", { type: "file", accept: ".csv,.json,.jsonl,.txt,text/csv,application/json",
      "aria-label": `Upload ${what}` });
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (!file) return;
      if (file.size > MAX_FILE_BYTES) {
        view.error.textContent = `${what}: the file has ${file.size.toLocaleString()} bytes; at most ` +
          `${MAX_FILE_BYTES.toLocaleString()} are sent (larger books: contractcalc stress)`;
        return;
      }
      const reader = new FileReader();
      reader.onload = () => {
        let text = String(reader.result);
        // JSON lines (one object per line) become a JSON list
        if (/^\s*\{/.test(text)) text = `[${text.trim().split(/\r?\n/).filter((l) => l.trim()).join(",\n")}]`;
        area.value = text;
        schedule();
      };
      reader.readAsText(file);
    });
    return input;
  }

  function textArea(id, placeholder, rows) {
    const area = el("textarea", { id, rows: String(rows), spellcheck: "false", placeholder, class: "book-rows" });
    area.addEventListener("input", () => schedule());
    return area;
  }

  function build(panel) {
    const calc = state.calculators.get("stress");
    const example = calc ? calc.example : {};
    view.positions = textArea("book-positions", "account,symbol,side,quantity,entry,mark,margin_mode,leverage,maintenance_margin_rate", 9);
    view.positions.value = toCSV(example.positions || []);
    view.accounts = textArea("book-accounts", "account,wallet_balance", 4);
    view.accounts.value = toCSV(example.accounts || []);
    view.shocks = el("input", { type: "text", id: "book-shocks", value: "-0.5:0.5:0.01", autocomplete: "off",
      spellcheck: "false", "data-field": "shocks" });
    view.shocks.addEventListener("input", () => schedule());
    view.error = el("p", { class: "error book-error", id: "book-error", role: "alert" });
    const bookCard = el("div", { class: "card book-input" },
      el("h2", {}, "Book"),
      el("p", { class: "hint" }, "Positions as CSV (header: account, symbol, side, quantity or contracts, entry, mark, " +
        "margin_mode, leverage or wallet_balance, maintenance_margin_rate unless the header's tier table holds the " +
        "symbol) or a JSON list of rows; at most 2,000 here, any size with contractcalc stress."),
      el("div", { class: "book-upload" }, fileInput(view.positions, "positions")), view.positions,
      el("label", { for: "book-accounts" }, "Cross wallets (account, wallet_balance)"),
      el("div", { class: "book-upload" }, fileInput(view.accounts, "accounts")), view.accounts,
      el("div", { class: "field", "data-field": "shocks" }, el("label", { for: "book-shocks" }, "Shocks FROM:TO:STEP"),
        view.shocks, el("span", { class: "hint" }, "Relative moves of every mark, both ends included (at most 401)."),
        el("span", { class: "error", id: "book-shocks-error" })));
    view.summary = el("p", { class: "book-summary", id: "book-summary" });
    view.chartBox = el("div", { class: "chart book-chart", id: "book-chart" });
    view.nearest = el("table", { class: "results book-nearest", id: "book-nearest" });
    const outCard = el("div", { class: "card book-out" }, el("h2", {}, "Liquidations by move"), view.error,
      view.summary, view.chartBox,
      el("h3", {}, "Accounts nearest to liquidation"),
      el("p", { class: "hint" }, "The move of every mark that first liquidates each account, down and up (solved " +
        "exactly), its margin balance and maintenance margin now."),
      el("div", { class: "results-box" }, view.nearest));
    panel.append(el("p", { class: "intro" }, "Book stress for a risk desk: move every mark by the same fraction and see " +
      "which accounts are liquidated (a cross account's positions share its wallet; an isolated position has its " +
      "own margin), how much notional is closed and what the insurance fund pays (the shortfall)."),
    el("div", { class: "book-grid" }, bookCard, outCard));
  }

  // ---------------------------------------------------------------- compute

  function body() {
    const out = { shocks: view.shocks.value.trim() };
    const g = state.global;
    if (g.exchange) out.exchange = g.exchange;
    if (g.tiers) out.tiers = g.tiers;
    out.positions = parseRows(view.positions.value, "positions") || [];
    const accounts = parseRows(view.accounts.value, "accounts");
    if (accounts && accounts.length) out.accounts = accounts;
    return out;
  }

  const schedule = debounce(() => compute(), 300);

  async function compute() {
    if (view.request) view.request.abort();
    const controller = new AbortController();
    view.request = controller;
    document.getElementById("book-shocks-error").textContent = "";
    let request;
    try {
      request = body();
    } catch (error) {
      show(null, error.message);
      return;
    }
    try {
      const data = await post("/api/stress", request, controller.signal);
      if (controller.signal.aborted) return;
      show(data, "");
    } catch (error) {
      if (error.name === "AbortError") return;
      show(null, error.message);
    }
  }

  /** A fraction as a percentage with 4 significant digits (−6.883 %). */
  function percent(value) {
    if (value === null || value === undefined) return "—";
    return `${formatNumber(Number((value * 100).toPrecision(4)))} %`;
  }

  function show(data, message) {
    view.error.textContent = message;
    view.chartBox.parentElement.classList.toggle("stale", Boolean(message));
    if (message) {
      if (/^'shocks'/.test(message)) document.getElementById("book-shocks-error").textContent = message;
      return;
    }
    view.last = data;
    const worst = data.ladder.reduce((a, b) => (b.shortfall > a.shortfall ? b : a), data.ladder[0]);
    view.summary.textContent = `${data.positions.toLocaleString()} positions in ${data.accounts.toLocaleString()} ` +
      `accounts. Largest shortfall on this grid: ${formatNumber(worst.shortfall)} at a move of ${percent(worst.shock)} ` +
      `(${worst.accounts_liquidated.toLocaleString()} accounts, ${formatNumber(worst.notional_liquidated)} notional).`;
    view.nearest.replaceChildren(
      el("thead", {}, el("tr", {}, NEAREST_KEYS.map((key) => el("th", { scope: "col" }, NEAREST_LABELS[key] || label(key))))),
      el("tbody", {}, data.nearest_accounts.map((row) => el("tr", { "data-account": String(row.account) },
        NEAREST_KEYS.map((key) => {
          const value = row[key];
          let text;
          if (key === "account" || key === "positions") text = String(value);
          else if (key.startsWith("liquidation_move") || key === "margin_ratio") text = percent(value);
          else text = value === null ? "—" : formatNumber(value);
          return el("td", { class: key === "account" ? "" : "value", "data-key": key }, text);
        })))));
    draw();
  }

  // ------------------------------------------------------------------ chart

  function draw() {
    if (view.plot) { view.plot.destroy(); view.plot = null; }
    view.chartBox.replaceChildren();
    if (!view.last) return;
    const ladder = view.last.ladder;
    const xs = ladder.map((row) => row.shock * 100);
    const accounts = ladder.map((row) => row.accounts_liquidated);
    const notional = ladder.map((row) => row.notional_liquidated);
    const width = Math.max(260, view.chartBox.clientWidth || 640);
    const opts = {
      width, height: 320,
      padding: [12, 8, 0, 8],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      scales: { x: { time: false }, accounts: { range: (u, min, max) => [0, Math.max(1, max)] },
        notional: { range: (u, min, max) => [0, Math.max(1, max)] } },
      axes: [
        { stroke: "#5f6b7d", grid: { stroke: "rgba(127,140,160,0.18)" }, label: "move of every mark (%)",
          values: (u, ticks) => ticks.map((t) => `${formatNumber(t)} %`) },
        { scale: "accounts", stroke: COLORS.accounts, grid: { stroke: "rgba(127,140,160,0.18)" }, size: 60,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6],
          label: "accounts liquidated", values: (u, ticks) => ticks.map((t) => formatNumber(t)) },
        { scale: "notional", side: 1, stroke: COLORS.notional, grid: { show: false }, size: 80,
          label: "notional liquidated", values: (u, ticks) => ticks.map((t) => formatNumber(t)) },
      ],
      series: [
        { label: "move", value: (u, v) => (v == null ? "—" : `${formatNumber(v)} %`) },
        { label: "accounts", scale: "accounts", stroke: COLORS.accounts, width: 2,
          value: (u, v) => (v == null ? "—" : v.toLocaleString()) },
        { label: "notional", scale: "notional", stroke: COLORS.notional, width: 2, dash: [6, 4],
          value: (u, v) => (v == null ? "—" : formatNumber(v)) },
      ],
      hooks: { draw: [(u) => drawZero(u)] },
    };
    view.plot = new uPlot(opts, [xs, accounts, notional], view.chartBox);
    view.chartBox.dataset.points = String(xs.length);
  }

  /** The current marks (a move of 0) as a vertical line. */
  function drawZero(u) {
    const x = u.valToPos(0, "x", true);
    if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const ctx = u.ctx;
    const ratio = devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = COLORS.zero;
    ctx.lineWidth = ratio;
    ctx.setLineDash([3 * ratio, 3 * ratio]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }

  cc.addTab({
    id: "book",
    label: "Book",
    build(panel) {
      build(panel);
      window.addEventListener("resize", debounce(() => { if (state.tab === "book") draw(); }, 150));
    },
    show() { if (view.last) draw(); else schedule(); },
    onGlobals() { schedule(); },
  });
})();
