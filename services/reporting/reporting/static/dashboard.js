/* The managers' dashboard: reads the reporting JSON API with the user's token and draws it.
 *
 * No figure is in the page until a token the API accepts is given; the token stays in this
 * tab's sessionStorage. Only the reports the token's role may read are fetched (the page's
 * <body data-readers> carries reporting.domain); the API still decides, and a 403 reads the same.
 * Signing out empties every panel, chart, table and answer kept, and an answer still on its way
 * from the last session is dropped (each load belongs to a generation, bumped at sign-in/out and
 * at a change of month). Figures refresh every `?refresh=` seconds (30 by default) without a reload.
 * `window.dealerDashboard` exposes the charts, the data they were drawn from and a few pure helpers.
 */
(function () {
  "use strict";

  const TOKEN_KEY = "dealer.dashboard.token";
  const API = "/api/v1";
  // What each funnel bar counts: the period's events (DOMAIN.md "Reporting").
  const STAGES = [["inquiries", "来电到店 Calls & walk-ins logged"], ["leads", "线索 Leads filed"],
    ["appointments", "邀约 Appointments booked"], ["visits", "到店 Showroom visits"],
    ["test_drives", "试驾 Test drives taken"], ["orders", "订单 Orders placed"], ["deliveries", "交车 Cars delivered"]];
  // Each rate: label, what its numerator counts, what its denominator counts (populations, not events).
  const RATES = [["filing_rate", "建卡率 Filing rate", "filed", "calls & walk-ins"],
    ["appointment_arrival_rate", "邀约到店率 Invitation arrival", "kept", "appointments booked"],
    ["return_visit_rate", "再回展厅率 Return to store", "came back", "first-time visitors"],
    ["test_drive_rate", "试乘试驾率 Test drive", "test-drove", "visiting leads"],
    ["conversion_30d", "30天转化率 30-day conversion", "ordered within 30 days", "leads filed"],
    ["referral_rate", "转介绍率 Referral rate", "from referrals", "leads filed"]];
  const BUCKETS = [["0-30", "0–30 days"], ["31-60", "31–60 days"], ["61-90", "61–90 days"],
    ["over_90", "over 90 days"]];
  // The store's fixed list of reasons a lead is lost for (战败原因), and the kinds of campaign (市场活动).
  const LOST_REASONS = { price: "价格 Price", competitor: "竞品 Competitor", financing: "贷款/金融 Financing",
    no_stock: "无现车 No stock", postponed: "暂缓购买 Postponed", unreachable: "联系不上 Unreachable",
    other: "其他 Other" };
  const CAMPAIGN_KINDS = { motor_show: "车展 Motor show", in_store_event: "店头活动 In-store event",
    online: "线上活动 Online", outreach: "外拓 Outreach" };
  const CAMPAIGN_STAGES = ["invited", "arrived", "test_drives", "orders", "deliveries"];
  const TOP_BRANDS = 5;  // the competitor brands named in the lost-reasons panel; the rest are summed up
  const COLORS = ["#1d3557", "#457b9d", "#a8dadc", "#e63946", "#f4a261", "#2a9d8f", "#6d597a"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Panel -> its element and the reports it reads (any one of them is enough to show it).
  const PANELS = {
    day: { id: "panel-day", reads: ["funnel"] }, funnel: { id: "panel-funnel", reads: ["funnel"] },
    compare: { id: "panel-compare", reads: ["funnel", "sales"] }, trend: { id: "panel-trend", reads: ["sales"] },
    consultants: { id: "panel-consultants", reads: ["sales"] }, stock: { id: "panel-stock", reads: ["stock"] },
    afterSales: { id: "panel-after-sales", reads: ["after_sales"] },
    lostReasons: { id: "panel-lost-reasons", reads: ["lost_reasons"] },
    campaigns: { id: "panel-campaigns", reads: ["campaigns"] },
  };
  // Panels kept in files of their own (dashboard-groups.js), loaded before this one: their paths, reads, drawing.
  const EXTENSIONS = window.dealerDashboardPanels || [];
  EXTENSIONS.forEach((extension) => Object.assign(PANELS, extension.panels));
  // The store's date comes from the API (DEALER_TZ): the first of these the role may read tells it.
  const CLOCKS = [["sales", "/reports/sales/daily?days=1", (r) => r.to], ["stock", "/reports/stock", (r) => r.as_of],
    ["after_sales", "/reports/after-sales?window=0", (r) => r.to]];
  const DENIED = Object.freeze({ denied: true });

  const $ = (id) => document.getElementById(id);
  const pad = (n) => String(n).padStart(2, "0");
  const READERS = JSON.parse(document.body.dataset.readers || "{}");
  const params = new URLSearchParams(window.location.search);
  const state = {
    charts: {}, data: {}, csv: {}, session: null, period: null, objectUrls: [],
    updates: 0, lastUpdated: null, generation: 0, dropped: 0,
    refreshSeconds: Math.max(2, Number(params.get("refresh")) || 30),
  };
  window.dealerDashboard = state;
  let timer = null;

  class ApiError extends Error {
    constructor(status, path) {
      super(`${path} answered ${status}`);
      this.status = status;
    }
  }

  async function request(path, token, accept) {
    const response = await fetch(API + path, {
      headers: { Authorization: `Bearer ${token}`, Accept: accept || "application/json" }, cache: "no-store",
    });
    if (!response.ok) throw new ApiError(response.status, path);
    return response;
  }

  async function api(path, token) { return (await request(path, token)).json(); }

  /* A panel the role may not read shows so; a token the API refuses ends the session. */
  async function settle(promise) {
    try {
      return await promise;
    } catch (error) {
      if (error.status === 403) return DENIED;
      throw error;
    }
  }

  /* ---- dates: ISO strings, store-local; nothing here reads the browser's clock but localToday ---- */

  function localToday() {
    const now = new Date();
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  function daysIn(month) {
    const [year, number] = month.split("-").map(Number);
    return new Date(Date.UTC(year, number, 0)).getUTCDate();
  }

  function previousMonth(month) {
    const [year, number] = month.split("-").map(Number);
    return number === 1 ? `${year - 1}-12` : `${year}-${pad(number - 1)}`;
  }

  /* A month's dates up to `today` (all of it when past): the range every monthly panel reads. */
  function period(month, today) {
    const days = daysIn(month);
    const gone = month === today.slice(0, 7) ? Number(today.slice(8, 10)) : days;
    return { month, first: `${month}-01`, last: `${month}-${pad(gone)}`, days, gone, share: gone / days };
  }

  /* The share of the month gone on `today` (today counted): 1 for a past month. */
  function paceShare(month, today) { return period(month, today).share; }

  /* "1–30 Nov" for a range within a month, "6 Dec" for one day. */
  function rangeLabel(first, last) {
    const month = MONTHS[Number(first.slice(5, 7)) - 1];
    const [a, b] = [Number(first.slice(8, 10)), Number(last.slice(8, 10))];
    return first === last ? `${a} ${month}` : `${a}–${b} ${month}`;
  }

  function monthLabel(month) { return `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`; }

  /* Any two dates, e.g. a campaign's, which may cross a month or a year: "8–9 Nov", "28 Oct – 3 Nov". */
  function spanLabel(first, last) {
    if (first.slice(0, 7) === last.slice(0, 7)) return rangeLabel(first, last);
    const day = (iso) => `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]}`;
    const year = first.slice(0, 4) === last.slice(0, 4) ? "" : ` ${first.slice(0, 4)}`;
    return `${day(first)}${year} – ${day(last)}${year ? ` ${last.slice(0, 4)}` : ""}`;
  }

  /* ---- CSV: cells neutralised as shared/web/csv_safe.py does on the server ---- */

  const FORMULA_START = /^[=+\-@\t\r]/;
  const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

  function csvCell(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") return String(value);
    const text = String(value);
    return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  }

  function csvText(header, rows) {
    const quoted = (value) => {
      const text = csvCell(value);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    return [header, ...rows].map((row) => row.map(quoted).join(",")).join("\r\n") + "\r\n";
  }

  /* ---- the session: who is signed in, and what their role may read ---- */

  function roleOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "="))).role || null;
    } catch (error) {
      return null;  // not a JWT: the API will say 401
    }
  }

  function may(session, report) {
    return READERS[report] ? READERS[report].includes(session.role) : true;
  }

  async function storeToday(session) {
    const clock = CLOCKS.find(([report]) => may(session, report));
    if (!clock) {
      await settle(api("/reports/stock", session.token));  // a role that reads nothing: is the token good?
      return localToday();
    }
    const answer = await settle(api(clock[1], session.token));
    return answer.denied ? localToday() : clock[2](answer);
  }

  /* ---- reading: one bundle per refresh, every path kept for the CSV buttons ---- */

  function chosenMonth(today) {
    const picked = $("month").value;
    const current = today.slice(0, 7);
    return /^\d{4}-\d{2}$/.test(picked) && picked <= current && picked >= "2000-01" ? picked : current;
  }

  function paths(p, prev, month) {
    return {
      day: ["funnel", `/reports/funnel?from=${p.last}&to=${p.last}`],
      funnel: ["funnel", `/reports/funnel?from=${p.first}&to=${p.last}`],
      funnelPrev: ["funnel", `/reports/funnel?from=${prev.first}&to=${prev.last}`],
      trend: ["sales", `/reports/sales/daily?to=${p.last}&days=${p.gone}`],
      trendPrev: ["sales", `/reports/sales/daily?to=${prev.last}&days=${prev.gone}`],
      consultants: ["sales", `/reports/consultants?month=${month}`],
      stock: ["stock", "/reports/stock"],
      afterSales: ["after_sales", `/reports/after-sales?from=${p.first}&to=${p.last}`],
      lostReasons: ["lost_reasons", `/reports/lost-reasons?from=${p.first}&to=${p.last}`],
      campaigns: ["campaigns", `/reports/campaigns?from=${p.first}&to=${p.last}`],
      ...Object.assign({}, ...EXTENSIONS.map((extension) => extension.paths(month))),
    };
  }

  async function load(session) {
    const today = await storeToday(session);
    const month = chosenMonth(today);
    const p = period(month, today);
    const prev = period(previousMonth(month), today);
    const wanted = paths(p, prev, month);
    const names = Object.keys(wanted);
    const answers = await Promise.all(names.map((name) => {
      const [report, path] = wanted[name];
      return may(session, report) ? settle(api(path, session.token)) : Promise.resolve(DENIED);
    }));
    const bundle = { today, period: p, previous: prev, paths: wanted };
    names.forEach((name, i) => { bundle[name] = answers[i]; });
    const ask = (path) => settle(api(path, session.token));
    for (const extension of EXTENSIONS) await extension.follow(bundle, ask, DENIED, session);
    return bundle;
  }

  /* ---- drawing ---- */

  function percent(value) { return `${(value * 100).toFixed(1)}%`; }

  function money(value) {
    return `CNY ${Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }

  function tile(label, value, detail, previous) {
    const box = document.createElement("div");
    box.className = "tile";
    for (const [cls, text] of [["label", label], ["value", value], ["detail", detail || ""],
      ["previous", previous || ""]]) {
      if (!text && cls === "previous") continue;
      const part = document.createElement("div");
      part.className = cls;
      part.textContent = text;
      box.appendChild(part);
    }
    return box;
  }

  function row(values, className) {
    const tr = document.createElement("tr");
    if (className) tr.className = className;
    values.forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
    return tr;
  }

  function fill(id, children) { $(id).replaceChildren(...children); }

  /* Empty a panel: its figures, its charts, its data and its CSV; the next render starts clean. */
  function clearPanel(key) {
    const panel = $(PANELS[key].id);
    panel.querySelectorAll("[data-fill]").forEach((element) => element.replaceChildren());
    for (const [name, chart] of Object.entries(state.charts)) {
      if (panel.contains(chart.canvas)) {
        chart.destroy();
        delete state.charts[name];
      }
    }
    delete state.data[key];
    delete state.csv[key];
  }

  /* A panel the role may not read says so and shows nothing; it comes back when a role that may signs in. */
  function permitted(key, ...reports) {
    const allowed = reports.some((report) => !report.denied);
    $(PANELS[key].id).classList.toggle("denied", !allowed);
    if (!allowed) clearPanel(key);
    return allowed;
  }

  const paceLine = {
    id: "paceLine",
    afterDatasetsDraw(chart, _args, options) {
      if (options.value === null || options.value === undefined) return;
      const x = chart.scales.x.getPixelForValue(options.value);
      const { top, bottom, right } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = options.color;
      ctx.fillStyle = options.color;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.font = "12px system-ui, sans-serif";
      const leftOfLine = x > right - 120;
      ctx.textAlign = leftOfLine ? "right" : "left";
      ctx.fillText(options.label, x + (leftOfLine ? -4 : 4), top + 12);
      ctx.restore();
      chart.dealerPace = { value: options.value, x };
    },
  };

  /* Create a chart the first time, afterwards change its data in place (no reload, no flicker). */
  function draw(name, canvasId, type, labels, datasets, options, plugins) {
    const chart = state.charts[name];
    if (chart) {
      chart.data.labels = labels;
      datasets.forEach((set, i) => {
        chart.data.datasets[i].data = set.data;
        if (set.backgroundColor) chart.data.datasets[i].backgroundColor = set.backgroundColor;
      });
      Object.entries((options && options.plugins) || {}).forEach(([id, value]) => {
        Object.assign(chart.options.plugins[id], value);
      });
      chart.update("none");
      return;
    }
    state.charts[name] = new window.Chart($(canvasId), {
      type, data: { labels, datasets }, plugins: plugins || [],
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, options || {}),
    });
  }

  const COUNT_AXIS = { y: { beginAtZero: true, ticks: { precision: 0 } } };

  function renderDay(bundle) {
    const report = bundle.day;
    if (!permitted("day", report)) return;
    state.data.day = report;
    state.csv.day = { path: bundle.paths.day[1] };
    const isToday = bundle.period.last === bundle.today;
    $("day-title").textContent = isToday ? "Today 今日" : "Last day of the month 月末";
    $("day-date").textContent = rangeLabel(report.from, report.to);
    fill("day-tiles", STAGES.map(([key, label]) => tile(label, String(report[key]))));
  }

  /* "2 filed / 3 calls & walk-ins"; for the 30-day conversion also the leads whose 30 days are still running,
   * which are on neither side of it yet (DOMAIN.md "How the store counts"). */
  function rateDetail(details, numerator, denominator) {
    const counted = `${details.numerator} ${numerator} / ${details.denominator} ${denominator}`;
    if (!details.not_yet_30_days) return counted;
    return `${counted} · ${details.not_yet_30_days} not yet 30 days 未满30天 (${details.ordered_so_far} ordered so far)`;
  }

  function renderFunnel(bundle) {
    const [report, prev] = [bundle.funnel, bundle.funnelPrev];
    if (!permitted("funnel", report)) return;
    state.data.funnel = report;
    state.data.funnelPrev = prev;
    state.csv.funnel = { path: bundle.paths.funnel[1] };
    const dates = rangeLabel(report.from, report.to);
    $("funnel-range").textContent = dates;
    draw("funnel", "chart-funnel", "bar", STAGES.map(([, label]) => [label, dates]),
      [{ label: monthLabel(bundle.period.month), data: STAGES.map(([key]) => report[key]), backgroundColor: COLORS }],
      { indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
    const prevDates = prev.denied ? "" : rangeLabel(prev.from, prev.to);
    fill("rate-tiles", RATES.map(([key, label, numerator, denominator]) => {
      const last = prev.denied ? "" : `上月 Last month ${prevDates}: ${percent(prev.rates[key])} `
        + `(${prev.rate_details[key].numerator} / ${prev.rate_details[key].denominator})`;
      const detail = rateDetail(report.rate_details[key], numerator, denominator);
      return tile(label, percent(report.rates[key]), detail, last);
    }));
  }

  function sumUnits(trend) { return trend.items.reduce((total, p) => total + p.units, 0); }

  function sumRevenue(trend) { return trend.items.reduce((total, p) => total + Number(p.revenue), 0); }

  function signed(value, digits) {
    const text = value.toFixed(digits);
    return value > 0 ? `+${text}` : text;
  }

  /* The rows of the month-on-month table, as shown (the CSV is these rows too). */
  function compareRows(bundle) {
    const rows = [];
    const [trend, trendPrev, funnel, funnelPrev] = [bundle.trend, bundle.trendPrev, bundle.funnel, bundle.funnelPrev];
    if (!trend.denied && !trendPrev.denied) {
      const [now, before] = [sumUnits(trend), sumUnits(trendPrev)];
      rows.push(["交车 Units delivered", before, now, signed(now - before, 0)]);
      const [revenue, revenueBefore] = [sumRevenue(trend), sumRevenue(trendPrev)];
      rows.push(["销售额 Revenue (CNY)", revenueBefore.toFixed(2), revenue.toFixed(2),
        signed(revenue - revenueBefore, 2)]);
    }
    if (!funnel.denied && !funnelPrev.denied) {
      STAGES.slice(0, -1).forEach(([key, label]) => {
        rows.push([label, funnelPrev[key], funnel[key], signed(funnel[key] - funnelPrev[key], 0)]);
      });
      RATES.forEach(([key, label]) => {
        const shown = (r) => `${percent(r.rates[key])} (${r.rate_details[key].numerator} / `
          + `${r.rate_details[key].denominator})`;
        const points = (funnel.rates[key] - funnelPrev.rates[key]) * 100;
        rows.push([label, shown(funnelPrev), shown(funnel), signed(points, 1)]);
      });
    }
    return rows;
  }

  function renderCompare(bundle) {
    if (!permitted("compare", bundle.funnel, bundle.trend)) return;
    const [p, prev] = [bundle.period, bundle.previous];
    const rows = compareRows(bundle);
    state.data.compare = rows;
    const header = ["figure", `last month ${prev.first}..${prev.last}`, `this month ${p.first}..${p.last}`, "change"];
    state.csv.compare = { header, rows, filename: `month-on-month-${p.month}.csv` };
    $("compare-months").textContent = `${rangeLabel(prev.first, prev.last)} → ${rangeLabel(p.first, p.last)}`;
    $("compare-table").tBodies[0].replaceChildren(...rows.map((values) => row(values)));
  }

  function renderTrend(bundle) {
    const [trend, prev] = [bundle.trend, bundle.trendPrev];
    if (!permitted("trend", trend)) return;
    state.data.trend = trend;
    state.csv.trend = { path: bundle.paths.trend[1] };
    $("trend-range").textContent = rangeLabel(trend.from, trend.to);
    const before = prev.denied ? "" : ` · 上月 ${monthLabel(bundle.previous.month)}: ${sumUnits(prev)} units, `
      + money(sumRevenue(prev));
    $("trend-summary").textContent = `${monthLabel(bundle.period.month)}: ${sumUnits(trend)} units, `
      + `${money(sumRevenue(trend))}${before}`;
    draw("trend", "chart-trend", "line", trend.items.map((p) => p.date.slice(5)), [
      { label: "Units delivered 交车", data: trend.items.map((p) => p.units), borderColor: COLORS[0],
        backgroundColor: COLORS[0], yAxisID: "y" },
      { label: "Revenue (CNY) 销售额", data: trend.items.map((p) => Number(p.revenue)), borderColor: COLORS[4],
        backgroundColor: COLORS[4], yAxisID: "revenue" },
    ], { scales: { ...COUNT_AXIS,
      revenue: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } });
  }

  /* A consultant's display name: the API's when it gives one, else their id. */
  function nameOf(item) { return item.name || item.consultant_id; }

  function paceCells(item, share) {
    if (!item.target) return ["—", "—"];
    const due = item.target * share;
    return [due.toFixed(1), item.deliveries >= due ? "on pace 达标" : "behind 落后"];
  }

  function renderConsultants(bundle) {
    const report = bundle.consultants;
    if (!permitted("consultants", report)) return;
    const p = bundle.period;
    state.data.consultants = report;
    state.csv.consultants = { path: bundle.paths.consultants[1] };
    $("consultants-month").textContent = rangeLabel(p.first, p.last);
    const pace = p.share * 100;
    $("pace-summary").textContent = `Pace 进度: ${p.gone} of ${p.days} days gone, ${pace.toFixed(1)}% `
      + "of the target should be delivered by now (dashed line).";
    const rows = report.items;
    const behind = (r) => Boolean(r.target) && r.deliveries < r.target * p.share;
    draw("consultants", "chart-consultants", "bar", rows.map((r) => nameOf(r) + (r.target ? "" : " (no target)")), [
      { label: "Completion 完成率 %", data: rows.map((r) => (r.completion === null ? null : r.completion * 100)),
        backgroundColor: rows.map((r) => (behind(r) ? COLORS[3] : COLORS[5])) },
    ], { indexAxis: "y",
      scales: { x: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (v) => `${v}%` } } },
      plugins: { legend: { display: false },
        paceLine: { value: pace, label: `Pace 进度 ${pace.toFixed(1)}%`, color: COLORS[6] } } }, [paceLine]);
    const completion = (r) => (r.completion === null ? "—"
      : `${percent(r.completion)} (${r.completion_details.numerator}/${r.completion_details.denominator})`);
    $("consultant-table").tBodies[0].replaceChildren(...rows.map((r) => row([r.rank, nameOf(r), r.deliveries,
      r.target ?? "—", completion(r), ...paceCells(r, p.share)], behind(r) ? "behind" : "")));
    const team = report.team;
    $("consultant-table").tFoot.replaceChildren(...(team ? [row(["", "Team 团队", team.deliveries, team.target,
      completion(team), ...paceCells(team, p.share)])] : []));
  }

  function renderStock(bundle) {
    const report = bundle.stock;
    if (!permitted("stock", report)) return;
    state.data.stock = report;
    state.csv.stock = { path: bundle.paths.stock[1] };
    $("stock-on-hand").textContent = `${report.on_hand} on hand 在库, now (as of ${report.as_of}, not by month)`;
    draw("ageing", "chart-ageing", "bar", BUCKETS.map(([, label]) => label),
      [{ label: "Cars", data: BUCKETS.map(([key]) => report.ageing[key]), backgroundColor: COLORS.slice(1, 5) }],
      { plugins: { legend: { display: false } }, scales: COUNT_AXIS });
    const items = report.slow_movers.map((s) => {
      const li = document.createElement("li");
      li.textContent = `${s.model} ${s.trim} ${s.color}: ${s.on_hand} on hand, oldest ${s.oldest_days} days`;
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.textContent = "none 无";
      items.push(li);
    }
    $("slow-movers").replaceChildren(...items);
  }

  function renderAfterSales(bundle) {
    const report = bundle.afterSales;
    if (!permitted("afterSales", report)) return;
    state.data.afterSales = report;
    state.csv.afterSales = { path: bundle.paths.afterSales[1] };
    const c = report.complaints;
    $("after-sales-range").textContent = rangeLabel(report.from, report.to);
    fill("after-sales-tiles", [
      tile("CSI 满意度", report.csi === null ? "—" : report.csi.toFixed(2),
        `${report.csi_details.return_visits} return visits`),
      tile("Open complaints 未结投诉", String(c.open_now), "now"),
      tile("Mean time to resolve", c.mean_hours_to_resolve === null ? "—" : `${c.mean_hours_to_resolve} h`),
      tile("Reminders due 保养提醒", String(report.reminders_due), `by ${report.due_by}`),
    ]);
    draw("complaints", "chart-complaints", "bar", ["Opened", "Resolved", "Escalated", "Open now"],
      [{ label: "Complaints", data: [c.opened, c.resolved, c.escalated, c.open_now],
        backgroundColor: [COLORS[1], COLORS[5], COLORS[3], COLORS[4]] }],
      { plugins: { legend: { display: false } }, scales: COUNT_AXIS });
  }

  /* A table's only row when it has nothing to list. */
  function noneRow(columns, text) {
    const tr = row([text || "none 无"]);
    tr.cells[0].colSpan = columns;
    return tr;
  }

  /* The brands named most when a lead is lost to a competitor: the first few, then the rest summed up. */
  function brandRows(brands, lost) {
    const rows = brands.slice(0, TOP_BRANDS).map((b) => row([b.brand, b.count, percent(b.share)]));
    const rest = brands.slice(TOP_BRANDS);
    if (rest.length) {
      const count = rest.reduce((total, b) => total + b.count, 0);
      rows.push(row([`Other brands 其他品牌 (${rest.length})`, count, percent(lost ? count / lost : 0)]));
    }
    return rows.length ? rows : [noneRow(3)];
  }

  function renderLostReasons(bundle) {
    const report = bundle.lostReasons;
    if (!permitted("lostReasons", report)) return;
    state.data.lostReasons = report;
    state.csv.lostReasons = { path: bundle.paths.lostReasons[1] };
    $("lost-range").textContent = rangeLabel(report.from, report.to);
    $("lost-summary").textContent = `${report.lost} leads lost 战败 (still lost now)`;
    draw("lostReasons", "chart-lost-reasons", "bar",
      report.reasons.map((r) => [LOST_REASONS[r.reason_code] || r.reason_code, `${r.count} · ${percent(r.share)}`]),
      [{ label: "Leads lost 战败", data: report.reasons.map((r) => r.count), backgroundColor: COLORS[3] }],
      { indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } } });
    $("brand-table").tBodies[0].replaceChildren(...brandRows(report.competitor_brands, report.lost));
  }

  function renderCampaigns(bundle) {
    const report = bundle.campaigns;
    if (!permitted("campaigns", report)) return;
    state.data.campaigns = report;
    state.csv.campaigns = { path: bundle.paths.campaigns[1] };
    $("campaigns-range").textContent = rangeLabel(report.from, report.to);
    const rows = report.campaigns.map((c) => row([c.name, CAMPAIGN_KINDS[c.kind] || c.kind,
      spanLabel(c.starts_on, c.ends_on), ...CAMPAIGN_STAGES.map((stage) => c[stage])]));
    $("campaign-table").tBodies[0].replaceChildren(...(rows.length ? rows
      : [noneRow(3 + CAMPAIGN_STAGES.length, "No campaign in this period 本期无市场活动")]));
  }

  function renderPeriod(bundle) {
    const p = bundle.period;
    state.period = { ...p, today: bundle.today };
    $("month").max = bundle.today.slice(0, 7);
    $("month").value = p.month;
    $("month-shown").textContent = `Showing 显示: ${monthLabel(p.month)} (${rangeLabel(p.first, p.last)})`;
    $("pace-shown").textContent = `${p.gone} of ${p.days} days gone 已过 (${(p.share * 100).toFixed(1)}%)`;
  }

  function render(bundle) {
    renderPeriod(bundle);
    renderDay(bundle);
    renderFunnel(bundle);
    renderCompare(bundle);
    renderTrend(bundle);
    renderConsultants(bundle);
    renderStock(bundle);
    renderAfterSales(bundle);
    renderLostReasons(bundle);
    renderCampaigns(bundle);
    const kit = { state, permitted, row, noneRow, monthLabel, spanLabel };
    EXTENSIONS.forEach((extension) => extension.render(bundle, kit));
    state.updates += 1;
    state.lastUpdated = new Date().toISOString();
    $("status").textContent = `Updated ${new Date().toLocaleTimeString()} · every ${state.refreshSeconds} s`;
  }

  /* Read and draw for the session as it is now; an answer that comes back to another generation is dropped. */
  async function refresh(beforeRender) {
    const generation = state.generation;
    const bundle = await load(state.session);
    if (generation !== state.generation) {
      state.dropped += 1;
      return false;
    }
    if (beforeRender) beforeRender();
    render(bundle);
    return true;
  }

  async function tick() {
    if (!state.session) return;
    try {
      await refresh();
    } catch (error) {
      if (error.status === 401) return signOut("Your session has ended; sign in again.");
      $("status").textContent = `Could not update (${error.message}); retrying.`;
    }
  }

  async function changeMonth() {
    if (!/^\d{4}-\d{2}$/.test($("month").value)) return;
    await reload();
  }

  /* Read again at once for what was picked (a month, a group, a week); an answer on its way is dropped. */
  async function reload() {
    if (!state.session) return;
    state.generation += 1;
    await tick();
  }

  /* ---- CSV buttons ---- */

  function save(blob, filename) {
    const url = URL.createObjectURL(blob);
    state.objectUrls.push(url);
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  async function downloadCsv(key) {
    const entry = state.csv[key];
    const session = state.session;
    if (!entry || !session) return;
    if (!entry.path) {
      save(new Blob([csvText(entry.header, entry.rows)], { type: "text/csv" }), entry.filename);
      return;
    }
    const path = entry.path + (entry.path.includes("?") ? "&" : "?") + "format=csv";
    try {
      const response = await request(path, session.token, "text/csv");
      const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const blob = await response.blob();
      if (session === state.session) save(blob, named ? named[1] : `${key}.csv`);
    } catch (error) {
      if (error.status === 401) return signOut("Your session has ended; sign in again.");
      $("status").textContent = `Could not export (${error.message}).`;
    }
  }

  /* ---- signing in and out ---- */

  function showBoard() {
    $("login").hidden = true;
    $("board").hidden = false;
    $("logout").hidden = false;
    clearInterval(timer);
    timer = setInterval(tick, state.refreshSeconds * 1000);
  }

  /* Everything the last user saw goes: figures, charts, tables, answers kept, exports, the month chosen. */
  function forget() {
    state.generation += 1;
    clearInterval(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    state.session = null;
    Object.keys(PANELS).forEach((key) => {
      clearPanel(key);
      $(PANELS[key].id).classList.remove("denied");
    });
    Object.values(state.charts).forEach((chart) => chart.destroy());
    state.charts = {};
    state.data = {};
    state.csv = {};
    state.period = null;
    state.objectUrls.forEach((url) => URL.revokeObjectURL(url));
    state.objectUrls = [];
    document.querySelectorAll("#toolbar [data-fill]").forEach((element) => element.replaceChildren());
    $("month").value = "";
    EXTENSIONS.forEach((extension) => extension.forget());
  }

  function signOut(message) {
    forget();
    $("board").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("status").textContent = "";
  }

  /* Only a token the API accepts shows the board. */
  async function open(token) {
    state.session = { token, role: roleOf(token) };
    await refresh(showBoard);  // shown before the charts are drawn, so they take the panels' size
  }

  async function signIn(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    forget();
    sessionStorage.setItem(TOKEN_KEY, token);
    try {
      await open(token);
      $("login-error").textContent = "";
    } catch (error) {
      signOut(error.status === 401 ? "That token is not valid." : `Sign-in failed: ${error.message}`);
    }
  }

  async function start() {
    $("login-form").addEventListener("submit", signIn);
    $("logout").addEventListener("click", () => signOut());
    $("month").addEventListener("change", changeMonth);
    EXTENSIONS.forEach((extension) => extension.bind(reload));
    document.querySelectorAll("button.csv").forEach((button) => {
      button.addEventListener("click", () => downloadCsv(button.dataset.panel));
    });
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return signOut();
    try {
      await open(token);
    } catch (error) {
      signOut(error.status === 401 ? "Your session has ended; sign in again." : error.message);
    }
  }

  state.tools = { csvCell, csvText, paceShare, rangeLabel, spanLabel, period,
    ...Object.assign({}, ...EXTENSIONS.map((extension) => extension.tools)) };
  start();
}());
