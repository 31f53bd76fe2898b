// A Live Chat report's chart, drawn from the data the page carries (the table beneath holds the same figures).
import { drawReportChart } from "../reports/reportChart";

const canvas = document.getElementById("report-chart");
if (canvas instanceof HTMLCanvasElement) drawReportChart(canvas);
