// Squad analytics: hamstring complaint incidence and burden per 1000 player-hours (IOC 2020), and
// weekly contact load against the World Rugby guidance, as charts, with a CSV download. Analysts
// receive pseudonyms, never names or player ids (the server minimises); this page asks only for
// aggregates and the weekly load.
import { useEffect, useMemo, useState } from "preact/hooks";
import { exposure } from "../api";
import { BarChart } from "../charts";
import { DAY_MS, enumLabel, fmtDate, localInputValue, toDate } from "../format";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { GuidanceLimit, GuidanceLimitSchema, GuidanceStatus, type GetInjuryRatesResponse, type InjuryRateRow, type WeeklyContactLoad } from "../gen/touchline/v1/exposure_pb";
import type { Caller } from "../main";
import { ErrorNotice, Loading } from "../ui";
import { SquadPicker, useSquadChoice } from "../squad_choice";

const LIMITS: { limit: GuidanceLimit; field: "fullContactMinutes" | "fullContactDays" | "controlledContactMinutes" | "liveSetPieceMinutes"; unit: string }[] = [
  { limit: GuidanceLimit.FULL_CONTACT_MINUTES, field: "fullContactMinutes", unit: "minutes" },
  { limit: GuidanceLimit.FULL_CONTACT_DAYS, field: "fullContactDays", unit: "days" },
  { limit: GuidanceLimit.CONTROLLED_CONTACT_MINUTES, field: "controlledContactMinutes", unit: "minutes" },
  { limit: GuidanceLimit.LIVE_SET_PIECE_MINUTES, field: "liveSetPieceMinutes", unit: "minutes" },
];

function who(w: WeeklyContactLoad): string {
  return w.playerPseudonym || `player ${w.playerId}`;
}

export function weeklyLoadCsv(weeks: WeeklyContactLoad[]): string {
  const head = ["player", "week_start", "contact_events", "match_minutes", "training_minutes", "full_contact_minutes", "full_contact_days", "controlled_contact_minutes", "live_set_piece_minutes", "status"];
  const rows = weeks.map((w) => [
    who(w),
    toDate(w.weekStartTime)?.toISOString().slice(0, 10) ?? "",
    w.contactEventCount,
    w.matchMinutes,
    w.trainingMinutes,
    w.fullContactMinutes,
    w.fullContactDays,
    w.controlledContactMinutes,
    w.liveSetPieceMinutes,
    w.status === GuidanceStatus.OVER ? "over" : "within",
  ]);
  const cell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [head, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

export function AnalyticsPage({ caller: _caller }: { caller: Caller }) {
  void _caller;
  const [from, setFrom] = useState(() => localInputValue(new Date(Date.now() - 365 * DAY_MS)).slice(0, 10));
  const [weeksBack, setWeeksBack] = useState(8);
  const [rates, setRates] = useState<GetInjuryRatesResponse | null>(null);
  const [weeks, setWeeks] = useState<WeeklyContactLoad[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const choice = useSquadChoice(setError);
  const { squadId } = choice;

  useEffect(() => {
    if (squadId === 0n) return;
    let cancelled = false;
    const now = new Date();
    const start = new Date(`${from}T00:00:00`);
    setRates(null);
    setWeeks(null);
    Promise.all([
      exposure.getInjuryRates({ squadId, startTime: timestampFromDate(Number.isNaN(start.getTime()) ? new Date(now.getTime() - 365 * DAY_MS) : start), endTime: timestampFromDate(now) }),
      exposure.getWeeklyContactLoad({ squadId, startTime: timestampFromDate(new Date(now.getTime() - weeksBack * 7 * DAY_MS)), endTime: timestampFromDate(now) }),
    ])
      .then(([r, w]) => {
        if (cancelled) return;
        setRates(r);
        setWeeks(w.weeks);
        setError(null);
      })
      .catch((e) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [squadId, from, weeksBack]);

  const csvUrl = useMemo(() => (weeks ? URL.createObjectURL(new Blob([weeklyLoadCsv(weeks)], { type: "text/csv" })) : ""), [weeks]);
  useEffect(() => () => {
    if (csvUrl) URL.revokeObjectURL(csvUrl);
  }, [csvUrl]);

  return (
    <div>
      <h1>Analytics</h1>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <SquadPicker id="an-squad" choice={choice} />
        <div class="field">
          <label for="an-from">Rates from</label>
          <input id="an-from" type="date" value={from} onChange={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="an-weeks">Load: weeks back</label>
          <select id="an-weeks" value={String(weeksBack)} onChange={(e) => setWeeksBack(Number((e.currentTarget as HTMLSelectElement).value))}>
            {[4, 8, 12, 26, 52].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNotice error={error} />
      {!error && (!rates || !weeks) && <Loading what="analytics" />}
      {rates && <Rates rates={rates} />}
      {weeks && <Load weeks={weeks} csvUrl={csvUrl} />}
    </div>
  );
}

function Rates({ rates }: { rates: GetInjuryRatesResponse }) {
  const rows: [string, InjuryRateRow | undefined][] = [
    ["Match", rates.match],
    ["Training", rates.training],
    ["All", rates.total],
  ];
  const groups = (pick: "incidencePer1000h" | "burdenPer1000h") =>
    rows.map(([label, row]) => ({
      label,
      bars: [
        { name: "forwards", value: row?.forwards?.[pick], cls: "s0" },
        { name: "backs", value: row?.backs?.[pick], cls: "s1" },
        { name: "all", value: row?.total?.[pick], cls: "s2" },
      ],
    }));
  const n = (v: number | undefined, d = 1) => (v === undefined ? "—" : v.toFixed(d));
  return (
    <section class="card" aria-labelledby="rates-h">
      <h2 id="rates-h">Hamstring complaints per 1000 player-hours</h2>
      <p class="muted">
        {fmtDate(rates.startTime)} to {fmtDate(rates.endTime)}; {rates.openComplaintCount} complaint(s) still open (days lost still growing).
      </p>
      <div class="two">
        <BarChart title="Incidence" desc="Complaints per 1000 player-hours, match, training and all, for forwards, backs and all players." groups={groups("incidencePer1000h")} yLabel="per 1000 h" format={(v) => v.toFixed(1)} />
        <BarChart title="Burden" desc="Days lost per 1000 player-hours, match, training and all, for forwards, backs and all players." groups={groups("burdenPer1000h")} yLabel="days lost / 1000 h" format={(v) => v.toFixed(1)} />
      </div>
      <table class="data">
        <caption>The same figures</caption>
        <thead>
          <tr>
            <th scope="col">Exposure</th>
            <th scope="col">Group</th>
            <th scope="col">Hours</th>
            <th scope="col">Complaints</th>
            <th scope="col">Days lost</th>
            <th scope="col">Incidence /1000 h</th>
            <th scope="col">Burden /1000 h</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap(([label, row]) =>
            (["forwards", "backs", "total"] as const).map((g) => {
              const c = row?.[g];
              return (
                <tr key={`${label}-${g}`}>
                  <th scope="row">{label}</th>
                  <td>{g === "total" ? "all" : g}</td>
                  <td>{n(c?.exposureHours, 0)}</td>
                  <td>{c?.complaintCount ?? 0}</td>
                  <td>{c?.daysLost ?? 0}</td>
                  <td>{n(c?.incidencePer1000h)}</td>
                  <td>{n(c?.burdenPer1000h)}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </section>
  );
}

function Load({ weeks, csvUrl }: { weeks: WeeklyContactLoad[]; csvUrl: string }) {
  const weekKeys = [...new Set(weeks.map((w) => toDate(w.weekStartTime)?.getTime() ?? 0))].sort((a, b) => a - b);
  const over = weeks.filter((w) => w.status === GuidanceStatus.OVER);
  return (
    <section class="card" aria-labelledby="load-h">
      <h2 id="load-h">Weekly contact load against the World Rugby guidance</h2>
      <p class="muted">
        {weeks.length} player-weeks; {over.length} over a limit. Bars: the highest and the median player of each week.
      </p>
      <p>
        <a class="button" href={csvUrl} download="weekly-contact-load.csv">
          Download CSV
        </a>
      </p>
      <div class="two">
        {LIMITS.map(({ limit, field, unit }) => {
          const maximum = weeks.find((w) => w.checks.some((c) => c.limit === limit))?.checks.find((c) => c.limit === limit)?.maximum;
          const groups = weekKeys.map((k) => {
            const vals = weeks.filter((w) => (toDate(w.weekStartTime)?.getTime() ?? 0) === k).map((w) => w[field]).sort((a, b) => a - b);
            return {
              label: fmtDate(new Date(k)).replace(/,? \d{4}$/, ""),
              bars: [
                { name: "highest", value: vals[vals.length - 1] ?? 0, cls: "s3" },
                { name: "median", value: vals[Math.floor((vals.length - 1) / 2)] ?? 0, cls: "s0" },
              ],
            };
          });
          const name = enumLabel(GuidanceLimitSchema, limit);
          return (
            <BarChart
              key={limit}
              title={name}
              desc={`Per week: the highest and the median player's ${name}, against the limit of ${maximum ?? "?"} ${unit}.`}
              groups={groups}
              yLabel={unit}
              limit={maximum}
              limitLabel={maximum !== undefined ? `limit ${maximum}` : undefined}
            />
          );
        })}
      </div>
      {over.length > 0 && (
        <table class="data">
          <caption>Player-weeks over a limit</caption>
          <thead>
            <tr>
              <th scope="col">Player</th>
              <th scope="col">Week of</th>
              <th scope="col">Over</th>
            </tr>
          </thead>
          <tbody>
            {over.map((w, i) => (
              <tr key={i}>
                <td>
                  <code>{who(w)}</code>
                </td>
                <td>{fmtDate(w.weekStartTime)}</td>
                <td>
                  {w.checks
                    .filter((c) => c.status === GuidanceStatus.OVER)
                    .map((c) => `${enumLabel(GuidanceLimitSchema, c.limit)} ${c.actual} > ${c.maximum}`)
                    .join("; ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
