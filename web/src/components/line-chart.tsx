// Line and bar charts on ECharts' tree-shaken core (only these charts, grid, tooltip and
// legend are bundled). Colours follow the light/dark theme.
import { BarChart as EchartsBar, LineChart as EchartsLine } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { chartColors } from '../theme';

echarts.use([EchartsLine, EchartsBar, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface Series {
  name: string;
  points: [string, number | null][];
}

/** Bumps when the theme changes (chosen in the page or by the system), to redraw in its colours. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((value) => value + 1);
    const media = matchMedia('(prefers-color-scheme: dark)');
    addEventListener('loupe:theme', bump);
    media.addEventListener('change', bump);
    return () => {
      removeEventListener('loupe:theme', bump);
      media.removeEventListener('change', bump);
    };
  }, []);
  return version;
}

function useChart(option: () => echarts.EChartsCoreOption, deps: unknown[]) {
  const element = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'canvas' });
    chart.setOption(option());
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [...deps, theme]);
  return element;
}

function base(legend: boolean) {
  const colors = chartColors();
  return {
    animation: false,
    textStyle: { color: colors.text },
    tooltip: { trigger: 'axis' },
    legend: { show: legend, top: 0, right: 0, type: 'scroll', textStyle: { color: colors.text } },
    splitLine: { lineStyle: { color: colors.line } },
  };
}

/** `valueAxisX`: the x values are numbers (e.g. confidence), not times. */
export function LineChart({ series, height = 220, valueAxisX = false }: { series: Series[]; height?: number; valueAxisX?: boolean }) {
  const element = useChart(() => {
    const common = base(series.length > 1);
    return {
      ...common,
      grid: { left: 56, right: 16, top: series.length > 1 ? 30 : 12, bottom: 28 },
      xAxis: valueAxisX ? { type: 'value', min: 0, max: 1 } : { type: 'time' },
      yAxis: { type: 'value', splitLine: common.splitLine },
      series: series.map((entry) => ({ name: entry.name, type: 'line', showSymbol: valueAxisX, data: valueAxisX ? entry.points.map(([x, y]) => [Number(x), y]) : entry.points })),
    };
  }, [series, valueAxisX]);
  return <div ref={element} style={{ height }} />;
}

/** Horizontal bars, one category per row (a model), one bar per series. */
export function BarChart({ categories, series, height }: { categories: string[]; series: { name: string; values: (number | null)[] }[]; height?: number }) {
  const element = useChart(() => {
    const common = base(series.length > 1);
    return {
      ...common,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 24, top: series.length > 1 ? 30 : 8, bottom: 24, containLabel: true },
      xAxis: { type: 'value', splitLine: common.splitLine },
      yAxis: { type: 'category', data: categories, inverse: true },
      series: series.map((entry) => ({ name: entry.name, type: 'bar', data: entry.values })),
    };
  }, [categories, series]);
  return <div ref={element} style={{ height: height ?? Math.max(160, categories.length * 30 * Math.max(1, series.length * 0.7) + 40) }} />;
}
