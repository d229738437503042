// Canvas colors come from CSS custom properties (media/timeline.css maps --vscode-* to --al-*),
// so the canvas follows the VS Code theme, and the standalone page's light/dark fallbacks.

export interface Theme {
  background: string;
  laneAlt: string;
  foreground: string;
  dim: string;
  grid: string;
  border: string;
  gutter: string;
  wait: string;
  waitBorder: string;
  /** Outline around suspended stretches, '' for none (high-contrast themes draw one). */
  waitOutline: string;
  idle: string;
  selection: string;
  hover: string;
  output: string;
  stderr: string;
  warning: string;
  error: string;
  returned: string;
  cancelled: string;
  /** Task colors, picked by task position. */
  palette: string[];
  /** Hand-off arrow colors by cause kind. */
  cause: Record<string, string>;
  font: string;
  fontBold: string;
  fontSmall: string;
  fontFamily: string;
  fontSize: number;
}

export function readTheme(element: HTMLElement = document.body): Theme {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const fontFamily = v('--al-font-family', 'system-ui, sans-serif');
  const fontSize = Math.max(10, Math.min(16, parseFloat(v('--al-font-size', '12')) || 12));
  const palette = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => v(`--al-task-${i}`, '#3b82f6'));
  return {
    background: v('--al-bg', '#ffffff'),
    laneAlt: v('--al-lane-alt', 'rgba(128,128,128,0.06)'),
    foreground: v('--al-fg', '#1f2328'),
    dim: v('--al-dim', '#6e7781'),
    grid: v('--al-grid', 'rgba(128,128,128,0.18)'),
    border: v('--al-border', 'rgba(128,128,128,0.35)'),
    gutter: v('--al-gutter', '#f6f8fa'),
    wait: v('--al-wait', 'rgba(128,128,128,0.22)'),
    waitBorder: v('--al-wait-border', 'rgba(128,128,128,0.6)'),
    waitOutline: v('--al-wait-outline', 'none') === 'none' ? '' : v('--al-wait-outline', ''),
    idle: v('--al-idle', 'rgba(128,128,128,0.12)'),
    selection: v('--al-selection', '#0969da'),
    hover: v('--al-hover', 'rgba(9,105,218,0.12)'),
    output: v('--al-output', '#0969da'),
    stderr: v('--al-stderr', '#cf222e'),
    warning: v('--al-warning', '#bf8700'),
    error: v('--al-error', '#cf222e'),
    returned: v('--al-returned', '#1a7f37'),
    cancelled: v('--al-cancelled', '#bc4c00'),
    palette,
    cause: {
      timer: v('--al-cause-timer', '#8250df'),
      io: v('--al-cause-io', '#0969da'),
      task: v('--al-cause-task', '#1a7f37'),
      start: v('--al-cause-start', '#6e7781'),
      callback: v('--al-cause-callback', '#bf8700'),
      cancel: v('--al-cause-cancel', '#bc4c00'),
      yield: v('--al-cause-yield', '#6e7781'),
      unknown: v('--al-cause-unknown', '#6e7781'),
    },
    font: `${fontSize}px ${fontFamily}`,
    fontBold: `600 ${fontSize}px ${fontFamily}`,
    fontSmall: `${fontSize - 1}px ${fontFamily}`,
    fontFamily,
    fontSize,
  };
}

/** Calls `onChange` when the theme may have changed: VS Code swaps body classes, browsers flip color scheme. */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'style'] });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', onChange);
}
