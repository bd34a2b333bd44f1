// A time-series line chart on ECharts' tree-shaken core (only the line chart, grid and
// tooltip are bundled).
import { LineChart as EchartsLine } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([EchartsLine, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface Series {
  name: string;
  points: [string, number | null][];
}

/** `valueAxisX`: the x values are numbers (e.g. confidence), not times. */
export function LineChart({ series, height = 220, valueAxisX = false }: { series: Series[]; height?: number; valueAxisX?: boolean }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'canvas' });
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    chart.setOption({
      animation: false,
      textStyle: { color: dark ? '#ccc' : '#333' },
      tooltip: { trigger: 'axis' },
      legend: { show: series.length > 1, top: 0, right: 0, textStyle: { color: dark ? '#ccc' : '#333' } },
      grid: { left: 50, right: 16, top: series.length > 1 ? 30 + 22 * Math.floor((series.length - 1) / 4) : 12, bottom: 28 },
      xAxis: valueAxisX ? { type: 'value', min: 0, max: 1 } : { type: 'time' },
      yAxis: { type: 'value', splitLine: { lineStyle: { color: dark ? '#333' : '#eee' } } },
      series: series.map((entry) => ({ name: entry.name, type: 'line', showSymbol: valueAxisX, data: valueAxisX ? entry.points.map(([x, y]) => [Number(x), y]) : entry.points })),
    });
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [series, valueAxisX]);
  return <div ref={element} style={{ height }} />;
}
