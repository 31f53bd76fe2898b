import { Chart, type ChartConfiguration } from "chart.js/auto";

/** The chart as the server describes it in the canvas's `data-chart` attribute. */
interface ChartData {
  type: "bar" | "line" | "doughnut";
  stacked: boolean;
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

const COLORS = ["#714b67", "#017e84", "#e0a100", "#d9534f", "#5b8def", "#6c757d", "#20c997", "#fd7e14"];

export function drawReportChart(canvas: HTMLCanvasElement): Chart {
  const data = JSON.parse(canvas.dataset.chart ?? "{}") as ChartData;
  const round = data.type === "doughnut";
  const config: ChartConfiguration = {
    type: data.type,
    data: {
      labels: data.labels,
      datasets: data.datasets.map((d, i) => ({
        label: d.label,
        data: d.data,
        backgroundColor: round ? data.labels.map((_l, j) => COLORS[j % COLORS.length]) : COLORS[i % COLORS.length],
        borderColor: round ? "#fff" : COLORS[i % COLORS.length],
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: round ? {} : { x: { stacked: data.stacked }, y: { stacked: data.stacked, beginAtZero: true } },
    },
  };
  return new Chart(canvas, config);
}
