import { useIsDark } from './theme';

/** Chart colours for the current theme. */
export function useChartTheme() {
  const dark = useIsDark();
  return {
    primary: dark ? '#0A84FF' : '#007AFF',
    secondary: dark ? '#BF5AF2' : '#AF52DE',
    success: dark ? '#30D158' : '#34C759',
    danger: dark ? '#FF453A' : '#FF3B30',
    grid: dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.06)',
    axis: dark ? '#98989D' : '#86868B',
    tooltipBg: dark ? '#2C2C2E' : '#FFFFFF',
    tooltipBorder: dark ? 'rgba(255,255,255,0.12)' : 'rgba(0,0,0,0.08)',
    text: dark ? '#F5F5F7' : '#1D1D1F',
  };
}
