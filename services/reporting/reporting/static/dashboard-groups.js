/* The dashboard's group panels: groups (小组), the supervisor's scorecard (绩效考核表), commission (提成) and the
 * weekly progress report (周销售进度).
 *
 * Loaded before dashboard.js, which asks this file for the panels' paths, reads them with the user's token and
 * calls render; nothing here reads a token or keeps a figure outside `state`. A supervisor (主管) may hold any
 * staff role, so these reports are asked for by every staff role and the API answers by group: a 403, or an empty
 * list to a role the report is not made for (staff who supervise no group), shows the panel as not readable. The
 * weekly report and the scorecard follow the groups report: a role that may not read it reads neither, and is not
 * asked to. Every text from the API goes in as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  // The five rates of a group (DOMAIN.md "Groups, targets, scorecards and pay"), as the funnel panel names them.
  const GROUP_RATES = [["filing_rate", "建卡率 Filing"], ["appointment_arrival_rate", "邀约到店率 Invitation arrival"],
    ["return_visit_rate", "再回展厅率 Return to store"], ["test_drive_rate", "试乘试驾率 Test drive"],
    ["conversion_30d", "30天转化率 30-day conversion"]];
  const KPIS = { meetings_on_time: "晨会夕会 Meetings on time with minutes", filing_rate: "小组建卡率 Group filing rate",
    return_visit_rate: "小组再回展厅率 Group return to store", appointment_arrival_rate: "邀约到店率 Invitation arrival",
    test_drive_rate: "试乘试驾率 Test drive", conversion_30d: "30天转化率 30-day conversion",
    unit_completion: "销量完成率 Unit completion" };
  const PANELS = { groups: { id: "panel-groups", reads: ["groups"] },
    scorecard: { id: "panel-scorecard", reads: ["groups"] },
    commission: { id: "panel-commission", reads: ["commissions"] }, weekly: { id: "panel-weekly", reads: ["groups"] } };
  const $ = (id) => document.getElementById(id);
  // Report -> the roles whose panel shows even when the answer is empty (reporting/dashboard.py WHOLE).
  const WHOLE = JSON.parse(document.body.dataset.whole || "{}");
  const pad = (n) => String(n).padStart(2, "0");

  /* ---- pure helpers (also on window.dealerDashboard.groupTools for the tests) ---- */

  /* A fraction as the page shows a rate: "36.4%"; none when there is no figure. */
  function percent(value) {
    return value === null || value === undefined ? "—" : `${(Number(value) * 100).toFixed(1)}%`;
  }

  /* "36.4% (4/11)": a rate beside the counts it is the division of. */
  function rateWithCounts(value, numerator, denominator) { return `${percent(value)} (${numerator}/${denominator})`; }

  /* A count or target as text ("6.00", "4.50") shown without needless zeros: 6, 4.5. */
  function figure(text) { return text === null || text === undefined ? "—" : String(Number(text)); }

  /* A change with its sign: "+2", "-1", "0"; "+66.67 pp" with a unit. */
  function signed(value, unit) {
    const text = String(value);
    const shown = Number(value) > 0 && !text.startsWith("+") ? `+${text}` : text;
    return unit ? `${shown} ${unit}` : shown;
  }

  /* Money kept as text, summed in cents (no binary fractions): ["100.00", "33.33"] -> "133.33". */
  function sumMoney(values) {
    const cents = values.reduce((total, v) => total + Math.round(Number(v) * 100), 0);
    const sign = cents < 0 ? "-" : "";
    return `${sign}${Math.floor(Math.abs(cents) / 100)}.${pad(Math.abs(cents) % 100)}`;
  }

  /* The ISO week (2026-W49) a date (2026-12-06) falls in: the week of its Thursday. */
  function isoWeek(iso) {
    const day = new Date(`${iso}T00:00:00Z`);
    const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * 86400000);
    const firstDay = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 1));
    const week = 1 + Math.floor((thursday - firstDay) / (7 * 86400000));
    return `${thursday.getUTCFullYear()}-W${pad(week)}`;
  }

  /* People by name, by id when the staff directory has no name for them. */
  function supervisorName(group) {
    const person = group.supervisor;
    return person ? person.name || person.staff_id : "—";
  }

  /* Groups by units, then completion (the store's leaderboard), then id. */
  function ranked(items) {
    const completion = (g) => (g.completion === null ? -1 : Number(g.completion));
    return [...items].sort((a, b) => b.units - a.units || completion(b) - completion(a)
      || a.group_id.localeCompare(b.group_id));
  }

  /* ---- what to read ---- */

  /* The week picked, else the week of the last day shown (today's week for the current month). */
  function chosenWeek(lastDay) {
    const picked = $("week").value;
    return /^\d{4}-W\d{2}$/.test(picked) ? picked : isoWeek(lastDay);
  }

  function paths(month) {
    return { groups: ["groups", `/reports/groups?month=${month}`],
      commission: ["commissions", `/commissions?month=${month}`] };
  }

  /* An empty answer to a role it is not made for (staff who supervise no group): not theirs to read. */
  function theirs(report, answer, role) {
    return answer.denied || answer.items.length || (WHOLE[report] || []).includes(role) ? answer : null;
  }

  /* After the groups report: the weekly report and the chosen group's scorecard, for whoever may read groups. */
  async function follow(bundle, ask, denied, session) {
    bundle.groups = theirs("groups", bundle.groups, session.role) || denied;
    bundle.commission = theirs("commissions", bundle.commission, session.role) || denied;
    const week = chosenWeek(bundle.period.last);
    const groups = bundle.groups;
    const chosen = groups.denied ? null : chosenGroup(groups.items);
    bundle.week = week;
    bundle.paths.weekly = ["groups", `/reports/weekly?week=${week}`];
    const card = `/scorecards?month=${bundle.period.month}&group_id=${encodeURIComponent(chosen)}`;
    if (chosen) bundle.paths.scorecard = ["groups", card];
    const [weekly, scorecard] = await Promise.all([
      groups.denied ? denied : ask(bundle.paths.weekly[1]),
      groups.denied ? denied : chosen ? ask(bundle.paths.scorecard[1]) : null]);
    Object.assign(bundle, { weekly, scorecard, chosenGroup: chosen });
  }

  function chosenGroup(items) {
    const picked = $("group-pick").dataset.chosen;
    if (items.some((g) => g.group_id === picked)) return picked;
    return items.length ? ranked(items)[0].group_id : null;
  }

  /* ---- drawing ---- */

  function groupRow(kit, group, place) {
    const rates = GROUP_RATES.map(([key]) => rateWithCounts(group.rates[key], group.rate_details[key].numerator,
      group.rate_details[key].denominator));
    const completion = `${percent(group.completion)} (${group.units}/${figure(group.target)})`;
    return kit.row([place, group.name || group.group_id, supervisorName(group), group.units, figure(group.target),
      completion, ...rates]);
  }

  function consultantRow(kit, c) {
    const completion = c.completion === null ? "—" : `${percent(c.completion)} (${c.units}/${figure(c.target)})`;
    return kit.row([c.rank, c.name || c.consultant_id, c.units, figure(c.target), completion]);
  }

  function renderGroups(bundle, kit) {
    const report = bundle.groups;
    if (!kit.permitted("groups", report)) return;
    kit.state.data.groups = report;
    kit.state.csv.groups = { path: bundle.paths.groups[1] };
    $("groups-month").textContent = kit.monthLabel(report.month);
    const order = ranked(report.items);
    $("groups-table").tBodies[0].replaceChildren(...(order.length ? order.map((g, i) => groupRow(kit, g, i + 1))
      : [kit.noneRow(6 + GROUP_RATES.length, "No group this month 本月无小组")]));
    const pick = $("group-pick");
    pick.replaceChildren(...order.map((g) => new Option(g.name || g.group_id, g.group_id)));
    pick.value = bundle.chosenGroup || "";
    const group = report.items.find((g) => g.group_id === bundle.chosenGroup);
    $("group-consultants").tBodies[0].replaceChildren(...(group && group.consultants.length
      ? group.consultants.map((c) => consultantRow(kit, c)) : [kit.noneRow(5)]));
  }

  function scoreRow(kit, line) {
    return kit.row([line.line, KPIS[line.kpi] || line.kpi, percent(line.weight), percent(line.target),
      rateWithCounts(line.actual, line.numerator, line.denominator), line.score]);
  }

  function renderScorecard(bundle, kit) {
    const card = bundle.scorecard;
    if (!kit.permitted("scorecard", card || {})) return;
    const group = bundle.groups.items.find((g) => g.group_id === bundle.chosenGroup);
    const month = kit.monthLabel(bundle.period.month);
    $("scorecard-group").textContent = group ? `${group.name || group.group_id} · ${month}` : "";
    if (!card) {  // no group this month: nothing to score, and nothing of another month's card left
      delete kit.state.data.scorecard;
      delete kit.state.csv.scorecard;
      $("scorecard-table").tBodies[0].replaceChildren(kit.noneRow(6, "No group this month 本月无小组"));
      $("scorecard-table").tFoot.replaceChildren();
      return;
    }
    kit.state.data.scorecard = card;
    kit.state.csv.scorecard = { path: bundle.paths.scorecard[1] };
    $("scorecard-table").tBodies[0].replaceChildren(...card.lines.map((line) => scoreRow(kit, line)));
    $("scorecard-table").tFoot.replaceChildren(kit.row(["", "Total 合计", "", "", "", card.total]));
  }

  function renderCommission(bundle, kit) {
    const report = bundle.commission;
    if (!kit.permitted("commission", report)) return;
    kit.state.data.commission = report;
    kit.state.csv.commission = { path: bundle.paths.commission[1] };
    $("commission-month").textContent = kit.monthLabel(report.month);
    const groups = bundle.groups.denied ? [] : bundle.groups.items;
    const groupName = (id) => (groups.find((g) => g.group_id === id) || {}).name || id;
    const rows = report.items.map((r) => kit.row([r.name || r.consultant_id, r.group_name || groupName(r.group_id), r.units,
      r.rate_per_unit, r.gross, r.deductions, r.classes_below_90.length ? r.classes_below_90.join(", ") : "—", r.net]));
    $("commission-table").tBodies[0].replaceChildren(...(rows.length ? rows : [kit.noneRow(8)]));
    const items = report.items;
    const sum = (key) => sumMoney(items.map((r) => r[key]));
    $("commission-table").tFoot.replaceChildren(...(items.length ? [kit.row(["Total 合计", "",
      items.reduce((n, r) => n + r.units, 0), "", sum("gross"), sum("deductions"), "", sum("net")])] : []));
  }

  function weeklyRow(kit, label, supervisor, item) {
    const f = item.funnel;
    const rates = GROUP_RATES.map(([key]) => `${rateWithCounts(f.rates[key], f.rate_details[key].numerator,
      f.rate_details[key].denominator)} ${signed(item.change.rates_pp[key], "pp")}`);
    return kit.row([label, supervisor, item.units, signed(item.change.units), item.units_month_to_date,
      figure(item.target_to_date), figure(item.month_target), ...rates]);
  }

  function planBox(group) {
    const box = document.createElement("div");
    box.className = "plan";
    const title = document.createElement("h3");
    title.textContent = `${group.name || group.group_id} · ${supervisorName(group)}`;
    const text = document.createElement("p");
    text.className = group.plan ? "plan-text" : "plan-text muted";
    text.textContent = group.plan || "No plan written yet 尚未填写计划";  // text, never HTML: a plan is people's writing
    box.append(title, text);
    return box;
  }

  function renderWeekly(bundle, kit) {
    const report = bundle.weekly;
    if (!kit.permitted("weekly", report)) return;
    kit.state.data.weekly = report;
    kit.state.csv.weekly = { path: bundle.paths.weekly[1] };
    $("week").value = report.week;
    $("weekly-range").textContent = `${report.week}: ${kit.spanLabel(report.from, report.to)}`;
    const rows = report.groups.map((g) => weeklyRow(kit, g.name || g.group_id, supervisorName(g), g));
    if (report.store) rows.push(weeklyRow(kit, "Store 全店", "", report.store));
    $("weekly-table").tBodies[0].replaceChildren(...rows);
    $("weekly-plans").replaceChildren(...report.groups.map(planBox));
  }

  function render(bundle, kit) {
    renderGroups(bundle, kit);
    renderScorecard(bundle, kit);
    renderCommission(bundle, kit);
    renderWeekly(bundle, kit);
  }

  /* A group or week picked: the board reads again for it. A month picked: the weekly panel follows it. */
  function bind(reload) {
    $("month").addEventListener("change", () => { $("week").value = ""; });
    $("group-pick").addEventListener("change", () => {
      $("group-pick").dataset.chosen = $("group-pick").value;
      reload();
    });
    $("week").addEventListener("change", () => { if (/^\d{4}-W\d{2}$/.test($("week").value)) reload(); });
  }

  function forget() {
    $("week").value = "";
    delete $("group-pick").dataset.chosen;
  }

  window.dealerDashboardPanels = (window.dealerDashboardPanels || []).concat([{
    panels: PANELS, paths, follow, render, bind, forget,
    tools: { isoWeek, rateWithCounts, sumMoney, figure, signed },
  }]);
}());
