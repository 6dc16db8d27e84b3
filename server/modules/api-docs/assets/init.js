// Starts the Scalar viewer on /api/docs. Kept offline: no web fonts, no telemetry, no hosted
// "try it" proxy or AI agent; colours follow the app (client/src/styles.css).
/* global Scalar */
Scalar.createApiReference('#reference', {
  url: '/api/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  hideTestRequestButton: true,
  showDeveloperTools: 'never',
  showToolbar: 'never',
  agent: { disabled: true },
  defaultOpenAllTags: true,
  expandAllResponses: false,
  forceDarkModeState: 'light',
  hideDarkModeToggle: true,
  documentDownloadType: 'json',
  operationTitleSource: 'summary',
  theme: 'none',
  customCss: `
    .light-mode, .scalar-app {
      --scalar-color-1: #1b1f1d;
      --scalar-color-2: #5a635f;
      --scalar-color-3: #5a635f;
      --scalar-color-accent: #1d6b4f;
      --scalar-background-1: #ffffff;
      --scalar-background-2: #f5f7f6;
      --scalar-background-3: #e6f2ec;
      --scalar-background-accent: #e6f2ec;
      --scalar-border-color: #d5dcd8;
      --scalar-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif;
      --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace;
      --scalar-radius: 10px;
    }
  `,
});
