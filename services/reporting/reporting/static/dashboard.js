/* The managers' dashboard: reads the reporting JSON API with the user's token and draws it.
 *
 * No figure is in the page until a token the API accepts is given; the token stays in this
 * tab's sessionStorage. Figures refresh every `?refresh=` seconds (30 by default) without a reload.
 * `window.dealerDashboard` exposes the charts and the data they were drawn from.
 */
(function () {
  "use strict";

  const TOKEN_KEY = "dealer.dashboard.token";
  const API = "/api/v1";
  const STAGES = [["inquiries", "Inquiries"], ["leads", "Leads"], ["appointments", "Appointments"],
    ["visits", "Visits"], ["test_drives", "Test drives"], ["orders", "Orders"], ["deliveries", "Deliveries"]];
  const RATES = [["filing_rate", "Filing rate 建卡率"], ["appointment_arrival_rate", "Invitation arrival 邀约到店率"],
    ["return_visit_rate", "Return to store 再回展厅率"], ["test_drive_rate", "Test drive 试乘试驾率"],
    ["conversion_30d", "30-day conversion 30天转化率"]];
  const BUCKETS = [["0-30", "0–30 days"], ["31-60", "31–60 days"], ["61-90", "61–90 days"], ["over_90", "over 90 days"]];
  const COLORS = ["#1d3557", "#457b9d", "#a8dadc", "#e63946", "#f4a261", "#2a9d8f", "#6d597a"];

  const params = new URLSearchParams(window.location.search);
  const state = {
    charts: {}, data: {}, updates: 0, lastUpdated: null,
    refreshSeconds: Math.max(2, Number(params.get("refresh")) || 30),
  };
  window.dealerDashboard = state;
  let timer = null;

  const $ = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, path) {
      super(`${path} answered ${status}`);
      this.status = status;
    }
  }

  async function api(path) {
    const response = await fetch(API + path, {
      headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) throw new ApiError(response.status, path);
    return response.json();
  }

  /* A panel the role may not read shows so; a token the API refuses ends the session. */
  async function settle(promise) {
    try {
      return await promise;
    } catch (error) {
      if (error.status === 401) throw error;
      if (error.status === 403) return { denied: true };
      throw error;
    }
  }

  function percent(value) { return `${(value * 100).toFixed(1)}%`; }

  function tile(label, value, detail) {
    const box = document.createElement("div");
    box.className = "tile";
    for (const [cls, text] of [["label", label], ["value", value], ["detail", detail || ""]]) {
      const part = document.createElement("div");
      part.className = cls;
      part.textContent = text;
      box.appendChild(part);
    }
    return box;
  }

  function fill(id, tiles) { $(id).replaceChildren(...tiles); }

  /* A panel the role may not read says so, and comes back when a role that may signs in. */
  function permitted(panelId, report) {
    $(panelId).classList.toggle("denied", Boolean(report.denied));
    return !report.denied;
  }

  /* Create a chart the first time, afterwards change its data in place (no reload, no flicker). */
  function draw(name, canvasId, type, labels, datasets, options) {
    const chart = state.charts[name];
    if (chart) {
      chart.data.labels = labels;
      datasets.forEach((set, i) => { chart.data.datasets[i].data = set.data; });
      chart.update("none");
      return;
    }
    state.charts[name] = new window.Chart($(canvasId), {
      type, data: { labels, datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, options || {}),
    });
  }

  function renderToday(today, funnel) {
    $("today-date").textContent = today;
    if (!permitted("panel-today", funnel)) return;
    state.data.today = funnel;
    fill("today-tiles", STAGES.map(([key, label]) => tile(label, String(funnel[key]))));
  }

  function renderFunnel(funnel) {
    if (!permitted("panel-funnel", funnel)) return;
    state.data.funnel = funnel;
    $("month-range").textContent = `${funnel.from} – ${funnel.to}`;
    draw("funnel", "chart-funnel", "bar", STAGES.map(([, label]) => label),
      [{ label: "This month", data: STAGES.map(([key]) => funnel[key]), backgroundColor: COLORS }],
      { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
    fill("rate-tiles", RATES.map(([key, label]) => {
      const detail = funnel.rate_details[key];
      return tile(label, percent(funnel.rates[key]), `${detail.numerator} / ${detail.denominator}`);
    }));
  }

  function renderTrend(trend) {
    if (!permitted("panel-trend", trend)) return;
    state.data.trend = trend;
    draw("trend", "chart-trend", "line", trend.items.map((p) => p.date.slice(5)), [
      { label: "Units delivered", data: trend.items.map((p) => p.units), borderColor: COLORS[0],
        backgroundColor: COLORS[0], yAxisID: "y" },
      { label: "Revenue (CNY)", data: trend.items.map((p) => Number(p.revenue)), borderColor: COLORS[4],
        backgroundColor: COLORS[4], yAxisID: "revenue" },
    ], { scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
      revenue: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } });
  }

  function renderConsultants(report) {
    if (!permitted("panel-consultants", report)) return;
    state.data.consultants = report;
    $("consultants-month").textContent = report.month;
    const rows = report.items;
    draw("consultants", "chart-consultants", "bar", rows.map((r) => r.consultant_id), [
      { label: "Delivered", data: rows.map((r) => r.deliveries), backgroundColor: COLORS[0] },
      { label: "Target", data: rows.map((r) => r.target || 0), backgroundColor: COLORS[2] },
    ], { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
    const cells = (values) => {
      const tr = document.createElement("tr");
      values.forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      return tr;
    };
    $("consultant-table").tBodies[0].replaceChildren(...rows.map((r) => cells([r.rank, r.consultant_id,
      r.deliveries, r.target ?? "—", r.completion === null ? "—" : percent(r.completion)])));
    const team = report.team;
    $("consultant-table").tFoot.replaceChildren(...(team ? [cells(["", "Team", team.deliveries, team.target,
      team.completion === null ? "—" : percent(team.completion)])] : []));
  }

  function renderStock(report) {
    if (!permitted("panel-stock", report)) return;
    state.data.stock = report;
    $("stock-on-hand").textContent = `${report.on_hand} on hand`;
    draw("ageing", "chart-ageing", "bar", BUCKETS.map(([, label]) => label),
      [{ label: "Cars", data: BUCKETS.map(([key]) => report.ageing[key]), backgroundColor: COLORS.slice(1, 5) }],
      { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
    const items = report.slow_movers.map((s) => {
      const li = document.createElement("li");
      li.textContent = `${s.model} ${s.trim} ${s.color}: ${s.on_hand} on hand, oldest ${s.oldest_days} days`;
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.textContent = "none";
      items.push(li);
    }
    $("slow-movers").replaceChildren(...items);
  }

  function renderAfterSales(report) {
    if (!permitted("panel-after-sales", report)) return;
    state.data.afterSales = report;
    const c = report.complaints;
    fill("after-sales-tiles", [
      tile("CSI 满意度", report.csi === null ? "—" : report.csi.toFixed(2),
        `${report.csi_details.return_visits} return visits`),
      tile("Open complaints", String(c.open_now)),
      tile("Mean time to resolve", c.mean_hours_to_resolve === null ? "—" : `${c.mean_hours_to_resolve} h`),
      tile("Reminders due 保养提醒", String(report.reminders_due), `by ${report.due_by}`),
    ]);
    draw("complaints", "chart-complaints", "bar", ["Opened", "Resolved", "Escalated", "Open now"],
      [{ label: "Complaints", data: [c.opened, c.resolved, c.escalated, c.open_now],
        backgroundColor: [COLORS[1], COLORS[5], COLORS[3], COLORS[4]] }],
      { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
  }

  /* The store's own date comes from the API (DEALER_TZ), never from the browser's clock. */
  async function load() {
    const trend = await settle(api("/reports/sales/daily?days=30"));
    const today = trend.to || new Date().toISOString().slice(0, 10);
    const monthStart = `${today.slice(0, 8)}01`;
    const [todayFunnel, funnel, consultants, stock, afterSales] = await Promise.all([
      settle(api(`/reports/funnel?from=${today}&to=${today}`)),
      settle(api(`/reports/funnel?from=${monthStart}&to=${today}`)),
      settle(api(`/reports/consultants?month=${today.slice(0, 7)}`)),
      settle(api("/reports/stock")),
      settle(api(`/reports/after-sales?from=${monthStart}&to=${today}`)),
    ]);
    return { today, trend, todayFunnel, funnel, consultants, stock, afterSales };
  }

  function render(bundle) {
    renderToday(bundle.today, bundle.todayFunnel);
    renderFunnel(bundle.funnel);
    renderTrend(bundle.trend);
    renderConsultants(bundle.consultants);
    renderStock(bundle.stock);
    renderAfterSales(bundle.afterSales);
    state.updates += 1;
    state.lastUpdated = new Date().toISOString();
    $("status").textContent = `Updated ${new Date().toLocaleTimeString()} · every ${state.refreshSeconds} s`;
  }

  /* Only a token the API accepts shows the board. */
  async function open() {
    const bundle = await load();
    showBoard();
    render(bundle);
  }

  async function tick() {
    try {
      render(await load());
    } catch (error) {
      if (error.status === 401) return signOut("Your session has ended; sign in again.");
      $("status").textContent = `Could not update (${error.message}); retrying.`;
    }
  }

  function showBoard() {
    $("login").hidden = true;
    $("board").hidden = false;
    $("logout").hidden = false;
    clearInterval(timer);
    timer = setInterval(tick, state.refreshSeconds * 1000);
  }

  function signOut(message) {
    clearInterval(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    Object.values(state.charts).forEach((chart) => chart.destroy());
    state.charts = {};
    state.data = {};
    $("board").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("status").textContent = "";
  }

  async function signIn(event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    try {
      await open();
      $("login-error").textContent = "";
    } catch (error) {
      signOut(error.status === 401 ? "That token is not valid." : `Sign-in failed: ${error.message}`);
    }
  }

  async function start() {
    $("login-form").addEventListener("submit", signIn);
    $("logout").addEventListener("click", () => signOut());
    if (!sessionStorage.getItem(TOKEN_KEY)) return signOut();
    try {
      await open();
    } catch (error) {
      signOut(error.status === 401 ? "Your session has ended; sign in again." : error.message);
    }
  }

  start();
}());
