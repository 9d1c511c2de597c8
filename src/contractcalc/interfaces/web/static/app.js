/* contractcalc web calculator.
 *
 * The page computes nothing itself: every figure is the answer of the JSON API
 * (POST /api/<command>), which calls the same library functions as the CLI.
 * Forms are built from GET /api/calculators (fields, help texts, examples), so
 * a calculator added to the API appears here with its own inputs. The inputs
 * live in the URL's query string, so a calculation can be bookmarked or shared.
 */
"use strict";

(function () {
  // ------------------------------------------------------------------ config

  /**
   * Tabs that bring their own script (static/replay.js, ...), registered with
   * window.contractcalc.addTab({ id, label, build(panel), show(), onGlobals() }): the page adds
   * the tab button and the panel, calls build(panel) once, show() when the tab is chosen and
   * onGlobals() when the header's market changes. They come after the calculators' tabs.
   */
  const EXTRA_TABS = [];

  /** Tabs, in order. `endpoints`: calculators shown in the tab (missing ones are skipped). */
  const TABS = [
    { id: "plan", label: "Plan", endpoints: ["plan"], chart: "plan",
      intro: "The seed's method: the stop gives the leverage, the leverage the liquidation move, the target the profit. " +
             "The exact figures for a real linear and inverse contract are beside the seed's." },
    { id: "pnl", label: "PnL", endpoints: ["pnl"], chart: "pnl" },
    { id: "target", label: "Target price", endpoints: ["target"] },
    { id: "liquidation", label: "Liquidation price", endpoints: ["liquidation"], chart: "liquidation",
      // Isolated: one position. Cross: the account's wallet balance and every position in a table.
      modes: { field: "margin_mode", default: "isolated", hide: {
        isolated: ["positions"],
        cross: ["side", "entry", "quantity", "contracts", "contract_size", "leverage", "extra_margin", "mark",
                "maintenance_margin_rate", "maintenance_amount", "max_leverage"],
      } } },
    { id: "max-open", label: "Max open", endpoints: ["max-open"] },
    { id: "average-entry", label: "Average entry", endpoints: ["average-entry"] },
    { id: "size", label: "Position size", endpoints: ["size"] },
    { id: "cost", label: "Cost to open", endpoints: ["cost"] },
    { id: "seed", label: "Seed formulas", endpoints: ["seed-target-change", "seed-liquidation-change", "seed-leverage", "seed-profit"],
      intro: "The seed lesson's formulas, exactly as the document states them (contractcalc seed …)." },
  ];

  /** Fields set once for the whole page, in the header. */
  const GLOBALS = ["contract", "exchange", "symbol", "tiers"];

  /** The market the page opens with when the URL names none. */
  const DEFAULT_MARKET = { contract: "linear", exchange: "binance-usdm" };

  /** What the starting inputs trade and when they were set (``schema.MARKET_PRICES``, from /api/calculators): the footer says it. */
  const STARTING = { coins: [], asOf: "" };

  /** A position's size: ``quantity`` (linear base units) or ``contracts`` × ``contract_size`` (linear or inverse). */
  const SIZE_FIELDS = ["quantity", "contracts", "contract_size"];

  /** Inputs whose starting value follows the market (contract kind, preset, symbol) and the margin mode. */
  const MARKET_FIELDS = [...SIZE_FIELDS, "wallet_balance", "positions"];

  /** A cross account's sample, in the header's market: wallet balance (quote, or coin for inverse) and mark. */
  const CROSS_SAMPLE = { linear: { wallet_balance: "10000" }, inverse: { wallet_balance: "0.5" }, mark: 0.98 };

  /** API inputs the calculator tabs do not offer: a whole book or accounts (the Book tab's), the output format. */
  const NOT_ON_THE_PAGE = ["book", "accounts", "output"];

  /** Optional inputs most trades leave alone: under "Advanced" (opened by an error in one of them). */
  const ADVANCED = ["open_fee_rate", "close_fee_rate", "funding_rate", "funding_intervals", "funding_mark",
    "taker_fee_rate", "max_leverage", "maintenance_amount", "extra_margin",
    // plan and size: which of stop, target and liquidation price is touched first (the Risk tab has more)
    "volatility", "horizon", "drift"];

  /**
   * Inputs that only some exchanges read (hidden, and not sent, elsewhere): the estimated fee to
   * close counts in OKX's liquidation price, and in Bybit's cross margin (at the bankruptcy price);
   * the max leverage gives Hyperliquid's rate.
   */
  const APPLIES = {
    taker_fee_rate: (chosen, calc, mode) => Boolean(chosen) && (chosen.liquidation_model === "okx" ||
      (chosen.liquidation_model === "bybit" && calc.name === "liquidation" && mode === "cross")),
    max_leverage: (chosen, calc) => calc.name === "size" || (Boolean(chosen) && chosen.liquidation_model === "hyperliquid"),
  };

  /** Result keys shown as a percentage beside the fraction, as the CLI's table does (from /api/calculators). */
  const PERCENT_SUFFIXES = [];

  /** Readable names (the schema's, from /api/calculators); anything else is shown as its key with spaces. */
  const LABELS = {};

  // ----------------------------------------------------------------- helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function label(key) {
    if (LABELS[key]) return LABELS[key];
    const text = key.replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  const NUMBER = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 12 });
  const SHORT = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 8 });

  function isPercent(key) {
    return PERCENT_SUFFIXES.some((suffix) => key.endsWith(suffix));
  }

  /** A value for people: at most 12 significant digits, no exponent (as the CLI's table). */
  function formatNumber(value) {
    if (Object.is(value, -0)) return "0";
    return NUMBER.format(value);
  }

  /** ``value`` with exactly ``decimals`` decimals (thousands separated), never "-0". */
  function fixed(value, decimals) {
    const text = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
      .format(value);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  }

  /** ``value`` with at most ``decimals`` decimals (none shown when it is whole: "25 %", "71.43 %"). */
  function upTo(value, decimals) {
    const text = new Intl.NumberFormat("en-US", { maximumFractionDigits: decimals }).format(value);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  }

  // ---- units and precision: what each result key is, in the header's market

  /** Result keys that are prices (shown to the market's tick). */
  const PRICE_KEYS = /(^|_)(price|entry|exit|mark|stop|target|open)$|^average_entry$/;
  /** Keys that are amounts of money (in the settlement currency: quote for linear, coin for inverse). */
  const AMOUNT_KEYS = /(pnl|margin|notional|fees?|funding|cost|loss|balance|amount|principal|fee)$/;
  /** Keys in the base coin whatever the contract kind. */
  const COIN_KEYS = /(_coin|^quantity|^max_quantity|^total_size|^size)$/;
  /** Amounts always in the quote currency (the plan's values of an inverse profit). */
  const QUOTE_KEYS = /(_value|_at_entry|^linear_profit|^inverse_profit|^profit)$/;
  /** Leverage advice: a ceiling rounds down to a whole leverage, a need rounds up. */
  const LEVERAGE_DOWN = /^max_leverage/;
  const LEVERAGE_UP = /^leverage_needed$/;

  /** The market's currencies from the header's symbol (ccxt ``BTC/USDT:USDT``, ``BTCUSDT``, ``BTC-USD-SWAP``). */
  function marketCurrencies() {
    const symbol = marketSymbol().toUpperCase();
    let base;
    let quote;
    let settle;
    const ccxt = /^([A-Z0-9]+)\/([A-Z0-9]+)(?::([A-Z0-9]+))?/.exec(symbol);
    if (ccxt) [, base, quote, settle] = ccxt;
    else {
      const dashed = symbol.split(/[-_]/);
      const joined = dashed.length > 1 ? null : /^([A-Z0-9]+?)(USDT|USDC|USD|BUSD)$/.exec(symbol);
      base = joined ? joined[1] : dashed[0] || "BTC";
      quote = joined ? joined[2] : dashed[1] || "USDT";
    }
    const inverse = state.global.contract === "inverse";
    quote = inverse ? "USD" : quote;
    return { base, quote, settle: inverse ? base : settle || quote };
  }

  /** The market's price tick: the chosen preset's for the symbol, else none (significant digits). */
  function priceTick() {
    const chosen = preset(state.global.exchange);
    const ticks = (chosen && chosen.price_ticks) || {};
    const base = marketCurrencies().base;
    const tick = ticks[base] ?? ticks["*"];
    return typeof tick === "number" && tick > 0 ? tick : null;
  }

  /** The preset's lot for the header's symbol (base units linear, contracts inverse), or null. */
  function lotSize() {
    const chosen = preset(state.global.exchange);
    const lot = ((chosen && chosen.lot_sizes) || {})[marketCurrencies().base];
    return typeof lot === "number" && lot > 0 ? lot : null;
  }

  function decimalsOf(step) {
    const text = String(step);
    if (/e-/.test(text)) return Number(text.split("e-")[1]);
    return text.includes(".") ? text.split(".")[1].length : 0;
  }

  /** A price to the market's tick (rounded to the nearest tick), or to 2 decimals (8 significant digits below 1). */
  function formatPrice(value) {
    const tick = priceTick();
    if (tick) return fixed(Math.round(value / tick) * tick, decimalsOf(tick));
    if (Math.abs(value) >= 1) return fixed(value, 2);
    return SHORT.format(value);
  }

  /** What a key is: { kind: price|amount|coin|percent|leverage-down|leverage-up|plain, unit }. */
  function describeKey(key) {
    const money = marketCurrencies();
    if (/(^|_)tier($|_)/.test(key)) return { kind: "plain" };
    if (isPercent(key)) return { kind: "percent" };
    if (LEVERAGE_DOWN.test(key)) return { kind: "leverage-down" };
    if (LEVERAGE_UP.test(key)) return { kind: "leverage-up" };
    if (key === "leverage") return { kind: "leverage" };
    if (PRICE_KEYS.test(key) && !AMOUNT_KEYS.test(key)) return { kind: "price", unit: money.quote };
    if (COIN_KEYS.test(key)) return { kind: "coin", unit: money.base };
    if (QUOTE_KEYS.test(key)) return { kind: "amount", unit: money.quote };
    if (AMOUNT_KEYS.test(key)) {
      const inverse = state.global.contract === "inverse";
      return { kind: inverse ? "coin" : "amount", unit: money.settle };
    }
    return { kind: "plain" };
  }

  /**
   * A number as a trader reads it: amounts with their currency, prices to the tick, coin amounts
   * to 8 decimals, rates and ROE as percentages, leverage advice as a whole leverage. ``exact``:
   * the full figure (shown on hover), as the JSON answer has it.
   */
  function formatKeyed(key, value) {
    const exact = formatNumber(value);
    const what = describeKey(key);
    switch (what.kind) {
      case "percent": return { text: `${upTo(value * 100, 2)} %`, exact: `${exact} (${formatNumber(value * 100)} %)` };
      case "price": {
        const tick = priceTick();
        return { text: formatPrice(value), unit: what.unit, exact,
          hint: tick ? `shown to the market's tick, ${formatNumber(tick)}` : undefined };
      }
      case "coin": {
        const lot = /^(max_)?quantity$/.test(key) ? lotSize() : null;
        return { text: fixed(value, 8), unit: what.unit, exact,
          hint: lot ? `the market's lot is ${formatNumber(lot)}: round down, or ask for round` : undefined };
      }
      case "amount": return { text: fixed(value, Math.abs(value) >= 1 || value === 0 ? 2 : 6), unit: what.unit, exact };
      case "leverage-down": return { text: `${formatNumber(Math.max(1, Math.floor(value + 1e-9)))}×`, exact: `${exact}×`,
        hint: "rounded down to a whole leverage" };
      case "leverage-up": return { text: `${formatNumber(Math.max(1, Math.ceil(value - 1e-9)))}×`, exact: `${exact}×`,
        hint: "rounded up to a whole leverage" };
      case "leverage": return { text: `${formatNumber(Math.round(value * 100) / 100)}×`, exact: `${exact}×` };
      default: return { text: exact, exact };
    }
  }

  function formatValue(key, value) {
    if (value === null || value === undefined) return { text: "—" };
    if (typeof value === "boolean") return { text: value ? "yes" : "no" };
    if (typeof value === "number") return formatKeyed(key, value);
    if (Array.isArray(value)) return { text: value.map((v) => formatValue(key, v).text).join(", ") };
    if (typeof value === "object") return { text: JSON.stringify(value) };
    return { text: String(value) };
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  async function getJSON(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  // ------------------------------------------------------------------- state

  const state = {
    calculators: new Map(), // name -> descriptor from /api/calculators
    exchanges: [], // from /api/presets
    global: { contract: "linear", exchange: "", symbol: "", tiers: "" },
    tab: "plan",
    cards: [], // every Card on the page
    url: new URLSearchParams(location.search),
  };

  function preset(name) {
    return state.exchanges.find((p) => p.name === name) || null;
  }

  /** The chosen preset's contract size for ``symbol`` (as ``ExchangePreset.contract_size``); null: none. */
  function presetContractSize(symbol) {
    const chosen = preset(state.global.exchange);
    if (!chosen) return null;
    const sizes = chosen.contract_sizes || {};
    if (symbol) {
      const text = symbol.toUpperCase();
      const base = text.includes("/") ? text.split("/")[0] : text.split("-")[0];
      for (const [prefix, size] of Object.entries(sizes)) {
        if (prefix !== "*" && (base === prefix || (!text.includes("/") && base.startsWith(prefix)))) return size;
      }
    }
    return sizes["*"] ?? null;
  }

  /** The header's symbol, or a BTC perpetual of the contract kind (ccxt style). */
  function marketSymbol() {
    return state.global.symbol || (state.global.contract === "inverse" ? "BTC/USD:BTC" : "BTC/USDT:USDT");
  }

  /** Whether the chosen tier table holds ``symbol`` (then a position needs no maintenance margin rate). */
  function tiersHold(symbol) {
    const table = tierTable(state.global.tiers);
    return Boolean(table && table.symbol === symbol);
  }

  // ------------------------------------------------------------ URL (share)

  function writeURL() {
    const params = new URLSearchParams();
    params.set("tab", state.tab);
    for (const name of GLOBALS) if (state.global[name]) params.set(name, state.global[name]);
    for (const card of state.cards) {
      if (card.tab.id !== state.tab) continue;
      for (const [name, value] of Object.entries(card.urlValues())) params.set(card.prefix + name, value);
    }
    const query = params.toString().replace(/%2C/g, ",").replace(/%5B/g, "[").replace(/%5D/g, "]");
    history.replaceState(null, "", `${location.pathname}?${query}`);
  }

  // ------------------------------------------------------------------- cards

  /** One calculator: its form, its results, optionally a chart. */
  class Card {
    constructor(calc, tab, compact) {
      this.calc = calc;
      this.tab = tab;
      this.compact = compact;
      this.prefix = compact ? calc.name.replace(/^seed-/, "") + "." : "";
      this.values = {}; // field -> text (or rows for lists)
      this.inputs = new Map(); // field -> input element(s) wrapper
      this.errors = new Map(); // field -> error element
      this.controller = null;
      this.result = null;
      this.globalErrors = []; // errors in the header's fields (exchange, symbol, tiers), {field, message}
      this.schedule = debounce(() => this.compute(), 120);
      this.fields = calc.fields.filter((f) => !GLOBALS.includes(f.name));
      this.globals = calc.fields.filter((f) => GLOBALS.includes(f.name)).map((f) => f.name);
      this.touched = new Set(); // fields the user has set: market changes never replace them
      this.redraw = new Map(); // list field -> redraws its table
      this.load();
    }

    has(name) {
      return this.fields.some((field) => field.name === name);
    }

    mode() {
      const modes = this.tab.modes;
      return modes ? this.values[modes.field] || modes.default : null;
    }

    /** Whether the calculator takes a size as ``quantity`` or ``contracts`` (one of them). */
    sized() {
      return this.has("quantity") && this.has("contracts");
    }

    /**
     * The value ``name`` starts with in the header's market and the card's mode: the calculator's
     * defaults (the API's example with today's prices, ``schema.PAGE_DEFAULTS``), its size given in
     * contracts of the preset's size for an inverse market (the same face value as the linear
     * default), and a sample account in cross mode.
     */
    marketDefault(name) {
      const example = this.calc.defaults;
      const inverse = state.global.contract === "inverse";
      if (SIZE_FIELDS.includes(name) && this.sized() && example.quantity !== undefined) {
        if (!inverse) return name === "quantity" ? String(example.quantity) : "";
        if (name === "quantity") return "";
        const size = Number(presetContractSize(state.global.symbol)) || 1;
        if (name === "contract_size") return String(size);
        return String(Math.max(1, Math.round((Number(example.quantity) * Number(example.entry)) / size)));
      }
      if (this.mode() === "cross" && name === "wallet_balance") return CROSS_SAMPLE[state.global.contract].wallet_balance;
      if (this.mode() === "cross" && name === "positions") return this.samplePositions();
      const value = example[name];
      if (this.fields.find((f) => f.name === name && f.type === "list")) return Array.isArray(value) ? value.map((r) => ({ ...r })) : [];
      return value === undefined || value === null ? "" : String(value);
    }

    /** One position of the header's market, the size of the isolated example, its mark a little below entry. */
    samplePositions() {
      const example = this.calc.defaults;
      const symbol = marketSymbol();
      const entry = Number(example.entry) || 60000;
      const size = Number(presetContractSize(symbol)) || 1;
      const base = Number(example.quantity) || 1;
      const contracts = state.global.contract === "inverse" ? (base * entry) / size : base / size;
      const row = { symbol, side: "long", contracts: String(Math.max(1, Math.round(contracts))), contractSize: String(size),
        entryPrice: String(entry), markPrice: String(entry * CROSS_SAMPLE.mark) };
      if (!tiersHold(symbol)) row.maintenanceMarginRate = "0.005";
      if (example.leverage) row.leverage = String(example.leverage);
      return [row];
    }

    /** Untouched market inputs take the market's defaults (a size the user typed keeps all three). True if any changed. */
    refreshDefaults() {
      const sizeTouched = SIZE_FIELDS.some((name) => this.touched.has(name));
      let changed = false;
      for (const field of this.fields) {
        const name = field.name;
        if (!MARKET_FIELDS.includes(name) || this.touched.has(name)) continue;
        if (SIZE_FIELDS.includes(name) && sizeTouched) continue;
        const value = this.marketDefault(name);
        if (JSON.stringify(value) === JSON.stringify(this.values[name])) continue;
        this.values[name] = value;
        changed = true;
        const input = this.inputs.get(name);
        if (input && input.tagName === "INPUT") input.value = value;
        if (this.redraw.has(name)) this.redraw.get(name)();
      }
      return changed;
    }

    touch(name) {
      this.touched.add(name);
    }

    load() {
      // Inputs from the URL when it holds any of this card's; else the calculator's defaults (today's market).
      const fromURL = state.url.get("tab") === this.tab.id
        && this.fields.some((field) => state.url.has(this.prefix + field.name));
      for (const field of this.fields) {
        const key = this.prefix + field.name;
        let value;
        if (fromURL && state.url.has(key)) value = state.url.get(key);
        else if (fromURL) value = field.type === "list" ? "[]" : "";
        else value = this.calc.defaults[field.name];
        if (field.type === "list") {
          let rows = value;
          if (typeof rows === "string") {
            try { rows = JSON.parse(rows); } catch (error) { rows = []; }
          }
          this.values[field.name] = Array.isArray(rows) ? rows.map((row) => ({ ...row })) : [];
        } else if (field.type === "bool") {
          this.values[field.name] = value === true || value === "true";
        } else {
          this.values[field.name] = value === undefined || value === null ? "" : String(value);
        }
      }
      const modes = this.tab.modes;
      if (modes && !this.values[modes.field]) this.values[modes.field] = modes.default;
      // A shared URL's market inputs are the user's where they differ from that market's defaults.
      if (fromURL) {
        for (const name of MARKET_FIELDS) {
          if (this.has(name) && JSON.stringify(this.values[name]) !== JSON.stringify(this.marketDefault(name))) this.touch(name);
        }
      } else {
        this.refreshDefaults();
      }
    }

    urlValues() {
      const out = {};
      for (const field of this.fields) {
        const value = this.values[field.name];
        if (field.type === "list") {
          if (value.length) out[field.name] = JSON.stringify(value);
        } else if (field.type === "bool") {
          if (value) out[field.name] = "true";
        } else if (value !== "") {
          out[field.name] = value;
        }
      }
      return out;
    }

    /** Fields the current mode hides (and does not send). */
    hidden() {
      const modes = this.tab.modes;
      const out = new Set();
      const mode = modes ? this.values[modes.field] || modes.default : "";
      if (modes) {
        for (const name of modes.hide[mode] || []) out.add(name);
      }
      const chosen = preset(state.global.exchange);
      for (const [name, applies] of Object.entries(APPLIES)) if (!applies(chosen, this.calc, mode)) out.add(name);
      for (const name of NOT_ON_THE_PAGE) out.add(name);
      return out;
    }

    /** Whether ``field`` must be given now: required by the API, or by the chosen mode (``required_when``). */
    needed(field) {
      if (field.required) return true;
      if (field.name === "contracts" && this.sized() && state.global.contract === "inverse") return true;
      return Object.entries(field.required_when || {}).some(([mode, modes]) =>
        modes.includes(this.values[mode] || (this.tab.modes && this.tab.modes.field === mode ? this.tab.modes.default : "")));
    }

    applyMode() {
      const hidden = this.hidden();
      for (const node of this.fieldNodes) node.hidden = hidden.has(node.dataset.field);
      if (this.advanced) this.advanced.hidden = [...this.advanced.querySelectorAll(".field")].every((n) => n.hidden);
      // "optional" only on what the current mode can do without (isolated needs a side and an entry).
      for (const field of this.fields) {
        const needed = this.needed(field);
        const node = this.fieldNodes && this.fieldNodes.find((n) => n.dataset.field === field.name);
        if (!node) continue;
        node.classList.toggle("needed", needed);
        const tag = this.tag(field, needed);
        const opt = node.querySelector(":scope > label .opt");
        if (opt) {
          opt.hidden = !tag;
          opt.textContent = tag ? ` ${tag}` : "";
        }
        const input = node.querySelector(":scope > input[type=text]");
        if (input) input.placeholder = needed ? "" : tag;
        const hint = node.querySelector(":scope > .hint.one-of");
        if (hint) hint.textContent = this.oneOfHint(field);
      }
    }

    /** The word beside a label: "optional", "one of" (quantity or contracts), "linear only"; "" when needed. */
    tag(field, needed) {
      if (needed) return "";
      if (this.sized() && field.name === "quantity") return state.global.contract === "inverse" ? "linear only" : "one of";
      if (this.sized() && field.name === "contracts") return "one of";
      return "optional";
    }

    oneOfHint(field) {
      if (!this.sized() || !["quantity", "contracts"].includes(field.name)) return "";
      if (state.global.contract === "inverse") {
        return field.name === "contracts" ? "Inverse: give contracts and a contract size (USD per contract)." : "";
      }
      return "Give quantity or contracts (with a contract size), not both.";
    }

    body() {
      const body = {};
      const hidden = this.hidden();
      for (const field of this.fields) {
        if (hidden.has(field.name)) continue;
        const value = this.values[field.name];
        if (field.type === "list") {
          // an empty optional list is "not given" (a book of no rows would conflict with the position's own fields)
          if (value.length || field.required) body[field.name] = value.map((row) => cleanRow(row, field.items || []));
        }
        else if (field.type === "bool") body[field.name] = value;
        else if (value.trim() !== "") body[field.name] = value.trim();
      }
      for (const name of this.globals) if (state.global[name]) body[name] = state.global[name];
      return body;
    }

    cliLine() {
      const parts = ["contractcalc", this.calc.command];
      const body = this.body();
      for (const [name, value] of Object.entries(body)) {
        if (Array.isArray(value)) {
          if (CLI_LISTS[name]) parts.push(...CLI_LISTS[name](value));
        } else if (typeof value === "boolean") {
          if (value) parts.push(`--${name.replace(/_/g, "-")}`);
        } else {
          parts.push(`--${name.replace(/_/g, "-")} ${/^[\w.+-]+$/.test(value) ? value : `'${value}'`}`);
        }
      }
      return parts.join(" ") + " --json";
    }

    // ---- building

    render() {
      const form = el("form", { class: "inputs", autocomplete: "off", onsubmit: (e) => e.preventDefault() });
      this.form = form;
      // A table with many columns (a cross account's positions) gets a card of the panel's width.
      const wide = [];
      this.fieldNodes = [];
      const advanced = el("div", { class: "advanced-fields" });
      for (const field of this.fields) {
        const node = this.renderField(field);
        this.fieldNodes.push(node);
        if (!this.compact && field.type === "list" && (field.items || []).length > 3) {
          wide.push(el("section", { class: "card wide", "data-field": field.name },
            el("h2", {}, label(field.name)), node));
        } else if (ADVANCED.includes(field.name) && !field.required) {
          advanced.append(node);
        } else {
          form.append(node);
        }
      }
      if (advanced.children.length) {
        this.advanced = el("details", { class: "advanced" }, el("summary", {}, "Advanced"), advanced);
        // open when the page opens with one of them set (a shared URL)
        if ([...advanced.children].some((n) => (this.values[n.dataset.field] || "") !== "")) this.advanced.open = true;
        form.append(this.advanced);
      }
      this.wideNodes = wide;
      this.cardError = el("div", { class: "error card-error", role: "alert" });
      form.append(this.cardError);

      this.resultsBox = el("div", { class: "results-box" });
      this.noteBox = el("div", { class: "note" });
      this.cliBox = el("div", { class: "cli", title: "The same calculation on the command line" });
      const id = `${this.tab.id}-${this.calc.name}`;
      if (this.compact) {
        return el("section", { class: "card calc compact", id },
          el("h2", {}, this.calc.title, " ", el("small", {}, el("code", {}, this.calc.path))),
          form, this.resultsBox, this.noteBox, this.cliBox);
      }
      this.applyMode();
      const inputsCard = el("section", { class: "card", id: `${id}-inputs` }, el("h2", {}, "Inputs"), form);
      const resultsCard = el("section", { class: "card", id: `${id}-results` },
        el("h2", {}, this.calc.title, " ", el("small", {}, el("code", {}, this.calc.path))),
        this.resultsBox, this.noteBox, this.cliBox);
      const outputs = el("div", { class: "outputs" }, resultsCard);
      if (this.tab.chart) {
        this.chartBox = el("div", { class: "chart", id: `${this.tab.id}-chart` });
        this.chartNote = el("div", { class: "chart-empty" });
        this.chartTitle = el("h2", {}, "PnL and ROE against the exit price");
        outputs.append(el("section", { class: "card chart-card" }, this.chartTitle, this.chartBox, this.chartNote));
      }
      this.fieldNodes.push(...wide);
      this.applyMode();
      return [...wide, inputsCard, outputs];
    }

    renderField(field) {
      const id = `${this.tab.id}-${this.prefix.replace(".", "-")}${field.name}`;
      const error = el("div", { class: "error", id: `${id}-error`, "data-error-for": field.name });
      this.errors.set(field.name, error);
      const head = el("label", { for: id, title: `JSON key: ${field.name}` }, label(field.name),
        field.required ? null : el("span", { class: "opt" }, " optional"));
      const help = field.description ? el("div", { class: "hint" }, field.description) : null;
      const oneOf = this.sized() && ["quantity", "contracts"].includes(field.name)
        ? el("div", { class: "hint one-of" }, this.oneOfHint(field)) : null;
      const hint = [help, oneOf];
      let control;
      if (field.type === "list") {
        control = this.renderRows(field, id);
        return el("div", { class: "field list", "data-field": field.name }, head, hint, control, error);
      }
      if (field.type === "bool") {
        control = el("input", { type: "checkbox", id, name: field.name, checked: this.values[field.name],
          onchange: (e) => { this.values[field.name] = e.target.checked; this.touch(field.name); this.changed(); } });
        return el("div", { class: "field", "data-field": field.name },
          el("label", { class: "check" }, control, label(field.name)), hint, error);
      }
      if (field.choices && field.choices.length && field.choices.length <= 3) {
        control = el("span", { class: "seg", role: "radiogroup", id, "data-field": field.name });
        for (const choice of field.choices) {
          control.append(el("button", { type: "button", role: "radio", "data-value": choice,
            "aria-checked": String(this.values[field.name] === choice),
            onclick: () => {
              this.values[field.name] = choice;
              this.touch(field.name);
              for (const b of control.children) b.setAttribute("aria-checked", String(b.dataset.value === choice));
              this.changed();
            } }, choice));
        }
        this.inputs.set(field.name, control);
        return el("div", { class: "field", "data-field": field.name }, head, control, error);
      }
      control = el("input", {
        type: "text", id, name: field.name, value: this.values[field.name], spellcheck: "false",
        inputmode: field.type === "number" ? "decimal" : null,
        placeholder: field.required ? "" : "optional",
        oninput: (e) => { this.values[field.name] = e.target.value; this.touch(field.name); this.changed(); },
      });
      this.inputs.set(field.name, control);
      return el("div", { class: "field", "data-field": field.name }, head, control, hint, error);
    }

    renderRows(field, id) {
      const columns = (field.items || []).map((item) => item.name);
      const table = el("table", { class: "rows", id });
      const draw = () => {
        table.replaceChildren(el("tr", {}, columns.map((c) => el("th", {}, label(c))), el("th", {})));
        this.values[field.name].forEach((row, index) => {
          const cells = columns.map((column) => {
            const item = field.items.find((i) => i.name === column);
            let input;
            if (item.choices && item.choices.length) {
              input = el("select", { name: `${field.name}[${index}].${column}`,
                onchange: (e) => { row[column] = e.target.value; this.touch(field.name); this.changed(); } },
              item.choices.map((c) => el("option", { value: c, selected: row[column] === c }, c)));
            } else {
              input = el("input", { type: "text", name: `${field.name}[${index}].${column}`, value: row[column] ?? "",
                inputmode: item.type === "number" ? "decimal" : null, spellcheck: "false",
                oninput: (e) => { row[column] = e.target.value; this.touch(field.name); this.changed(); } });
            }
            const error = el("span", { class: "error", "data-error-for": `${field.name}[${index}].${column}` });
            return el("td", { "data-cell": `${field.name}[${index}].${column}` }, input, error);
          });
          const remove = el("button", { type: "button", class: "remove", title: "Remove this row", "aria-label": "Remove row",
            onclick: () => { this.values[field.name].splice(index, 1); this.touch(field.name); draw(); this.changed(); } }, "×");
          table.append(el("tr", { "data-row": `${field.name}[${index}]` }, cells, el("td", {}, remove)));
        });
      };
      draw();
      this.redraw.set(field.name, draw);
      const add = el("button", { type: "button", class: "add-row",
        onclick: () => {
          const row = {};
          for (const item of field.items || []) row[item.name] = item.choices && item.choices.length ? item.choices[0] : "";
          this.values[field.name].push(row);
          this.touch(field.name);
          draw();
          this.changed();
        } }, `+ add ${label(field.name).toLowerCase().replace(/s$/, "")}`);
      return el("div", {}, table, add);
    }

    changed() {
      this.refreshDefaults(); // a mode chosen: its sample, where untouched
      this.applyMode();
      if (this.tab.id === state.tab) writeURL();
      this.schedule();
    }

    // ---- computing

    async compute() {
      if (this.controller) this.controller.abort();
      const controller = new AbortController();
      this.controller = controller;
      const body = this.body();
      this.cliBox.textContent = this.cliLine().replace(/^contractcalc /, "contractcalc ");
      let response;
      let data;
      try {
        response = await fetch(this.calc.path, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal: controller.signal,
        });
        data = await response.json();
      } catch (error) {
        if (error.name === "AbortError") return;
        this.showErrors([{ field: null, message: `The calculator's server did not answer (${error.message}). Is contractcalc serve still running?` }]);
        return;
      }
      if (controller !== this.controller) return;
      if (response.ok) {
        this.result = data;
        this.clearErrors();
        this.showResult(data, body);
        if (this.chartBox) this.updateChart(data, body, controller);
      } else {
        this.showErrors(Array.isArray(data.detail) ? data.detail
          : [{ field: null, message: `HTTP ${response.status}: ${JSON.stringify(data.detail)}` }]);
      }
    }

    clearErrors() {
      for (const node of this.root.querySelectorAll(".error")) node.textContent = "";
      for (const node of this.root.querySelectorAll(".bad")) node.classList.remove("bad");
      this.globalErrors = [];
      showGlobalErrors();
      this.cardError.textContent = "";
      this.resultsBox.classList.remove("stale");
      if (this.chartBox) this.chartBox.classList.remove("stale");
      this.root.classList.remove("has-errors");
    }

    showErrors(items) {
      this.clearErrors();
      this.root.classList.add("has-errors");
      for (const item of items) {
        let target = null;
        if (item.field) {
          target = this.root.querySelector(`[data-error-for="${CSS.escape(item.field)}"]`);
          const base = item.field.split(/[.[]/)[0];
          if (!target && this.errors.has(base)) target = this.errors.get(base);
          if (!target && GLOBALS.includes(base)) {
            // The header's fields are shared: shown there while this card's tab is open (showGlobalErrors).
            this.globalErrors.push({ field: base, message: item.message });
            continue;
          }
          // a bad row of a table (the library says "at index N"): mark the row
          const index = item.index ?? (/\[(\d+)\]/.exec(item.field) || [])[1];
          if (index !== undefined && index !== null) {
            const row = this.root.querySelector(`tr[data-row="${base}[${index}]"]`);
            if (row) row.classList.add("bad");
          }
        }
        if (!target) target = this.cardError;
        target.textContent = target.textContent ? `${target.textContent}\n${item.message}` : item.message;
        const holder = target.closest("td") || target.closest(".field");
        if (holder) holder.classList.add("bad");
        const fold = target.closest("details");
        if (fold) fold.open = true;
      }
      showGlobalErrors();
      this.resultsBox.classList.add("stale");
      if (this.chartBox) {
        this.chartBox.classList.add("stale");
        this.chartNote.className = "chart-empty";
        this.chartNote.textContent = "The chart waits for valid inputs.";
      }
    }

    showResult(data) {
      const renderer = RESULT_RENDERERS[this.calc.name] || renderTable;
      this.resultsBox.replaceChildren(renderer(data, this));
      const notes = (NOTES[this.calc.name] || (() => []))(data, this);
      this.noteBox.className = "note";
      this.noteBox.replaceChildren(...notes.map((n) => el("div", {}, n)));
    }

    async updateChart(data, body, controller) {
      const builder = CHARTS[this.tab.chart];
      if (!builder) return;
      let spec;
      try {
        spec = await builder(data, body, this, controller.signal);
      } catch (error) {
        if (error.name === "AbortError") return;
        spec = { empty: `No chart: ${error.message}` };
      }
      if (controller !== this.controller) return;
      drawChart(this, spec);
    }
  }

  const NUMERIC = /^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  /** A table row for the API: numeric cells as JSON numbers, others as typed (the API names the bad ones). */
  function cleanRow(row, columns) {
    const out = {};
    for (const [key, value] of Object.entries(row)) {
      const text = typeof value === "string" ? value.trim() : value;
      if (text === "" || text === null || text === undefined) continue;
      const column = columns.find((c) => c.name === key);
      const numeric = column && column.type === "number" && typeof text === "string" && NUMERIC.test(text);
      out[key] = numeric ? Number(text.replace(/_/g, "")) : text;
    }
    return out;
  }

  // --------------------------------------------------------------- results

  /** A figure's cell content: the rounded text, its currency, the exact figure on hover. */
  function valueParts(key, value) {
    const shown = formatValue(key, value);
    const parts = [shown.text];
    if (shown.unit) parts.push(" ", el("span", { class: "unit" }, shown.unit));
    const title = shown.exact && shown.exact !== shown.text ? `exact: ${shown.exact}${shown.hint ? ` (${shown.hint})` : ""}` : null;
    return { parts, title };
  }

  function resultRow(key, value, extraClass) {
    const { parts, title } = valueParts(key, value);
    const cls = ["value", extraClass].filter(Boolean).join(" ");
    return el("tr", { "data-key": key },
      el("td", { class: "label", title: `JSON key: ${key}` }, label(key)),
      el("td", { class: cls, title, "data-value": typeof value === "object" ? JSON.stringify(value) : String(value) },
        parts));
  }

  function signClass(key, value) {
    if (value === false && WARN_WHEN_FALSE.includes(key)) return "warn";
    if (typeof value !== "number" || !/(pnl|profit|roe)$/.test(key)) return null;
    return value > 0 ? "pos" : value < 0 ? "neg" : null;
  }

  /** Key/value rows; a list of objects (a cross account's positions) as a table of its own first. */
  function renderTable(data) {
    const parts = [];
    const table = el("table", { class: "results" });
    for (const [key, value] of Object.entries(data)) {
      if (Array.isArray(value) && value.length && typeof value[0] === "object") parts.push(renderRows(key, value));
      else table.append(resultRow(key, value, signClass(key, value)));
    }
    parts.push(table);
    return el("div", {}, parts);
  }

  const ROW_COLUMNS = ["symbol", "side", "liquidation_price", "bankruptcy_price", "distance_to_liquidation",
    "maintenance_margin", "unrealized_pnl", "tier", "note"];

  function renderRows(key, rows) {
    const columns = ROW_COLUMNS.filter((c) => rows.some((r) => c in r && r[c] !== null));
    const head = el("tr", {}, columns.map((c) => el("th", {}, label(c))));
    const body = rows.map((row, index) => el("tr", { "data-result-row": `${key}[${index}]` }, columns.map((c) => {
      const { parts, title } = valueParts(c, row[c]);
      return el("td", { class: `value ${signClass(c, row[c]) || ""}`, "data-key": c, "data-value": String(row[c]), title },
        parts);
    })));
    return el("div", { class: "result-rows" }, el("h3", {}, label(key)), el("table", { class: "results rows-out", "data-key": key }, head, body));
  }

  /** The plan's seed keys; its other keys are the exact figures shown beside them. */
  const SEED_PLAN_KEYS = ["target_change", "stop_change", "leverage", "liquidation_change", "linear_profit",
    "inverse_profit", "stop_before_liquidation"];

  function renderPlan(data, card) {
    const seedTable = el("table", { class: "results" });
    const exactTable = el("table", { class: "results" });
    for (const [key, value] of Object.entries(data)) {
      (SEED_PLAN_KEYS.includes(key) ? seedTable : exactTable).append(resultRow(key, value, signClass(key, value)));
    }
    const notes = Object.entries(card.calc.notes || {}).filter(([key]) => key in data)
      .map(([, text]) => el("p", { class: "exact-note" }, text));
    return el("div", { class: "split" },
      el("div", {}, el("h3", {}, "The seed's figures"), seedTable),
      el("div", {}, el("h3", {}, "Exact figures"), exactTable, notes));
  }

  const RESULT_RENDERERS = { plan: renderPlan };

  /** List fields on the command line: fills as SIZE@PRICE, positions as a JSON file of the table. */
  const CLI_LISTS = {
    fill: (rows) => rows.map((row) => `--fill ${row.size}@${row.price}`),
    positions: () => ["--positions positions.json"],
  };
  /** The exchange's liquidation before the stop (plan and size with a preset), as one sentence. */
  function exchangeStopNote(data) {
    if (data.stop_before_liquidation_exact !== false) return [];
    const where = typeof data.liquidation_price === "number" ? ` at ${formatPrice(data.liquidation_price)}` : "";
    const most = typeof data.max_leverage_for_stop === "number"
      ? ` Use at most ${formatNumber(Math.max(1, Math.floor(data.max_leverage_for_stop + 1e-9)))}× leverage or widen the stop.` : "";
    return [`On ${state.global.exchange} the position is liquidated${where}, before the stop is reached.${most}`];
  }

  const NOTES = {
    plan: (data) => [
      ...(data.stop_before_liquidation === false
        ? ["The stop lies beyond the liquidation move: the position would be liquidated before the stop is reached."]
        : []),
      ...exchangeStopNote(data),
    ],
    size: (data) => exchangeStopNote(data),
    target: (data, card) => {
      const typed = String(card.values.roe || "").trim();
      const roe = Number(typed.replace(/[,_]/g, ""));
      if (typed.endsWith("%") || !(roe > ROE_LIKELY_PERCENT)) return [];
      return [`An ROE of ${typed} is ${upTo(roe * 100, 2)} %. ROE is a fraction here (0.5 = 50 %): ` +
        `for ${typed} % type ${typed}%.`];
    },
  };

  /** An ROE above this (1000 %) is likely a percentage typed as a fraction (as calculators.ROE_LIKELY_PERCENT). */
  const ROE_LIKELY_PERCENT = 10;

  /** Results that warn (amber) when false: the stop would not be reached before liquidation. */
  const WARN_WHEN_FALSE = ["stop_before_liquidation", "stop_before_liquidation_exact"];

  // ------------------------------------------------------------------ chart

  const CHARTS = {};
  const MARK_COLORS = {
    entry: "#5f6b7d", exit: "#2f6fde", stop: "#d23c3c", target: "#16915a", "break-even": "#b7791f",
    liquidation: "#8e1b9c", bankruptcy: "#a3403e", mark: "#2f6fde",
  };

  async function post(path, body, signal) {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal,
    });
    const data = await response.json();
    if (!response.ok) {
      const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.message).join("; ") : JSON.stringify(data.detail);
      throw new Error(detail);
    }
    return data;
  }

  /** Keep only the keys that ``calc`` takes (and that are set). */
  function only(calcName, body) {
    const calc = state.calculators.get(calcName);
    if (!calc) return null;
    const names = new Set(calc.fields.map((f) => f.name));
    const out = {};
    for (const [key, value] of Object.entries(body)) if (names.has(key) && value !== undefined && value !== null && value !== "") out[key] = value;
    return out;
  }

  /** Exit prices for the chart: an even grid around the marked prices, which it also contains. */
  function priceGrid(prices, points = 161) {
    const finite = prices.filter((p) => typeof p === "number" && Number.isFinite(p) && p > 0);
    let lo = Math.min(...finite);
    let hi = Math.max(...finite);
    const pad = Math.max((hi - lo) * 0.18, hi * 0.02);
    lo = Math.max(lo - pad, hi * 1e-3);
    hi += pad;
    const grid = new Set(finite.map((p) => Number(p.toPrecision(12))));
    for (let i = 0; i < points; i += 1) grid.add(Number((lo + ((hi - lo) * i) / (points - 1)).toPrecision(10)));
    return [...grid].sort((a, b) => a - b);
  }

  /** The liquidation price (exchange preset) and bankruptcy price of a position, where they can be had. */
  async function riskPrices(position, signal) {
    const out = { liquidation: null, bankruptcy: null };
    if (!position.leverage) return out;
    const liq = only("liquidation", { ...position, exchange: state.global.exchange, symbol: state.global.symbol || undefined,
      tiers: state.global.tiers || undefined });
    if (liq && state.global.exchange) {
      try {
        const answer = await post("/api/liquidation", liq, signal);
        out.liquidation = answer.liquidation_price;
        out.bankruptcy = answer.bankruptcy_price;
      } catch (error) {
        if (error.name === "AbortError") throw error;
      }
    }
    if (out.bankruptcy === null || out.bankruptcy === undefined) {
      const cost = only("cost", { ...position, fee_rate: 0 });
      if (cost) {
        try {
          out.bankruptcy = (await post("/api/cost", cost, signal)).bankruptcy_price;
        } catch (error) {
          if (error.name === "AbortError") throw error;
        }
      }
    }
    return out;
  }

  /** PnL and ROE of ``position`` along the exit prices around ``prices``, with the marks. */
  async function pnlChart(position, marks, signal, known) {
    const risk = known || (await riskPrices(position, signal));
    const priced = [
      ...marks,
      { key: "liquidation", label: "liquidation", value: risk.liquidation, dash: true },
      { key: "bankruptcy", label: "bankruptcy", value: risk.bankruptcy, dash: true },
    ];
    const x = priceGrid(priced.map((m) => m.value));
    const curve = await post("/api/pnl/curve", { ...position, exit: x }, signal);
    const allMarks = [...priced, { key: "break-even", label: "break-even", value: curve.breakeven_price }]
      .filter((m) => typeof m.value === "number" && Number.isFinite(m.value));
    for (const m of allMarks) m.color = MARK_COLORS[m.key] || "#5f6b7d";
    const inverse = (position.contract || state.global.contract) === "inverse";
    const spec = {
      x, pnl: curve.pnl, roe: Array.isArray(curve.roe) ? curve.roe : null, margin: curve.initial_margin,
      unit: inverse ? "coin" : "quote", marks: allMarks,
    };
    return capAtLiquidation(spec, position.side, risk.liquidation);
  }

  /**
   * An isolated position cannot lose more than its margin: past the liquidation price the
   * exchange has closed it and the margin is gone. The curve runs to the liquidation price, then
   * stays at minus the margin (ROE −100 %); ``spec.lost`` marks the region for shading.
   */
  function capAtLiquidation(spec, side, liquidation) {
    if (typeof liquidation !== "number" || !Number.isFinite(liquidation) || !side) return spec;
    const sign = String(side).trim().toLowerCase() === "short" ? -1 : 1;
    const margin = typeof spec.margin === "number" && spec.margin > 0 ? spec.margin : null;
    const at = spec.x.findIndex((v) => v === Number(liquidation.toPrecision(12)));
    const floor = margin !== null ? -margin : at >= 0 ? spec.pnl[at] : null;
    if (floor === null || floor === undefined) return spec;
    const beyond = (price) => sign * (price - liquidation) < 0;
    spec.pnl = spec.pnl.map((v, i) => (beyond(spec.x[i]) ? floor : v));
    if (spec.roe) spec.roe = spec.roe.map((v, i) => (beyond(spec.x[i]) ? (margin ? -1 : v) : v));
    spec.lost = { from: liquidation, sign, amount: floor };
    return spec;
  }

  /**
   * A cross account: its margin balance (wallet balance + every position's unrealised PnL) as the
   * first position's market moves, the others held at their mark; liquidation where it meets the
   * maintenance margin (the engine's price, from the table).
   */
  async function crossChart(data, body, signal) {
    const rows = body.positions || [];
    const results = data.positions || [];
    if (!rows.length) return { empty: "Add a position to draw the account's margin balance." };
    const symbol = rows[0].symbol;
    const same = rows.map((row, index) => ({ row, index })).filter(({ row }) => row.symbol === symbol);
    const liquidation = results[0] ? results[0].liquidation_price : null;
    const marks = [
      { key: "entry", label: "entry", value: Number(rows[0].entryPrice) },
      { key: "mark", label: "mark", value: Number(rows[0].markPrice) },
      { key: "liquidation", label: "liquidation", value: liquidation, dash: true },
    ].filter((m) => typeof m.value === "number" && Number.isFinite(m.value));
    for (const m of marks) m.color = MARK_COLORS[m.key];
    const x = priceGrid(marks.map((m) => m.value));
    const curves = await Promise.all(same.map(({ row }) => post("/api/pnl/curve", {
      contract: state.global.contract, side: row.side, entry: row.entryPrice, contracts: row.contracts,
      contract_size: row.contractSize, exit: x }, signal)));
    const held = results.reduce((sum, out, index) => sum
      + (rows[index] && rows[index].symbol !== symbol && typeof out.unrealized_pnl === "number" ? out.unrealized_pnl : 0), 0);
    const wallet = Number(data.wallet_balance ?? body.wallet_balance);
    const balance = x.map((_, i) => wallet + held + curves.reduce((sum, curve) => sum + curve.pnl[i], 0));
    const inverse = state.global.contract === "inverse";
    const spec = { x, pnl: balance, roe: null, margin: null, unit: inverse ? "coin" : "quote", marks,
      series: "margin balance", title: `Margin balance against the price of ${symbol}` };
    if (typeof liquidation === "number" && Number.isFinite(liquidation)) {
      spec.lost = { from: liquidation, sign: balance[0] < balance[balance.length - 1] ? 1 : -1, amount: null };
    }
    return spec;
  }

  CHARTS.liquidation = (data, body, card, signal) => {
    if (body.positions) return crossChart(data, body, signal);
    const position = only("pnl", { ...body, contract: state.global.contract });
    delete position.exit;
    return pnlChart(position, [
      { key: "entry", label: "entry", value: Number(body.entry) },
      { key: "mark", label: "mark", value: body.mark ? Number(body.mark) : null },
    ], signal, { liquidation: data.liquidation_price, bankruptcy: data.bankruptcy_price });
  };

  CHARTS.pnl = (data, body, card, signal) => {
    const position = only("pnl", body);
    delete position.exit;
    return pnlChart({ ...position, entry: body.entry }, [
      { key: "entry", label: "entry", value: Number(body.entry) },
      { key: "exit", label: "exit", value: Number(body.exit) },
    ], signal);
  };

  // The plan's position: margin = principal at the plan's leverage. Linear: principal × L / entry
  // base units; inverse: a face value of principal × L USD (the plan's own reading, see plan()).
  CHARTS.plan = (data, body, card, signal) => {
    const leverage = data.leverage;
    const principal = Number(body.principal);
    const entry = Number(body.entry);
    const inverse = state.global.contract === "inverse";
    const size = inverse ? { contracts: principal * leverage, contract_size: 1 } : { quantity: (principal * leverage) / entry };
    const position = {
      contract: state.global.contract, side: body.side, entry: body.entry, leverage,
      exchange: state.global.exchange || undefined, symbol: state.global.symbol || undefined, ...size,
    };
    const stop = Number(body.stop);
    return pnlChart(only("pnl", position), [
      { key: "entry", label: "entry", value: entry },
      { key: "stop", label: "stop", value: stop },
      { key: "target", label: "target", value: Number(body.target) },
    ], signal).then((spec) => {
      // The seed's stop sits at the bankruptcy price; an exchange liquidates earlier (maintenance margin).
      const liq = spec.marks.find((m) => m.key === "liquidation");
      const sign = String(body.side).trim().toLowerCase() === "short" ? -1 : 1;
      if (liq && sign * (liq.value - stop) > 0) {
        spec.note = `On ${state.global.exchange} this position is liquidated at ${SHORT.format(liq.value)}, before the stop at ` +
          `${SHORT.format(stop)}: the seed's 1/L move leaves out the maintenance margin. Lower the leverage or widen the stop.`;
      }
      return spec;
    });
  };

  /** Height of a row of mark labels above the plot, in CSS pixels. */
  const LABEL_ROW = 14;

  /** Width the chart gets in its box (narrow screens: the box's; never under 240 px). */
  function chartWidth(box) {
    return Math.max(240, box.clientWidth || 640);
  }

  /** Draw the card's last chart again at its box's width (a tab shown, a window resized). */
  function redrawChart(card) {
    if (card.spec && card.plot) drawChart(card, card.spec, card.labelRows);
  }

  /** ``rows``: rows of mark labels the top padding holds (the draw hook asks for more when they collide). */
  function drawChart(card, spec, rows = 1) {
    const box = card.chartBox;
    clearTimeout(card.relayout);
    if (card.plot) {
      card.plot.destroy();
      card.plot = null;
    }
    card.spec = spec;
    card.labelRows = rows;
    box.replaceChildren();
    delete box.dataset.lost;
    card.chartNote.textContent = spec.empty || "";
    card.chartNote.className = spec.note ? "note" : "chart-empty";
    if (spec.note) card.chartNote.textContent = spec.note;
    if (card.chartTitle) card.chartTitle.textContent = spec.title || "PnL and ROE against the exit price";
    if (spec.empty) return;
    const ink = cssColor("--muted", "#5f6b7d");
    const gridColor = cssColor("--grid", "#eef1f6");
    const seriesName = spec.series || "PnL";
    const marks = spec.marks.filter((m) => typeof m.value === "number" && Number.isFinite(m.value));
    const width = chartWidth(box);
    const narrow = width < 480; // a phone: no axis titles (the legend names the series), slimmer axes
    const pnlColor = "#2f6fde";
    // Both axes show one line: ROE = PnL / initial margin, so the ROE scale is the PnL scale / margin.
    const values = spec.pnl.filter((v) => typeof v === "number" && Number.isFinite(v));
    let lo = Math.min(0, ...values);
    let hi = Math.max(0, ...values);
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
    lo -= pad;
    hi += pad;
    const opts = {
      width, height: 330 + (rows - 1) * LABEL_ROW,
      padding: [10 + rows * LABEL_ROW, 8, 0, 8],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        x: { time: false },
        pnl: { range: () => [lo, hi] },
        roe: { range: () => (spec.margin ? [lo / spec.margin, hi / spec.margin] : [lo, hi]) },
      },
      axes: [
        { label: "exit price", values: (u, ticks) => ticks.map(formatNumber), stroke: ink,
          grid: { stroke: gridColor }, size: 44 },
        { scale: "pnl", label: narrow ? null : `${seriesName === "PnL" ? "PnL" : "Margin balance"} (${chartUnit(spec)})`,
          values: (u, ticks) => ticks.map(formatNumber), stroke: ink, grid: { stroke: gridColor }, size: narrow ? 56 : 70 },
        { scale: "roe", side: 1, label: narrow ? null : "ROE", values: (u, ticks) => ticks.map((t) => `${formatNumber(Math.round(t * 1e6) / 1e4)} %`),
          stroke: ink, grid: { show: false }, size: narrow ? 50 : 70 },
      ],
      series: [
        { label: "exit", value: (u, v) => (v == null ? "—" : formatNumber(v)) },
        { label: seriesName, scale: "pnl", stroke: pnlColor, width: 2.2, pxAlign: 0,
          fill: (u) => zeroGradient(u, "rgba(22,145,90,0.16)", "rgba(210,60,60,0.16)"),
          fillTo: 0, points: { show: false }, value: (u, v) => (v == null ? "—" : formatNumber(v)) },
        { label: "ROE", scale: "roe", stroke: "rgba(47,111,222,0.0)", width: 0, points: { show: false },
          value: (u, v) => (v == null ? "—" : `${formatNumber(Math.round(v * 1e8) / 1e6)} %`) },
      ],
      hooks: { draw: [(u) => {
        if (spec.lost) shadeLost(u, spec.lost, box);
        const labels = drawMarks(u, marks, rows);
        const ratio = devicePixelRatio || 1;
        // where each label went, in CSS pixels (the browser tests check that none overlap)
        box.dataset.labels = JSON.stringify(labels.map((l) => ({ key: l.mark.key, row: l.row,
          left: l.x0 / ratio, right: (l.x0 + l.w) / ratio, baseline: l.y / ratio, plotTop: u.bbox.top / ratio })));
        const needed = labels.reduce((most, l) => Math.max(most, l.row + 1), 1);
        if (needed !== rows) card.relayout = setTimeout(() => drawChart(card, spec, needed), 0);
      }] },
    };
    if (!spec.roe) {
      opts.series.pop();
      opts.axes.pop();
    }
    card.plot = new uPlot(opts, spec.roe ? [spec.x, spec.pnl, spec.roe] : [spec.x, spec.pnl], box);
    box.dataset.points = String(spec.x.length);
    box.dataset.marks = marks.map((m) => m.key).join(",");
  }

  /** A CSS custom property of the page (the theme's colours), or ``fallback``. */
  function cssColor(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function chartUnit(spec) {
    const money = marketCurrencies();
    return spec.unit === "coin" ? money.base : money.settle;
  }

  /** Shade the prices past the liquidation price: the position is closed there and its margin lost. */
  function shadeLost(u, lost, box) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const x = u.valToPos(lost.from, "x", true);
    if (!Number.isFinite(x)) return;
    const from = lost.sign > 0 ? left : Math.max(left, x);
    const to = lost.sign > 0 ? Math.min(left + width, x) : left + width;
    if (to <= from) return;
    const ratio = devicePixelRatio || 1;
    ctx.save();
    ctx.fillStyle = "rgba(210, 60, 60, 0.10)";
    ctx.fillRect(from, top, to - from, height);
    ctx.fillStyle = cssColor("--loss", "#d23c3c");
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = "top";
    ctx.textAlign = "left"; // uPlot leaves the last axis's alignment (right, for the left axis alone in cross mode)
    const text = lost.amount === null ? "liquidated" : "liquidated: margin lost";
    const w = ctx.measureText(text).width;
    if (w + 8 * ratio < to - from) ctx.fillText(text, lost.sign > 0 ? from + 6 * ratio : to - w - 6 * ratio, top + 6 * ratio);
    ctx.restore();
    box.dataset.lost = JSON.stringify({ from: (from - left) / ratio, to: (to - left) / ratio, price: lost.from, amount: lost.amount });
  }

  function zeroGradient(u, above, below) {
    const ctx = u.ctx;
    const top = u.bbox.top;
    const bottom = u.bbox.top + u.bbox.height;
    if (bottom <= top) return above;
    const zero = u.valToPos(0, "pnl", true);
    if (!Number.isFinite(zero)) return above;
    const stop = Math.min(1, Math.max(0, (zero - top) / (bottom - top)));
    const gradient = ctx.createLinearGradient(0, top, 0, bottom);
    gradient.addColorStop(0, above);
    gradient.addColorStop(stop, above);
    gradient.addColorStop(stop, below);
    gradient.addColorStop(1, below);
    return gradient;
  }

  /** Each label's place: the row it takes above the plot (row 0 nearest), left to right, none overlapping. */
  function layoutMarks(u, marks) {
    const ctx = u.ctx;
    const ratio = devicePixelRatio || 1;
    const { left, width } = u.bbox;
    const gap = 6 * ratio;
    const taken = []; // per row: [from, to] of the labels placed in it
    const out = [];
    ctx.save();
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    const placed = marks.map((mark) => ({ mark, x: u.valToPos(mark.value, "x", true) }))
      .filter((m) => m.x >= left - 1 && m.x <= left + width + 1)
      .sort((a, b) => a.x - b.x);
    for (const { mark, x } of placed) {
      const text = `${mark.label} ${formatPrice(mark.value)}`; // to the market's tick, as the results
      const w = ctx.measureText(text).width;
      // centred on its line, kept inside the plot's width; collisions are judged where it is drawn
      const x0 = Math.max(left, Math.min(x - w / 2, left + width - w));
      let row = 0;
      while ((taken[row] || []).some(([a, b]) => x0 < b + gap && x0 + w > a - gap)) row += 1;
      (taken[row] = taken[row] || []).push([x0, x0 + w]);
      out.push({ mark, x, text, x0, w, row });
    }
    ctx.restore();
    return out;
  }

  /** The marks' lines across the plot, and their labels in rows above it (``rows`` fit in the padding). */
  function drawMarks(u, marks, rows) {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const ratio = devicePixelRatio || 1;
    const labels = layoutMarks(u, marks);
    ctx.save();
    for (const { mark, x } of labels) {
      ctx.strokeStyle = mark.color;
      ctx.lineWidth = 1.5 * ratio;
      ctx.setLineDash(mark.dash ? [5 * ratio, 4 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = "bottom";
    ctx.textAlign = "left"; // x0 is the label's left edge (uPlot may leave "right" from its axis)
    for (const label of labels) {
      label.y = top - 4 * ratio - Math.min(label.row, rows - 1) * LABEL_ROW * ratio;
      ctx.fillStyle = label.mark.color;
      ctx.fillText(label.text, label.x0, label.y);
    }
    ctx.restore();
    return labels;
  }

  // ------------------------------------------------------------------- page

  /** Set a market field (header). Choosing a preset sets the contract kind and its newest tier table. */
  function setGlobal(name, value, { recompute = true } = {}) {
    state.global[name] = value;
    if (name === "contract") {
      const current = preset(state.global.exchange);
      if (current && current.contract !== value) {
        const first = state.exchanges.find((p) => p.contract === value);
        chooseExchange(first ? first.name : "");
      }
    }
    if (name === "exchange") chooseExchange(value);
    if (name === "tiers") {
      const table = tierTable(value);
      if (table) state.global.symbol = table.symbol;
    }
    syncHeader();
    for (const card of state.cards) {
      card.refreshDefaults();
      if (card.fieldNodes) card.applyMode();
    }
    if (recompute) {
      writeURL();
      for (const card of state.cards) if (card.globals.length || card.tab.chart) card.schedule();
      for (const tab of EXTRA_TABS) if (tab.built && tab.onGlobals) tab.onGlobals();
    }
  }

  function chooseExchange(name) {
    const chosen = preset(name);
    state.global.exchange = chosen ? chosen.name : "";
    if (chosen) state.global.contract = chosen.contract;
    // the newest table of the market's base currency (BTC unless a symbol says otherwise): an exchange
    // ships tables for several coins, newest first, and choosing one sets the symbol
    const tables = chosen ? chosen.tier_tables : [];
    const base = marketCurrencies().base;
    const table = tables.find((t) => t.symbol.split("/")[0].toUpperCase() === base) || tables[0] || null;
    state.global.tiers = table ? table.name : "";
    state.global.symbol = table ? table.symbol : "";
  }

  function tierTable(name) {
    for (const p of state.exchanges) for (const t of p.tier_tables) if (t.name === name) return t;
    return null;
  }

  /** Show ``state.global`` in the header's controls. */
  function syncHeader() {
    for (const b of document.querySelectorAll('[data-global="contract"] button')) {
      b.setAttribute("aria-checked", String(b.dataset.value === state.global.contract));
    }
    const exchange = document.getElementById("exchange");
    exchange.replaceChildren(el("option", { value: "" }, "none (generic)"),
      ...state.exchanges.filter((x) => x.contract === state.global.contract)
        .map((p) => el("option", { value: p.name, title: p.description }, p.name)));
    exchange.value = state.global.exchange;
    const chosen = preset(state.global.exchange);
    exchange.title = chosen ? chosen.description : "";
    document.getElementById("exchange-hint").textContent = chosen
      ? `taker ${formatNumber(chosen.taker_fee_rate * 100)} % · maker ${formatNumber(chosen.maker_fee_rate * 100)} %`
      : "no preset: fees 0 unless given";
    const tables = chosen ? chosen.tier_tables : [];
    document.getElementById("tiers-control").hidden = tables.length === 0;
    const tiers = document.getElementById("tiers");
    tiers.replaceChildren(el("option", { value: "" }, "none"),
      ...tables.map((t) => el("option", { value: t.name, title: `${t.source}${t.note ? ` (${t.note})` : ""}` },
        `${t.symbol} · ${t.as_of}${t.warning ? " (old)" : ""}`)));
    if (!tables.some((t) => t.name === state.global.tiers)) state.global.tiers = "";
    tiers.value = state.global.tiers;
    // the table's date, and a warning when it is old (exchanges change their tiers)
    const table = tierTable(state.global.tiers);
    const hint = document.getElementById("tiers-hint");
    hint.textContent = table ? (table.warning ? `${table.age_days} days old: refresh it` : `as of ${table.as_of}`) : "";
    hint.title = table && table.warning ? table.warning : "";
    hint.classList.toggle("stale", Boolean(table && table.warning));
    const symbol = document.getElementById("symbol");
    if (symbol.value !== state.global.symbol) symbol.value = state.global.symbol;
  }

  /** The header fields' errors: those of the open tab's calculators, each message once. */
  function showGlobalErrors() {
    const messages = new Map(GLOBALS.map((name) => [name, []]));
    for (const card of state.cards) {
      if (card.tab.id !== state.tab) continue;
      for (const item of card.globalErrors) {
        const list = messages.get(item.field);
        if (list && !list.includes(item.message)) list.push(item.message);
      }
    }
    for (const [name, list] of messages) {
      const node = document.getElementById(`${name}-error`);
      if (!node) continue;
      node.textContent = list.join("\n");
      node.closest(".global").classList.toggle("bad", list.length > 0);
    }
  }

  function markUnusedGlobals() {
    const used = new Set();
    for (const card of state.cards) {
      if (card.tab.id !== state.tab) continue;
      card.globals.forEach((g) => used.add(g));
      if (card.tab.chart) GLOBALS.forEach((g) => used.add(g));  // the chart prices fees and liquidation
    }
    for (const name of GLOBALS.filter((g) => g !== "contract")) {  // the kind also picks the presets
      const control = document.getElementById(`${name}-control`);
      if (!control) continue;
      control.classList.toggle("unused", !used.has(name));
      control.title = used.has(name) ? "" : "Not an input of this calculator";
    }
  }

  /** On a phone the tabs are one row that scrolls sideways: bring the chosen one into view. */
  function revealTab(button) {
    const row = button.parentElement;
    if (row.scrollWidth <= row.clientWidth) return;
    const left = button.offsetLeft - row.offsetLeft;
    if (left < row.scrollLeft) row.scrollLeft = left - 24;
    else if (left + button.offsetWidth > row.scrollLeft + row.clientWidth) {
      row.scrollLeft = left + button.offsetWidth - row.clientWidth + 24;
    }
  }

  function selectTab(id) {
    state.tab = id;
    for (const button of document.querySelectorAll("#tabs button")) {
      button.setAttribute("aria-selected", String(button.dataset.tab === id));
      button.tabIndex = button.dataset.tab === id ? 0 : -1;
      if (button.dataset.tab === id) revealTab(button);
    }
    for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.dataset.tab !== id;
    markUnusedGlobals();
    showGlobalErrors();
    writeURL();
    for (const card of state.cards) {
      if (card.tab.id === id) {
        if (card.plot) redrawChart(card);
        else card.schedule();
      }
    }
    const extra = EXTRA_TABS.find((t) => t.id === id);
    if (extra && extra.built && extra.show) extra.show();
  }

  /** An EXTRA_TABS tab's button and panel, built by its own script. */
  function buildExtraTab(tab) {
    document.getElementById("tabs").append(el("button", { type: "button", role: "tab", "data-tab": tab.id,
      id: `tab-${tab.id}`, "aria-controls": `panel-${tab.id}`, onclick: () => selectTab(tab.id) }, tab.label));
    const panel = el("section", { class: "panel", role: "tabpanel", id: `panel-${tab.id}`, "data-tab": tab.id,
      "aria-labelledby": `tab-${tab.id}`, hidden: true });
    document.getElementById("panels").append(panel);
    tab.build(panel);
    tab.built = true;
  }

  function addTab(tab) {
    EXTRA_TABS.push(tab);
    if (!state.built) return;  // build() adds it
    buildExtraTab(tab);
    if (state.url.get("tab") === tab.id) selectTab(tab.id);
  }

  /**
   * The WAI-ARIA tabs pattern: the selected tab is the one Tab stop of the row (roving tabindex);
   * Left/Right move to the previous/next tab (wrapping), Home/End to the first/last, and the tab
   * reached is selected (automatic activation) and focused.
   */
  function onTabKey(event) {
    const buttons = [...document.querySelectorAll("#tabs [role=tab]")].filter((b) => !b.hidden);
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = buttons[(to + buttons.length) % buttons.length];
    selectTab(next.dataset.tab);
    next.focus();
  }

  function build() {
    const tabs = document.getElementById("tabs");
    if (!tabs.dataset.keys) {
      tabs.addEventListener("keydown", onTabKey);
      tabs.dataset.keys = "true";
    }
    const panels = document.getElementById("panels");
    panels.replaceChildren();
    for (const tab of TABS) {
      const calcs = tab.endpoints.map((name) => state.calculators.get(name)).filter(Boolean);
      if (!calcs.length) continue;
      tabs.append(el("button", { type: "button", role: "tab", "data-tab": tab.id, id: `tab-${tab.id}`,
        "aria-controls": `panel-${tab.id}`, onclick: () => selectTab(tab.id) }, tab.label));
      const compact = calcs.length > 1;
      const panel = el("section", { class: `panel${compact ? " stack" : ""}`, role: "tabpanel", id: `panel-${tab.id}`,
        "data-tab": tab.id, "aria-labelledby": `tab-${tab.id}` });
      if (tab.intro) panel.append(el("p", { class: "intro" }, tab.intro));
      for (const calc of calcs) {
        const card = new Card(calc, tab, compact);
        const parts = [card.render()].flat();
        card.root = panel;
        if (compact) card.root = parts[0];
        panel.append(...parts);
        state.cards.push(card);
      }
      panels.append(panel);
    }
    for (const card of state.cards) if (!card.compact) card.root = document.getElementById(`panel-${card.tab.id}`);
    for (const tab of EXTRA_TABS) buildExtraTab(tab);
    state.built = true;
  }

  async function main() {
    let calculators;
    let presets;
    try {
      [calculators, presets] = await Promise.all([getJSON("/api/calculators"), getJSON("/api/presets")]);
    } catch (error) {
      document.getElementById("panels").textContent = `Could not load the calculators: ${error.message}`;
      return;
    }
    for (const calc of calculators.calculators) state.calculators.set(calc.name, calc);
    Object.assign(LABELS, calculators.labels);  // one copy of the labels: the schema's
    PERCENT_SUFFIXES.push(...calculators.percent_suffixes);
    if (calculators.market) {
      STARTING.coins = Object.keys(calculators.market.prices);
      STARTING.asOf = calculators.market.as_of;
      const note = document.getElementById("starting-market");
      if (note) {
        const prices = Object.entries(calculators.market.prices).map(([coin, price]) => `${coin} ${formatNumber(price)}`);
        note.textContent = `Starting figures: ${prices.join(", ")} as of ${STARTING.asOf}.`;
      }
    }
    state.exchanges = presets.exchanges;
    const url = state.url;
    const named = GLOBALS.some((name) => url.has(name));
    if (named) {
      state.global.contract = url.get("contract") === "inverse" ? "inverse" : "linear";
      if (preset(url.get("exchange") || "")) chooseExchange(url.get("exchange"));
      if (url.has("tiers")) state.global.tiers = url.get("tiers");
      if (url.has("symbol")) state.global.symbol = url.get("symbol");
    } else {
      state.global.contract = DEFAULT_MARKET.contract;
      chooseExchange(DEFAULT_MARKET.exchange);
    }
    for (const b of document.querySelectorAll('[data-global="contract"] button')) {
      b.addEventListener("click", () => setGlobal("contract", b.dataset.value));
    }
    syncHeader();
    document.getElementById("exchange").addEventListener("change", (e) => setGlobal("exchange", e.target.value));
    document.getElementById("tiers").addEventListener("change", (e) => setGlobal("tiers", e.target.value));
    document.getElementById("symbol").addEventListener("input", debounce((e) => setGlobal("symbol", e.target.value.trim()), 200));
    build();
    const wanted = url.get("tab");
    const first = [...TABS, ...EXTRA_TABS].find((t) => t.id === wanted && document.getElementById(`tab-${t.id}`))
      || TABS.find((t) => document.getElementById(`tab-${t.id}`));
    selectTab(first.id);
    for (const card of state.cards) if (card.tab.id !== first.id) card.schedule();
    window.addEventListener("resize", debounce(() => {
      for (const card of state.cards) {
        if (card.plot && card.tab.id === state.tab) redrawChart(card);
      }
    }, 150));
    document.body.dataset.ready = "true";
  }

  // ------------------------------------------------------------ theme

  const THEME_KEY = "contractcalc.theme";

  /** The theme in use: the toggle's choice (saved in the browser), else the system's. */
  function currentTheme() {
    const chosen = document.documentElement.dataset.theme;
    if (chosen === "dark" || chosen === "light") return chosen;
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function showTheme() {
    const button = document.getElementById("theme-toggle");
    const dark = currentTheme() === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.textContent = dark ? "Light" : "Dark";
    button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
    for (const card of state.cards) if (card.plot && card.tab.id === state.tab) redrawChart(card);
  }

  function setupTheme() {
    let saved = null;
    try { saved = localStorage.getItem(THEME_KEY); } catch (error) { saved = null; }
    if (saved === "dark" || saved === "light") document.documentElement.dataset.theme = saved;
    document.getElementById("theme-toggle").addEventListener("click", () => {
      const next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      try { localStorage.setItem(THEME_KEY, next); } catch (error) { /* private mode: this page only */ }
      showTheme();
    });
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", showTheme);
    showTheme();
  }

  // ------------------------------------------------- saved positions

  const SAVED_KEY = "contractcalc.saved";

  /** Named calculations saved in this browser: name -> the page's query string (as the shareable URL). */
  function savedPositions() {
    try {
      const data = JSON.parse(localStorage.getItem(SAVED_KEY) || "{}");
      return data && typeof data === "object" && !Array.isArray(data) ? data : {};
    } catch (error) {
      return {};
    }
  }

  function showSaved(selected = "") {
    const list = document.getElementById("saved");
    const saved = savedPositions();
    list.replaceChildren(el("option", { value: "" }, Object.keys(saved).length ? "open…" : "none saved"),
      ...Object.keys(saved).sort().map((name) => el("option", { value: name, title: saved[name] }, name)));
    list.value = selected;
  }

  function setupSaved() {
    const list = document.getElementById("saved");
    const name = document.getElementById("save-name");
    document.getElementById("save-button").addEventListener("click", () => {
      const key = name.value.trim() || `${state.tab} ${new Date().toISOString().slice(0, 16).replace("T", " ")}`;
      const saved = savedPositions();
      saved[key] = location.search;
      try { localStorage.setItem(SAVED_KEY, JSON.stringify(saved)); } catch (error) { return; }
      name.value = "";
      showSaved(key);
    });
    list.addEventListener("change", () => {
      const query = savedPositions()[list.value];
      if (query !== undefined) location.assign(`${location.pathname}${query}`);
    });
    document.getElementById("delete-saved").addEventListener("click", () => {
      const saved = savedPositions();
      if (!(list.value in saved)) return;
      delete saved[list.value];
      try { localStorage.setItem(SAVED_KEY, JSON.stringify(saved)); } catch (error) { return; }
      showSaved();
    });
    // the page opened from a saved position shows its name
    const current = Object.entries(savedPositions()).find(([, query]) => query === location.search);
    showSaved(current ? current[0] : "");
  }

  // what a tab's own script (EXTRA_TABS) uses of the page
  window.contractcalc = { state, addTab, page: { el, post, label, formatValue, formatNumber, debounce, currentTheme } };
  setupTheme();
  setupSaved();
  main();
})();
